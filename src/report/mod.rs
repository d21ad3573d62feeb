//! Reporters: turn the runner's events into output.
//!
//! Each reporter consumes [`Event`]s through [`Reporter::handle`] and writes
//! through an injected [`Output`], so every formatter is a pure function that
//! tests can drive with a string buffer.

pub mod console;

use crate::events::Event;

/// The two standard streams of the process that runs the tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Where a reporter writes.
pub trait Output {
    fn write(&mut self, stream: Stream, text: &str);
    /// zope flushes stdout after a partial line ("  Set up X ") and after
    /// each test, so that long set-ups and slow tests show progress live.
    fn flush(&mut self);
}

pub trait Reporter {
    fn handle(&mut self, event: &Event, out: &mut dyn Output);
}

/// An [`Output`] into memory, for tests and for child processes' buffers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Captured {
    pub stdout: String,
    pub stderr: String,
    pub flushes: usize,
}

impl Output for Captured {
    fn write(&mut self, stream: Stream, text: &str) {
        match stream {
            Stream::Stdout => self.stdout.push_str(text),
            Stream::Stderr => self.stderr.push_str(text),
        }
    }

    fn flush(&mut self) {
        self.flushes += 1;
    }
}
