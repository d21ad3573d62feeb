//! zope.testrunner's plain formatters, shared by the reporters: durations,
//! short test names, summary lines, the `-r -v` table, fixed messages, and
//! the calendar arithmetic behind the timestamps of subunit and XML.
//!
//! The console uses them as they are; its colour mode ([`super::color`])
//! wraps the same numbers in colour codes. Keeping them here, rather than in
//! either, lets both (and subunit) use them without importing each other.
//! Every function is pure: a value in, a string out.

use crate::events::{
    ChildDetails, ChildDoing, ChildEnding, ChildFailure, Counts, DetailedRefcounts, Notice,
    RunLevels,
};

/// "was killed by signal 11 (SIGSEGV)", "exited with status 3"...
fn child_ending(ending: &ChildEnding) -> String {
    match ending {
        ChildEnding::Signal {
            number,
            name: Some(name),
        } => format!("was killed by signal {number} ({name})"),
        ChildEnding::Signal { number, name: None } => format!("was killed by signal {number}"),
        ChildEnding::Status(code) => format!("exited with status {code}"),
        ChildEnding::TimedOut { seconds } => format!(
            "ran longer than the {seconds} seconds allowed (LEAKRUNNER_CHILD_TIMEOUT) and was killed"
        ),
    }
}

/// "while running t (m.T.t)", "in pkg.L.setUp", "after t (m.T.t)"...
pub fn child_doing(doing: &ChildDoing) -> String {
    match doing {
        ChildDoing::Starting => "before running any test".to_owned(),
        ChildDoing::Layer {
            layer,
            phase,
            done: false,
        } => format!("in {layer}.{}", phase.label()),
        ChildDoing::Layer {
            layer,
            phase,
            done: true,
        } => format!("after {layer}.{}", phase.label()),
        ChildDoing::Test { name, done: false } => format!("while running {name}"),
        ChildDoing::Test { name, done: true } => format!("after {name}"),
    }
}

/// zope's details of a failed child (`-v`): its command line as a Python
/// list, and its stderr, indented.
fn child_details(details: &ChildDetails) -> String {
    let quoted: Vec<String> = details
        .command
        .iter()
        .map(|a| crate::pyrepr::str_repr(a))
        .collect();
    let mut text = format!("\nChild command line: [{}]", quoted.join(", "));
    let indent = |lines: &[String]| {
        lines
            .iter()
            .map(|l| format!("  {l}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let lines = &details.stderr;
    if details.trimmed && lines.len() >= 20 {
        text.push_str(&format!(
            "\nChild stderr was:\n{}\n...\n{}",
            indent(&lines[..10]),
            indent(&lines[lines.len() - 10..])
        ));
    } else {
        text.push_str(&format!("\nChild stderr was:\n{}", indent(lines)));
    }
    text
}

/// The report of a failed child, between the banner's stars.
pub fn subprocess_failure(
    layer: &str,
    failure: &ChildFailure,
    details: Option<&ChildDetails>,
) -> String {
    let details = details.map(child_details).unwrap_or_default();
    match failure {
        ChildFailure::NoContact { ending } => {
            let mut text = format!("Could not communicate with subprocess!{details}");
            if let Some(ending) = ending {
                text.push_str(&format!(
                    "\nThe subprocess for {layer} {}.",
                    child_ending(ending)
                ));
            }
            text
        }
        ChildFailure::ChannelCut { doing } => format!(
            "The results channel of the subprocess for {layer} ended {}; \
             its totals come from its stderr.",
            child_doing(doing)
        ),
        ChildFailure::Died {
            ending,
            doing,
            stack,
            resumed,
        } => {
            let ending = ending
                .as_ref()
                .map_or_else(|| "ended".to_owned(), child_ending);
            let mut text = format!(
                "The subprocess for {layer} {ending} {}.",
                child_doing(doing)
            );
            let stack = stack.trim_end();
            if !stack.is_empty() {
                text.push('\n');
                text.push_str(stack);
            }
            match resumed {
                Some(Some(test)) => text.push_str(&format!(
                    "\nThe rest of {layer} runs in a new subprocess, after {test}."
                )),
                Some(None) => {
                    text.push_str(&format!("\nThe rest of {layer} runs in a new subprocess."))
                }
                None => {}
            }
            text.push_str(&details);
            text
        }
    }
}

/// A notice in zope's words (the lines of its `info`, `error` and
/// `error_with_banner` calls; the banner's stars are the reporter's).
pub fn notice(notice: &Notice) -> String {
    match notice {
        Notice::Levels(RunLevels::All) => "Running tests at all levels".to_owned(),
        Notice::Levels(RunLevels::Only(level)) => format!("Running tests only at level {level}"),
        Notice::Levels(RunLevels::UpTo(level)) => format!("Running tests at level {level}"),
        Notice::ShuffleSeed { seed } => format!("Tests were shuffled using seed number {seed}."),
        Notice::GcThreshold { threshold } => match threshold.first() {
            Some(0) => "Cyclic garbage collection is disabled.".to_owned(),
            _ => {
                // `repr(tuple(values))`.
                let items: Vec<String> = threshold.iter().map(i64::to_string).collect();
                let tuple = match items.as_slice() {
                    [one] => format!("({one},)"),
                    _ => format!("({})", items.join(", ")),
                };
                format!("Cyclic garbage collection threshold set to: {tuple}")
            }
        },
        Notice::ConflictingDiffOptions => {
            "Can only give one of --ndiff, --udiff, or --cdiff".to_owned()
        }
        Notice::LayerNotFound { layer } => format!("Cannot find layer {layer}"),
        Notice::UnreadableSubprocessOutput { layer } => {
            format!("Error reading subprocess output for {layer}")
        }
        Notice::ReadError { error } => error.clone(),
        Notice::SubprocessNotStarted { layer, reason } => {
            format!("Could not start subprocess for {layer}: {reason}")
        }
        Notice::NoPostMortemInSubprocess { layer: None } => {
            "Can't post-mortem debug when running a layer as a subprocess!".to_owned()
        }
        Notice::NoPostMortemInSubprocess { layer: Some(layer) } => format!(
            "\nCan't post-mortem debug when running a layer as a subprocess!\n\
             Try running layer {} by itself.\n",
            crate::pyrepr::str_repr(layer)
        ),
        Notice::NoPostMortemOfUnexpectedSuccess => {
            "Can't post-mortem debug an unexpected success".to_owned()
        }
    }
}

/// From a minute on, `divmod(seconds, 60)`.
pub fn split_minutes(seconds: f64) -> Option<(f64, f64)> {
    (seconds >= 60.0).then(|| {
        let minutes = (seconds / 60.0).floor();
        (minutes, seconds - minutes * 60.0)
    })
}

/// `"%.3f seconds"`, or `"%d minutes %.3f seconds"` from a minute on.
pub fn format_seconds(seconds: f64) -> String {
    match split_minutes(seconds) {
        Some((minutes, rest)) => format!("{minutes:.0} minutes {rest:.3} seconds"),
        None => format!("{seconds:.3} seconds"),
    }
}

/// `"%.3f s"`: a test's time at `-vvv`.
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

/// `summary` (`prefix` is `"  Ran "`): a layer iteration's counts and time.
pub fn summary_line(prefix: &str, counts: &Counts, seconds: f64) -> String {
    format!(
        "{prefix}{} tests with {} failures, {} errors and {} skipped in {}.",
        counts.tests,
        counts.failures,
        counts.errors,
        counts.skipped,
        format_seconds(seconds)
    )
}

/// `totals`: the grand total when more than one layer ran.
pub fn totals_line(counts: &Counts, seconds: f64) -> String {
    format!(
        "Total: {} tests, {} failures, {} errors and {} skipped in {}.",
        counts.tests,
        counts.failures,
        counts.errors,
        counts.skipped,
        format_seconds(seconds)
    )
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

/// A moment broken into the fields of a proleptic Gregorian date and a
/// time of day, as `datetime` holds them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    pub micros: u32,
}

impl Civil {
    /// From microseconds since 1970-01-01T00:00 (in whatever zone the
    /// caller shifted them to).
    pub fn from_micros(micros: i64) -> Civil {
        let seconds = micros.div_euclid(1_000_000);
        let second_of_day = seconds.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        Civil {
            year,
            month,
            day,
            hour: second_of_day / 3600,
            minute: second_of_day / 60 % 60,
            second: second_of_day % 60,
            micros: micros.rem_euclid(1_000_000) as u32,
        }
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian (year, month, day)
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_child_in_words() {
        use crate::events::LayerPhase;
        let test = |done| ChildDoing::Test {
            name: "t (m.T.t)".into(),
            done,
        };
        let segv = || {
            Some(ChildEnding::Signal {
                number: 11,
                name: Some("SIGSEGV".into()),
            })
        };
        let details = ChildDetails {
            command: vec!["py".into(), "it's".into()],
            stderr: (0..25).map(|i| format!("l{i}")).collect(),
            trimmed: true,
        };
        let short = ChildDetails {
            command: vec!["py".into()],
            stderr: vec!["boom".into()],
            trimmed: false,
        };
        let cases: Vec<(ChildFailure, Option<&ChildDetails>, String)> = vec![
            (
                ChildFailure::NoContact { ending: segv() },
                Some(&details),
                format!(
                    "Could not communicate with subprocess!\n\
                     Child command line: ['py', \"it's\"]\nChild stderr was:\n{}\n...\n{}\n\
                     The subprocess for pkg.L was killed by signal 11 (SIGSEGV).",
                    (0..10)
                        .map(|i| format!("  l{i}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                    (15..25)
                        .map(|i| format!("  l{i}"))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
            ),
            (
                ChildFailure::NoContact { ending: None },
                None,
                "Could not communicate with subprocess!".into(),
            ),
            (
                ChildFailure::ChannelCut { doing: test(true) },
                None,
                "The results channel of the subprocess for pkg.L ended after t (m.T.t); \
                 its totals come from its stderr."
                    .into(),
            ),
            (
                ChildFailure::Died {
                    ending: segv(),
                    doing: test(false),
                    stack: "Fatal Python error: Segmentation fault\n\n".into(),
                    resumed: Some(Some("t (m.T.t)".into())),
                },
                None,
                "The subprocess for pkg.L was killed by signal 11 (SIGSEGV) while running \
                 t (m.T.t).\nFatal Python error: Segmentation fault\n\
                 The rest of pkg.L runs in a new subprocess, after t (m.T.t)."
                    .into(),
            ),
            (
                ChildFailure::Died {
                    ending: Some(ChildEnding::TimedOut { seconds: 2.0 }),
                    doing: ChildDoing::Layer {
                        layer: "pkg.L".into(),
                        phase: LayerPhase::SetUp,
                        done: false,
                    },
                    stack: String::new(),
                    resumed: Some(None),
                },
                None,
                "The subprocess for pkg.L ran longer than the 2 seconds allowed \
                 (LEAKRUNNER_CHILD_TIMEOUT) and was killed in pkg.L.setUp.\n\
                 The rest of pkg.L runs in a new subprocess."
                    .into(),
            ),
            (
                ChildFailure::Died {
                    ending: None,
                    doing: ChildDoing::Starting,
                    stack: String::new(),
                    resumed: None,
                },
                Some(&short),
                "The subprocess for pkg.L ended before running any test.\n\
                 Child command line: ['py']\nChild stderr was:\n  boom"
                    .into(),
            ),
            (
                ChildFailure::Died {
                    ending: Some(ChildEnding::Status(3)),
                    doing: ChildDoing::Layer {
                        layer: "pkg.L".into(),
                        phase: LayerPhase::TearDown,
                        done: true,
                    },
                    stack: String::new(),
                    resumed: None,
                },
                None,
                "The subprocess for pkg.L exited with status 3 after pkg.L.tearDown.".into(),
            ),
        ];
        for (failure, details, expected) in cases {
            assert_eq!(
                subprocess_failure("pkg.L", &failure, details),
                expected,
                "{failure:?}"
            );
        }
    }

    #[test]
    fn notices_in_zopes_words() {
        let layer = || "pkg.Layer".to_owned();
        let cases: &[(Notice, &str)] = &[
            (
                Notice::Levels(RunLevels::All),
                "Running tests at all levels",
            ),
            (
                Notice::Levels(RunLevels::Only(2)),
                "Running tests only at level 2",
            ),
            (
                Notice::Levels(RunLevels::UpTo(1)),
                "Running tests at level 1",
            ),
            (
                Notice::ShuffleSeed { seed: -3 },
                "Tests were shuffled using seed number -3.",
            ),
            (
                Notice::GcThreshold {
                    threshold: vec![700],
                },
                "Cyclic garbage collection threshold set to: (700,)",
            ),
            (
                Notice::GcThreshold {
                    threshold: vec![700, 10, 5],
                },
                "Cyclic garbage collection threshold set to: (700, 10, 5)",
            ),
            (
                Notice::GcThreshold {
                    threshold: vec![0, 10],
                },
                "Cyclic garbage collection is disabled.",
            ),
            (
                Notice::ConflictingDiffOptions,
                "Can only give one of --ndiff, --udiff, or --cdiff",
            ),
            (
                Notice::LayerNotFound { layer: layer() },
                "Cannot find layer pkg.Layer",
            ),
            (
                Notice::UnreadableSubprocessOutput { layer: layer() },
                "Error reading subprocess output for pkg.Layer",
            ),
            (
                Notice::ReadError {
                    error: "Bad file descriptor".into(),
                },
                "Bad file descriptor",
            ),
            (
                Notice::SubprocessNotStarted {
                    layer: layer(),
                    reason: "No such file".into(),
                },
                "Could not start subprocess for pkg.Layer: No such file",
            ),
            (
                Notice::NoPostMortemInSubprocess { layer: None },
                "Can't post-mortem debug when running a layer as a subprocess!",
            ),
            (
                Notice::NoPostMortemInSubprocess {
                    layer: Some(layer()),
                },
                "\nCan't post-mortem debug when running a layer as a subprocess!\n\
                 Try running layer 'pkg.Layer' by itself.\n",
            ),
            (
                Notice::NoPostMortemOfUnexpectedSuccess,
                "Can't post-mortem debug an unexpected success",
            ),
        ];
        for (given, expected) in cases {
            assert_eq!(notice(given), *expected, "{given:?}");
        }
    }
    use crate::events::LeakRow;

    #[test]
    fn seconds() {
        assert_eq!(format_seconds(0.0004), "0.000 seconds");
        assert_eq!(format_seconds(59.9994), "59.999 seconds");
        assert_eq!(format_seconds(75.0), "1 minutes 15.000 seconds");
        assert_eq!(format_seconds(3600.5), "60 minutes 0.500 seconds");
        assert_eq!(split_minutes(59.5), None);
        assert_eq!(split_minutes(121.5), Some((2.0, 1.5)));
        assert_eq!(format_seconds_short(0.0125), "0.013 s");
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
    fn summary_and_totals() {
        let counts = Counts {
            tests: 5,
            failures: 1,
            errors: 2,
            skipped: 3,
        };
        assert_eq!(
            summary_line("  Ran ", &counts, 61.25),
            "  Ran 5 tests with 1 failures, 2 errors and 3 skipped in 1 minutes 1.250 seconds."
        );
        assert_eq!(
            totals_line(&counts, 0.5),
            "Total: 5 tests, 1 failures, 2 errors and 3 skipped in 0.500 seconds."
        );
    }

    #[test]
    fn leak_table_lists_the_changed_types() {
        let row = |title: &str, instances, refs| LeakRow {
            title: title.into(),
            instances,
            refs,
        };
        let mut detail = DetailedRefcounts {
            reachable_only: false,
            census_refs: 5,
            total: 10,
            previous: 7,
            rows: vec![
                row("float", 1, 1),
                row("int", 0, 0),
                row("leak.Leakable", 2, 2),
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
        assert_eq!(
            lines[3],
            format!("    {} {:>6} {:>6}", "-".repeat(55), "-----", "----")
        );
        assert_eq!(lines[4], format!("    {:<55}      1      1", "float"));
        assert_eq!(
            lines[5],
            format!("    {:<55}      2      2", "leak.Leakable")
        );
        assert_eq!(lines[7], format!("    {:<55}      3      3", "total"));
        assert_eq!(lines.len(), 8);
        detail.rows.truncate(0);
        assert_eq!(
            leak_table(&detail),
            "  sum detail refcount=5        sys refcount=10       change=3     \n"
        );
    }

    // Expected values are Python's `datetime.fromtimestamp(s, timezone.utc)`.
    #[test]
    fn civil_dates() {
        let at = |micros| Civil::from_micros(micros);
        assert_eq!(
            at(0),
            Civil {
                year: 1970,
                month: 1,
                day: 1,
                hour: 0,
                minute: 0,
                second: 0,
                micros: 0
            }
        );
        // 2024-02-29T23:59:59.999999 (a leap day).
        assert_eq!(
            at(1_709_251_199_999_999),
            Civil {
                year: 2024,
                month: 2,
                day: 29,
                hour: 23,
                minute: 59,
                second: 59,
                micros: 999_999
            }
        );
        // 1969-12-31T23:59:59.500000: before the epoch rounds down.
        assert_eq!(
            at(-500_000),
            Civil {
                year: 1969,
                month: 12,
                day: 31,
                hour: 23,
                minute: 59,
                second: 59,
                micros: 500_000
            }
        );
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
        assert_eq!(civil_from_days(2_932_896), (9999, 12, 31));
    }
}
