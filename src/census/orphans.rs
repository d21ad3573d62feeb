//! Objects nothing on the heap refers to: for each object, its reference
//! count against the references the heap's containers hold to it
//! (`tp_traverse` of every collector-tracked object). An object with more
//! references than the heap explains is held from outside the heap: by C
//! code, or by a reference nobody will give back.
//!
//! Only a build that lists every object (trace-refs) can see such objects;
//! elsewhere [`take`] returns None. Addresses are plain numbers: no Python
//! object is held between scans, and the scan creates none (a
//! `sys.getobjects()` list aside, whose references are subtracted).

use std::ffi::{c_int, c_void};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::heap::type_title;
use super::{AddressMap, NewOrphans};

/// The objects held from outside the heap, by type.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Orphans {
    /// Type address to its title and the orphans' addresses.
    pub by_type: AddressMap<(String, Vec<usize>)>,
}

/// Longest `repr` sample kept.
const SAMPLE_CHARS: usize = 120;

/// Scans the heap; None when this build does not list every object.
pub fn take(py: Python<'_>) -> PyResult<Option<Orphans>> {
    let Some(getobjects) = py
        .import(intern!(py, "sys"))?
        .getattr_opt(intern!(py, "getobjects"))?
    else {
        return Ok(None);
    };
    let list = getobjects
        .call1((0,))?
        .cast_into::<PyList>()
        .map_err(PyErr::from)?;
    let module_key = intern!(py, "__module__").as_ptr();
    // SAFETY: the GIL is held and nothing below runs Python code, so every
    // object of the list stays alive and unchanged for the whole scan.
    let orphans = unsafe { scan(list.as_ptr(), module_key) };
    Ok(Some(orphans))
}

/// The `visitproc` of `scan`: counts a reference to each listed object
/// into the map that `arg` points to.
unsafe extern "C" fn visit(object: *mut ffi::PyObject, arg: *mut c_void) -> c_int {
    if !object.is_null() {
        // SAFETY: `arg` is the `held` map `scan` passed to `tp_traverse`,
        // which nothing else borrows during the call.
        let held = unsafe { &mut *arg.cast::<AddressMap<ffi::Py_ssize_t>>() };
        if let Some(count) = held.get_mut(&(object as usize)) {
            *count += 1;
        }
    }
    0
}

/// Safety: the GIL is held, `list` is a list of live objects that nothing
/// changes during the scan, and `module_key` is a str.
unsafe fn scan(list: *mut ffi::PyObject, module_key: *mut ffi::PyObject) -> Orphans {
    // SAFETY: the caller's promise: every item of the list is alive for the
    // whole scan, and the scan runs no Python code.
    unsafe {
        let n = ffi::PyList_GET_SIZE(list);
        let mut held: AddressMap<ffi::Py_ssize_t> = AddressMap::default();
        held.reserve(n as usize);
        for i in 0..n {
            let object = ffi::PyList_GET_ITEM(list, i);
            // The list's own reference.
            held.insert(object as usize, 1);
        }
        for i in 0..n {
            let object = ffi::PyList_GET_ITEM(list, i);
            if object == list || !super::is_gc(object) {
                continue;
            }
            if let Some(traverse) = (*ffi::Py_TYPE(object)).tp_traverse {
                traverse(object, visit, std::ptr::addr_of_mut!(held).cast());
            }
        }
        let mut orphans = Orphans::default();
        for i in 0..n {
            let object = ffi::PyList_GET_ITEM(list, i);
            if object == list {
                continue;
            }
            let refcnt = ffi::Py_REFCNT(object);
            // Immortal objects (3.12+) have no meaningful count.
            if cfg!(Py_3_12) && (refcnt as i32) < 0 {
                continue;
            }
            let heap = held.get(&(object as usize)).copied().unwrap_or(0);
            if refcnt > heap && heap <= 1 {
                let tp = ffi::Py_TYPE(object);
                let entry = orphans
                    .by_type
                    .entry(tp as usize)
                    .or_insert_with(|| (type_title(tp, module_key), Vec::new()));
                entry.1.push(object as usize);
            }
        }
        orphans
    }
}

impl Orphans {
    /// Orphans of `end` that `self` (an earlier scan) did not have, for the
    /// types titled in `titles`, with `repr` samples. Must be called right
    /// after `end` was taken, before any other Python code runs: the
    /// addresses are only known to be live until then.
    pub fn new_since(&self, py: Python<'_>, end: &Orphans, titles: &[String]) -> Vec<NewOrphans> {
        let mut found = Vec::new();
        for (tp, (title, addresses)) in &end.by_type {
            if !titles.contains(title) {
                continue;
            }
            let before: std::collections::HashSet<usize> = self
                .by_type
                .get(tp)
                .filter(|(t, _)| t == title)
                .map(|(_, a)| a.iter().copied().collect())
                .unwrap_or_default();
            let new: Vec<usize> = addresses
                .iter()
                .copied()
                .filter(|a| !before.contains(a))
                .collect();
            if new.is_empty() {
                continue;
            }
            let (samples, allocated_at) =
                samples_and_origin(py, &new[new.len().saturating_sub(3)..]);
            found.push(NewOrphans {
                title: title.clone(),
                count: new.len() as i64,
                samples,
                allocated_at,
            });
        }
        found.sort_by(|a, b| a.title.cmp(&b.title));
        found
    }
}

/// `repr` of live objects given by address, each cut to [`SAMPLE_CHARS`].
/// The caller guarantees the objects are alive: no Python code ran since
/// the scan that found them.
pub(super) fn samples(py: Python<'_>, addresses: &[usize]) -> Vec<String> {
    samples_and_origin(py, addresses).0
}

/// [`samples`], and where the first of them was allocated when
/// `tracemalloc` traces (its traceback, most recent call last; empty
/// otherwise).
pub(super) fn samples_and_origin(
    py: Python<'_>,
    addresses: &[usize],
) -> (Vec<String>, Vec<String>) {
    // Own every sample before running any repr: a repr could free the
    // others otherwise.
    let owned: Vec<Bound<'_, PyAny>> = addresses
        .iter()
        // SAFETY: the caller guarantees these objects are alive (no Python
        // code ran since the scan that found them).
        .map(|&a| unsafe { Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject) })
        .collect();
    let reprs = owned
        .iter()
        .map(|object| {
            let text = object
                .repr()
                .map(|r| r.to_string())
                .unwrap_or_else(|_| "<repr failed>".to_owned());
            if text.chars().count() > SAMPLE_CHARS {
                let cut: String = text.chars().take(SAMPLE_CHARS - 3).collect();
                format!("{cut}...")
            } else {
                text
            }
        })
        .collect();
    let origin = owned
        .first()
        .map(|object| allocation_traceback(py, object).unwrap_or_default())
        .unwrap_or_default();
    (reprs, origin)
}

/// `tracemalloc.get_object_traceback(object).format()`, when tracemalloc is
/// tracing (`--leak-tracemalloc`); empty otherwise.
fn allocation_traceback(py: Python<'_>, object: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    let modules = py
        .import(intern!(py, "sys"))?
        .getattr(intern!(py, "modules"))?;
    let Ok(tracemalloc) = modules.get_item(intern!(py, "tracemalloc")) else {
        return Ok(Vec::new());
    };
    if !tracemalloc
        .call_method0(intern!(py, "is_tracing"))?
        .is_truthy()?
    {
        return Ok(Vec::new());
    }
    let traceback = tracemalloc.call_method1(intern!(py, "get_object_traceback"), (object,))?;
    if traceback.is_none() {
        return Ok(Vec::new());
    }
    let lines: Vec<String> = traceback.call_method0(intern!(py, "format"))?.extract()?;
    Ok(lines
        .iter()
        .flat_map(|l| l.lines())
        .map(|l| l.trim_end().to_owned())
        .collect())
}
