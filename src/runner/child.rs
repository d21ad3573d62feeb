//! Child processes: layers that run in a fresh interpreter.
//!
//! When a layer's tearDown raises NotImplementedError while another layer
//! needs it gone, the remaining layers run one at a time in children; with
//! `-j N` every layer does, up to N at once. Children are started with
//! zope.testrunner's `--resume-layer LAYER N` protocol: each re-discovers the
//! tests, runs only its layer and prints its own console output, which the
//! parent shows as zope does. A child reports back twice: zope's
//! `ran failures errors` lines on its stderr, which zope's parents read, and
//! everything as it happens (skipped tests and import errors included, which
//! zope's protocol loses) on its results channel (`channel`).
//!
//! Children are started with `subprocess.Popen`, looked up when each starts,
//! as zope does: a program that replaces it (zope's own doctests do, to
//! make a child's output unreadable) gets the same behaviour. A real
//! process's pipes are then read here, without the GIL; anything else is
//! read through its `readline()` and `read()`. Output that cannot be read is
//! reported as zope reports it ("Error reading subprocess output for L" and
//! the error), and reading goes on.
//!
//! A child that crashes (a signal, `os._exit`, a time limit) is reported
//! after the output it printed: the test or layer method it was in, how it
//! ended and faulthandler's stack. The tests that finished keep their
//! results, the crashed one is an error under its own name, and the rest of
//! the layer runs in a new child started with `--resume-after N` (after the
//! layer's first N tests; a hidden argument, as `--resume-layer` is).

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::os::fd::FromRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use super::channel::{one_line, Transcript, CHANNEL_ENV};
use super::result::SharedSink;
use super::RunConfig;
use crate::error::Result;
use crate::events::{ChildDetails, ChildEnding, ChildFailure, Event, Notice};
use crate::layers::LayerId;
use crate::leaks::CensusScope;

/// What the children of one resume reported back.
pub type ChildOutcome = crate::stats::ChildCounts;

/// The child's report by zope's protocol, after its channel's last
/// records: it closes its console (EOF tells the parent the output is
/// complete), then writes `ran failures errors` and one name per line to
/// stderr. A test may have broken stderr; the channel has it all anyway.
pub fn report_to_parent(
    py: Python<'_>,
    stderr: &Bound<'_, PyAny>,
    console: Option<&Py<PyAny>>,
    outcome: &ChildOutcome,
) -> PyResult<()> {
    match console {
        Some(console) => console.bind(py).call_method0(intern!(py, "close"))?,
        None => py
            .import(intern!(py, "sys"))?
            .getattr(intern!(py, "stdout"))?
            .call_method0(intern!(py, "close"))?,
    };
    let mut text = format!(
        "{} {} {}\n",
        outcome.ran,
        outcome.failures.len(),
        outcome.errors.len()
    );
    for name in outcome.failures.iter().chain(&outcome.errors) {
        text.push_str(&one_line(name));
        text.push('\n');
    }
    let _ = stderr.call_method1(intern!(py, "write"), (text,));
    let _ = stderr.call_method0(intern!(py, "flush"));
    Ok(())
}

/// Parses a child's stderr as zope does: the first line of three integers,
/// then the failure and error names. `None` when no such line came.
pub fn parse_child_report(stderr: &[u8]) -> Option<ChildOutcome> {
    let text = String::from_utf8_lossy(stderr);
    let mut lines = text.lines();
    let (ran, nfail, nerr) = loop {
        let line = lines.next()?;
        let numbers: Vec<&str> = line.split_whitespace().collect();
        if numbers.len() != 3 {
            continue;
        }
        let parsed: Vec<Option<usize>> = numbers.iter().map(|n| n.parse().ok()).collect();
        if let [Some(a), Some(b), Some(c)] = parsed[..] {
            break (a, b, c);
        }
    };
    let mut outcome = ChildOutcome {
        ran,
        ..ChildOutcome::default()
    };
    for _ in 0..nfail {
        outcome
            .failures
            .push(lines.next().unwrap_or("").trim().to_owned());
    }
    for _ in 0..nerr {
        outcome
            .errors
            .push(lines.next().unwrap_or("").trim().to_owned());
    }
    Some(outcome)
}

/// How the parent shows its children's output (zope's three result kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Merge {
    /// One child at a time (a layer that cannot be torn down): every line
    /// as it comes.
    Immediate,
    /// `-j` with `-vv`: the children's dot lines as live progress, in
    /// `[Parallel tests running in LAYER: ...]` brackets; the rest per layer.
    Keepalive,
    /// `-j`: the children's output per layer, in layer order, dots dropped.
    Deferred,
}

/// zope's `_is_dots`: a line of dots a child prints per test under -j.
fn is_dots(line: &[u8]) -> bool {
    let dots = line.iter().take_while(|&&b| b == b'.').count();
    dots > 0 && matches!(line.get(dots), Some(b'\r' | b'\n'))
}

/// What a reader thread tells the main loop about child `index`.
enum Message {
    Line(usize, Vec<u8>),
    /// Reading stdout failed: what went wrong, as Python words an OSError.
    ReadError(usize, String),
    StdoutClosed(usize),
    Stderr(usize, Vec<u8>),
}

/// Reading a child's stdout gives up after this many errors in a row
/// (zope retries for ever).
const READ_ATTEMPTS: usize = 3;

/// A child process, as `subprocess.Popen` returned it.
struct Process {
    popen: Py<PyAny>,
    /// A real process (its pipes read here): its id, for the signals of the
    /// time limit. None for a stand-in, read through its methods.
    pid: Option<libc::pid_t>,
}

impl Process {
    fn signal(&self, signal: libc::c_int) {
        if let Some(pid) = self.pid {
            // SAFETY: a signal to our own child, not yet reaped (waited for
            // only once its pipes closed).
            unsafe {
                libc::kill(pid, signal);
            }
        }
    }

    /// Waits for a real process (its stdin closed first); a stand-in is
    /// told to end, as zope does, and has no status.
    fn finish(&self, py: Python<'_>) -> PyResult<Option<ExitStatus>> {
        let popen = self.popen.bind(py);
        if self.pid.is_none() {
            // Whatever it is, what it does or lacks is not the run's error.
            let _ = popen.call_method0(intern!(py, "kill"));
            let _ = popen.call_method0(intern!(py, "communicate"));
            return Ok(None);
        }
        if let Some(stdin) = popen.getattr_opt(intern!(py, "stdin"))? {
            if !stdin.is_none() {
                let _ = stdin.call_method0(intern!(py, "close"));
            }
        }
        let code: i32 = popen.call_method0(intern!(py, "wait"))?.extract()?;
        // Popen's return code: minus the signal that killed it, or the exit
        // status; as a raw wait status.
        Ok(Some(if code < 0 {
            ExitStatus::from_raw(-code)
        } else {
            ExitStatus::from_raw((code & 0xff) << 8)
        }))
    }
}

/// A layer's output as the parent shows it: the children's lines, and the
/// banners of the ones that crashed, after what they printed.
enum Kept {
    Output(Vec<u8>),
    Banner(Box<Event>),
}

/// How long a child that ran too long gets to dump its stack before it is
/// killed.
const DUMP_GRACE: Duration = Duration::from_millis(250);

/// One layer's children: the first, and one more after each crash, each
/// resumed after the test that crashed the one before.
struct Slot {
    name: String,
    /// zope's resume number of the first child.
    number: usize,
    /// Tests of the layer that ran (or crashed) in earlier children.
    skip: usize,
    /// `--shuffle`: the first child's seed, for the ones after it.
    seed: Option<i64>,
    /// Children started for this layer so far.
    attempts: usize,
    channel: PathBuf,
    child: Option<Process>,
    started: Option<Instant>,
    stdout_closed: bool,
    stderr: Option<Vec<u8>>,
    kept: Vec<Kept>,
    /// Past the time limit: when the child was asked for its stack, and
    /// whether it was killed since.
    dump_asked: Option<Instant>,
    killed: bool,
    done: bool,
}

impl Slot {
    /// The slot of a layer not started yet, its results to come on `channel`.
    fn new(name: String, number: usize, channel: PathBuf) -> Slot {
        Slot {
            name,
            number,
            skip: 0,
            seed: None,
            attempts: 0,
            channel,
            child: None,
            started: None,
            stdout_closed: false,
            stderr: None,
            kept: Vec::new(),
            dump_asked: None,
            killed: false,
            done: false,
        }
    }

    /// The current child's command line after the interpreter: zope's
    /// protocol, plus where to resume after a crash.
    fn args(&self, config: &RunConfig) -> Vec<String> {
        let mut args: Vec<String> = config.script_parts.clone();
        // A resumed child does not announce the layer again.
        let number = if self.attempts > 0 { 0 } else { self.number };
        args.extend([
            "--resume-layer".to_owned(),
            self.name.clone(),
            number.to_string(),
        ]);
        if self.skip > 0 {
            args.extend(["--resume-after".to_owned(), self.skip.to_string()]);
        }
        for d in &config.defaults {
            args.extend(["--default".to_owned(), d.clone()]);
        }
        args.extend(config.original_args.iter().skip(1).cloned());
        if let (Some(seed), true) = (self.seed, self.attempts > 0) {
            args.extend(["--shuffle-seed".to_owned(), seed.to_string()]);
        }
        args
    }
}

/// What the end of one child means for its layer.
struct Finished {
    outcome: ChildOutcome,
    banner: Option<Event>,
    /// The child crashed in a test with tests after it: how many of its
    /// tests ran, for the next child to skip.
    resume_after: Option<usize>,
}

/// Runs `layers` in child processes: one at a time after a layer that cannot
/// be torn down, up to `-j N` at once otherwise. Output is shown as zope
/// shows it; results come from each child's channel, else from zope's
/// stderr protocol. A child that dies, hangs past `LEAKRUNNER_CHILD_TIMEOUT`
/// or prints garbage is reported after its output, with the test it was
/// running; what finished is kept, and the rest of its layer runs in a new
/// child.
pub fn resume_layers(
    py: Python<'_>,
    config: &RunConfig,
    sink: &SharedSink,
    layers: &[(String, LayerId)],
    layers_run: &mut usize,
) -> Result<ChildOutcome> {
    let emit = |event: Event| sink.borrow_mut().emit(py, event);
    let sys = py.import(intern!(py, "sys"))?;
    let executable: String = sys.getattr(intern!(py, "executable"))?.extract()?;
    // The census a crashed child's samples came from (same interpreter).
    let census_scope = CensusScope::from(crate::census::heap::scope());
    let processes = config.processes.max(1);
    let merge = if processes == 1 {
        Merge::Immediate
    } else if config.verbose > 1 && config.subunit.is_none() {
        Merge::Keepalive
    } else {
        Merge::Deferred
    };
    let channel_dir = std::env::temp_dir();
    // Children are numbered from 0 after a failed tear-down (the first does
    // not announce its layer again) and from 1 under -j.
    let first_number = usize::from(processes > 1);
    let mut slots: Vec<Slot> = (first_number..)
        .zip(layers)
        .enumerate()
        .map(|(index, (number, (name, _)))| {
            let channel = channel_dir.join(format!(
                "leakrunner-child-{}-{index}.channel",
                std::process::id()
            ));
            Slot::new(name.clone(), number, channel)
        })
        .collect();

    let (sender, mut receiver) = mpsc::channel::<Message>();
    let mut total = ChildOutcome::default();
    let mut next_to_start = 0;
    let mut next_to_show = 0;
    let mut running = 0;
    // Keepalive: the layer whose progress is on screen, and whether its
    // bracket is open.
    let mut last_progress_layer: Option<usize> = None;
    let mut bracket_open = false;
    let mut progress: Vec<(usize, Vec<u8>)> = Vec::new();

    while next_to_show < slots.len() {
        while running < processes && next_to_start < slots.len() {
            let index = next_to_start;
            next_to_start += 1;
            *layers_run += 1;
            flush_stdout(py)?;
            match spawn(py, &executable, config, &mut slots[index], index, &sender) {
                Ok(()) => running += 1,
                Err(e) => {
                    slots[index].done = true;
                    total
                        .errors
                        .push(format!("subprocess for {}", slots[index].name));
                    emit(Event::Notice(Notice::SubprocessNotStarted {
                        layer: slots[index].name.clone(),
                        reason: e.clone(),
                    }))?;
                }
            }
        }

        // The receiver goes along into the GIL-free wait and comes back.
        let (back, message) = py.detach(move || {
            let message = receiver.recv_timeout(Duration::from_millis(10));
            (receiver, message)
        });
        receiver = back;
        let mut messages = Vec::new();
        if let Ok(m) = message {
            messages.push(m);
            while let Ok(m) = receiver.try_recv() {
                messages.push(m);
            }
        }
        for message in messages {
            match message {
                Message::Line(index, line) => match merge {
                    Merge::Immediate => write_bytes(py, &line)?,
                    Merge::Keepalive if is_dots(&line) => {
                        let dots = line.iter().copied().filter(|&b| b == b'.').collect();
                        progress.push((index, dots));
                    }
                    Merge::Deferred if is_dots(&line) => {}
                    _ => slots[index].kept.push(Kept::Output(line)),
                },
                Message::ReadError(index, error) => {
                    // zope says so at once, whatever the merge, and reads on.
                    emit(Event::Notice(Notice::UnreadableSubprocessOutput {
                        layer: slots[index].name.clone(),
                    }))?;
                    emit(Event::Notice(Notice::ReadError { error }))?;
                    flush_stdout(py)?;
                }
                Message::StdoutClosed(index) => slots[index].stdout_closed = true,
                Message::Stderr(index, bytes) => slots[index].stderr = Some(bytes),
            }
        }

        // A child past the time limit is asked for its stack (faulthandler
        // writes it to the channel), then killed; its pipes then close.
        if let Some(limit) = config.child_timeout {
            for slot in slots.iter_mut() {
                let (Some(child), Some(started)) = (slot.child.as_ref(), slot.started) else {
                    continue;
                };
                if child.pid.is_none() {
                    continue;
                }
                match slot.dump_asked {
                    None if started.elapsed().as_secs_f64() > limit => {
                        child.signal(libc::SIGUSR2);
                        slot.dump_asked = Some(Instant::now());
                    }
                    Some(asked) if !slot.killed && asked.elapsed() > DUMP_GRACE => {
                        slot.killed = true;
                        child.signal(libc::SIGKILL);
                    }
                    _ => {}
                }
            }
        }

        for (index, slot) in slots.iter_mut().enumerate() {
            if slot.done || slot.child.is_none() || !slot.stdout_closed || slot.stderr.is_none() {
                continue;
            }
            let child = slot.child.take().expect("checked");
            let status = child.finish(py)?;
            let finished = finish_child(py, config, &executable, slot, status, census_scope)?;
            let outcome = finished.outcome;
            total.ran += outcome.ran;
            total.failures.extend(outcome.failures);
            total.errors.extend(outcome.errors);
            total.skipped += outcome.skipped;
            for module in outcome.import_errors {
                if !total.import_errors.contains(&module) {
                    total.import_errors.push(module);
                }
            }
            total.leaks.extend(outcome.leaks);
            if let Some(banner) = finished.banner {
                match merge {
                    Merge::Immediate => show_banner(py, &emit, banner)?,
                    _ => slot.kept.push(Kept::Banner(Box::new(banner))),
                }
            }
            if let Some(ran) = finished.resume_after {
                slot.skip += ran;
                flush_stdout(py)?;
                match spawn(py, &executable, config, slot, index, &sender) {
                    Ok(()) => continue,
                    Err(e) => {
                        total.errors.push(format!("subprocess for {}", slot.name));
                        let banner = Event::Notice(Notice::SubprocessNotStarted {
                            layer: slot.name.clone(),
                            reason: e.clone(),
                        });
                        match merge {
                            Merge::Immediate => show_banner(py, &emit, banner)?,
                            _ => slot.kept.push(Kept::Banner(Box::new(banner))),
                        }
                    }
                }
            }
            running -= 1;
            slot.done = true;
            if merge == Merge::Keepalive {
                progress.push((index, b" LAYER FINISHED".to_vec()));
            }
        }

        // zope's resume_tests loop: live progress first, then every result
        // that is done and has all earlier ones done, in layer order. Each
        // piece is one write, as zope's are: a stream that watches its
        // writes (a keep-alive monitor) sees each dot as it comes.
        let mut out: Vec<Vec<u8>> = Vec::new();
        for (index, bytes) in progress.drain(..) {
            if last_progress_layer != Some(index) {
                if bracket_open {
                    out.push(b"]\n".to_vec());
                }
                out.push(
                    format!("[Parallel tests running in {}:\n  ", slots[index].name).into_bytes(),
                );
                last_progress_layer = Some(index);
            }
            out.push(bytes);
            bracket_open = true;
        }
        while next_to_show < slots.len() && slots[next_to_show].done {
            if bracket_open {
                out.push(b"]\n".to_vec());
                bracket_open = false;
            }
            for kept in std::mem::take(&mut slots[next_to_show].kept) {
                match kept {
                    Kept::Output(line) => out.push(line),
                    Kept::Banner(banner) => {
                        write_pieces(py, &std::mem::take(&mut out))?;
                        show_banner(py, &emit, *banner)?;
                    }
                }
            }
            next_to_show += 1;
        }
        write_pieces(py, &out)?;
    }
    Ok(total)
}

/// Starts the slot's next child with `subprocess.Popen`, as zope does, and
/// the threads that read its stdout (line by line, as it comes) and its
/// stderr (whole, so that a child writing much to it cannot block).
fn spawn(
    py: Python<'_>,
    executable: &str,
    config: &RunConfig,
    slot: &mut Slot,
    index: usize,
    sender: &mpsc::Sender<Message>,
) -> std::result::Result<(), String> {
    let _ = std::fs::remove_file(&slot.channel);
    let mut argv = vec![executable.to_owned()];
    argv.extend(slot.args(config));
    let popen = popen(py, &argv, config, slot).map_err(|e| e.value(py).to_string())?;
    slot.attempts += 1;
    slot.stdout_closed = false;
    slot.stderr = None;
    slot.dump_asked = None;
    slot.killed = false;
    let (pid, stdout, stderr) = match real_pipes(py, &popen) {
        Some((pid, stdout, stderr)) => (Some(pid), Some(stdout), Some(stderr)),
        None => (None, None, None),
    };
    let lines = sender.clone();
    let errors = sender.clone();
    match (stdout, stderr) {
        (Some(stdout), Some(mut stderr)) => {
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stdout);
                read_lines(index, &lines, || {
                    let mut line = Vec::new();
                    reader
                        .read_until(b'\n', &mut line)
                        .map(|_| line)
                        .map_err(|e| os_error_text(&e))
                });
            });
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = stderr.read_to_end(&mut buf);
                let _ = errors.send(Message::Stderr(index, buf));
            });
        }
        _ => {
            // A stand-in for a process: its own methods, under the GIL.
            let stdout = popen.clone_ref(py);
            std::thread::spawn(move || {
                read_lines(index, &lines, || {
                    Python::attach(|py| {
                        let read = stdout
                            .bind(py)
                            .getattr(intern!(py, "stdout"))
                            .and_then(|s| s.call_method0(intern!(py, "readline")));
                        match read {
                            Ok(line) => Ok(python_bytes(&line)),
                            Err(e) => Err(e.value(py).to_string()),
                        }
                    })
                });
            });
            let stderr = popen.clone_ref(py);
            std::thread::spawn(move || {
                let buf = Python::attach(|py| {
                    stderr
                        .bind(py)
                        .getattr(intern!(py, "stderr"))
                        .and_then(|s| s.call_method0(intern!(py, "read")))
                        .map(|text| python_bytes(&text))
                        .unwrap_or_default()
                });
                let _ = errors.send(Message::Stderr(index, buf));
            });
        }
    }
    slot.child = Some(Process { popen, pid });
    slot.started = Some(Instant::now());
    Ok(())
}

/// `subprocess.Popen(argv, ...)` as zope calls it, with the child's
/// results channel in its environment.
fn popen(py: Python<'_>, argv: &[String], config: &RunConfig, slot: &Slot) -> PyResult<Py<PyAny>> {
    let subprocess = py.import(intern!(py, "subprocess"))?;
    let pipe = subprocess.getattr(intern!(py, "PIPE"))?;
    let env = PyDict::new(py);
    env.call_method1(
        intern!(py, "update"),
        (py.import(intern!(py, "os"))?
            .getattr(intern!(py, "environ"))?,),
    )?;
    env.set_item(CHANNEL_ENV, slot.channel.to_string_lossy())?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("shell", false)?;
    kwargs.set_item("stdin", &pipe)?;
    kwargs.set_item("stdout", &pipe)?;
    kwargs.set_item("stderr", &pipe)?;
    kwargs.set_item("cwd", &config.cwd)?;
    kwargs.set_item("close_fds", true)?;
    kwargs.set_item("env", env)?;
    Ok(subprocess
        .getattr(intern!(py, "Popen"))?
        .call((argv.to_vec(),), Some(&kwargs))?
        .unbind())
}

/// A real process's id and its stdout and stderr pipes, which this module
/// reads from now on (duplicated; Popen's own file objects are closed).
/// None for anything without them.
fn real_pipes(py: Python<'_>, popen: &Py<PyAny>) -> Option<(libc::pid_t, File, File)> {
    let popen = popen.bind(py);
    let pid: libc::pid_t = popen.getattr(intern!(py, "pid")).ok()?.extract().ok()?;
    let stdout = popen.getattr(intern!(py, "stdout")).ok()?;
    let stderr = popen.getattr(intern!(py, "stderr")).ok()?;
    let fileno = |f: &Bound<'_, PyAny>| -> Option<i32> {
        f.call_method0(intern!(py, "fileno")).ok()?.extract().ok()
    };
    let (out_fd, err_fd) = (fileno(&stdout)?, fileno(&stderr)?);
    let dup = |fd: i32| -> Option<File> {
        // SAFETY: fcntl on a descriptor Popen holds open.
        let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
        // SAFETY: the duplicate is ours alone, owned by the File from here.
        (new >= 0).then(|| unsafe { File::from_raw_fd(new) })
    };
    let out = dup(out_fd)?;
    let err = dup(err_fd)?;
    let _ = stdout.call_method0(intern!(py, "close"));
    let _ = stderr.call_method0(intern!(py, "close"));
    Some((pid, out, err))
}

/// Reads lines with `read_line` until the end (an empty line), sending each
/// as it comes; an error is reported and reading goes on, up to
/// `READ_ATTEMPTS` errors in a row.
fn read_lines(
    index: usize,
    sender: &mpsc::Sender<Message>,
    mut read_line: impl FnMut() -> std::result::Result<Vec<u8>, String>,
) {
    let mut failures = 0;
    loop {
        match read_line() {
            Ok(line) if line.is_empty() => break,
            Ok(line) => {
                failures = 0;
                if sender.send(Message::Line(index, line)).is_err() {
                    break;
                }
            }
            Err(error) => {
                failures += 1;
                let _ = sender.send(Message::ReadError(index, error));
                if failures >= READ_ATTEMPTS {
                    break;
                }
            }
        }
    }
    let _ = sender.send(Message::StdoutClosed(index));
}

/// What `str()` of the OSError Python would raise says.
fn os_error_text(error: &std::io::Error) -> String {
    match error.raw_os_error() {
        Some(code) => {
            // SAFETY: strerror's static text, copied at once.
            let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(code)) };
            format!("[Errno {code}] {}", text.to_string_lossy())
        }
        None => error.to_string(),
    }
}

/// A line or text a stand-in returned: bytes as they are, str as UTF-8,
/// anything false (None, "") as the end.
fn python_bytes(value: &Bound<'_, PyAny>) -> Vec<u8> {
    if let Ok(bytes) = value.cast::<PyBytes>() {
        return bytes.as_bytes().to_vec();
    }
    if let Ok(text) = value.extract::<String>() {
        return text.into_bytes();
    }
    if value.is_truthy().unwrap_or(false) {
        return value.to_string().into_bytes();
    }
    Vec::new()
}

/// What a finished child reported: its channel's totals when it got to the
/// end; otherwise what it streamed before it died, the crash counted under
/// the test (or layer method) it interrupted, and a banner saying how it
/// ended and where, with faulthandler's stack.
fn finish_child(
    py: Python<'_>,
    config: &RunConfig,
    executable: &str,
    slot: &mut Slot,
    status: Option<ExitStatus>,
    census_scope: CensusScope,
) -> Result<Finished> {
    let stderr = slot.stderr.take().unwrap_or_default();
    let text = std::fs::read(&slot.channel).unwrap_or_default();
    let _ = std::fs::remove_file(&slot.channel);
    let transcript = Transcript::read(&String::from_utf8_lossy(&text));
    let timed_out = slot.dump_asked.is_some();
    let finished = |outcome, banner| Finished {
        outcome,
        banner,
        resume_after: None,
    };
    if !timed_out {
        if let Some(outcome) = transcript.complete.clone() {
            return Ok(finished(outcome, None));
        }
    }
    let mut command = vec![executable.to_owned()];
    command.extend(slot.args(config));
    let details = child_details(config.verbose, command, &stderr);
    let ending = how_it_ended(py, config, status, timed_out)?;
    let generic = format!("subprocess for {}", slot.name);
    let failed = |failure, details| Event::SubprocessFailed {
        layer: slot.name.clone(),
        failure,
        details,
    };
    if !transcript.opened {
        // Not a child of ours, or one that never got going: zope's way.
        if !timed_out {
            if let Some(outcome) = parse_child_report(&stderr) {
                return Ok(finished(outcome, None));
            }
        }
        let outcome = ChildOutcome {
            errors: vec![generic],
            ..ChildOutcome::default()
        };
        let report = failed(ChildFailure::NoContact { ending }, details);
        return Ok(finished(outcome, Some(report)));
    }
    let doing = transcript.doing.as_event();
    let exited = status.is_some_and(|s| s.code().is_some());
    if !timed_out && exited {
        if let Some(mut outcome) = parse_child_report(&stderr) {
            // It ran to its end, but its channel stopped short (a test
            // closed it): zope's protocol has the totals, the channel the
            // rest.
            outcome.skipped = transcript.streamed.skipped;
            outcome.import_errors = transcript.streamed.import_errors.clone();
            let report = failed(ChildFailure::ChannelCut { doing }, None);
            return Ok(finished(outcome, Some(report)));
        }
    }
    let outcome = transcript.crashed_counts(&generic, census_scope);
    let resume_after = transcript.resume_after();
    let resumed = resume_after.map(|_| transcript.doing.culprit());
    let report = failed(
        ChildFailure::Died {
            ending,
            doing,
            stack: transcript.crash_text.clone(),
            resumed,
        },
        details,
    );
    if slot.seed.is_none() {
        slot.seed = transcript.seed;
    }
    Ok(Finished {
        outcome,
        banner: Some(report),
        resume_after,
    })
}

/// How a child ended (a signal, an exit status, or the time limit); None
/// for a child that exited normally.
fn how_it_ended(
    py: Python<'_>,
    config: &RunConfig,
    status: Option<ExitStatus>,
    timed_out: bool,
) -> PyResult<Option<ChildEnding>> {
    if timed_out {
        return Ok(Some(ChildEnding::TimedOut {
            seconds: config.child_timeout.unwrap_or_default(),
        }));
    }
    let Some(status) = status else {
        return Ok(None);
    };
    if let Some(signal) = status.signal() {
        let name = py
            .import(intern!(py, "signal"))?
            .getattr(intern!(py, "Signals"))?
            .call1((signal,))
            .and_then(|s| s.getattr(intern!(py, "name"))?.extract::<String>())
            .ok();
        return Ok(Some(ChildEnding::Signal {
            number: signal,
            name,
        }));
    }
    Ok(status.code().map(ChildEnding::Status))
}

/// A banner through the reporters, flushed before any more raw output
/// goes to stdout's byte layer.
fn show_banner(
    py: Python<'_>,
    emit: &dyn Fn(Event) -> PyResult<()>,
    banner: Event,
) -> PyResult<()> {
    emit(banner)?;
    flush_stdout(py)
}

fn flush_stdout(py: Python<'_>) -> PyResult<()> {
    py.import(intern!(py, "sys"))?
        .getattr(intern!(py, "stdout"))?
        .call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// Our stdout's byte layer, as zope's `_get_output_buffer` finds it: the
/// stream itself when it takes bytes, else its `buffer`.
fn stdout_bytes(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let stdout = py
        .import(intern!(py, "sys"))?
        .getattr(intern!(py, "stdout"))?;
    Ok(match stdout.getattr_opt(intern!(py, "buffer"))? {
        Some(buffer) => buffer,
        None => stdout,
    })
}

/// Writes a line of a child's raw output to our stdout's byte stream, at
/// once.
fn write_bytes(py: Python<'_>, line: &[u8]) -> PyResult<()> {
    if line.is_empty() {
        return Ok(());
    }
    let target = stdout_bytes(py)?;
    target.call_method1(intern!(py, "write"), (PyBytes::new(py, line),))?;
    target.call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// Writes pieces of children's output in one `writelines` (one write each),
/// then flushes.
fn write_pieces(py: Python<'_>, pieces: &[Vec<u8>]) -> PyResult<()> {
    if pieces.is_empty() {
        return Ok(());
    }
    let target = stdout_bytes(py)?;
    let pieces: Vec<Bound<'_, PyBytes>> = pieces.iter().map(|p| PyBytes::new(py, p)).collect();
    target.call_method1(intern!(py, "writelines"), (pieces,))?;
    target.call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// What zope shows of a failed child at `-v` and up: its command line,
/// and its stderr, whole at `-vv` or when short, else trimmed.
fn child_details(verbose: u32, command: Vec<String>, stderr: &[u8]) -> Option<ChildDetails> {
    if verbose == 0 {
        return None;
    }
    let lines: Vec<String> = String::from_utf8_lossy(stderr)
        .lines()
        .map(str::to_owned)
        .collect();
    let trimmed = verbose == 1 && lines.len() >= 20;
    Some(ChildDetails {
        command,
        stderr: lines,
        trimmed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_child_report_after_noise() {
        let stderr =
            b"DeprecationWarning: something\n3 1 2\nf1 (m.T.f1)\ne1 (m.T.e1)\ne2 (m.T.e2)\n";
        let outcome = parse_child_report(stderr).unwrap();
        assert_eq!(outcome.ran, 3);
        assert_eq!(outcome.failures, vec!["f1 (m.T.f1)"]);
        assert_eq!(outcome.errors, vec!["e1 (m.T.e1)", "e2 (m.T.e2)"]);
        assert!(parse_child_report(b"Traceback...\nBoom\n").is_none());
    }

    #[test]
    fn dot_lines() {
        assert!(is_dots(b"...\n"));
        assert!(is_dots(b".\r\n"));
        assert!(!is_dots(b"..."));
        assert!(!is_dots(b"..x\n"));
        assert!(!is_dots(b"\n"));
    }

    #[test]
    fn failure_details_trim_long_stderr_at_v1() {
        let stderr: String = (0..30).map(|i| format!("line{i}\n")).collect();
        let command = || vec!["py".to_owned(), "it's".to_owned()];
        let details = child_details(1, command(), stderr.as_bytes()).unwrap();
        assert!(details.trimmed);
        assert_eq!(details.stderr.len(), 30);
        assert!(
            !child_details(2, command(), stderr.as_bytes())
                .unwrap()
                .trimmed
        );
        assert!(!child_details(1, command(), b"short\n").unwrap().trimmed);
        assert_eq!(child_details(0, command(), stderr.as_bytes()), None);
    }

    #[test]
    fn a_resumed_child_skips_what_ran_and_keeps_the_order() {
        let config = RunConfig {
            script_parts: vec!["-m".into(), "leakrunner".into()],
            defaults: vec!["--path".into()],
            original_args: vec!["prog".into(), "-j2".into(), "--shuffle".into()],
            ..RunConfig::default()
        };
        let mut slot = Slot::new("pkg.L".into(), 3, PathBuf::new());
        slot.seed = Some(7);
        let first = slot.args(&config);
        assert_eq!(
            first,
            [
                "-m",
                "leakrunner",
                "--resume-layer",
                "pkg.L",
                "3",
                "--default",
                "--path",
                "-j2",
                "--shuffle"
            ]
        );
        slot.attempts = 1;
        slot.skip = 2;
        let next = slot.args(&config);
        assert_eq!(
            next,
            [
                "-m",
                "leakrunner",
                "--resume-layer",
                "pkg.L",
                "0",
                "--resume-after",
                "2",
                "--default",
                "--path",
                "-j2",
                "--shuffle",
                "--shuffle-seed",
                "7"
            ]
        );
    }
}
