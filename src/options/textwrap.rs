//! Python's `textwrap.wrap`/`fill` (unchanged from 3.11 to 3.13: only
//! `textwrap.indent` was rewritten) with the default `TextWrapper`
//! settings argparse uses (`break_long_words`, `break_on_hyphens`,
//! `drop_whitespace`, `expand_tabs` with tabsize 8, `replace_whitespace`, no
//! `max_lines`). Lengths are counted in code points, like Python's `len`.
//!
//! The chunking re-implements `TextWrapper.wordsep_re` by hand (it needs
//! look-behind, which the `regex` crate lacks); the comments name the
//! alternative of that regex each branch stands for.

use super::pytypes::{decimal_value, is_space, is_word, Unicode};

/// `textwrap._whitespace`: the only characters the wrapper treats as spaces.
fn is_ws(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// `word_punct = [\w!"'&.,?]`
fn is_word_punct(c: char, u: Unicode) -> bool {
    is_word(c, u) || matches!(c, '!' | '"' | '\'' | '&' | '.' | ',' | '?')
}

/// `letter = [^\d\W]`
fn is_letter(c: char, u: Unicode) -> bool {
    is_word(c, u) && decimal_value(c, u).is_none()
}

/// `(?=-{2,}\w)` at `at`.
fn em_dash_ahead(t: &[char], at: usize, u: Unicode) -> bool {
    let mut k = at;
    while k < t.len() && t[k] == '-' {
        k += 1;
    }
    k - at >= 2 && k < t.len() && is_word(t[k], u)
}

fn is_letter_at(t: &[char], i: usize, u: Unicode) -> bool {
    i < t.len() && is_letter(t[i], u)
}

/// The end of the `%(nws)s+? (...)` alternative starting at `i`.
fn word_end(t: &[char], i: usize, u: Unicode) -> usize {
    let n = t.len();
    let mut j = i + 1;
    loop {
        // hyphenated word: -(?: (?<=lt{2}-) | (?<=lt-lt-)) (?= lt -? lt)
        if j < n && t[j] == '-' {
            let behind = (j >= 2 && is_letter(t[j - 2], u) && is_letter(t[j - 1], u))
                || (j >= 3 && is_letter(t[j - 3], u) && t[j - 2] == '-' && is_letter(t[j - 1], u));
            let ahead = is_letter_at(t, j + 1, u)
                && (is_letter_at(t, j + 2, u)
                    || (j + 2 < n && t[j + 2] == '-' && is_letter_at(t, j + 3, u)));
            if behind && ahead {
                return j + 1;
            }
        }
        // end of word: (?=ws|\Z)
        if j == n || is_ws(t[j]) {
            return j;
        }
        // em-dash: (?<=wp) (?=-{2,}\w)
        if is_word_punct(t[j - 1], u) && em_dash_ahead(t, j, u) {
            return j;
        }
        j += 1;
    }
}

/// `TextWrapper._split`: the text cut into indivisible chunks.
pub fn split_chunks(text: &str, u: Unicode) -> Vec<String> {
    let t: Vec<char> = munge_whitespace(text).chars().collect();
    let mut chunks = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let end = if is_ws(t[i]) {
            // any whitespace: ws+
            let mut j = i;
            while j < t.len() && is_ws(t[j]) {
                j += 1;
            }
            j
        } else if t[i] == '-' && i > 0 && is_word_punct(t[i - 1], u) && em_dash_ahead(&t, i, u) {
            // em-dash between words: (?<=wp) -{2,} (?=\w)
            let mut j = i;
            while t[j] == '-' {
                j += 1;
            }
            j
        } else {
            word_end(&t, i, u)
        };
        chunks.push(t[i..end].iter().collect());
        i = end;
    }
    chunks
}

/// `str.expandtabs(8)` then every `textwrap._whitespace` character to ' '.
fn munge_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = 0usize;
    for c in text.chars() {
        match c {
            '\t' => {
                let spaces = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', spaces));
                column += spaces;
            }
            '\n' | '\r' => {
                out.push(' ');
                column = 0;
            }
            c if is_ws(c) => {
                out.push(' ');
                column += 1;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

fn len(s: &str) -> usize {
    s.chars().count()
}

fn is_blank(s: &str) -> bool {
    s.chars().all(is_space)
}

/// `textwrap.wrap(text, width, initial_indent=..., subsequent_indent=...)`,
/// with `\w`/`\d` from `unicode` (the interpreter's `re`).
/// `width` must be positive (Python raises `ValueError` otherwise; argparse
/// never passes less than 11), so a smaller value is treated as 1.
pub fn wrap(
    text: &str,
    width: usize,
    initial_indent: &str,
    subsequent_indent: &str,
    unicode: Unicode,
) -> Vec<String> {
    let width = width.max(1) as i64;
    let mut chunks = split_chunks(text, unicode);
    chunks.reverse();
    let mut lines: Vec<String> = Vec::new();
    while !chunks.is_empty() {
        let mut cur_line: Vec<String> = Vec::new();
        let mut cur_len: i64 = 0;
        let indent = if lines.is_empty() {
            initial_indent
        } else {
            subsequent_indent
        };
        let line_width = width - len(indent) as i64;
        // A whitespace chunk that would start a line is dropped, except at
        // the very beginning of the text.
        if !lines.is_empty() && chunks.last().is_some_and(|c| is_blank(c)) {
            chunks.pop();
        }
        while let Some(chunk) = chunks.last() {
            let l = len(chunk) as i64;
            if cur_len + l <= line_width {
                cur_len += l;
                cur_line.push(chunks.pop().unwrap_or_default());
            } else {
                break;
            }
        }
        if chunks.last().is_some_and(|c| len(c) as i64 > line_width) {
            handle_long_word(&mut chunks, &mut cur_line, cur_len, line_width);
            cur_len = cur_line.iter().map(|c| len(c) as i64).sum();
        }
        if cur_line.last().is_some_and(|c| is_blank(c)) {
            if let Some(last) = cur_line.pop() {
                cur_len -= len(&last) as i64;
            }
        }
        let _ = cur_len;
        if !cur_line.is_empty() {
            lines.push(format!("{indent}{}", cur_line.concat()));
        }
    }
    lines
}

/// `TextWrapper._handle_long_word` with `break_long_words` and
/// `break_on_hyphens`: cut the next chunk to fit, after its last hyphen if
/// that hyphen has a non-hyphen before it.
fn handle_long_word(chunks: &mut [String], cur_line: &mut Vec<String>, cur_len: i64, width: i64) {
    let space_left = if width < 1 { 1 } else { width - cur_len };
    let Some(chunk) = chunks.last_mut() else {
        return;
    };
    let chars: Vec<char> = chunk.chars().collect();
    let mut end = space_left.max(0) as usize;
    if chars.len() > end {
        let search_end = end.min(chars.len());
        if let Some(hyphen) = chars[..search_end].iter().rposition(|&c| c == '-') {
            if hyphen > 0 && chars[..hyphen].iter().any(|&c| c != '-') {
                end = hyphen + 1;
            }
        }
    }
    let end = end.min(chars.len());
    cur_line.push(chars[..end].iter().collect());
    *chunk = chars[end..].iter().collect();
}

/// `textwrap.fill`.
pub fn fill(
    text: &str,
    width: usize,
    initial_indent: &str,
    subsequent_indent: &str,
    unicode: Unicode,
) -> String {
    wrap(text, width, initial_indent, subsequent_indent, unicode).join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const U14: Unicode = Unicode::V14_0;

    #[test]
    fn chunks_match_wordsep_re() {
        // Expected values from Python 3.11's TextWrapper()._split(...).
        let cases: &[(&str, &[&str])] = &[
            (
                "Look, goof-ball -- use the -b option!",
                &[
                    "Look,", " ", "goof-", "ball", " ", "--", " ", "use", " ", "the", " ", "-b",
                    " ", "option!",
                ],
            ),
            ("a--b", &["a", "--", "b"]),
            ("ab-cd-ef", &["ab-", "cd-", "ef"]),
            ("a-b-c", &["a-b-c"]),
            ("a-b-cd", &["a-b-", "cd"]),
            ("--report-refcounts", &["--report-", "refcounts"]),
            ("--with-pydebug", &["--with-", "pydebug"]),
            ("x---y", &["x", "---", "y"]),
            ("test-module", &["test-", "module"]),
            ("1-2-3", &["1-2-3"]),
            ("ab-1", &["ab-1"]),
            ("  two  spaces\t", &["  ", "two", "  ", "spaces", "   "]),
            ("e.g.--foo", &["e.g.", "--", "foo"]),
            ("tests_profile.*.prof", &["tests_profile.*.prof"]),
        ];
        for (text, want) in cases {
            assert_eq!(split_chunks(text, U14), *want, "chunks of {text:?}");
        }
    }

    #[test]
    fn wrap_matches_textwrap() {
        // Expected values from Python 3.11's textwrap.wrap(text, width).
        let text = "Report all failures in a doctest. This is the default, but can be used \
                    to counter a default use of -1 or --hide-secondary-failures.";
        assert_eq!(
            wrap(text, 54, "", "", U14),
            [
                "Report all failures in a doctest. This is the default,",
                "but can be used to counter a default use of -1 or",
                "--hide-secondary-failures.",
            ]
        );
        assert_eq!(
            wrap(text, 20, "", "", U14),
            [
                "Report all failures",
                "in a doctest. This",
                "is the default, but",
                "can be used to",
                "counter a default",
                "use of -1 or --hide-",
                "secondary-failures.",
            ]
        );
        assert_eq!(wrap("abcdefghij", 4, "", "", U14), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("aaa-bbbbbbbb", 6, "", "", U14), ["aaa-bb", "bbbbbb"]);
        assert_eq!(wrap("---------x", 4, "", "", U14), ["----", "----", "-x"]);
        assert_eq!(wrap(" lead", 10, "", "", U14), [" lead"]);
        assert_eq!(wrap("", 10, "", "", U14), Vec::<String>::new());
        assert_eq!(wrap("   ", 10, "", "", U14), Vec::<String>::new());
        assert_eq!(
            fill("Other options and more words", 11, "  ", "  ", U14),
            "  Other\n  options\n  and more\n  words"
        );
        assert_eq!(
            wrap("one two three", 5, ">>>>>>", "<", U14),
            [">>>>>>o", "<ne", "<two ", "<thre", "<e"]
        );
    }
}
