//! The console reporter: zope.testrunner's plain `OutputFormatter`, byte for
//! byte (blank lines, trailing spaces, `\r` progress rewriting included).
//!
//! With `-c` it is zope's `ColorfulOutputFormatter` (the codes and line-by-line
//! colouring live in [`super::color`]); the plain path only tests a flag.
//! The plain formatters both modes share live in [`super::format`].
//!
//! Widths are counted in characters, as Python's `len()` does (colour codes
//! included, as in zope).

use super::color::{self, Role};
use super::format::{
    self, format_seconds, format_seconds_short, leak_table, short_description, summary_line,
    totals_line, REACHABLE_ONLY_NOTE, SKEWING_EXTENSIONS_WARNING,
};
use super::{Needs, Output, Reporter, Stamp, Stream};
use crate::events::{Event, Failure, FailureKind, ImportFailure, NoticeRole, ReportKind};

/// What shapes the console output; fixed for a run.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleConfig {
    pub verbose: u32,
    pub progress: bool,
    /// A child process of `-j`: print a line of dots per test for the parent.
    pub in_subprocess: bool,
    /// Terminal width for `-p -v` (curses `cols`, else 80).
    pub max_width: usize,
    /// `-c`: zope's ColorfulOutputFormatter instead of the plain one.
    pub color: bool,
    /// `--slow-test N`: with colour, test times of N seconds or more stand out.
    pub slow_test_threshold: f64,
}

pub struct Console {
    config: ConsoleConfig,
    test_width: usize,
    last_width: usize,
    /// The note that a census covers the reachable heap only is said once.
    said_reachable_only: bool,
}

impl Console {
    pub fn new(config: ConsoleConfig) -> Console {
        Console {
            config,
            test_width: 0,
            last_width: 0,
            said_reachable_only: false,
        }
    }

    pub fn config(&self) -> &ConsoleConfig {
        &self.config
    }
}

fn len(s: &str) -> usize {
    s.chars().count()
}

fn print(out: &mut dyn Output, line: &str) {
    out.write(Stream::Stdout, line);
    out.write(Stream::Stdout, "\n");
}

/// `print(msg); print(traceback)` after a blank line, as `print_traceback`.
fn print_traceback(out: &mut dyn Output, msg: &str, traceback: &str) {
    print(out, "");
    print(out, msg);
    print(out, traceback);
}

fn print_std_streams(out: &mut dyn Output, stdout: Option<&str>, stderr: Option<&str>) {
    for (stream, label, text) in [
        (Stream::Stdout, "Stdout:\n", stdout),
        (Stream::Stderr, "Stderr:\n", stderr),
    ] {
        if let Some(text) = text.filter(|t| !t.is_empty()) {
            out.write(stream, label);
            out.write(stream, text);
            if !text.ends_with('\n') {
                out.write(stream, "\n");
            }
            out.write(stream, "\n");
        }
    }
}

impl Console {
    /// A message through one of zope's `info`, `info_suboptimal` or `error`:
    /// in the role's colour with `-c`.
    fn say(&self, out: &mut dyn Output, role: Role, message: &str) {
        if self.config.color {
            print(out, &color::colorize(role, message));
        } else {
            print(out, message);
        }
    }

    /// zope's `error_with_banner`: the message between lines of stars.
    fn banner(&self, out: &mut dyn Output, message: &str) {
        let stars = "*".repeat(70);
        print(out, "");
        self.say(out, Role::Error, &stars);
        self.say(out, Role::Error, message);
        self.say(out, Role::Error, &stars);
        print(out, "");
    }

    fn seconds(&self, seconds: f64) -> String {
        if self.config.color {
            color::format_seconds(seconds)
        } else {
            format_seconds(seconds)
        }
    }

    fn seconds_short(&self, seconds: f64) -> String {
        if self.config.color {
            color::format_seconds_short(seconds, self.config.slow_test_threshold)
        } else {
            format_seconds_short(seconds)
        }
    }

    /// `print_traceback`.
    fn traceback(&self, out: &mut dyn Output, msg: &str, kind: ReportKind, report: &str) {
        if self.config.color {
            let mut buf = String::with_capacity(report.len() * 2 + msg.len() + 16);
            color::traceback(&mut buf, msg, kind, report);
            out.write(Stream::Stdout, &buf);
        } else {
            print_traceback(out, msg, report);
        }
    }

    fn start_test(
        &mut self,
        out: &mut dyn Output,
        name: &str,
        tests_run: usize,
        total: usize,
        count: usize,
    ) {
        let c = &self.config;
        self.test_width = 0;
        if c.progress {
            if self.last_width > 0 {
                out.write(
                    Stream::Stdout,
                    &format!("\r{}\r", " ".repeat(self.last_width)),
                );
            }
            let percent = tests_run as f64 * 100.0 / total as f64;
            let s = format!("    {tests_run}/{total} ({percent:.1}%)");
            out.write(Stream::Stdout, &s);
            self.test_width += len(&s);
            if c.verbose == 1 {
                let room = c.max_width as isize - self.test_width as isize - 1;
                let s = short_description(name, room);
                out.write(Stream::Stdout, &s);
                self.test_width += len(&s);
            }
        } else if c.verbose == 1 {
            out.write(Stream::Stdout, &".".repeat(count));
        } else if c.in_subprocess {
            out.write(Stream::Stdout, &".".repeat(count));
            out.write(Stream::Stdout, "\n");
        }
        if c.verbose > 1 {
            out.write(Stream::Stdout, " ");
            out.write(Stream::Stdout, name);
            self.test_width += len(name) + 1;
        }
        out.flush();
    }

    fn test_failed(&mut self, out: &mut dyn Output, failure: &Failure) {
        if self.config.verbose > 2 {
            print(out, &format!(" ({})", self.seconds_short(failure.seconds)));
        }
        print(out, "");
        let label = match failure.kind {
            FailureKind::Failure => "Failure",
            FailureKind::Error => "Error",
        };
        let msg = format!("{label} in test {}", failure.name);
        self.traceback(out, &msg, failure.report, &failure.traceback);
        print_std_streams(out, failure.stdout.as_deref(), failure.stderr.as_deref());
        self.test_width = 0;
        self.last_width = 0;
    }

    fn stop_test(&mut self, out: &mut dyn Output, gc_count: usize) {
        let c = &self.config;
        if gc_count > 0 && c.verbose > 0 {
            let s = if c.verbose == 1 {
                "!".to_owned()
            } else {
                format!(" [{gc_count}]")
            };
            self.test_width += len(&s);
            out.write(Stream::Stdout, &s);
        }
        if c.progress {
            self.last_width = self.test_width;
        } else if c.verbose > 1 {
            print(out, "");
        }
        out.flush();
    }

    fn stop_tests(&mut self, out: &mut dyn Output) {
        if self.config.progress && self.last_width > 0 {
            out.write(
                Stream::Stdout,
                &format!("\r{}\r", " ".repeat(self.last_width)),
            );
        }
        if self.config.verbose == 1 || self.config.progress {
            print(out, "");
        }
    }

    fn import_errors(&mut self, out: &mut dyn Output, failures: &[ImportFailure]) {
        if failures.is_empty() {
            return;
        }
        print(out, "Test-module import failures:");
        for failure in failures {
            self.traceback(
                out,
                &format!("Module: {}\n", failure.module),
                ReportKind::Traceback,
                &failure.traceback,
            );
        }
        print(out, "");
    }

    fn name_list(out: &mut dyn Output, heading: &str, names: &[String], indent: &str) {
        if names.is_empty() {
            return;
        }
        print(out, "");
        print(out, heading);
        for name in names {
            print(out, &format!("{indent}{name}"));
        }
    }
}

impl Reporter for Console {
    fn needs(&self) -> Needs {
        Needs {
            names: self.config.verbose > 1 || (self.config.progress && self.config.verbose == 1),
            ..Needs::default()
        }
    }

    fn handle(&mut self, event: &Event, _at: Stamp, out: &mut dyn Output) {
        match event {
            Event::Notice(notice) => {
                let text = format::notice(notice);
                match notice.role() {
                    NoticeRole::Info => self.say(out, Role::Info, &text),
                    NoticeRole::Error => self.say(out, Role::Error, &text),
                    NoticeRole::ErrorWithBanner => self.banner(out, &text),
                }
            }
            Event::SubprocessFailed {
                layer,
                failure,
                details,
            } => self.banner(
                out,
                &format::subprocess_failure(layer, failure, details.as_ref()),
            ),
            Event::LeakSummary(lines) => {
                let text = super::leaks::summary(lines);
                if !text.is_empty() {
                    print(out, "");
                    out.write(Stream::Stdout, &text);
                }
            }
            Event::LeakSample { .. } | Event::LeakVerdict(_) | Event::AttributionRound { .. } => {}
            // Only emitted for a subunit stream: the console run prints
            // pstats' own table from Python.
            Event::ProfilerStats(_) => {}
            Event::StaleBytecodeRemoved { path } => self.say(
                out,
                Role::Info,
                &format!("Removing stale bytecode file {path}"),
            ),
            Event::ImportErrors(failures) => self.import_errors(out, failures),
            Event::LayerStarted { layer } => {
                self.say(out, Role::Info, &format!("Running {layer} tests:"))
            }
            Event::RunningInSubprocess => {
                self.say(out, Role::SuboptimalBehaviour, "  Running in a subprocess.")
            }
            Event::SetUpStarted { layer } => {
                out.write(Stream::Stdout, &format!("  Set up {layer} "));
                out.flush();
            }
            Event::TearDownStarted { layer } => {
                out.write(Stream::Stdout, &format!("  Tear down {layer} "));
                out.flush();
            }
            Event::SetUpFinished { seconds, .. } | Event::TearDownFinished { seconds, .. } => {
                print(out, &format!("in {}.", self.seconds(*seconds)))
            }
            Event::TearDownNotSupported { .. } => {
                if self.config.color {
                    let s = color::colorize(Role::SuboptimalBehaviour, "not supported");
                    print(out, &format!("... {s}"));
                } else {
                    print(out, "... not supported");
                }
            }
            Event::LayerFailed { traceback, .. } => self.say(out, Role::Error, traceback),
            Event::TearingDownLeftOvers => {
                self.say(out, Role::Info, "Tearing down left over layers:")
            }
            Event::IterationStarted { iteration } => {
                self.say(out, Role::Info, &format!("Iteration {iteration}"))
            }
            Event::TestsStarting => self.say(out, Role::Info, "  Running:"),
            Event::TestStarted {
                name,
                tests_run,
                total,
                count,
                ..
            } => self.start_test(out, name, *tests_run, *total, *count),
            Event::TestSucceeded { seconds, .. } => {
                if self.config.verbose > 2 {
                    let s = format!(" ({})", self.seconds_short(*seconds));
                    out.write(Stream::Stdout, &s);
                    // The colour codes count too, as in zope.
                    self.test_width += len(&s) + 1;
                }
            }
            Event::TestSkipped { reason, .. } => {
                let color = self.config.color;
                let s = if self.config.verbose > 2 {
                    if color {
                        color::skipped(Some(reason))
                    } else {
                        format!(" (skipped: {reason})")
                    }
                } else if self.config.verbose > 1 {
                    if color {
                        color::skipped(None)
                    } else {
                        " (skipped)".to_owned()
                    }
                } else {
                    return;
                };
                out.write(Stream::Stdout, &s);
                self.test_width += len(&s) + 1;
            }
            Event::TestFailed(failure) => self.test_failed(out, failure),
            Event::TestStopped { gc_count } => self.stop_test(out, *gc_count),
            Event::TestGarbage { test, garbage } => {
                print(out, "The following test left garbage:");
                print(out, test);
                print(out, garbage);
            }
            Event::TestThreads { test, threads } => {
                print(out, "The following test left new threads behind:");
                print(out, test);
                print(out, &format!("New thread(s): {threads}"));
            }
            Event::TestCycles { test, cycles } => {
                if cycles.is_empty() {
                    return;
                }
                print(out, "The following test left cyclic garbage behind:");
                print(out, test);
                for (i, cycle) in cycles.iter().enumerate() {
                    print(out, &format!("Cycle {}", i + 1));
                    for lines in cycle {
                        print(out, &format!(" *  {}", lines.join("\n   ")));
                    }
                }
            }
            Event::TestsFinished => self.stop_tests(out),
            Event::LayerSummary { counts, seconds } => {
                if self.config.color {
                    let line = color::summary_line("  Ran ", " tests with ", counts, *seconds);
                    out.write(Stream::Stdout, &line);
                } else {
                    print(out, &summary_line("  Ran ", counts, *seconds))
                }
            }
            Event::Garbage { count, garbage } => {
                print(out, &format!("Tests generated new ({count}) garbage:"));
                print(out, garbage);
            }
            Event::Refcounts { total, previous } => print(
                out,
                &format!("  sys refcount={:<8} change={:<6}", total, total - previous),
            ),
            Event::DetailedRefcounts(detail) => {
                let table = leak_table(detail);
                if detail.reachable_only && !self.said_reachable_only {
                    self.said_reachable_only = true;
                    let (first, rest) = table.split_once('\n').unwrap_or((&table, ""));
                    out.write(Stream::Stdout, first);
                    out.write(Stream::Stdout, "\n");
                    out.write(Stream::Stdout, REACHABLE_ONLY_NOTE);
                    out.write(Stream::Stdout, rest);
                } else {
                    out.write(Stream::Stdout, &table);
                }
            }
            Event::SkewingExtensions(modules) => {
                if modules.is_empty() {
                    return;
                }
                out.write(Stream::Stderr, SKEWING_EXTENSIONS_WARNING);
                for (name, file) in modules {
                    out.write(Stream::Stderr, &format!("  {name} ({file})\n"));
                }
            }
            Event::TestsWithErrors(names) => {
                Console::name_list(out, "Tests with errors:", names, "   ")
            }
            Event::TestsWithFailures(names) => {
                Console::name_list(out, "Tests with failures:", names, "   ")
            }
            Event::ModulesWithImportProblems(modules) => {
                Console::name_list(out, "Test-modules with import problems:", modules, "  ")
            }
            Event::ListOfTests { layer, tests } => {
                print(out, &format!("Listing {layer} tests:"));
                for test in tests {
                    print(out, &format!("  {}", test.name));
                }
            }
            Event::Totals { counts, seconds } if self.config.color => {
                let line = color::summary_line("Total: ", " tests, ", counts, *seconds);
                out.write(Stream::Stdout, &line);
            }
            Event::Totals { counts, seconds } => print(out, &totals_line(counts, *seconds)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Counts, DetailedRefcounts, LeakRow, Notice};
    use crate::report::Captured;

    fn console(verbose: u32, progress: bool) -> Console {
        Console::new(ConsoleConfig {
            verbose,
            progress,
            in_subprocess: false,
            max_width: 80,
            color: false,
            slow_test_threshold: 10.0,
        })
    }

    fn run(console: &mut Console, events: &[Event]) -> Captured {
        let mut out = Captured::default();
        for e in events {
            console.handle(e, Stamp { unix: 0.0 }, &mut out);
        }
        out
    }

    fn started(name: &str, tests_run: usize, total: usize) -> Event {
        Event::TestStarted {
            name: name.into(),
            tests_run,
            total,
            count: 1,
            identity: None,
        }
    }

    fn layer_run(events_per_test: &[Event]) -> Vec<Event> {
        let mut events = vec![
            Event::LayerStarted {
                layer: "samplelayers.Layer122".into(),
            },
            Event::SetUpStarted {
                layer: "samplelayers.Layer1".into(),
            },
            Event::SetUpFinished {
                layer: "L".into(),
                seconds: 0.0001,
            },
        ];
        events.extend_from_slice(events_per_test);
        events.push(Event::LayerSummary {
            counts: Counts {
                tests: 2,
                ..Counts::default()
            },
            seconds: 0.0031,
        });
        events
    }

    #[test]
    fn default_verbosity_layer_framing() {
        let out = run(&mut console(0, false), &layer_run(&[]));
        assert_eq!(
            out.stdout,
            "Running samplelayers.Layer122 tests:\n  Set up samplelayers.Layer1 in 0.000 seconds.\n  Ran 2 tests with 0 failures, 0 errors and 0 skipped in 0.003 seconds.\n"
        );
    }

    #[test]
    fn verbose_levels() {
        let tests = [
            Event::TestsStarting,
            started("test_1 (m.C.test_1)", 1, 2),
            Event::TestSucceeded {
                name: "t".into(),
                seconds: 0.0,
            },
            Event::TestStopped { gc_count: 0 },
            started("test_2 (m.C.test_2)", 2, 2),
            Event::TestSkipped {
                name: "t".into(),
                reason: "why".into(),
            },
            Event::TestStopped { gc_count: 0 },
            Event::TestsFinished,
        ];
        let body = |v| {
            let out = run(&mut console(v, false), &tests);
            out.stdout
        };
        assert_eq!(body(1), "  Running:\n..\n");
        assert_eq!(
            body(2),
            "  Running:\n test_1 (m.C.test_1)\n test_2 (m.C.test_2) (skipped)\n"
        );
        assert_eq!(
            body(3),
            "  Running:\n test_1 (m.C.test_1) (0.000 s)\n test_2 (m.C.test_2) (skipped: why)\n"
        );
    }

    #[test]
    fn progress_rewrites_the_line() {
        let mut events = vec![Event::TestsStarting];
        for i in 1..=2 {
            events.push(started("t", i, 2));
            events.push(Event::TestSucceeded {
                name: "t".into(),
                seconds: 0.0,
            });
            events.push(Event::TestStopped { gc_count: 0 });
        }
        events.push(Event::TestsFinished);
        let out = run(&mut console(0, true), &events);
        assert_eq!(
            out.stdout,
            "  Running:\n    1/2 (50.0%)\r               \r    2/2 (100.0%)\r                \r\n"
        );
    }

    #[test]
    fn failures_at_each_verbosity() {
        let failed = |v: u32| {
            let events = vec![
                started("test_x (m.C.test_x)", 1, 1),
                Event::TestFailed(Failure {
                    kind: FailureKind::Failure,
                    name: "test_x (m.C.test_x)".into(),
                    seconds: 0.0,
                    traceback: "Traceback (most recent call last):\nAssertionError\n".into(),
                    report: ReportKind::Traceback,
                    stdout: Some("out".into()),
                    stderr: Some("err\n".into()),
                    exception: None,
                    subtest: None,
                }),
                Event::TestStopped { gc_count: 0 },
            ];
            run(&mut console(v, false), &events)
        };
        let tb = "Failure in test test_x (m.C.test_x)\nTraceback (most recent call last):\nAssertionError\n\n";
        let out = failed(0);
        assert_eq!(out.stdout, format!("\n\n{tb}Stdout:\nout\n\n"));
        assert_eq!(out.stderr, "Stderr:\nerr\n\n");
        assert_eq!(failed(1).stdout, format!(".\n\n{tb}Stdout:\nout\n\n"));
        assert_eq!(
            failed(2).stdout,
            format!(" test_x (m.C.test_x)\n\n{tb}Stdout:\nout\n\n\n")
        );
        assert_eq!(
            failed(3).stdout,
            format!(" test_x (m.C.test_x) (0.000 s)\n\n\n{tb}Stdout:\nout\n\n\n")
        );
    }

    #[test]
    fn import_errors_and_report_sections() {
        let out = run(
            &mut console(0, false),
            &[
                Event::ImportErrors(vec![ImportFailure {
                    module: "pkg.broken".into(),
                    traceback: "ImportError: nope\n".into(),
                    exception: None,
                }]),
                Event::TestsWithErrors(vec!["test_a (m.C.test_a)".into()]),
                Event::TestsWithFailures(vec![]),
                Event::ModulesWithImportProblems(vec!["pkg.broken".into()]),
                Event::Totals {
                    counts: Counts {
                        tests: 3,
                        failures: 1,
                        errors: 2,
                        skipped: 0,
                    },
                    seconds: 75.0,
                },
            ],
        );
        assert_eq!(
            out.stdout,
            "Test-module import failures:\n\nModule: pkg.broken\n\nImportError: nope\n\n\n\
             \nTests with errors:\n   test_a (m.C.test_a)\n\
             \nTest-modules with import problems:\n  pkg.broken\n\
             Total: 3 tests, 1 failures, 2 errors and 0 skipped in 1 minutes 15.000 seconds.\n"
        );
    }

    #[test]
    fn refcount_lines_keep_zopes_padding() {
        let out = run(
            &mut console(0, false),
            &[Event::Refcounts {
                total: 100401,
                previous: 100401,
            }],
        );
        assert_eq!(out.stdout, "  sys refcount=100401   change=0     \n");
    }

    #[test]
    fn the_reachable_only_note_is_said_once() {
        let detail = DetailedRefcounts {
            reachable_only: true,
            census_refs: 5,
            total: 10,
            previous: 7,
            rows: vec![LeakRow {
                title: "float".into(),
                instances: 1,
                refs: 1,
            }],
        };
        let table = leak_table(&detail);
        let (first, rest) = table.split_once('\n').unwrap();
        let event = Event::DetailedRefcounts(detail);
        let out = run(&mut console(0, false), &[event.clone(), event]);
        assert_eq!(
            out.stdout,
            format!("{first}\n{REACHABLE_ONLY_NOTE}{rest}{table}")
        );
    }

    #[test]
    fn banner() {
        let out = run(
            &mut console(0, false),
            &[Event::Notice(Notice::LayerNotFound { layer: "x".into() })],
        );
        let stars = "*".repeat(70);
        assert_eq!(
            out.stdout,
            format!("\n{stars}\nCannot find layer x\n{stars}\n\n")
        );
    }

    // Colour (`-c`). Expected values are zope's ColorfulOutputFormatter on
    // the same input (its `format_traceback` returning the same text).

    fn colored(verbose: u32, progress: bool, slow: f64) -> Console {
        Console::new(ConsoleConfig {
            color: true,
            slow_test_threshold: slow,
            ..console(verbose, progress).config
        })
    }

    fn failing_pair(traceback: &str, report: ReportKind) -> Vec<Event> {
        let failed = |kind, name: &str, seconds, stdout: Option<&str>, stderr: Option<&str>| {
            Event::TestFailed(Failure {
                kind,
                name: name.into(),
                seconds,
                traceback: traceback.into(),
                report,
                stdout: stdout.map(Into::into),
                stderr: stderr.map(Into::into),
                exception: None,
                subtest: None,
            })
        };
        vec![
            started("test_x (m.C.test_x)", 1, 1),
            failed(
                FailureKind::Failure,
                "test_x (m.C.test_x)",
                0.0,
                Some("out"),
                Some("err\n"),
            ),
            Event::TestStopped { gc_count: 0 },
            started("test_y (m.C.test_y)", 1, 1),
            failed(FailureKind::Error, "test_y (m.C.test_y)", 12.0, None, None),
            Event::TestStopped { gc_count: 0 },
        ]
    }

    #[test]
    fn color_framing_and_messages() {
        let events = [
            Event::LayerStarted {
                layer: "samplelayers.Layer122".into(),
            },
            Event::SetUpStarted {
                layer: "samplelayers.Layer1".into(),
            },
            Event::SetUpFinished {
                layer: "L".into(),
                seconds: 0.0001,
            },
            Event::LayerSummary {
                counts: Counts {
                    tests: 2,
                    ..Counts::default()
                },
                seconds: 0.0031,
            },
            Event::LayerSummary {
                counts: Counts {
                    tests: 3,
                    failures: 1,
                    errors: 2,
                    skipped: 4,
                },
                seconds: 75.0,
            },
            Event::TearingDownLeftOvers,
            Event::TearDownStarted { layer: "L".into() },
            Event::TearDownNotSupported { layer: "L".into() },
            Event::TearDownStarted { layer: "M".into() },
            Event::TearDownFinished {
                layer: "L".into(),
                seconds: 61.5,
            },
            Event::Totals {
                counts: Counts {
                    tests: 5,
                    failures: 0,
                    errors: 1,
                    skipped: 0,
                },
                seconds: 0.5,
            },
            Event::RunningInSubprocess,
            Event::Notice(Notice::ConflictingDiffOptions),
            Event::Notice(Notice::LayerNotFound { layer: "x".into() }),
        ];
        let out = run(&mut colored(0, false, 10.0), &events);
        assert_eq!(out.stdout, "\x1b[0mRunning samplelayers.Layer122 tests:\x1b[0m\n  Set up samplelayers.Layer1 in \x1b[32m0.000\x1b[0m seconds.\n\x1b[0m  Ran \x1b[32m2\x1b[0m tests with \x1b[32m0\x1b[0m failures, \x1b[32m0\x1b[0m errors, \x1b[32m0\x1b[0m skipped in \x1b[32m0.003\x1b[0m seconds.\x1b[0m\n\x1b[0m  Ran \x1b[32m3\x1b[0m tests with \x1b[1;31m1\x1b[0m failures, \x1b[1;31m2\x1b[0m errors, \x1b[1;33m4\x1b[0m skipped in \x1b[32m1\x1b[0m minutes \x1b[32m15.000\x1b[0m seconds.\x1b[0m\n\x1b[0mTearing down left over layers:\x1b[0m\n  Tear down L ... \x1b[35mnot supported\x1b[0m\n  Tear down M in \x1b[32m1\x1b[0m minutes \x1b[32m1.500\x1b[0m seconds.\n\x1b[0mTotal: \x1b[32m5\x1b[0m tests, \x1b[32m0\x1b[0m failures, \x1b[1;31m1\x1b[0m errors, \x1b[32m0\x1b[0m skipped in \x1b[32m0.500\x1b[0m seconds.\x1b[0m\n\x1b[35m  Running in a subprocess.\x1b[0m\n\x1b[1;31mCan only give one of --ndiff, --udiff, or --cdiff\x1b[0m\n\n\x1b[1;31m**********************************************************************\x1b[0m\n\x1b[1;31mCannot find layer x\x1b[0m\n\x1b[1;31m**********************************************************************\x1b[0m\n\n");
        assert_eq!(out.stderr, "");
    }

    #[test]
    fn color_test_lines() {
        let tests = || {
            vec![
                Event::TestsStarting,
                started("test_1 (m.C.test_1)", 1, 3),
                Event::TestSucceeded {
                    name: "t".into(),
                    seconds: 0.25,
                },
                Event::TestStopped { gc_count: 0 },
                started("test_2 (m.C.test_2)", 2, 3),
                Event::TestSkipped {
                    name: "t".into(),
                    reason: "why".into(),
                },
                Event::TestStopped { gc_count: 0 },
                started("test_3 (m.C.test_3)", 3, 3),
                Event::TestSucceeded {
                    name: "t".into(),
                    seconds: 0.0,
                },
                Event::TestStopped { gc_count: 0 },
                Event::TestsFinished,
            ]
        };
        let body = |v, progress, slow| run(&mut colored(v, progress, slow), &tests()).stdout;
        assert_eq!(body(1, false, 10.0), "\x1b[0m  Running:\x1b[0m\n...\n");
        assert_eq!(body(2, false, 10.0), "\x1b[0m  Running:\x1b[0m\n test_1 (m.C.test_1)\n test_2 (m.C.test_2) (\x1b[1;33mskipped\x1b[0m)\n test_3 (m.C.test_3)\n");
        assert_eq!(body(3, false, 0.1), "\x1b[0m  Running:\x1b[0m\n test_1 (m.C.test_1) (\x1b[1;35m0.250 s\x1b[0m)\n test_2 (m.C.test_2) (\x1b[1;33mskipped: why\x1b[0m)\n test_3 (m.C.test_3) (\x1b[32m0.000 s\x1b[0m)\n");
        // The widths zope clears with -p count the colour codes too.
        assert_eq!(body(3, true, 0.1), "\x1b[0m  Running:\x1b[0m\n    1/3 (33.3%) test_1 (m.C.test_1) (\x1b[1;35m0.250 s\x1b[0m)\x0d                                                         \x0d    2/3 (66.7%) test_2 (m.C.test_2) (\x1b[1;33mskipped: why\x1b[0m)\x0d                                                              \x0d    3/3 (100.0%) test_3 (m.C.test_3) (\x1b[32m0.000 s\x1b[0m)\x0d                                                        \x0d\n");
    }

    const TRACEBACK: &str = "Traceback (most recent call last):\n  \
        File \"/src/m.py\", line 12, in test_x\n    self.assertEqual(1, 0)\n   \
        - __traceback_info__: why\n  File \"/src/a.py\", line 1\n    importx unittest\n            \
        ^^^^^^^^\n\nAssertionError: 1 != 0\n";

    #[test]
    fn color_tracebacks() {
        let out = run(
            &mut colored(3, false, 10.0),
            &failing_pair(TRACEBACK, ReportKind::Traceback),
        );
        assert_eq!(out.stdout, " test_x (m.C.test_x) (\x1b[32m0.000 s\x1b[0m)\n\n\n\x1b[1;31mFailure in test test_x (m.C.test_x)\x1b[0m\nTraceback (most recent call last):\n\x1b[0m  File \"\x1b[1;34m/src/m.py\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mtest_x\x1b[0m\n\x1b[36m    self.assertEqual(1, 0)\x1b[0m\n\x1b[31m   - __traceback_info__: why\x1b[0m\n  File \"/src/a.py\", line 1\n\x1b[36m    importx unittest\x1b[0m\n\x1b[36m            ^^^^^^^^\x1b[0m\n\x1b[31m\x1b[0m\n\x1b[31mAssertionError: 1 != 0\x1b[0m\n\nStdout:\nout\n\n\n test_y (m.C.test_y) (\x1b[1;35m12.000 s\x1b[0m)\n\n\n\x1b[1;31mError in test test_y (m.C.test_y)\x1b[0m\nTraceback (most recent call last):\n\x1b[0m  File \"\x1b[1;34m/src/m.py\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mtest_x\x1b[0m\n\x1b[36m    self.assertEqual(1, 0)\x1b[0m\n\x1b[31m   - __traceback_info__: why\x1b[0m\n  File \"/src/a.py\", line 1\n\x1b[36m    importx unittest\x1b[0m\n\x1b[36m            ^^^^^^^^\x1b[0m\n\x1b[31m\x1b[0m\n\x1b[31mAssertionError: 1 != 0\x1b[0m\n\n\n");
        assert_eq!(out.stderr, "Stderr:\nerr\n\n");
        let out = run(
            &mut colored(0, false, 10.0),
            &failing_pair(TRACEBACK, ReportKind::Traceback),
        );
        assert_eq!(out.stdout, "\n\n\x1b[1;31mFailure in test test_x (m.C.test_x)\x1b[0m\nTraceback (most recent call last):\n\x1b[0m  File \"\x1b[1;34m/src/m.py\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mtest_x\x1b[0m\n\x1b[36m    self.assertEqual(1, 0)\x1b[0m\n\x1b[31m   - __traceback_info__: why\x1b[0m\n  File \"/src/a.py\", line 1\n\x1b[36m    importx unittest\x1b[0m\n\x1b[36m            ^^^^^^^^\x1b[0m\n\x1b[31m\x1b[0m\n\x1b[31mAssertionError: 1 != 0\x1b[0m\n\nStdout:\nout\n\n\n\n\x1b[1;31mError in test test_y (m.C.test_y)\x1b[0m\nTraceback (most recent call last):\n\x1b[0m  File \"\x1b[1;34m/src/m.py\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mtest_x\x1b[0m\n\x1b[36m    self.assertEqual(1, 0)\x1b[0m\n\x1b[31m   - __traceback_info__: why\x1b[0m\n  File \"/src/a.py\", line 1\n\x1b[36m    importx unittest\x1b[0m\n\x1b[36m            ^^^^^^^^\x1b[0m\n\x1b[31m\x1b[0m\n\x1b[31mAssertionError: 1 != 0\x1b[0m\n\n");
    }

    const DOCTEST: &str =
        "Failed doctest test for recipe.rst\n  File \"/src/recipe.rst\", line 0\n\n\
        ----------------------------------------------------------------------\n\
        File \"/src/recipe.rst\", line 5, in recipe.rst\nFailed example:\n    print(1)\n\
        Expected:\n    2\nGot:\n    1\n    <BLANKLINE>\n\
        ----------------------------------------------------------------------\n\
        File \"/src/recipe.rst\", line 9, in recipe.rst\nFailed example:\n    f()\n\
        Exception raised:\n    Traceback (most recent call last):\n      \
        File \"<doctest>\", line 1, in <module>\n    NameError: f\nFile \"weird\"\n\
        ----------------------------------------------------------------------\n\
        File \"/src/recipe.rst\", line 12, in recipe.rst\nFailed example:\n    print(x)\n\
        Differences (ndiff with -expected +actual):\n    - a b\n    + a c\n    ?   ^\n      \
        same\n    @@ -1,2 +1,2 @@\n    ***************\n    ! changed\n    \n     \n\n\
        Got:\n    \x1f\n";

    #[test]
    fn color_doctest_reports() {
        let out = run(
            &mut colored(0, false, 10.0),
            &failing_pair(DOCTEST, ReportKind::Doctest),
        );
        assert_eq!(out.stdout, "\n\n\x1b[1;31mFailure in test test_x (m.C.test_x)\x1b[0m\nFailed doctest test for recipe.rst\n  File \"/src/recipe.rst\", line 0\n\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m5\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    print(1)\x1b[0m\nExpected:\n\x1b[32m    2\x1b[0m\nGot:\n\x1b[31m    1\x1b[0m\n\x1b[31m    <BLANKLINE>\x1b[0m\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m9\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    f()\x1b[0m\nException raised:\n\x1b[31m    Traceback (most recent call last):\x1b[0m\n\x1b[31m      File \"<doctest>\", line 1, in <module>\x1b[0m\n\x1b[31m    NameError: f\x1b[0m\nFile \"weird\"\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    print(x)\x1b[0m\nDifferences (ndiff with -expected +actual):\n\x1b[32m    - a b\x1b[0m\n\x1b[31m    + a c\x1b[0m\n\x1b[35m    ?   ^\x1b[0m\n\x1b[0m      same\x1b[0m\n\x1b[35m    @@ -1,2 +1,2 @@\x1b[0m\n\x1b[35m    ***************\x1b[0m\n\x1b[31m    ! changed\x1b[0m\n    \n\x1b[0m     \x1b[0m\n\nGot:\n    \x1f\n\nStdout:\nout\n\n\n\n\x1b[1;31mError in test test_y (m.C.test_y)\x1b[0m\nFailed doctest test for recipe.rst\n  File \"/src/recipe.rst\", line 0\n\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m5\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    print(1)\x1b[0m\nExpected:\n\x1b[32m    2\x1b[0m\nGot:\n\x1b[31m    1\x1b[0m\n\x1b[31m    <BLANKLINE>\x1b[0m\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m9\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    f()\x1b[0m\nException raised:\n\x1b[31m    Traceback (most recent call last):\x1b[0m\n\x1b[31m      File \"<doctest>\", line 1, in <module>\x1b[0m\n\x1b[31m    NameError: f\x1b[0m\nFile \"weird\"\n----------------------------------------------------------------------\n\x1b[0mFile \"\x1b[1;34m/src/recipe.rst\x1b[0m\", line \x1b[1;31m12\x1b[0m, in \x1b[1;36mrecipe.rst\x1b[0m\nFailed example:\n\x1b[36m    print(x)\x1b[0m\nDifferences (ndiff with -expected +actual):\n\x1b[32m    - a b\x1b[0m\n\x1b[31m    + a c\x1b[0m\n\x1b[35m    ?   ^\x1b[0m\n\x1b[0m      same\x1b[0m\n\x1b[35m    @@ -1,2 +1,2 @@\x1b[0m\n\x1b[35m    ***************\x1b[0m\n\x1b[31m    ! changed\x1b[0m\n    \n\x1b[0m     \x1b[0m\n\nGot:\n    \x1f\n\n");
        // A DocTestFailure report (zope's template) is printed as it is.
        let out = run(
            &mut colored(0, false, 10.0),
            &failing_pair("\nFile \"x\", line 1, in t\n", ReportKind::DoctestTemplate),
        );
        assert!(out
            .stdout
            .starts_with("\n\n\x1b[1;31mFailure in test test_x (m.C.test_x)\x1b[0m\n\nFile \"x\", line 1, in t\n\n"));
    }

    #[test]
    fn color_import_errors_and_layer_failures() {
        let out = run(
            &mut colored(0, false, 10.0),
            &[Event::ImportErrors(vec![ImportFailure {
                module: "pkg.broken".into(),
                traceback:
                    "  File \"/x/y.py\", line 1\n    importx unittest\n            ^^^^^^^^\n\
                            SyntaxError: invalid syntax\n"
                        .into(),
                exception: None,
            }])],
        );
        assert_eq!(out.stdout, "Test-module import failures:\n\n\x1b[1;31mModule: pkg.broken\n\x1b[0m\n  File \"/x/y.py\", line 1\n\x1b[36m    importx unittest\x1b[0m\n\x1b[36m            ^^^^^^^^\x1b[0m\n\x1b[31mSyntaxError: invalid syntax\x1b[0m\n\n\n");
        let out = run(
            &mut colored(0, false, 10.0),
            &[Event::LayerFailed {
                layer: "b.L".into(),
                phase: crate::events::LayerPhase::SetUp,
                traceback:
                    "Traceback (most recent call last):\n  File \"/b.py\", line 3, in setUp\n    \
                            raise X\nRuntimeError: wet\n"
                        .into(),
                exception: None,
            }],
        );
        assert_eq!(out.stdout, "\x1b[1;31mTraceback (most recent call last):\n  File \"/b.py\", line 3, in setUp\n    raise X\nRuntimeError: wet\n\x1b[0m\n");
    }
}
