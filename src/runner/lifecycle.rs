//! The layer lifecycle: zope's loop over layers, each layer's set-up (bases
//! first, each once) and tear-down (what the next layer does not need), a
//! layer method that raises, and handing the remaining layers to child
//! processes when a tear-down is not supported or `-j` asks for it.

use std::time::Instant;

use pyo3::exceptions::{PyMemoryError, PyNotImplementedError};
use pyo3::intern;
use pyo3::prelude::*;

use super::child;
use super::plan::PlannedLayer;
use super::Runner;
use crate::error::Result;
use crate::events::{Event, LayerPhase, Notice};
use crate::layers::LayerId;

/// Why the layer loop stopped early.
pub(super) enum LayerFlow {
    /// A layer's tearDown is not supported while another layer needs it gone.
    CanNotTearDown,
}

impl Runner<'_> {
    /// zope's `Runner.run_tests`: each layer in turn, resuming the rest in
    /// child processes when a layer cannot be torn down.
    pub(super) fn run_tests(&mut self, planned: &mut [PlannedLayer]) -> Result<()> {
        let mut index = 0;
        let mut resume_from = None;
        while index < planned.len() {
            let layer = &mut planned[index];
            self.stats.layers_run += 1;
            match self.run_layer(layer) {
                Ok(Ok(ran)) => {
                    self.stats.ran += ran;
                    // Nothing needs a layer's tests once they have run (their
                    // results are plain data): let them go, as unittest's
                    // suites do, so every later layer's gc.collect() has
                    // fewer objects to traverse.
                    planned[index].tests = Vec::new();
                }
                Ok(Err(LayerFlow::CanNotTearDown)) => {
                    if self.config.resume_layer.is_none() {
                        resume_from = Some(index);
                        break;
                    }
                }
                Err(e) => {
                    if e.is_keyboard_interrupt(self.py) {
                        self.interrupted = true;
                        break;
                    }
                    return Err(e);
                }
            }
            index += 1;
            if self.interrupted || self.end_run {
                break;
            }
            if self.config.processes > 1 && self.config.resume_layer.is_none() {
                resume_from = Some(index);
                break;
            }
            if self.config.stop_on_error && self.stats.has_failures_or_errors() {
                break;
            }
        }
        if let Some(from) = resume_from {
            let layers: Vec<(String, LayerId)> = planned[from..]
                .iter()
                .map(|l| (l.name.clone(), l.id))
                .collect();
            let outcome = child::resume_layers(
                self.py,
                &self.config,
                &self.sink,
                &layers,
                &mut self.stats.layers_run,
            )?;
            // Children report skips, import errors and leak verdicts too;
            // zope's protocol loses them.
            let mut outcome = outcome;
            let leaks = std::mem::take(&mut outcome.leaks);
            self.stats.merge_child(outcome);
            for layer in leaks {
                self.keep_leaks(layer)?;
            }
        }
        if !self.setup_layers.is_empty() {
            if self.config.resume_layer.is_none() {
                self.emit(Event::TearingDownLeftOvers)?;
            }
            // Optional tear-downs never stop the run.
            let _ = self.tear_down_unneeded(None, true)?;
        }
        Ok(())
    }

    pub(super) fn run_layer(
        &mut self,
        layer: &mut PlannedLayer,
    ) -> Result<std::result::Result<usize, LayerFlow>> {
        if self.config.resume_number != Some(0) {
            self.emit(Event::LayerStarted {
                layer: layer.name.clone(),
            })?;
        }
        if let Err(flow) = self.tear_down_unneeded(Some(layer.id), false)? {
            return Ok(Err(flow));
        }
        if self.config.resume_layer.is_some() {
            self.emit(Event::RunningInSubprocess)?;
        }
        if let Err(err) = self.setup_layer(layer.id) {
            let py = self.py;
            if err.is_instance_of::<PyMemoryError>(py)
                || !err.is_instance_of::<pyo3::exceptions::PyException>(py)
            {
                return Err(err.into());
            }
            if self.config.post_mortem {
                match &self.config.resume_layer {
                    Some(resume) => self.emit(Event::Notice(Notice::NoPostMortemInSubprocess {
                        layer: Some(resume.clone()),
                    }))?,
                    None => {
                        let debugged = self.handles.helpers.post_mortem(py, &err, None);
                        if let Err(e) = debugged {
                            if self.is_end_run(&e)? {
                                self.end_run = true;
                                return Ok(Ok(0));
                            }
                            return Err(e.into());
                        }
                    }
                }
            }
            self.layer_failure(&layer.name, LayerPhase::SetUp, &err)?;
            return Ok(Ok(0));
        }
        self.run_layer_tests(layer).map(Ok)
    }

    pub(super) fn layer_failure(
        &mut self,
        name: &str,
        phase: LayerPhase,
        err: &PyErr,
    ) -> Result<()> {
        let py = self.py;
        let helpers = &self.handles.helpers;
        let traceback = helpers.format_layer_exception(py, err)?;
        let exception = if self.flags.needs.exceptions {
            Some(helpers.exception_detail(py, err, true)?)
        } else {
            None
        };
        self.emit(Event::LayerFailed {
            layer: name.to_owned(),
            phase,
            traceback,
            exception,
        })?;
        self.stats
            .errors
            .push(format!("Layer: {name}.{}", phase.label()));
        Ok(())
    }

    /// Whether `err` is the EndRun the post-mortem debugger raises on exit.
    pub(super) fn is_end_run(&self, err: &PyErr) -> PyResult<bool> {
        let py = self.py;
        self.handles.helpers.is_end_run(py, err)
    }

    /// Sets up `layer` and its bases, bases first, each once.
    pub(super) fn setup_layer(&mut self, layer: LayerId) -> PyResult<()> {
        let py = self.py;
        for id in self.layers.graph.setup_plan(layer, &self.setup_layers) {
            let name = self.layers.graph.name(id).to_owned();
            self.emit(Event::SetUpStarted {
                layer: name.clone(),
            })?;
            let start = Instant::now();
            let object = self.layers.object(py, id);
            if let Some(set_up) = object.getattr_opt(intern!(py, "setUp"))? {
                set_up.call0()?;
            }
            self.emit(Event::SetUpFinished {
                layer: name,
                seconds: start.elapsed().as_secs_f64(),
            })?;
            self.setup_layers.push(id);
        }
        Ok(())
    }

    /// Tears down the set-up layers `next` does not need (all with `None`).
    pub(super) fn tear_down_unneeded(
        &mut self,
        next: Option<LayerId>,
        optional: bool,
    ) -> Result<std::result::Result<(), LayerFlow>> {
        let py = self.py;
        for id in self.layers.graph.teardown_plan(next, &self.setup_layers) {
            let name = self.layers.graph.name(id).to_owned();
            self.emit(Event::TearDownStarted {
                layer: name.clone(),
            })?;
            let start = Instant::now();
            let object = self.layers.object(py, id);
            let outcome = match object.getattr_opt(intern!(py, "tearDown")) {
                Ok(Some(tear_down)) => tear_down.call0().map(|_| ()),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            self.setup_layers.retain(|&l| l != id);
            match outcome {
                Ok(()) => self.emit(Event::TearDownFinished {
                    layer: name.clone(),
                    seconds: start.elapsed().as_secs_f64(),
                })?,
                Err(err) if err.is_instance_of::<PyNotImplementedError>(py) => {
                    self.emit(Event::TearDownNotSupported {
                        layer: name.clone(),
                    })?;
                    if !optional {
                        return Ok(Err(LayerFlow::CanNotTearDown));
                    }
                }
                Err(err)
                    if err.is_instance_of::<PyMemoryError>(py)
                        || !err.is_instance_of::<pyo3::exceptions::PyException>(py) =>
                {
                    return Err(err.into())
                }
                Err(err) => self.layer_failure(&name, LayerPhase::TearDown, &err)?,
            }
        }
        Ok(Ok(()))
    }
}
