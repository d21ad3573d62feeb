//! The runner: everything of a run that touches Python, in zope.testrunner's
//! order, one stage per module:
//!
//! - `config`: the resolved run configuration;
//! - `session`: reporters and the run's global features (warnings, logging,
//!   coverage, profiler, gc settings, traceback style);
//! - `plan`: finding, filtering, shuffling and ordering the tests;
//! - `lifecycle`: the layer loop, layer set-up and tear-down, and handing
//!   layers to child processes (`child`);
//! - `iterate`: the iterations of a layer's tests (or a subset of them);
//! - `probe`: what is sampled after an iteration for leak hunting;
//! - `collect` and `result`: importing tests, and the Rust `TestResult`;
//! - `fatal` and `channel`: faulthandler, and what a process tells of a
//!   crash (a child's results channel, the note of one that is nobody's).
//!
//! Decisions on plain data (discovery, selection, layer order, statistics,
//! leak verdicts) are made by the pure stages it calls.

mod attribute;
pub mod channel;
pub mod child;
pub mod collect;
pub mod config;
mod fatal;
mod iterate;
mod lifecycle;
mod plan;
pub mod probe;
pub mod result;
mod session;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use pyo3::intern;
use pyo3::prelude::*;

use crate::error::{Error, Result};
use crate::events::{Counts, Event, Notice};
use crate::layers::LayerId;
use crate::pyio::PyOutput;
use crate::report::Reporter;
use crate::stats::Stats;
use collect::LayerSet;
use result::{Handles, SharedSink, Sink, TestFlags};

pub use config::RunConfig;
pub use plan::compile_filter;
pub use probe::release_ext_suffix;

/// The state of one run.
struct Runner<'py> {
    py: Python<'py>,
    config: RunConfig,
    sink: SharedSink,
    /// Where the runner's own passes (attribution) report: nowhere.
    quiet_sink: SharedSink,
    flags: Rc<TestFlags>,
    handles: Rc<Handles>,
    /// The layers met so far, and which of them are set up, in order.
    layers: LayerSet,
    setup_layers: Vec<LayerId>,
    stats: Stats,
    /// The global features' resources (coverage, profiler, buffers).
    session: session::Session,
    /// What is sampled between iterations for `-r` and leak hunting.
    probe: probe::Probe,
    /// Samples and verdicts of the layers judged so far.
    leak_layers: Vec<crate::leaks::LayerLeaks>,
    /// Ctrl-C ended the run.
    interrupted: bool,
    /// `-D`: the post-mortem debugger was left; the run ends.
    end_run: bool,
    /// A child's console: stdout on a descriptor the tests cannot close.
    console: Option<Py<PyAny>>,
}

/// A child's channel and protected stdout, taken before anything runs.
/// `line_buffered`: what a test printed before a crash reaches the parent;
/// not for a subunit stream, whose text and bytes must interleave as
/// zope's do.
fn child_streams(
    py: Python<'_>,
    line_buffered: bool,
) -> PyResult<(Option<std::fs::File>, Option<Py<PyAny>>)> {
    use std::os::fd::FromRawFd;
    let crash = py.import(intern!(py, "leakrunner._crash"))?;
    let path: Option<String> = crash
        .call_method1(intern!(py, "take_env"), (channel::CHANNEL_ENV,))?
        .extract()?;
    let channel = match path.map(|p| crash.call_method1(intern!(py, "open_channel"), (p,))) {
        Some(Ok(fd)) => {
            let fd: i32 = fd.extract()?;
            // SAFETY: a descriptor open_channel just made, owned from here.
            Some(unsafe { std::fs::File::from_raw_fd(fd) })
        }
        // The parent then reports that the child never opened it.
        _ => None,
    };
    let console = crash
        .call_method1(intern!(py, "protect_stdout"), (line_buffered,))
        .ok()
        .map(Bound::unbind);
    Ok((channel, console))
}

/// Runs the tests; returns whether the run failed (zope's `runner.failed`).
pub fn run(
    py: Python<'_>,
    config: RunConfig,
    extra_reporters: Vec<Box<dyn Reporter>>,
) -> Result<bool> {
    let in_child = config.resume_layer.is_some();
    let (channel, console) = if in_child {
        child_streams(py, config.subunit.is_none())?
    } else {
        (None, None)
    };
    let channel_fd = channel.as_ref().map(std::os::fd::AsRawFd::as_raw_fd);
    let guard = fatal::Guard::start(py, channel_fd)?;
    let outcome = run_guarded(py, config, extra_reporters, channel, console);
    guard.finish(py)?;
    outcome
}

fn run_guarded(
    py: Python<'_>,
    config: RunConfig,
    extra_reporters: Vec<Box<dyn Reporter>>,
    channel: Option<std::fs::File>,
    console: Option<Py<PyAny>>,
) -> Result<bool> {
    let in_child = config.resume_layer.is_some();
    let mut reporters = session::reporters(py, &config)?;
    reporters.extend(extra_reporters);
    let sink = Sink {
        reporters,
        out: match &console {
            Some(stdout) => PyOutput::pinned(py, stdout.clone_ref(py))?,
            None => PyOutput::new(py)?,
        },
        watch: Some(channel::Watch::new(channel, !in_child)),
    };
    let flags = TestFlags {
        buffer: config.buffer,
        stop_on_error: config.stop_on_error,
        post_mortem: config.post_mortem,
        gc_after_test: config.gc_after_test,
        verbose: config.verbose,
        in_child,
        needs: sink.needs(),
        ignore_new_threads: config.ignore_new_threads.clone(),
    };
    let mut runner = Runner {
        py,
        layers: LayerSet::new(py)?,
        probe: probe::Probe::new(
            &config,
            py.import(intern!(py, "sys"))?
                .hasattr(intern!(py, "gettotalrefcount"))?,
        ),
        leak_layers: Vec::new(),
        config,
        sink: Rc::new(RefCell::new(sink)),
        quiet_sink: Rc::new(RefCell::new(Sink {
            reporters: Vec::new(),
            out: PyOutput::new(py)?,
            watch: None,
        })),
        flags: Rc::new(flags),
        handles: Rc::new(Handles::new(py)?),
        setup_layers: Vec::new(),
        stats: Stats::default(),
        session: session::Session::default(),
        interrupted: false,
        end_run: false,
        console,
    };
    let listing = runner.config.list_tests;
    let outcome = runner.with_warnings(|runner| runner.run_phases());
    let failed = match outcome {
        Ok(()) => !listing && runner.stats.failed(),
        Err(e) => return Err(e),
    };
    runner.sink.borrow_mut().finish(py)?;
    if runner.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(failed)
}

impl<'py> Runner<'py> {
    fn emit(&self, event: Event) -> PyResult<()> {
        self.sink.borrow_mut().emit(self.py, event)
    }

    /// Discovery to report, inside the global features.
    fn run_with_gc_settings(&mut self) -> Result<()> {
        let py = self.py;
        let sys = py.import(intern!(py, "sys"))?;
        let sys_path = sys.getattr(intern!(py, "path"))?;
        for path in self.config.path.iter().rev() {
            if !sys_path.contains(path)? {
                sys_path.call_method1(intern!(py, "insert"), (0, path))?;
            }
        }
        let mut collected = match self.find_tests() {
            Ok(c) => c,
            Err(e) if e.is_keyboard_interrupt(py) => {
                self.interrupted = true;
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        let import_errors = std::mem::take(&mut collected.import_errors);
        self.stats.import_errors = import_errors.iter().map(|e| e.module.clone()).collect();
        self.emit(Event::ImportErrors(import_errors))?;
        let shuffle_seed = if self.config.shuffle {
            let seed = self.shuffle(&mut collected)?;
            if let Some(watch) = &mut self.sink.borrow_mut().watch {
                watch.seed(seed);
            }
            Some(seed)
        } else {
            None
        };
        let in_child = self.config.resume_layer.is_some();
        let mut child_stderr: Option<Py<PyAny>> = None;
        if in_child {
            // The child's protocol goes to the real stderr (a duplicate
            // the tests cannot close); the test output that would go there
            // joins stdout, which the parent shows.
            let protected = py
                .import(intern!(py, "leakrunner._crash"))?
                .call_method0(intern!(py, "protected_stderr"));
            child_stderr = Some(match protected {
                Ok(stream) => stream.unbind(),
                Err(_) => sys.getattr(intern!(py, "stderr"))?.unbind(),
            });
            sys.setattr(intern!(py, "stderr"), sys.getattr(intern!(py, "stdout"))?)?;
        }
        self.filter_layers(&mut collected)?;
        // Doctest suites import doctest while they are collected; set it up
        // now, before any of them runs.
        let c = &self.config;
        self.handles.helpers.setup_doctest(
            py,
            c.ndiff,
            c.udiff,
            c.cdiff,
            c.report_only_first_failure,
        )?;
        let do_run_tests = !self.config.list_tests;
        let mut planned = self.ordered_layers(collected)?;
        self.handles.helpers.install_tracebacks(py)?;
        if let Some(profiler) = &self.session.profiler {
            profiler.bind(py).call_method0(intern!(py, "enable"))?;
        }
        let start = Instant::now();
        let ran = if do_run_tests {
            self.run_tests(&mut planned)
        } else {
            Ok(())
        };
        let seconds = start.elapsed().as_secs_f64();
        if let Some(profiler) = &self.session.profiler {
            profiler.bind(py).call_method0(intern!(py, "disable"))?;
        }
        if let Some(coverage) = &self.session.coverage {
            coverage.bind(py).call_method0(intern!(py, "stop"))?;
        }
        self.handles.helpers.uninstall_tracebacks(py)?;
        if let Some(profiler) = &self.session.profiler {
            profiler.bind(py).call_method0(intern!(py, "finish"))?;
        }
        if let Err(e) = ran {
            if !e.is_keyboard_interrupt(py) {
                return Err(e);
            }
            self.interrupted = true;
        }

        // Reports, in zope's feature order.
        if let Some(coverage) = self.session.coverage.take() {
            coverage.bind(py).call_method0(intern!(py, "report"))?;
        }
        if let Some(profiler) = self.session.profiler.take() {
            if in_child {
                // The parent loads and reports every process's statistics.
            } else if self.config.subunit.is_some() {
                // zope's subunit formatter sends the statistics in the
                // stream, as a `zope:profiler_stats` pseudo-test.
                let dump: Option<Vec<u8>> = profiler
                    .bind(py)
                    .call_method0(intern!(py, "dump"))?
                    .extract()?;
                if let Some(dump) = dump {
                    self.emit(Event::ProfilerStats(dump))?;
                }
            } else {
                profiler.bind(py).call_method0(intern!(py, "report"))?;
            }
        }
        self.emit(Event::ModulesWithImportProblems(
            self.stats.import_errors.clone(),
        ))?;
        if let Some(seed) = shuffle_seed {
            self.emit(Event::Notice(Notice::ShuffleSeed { seed }))?;
        }
        if do_run_tests && !in_child && self.config.verbose > 0 {
            self.emit(Event::TestsWithErrors(self.stats.errors.clone()))?;
            self.emit(Event::TestsWithFailures(self.stats.failures.clone()))?;
        }
        if !do_run_tests {
            self.list_tests(&planned)?;
        }
        if do_run_tests && self.stats.layers_run != 1 {
            let s = &self.stats;
            let counts = Counts {
                tests: s.ran,
                failures: s.failures.len(),
                errors: s.errors.len() + s.import_errors.len(),
                skipped: s.skipped,
            };
            self.emit(Event::Totals { counts, seconds })?;
        }
        if self.config.leaks && !in_child {
            let lines = self.leak_layers.iter().map(|l| l.line()).collect();
            self.emit(Event::LeakSummary(lines))?;
        }
        // zope reports to the parent before its Total; it closes stdout
        // there, so it comes last here (a child prints a Total only when it
        // found no layer to run).
        if let Some(stderr) = child_stderr {
            let s = &self.stats;
            let outcome = child::ChildOutcome {
                ran: s.ran,
                failures: s.failures.clone(),
                errors: s.errors.clone(),
                skipped: s.skipped,
                import_errors: s.import_errors.clone(),
                leaks: std::mem::take(&mut self.leak_layers),
            };
            if let Some(watch) = &mut self.sink.borrow_mut().watch {
                watch.finish(&outcome);
            }
            child::report_to_parent(py, stderr.bind(py), self.console.as_ref(), &outcome)?;
        }
        Ok(())
    }
}
