//! The heap census behind `-r -v`: instances and references per type, and the
//! change between two censuses.
//!
//! A census is plain data: type titles and numbers, keyed by the type
//! object's address, with no Python reference kept between iterations (a
//! held type would stay alive and skew the next count). Taking one is
//! `heap::take`, the only part that reads the interpreter's heap.

pub mod chain;
pub mod heap;
pub mod orphans;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use serde::{Deserialize, Serialize};

/// One row of the `-r -v` table: change in instances and references of a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeakRow {
    pub title: String,
    pub instances: i64,
    pub refs: i64,
}

/// Objects that became orphans (alive, and nothing on the heap refers to
/// them) between two heap scans, for one type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrphans {
    pub title: String,
    pub count: i64,
    /// `repr` of a few of them, cut to a bounded length.
    pub samples: Vec<String>,
    /// Where the first sample was allocated (`tracemalloc`), if traced.
    pub allocated_at: Vec<String>,
}

/// Where a census looked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every live object (`sys.getobjects`, a trace-refs build).
    AllObjects,
    /// The objects the garbage collector tracks and everything they reach
    /// (a debug build without trace-refs).
    ReachableHeap,
    /// The objects the garbage collector tracks (a release build). Objects
    /// it does not track (strs, ints, floats, code...) are left out: a
    /// release build has no reference total for a census to explain, and
    /// walking every container for them tripled the cost of a leak hunt's
    /// probe. Their memory still shows, as allocated blocks.
    Tracked,
}

/// Counts for one type in one census.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCount {
    pub title: String,
    pub instances: i64,
    /// References to those instances, immortal objects' excluded.
    pub refs: i64,
}

/// A hasher for addresses: they are already well spread, and hashing them
/// with SipHash would cost more than counting the object.
#[derive(Default)]
pub struct AddressHasher(u64);

impl Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8 | u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // Objects are 16-byte aligned: drop the zero bits, then mix.
        self.0 = ((n as u64) >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub type AddressMap<V> = HashMap<usize, V, BuildHasherDefault<AddressHasher>>;

/// `PyObject_GC_IsTracked` for an object [`is_gc`] said is a container.
/// On GIL builds up to 3.13 the collector's header (`PyGC_Head`: the
/// `_gc_next` and `_gc_prev` words) sits just before the object, and a
/// tracked object's `_gc_next` is not zero (`_PyObject_GC_IS_TRACKED`):
/// read in place. Elsewhere, CPython's function.
///
/// # Safety
///
/// The GIL is held (or the world stopped), `object` is live and a container
/// of the collector.
#[inline(always)]
pub unsafe fn is_tracked(object: *mut pyo3::ffi::PyObject) -> bool {
    #[cfg(all(not(Py_GIL_DISABLED), not(Py_3_14)))]
    // SAFETY: the caller's promise: a live container has its PyGC_Head
    // right before it, and its first word is `_gc_next`.
    unsafe {
        *object.cast::<usize>().sub(2) != 0
    }
    #[cfg(any(Py_GIL_DISABLED, Py_3_14))]
    // SAFETY: the caller's promise.
    unsafe {
        pyo3::ffi::PyObject_GC_IsTracked(object) != 0
    }
}

/// `PyObject_IS_GC`, inlined: the walks ask it of every object they meet,
/// and CPython's exported function costs a call each time.
///
/// # Safety
///
/// The GIL is held (or the world stopped) and `object` is live.
#[inline(always)]
pub unsafe fn is_gc(object: *mut pyo3::ffi::PyObject) -> bool {
    use pyo3::ffi;
    // SAFETY: the caller's promise: a live object's type is readable, and
    // its `tp_is_gc` may be called on it.
    unsafe {
        let tp = ffi::Py_TYPE(object);
        if (*tp).tp_flags & ffi::Py_TPFLAGS_HAVE_GC == 0 {
            return false;
        }
        match (*tp).tp_is_gc {
            None => true,
            Some(is_gc) => is_gc(object) != 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Census {
    pub scope: Scope,
    /// By type object address.
    pub types: AddressMap<TypeCount>,
}

impl Census {
    pub fn new(scope: Scope) -> Census {
        Census {
            scope,
            types: AddressMap::default(),
        }
    }

    /// Sum of the references over all counted objects (zope's "sum detail
    /// refcount").
    pub fn total_refs(&self) -> i64 {
        self.types.values().map(|t| t.refs).sum()
    }

    /// The change from `before` to `self`, one row per type whose instance
    /// or reference count changed, sorted as zope sorts them (by title, then
    /// the numbers). A type is the same type in both censuses only if its
    /// address and title both match: a freed class whose address is reused
    /// by another is two rows, as two distinct objects were for zope.
    pub fn changes_since(&self, before: &Census) -> Vec<LeakRow> {
        let mut rows = Vec::new();
        for (addr, now) in &self.types {
            let (instances, refs) = match before.types.get(addr) {
                Some(then) if then.title == now.title => {
                    (now.instances - then.instances, now.refs - then.refs)
                }
                Some(then) => {
                    rows.push(LeakRow {
                        title: then.title.clone(),
                        instances: -then.instances,
                        refs: -then.refs,
                    });
                    (now.instances, now.refs)
                }
                None => (now.instances, now.refs),
            };
            rows.push(LeakRow {
                title: now.title.clone(),
                instances,
                refs,
            });
        }
        for (addr, then) in &before.types {
            if !self.types.contains_key(addr) {
                rows.push(LeakRow {
                    title: then.title.clone(),
                    instances: -then.instances,
                    refs: -then.refs,
                });
            }
        }
        rows.retain(|r| r.instances != 0 || r.refs != 0);
        rows.sort_by(|a, b| (&a.title, a.instances, a.refs).cmp(&(&b.title, b.instances, b.refs)));
        rows
    }
}

/// zope's `type_or_class_title`, fixed for Python 3: builtins by bare name.
pub fn title(module: Option<&str>, name: &str) -> String {
    match module {
        None | Some("builtins") | Some("__builtin__") => name.to_owned(),
        Some(module) => format!("{module}.{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn census(entries: &[(usize, &str, i64, i64)]) -> Census {
        let mut c = Census::new(Scope::AllObjects);
        for &(addr, title, instances, refs) in entries {
            c.types.insert(
                addr,
                TypeCount {
                    title: title.into(),
                    instances,
                    refs,
                },
            );
        }
        c
    }

    fn rows(rows: &[LeakRow]) -> Vec<(&str, i64, i64)> {
        rows.iter()
            .map(|r| (r.title.as_str(), r.instances, r.refs))
            .collect()
    }

    #[test]
    fn changes_are_sorted_by_title_and_zero_rows_dropped() {
        let before = census(&[
            (16, "tuple", 10, 30),
            (32, "float", 5, 5),
            (48, "dict", 3, 9),
            (64, "gone.Type", 2, 2),
        ]);
        let after = census(&[
            (16, "tuple", 11, 31),
            (32, "float", 6, 6),
            (48, "dict", 3, 9),
            (80, "leak.Leakable", 1, 1),
        ]);
        assert_eq!(
            rows(&after.changes_since(&before)),
            vec![
                ("float", 1, 1),
                ("gone.Type", -2, -2),
                ("leak.Leakable", 1, 1),
                ("tuple", 1, 1)
            ]
        );
        assert!(after.changes_since(&after).is_empty());
        assert_eq!(after.total_refs(), 31 + 6 + 9 + 1);
    }

    #[test]
    fn a_reused_address_is_two_types() {
        let before = census(&[(16, "m.Old", 1, 2)]);
        let after = census(&[(16, "m.New", 1, 3)]);
        assert_eq!(
            rows(&after.changes_since(&before)),
            vec![("m.New", 1, 3), ("m.Old", -1, -2)]
        );
    }

    #[test]
    fn titles() {
        assert_eq!(title(Some("builtins"), "dict"), "dict");
        assert_eq!(title(None, "float"), "float");
        assert_eq!(title(Some("leak"), "Leakable"), "leak.Leakable");
        assert_eq!(
            title(Some("collections"), "OrderedDict"),
            "collections.OrderedDict"
        );
    }
}
