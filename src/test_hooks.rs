//! Hooks for the test suite and the benchmarks, in the extension module only
//! when it is built with the `test-hooks` cargo feature (as `tools/venv.sh`
//! builds the venvs of `make test` and `make bench`); `pip install .` leaves
//! them out.

use pyo3::prelude::*;

use crate::census::{heap, Census, Scope};

/// One census, as the benchmark times it: the number of types it found.
#[pyfunction]
pub fn _census(py: Python<'_>) -> PyResult<usize> {
    Ok(heap::take(py)?.types.len())
}

/// A census row as Python sees it: title, instances, references.
type Row = (String, i64, i64);

/// One census by the named way of taking it: `"default"` (what `-r -v`
/// uses), `"listed"` (from `sys.getobjects()` or `gc.get_objects()`),
/// `"gc_objects"` (from `gc.get_objects()`, even on a trace-refs build) or
/// `"visit"` (inside the interpreter's walk, the free-threaded way; 3.12+).
fn take_by(py: Python<'_>, walk: &str) -> PyResult<Census> {
    match walk {
        "default" => heap::take(py),
        "listed" => heap::take_listed(py, true),
        "gc_objects" => heap::take_listed(py, false),
        #[cfg(Py_3_12)]
        "visit" => Ok(heap::visit::reachable(py)),
        _ => Err(pyo3::exceptions::PyValueError::new_err(format!(
            "no census walk {walk:?} on this interpreter"
        ))),
    }
}

/// Two censuses in a row with nothing between them: whether the second saw
/// every object, and the rows that changed (none, unless the census itself
/// perturbs the heap, or the two ways of taking it disagree). For tests:
/// `first` and `second` name the ways (see `take_by`); `second` defaults to
/// `first`.
#[pyfunction]
#[pyo3(signature = (first = "default", second = None))]
pub fn _census_selftest(
    py: Python<'_>,
    first: &str,
    second: Option<&str>,
) -> PyResult<(bool, Vec<Row>)> {
    let before = take_by(py, first)?;
    let second = take_by(py, second.unwrap_or(first))?;
    let rows = second.changes_since(&before);
    Ok((
        second.scope == Scope::AllObjects,
        rows.into_iter()
            .map(|r| (r.title, r.instances, r.refs))
            .collect(),
    ))
}
