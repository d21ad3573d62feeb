/* Walks every live object of a CPython 3.13+ trace-refs build.
 *
 * Such builds keep all objects in a hash table of the interpreter
 * ("refchain"); sys.getobjects() copies it into a new list, which for a
 * million objects costs far more than counting them. This shim visits the
 * table in place. It is compiled (by build.rs) only for a trace-refs
 * interpreter, against that interpreter's own internal headers, so the
 * structure layout it relies on is the one of the interpreter that loads it.
 *
 * The visit callback must not create or destroy Python objects: that would
 * change the table while it is being walked.
 */

#define Py_BUILD_CORE 1
#include "Python.h"
#include "pycore_interp.h"
#include "pycore_hashtable.h"

typedef int (*leakrunner_visit)(PyObject *object, void *arg);

struct leakrunner_adapter {
    leakrunner_visit visit;
    void *arg;
};

static int
leakrunner_each(_Py_hashtable_t *Py_UNUSED(table), const void *key,
                const void *Py_UNUSED(value), void *user_data)
{
    struct leakrunner_adapter *adapter = (struct leakrunner_adapter *)user_data;
    return adapter->visit((PyObject *)key, adapter->arg);
}

/* Returns -1 when this interpreter keeps no table, else what the walk
 * returned (0, or the first non-zero result of visit). */
int
leakrunner_refchain_foreach(leakrunner_visit visit, void *arg)
{
    PyInterpreterState *interp = PyInterpreterState_Get();
    _Py_hashtable_t *table = interp->object_state.refchain;
    if (table == NULL) {
        return -1;
    }
    struct leakrunner_adapter adapter = {visit, arg};
    return _Py_hashtable_foreach(table, leakrunner_each, &adapter);
}
