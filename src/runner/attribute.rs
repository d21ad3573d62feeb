//! Attribution: which of a leaking layer's tests leak. The search is the
//! leaks stage's ([`attribution::attribute`]); this module is its oracle,
//! running subsets of the layer's tests inside the layer's one set-up,
//! quietly, and judging their samples.

use pyo3::intern;
use pyo3::prelude::*;

use super::iterate::Pass;
use super::plan::PlannedLayer;
use super::Runner;
use crate::census::chain;
use crate::error::{Error, Result};
use crate::events::Event;
use crate::leaks::attribution::{self, Key, Oracle};
use crate::leaks::verdict::{judge, Finding, Kind, Verdict};
use crate::leaks::{CensusScope, LayerLeaks};

/// Iterations of each subset run: one warm-up (the layer is warm already,
/// but a subset may allocate lazily what the whole layer did not), then the
/// fewest counted iterations a verdict rests on.
const WARMUPS: usize = 1;
const COUNTED: usize = crate::leaks::trend::MIN_COUNTED;

struct LayerOracle<'r, 'py> {
    runner: &'r mut Runner<'py>,
    layer: &'r mut PlannedLayer,
    /// Subsets run so far.
    rounds: usize,
}

impl Oracle for LayerOracle<'_, '_> {
    type Error = Error;

    fn leaks(&mut self, tests: &[usize]) -> Result<Vec<(Key, f64)>> {
        self.runner.py.check_signals()?;
        self.rounds += 1;
        self.runner.emit(Event::AttributionRound {
            layer: self.layer.name.clone(),
            round: self.rounds,
            tests: tests.len(),
            of: self.layer.tests.len(),
        })?;
        let pass = Pass {
            tests: tests.to_vec(),
            iterations: WARMUPS + COUNTED,
            warmups: WARMUPS,
            quiet: true,
        };
        let outcome = self.runner.run_pass(self.layer, &pass)?;
        if self.runner.interrupted {
            return Err(Error::Interrupted);
        }
        let sight = self
            .runner
            .probe
            .sight(outcome.series.last_sample().and_then(|s| s.census.as_ref()));
        let judgement = judge(&outcome.series.records, WARMUPS, sight);
        Ok(judgement
            .findings
            .into_iter()
            .filter(|f| f.kind != Kind::Drift)
            .map(|f| {
                (
                    Key {
                        kind: f.kind,
                        type_name: f.type_name,
                    },
                    f.per_iteration,
                )
            })
            .collect())
    }
}

impl Runner<'_> {
    /// Names the tests responsible for each finding of a leaking layer, in
    /// `leaks.judgement.findings[..].tests`.
    pub(super) fn attribute(
        &mut self,
        layer: &mut PlannedLayer,
        leaks: &mut LayerLeaks,
    ) -> Result<()> {
        if leaks.judgement.verdict != Verdict::Leak || layer.tests.is_empty() {
            return Ok(());
        }
        let targets: Vec<(Key, f64)> = leaks
            .judgement
            .findings
            .iter()
            .filter(|f| f.kind != Kind::Drift)
            .map(|f| {
                (
                    Key {
                        kind: f.kind,
                        type_name: f.type_name.clone(),
                    },
                    f.per_iteration,
                )
            })
            .collect();
        let all: Vec<usize> = (0..layer.tests.len()).collect();
        let found = {
            let mut oracle = LayerOracle {
                runner: self,
                layer,
                rounds: 0,
            };
            attribution::attribute(&mut oracle, &all, &targets)?
        };
        let py = self.py;
        let mut blocks_tests = None;
        for (key, tests) in found {
            if key.kind == Kind::Blocks && !tests.is_empty() {
                blocks_tests = Some(tests.clone());
            }
            let ids = tests
                .iter()
                .map(|&at| test_id(py, &layer.tests[at].test))
                .collect::<PyResult<Vec<String>>>()?;
            for finding in &mut leaks.judgement.findings {
                let this = Key {
                    kind: finding.kind,
                    type_name: finding.type_name.clone(),
                };
                if this.matches(&key) {
                    finding.tests = ids.clone();
                    if !tests.is_empty() {
                        self.explain(layer, finding, &tests)?;
                    }
                }
            }
        }
        if let Some(tests) = blocks_tests {
            if leaks.sight.census == Some(CensusScope::Tracked) {
                self.name_untracked(layer, leaks, &tests)?;
            }
        }
        Ok(())
    }

    /// A release build's census counts only the objects the collector
    /// tracks, so memory that grows with no counted object behind it may be
    /// objects it does not track (strs, ints, floats...). One more run of
    /// the tests responsible, shaped as the layer's, with a census of the
    /// reachable heap after each iteration: the types whose instances grow
    /// in every counted iteration there replace the `blocks` finding, as
    /// `objects` findings, explained as any other. When none does (memory
    /// that really has no object) the finding stays, and says so.
    fn name_untracked(
        &mut self,
        layer: &mut PlannedLayer,
        leaks: &mut LayerLeaks,
        tests: &[usize],
    ) -> Result<()> {
        let Some(at) = leaks
            .judgement
            .findings
            .iter()
            .position(|f| f.kind == Kind::Blocks)
        else {
            return Ok(());
        };
        let pass = Pass {
            tests: tests.to_vec(),
            iterations: leaks
                .iterations
                .len()
                .saturating_sub(1)
                .max(WARMUPS + COUNTED),
            warmups: leaks.warmups.max(WARMUPS),
            quiet: true,
        };
        self.probe.reachable = true;
        let outcome = self.run_pass(layer, &pass);
        self.probe.reachable = false;
        let outcome = outcome?;
        if self.interrupted {
            return Err(Error::Interrupted);
        }
        let sight = self
            .probe
            .sight(outcome.series.last_sample().and_then(|s| s.census.as_ref()));
        let mut named: Vec<Finding> = judge(&outcome.series.records, pass.warmups, sight)
            .findings
            .into_iter()
            .filter(|f| f.kind == Kind::Objects && f.type_name.is_some())
            .collect();
        if named.is_empty() {
            leaks.judgement.findings[at].note =
                Some("no object grows with it, in a census of the reachable heap".to_owned());
            return Ok(());
        }
        let blocks = leaks.judgement.findings.remove(at);
        for finding in &mut named {
            finding.tests = blocks.tests.clone();
            self.explain(layer, finding, tests)?;
            finding.note =
                Some("named by a census of the reachable heap, in a run of its tests".to_owned());
        }
        leaks.judgement.findings.splice(at..at, named);
        Ok(())
    }

    /// For a finding about a type: one more run of the tests responsible,
    /// and a look at what it did to the type's instances: who holds a new
    /// one (`objects`), or which ones gained references (`references`).
    fn explain(
        &mut self,
        layer: &mut PlannedLayer,
        finding: &mut Finding,
        tests: &[usize],
    ) -> Result<()> {
        let py = self.py;
        let Some(title) = finding.type_name.clone() else {
            return Ok(());
        };
        if !matches!(finding.kind, Kind::Objects | Kind::References) {
            return Ok(());
        }
        // Two more runs: what the first one made and the second one did not
        // free is what leaks (caches emptied between iterations refill
        // with new objects each time, and those do not last).
        let pass = Pass {
            tests: tests.to_vec(),
            iterations: 1,
            warmups: 0,
            quiet: true,
        };
        let before = chain::instances(py, &title)?;
        self.run_pass(layer, &pass)?;
        let between = chain::instances(py, &title)?;
        self.run_pass(layer, &pass)?;
        let after = chain::instances(py, &title)?;
        let mut change = chain::change(&before, &between);
        change.new.retain(|a| after.contains_key(a));
        change.more_referenced = chain::change(&between, &after).more_referenced;
        drop((before, between, after));
        match finding.kind {
            Kind::Objects => {
                let new: Vec<usize> = change.new.iter().copied().collect();
                finding.samples = chain::samples(py, &new, SAMPLES);
                let roots = self.layer_roots();
                if let Some(steps) = chain::find(py, &change.new, &roots)? {
                    finding.chain = steps;
                }
            }
            _ => {
                finding.samples = chain::samples(py, &change.more_referenced, SAMPLES);
            }
        }
        Ok(())
    }

    /// The layers set up, as roots of a referrer chain.
    fn layer_roots(&self) -> Vec<(String, Py<PyAny>)> {
        self.setup_layers
            .iter()
            .map(|&id| {
                (
                    self.layers.graph.name(id).to_owned(),
                    self.layers.object(self.py, id).unbind(),
                )
            })
            .collect()
    }
}

/// `repr` samples kept per finding.
const SAMPLES: usize = 3;

/// zope's test id: `test.id()`, else its `str()`.
fn test_id(py: Python<'_>, test: &Py<PyAny>) -> PyResult<String> {
    let test = test.bind(py);
    match test.call_method0(intern!(py, "id")) {
        Ok(id) => id.extract(),
        Err(_) => Ok(test.str()?.to_string()),
    }
}
