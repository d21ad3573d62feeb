//! The verdict on one layer, from its iteration records: `leak`, `clean`,
//! `drift` or `inconclusive`, with findings that say what kind each leak is.
//!
//! Only counted iterations (after the warm-ups) are judged, each signal by
//! [`classify`]. What a finding means:
//!
//! - `objects`: instances of a type grow;
//! - `references`: references to a type's instances grow, not the instances
//!   (a missing DECREF);
//! - `unreferenced`: the reference total and memory grow with no object the
//!   census can see (on a build without trace-refs; with trace-refs the
//!   runner re-labels `objects` findings whose instances nothing refers to);
//! - `blocks`, `fds`, `threads`, `garbage`: growth of those signals that no
//!   object growth explains;
//! - `drift`: the reference total grows, but no object, no reference any
//!   object holds and no memory: bookkeeping, never a leak.

use serde::{Deserialize, Serialize};

use crate::census::NewOrphans;

use super::trend::{classify, Trend, MIN_COUNTED};
use super::{IterationRecord, Sight};

/// A layer's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Leak,
    Clean,
    Drift,
    Inconclusive,
}

impl Verdict {
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Leak => "leak",
            Verdict::Clean => "clean",
            Verdict::Drift => "drift",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// What kind of leak a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Objects,
    References,
    Unreferenced,
    Blocks,
    Fds,
    Threads,
    Garbage,
    Drift,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Objects => "objects",
            Kind::References => "references",
            Kind::Unreferenced => "unreferenced",
            Kind::Blocks => "blocks",
            Kind::Fds => "fds",
            Kind::Threads => "threads",
            Kind::Garbage => "garbage",
            Kind::Drift => "drift",
        }
    }

    /// Order in summaries: the signal that says most about the leak first
    /// (a leaked thread also leaks the objects it holds).
    fn rank(self) -> u8 {
        match self {
            Kind::Threads => 0,
            Kind::Fds => 1,
            Kind::Garbage => 2,
            Kind::Unreferenced => 3,
            Kind::Objects => 4,
            Kind::References => 5,
            Kind::Blocks => 6,
            Kind::Drift => 7,
        }
    }

    /// What a finding of this kind counts, for one-line summaries.
    pub fn unit(self) -> &'static str {
        match self {
            Kind::Objects | Kind::Unreferenced => "objects",
            Kind::References | Kind::Drift => "refs",
            Kind::Blocks => "blocks",
            Kind::Fds => "fds",
            Kind::Threads => "threads",
            Kind::Garbage => "objects",
        }
    }
}

/// One thing that leaks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: Kind,
    /// The type's title as the `-r -v` table prints it.
    #[serde(rename = "type")]
    pub type_name: Option<String>,
    /// Mean growth per counted iteration.
    pub per_iteration: f64,
    /// The growth in each counted iteration.
    pub growth: Vec<i64>,
    /// The growth speeds up.
    pub accelerating: bool,
    /// Tests responsible (filled by attribution).
    pub tests: Vec<String>,
    /// What the build could not tell about it.
    pub note: Option<String>,
    /// `repr` of a few of the leaked objects, where they could be found.
    pub samples: Vec<String>,
    /// Who holds a leaked object: named steps from a root down to it.
    pub chain: Vec<String>,
    /// Where a sample was allocated, when `tracemalloc` traced it
    /// (`--leak-tracemalloc`): its traceback, most recent call last.
    #[serde(default)]
    pub allocated_at: Vec<String>,
}

/// A signal whose counted iterations disagree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Undecided {
    pub signal: String,
    pub growth: Vec<i64>,
    #[serde(flatten)]
    pub trend: Trend,
}

/// The judgement of a layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Judgement {
    pub verdict: Verdict,
    pub findings: Vec<Finding>,
    pub undecided: Vec<Undecided>,
    /// Iterations that would settle an inconclusive verdict.
    pub more_iterations: Option<usize>,
    /// Counted iterations (after the warm-ups).
    pub counted: usize,
    /// Signals this build or run could not give.
    pub unseen: Vec<String>,
}

/// The changes of one signal over the counted iterations; None when a
/// record lacks it.
fn deltas(
    counted: &[&[IterationRecord]],
    get: impl Fn(&IterationRecord) -> Option<i64>,
) -> Option<Vec<i64>> {
    counted
        .iter()
        .map(|pair| Some(get(&pair[1])? - get(&pair[0])?))
        .collect()
}

/// The trend of `growth` when it is a leak; an undecided one is noted.
fn consider(
    undecided: &mut Vec<Undecided>,
    signal: &str,
    growth: Vec<i64>,
) -> Option<(Trend, Vec<i64>)> {
    let trend = classify(&growth);
    if trend.is_leak() {
        return Some((trend, growth));
    }
    if trend.more_iterations().is_some() {
        undecided.push(Undecided {
            signal: signal.to_owned(),
            growth,
            trend,
        });
    }
    None
}

/// Judges a layer from its records (the baseline first).
pub fn judge(records: &[IterationRecord], warmups: usize, sight: Sight) -> Judgement {
    let start = warmups.min(records.len().saturating_sub(1));
    let counted: Vec<&[IterationRecord]> = records[start..].windows(2).collect();
    let n = counted.len();
    let mut findings = Vec::new();
    let mut undecided = Vec::new();
    let mut unseen = Vec::new();
    let finding = |kind: Kind, type_name: Option<String>, trend: Trend, growth: Vec<i64>| Finding {
        kind,
        type_name,
        per_iteration: trend.per_iteration(),
        accelerating: matches!(trend, Trend::Accelerating { .. }),
        growth,
        tests: Vec::new(),
        note: None,
        samples: Vec::new(),
        chain: Vec::new(),
        allocated_at: Vec::new(),
    };

    // Per type: instances, else references.
    let census = sight.census.is_some() && records[start..].iter().all(|r| r.objects.is_some());
    if census {
        let mut titles: Vec<&str> = counted
            .iter()
            .flat_map(|pair| pair[1].types.iter().map(|row| row.title.as_str()))
            .collect();
        titles.sort_unstable();
        titles.dedup();
        for title in titles {
            let change = |pair: &&[IterationRecord], refs: bool| {
                pair[1]
                    .types
                    .iter()
                    .filter(|row| row.title == title)
                    .map(|row| if refs { row.refs } else { row.instances })
                    .sum::<i64>()
            };
            let instances: Vec<i64> = counted.iter().map(|p| change(p, false)).collect();
            let refs: Vec<i64> = counted.iter().map(|p| change(p, true)).collect();
            let all_zero = instances.iter().all(|&i| i == 0);
            if let Some((trend, growth)) = consider(&mut undecided, title, instances) {
                findings.push(finding(
                    Kind::Objects,
                    Some(title.to_owned()),
                    trend,
                    growth,
                ));
            } else if all_zero {
                let signal = format!("{title} references");
                if let Some((trend, growth)) = consider(&mut undecided, &signal, refs) {
                    findings.push(finding(
                        Kind::References,
                        Some(title.to_owned()),
                        trend,
                        growth,
                    ));
                }
            }
        }
        if sight.census == Some(super::CensusScope::Tracked) {
            unseen.push("objects the gc does not track (str, int, float...)".to_owned());
        }
    } else {
        unseen.push("census by type".to_owned());
    }
    let objects_found = !findings.is_empty();

    let blocks = deltas(&counted, |r| r.blocks);
    let mut blocks_leak = false;
    if let Some(growth) = blocks.clone() {
        // Memory growth that leaking objects explain is theirs.
        let trend = classify(&growth);
        blocks_leak = trend.is_leak();
        if !objects_found {
            if let Some((trend, growth)) = consider(&mut undecided, "allocated blocks", growth) {
                let mut f = finding(Kind::Blocks, None, trend, growth);
                if census && sight.census == Some(super::CensusScope::Tracked) {
                    f.note = Some(
                        "strs, ints, floats... are not counted here; a debug build names them"
                            .to_owned(),
                    );
                }
                findings.push(f);
            }
        }
    } else {
        unseen.push("allocated blocks".to_owned());
    }

    if sight.total_refs {
        if let Some(growth) = deltas(&counted, |r| r.total_refs) {
            let trend = classify(&growth);
            if trend.is_leak() && !objects_found {
                let scope_all = sight.census == Some(super::CensusScope::AllObjects);
                if blocks_leak && census && !scope_all {
                    // References and memory grow, and no object the census
                    // reaches holds them: objects nothing refers to.
                    findings.retain(|f| f.kind != Kind::Blocks);
                    let mut f = finding(Kind::Unreferenced, None, trend, growth);
                    f.note = Some(
                        "not in the reachable heap; a trace-refs build names the objects"
                            .to_owned(),
                    );
                    findings.push(f);
                } else if census && !blocks_leak {
                    findings.push(finding(Kind::Drift, None, trend, growth));
                } else if !census {
                    if let Some((trend, growth)) =
                        consider(&mut undecided, "reference total", growth)
                    {
                        let mut f = finding(Kind::References, None, trend, growth);
                        f.note = Some("no census: the objects are not named".to_owned());
                        findings.push(f);
                    }
                }
            } else if !trend.is_leak() && trend.more_iterations().is_some() && !objects_found {
                undecided.push(Undecided {
                    signal: "reference total".to_owned(),
                    growth,
                    trend,
                });
            }
        }
    } else {
        unseen.push("reference total (no sys.gettotalrefcount)".to_owned());
    }

    for (signal, kind, get) in [
        (
            "open file descriptors",
            Kind::Fds,
            (|r: &IterationRecord| r.fds) as fn(&IterationRecord) -> Option<i64>,
        ),
        ("threads", Kind::Threads, |r: &IterationRecord| r.threads),
        ("gc.garbage", Kind::Garbage, |r: &IterationRecord| r.garbage),
    ] {
        match deltas(&counted, get) {
            Some(growth) => {
                if let Some((trend, growth)) = consider(&mut undecided, signal, growth) {
                    findings.push(finding(kind, None, trend, growth));
                }
            }
            None => unseen.push(signal.to_owned()),
        }
    }

    // Leaked objects hold references to other objects (their type, what
    // they refer to): those references are the objects' doing, not a
    // missing DECREF of their own.
    if findings.iter().any(|f| f.kind == Kind::Objects) {
        findings.retain(|f| f.kind != Kind::References);
    }
    findings.sort_by(|a, b| {
        (a.kind.rank(), b.per_iteration)
            .partial_cmp(&(b.kind.rank(), a.per_iteration))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let verdict = if findings.iter().any(|f| f.kind != Kind::Drift) {
        Verdict::Leak
    } else if !findings.is_empty() {
        Verdict::Drift
    } else if !undecided.is_empty() || n < MIN_COUNTED {
        Verdict::Inconclusive
    } else {
        Verdict::Clean
    };
    let more_iterations = if verdict == Verdict::Inconclusive {
        undecided
            .iter()
            .filter_map(|u| u.trend.more_iterations())
            .max()
            .or(Some(MIN_COUNTED.saturating_sub(n)))
    } else {
        None
    };
    Judgement {
        verdict,
        findings,
        undecided,
        more_iterations,
        counted: n,
        unseen,
    }
}

impl Judgement {
    /// An `objects` finding whose new instances are (almost) all orphans is
    /// an `unreferenced` leak: the objects survive and nothing refers to
    /// them.
    pub fn relabel_orphans(&mut self, orphans: &[NewOrphans]) {
        for finding in &mut self.findings {
            if finding.kind != Kind::Objects {
                continue;
            }
            let Some(title) = finding.type_name.as_deref() else {
                continue;
            };
            let grown: i64 = finding.growth.iter().sum();
            if let Some(o) = orphans.iter().find(|o| o.title == title) {
                if grown > 0 && o.count * 5 >= grown * 4 {
                    finding.kind = Kind::Unreferenced;
                    finding.samples = o.samples.clone();
                    finding.allocated_at = o.allocated_at.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::census::LeakRow;
    use crate::leaks::CensusScope;

    /// One iteration's changes: total, blocks, and (type, instances, refs).
    type Step<'a> = (i64, i64, &'a [(&'a str, i64, i64)]);

    /// Records from per-iteration changes: (total, blocks, [(type, insts, refs)]).
    fn records(iterations: &[Step], census: bool) -> Vec<IterationRecord> {
        let mut total = 1000;
        let mut blocks = 500;
        let mut objects = 100;
        let mut refs = 300;
        let mut out = vec![IterationRecord {
            total_refs: Some(total),
            blocks: Some(blocks),
            fds: Some(5),
            threads: Some(1),
            garbage: Some(0),
            objects: census.then_some(objects),
            census_refs: census.then_some(refs),
            ..IterationRecord::default()
        }];
        for (i, (dt, db, types)) in iterations.iter().enumerate() {
            total += dt;
            blocks += db;
            objects += types.iter().map(|t| t.1).sum::<i64>();
            refs += types.iter().map(|t| t.2).sum::<i64>();
            out.push(IterationRecord {
                iteration: i + 1,
                total_refs: Some(total),
                blocks: Some(blocks),
                fds: Some(5),
                threads: Some(1),
                garbage: Some(0),
                objects: census.then_some(objects),
                census_refs: census.then_some(refs),
                types: if census {
                    types
                        .iter()
                        .map(|&(t, i, r)| LeakRow {
                            title: t.to_owned(),
                            instances: i,
                            refs: r,
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                ..IterationRecord::default()
            });
        }
        out
    }

    type Row<'a> = (&'a str, i64, i64);

    fn rep<'a>(n: usize, dt: i64, db: i64, types: &'a [Row<'a>]) -> Vec<(i64, i64, &'a [Row<'a>])> {
        vec![(dt, db, types); n]
    }

    const ALL: Sight = Sight {
        total_refs: true,
        census: Some(CensusScope::AllObjects),
    };
    const REACHABLE: Sight = Sight {
        total_refs: true,
        census: Some(CensusScope::ReachableHeap),
    };
    const RELEASE: Sight = Sight {
        total_refs: false,
        census: Some(CensusScope::Tracked),
    };

    type Case<'a> = (
        &'a str,
        Sight,
        Vec<IterationRecord>,
        Verdict,
        &'a [(Kind, Option<&'a str>)],
    );

    #[test]
    fn verdicts_and_kinds() {
        let leak: &[(&str, i64, i64)] = &[("leak.Leakable", 1, 1), ("list", 0, 0)];
        let cases: Vec<Case> = vec![
            (
                "clean",
                ALL,
                records(
                    &[
                        (50, 20, &[("dict", 5, 9)]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                    ],
                    true,
                ),
                Verdict::Clean,
                &[],
            ),
            (
                "user objects",
                ALL,
                records(
                    &[
                        (2, 1, leak),
                        (2, 1, leak),
                        (2, 1, leak),
                        (2, 1, leak),
                        (2, 1, leak),
                        (2, 1, leak),
                    ],
                    true,
                ),
                Verdict::Leak,
                &[(Kind::Objects, Some("leak.Leakable"))],
            ),
            (
                "a cache that fills during the warm-ups and stops",
                ALL,
                records(
                    &[
                        (30, 9, &[("tuple", 9, 9)]),
                        (30, 9, &[("tuple", 9, 9)]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                    ],
                    true,
                ),
                Verdict::Clean,
                &[],
            ),
            (
                "a cache that fills and stops while counted",
                ALL,
                records(
                    &[
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (9, 3, &[("tuple", 3, 3)]),
                        (3, 1, &[("tuple", 1, 1)]),
                        (0, 0, &[]),
                        (0, 0, &[]),
                    ],
                    true,
                ),
                Verdict::Clean,
                &[],
            ),
            (
                "a missing DECREF",
                ALL,
                records(&rep(6, 1, 0, &[("m.Target", 0, 1)]), true),
                Verdict::Leak,
                &[(Kind::References, Some("m.Target"))],
            ),
            (
                "drift: the total moves, nothing holds it",
                ALL,
                records(&rep(6, 3, 0, &[]), true),
                Verdict::Drift,
                &[(Kind::Drift, None)],
            ),
            (
                "drift on a reachable-heap census",
                REACHABLE,
                records(&rep(6, 3, 0, &[]), true),
                Verdict::Drift,
                &[(Kind::Drift, None)],
            ),
            (
                "objects the reachable heap cannot see",
                REACHABLE,
                records(&rep(6, 1, 1, &[]), true),
                Verdict::Leak,
                &[(Kind::Unreferenced, None)],
            ),
            (
                "memory with no object",
                ALL,
                records(&rep(6, 0, 4, &[]), true),
                Verdict::Leak,
                &[(Kind::Blocks, None)],
            ),
            (
                "a release build sees objects",
                RELEASE,
                records(&rep(6, 0, 1, leak), true),
                Verdict::Leak,
                &[(Kind::Objects, Some("leak.Leakable"))],
            ),
            (
                "a release build sees untracked objects as memory",
                RELEASE,
                records(&rep(6, 0, 4, &[]), true),
                Verdict::Leak,
                &[(Kind::Blocks, None)],
            ),
            (
                "irregular growth",
                ALL,
                records(
                    &[
                        (0, 0, &[]),
                        (0, 0, &[]),
                        (1, 0, &[("x.Y", 1, 1)]),
                        (0, 0, &[]),
                        (1, 0, &[("x.Y", 1, 1)]),
                        (0, 0, &[]),
                    ],
                    true,
                ),
                Verdict::Inconclusive,
                &[],
            ),
            (
                "one counted iteration is not enough",
                ALL,
                records(&[(0, 0, &[]), (0, 0, &[]), (1, 1, leak)], true),
                Verdict::Inconclusive,
                &[],
            ),
        ];
        for (what, sight, recs, verdict, kinds) in cases {
            let j = judge(&recs, 2, sight);
            assert_eq!(j.verdict, verdict, "{what}: {j:#?}");
            let got: Vec<(Kind, Option<&str>)> = j
                .findings
                .iter()
                .map(|f| (f.kind, f.type_name.as_deref()))
                .collect();
            assert_eq!(got, kinds.to_vec(), "{what}");
            if verdict == Verdict::Inconclusive {
                assert!(j.more_iterations.unwrap_or(0) >= 1, "{what}: {j:#?}");
            } else {
                assert_eq!(j.more_iterations, None, "{what}");
            }
        }
    }

    #[test]
    fn a_hunt_without_the_census_of_its_early_warm_ups_still_names_the_types() {
        // --leaks takes no census before the last warm-up (iteration 2).
        let mut recs = records(&rep(6, 2, 2, &[("pkg.Leak", 1, 1)]), true);
        for r in &mut recs[..2] {
            r.objects = None;
            r.census_refs = None;
            r.types.clear();
        }
        let j = judge(&recs, 2, REACHABLE);
        assert_eq!(j.verdict, Verdict::Leak);
        assert!(j.unseen.is_empty(), "{:?}", j.unseen);
        assert_eq!(j.findings[0].kind, Kind::Objects);
        assert_eq!(j.findings[0].type_name.as_deref(), Some("pkg.Leak"));
    }

    #[test]
    fn a_release_build_says_what_it_cannot_see() {
        let j = judge(&records(&rep(4, 0, 0, &[]), true), 1, RELEASE);
        assert_eq!(j.verdict, Verdict::Clean);
        assert!(
            j.unseen.iter().any(|u| u.starts_with("reference total")),
            "{:?}",
            j.unseen
        );
        assert!(
            j.unseen.iter().any(|u| u.contains("does not track")),
            "{:?}",
            j.unseen
        );
        // Memory growth there may be objects its census does not count.
        let j = judge(&records(&rep(6, 0, 4, &[]), true), 2, RELEASE);
        assert_eq!(j.findings[0].kind, Kind::Blocks);
        assert!(j.findings[0]
            .note
            .as_deref()
            .unwrap_or("")
            .contains("debug build"));
        let j = judge(&records(&rep(6, 0, 4, &[]), true), 2, ALL);
        assert_eq!(j.findings[0].note, None);
    }

    #[test]
    fn objects_nothing_refers_to_become_unreferenced() {
        let recs = records(&rep(6, 1, 1, &[("bytes", 1, 1)]), true);
        let mut j = judge(&recs, 2, ALL);
        assert_eq!(j.findings[0].kind, Kind::Objects);
        let mut other = j.clone();
        j.relabel_orphans(&[NewOrphans {
            title: "bytes".into(),
            count: 4,
            samples: vec!["b'orphan'".into()],
            allocated_at: vec!["  File \"m.py\", line 3".into()],
        }]);
        assert_eq!(j.findings[0].kind, Kind::Unreferenced);
        assert_eq!(j.findings[0].samples, vec!["b'orphan'".to_owned()]);
        assert_eq!(j.findings[0].allocated_at.len(), 1);
        // Too few orphans for the growth: still objects.
        other.relabel_orphans(&[NewOrphans {
            title: "bytes".into(),
            count: 1,
            samples: vec![],
            allocated_at: vec![],
        }]);
        assert_eq!(other.findings[0].kind, Kind::Objects);
    }
}
