//! Hooks for the test suite and the benchmarks, in the extension module only
//! when it is built with the `test-hooks` cargo feature (as `tools/venv.sh`
//! builds the venvs of `make test` and `make bench`); `pip install .` leaves
//! them out.

use pyo3::prelude::*;

use crate::census::{heap, Scope};

/// One census, as the benchmark times it: the number of types it found.
#[pyfunction]
pub fn _census(py: Python<'_>) -> PyResult<usize> {
    Ok(heap::take(py)?.types.len())
}

/// A census row as Python sees it: title, instances, references.
type Row = (String, i64, i64);

/// Two censuses in a row with nothing between them: whether the census saw
/// every object, and the rows that changed (none, unless the census itself
/// perturbs the heap). For tests.
#[pyfunction]
pub fn _census_selftest(py: Python<'_>) -> PyResult<(bool, Vec<Row>)> {
    let first = heap::take(py)?;
    let second = heap::take(py)?;
    let rows = second.changes_since(&first);
    Ok((
        second.scope == Scope::AllObjects,
        rows.into_iter()
            .map(|r| (r.title, r.instances, r.refs))
            .collect(),
    ))
}
