//! Events: what happened during a run, as plain owned data.
//!
//! The runner emits them in order; reporters (console, subunit, XML...) turn
//! them into output. Every event carries what its formatting needs (names,
//! formatted tracebacks, durations measured by the runner), so reporters are
//! pure functions of the event stream and never touch Python or a clock.

use serde::Serialize;

pub use crate::census::LeakRow;
use crate::leaks::{IterationRecord, LayerLeaks, LeakVerdictLine};

/// Which of a layer's methods failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum LayerPhase {
    SetUp,
    TearDown,
}

impl LayerPhase {
    pub fn label(self) -> &'static str {
        match self {
            LayerPhase::SetUp => "setUp",
            LayerPhase::TearDown => "tearDown",
        }
    }
}

/// Whether a test's exception was its failure exception or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum FailureKind {
    Failure,
    Error,
}

/// What a test's report is: zope's colour formatter prints each kind its
/// own way (the plain formatter prints them all as they are).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub enum ReportKind {
    /// A formatted traceback.
    #[default]
    Traceback,
    /// doctest's own failure report (a `DocTestFailureException`).
    Doctest,
    /// A `doctest.DocTestFailure` filled into zope's doctest template.
    DoctestTemplate,
}

/// A test module that could not be imported or gave no valid suite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportFailure {
    pub module: String,
    /// As the stdlib formats it (zope reports these before its own
    /// traceback style is installed).
    pub traceback: String,
    /// When a reporter asked for it (`Needs::exceptions`).
    pub exception: Option<ExceptionDetail>,
}

/// An exception as JUnit-style reports describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionDetail {
    /// `str(type)`, e.g. `<class 'AssertionError'>`.
    pub type_name: String,
    /// `str(exception)`.
    pub message: String,
    /// `''.join(traceback.format_tb(tb))`, the stdlib's frames.
    pub stack: String,
}

/// Who a test is, for reporters that identify tests rather than print
/// their names (`Needs::identities`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TestIdentity {
    /// `test.id()`.
    pub id: String,
    /// The JUnit suite, class name and test name zope's XML output uses.
    pub suite: String,
    pub classname: String,
    pub name: String,
}

/// A test that failed, errored or unexpectedly succeeded: what every
/// reporter takes from a `TestFailed` event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// `str(test)`.
    pub name: String,
    pub seconds: f64,
    pub traceback: String,
    /// What `traceback` is.
    pub report: ReportKind,
    pub stdout: Option<String>,
    pub stderr: Option<String>,
    /// When a reporter asked for it (`Needs::exceptions`); None for an
    /// unexpected success.
    pub exception: Option<ExceptionDetail>,
    /// The failing subtest's identity (`Needs::identities`); None when
    /// the test itself failed.
    pub subtest: Option<TestIdentity>,
}

/// A test as `--list-tests` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListedTest {
    /// `str(test)`.
    pub name: String,
    /// `test.id()`.
    pub id: String,
}

/// Test counts of one layer iteration or of the whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tests: usize,
    pub failures: usize,
    pub errors: usize,
    pub skipped: usize,
}

/// The detailed refcount report of an iteration (`-r -v`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetailedRefcounts {
    /// The census saw only what the garbage collector reaches (no
    /// `sys.getobjects` in this interpreter).
    pub reachable_only: bool,
    /// Sum of the per-type reference counts the census saw.
    pub census_refs: i64,
    pub total: i64,
    pub previous: i64,
    /// Types whose instance or reference count changed, sorted by title.
    pub rows: Vec<LeakRow>,
}

/// Which levels `-v` says the run covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RunLevels {
    /// `--all`.
    All,
    /// `--only-level N`.
    Only(i64),
    /// `--at-level N` (the default, 1).
    UpTo(i64),
}

/// How a notice is shown: zope's `info`, `error` and `error_with_banner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeRole {
    Info,
    Error,
    ErrorWithBanner,
}

/// Something the run tells the user outside any test's result, as data:
/// `report::format::notice` words it as zope does.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Notice {
    /// `-v`: the levels the run covers.
    Levels(RunLevels),
    /// After the run: the seed `--shuffle` used.
    ShuffleSeed { seed: i64 },
    /// `--gc`: the new threshold (a first value of 0 disables the
    /// collector).
    GcThreshold { threshold: Vec<i64> },
    /// More than one of `--ndiff`, `--udiff` and `--cdiff`.
    ConflictingDiffOptions,
    /// A child was asked to run a layer it could not find.
    LayerNotFound { layer: String },
    /// Reading a child's output failed (zope's words, then the error's).
    UnreadableSubprocessOutput { layer: String },
    /// What went wrong reading a child's output: `str()` of the error.
    ReadError { error: String },
    /// A child process for `layer` could not be started.
    SubprocessNotStarted { layer: String, reason: String },
    /// `-D` in a child: a layer's set-up (`layer`) or a test's error
    /// (`None`) cannot be debugged there.
    NoPostMortemInSubprocess { layer: Option<String> },
    /// `-D` on an unexpected success.
    NoPostMortemOfUnexpectedSuccess,
}

impl Notice {
    pub fn role(&self) -> NoticeRole {
        match self {
            Notice::Levels(_)
            | Notice::ShuffleSeed { .. }
            | Notice::GcThreshold { .. }
            | Notice::ReadError { .. } => NoticeRole::Info,
            Notice::ConflictingDiffOptions | Notice::UnreadableSubprocessOutput { .. } => {
                NoticeRole::Error
            }
            Notice::LayerNotFound { .. }
            | Notice::SubprocessNotStarted { .. }
            | Notice::NoPostMortemInSubprocess { .. }
            | Notice::NoPostMortemOfUnexpectedSuccess => NoticeRole::ErrorWithBanner,
        }
    }
}

/// How a child process ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChildEnding {
    /// Killed by a signal (its name when Python's `signal` knows it).
    Signal { number: i32, name: Option<String> },
    /// Exited with this status.
    Status(i32),
    /// Ran past `LEAKRUNNER_CHILD_TIMEOUT` and was killed.
    TimedOut { seconds: f64 },
}

/// What a child was doing when its results stopped, as its channel tells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ChildDoing {
    /// Nothing yet (importing, discovering).
    Starting,
    /// A layer's set-up or tear-down, running or `done`.
    Layer {
        layer: String,
        phase: LayerPhase,
        done: bool,
    },
    /// A test (`str(test)`), running or `done`.
    Test { name: String, done: bool },
}

/// What went wrong with a child process.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChildFailure {
    /// It never opened its results channel (zope's "Could not communicate
    /// with subprocess!").
    NoContact { ending: Option<ChildEnding> },
    /// It ran to its end, but its channel stopped short; its totals come
    /// from zope's report on its stderr.
    ChannelCut { doing: ChildDoing },
    /// It died: how, doing what, with the stack faulthandler wrote, and
    /// whether the rest of the layer runs in a new child (after the test
    /// named, if a test was running).
    Died {
        ending: Option<ChildEnding>,
        doing: ChildDoing,
        stack: String,
        resumed: Option<Option<String>>,
    },
}

/// What `-v` shows of a failed child: its command line and its stderr's
/// lines; `trimmed` (a long stderr at `-v`) keeps the first and last ten.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChildDetails {
    pub command: Vec<String>,
    pub stderr: Vec<String>,
    pub trimmed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Event {
    /// A message of the run's own (see `Notice`).
    Notice(Notice),
    /// What went wrong with a child process, which its parent reports
    /// between two lines of stars.
    SubprocessFailed {
        layer: String,
        failure: ChildFailure,
        details: Option<ChildDetails>,
    },

    /// A `.pyc` without source was removed before discovery.
    StaleBytecodeRemoved {
        path: String,
    },
    /// Modules that failed to import, reported as soon as discovery ends.
    ImportErrors(Vec<ImportFailure>),
    /// The run moves on to a layer's tests.
    LayerStarted {
        layer: String,
    },
    /// This process is a child running one layer.
    RunningInSubprocess,
    SetUpStarted {
        layer: String,
    },
    SetUpFinished {
        layer: String,
        seconds: f64,
    },
    TearDownStarted {
        layer: String,
    },
    TearDownFinished {
        layer: String,
        seconds: f64,
    },
    TearDownNotSupported {
        layer: String,
    },
    /// A layer's setUp or tearDown raised; `traceback` is formatted.
    LayerFailed {
        layer: String,
        phase: LayerPhase,
        traceback: String,
        /// When a reporter asked for it (`Needs::exceptions`).
        exception: Option<ExceptionDetail>,
    },
    /// Before tearing down the layers still set up at the end.
    TearingDownLeftOvers,

    /// `-N`: an iteration of a layer's tests begins (1-based).
    IterationStarted {
        iteration: usize,
    },
    /// The test loop of a layer begins.
    TestsStarting,
    TestStarted {
        name: String,
        /// Tests run in this iteration so far, this one included.
        tests_run: usize,
        /// Tests in this layer.
        total: usize,
        /// `test.countTestCases()`.
        count: usize,
        /// When a reporter asked for it (`Needs::identities`).
        identity: Option<TestIdentity>,
    },
    TestSucceeded {
        /// `str(test)`, as in `TestStarted`.
        name: String,
        seconds: f64,
    },
    TestSkipped {
        /// `str(test)`, as in `TestStarted`.
        name: String,
        reason: String,
    },
    /// A test failed, errored or unexpectedly succeeded.
    TestFailed(Failure),
    /// After a test; `gc_count` is what `--gc-after-test` collected.
    TestStopped {
        gc_count: usize,
    },
    /// A test left garbage (`gc.garbage` is not empty).
    TestGarbage {
        test: String,
        garbage: String,
    },
    /// A test left threads running.
    TestThreads {
        test: String,
        threads: String,
    },
    /// `--gc-after-test -vvvv`: the cycles a test left (each object as lines).
    TestCycles {
        test: String,
        cycles: Vec<Vec<Vec<String>>>,
    },
    /// The test loop of a layer iteration ended.
    TestsFinished,
    /// `Ran N tests with ...` for a layer iteration.
    LayerSummary {
        counts: Counts,
        seconds: f64,
    },
    /// New objects in `gc.garbage` after an iteration.
    Garbage {
        count: usize,
        garbage: String,
    },
    /// `-r`: the change in `sys.gettotalrefcount()` over an iteration.
    Refcounts {
        total: i64,
        previous: i64,
    },
    /// `-r -v`: the same, with the census table.
    DetailedRefcounts(DetailedRefcounts),
    /// `--profile` under `--subunit`: the merged profiler statistics, as
    /// `pstats.Stats.dump_stats` writes them (a subunit stream carries
    /// them; the console gets pstats' own table, printed by Python).
    ProfilerStats(Vec<u8>),
    /// `-r` on a debug build: extension modules built for a release
    /// interpreter, whose reference changes `sys.gettotalrefcount()` misses
    /// (name, file).
    SkewingExtensions(Vec<(String, String)>),

    /// Leak hunting: a layer's sample after an iteration (0: before the
    /// first).
    LeakSample {
        layer: String,
        record: IterationRecord,
    },
    /// Leak hunting: a layer's samples and verdict, once its iterations
    /// are done.
    LeakVerdict(Box<LayerLeaks>),
    /// Leak attribution: a quiet run of a subset of a leaking layer's
    /// tests begins (reported nowhere but the progress line).
    AttributionRound {
        layer: String,
        /// 1-based, per layer.
        round: usize,
        /// Tests in the subset.
        tests: usize,
        /// Tests in the layer.
        of: usize,
    },
    /// `--leaks`: the verdicts of the run, after its totals.
    LeakSummary(Vec<LeakVerdictLine>),

    /// Report phase: names of tests that errored (`-v`).
    TestsWithErrors(Vec<String>),
    /// Report phase: names of tests that failed (`-v`).
    TestsWithFailures(Vec<String>),
    /// Report phase: modules with import problems.
    ModulesWithImportProblems(Vec<String>),
    /// `--list-tests`: a layer's tests.
    ListOfTests {
        layer: String,
        tests: Vec<ListedTest>,
    },
    /// The grand total, when more than one layer ran.
    Totals {
        counts: Counts,
        seconds: f64,
    },
}
