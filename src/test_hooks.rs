//! Hooks for the test suite and the benchmarks, in the extension module only
//! when it is built with the `test-hooks` cargo feature (as `tools/venv.sh`
//! builds the venvs of `make test` and `make bench`); `pip install .` leaves
//! them out.

use std::collections::HashSet;

use pyo3::intern;
use pyo3::prelude::*;

use crate::census::{chain, heap, orphans, Census, Scope};
use crate::runner::probe::Probe;

/// One census, as the benchmark times it: the number of types it found.
#[pyfunction]
pub fn _census(py: Python<'_>) -> PyResult<usize> {
    Ok(heap::take(py)?.types.len())
}

/// A census row as Python sees it: title, instances, references.
type Row = (String, i64, i64);

/// One census by the named way of taking it: `"default"` (what `-r -v`
/// uses), `"listed"` (from `sys.getobjects()` or `gc.get_objects()`),
/// `"tracked"` (`gc.get_objects()` alone, as a release build counts),
/// `"gc_objects"` (from `gc.get_objects()`, even on a trace-refs build) or
/// `"visit"` (inside the interpreter's walk, the free-threaded way; 3.12+).
fn take_by(py: Python<'_>, walk: &str) -> PyResult<Census> {
    match walk {
        "default" => heap::take(py),
        "listed" => heap::take_listed(py, true),
        "tracked" => heap::take_tracked(py),
        "gc_objects" => heap::take_listed(py, false),
        "gc_objects_hashed" => heap::take_listed_with(py, false, false),
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

/// One probe of `--leaks` between iterations, as the benchmarks time it:
/// the caches emptied, then a sample of every signal the build has (census,
/// reference total, blocks, descriptors, threads, garbage). `clock` is
/// called before, between and after the two (the iteration's `gc.collect()`
/// between them is the caller's to time); returns the number of types
/// counted and the three readings.
#[pyfunction]
pub fn _leak_sample(py: Python<'_>, clock: &Bound<'_, PyAny>) -> PyResult<(usize, Vec<Py<PyAny>>)> {
    let mut probe = Probe::default();
    probe.total_refs = py
        .import(intern!(py, "sys"))?
        .hasattr(intern!(py, "gettotalrefcount"))?;
    probe.census = true;
    probe.signals = true;
    probe.clear_caches = true;
    let mut readings = vec![clock.call0()?.unbind()];
    probe.prepare(py)?;
    readings.push(clock.call0()?.unbind());
    let sample = probe.sample(py, true)?;
    readings.push(clock.call0()?.unbind());
    Ok((sample.census.map_or(0, |c| c.types.len()), readings))
}

/// One orphan scan, as the benchmarks time it: the number of objects held
/// from outside the heap, or None on a build that does not list every
/// object.
#[pyfunction]
pub fn _orphan_scan(py: Python<'_>) -> PyResult<Option<usize>> {
    Ok(orphans::take(py)?.map(|o| o.by_type.values().map(|(_, a)| a.len()).sum()))
}

/// The referrer walk of attribution, as the benchmarks time it: the scan
/// for the live instances of `title` (`chain::instances`), then the walk
/// from the roots (modules, threads' frames) to the nearest of them
/// (`chain::find`). With `exhaustive` the walk looks for an object no root
/// reaches, so it visits the whole reachable heap: its worst case. `clock`
/// is called before, between and after the two. Returns the number of
/// instances, the chain, and the three readings.
/// What `_referrer_walk` returns: instances, the chain, the clock readings.
type WalkTiming = (usize, Option<Vec<String>>, Vec<Py<PyAny>>);

#[pyfunction]
pub fn _referrer_walk(
    py: Python<'_>,
    title: &str,
    exhaustive: bool,
    clock: &Bound<'_, PyAny>,
) -> PyResult<WalkTiming> {
    let mut readings = vec![clock.call0()?.unbind()];
    let found = chain::instances(py, title)?;
    readings.push(clock.call0()?.unbind());
    // The walk never visits a null pointer: address 0 is never reached.
    let targets: HashSet<usize> = if exhaustive {
        HashSet::from([0])
    } else {
        found.keys().copied().collect()
    };
    let steps = chain::find(py, &targets, &[])?;
    readings.push(clock.call0()?.unbind());
    Ok((found.len(), steps, readings))
}
