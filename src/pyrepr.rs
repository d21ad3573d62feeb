//! Python's `repr()` of a str and of a float, in Rust, for the messages and
//! reports that must read as zope.testrunner's do: command lines and
//! package names in the runner's messages, census titles in subunit,
//! durations in the XML reports. Pure functions: no interpreter needed.
//!
//! (The option parser's messages are not made here: they come from the
//! running interpreter itself.)

use std::fmt::Write as _;

/// Python's `repr(s)`: in single quotes unless `s` has a single quote and no
/// double one; the quote, backslash, `\t`, `\n`, `\r` escaped; other
/// characters that are not printable as `\xhh`, `\uhhhh` or `\Uhhhhhhhh`.
///
/// Printable is `str.isprintable()`, which Rust's `Debug` escaping follows
/// (every category but Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs other than the
/// space). Rust's Unicode tables may be newer than the interpreter's: a
/// character assigned in between prints as itself here where that Python
/// would escape it.
pub fn str_repr(s: &str) -> String {
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
            ' '..='~' => out.push(c),
            c if c.is_ascii() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let _ = match c as u32 {
                    n @ ..=0xff => write!(out, "\\x{n:02x}"),
                    n @ ..=0xffff => write!(out, "\\u{n:04x}"),
                    n => write!(out, "\\U{n:08x}"),
                };
            }
        }
    }
    out.push(quote);
    out
}

/// Whether a non-ASCII character is printable, by Rust's `Debug` escaping:
/// the character after another one, so that combining marks (printable
/// for Python) are not escaped as they would be at the start of a string.
fn is_printable(c: char) -> bool {
    let mut buf = [0u8; 5];
    buf[0] = b' ';
    let len = 1 + c.encode_utf8(&mut buf[1..]).len();
    let pair = std::str::from_utf8(&buf[..len]).expect("a space and a char are UTF-8");
    pair.escape_debug().skip(1).eq(std::iter::once(c))
}

/// Python's `repr(float)` (and `str`): the shortest digits that read back
/// as the same float, in fixed notation when the decimal exponent is in
/// -4..16, otherwise as `1.5e+16`, `1e-05`.
pub fn float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.to_owned();
    }
    // Python's repr (David Gay's mode 0) writes the fewest digits that read
    // back as `x`, and of those the nearest to `x`, ties to even. Rust's
    // `{:e}` finds the fewest digits but may break a tie the other way;
    // formatting to that many digits exactly rounds half to even.
    let ax = x.abs();
    let shortest = format!("{ax:e}");
    let digit_count = shortest
        .split_once('e')
        .map_or(1, |(m, _)| m.chars().filter(char::is_ascii_digit).count());
    let nearest = format!("{ax:.*e}", digit_count - 1);
    let scientific = if nearest.parse::<f64>() == Ok(ax) {
        nearest
    } else {
        shortest
    };
    let (mantissa, exponent) = scientific
        .split_once('e')
        .expect("LowerExp always writes an exponent");
    let exponent: i32 = exponent
        .parse()
        .expect("LowerExp writes an integer exponent");
    let digits: String = mantissa.chars().filter(|&c| c != '.').collect();
    let decpt = exponent + 1;
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if decpt <= -4 || decpt > 16 {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        let _ = write!(out, "e{sign}{:02}", exponent.unsigned_abs());
    } else if decpt <= 0 {
        out.push_str("0.");
        out.push_str(&"0".repeat(decpt.unsigned_abs() as usize));
        out.push_str(&digits);
    } else {
        let decpt = decpt as usize;
        if decpt >= digits.len() {
            out.push_str(&digits);
            out.push_str(&"0".repeat(decpt - digits.len()));
            out.push_str(".0");
        } else {
            out.push_str(&digits[..decpt]);
            out.push('.');
            out.push_str(&digits[decpt..]);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values are CPython 3.11's repr() of the same strings.
    #[test]
    fn str_repr_is_pythons() {
        let cases: &[(&str, &str)] = &[
            ("", "''"),
            ("abc", "'abc'"),
            ("it's", "\"it's\""),
            ("say \"hi\"", "'say \"hi\"'"),
            ("both ' and \"", "'both \\' and \"'"),
            ("a\\b", "'a\\\\b'"),
            ("tab\tnl\ncr\r", "'tab\\tnl\\ncr\\r'"),
            ("\0\x07\x1b\x7f", "'\\x00\\x07\\x1b\\x7f'"),
            (
                "caf\u{e9} \u{3b1}\u{3b2}\u{3b3} \u{1f600}",
                "'caf\u{e9} \u{3b1}\u{3b2}\u{3b3} \u{1f600}'",
            ),
            ("e\u{301}", "'e\u{301}'"),
            ("\u{301}", "'\u{301}'"),
            ("\u{85}\u{a0}\u{ad}", "'\\x85\\xa0\\xad'"),
            ("\u{2028}\u{200b}\u{feff}", "'\\u2028\\u200b\\ufeff'"),
            ("\u{e000}\u{10ffff}", "'\\ue000\\U0010ffff'"),
            ("\u{e0001}", "'\\U000e0001'"),
            ("\u{3000}x", "'\\u3000x'"),
        ];
        for &(s, expected) in cases {
            assert_eq!(str_repr(s), expected, "{s:?}");
        }
    }

    /// Every character the interpreter's Unicode database assigns (the
    /// quotes aside), against the interpreter's own `repr`.
    #[test]
    fn str_repr_agrees_with_the_interpreter_on_every_assigned_character() {
        use pyo3::prelude::*;
        Python::initialize();
        Python::attach(|py| {
            let code = c"import unicodedata\n\
                ALL = ''.join(chr(c) for c in range(0x110000)\n\
                    if not 0xd800 <= c < 0xe000 and chr(c) not in '\\'\"'\n\
                    and unicodedata.category(chr(c)) != 'Cn')\n";
            let globals = pyo3::types::PyDict::new(py);
            py.run(code, Some(&globals), None).unwrap();
            let all = globals.get_item("ALL").unwrap().unwrap();
            let expected: String = all.repr().unwrap().extract().unwrap();
            let all: String = all.extract().unwrap();
            assert!(all.chars().count() > 100_000);
            assert!(str_repr(&all) == expected, "str_repr differs from repr()");
        });
    }

    #[test]
    fn float_repr_is_pythons() {
        let cases: &[(f64, &str)] = &[
            (1e-05, "1e-05"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (123456789012345678.0, "1.2345678901234568e+17"),
            (0.0001, "0.0001"),
            (0.001, "0.001"),
            (1.5e-7, "1.5e-07"),
            (7.62939453125e-06, "7.62939453125e-06"),
            (0.000377655029296875, "0.000377655029296875"),
            (2.5, "2.5"),
            (100.0, "100.0"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (-2.5e-9, "-2.5e-09"),
            (1e22, "1e+22"),
            (f64::MAX, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (12345.678, "12345.678"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "nan"),
        ];
        // Ties between two shortest candidates go to the even digit.
        let ties = [
            (0xc30f_a36f_d398_d412_u64, "-1113178120592002.2"),
            (0x42d9_636d_0366_5f08, "111659285584252.12"),
            (0xc2ea_9725_7f23_20b4, "-233891771783429.62"),
        ];
        for (bits, expected) in ties {
            assert_eq!(float_repr(f64::from_bits(bits)), expected);
        }
        for &(value, expected) in cases {
            assert_eq!(float_repr(value), expected, "{value:e}");
        }
    }
}
