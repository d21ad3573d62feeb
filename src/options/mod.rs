//! Command-line options: zope.testrunner 8.3's argparse interface, reproduced
//! message for message.
//!
//! This module owns everything zope's `options.py` does: the option table
//! (`spec`), turning argv into actions the way the running interpreter's
//! argparse does (`scan`, with the release's `dialect`:
//! abbreviations, short clusters, attached values, positionals, `--`,
//! unrecognized arguments, structural errors), typing and accumulating the
//! values with clap (`command`), layering the runner's `defaults` under the
//! command line, `get_options`' rewriting and post-processing
//! (`postprocess`), and the usage/help text of argparse's `HelpFormatter`
//! (`help`, on a `textwrap` port). It is pure Rust: what it must know about
//! the running Python comes through `Environment`. `py` exposes it to Python
//! for differential tests against the real zope parser.
//!
//! The tokenizing is argparse's own algorithm (`scan`), not clap's: which
//! tokens are options, where values end and what is left over follow rules
//! clap does not share (see `scan`'s docs); clap gets a canonical stream and
//! does what it agrees with argparse on, the typed values and their
//! accumulation.
//!
//! Errors are values (`Exit`), never panics or process exits: the caller
//! prints `Exit::Help` to stdout with status 0, `Exit::Usage` to stderr with
//! status 2, and `Parsed::messages` to stdout before the run.
//!
//! Which argparse that is comes from `Environment::python_version`: one
//! build follows 3.11, 3.12 and 3.13 and their bugfix releases (`Dialect`
//! lists the changes and the releases that brought them).
//!
//! Known differences from zope, all in inputs where zope misbehaves or where
//! Python's unbounded ints cannot be held: `--opt=--` before 3.11.8/3.12.2
//! (argparse stores an empty list, which later crashes zope) is an
//! `expected one argument` error; integers beyond ±2**63 are saturated; an invalid regex in
//! `--tests-pattern`/`--test-file-pattern` is not reported here (zope dies
//! with a traceback while parsing; the module that compiles the patterns
//! reports it). Arguments are `String`s, so argv that is not UTF-8 (which
//! Python would carry as surrogate escapes) must be rejected by the caller.

mod command;
mod dialect;
mod help;
mod postprocess;
pub mod py;
mod pytypes;
mod scan;
pub mod spec;
mod textwrap;
mod unicode_deltas;
mod unicode_tables;

use std::path::Path;
use std::sync::Arc;

pub use dialect::{Change, Dialect};
pub use help::{format_help, format_help_for, format_usage, format_usage_for};
pub use postprocess::{normalize_package, Environment, Facts, Options, UNIT_TESTS_LAYER};
pub use spec::OptSpec;

use command::{Namespace, ValueContext};
use scan::Stop;
use spec::SPEC;

/// How parsing ends without options: argparse would print and exit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// `--help`: this text goes to stdout, exit status 0.
    Help(String),
    /// An argparse error: usage plus `PROG: error: MESSAGE`, for stderr,
    /// exit status 2.
    Usage(String),
}

/// A successful parse.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub options: Options,
    /// What zope prints to stdout after parsing, in order, each with its
    /// trailing newline (option errors when `options.fail`, or the
    /// `--require-unique` warning).
    pub messages: Vec<String>,
    /// The actions given explicitly, in defaults then argv, without
    /// duplicates, in order of first appearance.
    pub given: Vec<&'static OptSpec>,
}

/// What happened to one token list.
enum Outcome {
    Help,
    Error(String),
}

/// argparse's `parse_args(tokens, namespace)` onto `ns`.
fn parse_onto(
    tokens: &[String],
    ctx: &ValueContext,
    ns: &mut Namespace,
    given: &mut Vec<&'static OptSpec>,
) -> Result<(), Outcome> {
    let scanned = scan::scan(tokens, ctx.dialect);
    command::apply(&scanned.occurrences, ctx, ns).map_err(Outcome::Error)?;
    for occurrence in &scanned.occurrences {
        let spec = &SPEC[occurrence.spec];
        let counts = !spec.is_positional() || !occurrence.values.is_empty();
        if counts && !given.iter().any(|g| std::ptr::eq(*g, spec)) {
            given.push(spec);
        }
    }
    match scanned.stop {
        Some(Stop::Help) => Err(Outcome::Help),
        Some(Stop::Error(message)) => Err(Outcome::Error(message)),
        None if !scanned.extras.is_empty() => Err(Outcome::Error(format!(
            "unrecognized arguments: {}",
            scanned.extras.join(" ")
        ))),
        None => Ok(()),
    }
}

/// zope's `get_options(args, defaults)`.
///
/// `prog` is what argparse calls the program (`basename(sys.argv[0])`),
/// `columns` the terminal width (`shutil.get_terminal_size().columns`),
/// `cwd` the directory relative paths are resolved against. `args[0]` is
/// the program name and is not parsed; `defaults` are parsed first and
/// `args` on top of them. Parsing, messages and help follow the argparse of
/// `env.python_version()`.
pub fn parse_args(
    prog: &str,
    columns: usize,
    cwd: &Path,
    env: &dyn Environment,
    defaults: Option<&[String]>,
    args: &[String],
) -> Result<Parsed, Exit> {
    let cwd = cwd.to_string_lossy();
    let mut args = args.to_vec();
    let mut defaults = defaults.map(<[String]>::to_vec);
    postprocess::rewrite_auto_flags(&mut args, defaults.as_deref_mut(), env);

    let dialect = Dialect::new(env.python_version());
    let ctx = ValueContext {
        cwd: Arc::from(cwd.as_ref()),
        int_max_str_digits: env.int_max_str_digits(),
        dialect,
    };
    let exit = |outcome| match outcome {
        Outcome::Help => Exit::Help(format_help_for(prog, columns, dialect)),
        Outcome::Error(message) => Exit::Usage(format!(
            "{}{prog}: error: {message}\n",
            format_usage_for(prog, columns, dialect)
        )),
    };
    let mut ns = Namespace::with_defaults();
    let mut given = Vec::new();
    if let Some(defaults) = defaults.as_deref().filter(|d| !d.is_empty()) {
        parse_onto(defaults, &ctx, &mut ns, &mut given).map_err(exit)?;
    }
    parse_onto(args.get(1..).unwrap_or_default(), &ctx, &mut ns, &mut given).map_err(exit)?;

    let (options, messages) = postprocess::post_process(&ns, env, &cwd, args);
    Ok(Parsed {
        options,
        messages,
        given,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    fn parse_with(env: &Facts, defaults: Option<&[&str]>, args: &[&str]) -> Result<Parsed, Exit> {
        let defaults = defaults.map(strings);
        let mut argv = vec!["prog".to_owned()];
        argv.extend(strings(args));
        parse_args(
            "zope-testrunner",
            80,
            Path::new("/work"),
            env,
            defaults.as_deref(),
            &argv,
        )
    }

    fn parse(args: &[&str]) -> Options {
        parse_with(&Facts::default(), None, args).unwrap().options
    }

    fn error(defaults: Option<&[&str]>, args: &[&str]) -> String {
        match parse_with(&Facts::default(), defaults, args) {
            Err(Exit::Usage(text)) => {
                let last = text.lines().last().unwrap_or_default().to_owned();
                assert!(text.starts_with("usage: zope-testrunner [-h]"), "{text}");
                last
            }
            other => panic!("{args:?}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn errors_are_reported_like_argparse() {
        let cases: &[(&[&str], &str)] = &[
            (&["--bogus"], "unrecognized arguments: --bogus"),
            (
                &["--bogus", "x", "-v", "a", "b", "c"],
                "unrecognized arguments: --bogus a b c",
            ),
            (&["a", "b", "c"], "unrecognized arguments: c"),
            (
                &["-N", "x", "--bogus"],
                "argument --repeat/-N: invalid int value: 'x'",
            ),
            (
                &["--bogus", "-a"],
                "argument -a/--at-level: expected one argument",
            ),
            (
                &["-a", "-1"],
                "argument -a/--at-level: expected one argument",
            ),
            (
                &["--s"],
                "ambiguous option: --s could match --subunit, --subunit-v2, --slow-test, \
                        --show-secondary-failures, --stop-on-error, --stop, --suite-name, \
                        --shuffle, --shuffle-seed",
            ),
            (
                &["--profile=cprofile"],
                "argument --profile: invalid choice: 'cprofile' (choose from 'cProfile')",
            ),
        ];
        for (args, want) in cases {
            assert_eq!(
                error(None, args),
                format!("zope-testrunner: error: {want}"),
                "{args:?}"
            );
        }
        // The same errors come out of the defaults.
        assert_eq!(
            error(Some(&["--bogus"]), &["-v"]),
            "zope-testrunner: error: unrecognized arguments: --bogus"
        );
    }

    #[test]
    fn help_wins_over_later_errors_only() {
        let env = Facts::default();
        match parse_with(&env, None, &["--bogus", "--help", "-a"]) {
            Err(Exit::Help(text)) => assert_eq!(text, format_help("zope-testrunner", 80)),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            error(None, &["-N", "x", "--help"]),
            "zope-testrunner: error: argument --repeat/-N: invalid int value: 'x'"
        );
        assert!(matches!(
            parse_with(&env, Some(&["-h"]), &[]),
            Err(Exit::Help(_))
        ));
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
            "-p",
            "-1",
            "--tests-pattern",
            "^t$",
            "legacy",
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
        // Positionals of the defaults are reset by the argv parse.
        assert_eq!(o.legacy_module_filter, None);
        assert_eq!(o.module, ["."]);
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
        // Only the first run of plain arguments feeds the positionals.
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

    #[test]
    fn given_actions_are_listed_once_in_order() {
        let p = parse_with(
            &Facts::default(),
            Some(&["-v"]),
            &["--verbose", "-pv", "mod"],
        )
        .unwrap();
        let given: Vec<&str> = p.given.iter().map(|s| s.dest).collect();
        assert_eq!(given, ["verbose", "progress", "legacy_module_filter"]);
    }

    #[test]
    fn the_interpreters_argparse_is_followed() {
        let at = |version| Facts {
            python_version: version,
            ..Facts::default()
        };
        let py313 = at((3, 13, 5));
        // Help in the release's layout.
        match parse_with(&py313, None, &["-h"]) {
            Err(Exit::Help(text)) => {
                assert!(
                    text.contains("\n  --package, --dir, -s PACKAGE\n"),
                    "{text}"
                )
            }
            other => panic!("{other:?}"),
        }
        // Messages in the release's wording.
        match parse_with(&py313, None, &["--profile", "x"]) {
            Err(Exit::Usage(text)) => assert!(text.ends_with(
                "error: argument --profile: invalid choice: 'x' (choose from cProfile)\n"
            )),
            other => panic!("{other:?}"),
        }
        // Tokens read as the release reads them.
        let o = parse_with(&py313, None, &["--layer=--", "m", "-v", "t"])
            .unwrap()
            .options;
        assert_eq!(o.layer, Some(strings(&["--"])));
        assert_eq!((o.module, o.test), (strings(&["m"]), strings(&["t"])));
        assert_eq!(
            error(None, &["m", "-v", "t"]),
            "zope-testrunner: error: unrecognized arguments: t"
        );
        match parse_with(&at((3, 12, 1)), None, &["-uZ"]) {
            Err(Exit::Usage(text)) => {
                assert!(text.ends_with("ignored explicit argument 'Z'\n"), "{text}")
            }
            other => panic!("{other:?}"),
        }
        match parse_with(&at((3, 12, 3)), None, &["-uZ"]) {
            Err(Exit::Usage(text)) => {
                assert!(text.ends_with("unrecognized arguments: -Z\n"), "{text}")
            }
            other => panic!("{other:?}"),
        }
    }
}
