//! Planning: which tests run, in which layers, in which order. Discovery
//! and collection (zope's `Find` feature), `--package` directories,
//! `--shuffle`, the layer filter and zope's layer order, turned into a list
//! of [`PlannedLayer`]s. The decisions are the pure stages' (`discovery`,
//! `selection`, `layers`); this module feeds them what Python knows.

use std::collections::HashSet;

use indexmap::IndexMap;
use pyo3::intern;
use pyo3::prelude::*;

use super::collect::{self, CollectConfig, Collected, TestEntry, UNIT_TESTS, ZOPE_UNIT_TESTS};
use super::Runner;
use crate::discovery::{self, Rules};
use crate::error::{Error, Result};
use crate::events::{Event, ListedTest, Notice, RunLevels};
use crate::layers::LayerId;
use crate::pyrepr::str_repr;
use crate::selection::{Filter, Levels, Matcher, Pattern};

/// A layer to run: its name, its id in the layer set, its tests.
pub(super) struct PlannedLayer {
    pub name: String,
    pub id: LayerId,
    pub tests: Vec<TestEntry>,
}

/// Python's `re`, for patterns the `regex` crate does not take as Python does.
struct PyRe(Py<PyAny>);

impl Matcher for PyRe {
    fn is_match(&self, text: &str) -> bool {
        Python::attach(|py| {
            self.0
                .bind(py)
                .call1((text,))
                .map(|m| !m.is_none())
                .unwrap_or(false)
        })
    }
}

/// Compiles a pattern with Python's `re`: the fallback of [`Pattern`].
pub fn python_re(source: &str) -> std::result::Result<Box<dyn Matcher>, String> {
    Python::attach(|py| {
        let compiled = py
            .import(intern!(py, "re"))
            .and_then(|re| re.call_method1(intern!(py, "compile"), (source,)))
            .map_err(|e| e.value(py).to_string())?;
        let search = compiled
            .getattr(intern!(py, "search"))
            .map_err(|e| e.to_string())?;
        Ok(Box::new(PyRe(search.unbind())) as Box<dyn Matcher>)
    })
}

/// A compiled filter, or the usage error for a pattern neither engine takes.
pub fn compile_filter(patterns: &[String], option: &str) -> Result<Filter> {
    Filter::new(patterns, &python_re).map_err(|bad| bad_pattern(option, &bad.pattern, &bad.message))
}

fn compile_pattern(pattern: &str, option: &str) -> Result<Pattern> {
    Pattern::compile(pattern, &python_re).map_err(|message| bad_pattern(option, pattern, &message))
}

fn bad_pattern(option: &str, pattern: &str, message: &str) -> Error {
    Error::Usage(format!(
        "argument {option}: bad regular expression {}: {message}",
        str_repr(pattern)
    ))
}

impl Runner<'_> {
    /// Discovery and collection (zope's `Find` feature).
    pub(super) fn find_tests(&mut self) -> Result<Collected> {
        let py = self.py;
        let c = &self.config;
        if !c.keepbytecode {
            let roots: Vec<String> = c.test_path.iter().map(|(p, _)| p.clone()).collect();
            for stale in discovery::stale_bytecode(&roots, &c.ignore_dir) {
                let path = stale.to_string_lossy().into_owned();
                self.emit(Event::StaleBytecodeRemoved { path })?;
                let _ = std::fs::remove_file(&stale);
            }
        }
        let c = &self.config;
        let tests_pattern = compile_pattern(&c.tests_pattern, "--tests-pattern")?;
        let test_file_pattern = compile_pattern(&c.test_file_pattern, "--test-file-pattern")?;
        let module_filter = compile_filter(&c.module, "--module/-m")?;
        let test_filter = compile_filter(&c.test, "--test/-t")?;
        let optimized = py
            .import(intern!(py, "sys"))?
            .getattr(intern!(py, "flags"))?
            .getattr(intern!(py, "optimize"))?
            .extract::<i64>()?
            > 0;
        let rules = Rules {
            tests_pattern: &tests_pattern,
            test_file_pattern: &test_file_pattern,
            ignore_dir: &c.ignore_dir,
            usecompiled: c.usecompiled,
            optimized,
        };
        let mut prefixes = c.prefix.clone();
        let dirs = self.test_dirs(&mut prefixes)?;
        let config = CollectConfig {
            rules,
            prefixes: &prefixes,
            module_filter: &module_filter,
            test_filter: &test_filter,
            levels: Levels {
                at_level: c.at_level,
                only_level: c.only_level,
            },
            suite_name: &c.suite_name,
            require_unique: c.require_unique,
            post_mortem: c.post_mortem,
            want_names: self.flags.needs.names,
            exceptions: self.flags.needs.exceptions,
        };
        let collected = Collected::collect(py, &dirs, &config)?;
        if !collected.duplicate_ids.is_empty() {
            let mut message = String::from("Duplicate test IDs found:");
            for id in &collected.duplicate_ids {
                message.push_str("\n  ");
                message.push_str(id);
            }
            return Err(Error::Exit {
                status: 1,
                stderr: format!("leakrunner: error: {message}\n"),
            });
        }
        Ok(collected)
    }

    /// The directories to search: the test paths, or with `--package` the
    /// package directories inside them (zope's `test_dirs`).
    pub(super) fn test_dirs(
        &self,
        prefixes: &mut Vec<(String, String)>,
    ) -> Result<Vec<(String, String)>> {
        let py = self.py;
        if self.config.package.is_empty() {
            return Ok(self.config.test_path.clone());
        }
        let mut dirs: Vec<(String, String)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        let os_path = py.import(intern!(py, "os.path"))?;
        for package in &self.config.package {
            let module = collect::import_name(py, package).map_err(|err| Error::Exit {
                status: 1,
                stderr: format!(
                    "leakrunner: error: cannot import the package {} given with --package: {}\n",
                    str_repr(package),
                    err.value(py)
                ),
            })?;
            let Some(paths) = module.getattr_opt(intern!(py, "__path__"))? else {
                return Err(Error::Exit {
                    status: 1,
                    stderr: format!(
                        "leakrunner: error: {} given with --package is a module, not a package\n",
                        str_repr(package)
                    ),
                });
            };
            for p in paths.try_iter()? {
                let p: String = os_path
                    .call_method1(intern!(py, "abspath"), (p?,))?
                    .extract()?;
                if seen.contains(&p) {
                    continue;
                }
                let found = prefixes
                    .iter()
                    .find(|(prefix, _)| {
                        p.starts_with(prefix.as_str()) || p == prefix[..prefix.len() - 1]
                    })
                    .map(|(_, pkg)| pkg.clone());
                match found {
                    Some(pkg) => {
                        seen.insert(p.clone());
                        dirs.push((p, pkg));
                    }
                    None if self.config.auto_path => {
                        seen.insert(p.clone());
                        let prefix = format!("{p}{}", std::path::MAIN_SEPARATOR);
                        prefixes.push((prefix.clone(), package.clone()));
                        dirs.push((prefix, package.clone()));
                    }
                    None => {}
                }
            }
        }
        Ok(dirs)
    }

    /// `--shuffle`: each layer's tests in a random order, reproducible from
    /// the seed, exactly as zope.testrunner shuffles them (layers in sorted
    /// name order, Fisher-Yates over `random.Random(seed).random()`).
    pub(super) fn shuffle(&mut self, collected: &mut Collected) -> Result<i64> {
        let py = self.py;
        let seed: i64 = match self.config.shuffle_seed {
            Some(seed) => seed,
            // zope's default: `int(time.time() * 256)`.
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| (d.as_secs_f64() * 256.0) as i64),
        };
        // In zope's order: the sorted names as zope names them, so the unit
        // test layer sorts as `zope.testrunner.layer.UnitTests` (last, or
        // nearly): the order in which the layers draw from the generator
        // decides every layer's shuffle.
        let mut names: Vec<String> = collected.by_layer.keys().cloned().collect();
        names.sort_by_cached_key(|name| {
            if name == UNIT_TESTS {
                ZOPE_UNIT_TESTS.to_owned()
            } else {
                name.clone()
            }
        });
        let random = py.import(intern!(py, "random"))?;
        let rng = random.getattr(intern!(py, "Random"))?.call1((seed,))?;
        let version = pyo3::types::PyDict::new(py);
        version.set_item(intern!(py, "version"), 1)?;
        rng.call_method(intern!(py, "seed"), (seed,), Some(&version))?;
        for name in names {
            let tests = collected.by_layer.get_mut(&name).expect("a key");
            for i in (1..tests.len()).rev() {
                let r: f64 = rng.call_method0(intern!(py, "random"))?.extract()?;
                let j = (r * (i + 1) as f64).floor() as usize;
                tests.swap(i, j);
            }
        }
        Ok(seed)
    }

    /// zope's `Filter` feature: which layers run.
    pub(super) fn filter_layers(&mut self, collected: &mut Collected) -> Result<()> {
        let c = &self.config;
        let layer_filter = match &c.layer {
            Some(patterns) => Some(compile_filter(patterns, "--layer")?),
            None => None,
        };
        let unit_accepted = |f: &Filter| f.accepts(UNIT_TESTS) || f.accepts(ZOPE_UNIT_TESTS);
        if collected.by_layer.contains_key(UNIT_TESTS) {
            let keep = !c.non_unit && layer_filter.as_ref().is_none_or(unit_accepted);
            if !keep {
                collected.by_layer.shift_remove(UNIT_TESTS);
            }
        }
        if let Some(resume) = c.resume_layer.clone() {
            collected.by_layer.retain(|name, _| *name == resume);
            if collected.by_layer.is_empty() {
                self.emit(Event::Notice(Notice::LayerNotFound {
                    layer: resume.clone(),
                }))?;
                self.stats
                    .errors
                    .push(format!("subprocess failed for {resume}"));
            }
        } else if let Some(f) = &layer_filter {
            collected.by_layer.retain(|name, _| {
                if name == UNIT_TESTS {
                    unit_accepted(f)
                } else {
                    f.accepts(name)
                }
            });
        }
        if c.verbose > 0 && c.resume_layer.is_none() {
            let levels = if c.all {
                RunLevels::All
            } else if let Some(only) = c.only_level {
                RunLevels::Only(only)
            } else {
                RunLevels::UpTo(c.at_level)
            };
            self.emit(Event::Notice(Notice::Levels(levels)))?;
        }
        Ok(())
    }

    /// zope's `ordered_layers`: layers resolved from their names, in
    /// `order_by_bases` order.
    pub(super) fn ordered_layers(&mut self, mut collected: Collected) -> Result<Vec<PlannedLayer>> {
        let py = self.py;
        let unit = py
            .import(intern!(py, "leakrunner.layer"))?
            .getattr(intern!(py, "UnitTests"))?;
        // {layer object: name}: a layer seen under two names keeps the last.
        let mut by_object: IndexMap<LayerId, String> = IndexMap::new();
        for name in collected.by_layer.keys() {
            let object = collected.layer_from_name(py, name)?;
            let id = self.layers.add(&object, &unit)?;
            by_object.insert(id, name.clone());
        }
        let ids: Vec<LayerId> = by_object.keys().copied().collect();
        let mut planned = Vec::new();
        if self.config.processes > 1 && self.config.resume_layer.is_none() {
            // -j: the parent runs an empty first layer, then hands every
            // real layer to a child, so work spreads out from the start.
            let empty = py
                .import(intern!(py, "leakrunner.layer"))?
                .getattr(intern!(py, "EmptyLayer"))?;
            let id = self.layers.add(&empty, &unit)?;
            let name = self.layers.graph.name(id).to_owned();
            planned.push(PlannedLayer {
                name,
                id,
                tests: Vec::new(),
            });
        }
        for id in self.layers.graph.order_by_bases(&ids) {
            let name = by_object[&id].clone();
            let mut tests = collected.by_layer.shift_remove(&name).unwrap_or_default();
            if let Some(after) = self.config.resume_after {
                skip_tests(py, &mut tests, after)?;
            }
            planned.push(PlannedLayer { name, id, tests });
        }
        Ok(planned)
    }

    /// `--list-tests`: each layer's tests, as zope lists them.
    pub(super) fn list_tests(&self, planned: &[PlannedLayer]) -> Result<()> {
        let py = self.py;
        for layer in planned {
            let tests = layer
                .tests
                .iter()
                .map(|t| {
                    Ok(ListedTest {
                        name: test_name(py, t)?,
                        id: t.test.bind(py).call_method0(intern!(py, "id"))?.extract()?,
                    })
                })
                .collect::<PyResult<Vec<_>>>()?;
            self.emit(Event::ListOfTests {
                layer: layer.name.clone(),
                tests,
            })?;
        }
        Ok(())
    }
}

/// A child resumed after a crash: drops the tests that ran (or crashed) in
/// the children before it, counted as results count them
/// (`countTestCases`). An entry is all or nothing: one holding several
/// tests is skipped whole once the crash was inside it.
fn skip_tests(py: Python<'_>, tests: &mut Vec<TestEntry>, after: usize) -> PyResult<()> {
    let mut counted = 0;
    let mut entries = 0;
    for entry in tests.iter() {
        if counted >= after {
            break;
        }
        counted += entry
            .test
            .bind(py)
            .call_method0(intern!(py, "countTestCases"))?
            .extract::<usize>()?;
        entries += 1;
    }
    tests.drain(..entries);
    Ok(())
}

fn test_name(py: Python<'_>, entry: &TestEntry) -> PyResult<String> {
    match &entry.name {
        Some(name) => Ok(name.clone()),
        None => Ok(entry.test.bind(py).str()?.to_string()),
    }
}
