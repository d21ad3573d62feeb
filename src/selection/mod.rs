//! Selection: which modules, tests and layers run, by zope.testrunner's rules.
//!
//! Filters are lists of Python regular expressions used with `re.search`; a
//! leading `!` negates one; a list of only negative patterns keeps everything
//! (`.`) except what they match (`filter.build_filtering_func` in zope).

pub mod pattern;

pub use pattern::{Fallback, Matcher, Pattern};

/// An accept/reject rule built from `-m`, `-t`, `--layer` style patterns.
#[derive(Debug)]
pub struct Filter {
    selected: Vec<Pattern>,
    unselected: Vec<Pattern>,
    /// The filter is exactly `["."]`, the default: it accepts every non-empty
    /// string, so callers may skip building the string.
    only_dot: bool,
}

/// A pattern that neither engine accepts: a usage error for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPattern {
    pub pattern: String,
    pub message: String,
}

impl Filter {
    pub fn new<S: AsRef<str>>(
        patterns: &[S],
        fallback: Fallback<'_>,
    ) -> Result<Filter, BadPattern> {
        let mut selected = Vec::new();
        let mut unselected = Vec::new();
        for pattern in patterns {
            let pattern = pattern.as_ref();
            let (store, source) = match pattern.strip_prefix('!') {
                Some(rest) => (&mut unselected, rest),
                None => (&mut selected, pattern),
            };
            let compiled = Pattern::compile(source, fallback).map_err(|message| BadPattern {
                pattern: pattern.to_owned(),
                message,
            })?;
            store.push(compiled);
        }
        if selected.is_empty() && !unselected.is_empty() {
            selected.push(
                Pattern::compile(".", fallback).map_err(|message| BadPattern {
                    pattern: ".".into(),
                    message,
                })?,
            );
        }
        let only_dot = patterns.len() == 1 && patterns[0].as_ref() == ".";
        Ok(Filter {
            selected,
            unselected,
            only_dot,
        })
    }

    pub fn accepts(&self, value: &str) -> bool {
        self.selected.iter().any(|p| p.is_match(value))
            && !self.unselected.iter().any(|p| p.is_match(value))
    }

    /// True when the filter accepts every non-empty string (the default `.`).
    pub fn accepts_any_nonempty(&self) -> bool {
        self.only_dot
    }
}

/// Which test levels run: `-a/--at-level`, `--all`, `--only-level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub at_level: i64,
    pub only_level: Option<i64>,
}

impl Levels {
    pub fn accepts(&self, level: i64) -> bool {
        match self.only_level {
            Some(only) => level == only,
            None => self.at_level <= 0 || level <= self.at_level,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(patterns: &[&str]) -> Filter {
        Filter::new(patterns, &|s| Err(format!("no fallback for {s}"))).unwrap()
    }

    #[test]
    fn zope_filter_semantics() {
        // (patterns, value, accepted)
        let cases: &[(&[&str], &str, bool)] = &[
            (&["."], "anything", true),
            (&["."], "", false),
            (&[], "anything", false),
            (&["!yy"], "xx", true),
            (&["!yy"], "yy", false),
            (&["yy", "!yy"], "yy", false),
            (&["yy", "!yy"], "xx", false),
            (&["a", "b"], "b", true),
            (&["!test_x", "!test_y"], "test_z (m.C.test_z)", true),
            (&["!test_x", "!test_y"], "test_y (m.C.test_y)", false),
            (&["12"], "samplelayers.Layer112", true),
            (&["12"], "samplelayers.Layer11", false),
        ];
        for (patterns, value, expected) in cases {
            assert_eq!(
                filter(patterns).accepts(value),
                *expected,
                "{patterns:?} on {value:?}"
            );
        }
    }

    #[test]
    fn default_dot_is_recognised() {
        assert!(filter(&["."]).accepts_any_nonempty());
        assert!(!filter(&[".", "!x"]).accepts_any_nonempty());
        assert!(!filter(&["a"]).accepts_any_nonempty());
    }

    #[test]
    fn bad_pattern_names_the_pattern() {
        let err = Filter::new(&["ok", "!a**"], &|_| {
            Err("multiple repeat at position 2".into())
        })
        .unwrap_err();
        assert_eq!(err.pattern, "!a**");
        assert_eq!(err.message, "multiple repeat at position 2");
    }

    #[test]
    fn levels() {
        let at = |at_level, only_level| Levels {
            at_level,
            only_level,
        };
        assert!(at(1, None).accepts(1));
        assert!(!at(1, None).accepts(2));
        assert!(at(0, None).accepts(5));
        assert!(at(-1, None).accepts(5));
        assert!(at(i64::MAX, None).accepts(3));
        assert!(at(1, Some(2)).accepts(2));
        assert!(!at(5, Some(2)).accepts(1));
    }
}
