//! The console reporter: zope.testrunner's plain `OutputFormatter`, byte for
//! byte (blank lines, trailing spaces, `\r` progress rewriting included).
//!
//! Widths are counted in characters, as Python's `len()` does.

use super::{Needs, Output, Reporter, Stamp, Stream};
use crate::events::{Counts, DetailedRefcounts, Event, FailureKind, ImportFailure};

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

/// The pieces of a `TestFailed` event.
struct Failed<'a> {
    kind: FailureKind,
    name: &'a str,
    seconds: f64,
    traceback: &'a str,
    stdout: Option<&'a str>,
    stderr: Option<&'a str>,
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

/// `"%.3f seconds"`, or `"%d minutes %.3f seconds"` from a minute on.
pub fn format_seconds(seconds: f64) -> String {
    if seconds >= 60.0 {
        let minutes = (seconds / 60.0).floor();
        let rest = seconds - minutes * 60.0;
        format!("{minutes:.0} minutes {rest:.3} seconds")
    } else {
        format!("{seconds:.3} seconds")
    }
}

pub fn format_seconds_short(seconds: f64) -> String {
    format!("{seconds:.3} s")
}

/// Python's `s[start:end]` on characters, negative indices included.
fn py_slice(chars: &[char], start: Option<isize>, end: Option<isize>) -> String {
    let n = chars.len() as isize;
    let clamp = |i: isize| -> usize {
        let i = if i < 0 { i + n } else { i };
        i.clamp(0, n) as usize
    };
    let a = start.map_or(0, clamp);
    let b = end.map_or(n as usize, clamp);
    if a >= b {
        String::new()
    } else {
        chars[a..b].iter().collect()
    }
}

/// zope's `getShortDescription`: the test name cut to fit `room` characters,
/// keeping the method name and the end of the dotted path.
pub fn short_description(name: &str, room: isize) -> String {
    let room = room - 1;
    let chars: Vec<char> = name.chars().collect();
    let mut s = name.to_owned();
    if chars.len() as isize > room {
        match name.find(" (") {
            Some(byte_pos) => {
                let pos = name[..byte_pos].chars().count() as isize;
                let w = room - (pos + 5);
                if w < 1 {
                    s = py_slice(&chars, None, Some(room - 3)) + "...";
                } else {
                    let pre = py_slice(&chars, None, Some(pos + 2));
                    let post = py_slice(&chars, Some(-w), None);
                    s = format!("{pre}...{post}");
                }
            }
            None => {
                let w = room - 4;
                s = format!("... {}", py_slice(&chars, Some(-w), None));
            }
        }
    }
    let chars: Vec<char> = s.chars().collect();
    format!(" {}", py_slice(&chars, None, Some(room)))
}

fn print(out: &mut dyn Output, line: &str) {
    out.write(Stream::Stdout, line);
    out.write(Stream::Stdout, "\n");
}

fn summary_line(prefix: &str, counts: &Counts, seconds: f64) -> String {
    format!(
        "{prefix}{} tests with {} failures, {} errors and {} skipped in {}.",
        counts.tests,
        counts.failures,
        counts.errors,
        counts.skipped,
        format_seconds(seconds)
    )
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

/// Said once, under the first `-r -v` report of an interpreter without
/// `sys.getobjects` (a debug build without trace-refs).
pub const REACHABLE_ONLY_NOTE: &str =
    "    (No sys.getobjects in this Python: the detail counts the objects the \
garbage collector tracks\n     and the objects they reach, not objects only C code refers to.)\n";

/// Said once per module, on stderr, when `-r` runs on a debug build.
pub const SKEWING_EXTENSIONS_WARNING: &str = "leakrunner: warning: these extension modules \
were built for a release interpreter;\nthe references they take and drop never reach \
sys.gettotalrefcount(), so change= leaves them out:\n";

/// The `-r -v` table, as zope's `TrackRefs.output` lays it out.
pub fn leak_table(detail: &DetailedRefcounts) -> String {
    let mut s = format!(
        "  sum detail refcount={:<8} sys refcount={:<8} change={:<6}\n",
        detail.census_refs,
        detail.total,
        detail.total - detail.previous
    );
    let rows: Vec<_> = detail
        .rows
        .iter()
        .filter(|r| r.instances != 0 || r.refs != 0)
        .collect();
    if rows.is_empty() {
        return s;
    }
    let rule = format!("    {:<55} {:>6} {:>6}\n", "-".repeat(55), "-----", "----");
    s.push_str("    Leak details, changes in instances and refcounts by type/class:\n");
    s.push_str(&format!(
        "    {:<55} {:>6} {:>6}\n",
        "type/class", "insts", "refs"
    ));
    s.push_str(&rule);
    let (mut insts, mut refs) = (0i64, 0i64);
    for row in rows {
        s.push_str(&format!(
            "    {:<55} {:>6} {:>6}\n",
            row.title, row.instances, row.refs
        ));
        insts += row.instances;
        refs += row.refs;
    }
    s.push_str(&rule);
    s.push_str(&format!("    {:<55} {:>6} {:>6}\n", "total", insts, refs));
    s
}

impl Console {
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

    fn test_failed(&mut self, out: &mut dyn Output, failed: Failed<'_>) {
        let Failed {
            kind,
            name,
            seconds,
            traceback,
            stdout,
            stderr,
        } = failed;
        if self.config.verbose > 2 {
            print(out, &format!(" ({})", format_seconds_short(seconds)));
        }
        print(out, "");
        let label = match kind {
            FailureKind::Failure => "Failure",
            FailureKind::Error => "Error",
        };
        print_traceback(out, &format!("{label} in test {name}"), traceback);
        print_std_streams(out, stdout, stderr);
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
            print_traceback(
                out,
                &format!("Module: {}\n", failure.module),
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
            Event::Info(m) | Event::InfoSuboptimal(m) | Event::Error(m) | Event::LevelBanner(m) => {
                print(out, m)
            }
            Event::ErrorWithBanner(m) => {
                print(out, "");
                print(out, &"*".repeat(70));
                print(out, m);
                print(out, &"*".repeat(70));
                print(out, "");
            }
            Event::StaleBytecodeRemoved { path } => {
                print(out, &format!("Removing stale bytecode file {path}"))
            }
            Event::ImportErrors(failures) => self.import_errors(out, failures),
            Event::LayerStarted { layer } => print(out, &format!("Running {layer} tests:")),
            Event::RunningInSubprocess => print(out, "  Running in a subprocess."),
            Event::SetUpStarted { layer } => {
                out.write(Stream::Stdout, &format!("  Set up {layer} "));
                out.flush();
            }
            Event::TearDownStarted { layer } => {
                out.write(Stream::Stdout, &format!("  Tear down {layer} "));
                out.flush();
            }
            Event::SetUpFinished { seconds } | Event::TearDownFinished { seconds } => {
                print(out, &format!("in {}.", format_seconds(*seconds)))
            }
            Event::TearDownNotSupported => print(out, "... not supported"),
            Event::LayerFailed { traceback, .. } => print(out, traceback),
            Event::TearingDownLeftOvers => print(out, "Tearing down left over layers:"),
            Event::IterationStarted { iteration } => print(out, &format!("Iteration {iteration}")),
            Event::TestsStarting => print(out, "  Running:"),
            Event::TestStarted {
                name,
                tests_run,
                total,
                count,
                ..
            } => self.start_test(out, name, *tests_run, *total, *count),
            Event::TestSucceeded { seconds } => {
                if self.config.verbose > 2 {
                    let s = format!(" ({})", format_seconds_short(*seconds));
                    out.write(Stream::Stdout, &s);
                    self.test_width += len(&s) + 1;
                }
            }
            Event::TestSkipped { reason } => {
                let s = if self.config.verbose > 2 {
                    format!(" (skipped: {reason})")
                } else if self.config.verbose > 1 {
                    " (skipped)".to_owned()
                } else {
                    return;
                };
                out.write(Stream::Stdout, &s);
                self.test_width += len(&s) + 1;
            }
            Event::TestFailed {
                kind,
                name,
                seconds,
                traceback,
                stdout,
                stderr,
                ..
            } => self.test_failed(
                out,
                Failed {
                    kind: *kind,
                    name,
                    seconds: *seconds,
                    traceback,
                    stdout: stdout.as_deref(),
                    stderr: stderr.as_deref(),
                },
            ),
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
                print(out, &summary_line("  Ran ", counts, *seconds))
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
            Event::Totals { counts, seconds } => {
                let line = format!(
                    "Total: {} tests, {} failures, {} errors and {} skipped in {}.",
                    counts.tests,
                    counts.failures,
                    counts.errors,
                    counts.skipped,
                    format_seconds(*seconds)
                );
                print(out, &line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::LeakRow;
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
            Event::SetUpFinished { seconds: 0.0001 },
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
            Event::TestSucceeded { seconds: 0.0 },
            Event::TestStopped { gc_count: 0 },
            started("test_2 (m.C.test_2)", 2, 2),
            Event::TestSkipped {
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
            events.push(Event::TestSucceeded { seconds: 0.0 });
            events.push(Event::TestStopped { gc_count: 0 });
        }
        events.push(Event::TestsFinished);
        let out = run(&mut console(0, true), &events);
        assert_eq!(
            out.stdout,
            "  Running:\n    1/2 (50.0%)\r               \r    2/2 (100.0%)\r                \r\n"
        );
    }

    // Expected values are zope's getShortDescription on the same input.
    #[test]
    fn short_descriptions_fit_the_room() {
        let name = "test_1 (sample1.sampletests.test122.TestNotMuch.test_1)";
        assert_eq!(short_description(name, 80), format!(" {name}"));
        assert_eq!(
            short_description(name, 30),
            " test_1 (...estNotMuch.test_1)"
        );
        assert_eq!(
            short_description("a_very_long_test_method_name (x.y)", 12),
            " a_very_l..."
        );
        assert_eq!(
            short_description("no_parenthesis_here_at_all", 12),
            " ... _at_all"
        );
        assert_eq!(short_description("abc", 2), " .");
    }

    #[test]
    fn failures_at_each_verbosity() {
        let failed = |v: u32| {
            let events = vec![
                started("test_x (m.C.test_x)", 1, 1),
                Event::TestFailed {
                    kind: FailureKind::Failure,
                    name: "test_x (m.C.test_x)".into(),
                    seconds: 0.0,
                    traceback: "Traceback (most recent call last):\nAssertionError\n".into(),
                    stdout: Some("out".into()),
                    stderr: Some("err\n".into()),
                    exception: None,
                    subtest: None,
                },
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
        let detail = DetailedRefcounts {
            reachable_only: false,
            census_refs: 5,
            total: 10,
            previous: 7,
            rows: vec![
                LeakRow {
                    title: "float".into(),
                    instances: 1,
                    refs: 1,
                },
                LeakRow {
                    title: "int".into(),
                    instances: 0,
                    refs: 0,
                },
                LeakRow {
                    title: "leak.Leakable".into(),
                    instances: 2,
                    refs: 2,
                },
            ],
        };
        let table = leak_table(&detail);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            lines[0],
            "  sum detail refcount=5        sys refcount=10       change=3     "
        );
        assert_eq!(
            lines[1],
            "    Leak details, changes in instances and refcounts by type/class:"
        );
        assert_eq!(lines[2], format!("    {:<55}  insts   refs", "type/class"));
        assert_eq!(lines[4], format!("    {:<55}      1      1", "float"));
        assert_eq!(
            lines[5],
            format!("    {:<55}      2      2", "leak.Leakable")
        );
        assert_eq!(lines[7], format!("    {:<55}      3      3", "total"));
        assert_eq!(lines.len(), 8);
    }

    #[test]
    fn banner() {
        let out = run(
            &mut console(0, false),
            &[Event::ErrorWithBanner("Cannot find layer x".into())],
        );
        let stars = "*".repeat(70);
        assert_eq!(
            out.stdout,
            format!("\n{stars}\nCannot find layer x\n{stars}\n\n")
        );
    }

    #[test]
    fn seconds() {
        assert_eq!(format_seconds(0.0004), "0.000 seconds");
        assert_eq!(format_seconds(59.9994), "59.999 seconds");
        assert_eq!(format_seconds(75.0), "1 minutes 15.000 seconds");
        assert_eq!(format_seconds(3600.5), "60 minutes 0.500 seconds");
    }
}
