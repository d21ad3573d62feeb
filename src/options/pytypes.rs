//! The few Python built-ins whose exact behaviour shows through zope's parser:
//! `int()` and `float()` (argparse `type=`), `repr()` of a `str` (argparse's
//! `%r` in error messages), `str.isspace`/`str.strip`, and
//! `os.path.abspath` (the `--path`/`--test-path` type and `normalize_package`).
//!
//! Character classes come from `unicode_tables.rs`, generated from CPython
//! 3.11's `unicodedata` (Unicode 14.0), plus what later databases assigned
//! (`unicode_deltas.rs`), so that non-ASCII input is accepted, rejected and
//! escaped the way the running interpreter does it (`Unicode`).

use super::unicode_deltas::{
    DECIMAL_ZEROS_SINCE_15_0, DECIMAL_ZEROS_SINCE_15_1, PRINTABLE_SINCE_15_0, PRINTABLE_SINCE_15_1,
    WORD_SINCE_15_0, WORD_SINCE_15_1,
};
use super::unicode_tables::{DECIMAL_ZEROS, NON_PRINTABLE, WORD};

/// The Unicode database of a CPython line (`unicodedata.unidata_version`):
/// 14.0 in 3.11, 15.0 in 3.12, 15.1 in 3.13. Later databases only assign
/// more characters, so each class is the 14.0 one plus the additions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unicode {
    V14_0,
    V15_0,
    V15_1,
}

impl Unicode {
    /// The additions of each database after 14.0 that `self` includes.
    fn additions<T>(self, v15_0: T, v15_1: T) -> impl Iterator<Item = T> {
        [(Unicode::V15_0, v15_0), (Unicode::V15_1, v15_1)]
            .into_iter()
            .filter(move |(since, _)| self >= *since)
            .map(|(_, table)| table)
    }
}

fn in_ranges(table: &[(u32, u32)], c: u32) -> bool {
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `str.isspace()` for one character (Unicode whitespace plus the ASCII
/// separators U+001C..U+001F, which Rust does not count as whitespace).
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `str.strip()` without arguments.
pub fn strip(s: &str) -> &str {
    s.trim_matches(is_space)
}

/// The digit `cp` is in a block starting at one of `zeros` (sorted).
fn digit_after(zeros: &[u32], cp: u32) -> Option<u32> {
    let idx = zeros.partition_point(|&z| z <= cp);
    let zero = *zeros.get(idx.checked_sub(1)?)?;
    (cp - zero < 10).then_some(cp - zero)
}

/// `unicodedata.decimal(c, None)`: the value of a Unicode decimal digit (`\d`).
pub fn decimal_value(c: char, unicode: Unicode) -> Option<u32> {
    let cp = c as u32;
    if c.is_ascii_digit() {
        return Some(cp - '0' as u32);
    }
    if cp < 0x80 {
        return None;
    }
    digit_after(DECIMAL_ZEROS, cp).or_else(|| {
        unicode
            .additions(DECIMAL_ZEROS_SINCE_15_0, DECIMAL_ZEROS_SINCE_15_1)
            .find_map(|zeros| digit_after(zeros, cp))
    })
}

/// `re` `\w` for `str` patterns.
pub fn is_word(c: char, unicode: Unicode) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric() || c == '_'
    } else {
        in_ranges(WORD, c as u32)
            || unicode
                .additions(WORD_SINCE_15_0, WORD_SINCE_15_1)
                .any(|table| in_ranges(table, c as u32))
    }
}

/// `str.isprintable()` for one character.
pub fn is_printable(c: char, unicode: Unicode) -> bool {
    if c.is_ascii() {
        (' '..='~').contains(&c)
    } else {
        !in_ranges(NON_PRINTABLE, c as u32)
            || unicode
                .additions(PRINTABLE_SINCE_15_0, PRINTABLE_SINCE_15_1)
                .any(|table| in_ranges(table, c as u32))
    }
}

/// `repr(s)` for a `str`.
pub fn repr(s: &str, unicode: Unicode) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c, unicode) => out.push(c),
            c if (c as u32) <= 0xff => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) <= 0xffff => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(quote);
    out
}

/// CPython's `_PyUnicode_TransformDecimalAndSpaceToASCII`, the first step of
/// both `int(str)` and `float(str)`: Unicode spaces become ' ', Unicode
/// decimal digits become ASCII digits, anything else non-ASCII becomes '?'
/// (which then fails to parse).
fn to_ascii_number(s: &str, unicode: Unicode) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii() {
                c
            } else if is_space(c) {
                ' '
            } else if let Some(d) = decimal_value(c, unicode) {
                char::from(b'0' + d as u8)
            } else {
                '?'
            }
        })
        .collect()
}

/// C `isspace` in the "C" locale, which is what CPython's number parsers
/// strip (`Py_ISSPACE`); U+001C..U+001F are not included.
fn is_c_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r')
}

/// `int()` raised `ValueError` (argparse: "invalid int value").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnInt;

/// `int(s)` for a `str` in base 10, saturated to `i64` (Python ints are
/// unbounded; values beyond ±2**63 cannot be represented by the runner
/// anyway). `max_str_digits` is `sys.get_int_max_str_digits()` (0 = no
/// limit): longer numbers are a `ValueError` in Python, hence invalid here.
pub fn parse_int(s: &str, max_str_digits: usize, unicode: Unicode) -> Result<i64, NotAnInt> {
    let ascii = to_ascii_number(s, unicode);
    let body = ascii.trim_matches(is_c_space);
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return Err(NotAnInt);
    }
    let mut prev_underscore = false;
    let mut count = 0usize;
    let mut value: i128 = 0;
    let mut saturated = false;
    for b in digits.bytes() {
        match b {
            b'_' if prev_underscore => return Err(NotAnInt),
            b'_' => prev_underscore = true,
            b'0'..=b'9' => {
                prev_underscore = false;
                count += 1;
                if !saturated {
                    value = value * 10 + i128::from(b - b'0');
                    if value > i128::from(i64::MAX) + 1 {
                        saturated = true;
                    }
                }
            }
            _ => return Err(NotAnInt),
        }
    }
    // CPython only checks the limit above its 640-digit threshold, and the
    // default limit (4300) is above it, so the check below is equivalent.
    if max_str_digits > 0 && count > max_str_digits {
        return Err(NotAnInt);
    }
    let signed = if negative { -value } else { value };
    Ok(if saturated {
        if negative {
            i64::MIN
        } else {
            i64::MAX
        }
    } else {
        signed.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    })
}

/// `float()` raised `ValueError` (argparse: "invalid float value").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAFloat;

/// `float(s)` for a `str`.
pub fn parse_float(s: &str, unicode: Unicode) -> Result<f64, NotAFloat> {
    let ascii = to_ascii_number(s, unicode);
    let body = ascii.trim_matches(is_c_space);
    // `_Py_string_to_number_with_underscores`: an underscore must sit
    // between two ASCII digits.
    let mut cleaned = String::with_capacity(body.len());
    let mut prev = '\0';
    for c in body.chars() {
        if c == '_' {
            if !prev.is_ascii_digit() {
                return Err(NotAFloat);
            }
        } else {
            if prev == '_' && !c.is_ascii_digit() {
                return Err(NotAFloat);
            }
            cleaned.push(c);
        }
        prev = c;
    }
    if prev == '_' {
        return Err(NotAFloat);
    }
    let unsigned = cleaned.strip_prefix(['+', '-']).unwrap_or(cleaned.as_str());
    let lower = unsigned.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        let value = if lower == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Ok(if cleaned.starts_with('-') {
            -value
        } else {
            value
        });
    }
    if !is_decimal_float(unsigned) {
        return Err(NotAFloat);
    }
    cleaned.parse::<f64>().map_err(|_| NotAFloat)
}

/// `digits [. digits] [e [sign] digits]` or `. digits [exponent]`, the
/// grammar `_Py_dg_strtod` accepts (Rust's parser is more lenient about
/// nothing here, but checking first keeps the two definitions apart).
fn is_decimal_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = i - int_start;
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = i - frac_start;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return false;
        }
    }
    i == b.len()
}

/// `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let initial_slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut comps: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial_slashes == 0 && comps.is_empty()) || comps.last() == Some(&"..")
        {
            comps.push(comp);
        } else if !comps.is_empty() {
            comps.pop();
        }
    }
    let joined = comps.join("/");
    let result = "/".repeat(initial_slashes) + &joined;
    if result.is_empty() {
        ".".to_owned()
    } else {
        result
    }
}

/// `os.path.abspath(path)` with `os.getcwd()` returning `cwd`.
pub fn abspath(path: &str, cwd: &str) -> String {
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
    use super::*;

    const V14: Unicode = Unicode::V14_0;

    #[test]
    fn int_accepts_what_python_accepts() {
        let cases: &[(&str, Option<i64>)] = &[
            ("1", Some(1)),
            (" -12 ", Some(-12)),
            ("+5", Some(5)),
            ("1_000", Some(1000)),
            ("0_1", Some(1)),
            ("007", Some(7)),
            ("\u{663}", Some(3)),
            ("\u{2000}5\u{3000}", Some(5)),
            ("\u{85}5", Some(5)),
            ("\t7\n", Some(7)),
            ("- 5", None),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("", None),
            ("  ", None),
            ("+", None),
            ("1.0", None),
            ("\u{1c}5", None),
            ("5\u{0}", None),
            ("0x10", None),
            ("x", None),
            ("99999999999999999999999", Some(i64::MAX)),
            ("-99999999999999999999999", Some(i64::MIN)),
            ("-9223372036854775808", Some(i64::MIN)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_int(s, 4300, V14).ok(), *want, "int({s:?})");
        }
        assert!(parse_int(&"1".repeat(4301), 4300, V14).is_err());
        assert!(parse_int(&"1".repeat(4300), 4300, V14).is_ok());
        assert!(parse_int(&"1".repeat(5000), 0, V14).is_ok());
    }

    #[test]
    fn float_accepts_what_python_accepts() {
        let cases: &[(&str, Option<f64>)] = &[
            ("1.", Some(1.0)),
            (".5", Some(0.5)),
            ("1e5", Some(100000.0)),
            ("1E5", Some(100000.0)),
            ("-.5e-3", Some(-0.0005)),
            ("+inf", Some(f64::INFINITY)),
            ("Infinity", Some(f64::INFINITY)),
            ("-iNF", Some(f64::NEG_INFINITY)),
            ("1_0.5", Some(10.5)),
            ("1e1_0", Some(1e10)),
            (" 1_0 ", Some(10.0)),
            ("\u{661}.\u{665}", Some(1.5)),
            ("1e999", Some(f64::INFINITY)),
            (".", None),
            ("1e", None),
            ("infinit", None),
            ("nan(1)", None),
            ("1_.5", None),
            ("1._5", None),
            ("_1", None),
            ("1_", None),
            ("0x10", None),
            ("1e+_5", None),
            ("in f", None),
            ("\u{1c}1.5", None),
            ("", None),
            ("e5", None),
        ];
        for (s, want) in cases {
            assert_eq!(parse_float(s, V14).ok(), *want, "float({s:?})");
        }
        assert!(parse_float("-nan", V14).unwrap().is_nan());
        assert!(parse_float("NaN", V14).unwrap().is_nan());
    }

    #[test]
    fn repr_matches_python() {
        let cases = [
            ("x", "'x'"),
            ("it'", "\"it'\""),
            ("\"'", "'\"\\''"),
            ("a\\b", "'a\\\\b'"),
            (
                "x\u{e9}\n\u{85}\u{200b}\u{ad}\u{378}\t\u{7}\u{a0}",
                "'x\u{e9}\\n\\x85\\u200b\\xad\\u0378\\t\\x07\\xa0'",
            ),
            ("\u{7f}\r", "'\\x7f\\r'"),
            ("\u{e0001}", "'\\U000e0001'"),
            ("\u{1f600}", "'\u{1f600}'"),
        ];
        for (s, want) in cases {
            assert_eq!(repr(s, V14), want, "repr({s:?})");
        }
    }

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
    fn character_classes() {
        assert_eq!(decimal_value('\u{669}', V14), Some(9));
        assert_eq!(decimal_value('\u{1fbf9}', V14), Some(9));
        assert_eq!(decimal_value('\u{b2}', V14), None);
        assert!(is_word('\u{e9}', V14) && is_word('_', V14) && !is_word('-', V14));
        assert!(is_space('\u{1f}') && !is_space('\u{200b}'));
        assert_eq!(strip("\u{3000} x \u{1c}"), "x");
    }

    #[test]
    fn character_classes_follow_the_unicode_database() {
        use Unicode::*;
        // Nag Mundari digit one and Kawi digit five: Unicode 15.0.
        assert_eq!(decimal_value('\u{1e4f1}', V14_0), None);
        assert_eq!(decimal_value('\u{1e4f1}', V15_0), Some(1));
        assert_eq!(decimal_value('\u{11f55}', V15_1), Some(5));
        assert_eq!(parse_int("\u{1e4f1}\u{1e4f0}", 4300, V14_0), Err(NotAnInt));
        assert_eq!(parse_int("\u{1e4f1}\u{1e4f0}", 4300, V15_0), Ok(10));
        assert_eq!(parse_float("\u{11f51}.\u{11f55}", V15_1), Ok(1.5));
        assert!(!is_word('\u{1e4d0}', V14_0) && is_word('\u{1e4d0}', V15_0));
        // U+31EF (a CJK stroke) was assigned in Unicode 15.1.
        assert_eq!(repr("\u{31ef}", V15_0), "'\\u31ef'");
        assert_eq!(repr("\u{31ef}", V15_1), "'\u{31ef}'");
        assert_eq!(repr("\u{1e4d0}", V14_0), "'\\U0001e4d0'");
        assert_eq!(repr("\u{1e4d0}", V15_0), "'\u{1e4d0}'");
        // Still unassigned in 15.1.
        assert_eq!(repr("\u{378}", V15_1), "'\\u0378'");
    }
}
