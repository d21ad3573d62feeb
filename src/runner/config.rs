//! The run configuration: what the runner needs from the options, resolved
//! once at the boundary and read-only for the rest of the run.

use std::collections::HashSet;

use crate::leaks::verdict::Verdict;
use crate::report::subunit::Version as SubunitVersion;

/// What the runner needs from the options, resolved.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    pub test_path: Vec<(String, String)>,
    pub prefix: Vec<(String, String)>,
    pub path: Vec<String>,
    pub package: Vec<String>,
    pub auto_path: bool,
    pub tests_pattern: String,
    pub test_file_pattern: String,
    pub suite_name: String,
    pub ignore_dir: HashSet<String>,
    pub usecompiled: bool,
    pub keepbytecode: bool,
    pub module: Vec<String>,
    pub test: Vec<String>,
    pub layer: Option<Vec<String>>,
    pub non_unit: bool,
    pub at_level: i64,
    pub only_level: Option<i64>,
    pub all: bool,
    pub list_tests: bool,
    pub require_unique: bool,

    pub verbose: u32,
    pub progress: bool,
    pub buffer: bool,
    pub ndiff: bool,
    pub udiff: bool,
    pub cdiff: bool,
    pub report_only_first_failure: bool,
    pub ignore_new_threads: Vec<String>,

    pub stop_on_error: bool,
    pub post_mortem: bool,
    pub repeat: usize,
    pub report_refcounts: bool,
    pub gc_after_test: bool,
    /// `-g/--gc`: collector thresholds (1 to 3 values).
    pub gc: Option<Vec<i64>>,
    /// `-G/--gc-option`: collector debug flag names.
    pub gc_option: Option<Vec<String>>,
    pub shuffle: bool,
    pub shuffle_seed: Option<i64>,

    /// `-c`: colour; `--slow-test N`: the colour of slow tests.
    pub color: bool,
    pub slow_test_threshold: f64,
    /// `--subunit` / `--subunit-v2`: a subunit stream instead of the console.
    pub subunit: Option<SubunitVersion>,
    /// `--xml DIR`: JUnit reports into `DIR/testreports/`.
    pub xml_output: Option<String>,

    pub processes: usize,
    /// `--coverage DIR`: line coverage into DIR.
    pub coverage: Option<String>,
    /// `--profile cProfile`, and `--profile-directory` for its files.
    pub profile: Option<String>,
    pub prof_dir: String,
    /// `LEAKRUNNER_CHILD_TIMEOUT`: kill a child process running longer
    /// (seconds).
    pub child_timeout: Option<f64>,
    /// Set in a child process: the one layer it runs, and its resume number.
    pub resume_layer: Option<String>,
    pub resume_number: Option<usize>,
    /// A child resumed after a crash: the layer's tests that already ran
    /// (or crashed) in earlier children, skipped here.
    pub resume_after: Option<usize>,
    /// The command line (argv, program name first) and the defaults, to
    /// rebuild a child's command line.
    pub original_args: Vec<String>,
    pub defaults: Vec<String>,
    pub script_parts: Vec<String>,
    pub cwd: String,
    /// The warnings filter action for the run (None: leave filters alone).
    pub warnings: Option<String>,

    /// `--leaks`: the leak-hunting mode (verdicts, exit status).
    pub leaks: bool,
    /// `--leak-report FILE`: the JSON leak report.
    pub leak_report: Option<String>,
    /// `--leak-html FILE`: the HTML leak report.
    pub leak_html: Option<String>,
    /// `--leak-warmups N`: iterations sampled but not judged.
    pub leak_warmups: usize,
    /// `--leak-strict`: drift and inconclusive verdicts fail the run too.
    pub leak_strict: bool,
    /// Attribute leaks to tests (`--leaks`, unless `--no-leak-attribution`).
    pub leak_attribution: bool,
    /// `--leak-tracemalloc`: trace allocations for the whole run.
    pub leak_tracemalloc: bool,
}

impl RunConfig {
    /// Whether a layer with this verdict fails a `--leaks` run.
    pub fn leak_fails(&self, verdict: Verdict) -> bool {
        match verdict {
            Verdict::Leak => true,
            Verdict::Clean => false,
            Verdict::Drift | Verdict::Inconclusive => self.leak_strict,
        }
    }
}
