//! Python `re` patterns, matched in Rust where that is provably the same.
//!
//! zope.testrunner's filters are Python regular expressions used with
//! `re.search`. The common ones (`^tests$`, `Layer12`, `test_x\d`) are
//! translated to the `regex` crate's syntax; a pattern using anything whose
//! meaning differs between the two engines, or that the `regex` crate lacks
//! (look-around, back-references, possessive quantifiers, verbose mode...), is
//! handed to a fallback supplied by the caller (the runner gives Python's own
//! `re`), so that every pattern zope accepts is accepted with the same meaning.

use std::fmt;

/// A compiled pattern that answers `re.search(pattern, text) is not None`.
pub struct Pattern {
    rust: Option<regex::Regex>,
    /// Python's `\w`, `\s`, `\b` and case folding agree with the `regex`
    /// crate's on ASCII text only; other text goes to the fallback.
    ascii_only: bool,
    fallback: Option<Box<dyn Matcher>>,
}

/// A search predicate provided by another engine (Python's `re`).
pub trait Matcher: Send + Sync {
    fn is_match(&self, text: &str) -> bool;
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rust {
            Some(re) => write!(
                f,
                "Pattern({:?}, ascii_only={})",
                re.as_str(),
                self.ascii_only
            ),
            None => write!(f, "Pattern(fallback)"),
        }
    }
}

/// Compiles patterns the `regex` crate cannot take with the same meaning.
/// Returns the engine's error message for a pattern that is invalid there too.
pub type Fallback<'a> = &'a dyn Fn(&str) -> Result<Box<dyn Matcher>, String>;

impl Pattern {
    /// Compiles a Python pattern: in Rust when the translation is exact,
    /// otherwise with `fallback`.
    pub fn compile(source: &str, fallback: Fallback<'_>) -> Result<Pattern, String> {
        if let Some(t) = translate(source) {
            if let Ok(re) = regex::Regex::new(&t.regex) {
                let fallback = if t.ascii_only {
                    Some(fallback(source)?)
                } else {
                    None
                };
                return Ok(Pattern {
                    rust: Some(re),
                    ascii_only: t.ascii_only,
                    fallback,
                });
            }
        }
        Ok(Pattern {
            rust: None,
            ascii_only: false,
            fallback: Some(fallback(source)?),
        })
    }

    /// Compiles a pattern that must be in the subset the `regex` crate takes
    /// (used by tests and by callers without a fallback).
    /// (Its ASCII-only patterns then answer for non-ASCII text in Rust too.)
    pub fn compile_rust(source: &str) -> Result<Pattern, String> {
        let t = translate(source).ok_or_else(|| format!("pattern {source:?} needs Python's re"))?;
        let re = regex::Regex::new(&t.regex).map_err(|e| e.to_string())?;
        Ok(Pattern {
            rust: Some(re),
            ascii_only: false,
            fallback: None,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        if let Some(re) = &self.rust {
            if !self.ascii_only || text.is_ascii() {
                return re.is_match(text);
            }
        }
        match &self.fallback {
            Some(m) => m.is_match(text),
            None => false,
        }
    }

    /// True when every text is matched in Rust.
    pub fn is_rust(&self) -> bool {
        self.rust.is_some() && !self.ascii_only
    }
}

/// A Python pattern in `regex` syntax.
#[derive(Debug, PartialEq, Eq)]
pub struct Translated {
    pub regex: String,
    /// The translation is exact on ASCII text only (it uses `\w`, `\s`, `\b`
    /// or case-insensitivity, whose Unicode tables differ between engines).
    pub ascii_only: bool,
}

/// Translates a Python pattern to `regex` syntax with the same `search`
/// result, or `None` when the pattern is outside the subset known to behave
/// identically.
pub fn translate(py: &str) -> Option<Translated> {
    let chars: Vec<char> = py.chars().collect();
    let mut out = String::with_capacity(py.len() + 8);
    let mut ascii_only = false;
    let mut i = 0;
    // True where a quantifier would be an error in Python ("nothing to
    // repeat"): leave such patterns to the fallback, which reports it.
    let mut can_repeat = false;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let (piece, next) = translate_escape(&chars, i, false)?;
                ascii_only |= unicode_sensitive(&piece);
                out.push_str(&piece);
                i = next;
                can_repeat = true;
            }
            '[' => {
                let (piece, next) = translate_class(&chars, i)?;
                ascii_only |= unicode_sensitive(&piece);
                out.push_str(&piece);
                i = next;
                can_repeat = true;
            }
            '(' => {
                if chars.get(i + 1) == Some(&'?') {
                    match chars.get(i + 2) {
                        Some(':') => {
                            out.push_str("(?:");
                            i += 3;
                        }
                        Some('P') if chars.get(i + 3) == Some(&'<') => {
                            let close = chars[i + 4..].iter().position(|&c| c == '>')? + i + 4;
                            let name: String = chars[i + 4..close].iter().collect();
                            if name.is_empty()
                                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                            {
                                return None;
                            }
                            out.push_str("(?P<");
                            out.push_str(&name);
                            out.push('>');
                            i = close + 1;
                        }
                        Some('i') if i == 0 && chars.get(i + 3) == Some(&')') => {
                            // A global case-insensitive flag, allowed only at the start.
                            out.push_str("(?i)");
                            ascii_only = true;
                            i += 4;
                            can_repeat = false;
                            continue;
                        }
                        _ => return None,
                    }
                } else {
                    out.push('(');
                    i += 1;
                }
                can_repeat = false;
            }
            ')' => {
                out.push(')');
                i += 1;
                can_repeat = true;
            }
            '|' => {
                out.push('|');
                i += 1;
                can_repeat = false;
            }
            '^' => {
                out.push('^');
                i += 1;
                can_repeat = false;
            }
            '$' => {
                // Python's `$` also matches before a final newline.
                out.push_str(r"(?:\n?\z)");
                i += 1;
                can_repeat = false;
            }
            '.' => {
                out.push('.');
                i += 1;
                can_repeat = true;
            }
            '*' | '+' | '?' => {
                if !can_repeat {
                    return None;
                }
                out.push(c);
                i += 1;
                if chars.get(i) == Some(&'?') {
                    out.push('?');
                    i += 1;
                } else if matches!(chars.get(i), Some('*' | '+' | '{')) {
                    // `a*+` (possessive, 3.11) or `a**` (error): not ours.
                    return None;
                }
                can_repeat = false;
            }
            '{' => match parse_repeat(&chars, i) {
                Some((min, max, next)) => {
                    if !can_repeat {
                        return None;
                    }
                    if let Some(max) = max {
                        if max < min {
                            return None;
                        }
                        out.push_str(&format!("{{{min},{max}}}"));
                    } else {
                        out.push_str(&format!("{{{min},}}"));
                    }
                    i = next;
                    if chars.get(i) == Some(&'?') {
                        out.push('?');
                        i += 1;
                    } else if matches!(chars.get(i), Some('*' | '+' | '{')) {
                        return None;
                    }
                    can_repeat = false;
                }
                None => {
                    // Not a valid repeat: Python reads `{` literally.
                    out.push_str(r"\{");
                    i += 1;
                    can_repeat = true;
                }
            },
            '}' => {
                out.push_str(r"\}");
                i += 1;
                can_repeat = true;
            }
            _ => {
                push_literal(&mut out, c);
                i += 1;
                can_repeat = true;
            }
        }
    }
    Some(Translated {
        regex: out,
        ascii_only,
    })
}

/// Whether a translated piece uses a class whose Unicode table differs.
fn unicode_sensitive(piece: &str) -> bool {
    ["\\w", "\\W", "\\s", "\\S", "\\b", "\\B"]
        .iter()
        .any(|e| piece.contains(e))
}

/// `{m}`, `{m,}`, `{,n}`, `{m,n}` at `start`: (min, max, index after `}`).
fn parse_repeat(chars: &[char], start: usize) -> Option<(u32, Option<u32>, usize)> {
    let close = chars[start..].iter().position(|&c| c == '}')? + start;
    let body: String = chars[start + 1..close].iter().collect();
    let (lo, hi) = match body.split_once(',') {
        None => {
            let n = parse_small(&body)?;
            return Some((n, Some(n), close + 1));
        }
        Some(parts) => parts,
    };
    if lo.is_empty() && hi.is_empty() {
        return None;
    }
    let min = if lo.is_empty() { 0 } else { parse_small(lo)? };
    let max = if hi.is_empty() {
        None
    } else {
        Some(parse_small(hi)?)
    };
    Some((min, max, close + 1))
}

fn parse_small(digits: &str) -> Option<u32> {
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u32>().ok().filter(|&n| n <= 1000)
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii_punctuation() || c == ' ' {
        out.push('\\');
    }
    out.push(c);
}

/// An escape at `chars[start] == '\\'`: its translation and the next index.
fn translate_escape(chars: &[char], start: usize, in_class: bool) -> Option<(String, usize)> {
    let c = *chars.get(start + 1)?;
    let next = start + 2;
    let piece = match c {
        'd' | 'D' | 'w' | 'W' => format!("\\{c}"),
        // Python's `\s` is `str.isspace()`, which includes \x1c-\x1f.
        's' => "[\\s\\x1c-\\x1f]".to_owned(),
        'S' => "[^\\s\\x1c-\\x1f]".to_owned(),
        'b' if in_class => "\\x08".to_owned(),
        'b' | 'B' if !in_class => format!("\\{c}"),
        'A' if !in_class => "\\A".to_owned(),
        'Z' if !in_class => "\\z".to_owned(),
        'n' | 't' | 'r' | 'f' | 'v' => format!("\\{c}"),
        'a' => "\\x07".to_owned(),
        'x' => {
            let h1 = *chars.get(next)?;
            let h2 = *chars.get(next + 1)?;
            if !(h1.is_ascii_hexdigit() && h2.is_ascii_hexdigit()) {
                return None;
            }
            return Some((format!("\\x{{{h1}{h2}}}"), next + 2));
        }
        c if c.is_ascii_punctuation() || c == ' ' => format!("\\{c}"),
        // Back-references, octal escapes, \u, \N{...}, and bad escapes.
        _ => return None,
    };
    Some((piece, next))
}

/// A character class at `chars[start] == '['`: its translation and the next
/// index. Every literal is escaped, so `regex`'s nested classes and set
/// operators never come into play.
fn translate_class(chars: &[char], start: usize) -> Option<(String, usize)> {
    let mut out = String::from("[");
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let first = i;
    // Each item is either a single char (for ranges) or a class escape.
    let mut items: Vec<ClassItem> = Vec::new();
    loop {
        let c = *chars.get(i)?;
        if c == ']' && i != first {
            i += 1;
            break;
        }
        if c == '\\' {
            let e = *chars.get(i + 1)?;
            if matches!(e, 'd' | 'D' | 'w' | 'W' | 's') {
                let escape = if e == 's' {
                    "\\s\\x1c-\\x1f".to_owned()
                } else {
                    format!("\\{e}")
                };
                items.push(ClassItem::Escape(escape));
                i += 2;
                continue;
            }
            if e == 'S' {
                // `[^\s...]` inside a class has no exact spelling here.
                return None;
            }
            let literal = match e {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                'f' => '\x0c',
                'v' => '\x0b',
                'a' => '\x07',
                'b' => '\x08',
                e if e.is_ascii_punctuation() || e == ' ' => e,
                _ => return None,
            };
            items.push(ClassItem::Char(literal));
            i += 2;
            continue;
        }
        if c == '['
            || (c == '&' || c == '~' || c == '|' || c == '-') && chars.get(i + 1) == Some(&c)
        {
            // Python warns that these may change meaning; keep to the fallback.
            return None;
        }
        if c == '-' && !items.is_empty() && chars.get(i + 1).is_some_and(|&n| n != ']') {
            items.push(ClassItem::Dash);
            i += 1;
            continue;
        }
        items.push(ClassItem::Char(c));
        i += 1;
    }
    let mut k = 0;
    while k < items.len() {
        match (&items[k], items.get(k + 1), items.get(k + 2)) {
            (ClassItem::Char(lo), Some(ClassItem::Dash), Some(ClassItem::Char(hi))) => {
                if lo > hi {
                    return None;
                }
                push_class_char(&mut out, *lo);
                out.push('-');
                push_class_char(&mut out, *hi);
                k += 3;
            }
            (_, Some(ClassItem::Dash), Some(ClassItem::Escape(_))) => return None,
            (ClassItem::Escape(_), Some(ClassItem::Dash), _) => return None,
            (ClassItem::Char(c), _, _) => {
                push_class_char(&mut out, *c);
                k += 1;
            }
            (ClassItem::Escape(e), _, _) => {
                out.push_str(e);
                k += 1;
            }
            (ClassItem::Dash, _, _) => {
                out.push_str("\\-");
                k += 1;
            }
        }
    }
    out.push(']');
    Some((out, i))
}

enum ClassItem {
    Char(char),
    Escape(String),
    Dash,
}

fn push_class_char(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x20 => out.push_str(&format!("\\x{{{:02x}}}", c as u32)),
        c if c.is_ascii_punctuation() || c == ' ' => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn search(pattern: &str, text: &str) -> bool {
        Pattern::compile_rust(pattern).unwrap().is_match(text)
    }

    #[test]
    fn translated_patterns_search_like_python() {
        // (pattern, text, what Python's re.search gives)
        let cases: &[(&str, &str, bool)] = &[
            ("^tests$", "tests", true),
            ("^tests$", "tests\n", true),
            ("^tests$", "xtests", false),
            ("^test", "test_foo", true),
            ("Layer12", "samplelayers.Layer122", true),
            ("Layer12", "samplelayers.Layer11", false),
            (".", "", false),
            (".", "x", true),
            ("a{", "a{", true),
            ("a{1", "xa{1", true),
            ("{", "{", true),
            ("x}", "x}", true),
            ("a{,3}b", "b", true),
            ("a{2}", "ba", false),
            ("a{2,}", "aa", true),
            (r"test_x\d", "test_x1", true),
            (r"\Z", "", true),
            (r"a\Z", "a\n", false),
            ("[]a]", "]", true),
            ("[^]a]", "]", false),
            ("[a-]", "-", true),
            (r"[\b]", "\x08", true),
            ("(?i)ABC", "xabcx", true),
            (r"(?P<x>a)b", "ab", true),
            (r"\-", "-", true),
            (r"\ ", " ", true),
            ("a.b", "a\nb", false),
            ("1 2", "1 2", true),
            ("a#b", "a#b", true),
            (r"\x41", "A", true),
            ("[.]", "a", false),
            ("[.]", ".", true),
            ("a|", "zzz", true),
            ("(a|b)+c", "abac", true),
            ("e.rst", "sample/e.rst", true),
            ("foo&bar", "foo&bar", true),
            ("a~b", "a~b", true),
            (r"a\sb", "a\x1cb", true),
            (r"a[\s]b", "a\x1fb", true),
            (r"a\Sb", "a\x1cb", false),
            (r"\btest\b", "a test here", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                search(pattern, text),
                *expected,
                "re.search({pattern:?}, {text:?})"
            );
        }
    }

    #[test]
    fn python_only_constructs_go_to_the_fallback() {
        for pattern in [
            "(?=a)",
            "(?!a)b",
            "(?<=a)b",
            "(?<!a)b",
            r"(a)\1",
            "(?P=x)",
            "a*+",
            "a++",
            "a**",
            "*a",
            "a|*",
            "(?x) a",
            "(?#comment)a",
            "a(?i)b",
            "(?s).",
            "(?m)^a",
            "[[a]",
            "[&&]",
            "[--]",
            r"\q",
            r"\1",
            r"\u0041",
            "a{3,1}",
            r"[a-\d]",
        ] {
            let translated = translate(pattern);
            assert!(
                translated.is_none() || regex::Regex::new(&translated.unwrap().regex).is_err(),
                "{pattern:?} must not be translated"
            );
        }
    }

    struct Always(bool);
    impl Matcher for Always {
        fn is_match(&self, _text: &str) -> bool {
            self.0
        }
    }

    #[test]
    fn fallback_is_used_and_its_errors_are_reported() {
        let p = Pattern::compile("(?<=a)b", &|_| Ok(Box::new(Always(true)))).unwrap();
        assert!(!p.is_rust());
        assert!(p.is_match("anything"));
        // \w is exact on ASCII only: other text is asked of the fallback.
        let w = Pattern::compile(r"^\w+$", &|_| Ok(Box::new(Always(false)))).unwrap();
        assert!(w.is_match("abc_1"));
        assert!(!w.is_match("\u{e9}t\u{e9}"));
        let err =
            Pattern::compile("a**", &|_| Err("multiple repeat at position 2".into())).unwrap_err();
        assert_eq!(err, "multiple repeat at position 2");
        assert!(Pattern::compile("^tests$", &|_| panic!("not needed"))
            .unwrap()
            .is_rust());
    }
}
