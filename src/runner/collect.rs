//! Collection: importing the test modules discovery found, getting their
//! suites, and walking the suites into tests grouped by layer name, with
//! zope.testrunner's level, layer and test-name rules (`find.py`).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::discovery::{self, Rules};
use crate::events::{ExceptionDetail, ImportFailure};
use crate::helpers::Helpers;
use crate::layers::{LayerGraph, LayerId};
use crate::selection::{Filter, Levels};

/// The name of the layer of tests that declare none.
pub const UNIT_TESTS: &str = "leakrunner.layer.UnitTests";
/// zope.testrunner's name for it: tests and command lines written for
/// zope.testrunner name this layer, and mean ours.
pub const ZOPE_UNIT_TESTS: &str = "zope.testrunner.layer.UnitTests";

/// A test and, when something needed it, its `str()`.
pub struct TestEntry {
    pub test: Py<PyAny>,
    pub name: Option<String>,
}

/// Tests grouped by layer name, in discovery order, plus the import errors.
#[derive(Default)]
pub struct Collected {
    pub by_layer: IndexMap<String, Vec<TestEntry>>,
    pub import_errors: Vec<ImportFailure>,
    /// zope's `_layer_name_cache`: layer objects by the name they were seen as.
    pub layer_cache: HashMap<String, Py<PyAny>>,
    /// `--require-unique`: ids seen more than once.
    pub duplicate_ids: Vec<String>,
}

/// What collection needs from the options.
pub struct CollectConfig<'a> {
    pub rules: Rules<'a>,
    pub prefixes: &'a [(String, String)],
    pub module_filter: &'a Filter,
    pub test_filter: &'a Filter,
    pub levels: Levels,
    pub suite_name: &'a str,
    pub require_unique: bool,
    /// Compute `str(test)` for every test (a reporter shows names).
    pub want_names: bool,
    /// Describe import exceptions for JUnit-style reports.
    pub exceptions: bool,
    /// `-D`: debug import failures as they happen (leaving the debugger
    /// ends the run, as it does in zope).
    pub post_mortem: bool,
}

/// Python objects collection uses over and over.
struct Cached<'py> {
    test_suite_type: Bound<'py, PyAny>,
    unit_tests: Bound<'py, PyAny>,
    helpers: Helpers,
}

/// `find.name_from_layer`, with zope's UnitTests taken as ours.
pub fn name_from_layer<'py>(
    layer: &Bound<'py, PyAny>,
    unit_tests: &Bound<'py, PyAny>,
) -> PyResult<(String, Bound<'py, PyAny>)> {
    let py = layer.py();
    let module: String = layer.getattr(intern!(py, "__module__"))?.str()?.extract()?;
    let name: String = layer.getattr(intern!(py, "__name__"))?.str()?.extract()?;
    let full = if module == "__builtin__" {
        name
    } else {
        format!("{module}.{name}")
    };
    if full == ZOPE_UNIT_TESTS {
        return Ok((UNIT_TESTS.to_owned(), unit_tests.clone()));
    }
    Ok((full, layer.clone()))
}

/// Imports `name` the way `__import__(name); sys.modules[name]` does.
pub fn import_name<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    let builtins = py.import(intern!(py, "builtins"))?;
    builtins
        .getattr(intern!(py, "__import__"))?
        .call1((name,))?;
    py.import(intern!(py, "sys"))?
        .getattr(intern!(py, "modules"))?
        .get_item(name)
}

/// An import failure's JUnit description, when a reporter wants it.
fn exception_detail(
    py: Python<'_>,
    helpers: &Helpers,
    err: &PyErr,
    keep_traceback: bool,
    wanted: bool,
) -> PyResult<Option<ExceptionDetail>> {
    if !wanted {
        return Ok(None);
    }
    helpers.exception_detail(py, err, keep_traceback).map(Some)
}

/// `-D`: the debugger on an import failure; leaving it raises EndRun.
fn debug_import_failure(
    py: Python<'_>,
    helpers: &Helpers,
    err: &PyErr,
    config: &CollectConfig<'_>,
) -> PyResult<()> {
    if !config.post_mortem {
        return Ok(());
    }
    helpers.post_mortem(py, err, None)
}

/// Raises KeyboardInterrupt again: zope lets it through everything.
fn pass_interrupt(py: Python<'_>, err: PyErr) -> PyResult<PyErr> {
    if err.is_instance_of::<PyKeyboardInterrupt>(py) {
        return Err(err);
    }
    Ok(err)
}

impl Collected {
    /// Discovers, imports and walks every test module under `dirs`.
    pub fn collect(
        py: Python<'_>,
        dirs: &[(String, String)],
        config: &CollectConfig<'_>,
    ) -> PyResult<Collected> {
        let cached = Cached {
            test_suite_type: py
                .import(intern!(py, "unittest"))?
                .getattr(intern!(py, "TestSuite"))?,
            unit_tests: py
                .import(intern!(py, "leakrunner.layer"))?
                .getattr(intern!(py, "UnitTests"))?,
            helpers: Helpers::new(py)?,
        };
        let mut collected = Collected::default();
        let mut dupes: HashSet<String> = HashSet::new();
        for (fpath, package) in discovery::find_test_files(dirs, &config.rules) {
            let Some(module_name) =
                discovery::module_name(&fpath, &package, config.prefixes, &config.rules)
            else {
                continue;
            };
            if !config.module_filter.accepts(&module_name) {
                continue;
            }
            let suite = match collected.load_suite(py, &cached, &module_name, config)? {
                Some(suite) => suite,
                None => continue,
            };
            // `--require-unique` compares the ids within one module's suite,
            // as zope's `tests_from_suite` does (a set per module): two
            // modules may well load the same doctest file, and that is no
            // duplicate.
            let mut seen_ids: HashSet<String> = HashSet::new();
            collected.walk(
                &cached,
                &suite,
                1,
                UNIT_TESTS.to_owned(),
                config,
                &mut seen_ids,
                &mut dupes,
            )?;
        }
        let mut dupes: Vec<String> = dupes.into_iter().collect();
        dupes.sort();
        collected.duplicate_ids = dupes;
        Ok(collected)
    }

    /// The module's suite, or `None` after recording an import failure.
    fn load_suite<'py>(
        &mut self,
        py: Python<'py>,
        cached: &Cached<'py>,
        module_name: &str,
        config: &CollectConfig<'_>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let module = match import_name(py, module_name) {
            Ok(module) => module,
            Err(err) => {
                let err = pass_interrupt(py, err)?;
                debug_import_failure(py, &cached.helpers, &err, config)?;
                let traceback = cached.helpers.format_import_exception(py, &err, true)?;
                let exception =
                    exception_detail(py, &cached.helpers, &err, true, config.exceptions)?;
                self.import_errors.push(ImportFailure {
                    module: module_name.to_owned(),
                    traceback,
                    exception,
                });
                return Ok(None);
            }
        };
        match suite_of(py, cached, &module, module_name, config.suite_name) {
            Ok(suite) => Ok(Some(suite)),
            Err(err) => {
                let err = pass_interrupt(py, err)?;
                debug_import_failure(py, &cached.helpers, &err, config)?;
                // zope drops the traceback of these: only the exception line shows.
                let traceback = cached.helpers.format_import_exception(py, &err, false)?;
                let exception =
                    exception_detail(py, &cached.helpers, &err, false, config.exceptions)?;
                self.import_errors.push(ImportFailure {
                    module: module_name.to_owned(),
                    traceback,
                    exception,
                });
                Ok(None)
            }
        }
    }

    /// `tests_from_suite`: the innermost `level` and `layer` win.
    #[allow(clippy::too_many_arguments)]
    fn walk<'py>(
        &mut self,
        cached: &Cached<'py>,
        suite: &Bound<'py, PyAny>,
        level: i64,
        layer: String,
        config: &CollectConfig<'_>,
        seen_ids: &mut HashSet<String>,
        dupes: &mut HashSet<String>,
    ) -> PyResult<()> {
        let py = suite.py();
        let level = match suite.getattr_opt(intern!(py, "level"))? {
            Some(l) => l.extract::<i64>()?,
            None => level,
        };
        let layer = match suite.getattr_opt(intern!(py, "layer"))? {
            Some(l) if l.is_instance_of::<PyString>() => {
                let name: String = l.extract()?;
                if name == ZOPE_UNIT_TESTS {
                    UNIT_TESTS.to_owned()
                } else {
                    name
                }
            }
            Some(l) => {
                let (name, object) = name_from_layer(&l, &cached.unit_tests)?;
                self.layer_cache.insert(name.clone(), object.unbind());
                name
            }
            None => layer,
        };
        if suite.is_instance(&cached.test_suite_type)? {
            for item in suite.try_iter()? {
                self.walk(
                    cached,
                    &item?,
                    level,
                    layer.clone(),
                    config,
                    seen_ids,
                    dupes,
                )?;
            }
            return Ok(());
        }
        let needs_name = config.require_unique
            || config.want_names
            || !config.test_filter.accepts_any_nonempty();
        let name = if needs_name {
            Some(suite.str()?.to_string())
        } else {
            None
        };
        if config.require_unique {
            let id = name.clone().unwrap_or_default();
            if !seen_ids.insert(id.clone()) {
                dupes.insert(id);
            }
        }
        if !config.levels.accepts(level) {
            return Ok(());
        }
        if let Some(name) = &name {
            if !config.test_filter.accepts(name) {
                return Ok(());
            }
        }
        self.by_layer.entry(layer).or_default().push(TestEntry {
            test: suite.clone().unbind(),
            name,
        });
        Ok(())
    }

    /// zope's `layer_from_name`: the cached object, or the attribute of the
    /// module the dotted name points into (importing it).
    pub fn layer_from_name<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        if let Some(layer) = self.layer_cache.get(name) {
            return Ok(layer.bind(py).clone());
        }
        if name == UNIT_TESTS {
            return py
                .import(intern!(py, "leakrunner.layer"))?
                .getattr(intern!(py, "UnitTests"));
        }
        let (module_name, attr) = name.rsplit_once('.').unwrap_or(("", name));
        let module = import_name(py, module_name)?;
        module.getattr(attr).map_err(|_| {
            pyo3::exceptions::PyAttributeError::new_err(format!(
                "module {module_name:?} has no attribute {attr:?}"
            ))
        })
    }
}

/// The module's test suite: `test_suite()` (or `--suite-name`), else the
/// unittest loader's; it must be a non-empty `unittest.TestSuite`.
fn suite_of<'py>(
    py: Python<'py>,
    cached: &Cached<'py>,
    module: &Bound<'py, PyAny>,
    module_name: &str,
    suite_name: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let suite = if module.hasattr(suite_name)? {
        module.getattr(suite_name)?.call0()?
    } else {
        let loader = py
            .import(intern!(py, "unittest"))?
            .getattr(intern!(py, "defaultTestLoader"))?;
        let suite = loader.call_method1(intern!(py, "loadTestsFromModule"), (module,))?;
        let count: usize = suite
            .call_method0(intern!(py, "countTestCases"))?
            .extract()?;
        if count == 0 {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "Module {module_name} does not define any tests"
            )));
        }
        suite
    };
    if !suite.is_instance(&cached.test_suite_type)? {
        let repr = suite.repr()?.to_string();
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "Invalid test_suite, {repr}, in {module_name}"
        )));
    }
    Ok(suite)
}

/// The layers to run and their bases, as a [`LayerGraph`] over the
/// Python layer objects (identity decides sameness, as in zope's dicts).
pub struct LayerSet {
    pub graph: LayerGraph,
    pub objects: Vec<Py<PyAny>>,
    by_identity: HashMap<usize, LayerId>,
}

impl LayerSet {
    pub fn new(py: Python<'_>) -> PyResult<LayerSet> {
        let mut set = LayerSet {
            graph: LayerGraph::new(),
            objects: Vec::new(),
            by_identity: HashMap::new(),
        };
        let unit = py
            .import(intern!(py, "leakrunner.layer"))?
            .getattr(intern!(py, "UnitTests"))?;
        let id = set.add(&unit, &unit)?;
        set.graph.set_unit_tests(id);
        Ok(set)
    }

    /// Adds a layer and, recursively, its bases; returns its id.
    pub fn add<'py>(
        &mut self,
        layer: &Bound<'py, PyAny>,
        unit_tests: &Bound<'py, PyAny>,
    ) -> PyResult<LayerId> {
        let key = layer.as_ptr() as usize;
        if let Some(&id) = self.by_identity.get(&key) {
            return Ok(id);
        }
        let py = layer.py();
        let (name, _) = name_from_layer(layer, unit_tests)?;
        let id = self.graph.add(name, Vec::new());
        self.objects.push(layer.clone().unbind());
        self.by_identity.insert(key, id);
        let object = py
            .import(intern!(py, "builtins"))?
            .getattr(intern!(py, "object"))?;
        let mut bases = Vec::new();
        for base in layer.getattr(intern!(py, "__bases__"))?.try_iter()? {
            let base = base?;
            if base.is(&object) {
                continue;
            }
            bases.push(self.add(&base, unit_tests)?);
        }
        self.graph.set_bases(id, bases);
        Ok(id)
    }

    pub fn object<'py>(&self, py: Python<'py>, id: LayerId) -> Bound<'py, PyAny> {
        self.objects[id].bind(py).clone()
    }
}
