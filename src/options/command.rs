//! clap, the parser of record for plain command lines: a `clap::Command`
//! built from the spec table parses the canonical stream `plain.rs` makes,
//! types the values, and `apply` puts them into argparse's `Namespace` with
//! argparse's action semantics.
//!
//! The value parsers accept the values whose conversion leaves no doubt (an
//! ASCII integer of at most 18 digits, an ASCII decimal float, a listed
//! choice); any other value fails the clap parse, and the command line is
//! left to argparse, which converts it with the interpreter's own `int()`
//! and `float()` or reports it in the interpreter's words. Flags are
//! `Append` actions with no values so that every occurrence keeps its index:
//! that is how the later of `--progress`/`--no-progress` wins.

use clap::{Arg, ArgAction, ArgMatches, Command};
use indexmap::IndexMap;

use super::plain::clap_name;
use super::spec::{self, Action, Default, Nargs, OptSpec, ValueType};

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
        for spec in spec::all() {
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

    pub fn set(&mut self, dest: &'static str, value: Value) {
        self.values.insert(dest, value);
    }
}

/// `int(s)` where every release and Unicode database agree: optional sign,
/// ASCII digits, no more than fit an `i64`.
fn plain_int(s: &str) -> Result<i64, &'static str> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if (1..=18).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) {
        s.parse().map_err(|_| "int")
    } else {
        Err("int")
    }
}

/// `float(s)` for ASCII decimal notation, where Rust's parser and Python's
/// (both correctly rounded) accept the same strings.
fn plain_float(s: &str) -> Result<f64, &'static str> {
    if s.bytes()
        .all(|b| b.is_ascii_digit() || b".eE+-".contains(&b))
    {
        s.parse().map_err(|_| "float")
    } else {
        Err("float")
    }
}

fn with_value_parser(arg: Arg, spec: &OptSpec, cwd: &str) -> Arg {
    match spec.value {
        ValueType::Int => arg.value_parser(plain_int),
        ValueType::Float => arg.value_parser(plain_float),
        ValueType::AbsPath => {
            let cwd = cwd.to_owned();
            arg.value_parser(move |s: &str| Ok::<_, &str>(abspath(s, &cwd)))
        }
        ValueType::Choice(choices) => arg.value_parser(move |s: &str| {
            choices
                .contains(&s)
                .then(|| s.to_owned())
                .ok_or("invalid choice")
        }),
        ValueType::Str => arg.value_parser(|s: &str| Ok::<_, &str>(s.to_owned())),
    }
}

/// The command line as a clap `Command`: every action a long option named
/// by `clap_name`, the positionals by index.
fn command(cwd: &str) -> Command {
    let mut cmd = Command::new("leakrunner")
        .no_binary_name(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true);
    let mut index = 0;
    for spec in spec::all().filter(|s| s.action != Action::Help) {
        let name = clap_name(spec);
        let mut arg = Arg::new(name);
        if spec.is_positional() {
            index += 1;
            arg = arg.index(index).action(ArgAction::Set);
        } else {
            arg = arg.long(name).action(ArgAction::Append);
            arg = match spec.nargs {
                Nargs::Zero => arg.num_args(0).default_missing_value(""),
                Nargs::One | Nargs::Optional => arg.num_args(1).allow_hyphen_values(true),
                Nargs::Two => arg.num_args(2),
            };
        }
        cmd = cmd.arg(with_value_parser(arg, spec, cwd));
    }
    cmd
}

fn typed_values(m: &ArgMatches, spec: &'static OptSpec) -> Vec<Value> {
    let name = clap_name(spec);
    fn all<T: Clone + Send + Sync + 'static>(m: &ArgMatches, name: &str) -> Vec<T> {
        m.get_many::<T>(name)
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
    match (spec.value, spec.nargs) {
        (ValueType::Int, _) => all(m, name).into_iter().map(Value::Int).collect(),
        (ValueType::Float, _) => all(m, name).into_iter().map(Value::Float).collect(),
        (_, Nargs::Two) => m
            .get_occurrences::<String>(name)
            .into_iter()
            .flatten()
            .map(|pair| Value::List(pair.cloned().map(Value::Str).collect()))
            .collect(),
        _ => all(m, name).into_iter().map(Value::Str).collect(),
    }
}

/// Parse the canonical `tokens` with clap and apply them to `ns` as
/// argparse would (store overrides, append accumulates, count adds, the
/// last of several flags sharing a dest wins). `None` when clap refuses a
/// value: the command line is not plain after all.
pub fn apply(tokens: &[String], cwd: &str, ns: &mut Namespace) -> Option<()> {
    let matches = command(cwd).try_get_matches_from(tokens).ok()?;
    // dest → (index of its last occurrence, value it leaves)
    let mut last_store: IndexMap<&'static str, (usize, Value)> = IndexMap::new();
    for spec in spec::all().filter(|s| s.action != Action::Help) {
        let name = clap_name(spec);
        if spec.is_positional() {
            // argparse resets them on every parse.
            let value = matches.get_one::<String>(name).cloned();
            ns.set(spec.dest, value.map_or(Value::None, Value::Str));
            continue;
        }
        let Some(indices) = matches.indices_of(name) else {
            continue;
        };
        let count = indices.len();
        let last = indices.max().unwrap_or(0);
        let stored = match spec.action {
            Action::Count => {
                let before = match ns.get(spec.dest) {
                    Value::Int(i) => *i,
                    _ => 0,
                };
                ns.set(spec.dest, Value::Int(before.saturating_add(count as i64)));
                continue;
            }
            Action::Append => {
                let mut items = match ns.get(spec.dest) {
                    Value::List(items) => items.clone(),
                    _ => Vec::new(),
                };
                items.extend(typed_values(&matches, spec));
                ns.set(spec.dest, Value::List(items));
                continue;
            }
            Action::StoreTrue => Value::Bool(true),
            Action::StoreFalse => Value::Bool(false),
            Action::StoreConstNone | Action::Help => Value::None,
            Action::Store => typed_values(&matches, spec).pop().unwrap_or(Value::None),
        };
        if last_store
            .get(spec.dest)
            .is_none_or(|(earlier, _)| *earlier < last)
        {
            last_store.insert(spec.dest, (last, stored));
        }
    }
    for (dest, (_, value)) in last_store {
        ns.set(dest, value);
    }
    Some(())
}

/// `posixpath.normpath`.
pub(super) fn normpath(path: &str) -> String {
    let initial_slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else {
        usize::from(path.starts_with('/'))
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/').filter(|c| !c.is_empty() && *c != ".") {
        if comp != ".." || (initial_slashes == 0 && comps.is_empty()) || comps.last() == Some(&"..")
        {
            comps.push(comp);
        } else {
            comps.pop();
        }
    }
    let result = "/".repeat(initial_slashes) + &comps.join("/");
    if result.is_empty() {
        ".".to_owned()
    } else {
        result
    }
}

/// `os.path.abspath(path)` with `os.getcwd()` returning `cwd`.
pub fn abspath(path: &str, cwd: &str) -> String {
    // `posixpath.join(cwd, path)`: no separator is added after a trailing one.
    if path.starts_with('/') {
        normpath(path)
    } else if cwd.is_empty() || cwd.ends_with('/') {
        normpath(&format!("{cwd}{path}"))
    } else {
        normpath(&format!("{cwd}/{path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::super::plain::canonical;
    use super::*;

    fn parse(ns: &mut Namespace, args: &[&str]) -> Option<()> {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        apply(&canonical(&tokens, true).expect("plain"), "/work", ns)
    }

    fn strs(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::Str(s.to_string())).collect())
    }

    #[test]
    fn command_is_consistent() {
        command("/").debug_assert();
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
                "10",
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
            ns.get("ignore_dir"),
            &strs(&[".git", ".svn", "CVS", "{arch}", ".arch-ids", "_darcs"])
        );
    }

    #[test]
    fn doubtful_values_are_refused() {
        let mut ns = Namespace::with_defaults();
        for args in [
            &["-N", "x"][..],
            &["-N", "1.5"],
            &["-N", " 1"],
            &["-N", "1_0"],
            &["-N", "\u{663}"],
            &["-N", "1234567890123456789"],
            &["-j", ""],
            &["--slow-test", "fast"],
            &["--slow-test", "inf"],
            &["--slow-test", "1_0.5"],
            &["--slow-test", "1e"],
            &["--profile", "x"],
            &["-G", "DEBUG"],
        ] {
            assert_eq!(parse(&mut ns, args), None, "{args:?}");
        }
        parse(&mut ns, &["-N", "+007", "--slow-test=-.5E-3"]).unwrap();
        assert_eq!(ns.get("repeat"), &Value::Int(7));
        assert_eq!(ns.get("slow_test_threshold"), &Value::Float(-0.0005));
    }
}
