//! `leakrunner._leakrunner._parse_options`: the option parser exposed to
//! Python, so that tests can run it side by side with zope's real parser.
//! The options come back with the Python types zope's namespace has
//! (`layer` a dict, `ignore_dir` a set, `package_path` a list of lists),
//! patterns as strings.

use std::cell::RefCell;
use std::path::Path;

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySet, PyTuple};

use super::{parse_args, Environment, Exit, Options};

/// The caller's facts: a mapping whose values are booleans, or callables
/// returning one (called only when zope would ask). Keys: `isatty`,
/// `has_colors`, `subunit`, `gettotalrefcount`, optionally
/// `int_max_str_digits` and `python_version` (a `(major, minor, micro)`
/// sequence; without it, the calling interpreter's `sys.version_info`). A
/// missing flag is false.
struct PyFacts<'py> {
    facts: Bound<'py, PyAny>,
    error: RefCell<Option<PyErr>>,
}

impl<'py> PyFacts<'py> {
    fn lookup(&self, key: &str) -> Option<Bound<'py, PyAny>> {
        let value = self.facts.get_item(key).ok()?;
        let value = if value.is_callable() {
            value.call0()
        } else {
            Ok(value)
        };
        match value {
            Ok(v) => Some(v),
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                None
            }
        }
    }

    fn flag(&self, key: &str) -> bool {
        match self.lookup(key).map(|v| v.is_truthy()) {
            Some(Ok(b)) => b,
            Some(Err(e)) => {
                self.error.borrow_mut().get_or_insert(e);
                false
            }
            None => false,
        }
    }
}

impl Environment for PyFacts<'_> {
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
    fn int_max_str_digits(&self) -> usize {
        self.lookup("int_max_str_digits")
            .and_then(|v| v.extract::<usize>().ok())
            .unwrap_or(4300)
    }
    fn python_version(&self) -> (u32, u32, u32) {
        let given = self.lookup("python_version");
        let version = match &given {
            Some(v) => Ok(v.clone()),
            None => self
                .facts
                .py()
                .import("sys")
                .and_then(|sys| sys.getattr("version_info")),
        };
        let triple = version.and_then(|v| {
            Ok((
                v.get_item(0)?.extract()?,
                v.get_item(1)?.extract()?,
                v.get_item(2)?.extract()?,
            ))
        });
        match triple {
            Ok(triple) => triple,
            Err(e) => {
                self.error.borrow_mut().get_or_insert(e);
                super::Dialect::REFERENCE.version
            }
        }
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
    };
    let result = parse_args(
        prog,
        columns,
        Path::new(cwd),
        &env,
        defaults.as_deref(),
        &args,
    );
    if let Some(err) = env.error.into_inner() {
        return Err(err);
    }
    match result {
        Err(Exit::Help(text)) => ("help", text).into_pyobject(py),
        Err(Exit::Usage(text)) => ("usage", text).into_pyobject(py),
        Ok(parsed) => ("ok", options_dict(py, &parsed.options)?, parsed.messages).into_pyobject(py),
    }
}
