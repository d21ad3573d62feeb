//! The [`Output`] of a run: the *current* `sys.stdout` and `sys.stderr`.
//!
//! Looked up at every write, as `print()` does, so that doctest's and
//! pytest's capture, `contextlib.redirect_stdout`, `--buffer` and a child
//! process's redirection of stderr all see the runner's output. Text is
//! gathered per event and written in one call per stream change.
//!
//! A child process pins its stdout instead: its console output is what the
//! parent shows, and a test that replaces `sys.stdout` and never puts it
//! back must not hide it. The runner writes between tests (a subtest's
//! failure aside), where the two agree whenever the tests behave.

use pyo3::intern;
use pyo3::prelude::*;

use crate::report::{Output, Stream};

/// What one event wrote to one stream: text, or bytes for its byte layer.
enum Pending {
    Text(Stream, String),
    Bytes(Stream, Vec<u8>),
}

pub struct PyOutput {
    sys: Py<PyModule>,
    /// A child's stdout, used instead of the current `sys.stdout`.
    pinned: Option<Py<PyAny>>,
    pending: Vec<Pending>,
    flush_requested: bool,
}

impl Output for PyOutput {
    fn write(&mut self, stream: Stream, text: &str) {
        if text.is_empty() {
            return;
        }
        match self.pending.last_mut() {
            Some(Pending::Text(s, buf)) if *s == stream => buf.push_str(text),
            _ => self.pending.push(Pending::Text(stream, text.to_owned())),
        }
    }

    /// Bytes go to `sys.stdout.buffer` (or `sys.stderr.buffer`) and are
    /// flushed there, as python-subunit writes its stream; text written
    /// before stays in the text layer until that flushes, as in zope.
    fn write_bytes(&mut self, stream: Stream, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        match self.pending.last_mut() {
            Some(Pending::Bytes(s, buf)) if *s == stream => buf.extend_from_slice(bytes),
            _ => self.pending.push(Pending::Bytes(stream, bytes.to_vec())),
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
            pinned: None,
            pending: Vec::new(),
            flush_requested: false,
        })
    }

    /// Writes stdout to `stdout` whatever `sys.stdout` becomes.
    pub fn pinned(py: Python<'_>, stdout: Py<PyAny>) -> PyResult<PyOutput> {
        let mut output = PyOutput::new(py)?;
        output.pinned = Some(stdout);
        Ok(output)
    }

    fn stream<'py>(&self, py: Python<'py>, stream: Stream) -> PyResult<Bound<'py, PyAny>> {
        match (stream, &self.pinned) {
            (Stream::Stdout, Some(pinned)) => Ok(pinned.bind(py).clone()),
            (Stream::Stdout, None) => self.sys.bind(py).getattr(intern!(py, "stdout")),
            (Stream::Stderr, _) => self.sys.bind(py).getattr(intern!(py, "stderr")),
        }
    }

    /// Writes what the reporters produced for one event.
    pub fn finish(&mut self, py: Python<'_>) -> PyResult<()> {
        if self.pending.is_empty() && !self.flush_requested {
            return Ok(());
        }
        for pending in std::mem::take(&mut self.pending) {
            match pending {
                Pending::Text(stream, text) => {
                    self.stream(py, stream)?
                        .call_method1(intern!(py, "write"), (text,))?;
                }
                Pending::Bytes(stream, bytes) => {
                    let text_layer = self.stream(py, stream)?;
                    match text_layer.getattr_opt(intern!(py, "buffer"))? {
                        Some(buffer) => {
                            // An unbuffered (raw) layer may take part of it.
                            let mut offset = 0;
                            while offset < bytes.len() {
                                let written = buffer.call_method1(
                                    intern!(py, "write"),
                                    (pyo3::types::PyBytes::new(py, &bytes[offset..]),),
                                )?;
                                match written.extract::<Option<usize>>() {
                                    Ok(Some(n)) if n > 0 => offset += n,
                                    _ => break,
                                }
                            }
                            buffer.call_method0(intern!(py, "flush"))?;
                        }
                        // A text-only stream (io.StringIO, a capture).
                        None => {
                            text_layer.call_method1(
                                intern!(py, "write"),
                                (String::from_utf8_lossy(&bytes),),
                            )?;
                        }
                    }
                }
            }
        }
        if std::mem::take(&mut self.flush_requested) {
            self.stream(py, Stream::Stdout)?
                .call_method0(intern!(py, "flush"))?;
        }
        Ok(())
    }
}
