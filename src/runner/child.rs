//! Child processes: layers that run in a fresh interpreter.
//!
//! When a layer's tearDown raises NotImplementedError while another layer
//! needs it gone, the remaining layers run one at a time in children; with
//! `-j N` every layer does, up to N at once. Children are started with
//! zope.testrunner's `--resume-layer LAYER N` protocol: each re-discovers the
//! tests, runs only its layer and prints its own console output, which the
//! parent shows as zope does. A child reports back twice: zope's
//! `ran failures errors` lines on its stderr, which zope's parents read, and
//! a complete report (skipped tests and import errors included, which zope's
//! protocol loses) in a file the parent names in `LEAKRUNNER_CHILD_REPORT`.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use pyo3::intern;
use pyo3::prelude::*;

use super::result::SharedSink;
use super::RunConfig;
use crate::error::Result;
use crate::events::Event;
use crate::layers::LayerId;
use crate::pyrepr::str_repr;

/// What the children of one resume reported back.
pub type ChildOutcome = crate::stats::ChildCounts;

/// The environment variable naming the file a child writes its report to.
pub const REPORT_FILE_ENV: &str = "LEAKRUNNER_CHILD_REPORT";

/// A child's names, one per line, whitespace collapsed (zope's format).
fn one_line(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The child's report: zope's stderr protocol (`ran failures errors`, then
/// one name per line) and, when the parent is leakrunner, the full report in
/// the file it named, which also carries skipped tests and import errors.
pub fn report_to_parent(
    py: Python<'_>,
    stderr: &Bound<'_, PyAny>,
    outcome: &ChildOutcome,
) -> PyResult<()> {
    let sys = py.import(intern!(py, "sys"))?;
    if let Ok(path) = std::env::var(REPORT_FILE_ENV) {
        // Written before stdout closes: the parent reads it after EOF.
        let _ = std::fs::write(path, encode_report(outcome));
    }
    // EOF on stdout tells the parent the output is complete.
    sys.getattr(intern!(py, "stdout"))?
        .call_method0(intern!(py, "close"))?;
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
    stderr.call_method1(intern!(py, "write"), (text,))?;
    stderr.call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// The report file: `leakrunner-child-report 1`, then `key value` lines;
/// names are single lines already.
pub fn encode_report(outcome: &ChildOutcome) -> String {
    let mut text = String::from("leakrunner-child-report 1\n");
    text.push_str(&format!(
        "ran {}\nskipped {}\n",
        outcome.ran, outcome.skipped
    ));
    for name in &outcome.failures {
        text.push_str(&format!("failure {}\n", one_line(name)));
    }
    for name in &outcome.errors {
        text.push_str(&format!("error {}\n", one_line(name)));
    }
    for module in &outcome.import_errors {
        text.push_str(&format!("import-error {}\n", one_line(module)));
    }
    for layer in &outcome.leaks {
        if let Ok(json) = serde_json::to_string(layer) {
            text.push_str(&format!("leak-layer {json}\n"));
        }
    }
    text.push_str("end\n");
    text
}

/// Parses a report file; `None` unless it is complete.
pub fn decode_report(text: &str) -> Option<ChildOutcome> {
    let mut lines = text.lines();
    if lines.next()? != "leakrunner-child-report 1" {
        return None;
    }
    let mut outcome = ChildOutcome::default();
    for line in lines {
        if line == "end" {
            return Some(outcome);
        }
        let (key, value) = line.split_once(' ')?;
        match key {
            "ran" => outcome.ran = value.parse().ok()?,
            "skipped" => outcome.skipped = value.parse().ok()?,
            "failure" => outcome.failures.push(value.to_owned()),
            "error" => outcome.errors.push(value.to_owned()),
            "import-error" => outcome.import_errors.push(value.to_owned()),
            "leak-layer" => outcome.leaks.push(serde_json::from_str(value).ok()?),
            _ => return None,
        }
    }
    None
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
    StdoutClosed(usize),
    Stderr(usize, Vec<u8>),
}

/// One child's progress.
struct Slot {
    name: String,
    args: Vec<String>,
    report_file: PathBuf,
    child: Option<Child>,
    started: Option<Instant>,
    stdout_closed: bool,
    stderr: Option<Vec<u8>>,
    kept: Vec<Vec<u8>>,
    timed_out: bool,
    done: bool,
}

/// Runs `layers` in child processes: one at a time after a layer that cannot
/// be torn down, up to `-j N` at once otherwise. Output is shown as zope
/// shows it; results come from each child's report file, else from zope's
/// stderr protocol. A child that dies, hangs past `--child-timeout` or prints
/// garbage is reported, and every other layer's result is kept.
pub fn resume_layers(
    py: Python<'_>,
    config: &RunConfig,
    sink: &SharedSink,
    layers: &[(String, LayerId)],
    layers_run: &mut usize,
) -> Result<ChildOutcome> {
    let emit = |event: Event| sink.borrow_mut().emit(py, event);
    let executable: String = py
        .import(intern!(py, "sys"))?
        .getattr(intern!(py, "executable"))?
        .extract()?;
    let processes = config.processes.max(1);
    let merge = if processes == 1 {
        Merge::Immediate
    } else if config.verbose > 1 && config.subunit.is_none() {
        Merge::Keepalive
    } else {
        Merge::Deferred
    };
    let report_dir = std::env::temp_dir();
    // Children are numbered from 0 after a failed tear-down (the first does
    // not announce its layer again) and from 1 under -j.
    let first_number = usize::from(processes > 1);
    let mut slots: Vec<Slot> = (first_number..)
        .zip(layers)
        .enumerate()
        .map(|(index, (resume_number, (name, _)))| {
            let mut args: Vec<String> = config.script_parts.clone();
            args.extend([
                "--resume-layer".to_owned(),
                name.clone(),
                resume_number.to_string(),
            ]);
            for d in &config.defaults {
                args.extend(["--default".to_owned(), d.clone()]);
            }
            args.extend(config.original_args.iter().skip(1).cloned());
            Slot {
                name: name.clone(),
                args,
                report_file: report_dir.join(format!(
                    "leakrunner-child-{}-{index}.report",
                    std::process::id()
                )),
                child: None,
                started: None,
                stdout_closed: false,
                stderr: None,
                kept: Vec::new(),
                timed_out: false,
                done: false,
            }
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
            match spawn(&executable, config, &mut slots[index], index, &sender) {
                Ok(()) => running += 1,
                Err(e) => {
                    slots[index].done = true;
                    total
                        .errors
                        .push(format!("subprocess for {}", slots[index].name));
                    emit(Event::ErrorWithBanner(format!(
                        "Could not start subprocess for {}: {e}",
                        slots[index].name
                    )))?;
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
                    _ => slots[index].kept.push(line),
                },
                Message::StdoutClosed(index) => slots[index].stdout_closed = true,
                Message::Stderr(index, bytes) => slots[index].stderr = Some(bytes),
            }
        }

        // Children past the time limit are killed; their pipes then close.
        if let Some(limit) = config.child_timeout {
            for slot in slots.iter_mut() {
                if let (Some(child), Some(started)) = (slot.child.as_mut(), slot.started) {
                    if !slot.timed_out && started.elapsed().as_secs_f64() > limit {
                        slot.timed_out = true;
                        let _ = child.kill();
                    }
                }
            }
        }

        for (index, slot) in slots.iter_mut().enumerate() {
            if slot.done || slot.child.is_none() || !slot.stdout_closed || slot.stderr.is_none() {
                continue;
            }
            let mut child = slot.child.take().expect("checked");
            let status = py.detach(|| child.wait());
            running -= 1;
            slot.done = true;
            let outcome = finish_child(py, config, &executable, slot, status.ok(), &emit)?;
            total.ran += outcome.ran;
            total.failures.extend(outcome.failures);
            total.errors.extend(outcome.errors);
            total.skipped += outcome.skipped;
            total.import_errors.extend(outcome.import_errors);
            total.leaks.extend(outcome.leaks);
            if merge == Merge::Keepalive {
                progress.push((index, b" LAYER FINISHED".to_vec()));
            }
        }

        // zope's resume_tests loop: live progress first, then every result
        // that is done and has all earlier ones done, in layer order.
        let mut out: Vec<u8> = Vec::new();
        for (index, bytes) in progress.drain(..) {
            if last_progress_layer != Some(index) {
                if bracket_open {
                    out.extend_from_slice(b"]\n");
                }
                out.extend_from_slice(
                    format!("[Parallel tests running in {}:\n  ", slots[index].name).as_bytes(),
                );
                last_progress_layer = Some(index);
            }
            out.extend_from_slice(&bytes);
            bracket_open = true;
        }
        while next_to_show < slots.len() && slots[next_to_show].done {
            if bracket_open {
                out.extend_from_slice(b"]\n");
                bracket_open = false;
            }
            for line in slots[next_to_show].kept.drain(..) {
                out.extend_from_slice(&line);
            }
            next_to_show += 1;
        }
        if !out.is_empty() {
            write_bytes(py, &out)?;
        }
    }
    Ok(total)
}

fn spawn(
    executable: &str,
    config: &RunConfig,
    slot: &mut Slot,
    index: usize,
    sender: &mpsc::Sender<Message>,
) -> std::io::Result<()> {
    let _ = std::fs::remove_file(&slot.report_file);
    let mut child = Command::new(executable)
        .args(&slot.args)
        .current_dir(&config.cwd)
        .env(REPORT_FILE_ENV, &slot.report_file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let lines = sender.clone();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        loop {
            let mut line = Vec::new();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    if lines.send(Message::Line(index, line)).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = lines.send(Message::StdoutClosed(index));
    });
    // stderr is read in full on its own thread: a child that writes a lot to
    // it cannot block on a full pipe while we wait for its stdout.
    let errors = sender.clone();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.read_to_end(&mut buf);
        let _ = errors.send(Message::Stderr(index, buf));
    });
    slot.child = Some(child);
    slot.started = Some(Instant::now());
    Ok(())
}

/// What a finished child reported, or the banner saying it did not.
fn finish_child(
    _py: Python<'_>,
    config: &RunConfig,
    executable: &str,
    slot: &mut Slot,
    status: Option<ExitStatus>,
    emit: &dyn Fn(Event) -> PyResult<()>,
) -> Result<ChildOutcome> {
    let stderr = slot.stderr.take().unwrap_or_default();
    let report = std::fs::read_to_string(&slot.report_file).ok();
    let _ = std::fs::remove_file(&slot.report_file);
    if !slot.timed_out {
        if let Some(outcome) = report.as_deref().and_then(decode_report) {
            return Ok(outcome);
        }
        if let Some(outcome) = parse_child_report(&stderr) {
            return Ok(outcome);
        }
    }
    let mut command = vec![executable.to_owned()];
    command.extend(slot.args.iter().cloned());
    let mut message = communication_failure(config.verbose, &command, &stderr);
    if slot.timed_out {
        message.push_str(&format!(
            "\nThe subprocess for {} ran longer than the {} seconds allowed \
             (LEAKRUNNER_CHILD_TIMEOUT) and was killed.",
            slot.name,
            config.child_timeout.unwrap_or_default()
        ));
    } else if let Some(signal) = status.and_then(|s| s.signal()) {
        message.push_str(&format!(
            "\nThe subprocess for {} was killed by signal {signal}.",
            slot.name
        ));
    }
    emit(Event::ErrorWithBanner(message))?;
    Ok(ChildOutcome {
        errors: vec![format!("subprocess for {}", slot.name)],
        ..ChildOutcome::default()
    })
}

fn flush_stdout(py: Python<'_>) -> PyResult<()> {
    py.import(intern!(py, "sys"))?
        .getattr(intern!(py, "stdout"))?
        .call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// Writes a child's raw output line to our stdout's byte stream.
fn write_bytes(py: Python<'_>, line: &[u8]) -> PyResult<()> {
    let stdout = py
        .import(intern!(py, "sys"))?
        .getattr(intern!(py, "stdout"))?;
    let target = match stdout.getattr_opt(intern!(py, "buffer"))? {
        Some(buffer) => buffer,
        None => stdout,
    };
    target.call_method1(intern!(py, "write"), (pyo3::types::PyBytes::new(py, line),))?;
    target.call_method0(intern!(py, "flush"))?;
    Ok(())
}

/// zope's banner text for a child that did not report back.
fn communication_failure(verbose: u32, command: &[String], stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = text.lines().collect();
    let mut message = String::from("Could not communicate with subprocess!");
    if verbose >= 1 {
        let quoted: Vec<String> = command.iter().map(|a| str_repr(a)).collect();
        message.push_str(&format!("\nChild command line: [{}]", quoted.join(", ")));
    }
    let indent = |ls: &[&str]| {
        ls.iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if verbose >= 2 || (verbose == 1 && lines.len() < 20) {
        message.push_str(&format!("\nChild stderr was:\n{}", indent(&lines)));
    } else if verbose >= 1 {
        message.push_str(&format!(
            "\nChild stderr was:\n{}\n...\n{}",
            indent(&lines[..10]),
            indent(&lines[lines.len() - 10..])
        ));
    }
    message
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

    /// A judged layer, with a finding and an undecided signal, as a child
    /// sends it.
    fn leak_layer() -> crate::leaks::LayerLeaks {
        use crate::leaks::{CensusScope, LayerLeaks, Sample, Series, Sight};
        let mut series = Series::new(1);
        for (total, blocks) in [(100, 10), (140, 12), (141, 13), (142, 13), (143, 15)] {
            series.push(Sample {
                total_refs: Some(total),
                blocks: Some(blocks),
                fds: Some(4),
                threads: Some(1),
                garbage: Some(0),
                ..Sample::default()
            });
        }
        let sight = Sight {
            total_refs: true,
            census: Some(CensusScope::AllObjects),
        };
        LayerLeaks::judge("pkg.L".into(), series, sight, false)
    }

    #[test]
    fn report_files_round_trip_and_reject_partial_ones() {
        let outcome = ChildOutcome {
            ran: 7,
            failures: vec!["f (m.T.f)".into()],
            errors: vec!["e (m.T.e)".into(), "Layer: m.L.setUp".into()],
            skipped: 2,
            import_errors: vec!["pkg.broken".into()],
            leaks: vec![leak_layer()],
        };
        let text = encode_report(&outcome);
        assert_eq!(decode_report(&text), Some(outcome));
        assert_eq!(decode_report(&text.replace("end\n", "")), None);
        assert_eq!(decode_report("garbage"), None);
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
    fn failure_banner_trims_long_stderr_at_v1() {
        let stderr: String = (0..30).map(|i| format!("line{i}\n")).collect();
        let message = communication_failure(1, &["py".into(), "it's".into()], stderr.as_bytes());
        assert!(message.starts_with(
            "Could not communicate with subprocess!\nChild command line: ['py', \"it's\"]"
        ));
        assert!(message.contains("  line9\n...\n  line20"));
        assert_eq!(
            communication_failure(0, &[], stderr.as_bytes()),
            "Could not communicate with subprocess!"
        );
    }
}
