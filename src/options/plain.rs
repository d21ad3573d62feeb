//! Which command lines leakrunner reads itself: the plain ones, whose every
//! token means the same to every argparse release, turned into one
//! canonical token stream for clap (`command.rs`).
//!
//! argparse's grammar moved between releases, bugfix releases included:
//! `-vs=x` gives `-s` the value `=x` or `x`, `-uZ` is an error or leaves
//! `-Z` unrecognized, `foo -v bar` leaves `bar` unrecognized or makes it the
//! second positional, an explicit `--layer=--` is kept or dropped, and 3.14
//! and 3.15 changed the messages. Rather than follow those by release, the
//! reader accepts only forms none of them touched, and anything else (every
//! error, `--help`, `--`, a value that starts with `-`, a short cluster with
//! `=` or an unknown letter, positionals in two runs) is left to the
//! interpreter's own argparse (`argparse.rs`), which decides, prints and
//! exits as under zope.testrunner.
//!
//! Plain, for one token list:
//! - `--long` and `--long=VALUE`, the long option spelled out or abbreviated
//!   to a prefix no other option string has (`--verb`, `--lay=X`);
//! - `-x` and `-x=VALUE`; short clusters of known letters, `-pvv`, the
//!   last of which may take the rest as its value (`-N4`, `-vN4`);
//! - an option's separate values, tokens that do not start with `-`;
//! - at most two positionals, in one run of tokens (none in the defaults:
//!   how the argv parse treats the defaults' positionals is argparse's
//!   business).

use super::spec::{self, Action, Nargs, OptSpec};

/// The action an option string names exactly.
fn exact(option_string: &str) -> Option<&'static OptSpec> {
    spec::all().find(|s| s.flags.contains(&option_string))
}

/// The action of every option string `prefix` abbreviates, once per option
/// string: `--sto` abbreviates both `--stop-on-error` and `--stop`, and that
/// is ambiguous to argparse.
fn abbreviated(prefix: &str) -> impl Iterator<Item = &'static OptSpec> + '_ {
    spec::all().flat_map(move |s| {
        s.flags
            .iter()
            .filter(move |f| f.starts_with(prefix))
            .map(move |_| s)
    })
}

/// argparse's reading of `token` as a long option: the exact option string,
/// else the one option string it abbreviates (several are ambiguous: not
/// plain).
fn long(token: &str) -> Option<&'static OptSpec> {
    if let Some(spec) = exact(token) {
        return Some(spec);
    }
    let mut matching = abbreviated(token);
    match (matching.next(), matching.next()) {
        (Some(spec), None) => Some(spec),
        _ => None,
    }
}

/// The name clap knows an action by (`command.rs` registers it as a long
/// option): its first long option string, else its short one, else its dest.
pub fn clap_name(spec: &'static OptSpec) -> &'static str {
    let long = spec.flags.iter().find_map(|f| f.strip_prefix("--"));
    let short = spec.flags.first().and_then(|f| f.strip_prefix('-'));
    long.or(short).unwrap_or(spec.dest)
}

/// A value argparse takes as it is on every release: an explicit `--` was
/// dropped before 3.11.8/3.12.2 (gh-109475).
fn explicit_value(value: &str) -> Option<&str> {
    (value != "--").then_some(value)
}

struct Reader<'a> {
    tokens: std::slice::Iter<'a, String>,
    out: Vec<String>,
}

impl Reader<'_> {
    /// One occurrence of `spec`, with the value attached to its token if
    /// any; separate values are taken from the following tokens.
    fn take(&mut self, spec: &'static OptSpec, attached: Option<&str>) -> Option<()> {
        let name = clap_name(spec);
        match (spec.nargs, attached) {
            (Nargs::Zero, None) if spec.action != Action::Help => {
                self.out.push(format!("--{name}"));
            }
            (Nargs::One, Some(value)) => {
                self.out
                    .push(format!("--{name}={}", explicit_value(value)?));
            }
            (Nargs::One, None) => {
                let value = self.value()?;
                self.out.push(format!("--{name}={value}"));
            }
            (Nargs::Two, None) => {
                let values = [self.value()?, self.value()?];
                self.out.push(format!("--{name}"));
                self.out.extend(values);
            }
            _ => return None,
        }
        Some(())
    }

    /// A separate value: a token argparse classifies as an argument on
    /// every release.
    fn value(&mut self) -> Option<String> {
        self.tokens.next().filter(|t| !t.starts_with('-')).cloned()
    }

    /// `-xyz`: flags up to the first letter that takes a value, which takes
    /// the rest of the token, or the next one.
    fn cluster(&mut self, token: &str) -> Option<()> {
        for (at, letter) in token.char_indices().skip(1) {
            let spec = exact(&format!("-{letter}"))?;
            let rest = &token[at + letter.len_utf8()..];
            if spec.nargs != Nargs::Zero {
                return self.take(spec, (!rest.is_empty()).then_some(rest));
            }
            self.take(spec, None)?;
        }
        Some(())
    }
}

/// The canonical stream for clap (`--name`, `--name=VALUE`, `--name A B`,
/// then `--` and the positionals), or `None` when `tokens` is not plain.
pub fn canonical(tokens: &[String], positionals_allowed: bool) -> Option<Vec<String>> {
    let mut reader = Reader {
        tokens: tokens.iter(),
        out: Vec::new(),
    };
    let mut positionals = Vec::new();
    let mut run_ended = false;
    while let Some(token) = reader.tokens.next() {
        if !token.starts_with('-') {
            if run_ended || positionals.len() == 2 || !positionals_allowed {
                return None;
            }
            positionals.push(token.clone());
            continue;
        }
        run_ended |= !positionals.is_empty();
        if token.starts_with("--") {
            match token.split_once('=') {
                Some((name, value)) => reader.take(long(name)?, Some(value))?,
                None if token.len() > 2 => reader.take(long(token)?, None)?,
                None => return None,
            }
        } else if let Some(spec) = exact(token) {
            reader.take(spec, None)?;
        } else if let Some((name, value)) = token.split_once('=') {
            // `-N=4`; in a cluster, `=` changed meaning in 3.11.9/3.12.3.
            reader.take(exact(name)?, Some(value))?;
        } else if token.len() > 2 && abbreviated(token).next().is_none() {
            // `-xyz` is a cluster unless it abbreviates an option string.
            reader.cluster(token)?;
        } else {
            return None;
        }
    }
    let mut out = reader.out;
    if !positionals.is_empty() {
        out.push("--".to_owned());
        out.extend(positionals);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(args: &[&str]) -> Option<Vec<String>> {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        canonical(&tokens, true)
    }

    #[test]
    fn plain_forms_are_read() {
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (
                &["-vvv", "-N4", "-ssample1", "-m_one", "--layer=X", "-pv"],
                &[
                    "--verbose",
                    "--verbose",
                    "--verbose",
                    "--repeat=4",
                    "--package=sample1",
                    "--module=_one",
                    "--layer=X",
                    "--progress",
                    "--verbose",
                ],
            ),
            (
                &["--verb", "--lay=A", "--at-l", "3"],
                &["--verbose", "--layer=A", "--at-level=3"],
            ),
            (
                &["-N=4", "-a=-1", "-vN", "5", "-j", ""],
                &[
                    "--repeat=4",
                    "--at-level=-1",
                    "--verbose",
                    "--repeat=5",
                    "--j=",
                ][..],
            ),
            (
                &["--stop", "--stop-", "-x", "--stop-on"],
                &["--stop-on-error"; 4][..],
            ),
            (&["--package-path", "p", "k"], &["--package-path", "p", "k"]),
            (&["mod", "test", "-v"], &["--verbose", "--", "mod", "test"]),
            (
                &["-v", "mod", "--layer", "L"],
                &["--verbose", "--layer=L", "--", "mod"],
            ),
            (
                &["--layer=--x", "--xml=", "-s=a=b"],
                &["--layer=--x", "--xml=", "--package=a=b"],
            ),
        ];
        for (args, want) in cases {
            let want: Vec<String> = want.iter().map(|s| s.to_string()).collect();
            assert_eq!(read(args), Some(want), "{args:?}");
        }
    }

    #[test]
    fn everything_else_is_left_to_argparse() {
        let cases: &[&[&str]] = &[
            // Help, errors, unknown and ambiguous options.
            &["-h"],
            &["-vh"],
            &["--he"],
            &["--bogus"],
            &["-Z"],
            &["-5"],
            &["-"],
            &["---"],
            &["--sto"],
            &["--s"],
            &["--=x"],
            &["-uZ"],
            &["-12"],
            &["--unit=3"],
            &["-a"],
            &["--package-path", "a"],
            &["--package-path=a", "b"],
            // Forms whose meaning changed between releases.
            &["--"],
            &["-v", "--", "x"],
            &["--layer=--"],
            &["-s--"],
            &["-m=--"],
            &["-vs=x"],
            &["-u=v"],
            &["-u-x"],
            &["-=x"],
            &["-a", "-1"],
            &["-s", "-"],
            &["--layer", "--foo bar"],
            &["--package-path", "a", "-v"],
            &["foo", "-v", "bar"],
            &["a", "b", "c"],
            &["--foo bar"],
        ];
        for args in cases {
            assert_eq!(read(args), None, "{args:?}");
        }
        let tokens = vec!["mod".to_owned()];
        assert_eq!(canonical(&tokens, false), None);
    }

    #[test]
    fn clap_names_are_unique() {
        let mut names: Vec<&str> = spec::all().map(clap_name).collect();
        names.sort_unstable();
        let count = names.len();
        names.dedup();
        assert_eq!(names.len(), count);
    }
}
