//! The running interpreter's argparse, for the command lines `plain.rs`
//! leaves to it and for leakrunner's own usage errors. The Python helper
//! `leakrunner._cmdline` builds zope's parser from the spec table, handed
//! over as plain data, parses or prints and exits as argparse does; this
//! module hands it the table and reads back the namespace.
//!
//! Nothing here runs for a plain command line: building the parser costs a
//! few milliseconds, which ordinary runs do not pay.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyTuple};

use super::command::{Namespace, Value};
use super::spec::{self, Action, Default, Nargs, ValueType, DESCRIPTION, GROUPS};
use super::Exited;

/// The spec as `_cmdline._parser` takes it: `(description, [(title,
/// description)], [action tuple])`, without `--help` (argparse adds its
/// own).
pub(super) fn table(py: Python<'_>) -> PyResult<Bound<'_, PyTuple>> {
    let groups: Vec<(&str, &str)> = GROUPS.iter().filter_map(|g| g.heading()).collect();
    let mut actions = Vec::new();
    for spec in spec::all().filter(|s| s.action != Action::Help) {
        let kind = match spec.action {
            Action::StoreTrue => "store_true",
            Action::StoreFalse => "store_false",
            Action::StoreConstNone => "store_const",
            Action::Count => "count",
            Action::Store | Action::Help => "store",
            Action::Append => "append",
        };
        let nargs = match spec.nargs {
            Nargs::Two => 2i32.into_pyobject(py)?.into_any(),
            Nargs::Optional => "?".into_pyobject(py)?.into_any(),
            Nargs::Zero | Nargs::One => py.None().into_bound(py),
        };
        let (type_name, choices) = match spec.value {
            ValueType::Int => (Some("int"), None),
            ValueType::Float => (Some("float"), None),
            ValueType::AbsPath => (Some("abspath"), None),
            ValueType::Choice(choices) => (None, Some(choices)),
            ValueType::Str => (None, None),
        };
        let default = match spec.default {
            Default::Suppress | Default::None => py.None().into_bound(py),
            Default::Bool(b) => PyBool::new(py, b).to_owned().into_any(),
            Default::Int(i) => i.into_pyobject(py)?.into_any(),
            Default::Str(s) => s.into_pyobject(py)?.into_any(),
            Default::StrList(items) => PyList::new(py, items)?.into_any(),
        };
        let action = (
            spec.flags,
            spec.dest,
            kind,
            nargs,
            type_name,
            choices,
            spec.metavar,
            default,
            spec.group.heading().map(|(title, _)| title),
            spec.help,
        );
        actions.push(action.into_pyobject(py)?);
    }
    (DESCRIPTION, groups, actions).into_pyobject(py)
}

/// A namespace value as `Value`; integers beyond `i64` saturate.
fn value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    Ok(if obj.is_none() {
        Value::None
    } else if let Ok(b) = obj.cast::<PyBool>() {
        Value::Bool(b.is_true())
    } else if obj.is_instance_of::<PyInt>() {
        Value::Int(match obj.extract() {
            Ok(i) => i,
            Err(_) if obj.gt(0)? => i64::MAX,
            Err(_) => i64::MIN,
        })
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        Value::Float(f.value())
    } else if let Ok(list) = obj.cast::<PyList>() {
        Value::List(list.iter().map(|v| value(&v)).collect::<PyResult<_>>()?)
    } else {
        Value::Str(obj.extract()?)
    })
}

/// argparse's parse of `defaults`, then `args` (without the program name),
/// as zope's `get_options` does it; `Err` once argparse has printed its help
/// or its error. `prog` `None` lets argparse name the program itself.
pub fn parse(
    py: Python<'_>,
    prog: Option<&str>,
    cwd: &str,
    defaults: Option<&[String]>,
    args: &[String],
) -> PyResult<Result<Namespace, Exited>> {
    let (parsed, result): (bool, Bound<'_, PyAny>) = py
        .import("leakrunner._cmdline")?
        .call_method1("parse", (table(py)?, prog, cwd, defaults, args))?
        .extract()?;
    if !parsed {
        return Ok(Err(Exited(result.extract::<Option<i32>>()?.unwrap_or(0))));
    }
    let dict = result.cast::<PyDict>()?;
    let mut ns = Namespace::with_defaults();
    for spec in spec::all().filter(|s| s.default != Default::Suppress) {
        if let Some(v) = dict.get_item(spec.dest)? {
            ns.set(spec.dest, value(&v)?);
        }
    }
    Ok(Ok(ns))
}

/// `parser.error(message)` on the interpreter's argparse: the usage and
/// `PROG: error: MESSAGE` on stderr, for bad values found after parsing (a
/// regular expression neither engine accepts).
pub fn error(py: Python<'_>, prog: Option<&str>, message: &str) -> PyResult<Exited> {
    let status: Option<i32> = py
        .import("leakrunner._cmdline")?
        .call_method1("error", (table(py)?, prog, message))?
        .extract()?;
    Ok(Exited(status.unwrap_or(2)))
}
