//! Fatal signals in a process that runs tests. faulthandler is on for the
//! whole run, writing to a descriptor the tests cannot close or swap (a
//! high, non-inherited duplicate of stderr; in a child, of its results
//! channel), so a segfault or an abort prints the Python stack of the test
//! that crashed. In a process that is nobody's child, a signal handler of
//! ours runs first and names what was running ("leakrunner: fatal signal
//! while running test_x (pkg.T.test_x)"): faulthandler's stack shows the
//! frames, not the test's id.
//!
//! The note is a fixed buffer the runner rewrites as tests and layer
//! methods begin and end; the handler only reads it and calls `write(2)`,
//! then hands the signal to faulthandler's handler, which dumps the stack
//! and lets the process die of the signal.

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicUsize, Ordering};

use pyo3::intern;
use pyo3::prelude::*;

/// The signals faulthandler handles.
const FATAL_SIGNALS: [libc::c_int; 5] = [
    libc::SIGSEGV,
    libc::SIGFPE,
    libc::SIGABRT,
    libc::SIGBUS,
    libc::SIGILL,
];

const NOTE_CAPACITY: usize = 1024;

/// Written by the thread that runs tests (holding the GIL), read by the
/// signal handler: `NOTE_LEN` is zero while the bytes change.
struct NoteBuffer(UnsafeCell<[u8; NOTE_CAPACITY]>);
// SAFETY: one writer (the runner, under the GIL); the reader is a signal
// handler that trusts only the bytes `NOTE_LEN` published.
unsafe impl Sync for NoteBuffer {}

/// The name of what runs (a test, a layer method)...
static NOTE: NoteBuffer = NoteBuffer(UnsafeCell::new([0; NOTE_CAPACITY]));
static NOTE_LEN: AtomicUsize = AtomicUsize::new(0);
/// ... and where the run is with it: a [`Note`].
static NOTE_KIND: AtomicU8 = AtomicU8::new(0);
static NOTE_FD: AtomicI32 = AtomicI32::new(-1);

struct Previous(UnsafeCell<[Option<libc::sigaction>; FATAL_SIGNALS.len()]>);
// SAFETY: written only while installing (before the handler can run for
// that signal) and read by the handler.
unsafe impl Sync for Previous {}
static PREVIOUS: Previous = Previous(UnsafeCell::new([None; FATAL_SIGNALS.len()]));

/// A run owns faulthandler (nested runs, from tests that call the runner,
/// leave it alone).
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Where the run is with the thing the note names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Note {
    Nothing = 0,
    /// A test runs.
    Running = 1,
    /// A layer method runs.
    Inside = 2,
    /// It ended; the next has not begun.
    After = 3,
}

impl Note {
    fn from_u8(kind: u8) -> Note {
        match kind {
            1 => Note::Running,
            2 => Note::Inside,
            3 => Note::After,
            _ => Note::Nothing,
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Note::Nothing => "",
            Note::Running => "leakrunner: fatal signal while running ",
            Note::Inside => "leakrunner: fatal signal in ",
            Note::After => "leakrunner: fatal signal after ",
        }
    }
}

/// Names what runs, and where the run is with it.
pub fn set_note(kind: Note, name: &str) {
    NOTE_KIND.store(Note::Nothing as u8, Ordering::Release);
    NOTE_LEN.store(0, Ordering::Release);
    let bytes = name.as_bytes();
    let n = bytes.len().min(NOTE_CAPACITY);
    // SAFETY: the single writer; the handler reads nothing while the
    // length is zero.
    unsafe {
        (&mut *NOTE.0.get())[..n].copy_from_slice(&bytes[..n]);
    }
    NOTE_LEN.store(n, Ordering::Release);
    NOTE_KIND.store(kind as u8, Ordering::Release);
}

/// What the note names has ended (a test between its stopTest and the
/// next one's startTest costs one store).
pub fn note_ended() {
    if NOTE_KIND.load(Ordering::Relaxed) != Note::Nothing as u8 {
        NOTE_KIND.store(Note::After as u8, Ordering::Release);
    }
}

/// The line the handler would print, to put back after a nested run.
fn note() -> (Note, String) {
    let kind = Note::from_u8(NOTE_KIND.load(Ordering::Acquire));
    let n = NOTE_LEN.load(Ordering::Acquire);
    // SAFETY: as in `set_note`, read by the writer's own thread.
    let bytes = unsafe { &(&*NOTE.0.get())[..n] };
    (kind, String::from_utf8_lossy(bytes).into_owned())
}

/// The line the handler prints.
#[cfg(test)]
fn note_line() -> String {
    let (kind, name) = note();
    match kind {
        Note::Nothing => String::new(),
        kind => format!("{}{name}\n", kind.prefix()),
    }
}

extern "C" fn on_fatal_signal(
    signum: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    let fd = NOTE_FD.load(Ordering::Relaxed);
    let kind = Note::from_u8(NOTE_KIND.load(Ordering::Acquire));
    let n = NOTE_LEN.load(Ordering::Acquire);
    if fd >= 0 && kind != Note::Nothing {
        let prefix = kind.prefix();
        // SAFETY: write(2) is async-signal-safe; the buffers are static.
        unsafe {
            libc::write(fd, prefix.as_ptr().cast(), prefix.len());
            libc::write(fd, (*NOTE.0.get()).as_ptr().cast(), n);
            libc::write(fd, b"\n".as_ptr().cast(), 1);
        }
    }
    let Some(index) = FATAL_SIGNALS.iter().position(|&s| s == signum) else {
        return;
    };
    // SAFETY: the previous action was stored before ours was installed.
    let Some(previous) = (unsafe { (*PREVIOUS.0.get())[index] }) else {
        return;
    };
    // SAFETY: calls the handler that was installed before ours, as the
    // kernel would have, or restores the default action and re-raises.
    unsafe {
        let handler = previous.sa_sigaction;
        if handler == libc::SIG_DFL || handler == libc::SIG_IGN {
            libc::sigaction(signum, &previous, std::ptr::null_mut());
            libc::raise(signum);
        } else if previous.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(handler);
            f(signum, info, context);
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(handler);
            f(signum);
        }
    }
}

fn handler_address() -> libc::sighandler_t {
    on_fatal_signal as *const () as libc::sighandler_t
}

/// Puts our handler in front of faulthandler's for the fatal signals.
fn install_note_handler(fd: libc::c_int) {
    NOTE_FD.store(fd, Ordering::Relaxed);
    for (index, &signum) in FATAL_SIGNALS.iter().enumerate() {
        // SAFETY: plain sigaction calls; the previous action is stored
        // before the handler can run for this signal.
        unsafe {
            let mut previous: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signum, std::ptr::null(), &mut previous) != 0 {
                continue;
            }
            (*PREVIOUS.0.get())[index] = Some(previous);
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = handler_address();
            libc::sigemptyset(&mut action.sa_mask);
            // As faulthandler's own: on its alternate stack (a stack
            // overflow), and re-raisable from inside.
            action.sa_flags = libc::SA_SIGINFO | libc::SA_NODEFER | libc::SA_ONSTACK;
            libc::sigaction(signum, &action, std::ptr::null_mut());
        }
    }
}

/// Gives the fatal signals back to faulthandler where ours is still there.
fn uninstall_note_handler() {
    for (index, &signum) in FATAL_SIGNALS.iter().enumerate() {
        // SAFETY: plain sigaction calls.
        unsafe {
            let mut current: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(signum, std::ptr::null(), &mut current) != 0 {
                continue;
            }
            if current.sa_sigaction == handler_address() {
                if let Some(previous) = (*PREVIOUS.0.get())[index] {
                    libc::sigaction(signum, &previous, std::ptr::null_mut());
                }
            }
        }
    }
    NOTE_FD.store(-1, Ordering::Relaxed);
}

/// faulthandler for the length of a run.
pub struct Guard {
    /// What this run set up; None for a nested run.
    owned: Option<Owned>,
    /// A nested run puts the outer run's note back.
    outer_note: (Note, String),
}

struct Owned {
    fd: i32,
    was_enabled: bool,
    dump_signal: bool,
    note_handler: bool,
}

impl Guard {
    /// Turns faulthandler on, onto a protected duplicate of `channel_fd`
    /// in a child (plus the stack dump its parent asks for when the child
    /// runs too long), of stderr otherwise.
    pub fn start(py: Python<'_>, channel_fd: Option<i32>) -> PyResult<Guard> {
        let outer_note = note();
        if ACTIVE.swap(true, Ordering::AcqRel) {
            return Ok(Guard {
                owned: None,
                outer_note,
            });
        }
        let crash = py.import(intern!(py, "leakrunner._crash"))?;
        let fd: Option<i32> = match channel_fd {
            Some(fd) => Some(
                crash
                    .call_method1(intern!(py, "protected_dup"), (fd,))?
                    .extract()?,
            ),
            None => crash.call_method0(intern!(py, "stderr_dup"))?.extract()?,
        };
        let Some(fd) = fd else {
            ACTIVE.store(false, Ordering::Release);
            return Ok(Guard {
                owned: None,
                outer_note,
            });
        };
        let dump_signal = channel_fd.is_some();
        let was_enabled: bool = crash
            .call_method1(intern!(py, "enable_faulthandler"), (fd, dump_signal))?
            .extract()?;
        // The parent names a child's crash from its channel; a process
        // that is nobody's child names it itself.
        let note_handler = channel_fd.is_none();
        if note_handler {
            install_note_handler(fd);
        }
        Ok(Guard {
            owned: Some(Owned {
                fd,
                was_enabled,
                dump_signal,
                note_handler,
            }),
            outer_note,
        })
    }

    /// Turns faulthandler back to what it was before the run.
    pub fn finish(self, py: Python<'_>) -> PyResult<()> {
        set_note(self.outer_note.0, &self.outer_note.1);
        let Some(owned) = self.owned else {
            return Ok(());
        };
        if owned.note_handler {
            uninstall_note_handler();
        }
        let crash = py.import(intern!(py, "leakrunner._crash"))?;
        let result = crash.call_method1(
            intern!(py, "disable_faulthandler"),
            (owned.was_enabled, owned.dump_signal),
        );
        // SAFETY: our own duplicate, no longer used by faulthandler.
        unsafe {
            libc::close(owned.fd);
        }
        ACTIVE.store(false, Ordering::Release);
        result.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_says_what_runs_and_keeps_what_fits() {
        set_note(Note::Running, "t (m.T.t)");
        assert_eq!(
            note_line(),
            "leakrunner: fatal signal while running t (m.T.t)\n"
        );
        note_ended();
        assert_eq!(note_line(), "leakrunner: fatal signal after t (m.T.t)\n");
        set_note(Note::Inside, "m.L.setUp");
        assert_eq!(note_line(), "leakrunner: fatal signal in m.L.setUp\n");
        let long = "x".repeat(NOTE_CAPACITY + 10);
        set_note(Note::Running, &long);
        assert_eq!(note().1.len(), NOTE_CAPACITY);
        set_note(Note::Nothing, "");
        note_ended();
        assert_eq!(note_line(), "");
    }
}
