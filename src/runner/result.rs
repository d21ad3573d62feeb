//! The unittest result object of one layer iteration, in Rust.
//!
//! unittest's `TestCase.run(result)` calls `startTest`, one of the `add*`
//! methods and `stopTest`; this class turns those calls into events, runs the
//! layers' `testSetUp`/`testTearDown` around each test, keeps zope's
//! bookkeeping (counts, `__dict__` restore, `--buffer`, new threads, garbage)
//! and holds no reference to a test or an exception once the call returns:
//! failures are kept as names and formatted text only.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple, PyType};

use super::channel::Watch;
use crate::events::{
    Event, ExceptionDetail, Failure, FailureKind, Notice, ReportKind, TestIdentity,
};
use crate::helpers::Helpers;
use crate::pyio::PyOutput;
use crate::report::{Needs, Reporter, Stamp};

/// Reporters and the output they write to, shared by the runner and results.
pub struct Sink {
    pub reporters: Vec<Box<dyn Reporter>>,
    pub out: PyOutput,
    /// The run's watch (a child's results channel, the fatal-signal note);
    /// None for the runner's own quiet passes.
    pub watch: Option<Watch>,
}

impl Sink {
    pub fn emit(&mut self, py: Python<'_>, event: Event) -> PyResult<()> {
        if let Some(watch) = &mut self.watch {
            watch.see(&event);
        }
        let at = Stamp {
            unix: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64()),
        };
        for reporter in &mut self.reporters {
            reporter.handle(&event, at, &mut self.out);
        }
        self.out.finish(py)
    }

    /// The run is over: reporters write what they kept for the end.
    pub fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        for reporter in &mut self.reporters {
            reporter
                .finish(&mut self.out)
                .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))?;
        }
        self.out.finish(py)
    }

    /// What the reporters of this run need to know about tests.
    pub fn needs(&self) -> Needs {
        let needs = self
            .reporters
            .iter()
            .fold(Needs::default(), |n, r| n.union(r.needs()));
        match &self.watch {
            // The channel tells an unexpected success (no exception
            // details) from an error (with them).
            Some(watch) if watch.has_channel() => needs.union(Needs {
                exceptions: true,
                ..Needs::default()
            }),
            _ => needs,
        }
    }

    /// A test begins, before the layers' testSetUp hooks run.
    pub fn test_begins(&mut self, name: &str, tests_run: usize, total: usize) {
        if let Some(watch) = &mut self.watch {
            watch.test_begins(name, tests_run, total);
        }
    }
}

/// What the result needs from the options.
#[derive(Debug, Clone, Default)]
pub struct TestFlags {
    pub buffer: bool,
    pub stop_on_error: bool,
    pub post_mortem: bool,
    pub gc_after_test: bool,
    pub verbose: u32,
    /// This process runs one layer for a parent (`--resume-layer`).
    pub in_child: bool,
    /// What reporters need to know about each test.
    pub needs: Needs,
    /// `--ignore-new-thread` patterns (`re.match` on thread names).
    pub ignore_new_threads: Vec<String>,
}

pub type SharedSink = Rc<RefCell<Sink>>;

/// Modules the per-test path uses, imported once per run.
pub struct Handles {
    pub sys: Py<PyModule>,
    pub gc: Py<PyModule>,
    pub helpers: Helpers,
    pub names: Names,
}

impl Handles {
    pub fn new(py: Python<'_>) -> PyResult<Handles> {
        Ok(Handles {
            sys: py.import(intern!(py, "sys"))?.unbind(),
            gc: py.import(intern!(py, "gc"))?.unbind(),
            helpers: Helpers::new(py)?,
            names: Names::new(py)?,
        })
    }
}

/// `str(test)` for every test as it begins (the crash note, a child's
/// channel), at a fraction of its cost: for a `unittest.TestCase` whose
/// class keeps TestCase's `__str__`, the class's part is formatted once
/// and only `_testMethodName` is read per test. Anything else is asked.
pub struct Names {
    test_case_str: Py<PyAny>,
    /// By type's address: the type (kept, so that the address is not
    /// reused) and `module.qualname` when its `__str__` is TestCase's.
    classes: RefCell<std::collections::HashMap<usize, KnownClass>>,
}

type KnownClass = (Py<PyAny>, Option<String>);

impl Names {
    fn new(py: Python<'_>) -> PyResult<Names> {
        Ok(Names {
            test_case_str: py
                .import(intern!(py, "unittest"))?
                .getattr(intern!(py, "TestCase"))?
                .getattr(intern!(py, "__str__"))?
                .unbind(),
            classes: RefCell::default(),
        })
    }

    /// Exactly `str(test)`.
    pub fn name(&self, test: &Bound<'_, PyAny>) -> PyResult<String> {
        let py = test.py();
        let class = test.get_type();
        let key = class.as_ptr() as usize;
        let known = self.classes.borrow().get(&key).map(|(_, c)| c.clone());
        let prefix = match known {
            Some(prefix) => prefix,
            None => {
                let prefix = if class
                    .getattr(intern!(py, "__str__"))?
                    .is(self.test_case_str.bind(py))
                {
                    Some(format!(
                        "{}.{}",
                        class.getattr(intern!(py, "__module__"))?.str()?,
                        class.getattr(intern!(py, "__qualname__"))?.str()?
                    ))
                } else {
                    None
                };
                self.classes
                    .borrow_mut()
                    .insert(key, (class.into_any().unbind(), prefix.clone()));
                prefix
            }
        };
        if let Some(prefix) = prefix {
            if let Ok(method) = test.getattr(intern!(py, "_testMethodName")) {
                if let Ok(method) = method.cast::<pyo3::types::PyString>() {
                    let method = method.to_str()?;
                    return Ok(format!("{method} ({prefix}.{method})"));
                }
            }
        }
        Ok(test.str()?.to_string())
    }
}

/// The layers' per-test hooks of one layer: `testSetUp` of each layer that
/// has one, bases first, and `testTearDown` in the reverse order. Looked up
/// once per layer rather than around every test.
#[derive(Default)]
pub struct Hooks {
    pub set_up: Vec<Py<PyAny>>,
    pub tear_down: Vec<Py<PyAny>>,
}

/// What went wrong with a test, for `-D` and `-x`.
enum Problem<'a, 'py> {
    /// The test (or subtest's test) and the exception info.
    Error(&'a Bound<'py, PyAny>, &'a Bound<'py, PyAny>),
    Failure(&'a Bound<'py, PyAny>, &'a Bound<'py, PyAny>),
    UnexpectedSuccess,
}

/// The per-test state between `startTest` and `stopTest`.
struct Current {
    /// `str(test)`: the subject of the test's outcome events.
    name: String,
    state: Option<Py<PyDict>>,
    start: Instant,
    /// The threads running when the test started (idents), and the cheap
    /// summary of them that tells whether anything changed since.
    threads: Rc<Vec<u64>>,
    thread_states: ThreadStates,
}

/// The interpreter's thread states, summarised without allocating: their
/// number and the newest one's id (ids only grow). Equal summaries mean
/// the same threads, so the exact comparison zope makes per test (by
/// `sys._current_frames()`, a dict) is needed only when they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ThreadStates {
    count: usize,
    newest: u64,
}

impl ThreadStates {
    fn now(_py: Python<'_>) -> ThreadStates {
        let mut states = ThreadStates {
            count: 0,
            newest: 0,
        };
        // SAFETY: the GIL is held (`_py`). Python threads get and drop
        // their states holding it; a C thread attaching adds its state at
        // the head of the list under the list's lock, which a reader
        // either sees or not: the list stays walkable.
        unsafe {
            let mut state = ffi::PyInterpreterState_ThreadHead(ffi::PyInterpreterState_Get());
            while !state.is_null() {
                states.count += 1;
                states.newest = states.newest.max(ffi::PyThreadState_GetID(state) as u64);
                state = ffi::PyThreadState_Next(state);
            }
        }
        states
    }
}

#[pyclass(unsendable, module = "leakrunner._leakrunner", name = "TestResult")]
pub struct TestResult {
    sink: SharedSink,
    flags: Rc<TestFlags>,
    handles: Rc<Handles>,
    hooks: Rc<Hooks>,
    /// `countTestCases()` of all the layer's tests.
    count: usize,
    current: Option<Current>,
    /// The thread idents of the last exact look, and what they summarised.
    known_threads: Option<(ThreadStates, Rc<Vec<u64>>)>,
    /// `--buffer`: the stand-ins for stdout and stderr. Made once per run:
    /// making text streams allocates codec state CPython keeps, which
    /// would show as drift between iterations.
    buffers: Option<(Py<PyAny>, Py<PyAny>)>,
    saved_streams: Option<(Py<PyAny>, Py<PyAny>)>,

    #[pyo3(get, name = "testsRun")]
    tests_run: usize,
    #[pyo3(get, name = "shouldStop")]
    should_stop: bool,
    #[pyo3(get)]
    failfast: bool,
    #[pyo3(get)]
    buffer: bool,
    /// Names of failures (subtest failures included).
    pub failure_names: Vec<String>,
    pub error_names: Vec<String>,
    pub unexpected_success_names: Vec<String>,
    pub skipped_count: usize,
    pub expected_failure_count: usize,
}

impl TestResult {
    pub fn new(
        sink: SharedSink,
        flags: Rc<TestFlags>,
        handles: Rc<Handles>,
        hooks: Rc<Hooks>,
        count: usize,
        buffers: Option<(Py<PyAny>, Py<PyAny>)>,
    ) -> TestResult {
        let buffer = flags.buffer;
        TestResult {
            sink,
            flags,
            handles,
            hooks,
            count,
            current: None,
            known_threads: None,
            buffers,
            saved_streams: None,
            tests_run: 0,
            should_stop: false,
            failfast: false,
            buffer,
            failure_names: Vec::new(),
            error_names: Vec::new(),
            unexpected_success_names: Vec::new(),
            skipped_count: 0,
            expected_failure_count: 0,
        }
    }

    pub fn tests_run(&self) -> usize {
        self.tests_run
    }

    pub fn should_stop(&self) -> bool {
        self.should_stop
    }

    fn emit(&self, py: Python<'_>, event: Event) -> PyResult<()> {
        self.sink.borrow_mut().emit(py, event)
    }

    /// The running test's name, for the events of its outcome.
    fn current_name(&self) -> String {
        self.current
            .as_ref()
            .map_or_else(String::new, |c| c.name.clone())
    }

    fn elapsed(&self) -> f64 {
        self.current
            .as_ref()
            .map_or(0.0, |c| c.start.elapsed().as_secs_f64())
    }

    fn test_name(test: &Bound<'_, PyAny>) -> PyResult<String> {
        Ok(test.str()?.to_string())
    }

    fn count_of(test: &Bound<'_, PyAny>) -> PyResult<usize> {
        test.call_method0(intern!(test.py(), "countTestCases"))?
            .extract()
    }

    fn thread_idents(&self, py: Python<'_>) -> PyResult<Vec<u64>> {
        let frames = self
            .handles
            .sys
            .bind(py)
            .call_method0(intern!(py, "_current_frames"))?;
        let frames = frames.cast::<PyDict>().map_err(PyErr::from)?;
        frames.keys().iter().map(|k| k.extract::<u64>()).collect()
    }

    fn call_hooks(py: Python<'_>, hooks: &[Py<PyAny>]) -> PyResult<()> {
        hooks
            .iter()
            .try_for_each(|hook| hook.bind(py).call0().map(|_| ()))
    }

    fn set_up_std_streams(&mut self, py: Python<'_>) -> PyResult<()> {
        let Some((out, err)) = &self.buffers else {
            return Ok(());
        };
        let sys = py.import(intern!(py, "sys"))?;
        self.saved_streams = Some((
            sys.getattr(intern!(py, "stdout"))?.unbind(),
            sys.getattr(intern!(py, "stderr"))?.unbind(),
        ));
        sys.setattr(intern!(py, "stdout"), out.bind(py))?;
        sys.setattr(intern!(py, "stderr"), err.bind(py))?;
        Ok(())
    }

    /// Puts the real streams back; returns what the test wrote (`--buffer`).
    fn restore_std_streams(
        &mut self,
        py: Python<'_>,
    ) -> PyResult<(Option<String>, Option<String>)> {
        let Some((stdout, stderr)) = self.saved_streams.take() else {
            return Ok((None, None));
        };
        let sys = py.import(intern!(py, "sys"))?;
        let helpers = &self.handles.helpers;
        let out = helpers.take_buffer(py, &sys.getattr(intern!(py, "stdout"))?)?;
        let err = helpers.take_buffer(py, &sys.getattr(intern!(py, "stderr"))?)?;
        sys.setattr(intern!(py, "stdout"), stdout.bind(py))?;
        sys.setattr(intern!(py, "stderr"), stderr.bind(py))?;
        Ok((Some(out), Some(err)))
    }

    /// The test's identity, if a reporter needs it.
    fn identity(&self, py: Python<'_>, test: &Bound<'_, PyAny>) -> PyResult<Option<TestIdentity>> {
        if !self.flags.needs.identities {
            return Ok(None);
        }
        self.handles.helpers.identity(py, test).map(Some)
    }

    /// The exception's JUnit description, if a reporter needs it.
    fn exception(
        &self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        exc_info: &Bound<'_, PyAny>,
    ) -> PyResult<Option<ExceptionDetail>> {
        if !self.flags.needs.exceptions {
            return Ok(None);
        }
        let exc_info = exc_info.cast::<PyTuple>().map_err(PyErr::from)?;
        self.handles
            .helpers
            .test_exception_detail(py, test, exc_info)
            .map(Some)
    }

    fn report_failure(
        &mut self,
        py: Python<'_>,
        kind: FailureKind,
        test: &Bound<'_, PyAny>,
        exc_info: &Bound<'_, PyAny>,
        subtest: bool,
    ) -> PyResult<()> {
        let (report, traceback) = self.format_exc_info(py, exc_info)?;
        let exception = self.exception(py, test, exc_info)?;
        let subtest = if subtest {
            self.identity(py, test)?
        } else {
            None
        };
        let (stdout, stderr) = self.restore_std_streams(py)?;
        let name = Self::test_name(test)?;
        let seconds = self.elapsed();
        match kind {
            FailureKind::Failure => self.failure_names.push(name.clone()),
            FailureKind::Error => self.error_names.push(name.clone()),
        }
        self.emit(
            py,
            Event::TestFailed(Failure {
                kind,
                name,
                seconds,
                traceback,
                report,
                stdout,
                stderr,
                exception,
                subtest,
            }),
        )
    }

    /// zope's `format_traceback`, and which kind of report it made.
    fn format_exc_info(
        &self,
        py: Python<'_>,
        exc_info: &Bound<'_, PyAny>,
    ) -> PyResult<(ReportKind, String)> {
        let exc_info = exc_info.cast::<PyTuple>().map_err(PyErr::from)?;
        self.handles.helpers.test_exception_report(py, exc_info)
    }

    /// After an error, failure or unexpected success: `-D` debugs it (in
    /// this process only), otherwise `-x` stops the iteration.
    fn after_problem(&mut self, py: Python<'_>, problem: Problem<'_, '_>) -> PyResult<()> {
        if !self.flags.post_mortem {
            if self.flags.stop_on_error {
                self.should_stop = true;
            }
            return Ok(());
        }
        let banner = match problem {
            // zope debugs failures even in a child (it has no check there).
            Problem::Failure(test, exc_info) => return self.post_mortem(py, test, exc_info),
            _ if self.flags.in_child => Notice::NoPostMortemInSubprocess { layer: None },
            Problem::Error(test, exc_info) => return self.post_mortem(py, test, exc_info),
            Problem::UnexpectedSuccess => Notice::NoPostMortemOfUnexpectedSuccess,
        };
        self.emit(py, Event::Notice(banner))
    }

    /// `-D`: the debugger on `exc_info`; leaving it raises EndRun.
    fn post_mortem(
        &self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        exc_info: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let exc_info = exc_info.cast::<PyTuple>().map_err(PyErr::from)?;
        self.handles
            .helpers
            .post_mortem_exc_info(py, exc_info, test)
    }
}

#[pymethods]
impl TestResult {
    #[pyo3(name = "startTest")]
    fn start_test(&mut self, py: Python<'_>, test: &Bound<'_, PyAny>) -> PyResult<()> {
        let state = test
            .getattr(intern!(py, "__dict__"))?
            .call_method0(intern!(py, "copy"))?;
        let state = state.cast_into::<PyDict>().map_err(PyErr::from)?.unbind();
        // The watch hears of the test before the layers' testSetUp runs:
        // a crash there is the test's.
        let count = Self::count_of(test)?;
        let name = self.handles.names.name(test)?;
        self.sink
            .borrow_mut()
            .test_begins(&name, self.tests_run + count, self.count);
        Self::call_hooks(py, &self.hooks.set_up)?;
        self.tests_run += count;
        self.begin(py, test, count, Some(state), name)?;
        self.set_up_std_streams(py)
    }

    #[pyo3(name = "addSuccess")]
    fn add_success(&mut self, py: Python<'_>, _test: &Bound<'_, PyAny>) -> PyResult<()> {
        self.restore_std_streams(py)?;
        let seconds = self.elapsed();
        let name = self.current_name();
        self.emit(py, Event::TestSucceeded { name, seconds })
    }

    #[pyo3(name = "addSkip")]
    fn add_skip(
        &mut self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        reason: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if self.current.is_none() {
            // Some Pythons (3.12.1) skip without calling startTest.
            let count = Self::count_of(test)?;
            self.tests_run += count;
            let name = self.handles.names.name(test)?;
            self.sink
                .borrow_mut()
                .test_begins(&name, self.tests_run, self.count);
            let state = test
                .getattr(intern!(py, "__dict__"))?
                .call_method0(intern!(py, "copy"))?;
            let state = state.cast_into::<PyDict>().map_err(PyErr::from)?.unbind();
            self.begin(py, test, count, Some(state), name)?;
        } else {
            self.restore_std_streams(py)?;
        }
        self.skipped_count += 1;
        let reason = reason.str()?.to_string();
        let name = self.current_name();
        self.emit(py, Event::TestSkipped { name, reason })
    }

    #[pyo3(name = "addError")]
    fn add_error(
        &mut self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        err: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.report_failure(py, FailureKind::Error, test, err, false)?;
        self.after_problem(py, Problem::Error(test, err))?;
        Ok(())
    }

    #[pyo3(name = "addFailure")]
    fn add_failure(
        &mut self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        err: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.report_failure(py, FailureKind::Failure, test, err, false)?;
        self.after_problem(py, Problem::Failure(test, err))?;
        Ok(())
    }

    #[pyo3(name = "addSubTest")]
    fn add_sub_test(
        &mut self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        subtest: &Bound<'_, PyAny>,
        err: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if err.is_none() {
            return Ok(());
        }
        let exc_type = err.get_item(0)?;
        let failure_exception = test.getattr(intern!(py, "failureException"))?;
        let kind = match (
            exc_type.cast::<PyType>(),
            failure_exception.cast::<PyType>(),
        ) {
            (Ok(t), Ok(f)) if t.is_subclass(f)? => FailureKind::Failure,
            _ => FailureKind::Error,
        };
        self.report_failure(py, kind, subtest, err, true)?;
        self.after_problem(py, Problem::Error(test, err))?;
        Ok(())
    }

    #[pyo3(name = "addExpectedFailure")]
    fn add_expected_failure(
        &mut self,
        py: Python<'_>,
        _test: &Bound<'_, PyAny>,
        _err: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.restore_std_streams(py)?;
        self.expected_failure_count += 1;
        let seconds = self.elapsed();
        let name = self.current_name();
        self.emit(py, Event::TestSucceeded { name, seconds })
    }

    #[pyo3(name = "addUnexpectedSuccess")]
    fn add_unexpected_success(&mut self, py: Python<'_>, test: &Bound<'_, PyAny>) -> PyResult<()> {
        let (stdout, stderr) = self.restore_std_streams(py)?;
        let traceback = self.handles.helpers.unexpected_success_report(py)?;
        let name = Self::test_name(test)?;
        self.unexpected_success_names.push(name.clone());
        let seconds = self.elapsed();
        self.emit(
            py,
            Event::TestFailed(Failure {
                kind: FailureKind::Error,
                name,
                seconds,
                traceback,
                report: ReportKind::Traceback,
                stdout,
                stderr,
                exception: None,
                subtest: None,
            }),
        )?;
        self.after_problem(py, Problem::UnexpectedSuccess)?;
        Ok(())
    }

    #[pyo3(name = "addDuration")]
    fn add_duration(&self, _test: &Bound<'_, PyAny>, _elapsed: &Bound<'_, PyAny>) {}

    #[pyo3(name = "stopTest")]
    fn stop_test(&mut self, py: Python<'_>, test: &Bound<'_, PyAny>) -> PyResult<()> {
        Self::call_hooks(py, &self.hooks.tear_down)?;
        let current = self.current.take();
        if let Some(state) = current.as_ref().and_then(|c| c.state.as_ref()) {
            let dict = test.getattr(intern!(py, "__dict__"))?;
            dict.call_method0(intern!(py, "clear"))?;
            dict.call_method1(intern!(py, "update"), (state.bind(py),))?;
        }
        // --gc-after-test -vvvv: what the test left in cycles, before the
        // collection that counts it.
        let mut cycles = None;
        if self.flags.gc_after_test && self.flags.verbose >= 4 {
            cycles = self.handles.helpers.gc_cycles(py)?;
        }
        let gc = self.handles.gc.bind(py);
        let gc_count = if self.flags.gc_after_test {
            gc.call_method0(intern!(py, "collect"))?.extract()?
        } else {
            0
        };
        self.emit(py, Event::TestStopped { gc_count })?;
        if let Some(cycles) = cycles {
            let test_name = Self::test_name(test)?;
            self.emit(
                py,
                Event::TestCycles {
                    test: test_name,
                    cycles,
                },
            )?;
        }
        let garbage = gc.getattr(intern!(py, "garbage"))?;
        if garbage.len()? > 0 {
            let test_name = Self::test_name(test)?;
            let garbage = garbage.repr()?.to_string();
            self.emit(
                py,
                Event::TestGarbage {
                    test: test_name,
                    garbage,
                },
            )?;
        }
        if let Some(current) = current {
            let unchanged = ThreadStates::now(py) == current.thread_states;
            let now = if unchanged {
                Vec::new()
            } else {
                self.thread_idents(py)?
            };
            if !unchanged && now.iter().any(|t| !current.threads.contains(t)) {
                let patterns = PyList::new(py, &self.flags.ignore_new_threads)?;
                let before = PyList::new(py, current.threads.iter())?;
                let threads = self.handles.helpers.new_threads(py, &before, &patterns)?;
                if let Some(threads) = threads {
                    let test_name = Self::test_name(test)?;
                    self.emit(
                        py,
                        Event::TestThreads {
                            test: test_name,
                            threads,
                        },
                    )?;
                }
            }
        }
        Ok(())
    }

    fn stop(&mut self) {
        self.should_stop = true;
    }

    #[pyo3(name = "wasSuccessful")]
    fn was_successful(&self) -> bool {
        self.failure_names.is_empty()
            && self.error_names.is_empty()
            && self.unexpected_success_names.is_empty()
    }
}

impl TestResult {
    /// Everything `startTest` reports once the test counts: the event, the
    /// thread snapshot and the clock.
    fn begin(
        &mut self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        count: usize,
        state: Option<Py<PyDict>>,
        name: String,
    ) -> PyResult<()> {
        let identity = self.identity(py, test)?;
        self.emit(
            py,
            Event::TestStarted {
                name: name.clone(),
                tests_run: self.tests_run,
                total: self.count,
                count,
                identity,
            },
        )?;
        let thread_states = ThreadStates::now(py);
        let threads = match &self.known_threads {
            Some((known, idents)) if *known == thread_states => idents.clone(),
            _ => {
                let idents = Rc::new(self.thread_idents(py)?);
                self.known_threads = Some((thread_states, idents.clone()));
                idents
            }
        };
        self.current = Some(Current {
            name,
            state,
            start: Instant::now(),
            threads,
            thread_states,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path gives exactly `str(test)`; classes that format
    /// themselves, and tests that are no TestCase, are asked.
    #[test]
    fn names_are_str_of_the_test() {
        Python::initialize();
        Python::attach(|py| {
            let code = std::ffi::CString::new(
                r#"
import unittest
class Plain(unittest.TestCase):
    def test_a(self): pass
class Plain2(Plain):
    class Inner(unittest.TestCase):
        def test_b(self): pass
class Own(unittest.TestCase):
    def __str__(self): return "own"
    def test_c(self): pass
TESTS = [Plain("test_a"), Plain2("test_a"), Plain2.Inner("test_b"), Own("test_c"),
         unittest.FunctionTestCase(lambda: None)]
"#,
            )
            .unwrap();
            let module = PyModule::from_code(py, &code, c"names_test.py", c"names_test").unwrap();
            let names = Names::new(py).unwrap();
            let tests = module.getattr(pyo3::intern!(py, "TESTS")).unwrap();
            for test in tests.try_iter().unwrap() {
                let test = test.unwrap();
                // Twice: the second time from the cache.
                for _ in 0..2 {
                    assert_eq!(names.name(&test).unwrap(), test.str().unwrap().to_string());
                }
            }
        });
    }
}
