//! The [`Output`] of a run: the *current* `sys.stdout` and `sys.stderr`.
//!
//! Looked up at every write, as `print()` does, so that doctest's and
//! pytest's capture, `contextlib.redirect_stdout`, `--buffer` and a child
//! process's redirection of stderr all see the runner's output. Text is
//! gathered per event and written in one call per stream change.

use pyo3::intern;
use pyo3::prelude::*;

use crate::report::{Output, Stream};

#[derive(Default)]
pub struct PyOutput {
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
    /// Writes what the reporters produced for one event.
    pub fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        let sys = py.import(intern!(py, "sys"))?;
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
