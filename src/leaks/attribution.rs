//! Which tests leak: the search over subsets of a layer's tests, as a pure
//! algorithm. An [`Oracle`] runs a subset (inside the layer's one set-up,
//! for a few iterations) and says what leaks in it and how much; this
//! module decides which subsets to run.
//!
//! The search halves the tests and follows each finding where it goes,
//! using the amounts: when the first half leaks as much of a finding as the
//! whole, the second half is not searched for it. A test found this way is
//! confirmed by running it alone. A finding that no single test reproduces
//! (it needs two tests together) is narrowed by delta debugging to the
//! smallest set of tests that still reproduces it.

use std::collections::HashMap;

use super::verdict::Kind;

/// What a finding is about: its kind and type. `unreferenced` matches
/// `objects` (a subset run does not scan for orphans).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: Kind,
    pub type_name: Option<String>,
}

impl Key {
    fn class(&self) -> (Kind, Option<&str>) {
        let kind = match self.kind {
            Kind::Unreferenced if self.type_name.is_some() => Kind::Objects,
            k => k,
        };
        (kind, self.type_name.as_deref())
    }

    pub fn matches(&self, other: &Key) -> bool {
        self.class() == other.class()
    }
}

/// Runs a subset of the layer's tests (indices in the layer's order) and
/// returns what leaks, with the growth per iteration.
pub trait Oracle {
    type Error;
    fn leaks(&mut self, tests: &[usize]) -> Result<Vec<(Key, f64)>, Self::Error>;
}

/// The tests responsible for each target finding, in the order of targets.
pub type Attribution = Vec<(Key, Vec<usize>)>;

/// A growth counts as present from half an instance per iteration: the
/// growth of a leak is whole, noise averaged over iterations is not.
const PRESENT: f64 = 0.5;

struct Search<'o, O: Oracle> {
    oracle: &'o mut O,
    memo: HashMap<Vec<usize>, Vec<(Key, f64)>>,
    found: Vec<(Key, Vec<usize>)>,
    unresolved: Vec<Key>,
}

impl<O: Oracle> Search<'_, O> {
    fn run(&mut self, tests: &[usize]) -> Result<Vec<(Key, f64)>, O::Error> {
        if let Some(known) = self.memo.get(tests) {
            return Ok(known.clone());
        }
        let leaks = self.oracle.leaks(tests)?;
        self.memo.insert(tests.to_vec(), leaks.clone());
        Ok(leaks)
    }

    fn amount(leaks: &[(Key, f64)], key: &Key) -> f64 {
        leaks
            .iter()
            .filter(|(k, _)| k.matches(key))
            .map(|(_, a)| *a)
            .sum()
    }

    /// `targets` leak in `tests` by these amounts; `observed` says whether
    /// a run of exactly `tests` showed it (else it was inferred).
    fn search(
        &mut self,
        tests: &[usize],
        targets: Vec<(Key, f64)>,
        observed: bool,
    ) -> Result<(), O::Error> {
        if targets.is_empty() || tests.is_empty() {
            self.unresolved.extend(
                targets
                    .into_iter()
                    .filter(|_| tests.is_empty())
                    .map(|(k, _)| k),
            );
            return Ok(());
        }
        if tests.len() == 1 {
            let targets = if observed {
                targets
            } else {
                let leaks = self.run(tests)?;
                let (seen, unseen): (Vec<_>, Vec<_>) = targets
                    .into_iter()
                    .partition(|(k, _)| Self::amount(&leaks, k) >= PRESENT);
                self.unresolved.extend(unseen.into_iter().map(|(k, _)| k));
                seen
            };
            for (key, _) in targets {
                self.found.push((key, tests.to_vec()));
            }
            return Ok(());
        }
        let (a, b) = tests.split_at(tests.len() / 2);
        let in_a = self.run(a)?;
        let mut for_a = Vec::new();
        let mut for_b = Vec::new();
        for (key, amount) in targets {
            let got = Self::amount(&in_a, &key);
            if got >= PRESENT {
                for_a.push((key.clone(), got));
            }
            if amount - got >= PRESENT {
                for_b.push((key, amount - got));
            }
        }
        self.search(a, for_a, true)?;
        self.search(b, for_b, false)
    }

    /// Delta debugging: the smallest subset of `tests` that still leaks
    /// `key` (each test of it needed).
    fn minimize(&mut self, tests: &[usize], key: &Key) -> Result<Vec<usize>, O::Error> {
        let mut current = tests.to_vec();
        let mut chunks = 2;
        while current.len() >= 2 {
            let size = current.len().div_ceil(chunks);
            let parts: Vec<Vec<usize>> = current.chunks(size).map(<[usize]>::to_vec).collect();
            let mut reduced = false;
            for (i, part) in parts.iter().enumerate() {
                let leaks = self.run(part)?;
                if Self::amount(&leaks, key) >= PRESENT {
                    current = part.clone();
                    chunks = 2;
                    reduced = true;
                    break;
                }
                let rest: Vec<usize> = parts
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| j != i)
                    .flat_map(|(_, p)| p.iter().copied())
                    .collect();
                if parts.len() > 2 {
                    let leaks = self.run(&rest)?;
                    if Self::amount(&leaks, key) >= PRESENT {
                        current = rest;
                        chunks = (chunks - 1).max(2);
                        reduced = true;
                        break;
                    }
                }
            }
            if !reduced {
                if chunks >= current.len() {
                    break;
                }
                chunks = (chunks * 2).min(current.len());
            }
        }
        Ok(current)
    }
}

/// Finds the tests responsible for each target (a finding of the whole
/// layer, with its growth per iteration) among `tests`.
pub fn attribute<O: Oracle>(
    oracle: &mut O,
    tests: &[usize],
    targets: &[(Key, f64)],
) -> Result<Attribution, O::Error> {
    let mut search = Search {
        oracle,
        memo: HashMap::new(),
        found: Vec::new(),
        unresolved: Vec::new(),
    };
    search.search(tests, targets.to_vec(), true)?;
    let unresolved = std::mem::take(&mut search.unresolved);
    for key in unresolved {
        let needed = search.minimize(tests, &key)?;
        if Search::<O>::amount(&search.run(&needed)?, &key) >= PRESENT {
            search.found.push((key, needed));
        }
    }
    let mut out: Attribution = Vec::new();
    for (key, _) in targets {
        let mut responsible: Vec<usize> = search
            .found
            .iter()
            .filter(|(k, _)| k.matches(key))
            .flat_map(|(_, t)| t.iter().copied())
            .collect();
        responsible.sort_unstable();
        responsible.dedup();
        out.push((key.clone(), responsible));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: Kind, t: Option<&str>) -> Key {
        Key {
            kind,
            type_name: t.map(str::to_owned),
        }
    }

    /// A layer whose leaks are given as rules: a set of tests that must all
    /// run, and what they leak per iteration.
    struct Fake {
        rules: Vec<(Vec<usize>, Key, f64)>,
        runs: Vec<Vec<usize>>,
    }

    impl Oracle for Fake {
        type Error = ();
        fn leaks(&mut self, tests: &[usize]) -> Result<Vec<(Key, f64)>, ()> {
            self.runs.push(tests.to_vec());
            Ok(self
                .rules
                .iter()
                .filter(|(need, _, _)| need.iter().all(|t| tests.contains(t)))
                .map(|(_, k, a)| (k.clone(), *a))
                .collect())
        }
    }

    fn whole(fake: &mut Fake, n: usize) -> Vec<(Key, f64)> {
        let all: Vec<usize> = (0..n).collect();
        let mut merged: Vec<(Key, f64)> = Vec::new();
        for (k, a) in fake.leaks(&all).unwrap() {
            match merged.iter_mut().find(|(m, _)| m.matches(&k)) {
                Some(m) => m.1 += a,
                None => merged.push((k, a)),
            }
        }
        fake.runs.clear();
        merged
    }

    #[test]
    fn responsible_tests_are_found() {
        let leakable = key(Kind::Objects, Some("m.Leakable"));
        let float = key(Kind::Objects, Some("float"));
        let fds = key(Kind::Fds, None);
        // (what, tests, rules, expected, most subset runs allowed)
        type Case = (
            &'static str,
            usize,
            Vec<(Vec<usize>, Key, f64)>,
            Vec<(Key, Vec<usize>)>,
            usize,
        );
        let cases: Vec<Case> = vec![
            (
                "one among 200",
                200,
                vec![(vec![137], leakable.clone(), 1.0)],
                vec![(leakable.clone(), vec![137])],
                10,
            ),
            (
                "two tests, two types",
                200,
                vec![
                    (vec![3], leakable.clone(), 1.0),
                    (vec![190], fds.clone(), 1.0),
                ],
                vec![(leakable.clone(), vec![3]), (fds.clone(), vec![190])],
                18,
            ),
            (
                "two tests, the same type",
                64,
                vec![
                    (vec![10], float.clone(), 1.0),
                    (vec![50], float.clone(), 2.0),
                ],
                vec![(float.clone(), vec![10, 50])],
                14,
            ),
            (
                "only when two run together",
                200,
                vec![(vec![20, 150], leakable.clone(), 1.0)],
                vec![(leakable.clone(), vec![20, 150])],
                60,
            ),
            (
                "an orphan found as objects",
                16,
                vec![(vec![5], float.clone(), 1.0)],
                vec![(key(Kind::Unreferenced, Some("float")), vec![5])],
                6,
            ),
        ];
        for (what, n, rules, want, most) in cases {
            let mut fake = Fake {
                rules,
                runs: Vec::new(),
            };
            let mut targets = whole(&mut fake, n);
            // The layer's finding may carry another kind (orphans).
            for (t, _) in &mut targets {
                if let Some((k, _)) = want.iter().find(|(k, _)| k.matches(t)) {
                    *t = k.clone();
                }
            }
            let all: Vec<usize> = (0..n).collect();
            let got = attribute(&mut fake, &all, &targets).unwrap();
            assert_eq!(got, want, "{what}");
            assert!(fake.runs.len() <= most, "{what}: {} runs", fake.runs.len());
        }
    }

    #[test]
    fn a_clean_test_is_never_named_when_the_leak_does_not_reproduce() {
        // The whole layer leaked, but no subset does (a flaky leak): no one
        // is blamed.
        struct Nothing;
        impl Oracle for Nothing {
            type Error = ();
            fn leaks(&mut self, _: &[usize]) -> Result<Vec<(Key, f64)>, ()> {
                Ok(Vec::new())
            }
        }
        let k = key(Kind::Objects, Some("x.Y"));
        let all: Vec<usize> = (0..10).collect();
        let got = attribute(&mut Nothing, &all, &[(k.clone(), 1.0)]).unwrap();
        assert_eq!(got, vec![(k, vec![])]);
    }
}
