//! The Python helpers, typed: one Rust function for each function of
//! `python/leakrunner/{_failures,_session,_pertest,_debug}.py` the runner
//! and the boundary call, so that a helper's name, arguments and result are
//! written down once, here, and checked by the compiler everywhere else.
//!
//! What stays in Python is what needs live Python objects and the standard
//! library's own formatting: tracebacks and doctest reports, warnings and
//! logging, the debugger, thread and cycle snapshots, a test's identity.
//! The modules are imported once per [`Helpers`]; nothing here keeps any
//! other Python object between calls.

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};

use crate::events::{ExceptionDetail, ReportKind, TestIdentity};

/// The helper modules, imported.
pub struct Helpers {
    failures: Py<PyModule>,
    session: Py<PyModule>,
    pertest: Py<PyModule>,
    debug: Py<PyModule>,
}

/// An exception as the helpers take it: its type, value and traceback (or
/// None), as `sys.exc_info()` gives them.
fn exc_info<'py>(
    py: Python<'py>,
    err: &PyErr,
    keep_traceback: bool,
) -> (Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>) {
    let value = err.value(py).clone().into_any();
    let tb = match err.traceback(py) {
        Some(tb) if keep_traceback => tb.into_any(),
        _ => py.None().into_bound(py),
    };
    (value.get_type().into_any(), value, tb)
}

fn detail((type_name, message, stack): (String, String, String)) -> ExceptionDetail {
    ExceptionDetail {
        type_name,
        message,
        stack,
    }
}

impl Helpers {
    pub fn new(py: Python<'_>) -> PyResult<Helpers> {
        Ok(Helpers {
            failures: py.import(intern!(py, "leakrunner._failures"))?.unbind(),
            session: py.import(intern!(py, "leakrunner._session"))?.unbind(),
            pertest: py.import(intern!(py, "leakrunner._pertest"))?.unbind(),
            debug: py.import(intern!(py, "leakrunner._debug"))?.unbind(),
        })
    }

    // Failures.

    /// zope's report of an import failure (`keep_traceback`: the whole
    /// traceback, else the exception line only, as zope prints a
    /// SyntaxError's).
    pub fn format_import_exception(
        &self,
        py: Python<'_>,
        err: &PyErr,
        keep_traceback: bool,
    ) -> PyResult<String> {
        self.failures
            .bind(py)
            .call_method1(
                intern!(py, "format_import_exception"),
                exc_info(py, err, keep_traceback),
            )?
            .extract()
    }

    /// zope's report of a layer's failing setUp or tearDown.
    pub fn format_layer_exception(&self, py: Python<'_>, err: &PyErr) -> PyResult<String> {
        self.failures
            .bind(py)
            .call_method1(
                intern!(py, "format_layer_exception"),
                exc_info(py, err, true),
            )?
            .extract()
    }

    /// An exception as JUnit XML describes it.
    pub fn exception_detail(
        &self,
        py: Python<'_>,
        err: &PyErr,
        keep_traceback: bool,
    ) -> PyResult<ExceptionDetail> {
        let parts = self
            .failures
            .bind(py)
            .call_method1(
                intern!(py, "exception_detail"),
                exc_info(py, err, keep_traceback),
            )?
            .extract()?;
        Ok(detail(parts))
    }

    /// A test's exception (`exc_info`, as unittest passes it) as JUnit XML
    /// describes it.
    pub fn test_exception_detail(
        &self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        exc_info: &Bound<'_, PyTuple>,
    ) -> PyResult<ExceptionDetail> {
        let parts = self
            .failures
            .bind(py)
            .call_method1(
                intern!(py, "test_exception_detail"),
                (
                    test,
                    exc_info.get_item(0)?,
                    exc_info.get_item(1)?,
                    exc_info.get_item(2)?,
                ),
            )?
            .extract()?;
        Ok(detail(parts))
    }

    /// zope's `format_traceback` of a test's `exc_info`, and which kind of
    /// report it made.
    pub fn test_exception_report(
        &self,
        py: Python<'_>,
        exc_info: &Bound<'_, PyTuple>,
    ) -> PyResult<(ReportKind, String)> {
        let (kind, report): (String, String) = self
            .failures
            .bind(py)
            .getattr(intern!(py, "test_exception_report"))?
            .call1(exc_info)?
            .extract()?;
        let kind = match kind.as_str() {
            "doctest" => ReportKind::Doctest,
            "template" => ReportKind::DoctestTemplate,
            _ => ReportKind::Traceback,
        };
        Ok((kind, report))
    }

    /// The report zope prints for an unexpected success.
    pub fn unexpected_success_report(&self, py: Python<'_>) -> PyResult<String> {
        self.failures
            .bind(py)
            .call_method0(intern!(py, "unexpected_success_report"))?
            .extract()
    }

    /// zope's traceback style, for the run (`uninstall` undoes it).
    pub fn install_tracebacks(&self, py: Python<'_>) -> PyResult<()> {
        self.failures
            .bind(py)
            .call_method0(intern!(py, "install_tracebacks"))?;
        Ok(())
    }

    pub fn uninstall_tracebacks(&self, py: Python<'_>) -> PyResult<()> {
        self.failures
            .bind(py)
            .call_method0(intern!(py, "uninstall_tracebacks"))?;
        Ok(())
    }

    /// doctest's reporting flags for `--ndiff`, `--udiff`, `--cdiff` and
    /// `-1`.
    pub fn setup_doctest(
        &self,
        py: Python<'_>,
        ndiff: bool,
        udiff: bool,
        cdiff: bool,
        first_failure: bool,
    ) -> PyResult<()> {
        self.failures.bind(py).call_method1(
            intern!(py, "setup_doctest"),
            (ndiff, udiff, cdiff, first_failure),
        )?;
        Ok(())
    }

    // The session.

    /// The run's warnings filter, a context manager (`warnings.catch_warnings`).
    pub fn warnings_enabled<'py>(
        &self,
        py: Python<'py>,
        warnings: Option<String>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.session
            .bind(py)
            .call_method1(intern!(py, "warnings_enabled"), (warnings,))
    }

    pub fn setup_logging(&self, py: Python<'_>) -> PyResult<()> {
        self.session
            .bind(py)
            .call_method0(intern!(py, "setup_logging"))?;
        Ok(())
    }

    /// `--gc`: sets the collector's threshold; returns the old one.
    pub fn set_gc_threshold(&self, py: Python<'_>, values: &[i64]) -> PyResult<Py<PyAny>> {
        Ok(self
            .session
            .bind(py)
            .call_method1(intern!(py, "set_gc_threshold"), (values.to_vec(),))?
            .unbind())
    }

    /// `-G`: sets the collector's debug flags; returns the old ones, or
    /// raises ValueError naming a flag this Python lacks.
    pub fn set_gc_debug(&self, py: Python<'_>, names: &[String]) -> PyResult<Py<PyAny>> {
        Ok(self
            .session
            .bind(py)
            .call_method1(intern!(py, "set_gc_debug"), (names.to_vec(),))?
            .unbind())
    }

    pub fn restore_gc(
        &self,
        py: Python<'_>,
        threshold: Option<Py<PyAny>>,
        debug: Option<Py<PyAny>>,
    ) -> PyResult<()> {
        self.session
            .bind(py)
            .call_method1(intern!(py, "restore_gc"), (threshold, debug))?;
        Ok(())
    }

    /// A number of the terminal's (`"cols"`, `"colors"`), or `default`.
    pub fn terminal_number(&self, py: Python<'_>, name: &str, default: i64) -> PyResult<i64> {
        self.session
            .bind(py)
            .call_method1(intern!(py, "terminal_number"), (name, default))?
            .extract()
    }

    /// `--xml DIR`: the directory made, the host's name and the local UTC
    /// offset in seconds.
    pub fn xml_setup(&self, py: Python<'_>, dir: &str) -> PyResult<(String, String, i64)> {
        self.session
            .bind(py)
            .call_method1(intern!(py, "xml_setup"), (dir,))?
            .extract()
    }

    // Around each test.

    /// A `--buffer` stand-in for stdout or stderr.
    pub fn make_buffer(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self
            .pertest
            .bind(py)
            .call_method0(intern!(py, "make_buffer"))?
            .unbind())
    }

    /// What a test wrote to a `--buffer` stand-in (which is emptied).
    pub fn take_buffer(&self, py: Python<'_>, stream: &Bound<'_, PyAny>) -> PyResult<String> {
        self.pertest
            .bind(py)
            .call_method1(intern!(py, "take_buffer"), (stream,))?
            .extract()
    }

    /// The threads started since `before` (idents) and still running, not
    /// matching `patterns`, as zope lists them; None if there are none.
    pub fn new_threads(
        &self,
        py: Python<'_>,
        before: &Bound<'_, PyAny>,
        patterns: &Bound<'_, PyAny>,
    ) -> PyResult<Option<String>> {
        self.pertest
            .bind(py)
            .call_method1(intern!(py, "new_threads"), (before, patterns))?
            .extract()
    }

    /// `--gc-after-test -vvvv`: the cycles in `gc.garbage`, each object as
    /// lines; None when there is nothing to show.
    pub fn gc_cycles(&self, py: Python<'_>) -> PyResult<Option<Vec<Vec<Vec<String>>>>> {
        self.pertest
            .bind(py)
            .call_method0(intern!(py, "gc_cycles"))?
            .extract()
    }

    /// A test's id and names as JUnit and subunit want them.
    pub fn identity(&self, py: Python<'_>, test: &Bound<'_, PyAny>) -> PyResult<TestIdentity> {
        let (id, suite, classname, name) = self
            .pertest
            .bind(py)
            .call_method1(intern!(py, "identity"), (test,))?
            .extract()?;
        Ok(TestIdentity {
            id,
            suite,
            classname,
            name,
        })
    }

    // The debugger.

    /// `-D`: the post-mortem debugger on `err` (of `test`, if a test's);
    /// leaving it raises EndRun.
    pub fn post_mortem(
        &self,
        py: Python<'_>,
        err: &PyErr,
        test: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (t, v, tb) = exc_info(py, err, true);
        self.debug
            .bind(py)
            .call_method1(intern!(py, "post_mortem"), (t, v, tb, test))?;
        Ok(())
    }

    /// The same on an `exc_info` tuple as unittest passes it.
    pub fn post_mortem_exc_info(
        &self,
        py: Python<'_>,
        exc_info: &Bound<'_, PyTuple>,
        test: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.debug.bind(py).call_method1(
            intern!(py, "post_mortem"),
            (
                exc_info.get_item(0)?,
                exc_info.get_item(1)?,
                exc_info.get_item(2)?,
                test,
            ),
        )?;
        Ok(())
    }

    /// `-D`: runs `test` so that a failure stops in the debugger.
    pub fn debug_test(
        &self,
        py: Python<'_>,
        test: &Bound<'_, PyAny>,
        result: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.debug
            .bind(py)
            .call_method1(intern!(py, "debug_test"), (test, result))?;
        Ok(())
    }

    /// Whether `err` is the EndRun that leaving the debugger raises.
    pub fn is_end_run(&self, py: Python<'_>, err: &PyErr) -> PyResult<bool> {
        let end_run = self.debug.bind(py).getattr(intern!(py, "EndRun"))?;
        err.value(py).is_instance(&end_run)
    }

    /// zope's SelfTest feature: `pdb.set_trace` is the real one again (a
    /// doctest replaces it with its own debugger, which writes elsewhere).
    pub fn restore_set_trace(&self, py: Python<'_>) -> PyResult<()> {
        self.debug
            .bind(py)
            .call_method0(intern!(py, "restore_set_trace"))?;
        Ok(())
    }

    /// A child's stdin: answers the debugger's prompts with "continue".
    pub fn fake_input<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.debug
            .bind(py)
            .call_method0(intern!(py, "FakeInputContinueGenerator"))
    }
}
