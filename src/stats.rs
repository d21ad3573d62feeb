//! The run's statistics, kept in one place: what ran, what failed, what was
//! skipped, layer by layer and merged from child processes, and the one
//! decision of whether the run failed.
//!
//! Plain data: the runner records into it, children's outcomes merge into
//! it, reporters read the totals from it.

use crate::leaks::LayerLeaks;

/// Counts and names gathered over a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Tests run (zope counts each iteration's last run of a layer).
    pub ran: usize,
    /// Names of failed tests (unexpected successes included).
    pub failures: Vec<String>,
    /// Names of tests (and layer methods) that errored.
    pub errors: Vec<String>,
    pub skipped: usize,
    /// Modules that could not be imported.
    pub import_errors: Vec<String>,
    /// Layers entered, the ones run in children included.
    pub layers_run: usize,
    /// `--leaks`: layers whose verdict fails the run.
    pub leaking_layers: Vec<String>,
}

/// What a child process reports back for the layers it ran.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChildCounts {
    pub ran: usize,
    pub failures: Vec<String>,
    pub errors: Vec<String>,
    pub skipped: usize,
    pub import_errors: Vec<String>,
    /// Leak hunting: the samples and verdicts of the child's layers.
    pub leaks: Vec<LayerLeaks>,
}

impl Stats {
    /// Whether the run failed: zope's rule (an import error, a failure or
    /// an error anywhere), and under `--leaks` a layer that leaks.
    pub fn failed(&self) -> bool {
        !self.import_errors.is_empty()
            || !self.failures.is_empty()
            || !self.errors.is_empty()
            || !self.leaking_layers.is_empty()
    }

    /// Whether `--stop-on-error` should stop before the next layer.
    pub fn has_failures_or_errors(&self) -> bool {
        !self.failures.is_empty() || !self.errors.is_empty()
    }

    /// Adds what a child ran. Import errors are per module: a module two
    /// children failed to import counts once.
    pub fn merge_child(&mut self, child: ChildCounts) -> Vec<String> {
        self.ran += child.ran;
        self.failures.extend(child.failures);
        self.errors.extend(child.errors);
        self.skipped += child.skipped;
        let mut new_modules = Vec::new();
        for module in child.import_errors {
            if !self.import_errors.contains(&module) {
                self.import_errors.push(module.clone());
                new_modules.push(module);
            }
        }
        new_modules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_fails_a_run() {
        let cases: &[(&str, Stats, bool)] = &[
            ("nothing", Stats::default(), false),
            (
                "a failure",
                Stats {
                    failures: vec!["t".into()],
                    ..Stats::default()
                },
                true,
            ),
            (
                "an error",
                Stats {
                    errors: vec!["t".into()],
                    ..Stats::default()
                },
                true,
            ),
            (
                "an import error",
                Stats {
                    import_errors: vec!["m".into()],
                    ..Stats::default()
                },
                true,
            ),
            (
                "skips only",
                Stats {
                    ran: 3,
                    skipped: 2,
                    ..Stats::default()
                },
                false,
            ),
            (
                "a leaking layer",
                Stats {
                    leaking_layers: vec!["L".into()],
                    ..Stats::default()
                },
                true,
            ),
        ];
        for (what, stats, failed) in cases {
            assert_eq!(stats.failed(), *failed, "{what}");
        }
    }

    #[test]
    fn a_child_merges_in_and_modules_count_once() {
        let mut stats = Stats {
            ran: 2,
            import_errors: vec!["a".into()],
            ..Stats::default()
        };
        let new = stats.merge_child(ChildCounts {
            ran: 3,
            failures: vec!["f".into()],
            errors: vec![],
            skipped: 1,
            import_errors: vec!["a".into(), "b".into()],
            leaks: Vec::new(),
        });
        assert_eq!(new, vec!["b".to_owned()]);
        assert_eq!(stats.ran, 5);
        assert_eq!(stats.skipped, 1);
        assert_eq!(stats.failures, vec!["f".to_owned()]);
        assert_eq!(stats.import_errors, vec!["a".to_owned(), "b".to_owned()]);
    }
}
