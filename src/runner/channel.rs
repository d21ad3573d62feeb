//! The results channel of a child process, and the watch that keeps it.
//!
//! A child writes what happens as it happens, one line per record, to a
//! file its parent names in `LEAKRUNNER_CHILD_CHANNEL` and reads once the
//! child is gone: which test or layer method begins and ends, each failure,
//! error and skip, import errors, leak samples and verdicts, and at the end
//! its totals. The file is opened on a descriptor the tests cannot reach
//! (see `fatal`), so a test that closes descriptors 1 and 2, writes bytes
//! to them or replaces `sys.stdout` cannot break or hide the results, and
//! faulthandler appends the stack of a crash to the same file. When a
//! child dies, the parent knows from its transcript which test was
//! running, what finished before it, and where to resume the layer.
//!
//! The same watch, in a process that is nobody's child, keeps the note its
//! fatal-signal handler prints.

use std::fs::File;
use std::io::Write;

use super::fatal::{self, Note};
use crate::events::{ChildDoing, Event, Failure, FailureKind, LayerPhase};
use crate::leaks::{CensusScope, IterationRecord, LayerLeaks, Series, Sight};
use crate::stats::ChildCounts;

/// The environment variable naming a child's channel file.
pub const CHANNEL_ENV: &str = "LEAKRUNNER_CHILD_CHANNEL";
const HEADER: &str = "leakrunner-child-channel 1";

/// Names on one line, whitespace collapsed (zope's format for names).
pub fn one_line(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a process was doing, as its records tell.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Activity {
    /// Nothing yet: importing, discovering, before any layer.
    #[default]
    Starting,
    /// A layer's setUp or tearDown.
    Layer { layer: String, phase: LayerPhase },
    /// A test: its name, the iteration's test count once it counts, and
    /// the layer's number of tests.
    Test {
        name: String,
        tests_run: usize,
        total: usize,
    },
}

/// An activity and whether it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Doing {
    pub activity: Activity,
    pub done: bool,
}

impl Doing {
    /// The activity as the parent's report names it.
    pub fn as_event(&self) -> ChildDoing {
        let done = self.done;
        match &self.activity {
            Activity::Starting => ChildDoing::Starting,
            Activity::Layer { layer, phase } => ChildDoing::Layer {
                layer: layer.clone(),
                phase: *phase,
                done,
            },
            Activity::Test { name, .. } => ChildDoing::Test {
                name: name.clone(),
                done,
            },
        }
    }

    /// The name a crash is counted under: the test or the layer method it
    /// interrupted; None between them.
    pub fn culprit(&self) -> Option<String> {
        match (&self.activity, self.done) {
            (_, true) | (Activity::Starting, _) => None,
            (Activity::Layer { layer, phase }, false) => {
                Some(format!("Layer: {layer}.{}", phase.label()))
            }
            (Activity::Test { name, .. }, false) => Some(name.clone()),
        }
    }
}

/// Follows a run's events: writes a child's channel, and keeps the
/// fatal-signal note of a process that is nobody's child.
pub struct Watch {
    channel: Option<File>,
    note: bool,
}

impl Watch {
    /// `channel`: the child's channel, open; `note`: keep the note.
    pub fn new(channel: Option<File>, note: bool) -> Watch {
        let mut watch = Watch { channel, note };
        watch.record(HEADER);
        watch
    }

    pub fn has_channel(&self) -> bool {
        self.channel.is_some()
    }

    /// Appends one record (whole lines, in one write, as they happen). A
    /// channel that cannot be written is left alone: the parent then sees
    /// it end there.
    pub fn record(&mut self, line: &str) {
        if let Some(file) = &mut self.channel {
            let mut text = String::with_capacity(line.len() + 1);
            text.push_str(line);
            text.push('\n');
            let _ = file.write_all(text.as_bytes());
        }
    }

    fn note(&self, kind: Note, name: &str) {
        if self.note {
            fatal::set_note(kind, name);
        }
    }

    fn end_activity(&mut self) {
        self.record("done");
        if self.note {
            fatal::note_ended();
        }
    }

    /// A test begins (before the layers' testSetUp): `tests_run` counts it.
    pub fn test_begins(&mut self, name: &str, tests_run: usize, total: usize) {
        self.note(Note::Running, name);
        if self.channel.is_some() {
            self.record(&format!("test {tests_run} {total} {}", one_line(name)));
        }
    }

    /// `--shuffle`: the seed, so that a resumed child runs the same order.
    pub fn seed(&mut self, seed: i64) {
        self.record(&format!("seed {seed}"));
    }

    /// Records what an event changes.
    pub fn see(&mut self, event: &Event) {
        match event {
            Event::SetUpStarted { layer } => {
                self.record(&format!("setup {layer}"));
                self.note(Note::Inside, &format!("{layer}.setUp"));
            }
            Event::TearDownStarted { layer } => {
                self.record(&format!("teardown {layer}"));
                self.note(Note::Inside, &format!("{layer}.tearDown"));
            }
            Event::SetUpFinished { .. }
            | Event::TearDownFinished { .. }
            | Event::TearDownNotSupported { .. }
            | Event::TestStopped { .. } => self.end_activity(),
            Event::LayerFailed { layer, phase, .. } => {
                self.record(&format!("error Layer: {layer}.{}", phase.label()));
                self.end_activity();
            }
            Event::TestFailed(Failure {
                kind,
                name,
                exception,
                ..
            }) => {
                // An unexpected success counts as a failure; it is the one
                // failure without exception details, which this process
                // asks for (`Needs::exceptions`) when it has a channel.
                let key = match (kind, exception) {
                    (FailureKind::Failure, _) | (FailureKind::Error, None) => "failure",
                    (FailureKind::Error, Some(_)) => "error",
                };
                self.record(&format!("{key} {}", one_line(name)));
            }
            Event::TestSkipped { .. } => self.record("skip"),
            Event::LayerSummary { counts, .. } => self.record(&format!("summary {}", counts.tests)),
            Event::ImportErrors(failures) => {
                for failure in failures {
                    self.record(&format!("import-error {}", one_line(&failure.module)));
                }
            }
            Event::LeakSample { layer, record } => {
                if let Ok(json) = serde_json::to_string(&(layer, record)) {
                    self.record(&format!("leak-sample {json}"));
                }
            }
            Event::LeakVerdict(layer) => {
                if let Ok(json) = serde_json::to_string(layer) {
                    self.record(&format!("leak-layer {json}"));
                }
            }
            _ => {}
        }
    }

    /// The child's totals, the last records of a complete channel.
    pub fn finish(&mut self, counts: &ChildCounts) {
        let mut text = String::from("final\n");
        text.push_str(&format!("ran {}\nskipped {}\n", counts.ran, counts.skipped));
        for name in &counts.failures {
            text.push_str(&format!("failure {}\n", one_line(name)));
        }
        for name in &counts.errors {
            text.push_str(&format!("error {}\n", one_line(name)));
        }
        for module in &counts.import_errors {
            text.push_str(&format!("import-error {}\n", one_line(module)));
        }
        text.push_str("end");
        self.record(&text);
    }
}

/// A child's channel as its parent reads it.
#[derive(Debug, Default)]
pub struct Transcript {
    /// The child opened its channel.
    pub opened: bool,
    /// What finished, as it was streamed (not the crashed test).
    pub streamed: ChildCounts,
    /// The child's own totals: present when it got to the end.
    pub complete: Option<ChildCounts>,
    /// What it was doing last.
    pub doing: Doing,
    /// Tests counted in the iteration under way (None between iterations),
    /// and in the last iteration that ended.
    pub iteration_ran: Option<usize>,
    pub last_summary: Option<usize>,
    /// `--shuffle`: the child's seed.
    pub seed: Option<i64>,
    /// Leak samples, by layer, in order.
    pub samples: Vec<(String, IterationRecord)>,
    /// Lines that are no record: faulthandler's stack of a crash (or of a
    /// child that ran too long).
    pub crash_text: String,
}

impl Transcript {
    pub fn read(text: &str) -> Transcript {
        let mut t = Transcript::default();
        let mut lines = text.lines();
        match lines.next() {
            Some(HEADER) => t.opened = true,
            _ => return t,
        }
        let mut totals: Option<ChildCounts> = None;
        for line in lines {
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            if let Some(counts) = totals.as_mut() {
                match key {
                    "ran" => counts.ran = value.parse().unwrap_or(0),
                    "skipped" => counts.skipped = value.parse().unwrap_or(0),
                    "failure" => counts.failures.push(value.to_owned()),
                    "error" => counts.errors.push(value.to_owned()),
                    "import-error" => counts.import_errors.push(value.to_owned()),
                    "end" => {
                        let mut counts = totals.take().expect("checked");
                        counts.leaks = std::mem::take(&mut t.streamed.leaks);
                        t.complete = Some(counts);
                        break;
                    }
                    _ => t.crash_line(line),
                }
                continue;
            }
            if !t.record(key, value) {
                t.crash_line(line);
            }
            if key == "final" && value.is_empty() {
                totals = Some(ChildCounts::default());
            }
        }
        t
    }

    fn crash_line(&mut self, line: &str) {
        self.crash_text.push_str(line);
        self.crash_text.push('\n');
    }

    /// Takes one record; false when the line is none.
    fn record(&mut self, key: &str, value: &str) -> bool {
        match key {
            "final" => {}
            "seed" => match value.parse() {
                Ok(seed) => self.seed = Some(seed),
                Err(_) => return false,
            },
            "setup" | "teardown" => {
                let phase = if key == "setup" {
                    LayerPhase::SetUp
                } else {
                    LayerPhase::TearDown
                };
                self.doing = Doing {
                    activity: Activity::Layer {
                        layer: value.to_owned(),
                        phase,
                    },
                    done: false,
                };
            }
            "done" if value.is_empty() => self.doing.done = true,
            "test" => {
                let mut parts = value.splitn(3, ' ');
                let (Some(Ok(tests_run)), Some(Ok(total)), Some(name)) = (
                    parts.next().map(str::parse),
                    parts.next().map(str::parse),
                    parts.next(),
                ) else {
                    return false;
                };
                self.iteration_ran = Some(tests_run);
                self.doing = Doing {
                    activity: Activity::Test {
                        name: name.to_owned(),
                        tests_run,
                        total,
                    },
                    done: false,
                };
            }
            "summary" => match value.parse() {
                Ok(ran) => {
                    self.last_summary = Some(ran);
                    self.iteration_ran = None;
                }
                Err(_) => return false,
            },
            "failure" => self.streamed.failures.push(value.to_owned()),
            "error" => self.streamed.errors.push(value.to_owned()),
            "skip" if value.is_empty() => self.streamed.skipped += 1,
            "import-error" => self.streamed.import_errors.push(value.to_owned()),
            "leak-sample" => match serde_json::from_str(value) {
                Ok(sample) => self.samples.push(sample),
                Err(_) => return false,
            },
            "leak-layer" => match serde_json::from_str(value) {
                Ok(layer) => self.streamed.leaks.push(layer),
                Err(_) => return false,
            },
            _ => return false,
        }
        true
    }

    /// What a child that did not finish ran: everything streamed, the
    /// tests of the iteration under way (the crashed one included), the
    /// crash as an error under `culprit` (or `fallback` between tests), and
    /// an incomplete verdict for a layer whose samples were not judged.
    pub fn crashed_counts(&self, fallback: &str, census_scope: CensusScope) -> ChildCounts {
        let mut counts = self.streamed.clone();
        counts.ran = self.iteration_ran.or(self.last_summary).unwrap_or(0);
        counts
            .errors
            .push(self.doing.culprit().unwrap_or_else(|| fallback.to_owned()));
        let mut layers: Vec<&str> = Vec::new();
        for (layer, _) in &self.samples {
            if !layers.contains(&layer.as_str()) {
                layers.push(layer);
            }
        }
        for layer in layers {
            if counts.leaks.iter().any(|l| l.layer == layer) {
                continue;
            }
            let records: Vec<IterationRecord> = self
                .samples
                .iter()
                .filter(|(l, _)| l == layer)
                .map(|(_, r)| r.clone())
                .collect();
            let warmups = records
                .iter()
                .filter(|r| r.warmup)
                .count()
                .saturating_sub(1);
            let sight = Sight {
                total_refs: records.iter().any(|r| r.total_refs.is_some()),
                census: records
                    .iter()
                    .any(|r| r.census_refs.is_some())
                    .then_some(census_scope),
            };
            let mut series = Series::new(warmups);
            series.records = records;
            counts
                .leaks
                .push(LayerLeaks::judge(layer.to_owned(), series, sight, true));
        }
        counts
    }

    /// Where the rest of the layer resumes: the number of tests (of this
    /// child's list) that ran or crashed, when some are left.
    pub fn resume_after(&self) -> Option<usize> {
        match &self.doing.activity {
            Activity::Test {
                tests_run, total, ..
            } if tests_run < total => Some(*tests_run),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Counts, ImportFailure};

    fn watch_text(run: impl FnOnce(&mut Watch)) -> String {
        let path = std::env::temp_dir().join(format!(
            "leakrunner-channel-test-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let file = File::create(&path).unwrap();
        let mut watch = Watch::new(Some(file), false);
        run(&mut watch);
        drop(watch);
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        text
    }

    fn failed(kind: FailureKind, name: &str, detail: bool) -> Event {
        Event::TestFailed(Failure {
            kind,
            name: name.into(),
            seconds: 0.0,
            traceback: String::new(),
            report: crate::events::ReportKind::Traceback,
            stdout: None,
            stderr: None,
            exception: detail.then(|| crate::events::ExceptionDetail {
                type_name: "E".into(),
                message: String::new(),
                stack: String::new(),
            }),
            subtest: None,
        })
    }

    fn summary(tests: usize) -> Event {
        Event::LayerSummary {
            counts: Counts {
                tests,
                failures: 0,
                errors: 0,
                skipped: 0,
            },
            seconds: 0.0,
        }
    }

    /// A layer of four tests whose third one crashes.
    fn crashed() -> String {
        watch_text(|w| {
            w.see(&Event::ImportErrors(vec![ImportFailure {
                module: "pkg.broken".into(),
                traceback: String::new(),
                exception: None,
            }]));
            w.see(&Event::SetUpStarted {
                layer: "pkg.L".into(),
            });
            w.see(&Event::SetUpFinished { layer: "L".into(), seconds: 0.0 });
            w.test_begins("a (pkg.T.a)", 1, 4);
            w.see(&failed(FailureKind::Failure, "a (pkg.T.a)", true));
            w.see(&Event::TestStopped { gc_count: 0 });
            w.test_begins("b (pkg.T.b)", 2, 4);
            w.see(&Event::TestSkipped { name: "t".into(), reason: "r".into() });
            w.see(&Event::TestStopped { gc_count: 0 });
            w.test_begins("c\n (pkg.T.c)", 3, 4);
        }) + "Fatal Python error: Segmentation fault\n\nCurrent thread 0x1:\n  File \"t.py\", line 3 in c\n"
    }

    #[test]
    fn a_crashed_child_names_its_test_and_keeps_what_finished() {
        let t = Transcript::read(&crashed());
        assert!(t.opened);
        assert!(t.complete.is_none());
        assert_eq!(
            crate::report::format::child_doing(&t.doing.as_event()),
            "while running c (pkg.T.c)"
        );
        assert_eq!(t.resume_after(), Some(3));
        assert!(t
            .crash_text
            .starts_with("Fatal Python error: Segmentation fault\n"));
        assert!(t.crash_text.contains("line 3 in c"));
        let counts = t.crashed_counts("subprocess for pkg.L", CensusScope::AllObjects);
        assert_eq!(counts.ran, 3);
        assert_eq!(counts.failures, vec!["a (pkg.T.a)"]);
        assert_eq!(counts.errors, vec!["c (pkg.T.c)"]);
        assert_eq!(counts.skipped, 1);
        assert_eq!(counts.import_errors, vec!["pkg.broken"]);
    }

    #[test]
    fn layer_methods_and_the_time_between_tests() {
        let text = watch_text(|w| {
            w.see(&Event::SetUpStarted {
                layer: "pkg.L".into(),
            })
        });
        let t = Transcript::read(&text);
        assert_eq!(
            crate::report::format::child_doing(&t.doing.as_event()),
            "in pkg.L.setUp"
        );
        assert_eq!(t.resume_after(), None);
        assert_eq!(
            t.crashed_counts("x", CensusScope::AllObjects).errors,
            vec!["Layer: pkg.L.setUp"]
        );

        let text = watch_text(|w| {
            w.test_begins("a (pkg.T.a)", 1, 2);
            w.see(&Event::TestStopped { gc_count: 0 });
        });
        let t = Transcript::read(&text);
        assert_eq!(
            crate::report::format::child_doing(&t.doing.as_event()),
            "after a (pkg.T.a)"
        );
        assert_eq!(t.resume_after(), Some(1));
        let counts = t.crashed_counts("subprocess for pkg.L", CensusScope::AllObjects);
        assert_eq!(counts.errors, vec!["subprocess for pkg.L"]);

        let t = Transcript::read("");
        assert!(!t.opened);
        assert_eq!(
            crate::report::format::child_doing(&t.doing.as_event()),
            "before running any test"
        );
    }

    #[test]
    fn iterations_count_the_last_one() {
        let text = watch_text(|w| {
            w.test_begins("a (pkg.T.a)", 1, 2);
            w.see(&Event::TestStopped { gc_count: 0 });
            w.test_begins("b (pkg.T.b)", 2, 2);
            w.see(&Event::TestStopped { gc_count: 0 });
            w.see(&summary(2));
            w.see(&Event::TearDownStarted {
                layer: "pkg.L".into(),
            });
        });
        let t = Transcript::read(&text);
        let counts = t.crashed_counts("x", CensusScope::AllObjects);
        assert_eq!(counts.ran, 2);
        assert_eq!(counts.errors, vec!["Layer: pkg.L.tearDown"]);
        let text = watch_text(|w| {
            w.see(&summary(2));
            w.test_begins("a (pkg.T.a)", 1, 2);
        });
        let t = Transcript::read(&text);
        assert_eq!(t.crashed_counts("x", CensusScope::AllObjects).ran, 1);
    }

    #[test]
    fn unexpected_successes_count_as_failures() {
        let text = watch_text(|w| {
            w.see(&failed(FailureKind::Error, "u (pkg.T.u)", false));
            w.see(&failed(FailureKind::Error, "e (pkg.T.e)", true));
        });
        let t = Transcript::read(&text);
        assert_eq!(t.streamed.failures, vec!["u (pkg.T.u)"]);
        assert_eq!(t.streamed.errors, vec!["e (pkg.T.e)"]);
    }

    #[test]
    fn a_complete_channel_carries_the_childs_totals() {
        let counts = ChildCounts {
            ran: 7,
            failures: vec!["f (m.T.f)".into()],
            errors: vec!["e (m.T.e)".into(), "Layer: m.L.setUp".into()],
            skipped: 2,
            import_errors: vec!["pkg.broken".into()],
            leaks: Vec::new(),
        };
        let text = watch_text(|w| {
            w.seed(42);
            w.test_begins("f (m.T.f)", 1, 7);
            w.finish(&counts);
        });
        let t = Transcript::read(&text);
        assert_eq!(t.complete, Some(counts));
        assert_eq!(t.seed, Some(42));
        assert!(t.crash_text.is_empty());
        // Cut short, the totals do not count.
        let cut = text.replace("end\n", "");
        assert!(Transcript::read(&cut).complete.is_none());
    }

    #[test]
    fn leak_verdicts_travel_whole() {
        let layer = judged_layer();
        let text = watch_text(|w| {
            w.see(&Event::LeakVerdict(Box::new(layer.clone())));
            w.finish(&ChildCounts::default());
        });
        let t = Transcript::read(&text);
        assert_eq!(t.complete.unwrap().leaks, vec![layer]);
    }

    /// A judged layer, with a finding and an undecided signal, as a child
    /// sends it.
    fn judged_layer() -> LayerLeaks {
        use crate::leaks::Sample;
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
    fn samples_of_an_unjudged_layer_make_an_incomplete_verdict() {
        let text = watch_text(|w| {
            for iteration in 0..3 {
                w.see(&Event::LeakSample {
                    layer: "pkg.L".into(),
                    record: IterationRecord {
                        iteration,
                        warmup: iteration == 0,
                        total_refs: Some(100 + iteration as i64),
                        ..IterationRecord::default()
                    },
                });
            }
            w.test_begins("a (pkg.T.a)", 1, 1);
        });
        let t = Transcript::read(&text);
        let counts = t.crashed_counts("x", CensusScope::AllObjects);
        assert_eq!(counts.leaks.len(), 1);
        let layer = &counts.leaks[0];
        assert!(layer.incomplete);
        assert_eq!(layer.layer, "pkg.L");
        assert_eq!(layer.iterations.len(), 3);
        assert_eq!(layer.warmups, 0);
        assert!(layer.sight.total_refs);
        assert_eq!(layer.sight.census, None);
    }
}
