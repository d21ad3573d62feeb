//! zope.testrunner's `ColorfulOutputFormatter` (`-c`): the ANSI colours the
//! console reporter puts around its plain text, byte for byte.
//!
//! zope colours what it prints line by line, from the formatted text alone
//! (tracebacks, doctest reports), so everything here is a function of
//! strings. Each function appends to a buffer that the console writes to
//! stdout.

use std::sync::LazyLock;

use crate::events::{Counts, ReportKind};

/// The roles of zope's `colorscheme`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Normal,
    Info,
    SuboptimalBehaviour,
    Error,
    Number,
    SlowTest,
    OkNumber,
    ErrorNumber,
    Filename,
    Lineno,
    Testname,
    FailedExample,
    ExpectedOutput,
    ActualOutput,
    CharacterDiffs,
    DiffChunk,
    Exception,
    Skipped,
}

impl Role {
    /// The colour zope's scheme gives the role.
    pub fn scheme(self) -> &'static str {
        match self {
            Role::Normal | Role::Info => "normal",
            Role::SuboptimalBehaviour => "magenta",
            Role::Error | Role::ErrorNumber => "brightred",
            Role::Number | Role::OkNumber | Role::ExpectedOutput => "green",
            Role::SlowTest => "brightmagenta",
            Role::Filename => "lightblue",
            Role::Lineno => "lightred",
            Role::Testname => "lightcyan",
            Role::FailedExample => "cyan",
            Role::ActualOutput | Role::Exception => "red",
            Role::CharacterDiffs | Role::DiffChunk => "magenta",
            Role::Skipped => "brightyellow",
        }
    }

    /// The terminal code of [`Role::scheme`], as zope's `color_code` makes it.
    pub fn code(self) -> &'static str {
        match self.scheme() {
            "normal" => NORMAL,
            "magenta" => "\x1b[35m",
            "brightred" | "lightred" => "\x1b[1;31m",
            "green" => "\x1b[32m",
            "brightmagenta" => "\x1b[1;35m",
            "lightblue" => "\x1b[1;34m",
            "lightcyan" => "\x1b[1;36m",
            "cyan" => "\x1b[36m",
            "red" => "\x1b[31m",
            "brightyellow" => "\x1b[1;33m",
            other => unreachable!("no colour {other} in the scheme"),
        }
    }
}

/// `normal`, `default` and `info` alike.
pub const NORMAL: &str = "\x1b[0m";

/// zope's `colorize(what, message)`.
pub fn colorize(role: Role, message: &str) -> String {
    let code = role.code();
    let mut s = String::with_capacity(code.len() + message.len() + NORMAL.len());
    s.push_str(code);
    s.push_str(message);
    s.push_str(NORMAL);
    s
}

fn count_color(n: usize, nonzero: Role) -> &'static str {
    if n > 0 {
        nonzero.code()
    } else {
        Role::OkNumber.code()
    }
}

/// `format_seconds`: the numbers green, the words not.
pub fn format_seconds(seconds: f64) -> String {
    let number = Role::Number.code();
    match super::format::split_minutes(seconds) {
        Some((minutes, rest)) => {
            format!("{number}{minutes:.0}{NORMAL} minutes {number}{rest:.3}{NORMAL} seconds")
        }
        None => format!("{number}{seconds:.3}{NORMAL} seconds"),
    }
}

/// `format_seconds_short`: a test's time, standing out from `threshold` on.
pub fn format_seconds_short(seconds: f64, threshold: f64) -> String {
    let role = if seconds >= threshold {
        Role::SlowTest
    } else {
        Role::Number
    };
    colorize(role, &format!("{seconds:.3} s"))
}

/// `summary` (`"  Ran "`, `" tests with "`) and `totals` (`"Total: "`,
/// `" tests, "`): unlike the plain lines, "N errors, N skipped".
pub fn summary_line(prefix: &str, tests_word: &str, counts: &Counts, seconds: f64) -> String {
    format!(
        "{NORMAL}{prefix}{}{}{NORMAL}{tests_word}{}{}{NORMAL} failures, {}{}{NORMAL} errors, \
         {}{}{NORMAL} skipped in {}.{NORMAL}\n",
        Role::Number.code(),
        counts.tests,
        count_color(counts.failures, Role::ErrorNumber),
        counts.failures,
        count_color(counts.errors, Role::ErrorNumber),
        counts.errors,
        count_color(counts.skipped, Role::Skipped),
        counts.skipped,
        format_seconds(seconds),
    )
}

/// `test_skipped` at `-vv` (no reason) and `-vvv`.
pub fn skipped(reason: Option<&str>) -> String {
    let code = Role::Skipped.code();
    match reason {
        Some(reason) => format!(" ({code}skipped: {reason}{NORMAL})"),
        None => format!(" ({code}skipped{NORMAL})"),
    }
}

/// Python's `str.splitlines()`: every line boundary Python knows, the
/// line ends dropped, no empty last line.
pub fn py_splitlines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        match rest.char_indices().find(|&(_, c)| {
            matches!(
                c,
                '\n' | '\r'
                    | '\x0b'
                    | '\x0c'
                    | '\x1c'
                    | '\x1d'
                    | '\x1e'
                    | '\u{85}'
                    | '\u{2028}'
                    | '\u{2029}'
            )
        }) {
            Some((i, c)) => {
                let line = &rest[..i];
                let mut end = i + c.len_utf8();
                if c == '\r' && rest[end..].starts_with('\n') {
                    end += 1;
                }
                rest = &rest[end..];
                Some(line)
            }
            None => {
                let line = rest;
                rest = "";
                Some(line)
            }
        }
    })
}

/// Python's `str.isspace()` on one character.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `line.strip() == ''`.
fn is_blank(line: &str) -> bool {
    line.chars().all(py_isspace)
}

fn println(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
}

fn println_colored(buf: &mut String, role: Role, line: &str) {
    buf.push_str(role.code());
    buf.push_str(line);
    buf.push_str(NORMAL);
    buf.push('\n');
}

/// `File "(.*)", line (\d*), in (.*)$` as zope matches frame lines, with
/// the two leading spaces of a traceback or without (doctest reports).
static TRACEBACK_FRAME: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"^  File "(.*)", line (\d*), in (.*)$"#).expect("a valid pattern")
});
static DOCTEST_FRAME: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r#"^File "(.*)", line (\d*), in (.*)$"#).expect("a valid pattern")
});

/// A frame line with its file name, line number and function coloured;
/// false when the line is not one.
fn frame(buf: &mut String, pattern: &regex::Regex, indent: &str, line: &str) -> bool {
    let Some(m) = pattern.captures(line) else {
        return false;
    };
    for piece in [
        NORMAL,
        indent,
        "File \"",
        Role::Filename.code(),
        &m[1],
        NORMAL,
        "\", line ",
        Role::Lineno.code(),
        &m[2],
        NORMAL,
        ", in ",
        Role::Testname.code(),
        &m[3],
        NORMAL,
        "\n",
    ] {
        buf.push_str(piece);
    }
    true
}

/// `print_traceback`: the message in error colour, then the report as
/// the kind of report it is.
pub fn traceback(buf: &mut String, msg: &str, kind: ReportKind, report: &str) {
    buf.push('\n');
    println_colored(buf, Role::Error, msg);
    match kind {
        ReportKind::Traceback => colorized_traceback(buf, report),
        ReportKind::Doctest => doctest_failure(buf, report),
        ReportKind::DoctestTemplate => println(buf, report),
    }
}

/// `print_colorized_traceback`.
pub fn colorized_traceback(buf: &mut String, report: &str) {
    for line in py_splitlines(report) {
        if line.starts_with("  File") {
            if !frame(buf, &TRACEBACK_FRAME, "  ", line) {
                println(buf, line);
            }
        } else if line.starts_with("    ") {
            println_colored(buf, Role::FailedExample, line);
        } else if line.starts_with("Traceback (most recent call last)") {
            println(buf, line);
        } else {
            println_colored(buf, Role::Exception, line);
        }
    }
    buf.push('\n');
}

/// zope's `diff_color`, by the first character after the indent.
fn diff_role(c: char) -> Option<Role> {
    match c {
        '-' => Some(Role::ExpectedOutput),
        '+' | '!' => Some(Role::ActualOutput),
        '?' => Some(Role::CharacterDiffs),
        '@' | '*' => Some(Role::DiffChunk),
        _ => None,
    }
}

/// `print_doctest_failure`: doctest's report, indented blocks coloured by
/// the header above them, diffs line by line.
pub fn doctest_failure(buf: &mut String, report: &str) {
    let mut indented = Role::Normal;
    let mut colorize_diff = false;
    for line in py_splitlines(report) {
        if line.starts_with("File ") {
            if !frame(buf, &DOCTEST_FRAME, "", line) {
                println(buf, line);
            }
        } else if line.starts_with("    ") || is_blank(line) {
            let fifth = line.chars().nth(4);
            if colorize_diff && fifth.is_some() {
                let role = fifth.and_then(diff_role).unwrap_or(indented);
                println_colored(buf, role, line);
            } else if !is_blank(line) {
                println_colored(buf, indented, line);
            } else {
                println(buf, line);
            }
        } else {
            colorize_diff = false;
            indented = if line.starts_with("Failed example") {
                Role::FailedExample
            } else if line.starts_with("Expected:") {
                Role::ExpectedOutput
            } else if line.starts_with("Got:") {
                Role::ActualOutput
            } else if line.starts_with("Exception raised:") {
                Role::Exception
            } else if line.starts_with("Differences ") {
                colorize_diff = true;
                Role::Normal
            } else {
                Role::Normal
            };
            println(buf, line);
        }
    }
    buf.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// zope's `color_code`, to check the table of codes against.
    fn color_code(color: &str) -> String {
        let mut color = color;
        let mut prefix_code = "";
        for (prefix, code) in [
            ("dark", "0;"),
            ("light", "1;"),
            ("bright", "1;"),
            ("bold", "1;"),
        ] {
            if let Some(rest) = color.strip_prefix(prefix) {
                color = rest;
                prefix_code = code;
                break;
            }
        }
        let n = match color {
            "default" | "normal" => 0,
            "black" => 30,
            "red" => 31,
            "green" => 32,
            "brown" | "yellow" => 33,
            "blue" => 34,
            "magenta" => 35,
            "cyan" => 36,
            "grey" | "gray" | "white" => 37,
            _ => panic!("unknown colour {color}"),
        };
        format!("\x1b[{prefix_code}{n}m")
    }

    #[test]
    fn codes_follow_zopes_scheme() {
        use Role::*;
        for role in [
            Normal,
            Info,
            SuboptimalBehaviour,
            Error,
            Number,
            SlowTest,
            OkNumber,
            ErrorNumber,
            Filename,
            Lineno,
            Testname,
            FailedExample,
            ExpectedOutput,
            ActualOutput,
            CharacterDiffs,
            DiffChunk,
            Exception,
            Skipped,
        ] {
            assert_eq!(role.code(), color_code(role.scheme()), "{role:?}");
        }
    }

    #[test]
    fn splitlines_like_python() {
        let lines = |s| py_splitlines(s).collect::<Vec<_>>();
        assert_eq!(lines(""), Vec::<&str>::new());
        assert_eq!(lines("a\n"), vec!["a"]);
        assert_eq!(lines("a\n\nb"), vec!["a", "", "b"]);
        assert_eq!(
            lines("a\r\nb\rc\x0bd\u{2028}e\x1cf"),
            vec!["a", "b", "c", "d", "e", "f"]
        );
        assert_eq!(lines("\n"), vec![""]);
        assert!(is_blank(" \t\x1f\u{3000}"));
        assert!(!is_blank(" \u{200b}"));
    }
}
