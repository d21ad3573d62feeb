//! The session: what a run sets up around all of its layers, in zope's
//! feature order, and takes down again. The reporters and their wiring, the
//! warnings filter, logging, coverage, the profiler, gc thresholds and debug
//! flags, and the buffers of `--buffer`.

use pyo3::intern;
use pyo3::prelude::*;

use super::{RunConfig, Runner};
use crate::error::{Error, Result};
use crate::events::{Event, Notice};
use crate::helpers::Helpers;
use crate::report::console::{Console, ConsoleConfig};
use crate::report::html::{Html, HtmlConfig};
use crate::report::json::{write_atomically, Json, JsonConfig, RunInfo};
use crate::report::progress::{Progress, ProgressConfig};
use crate::report::subunit::Subunit;
use crate::report::xml::{Xml, XmlConfig};
use crate::report::Reporter;

/// Resources the global features hold from set-up to their report.
#[derive(Default)]
pub struct Session {
    /// `--coverage`: the measurer.
    pub coverage: Option<Py<PyAny>>,
    /// `--profile`: the profiler.
    pub profiler: Option<Py<PyAny>>,
    /// `--buffer`'s stand-in streams, shared by every iteration's result.
    pub buffers: Option<(Py<PyAny>, Py<PyAny>)>,
}

/// The reporters the options ask for: the console or a subunit stream, and
/// JUnit XML files.
pub fn reporters(py: Python<'_>, config: &RunConfig) -> Result<Vec<Box<dyn Reporter>>> {
    let max_width = if config.progress && config.verbose == 1 {
        Helpers::new(py)?
            .terminal_number(py, "cols", 80)
            .map(|w| w.max(0) as usize)
            .unwrap_or(80)
    } else {
        80
    };
    let in_child = config.resume_layer.is_some();
    let mut reporters: Vec<Box<dyn Reporter>> = Vec::new();
    if let Some(version) = config.subunit {
        reporters.push(Box::new(Subunit::new(version)));
    } else {
        reporters.push(Box::new(Console::new(ConsoleConfig {
            verbose: config.verbose,
            progress: config.progress,
            in_subprocess: in_child && config.processes > 1,
            max_width,
            color: config.color,
            slow_test_threshold: config.slow_test_threshold,
        })));
    }
    if config.leaks && !in_child && config.processes <= 1 && config.verbose == 0 {
        progress_line(py, config, &mut reporters)?;
    }
    if let Some(dir) = &config.xml_output {
        reporters.push(Box::new(Xml::new(xml_config(py, dir)?)));
    }
    if let Some(path) = &config.leak_report {
        if config.resume_layer.is_none() {
            reporters.push(Box::new(Json::new(json_config(py, config, path)?)));
        }
    }
    if let Some(path) = &config.leak_html {
        if config.resume_layer.is_none() {
            let json = json_config(py, config, path)?;
            reporters.push(Box::new(Html::new(HtmlConfig {
                path: json.path,
                info: json.info,
                write: json.write,
            })));
        }
    }
    Ok(reporters)
}

/// `--leaks` on a terminal: the console, wrapped in a line that says where
/// the hunt is. Not with `-p` or `-v`, whose output moves per test already.
fn progress_line(
    py: Python<'_>,
    config: &RunConfig,
    reporters: &mut Vec<Box<dyn Reporter>>,
) -> PyResult<()> {
    let tty = py
        .import(intern!(py, "sys"))?
        .getattr(intern!(py, "stdout"))?
        .call_method0(intern!(py, "isatty"))
        .and_then(|t| t.extract::<bool>())
        .unwrap_or(false);
    if !tty || config.progress || config.subunit.is_some() || reporters.is_empty() {
        return Ok(());
    }
    let width = Helpers::new(py)?
        .terminal_number(py, "cols", 80)
        .map(|w| w.max(20) as usize)
        .unwrap_or(80);
    let iterations = config.repeat.max(1);
    let console = reporters.remove(0);
    reporters.insert(
        0,
        Box::new(Progress::new(
            console,
            ProgressConfig {
                iterations,
                warmups: config.leak_warmups.min(iterations.saturating_sub(2)),
                width,
                attribution: config.leak_attribution,
            },
        )),
    );
    Ok(())
}

/// What the XML reports need from the machine: zope resolves `--xml DIR`
/// and creates it before the run, and stamps reports with the host name and
/// naive local time.
fn xml_config(py: Python<'_>, dir: &str) -> PyResult<XmlConfig> {
    let (dir, hostname, utc_offset_seconds) = Helpers::new(py)?.xml_setup(py, dir)?;
    Ok(XmlConfig {
        dir: dir.into(),
        hostname,
        utc_offset_seconds,
    })
}

/// What the JSON leak report says of the run.
fn json_config(py: Python<'_>, config: &RunConfig, path: &str) -> PyResult<JsonConfig> {
    let info = crate::flavour::build_info(py)?;
    let text: String = py
        .import(intern!(py, "json"))?
        .call_method1(intern!(py, "dumps"), (info,))?
        .extract()?;
    let interpreter = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    Ok(JsonConfig {
        path: std::path::Path::new(&config.cwd).join(path),
        info: RunInfo {
            leakrunner: env!("CARGO_PKG_VERSION").to_owned(),
            interpreter,
            options: config.original_args.clone(),
            mode: if config.leaks { "leaks" } else { "refcounts" }.to_owned(),
        },
        write: Box::new(write_atomically),
    })
}

impl Runner<'_> {
    /// Runs `body` inside the run's warnings filter (zope's
    /// `warnings.catch_warnings()` around the whole run), passing the
    /// exception that ends it to the filter's `__exit__`.
    pub(super) fn with_warnings(
        &mut self,
        body: impl FnOnce(&mut Self) -> Result<()>,
    ) -> Result<()> {
        let py = self.py;
        let warnings = self
            .handles
            .helpers
            .warnings_enabled(py, self.config.warnings.clone())?;
        warnings.call_method0(intern!(py, "__enter__"))?;
        let outcome = body(self);
        let exited = match &outcome {
            Err(Error::Python(err)) => {
                let value = err.value(py);
                warnings.call_method1(
                    intern!(py, "__exit__"),
                    (value.get_type(), value, err.traceback(py)),
                )
            }
            _ => warnings.call_method1(intern!(py, "__exit__"), (py.None(), py.None(), py.None())),
        };
        outcome?;
        exited?;
        Ok(())
    }

    pub(super) fn run_phases(&mut self) -> Result<()> {
        let py = self.py;
        // Global set-up, in zope's feature order: logging, doctest, discovery,
        // filtering, then the traceback style for the run.
        self.handles.helpers.setup_logging(py)?;
        // zope's SelfTest feature: a test's pdb.set_trace() is the real one.
        self.handles.helpers.restore_set_trace(py)?;
        if self.config.leak_tracemalloc {
            // Frames enough to reach from an extension's allocation up into
            // the test that called it.
            py.import(intern!(py, "tracemalloc"))?
                .call_method1(intern!(py, "start"), (25,))?;
        }
        if let Some(dir) = self.config.coverage.clone() {
            // zope traces from here on: discovery's imports are covered too.
            let mut prefixes = self.config.prefix.clone();
            let dirs: Vec<String> = self
                .test_dirs(&mut prefixes)?
                .into_iter()
                .map(|(d, _)| d)
                .collect();
            let analysis = py.import(intern!(py, "leakrunner._analysis"))?;
            let measurer = analysis.call_method1(
                intern!(py, "start_coverage"),
                (dirs, dir, self.config.cwd.clone()),
            )?;
            self.session.coverage = Some(measurer.unbind());
        }
        let c = &self.config;
        if [c.ndiff, c.udiff, c.cdiff].iter().filter(|&&d| d).count() > 1 {
            self.emit(Event::Notice(Notice::ConflictingDiffOptions))?;
            return Err(Error::Exit {
                status: 1,
                stderr: String::new(),
            });
        }
        if self.config.profile.is_some() {
            let analysis = py.import(intern!(py, "leakrunner._analysis"))?;
            let profiler = analysis.getattr(intern!(py, "Profiler"))?.call1((
                self.config.prof_dir.clone(),
                self.config.resume_layer.is_some(),
            ))?;
            self.session.profiler = Some(profiler.unbind());
        }
        let mut old_threshold = None;
        if let Some(values) = self.config.gc.clone() {
            let old = self.handles.helpers.set_gc_threshold(py, &values)?;
            self.emit(Event::Notice(Notice::GcThreshold { threshold: values }))?;
            old_threshold = Some(old);
        }
        let mut old_debug = None;
        if let Some(names) = self.config.gc_option.clone() {
            match self.handles.helpers.set_gc_debug(py, &names) {
                Ok(old) => old_debug = Some(old),
                Err(err) => {
                    return Err(Error::Exit {
                        status: 1,
                        stderr: format!(
                            "leakrunner: error: argument --gc-option/-G: this Python's gc module has no {}\n",
                            err.value(py)
                        ),
                    })
                }
            }
        }
        let outcome = self.run_with_gc_settings();
        self.handles
            .helpers
            .restore_gc(py, old_threshold, old_debug)?;
        outcome
    }
}
