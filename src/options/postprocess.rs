//! What zope's `get_options` does around the argparse parse: the
//! `--auto-color`/`--auto-progress` rewriting before it, and after it the
//! option checks (with their messages and `fail`), the legacy positionals,
//! the test-path/prefix tables, `normalize_package` and the other
//! normalisations, in zope's order, producing the typed `Options`; and
//! `os.path.abspath`, which the path options and `normalize_package` use.

use super::command::{abspath, Namespace, Value};
use super::Environment;

/// zope's options after `get_options`: one field per argparse dest (named
/// as the dest, except `xmlOutput` → `xml_output`), plus the attributes
/// `get_options` adds. `--auto-progress`/`--auto-color` have dests too, but
/// they are always `None` and carry nothing.
///
/// When `fail` is true, zope returned early and the runner stops; the fields
/// are nevertheless fully normalised here. When `showversion` is true, zope
/// printed its version and exited before any check: no message is produced
/// and the runner must do the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub legacy_module_filter: Option<String>,
    pub legacy_test_filter: Option<String>,
    /// `--package` values through `normalize_package`.
    pub package: Option<Vec<String>>,
    /// Module regexes (strings), `["."]` when none was given.
    pub module: Vec<String>,
    /// Test regexes (strings), `["."]` when none was given.
    pub test: Vec<String>,
    pub unit: bool,
    pub non_unit: bool,
    /// Layer regexes without duplicates, in order (zope's dict keys); `-u`
    /// makes it `["zope.testrunner.layer.UnitTests"]`.
    pub layer: Option<Vec<String>>,
    /// `i64::MAX` (`sys.maxsize`) with `--all`.
    pub at_level: i64,
    pub all: bool,
    pub only_level: Option<i64>,
    pub list_tests: bool,
    pub require_unique_ids: bool,
    pub auto_path: bool,
    pub verbose: i64,
    pub quiet: bool,
    pub progress: bool,
    pub color: bool,
    pub subunit: bool,
    pub subunit_v2: bool,
    pub slow_test_threshold: f64,
    pub report_only_first_failure: bool,
    pub ndiff: bool,
    pub udiff: bool,
    pub cdiff: bool,
    /// Regexes (strings), matched with `re.match`.
    pub ignore_new_threads: Vec<String>,
    pub buffer: bool,
    /// zope's `xmlOutput`.
    pub xml_output: Option<String>,
    pub stop_on_error: bool,
    pub post_mortem: bool,
    pub gc: Option<Vec<i64>>,
    pub gc_option: Option<Vec<String>>,
    pub gc_after_test: bool,
    pub repeat: i64,
    pub report_refcounts: bool,
    /// `--leaks`: the leak-hunting mode.
    pub leaks: bool,
    /// `--leak-report FILE`, absolute.
    pub leak_report: Option<String>,
    pub leak_warmups: Option<i64>,
    pub leak_strict: bool,
    pub no_leak_attribution: bool,
    pub leak_tracemalloc: bool,
    /// `--leak-html FILE`, absolute.
    pub leak_html: Option<String>,
    pub coverage: Option<String>,
    pub profile: Option<String>,
    pub prof_dir: String,
    /// Absolute paths.
    pub path: Vec<String>,
    /// `(absolute path, package)`: `--test-path`, then `--path` (package
    /// `""`), then `--package-path`.
    pub test_path: Vec<(String, String)>,
    /// `(path, package)` as given (the path is made absolute in `test_path`).
    pub package_path: Option<Vec<(String, String)>>,
    /// Regex source (zope compiles it to `re.compile(...).search`).
    pub tests_pattern: String,
    pub suite_name: String,
    /// Regex source.
    pub test_file_pattern: String,
    /// zope's set, here without duplicates in order of appearance.
    pub ignore_dir: Vec<String>,
    pub shuffle: bool,
    pub shuffle_seed: Option<i64>,
    pub showversion: bool,
    pub processes: i64,
    pub keepbytecode: bool,
    pub usecompiled: bool,
    pub exitwithstatus: bool,
    /// `(path + "/", package)` for every test path, longest path first.
    pub prefix: Vec<(String, String)>,
    /// Whether a module filter was given (zope's local `module_set`).
    pub module_set: bool,
    /// An option error was printed; the runner must stop (exit status 1).
    pub fail: bool,
    /// The command line after the `--auto-*` rewriting (zope's
    /// `original_testrunner_args`, reused for child processes).
    pub original_testrunner_args: Vec<String>,
}

const SUBUNIT_MISSING: &str = "        Subunit is not installed. Please install Subunit
        to generate subunit output.
        \n";

const SUBUNIT_BOTH: &str = "        You may only use one of --subunit and --subunit-v2.
        \n";

const REFCOUNTS_NEED_REPEAT: &str =
    "        You must use the --repeat (-N) option to specify a repeat
        count greater than 1 when using the --report_refcounts (-r)
        option.
        \n";

const REFCOUNTS_NEED_PYDEBUG: &str = "        The Python you are running was not configured
        with --with-pydebug. This is required to use
        the --report-refcounts option.
        \n";

const MODULE_WITH_REQUIRE_UNIQUE: &str =
    "        You specified a module along with --require-unique;
        --require-unique will not try to enforce test ID uniqueness when
        working with a specific module.
        \n";

/// The layer `-u` selects.
pub const UNIT_TESTS_LAYER: &str = "zope.testrunner.layer.UnitTests";

/// Replace every occurrence of `flag` inside every token, if one token is
/// exactly `flag` (zope's `apply_auto_color`/`apply_auto_progress`).
fn rewrite(tokens: &mut [String], flag: &str, replacement: impl FnOnce() -> &'static str) {
    if tokens.iter().any(|t| t == flag) {
        let replacement = replacement();
        for token in tokens.iter_mut() {
            *token = token.replace(flag, replacement);
        }
    }
}

/// `--auto-color`/`--auto-progress` → their resolved flags, in `args` and
/// then in `defaults`, colour first, as zope does before parsing.
pub fn rewrite_auto_flags(
    args: &mut [String],
    mut defaults: Option<&mut [String]>,
    env: &dyn Environment,
) {
    let color = || {
        if env.stdout_isatty() && env.terminal_has_colors() {
            "--color"
        } else {
            "--no-color"
        }
    };
    let progress = || {
        if env.stdout_isatty() {
            "--progress"
        } else {
            "--no-progress"
        }
    };
    rewrite(args, "--auto-color", color);
    if let Some(d) = &mut defaults {
        rewrite(d, "--auto-color", color);
    }
    rewrite(args, "--auto-progress", progress);
    if let Some(d) = &mut defaults {
        rewrite(d, "--auto-progress", progress);
    }
}

/// zope's `normalize_package`: a `--package` value given as a dotted name
/// or a directory (`src/zope/testrunner/`) → a dotted package name, using
/// the `(absolute path, package)` test-path table.
pub fn normalize_package(package: &str, test_path: &[(String, String)], cwd: &str) -> String {
    let package = package.replace('\\', "/");
    let package = package.strip_suffix('/').unwrap_or(&package);
    let bits: Vec<&str> = package.split('/').collect();
    for n in (1..=bits.len()).rev() {
        let key = abspath(&bits[..n].join("/"), cwd);
        // `dict(test_path)`: a later entry for the same path wins.
        if let Some((_, pkg)) = test_path.iter().rev().find(|(path, _)| *path == key) {
            let mut rest: Vec<&str> = Vec::with_capacity(bits.len() - n + 1);
            if !pkg.is_empty() {
                rest.push(pkg);
            }
            rest.extend(&bits[n..]);
            return rest.join(".");
        }
    }
    package.replace('/', ".")
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::None => false,
        Value::Bool(b) => *b,
        Value::Int(i) => *i != 0,
        Value::Float(f) => *f != 0.0,
        Value::Str(s) => !s.is_empty(),
        Value::List(items) => !items.is_empty(),
    }
}

fn opt_str(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.clone()),
        _ => None,
    }
}

fn string(v: &Value) -> String {
    opt_str(v).unwrap_or_default()
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Bool(b) => i64::from(*b),
        _ => 0,
    }
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Float(f) => *f,
        Value::Int(i) => *i as f64,
        _ => 0.0,
    }
}

fn opt_int(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

fn list(v: &Value) -> Option<&[Value]> {
    match v {
        Value::List(items) => Some(items),
        _ => None,
    }
}

fn str_list(v: &Value) -> Option<Vec<String>> {
    list(v).map(|items| items.iter().map(string).collect())
}

fn int_list(v: &Value) -> Option<Vec<i64>> {
    list(v).map(|items| items.iter().map(int).collect())
}

fn pair_list(v: &Value) -> Option<Vec<(String, String)>> {
    list(v).map(|items| {
        items
            .iter()
            .map(|pair| match list(pair) {
                Some([a, b]) => (string(a), string(b)),
                _ => (String::new(), String::new()),
            })
            .collect()
    })
}

fn dedup(items: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .filter(|item| seen.insert(item.clone()))
        .collect()
}

/// The typed options and the text zope prints to stdout before the run.
pub fn post_process(
    ns: &Namespace,
    env: &dyn Environment,
    cwd: &str,
    original_testrunner_args: Vec<String>,
) -> (Options, Vec<String>) {
    let get = |dest: &str| ns.get(dest);
    let flag = |dest: &str| truthy(ns.get(dest));
    let mut messages = Vec::new();
    let mut fail = false;

    let showversion = flag("showversion");
    let subunit = flag("subunit");
    let subunit_v2 = flag("subunit_v2");
    let mut buffer = flag("buffer");
    // zope exits right after printing its version; every later check is
    // skipped, and an early `return options` skips the ones after it.
    let mut returned = showversion;
    if !returned && (subunit || subunit_v2) {
        if env.subunit_available() {
            buffer = true;
        } else {
            messages.push(SUBUNIT_MISSING.to_owned());
            fail = true;
            returned = true;
        }
    }
    if !returned && subunit && subunit_v2 {
        messages.push(SUBUNIT_BOTH.to_owned());
        fail = true;
        returned = true;
    }

    let mut module = str_list(get("module"));
    let mut test = str_list(get("test"));
    let legacy_module_filter = opt_str(get("legacy_module_filter"));
    let legacy_test_filter = opt_str(get("legacy_test_filter"));
    if let Some(module_filter) = legacy_module_filter.as_deref().filter(|m| !m.is_empty()) {
        if module_filter != "." {
            module
                .get_or_insert_with(Vec::new)
                .push(module_filter.to_owned());
        }
        if let Some(test_filter) = legacy_test_filter.as_deref().filter(|t| !t.is_empty()) {
            test.get_or_insert_with(Vec::new)
                .push(test_filter.to_owned());
        }
    }

    let ignore_dir = dedup(str_list(get("ignore_dir")).unwrap_or_default());
    let test = test
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| vec![".".to_owned()]);
    let module_set = module.as_ref().is_some_and(|m| !m.is_empty());
    let module = module
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| vec![".".to_owned()]);

    let path = str_list(get("path")).unwrap_or_default();
    let package_path = pair_list(get("package_path"));
    let mut test_path: Vec<(String, String)> = str_list(get("test_path"))
        .unwrap_or_default()
        .into_iter()
        .chain(path.iter().cloned())
        .map(|p| (p, String::new()))
        .collect();
    test_path.extend(
        package_path
            .iter()
            .flatten()
            .map(|(p, pkg)| (abspath(p, cwd), pkg.clone())),
    );

    let package = str_list(get("package"))
        .filter(|p| !p.is_empty())
        .map(|packages| {
            packages
                .iter()
                .map(|p| normalize_package(p, &test_path, cwd))
                .collect()
        });

    let mut prefix: Vec<(String, String)> = test_path
        .iter()
        .map(|(p, pkg)| (format!("{p}/"), pkg.clone()))
        .collect();
    // Python's sort is stable with reverse=True too: equal lengths keep
    // their order.
    prefix.sort_by_key(|(p, _)| std::cmp::Reverse(p.chars().count()));

    let all = flag("all");
    let at_level = if all { i64::MAX } else { int(get("at_level")) };

    let (unit, non_unit) = match (flag("unit"), flag("non_unit")) {
        (true, true) => (false, false),
        other => other,
    };
    let layer = if unit {
        Some(vec![UNIT_TESTS_LAYER.to_owned()])
    } else {
        str_list(get("layer"))
    };
    let layer = layer.filter(|l| !l.is_empty()).map(dedup);

    let usecompiled = flag("usecompiled");
    let keepbytecode = flag("keepbytecode") || usecompiled;
    let quiet = flag("quiet");
    let verbose = if quiet { 0 } else { int(get("verbose")) };

    let report_refcounts = flag("report_refcounts");
    let repeat = int(get("repeat"));
    let require_unique_ids = flag("require_unique_ids");
    if !returned && report_refcounts && repeat < 2 {
        messages.push(REFCOUNTS_NEED_REPEAT.to_owned());
        fail = true;
        returned = true;
    }
    if !returned && report_refcounts && !env.has_gettotalrefcount() {
        messages.push(REFCOUNTS_NEED_PYDEBUG.to_owned());
        fail = true;
        returned = true;
    }
    if !returned && module_set && require_unique_ids {
        messages.push(MODULE_WITH_REQUIRE_UNIQUE.to_owned());
    }

    let options = Options {
        legacy_module_filter,
        legacy_test_filter,
        package,
        module,
        test,
        unit,
        non_unit,
        layer,
        at_level,
        all,
        only_level: opt_int(get("only_level")),
        list_tests: flag("list_tests"),
        require_unique_ids,
        auto_path: flag("auto_path"),
        verbose,
        quiet,
        progress: flag("progress"),
        color: flag("color"),
        subunit,
        subunit_v2,
        slow_test_threshold: float(get("slow_test_threshold")),
        report_only_first_failure: flag("report_only_first_failure"),
        ndiff: flag("ndiff"),
        udiff: flag("udiff"),
        cdiff: flag("cdiff"),
        ignore_new_threads: str_list(get("ignore_new_threads")).unwrap_or_default(),
        buffer,
        xml_output: opt_str(get("xmlOutput")),
        stop_on_error: flag("stop_on_error"),
        post_mortem: flag("post_mortem"),
        gc: int_list(get("gc")),
        gc_option: str_list(get("gc_option")),
        gc_after_test: flag("gc_after_test"),
        repeat,
        report_refcounts,
        leaks: flag("leaks"),
        leak_report: opt_str(get("leak_report")),
        leak_warmups: opt_int(get("leak_warmups")),
        leak_strict: flag("leak_strict"),
        no_leak_attribution: flag("no_leak_attribution"),
        leak_tracemalloc: flag("leak_tracemalloc"),
        leak_html: opt_str(get("leak_html")),
        coverage: opt_str(get("coverage")),
        profile: opt_str(get("profile")),
        prof_dir: string(get("prof_dir")),
        path,
        test_path,
        package_path,
        tests_pattern: string(get("tests_pattern")),
        suite_name: string(get("suite_name")),
        test_file_pattern: string(get("test_file_pattern")),
        ignore_dir,
        shuffle: flag("shuffle"),
        shuffle_seed: opt_int(get("shuffle_seed")),
        showversion,
        processes: int(get("processes")),
        keepbytecode,
        usecompiled,
        exitwithstatus: flag("exitwithstatus"),
        prefix,
        module_set,
        fail,
        original_testrunner_args,
    };
    (options, messages)
}

#[cfg(test)]
mod tests {
    use super::super::tests::Facts;
    use super::*;
    use crate::options::command::normpath;

    fn tp(entries: &[(&str, &str)]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|(p, k)| (p.to_string(), k.to_string()))
            .collect()
    }

    /// (package, test-path table, expected)
    type NormalizeCase<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

    #[test]
    fn abspath_matches_posixpath() {
        let cases = [
            ("x", "/cwd", "/cwd/x"),
            ("", "/cwd", "/cwd"),
            (".", "/cwd", "/cwd"),
            ("../..", "/a/b", "/"),
            ("../../..", "/a/b", "/"),
            ("a/./b/../c/", "/w", "/w/a/c"),
            ("/abs//p/", "/w", "/abs/p"),
            ("//x/y", "/w", "//x/y"),
            ("///x/y", "/w", "/x/y"),
            ("x", "/", "/x"),
        ];
        for (p, cwd, want) in cases {
            assert_eq!(abspath(p, cwd), want, "abspath({p:?}) in {cwd}");
        }
        assert_eq!(normpath(""), ".");
        assert_eq!(normpath("../a/.."), "..");
        assert_eq!(normpath("a/../.."), "..");
    }

    #[test]
    fn normalize_package_like_zope() {
        let cwd = "/w";
        let cases: &[NormalizeCase] = &[
            ("zope.testrunner", &[], "zope.testrunner"),
            ("zope/testrunner", &[], "zope.testrunner"),
            ("zope/testrunner/", &[], "zope.testrunner"),
            ("zope\\testrunner", &[], "zope.testrunner"),
            ("src/zope/testrunner/", &[("/w/src", "")], "zope.testrunner"),
            (
                "src/zope_testrunner/",
                &[("/w/src/zope_testrunner", "zope.testrunner")],
                "zope.testrunner",
            ),
            (
                "src/zope_something/tests",
                &[("/w/src/zope_something", "zope.something"), ("/w/src", "")],
                "zope.something.tests",
            ),
            // Only one trailing slash is stripped.
            ("a//", &[], "a."),
            // `dict()` keeps the last package given for a path.
            ("src/x", &[("/w/src", "first"), ("/w/src", "")], "x"),
            // '' is abspath'ed to the cwd.
            ("/abs/pkg", &[("/w", "top")], "top.abs.pkg"),
            ("sample", &[("/w/sample", "")], ""),
        ];
        for (package, map, want) in cases {
            assert_eq!(
                normalize_package(package, &tp(map), cwd),
                *want,
                "{package:?}"
            );
        }
    }

    #[test]
    fn auto_flags_are_rewritten_in_place() {
        let tty = Facts {
            stdout_isatty: true,
            terminal_has_colors: true,
            ..Facts::default()
        };
        let mut args: Vec<String> = [
            "prog",
            "--auto-color",
            "--layer=--auto-progress",
            "--auto-progress",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut defaults = vec!["--auto-col".to_owned(), "--auto-progress".to_owned()];
        rewrite_auto_flags(&mut args, Some(&mut defaults), &tty);
        assert_eq!(
            args,
            ["prog", "--color", "--layer=--progress", "--progress"]
        );
        assert_eq!(defaults, ["--auto-col", "--progress"]);
        let mut args = vec!["--auto-color".to_owned()];
        rewrite_auto_flags(&mut args, None, &Facts::default());
        assert_eq!(args, ["--no-color"]);
    }
}
