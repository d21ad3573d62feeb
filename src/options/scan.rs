//! argparse's tokenizer (`_parse_known_args`, `_parse_optional`,
//! `_get_option_tuples`, `consume_optional`, `consume_positionals`), run over
//! the spec table, as the running interpreter's argparse does it (`Dialect`:
//! see `dialect.rs` for what changed when).
//!
//! It decides, token by token and the way argparse does, which tokens are
//! options (prefix abbreviation, `-xyz` clusters, `=` and attached values,
//! `-<digits>` being options because `-1` is one, `--`), which values belong
//! to which action, which tokens are unrecognized, and where parsing stops
//! (a structural error or `--help`). Its output is the ordered list of
//! actions taken with their raw string values, which `command.rs` hands to
//! clap for typing and accumulation.
//!
//! Why not let clap tokenize: argparse's grammar differs from clap's in ways
//! that show: `-vs=x` gives `-s` the value `=x` (before 3.11.9/3.12.3),
//! `-uZ` is an error or leaves `-Z` unrecognized while `-Zu` is an
//! unrecognized argument, interleaved `nargs="?"` positionals are all
//! consumed at the first run of plain arguments before 3.12.7/3.13.1 (`foo
//! -v bar` leaves `bar` unrecognized), and unrecognized tokens are collected
//! rather than fatal. Reproducing those on top of clap's tokenizer would mean
//! re-classifying every token anyway.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::dialect::{Change, Dialect};
use super::pytypes::repr;
use super::spec::{Action, Nargs, SPEC};

/// One argparse `take_action`: the action (an index into `SPEC`) and its
/// argument strings, after argparse dropped the `--` it drops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub spec: usize,
    pub values: Vec<String>,
}

/// Why a scan ended before the end of the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// `-h/--help` was reached: print help, exit 0.
    Help,
    /// An argparse error, already formatted (`argument -a/--at-level: ...`).
    Error(String),
}

/// The actions taken in order, the unrecognized tokens, and the stop, if
/// any. Actions listed before a stop were taken before it, so their value
/// errors (found later, by clap) win over the stop, as in argparse.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scan {
    pub occurrences: Vec<Occurrence>,
    pub extras: Vec<String>,
    pub stop: Option<Stop>,
}

/// argparse's `_option_string_actions`, in insertion order.
fn option_strings() -> &'static [(&'static str, usize)] {
    static TABLE: OnceLock<Vec<(&'static str, usize)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        SPEC.iter()
            .enumerate()
            .flat_map(|(i, spec)| spec.flags.iter().map(move |f| (*f, i)))
            .collect()
    })
}

fn lookup(option_string: &str) -> Option<usize> {
    option_strings()
        .iter()
        .find(|(s, _)| *s == option_string)
        .map(|&(_, i)| i)
}

/// `(action, option_string, sep, explicit_arg)`; `action` is `None` for an
/// option-looking token that matches nothing (it becomes an extra). Of
/// `sep` only whether it is `=` matters (argparse tests its truth).
#[derive(Debug, Clone, PartialEq, Eq)]
struct OptionTuple {
    action: Option<usize>,
    option_string: String,
    sep_equals: bool,
    explicit_arg: Option<String>,
}

impl OptionTuple {
    fn new(action: usize, option_string: &str, sep_equals: bool, explicit: Option<&str>) -> Self {
        OptionTuple {
            action: Some(action),
            option_string: option_string.to_owned(),
            sep_equals,
            explicit_arg: explicit.map(str::to_owned),
        }
    }
}

fn error(spec: usize, message: &str) -> Stop {
    Stop::Error(format!("argument {}: {message}", SPEC[spec].display_name()))
}

fn ignored_explicit(spec: usize, explicit: &str, dialect: Dialect) -> Stop {
    error(
        spec,
        &format!(
            "ignored explicit argument {}",
            repr(explicit, dialect.unicode())
        ),
    )
}

/// `ambiguous option: TOKEN could match A, B`: every matching option string,
/// even when several belong to one action (`--sto` matches
/// `--stop-on-error` and `--stop`).
fn ambiguous(token: &str, tuples: &[OptionTuple]) -> Stop {
    let matches: Vec<&str> = tuples.iter().map(|t| t.option_string.as_str()).collect();
    Stop::Error(format!(
        "ambiguous option: {token} could match {}",
        matches.join(", ")
    ))
}

/// Python's `s[start:end]` on code points.
fn char_slice(s: &str, start: usize, end: Option<usize>) -> String {
    let it = s.chars().skip(start);
    match end {
        Some(end) => it.take(end.saturating_sub(start)).collect(),
        None => it.collect(),
    }
}

/// `_parse_optional`: `Ok(None)` for a positional argument, else the
/// candidate interpretations (several when the token is an ambiguous
/// abbreviation and the ambiguity is only reported when reached).
fn parse_optional(arg: &str, dialect: Dialect) -> Result<Option<Vec<OptionTuple>>, Stop> {
    if !arg.starts_with('-') {
        return Ok(None);
    }
    if let Some(action) = lookup(arg) {
        return Ok(Some(vec![OptionTuple::new(action, arg, false, None)]));
    }
    if arg.chars().count() == 1 {
        return Ok(None);
    }
    if let Some((option_string, explicit_arg)) = arg.split_once('=') {
        if let Some(action) = lookup(option_string) {
            return Ok(Some(vec![OptionTuple::new(
                action,
                option_string,
                true,
                Some(explicit_arg),
            )]));
        }
    }
    let tuples = option_tuples(arg, dialect);
    if tuples.len() > 1 && !dialect.has(Change::DeferredAmbiguity) {
        // Reported while classifying, before any action is taken.
        return Err(ambiguous(arg, &tuples));
    }
    if !tuples.is_empty() {
        return Ok(Some(tuples));
    }
    // A negative-number-looking token would be positional, but the parser
    // has an option that looks like one (`-1`), so it stays an option.
    if arg.contains(' ') {
        return Ok(None);
    }
    Ok(Some(vec![OptionTuple {
        action: None,
        option_string: arg.to_owned(),
        sep_equals: false,
        explicit_arg: None,
    }]))
}

/// `str.partition('=')` as `(prefix, sep_equals, explicit_arg)`.
fn partition_equals(arg: &str) -> (&str, bool, Option<&str>) {
    match arg.split_once('=') {
        Some((prefix, explicit)) => (prefix, true, Some(explicit)),
        None => (arg, false, None),
    }
}

/// `_get_option_tuples` (with `allow_abbrev=True`).
fn option_tuples(arg: &str, dialect: Dialect) -> Vec<OptionTuple> {
    let mut result = Vec::new();
    if arg.starts_with("--") {
        let (prefix, sep_equals, explicit_arg) = partition_equals(arg);
        for &(option_string, action) in option_strings() {
            if option_string.starts_with(prefix) {
                result.push(OptionTuple::new(
                    action,
                    option_string,
                    sep_equals,
                    explicit_arg,
                ));
            }
        }
    } else {
        let (prefix, sep_equals, explicit_arg) = if dialect.has(Change::SingleDashAbbrevEquals) {
            partition_equals(arg)
        } else {
            (arg, false, None)
        };
        let short_prefix = char_slice(arg, 0, Some(2));
        let short_explicit = char_slice(arg, 2, None);
        for &(option_string, action) in option_strings() {
            if option_string == short_prefix {
                result.push(OptionTuple::new(
                    action,
                    option_string,
                    false,
                    Some(&short_explicit),
                ));
            } else if option_string.starts_with(prefix) {
                result.push(OptionTuple::new(
                    action,
                    option_string,
                    sep_equals,
                    explicit_arg,
                ));
            }
        }
    }
    result
}

/// `_get_nargs_pattern`: a regex over the `A`/`O`/`-` pattern string.
fn nargs_pattern(spec: usize) -> &'static str {
    let positional = SPEC[spec].is_positional();
    match (SPEC[spec].nargs, positional) {
        (Nargs::Zero, _) => "()",
        (Nargs::One, false) => "(A)",
        (Nargs::One, true) => "(-*A-*)",
        (Nargs::Two, false) => "(AA)",
        (Nargs::Two, true) => "(-*A-*A-*)",
        (Nargs::Optional, false) => "(A?)",
        (Nargs::Optional, true) => "(-*A?-*)",
    }
}

/// `_match_arguments_partial`: argument counts for the longest prefix of
/// `positionals` that matches. With `trim`, empty matches at the end are
/// dropped when an option follows, leaving those positionals for later.
fn match_partial(positionals: &[usize], pattern: &[u8], trim: bool) -> Vec<usize> {
    let text = String::from_utf8_lossy(pattern);
    for i in (1..=positionals.len()).rev() {
        let source: String = std::iter::once("^")
            .chain(positionals[..i].iter().map(|&p| nargs_pattern(p)))
            .collect();
        let Ok(re) = regex::Regex::new(&source) else {
            continue;
        };
        if let Some(caps) = re.captures(&text) {
            let mut counts: Vec<usize> = caps
                .iter()
                .skip(1)
                .map(|g| g.map_or(0, |m| m.as_str().len()))
                .collect();
            let end = caps.get(0).map_or(0, |m| m.end());
            if trim && pattern.get(end) == Some(&b'O') {
                while counts.last() == Some(&0) {
                    counts.pop();
                }
            }
            return counts;
        }
    }
    Vec::new()
}

struct Scanner<'a> {
    tokens: &'a [String],
    dialect: Dialect,
    pattern: Vec<u8>,
    option_indices: BTreeMap<usize, Vec<OptionTuple>>,
    positionals: Vec<usize>,
    scan: Scan,
}

impl Scanner<'_> {
    /// `_match_argument` for an option: how many argument strings it takes.
    fn match_argument(&self, spec: usize, pattern: &[u8]) -> Result<usize, Stop> {
        let needed = match SPEC[spec].nargs {
            Nargs::Zero => return Ok(0),
            Nargs::One => 1,
            Nargs::Two => 2,
            Nargs::Optional => {
                return Ok(usize::from(pattern.first() == Some(&b'A')));
            }
        };
        // `nargs=N` options match `[AO]{N}` since gh-81691 (`(AA)` before).
        let takes_options = needed > 1 && self.dialect.has(Change::FixedNargsTakeOptions);
        let fits = |c: &u8| *c == b'A' || (takes_options && *c == b'O');
        if pattern.len() >= needed && pattern[..needed].iter().all(fits) {
            Ok(needed)
        } else if needed == 1 {
            Err(error(spec, "expected one argument"))
        } else {
            Err(error(spec, &format!("expected {needed} arguments")))
        }
    }

    /// `take_action` up to the point where clap takes over: drop the first
    /// `--` if this argparse does here, then record the action.
    fn take_action(
        &mut self,
        spec: usize,
        mut values: Vec<String>,
        drop_double_dash: bool,
    ) -> Result<(), Stop> {
        if drop_double_dash {
            if let Some(pos) = values.iter().position(|v| v == "--") {
                values.remove(pos);
            }
        }
        if SPEC[spec].action == Action::Help {
            return Err(Stop::Help);
        }
        let needed = match SPEC[spec].nargs {
            Nargs::One => 1,
            Nargs::Two => 2,
            Nargs::Zero | Nargs::Optional => 0,
        };
        if !SPEC[spec].is_positional() && values.len() < needed {
            // Only `--opt=--` before gh-109475: argparse stores an empty list
            // there, which zope later trips over; refuse it instead.
            return Err(error(spec, "expected one argument"));
        }
        self.scan.occurrences.push(Occurrence { spec, values });
        Ok(())
    }

    fn consume_optional(&mut self, start: usize) -> Result<usize, Stop> {
        let tuples = self.option_indices[&start].clone();
        if tuples.len() > 1 {
            // Deferred ambiguity: reported now that the parser reached it.
            let token = if self.dialect.has(Change::AmbiguityNamesItsToken) {
                &self.tokens[start]
            } else {
                // gh-58573 as first released named the classification loop's
                // last token: the last of the command line.
                self.tokens.last().unwrap_or(&self.tokens[start])
            };
            return Err(ambiguous(token, &tuples));
        }
        let OptionTuple {
            action,
            mut option_string,
            mut sep_equals,
            mut explicit_arg,
        } = tuples.into_iter().next().expect("a classified option");
        let Some(mut action) = action else {
            self.scan.extras.push(self.tokens[start].clone());
            return Ok(start + 1);
        };
        let clusters = self.dialect.has(Change::SingleDashClusters);
        let mut taken: Vec<(usize, Vec<String>)> = Vec::new();
        let stop = loop {
            match explicit_arg.take() {
                Some(explicit) => {
                    let arg_count = self.match_argument(action, b"A")?;
                    let second_is_dash = option_string.chars().nth(1) == Some('-');
                    if arg_count == 0 && !second_is_dash && !explicit.is_empty() {
                        // `-xyz` where `-x` takes nothing: go on with `-y`.
                        let mut rest = explicit.chars();
                        let next_char = rest.next().unwrap_or_default();
                        if clusters && (sep_equals || next_char == '-') {
                            return Err(ignored_explicit(action, &explicit, self.dialect));
                        }
                        taken.push((action, Vec::new()));
                        let prefix_char = option_string.chars().next().unwrap_or('-');
                        option_string = format!("{prefix_char}{next_char}");
                        let rest: String = rest.collect();
                        match lookup(&option_string) {
                            Some(next) => {
                                action = next;
                                if !clusters {
                                    explicit_arg = (!rest.is_empty()).then_some(rest);
                                } else if let Some(value) = rest.strip_prefix('=') {
                                    sep_equals = true;
                                    explicit_arg = Some(value.to_owned());
                                } else {
                                    sep_equals = false;
                                    explicit_arg = (!rest.is_empty()).then_some(rest);
                                }
                            }
                            None if clusters => {
                                // The rest of the cluster is unrecognized.
                                self.scan.extras.push(format!("{prefix_char}{explicit}"));
                                break start + 1;
                            }
                            None => return Err(ignored_explicit(action, &explicit, self.dialect)),
                        }
                    } else if arg_count == 1 {
                        taken.push((action, vec![explicit]));
                        break start + 1;
                    } else {
                        return Err(ignored_explicit(action, &explicit, self.dialect));
                    }
                }
                None => {
                    let first = start + 1;
                    let count = self
                        .match_argument(action, &self.pattern[first.min(self.pattern.len())..])?;
                    taken.push((action, self.tokens[first..first + count].to_vec()));
                    break first + count;
                }
            }
        };
        // Before gh-109475 `_get_values` dropped a `--` from option values
        // too (they can only hold one as an explicit `--opt=--`).
        let drop_double_dash = !self.dialect.has(Change::ExplicitDoubleDash);
        for (spec, values) in taken {
            self.take_action(spec, values, drop_double_dash)?;
        }
        Ok(stop)
    }

    fn consume_positionals(&mut self, mut start: usize) -> Result<usize, Stop> {
        let trim = self.dialect.has(Change::PartialMatchTrim);
        let counts = match_partial(&self.positionals, &self.pattern[start..], trim);
        let matched: Vec<usize> = self.positionals.drain(..counts.len()).collect();
        for (spec, count) in matched.into_iter().zip(counts) {
            let values = self.tokens[start..start + count].to_vec();
            let drop_double_dash = if self.dialect.has(Change::PositionalDoubleDash) {
                // Only the separator itself, if it is among these arguments.
                self.pattern[start..start + count].contains(&b'-')
            } else {
                true
            };
            start += count;
            self.take_action(spec, values, drop_double_dash)?;
        }
        Ok(start)
    }

    fn run(&mut self) -> Result<(), Stop> {
        let mut start = 0;
        while let Some((&next_option, _)) = self.option_indices.range(start..).next() {
            if start != next_option {
                let end = self.consume_positionals(start)?;
                if end > start {
                    start = end;
                    continue;
                }
            }
            if !self.option_indices.contains_key(&start) {
                self.scan
                    .extras
                    .extend(self.tokens[start..next_option].iter().cloned());
                start = next_option;
            }
            start = self.consume_optional(start)?;
        }
        let stop = self.consume_positionals(start)?;
        self.scan
            .extras
            .extend(self.tokens[stop.min(self.tokens.len())..].iter().cloned());
        Ok(())
    }
}

/// Scan `tokens` (argv without the program name) the way the argparse of
/// `dialect` would parse them with zope's parser.
pub fn scan(tokens: &[String], dialect: Dialect) -> Scan {
    let mut pattern = Vec::with_capacity(tokens.len());
    let mut option_indices = BTreeMap::new();
    let mut after_dashes = false;
    for (i, token) in tokens.iter().enumerate() {
        if after_dashes {
            pattern.push(b'A');
        } else if token == "--" {
            pattern.push(b'-');
            after_dashes = true;
        } else {
            match parse_optional(token, dialect) {
                // Ambiguity found while classifying stops before any action.
                Err(stop) => {
                    return Scan {
                        stop: Some(stop),
                        ..Scan::default()
                    }
                }
                Ok(None) => pattern.push(b'A'),
                Ok(Some(tuples)) => {
                    option_indices.insert(i, tuples);
                    pattern.push(b'O');
                }
            }
        }
    }
    let mut scanner = Scanner {
        tokens,
        dialect,
        pattern,
        option_indices,
        positionals: (0..SPEC.len())
            .filter(|&i| SPEC[i].is_positional())
            .collect(),
        scan: Scan::default(),
    };
    if let Err(stop) = scanner.run() {
        scanner.scan.stop = Some(stop);
    }
    scanner.scan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idx(flag: &str) -> usize {
        lookup(flag).unwrap()
    }

    fn pos(dest: &str) -> usize {
        SPEC.iter().position(|s| s.dest == dest).unwrap()
    }

    fn occ(spec: usize, values: &[&str]) -> Occurrence {
        Occurrence {
            spec,
            values: values.iter().map(|v| v.to_string()).collect(),
        }
    }

    fn run(args: &[&str]) -> Scan {
        run_as(Dialect::REFERENCE, args)
    }

    fn run_as(dialect: Dialect, args: &[&str]) -> Scan {
        let tokens: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        scan(&tokens, dialect)
    }

    fn stop_message(args: &[&str]) -> String {
        match run(args).stop {
            Some(Stop::Error(m)) => m,
            other => panic!("{args:?}: expected an error, got {other:?}"),
        }
    }

    #[test]
    fn short_clusters_and_attached_values() {
        let s = run(&["-vvv", "-N4", "-ssample1", "-m_one", "--layer=X", "-pvv"]);
        let v = idx("-v");
        assert_eq!(
            s.occurrences,
            vec![
                occ(v, &[]),
                occ(v, &[]),
                occ(v, &[]),
                occ(idx("-N"), &["4"]),
                occ(idx("-s"), &["sample1"]),
                occ(idx("-m"), &["_one"]),
                occ(idx("--layer"), &["X"]),
                occ(idx("-p"), &[]),
                occ(v, &[]),
                occ(v, &[]),
                occ(pos("legacy_module_filter"), &[]),
                occ(pos("legacy_test_filter"), &[]),
            ]
        );
        assert_eq!(s.stop, None);
        // After a cluster letter, `=` is part of the value.
        assert_eq!(run(&["-vs=x"]).occurrences[1], occ(idx("-s"), &["=x"]));
        assert_eq!(run(&["-s=x"]).occurrences[0], occ(idx("-s"), &["x"]));
    }

    #[test]
    fn abbreviations_and_ambiguity() {
        assert_eq!(run(&["--at-l", "3"]).occurrences[0], occ(idx("-a"), &["3"]));
        assert_eq!(
            run(&["--lay=X"]).occurrences[0],
            occ(idx("--layer"), &["X"])
        );
        assert_eq!(run(&["--stop-"]).occurrences[0], occ(idx("-x"), &[]));
        assert_eq!(
            stop_message(&["--sto"]),
            "ambiguous option: --sto could match --stop-on-error, --stop"
        );
        assert_eq!(
            stop_message(&["--h"]),
            "ambiguous option: --h could match --help, --hide-secondary-failures"
        );
        assert_eq!(
            stop_message(&["-v", "--ignore=x"]),
            "ambiguous option: --ignore=x could match --ignore-new-thread, --ignore_dir"
        );
        // Ambiguity is found before an earlier token's error.
        assert_eq!(
            stop_message(&["-a", "--sub"]),
            "ambiguous option: --sub could match --subunit, --subunit-v2"
        );
        // After `--` nothing is an option.
        let s = run(&["--", "--sub", "x"]);
        assert_eq!(s.stop, None);
        assert_eq!(
            s.occurrences[0],
            occ(pos("legacy_module_filter"), &["--sub"])
        );
    }

    #[test]
    fn structural_errors() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["-a", "-1"],
                "argument -a/--at-level: expected one argument",
            ),
            (&["-a"], "argument -a/--at-level: expected one argument"),
            (
                &["-a", "-x y"],
                "argument -a/--at-level: expected one argument",
            ),
            (
                &["-a", "--", "1"],
                "argument -a/--at-level: expected one argument",
            ),
            (
                &["--package-path", "a"],
                "argument --package-path: expected 2 arguments",
            ),
            (
                &["--package-path=a", "b"],
                "argument --package-path: expected 2 arguments",
            ),
            (
                &["-12"],
                "argument -1/--hide-secondary-failures: ignored explicit argument '2'",
            ),
            (
                &["-uZ"],
                "argument --unit/-u: ignored explicit argument 'Z'",
            ),
            (
                &["--unit=3"],
                "argument --unit/-u: ignored explicit argument '3'",
            ),
            (&["-u="], "argument --unit/-u: ignored explicit argument ''"),
            (
                &["--help=x"],
                "argument -h/--help: ignored explicit argument 'x'",
            ),
            (&["--layer=--"], "argument --layer: expected one argument"),
        ];
        for (args, want) in cases {
            assert_eq!(stop_message(args), *want, "{args:?}");
        }
    }

    #[test]
    fn extras_and_positionals() {
        let s = run(&["foo", "-v", "bar"]);
        assert_eq!(s.extras, ["bar"]);
        assert_eq!(s.occurrences[0], occ(pos("legacy_module_filter"), &["foo"]));
        assert_eq!(s.occurrences[1], occ(pos("legacy_test_filter"), &[]));
        assert_eq!(run(&["x", "y", "--", "z"]).extras, ["z"]);
        assert_eq!(run(&["x", "y", "z", "--", "w"]).extras, ["z", "--", "w"]);
        // `x` is the first run of plain arguments: a positional.
        assert_eq!(
            run(&["-5", "--bogus", "x", "-Zu"]).extras,
            ["-5", "--bogus", "-Zu"]
        );
        let s = run(&["--", "--"]);
        assert_eq!(s.occurrences[0], occ(pos("legacy_module_filter"), &["--"]));
        let s = run(&["-s", "-", "-a", "-5 x"]);
        assert_eq!(s.occurrences[0], occ(idx("-s"), &["-"]));
        assert_eq!(s.occurrences[1], occ(idx("-a"), &["-5 x"]));
        assert_eq!(
            run(&["--package-path", "p", "k"]).occurrences[0],
            occ(idx("--package-path"), &["p", "k"])
        );
    }

    #[test]
    fn help_stops_where_it_is_reached() {
        let s = run(&["--bogus", "-v", "--help", "-a"]);
        assert_eq!(s.stop, Some(Stop::Help));
        assert_eq!(s.occurrences, vec![occ(idx("-v"), &[])]);
        assert_eq!(
            stop_message(&["-a", "--help"]),
            "argument -a/--at-level: expected one argument"
        );
        assert_eq!(run(&["-vh"]).stop, Some(Stop::Help));
    }

    const V3_11_8: Dialect = Dialect {
        version: (3, 11, 8),
    };
    const V3_12_3: Dialect = Dialect {
        version: (3, 12, 3),
    };
    const V3_12_7: Dialect = Dialect {
        version: (3, 12, 7),
    };
    const V3_13_0: Dialect = Dialect {
        version: (3, 13, 0),
    };
    const V3_13_5: Dialect = Dialect {
        version: (3, 13, 5),
    };

    fn stop_message_as(dialect: Dialect, args: &[&str]) -> String {
        match run_as(dialect, args).stop {
            Some(Stop::Error(m)) => m,
            other => panic!(
                "{:?} {args:?}: expected an error, got {other:?}",
                dialect.version
            ),
        }
    }

    #[test]
    fn clusters_by_release() {
        // Before gh-60346 an unknown letter in a cluster is an error; after,
        // the rest of the cluster is unrecognized.
        assert_eq!(
            stop_message(&["-uZ"]),
            "argument --unit/-u: ignored explicit argument 'Z'"
        );
        for dialect in [V3_12_3, V3_13_0, V3_13_5] {
            let s = run_as(dialect, &["-uZ", "-12"]);
            assert_eq!(s.stop, None);
            assert_eq!(s.extras, ["-Z", "-2"]);
            assert_eq!(s.occurrences[0], occ(idx("-u"), &[]));
            assert_eq!(s.occurrences[1], occ(idx("-1"), &[]));
            // `=` after a cluster letter separates its value.
            assert_eq!(
                run_as(dialect, &["-vs=x"]).occurrences[1],
                occ(idx("-s"), &["x"])
            );
            // A flag followed by `=`: the value is not another flag.
            assert_eq!(
                stop_message_as(dialect, &["-u=v"]),
                "argument --unit/-u: ignored explicit argument 'v'"
            );
            assert_eq!(
                stop_message_as(dialect, &["-vq=1"]),
                "argument --quiet/-q: ignored explicit argument '1'"
            );
        }
        assert_eq!(
            run_as(V3_11_8, &["-vs=x"]).occurrences[1],
            occ(idx("-s"), &["=x"])
        );
        let s = run(&["-u=v"]);
        assert_eq!(s.stop, None);
        assert_eq!(
            s.occurrences[..2],
            [occ(idx("-u"), &[]), occ(idx("-v"), &[])]
        );
        for dialect in [Dialect::REFERENCE, V3_13_5] {
            assert_eq!(
                stop_message_as(dialect, &["-u-x"]),
                "argument --unit/-u: ignored explicit argument '-x'"
            );
        }
    }

    #[test]
    fn ambiguity_by_release() {
        // Reported while classifying: before an earlier token's error.
        for dialect in [Dialect::REFERENCE, V3_12_3, V3_13_0] {
            assert_eq!(
                stop_message_as(dialect, &["-a", "--sub"]),
                "ambiguous option: --sub could match --subunit, --subunit-v2"
            );
        }
        // Reported when reached: the earlier error wins, the earlier actions
        // are taken.
        assert_eq!(
            stop_message_as(V3_13_5, &["-a", "--sub"]),
            "argument -a/--at-level: expected one argument"
        );
        let s = run_as(V3_13_5, &["-v", "--sto", "x"]);
        assert_eq!(s.occurrences, [occ(idx("-v"), &[])]);
        assert_eq!(
            s.stop,
            Some(Stop::Error(
                "ambiguous option: --sto could match --stop-on-error, --stop".into()
            ))
        );
        // 3.12.7 named the last token of the command line.
        assert_eq!(
            stop_message_as(V3_12_7, &["--sto", "a", "b"]),
            "ambiguous option: b could match --stop-on-error, --stop"
        );
        // Never reached: consumed as a value of `nargs=2`.
        let s = run_as(V3_13_5, &["--package-path", "a", "--sto"]);
        assert_eq!(s.stop, None);
        assert_eq!(
            s.occurrences[0],
            occ(idx("--package-path"), &["a", "--sto"])
        );
        // gh-124345: `-=x` abbreviates every option.
        assert_eq!(run_as(V3_13_0, &["-=x"]).extras, ["-=x"]);
        let all: Vec<&str> = option_strings().iter().map(|(s, _)| *s).collect();
        assert_eq!(
            stop_message_as(V3_13_5, &["-="]),
            format!("ambiguous option: -= could match {}", all.join(", "))
        );
    }

    #[test]
    fn double_dash_by_release() {
        // An explicit `--` value is kept since gh-109475.
        assert_eq!(
            stop_message(&["--layer=--"]),
            "argument --layer: expected one argument"
        );
        for dialect in [V3_11_8, V3_13_0, V3_13_5] {
            let s = run_as(dialect, &["--layer=--", "-s--"]);
            assert_eq!(s.stop, None);
            assert_eq!(s.occurrences[0], occ(idx("--layer"), &["--"]));
            assert_eq!(s.occurrences[1], occ(idx("-s"), &["--"]));
        }
        // A positional drops only the separator since gh-81691.
        for (dialect, second) in [
            (Dialect::REFERENCE, &[][..]),
            (V3_13_0, &[][..]),
            (V3_13_5, &["--"][..]),
        ] {
            let s = run_as(dialect, &["--", "-a", "--"]);
            assert_eq!(s.occurrences[0], occ(pos("legacy_module_filter"), &["-a"]));
            assert_eq!(s.occurrences[1], occ(pos("legacy_test_filter"), second));
        }
    }

    #[test]
    fn positionals_and_fixed_nargs_by_release() {
        // gh-59317: the second positional waits for the next plain argument.
        let s = run_as(V3_12_7, &["foo", "-v", "bar"]);
        assert_eq!(s.extras, Vec::<String>::new());
        assert_eq!(s.occurrences[0], occ(pos("legacy_module_filter"), &["foo"]));
        assert_eq!(s.occurrences[2], occ(pos("legacy_test_filter"), &["bar"]));
        assert_eq!(run_as(V3_13_0, &["foo", "-v", "bar"]).extras, ["bar"]);
        // gh-81691: `nargs=2` options take option-looking tokens.
        assert_eq!(
            stop_message_as(V3_13_0, &["--package-path", "a", "-v"]),
            "argument --package-path: expected 2 arguments"
        );
        assert_eq!(
            run_as(V3_13_5, &["--package-path", "a", "-v"]).occurrences[0],
            occ(idx("--package-path"), &["a", "-v"])
        );
        assert_eq!(
            stop_message_as(V3_13_5, &["--package-path", "a", "--", "b"]),
            "argument --package-path: expected 2 arguments"
        );
    }
}
