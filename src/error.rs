//! Runner errors: the one place they become Python exceptions.
//!
//! A test's own failure is never an error here; it is an outcome reported as
//! data. These are failures of the run itself: bad input, the user pressing
//! Ctrl-C, or a Python exception raised where zope.testrunner would let it
//! escape too (for example from a layer's testSetUp).

use pyo3::exceptions::{PyKeyboardInterrupt, PySystemExit};
use pyo3::prelude::*;

#[derive(Debug)]
pub enum Error {
    /// Exit the process with this status after printing `message` (if any)
    /// to stderr: argparse-style usage errors (2), `--help`/`--version` (0),
    /// zope's "Too many --gc options" (1).
    Exit { status: i32, stderr: String },
    /// A bad value the command line parser could not check (a regular
    /// expression neither engine accepts): the boundary reports it as
    /// argparse reports usage errors, `PROG: error: MESSAGE`, status 2.
    Usage(String),
    /// Ctrl-C: the partial results have been reported; re-raised so that
    /// callers of `run_internal` see it, and `run()` exits with status 130.
    Interrupted,
    /// A Python exception escaping the run, as it would from zope.testrunner.
    Python(PyErr),
}

impl From<PyErr> for Error {
    fn from(err: PyErr) -> Error {
        Error::Python(err)
    }
}

impl Error {
    pub fn into_pyerr(self, py: Python<'_>) -> PyErr {
        match self {
            Error::Exit { status, stderr } => {
                if !stderr.is_empty() {
                    let written = py
                        .import("sys")
                        .and_then(|sys| sys.getattr("stderr"))
                        .and_then(|err| err.call_method1("write", (stderr,)));
                    if let Err(e) = written {
                        return e;
                    }
                }
                PySystemExit::new_err(status)
            }
            Error::Usage(message) => Error::Exit {
                status: 2,
                stderr: format!("leakrunner: error: {message}\n"),
            }
            .into_pyerr(py),
            Error::Interrupted => PyKeyboardInterrupt::new_err(()),
            Error::Python(err) => err,
        }
    }

    pub fn is_keyboard_interrupt(&self, py: Python<'_>) -> bool {
        match self {
            Error::Interrupted => true,
            Error::Python(err) => err.is_instance_of::<PyKeyboardInterrupt>(py),
            Error::Exit { .. } | Error::Usage(_) => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;
