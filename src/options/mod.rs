//! Command-line options: zope.testrunner 8.3's argparse interface, with
//! zope's results and, message for message, the running interpreter's
//! argparse output.
//!
//! This module owns everything zope's `options.py` does. One table
//! (`spec`) describes the command line. A plain command line, which every
//! argparse release reads alike (`plain`), is parsed in Rust: clap types
//! and accumulates its values into argparse's namespace (`command`). Every
//! other one (`--help`, any error, the forms argparse changed between
//! releases, values whose conversion needs Python's `int()` or `float()`)
//! is parsed by the interpreter's own argparse, on a parser built from the
//! same table (`argparse`, `leakrunner._cmdline`), which prints help and
//! errors itself: so they are byte for byte those of zope.testrunner on the
//! same interpreter, on argparse releases newer than leakrunner too. Both
//! give a namespace, which `postprocess` turns into `Options` as
//! `get_options` does (the `--auto-*` rewriting, the checks and their
//! messages, the path tables).
//!
//! Known differences from zope, where zope misbehaves or where Python's
//! unbounded ints cannot be held: `--opt=--` before 3.11.8/3.12.2 (argparse
//! stores an empty list, which later crashes zope) is an `expected one
//! argument` error; integers beyond ±2**63 are saturated; an invalid regex
//! in `--tests-pattern`/`--test-file-pattern` is not reported here (zope
//! dies with a traceback while parsing; the module that compiles the
//! patterns reports it). Arguments are `String`s, so argv that is not UTF-8
//! (which Python would carry as surrogate escapes) must be rejected by the
//! caller.

pub mod argparse;
mod command;
mod plain;
mod postprocess;
#[cfg(feature = "test-hooks")]
pub mod py;
pub mod spec;

use std::path::Path;

use pyo3::PyResult;

pub use command::{Namespace, Value};
pub use postprocess::{normalize_package, Options, UNIT_TESTS_LAYER};

/// What `get_options` asks of the running Python. Methods are called only
/// when zope would evaluate the corresponding expression, and as often.
pub trait Environment {
    /// `sys.stdout.isatty()`.
    fn stdout_isatty(&self) -> bool;
    /// zope's `terminal_has_colors()` (curses: at least 8 colours).
    fn terminal_has_colors(&self) -> bool;
    /// Whether `import subunit` succeeds.
    fn subunit_available(&self) -> bool;
    /// `hasattr(sys, "gettotalrefcount")` (a `--with-pydebug` build).
    fn has_gettotalrefcount(&self) -> bool;
    /// The interpreter's argparse on zope's parser (`argparse::parse`), for
    /// a command line that is not plain.
    fn argparse(
        &self,
        defaults: Option<&[String]>,
        args: &[String],
    ) -> PyResult<Result<Namespace, Exited>>;
}

/// argparse printed its help (status 0) or an error (status 2) and would
/// exit with this status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exited(pub i32);

/// A successful parse.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub options: Options,
    /// What zope prints to stdout after parsing, in order, each with its
    /// trailing newline (option errors when `options.fail`, or the
    /// `--require-unique` warning).
    pub messages: Vec<String>,
}

/// The namespace of a plain command line, read by clap; `None` when a token
/// list is not plain.
fn parse_plain(cwd: &str, defaults: Option<&[String]>, args: &[String]) -> Option<Namespace> {
    let mut ns = Namespace::with_defaults();
    if let Some(defaults) = defaults {
        command::apply(&plain::canonical(defaults, false)?, cwd, &mut ns)?;
    }
    command::apply(&plain::canonical(args, true)?, cwd, &mut ns)?;
    Some(ns)
}

/// zope's `get_options(args, defaults)`.
///
/// `args[0]` is the program name and is not parsed; `defaults` are parsed
/// first and `args` on top of them. `cwd` is the directory relative paths
/// are resolved against.
pub fn parse_args(
    cwd: &Path,
    env: &dyn Environment,
    defaults: Option<&[String]>,
    args: &[String],
) -> PyResult<Result<Parsed, Exited>> {
    let cwd = cwd.to_string_lossy();
    let mut args = args.to_vec();
    let mut defaults = defaults.map(<[String]>::to_vec);
    postprocess::rewrite_auto_flags(&mut args, defaults.as_deref_mut(), env);
    let defaults = defaults.as_deref().filter(|d| !d.is_empty());
    let argv = args.get(1..).unwrap_or_default();
    let ns = match parse_plain(&cwd, defaults, argv) {
        Some(ns) => ns,
        None => match env.argparse(defaults, argv)? {
            Ok(ns) => ns,
            Err(exited) => return Ok(Err(exited)),
        },
    };
    let (options, messages) = postprocess::post_process(&ns, env, &cwd, args);
    Ok(Ok(Parsed { options, messages }))
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::Cell;

    use super::*;

    /// Plain answers to the `Environment` questions; a command line left to
    /// argparse is counted in `argparse_asked` and ends with status 99.
    #[derive(Debug, Default)]
    pub struct Facts {
        pub stdout_isatty: bool,
        pub terminal_has_colors: bool,
        pub subunit_available: bool,
        pub has_gettotalrefcount: bool,
        pub argparse_asked: Cell<usize>,
    }

    impl Environment for Facts {
        fn stdout_isatty(&self) -> bool {
            self.stdout_isatty
        }
        fn terminal_has_colors(&self) -> bool {
            self.terminal_has_colors
        }
        fn subunit_available(&self) -> bool {
            self.subunit_available
        }
        fn has_gettotalrefcount(&self) -> bool {
            self.has_gettotalrefcount
        }
        fn argparse(
            &self,
            _: Option<&[String]>,
            _: &[String],
        ) -> PyResult<Result<Namespace, Exited>> {
            self.argparse_asked.set(self.argparse_asked.get() + 1);
            Ok(Err(Exited(99)))
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn parse_with(env: &Facts, defaults: Option<&[&str]>, args: &[&str]) -> Result<Parsed, Exited> {
        let defaults = defaults.map(strings);
        let mut argv = vec!["prog".to_owned()];
        argv.extend(strings(args));
        parse_args(Path::new("/work"), env, defaults.as_deref(), &argv).unwrap()
    }

    fn parse(args: &[&str]) -> Options {
        parse_with(&Facts::default(), None, args).unwrap().options
    }

    #[test]
    fn only_plain_command_lines_are_parsed_here() {
        let env = Facts::default();
        assert!(parse_with(&env, None, &["-vv", "--layer=X", "mod"]).is_ok());
        assert_eq!(env.argparse_asked.get(), 0);
        for (defaults, args) in [
            (None, &["--help"][..]),
            (None, &["--bogus"]),
            (None, &["-N", "x"]),
            (None, &["-N", "\u{663}"]),
            (Some(&["--bogus"][..]), &["-v"]),
            (Some(&["mod"][..]), &[]),
            (Some(&["-v"][..]), &["--", "x"]),
        ] {
            let before = env.argparse_asked.get();
            assert_eq!(parse_with(&env, defaults, args).unwrap_err(), Exited(99));
            assert_eq!(env.argparse_asked.get(), before + 1, "{args:?}");
        }
    }

    #[test]
    fn defaults_are_layered_under_args() {
        let env = Facts::default();
        let defaults = [
            "--test-path",
            "/src",
            "--layer",
            "A",
            "-v",
            "-a",
            "2",
            "-1",
            "--tests-pattern",
            "^t$",
        ];
        let o = parse_with(
            &env,
            Some(&defaults),
            &["--layer", "B", "-v", "-a", "3", "--no-progress"],
        )
        .unwrap()
        .options;
        assert_eq!(o.layer, Some(strings(&["A", "B"])));
        assert_eq!(o.verbose, 2);
        assert_eq!(o.at_level, 3);
        assert!(!o.progress);
        assert!(o.report_only_first_failure);
        assert_eq!(o.tests_pattern, "^t$");
        assert_eq!(o.test_path, [("/src".to_owned(), String::new())]);
        // -q resets the count from both.
        let o = parse_with(&env, Some(&["-vv"]), &["-q"]).unwrap().options;
        assert_eq!(o.verbose, 0);
        // An empty defaults list is no defaults.
        assert!(parse_with(&env, Some(&[]), &[]).is_ok());
    }

    #[test]
    fn post_processing_follows_get_options() {
        let o = parse(&[
            "--path",
            "src",
            "--test-path",
            "/t",
            "--package-path",
            "pp",
            "pkg",
            "-s",
            "src/zope/testrunner/",
            "-s",
            "pp/sub",
            "--all",
            "-u",
            "-f",
            "--layer",
            "X",
            "--layer",
            "X",
            "--usecompiled",
            "--ignore_dir",
            "CVS",
            "--ignore_dir",
            "node",
        ]);
        assert_eq!(o.path, ["/work/src"]);
        assert_eq!(
            o.test_path,
            [
                ("/t".to_owned(), String::new()),
                ("/work/src".to_owned(), String::new()),
                ("/work/pp".to_owned(), "pkg".to_owned()),
            ]
        );
        assert_eq!(o.package, Some(strings(&["zope.testrunner", "pkg.sub"])));
        assert_eq!(
            o.prefix,
            [
                ("/work/src/".to_owned(), String::new()),
                ("/work/pp/".to_owned(), "pkg".to_owned()),
                ("/t/".to_owned(), String::new()),
            ]
        );
        assert_eq!(o.at_level, i64::MAX);
        assert!(!o.unit && !o.non_unit);
        assert_eq!(o.layer, Some(strings(&["X"])));
        assert!(o.keepbytecode);
        assert_eq!(
            o.ignore_dir,
            strings(&[
                ".git",
                ".svn",
                "CVS",
                "{arch}",
                ".arch-ids",
                "_darcs",
                "node"
            ])
        );
        assert!(!o.fail);

        let o = parse(&["-u", "--layer", "X", "m1", "t1", "-t", "t0"]);
        assert_eq!(o.layer, Some(strings(&[UNIT_TESTS_LAYER])));
        assert_eq!(o.module, ["m1"]);
        assert_eq!(o.test, ["t0", "t1"]);
        assert!(o.module_set);

        let o = parse(&[".", "t1"]);
        assert_eq!(o.module, ["."]);
        assert_eq!(o.test, ["t1"]);
        assert!(!o.module_set);
    }

    #[test]
    fn option_errors_print_zope_messages() {
        let env = Facts::default();
        let p = parse_with(&env, None, &["-r"]).unwrap();
        assert!(p.options.fail);
        assert_eq!(
            p.messages,
            ["        You must use the --repeat (-N) option to specify a repeat\n        \
              count greater than 1 when using the --report_refcounts (-r)\n        option.\n        \n"]
        );
        let p = parse_with(&env, None, &["-r", "-N2"]).unwrap();
        assert!(p.messages[0].contains("--with-pydebug"));
        let debug = Facts {
            has_gettotalrefcount: true,
            ..Facts::default()
        };
        let p = parse_with(&debug, None, &["-r", "-N2", "-m", "x", "--require-unique"]).unwrap();
        assert!(!p.options.fail);
        assert_eq!(p.messages.len(), 1);
        assert!(p.messages[0]
            .starts_with("        You specified a module along with --require-unique;\n"));

        let p = parse_with(&env, None, &["--subunit", "--subunit-v2", "-r"]).unwrap();
        assert!(p.options.fail && !p.options.buffer);
        assert_eq!(p.messages.len(), 1);
        assert!(p.messages[0].starts_with("        Subunit is not installed."));
        let subunit = Facts {
            subunit_available: true,
            ..Facts::default()
        };
        let p = parse_with(&subunit, None, &["--subunit", "--subunit-v2"]).unwrap();
        assert!(p.options.fail && p.options.buffer);
        assert_eq!(
            p.messages,
            ["        You may only use one of --subunit and --subunit-v2.\n        \n"]
        );

        let p = parse_with(&env, None, &["--version", "-r"]).unwrap();
        assert!(p.options.showversion && !p.options.fail && p.messages.is_empty());
    }

    #[test]
    fn auto_flags_follow_the_terminal() {
        let tty = Facts {
            stdout_isatty: true,
            terminal_has_colors: true,
            ..Facts::default()
        };
        let p = parse_with(&tty, Some(&["--auto-color"]), &["--auto-progress"]).unwrap();
        assert!(p.options.color && p.options.progress);
        assert_eq!(p.options.original_testrunner_args, ["prog", "--progress"]);
        let p = parse_with(
            &Facts::default(),
            None,
            &["-c", "-p", "--auto-color", "--auto-progress"],
        )
        .unwrap();
        assert!(!p.options.color && !p.options.progress);
    }
}
