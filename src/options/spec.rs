//! The one table that describes the command line: every argparse action of
//! zope.testrunner 8.3 in declaration order, then leakrunner's own, with the
//! option strings, dest, action, value type, metavar, default, help group
//! and help text argparse is given. The plain-command-line reader, the clap
//! `Command`, the namespace defaults and the argparse parser built for help
//! and errors (`argparse.rs`) are all derived from it.
//!
//! Order matters: it is argparse's `_actions` order (the usage line, the
//! order in which `ambiguous option` lists candidates, which of two actions
//! sharing a dest supplies the default), and within each group the order of
//! the `--help` listing. That is why `--auto-path` sits between
//! `--package-path` and `--tests-pattern` although it belongs to the
//! "Searching and filtering" group: zope registers it there.
//!
//! Help texts are verbatim, unexpanded (`%(default)s`), with zope's line
//! breaks: argparse formats them.

/// What an option does to its dest (argparse's action classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `-h/--help`: argparse's own, added by `ArgumentParser`.
    Help,
    StoreTrue,
    StoreFalse,
    /// `store_const` with `const=None` (`--auto-progress`, `--auto-color`,
    /// which `get_options` rewrites before parsing).
    StoreConstNone,
    Count,
    Store,
    Append,
}

/// argparse `nargs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nargs {
    /// Flags (`nargs=0`).
    Zero,
    /// The default, a single value.
    One,
    /// `nargs=2` (`--package-path PATH PKG`).
    Two,
    /// `nargs="?"` (the two legacy positionals).
    Optional,
}

/// argparse `type=`/`choices=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// No conversion. Also used for zope's `_regex_search` types, which stay
    /// pattern strings here (another module compiles them).
    Str,
    Int,
    Float,
    /// `os.path.abspath`, resolved against the caller's cwd at parse time.
    AbsPath,
    /// A string that must be one of these, listed in the order argparse
    /// shows them.
    Choice(&'static [&'static str]),
}

/// argparse `default=`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    /// `argparse.SUPPRESS`: no namespace entry (only `--help`).
    Suppress,
    None,
    Bool(bool),
    Int(i64),
    Str(&'static str),
    StrList(&'static [&'static str]),
}

/// The help groups, in `--help` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// argparse's own "positional arguments".
    Positional,
    /// argparse's own "options" ("optional arguments" before 3.10).
    Options,
    Searching,
    Reporting,
    Analysis,
    Setup,
    Other,
    /// leakrunner's own options (`LEAKRUNNER`), after all of zope's.
    Leakrunner,
}

impl Group {
    /// The `add_argument_group(title, description)` of a group zope (or
    /// leakrunner) creates; `None` for argparse's two built-in ones.
    pub fn heading(self) -> Option<(&'static str, &'static str)> {
        Some(match self {
            Group::Positional | Group::Options => return None,
            Group::Searching => (
                "Searching and filtering",
                "Options in this group are used to define which tests to run.\n",
            ),
            Group::Reporting => (
                "Reporting",
                "Reporting options control basic aspects of test-runner output\n",
            ),
            Group::Analysis => (
                "Analysis",
                "Analysis options provide tools for analysing test output.\n",
            ),
            Group::Setup => (
                "Setup",
                "Setup options are normally supplied by the testrunner script, although\n\
                 they can be overridden by users.\n",
            ),
            Group::Other => ("Other", "Other options"),
            Group::Leakrunner => (
                "leakrunner",
                "Options of leakrunner that zope.testrunner does not have.\n",
            ),
        })
    }
}

/// The groups argparse creates, in order (groups without actions are left
/// out: argparse would print their heading).
pub const GROUPS: [Group; 6] = [
    Group::Searching,
    Group::Reporting,
    Group::Analysis,
    Group::Setup,
    Group::Other,
    Group::Leakrunner,
];

/// One argparse action.
#[derive(Debug)]
pub struct OptSpec {
    /// Option strings in declaration order; empty for a positional.
    pub flags: &'static [&'static str],
    pub dest: &'static str,
    pub action: Action,
    pub nargs: Nargs,
    pub value: ValueType,
    pub metavar: Option<&'static str>,
    pub default: Default,
    pub group: Group,
    pub help: &'static str,
}

impl OptSpec {
    pub fn is_positional(&self) -> bool {
        self.flags.is_empty()
    }

    const fn new(
        flags: &'static [&'static str],
        dest: &'static str,
        action: Action,
        group: Group,
        help: &'static str,
    ) -> OptSpec {
        let (nargs, default) = match action {
            Action::Help => (Nargs::Zero, Default::Suppress),
            Action::StoreTrue => (Nargs::Zero, Default::Bool(false)),
            Action::StoreFalse => (Nargs::Zero, Default::Bool(true)),
            Action::StoreConstNone => (Nargs::Zero, Default::None),
            Action::Count => (Nargs::Zero, Default::Int(0)),
            Action::Store | Action::Append => (Nargs::One, Default::None),
        };
        OptSpec {
            flags,
            dest,
            action,
            nargs,
            value: ValueType::Str,
            metavar: None,
            default,
            group,
            help,
        }
    }

    const fn int(self) -> OptSpec {
        OptSpec {
            value: ValueType::Int,
            ..self
        }
    }

    const fn float(self) -> OptSpec {
        OptSpec {
            value: ValueType::Float,
            ..self
        }
    }

    const fn abspath(self) -> OptSpec {
        OptSpec {
            value: ValueType::AbsPath,
            ..self
        }
    }

    const fn choices(self, choices: &'static [&'static str]) -> OptSpec {
        OptSpec {
            value: ValueType::Choice(choices),
            ..self
        }
    }

    const fn pair(self) -> OptSpec {
        OptSpec {
            nargs: Nargs::Two,
            ..self
        }
    }

    const fn metavar(self, metavar: &'static str) -> OptSpec {
        OptSpec {
            metavar: Some(metavar),
            ..self
        }
    }

    const fn default(self, default: Default) -> OptSpec {
        OptSpec { default, ..self }
    }
}

const fn help_flag() -> OptSpec {
    OptSpec::new(&["-h", "--help"], "help", Action::Help, Group::Options, "")
}

const fn positional(dest: &'static str, help: &'static str) -> OptSpec {
    OptSpec {
        nargs: Nargs::Optional,
        ..OptSpec::new(&[], dest, Action::Store, Group::Positional, help)
    }
}

macro_rules! constructors {
    ($($name:ident => $action:ident),*) => {$(
        const fn $name(
            flags: &'static [&'static str],
            dest: &'static str,
            group: Group,
            help: &'static str,
        ) -> OptSpec {
            OptSpec::new(flags, dest, Action::$action, group, help)
        }
    )*};
}

constructors!(
    store_true => StoreTrue,
    store_false => StoreFalse,
    store_none => StoreConstNone,
    count => Count,
    store => Store,
    append => Append
);

pub const DESCRIPTION: &str = "Discover and run unittest tests";

/// zope passes these as a Python `set`, whose order follows string hashes
/// (`PYTHONHASHSEED`); this is the order of the reference `--help` capture.
pub const GC_OPTION_CHOICES: &[&str] = &[
    "DEBUG_SAVEALL",
    "DEBUG_STATS",
    "DEBUG_UNCOLLECTABLE",
    "DEBUG_INSTANCES",
    "DEBUG_COLLECTABLE",
    "DEBUG_LEAK",
    "DEBUG_OBJECTS",
];

/// zope.testrunner's actions, in its declaration order. `--gc-after-test`
/// is always present: zope registers it only where refcounts exist, which
/// is every CPython leakrunner supports.
#[rustfmt::skip]
pub static ZOPE: &[OptSpec] = &[
    help_flag(),
    positional("legacy_module_filter", "DEPRECATED: Prefer to use --module."),
    positional("legacy_test_filter", "DEPRECATED: Prefer to use --test."),
    append(&["--package", "--dir", "-s"], "package", Group::Searching, "Search the given package's directories for tests.  This can be
specified more than once to run tests in multiple parts of the source
tree.  For example, if refactoring interfaces, you don't want to see
the way you have broken setups for tests in other packages. You *just*
want to run the interface tests.

Packages are supplied as dotted names.  For compatibility with the old
test runner, forward and backward slashed in package names are
converted to dots.

(In the special case of packages spread over multiple directories,
only directories within the test search path are searched. See the
--path option.)

"),
    append(&["--module", "-m"], "module", Group::Searching, "Specify a test-module filter as a regular expression.  This is a
case-sensitive regular expression, used in search (not match) mode, to
limit which test modules are searched for tests.  The regular
expressions are checked against dotted module names.  In an extension
of Python regexp notation, a leading \"!\" is stripped and causes the
sense of the remaining regexp to be negated (so \"!bc\" matches any
string that does not match \"bc\", and vice versa).  The option can be
specified multiple test-module filters.  Test modules matching any of
the test filters are searched.  If no test-module filter is specified,
then all test modules are used.
"),
    append(&["--test", "-t"], "test", Group::Searching, "Specify a test filter as a regular expression.  This is a
case-sensitive regular expression, used in search (not match) mode, to
limit which tests are run.  In an extension of Python regexp notation,
a leading \"!\" is stripped and causes the sense of the remaining regexp
to be negated (so \"!bc\" matches any string that does not match \"bc\",
and vice versa).  The option can be specified multiple test filters.
Tests matching any of the test filters are included.  If no test
filter is specified, then all tests are run.
"),
    store_true(&["--unit", "-u"], "unit", Group::Searching, "Run only unit tests, ignoring any layer options.
"),
    store_true(&["--non-unit", "-f"], "non_unit", Group::Searching, "Run tests other than unit tests.
"),
    append(&["--layer"], "layer", Group::Searching, "Specify a test layer to run.  The option can be given multiple times
to specify more than one layer.  If not specified, all layers are run.
It is common for the running script to provide default values for this
option.  Layers are specified regular expressions, used in search
mode, for dotted names of objects that define a layer.  In an
extension of Python regexp notation, a leading \"!\" is stripped and
causes the sense of the remaining regexp to be negated (so \"!bc\"
matches any string that does not match \"bc\", and vice versa).  The
layer named 'zope.testrunner.layer.UnitTests' is reserved for
unit tests, however, take note of the --unit and non-unit options.
"),
    store(&["-a", "--at-level"], "at_level", Group::Searching, "Run the tests at the given level.  Any test at a level at or below
this is run, any test at a level above this is not run.  Level <= 0
runs all tests.
").int().default(Default::Int(1)),
    store_true(&["--all"], "all", Group::Searching, "Run tests at all levels."),
    store(&["--only-level"], "only_level", Group::Searching, "Run only the tests at the given level. Tests on other levels are not run.
Default is None, which means the level is not restricted by this option.
If this option is used it overrides `--at-level` and `--all` options.
").int(),
    store_true(&["--list-tests"], "list_tests", Group::Searching, "List all tests that matched your filters.  Do not run any tests."),
    store_true(&["--require-unique"], "require_unique_ids", Group::Searching, "Require that all test IDs be unique and raise an error if duplicates are
encountered.
"),
    count(&["--verbose", "-v"], "verbose", Group::Reporting, "Make output more verbose.
Increment the verbosity level.
"),
    store_true(&["--quiet", "-q"], "quiet", Group::Reporting, "Make the output minimal, overriding any verbosity options.
"),
    store_true(&["--progress", "-p"], "progress", Group::Reporting, "Output progress status
"),
    store_false(&["--no-progress"], "progress", Group::Reporting, "Do not output progress status.  This is the default, but can be used to
counter a previous use of --progress or -p.
"),
    store_none(&["--auto-progress"], "auto_progress", Group::Reporting, "Output progress status, but only when stdout is a terminal.
"),
    store_true(&["--color", "-c"], "color", Group::Reporting, "Colorize the output.
"),
    store_false(&["--no-color", "-C"], "color", Group::Reporting, "Do not colorize the output.  This is the default, but can be used to
counter a previous use of --color or -c.
"),
    store_none(&["--auto-color"], "auto_color", Group::Reporting, "Colorize the output, but only when stdout is a terminal.
"),
    store_true(&["--subunit"], "subunit", Group::Reporting, "Use subunit v1 output.  Will not be colorized.
"),
    store_true(&["--subunit-v2"], "subunit_v2", Group::Reporting, "Use subunit v2 output.  Will not be colorized.
"),
    store(&["--slow-test"], "slow_test_threshold", Group::Reporting, "With -c and -vvv, highlight tests that take longer than N seconds (default:
%(default)s).
").float().metavar("N").default(Default::Int(10)),
    store_true(&["-1", "--hide-secondary-failures"], "report_only_first_failure", Group::Reporting, "Report only the first failure in a doctest. (Examples after the
failure are still executed, in case they do any cleanup.)
"),
    store_false(&["--show-secondary-failures"], "report_only_first_failure", Group::Reporting, "Report all failures in a doctest.  This is the default, but can
be used to counter a default use of -1 or --hide-secondary-failures.
"),
    store_true(&["--ndiff"], "ndiff", Group::Reporting, "When there is a doctest failure, show it as a diff using the ndiff.py utility.
"),
    store_true(&["--udiff"], "udiff", Group::Reporting, "When there is a doctest failure, show it as a unified diff.
"),
    store_true(&["--cdiff"], "cdiff", Group::Reporting, "When there is a doctest failure, show it as a context diff.
"),
    append(&["--ignore-new-thread"], "ignore_new_threads", Group::Reporting, "If a thread with this name is left behind, don't report this at the end.
This is a case-sensitive regular expression, used in match mode.
This option can be used multiple times. If a thread name matches any of them,
it will be ignored.
").metavar("REGEXP").default(Default::StrList(&[])),
    store_true(&["--buffer"], "buffer", Group::Reporting, "Buffer the standard output and standard error streams during each test.
Output during a passing test is discarded.
Output during failing or erroring tests is echoed.
This option is enabled by default if --subunit or --subunit-v2 is in use, to
avoid corrupting the subunit stream.
"),
    store(&["--xml"], "xmlOutput", Group::Reporting, "If given, XML reports will be written to the specified directory.
"),
    store_true(&["--stop-on-error", "--stop", "-x"], "stop_on_error", Group::Analysis, "Stop running tests after first test failure or error."),
    store_true(&["--post-mortem", "--pdb", "-D"], "post_mortem", Group::Analysis, "Enable post-mortem debugging of test failures"),
    append(&["--gc", "-g"], "gc", Group::Analysis, "Set the garbage collector generation threshold.  This can be used
to stress memory and gc correctness.  Some crashes are only
reproducible when the threshold is set to 1 (aggressive garbage
collection).  Do \"--gc 0\" to disable garbage collection altogether.

The --gc option can be used up to 3 times to specify up to 3 of the 3
Python gc_threshold settings.

").int(),
    append(&["--gc-option", "-G"], "gc_option", Group::Analysis, "Set a Python gc-module debug flag.  This option can be used more than
once to set multiple flags.
").choices(GC_OPTION_CHOICES),
    store_true(&["--gc-after-test"], "gc_after_test", Group::Analysis, "    After each test, call 'gc.collect' and record the return
    value *rv*; when *rv* is non-zero, output '!' on verbosity level 1
    and '[*rv*]' on higher verbosity levels.

    On verbosity level 4 or higher output detailed cycle information.
    "),
    store(&["--repeat", "-N"], "repeat", Group::Analysis, "Repeat the tests the given number of times.  This option is used to
make sure that tests leave their environment in the state they found
it and, with the --report-refcounts option to look for memory leaks.
").int().default(Default::Int(1)),
    store_true(&["--report-refcounts", "-r"], "report_refcounts", Group::Analysis, "After each run of the tests, output a report summarizing changes in
refcounts by object type.  This option that requires that Python was
built with the --with-pydebug option to configure.
"),
    store(&["--coverage"], "coverage", Group::Analysis, "Perform code-coverage analysis, saving trace data to the directory
with the given name.  A code coverage summary is printed to standard
out.
"),
    store(&["--profile"], "profile", Group::Analysis, "Run the tests under cProfiler and display the top 50 stats, sorted
by cumulative time and number of calls.
").choices(&["cProfile"]),
    store(&["--profile-directory"], "prof_dir", Group::Analysis, "Directory for temporary profiler files.  All files named tests_profile.*.prof
in this directory will be removed.  If you intend to run multiple instances
of the test runner in parallel, be sure to tell them to use different
directories, so they won't step on each other's toes.
").default(Default::Str(".")),
    append(&["--path"], "path", Group::Setup, "Specify a path to be added to Python's search path.  This option can
be used multiple times to specify multiple search paths.  The path is
usually specified by the test-runner script itself, rather than by
users of the script, although it can be overridden by users.  Only
tests found in the path will be run.

This option also specifies directories to be searched for tests.
See the search_directory.
").abspath(),
    append(&["--test-path"], "test_path", Group::Setup, "Specify a path to be searched for tests, but not added to the Python
search path.  This option can be used multiple times to specify
multiple search paths.  The path is usually specified by the
test-runner script itself, rather than by users of the script,
although it can be overridden by users.  Only tests found in the path
will be run.
").abspath(),
    append(&["--package-path"], "package_path", Group::Setup, "Specify a path to be searched for tests, but not added to the Python
search path.  Also specify a package for files found in this path.
This is used to deal with directories that are stitched into packages
that are not otherwise searched for tests.

This option takes 2 arguments specifying the path and the package.

This option can be used multiple times to specify
multiple search paths.  The path is usually specified by the
test-runner script itself, rather than by users of the script,
although it can be overridden by users.  Only tests found in the path
will be run.
").pair().metavar("ARG"),
    store_true(&["--auto-path"], "auto_path", Group::Searching, "Automatically add path of --package to the test paths.
"),
    store(&["--tests-pattern"], "tests_pattern", Group::Setup, "The test runner looks for modules containing tests.  It uses this
pattern to identify these modules.  The modules may be either packages
or python files.

If a test module is a package, it uses the value given by the
test-file-pattern to identify python files within the package
containing tests.
").default(Default::Str("^tests$")),
    store(&["--suite-name"], "suite_name", Group::Setup, "Specify the name of the object in each test_module that contains the
module's test suite.
").default(Default::Str("test_suite")),
    store(&["--test-file-pattern"], "test_file_pattern", Group::Setup, "Specify a pattern for identifying python files within a tests package.
See the documentation for the --tests-pattern option.
").default(Default::Str("^test")),
    append(&["--ignore_dir"], "ignore_dir", Group::Setup, "Specifies the name of a directory to ignore when looking for tests.
").default(Default::StrList(&[".git", ".svn", "CVS", "{arch}", ".arch-ids", "_darcs"])),
    store_true(&["--shuffle"], "shuffle", Group::Setup, "Shuffles the order in which tests are ran.
"),
    store(&["--shuffle-seed"], "shuffle_seed", Group::Setup, "Value used to initialize the tests shuffler. Specify a value to create
repeatable random ordered tests.
").int(),
    store_true(&["--version"], "showversion", Group::Other, "Print the version of the testrunner, and exit."),
    store(&["-j"], "processes", Group::Other, "Use up to given number of parallel processes to execute tests.  May decrease
test run time substantially.  Defaults to %(default)s.
").int().default(Default::Int(1)),
    store_true(&["--keepbytecode", "-k"], "keepbytecode", Group::Other, "Normally, the test runner scans the test paths and the test
directories looking for and deleting pyc or pyo files without
corresponding py files.  This is to prevent spurious test failures due
to finding compiled modules where source modules have been deleted.
This scan can be time consuming.  Using this option disables this
scan.  If you know you haven't removed any modules since last running
the tests, can make the test run go much faster.
"),
    store_true(&["--usecompiled"], "usecompiled", Group::Other, "Normally, a package must contain an __init__.py file, and only .py files
can contain test code.  When this option is specified, compiled Python
files (.pyc and .pyo) can be used instead:  a directory containing
__init__.pyc or __init__.pyo is also considered to be a package, and if
file XYZ.py contains tests but is absent while XYZ.pyc or XYZ.pyo exists
then the compiled files will be used.  This is necessary when running
tests against a tree where the .py files have been removed after
compilation to .pyc/.pyo.  Use of this option implies --keepbytecode.
"),
    store_true(&["--exit-with-status"], "exitwithstatus", Group::Other, "DEPRECATED: The test runner will always exit with a status."),
];

/// leakrunner's own options, appended after zope's in `Group::Leakrunner`.
/// Rule: none of them may make an abbreviation that is unique among zope's
/// option strings ambiguous or mean something else (a test checks it), so
/// every zope command line keeps its meaning; the `--le` prefix is free.
/// Each needs a field in `Options` (postprocess.rs).
pub static LEAKRUNNER: &[OptSpec] = &[
    store_true(
        &["--leaks"],
        "leaks",
        Group::Leakrunner,
        "Hunt for leaks: repeat each layer (6 times unless -N says
otherwise), sample the reference total, a census of objects by type,
allocated memory blocks, open file descriptors and threads after
every iteration, and give each layer a verdict (leak, clean, drift or
inconclusive), the kind of each leak, the tests that leak and who
holds what they leaked.  A leak fails the run.  Works on release
builds with the signals they have.
",
    ),
    store(
        &["--leak-report"],
        "leak_report",
        Group::Leakrunner,
        "Write the samples and verdicts of a run that samples refcounts
(--leaks, or -N with -r) to this file, as JSON.
",
    )
    .metavar("FILE")
    .abspath(),
    store(
        &["--leak-warmups"],
        "leak_warmups",
        Group::Leakrunner,
        "Iterations sampled but not judged (default 2).
",
    )
    .metavar("N")
    .int(),
    store_true(
        &["--leak-strict"],
        "leak_strict",
        Group::Leakrunner,
        "With --leaks, drift and inconclusive verdicts fail the run too.
",
    ),
    store_true(
        &["--no-leak-attribution"],
        "no_leak_attribution",
        Group::Leakrunner,
        "With --leaks, do not search for the tests that leak.
",
    ),
    store(
        &["--leak-html"],
        "leak_html",
        Group::Leakrunner,
        "Write the samples and verdicts of a run that samples refcounts
(--leaks, or -N with -r) to this file, as a self-contained HTML page
with charts.
",
    )
    .metavar("FILE")
    .abspath(),
    store_true(
        &["--leak-tracemalloc"],
        "leak_tracemalloc",
        Group::Leakrunner,
        "With --leaks, trace allocations (tracemalloc, slow) so that an
object nothing refers to is shown with where it was allocated.
",
    ),
];

/// Every action: zope's, then leakrunner's.
pub fn all() -> impl Iterator<Item = &'static OptSpec> {
    ZOPE.iter().chain(LEAKRUNNER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zope_abbreviations_keep_their_meaning() {
        let zope: Vec<&str> = ZOPE.iter().flat_map(|s| s.flags.iter().copied()).collect();
        let every: Vec<&str> = all().flat_map(|s| s.flags.iter().copied()).collect();
        let matches = |flags: &[&'static str], prefix: &str| -> Vec<&'static str> {
            flags
                .iter()
                .copied()
                .filter(|f| f.starts_with(prefix))
                .collect()
        };
        for flag in zope.iter().filter(|f| f.starts_with("--")) {
            for end in 3..=flag.len() {
                let prefix = &flag[..end];
                let before = matches(&zope, prefix);
                // An exact option string wins over abbreviations anyway.
                if before.len() == 1 && before[0] != prefix {
                    assert_eq!(matches(&every, prefix), before, "{prefix}");
                }
            }
        }
        let mut sorted = every.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted.len(),
            every.len(),
            "an option string is declared twice"
        );
        assert!(LEAKRUNNER.iter().all(|s| s.group == Group::Leakrunner));
    }

    #[test]
    fn actions_sharing_a_dest_agree() {
        for a in all() {
            for b in all().filter(|b| b.dest == a.dest) {
                assert_eq!((a.nargs, a.value), (b.nargs, b.value), "{}", a.dest);
            }
        }
    }
}
