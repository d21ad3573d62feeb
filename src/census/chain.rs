//! Who holds a leaked object: a chain of references from a root a user
//! recognises (a module global, a class attribute, a thread's frame, a
//! layer) down to the object, each step named (`leak.HOARD (list)` ->
//! `[41] tuple` -> `[0] leak.Leakable`).
//!
//! The heap is walked from Rust, breadth first (so the chain is a shortest
//! one), with `tp_traverse`, an explicit queue and a visited set: nothing
//! recurses and the walk ends. Objects are plain addresses during the walk;
//! only the objects of the chain found are owned, to name the steps.

use std::collections::{HashSet, VecDeque};
use std::ffi::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyModule, PySet, PyTuple, PyType};

use super::heap::type_title;
use super::AddressMap;

/// The live objects whose type has this title, by address, with their
/// reference counts. On a build without `sys.getobjects` only objects the
/// collector tracks, and what they reach, are seen.
pub fn instances(py: Python<'_>, title: &str) -> PyResult<AddressMap<isize>> {
    let module_key = intern!(py, "__module__").as_ptr();
    let mut found: AddressMap<isize> = AddressMap::default();
    let mut titles: AddressMap<bool> = AddressMap::default();
    let mut is_target = |object: *mut ffi::PyObject| {
        // SAFETY: the GIL is held, every caller passes a live object, and
        // naming its type creates and frees no Python object.
        unsafe {
            let tp = ffi::Py_TYPE(object);
            *titles
                .entry(tp as usize)
                .or_insert_with(|| type_title(tp, module_key) == title)
        }
    };
    // A trace-refs 3.13+ interpreter's table of every object, in place.
    #[cfg(leakrunner_refchain)]
    {
        let walked = super::heap::refchain::for_each(py, |object| {
            if is_target(object) {
                // SAFETY: a live object the walk handed over.
                found.insert(object as usize, unsafe { ffi::Py_REFCNT(object) });
            }
        });
        if walked.is_some() {
            return Ok(found);
        }
    }
    let sys = py.import(intern!(py, "sys"))?;
    let gc = py.import(intern!(py, "gc"))?;
    let (list, all) = match sys.getattr_opt(intern!(py, "getobjects"))? {
        Some(getobjects) => (getobjects.call1((0,))?, true),
        None => (gc.call_method0(intern!(py, "get_objects"))?, false),
    };
    // As in the census: when nothing is frozen, every tracked object is an
    // item of the list, so the walk need remember only the others.
    let skip_tracked = !all
        && gc
            .call_method0(intern!(py, "get_freeze_count"))?
            .extract::<usize>()?
            == 0;
    drop((sys, gc));
    let list = list.cast_into::<PyList>().map_err(PyErr::from)?;
    // SAFETY: the GIL is held and no Python code runs during the walk: the
    // list keeps its objects alive, and what they reach stays reachable.
    unsafe {
        let list_ptr = list.as_ptr();
        let n = ffi::PyList_GET_SIZE(list_ptr);
        let mut seen: AddressMap<()> = AddressMap::default();
        let mut pending = Vec::new();
        for i in 0..n {
            let object = ffi::PyList_GET_ITEM(list_ptr, i);
            if is_target(object) {
                found.insert(object as usize, ffi::Py_REFCNT(object) - 1);
            }
            if !all {
                if !skip_tracked {
                    seen.insert(object as usize, ());
                }
                pending.push(object);
            }
        }
        let mut referents = Vec::new();
        while let Some(object) = pending.pop() {
            referents.clear();
            traverse(object, &mut referents);
            for &r in &referents {
                if skip_tracked && super::is_gc(r) && super::is_tracked(r) {
                    continue;
                }
                if seen.insert(r as usize, ()).is_none() {
                    if is_target(r) {
                        found.insert(r as usize, ffi::Py_REFCNT(r));
                    }
                    pending.push(r);
                }
            }
        }
    }
    Ok(found)
}

/// The `visitproc` of `traverse`: collects each referent into the `Vec`
/// that `arg` points to.
unsafe extern "C" fn visit(object: *mut ffi::PyObject, arg: *mut c_void) -> c_int {
    if !object.is_null() {
        // SAFETY: `arg` is the `out` vector `traverse` passed to
        // `tp_traverse`, which nothing else borrows during the call.
        unsafe { (*arg.cast::<Vec<*mut ffi::PyObject>>()).push(object) };
    }
    0
}

/// The objects `object` refers to, for collector-tracked containers.
///
/// Safety: the GIL is held and `object` is a live object.
unsafe fn traverse(object: *mut ffi::PyObject, out: &mut Vec<*mut ffi::PyObject>) {
    // SAFETY: the caller's promise: a live object's type is readable, and
    // its tp_traverse may be called on it (for collector-tracked ones).
    unsafe {
        if !super::is_gc(object) {
            return;
        }
        if let Some(traverse) = (*ffi::Py_TYPE(object)).tp_traverse {
            traverse(object, visit, std::ptr::addr_of_mut!(*out).cast());
        }
    }
}

/// A root of the walk and how it is named.
struct Root {
    object: Py<PyAny>,
    label: String,
}

/// Modules (by name), the frames of every thread, and the given extra
/// roots (the layers, by name).
fn roots(py: Python<'_>, extra: &[(String, Py<PyAny>)]) -> PyResult<Vec<Root>> {
    let sys = py.import(intern!(py, "sys"))?;
    let mut roots = Vec::new();
    for (name, object) in extra {
        roots.push(Root {
            object: object.clone_ref(py),
            label: format!("layer {name}"),
        });
    }
    let modules = sys.getattr(intern!(py, "modules"))?;
    let modules = modules.cast::<PyDict>()?.copy()?;
    let mut names: Vec<(String, Bound<'_, PyAny>)> = modules
        .iter()
        .filter_map(|(k, v)| Some((k.extract::<String>().ok()?, v)))
        .filter(|(_, v)| v.is_instance_of::<PyModule>())
        .collect();
    // User modules before the standard library's: `__main__` and packages
    // first, then by name, so that a chain starts where users look.
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, module) in names {
        roots.push(Root {
            object: module.unbind(),
            label: name,
        });
    }
    let frames = sys.call_method0(intern!(py, "_current_frames"))?;
    for (ident, frame) in frames.cast::<PyDict>()?.iter() {
        roots.push(Root {
            object: frame.unbind(),
            label: format!("thread {ident}"),
        });
    }
    Ok(roots)
}

/// The size of the last walk's map of parents: the next walk makes its map
/// that size at once.
static PARENTS_HINT: AtomicUsize = AtomicUsize::new(0);

/// A shortest chain from a root to one of `targets`, as named steps; None
/// when no root reaches any of them.
pub fn find(
    py: Python<'_>,
    targets: &HashSet<usize>,
    extra_roots: &[(String, Py<PyAny>)],
) -> PyResult<Option<Vec<String>>> {
    if targets.is_empty() {
        return Ok(None);
    }
    let roots = roots(py, extra_roots)?;
    let targets: AddressMap<()> = targets.iter().map(|&t| (t, ())).collect();
    // parent[child] = (parent address, root index); roots have no parent.
    // Only containers get an entry: an object the collector does not handle
    // refers to nothing, so it is a leaf of the walk, and one that is not a
    // target need not be remembered (meeting it again costs one lookup in
    // `targets`). That keeps the map to a fraction of the heap.
    let mut parent: AddressMap<(usize, usize)> =
        AddressMap::with_capacity_and_hasher(PARENTS_HINT.load(Relaxed), Default::default());
    let mut queue: VecDeque<(*mut ffi::PyObject, usize)> = VecDeque::new();
    for (i, root) in roots.iter().enumerate() {
        let ptr = root.object.as_ptr();
        if parent.insert(ptr as usize, (0, i)).is_none() {
            queue.push_back((ptr, i));
        }
    }
    let mut hit = None;
    let mut referents = Vec::new();
    // SAFETY: the GIL is held and no Python code runs during the walk; the
    // roots are owned, and every object reached is reachable from them.
    unsafe {
        'walk: while let Some((object, root)) = queue.pop_front() {
            if targets.contains_key(&(object as usize)) {
                hit = Some(object as usize);
                break;
            }
            referents.clear();
            traverse(object, &mut referents);
            for &r in &referents {
                let address = r as usize;
                if !super::is_gc(r) {
                    if targets.contains_key(&address) {
                        parent.insert(address, (object as usize, root));
                        hit = Some(address);
                        break 'walk;
                    }
                    continue;
                }
                if let std::collections::hash_map::Entry::Vacant(e) = parent.entry(address) {
                    e.insert((object as usize, root));
                    if targets.contains_key(&address) {
                        hit = Some(address);
                        break 'walk;
                    }
                    queue.push_back((r, root));
                }
            }
        }
    }
    PARENTS_HINT.store(parent.len(), Relaxed);
    let Some(hit) = hit else {
        return Ok(None);
    };
    // The chain, root first, each object owned before any Python runs.
    let mut addresses = vec![hit];
    let mut at = hit;
    let root_index = parent[&hit].1;
    let root_addr = roots[root_index].object.as_ptr() as usize;
    while at != root_addr {
        at = parent[&at].0;
        addresses.push(at);
    }
    addresses.reverse();
    let objects: Vec<Bound<'_, PyAny>> = addresses
        .iter()
        // SAFETY: no Python code ran since the walk found them alive.
        .map(|&a| unsafe { Bound::from_borrowed_ptr(py, a as *mut ffi::PyObject) })
        .collect();
    drop(parent);
    Ok(Some(name_steps(py, &roots[root_index].label, &objects)))
}

/// The type's title, as the census writes it.
fn title_of(object: &Bound<'_, PyAny>) -> String {
    let py = object.py();
    let module_key = intern!(py, "__module__").as_ptr();
    // SAFETY: the object is owned; its type lives as long as it does.
    unsafe { type_title(ffi::Py_TYPE(object.as_ptr()), module_key) }
}

fn short_repr(object: &Bound<'_, PyAny>) -> String {
    let text = object
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(37).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// How `parent` refers to `child`: `[0]`, `['key']`, `.attr`, or `->`.
fn edge(parent: &Bound<'_, PyAny>, child: &Bound<'_, PyAny>) -> String {
    if let Ok(dict) = parent.cast::<PyDict>() {
        for (k, v) in dict.iter() {
            if v.is(child) {
                return format!("[{}]", short_repr(&k));
            }
            if k.is(child) {
                return "(a key)".to_owned();
            }
        }
    }
    if let Ok(list) = parent.cast::<PyList>() {
        if let Some(i) = list.iter().position(|item| item.is(child)) {
            return format!("[{i}]");
        }
    }
    if let Ok(tuple) = parent.cast::<PyTuple>() {
        if let Some(i) = tuple.iter().position(|item| item.is(child)) {
            return format!("[{i}]");
        }
    }
    if parent.cast::<PySet>().is_ok() {
        return "(a member)".to_owned();
    }
    // The references of functions, methods, cells and frames that have
    // names of their own.
    for name in [
        "__self__",
        "__func__",
        "__closure__",
        "__defaults__",
        "__kwdefaults__",
        "__globals__",
        "cell_contents",
        "f_locals",
        "f_globals",
        "__wrapped__",
    ] {
        if parent
            .getattr_opt(name)
            .ok()
            .flatten()
            .is_some_and(|value| value.is(child))
        {
            return format!(".{name}");
        }
    }
    String::new()
}

/// A step: how it is reached, then what it is.
fn step(edge: String, title: String) -> String {
    if edge.is_empty() {
        title
    } else {
        format!("{edge} {title}")
    }
}

/// Names the chain: a module global as `module.NAME (type)`, an attribute
/// as `.name type`, an item as `[i] type`.
fn name_steps(py: Python<'_>, root_label: &str, objects: &[Bound<'_, PyAny>]) -> Vec<String> {
    let dict_key = intern!(py, "__dict__");
    let mut steps = Vec::new();
    let mut i = 0;
    let first = &objects[0];
    let mut prefix = if first.is_instance_of::<PyModule>() {
        root_label.to_owned()
    } else {
        steps.push(format!("{root_label} ({})", title_of(first)));
        String::new()
    };
    while i + 1 < objects.len() {
        let parent = &objects[i];
        let child = &objects[i + 1];
        // A module's, class's or instance's __dict__ is where its names
        // are: fold it into the next step.
        let owns_dict = if parent.is_instance_of::<PyType>() {
            // A class's __dict__ attribute is a proxy; its dict is tp_dict.
            // SAFETY: `parent` is an owned type object.
            unsafe { (*parent.as_ptr().cast::<ffi::PyTypeObject>()).tp_dict == child.as_ptr() }
        } else {
            parent
                .getattr_opt(dict_key)
                .ok()
                .flatten()
                .is_some_and(|d| d.is(child))
        };
        if owns_dict && i + 2 < objects.len() {
            let name = edge(child, &objects[i + 2]);
            let name = name
                .strip_prefix("['")
                .and_then(|n| n.strip_suffix("']"))
                .map(str::to_owned);
            let holder = if !prefix.is_empty() {
                std::mem::take(&mut prefix)
            } else {
                String::new()
            };
            let target = &objects[i + 2];
            steps.push(match name {
                Some(name) if !holder.is_empty() => {
                    format!("{holder}.{name} ({})", title_of(target))
                }
                Some(name) => format!(".{name} {}", title_of(target)),
                None => step(edge(child, target), title_of(target)),
            });
            i += 2;
            continue;
        }
        if !prefix.is_empty() {
            steps.push(format!(
                "{} ({})",
                std::mem::take(&mut prefix),
                title_of(parent)
            ));
        }
        steps.push(step(edge(parent, child), title_of(child)));
        i += 1;
    }
    if steps.is_empty() {
        steps.push(format!("{root_label} ({})", title_of(first)));
    }
    steps
}

/// What one more run of the responsible tests did to a type's instances.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Change {
    /// Objects that were not there before.
    pub new: HashSet<usize>,
    /// Objects that were, and have more references now.
    pub more_referenced: Vec<usize>,
}

/// Compares two [`instances`] scans.
pub fn change(before: &AddressMap<isize>, after: &AddressMap<isize>) -> Change {
    let mut change = Change::default();
    for (&address, &refcnt) in after {
        match before.get(&address) {
            None => {
                change.new.insert(address);
            }
            Some(&then) if refcnt > then => change.more_referenced.push(address),
            Some(_) => {}
        }
    }
    change.more_referenced.sort_unstable();
    change
}

/// `repr` samples of objects just found by a scan (see [`instances`]):
/// call before any other Python code runs.
pub fn samples(py: Python<'_>, addresses: &[usize], most: usize) -> Vec<String> {
    super::orphans::samples(py, &addresses[..addresses.len().min(most)])
}
