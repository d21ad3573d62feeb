//! The iterations of a layer's tests: zope's `run_tests` function. Each
//! iteration runs the layer's tests (or a subset of them) with a fresh Rust
//! result, reports its summary, collects garbage, and hands the probe's
//! sample to the leaks stage. Any number of passes can run inside one
//! set-up of the layer, which is what attributing a leak to tests needs.

use std::rc::Rc;
use std::time::Instant;

use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::intern;
use pyo3::prelude::*;

use super::plan::PlannedLayer;
use super::result::{Hooks, TestResult};
use super::Runner;
use crate::census;
use crate::census::orphans;
use crate::census::NewOrphans;
use crate::error::Result;
use crate::events::{Counts, DetailedRefcounts, Event};
use crate::leaks::{LayerLeaks, Series};

/// One pass over a layer: which tests, how many times.
#[derive(Debug, Clone)]
pub(super) struct Pass {
    /// Indices into the layer's tests, in order.
    pub tests: Vec<usize>,
    pub iterations: usize,
    /// Iterations sampled but not judged.
    pub warmups: usize,
    /// A pass of the runner's own (attribution): reported to no one and
    /// counted in no total.
    pub quiet: bool,
}

/// What a pass did.
#[derive(Debug, Default)]
pub(super) struct PassOutcome {
    /// Tests run in the last iteration (zope counts that one).
    pub ran: usize,
    /// The probe's samples: before the first iteration, then after each.
    pub series: Series,
    /// Iterations that ran to their end.
    pub completed: usize,
    /// Objects that became orphans over the counted iterations (a build
    /// that lists every object, `--leaks`).
    pub orphans: Vec<NewOrphans>,
}

impl Runner<'_> {
    /// The layer's tests, `-N` times: zope's iterations, with zope's output.
    /// With leak hunting on, the samples are judged and the layer's
    /// verdict emitted.
    pub(super) fn run_layer_tests(&mut self, layer: &mut PlannedLayer) -> Result<usize> {
        let iterations = self.config.repeat.max(1);
        let pass = Pass {
            tests: (0..layer.tests.len()).collect(),
            iterations,
            warmups: self.config.leak_warmups.min(iterations.saturating_sub(2)),
            quiet: false,
        };
        let outcome = self.run_pass(layer, &pass)?;
        if self.probe.signals && !self.end_run {
            self.judge_layer(
                layer,
                pass.iterations,
                outcome.series,
                outcome.completed,
                outcome.orphans,
            )?;
        }
        Ok(outcome.ran)
    }

    /// Judges a layer's samples; emits and keeps the verdict.
    fn judge_layer(
        &mut self,
        layer: &mut PlannedLayer,
        iterations: usize,
        mut series: Series,
        completed: usize,
        orphans: Vec<NewOrphans>,
    ) -> Result<()> {
        let sight = self
            .probe
            .sight(series.last_sample().and_then(|s| s.census.as_ref()));
        series.finish();
        let mut leaks =
            LayerLeaks::judge(layer.name.clone(), series, sight, completed < iterations);
        leaks.judgement.relabel_orphans(&orphans);
        if self.config.leaks && self.config.leak_attribution && !self.interrupted {
            self.attribute(layer, &mut leaks)?;
        }
        self.keep_leaks(leaks)
    }

    /// Keeps a layer's verdict (this process's, or a child's) and reports it.
    pub(super) fn keep_leaks(&mut self, leaks: LayerLeaks) -> Result<()> {
        if self.config.leaks && self.config.leak_fails(leaks.judgement.verdict) {
            self.stats.leaking_layers.push(leaks.layer.clone());
        }
        self.emit(Event::LeakVerdict(Box::new(leaks.clone())))?;
        self.leak_layers.push(leaks);
        Ok(())
    }

    /// The testSetUp and testTearDown hooks of the layer and its bases, in
    /// zope's order.
    fn hooks(&self, layer: &PlannedLayer) -> PyResult<Rc<Hooks>> {
        let py = self.py;
        let mut hooks = Hooks::default();
        let order = self.layers.graph.test_setup_order(layer.id);
        for &id in &order {
            if let Some(hook) = self
                .layers
                .object(py, id)
                .getattr_opt(intern!(py, "testSetUp"))?
            {
                hooks.set_up.push(hook.unbind());
            }
        }
        for &id in order.iter().rev() {
            if let Some(hook) = self
                .layers
                .object(py, id)
                .getattr_opt(intern!(py, "testTearDown"))?
            {
                hooks.tear_down.push(hook.unbind());
            }
        }
        Ok(Rc::new(hooks))
    }

    /// Runs `pass` over `layer`, sampling after every iteration when the
    /// probe is active.
    pub(super) fn run_pass(
        &mut self,
        layer: &mut PlannedLayer,
        pass: &Pass,
    ) -> Result<PassOutcome> {
        let py = self.py;
        let gc = py.import(intern!(py, "gc"))?;
        gc.call_method0(intern!(py, "collect"))?;
        let mut lgarbage = gc.getattr(intern!(py, "garbage"))?.len()?;
        let mut outcome = PassOutcome {
            series: Series::new(pass.warmups),
            ..PassOutcome::default()
        };
        let sink = if pass.quiet {
            self.quiet_sink.clone()
        } else {
            self.sink.clone()
        };
        let emit = |event: Event| sink.borrow_mut().emit(py, event);
        let sampling = self.probe.active();
        if sampling {
            if self.probe.total_refs && !pass.quiet {
                let found = self.probe.skewing_extensions(py)?;
                emit(Event::SkewingExtensions(found))?;
            }
            self.record_sample(&layer.name, &mut outcome.series, pass.quiet)?;
        }
        let repeat = pass.iterations.max(1);
        let scan_orphans = self.config.leaks && self.probe.census && !pass.quiet;
        let mut orphans_start = None;
        if scan_orphans && outcome.series.warmups == 0 {
            orphans_start = orphans::take(py)?;
        }
        let hooks = self.hooks(layer)?;
        let mut count = 0;
        for &at in &pass.tests {
            count += layer.tests[at]
                .test
                .bind(py)
                .call_method0(intern!(py, "countTestCases"))?
                .extract::<usize>()?;
        }
        if self.config.buffer && self.session.buffers.is_none() {
            let out = self.handles.helpers.make_buffer(py)?;
            let err = self.handles.helpers.make_buffer(py)?;
            self.session.buffers = Some((out, err));
        }
        for iteration in 0..repeat {
            if repeat > 1 {
                emit(Event::IterationStarted {
                    iteration: iteration + 1,
                })?;
            }
            if self.config.verbose > 0 || self.config.progress {
                emit(Event::TestsStarting)?;
            }
            let result = Bound::new(
                py,
                TestResult::new(
                    sink.clone(),
                    self.flags.clone(),
                    self.handles.clone(),
                    hooks.clone(),
                    count,
                    self.session
                        .buffers
                        .as_ref()
                        .map(|(o, e)| (o.clone_ref(py), e.clone_ref(py))),
                ),
            )?;
            // In the last iteration a test that has run is let go, as
            // unittest's suites do: its result is plain data already, and
            // the layer's closing gc.collect() then has less to traverse.
            // Not while sampling (every iteration must count the same
            // objects) nor with --gc-after-test (freeing a test would land
            // in the next test's collection).
            let release = iteration + 1 == repeat && !sampling && !self.config.gc_after_test;
            let start = Instant::now();
            let mut interrupted = None;
            for &at in &pass.tests {
                let entry = &layer.tests[at];
                // Ctrl-C between tests, and Ctrl-C inside one (unittest
                // lets KeyboardInterrupt through), both end the loop.
                let ran = py.check_signals().and_then(|()| {
                    if result.borrow().should_stop() {
                        Ok(false)
                    } else {
                        let test = entry.test.bind(py);
                        if self.config.post_mortem {
                            self.handles
                                .helpers
                                .debug_test(py, test, result.as_any())
                                .map(|_| true)
                        } else {
                            test.call1((&result,)).map(|_| true)
                        }
                    }
                });
                match ran {
                    Ok(true) => {
                        if release {
                            layer.tests[at].test = py.None().into_any();
                        }
                    }
                    Ok(false) => break,
                    Err(e) if e.is_instance_of::<PyKeyboardInterrupt>(py) => {
                        interrupted = Some(e);
                        break;
                    }
                    Err(e) if self.is_end_run(&e)? => {
                        // -D: the debugger was left. As with zope, the
                        // iteration ends without a summary, and what it
                        // recorded is not counted.
                        self.end_run = true;
                        outcome.ran = 0;
                        return Ok(outcome);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let seconds = start.elapsed().as_secs_f64();
            emit(Event::TestsFinished)?;
            let r = result.borrow();
            let n_failures = r.failure_names.len() + r.unexpected_success_names.len();
            let stats = &mut self.stats;
            if !pass.quiet {
                stats.failures.extend(r.failure_names.iter().cloned());
                stats
                    .failures
                    .extend(r.unexpected_success_names.iter().cloned());
                stats.skipped += r.skipped_count;
                stats.errors.extend(r.error_names.iter().cloned());
            }
            let counts = Counts {
                tests: r.tests_run(),
                failures: n_failures,
                errors: r.error_names.len() + stats.import_errors.len(),
                skipped: r.skipped_count,
            };
            outcome.ran = r.tests_run();
            drop(r);
            emit(Event::LayerSummary { counts, seconds })?;
            if interrupted.is_some() {
                // Ctrl-C: what ran is reported and counted; the run stops.
                self.interrupted = true;
                return Ok(outcome);
            }
            // Emptied before every sample, not only those a verdict reads:
            // what tests fill again after the first emptying must have
            // settled by the last warm-up.
            if sampling {
                self.probe.prepare(py)?;
            }
            gc.call_method0(intern!(py, "collect"))?;
            let garbage = gc.getattr(intern!(py, "garbage"))?;
            let now = garbage.len()?;
            if now > lgarbage {
                let new = garbage
                    .cast::<pyo3::types::PyList>()
                    .map_err(PyErr::from)?
                    .get_slice(lgarbage, now);
                emit(Event::Garbage {
                    count: now - lgarbage,
                    garbage: new.repr()?.to_string(),
                })?;
                lgarbage = now;
            }
            outcome.completed = iteration + 1;
            if sampling {
                self.record_sample(&layer.name, &mut outcome.series, pass.quiet)?;
                if scan_orphans && iteration + 1 == outcome.series.warmups {
                    orphans_start = orphans::take(py)?;
                }
                if let (Some(start), true) = (&orphans_start, iteration + 1 == repeat) {
                    if let Some(end) = orphans::take(py)? {
                        let grown = grown_types(&outcome.series);
                        outcome.orphans = start.new_since(py, &end, &grown);
                    }
                }
                if iteration > 0 && self.config.report_refcounts && !pass.quiet {
                    let detailed = self.config.verbose > 0;
                    if let Some(event) = refcount_event(&outcome.series, detailed) {
                        emit(event)?;
                    }
                }
            }
        }
        Ok(outcome)
    }

    /// Whether the next sample of `series` takes the census (see
    /// `record_sample`).
    fn census_due(&self, series: &Series, quiet: bool) -> bool {
        let tables = self.config.report_refcounts && self.config.verbose > 0 && !quiet;
        tables || !(self.config.leaks || quiet) || series.records.len() >= series.warmups
    }

    /// Takes a sample into `series` and reports it (unless `quiet`).
    ///
    /// In a leak hunt the census of the baseline and of every warm-up but
    /// the last is skipped: no verdict reads them (counted growth starts
    /// from the last warm-up), and the census is most of what a sample
    /// costs. zope's `-r -v` tables, which print every iteration's census,
    /// keep them all.
    fn record_sample(&mut self, layer: &str, series: &mut Series, quiet: bool) -> Result<()> {
        let census = self.census_due(series, quiet);
        let sample = self.probe.sample(self.py, census)?;
        let record = series.push(sample);
        if !quiet {
            self.emit(Event::LeakSample {
                layer: layer.to_owned(),
                record,
            })?;
        }
        Ok(())
    }
}

/// The types whose instances grew over the counted iterations.
fn grown_types(series: &Series) -> Vec<String> {
    let mut growth: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    for record in series.records.iter().filter(|r| !r.warmup) {
        for row in &record.types {
            *growth.entry(row.title.as_str()).or_default() += row.instances;
        }
    }
    growth
        .into_iter()
        .filter(|&(_, g)| g > 0)
        .map(|(t, _)| t.to_owned())
        .collect()
}

/// zope's `-r` line (or `-r -v` table) for the last iteration of `series`.
fn refcount_event(series: &Series, detailed: bool) -> Option<Event> {
    let [.., before, now] = series.records.as_slice() else {
        return None;
    };
    let total = now.total_refs.unwrap_or(0);
    let previous = before.total_refs.unwrap_or(0);
    let scope = series
        .last_sample()
        .and_then(|s| s.census.as_ref())
        .map(|c| c.scope);
    Some(match (scope, now.census_refs) {
        (Some(scope), Some(census_refs)) if detailed => {
            Event::DetailedRefcounts(DetailedRefcounts {
                reachable_only: scope == census::Scope::ReachableHeap,
                census_refs,
                total,
                previous,
                rows: now.types.clone(),
            })
        }
        _ => Event::Refcounts { total, previous },
    })
}
