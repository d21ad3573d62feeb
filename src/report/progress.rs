//! Where a leak hunt is, on a terminal: one line, updated in place, that
//! says which layer runs, which iteration of how many (and whether it is a
//! warm-up), which test of the iteration, and when the runner samples or
//! attributes a leak to tests. A long hunt is otherwise minutes of silence.
//!
//! [`Progress`] wraps the console reporter: whatever the console writes
//! first erases the line, and the line is drawn again only where the
//! console left the cursor at the start of a line (never over zope's
//! "  Set up X " while the set-up runs). Redraws are throttled by the
//! events' own time stamps. The runner uses it only when stdout is a
//! terminal and zope's own output does not already move per test (no
//! `-v`, no `-p`), so redirected output and zope's formats are untouched.

use super::{Needs, Output, Reporter, Stamp, Stream};
use crate::events::Event;

/// Seconds between two redraws of the same phase.
const THROTTLE: f64 = 0.1;
/// Erase the line the cursor is on, from the start.
const ERASE: &str = "\r\x1b[K";

/// What the line needs to know of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressConfig {
    /// Iterations per layer (`-N`).
    pub iterations: usize,
    /// The first iterations are warm-ups.
    pub warmups: usize,
    /// Columns of the terminal.
    pub width: usize,
    /// Leaks are attributed to tests after a layer's iterations.
    pub attribution: bool,
}

/// What the runner is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Phase {
    Idle,
    Testing {
        test: usize,
        of: usize,
    },
    Sampling,
    /// After the last iteration: the verdict, and attribution if it leaks.
    Judging,
    /// Attribution runs a subset of the layer's tests.
    Attributing {
        round: usize,
        tests: usize,
        of: usize,
    },
}

pub struct Progress {
    inner: Box<dyn Reporter>,
    config: ProgressConfig,
    layer: Option<String>,
    iteration: usize,
    phase: Phase,
    /// The text on screen, if any.
    shown: Option<String>,
    /// When it was drawn.
    drawn_at: f64,
    /// The console's last write ended a line.
    at_line_start: bool,
}

/// The console's output, erasing the progress line before its first write.
struct Erasing<'a> {
    out: &'a mut dyn Output,
    erase: bool,
    last: Option<char>,
}

impl Erasing<'_> {
    fn before(&mut self, text: &str) {
        if self.erase && !text.is_empty() {
            self.out.write(Stream::Stdout, ERASE);
            self.erase = false;
        }
        if let Some(c) = text.chars().last() {
            self.last = Some(c);
        }
    }
}

impl Output for Erasing<'_> {
    fn write(&mut self, stream: Stream, text: &str) {
        self.before(text);
        self.out.write(stream, text);
    }

    fn write_bytes(&mut self, stream: Stream, bytes: &[u8]) {
        self.before(&String::from_utf8_lossy(bytes));
        self.out.write_bytes(stream, bytes);
    }

    fn flush(&mut self) {
        self.out.flush();
    }
}

impl Progress {
    pub fn new(inner: Box<dyn Reporter>, config: ProgressConfig) -> Progress {
        Progress {
            inner,
            config,
            layer: None,
            iteration: 0,
            phase: Phase::Idle,
            shown: None,
            drawn_at: f64::NEG_INFINITY,
            at_line_start: true,
        }
    }

    /// Follows the run; says whether the phase changed (drawn at once).
    fn follow(&mut self, event: &Event) -> bool {
        let before = self.phase.clone();
        match event {
            Event::LayerStarted { layer } => {
                self.layer = Some(layer.clone());
                self.iteration = 0;
                self.phase = Phase::Idle;
            }
            Event::IterationStarted { iteration } => self.iteration = *iteration,
            Event::TestStarted {
                tests_run, total, ..
            } => {
                if self.iteration == 0 {
                    self.iteration = 1;
                }
                self.phase = Phase::Testing {
                    test: *tests_run,
                    of: *total,
                };
                return !matches!(before, Phase::Testing { .. });
            }
            Event::LayerSummary { .. } => self.phase = Phase::Sampling,
            Event::LeakSample { record, .. } => {
                self.phase = if record.iteration >= self.config.iterations {
                    Phase::Judging
                } else {
                    Phase::Idle
                };
            }
            Event::AttributionRound {
                round, tests, of, ..
            } => {
                self.phase = Phase::Attributing {
                    round: *round,
                    tests: *tests,
                    of: *of,
                }
            }
            // (A layer's tear-down comes after the next layer started.)
            Event::LeakVerdict(_) | Event::Totals { .. } => {
                self.layer = None;
                self.phase = Phase::Idle;
            }
            _ => {}
        }
        self.phase != before
    }

    /// The line for where the run is, if anything is worth saying.
    fn text(&self) -> Option<String> {
        let layer = self.layer.as_deref()?;
        let n = self.config.iterations;
        let iteration = if self.iteration <= self.config.warmups {
            format!("iteration {} of {n} (warm-up)", self.iteration)
        } else {
            format!("iteration {} of {n}", self.iteration)
        };
        let doing = match &self.phase {
            Phase::Idle => return None,
            Phase::Testing { test, of } => format!("{iteration}, test {test} of {of}"),
            Phase::Sampling => format!("{iteration}, sampling"),
            Phase::Judging if self.config.attribution => {
                "judging; a leak is traced to its tests".to_owned()
            }
            Phase::Judging => "judging".to_owned(),
            Phase::Attributing { round, tests, of } => {
                format!("finding the leaking tests, round {round} ({tests} of {of} tests)")
            }
        };
        let text = format!("Leak hunt: {layer}: {doing}");
        // One column is left free: a full line would wrap on some terminals.
        let room = self.config.width.saturating_sub(1);
        if text.chars().count() <= room {
            return Some(text);
        }
        let cut: String = text.chars().take(room.saturating_sub(3)).collect();
        Some(format!("{cut}..."))
    }
}

impl Reporter for Progress {
    fn needs(&self) -> Needs {
        self.inner.needs()
    }

    fn handle(&mut self, event: &Event, at: Stamp, out: &mut dyn Output) {
        let changed = self.follow(event);
        let mut console = Erasing {
            out,
            erase: self.shown.is_some(),
            last: None,
        };
        self.inner.handle(event, at, &mut console);
        let erased = self.shown.is_some() && !console.erase;
        if let Some(c) = console.last {
            self.at_line_start = c == '\n';
        }
        if erased {
            self.shown = None;
        }
        let text = self.text();
        if !self.at_line_start || text == self.shown {
            return;
        }
        match text {
            Some(text) => {
                if changed || self.shown.is_none() || at.unix - self.drawn_at >= THROTTLE {
                    out.write(Stream::Stdout, &format!("\r{text}\x1b[K"));
                    out.flush();
                    self.shown = Some(text);
                    self.drawn_at = at.unix;
                }
            }
            None => {
                if self.shown.take().is_some() {
                    out.write(Stream::Stdout, ERASE);
                    out.flush();
                }
            }
        }
    }

    fn finish(&mut self, out: &mut dyn Output) -> std::io::Result<()> {
        if self.shown.take().is_some() {
            out.write(Stream::Stdout, ERASE);
            out.flush();
        }
        self.inner.finish(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Counts;
    use crate::leaks::IterationRecord;
    use crate::report::Captured;

    /// Prints one line per event that has one, as the console does.
    struct Lines;

    impl Reporter for Lines {
        fn handle(&mut self, event: &Event, _at: Stamp, out: &mut dyn Output) {
            match event {
                Event::LayerStarted { layer } => {
                    out.write(Stream::Stdout, &format!("Running {layer} tests:\n"))
                }
                Event::SetUpStarted { layer } => {
                    out.write(Stream::Stdout, &format!("  Set up {layer} "))
                }
                Event::TearDownStarted { layer } => {
                    out.write(Stream::Stdout, &format!("  Tear down {layer} "))
                }
                Event::SetUpFinished { .. } | Event::TearDownFinished { .. } => {
                    out.write(Stream::Stdout, "in 0.1 seconds.\n")
                }
                Event::IterationStarted { iteration } => {
                    out.write(Stream::Stdout, &format!("Iteration {iteration}\n"))
                }
                Event::LayerSummary { .. } => out.write(Stream::Stdout, "  Ran 2 tests.\n"),
                _ => {}
            }
        }

        fn finish(&mut self, out: &mut dyn Output) -> std::io::Result<()> {
            out.write(Stream::Stdout, "Leaks: none\n");
            Ok(())
        }
    }

    fn progress(width: usize) -> Progress {
        Progress::new(
            Box::new(Lines),
            ProgressConfig {
                iterations: 2,
                warmups: 1,
                width,
                attribution: true,
            },
        )
    }

    fn sample(iteration: usize, warmup: bool) -> Event {
        Event::LeakSample {
            layer: "pkg.Layer".into(),
            record: IterationRecord {
                iteration,
                warmup,
                ..IterationRecord::default()
            },
        }
    }

    fn test(n: usize) -> Event {
        Event::TestStarted {
            name: format!("t{n}"),
            tests_run: n,
            total: 2,
            count: 1,
            identity: None,
        }
    }

    /// What a terminal shows: `\r` returns to the line's start, the erase
    /// sequence clears the line.
    fn screen(raw: &str) -> Vec<String> {
        let mut lines = vec![String::new()];
        let mut rest = raw;
        while let Some(c) = rest.chars().next() {
            if let Some(after) = rest.strip_prefix(ERASE) {
                lines.last_mut().unwrap().clear();
                rest = after;
                continue;
            }
            if let Some(after) = rest.strip_prefix("\x1b[K") {
                rest = after;
                continue;
            }
            match c {
                '\r' => lines.last_mut().unwrap().clear(),
                '\n' => lines.push(String::new()),
                c => lines.last_mut().unwrap().push(c),
            }
            rest = &rest[c.len_utf8()..];
        }
        lines
    }

    fn run(p: &mut Progress, events: Vec<(Event, f64)>) -> Captured {
        let mut out = Captured::default();
        for (event, at) in events {
            p.handle(&event, Stamp { unix: at }, &mut out);
        }
        out
    }

    #[test]
    fn the_line_follows_the_hunt_and_gives_way_to_the_console() {
        let mut p = progress(80);
        let summary = Event::LayerSummary {
            counts: Counts::default(),
            seconds: 0.1,
        };
        let mut out = run(
            &mut p,
            vec![
                (
                    Event::LayerStarted {
                        layer: "pkg.Layer".into(),
                    },
                    0.0,
                ),
                (
                    Event::SetUpStarted {
                        layer: "pkg.Layer".into(),
                    },
                    0.0,
                ),
                (
                    Event::SetUpFinished {
                        layer: "L".into(),
                        seconds: 0.1,
                    },
                    0.1,
                ),
                (sample(0, true), 0.2),
                (Event::IterationStarted { iteration: 1 }, 0.3),
                (test(1), 0.4),
            ],
        );
        assert_eq!(
            screen(&out.stdout),
            [
                "Running pkg.Layer tests:",
                "  Set up pkg.Layer in 0.1 seconds.",
                "Iteration 1",
                "Leak hunt: pkg.Layer: iteration 1 of 2 (warm-up), test 1 of 2",
            ]
        );
        for (event, at) in [
            (test(2), 0.45),
            (summary.clone(), 0.6),
            (sample(1, true), 0.7),
            (Event::IterationStarted { iteration: 2 }, 0.8),
            (test(1), 0.9),
            (test(2), 1.2),
            (summary, 1.3),
            (sample(2, false), 1.4),
        ] {
            p.handle(&event, Stamp { unix: at }, &mut out);
        }
        let shown = screen(&out.stdout);
        assert_eq!(
            shown[2..],
            [
                "Iteration 1",
                "  Ran 2 tests.",
                "Iteration 2",
                "  Ran 2 tests.",
                "Leak hunt: pkg.Layer: judging; a leak is traced to its tests",
            ]
        );
        // A redraw within the throttle did not happen: test 2 of the first
        // iteration came 50 ms after test 1.
        assert!(!out
            .stdout
            .contains("iteration 1 of 2 (warm-up), test 2 of 2"));
        assert!(out.stdout.contains("iteration 2 of 2, test 2 of 2"));
        p.finish(&mut out).unwrap();
        assert_eq!(
            screen(&out.stdout)[6..],
            ["Leaks: none", ""],
            "the line is gone before the console's last words"
        );
    }

    #[test]
    fn attribution_rounds_show_which_subset_runs() {
        let mut p = progress(80);
        let round = |round, tests| Event::AttributionRound {
            layer: "pkg.Layer".into(),
            round,
            tests,
            of: 200,
        };
        let out = run(
            &mut p,
            vec![
                (
                    Event::LayerStarted {
                        layer: "pkg.Layer".into(),
                    },
                    0.0,
                ),
                (sample(2, false), 0.1),
                (round(1, 100), 0.2),
                // Within the throttle: a new round is a new phase, drawn.
                (round(2, 50), 0.21),
            ],
        );
        assert!(out.stdout.contains(
            "Leak hunt: pkg.Layer: finding the leaking tests, round 1 (100 of 200 tests)"
        ));
        assert_eq!(
            screen(&out.stdout).pop().unwrap(),
            "Leak hunt: pkg.Layer: finding the leaking tests, round 2 (50 of 200 tests)"
        );
    }

    #[test]
    fn the_previous_layer_torn_down_after_the_next_started_does_not_stop_the_line() {
        let mut p = progress(80);
        let out = run(
            &mut p,
            vec![
                (
                    Event::LayerStarted {
                        layer: "b.B".into(),
                    },
                    0.0,
                ),
                (
                    Event::TearDownStarted {
                        layer: "a.A".into(),
                    },
                    0.0,
                ),
                (
                    Event::TearDownFinished {
                        layer: "L".into(),
                        seconds: 0.0,
                    },
                    0.0,
                ),
                (Event::IterationStarted { iteration: 1 }, 0.1),
                (test(1), 0.2),
            ],
        );
        assert_eq!(
            screen(&out.stdout).pop().unwrap(),
            "Leak hunt: b.B: iteration 1 of 2 (warm-up), test 1 of 2"
        );
    }

    #[test]
    fn nothing_is_drawn_over_a_partial_line_and_long_lines_are_cut() {
        let mut p = progress(30);
        let out = run(
            &mut p,
            vec![
                (
                    Event::LayerStarted {
                        layer: "a.very.long.layer.Name".into(),
                    },
                    0.0,
                ),
                (
                    Event::SetUpStarted {
                        layer: "a.very.long.layer.Name".into(),
                    },
                    0.0,
                ),
                (test(1), 0.5),
            ],
        );
        assert!(
            out.stdout.ends_with("  Set up a.very.long.layer.Name "),
            "{:?}",
            out.stdout
        );
        let mut p = progress(30);
        let out = run(
            &mut p,
            vec![
                (
                    Event::LayerStarted {
                        layer: "a.very.long.layer.Name".into(),
                    },
                    0.0,
                ),
                (test(1), 0.5),
            ],
        );
        let last = screen(&out.stdout).pop().unwrap();
        assert_eq!(last, "Leak hunt: a.very.long.lay...");
        assert_eq!(last.chars().count(), 29);
    }
}
