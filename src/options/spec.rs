//! The one table that describes zope.testrunner 8.3's command line: every
//! argparse action in declaration order, with the option strings, dest,
//! action, value type, metavar, default, help group and help text argparse
//! was given. The clap `Command`, the argparse-style tokenizer, the namespace
//! defaults and the `--help` output are all derived from it.
//!
//! Order matters twice: it is argparse's `_actions` order (usage line, the
//! order in which `ambiguous option` lists candidates, which of two actions
//! sharing a dest supplies the default), and within each group the order of
//! the `--help` listing. That is why `--auto-path` sits between
//! `--package-path` and `--tests-pattern` although it belongs to the
//! "Searching and filtering" group: zope registers it there.
//!
//! Help texts are verbatim, unexpanded (`%(default)s`), with zope's line
//! breaks; the help formatter collapses whitespace exactly as argparse does.

/// What an option does to its dest (argparse's action classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `-h/--help`: print the help and exit 0 when reached.
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

impl ValueType {
    /// The `__name__` argparse puts in `invalid %(type)s value`.
    pub fn type_name(self) -> &'static str {
        match self {
            ValueType::Int => "int",
            ValueType::Float => "float",
            ValueType::AbsPath => "abspath",
            ValueType::Str | ValueType::Choice(_) => "str",
        }
    }
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

/// The argument groups, in `--help` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Positional,
    Options,
    Searching,
    Reporting,
    Analysis,
    Setup,
    Other,
}

/// One argparse action.
#[derive(Debug)]
pub struct OptSpec {
    /// Option strings in zope's order; empty for a positional.
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

    /// argparse's `_get_action_name`: how error messages name the action.
    pub fn display_name(&self) -> String {
        if self.is_positional() {
            self.metavar.unwrap_or(self.dest).to_owned()
        } else {
            self.flags.join("/")
        }
    }

    /// The metavar argparse derives: explicit, else `{choices}`, else the
    /// dest (upper-cased for options).
    pub fn metavar_text(&self) -> String {
        if let Some(m) = self.metavar {
            m.to_owned()
        } else if let ValueType::Choice(choices) = self.value {
            format!("{{{}}}", choices.join(","))
        } else if self.is_positional() {
            self.dest.to_owned()
        } else {
            self.dest.to_uppercase()
        }
    }
}

/// A help group's heading and description.
#[derive(Debug)]
pub struct GroupSpec {
    pub group: Group,
    pub title: &'static str,
    pub description: Option<&'static str>,
}

pub static DESCRIPTION: &str = "Discover and run unittest tests";

pub static GROUPS: &[GroupSpec] = &[
    GroupSpec {
        group: Group::Positional,
        title: "positional arguments",
        description: None,
    },
    GroupSpec {
        group: Group::Options,
        title: "options",
        description: None,
    },
    GroupSpec {
        group: Group::Searching,
        title: "Searching and filtering",
        description: Some("Options in this group are used to define which tests to run.\n"),
    },
    GroupSpec {
        group: Group::Reporting,
        title: "Reporting",
        description: Some("Reporting options control basic aspects of test-runner output\n"),
    },
    GroupSpec {
        group: Group::Analysis,
        title: "Analysis",
        description: Some("Analysis options provide tools for analysing test output.\n"),
    },
    GroupSpec {
        group: Group::Setup,
        title: "Setup",
        description: Some(
            "Setup options are normally supplied by the testrunner script, although\n\
             they can be overridden by users.\n",
        ),
    },
    GroupSpec {
        group: Group::Other,
        title: "Other",
        description: Some("Other options"),
    },
];

/// zope passes these as a Python `set`, whose order follows string hashes
/// (`PYTHONHASHSEED`); this is the order of the reference `--help` capture.
pub static GC_OPTION_CHOICES: &[&str] = &[
    "DEBUG_SAVEALL",
    "DEBUG_STATS",
    "DEBUG_UNCOLLECTABLE",
    "DEBUG_INSTANCES",
    "DEBUG_COLLECTABLE",
    "DEBUG_LEAK",
    "DEBUG_OBJECTS",
];

/// Every action, in zope's declaration order. `--gc-after-test` is always
/// present: zope registers it only where refcounts exist, which is every
/// CPython leakrunner supports.
pub static SPEC: &[OptSpec] = &[
    OptSpec {
        flags: &["-h", "--help"],
        dest: "help",
        action: Action::Help,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Suppress,
        group: Group::Options,
        help: "show this help message and exit",
    },
    OptSpec {
        flags: &[],
        dest: "legacy_module_filter",
        action: Action::Store,
        nargs: Nargs::Optional,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Positional,
        help: "DEPRECATED: Prefer to use --module.",
    },
    OptSpec {
        flags: &[],
        dest: "legacy_test_filter",
        action: Action::Store,
        nargs: Nargs::Optional,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Positional,
        help: "DEPRECATED: Prefer to use --test.",
    },
    OptSpec {
        flags: &["--package", "--dir", "-s"],
        dest: "package",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Searching,
        help: "Search the given package's directories for tests.  This can be
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

",
    },
    OptSpec {
        flags: &["--module", "-m"],
        dest: "module",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Searching,
        help: "Specify a test-module filter as a regular expression.  This is a
case-sensitive regular expression, used in search (not match) mode, to
limit which test modules are searched for tests.  The regular
expressions are checked against dotted module names.  In an extension
of Python regexp notation, a leading \"!\" is stripped and causes the
sense of the remaining regexp to be negated (so \"!bc\" matches any
string that does not match \"bc\", and vice versa).  The option can be
specified multiple test-module filters.  Test modules matching any of
the test filters are searched.  If no test-module filter is specified,
then all test modules are used.
",
    },
    OptSpec {
        flags: &["--test", "-t"],
        dest: "test",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Searching,
        help: "Specify a test filter as a regular expression.  This is a
case-sensitive regular expression, used in search (not match) mode, to
limit which tests are run.  In an extension of Python regexp notation,
a leading \"!\" is stripped and causes the sense of the remaining regexp
to be negated (so \"!bc\" matches any string that does not match \"bc\",
and vice versa).  The option can be specified multiple test filters.
Tests matching any of the test filters are included.  If no test
filter is specified, then all tests are run.
",
    },
    OptSpec {
        flags: &["--unit", "-u"],
        dest: "unit",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "Run only unit tests, ignoring any layer options.
",
    },
    OptSpec {
        flags: &["--non-unit", "-f"],
        dest: "non_unit",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "Run tests other than unit tests.
",
    },
    OptSpec {
        flags: &["--layer"],
        dest: "layer",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Searching,
        help: "Specify a test layer to run.  The option can be given multiple times
to specify more than one layer.  If not specified, all layers are run.
It is common for the running script to provide default values for this
option.  Layers are specified regular expressions, used in search
mode, for dotted names of objects that define a layer.  In an
extension of Python regexp notation, a leading \"!\" is stripped and
causes the sense of the remaining regexp to be negated (so \"!bc\"
matches any string that does not match \"bc\", and vice versa).  The
layer named 'zope.testrunner.layer.UnitTests' is reserved for
unit tests, however, take note of the --unit and non-unit options.
",
    },
    OptSpec {
        flags: &["-a", "--at-level"],
        dest: "at_level",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::Int(1),
        group: Group::Searching,
        help: "Run the tests at the given level.  Any test at a level at or below
this is run, any test at a level above this is not run.  Level <= 0
runs all tests.
",
    },
    OptSpec {
        flags: &["--all"],
        dest: "all",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "Run tests at all levels.",
    },
    OptSpec {
        flags: &["--only-level"],
        dest: "only_level",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::None,
        group: Group::Searching,
        help: "Run only the tests at the given level. Tests on other levels are not run.
Default is None, which means the level is not restricted by this option.
If this option is used it overrides `--at-level` and `--all` options.
",
    },
    OptSpec {
        flags: &["--list-tests"],
        dest: "list_tests",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "List all tests that matched your filters.  Do not run any tests.",
    },
    OptSpec {
        flags: &["--require-unique"],
        dest: "require_unique_ids",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "Require that all test IDs be unique and raise an error if duplicates are
encountered.
",
    },
    OptSpec {
        flags: &["--verbose", "-v"],
        dest: "verbose",
        action: Action::Count,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Int(0),
        group: Group::Reporting,
        help: "Make output more verbose.
Increment the verbosity level.
",
    },
    OptSpec {
        flags: &["--quiet", "-q"],
        dest: "quiet",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Make the output minimal, overriding any verbosity options.
",
    },
    OptSpec {
        flags: &["--progress", "-p"],
        dest: "progress",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Output progress status
",
    },
    OptSpec {
        flags: &["--no-progress"],
        dest: "progress",
        action: Action::StoreFalse,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(true),
        group: Group::Reporting,
        help: "Do not output progress status.  This is the default, but can be used to
counter a previous use of --progress or -p.
",
    },
    OptSpec {
        flags: &["--auto-progress"],
        dest: "auto_progress",
        action: Action::StoreConstNone,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Reporting,
        help: "Output progress status, but only when stdout is a terminal.
",
    },
    OptSpec {
        flags: &["--color", "-c"],
        dest: "color",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Colorize the output.
",
    },
    OptSpec {
        flags: &["--no-color", "-C"],
        dest: "color",
        action: Action::StoreFalse,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(true),
        group: Group::Reporting,
        help: "Do not colorize the output.  This is the default, but can be used to
counter a previous use of --color or -c.
",
    },
    OptSpec {
        flags: &["--auto-color"],
        dest: "auto_color",
        action: Action::StoreConstNone,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Reporting,
        help: "Colorize the output, but only when stdout is a terminal.
",
    },
    OptSpec {
        flags: &["--subunit"],
        dest: "subunit",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Use subunit v1 output.  Will not be colorized.
",
    },
    OptSpec {
        flags: &["--subunit-v2"],
        dest: "subunit_v2",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Use subunit v2 output.  Will not be colorized.
",
    },
    OptSpec {
        flags: &["--slow-test"],
        dest: "slow_test_threshold",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Float,
        metavar: Some("N"),
        default: Default::Int(10),
        group: Group::Reporting,
        help: "With -c and -vvv, highlight tests that take longer than N seconds (default:
%(default)s).
",
    },
    OptSpec {
        flags: &["-1", "--hide-secondary-failures"],
        dest: "report_only_first_failure",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Report only the first failure in a doctest. (Examples after the
failure are still executed, in case they do any cleanup.)
",
    },
    OptSpec {
        flags: &["--show-secondary-failures"],
        dest: "report_only_first_failure",
        action: Action::StoreFalse,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(true),
        group: Group::Reporting,
        help: "Report all failures in a doctest.  This is the default, but can
be used to counter a default use of -1 or --hide-secondary-failures.
",
    },
    OptSpec {
        flags: &["--ndiff"],
        dest: "ndiff",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "When there is a doctest failure, show it as a diff using the ndiff.py utility.
",
    },
    OptSpec {
        flags: &["--udiff"],
        dest: "udiff",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "When there is a doctest failure, show it as a unified diff.
",
    },
    OptSpec {
        flags: &["--cdiff"],
        dest: "cdiff",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "When there is a doctest failure, show it as a context diff.
",
    },
    OptSpec {
        flags: &["--ignore-new-thread"],
        dest: "ignore_new_threads",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: Some("REGEXP"),
        default: Default::StrList(&[]),
        group: Group::Reporting,
        help: "If a thread with this name is left behind, don't report this at the end.
This is a case-sensitive regular expression, used in match mode.
This option can be used multiple times. If a thread name matches any of them,
it will be ignored.
",
    },
    OptSpec {
        flags: &["--buffer"],
        dest: "buffer",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Reporting,
        help: "Buffer the standard output and standard error streams during each test.
Output during a passing test is discarded.
Output during failing or erroring tests is echoed.
This option is enabled by default if --subunit or --subunit-v2 is in use, to
avoid corrupting the subunit stream.
",
    },
    OptSpec {
        flags: &["--xml"],
        dest: "xmlOutput",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Reporting,
        help: "If given, XML reports will be written to the specified directory.
",
    },
    OptSpec {
        flags: &["--stop-on-error", "--stop", "-x"],
        dest: "stop_on_error",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Analysis,
        help: "Stop running tests after first test failure or error.",
    },
    OptSpec {
        flags: &["--post-mortem", "--pdb", "-D"],
        dest: "post_mortem",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Analysis,
        help: "Enable post-mortem debugging of test failures",
    },
    OptSpec {
        flags: &["--gc", "-g"],
        dest: "gc",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::None,
        group: Group::Analysis,
        help: "Set the garbage collector generation threshold.  This can be used
to stress memory and gc correctness.  Some crashes are only
reproducible when the threshold is set to 1 (aggressive garbage
collection).  Do \"--gc 0\" to disable garbage collection altogether.

The --gc option can be used up to 3 times to specify up to 3 of the 3
Python gc_threshold settings.

",
    },
    OptSpec {
        flags: &["--gc-option", "-G"],
        dest: "gc_option",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Choice(GC_OPTION_CHOICES),
        metavar: None,
        default: Default::None,
        group: Group::Analysis,
        help: "Set a Python gc-module debug flag.  This option can be used more than
once to set multiple flags.
",
    },
    OptSpec {
        flags: &["--gc-after-test"],
        dest: "gc_after_test",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Analysis,
        help: "    After each test, call 'gc.collect' and record the return
    value *rv*; when *rv* is non-zero, output '!' on verbosity level 1
    and '[*rv*]' on higher verbosity levels.

    On verbosity level 4 or higher output detailed cycle information.
    ",
    },
    OptSpec {
        flags: &["--repeat", "-N"],
        dest: "repeat",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::Int(1),
        group: Group::Analysis,
        help: "Repeat the tests the given number of times.  This option is used to
make sure that tests leave their environment in the state they found
it and, with the --report-refcounts option to look for memory leaks.
",
    },
    OptSpec {
        flags: &["--report-refcounts", "-r"],
        dest: "report_refcounts",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Analysis,
        help: "After each run of the tests, output a report summarizing changes in
refcounts by object type.  This option that requires that Python was
built with the --with-pydebug option to configure.
",
    },
    OptSpec {
        flags: &["--coverage"],
        dest: "coverage",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::None,
        group: Group::Analysis,
        help: "Perform code-coverage analysis, saving trace data to the directory
with the given name.  A code coverage summary is printed to standard
out.
",
    },
    OptSpec {
        flags: &["--profile"],
        dest: "profile",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Choice(&["cProfile"]),
        metavar: None,
        default: Default::None,
        group: Group::Analysis,
        help: "Run the tests under cProfiler and display the top 50 stats, sorted
by cumulative time and number of calls.
",
    },
    OptSpec {
        flags: &["--profile-directory"],
        dest: "prof_dir",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::Str("."),
        group: Group::Analysis,
        help: "Directory for temporary profiler files.  All files named tests_profile.*.prof
in this directory will be removed.  If you intend to run multiple instances
of the test runner in parallel, be sure to tell them to use different
directories, so they won't step on each other's toes.
",
    },
    OptSpec {
        flags: &["--path"],
        dest: "path",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::AbsPath,
        metavar: None,
        default: Default::None,
        group: Group::Setup,
        help: "Specify a path to be added to Python's search path.  This option can
be used multiple times to specify multiple search paths.  The path is
usually specified by the test-runner script itself, rather than by
users of the script, although it can be overridden by users.  Only
tests found in the path will be run.

This option also specifies directories to be searched for tests.
See the search_directory.
",
    },
    OptSpec {
        flags: &["--test-path"],
        dest: "test_path",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::AbsPath,
        metavar: None,
        default: Default::None,
        group: Group::Setup,
        help: "Specify a path to be searched for tests, but not added to the Python
search path.  This option can be used multiple times to specify
multiple search paths.  The path is usually specified by the
test-runner script itself, rather than by users of the script,
although it can be overridden by users.  Only tests found in the path
will be run.
",
    },
    OptSpec {
        flags: &["--package-path"],
        dest: "package_path",
        action: Action::Append,
        nargs: Nargs::Two,
        value: ValueType::Str,
        metavar: Some("ARG"),
        default: Default::None,
        group: Group::Setup,
        help: "Specify a path to be searched for tests, but not added to the Python
search path.  Also specify a package for files found in this path.
This is used to deal with directories that are stitched into packages
that are not otherwise searched for tests.

This option takes 2 arguments specifying the path and the package.

This option can be used multiple times to specify
multiple search paths.  The path is usually specified by the
test-runner script itself, rather than by users of the script,
although it can be overridden by users.  Only tests found in the path
will be run.
",
    },
    OptSpec {
        flags: &["--auto-path"],
        dest: "auto_path",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Searching,
        help: "Automatically add path of --package to the test paths.
",
    },
    OptSpec {
        flags: &["--tests-pattern"],
        dest: "tests_pattern",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::Str("^tests$"),
        group: Group::Setup,
        help: "The test runner looks for modules containing tests.  It uses this
pattern to identify these modules.  The modules may be either packages
or python files.

If a test module is a package, it uses the value given by the
test-file-pattern to identify python files within the package
containing tests.
",
    },
    OptSpec {
        flags: &["--suite-name"],
        dest: "suite_name",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::Str("test_suite"),
        group: Group::Setup,
        help: "Specify the name of the object in each test_module that contains the
module's test suite.
",
    },
    OptSpec {
        flags: &["--test-file-pattern"],
        dest: "test_file_pattern",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::Str("^test"),
        group: Group::Setup,
        help: "Specify a pattern for identifying python files within a tests package.
See the documentation for the --tests-pattern option.
",
    },
    OptSpec {
        flags: &["--ignore_dir"],
        dest: "ignore_dir",
        action: Action::Append,
        nargs: Nargs::One,
        value: ValueType::Str,
        metavar: None,
        default: Default::StrList(&[".git", ".svn", "CVS", "{arch}", ".arch-ids", "_darcs"]),
        group: Group::Setup,
        help: "Specifies the name of a directory to ignore when looking for tests.
",
    },
    OptSpec {
        flags: &["--shuffle"],
        dest: "shuffle",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Setup,
        help: "Shuffles the order in which tests are ran.
",
    },
    OptSpec {
        flags: &["--shuffle-seed"],
        dest: "shuffle_seed",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::None,
        group: Group::Setup,
        help: "Value used to initialize the tests shuffler. Specify a value to create
repeatable random ordered tests.
",
    },
    OptSpec {
        flags: &["--version"],
        dest: "showversion",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Other,
        help: "Print the version of the testrunner, and exit.",
    },
    OptSpec {
        flags: &["-j"],
        dest: "processes",
        action: Action::Store,
        nargs: Nargs::One,
        value: ValueType::Int,
        metavar: None,
        default: Default::Int(1),
        group: Group::Other,
        help: "Use up to given number of parallel processes to execute tests.  May decrease
test run time substantially.  Defaults to %(default)s.
",
    },
    OptSpec {
        flags: &["--keepbytecode", "-k"],
        dest: "keepbytecode",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Other,
        help: "Normally, the test runner scans the test paths and the test
directories looking for and deleting pyc or pyo files without
corresponding py files.  This is to prevent spurious test failures due
to finding compiled modules where source modules have been deleted.
This scan can be time consuming.  Using this option disables this
scan.  If you know you haven't removed any modules since last running
the tests, can make the test run go much faster.
",
    },
    OptSpec {
        flags: &["--usecompiled"],
        dest: "usecompiled",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Other,
        help: "Normally, a package must contain an __init__.py file, and only .py files
can contain test code.  When this option is specified, compiled Python
files (.pyc and .pyo) can be used instead:  a directory containing
__init__.pyc or __init__.pyo is also considered to be a package, and if
file XYZ.py contains tests but is absent while XYZ.pyc or XYZ.pyo exists
then the compiled files will be used.  This is necessary when running
tests against a tree where the .py files have been removed after
compilation to .pyc/.pyo.  Use of this option implies --keepbytecode.
",
    },
    OptSpec {
        flags: &["--exit-with-status"],
        dest: "exitwithstatus",
        action: Action::StoreTrue,
        nargs: Nargs::Zero,
        value: ValueType::Str,
        metavar: None,
        default: Default::Bool(false),
        group: Group::Other,
        help: "DEPRECATED: The test runner will always exit with a status.",
    },
];
