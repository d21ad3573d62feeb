//! argparse's `HelpFormatter` for zope's parser: `format_usage` (the usage
//! line and its wrapping) and `format_help` (description, groups, action
//! invocations and wrapped help texts).
//!
//! On zope's parser the releases differ only in the action invocations
//! (`Change::CompactInvocation`, 3.13). 3.13 also rebuilt the usage
//! wrapping (`_get_actions_usage_parts` instead of splitting the formatted
//! usage with a regex), and earlier 3.11 releases (Debian's 3.11.2) also
//! stripped parentheses that hold no `|` from the usage, but zope has no
//! mutually exclusive groups and no metavar with brackets or parentheses, so
//! every release gives the same usage parts.
//!
//! `width` is argparse's: the terminal columns minus 2. Lengths are code
//! point counts, like Python's `len`.

use super::dialect::{Change, Dialect};
use super::pytypes::Unicode;
use super::spec::{Default, Nargs, OptSpec, DESCRIPTION, GROUPS, SPEC};
use super::textwrap;

const INDENT_INCREMENT: i64 = 2;
const MAX_HELP_POSITION: i64 = 24;

fn len(s: &str) -> i64 {
    s.chars().count() as i64
}

fn spaces(n: i64) -> String {
    " ".repeat(n.max(0) as usize)
}

/// The part of the usage line for one action (`_format_actions_usage`).
fn usage_part(spec: &OptSpec) -> String {
    let args = format_args(spec);
    if spec.is_positional() {
        args
    } else if spec.nargs == Nargs::Zero {
        format!("[{}]", spec.flags[0])
    } else {
        format!("[{} {args}]", spec.flags[0])
    }
}

/// `_format_args`.
fn format_args(spec: &OptSpec) -> String {
    let metavar = spec.metavar_text();
    match spec.nargs {
        Nargs::Zero => String::new(),
        Nargs::One => metavar,
        Nargs::Two => format!("{metavar} {metavar}"),
        Nargs::Optional => format!("[{metavar}]"),
    }
}

/// `_format_action_invocation`: `-s ARGS, --long ARGS`, or since 3.13
/// `-s, --long ARGS`.
fn invocation(spec: &OptSpec, dialect: Dialect) -> String {
    if spec.is_positional() {
        spec.metavar_text()
    } else if spec.nargs == Nargs::Zero {
        spec.flags.join(", ")
    } else if dialect.has(Change::CompactInvocation) {
        format!("{} {}", spec.flags.join(", "), format_args(spec))
    } else {
        let args = format_args(spec);
        spec.flags
            .iter()
            .map(|f| format!("{f} {args}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `_expand_help`: only `%(default)s` and `%(prog)s` occur in zope's texts.
fn expand_help(spec: &OptSpec, prog: &str, unicode: Unicode) -> String {
    let default = match spec.default {
        Default::Suppress => "==SUPPRESS==".to_owned(),
        Default::None => "None".to_owned(),
        Default::Bool(true) => "True".to_owned(),
        Default::Bool(false) => "False".to_owned(),
        Default::Int(i) => i.to_string(),
        Default::Str(s) => s.to_owned(),
        Default::StrList(items) => format!(
            "[{}]",
            items
                .iter()
                .map(|s| super::pytypes::repr(s, unicode))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    spec.help
        .replace("%(default)s", &default)
        .replace("%(prog)s", prog)
        .replace("%%", "%")
}

/// argparse's `_whitespace_matcher.sub(' ', text).strip()` (ASCII `\s+`).
fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{0b}' | '\u{0c}') {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    super::pytypes::strip(&out).to_owned()
}

struct Formatter<'a> {
    prog: &'a str,
    width: i64,
    max_help_position: i64,
    dialect: Dialect,
}

impl<'a> Formatter<'a> {
    fn new(prog: &'a str, columns: usize, dialect: Dialect) -> Formatter<'a> {
        let width = columns as i64 - 2;
        Formatter {
            prog,
            width,
            dialect,
            max_help_position: MAX_HELP_POSITION.min((width - 20).max(INDENT_INCREMENT * 2)),
        }
    }

    /// `_format_usage` with the default prefix, at indent 0.
    fn usage(&self) -> String {
        let prefix = "usage: ";
        let prog = self.prog;
        let opt_parts: Vec<String> = SPEC
            .iter()
            .filter(|s| !s.is_positional())
            .map(usage_part)
            .collect();
        let pos_parts: Vec<String> = SPEC
            .iter()
            .filter(|s| s.is_positional())
            .map(usage_part)
            .collect();
        let action_usage = opt_parts
            .iter()
            .chain(&pos_parts)
            .cloned()
            .collect::<Vec<_>>()
            .join(" ");
        let mut usage = [prog, action_usage.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");

        let text_width = self.width;
        if len(prefix) + len(&usage) > text_width {
            let get_lines = |parts: &[String], indent: &str, prefix: Option<&str>| {
                let mut lines: Vec<String> = Vec::new();
                let mut line: Vec<&str> = Vec::new();
                let mut line_len = match prefix {
                    Some(p) => len(p) - 1,
                    None => len(indent) - 1,
                };
                for part in parts {
                    if line_len + 1 + len(part) > text_width && !line.is_empty() {
                        lines.push(format!("{indent}{}", line.join(" ")));
                        line.clear();
                        line_len = len(indent) - 1;
                    }
                    line.push(part);
                    line_len += len(part) + 1;
                }
                if !line.is_empty() {
                    lines.push(format!("{indent}{}", line.join(" ")));
                }
                if prefix.is_some() {
                    if let Some(first) = lines.first_mut() {
                        *first = first.chars().skip(indent.chars().count()).collect();
                    }
                }
                lines
            };
            let with_prog = |parts: &[String]| {
                std::iter::once(prog.to_owned())
                    .chain(parts.iter().cloned())
                    .collect::<Vec<_>>()
            };

            let lines = if (len(prefix) + len(prog)) as f64 <= 0.75 * text_width as f64 {
                let indent = spaces(len(prefix) + len(prog) + 1);
                if !opt_parts.is_empty() {
                    let mut lines = get_lines(&with_prog(&opt_parts), &indent, Some(prefix));
                    lines.extend(get_lines(&pos_parts, &indent, None));
                    lines
                } else if !pos_parts.is_empty() {
                    get_lines(&with_prog(&pos_parts), &indent, Some(prefix))
                } else {
                    vec![prog.to_owned()]
                }
            } else {
                let indent = spaces(len(prefix));
                let all_parts: Vec<String> = opt_parts.iter().chain(&pos_parts).cloned().collect();
                let mut lines = get_lines(&all_parts, &indent, None);
                if lines.len() > 1 {
                    lines = get_lines(&opt_parts, &indent, None);
                    lines.extend(get_lines(&pos_parts, &indent, None));
                }
                std::iter::once(prog.to_owned()).chain(lines).collect()
            };
            usage = lines.join("\n");
        }
        format!("{prefix}{usage}\n\n")
    }

    /// `_format_text` at `indent`.
    fn text(&self, text: &str, indent: i64) -> String {
        let text = text.replace("%(prog)s", self.prog);
        let text_width = (self.width - indent).max(11);
        let indent = spaces(indent);
        let text = collapse_whitespace(&text);
        format!(
            "{}\n\n",
            textwrap::fill(
                &text,
                text_width as usize,
                &indent,
                &indent,
                self.dialect.unicode()
            )
        )
    }

    /// `_action_max_length` once every action was added (at indent 2).
    fn action_max_length(&self) -> i64 {
        SPEC.iter()
            .map(|s| len(&invocation(s, self.dialect)) + INDENT_INCREMENT)
            .max()
            .unwrap_or(0)
    }

    /// `_format_action` at `indent`.
    fn action(&self, spec: &OptSpec, indent: i64, action_max_length: i64) -> String {
        let help_position = (action_max_length + 2).min(self.max_help_position);
        let help_width = (self.width - help_position).max(11);
        let action_width = help_position - indent - 2;
        let header = invocation(spec, self.dialect);
        let mut out = String::new();
        let indent_first;
        if spec.help.is_empty() {
            return format!("{}{header}\n", spaces(indent));
        } else if len(&header) <= action_width {
            out.push_str(&format!(
                "{}{header}{}  ",
                spaces(indent),
                spaces(action_width - len(&header))
            ));
            indent_first = 0;
        } else {
            out.push_str(&format!("{}{header}\n", spaces(indent)));
            indent_first = help_position;
        }
        let unicode = self.dialect.unicode();
        let help = collapse_whitespace(&expand_help(spec, self.prog, unicode));
        let lines = textwrap::wrap(&help, help_width as usize, "", "", unicode);
        if super::pytypes::strip(spec.help).is_empty() || lines.is_empty() {
            if !out.ends_with('\n') {
                out.push('\n');
            }
            return out;
        }
        out.push_str(&format!("{}{}\n", spaces(indent_first), lines[0]));
        for line in &lines[1..] {
            out.push_str(&format!("{}{line}\n", spaces(help_position)));
        }
        out
    }
}

/// argparse's final clean-up (`HelpFormatter.format_help`): runs of three or
/// more newlines become two, outer newlines go, one is added.
fn finish(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut newlines = 0;
    for c in text.chars().map(Some).chain([None]) {
        if c == Some('\n') {
            newlines += 1;
            continue;
        }
        out.extend(std::iter::repeat_n('\n', newlines.min(2)));
        newlines = 0;
        out.extend(c);
    }
    format!("{}\n", out.trim_matches('\n'))
}

/// `parser.format_usage()` of the reference release (`Dialect::REFERENCE`).
pub fn format_usage(prog: &str, columns: usize) -> String {
    format_usage_for(prog, columns, Dialect::REFERENCE)
}

/// `parser.format_help()` of the reference release (`Dialect::REFERENCE`).
pub fn format_help(prog: &str, columns: usize) -> String {
    format_help_for(prog, columns, Dialect::REFERENCE)
}

/// `parser.format_usage()` under `dialect`'s argparse: `usage: ...\n`.
pub fn format_usage_for(prog: &str, columns: usize, dialect: Dialect) -> String {
    finish(&Formatter::new(prog, columns, dialect).usage())
}

/// `parser.format_help()` under `dialect`'s argparse: what `--help` prints.
pub fn format_help_for(prog: &str, columns: usize, dialect: Dialect) -> String {
    let f = Formatter::new(prog, columns, dialect);
    let max_length = f.action_max_length();
    let mut out = f.usage();
    out.push_str(&f.text(DESCRIPTION, 0));
    for group in GROUPS {
        let mut items = String::new();
        if let Some(description) = group.description {
            items.push_str(&f.text(description, INDENT_INCREMENT));
        }
        for spec in SPEC.iter().filter(|s| s.group == group.group) {
            items.push_str(&f.action(spec, INDENT_INCREMENT, max_length));
        }
        if !items.is_empty() {
            out.push_str(&format!("\n{}:\n{items}\n", group.title));
        }
    }
    finish(&out)
}

#[cfg(test)]
mod tests {
    use super::super::spec::{Action, Group};
    use super::*;

    /// The groups must cover every action and `-h` must exist, or the help
    /// output would silently drop lines.
    fn check_groups() {
        for spec in SPEC {
            assert!(
                GROUPS.iter().any(|g| g.group == spec.group),
                "{}",
                spec.dest
            );
        }
        assert!(SPEC
            .iter()
            .any(|s| s.action == Action::Help && s.group == Group::Options));
    }

    const REFERENCE_80: &str = include_str!("testdata/help-80.txt");
    /// `parser.format_help()` of zope under CPython 3.13.5 at 80 columns
    /// (the `--gc-option` choices put in the spec's order).
    const REFERENCE_80_PY313: &str = include_str!("testdata/help-80-py313.txt");

    #[test]
    fn help_at_80_columns_matches_the_reference() {
        check_groups();
        let ours = format_help("zope-testrunner", 80);
        for (i, (a, b)) in ours.lines().zip(REFERENCE_80.lines()).enumerate() {
            assert_eq!(a, b, "line {}", i + 1);
        }
        assert_eq!(ours, REFERENCE_80);
    }

    #[test]
    fn help_follows_the_release() {
        let py313 = format_help_for("zope-testrunner", 80, Dialect::new((3, 13, 5)));
        for (i, (a, b)) in py313.lines().zip(REFERENCE_80_PY313.lines()).enumerate() {
            assert_eq!(a, b, "line {}", i + 1);
        }
        assert_eq!(py313, REFERENCE_80_PY313);
        // The compact form arrived with 3.13.0; no 3.11/3.12 release has it.
        let cases: &[((u32, u32, u32), &str)] = &[
            (
                (3, 11, 2),
                "  --package PACKAGE, --dir PACKAGE, -s PACKAGE\n",
            ),
            (
                (3, 11, 9),
                "  --package PACKAGE, --dir PACKAGE, -s PACKAGE\n",
            ),
            (
                (3, 12, 10),
                "  --package PACKAGE, --dir PACKAGE, -s PACKAGE\n",
            ),
            ((3, 13, 0), "  --package, --dir, -s PACKAGE\n"),
            ((3, 14, 0), "  --package, --dir, -s PACKAGE\n"),
        ];
        for (version, line) in cases {
            let help = format_help_for("zope-testrunner", 80, Dialect::new(*version));
            assert!(help.contains(line), "{version:?}");
            // The usage line is the same in every release.
            assert!(help.starts_with(&format_usage("zope-testrunner", 80)));
        }
        assert_eq!(format_help("zope-testrunner", 80), REFERENCE_80);
    }

    #[test]
    fn usage_wraps_like_argparse() {
        // Expected values from Python 3.11: the first lines of
        // parser.format_usage() for these (prog, COLUMNS).
        let usage = format_usage("zope-testrunner", 80);
        assert!(usage.starts_with(
            "usage: zope-testrunner [-h] [--package PACKAGE] [--module MODULE]\n                       [--test TEST]"
        ));
        // A long prog goes on its own line.
        let usage = format_usage(&"p".repeat(60), 80);
        let mut lines = usage.lines();
        assert_eq!(
            lines.next(),
            Some(format!("usage: {}", "p".repeat(60)).as_str())
        );
        assert!(lines
            .next()
            .unwrap()
            .starts_with("       [-h] [--package PACKAGE]"));
        // Wide enough: one line.
        let usage = format_usage("x", 4000);
        assert_eq!(usage.lines().count(), 1);
        assert!(usage.ends_with("[legacy_module_filter] [legacy_test_filter]\n"));
        // Empty prog: argparse drops it from the one-line form.
        assert!(format_usage("", 4000).starts_with("usage: [-h] "));
    }

    #[test]
    fn usage_at_several_widths() {
        // Expected values from Python 3.11: the first lines of
        // parser.format_usage() with COLUMNS set.
        let head = |prog: &str, columns: usize, n: usize| {
            format_usage(prog, columns)
                .lines()
                .take(n)
                .collect::<Vec<_>>()
                .join("\n")
        };
        assert_eq!(
            head("zope-testrunner", 40, 4),
            "usage: zope-testrunner [-h]\n                       [--package PACKAGE]\n                       \
             [--module MODULE]\n                       [--test TEST]"
        );
        // Under 0.75 of the width the prog gets its own line.
        assert_eq!(
            head("zope-testrunner", 1, 4),
            "usage: zope-testrunner\n       [-h]\n       [--package PACKAGE]\n       [--module MODULE]"
        );
        assert_eq!(
            head(&"p".repeat(52), 80, 3),
            format!(
                "usage: {}\n       [-h] [--package PACKAGE] [--module MODULE] [--test TEST] [--unit]\n       \
                 [--non-unit] [--layer LAYER] [-a AT_LEVEL] [--all]",
                "p".repeat(52)
            )
        );
        for columns in 0..4 {
            assert!(format_help("zope-testrunner", columns).starts_with("usage: zope-testrunner\n"));
        }
    }

    #[test]
    fn finish_collapses_newlines() {
        assert_eq!(finish("\n\na\n\n\n\nb\n\nc\n\n\n"), "a\n\nb\n\nc\n");
    }
}
