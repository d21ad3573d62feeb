//! The JSON leak report (`--leak-report FILE`): a reporter like the others.
//! It keeps each layer's samples and verdict as they are emitted and writes
//! one document when the run ends, atomically (a temporary file renamed
//! over the target), so a reader never sees half a report. The schema is
//! documented in the README.

use std::path::PathBuf;

use serde::Serialize;

use super::{Output, Reporter, Stamp};
use crate::events::Event;
use crate::leaks::LayerLeaks;

/// The schema this reporter writes; bumped on incompatible changes.
pub const SCHEMA: &str = "leakrunner-leak-report/1";

/// What the report says of the run, found out by the runner.
#[derive(Debug, Clone, Serialize)]
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

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    #[serde(flatten)]
    info: &'a RunInfo,
    /// Seconds since the Unix epoch (UTC) when the run started.
    started: Option<f64>,
    layers: &'a [LayerLeaks],
}

pub struct Json {
    config: JsonConfig,
    started: Option<f64>,
    layers: Vec<LayerLeaks>,
}

impl Json {
    pub fn new(config: JsonConfig) -> Json {
        Json {
            config,
            started: None,
            layers: Vec::new(),
        }
    }

    /// The document for what was reported so far.
    pub fn document(&self) -> String {
        let doc = Document {
            schema: SCHEMA,
            info: &self.config.info,
            started: self.started,
            layers: &self.layers,
        };
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}

impl Reporter for Json {
    fn handle(&mut self, event: &Event, at: Stamp, _out: &mut dyn Output) {
        self.started.get_or_insert(at.unix);
        if let Event::LeakVerdict(layer) = event {
            self.layers.push((**layer).clone());
        }
    }

    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        let text = self.document() + "\n";
        (self.config.write)(&self.config.path, &text)
    }
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
