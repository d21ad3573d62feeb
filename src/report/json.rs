//! The JSON leak report (`--leak-report FILE`): a reporter like the others.
//! It keeps each layer's samples and verdict as they are emitted and writes
//! one document when the run ends, atomically (a temporary file renamed
//! over the target), so a reader never sees half a report. The schema is
//! documented in the README. [`Document`] is also what the HTML report
//! renders, live ([`Recorder`]) or read back from a saved report.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{Output, Reporter, Stamp};
use crate::events::Event;
use crate::leaks::LayerLeaks;

/// The schema this reporter writes; bumped on incompatible changes.
pub const SCHEMA: &str = "leakrunner-leak-report/1";

/// What the report says of the run, found out by the runner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub leakrunner: String,
    /// The interpreter and what it offers (`leakrunner.build_info()`).
    pub interpreter: serde_json::Value,
    /// The command line, program name first.
    pub options: Vec<String>,
    /// `"leaks"` for `--leaks`, `"refcounts"` for a plain `-N n -r`.
    pub mode: String,
}

/// Writes a document to a path.
pub type WriteFile = Box<dyn FnMut(&std::path::Path, &str) -> std::io::Result<()>>;

/// Where the report goes, and the writer that puts it there.
pub struct JsonConfig {
    pub path: PathBuf,
    pub info: RunInfo,
    /// Writes the document; injected so tests can keep it in memory.
    pub write: WriteFile,
}

/// The report: the run, and each layer's hunt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub schema: String,
    #[serde(flatten)]
    pub info: RunInfo,
    /// Seconds since the Unix epoch (UTC) when the run started.
    pub started: Option<f64>,
    /// Seconds from the start of the run to the last event reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
    pub layers: Vec<LayerReport>,
}

/// A layer in the report: its hunt, and what the run measured of it where
/// this process ran it (a layer run in a child process has no timings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerReport {
    #[serde(flatten)]
    pub leaks: LayerLeaks,
    /// Tests in the layer (one iteration's count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<usize>,
    /// Seconds the layer took, from its start to its verdict: set-up,
    /// every iteration and attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<f64>,
}

impl From<LayerLeaks> for LayerReport {
    fn from(leaks: LayerLeaks) -> Self {
        LayerReport {
            leaks,
            tests: None,
            seconds: None,
        }
    }
}

/// Keeps what a report needs from the events of a run: the layers'
/// verdicts, with their test counts and times.
#[derive(Debug, Default)]
pub struct Recorder {
    started: Option<f64>,
    last: Option<f64>,
    /// The layer running in this process, when it started, and its tests.
    current: Option<(String, f64, Option<usize>)>,
    layers: Vec<LayerReport>,
}

impl Recorder {
    pub fn handle(&mut self, event: &Event, at: Stamp) {
        self.started.get_or_insert(at.unix);
        self.last = Some(at.unix);
        match event {
            Event::LayerStarted { layer } => self.current = Some((layer.clone(), at.unix, None)),
            Event::LayerSummary { counts, .. } => {
                if let Some((_, _, tests)) = &mut self.current {
                    tests.get_or_insert(counts.tests);
                }
            }
            Event::LeakVerdict(leaks) => {
                let mut layer = LayerReport::from((**leaks).clone());
                if let Some((name, start, tests)) = &self.current {
                    if *name == layer.leaks.layer {
                        layer.tests = *tests;
                        layer.seconds = Some((at.unix - start).max(0.0));
                    }
                }
                self.layers.push(layer);
            }
            _ => {}
        }
    }

    /// The document for what was recorded so far.
    pub fn document(&self, info: &RunInfo) -> Document {
        Document {
            schema: SCHEMA.to_owned(),
            info: info.clone(),
            started: self.started,
            seconds: self
                .started
                .zip(self.last)
                .map(|(start, last)| (last - start).max(0.0)),
            layers: self.layers.clone(),
        }
    }
}

pub struct Json {
    config: JsonConfig,
    recorder: Recorder,
}

impl Json {
    pub fn new(config: JsonConfig) -> Json {
        Json {
            config,
            recorder: Recorder::default(),
        }
    }

    /// The document for what was reported so far.
    pub fn document(&self) -> String {
        let doc = self.recorder.document(&self.config.info);
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl Reporter for Json {
    fn handle(&mut self, event: &Event, at: Stamp, _out: &mut dyn Output) {
        self.recorder.handle(event, at);
    }

    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        let text = self.document() + "\n";
        (self.config.write)(&self.config.path, &text)
    }
}

/// Why a saved report cannot be read.
#[derive(Debug)]
pub enum ReadError {
    Json(serde_json::Error),
    /// Not a leak report, or one of a schema this version does not know.
    Schema(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Json(e) => write!(f, "not a leak report: {e}"),
            ReadError::Schema(s) => write!(f, "not a leak report of schema {SCHEMA}: {s}"),
        }
    }
}

/// Reads a saved report. Reports written before findings had `samples`
/// and `chain` (same schema, fewer fields) read as findings without them.
pub fn parse(text: &str) -> Result<Document, ReadError> {
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(ReadError::Json)?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => return Err(ReadError::Schema(format!("it says {other:?}"))),
        None => return Err(ReadError::Schema("it has no \"schema\"".to_owned())),
    }
    let layers = value.get_mut("layers").and_then(|l| l.as_array_mut());
    for layer in layers.into_iter().flatten() {
        let findings = layer.get_mut("findings").and_then(|f| f.as_array_mut());
        for finding in findings.into_iter().flatten() {
            if let Some(finding) = finding.as_object_mut() {
                for key in ["samples", "chain", "tests", "growth"] {
                    finding.entry(key).or_insert_with(|| serde_json::json!([]));
                }
            }
        }
    }
    serde_json::from_value(value).map_err(ReadError::Json)
}

/// Writes `text` to `path` through a temporary file in the same directory,
/// renamed over it.
pub fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "leak-report.json".to_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::leaks::{LayerLeaks, Sample, Series, Sight};
    use crate::report::Captured;

    #[test]
    fn the_report_holds_each_layer_with_its_iterations_and_verdict() {
        let written: Rc<RefCell<Vec<(PathBuf, String)>>> = Rc::default();
        let sink = written.clone();
        let mut json = Json::new(JsonConfig {
            path: PathBuf::from("out/leaks.json"),
            info: RunInfo {
                leakrunner: "0.1.0".into(),
                interpreter: serde_json::json!({"running": {"python": "3.13.5"}}),
                options: vec!["prog".into(), "--leaks".into()],
                mode: "leaks".into(),
            },
            write: Box::new(move |p, t| {
                sink.borrow_mut().push((p.to_owned(), t.to_owned()));
                Ok(())
            }),
        });
        let mut series = Series::new(1);
        for total in [100, 150, 151, 152, 153] {
            series.push(Sample {
                total_refs: Some(total),
                blocks: Some(10),
                ..Sample::default()
            });
        }
        let sight = Sight {
            total_refs: true,
            census: None,
        };
        let layer = LayerLeaks::judge("pkg.Layer".into(), series, sight, false);
        let mut out = Captured::default();
        json.handle(
            &Event::LeakVerdict(Box::new(layer)),
            Stamp { unix: 5.0 },
            &mut out,
        );
        json.finish(&mut out).unwrap();
        let written = written.borrow();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].0, PathBuf::from("out/leaks.json"));
        let doc: serde_json::Value = serde_json::from_str(&written[0].1).unwrap();
        assert_eq!(doc["schema"], SCHEMA);
        assert_eq!(doc["mode"], "leaks");
        assert_eq!(doc["started"], 5.0);
        let layer = &doc["layers"][0];
        assert_eq!(layer["layer"], "pkg.Layer");
        assert_eq!(layer["verdict"], "leak");
        assert_eq!(layer["iterations"].as_array().unwrap().len(), 5);
        assert_eq!(layer["iterations"][1]["warmup"], true);
        assert_eq!(layer["iterations"][2]["warmup"], false);
        assert_eq!(layer["iterations"][4]["total_refs"], 153);
        let finding = &layer["findings"][0];
        assert_eq!(finding["kind"], "references");
        assert_eq!(finding["type"], serde_json::Value::Null);
        assert_eq!(finding["per_iteration"], 1.0);
        assert_eq!(finding["tests"], serde_json::json!([]));
    }

    #[test]
    fn layers_keep_their_tests_and_time_and_read_back_the_same() {
        use crate::events::Counts;
        use crate::leaks::verdict::{Judgement, Verdict};

        let leaks = |name: &str| LayerLeaks {
            layer: name.into(),
            sight: Sight::default(),
            warmups: 1,
            iterations: Vec::new(),
            judgement: Judgement {
                verdict: Verdict::Clean,
                findings: Vec::new(),
                undecided: Vec::new(),
                more_iterations: None,
                counted: 2,
                unseen: Vec::new(),
            },
            incomplete: false,
        };
        let summary = |tests| Event::LayerSummary {
            counts: Counts {
                tests,
                ..Counts::default()
            },
            seconds: 0.1,
        };
        let mut recorder = Recorder::default();
        for (event, at) in [
            (
                Event::LayerStarted {
                    layer: "a.A".into(),
                },
                10.0,
            ),
            (summary(3), 11.0),
            (summary(3), 12.0),
            (Event::LeakVerdict(Box::new(leaks("a.A"))), 12.5),
            // A layer run in a child process: its verdict comes back alone.
            (
                Event::LayerStarted {
                    layer: "b.B".into(),
                },
                13.0,
            ),
            (Event::LeakVerdict(Box::new(leaks("c.C"))), 14.0),
        ] {
            recorder.handle(&event, Stamp { unix: at });
        }
        let info = RunInfo {
            leakrunner: "0.1.0".into(),
            interpreter: serde_json::Value::Null,
            options: vec!["prog".into()],
            mode: "refcounts".into(),
        };
        let doc = recorder.document(&info);
        assert_eq!(doc.started, Some(10.0));
        assert_eq!(doc.seconds, Some(4.0));
        assert_eq!(doc.layers[0].tests, Some(3));
        assert_eq!(doc.layers[0].seconds, Some(2.5));
        assert_eq!(doc.layers[1].leaks.layer, "c.C");
        assert_eq!((doc.layers[1].tests, doc.layers[1].seconds), (None, None));
        let text = serde_json::to_string_pretty(&doc).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["layers"][0]["tests"], 3);
        assert_eq!(value["layers"][0]["seconds"], 2.5);
        assert_eq!(value["layers"][0]["verdict"], "clean");
        assert!(value["layers"][1].get("tests").is_none());
        assert_eq!(parse(&text).unwrap(), doc);
    }

    #[test]
    fn reading_tolerates_findings_without_samples_and_chains_and_refuses_others() {
        let text = r#"{"schema": "leakrunner-leak-report/1", "leakrunner": "0.1.0",
            "interpreter": {}, "options": [], "mode": "leaks", "started": null,
            "layers": [{"layer": "a.A", "sight": {"total_refs": true, "census": null},
              "warmups": 2, "iterations": [], "verdict": "leak",
              "findings": [{"kind": "fds", "type": null, "per_iteration": 1.0,
                "growth": [1, 1], "accelerating": false, "tests": [], "note": null}],
              "undecided": [], "more_iterations": null, "counted": 2, "unseen": [],
              "incomplete": false}]}"#;
        let doc = parse(text).unwrap();
        let finding = &doc.layers[0].leaks.judgement.findings[0];
        assert!(finding.samples.is_empty() && finding.chain.is_empty());
        assert_eq!(doc.layers[0].tests, None);
        let other = parse(r#"{"schema": "something/2", "layers": []}"#).unwrap_err();
        assert!(other.to_string().contains("something/2"), "{other}");
        assert!(parse("[1, 2").is_err());
    }

    #[test]
    fn written_atomically() {
        let dir = std::env::temp_dir().join(format!("lr-json-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("r.json");
        write_atomically(&path, "{}\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}\n");
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
