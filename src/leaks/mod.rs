//! The leaks stage: everything between "an iteration ended" and "a
//! verdict", on plain data. The runner's probe takes a [`Sample`] after each
//! iteration; [`Series`] keeps what the verdict needs of it as an
//! [`IterationRecord`] (values, and the types whose counts changed), and
//! [`verdict::judge`] decides from the records. No Python here: every rule
//! is tested with tables.

pub mod attribution;
pub mod trend;
pub mod verdict;

use serde::{Deserialize, Serialize};

use crate::census::{Census, LeakRow, Scope};
use verdict::{Judgement, Verdict};

/// The signals sampled after one iteration (after collecting garbage), each
/// where the build has it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sample {
    /// `sys.gettotalrefcount()` (debug builds).
    pub total_refs: Option<i64>,
    /// Instances and references by type.
    pub census: Option<Census>,
    /// `sys.getallocatedblocks()`.
    pub blocks: Option<i64>,
    /// Open file descriptors of the process.
    pub fds: Option<i64>,
    /// Live Python threads.
    pub threads: Option<i64>,
    /// `len(gc.garbage)`.
    pub garbage: Option<i64>,
}

/// One iteration's sample as the verdict and the report keep it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IterationRecord {
    /// 0 for the sample before the first iteration.
    pub iteration: usize,
    /// A warm-up: sampled and reported, never judged.
    pub warmup: bool,
    pub total_refs: Option<i64>,
    pub blocks: Option<i64>,
    pub fds: Option<i64>,
    pub threads: Option<i64>,
    pub garbage: Option<i64>,
    /// Instances the census counted.
    pub objects: Option<i64>,
    /// References the census counted.
    pub census_refs: Option<i64>,
    /// Types whose instances or references changed since the previous
    /// sample, as the `-r -v` table lists them.
    pub types: Vec<LeakRow>,
}

impl IterationRecord {
    pub fn new(iteration: usize, warmup: bool, now: &Sample, previous: Option<&Sample>) -> Self {
        let types = match (previous.and_then(|p| p.census.as_ref()), &now.census) {
            (Some(then), Some(census)) => census.changes_since(then),
            _ => Vec::new(),
        };
        IterationRecord {
            iteration,
            warmup,
            total_refs: now.total_refs,
            blocks: now.blocks,
            fds: now.fds,
            threads: now.threads,
            garbage: now.garbage,
            objects: now
                .census
                .as_ref()
                .map(|c| c.types.values().map(|t| t.instances).sum()),
            census_refs: now.census.as_ref().map(Census::total_refs),
            types,
        }
    }
}

/// What the build and the run let the probe see.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sight {
    /// `sys.gettotalrefcount` exists (a debug build).
    pub total_refs: bool,
    /// Where the census looked, if one was taken.
    pub census: Option<CensusScope>,
}

/// [`Scope`], as reports name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CensusScope {
    AllObjects,
    ReachableHeap,
    Tracked,
}

impl From<Scope> for CensusScope {
    fn from(scope: Scope) -> Self {
        match scope {
            Scope::AllObjects => CensusScope::AllObjects,
            Scope::ReachableHeap => CensusScope::ReachableHeap,
            Scope::Tracked => CensusScope::Tracked,
        }
    }
}

/// The samples of one layer's iterations, kept as records: only the last
/// census is held, to compute the next record's changes.
#[derive(Debug, Default)]
pub struct Series {
    pub warmups: usize,
    pub records: Vec<IterationRecord>,
    last: Option<Sample>,
}

impl Series {
    pub fn new(warmups: usize) -> Series {
        Series {
            warmups,
            records: Vec::new(),
            last: None,
        }
    }

    /// Adds the sample taken after `records.len()` iterations (the first
    /// one is the baseline).
    pub fn push(&mut self, sample: Sample) -> IterationRecord {
        let iteration = self.records.len();
        let warmup = iteration <= self.warmups;
        let record = IterationRecord::new(iteration, warmup, &sample, self.last.as_ref());
        self.records.push(record.clone());
        self.last = Some(sample);
        record
    }

    /// The last sample (with its census), for zope's `-r` output.
    pub fn last_sample(&self) -> Option<&Sample> {
        self.last.as_ref()
    }

    /// The census of the last sample can be dropped once the layer is done.
    pub fn finish(&mut self) {
        self.last = None;
    }
}

/// A layer's leak hunt: what was sampled and what it means.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerLeaks {
    pub layer: String,
    pub sight: Sight,
    pub warmups: usize,
    /// The samples, the baseline first.
    pub iterations: Vec<IterationRecord>,
    #[serde(flatten)]
    pub judgement: Judgement,
    /// The layer's iterations did not all run (a crash, Ctrl-C, `-x`).
    pub incomplete: bool,
}

impl LayerLeaks {
    pub fn judge(layer: String, series: Series, sight: Sight, incomplete: bool) -> LayerLeaks {
        let judgement = verdict::judge(&series.records, series.warmups, sight);
        LayerLeaks {
            layer,
            sight,
            warmups: series.warmups,
            iterations: series.records,
            judgement,
            incomplete,
        }
    }

    pub fn line(&self) -> LeakVerdictLine {
        LeakVerdictLine {
            layer: self.layer.clone(),
            verdict: self.judgement.verdict,
            findings: self.judgement.findings.clone(),
            more_iterations: self.judgement.more_iterations,
            warmups: self.warmups,
            counted: self.judgement.counted,
            unseen: self.judgement.unseen.clone(),
            incomplete: self.incomplete,
        }
    }
}

/// What the console summary says of a layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeakVerdictLine {
    pub layer: String,
    pub verdict: Verdict,
    pub findings: Vec<verdict::Finding>,
    pub more_iterations: Option<usize>,
    pub warmups: usize,
    pub counted: usize,
    pub unseen: Vec<String>,
    pub incomplete: bool,
}
