//! The runner: everything of a run that touches Python, in zope.testrunner's
//! order. It imports and walks the tests (`collect`), sets layers up and tears
//! them down, runs each test with a Rust result object (`result`), repeats
//! layers for `-N`, resumes layers in child processes (`child`) and emits
//! events for the reporters. Decisions on plain data (discovery, selection,
//! layer order) are made by the pure stages it calls.

pub mod child;
pub mod collect;
pub mod result;

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::time::Instant;

use indexmap::IndexMap;
use pyo3::exceptions::{PyKeyboardInterrupt, PyMemoryError, PyNotImplementedError};
use pyo3::intern;
use pyo3::prelude::*;

use crate::census;
use crate::discovery::{self, Rules};
use crate::error::{Error, Result};
use crate::events::{
    Counts, DetailedRefcounts, Event, ExceptionDetail, ImportFailure, LayerPhase, ListedTest,
};
use crate::layers::LayerId;
use crate::pyio::PyOutput;
use crate::report::console::{Console, ConsoleConfig};
use crate::report::subunit::{Subunit, Version as SubunitVersion};
use crate::report::xml::{Xml, XmlConfig};
use crate::report::{Needs, Reporter};
use crate::selection::{Filter, Levels, Matcher, Pattern};
use collect::{CollectConfig, Collected, LayerSet, TestEntry, UNIT_TESTS, ZOPE_UNIT_TESTS};
use result::{Handles, Hooks, SharedSink, Sink, TestFlags, TestResult};

/// What the runner needs from the options, resolved.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    pub test_path: Vec<(String, String)>,
    pub prefix: Vec<(String, String)>,
    pub path: Vec<String>,
    pub package: Vec<String>,
    pub auto_path: bool,
    pub tests_pattern: String,
    pub test_file_pattern: String,
    pub suite_name: String,
    pub ignore_dir: HashSet<String>,
    pub usecompiled: bool,
    pub keepbytecode: bool,
    pub module: Vec<String>,
    pub test: Vec<String>,
    pub layer: Option<Vec<String>>,
    pub non_unit: bool,
    pub at_level: i64,
    pub only_level: Option<i64>,
    pub all: bool,
    pub list_tests: bool,
    pub require_unique: bool,

    pub verbose: u32,
    pub progress: bool,
    pub buffer: bool,
    pub ndiff: bool,
    pub udiff: bool,
    pub cdiff: bool,
    pub report_only_first_failure: bool,
    pub ignore_new_threads: Vec<String>,

    pub stop_on_error: bool,
    pub post_mortem: bool,
    pub repeat: usize,
    pub report_refcounts: bool,
    pub gc_after_test: bool,
    /// `-g/--gc`: collector thresholds (1 to 3 values).
    pub gc: Option<Vec<i64>>,
    /// `-G/--gc-option`: collector debug flag names.
    pub gc_option: Option<Vec<String>>,
    pub shuffle: bool,
    pub shuffle_seed: Option<i64>,

    /// `-c`: colour; `--slow-test N`: the colour of slow tests.
    pub color: bool,
    pub slow_test_threshold: f64,
    /// `--subunit` / `--subunit-v2`: a subunit stream instead of the console.
    pub subunit: Option<SubunitVersion>,
    /// `--xml DIR`: JUnit reports into `DIR/testreports/`.
    pub xml_output: Option<String>,

    pub processes: usize,
    /// `--coverage DIR`: line coverage into DIR.
    pub coverage: Option<String>,
    /// `--profile cProfile`, and `--profile-directory` for its files.
    pub profile: Option<String>,
    pub prof_dir: String,
    /// `--child-timeout`: kill a child process running longer (seconds).
    pub child_timeout: Option<f64>,
    /// Set in a child process: the one layer it runs, and its resume number.
    pub resume_layer: Option<String>,
    pub resume_number: Option<usize>,
    /// The command line (argv, program name first) and the defaults, to
    /// rebuild a child's command line.
    pub original_args: Vec<String>,
    pub defaults: Vec<String>,
    pub script_parts: Vec<String>,
    pub cwd: String,
    /// The warnings filter action for the run (None: leave filters alone).
    pub warnings: Option<String>,
}

/// What the XML reports need from the machine: zope resolves `--xml DIR`
/// and creates it before the run, and stamps reports with the host name and
/// naive local time.
fn xml_config(py: Python<'_>, dir: &str) -> PyResult<XmlConfig> {
    let support = py.import(intern!(py, "leakrunner._support"))?;
    let (dir, hostname, utc_offset_seconds): (String, String, i64) = support
        .call_method1(intern!(py, "xml_setup"), (dir,))?
        .extract()?;
    Ok(XmlConfig {
        dir: dir.into(),
        hostname,
        utc_offset_seconds,
    })
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
        child::python_repr(pattern)
    ))
}

/// A layer to run: its name, its id in the layer set, its tests.
struct PlannedLayer {
    name: String,
    id: LayerId,
    tests: Vec<TestEntry>,
}

/// Why the layer loop stopped early.
enum LayerFlow {
    /// A layer's tearDown is not supported while another layer needs it gone.
    CanNotTearDown,
}

struct Runner<'py> {
    py: Python<'py>,
    config: RunConfig,
    sink: SharedSink,
    flags: Rc<TestFlags>,
    handles: Rc<Handles>,
    support: Bound<'py, PyModule>,
    layers: LayerSet,
    setup_layers: Vec<LayerId>,
    import_errors: Vec<ImportFailure>,
    ran: usize,
    failures: Vec<String>,
    errors: Vec<String>,
    skipped: usize,
    layers_run: usize,
    failed: bool,
    interrupted: bool,
    /// `-D`: the post-mortem debugger was left; the run ends.
    end_run: bool,
    /// `--buffer`'s stand-in streams, shared by every iteration's result.
    buffers: Option<(Py<PyAny>, Py<PyAny>)>,
    /// Release-built extension modules already warned about (`-r`).
    reported_extensions: HashSet<String>,
    /// `--coverage`: the measurer, from global set-up to the report.
    coverage: Option<Py<PyAny>>,
    /// `--profile`: the profiler, from global set-up to the report.
    profiler: Option<Py<PyAny>>,
}

/// The extension suffix of a release build of this debug interpreter:
/// `.cpython-311d-x86_64-linux-gnu.so` gives `.cpython-311-x86_64-linux-gnu.so`.
/// None for a release build (nothing to warn about).
pub fn release_ext_suffix(debug_suffix: &str) -> Option<String> {
    let start = debug_suffix.find(".cpython-")? + ".cpython-".len();
    let tag_end = start + debug_suffix[start..].find('-')?;
    let tag = &debug_suffix[start..tag_end];
    let release_tag = tag.strip_suffix('d')?;
    Some(format!(
        "{}{release_tag}{}",
        &debug_suffix[..start],
        &debug_suffix[tag_end..]
    ))
}

/// Runs the tests; returns whether the run failed (zope's `runner.failed`).
pub fn run(
    py: Python<'_>,
    config: RunConfig,
    extra_reporters: Vec<Box<dyn Reporter>>,
) -> Result<bool> {
    let max_width = if config.progress && config.verbose == 1 {
        py.import(intern!(py, "leakrunner._support"))?
            .call_method1(intern!(py, "terminal_number"), ("cols", 80))?
            .extract::<i64>()
            .map(|w| w.max(0) as usize)
            .unwrap_or(80)
    } else {
        80
    };
    let in_child = config.resume_layer.is_some();
    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    if let Some(version) = config.subunit {
        reporters.push(Box::new(Subunit::new(version)));
    } else {
        reporters.push(Box::new(Console::new(ConsoleConfig {
            verbose: config.verbose,
            progress: config.progress,
            in_subprocess: in_child && config.processes > 1,
            max_width,
            color: config.color,
            slow_test_threshold: config.slow_test_threshold,
        })));
    }
    if let Some(dir) = &config.xml_output {
        reporters.push(Box::new(Xml::new(xml_config(py, dir)?)));
    }
    reporters.extend(extra_reporters);
    let flags = TestFlags {
        buffer: config.buffer,
        stop_on_error: config.stop_on_error,
        post_mortem: config.post_mortem,
        gc_after_test: config.gc_after_test,
        verbose: config.verbose,
        in_child,
        needs: reporters
            .iter()
            .fold(Needs::default(), |n, r| n.union(r.needs())),
        ignore_new_threads: config.ignore_new_threads.clone(),
    };
    let support = py.import(intern!(py, "leakrunner._support"))?;
    let mut runner = Runner {
        py,
        layers: LayerSet::new(py)?,
        config,
        sink: Rc::new(RefCell::new(Sink {
            reporters,
            out: PyOutput::new(py)?,
        })),
        flags: Rc::new(flags),
        handles: Rc::new(Handles::new(py)?),
        support,
        setup_layers: Vec::new(),
        import_errors: Vec::new(),
        ran: 0,
        failures: Vec::new(),
        errors: Vec::new(),
        skipped: 0,
        layers_run: 0,
        failed: true,
        interrupted: false,
        end_run: false,
        buffers: None,
        reported_extensions: HashSet::new(),
        coverage: None,
        profiler: None,
    };
    let warnings = runner
        .support
        .getattr(intern!(py, "warnings_enabled"))?
        .call1((runner.config.warnings.clone(),))?;
    warnings.call_method0(intern!(py, "__enter__"))?;
    let outcome = runner.run_phases();
    let exited = match &outcome {
        Err(Error::Python(err)) => {
            let value = err.value(py);
            warnings.call_method1(
                intern!(py, "__exit__"),
                (value.get_type(), value, err.traceback(py)),
            )
        }
        _ => warnings.call_method1(intern!(py, "__exit__"), (py.None(), py.None(), py.None())),
    };
    outcome?;
    exited?;
    runner.sink.borrow_mut().finish(py)?;
    if runner.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(runner.failed)
}

impl<'py> Runner<'py> {
    fn emit(&self, event: Event) -> PyResult<()> {
        self.sink.borrow_mut().emit(self.py, event)
    }

    fn run_phases(&mut self) -> Result<()> {
        let py = self.py;
        // Global set-up, in zope's feature order: logging, doctest, discovery,
        // filtering, then the traceback style for the run.
        self.support.call_method0(intern!(py, "setup_logging"))?;
        if let Some(dir) = self.config.coverage.clone() {
            // zope traces from here on: discovery's imports are covered too.
            let mut prefixes = self.config.prefix.clone();
            let dirs: Vec<String> = self
                .test_dirs(&mut prefixes)?
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            let analysis = py.import(intern!(py, "leakrunner._analysis"))?;
            let measurer = analysis.call_method1(
                intern!(py, "start_coverage"),
                (dirs, dir, self.config.cwd.clone()),
            )?;
            self.coverage = Some(measurer.unbind());
        }
        let c = &self.config;
        if [c.ndiff, c.udiff, c.cdiff].iter().filter(|&&d| d).count() > 1 {
            self.emit(Event::Error(
                "Can only give one of --ndiff, --udiff, or --cdiff".to_owned(),
            ))?;
            return Err(Error::Exit {
                status: 1,
                stderr: String::new(),
            });
        }
        if self.config.profile.is_some() {
            let analysis = py.import(intern!(py, "leakrunner._analysis"))?;
            let profiler = analysis.getattr(intern!(py, "Profiler"))?.call1((
                self.config.prof_dir.clone(),
                self.config.resume_layer.is_some(),
            ))?;
            self.profiler = Some(profiler.unbind());
        }
        let mut old_threshold = None;
        if let Some(values) = self.config.gc.clone() {
            let (message, old): (String, Py<PyAny>) = self
                .support
                .call_method1(intern!(py, "set_gc_threshold"), (values,))?
                .extract()?;
            self.emit(Event::Info(message))?;
            old_threshold = Some(old);
        }
        let mut old_debug = None;
        if let Some(names) = self.config.gc_option.clone() {
            match self.support.call_method1(intern!(py, "set_gc_debug"), (names,)) {
                Ok(old) => old_debug = Some(old.unbind()),
                Err(err) => {
                    return Err(Error::Exit {
                        status: 1,
                        stderr: format!(
                            "leakrunner: error: argument --gc-option/-G: this Python's gc module has no {}\n",
                            err.value(py)
                        ),
                    })
                }
            }
        }
        let outcome = self.run_with_gc_settings();
        self.support
            .call_method1(intern!(py, "restore_gc"), (old_threshold, old_debug))?;
        outcome
    }

    fn run_with_gc_settings(&mut self) -> Result<()> {
        let py = self.py;
        let sys = py.import(intern!(py, "sys"))?;
        let sys_path = sys.getattr(intern!(py, "path"))?;
        for path in self.config.path.iter().rev() {
            if !sys_path.contains(path)? {
                sys_path.call_method1(intern!(py, "insert"), (0, path))?;
            }
        }
        let mut collected = match self.find_tests() {
            Ok(c) => c,
            Err(e) if e.is_keyboard_interrupt(py) => {
                self.interrupted = true;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.import_errors = std::mem::take(&mut collected.import_errors);
        self.emit(Event::ImportErrors(self.import_errors.clone()))?;
        let shuffle_seed = if self.config.shuffle {
            Some(self.shuffle(&mut collected)?)
        } else {
            None
        };
        let in_child = self.config.resume_layer.is_some();
        let mut child_stderr: Option<Py<PyAny>> = None;
        if in_child {
            // The child's protocol goes to the real stderr; the test output
            // that would go there joins stdout, which the parent shows.
            child_stderr = Some(sys.getattr(intern!(py, "stderr"))?.unbind());
            sys.setattr(intern!(py, "stderr"), sys.getattr(intern!(py, "stdout"))?)?;
        }
        self.filter_layers(&mut collected)?;
        // Doctest suites import doctest while they are collected; set it up
        // now, before any of them runs.
        let c = &self.config;
        self.support.call_method1(
            intern!(py, "setup_doctest"),
            (c.ndiff, c.udiff, c.cdiff, c.report_only_first_failure),
        )?;
        let do_run_tests = !self.config.list_tests;
        if !do_run_tests {
            self.failed = false;
        }
        let mut planned = self.ordered_layers(collected)?;
        self.support
            .call_method0(intern!(py, "install_tracebacks"))?;
        if let Some(profiler) = &self.profiler {
            profiler.bind(py).call_method0(intern!(py, "enable"))?;
        }
        let start = Instant::now();
        let ran = if do_run_tests {
            self.run_tests(&mut planned)
        } else {
            Ok(())
        };
        let seconds = start.elapsed().as_secs_f64();
        if let Some(profiler) = &self.profiler {
            profiler.bind(py).call_method0(intern!(py, "disable"))?;
        }
        if let Some(coverage) = &self.coverage {
            coverage.bind(py).call_method0(intern!(py, "stop"))?;
        }
        self.support
            .call_method0(intern!(py, "uninstall_tracebacks"))?;
        if let Some(profiler) = &self.profiler {
            profiler.bind(py).call_method0(intern!(py, "finish"))?;
        }
        if let Err(e) = ran {
            if !e.is_keyboard_interrupt(py) {
                return Err(e);
            }
            self.interrupted = true;
        }

        // Reports, in zope's feature order.
        if let Some(coverage) = self.coverage.take() {
            coverage.bind(py).call_method0(intern!(py, "report"))?;
        }
        if let Some(profiler) = self.profiler.take() {
            if !in_child {
                profiler.bind(py).call_method0(intern!(py, "report"))?;
            }
        }
        let modules: Vec<String> = self
            .import_errors
            .iter()
            .map(|e| e.module.clone())
            .collect();
        self.emit(Event::ModulesWithImportProblems(modules))?;
        if let Some(seed) = shuffle_seed {
            self.emit(Event::Info(format!(
                "Tests were shuffled using seed number {seed}."
            )))?;
        }
        if do_run_tests && !in_child && self.config.verbose > 0 {
            self.emit(Event::TestsWithErrors(self.errors.clone()))?;
            self.emit(Event::TestsWithFailures(self.failures.clone()))?;
        }
        if !do_run_tests {
            for layer in &planned {
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
        }
        if do_run_tests && self.layers_run != 1 {
            let counts = Counts {
                tests: self.ran,
                failures: self.failures.len(),
                errors: self.errors.len() + self.import_errors.len(),
                skipped: self.skipped,
            };
            self.emit(Event::Totals { counts, seconds })?;
        }
        // zope reports to the parent before its Total; it closes stdout
        // there, so it comes last here (a child prints a Total only when it
        // found no layer to run).
        if let Some(stderr) = child_stderr {
            let outcome = child::ChildOutcome {
                ran: self.ran,
                failures: self.failures.clone(),
                errors: self.errors.clone(),
                skipped: self.skipped,
                import_errors: self
                    .import_errors
                    .iter()
                    .map(|e| e.module.clone())
                    .collect(),
            };
            child::report_to_parent(py, stderr.bind(py), &outcome)?;
        }
        Ok(())
    }

    /// Discovery and collection (zope's `Find` feature).
    fn find_tests(&mut self) -> Result<Collected> {
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
    fn test_dirs(&self, prefixes: &mut Vec<(String, String)>) -> Result<Vec<(String, String)>> {
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
                    child::python_repr(package),
                    err.value(py)
                ),
            })?;
            let Some(paths) = module.getattr_opt(intern!(py, "__path__"))? else {
                return Err(Error::Exit {
                    status: 1,
                    stderr: format!(
                        "leakrunner: error: {} given with --package is a module, not a package\n",
                        child::python_repr(package)
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
    fn shuffle(&mut self, collected: &mut Collected) -> Result<i64> {
        let py = self.py;
        let seed: i64 = match self.config.shuffle_seed {
            Some(seed) => seed,
            None => self
                .support
                .call_method0(intern!(py, "default_shuffle_seed"))?
                .extract()?,
        };
        let mut names: Vec<String> = collected.by_layer.keys().cloned().collect();
        names.sort();
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
    fn filter_layers(&mut self, collected: &mut Collected) -> Result<()> {
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
                self.emit(Event::ErrorWithBanner(format!(
                    "Cannot find layer {resume}"
                )))?;
                self.errors.push(format!("subprocess failed for {resume}"));
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
            let message = if c.all {
                "Running tests at all levels".to_owned()
            } else if let Some(only) = c.only_level {
                format!("Running tests only at level {only}")
            } else {
                format!("Running tests at level {}", c.at_level)
            };
            self.emit(Event::LevelBanner(message))?;
        }
        Ok(())
    }

    /// zope's `ordered_layers`: layers resolved from their names, in
    /// `order_by_bases` order.
    fn ordered_layers(&mut self, mut collected: Collected) -> Result<Vec<PlannedLayer>> {
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
            let tests = collected.by_layer.shift_remove(&name).unwrap_or_default();
            planned.push(PlannedLayer { name, id, tests });
        }
        Ok(planned)
    }

    /// zope's `Runner.run_tests`: each layer in turn, resuming the rest in
    /// child processes when a layer cannot be torn down.
    fn run_tests(&mut self, planned: &mut [PlannedLayer]) -> Result<()> {
        let mut index = 0;
        let mut resume_from = None;
        while index < planned.len() {
            let layer = &mut planned[index];
            self.layers_run += 1;
            match self.run_layer(layer) {
                Ok(Ok(ran)) => {
                    self.ran += ran;
                    // Nothing needs a layer's tests once they have run (their
                    // results are plain data): let them go, as unittest's
                    // suites do, so every later layer's gc.collect() has
                    // fewer objects to traverse.
                    planned[index].tests = Vec::new();
                }
                Ok(Err(LayerFlow::CanNotTearDown)) => {
                    if self.config.resume_layer.is_none() {
                        resume_from = Some(index);
                        break;
                    }
                }
                Err(e) => {
                    if e.is_keyboard_interrupt(self.py) {
                        self.interrupted = true;
                        break;
                    }
                    return Err(e);
                }
            }
            index += 1;
            if self.interrupted || self.end_run {
                break;
            }
            if self.config.processes > 1 && self.config.resume_layer.is_none() {
                resume_from = Some(index);
                break;
            }
            if self.config.stop_on_error && (!self.failures.is_empty() || !self.errors.is_empty()) {
                break;
            }
        }
        if let Some(from) = resume_from {
            let layers: Vec<(String, LayerId)> = planned[from..]
                .iter()
                .map(|l| (l.name.clone(), l.id))
                .collect();
            let outcome = child::resume_layers(
                self.py,
                &self.config,
                &self.sink,
                &layers,
                &mut self.layers_run,
            )?;
            self.ran += outcome.ran;
            self.failures.extend(outcome.failures);
            self.errors.extend(outcome.errors);
            // zope's children do not report these; ours do.
            self.skipped += outcome.skipped;
            for module in outcome.import_errors {
                if !self.import_errors.iter().any(|e| e.module == module) {
                    self.import_errors.push(ImportFailure {
                        module,
                        traceback: String::new(),
                        exception: None,
                    });
                }
            }
        }
        if !self.setup_layers.is_empty() {
            if self.config.resume_layer.is_none() {
                self.emit(Event::TearingDownLeftOvers)?;
            }
            // Optional tear-downs never stop the run.
            let _ = self.tear_down_unneeded(None, true)?;
        }
        self.failed =
            !self.import_errors.is_empty() || !self.failures.is_empty() || !self.errors.is_empty();
        Ok(())
    }

    fn run_layer(
        &mut self,
        layer: &mut PlannedLayer,
    ) -> Result<std::result::Result<usize, LayerFlow>> {
        if self.config.resume_number != Some(0) {
            self.emit(Event::LayerStarted {
                layer: layer.name.clone(),
            })?;
        }
        if let Err(flow) = self.tear_down_unneeded(Some(layer.id), false)? {
            return Ok(Err(flow));
        }
        if self.config.resume_layer.is_some() {
            self.emit(Event::RunningInSubprocess)?;
        }
        if let Err(err) = self.setup_layer(layer.id) {
            let py = self.py;
            if err.is_instance_of::<PyMemoryError>(py)
                || !err.is_instance_of::<pyo3::exceptions::PyException>(py)
            {
                return Err(err.into());
            }
            if self.config.post_mortem {
                match &self.config.resume_layer {
                    Some(resume) => self.emit(Event::ErrorWithBanner(format!(
                        "\nCan't post-mortem debug when running a layer as a subprocess!\n\
                         Try running layer {} by itself.\n",
                        child::python_repr(resume)
                    )))?,
                    None => {
                        let value = err.value(py);
                        let debugged = self.support.call_method1(
                            intern!(py, "post_mortem"),
                            (value.get_type(), value, err.traceback(py)),
                        );
                        if let Err(e) = debugged {
                            if self.is_end_run(&e)? {
                                self.end_run = true;
                                return Ok(Ok(0));
                            }
                            return Err(e.into());
                        }
                    }
                }
            }
            self.layer_failure(&layer.name, LayerPhase::SetUp, &err)?;
            return Ok(Ok(0));
        }
        self.run_layer_tests(layer).map(Ok)
    }

    fn layer_failure(&mut self, name: &str, phase: LayerPhase, err: &PyErr) -> Result<()> {
        let py = self.py;
        let value = err.value(py);
        let traceback: String = self
            .support
            .call_method1(
                intern!(py, "format_layer_exception"),
                (value.get_type(), value, err.traceback(py)),
            )?
            .extract()?;
        let exception = if self.flags.needs.exceptions {
            let (type_name, message, stack): (String, String, String) = self
                .support
                .call_method1(
                    intern!(py, "exception_detail"),
                    (value.get_type(), value, err.traceback(py)),
                )?
                .extract()?;
            Some(ExceptionDetail {
                type_name,
                message,
                stack,
            })
        } else {
            None
        };
        self.emit(Event::LayerFailed {
            layer: name.to_owned(),
            phase,
            traceback,
            exception,
        })?;
        self.errors.push(format!("Layer: {name}.{}", phase.label()));
        Ok(())
    }

    /// Whether `err` is the EndRun the post-mortem debugger raises on exit.
    fn is_end_run(&self, err: &PyErr) -> PyResult<bool> {
        let py = self.py;
        let end_run = self.support.getattr(intern!(py, "EndRun"))?;
        err.value(py).is_instance(&end_run)
    }

    /// Sets up `layer` and its bases, bases first, each once.
    fn setup_layer(&mut self, layer: LayerId) -> PyResult<()> {
        let py = self.py;
        for id in self.layers.graph.setup_plan(layer, &self.setup_layers) {
            let name = self.layers.graph.name(id).to_owned();
            self.emit(Event::SetUpStarted { layer: name })?;
            let start = Instant::now();
            let object = self.layers.object(py, id);
            if let Some(set_up) = object.getattr_opt(intern!(py, "setUp"))? {
                set_up.call0()?;
            }
            self.emit(Event::SetUpFinished {
                seconds: start.elapsed().as_secs_f64(),
            })?;
            self.setup_layers.push(id);
        }
        Ok(())
    }

    /// Tears down the set-up layers `next` does not need (all with `None`).
    fn tear_down_unneeded(
        &mut self,
        next: Option<LayerId>,
        optional: bool,
    ) -> Result<std::result::Result<(), LayerFlow>> {
        let py = self.py;
        for id in self.layers.graph.teardown_plan(next, &self.setup_layers) {
            let name = self.layers.graph.name(id).to_owned();
            self.emit(Event::TearDownStarted {
                layer: name.clone(),
            })?;
            let start = Instant::now();
            let object = self.layers.object(py, id);
            let outcome = match object.getattr_opt(intern!(py, "tearDown")) {
                Ok(Some(tear_down)) => tear_down.call0().map(|_| ()),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            self.setup_layers.retain(|&l| l != id);
            match outcome {
                Ok(()) => self.emit(Event::TearDownFinished {
                    seconds: start.elapsed().as_secs_f64(),
                })?,
                Err(err) if err.is_instance_of::<PyNotImplementedError>(py) => {
                    self.emit(Event::TearDownNotSupported)?;
                    if !optional {
                        return Ok(Err(LayerFlow::CanNotTearDown));
                    }
                }
                Err(err)
                    if err.is_instance_of::<PyMemoryError>(py)
                        || !err.is_instance_of::<pyo3::exceptions::PyException>(py) =>
                {
                    return Err(err.into())
                }
                Err(err) => self.layer_failure(&name, LayerPhase::TearDown, &err)?,
            }
        }
        Ok(Ok(()))
    }

    /// `-r` on a debug build: warns once about each loaded extension module
    /// built for a release interpreter (its reference changes bypass the
    /// debug build's total, so `change=` would not count them).
    fn warn_skewing_extensions(&mut self) -> Result<()> {
        let py = self.py;
        let release_suffix = release_ext_suffix(env!("LEAKRUNNER_BUILT_EXT_SUFFIX"));
        let Some(release_suffix) = release_suffix else {
            return Ok(());
        };
        let modules = py
            .import(intern!(py, "sys"))?
            .getattr(intern!(py, "modules"))?;
        let modules = modules
            .cast::<pyo3::types::PyDict>()
            .map_err(PyErr::from)?
            .copy()?;
        let mut found = Vec::new();
        for (name, module) in modules.iter() {
            let Ok(Some(file)) = module.getattr_opt(intern!(py, "__file__")) else {
                continue;
            };
            let Ok(file) = file.extract::<String>() else {
                continue;
            };
            let name: String = name.extract()?;
            if file.ends_with(&release_suffix) && self.reported_extensions.insert(name.clone()) {
                found.push((name, file));
            }
        }
        found.sort();
        self.emit(Event::SkewingExtensions(found))?;
        Ok(())
    }

    /// The iterations of one layer's tests (zope's `run_tests` function).
    fn run_layer_tests(&mut self, layer: &mut PlannedLayer) -> Result<usize> {
        let py = self.py;
        let gc = py.import(intern!(py, "gc"))?;
        let sys = py.import(intern!(py, "sys"))?;
        gc.call_method0(intern!(py, "collect"))?;
        let mut lgarbage = gc.getattr(intern!(py, "garbage"))?.len()?;
        let mut rc: i64 = 0;
        // `-r -v`: the census of the previous iteration (plain data).
        let mut census = None;
        if self.config.report_refcounts {
            self.warn_skewing_extensions()?;
            if self.config.verbose > 0 {
                census = Some(census::heap::take(py)?);
            }
            rc = sys
                .call_method0(intern!(py, "gettotalrefcount"))?
                .extract()?;
        }
        let repeat = self.config.repeat.max(1);
        let mut hooks = Hooks::default();
        let order = self.layers.graph.test_setup_order(layer.id);
        for &id in &order {
            if let Some(hook) = self
                .layers
                .object(py, id)
                .getattr_opt(intern!(py, "testSetUp"))?
            {
                hooks.set_up.push(hook.unbind());
            }
        }
        for &id in order.iter().rev() {
            if let Some(hook) = self
                .layers
                .object(py, id)
                .getattr_opt(intern!(py, "testTearDown"))?
            {
                hooks.tear_down.push(hook.unbind());
            }
        }
        let hooks = Rc::new(hooks);
        let mut count = 0;
        for entry in &layer.tests {
            count += entry
                .test
                .bind(py)
                .call_method0(intern!(py, "countTestCases"))?
                .extract::<usize>()?;
        }
        if self.config.buffer && self.buffers.is_none() {
            let out = self
                .support
                .call_method0(intern!(py, "make_buffer"))?
                .unbind();
            let err = self
                .support
                .call_method0(intern!(py, "make_buffer"))?
                .unbind();
            self.buffers = Some((out, err));
        }
        let mut ran = 0;
        for iteration in 0..repeat {
            if repeat > 1 {
                self.emit(Event::IterationStarted {
                    iteration: iteration + 1,
                })?;
            }
            if self.config.verbose > 0 || self.config.progress {
                self.emit(Event::TestsStarting)?;
            }
            let result = Bound::new(
                py,
                TestResult::new(
                    self.sink.clone(),
                    self.flags.clone(),
                    self.handles.clone(),
                    hooks.clone(),
                    count,
                    self.buffers
                        .as_ref()
                        .map(|(o, e)| (o.clone_ref(py), e.clone_ref(py))),
                ),
            )?;
            // In the last iteration a test that has run is let go, as
            // unittest's suites do: its result is plain data already, and
            // the layer's closing gc.collect() then has less to traverse.
            // Not with -r (the count must see the same objects every
            // iteration) nor --gc-after-test (freeing a test would land in
            // the next test's collection).
            let release = iteration + 1 == repeat
                && !self.config.report_refcounts
                && !self.config.gc_after_test;
            let start = Instant::now();
            let mut interrupted = None;
            for at in 0..layer.tests.len() {
                let entry = &layer.tests[at];
                // Ctrl-C between tests, and Ctrl-C inside one (unittest
                // lets KeyboardInterrupt through), both end the loop.
                let outcome = py.check_signals().and_then(|()| {
                    if result.borrow().should_stop() {
                        Ok(false)
                    } else {
                        let test = entry.test.bind(py);
                        if self.config.post_mortem {
                            self.support
                                .call_method1(intern!(py, "debug_test"), (test, &result))
                                .map(|_| true)
                        } else {
                            test.call1((&result,)).map(|_| true)
                        }
                    }
                });
                match outcome {
                    Ok(true) => {
                        if release {
                            layer.tests[at].test = py.None().into_any();
                        }
                    }
                    Ok(false) => break,
                    Err(e) if e.is_instance_of::<PyKeyboardInterrupt>(py) => {
                        interrupted = Some(e);
                        break;
                    }
                    Err(e) if self.is_end_run(&e)? => {
                        // -D: the debugger was left. As with zope, the
                        // iteration ends without a summary, and what it
                        // recorded is not counted.
                        self.end_run = true;
                        return Ok(0);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let seconds = start.elapsed().as_secs_f64();
            self.emit(Event::TestsFinished)?;
            let r = result.borrow();
            let n_failures = r.failure_names.len() + r.unexpected_success_names.len();
            self.failures.extend(r.failure_names.iter().cloned());
            self.failures
                .extend(r.unexpected_success_names.iter().cloned());
            self.skipped += r.skipped_count;
            self.errors.extend(r.error_names.iter().cloned());
            let counts = Counts {
                tests: r.tests_run(),
                failures: n_failures,
                errors: r.error_names.len() + self.import_errors.len(),
                skipped: r.skipped_count,
            };
            ran = r.tests_run();
            drop(r);
            self.emit(Event::LayerSummary { counts, seconds })?;
            if interrupted.is_some() {
                // Ctrl-C: what ran is reported and counted; the run stops.
                self.interrupted = true;
                return Ok(ran);
            }
            gc.call_method0(intern!(py, "collect"))?;
            let garbage = gc.getattr(intern!(py, "garbage"))?;
            let now = garbage.len()?;
            if now > lgarbage {
                let new = garbage
                    .cast::<pyo3::types::PyList>()
                    .map_err(PyErr::from)?
                    .get_slice(lgarbage, now);
                self.emit(Event::Garbage {
                    count: now - lgarbage,
                    garbage: new.repr()?.to_string(),
                })?;
                lgarbage = now;
            }
            if self.config.report_refcounts {
                let previous = rc;
                rc = sys
                    .call_method0(intern!(py, "gettotalrefcount"))?
                    .extract()?;
                if let Some(before) = census.take() {
                    let now = census::heap::take(py)?;
                    if iteration > 0 {
                        self.emit(Event::DetailedRefcounts(DetailedRefcounts {
                            reachable_only: now.scope == census::Scope::ReachableHeap,
                            census_refs: now.total_refs(),
                            total: rc,
                            previous,
                            rows: now.changes_since(&before),
                        }))?;
                    }
                    census = Some(now);
                } else if iteration > 0 {
                    self.emit(Event::Refcounts {
                        total: rc,
                        previous,
                    })?;
                }
            }
        }
        Ok(ran)
    }
}

fn test_name(py: Python<'_>, entry: &TestEntry) -> PyResult<String> {
    match &entry.name {
        Some(name) => Ok(name.clone()),
        None => Ok(entry.test.bind(py).str()?.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::release_ext_suffix;

    #[test]
    fn release_suffix_of_a_debug_build() {
        assert_eq!(
            release_ext_suffix(".cpython-311d-x86_64-linux-gnu.so").as_deref(),
            Some(".cpython-311-x86_64-linux-gnu.so")
        );
        assert_eq!(
            release_ext_suffix(".cpython-313d-x86_64-linux-gnu.so").as_deref(),
            Some(".cpython-313-x86_64-linux-gnu.so")
        );
        assert_eq!(release_ext_suffix(".cpython-311-x86_64-linux-gnu.so"), None);
    }
}
