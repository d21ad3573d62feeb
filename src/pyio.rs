//! The [`Output`] of a run: the *current* `sys.stdout` and `sys.stderr`.
//!
//! Looked up at every write, as `print()` does, so that doctest's and
//! pytest's capture, `contextlib.redirect_stdout`, `--buffer` and a child
//! process's redirection of stderr all see the runner's output. Text is
//! gathered per event and written in one call per stream change.

use pyo3::intern;
use pyo3::prelude::*;

use crate::report::{Output, Stream};

pub struct PyOutput {
    sys: Py<PyModule>,
    pending: Vec<(Stream, String)>,
    flush_requested: bool,
}

impl Output for PyOutput {
    fn write(&mut self, stream: Stream, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.pending.last_mut() {
            Some((s, buf)) if *s == stream => buf.push_str(text),
            _ => self.pending.push((stream, text.to_owned())),
        }
    }

    fn flush(&mut self) {
        self.flush_requested = true;
    }
}

impl PyOutput {
    pub fn new(py: Python<'_>) -> PyResult<PyOutput> {
        Ok(PyOutput {
            sys: py.import(intern!(py, "sys"))?.unbind(),
            pending: Vec::new(),
            flush_requested: false,
        })
    }

    /// Writes what the reporters produced for one event.
    pub fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        if self.pending.is_empty() && !self.flush_requested {
            return Ok(());
        }
        let sys = self.sys.bind(py);
        for (stream, text) in self.pending.drain(..) {
            let name = match stream {
                Stream::Stdout => intern!(py, "stdout"),
                Stream::Stderr => intern!(py, "stderr"),
            };
            sys.getattr(name)?
                .call_method1(intern!(py, "write"), (text,))?;
        }
        if std::mem::take(&mut self.flush_requested) {
            sys.getattr(intern!(py, "stdout"))?
                .call_method0(intern!(py, "flush"))?;
        }
        Ok(())
    }
}
