/* Walks every live object of a CPython 3.13+ trace-refs build.
 *
 * Such builds keep all objects in a hash table of the interpreter
 * ("refchain"); sys.getobjects() copies it into a new list, which for a
 * million objects costs far more than counting them. This shim visits the
 * table in place. It is compiled (by build.rs) only for a trace-refs
 * interpreter, against that interpreter's own internal headers, so the
 * structure layout it relies on is the one of the interpreter that loads it.
 *
 * The table's entries and the objects they point to are scattered over the
 * heap, so a plain walk (_Py_hashtable_foreach) waits on two cache misses
 * per object, one after the other. This walk reads the bucket array
 * itself, prefetches the entries a few buckets ahead and each object as its
 * entry is read, and hands the objects over in batches: by the time the
 * visitor reads an object's header, the load has been in flight for a while.
 *
 * The visit callback must not create or destroy Python objects: that would
 * change the table while it is being walked.
 */

#define Py_BUILD_CORE 1
#include "Python.h"
#include "pycore_interp.h"
#include "pycore_hashtable.h"

typedef int (*leakrunner_visit_batch)(PyObject **objects, size_t count, void *arg);

/* How many buckets ahead the entries are prefetched, and how many objects
 * are prefetched before the visitor sees the first of them (measured on a
 * heap of a million objects; larger values gain nothing). */
#define LEAKRUNNER_BUCKETS_AHEAD 64
#define LEAKRUNNER_BATCH 128

#if defined(__GNUC__) || defined(__clang__)
#  define LEAKRUNNER_PREFETCH(p) __builtin_prefetch((p), 0, 3)
#else
#  define LEAKRUNNER_PREFETCH(p) ((void)(p))
#endif

/* Returns -1 when this interpreter keeps no table, else what the walk
 * returned (0, or the first non-zero result of visit). */
int
leakrunner_refchain_foreach(leakrunner_visit_batch visit, void *arg)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    _Py_hashtable_t *table = interp->object_state.refchain;
    if (table == NULL) {
        return -1;
    }
    _Py_slist_t *buckets = table->buckets;
    size_t nbuckets = table->nbuckets;
    PyObject *batch[LEAKRUNNER_BATCH];
    size_t count = 0;
    for (size_t i = 0; i < nbuckets; i++) {
        if (i + LEAKRUNNER_BUCKETS_AHEAD < nbuckets) {
            _Py_slist_item_t *ahead = buckets[i + LEAKRUNNER_BUCKETS_AHEAD].head;
            if (ahead != NULL) {
                LEAKRUNNER_PREFETCH(ahead);
            }
        }
        _Py_slist_item_t *item = buckets[i].head;
        while (item != NULL) {
            _Py_hashtable_entry_t *entry = (_Py_hashtable_entry_t *)item;
            PyObject *object = (PyObject *)entry->key;
            LEAKRUNNER_PREFETCH(object);
            batch[count++] = object;
            if (count == LEAKRUNNER_BATCH) {
                int status = visit(batch, count, arg);
                if (status != 0) {
                    return status;
                }
                count = 0;
            }
            item = item->next;
        }
    }
    return count == 0 ? 0 : visit(batch, count, arg);
}
