//! Which argparse the running interpreter has.
//!
//! zope.testrunner parses with the argparse of the Python that runs it, and
//! argparse's behaviour on zope's parser changed between releases — not only
//! between 3.11, 3.12 and 3.13 but within them, because parsing fixes were
//! backported to bugfix releases. A `Dialect` is the interpreter's
//! `sys.version_info[:3]`; `Dialect::has` answers whether one of the changes
//! below is in it, from the first release of each line that shipped it.
//!
//! The releases come from CPython's per-release changelogs
//! (`Misc/NEWS.d/3.X.Y.rst`) and were checked against the argparse of
//! 3.11.2 (Debian), 3.11.7, 3.12.1, 3.12.10, 3.13.0 and 3.13.5 with the
//! differential tests. Later 3.13.x/3.14 releases are taken to behave like
//! 3.13.5 (3.14 adds colour and suggestions that are off for zope's parser;
//! a 2026 change restoring the quotes in `invalid choice` lists is not
//! modelled because the release carrying it is not known here).

use super::pytypes::Unicode;

/// A change in argparse that shows on zope's parser.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// gh-109475: an explicit option value `--` (`--opt=--`, `-s--`) is kept;
    /// before, the first `--` was dropped from every action's arguments.
    ExplicitDoubleDash,
    /// gh-60346: in a `-xyz` cluster, a letter that is no option ends the
    /// cluster as an unrecognized `-yz` (it was an `ignored explicit
    /// argument` error), a `=` after a cluster letter separates its value
    /// (`-vs=x` gives `-s` `x`, not `=x`), and a flag followed by `=` or `-`
    /// inside a cluster is an `ignored explicit argument` error.
    SingleDashClusters,
    /// gh-58573: an ambiguous abbreviation is an error only when the parser
    /// reaches it, after the actions before it were taken (it was reported
    /// while classifying the tokens, before anything else).
    DeferredAmbiguity,
    /// gh-125254: the deferred ambiguity error names the ambiguous token;
    /// the first release with `DeferredAmbiguity` named the last token of
    /// the command line instead.
    AmbiguityNamesItsToken,
    /// gh-124345: a single-dash token is split at `=` before looking for
    /// abbreviations, so `-=x` abbreviates every option (ambiguous).
    SingleDashAbbrevEquals,
    /// gh-59317: positionals followed by an option take no empty match, so
    /// `foo -v bar` gives `bar` to the second positional.
    PartialMatchTrim,
    /// gh-81691: a positional drops a `--` only where the separator itself
    /// is among its arguments; a later literal `--` is kept.
    PositionalDoubleDash,
    /// An option with `nargs=2` takes option-looking tokens as values
    /// (`--package-path a -v`): `_get_nargs_pattern` gives options
    /// `[AO]{N}` since the autumn-2024 rewrite shipped in 3.12.7 (it is in
    /// none of the later 3.12 changelogs; which issue made it is not pinned
    /// down here).
    FixedNargsTakeOptions,
    /// gh-86357: `invalid choice` lists the choices with `str()`, unquoted.
    StrChoices,
    /// 3.13: an option with a value shows as `-s, --long ARG` in `--help`
    /// (it was `-s ARG, --long ARG`).
    CompactInvocation,
}

impl Change {
    /// The first release of each minor line that has the change, as
    /// `(minor, micro)`, oldest line first. Lines after the last one listed
    /// have it; lines before the first one, or missing in between, do not.
    fn since(self) -> &'static [(u32, u32)] {
        match self {
            Change::ExplicitDoubleDash => &[(11, 8), (12, 2), (13, 0)],
            Change::SingleDashClusters => &[(11, 9), (12, 3), (13, 0)],
            Change::DeferredAmbiguity
            | Change::SingleDashAbbrevEquals
            | Change::PartialMatchTrim
            | Change::PositionalDoubleDash
            | Change::FixedNargsTakeOptions => &[(12, 7), (13, 1)],
            Change::AmbiguityNamesItsToken | Change::StrChoices => &[(12, 8), (13, 1)],
            Change::CompactInvocation => &[(13, 0)],
        }
    }
}

/// The argparse of one Python release, `(major, minor, micro)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    pub version: (u32, u32, u32),
}

impl Dialect {
    /// The release this module was first written against (the project's
    /// release interpreter), used when nothing better is known.
    pub const REFERENCE: Dialect = Dialect {
        version: (3, 11, 7),
    };

    pub fn new(version: (u32, u32, u32)) -> Dialect {
        Dialect { version }
    }

    /// Whether this release's argparse has `change`.
    pub fn has(self, change: Change) -> bool {
        let (major, minor, micro) = self.version;
        if major != 3 {
            return major > 3;
        }
        let since = change.since();
        if let Some(&(_, first)) = since.iter().find(|(m, _)| *m == minor) {
            return micro >= first;
        }
        since.last().is_some_and(|&(last, _)| minor > last)
    }
}

impl Dialect {
    /// The interpreter's Unicode database, which decides what `int()`,
    /// `float()` and `repr()` make of non-ASCII input (3.14's Unicode 16.0 is
    /// not modelled: 3.14 is taken as 15.1).
    pub fn unicode(self) -> Unicode {
        match self.version {
            (3, ..=11, _) => Unicode::V14_0,
            (3, 12, _) => Unicode::V15_0,
            (major, ..) if major < 3 => Unicode::V14_0,
            _ => Unicode::V15_1,
        }
    }
}

impl std::default::Default for Dialect {
    fn default() -> Dialect {
        Dialect::REFERENCE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Change; 10] = [
        Change::ExplicitDoubleDash,
        Change::SingleDashClusters,
        Change::DeferredAmbiguity,
        Change::AmbiguityNamesItsToken,
        Change::SingleDashAbbrevEquals,
        Change::PartialMatchTrim,
        Change::PositionalDoubleDash,
        Change::FixedNargsTakeOptions,
        Change::StrChoices,
        Change::CompactInvocation,
    ];

    fn changes(version: (u32, u32, u32)) -> Vec<Change> {
        ALL.into_iter()
            .filter(|c| Dialect::new(version).has(*c))
            .collect()
    }

    #[test]
    fn releases_have_the_changes_they_shipped() {
        use Change::*;
        let batch_2024 = [
            DeferredAmbiguity,
            SingleDashAbbrevEquals,
            PartialMatchTrim,
            PositionalDoubleDash,
            FixedNargsTakeOptions,
        ];
        let cases: Vec<((u32, u32, u32), Vec<Change>)> = vec![
            ((3, 10, 13), vec![]),
            ((3, 11, 2), vec![]),
            ((3, 11, 7), vec![]),
            ((3, 11, 8), vec![ExplicitDoubleDash]),
            ((3, 11, 9), vec![ExplicitDoubleDash, SingleDashClusters]),
            ((3, 11, 14), vec![ExplicitDoubleDash, SingleDashClusters]),
            ((3, 12, 0), vec![]),
            ((3, 12, 1), vec![]),
            ((3, 12, 2), vec![ExplicitDoubleDash]),
            ((3, 12, 6), vec![ExplicitDoubleDash, SingleDashClusters]),
            (
                (3, 12, 7),
                [ExplicitDoubleDash, SingleDashClusters]
                    .into_iter()
                    .chain(batch_2024)
                    .collect(),
            ),
            (
                (3, 12, 8),
                [ExplicitDoubleDash, SingleDashClusters]
                    .into_iter()
                    .chain(batch_2024)
                    .chain([AmbiguityNamesItsToken, StrChoices])
                    .collect(),
            ),
            (
                (3, 13, 0),
                vec![ExplicitDoubleDash, SingleDashClusters, CompactInvocation],
            ),
            ((3, 13, 1), ALL.to_vec()),
            ((3, 13, 5), ALL.to_vec()),
            ((3, 14, 0), ALL.to_vec()),
            ((4, 0, 0), ALL.to_vec()),
        ];
        for (version, want) in cases {
            let mut want = want;
            want.sort_by_key(|c| ALL.iter().position(|a| a == c));
            assert_eq!(changes(version), want, "{version:?}");
        }
    }

    #[test]
    fn the_default_is_the_reference_release() {
        assert_eq!(Dialect::default().version, (3, 11, 7));
        assert!(changes(Dialect::default().version).is_empty());
    }
}
