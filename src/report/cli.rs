//! `python -m leakrunner.report`: a small command line, a clap
//! application, over saved JSON leak reports.
//!
//! ```text
//! python -m leakrunner.report REPORT.json [-o PAGE.html]
//! python -m leakrunner.report compare BEFORE.json AFTER.json [-o PAGE.html]
//! ```
//!
//! The first renders the HTML page of a report (to stdout without `-o`);
//! the second prints what changed between two hunts and, with `-o`, writes
//! it as a page too. Exit status: 0; 1 when `compare` finds a leak the
//! first hunt did not have; 2 for a usage error, a report that cannot be
//! read or a page that cannot be written. [`run`] is pure but for the
//! files it is handed; [`report_main`] is what Python calls.

use std::path::Path;

use clap::{Arg, ArgAction, ArgMatches, Command};
use pyo3::prelude::*;

use super::json::{self, Document};
use super::{compare, html};

const PROG: &str = "python -m leakrunner.report";

const USAGE: &str = "usage: python -m leakrunner.report REPORT.json [-o PAGE.html]
       python -m leakrunner.report compare BEFORE.json AFTER.json [-o PAGE.html]
";

const HELP: &str = "
Render a saved leak report (--leak-report FILE) as a self-contained HTML
page, or compare two reports.

  REPORT.json             render its page (to stdout unless -o is given)
  compare BEFORE AFTER    print what changed between two hunts: leaks fixed,
                          new leaks, growth per iteration up or down
  -o, --output FILE       write the page (or the comparison's page) to FILE
  -h, --help              show this help

Exit status: 0; 1 when compare finds a leak that BEFORE did not have;
2 for a usage error or a report that cannot be read.
";

/// What a run of the command printed, and its exit status.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The files the command reads and writes.
pub trait Files {
    fn read(&mut self, path: &str) -> std::io::Result<String>;
    fn write(&mut self, path: &str, text: &str) -> std::io::Result<()>;
}

/// The real file system; pages are written atomically.
pub struct Disk;

impl Files for Disk {
    fn read(&mut self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn write(&mut self, path: &str, text: &str) -> std::io::Result<()> {
        json::write_atomically(Path::new(path), text)
    }
}

fn output_arg() -> Arg {
    Arg::new("output")
        .short('o')
        .long("output")
        .value_name("PAGE.html")
}

fn help_arg() -> Arg {
    Arg::new("help")
        .short('h')
        .long("help")
        .action(ArgAction::SetTrue)
}

fn command() -> Command {
    // clap is built without its help and usage renderers (the zope option
    // parser does not want them): the help text is written out above.
    Command::new("leakrunner.report")
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .args_conflicts_with_subcommands(true)
        .arg(help_arg())
        .arg(Arg::new("report").value_name("REPORT.json"))
        .arg(output_arg())
        .subcommand(
            Command::new("compare")
                .disable_help_flag(true)
                .arg(help_arg())
                .arg(Arg::new("before").value_name("BEFORE.json"))
                .arg(Arg::new("after").value_name("AFTER.json"))
                .arg(output_arg()),
        )
}

fn usage_error(message: &str) -> Outcome {
    Outcome {
        status: 2,
        stdout: String::new(),
        stderr: format!("{USAGE}{PROG}: error: {message}\n"),
    }
}

fn failure(message: String) -> Outcome {
    Outcome {
        status: 2,
        stdout: String::new(),
        stderr: format!("{PROG}: error: {message}\n"),
    }
}

fn read(files: &mut dyn Files, path: &str) -> Result<Document, Outcome> {
    let text = files
        .read(path)
        .map_err(|e| failure(format!("cannot read {path}: {e}")))?;
    json::parse(&text).map_err(|e| failure(format!("{path}: {e}")))
}

/// Runs the command line `argv` (program name first).
pub fn run(argv: &[String], files: &mut dyn Files) -> Outcome {
    let matches = match command().try_get_matches_from(argv) {
        Ok(m) => m,
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("");
            return usage_error(first.trim_start_matches("error: "));
        }
    };
    let help = |m: &ArgMatches| m.get_flag("help");
    if help(&matches) || matches.subcommand_matches("compare").is_some_and(help) {
        return Outcome {
            stdout: format!("{USAGE}{HELP}"),
            ..Outcome::default()
        };
    }
    let outcome = match matches.subcommand_matches("compare") {
        Some(m) => run_compare(m, files),
        None => run_render(&matches, files),
    };
    outcome.unwrap_or_else(|o| o)
}

fn run_render(m: &ArgMatches, files: &mut dyn Files) -> Result<Outcome, Outcome> {
    let Some(path) = m.get_one::<String>("report") else {
        return Err(usage_error("a report to render is required"));
    };
    let doc = read(files, path)?;
    let page = html::render(&doc);
    match m.get_one::<String>("output").map(String::as_str) {
        None | Some("-") => Ok(Outcome {
            stdout: page,
            ..Outcome::default()
        }),
        Some(out) => {
            files
                .write(out, &page)
                .map_err(|e| failure(format!("cannot write {out}: {e}")))?;
            Ok(Outcome::default())
        }
    }
}

fn run_compare(m: &ArgMatches, files: &mut dyn Files) -> Result<Outcome, Outcome> {
    let (Some(b), Some(a)) = (m.get_one::<String>("before"), m.get_one::<String>("after")) else {
        return Err(usage_error(
            "compare needs two reports: BEFORE.json AFTER.json",
        ));
    };
    let before = read(files, b)?;
    let after = read(files, a)?;
    let c = compare::compare(&before, &after);
    let mut outcome = Outcome {
        status: i32::from(c.has_new_leak()),
        stdout: compare::text(&c, (b, &before), (a, &after)),
        stderr: String::new(),
    };
    if let Some(out) = m.get_one::<String>("output") {
        let page = compare::html(&c, (b, &before), (a, &after));
        if out == "-" {
            outcome.stdout = page;
        } else {
            files
                .write(out, &page)
                .map_err(|e| failure(format!("cannot write {out}: {e}")))?;
        }
    }
    Ok(outcome)
}

/// `leakrunner._leakrunner.report_main(argv)`: runs the command, returns
/// `(status, stdout, stderr)` for Python to print.
#[pyfunction]
pub fn report_main(py: Python<'_>, argv: Vec<String>) -> (i32, String, String) {
    let outcome = py.detach(|| run(&argv, &mut Disk));
    (outcome.status, outcome.stdout, outcome.stderr)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::report::html::tests::{document, layer, Shape};

    #[derive(Default)]
    struct Memory(BTreeMap<String, String>);

    impl Files for Memory {
        fn read(&mut self, path: &str) -> std::io::Result<String> {
            self.0
                .get(path)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        }

        fn write(&mut self, path: &str, text: &str) -> std::io::Result<()> {
            self.0.insert(path.to_owned(), text.to_owned());
            Ok(())
        }
    }

    fn argv(args: &[&str]) -> Vec<String> {
        std::iter::once("report.py")
            .chain(args.iter().copied())
            .map(str::to_owned)
            .collect()
    }

    /// A hunt with a leak, and the same hunt after the leak was fixed.
    fn files() -> Memory {
        let before = document(vec![
            layer("demo.Leaky", Shape::Leak, 6),
            layer("demo.Clean", Shape::Clean, 6),
        ]);
        let after = document(vec![
            layer("demo.Leaky", Shape::Clean, 6),
            layer("demo.Clean", Shape::Clean, 6),
        ]);
        let mut files = Memory::default();
        for (name, doc) in [("before.json", before), ("after.json", after)] {
            files
                .0
                .insert(name.into(), serde_json::to_string_pretty(&doc).unwrap());
        }
        files
    }

    #[test]
    fn renders_a_saved_report_to_a_file_or_stdout() {
        let mut files = files();
        let out = run(&argv(&["before.json", "-o", "page.html"]), &mut files);
        assert_eq!(out, Outcome::default());
        let page = files.0["page.html"].clone();
        assert!(page.contains("1 of 2 layers leaks, 1 clean."), "{page}");
        let out = run(&argv(&["before.json"]), &mut files);
        assert_eq!(out.status, 0);
        assert_eq!(out.stdout, page, "the same page on stdout");
    }

    #[test]
    fn compare_says_the_leak_is_fixed() {
        let mut files = files();
        let out = run(&argv(&["compare", "before.json", "after.json"]), &mut files);
        assert_eq!(out.status, 0, "{}", out.stderr);
        assert!(
            out.stdout
                .contains("  fixed         demo.Leaky (leak -> clean)\n"),
            "{}",
            out.stdout
        );
        assert!(
            out.stdout
                .contains("    fixed  objects      pkg.Leaked  was +1/iter\n"),
            "{}",
            out.stdout
        );
        assert!(out.stdout.ends_with("2 layers: 1 fixed, 1 unchanged.\n"));
        // The other way round, the leak is new: status 1, and a page too.
        let out = run(
            &argv(&["compare", "after.json", "before.json", "-o", "diff.html"]),
            &mut files,
        );
        assert_eq!(out.status, 1);
        assert!(out
            .stdout
            .contains("  new leak      demo.Leaky (clean -> leak)\n"));
        assert!(files.0["diff.html"].contains("<td class=\"status c-new\">new leak</td>"));
    }

    #[test]
    fn usage_errors_and_unreadable_reports_exit_2() {
        let mut files = files();
        for args in [
            &[][..],
            &["compare", "before.json"][..],
            &["before.json", "--bogus"][..],
            &["a.json", "b.json"][..],
        ] {
            let out = run(&argv(args), &mut files);
            assert_eq!(out.status, 2, "{args:?}");
            assert!(out.stderr.starts_with(USAGE), "{args:?}: {}", out.stderr);
            assert!(out.stderr.contains(": error: "), "{}", out.stderr);
            assert!(out.stdout.is_empty());
        }
        let out = run(&argv(&["missing.json"]), &mut files);
        assert_eq!(out.status, 2);
        assert!(
            out.stderr.contains("cannot read missing.json"),
            "{}",
            out.stderr
        );
        files
            .0
            .insert("bad.json".into(), "{\"schema\": \"other/1\"}".into());
        let out = run(&argv(&["bad.json"]), &mut files);
        assert_eq!(out.status, 2);
        assert!(out.stderr.contains("not a leak report"), "{}", out.stderr);
    }

    #[test]
    fn help() {
        for args in [&["-h"][..], &["--help"][..], &["compare", "--help"][..]] {
            let out = run(&argv(args), &mut files());
            assert_eq!(out.status, 0);
            assert!(out.stdout.starts_with(USAGE));
            assert!(out.stdout.contains("Exit status: 0; 1 when compare"));
        }
    }
}
