//! Reporters: turn the runner's events into output.
//!
//! Each reporter consumes [`Event`]s through [`Reporter::handle`] and writes
//! through an injected [`Output`], so every formatter is a pure function that
//! tests can drive with a string buffer.

pub mod cli;
pub mod color;
pub mod compare;
pub mod console;
pub mod format;
pub mod html;
pub mod json;
pub mod leaks;
pub mod progress;
pub mod subunit;
pub mod xml;

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
    /// Writes bytes to the stream's byte layer (`sys.stdout.buffer`), as
    /// subunit does, without flushing what was written as text before.
    /// Outputs without a byte layer take them as UTF-8 text.
    fn write_bytes(&mut self, stream: Stream, bytes: &[u8]) {
        self.write(stream, &String::from_utf8_lossy(bytes));
    }
    /// zope flushes stdout after a partial line ("  Set up X ") and after
    /// each test, so that long set-ups and slow tests show progress live.
    fn flush(&mut self);
}

/// What a reporter needs the runner to find out about tests, beyond what
/// every event carries. Finding it out costs Python calls per test, so the
/// runner does it only when some reporter asks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// `str(test)` as each test starts (the console at `-vv`, `-p -v`).
    pub names: bool,
    /// `test.id()` and zope's XML naming of each test (subunit, XML).
    pub identities: bool,
    /// The type, message and stdlib stack of each exception (XML).
    pub exceptions: bool,
}

impl Needs {
    pub fn union(self, other: Needs) -> Needs {
        Needs {
            names: self.names || other.names,
            identities: self.identities || other.identities,
            exceptions: self.exceptions || other.exceptions,
        }
    }
}

/// When an event happened, read by the runner as it emits the event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stamp {
    /// Seconds since the Unix epoch, UTC.
    pub unix: f64,
}

pub trait Reporter {
    fn needs(&self) -> Needs {
        Needs::default()
    }

    fn handle(&mut self, event: &Event, at: Stamp, out: &mut dyn Output);

    /// The run is over: write what was kept for the end (report files).
    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        Ok(())
    }
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
