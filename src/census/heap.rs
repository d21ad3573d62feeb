//! Taking a census of the interpreter's heap.
//!
//! On a trace-refs build `sys.getobjects(0)` lists every live object; one call
//! and a pass in Rust over the list count them by type. Other debug builds
//! have no such list: the census starts from the objects the garbage
//! collector tracks (`gc.get_objects()`) and follows `tp_traverse` from every
//! container to the objects they reach, each counted once by address.
//!
//! A free-threaded build runs other threads' Python code while this thread
//! holds no lock that stops them, so a walk of the heap could read a container
//! another thread is resizing, or an object it is freeing. There the census is
//! taken inside `PyUnstable_GC_VisitObjects`, the interpreter's own walk over
//! the objects the collector tracks, which stops the world around it: the same
//! count, done entirely while no other thread runs (`visit`).
//!
//! Only the list the census asks for holds references while it runs, and
//! they are subtracted; immortal objects (3.12+) count as instances but add
//! no references, since `sys.gettotalrefcount()` leaves them out too. No
//! Python object is created per counted object.

use std::cell::RefCell;
use std::ffi::{c_int, c_void, CStr};

use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyList;

use super::{title, AddressMap, Census, Scope, TypeCount};

/// Counts every object of the heap the interpreter lets us see.
pub fn take(py: Python<'_>) -> PyResult<Census> {
    #[cfg(leakrunner_refchain)]
    if let Some(census) = refchain::walk(py) {
        return Ok(census);
    }
    // The only way that is safe while other threads run (see the module doc).
    #[cfg(Py_GIL_DISABLED)]
    return Ok(visit::reachable(py));
    #[cfg(not(Py_GIL_DISABLED))]
    match scope() {
        Scope::Tracked => take_tracked(py),
        _ => take_listed(py, true),
    }
}

/// Where [`take`] looks on this interpreter (the one the extension was
/// built for: it loads into no other).
pub fn scope() -> Scope {
    let built = crate::flavour::Flavour::built();
    if built.trace_refs {
        Scope::AllObjects
    } else if built.py_debug {
        Scope::ReachableHeap
    } else {
        Scope::Tracked
    }
}

/// The census of the objects the collector tracks, `gc.get_objects()`
/// alone (see [`Scope::Tracked`]).
pub fn take_tracked(py: Python<'_>) -> PyResult<Census> {
    let list = py
        .import(intern!(py, "gc"))?
        .call_method0(intern!(py, "get_objects"))?;
    count_listed(py, list, Scope::Tracked, true)
}

/// The census from the list `sys.getobjects(0)` gives (where it exists and
/// `getobjects` is asked for), else from `gc.get_objects()`.
pub fn take_listed(py: Python<'_>, getobjects: bool) -> PyResult<Census> {
    take_listed_with(py, getobjects, true)
}

/// [`take_listed`]; without `trust_tracked`, the walk from
/// `gc.get_objects()` puts every object in its address set, as it must
/// when some are frozen (the benchmarks and tests compare the two).
pub fn take_listed_with(py: Python<'_>, getobjects: bool, trust_tracked: bool) -> PyResult<Census> {
    let sys = py.import(intern!(py, "sys"))?;
    let getobjects = if getobjects {
        sys.getattr_opt(intern!(py, "getobjects"))?
    } else {
        None
    };
    let gc = py.import(intern!(py, "gc"))?;
    let (list, scope) = match getobjects {
        Some(getobjects) => (getobjects.call1((0,))?, Scope::AllObjects),
        None => (
            gc.call_method0(intern!(py, "get_objects"))?,
            Scope::ReachableHeap,
        ),
    };
    let all_tracked = trust_tracked
        && gc
            .call_method0(intern!(py, "get_freeze_count"))?
            .extract::<usize>()?
            == 0;
    // Nothing but the list may hold a reference the census would count.
    drop(sys);
    drop(gc);
    count_listed(py, list, scope, all_tracked)
}

/// Counts `list` (the objects `scope` says it lists), and for the reachable
/// heap what they reach; `all_tracked` as for [`Counter::count_reachable`].
/// The list must be the only Python object the caller still holds.
fn count_listed(
    py: Python<'_>,
    list: Bound<'_, PyAny>,
    scope: Scope,
    all_tracked: bool,
) -> PyResult<Census> {
    let list = list.cast_into::<PyList>().map_err(PyErr::from)?;
    let module_key = intern!(py, "__module__").as_ptr();
    let mut counter = Counter::new(module_key, scope);
    // SAFETY: the GIL is held (`py`), `list` is a list we own for the whole
    // pass, and nothing in the pass runs Python code that could mutate it.
    unsafe {
        match scope {
            Scope::ReachableHeap => counter.count_reachable(list.as_ptr(), all_tracked),
            _ => counter.count_list(list.as_ptr()),
        }
    }
    Ok(counter.into_census())
}

/// The in-place walk of a trace-refs 3.13+ interpreter's object table
/// (csrc/refchain.c): the census without the million-item list
/// `sys.getobjects()` would build and free.
#[cfg(leakrunner_refchain)]
pub mod refchain {
    use std::ffi::{c_int, c_void};

    use pyo3::ffi;
    use pyo3::intern;
    use pyo3::prelude::*;

    use super::{Census, Counter, Scope};

    type Visit = unsafe extern "C" fn(*const *mut ffi::PyObject, usize, *mut c_void) -> c_int;

    extern "C" {
        fn leakrunner_refchain_foreach(visit: Visit, arg: *mut c_void) -> c_int;
    }

    /// Called by the walk with a run of `len` live objects and the
    /// `Counter` it was given.
    unsafe extern "C" fn count(
        objects: *const *mut ffi::PyObject,
        len: usize,
        arg: *mut c_void,
    ) -> c_int {
        // SAFETY: `arg` is the `Counter` `walk` passed, borrowed by nothing
        // else during the walk; `objects` points to `len` live objects.
        unsafe {
            let counter = &mut *arg.cast::<Counter>();
            for &object in std::slice::from_raw_parts(objects, len) {
                counter.add(object, 0);
            }
        }
        0
    }

    /// Calls `f` on every live object, in place; None when this
    /// interpreter keeps no table. `f` must create and free no Python
    /// object (the table must not change while it is walked).
    pub fn for_each<F: FnMut(*mut ffi::PyObject)>(_py: Python<'_>, mut f: F) -> Option<()> {
        unsafe extern "C" fn each<G: FnMut(*mut ffi::PyObject)>(
            objects: *const *mut ffi::PyObject,
            len: usize,
            arg: *mut c_void,
        ) -> c_int {
            // SAFETY: `arg` is the closure `for_each` passed, borrowed by
            // nothing else during the walk; `objects` points to `len` live
            // objects.
            unsafe {
                let f = &mut *arg.cast::<G>();
                for &object in std::slice::from_raw_parts(objects, len) {
                    f(object);
                }
            }
            0
        }
        // SAFETY: the GIL is held (`_py`), and `f` creates and frees no
        // Python object (the caller's promise).
        let status =
            unsafe { leakrunner_refchain_foreach(each::<F>, std::ptr::addr_of_mut!(f).cast()) };
        (status == 0).then_some(())
    }

    pub fn walk(py: Python<'_>) -> Option<Census> {
        let module_key = intern!(py, "__module__").as_ptr();
        let mut counter = Counter::new(module_key, Scope::AllObjects);
        // SAFETY: the GIL is held, and counting creates and frees no Python
        // object, so the table does not change while it is walked.
        let status =
            unsafe { leakrunner_refchain_foreach(count, std::ptr::addr_of_mut!(counter).cast()) };
        (status == 0).then(|| counter.into_census())
    }
}

/// The census inside the interpreter's own walk over the objects the
/// collector tracks, `PyUnstable_GC_VisitObjects` (3.12+): each one and
/// everything it reaches (`tp_traverse`) is counted during the walk, so on a
/// free-threaded build, where the walk stops the world, the whole census is
/// taken while no other thread runs. The walk holds no reference the census
/// must subtract, except the one a GIL build's walk takes on the object it is
/// visiting (CPython's `visit_generation` increfs it around the callback).
#[cfg(Py_3_12)]
pub mod visit {
    use std::ffi::{c_int, c_void};

    use pyo3::ffi;
    use pyo3::intern;
    use pyo3::prelude::*;

    use super::{AddressMap, Census, Counter, Scope};

    type VisitObject = unsafe extern "C" fn(*mut ffi::PyObject, *mut c_void) -> c_int;

    extern "C" {
        fn PyUnstable_GC_VisitObjects(callback: VisitObject, arg: *mut c_void);
    }

    /// References the interpreter's walk holds on the object it hands over.
    const HELD_BY_WALK: ffi::Py_ssize_t = if cfg!(Py_GIL_DISABLED) { 0 } else { 1 };

    struct Walk {
        counter: Counter,
        seen: AddressMap<()>,
        pending: Vec<*mut ffi::PyObject>,
        found: Vec<*mut ffi::PyObject>,
    }

    /// Called by the walk once per tracked object with the `Walk` it was
    /// given; returns non-zero to go on.
    unsafe extern "C" fn each(object: *mut ffi::PyObject, arg: *mut c_void) -> c_int {
        // SAFETY: `arg` is the `Walk` `reachable` passed, borrowed by nothing
        // else during the walk; `object` is a live tracked object, and what
        // it reaches stays alive: no other thread runs (GIL held, or the
        // world stopped) and counting runs no Python code.
        unsafe {
            let walk = &mut *arg.cast::<Walk>();
            if walk.seen.insert(object as usize, ()).is_none() {
                walk.counter.add(object, HELD_BY_WALK);
                walk.pending.push(object);
                walk.counter
                    .reach_all(&mut walk.seen, &mut walk.pending, &mut walk.found, false);
            }
        }
        1
    }

    pub fn reachable(py: Python<'_>) -> Census {
        let module_key = intern!(py, "__module__").as_ptr();
        let mut walk = Walk {
            counter: Counter::new(module_key, Scope::ReachableHeap),
            seen: AddressMap::default(),
            pending: Vec::new(),
            found: Vec::new(),
        };
        // SAFETY: this thread is attached (`py`); the callback creates and
        // frees no Python object, so it changes none of the lists or heaps
        // being walked, and it returns before the walk (and, on a
        // free-threaded build, the stopped world) ends.
        unsafe { PyUnstable_GC_VisitObjects(each, std::ptr::addr_of_mut!(walk).cast()) };
        walk.counter.into_census()
    }
}

struct Counter {
    scope: Scope,
    module_key: *mut ffi::PyObject,
    /// Counts per type, in the order types were first seen.
    counts: Vec<(usize, TypeCount)>,
    /// Type address to its index in `counts`.
    index: AddressMap<u32>,
    /// A direct-mapped cache in front of `index`: a census sees a million
    /// objects of a few thousand types, in no useful order.
    recent: Box<[(usize, u32); RECENT_SLOTS]>,
}

/// The walk's working memory, kept from one census to the next: a leak
/// hunt takes one after every iteration, and allocating the same megabyte
/// each time (and the kernel zeroing its pages) cost more than the
/// counting. Plain addresses, emptied after each walk: no Python object is
/// held between censuses.
#[derive(Default)]
struct Scratch {
    seen: AddressMap<()>,
    pending: Vec<*mut ffi::PyObject>,
    found: Vec<*mut ffi::PyObject>,
}

impl Scratch {
    /// Empties it for the next walk, keeping its memory unless a walk much
    /// larger than this one left it oversized.
    fn done(&mut self) {
        let used = self.seen.len();
        self.seen.clear();
        if self.seen.capacity() > 4 * used.max(1 << 14) {
            self.seen.shrink_to(used);
        }
        self.pending.clear();
        self.found.clear();
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::default();
}

const RECENT_SLOTS: usize = 1024;
/// Slots of the walk's cache of addresses last met.
const RECENT_SEEN: usize = 512;

/// `_Py_REF_DEFERRED`: what a free-threaded build (3.14+) adds to the shared
/// count of an object with deferred reference counting (functions, code,
/// modules, types...) so that it outlives its counted references until the
/// collector runs. The total never counted it.
#[cfg(Py_GIL_DISABLED)]
const REF_DEFERRED: ffi::Py_ssize_t = ffi::Py_ssize_t::MAX / 8;

/// The references of an object that `sys.gettotalrefcount()` counts, given
/// its reference count and how many of them the census holds.
fn counted_refs(refcnt: ffi::Py_ssize_t, held: ffi::Py_ssize_t) -> i64 {
    // No real count comes near half of `REF_DEFERRED` (2**58).
    #[cfg(Py_GIL_DISABLED)]
    let refcnt = if refcnt >= REF_DEFERRED / 2 {
        refcnt - REF_DEFERRED
    } else {
        refcnt
    };
    if cfg!(Py_3_12) {
        // Immortal objects (3.12+, 64-bit builds) have a refcount whose low
        // 32 bits, read as signed, are negative (a free-threaded build reports
        // 2**32 - 1 for them); the total leaves them out.
        let low = refcnt as i32;
        if low < 0 {
            return 0;
        }
        // A mortal object's count is that lower half: 3.14+ GIL builds keep
        // the object's flags in the upper half of the word PyO3 reads.
        return i64::from(low) - held as i64;
    } else if refcnt >= STATIC_REFCNT_3_11 {
        // 3.11's statically allocated objects (deep-frozen code, strings,
        // the empty tuple) start at this count, which the total never saw;
        // their later increments and decrements it does count.
        return (refcnt - STATIC_REFCNT_3_11 - held) as i64;
    }
    (refcnt - held) as i64
}

/// `_PyObject_IMMORTAL_INIT`'s initial refcount in CPython 3.11.
const STATIC_REFCNT_3_11: ffi::Py_ssize_t = 999_999_999;

impl Counter {
    fn new(module_key: *mut ffi::PyObject, scope: Scope) -> Counter {
        Counter {
            scope,
            module_key,
            counts: Vec::new(),
            index: AddressMap::default(),
            recent: Box::new([(0, 0); RECENT_SLOTS]),
        }
    }

    fn into_census(self) -> Census {
        let mut census = Census::new(self.scope);
        census.types.extend(self.counts);
        census
    }

    /// Adds one object; `held` is how many of its references the census owns.
    ///
    /// Safety: the GIL is held and `object` is a live object.
    unsafe fn add(&mut self, object: *mut ffi::PyObject, held: ffi::Py_ssize_t) {
        // SAFETY: `object` is live (the caller's promise), so its header is
        // readable and its type is a live type.
        let tp = unsafe { ffi::Py_TYPE(object) };
        if tp == std::ptr::addr_of_mut!(ffi::PyUnicode_Type)
            // SAFETY: a live str, as its type says.
            && unsafe { is_dummy_key(object) }
        {
            return;
        }
        // SAFETY: as for the type above.
        let refs = counted_refs(unsafe { ffi::Py_REFCNT(object) }, held);
        let key = tp as usize;
        let slot = (key >> 4) % RECENT_SLOTS;
        let at = if self.recent[slot].0 == key {
            self.recent[slot].1
        } else {
            let at = match self.index.get(&key) {
                Some(&at) => at,
                None => {
                    // SAFETY: the type of a live object; `module_key` is
                    // the interned `"__module__"` the census was made with.
                    let title = unsafe { type_title(tp, self.module_key) };
                    let at = self.counts.len() as u32;
                    self.counts.push((
                        key,
                        TypeCount {
                            title,
                            instances: 0,
                            refs: 0,
                        },
                    ));
                    self.index.insert(key, at);
                    at
                }
            };
            self.recent[slot] = (key, at);
            at
        };
        let entry = &mut self.counts[at as usize].1;
        entry.instances += 1;
        entry.refs += refs;
    }

    /// Counts the items of `list` (`sys.getobjects(0)` or
    /// `gc.get_objects()`), but the list.
    ///
    /// Safety: the GIL is held and `list` is a list that nothing changes
    /// while it is counted.
    unsafe fn count_list(&mut self, list: *mut ffi::PyObject) {
        // SAFETY: `list` is a list (the caller's promise) whose items are
        // live objects, each held by the list.
        unsafe {
            let n = ffi::PyList_GET_SIZE(list);
            for i in 0..n {
                let object = ffi::PyList_GET_ITEM(list, i);
                if object != list {
                    self.add(object, 1);
                }
            }
        }
    }

    /// Counts the items of `list` (`gc.get_objects()`) and everything they
    /// reach through `tp_traverse`, each object once.
    ///
    /// The list holds every object the collector tracks (`all_tracked`: none
    /// is frozen in its permanent generation, which `gc.get_objects()` leaves
    /// out), each once. Then a tracked object met on the walk is one of them,
    /// counted already, and only the others (strs, ints, untracked tuples
    /// and dicts...) need the address set: that halves the hashing of a
    /// census that runs after every iteration of a leak hunt.
    ///
    /// Safety: as for [`Counter::count_list`].
    unsafe fn count_reachable(&mut self, list: *mut ffi::PyObject, all_tracked: bool) {
        SCRATCH.with_borrow_mut(|scratch| {
            let Scratch {
                seen,
                pending,
                found,
            } = scratch;
            // SAFETY: the caller's promise.
            unsafe { self.count_reachable_in(list, all_tracked, seen, pending, found) };
            scratch.done();
        });
    }

    /// [`Counter::count_reachable`] with its working memory.
    ///
    /// Safety: as for [`Counter::count_list`].
    unsafe fn count_reachable_in(
        &mut self,
        list: *mut ffi::PyObject,
        all_tracked: bool,
        seen: &mut AddressMap<()>,
        pending: &mut Vec<*mut ffi::PyObject>,
        found: &mut Vec<*mut ffi::PyObject>,
    ) {
        seen.insert(list as usize, ());
        // SAFETY: `list` is a list (the caller's promise).
        let n = unsafe { ffi::PyList_GET_SIZE(list) };
        for i in 0..n {
            // SAFETY: `i` is in range; the list holds its items alive.
            let object = unsafe { ffi::PyList_GET_ITEM(list, i) };
            if all_tracked || seen.insert(object as usize, ()).is_none() {
                // SAFETY: a live item of the list.
                unsafe { self.add(object, 1) };
                // SAFETY: as above.
                if unsafe { super::is_gc(object) } {
                    pending.push(object);
                }
            }
        }
        let skip_tracked = all_tracked;
        // SAFETY: every pending object is a live item of the list.
        unsafe { self.reach_all(seen, pending, found, skip_tracked) };
    }

    /// Counts, once each, the objects the `pending` ones reach and have not
    /// been `seen`, following `tp_traverse` until nothing is pending. With
    /// `skip_tracked`, objects the collector tracks are taken as counted
    /// already (see [`Counter::count_reachable`]).
    ///
    /// Safety: the GIL is held (or the world stopped) and the pending objects
    /// are live and stay so while they are counted.
    unsafe fn reach_all(
        &mut self,
        seen: &mut AddressMap<()>,
        pending: &mut Vec<*mut ffi::PyObject>,
        found: &mut Vec<*mut ffi::PyObject>,
        skip_tracked: bool,
    ) {
        // The addresses last met, direct-mapped: a heap refers over and over
        // to a few objects (None, True, small ints, common strings), and this
        // answers "seen" for them without a lookup in `seen`. It only holds
        // addresses already in `seen`.
        let mut recent = [0usize; RECENT_SEEN];
        while let Some(object) = pending.pop() {
            // SAFETY: every pending object is live (the caller's promise) or
            // was reached from one, which keeps it alive, and counting runs
            // no Python code that could free anything.
            unsafe {
                // Only containers the collector handles are pending (a
                // static type's tp_traverse asserts it is a heap type).
                let Some(traverse) = (*ffi::Py_TYPE(object)).tp_traverse else {
                    continue;
                };
                found.clear();
                traverse(
                    object,
                    visit_referent,
                    std::ptr::from_mut(found).cast::<c_void>(),
                );
                for &referent in found.iter() {
                    let address = referent as usize;
                    let slot = (address >> 4) % RECENT_SEEN;
                    if recent[slot] == address {
                        continue;
                    }
                    let container = super::is_gc(referent);
                    if skip_tracked && container && super::is_tracked(referent) {
                        continue;
                    }
                    recent[slot] = address;
                    if seen.insert(address, ()).is_none() {
                        self.add(referent, 0);
                        if container {
                            pending.push(referent);
                        }
                    }
                }
            }
        }
    }
}

/// The `visitproc` of `reach_all`: collects each referent into the `Vec`
/// that `arg` points to.
unsafe extern "C" fn visit_referent(object: *mut ffi::PyObject, arg: *mut c_void) -> c_int {
    if !object.is_null() {
        // SAFETY: `arg` is the `found` vector `reach_all` passed to
        // `tp_traverse`, which nothing else borrows during the call.
        unsafe { (*arg.cast::<Vec<*mut ffi::PyObject>>()).push(object) };
    }
    0
}

/// zope skips the string `'<dummy key>'` (the old dict dummy entry).
///
/// Safety: the GIL is held and `object` is a live str.
unsafe fn is_dummy_key(object: *mut ffi::PyObject) -> bool {
    // SAFETY: the caller's promise.
    unsafe {
        if ffi::PyUnicode_GET_LENGTH(object) != 11 {
            return false;
        }
        unicode(object).as_deref() == Some("<dummy key>")
    }
}

/// A str's text, or None (and no exception set) when it has no UTF-8 form.
///
/// Safety: the GIL is held and `object` is a live str.
unsafe fn unicode(object: *mut ffi::PyObject) -> Option<String> {
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: the caller's promise; on success `data` points to `size`
    // bytes that the str owns and keeps while it lives.
    unsafe {
        let data = ffi::PyUnicode_AsUTF8AndSize(object, &mut size);
        if data.is_null() {
            ffi::PyErr_Clear();
            return None;
        }
        let bytes = std::slice::from_raw_parts(data.cast::<u8>(), size as usize);
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// The type's title from its C structure: static types carry
/// `module.Name` in `tp_name`; heap types have `__name__` and `__module__`.
///
/// Safety: the GIL is held, `tp` is a live type and `module_key` a str.
pub(super) unsafe fn type_title(
    tp: *mut ffi::PyTypeObject,
    module_key: *mut ffi::PyObject,
) -> String {
    // SAFETY: the caller's promise: a live type's fields are readable; a
    // heap type's name is a str and its dict (when set) a dict; a static
    // type's tp_name is a C string.
    unsafe {
        // `PyType_GetFlags`: the field is atomic on a free-threaded build.
        if ffi::PyType_GetFlags(tp) & ffi::Py_TPFLAGS_HEAPTYPE != 0 {
            let heap = tp.cast::<ffi::PyHeapTypeObject>();
            let name = unicode((*heap).ht_name).unwrap_or_else(|| "?".to_owned());
            let dict = (*tp).tp_dict;
            let module = if dict.is_null() {
                None
            } else {
                let value = ffi::PyDict_GetItemWithError(dict, module_key);
                if value.is_null() {
                    ffi::PyErr_Clear();
                    None
                } else if ffi::PyUnicode_Check(value) != 0 {
                    unicode(value)
                } else {
                    None
                }
            };
            return title(module.as_deref(), &name);
        }
        let full = CStr::from_ptr((*tp).tp_name).to_string_lossy();
        match full.rsplit_once('.') {
            Some((module, name)) => title(Some(module), name),
            None => title(None, &full),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_refs_leave_out_what_the_total_never_counted() {
        assert_eq!(counted_refs(5, 1), 4);
        if cfg!(Py_3_12) {
            // Immortal: 3.14's initial count, and what a free-threaded build reports.
            assert_eq!(counted_refs(3 << 30, 0), 0);
            assert_eq!(counted_refs(u32::MAX as ffi::Py_ssize_t, 0), 0);
            // Flags in the upper half of the word are not references.
            assert_eq!(counted_refs((1 << 48) | 7, 1), 6);
        } else {
            assert_eq!(counted_refs(STATIC_REFCNT_3_11 + 3, 1), 2);
        }
        #[cfg(Py_GIL_DISABLED)]
        assert_eq!(counted_refs(REF_DEFERRED + 2, 0), 2);
    }
}
