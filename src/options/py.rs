//! `leakrunner._leakrunner._parse_options`, a test hook built only with
//! the `test-hooks` feature: the option parser exposed to Python, so that
//! tests can run it side by side with zope's real parser. The options come
//! back with the Python types zope's namespace has (`layer` a dict,
//! `ignore_dir` a set, `package_path` a list of lists), patterns as strings;
//! what argparse prints is captured, at the terminal width given.

use std::cell::RefCell;
use std::path::Path;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySet, PyTuple};

use super::{argparse, parse_args, Environment, Exited, Namespace, Options};

/// The caller's facts: a mapping whose values are booleans, or callables
/// returning one (called only when zope would ask). Keys: `isatty`,
/// `has_colors`, `subunit`, `gettotalrefcount`. A missing flag is false.
struct PyFacts<'py, 'a> {
    facts: Bound<'py, PyAny>,
    error: RefCell<Option<PyErr>>,
    prog: &'a str,
    cwd: &'a str,
}

impl PyFacts<'_, '_> {
    fn flag(&self, key: &str) -> bool {
        let value = self.facts.get_item(key).ok().map(|v| {
            let v = if v.is_callable() { v.call0()? } else { v };
            v.is_truthy()
        });
        match value {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                self.error.borrow_mut().get_or_insert(e);
                false
            }
            None => false,
        }
    }
}

impl Environment for PyFacts<'_, '_> {
    fn stdout_isatty(&self) -> bool {
        self.flag("isatty")
    }
    fn terminal_has_colors(&self) -> bool {
        self.flag("has_colors")
    }
    fn subunit_available(&self) -> bool {
        self.flag("subunit")
    }
    fn has_gettotalrefcount(&self) -> bool {
        self.flag("gettotalrefcount")
    }
    fn argparse(
        &self,
        defaults: Option<&[String]>,
        args: &[String],
    ) -> PyResult<Result<Namespace, Exited>> {
        argparse::parse(self.facts.py(), Some(self.prog), self.cwd, defaults, args)
    }
}

fn options_dict<'py>(py: Python<'py>, o: &Options) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("legacy_module_filter", &o.legacy_module_filter)?;
    d.set_item("legacy_test_filter", &o.legacy_test_filter)?;
    d.set_item("package", &o.package)?;
    d.set_item("module", &o.module)?;
    d.set_item("test", &o.test)?;
    d.set_item("unit", o.unit)?;
    d.set_item("non_unit", o.non_unit)?;
    let layer = match &o.layer {
        Some(layers) => {
            let dict = PyDict::new(py);
            for l in layers {
                dict.set_item(l, 1)?;
            }
            dict.into_any()
        }
        None => py.None().into_bound(py),
    };
    d.set_item("layer", layer)?;
    d.set_item("at_level", o.at_level)?;
    d.set_item("all", o.all)?;
    d.set_item("only_level", o.only_level)?;
    d.set_item("list_tests", o.list_tests)?;
    d.set_item("require_unique_ids", o.require_unique_ids)?;
    d.set_item("auto_path", o.auto_path)?;
    d.set_item("verbose", o.verbose)?;
    d.set_item("quiet", o.quiet)?;
    d.set_item("progress", o.progress)?;
    d.set_item("auto_progress", py.None())?;
    d.set_item("color", o.color)?;
    d.set_item("auto_color", py.None())?;
    d.set_item("subunit", o.subunit)?;
    d.set_item("subunit_v2", o.subunit_v2)?;
    d.set_item("slow_test_threshold", o.slow_test_threshold)?;
    d.set_item("report_only_first_failure", o.report_only_first_failure)?;
    d.set_item("ndiff", o.ndiff)?;
    d.set_item("udiff", o.udiff)?;
    d.set_item("cdiff", o.cdiff)?;
    d.set_item("ignore_new_threads", &o.ignore_new_threads)?;
    d.set_item("buffer", o.buffer)?;
    d.set_item("xmlOutput", &o.xml_output)?;
    d.set_item("stop_on_error", o.stop_on_error)?;
    d.set_item("post_mortem", o.post_mortem)?;
    d.set_item("gc", &o.gc)?;
    d.set_item("gc_option", &o.gc_option)?;
    d.set_item("gc_after_test", o.gc_after_test)?;
    d.set_item("repeat", o.repeat)?;
    d.set_item("report_refcounts", o.report_refcounts)?;
    d.set_item("leaks", o.leaks)?;
    d.set_item("leak_report", &o.leak_report)?;
    d.set_item("leak_warmups", o.leak_warmups)?;
    d.set_item("leak_strict", o.leak_strict)?;
    d.set_item("no_leak_attribution", o.no_leak_attribution)?;
    d.set_item("leak_tracemalloc", o.leak_tracemalloc)?;
    d.set_item("leak_html", &o.leak_html)?;
    d.set_item("coverage", &o.coverage)?;
    d.set_item("profile", &o.profile)?;
    d.set_item("prof_dir", &o.prof_dir)?;
    d.set_item("path", &o.path)?;
    d.set_item("test_path", &o.test_path)?;
    let package_path = match &o.package_path {
        Some(pairs) => {
            let list = PyList::empty(py);
            for (path, package) in pairs {
                list.append(PyList::new(py, [path, package])?)?;
            }
            list.into_any()
        }
        None => py.None().into_bound(py),
    };
    d.set_item("package_path", package_path)?;
    d.set_item("tests_pattern", &o.tests_pattern)?;
    d.set_item("suite_name", &o.suite_name)?;
    d.set_item("test_file_pattern", &o.test_file_pattern)?;
    d.set_item("ignore_dir", PySet::new(py, &o.ignore_dir)?)?;
    d.set_item("shuffle", o.shuffle)?;
    d.set_item("shuffle_seed", o.shuffle_seed)?;
    d.set_item("showversion", o.showversion)?;
    d.set_item("processes", o.processes)?;
    d.set_item("keepbytecode", o.keepbytecode)?;
    d.set_item("usecompiled", o.usecompiled)?;
    d.set_item("exitwithstatus", o.exitwithstatus)?;
    d.set_item("prefix", &o.prefix)?;
    d.set_item("module_set", o.module_set)?;
    d.set_item("fail", o.fail)?;
    d.set_item("original_testrunner_args", &o.original_testrunner_args)?;
    Ok(d)
}

/// Runs `f` with `sys.stdout` and `sys.stderr` captured and `COLUMNS` set
/// (argparse's width comes from `shutil.get_terminal_size()`); returns
/// what `f` returned and the two captured texts.
fn captured<T>(
    py: Python<'_>,
    columns: usize,
    f: impl FnOnce() -> T,
) -> PyResult<(T, String, String)> {
    let (sys, io) = (py.import("sys")?, py.import("io")?);
    let environ = py.import("os")?.getattr("environ")?;
    let saved = (
        sys.getattr("stdout")?,
        sys.getattr("stderr")?,
        environ.call_method1("get", ("COLUMNS",))?,
    );
    let (out, err) = (io.call_method0("StringIO")?, io.call_method0("StringIO")?);
    sys.setattr("stdout", &out)?;
    sys.setattr("stderr", &err)?;
    environ.set_item("COLUMNS", columns.to_string())?;
    let result = f();
    sys.setattr("stdout", saved.0)?;
    sys.setattr("stderr", saved.1)?;
    if saved.2.is_none() {
        environ.del_item("COLUMNS")?;
    } else {
        environ.set_item("COLUMNS", saved.2)?;
    }
    let text = |s: &Bound<'_, PyAny>| s.call_method0("getvalue")?.extract::<String>();
    Ok((result, text(&out)?, text(&err)?))
}

/// Parse like zope's `get_options(args, defaults)`. Returns `("help",
/// text)`, `("usage", stderr_text)` or `("ok", options, messages)`.
#[pyfunction]
#[pyo3(signature = (prog, columns, cwd, defaults, args, facts))]
pub fn _parse_options<'py>(
    py: Python<'py>,
    prog: &str,
    columns: usize,
    cwd: &str,
    defaults: Option<Vec<String>>,
    args: Vec<String>,
    facts: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyTuple>> {
    let env = PyFacts {
        facts: facts.clone(),
        error: RefCell::new(None),
        prog,
        cwd,
    };
    let (result, out, err) = captured(py, columns, || {
        parse_args(Path::new(cwd), &env, defaults.as_deref(), &args)
    })?;
    if let Some(e) = env.error.into_inner() {
        return Err(e);
    }
    match result? {
        Err(Exited(0)) => ("help", out).into_pyobject(py),
        Err(Exited(_)) => ("usage", err).into_pyobject(py),
        Ok(parsed) => ("ok", options_dict(py, &parsed.options)?, parsed.messages).into_pyobject(py),
    }
}

/// The option table as `leakrunner._cmdline` takes it, for tests that add
/// leakrunner's own options to zope's parser.
#[pyfunction]
pub fn _option_table(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    argparse::table(py)
}
