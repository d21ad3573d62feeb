//! Child processes: layers that must run in a fresh interpreter.
//!
//! When a layer's tearDown raises NotImplementedError while another layer
//! needs it gone, the remaining layers run one at a time in children started
//! with zope.testrunner's `--resume-layer LAYER N` protocol: each child
//! re-discovers the tests, runs only its layer, streams its console output to
//! the parent, and ends by writing `ran failures errors` and the names of
//! its failing tests to its stderr, which the parent parses.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};

use pyo3::intern;
use pyo3::prelude::*;

use super::result::SharedSink;
use super::RunConfig;
use crate::error::Result;
use crate::events::Event;
use crate::layers::LayerId;

/// What the children of one resume reported back.
#[derive(Debug, Default)]
pub struct ChildOutcome {
    pub ran: usize,
    pub failures: Vec<String>,
    pub errors: Vec<String>,
}

/// The child's report: `ran failures errors`, then one name per line.
pub fn report_to_parent(
    py: Python<'_>,
    stderr: &Bound<'_, PyAny>,
    ran: usize,
    failures: &[String],
    errors: &[String],
) -> PyResult<()> {
    let sys = py.import(intern!(py, "sys"))?;
    // EOF on stdout tells the parent the output is complete.
    sys.getattr(intern!(py, "stdout"))?
        .call_method0(intern!(py, "close"))?;
    let mut text = format!("{ran} {} {}\n", failures.len(), errors.len());
    for name in failures.iter().chain(errors) {
        text.push_str(&name.split_whitespace().collect::<Vec<_>>().join(" "));
        text.push('\n');
    }
    stderr.call_method1(intern!(py, "write"), (text,))?;
    stderr.call_method0(intern!(py, "flush"))?;
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

/// Runs `layers` one after the other in child processes, showing their
/// output as it comes; `layers_run` counts each spawned layer (zope's
/// Statistics counts the layer whose tearDown failed twice).
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
    let mut total = ChildOutcome::default();
    // Children are numbered from 0; the first NTD child (number 0) does not
    // announce its layer again.
    let first_number = usize::from(config.processes > 1);
    for (resume_number, (name, _)) in (first_number..).zip(layers) {
        *layers_run += 1;
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

        let stdout_text = py
            .import(intern!(py, "sys"))?
            .getattr(intern!(py, "stdout"))?;
        stdout_text.call_method0(intern!(py, "flush"))?;
        let spawned = Command::new(&executable)
            .args(&args)
            .current_dir(&config.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                total.errors.push(format!("subprocess for {name}"));
                emit(Event::ErrorWithBanner(format!(
                    "Could not start subprocess: {e}"
                )))?;
                continue;
            }
        };
        let mut child_stderr = child.stderr.take().expect("piped");
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = child_stderr.read_to_end(&mut buf);
            buf
        });
        let mut reader = BufReader::new(child.stdout.take().expect("piped"));
        loop {
            let mut line = Vec::new();
            let read = py.detach(|| reader.read_until(b'\n', &mut line));
            match read {
                Ok(0) => break,
                Ok(_) => write_bytes(py, &line)?,
                Err(e) => {
                    emit(Event::Error(format!(
                        "Error reading subprocess output for {name}"
                    )))?;
                    emit(Event::Info(e.to_string()))?;
                    break;
                }
            }
        }
        let stderr = py.detach(|| stderr_reader.join().unwrap_or_default());
        let _ = child.kill();
        let _ = py.detach(|| child.wait());
        match parse_child_report(&stderr) {
            Some(outcome) => {
                total.ran += outcome.ran;
                total.failures.extend(outcome.failures);
                total.errors.extend(outcome.errors);
            }
            None => {
                total.errors.push(format!("subprocess for {name}"));
                let mut command = vec![executable.clone()];
                command.extend(args.iter().cloned());
                let message = communication_failure(config.verbose, &command, &stderr);
                emit(Event::ErrorWithBanner(message))?;
            }
        }
    }
    Ok(total)
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
        let quoted: Vec<String> = command.iter().map(|a| python_repr(a)).collect();
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

/// Python's `repr()` of a str, for the common cases of command lines.
pub fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
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
