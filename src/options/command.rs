//! The clap half of the parser: a `clap::Command` built from the spec table
//! types and accumulates the actions `scan.rs` found, and the argparse
//! `Namespace` they are applied to.
//!
//! clap receives one canonical token stream (each action under one of its
//! registered spellings, every value as its own token, positionals after
//! `--`). Its value parsers are the argparse `type=`/`choices=` checks and
//! fail with argparse's message, and it parses values in order, so the first
//! bad value in the command line is the one reported, as in argparse. Flags
//! are `Append` actions with no values so that every occurrence keeps its
//! index: that is how the later of `--progress`/`--no-progress` wins.

use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};
use indexmap::IndexMap;

use super::dialect::{Change, Dialect};
use super::pytypes::{abspath, parse_float, parse_int, repr};
use super::scan::Occurrence;
use super::spec::{Action, Default, Nargs, OptSpec, ValueType, SPEC};

/// A value in the namespace, as argparse would hold it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
}

/// argparse's `Namespace`: dest → value, in declaration order.
#[derive(Debug, Clone, PartialEq)]
pub struct Namespace {
    values: IndexMap<&'static str, Value>,
}

impl Namespace {
    /// The parser defaults (`parse_known_args` fills every dest that is not
    /// there yet, so the first action registered for a dest supplies it).
    pub fn with_defaults() -> Namespace {
        let mut values = IndexMap::new();
        for spec in SPEC {
            let value = match spec.default {
                Default::Suppress => continue,
                Default::None => Value::None,
                Default::Bool(b) => Value::Bool(b),
                Default::Int(i) => Value::Int(i),
                Default::Str(s) => Value::Str(s.to_owned()),
                Default::StrList(items) => {
                    Value::List(items.iter().map(|s| Value::Str((*s).to_owned())).collect())
                }
            };
            values.entry(spec.dest).or_insert(value);
        }
        Namespace { values }
    }

    pub fn get(&self, dest: &str) -> &Value {
        self.values.get(dest).unwrap_or(&Value::None)
    }

    fn set(&mut self, dest: &'static str, value: Value) {
        self.values.insert(dest, value);
    }
}

/// Facts the value parsers need.
#[derive(Debug, Clone)]
pub struct ValueContext {
    /// `os.getcwd()`, for `--path`/`--test-path`.
    pub cwd: Arc<str>,
    /// `sys.get_int_max_str_digits()`.
    pub int_max_str_digits: usize,
    /// The running interpreter's argparse (how `invalid choice` lists).
    pub dialect: Dialect,
}

/// An argparse error message, carried through clap as the source of its
/// `ValueValidation` error.
#[derive(Debug)]
struct ArgparseError(String);

impl std::fmt::Display for ArgparseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ArgparseError {}

/// The clap id of an action: its first option string, or its dest.
fn arg_id(spec: &OptSpec) -> &'static str {
    spec.flags.first().copied().unwrap_or(spec.dest)
}

/// The spelling used in the canonical stream: the first long option, else
/// the first short one.
fn canonical_flag(spec: &OptSpec) -> &'static str {
    spec.flags
        .iter()
        .find(|f| f.starts_with("--"))
        .or_else(|| spec.flags.first())
        .copied()
        .unwrap_or(spec.dest)
}

fn with_value_parser(arg: Arg, spec: &OptSpec, ctx: &ValueContext) -> Arg {
    let name = spec.display_name();
    let unicode = ctx.dialect.unicode();
    match spec.value {
        ValueType::Int => {
            let max_digits = ctx.int_max_str_digits;
            arg.value_parser(move |s: &str| {
                parse_int(s, max_digits, unicode).map_err(|_| {
                    ArgparseError(format!(
                        "argument {name}: invalid int value: {}",
                        repr(s, unicode)
                    ))
                })
            })
        }
        ValueType::Float => arg.value_parser(move |s: &str| {
            parse_float(s, unicode).map_err(|_| {
                ArgparseError(format!(
                    "argument {name}: invalid float value: {}",
                    repr(s, unicode)
                ))
            })
        }),
        ValueType::AbsPath => {
            let cwd = Arc::clone(&ctx.cwd);
            arg.value_parser(move |s: &str| Ok::<_, ArgparseError>(abspath(s, &cwd)))
        }
        ValueType::Choice(choices) => {
            // `str()` of each choice since gh-86357, `repr()` before.
            let quote = !ctx.dialect.has(Change::StrChoices);
            arg.value_parser(move |s: &str| {
                if choices.contains(&s) {
                    return Ok(s.to_owned());
                }
                let listed: Vec<String> = choices
                    .iter()
                    .map(|c| {
                        if quote {
                            repr(c, unicode)
                        } else {
                            (*c).to_owned()
                        }
                    })
                    .collect();
                Err(ArgparseError(format!(
                    "argument {name}: invalid choice: {} (choose from {})",
                    repr(s, unicode),
                    listed.join(", ")
                )))
            })
        }
        ValueType::Str => arg.value_parser(|s: &str| Ok::<_, ArgparseError>(s.to_owned())),
    }
}

/// zope's command line as a clap `Command`, one `Arg` per spec entry (all
/// option strings registered; `-h/--help` is handled by the scanner).
pub fn build_command(ctx: &ValueContext) -> Command {
    let mut cmd = Command::new("zope-testrunner")
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true);
    let mut index = 0;
    for spec in SPEC.iter().filter(|s| s.action != Action::Help) {
        let mut arg = Arg::new(arg_id(spec));
        if spec.is_positional() {
            index += 1;
            arg = arg.index(index).action(ArgAction::Set);
        } else {
            let mut longs = spec.flags.iter().filter_map(|f| f.strip_prefix("--"));
            let mut shorts = spec
                .flags
                .iter()
                .filter(|f| !f.starts_with("--"))
                .filter_map(|f| f.chars().nth(1));
            if let Some(long) = longs.next() {
                arg = arg.long(long).aliases(longs);
            }
            if let Some(short) = shorts.next() {
                arg = arg.short(short).short_aliases(shorts);
            }
            arg = arg.action(ArgAction::Append);
            arg = match spec.nargs {
                Nargs::Zero => arg.num_args(0).default_missing_value(""),
                Nargs::One | Nargs::Optional => arg.num_args(1).allow_hyphen_values(true),
                Nargs::Two => arg.num_args(2).allow_hyphen_values(true),
            };
        }
        cmd = cmd.arg(with_value_parser(arg, spec, ctx));
    }
    cmd
}

/// The canonical stream for clap: options in order, then `--` and the
/// positional values.
fn canonical_tokens(occurrences: &[Occurrence]) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut positionals = Vec::new();
    for occurrence in occurrences {
        let spec = &SPEC[occurrence.spec];
        if spec.is_positional() {
            // argparse's greedy `-*A?-*` never leaves a later positional a
            // value after an earlier one went without, so the values line up.
            positionals.extend(occurrence.values.iter().cloned());
        } else {
            tokens.push(canonical_flag(spec).to_owned());
            tokens.extend(occurrence.values.iter().cloned());
        }
    }
    if !positionals.is_empty() {
        tokens.push("--".to_owned());
        tokens.extend(positionals);
    }
    tokens
}

fn typed_values(m: &ArgMatches, spec: &OptSpec) -> Vec<Value> {
    let id = arg_id(spec);
    match spec.value {
        ValueType::Int => m
            .try_get_many::<i64>(id)
            .ok()
            .flatten()
            .map(|v| v.map(|i| Value::Int(*i)).collect())
            .unwrap_or_default(),
        ValueType::Float => m
            .try_get_many::<f64>(id)
            .ok()
            .flatten()
            .map(|v| v.map(|f| Value::Float(*f)).collect())
            .unwrap_or_default(),
        _ => m
            .try_get_many::<String>(id)
            .ok()
            .flatten()
            .map(|v| v.map(|s| Value::Str(s.clone())).collect())
            .unwrap_or_default(),
    }
}

fn pairs(m: &ArgMatches, spec: &OptSpec) -> Vec<Value> {
    m.try_get_occurrences::<String>(arg_id(spec))
        .ok()
        .flatten()
        .map(|occurrences| {
            occurrences
                .map(|o| Value::List(o.map(|s| Value::Str(s.clone())).collect()))
                .collect()
        })
        .unwrap_or_default()
}

/// Parse the scanned actions with clap and apply them to `ns` with argparse
/// action semantics (store overrides, append accumulates, count adds, the
/// last of several flags sharing a dest wins). Returns argparse's message
/// for the first invalid value.
pub fn apply(
    occurrences: &[Occurrence],
    ctx: &ValueContext,
    ns: &mut Namespace,
) -> Result<(), String> {
    let matches = build_command(ctx)
        .try_get_matches_from(canonical_tokens(occurrences))
        .map_err(|e| match std::error::Error::source(&e) {
            Some(source) => source.to_string(),
            // Cannot happen for a stream built from scanned occurrences; keep
            // clap's own words rather than panic.
            None => e.to_string().trim_end().to_owned(),
        })?;

    // dest → (index of its last occurrence, value it leaves)
    let mut last_store: IndexMap<&'static str, (usize, Value)> = IndexMap::new();
    for spec in SPEC.iter().filter(|s| s.action != Action::Help) {
        let id = arg_id(spec);
        if spec.is_positional() {
            let value = matches
                .try_get_one::<String>(id)
                .ok()
                .flatten()
                .map_or(Value::None, |s| Value::Str(s.clone()));
            ns.set(spec.dest, value);
            continue;
        }
        let Some(indices) = matches.indices_of(id) else {
            continue;
        };
        let indices: Vec<usize> = indices.collect();
        let last = indices.iter().copied().max().unwrap_or(0);
        let stored = match spec.action {
            Action::Count => {
                let before = match ns.get(spec.dest) {
                    Value::Int(i) => *i,
                    _ => 0,
                };
                ns.set(
                    spec.dest,
                    Value::Int(before.saturating_add(indices.len() as i64)),
                );
                continue;
            }
            Action::Append => {
                let mut items = match ns.get(spec.dest) {
                    Value::List(items) => items.clone(),
                    _ => Vec::new(),
                };
                if spec.nargs == Nargs::Two {
                    items.extend(pairs(&matches, spec));
                } else {
                    items.extend(typed_values(&matches, spec));
                }
                ns.set(spec.dest, Value::List(items));
                continue;
            }
            Action::StoreTrue => Value::Bool(true),
            Action::StoreFalse => Value::Bool(false),
            Action::StoreConstNone => Value::None,
            Action::Store => typed_values(&matches, spec).pop().unwrap_or(Value::None),
            Action::Help => continue,
        };
        match last_store.get(spec.dest) {
            Some((earlier, _)) if *earlier > last => {}
            _ => {
                last_store.insert(spec.dest, (last, stored));
            }
        }
    }
    for (dest, (_, value)) in last_store {
        ns.set(dest, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::scan::scan;
    use super::*;

    fn ctx() -> ValueContext {
        ValueContext {
            cwd: Arc::from("/work"),
            int_max_str_digits: 4300,
            dialect: Dialect::REFERENCE,
        }
    }

    fn parse(ns: &mut Namespace, args: &[&str]) -> Result<(), String> {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let scanned = scan(&tokens, ctx().dialect);
        assert_eq!(scanned.stop, None, "{args:?}");
        apply(&scanned.occurrences, &ctx(), ns)
    }

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::Str(s.to_string())).collect())
    }

    #[test]
    fn command_is_consistent() {
        build_command(&ctx()).debug_assert();
    }

    #[test]
    fn actions_accumulate_like_argparse() {
        let mut ns = Namespace::with_defaults();
        parse(
            &mut ns,
            &[
                "-vv",
                "-p",
                "--no-progress",
                "-C",
                "-c",
                "-1",
                "--show-secondary-failures",
                "--path",
                "a/../b",
                "--layer",
                "L1",
                "-a",
                "3",
                "-a=-2",
                "--package-path",
                "p",
                "k",
                "--gc",
                "1_0",
                "-G",
                "DEBUG_LEAK",
                "--slow-test",
                "1e3",
                "mod",
            ],
        )
        .unwrap();
        assert_eq!(ns.get("verbose"), &Value::Int(2));
        assert_eq!(ns.get("progress"), &Value::Bool(false));
        assert_eq!(ns.get("color"), &Value::Bool(true));
        assert_eq!(ns.get("report_only_first_failure"), &Value::Bool(false));
        assert_eq!(ns.get("path"), &strs(&["/work/b"]));
        assert_eq!(ns.get("at_level"), &Value::Int(-2));
        assert_eq!(ns.get("gc"), &Value::List(vec![Value::Int(10)]));
        assert_eq!(ns.get("gc_option"), &strs(&["DEBUG_LEAK"]));
        assert_eq!(ns.get("slow_test_threshold"), &Value::Float(1000.0));
        assert_eq!(
            ns.get("package_path"),
            &Value::List(vec![strs(&["p", "k"])])
        );
        assert_eq!(ns.get("legacy_module_filter"), &Value::Str("mod".into()));

        // A second parse on top: appends add, counts add, stores override,
        // the positionals are reset.
        parse(&mut ns, &["-v", "--layer", "L2", "-a", "5", "-p"]).unwrap();
        assert_eq!(ns.get("verbose"), &Value::Int(3));
        assert_eq!(ns.get("layer"), &strs(&["L1", "L2"]));
        assert_eq!(ns.get("at_level"), &Value::Int(5));
        assert_eq!(ns.get("progress"), &Value::Bool(true));
        assert_eq!(ns.get("legacy_module_filter"), &Value::None);
        assert_eq!(
            ns.get("ignore_dir").clone(),
            strs(&[".git", ".svn", "CVS", "{arch}", ".arch-ids", "_darcs"])
        );
    }

    #[test]
    fn first_bad_value_is_reported() {
        let mut ns = Namespace::with_defaults();
        let cases: &[(&[&str], &str)] = &[
            (
                &["-N", "x", "-a", "y"],
                "argument --repeat/-N: invalid int value: 'x'",
            ),
            (
                &["-a", "1", "-N", "1.5"],
                "argument --repeat/-N: invalid int value: '1.5'",
            ),
            (
                &["--slow-test", "fast"],
                "argument --slow-test: invalid float value: 'fast'",
            ),
            (
                &["--profile", "x"],
                "argument --profile: invalid choice: 'x' (choose from 'cProfile')",
            ),
            (
                &["-G", "DEBUG"],
                "argument --gc-option/-G: invalid choice: 'DEBUG' (choose from 'DEBUG_SAVEALL', \
                 'DEBUG_STATS', 'DEBUG_UNCOLLECTABLE', 'DEBUG_INSTANCES', 'DEBUG_COLLECTABLE', \
                 'DEBUG_LEAK', 'DEBUG_OBJECTS')",
            ),
            (&["-j", ""], "argument -j: invalid int value: ''"),
        ];
        for (args, want) in cases {
            assert_eq!(parse(&mut ns, args).unwrap_err(), *want, "{args:?}");
        }
    }

    #[test]
    fn hyphenated_values_reach_clap_intact() {
        let mut ns = Namespace::with_defaults();
        parse(
            &mut ns,
            &[
                "--xml=--x",
                "-s",
                "-",
                "-m=-v",
                "--layer=-1",
                "--",
                "-a",
                "--",
            ],
        )
        .unwrap();
        assert_eq!(ns.get("xmlOutput"), &Value::Str("--x".into()));
        assert_eq!(ns.get("package"), &strs(&["-"]));
        assert_eq!(ns.get("module"), &strs(&["-v"]));
        assert_eq!(ns.get("layer"), &strs(&["-1"]));
        assert_eq!(ns.get("legacy_module_filter"), &Value::Str("-a".into()));
        // Its only argument string was `--`, which argparse drops.
        assert_eq!(ns.get("legacy_test_filter"), &Value::None);
    }

    #[test]
    fn values_of_newer_releases_reach_clap_intact() {
        let ctx = ValueContext {
            dialect: Dialect::new((3, 13, 5)),
            ..ctx()
        };
        let tokens: Vec<String> = [
            "--layer=--",
            "-s--",
            "--package-path",
            "a",
            "-v",
            "--package-path",
            "--sto",
            "-x",
            "--",
            "x",
            "--",
        ]
        .iter()
        .map(|a| a.to_string())
        .collect();
        let scanned = scan(&tokens, ctx.dialect);
        assert_eq!(scanned.stop, None);
        let mut ns = Namespace::with_defaults();
        apply(&scanned.occurrences, &ctx, &mut ns).unwrap();
        assert_eq!(ns.get("layer"), &strs(&["--"]));
        assert_eq!(ns.get("package"), &strs(&["--"]));
        assert_eq!(
            ns.get("package_path"),
            &Value::List(vec![strs(&["a", "-v"]), strs(&["--sto", "-x"])])
        );
        assert_eq!(ns.get("legacy_module_filter"), &Value::Str("x".into()));
        assert_eq!(ns.get("legacy_test_filter"), &Value::Str("--".into()));
    }

    #[test]
    fn invalid_choices_are_listed_by_release() {
        let mut ns = Namespace::with_defaults();
        let ctx = ValueContext {
            dialect: Dialect::new((3, 12, 8)),
            ..ctx()
        };
        let tokens = vec!["--profile".to_owned(), "x".to_owned()];
        let scanned = scan(&tokens, ctx.dialect);
        assert_eq!(
            apply(&scanned.occurrences, &ctx, &mut ns).unwrap_err(),
            "argument --profile: invalid choice: 'x' (choose from cProfile)"
        );
    }
}
