//! The "Leaks" block that `--leaks` prints after the run's totals: one line
//! per layer that leaks, drifts or could not be judged, then its top
//! findings. Clean layers take one line between them. 80 columns, readable
//! without colour.

use crate::leaks::verdict::{Finding, Kind, Verdict};
use crate::leaks::LeakVerdictLine;

/// Width of the block.
const WIDTH: usize = 80;
/// Findings listed per layer.
const TOP: usize = 5;

/// Cuts `text` to `width` characters, marking the cut with `...`; keeps the
/// end of dotted names, which is the part that tells them apart.
fn fit(text: &str, width: usize) -> String {
    let n = text.chars().count();
    if n <= width {
        return text.to_owned();
    }
    let keep = width.saturating_sub(3);
    let tail: String = text.chars().skip(n - keep).collect();
    format!("...{tail}")
}

/// `+1.5` or `+2`.
fn amount(per_iteration: f64) -> String {
    if (per_iteration - per_iteration.round()).abs() < 0.05 {
        format!("+{}", per_iteration.round() as i64)
    } else {
        format!("+{per_iteration:.1}")
    }
}

/// A finding's lines; `tests` says whether to name its tests (the
/// previous finding may have named the same ones).
fn finding_line(f: &Finding, tests: bool) -> String {
    let growth = format!("{} {}/iter", amount(f.per_iteration), f.kind.unit());
    let head = format!("    {:<13}{:<19}", f.kind.label(), growth);
    let mut what = match (&f.type_name, f.kind) {
        (Some(t), _) => t.clone(),
        (None, Kind::Drift) => "references no object holds (bookkeeping)".to_owned(),
        (None, Kind::Unreferenced) => "objects nothing refers to".to_owned(),
        (None, Kind::Blocks) => "memory that no object explains".to_owned(),
        (None, Kind::Fds) => "open file descriptors".to_owned(),
        (None, Kind::Threads) => "threads left running".to_owned(),
        (None, Kind::Garbage) => "uncollectable objects in gc.garbage".to_owned(),
        (None, _) => "the reference total".to_owned(),
    };
    if f.accelerating {
        what.push_str(", accelerating");
    }
    let mut line = format!("{head}{}", fit(&what, WIDTH - 1 - head.len()));
    if tests && !f.tests.is_empty() {
        let tests: Vec<String> = f.tests.iter().map(|t| fit_start(t, WIDTH - 18)).collect();
        wrap(&mut line, "      by ", &tests, ", ");
    }
    if !f.chain.is_empty() {
        let steps: Vec<String> = f.chain.iter().map(|s| fit(s, WIDTH - 22)).collect();
        wrap(&mut line, "      held by ", &steps, " -> ");
    }
    if let Some(sample) = f.samples.first() {
        line.push_str(&format!("\n      e.g. {}", fit_start(sample, WIDTH - 12)));
    }
    if !f.allocated_at.is_empty() {
        line.push_str("\n      allocated at:");
        // The innermost frames say most: the last two lines of each.
        let frames: Vec<&String> = f.allocated_at.iter().rev().take(4).collect();
        for frame in frames.into_iter().rev() {
            line.push_str(&format!("\n        {}", fit_start(frame.trim(), WIDTH - 9)));
        }
    }
    if let Some(note) = &f.note {
        line.push_str(&format!("\n      ({})", fit(note, WIDTH - 10)));
    }
    line
}

/// Appends `items` joined by `sep` after `lead`, on as many lines as
/// [`WIDTH`] needs, continuation lines indented under the first item. A
/// comma stays at the end of a line; an arrow starts the next one.
fn wrap(out: &mut String, lead: &str, items: &[String], sep: &str) {
    let indent = " ".repeat(lead.len() + 2);
    let trailing = sep.trim().starts_with(',');
    let mut current = format!("{lead}{}", items.first().map_or("", String::as_str));
    for item in items.iter().skip(1) {
        let joined = format!("{sep}{item}");
        if current.chars().count() + joined.chars().count() >= WIDTH {
            if trailing {
                current.push_str(sep.trim_end());
            }
            out.push('\n');
            out.push_str(&current);
            current = if trailing {
                format!("{indent}{item}")
            } else {
                format!("{indent}{}{item}", sep.trim_start())
            };
        } else {
            current.push_str(&joined);
        }
    }
    out.push('\n');
    out.push_str(&current);
}

/// Cuts `text` to `width` characters keeping its start (test ids and
/// samples say what they are first).
fn fit_start(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_owned();
    }
    let cut: String = text.chars().take(width.saturating_sub(3)).collect();
    format!("{cut}...")
}

/// The block, or nothing when no layer was judged.
pub fn summary(lines: &[LeakVerdictLine]) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("Leaks:\n");
    let clean = lines
        .iter()
        .filter(|l| l.verdict == Verdict::Clean && !l.incomplete)
        .count();
    for line in lines {
        if line.verdict == Verdict::Clean && !line.incomplete {
            continue;
        }
        let mut kinds: Vec<&str> = Vec::new();
        for f in &line.findings {
            if !kinds.contains(&f.kind.label()) {
                kinds.push(f.kind.label());
            }
        }
        let mut detail = match line.verdict {
            Verdict::Leak | Verdict::Drift => kinds.join(", "),
            // More iterations settle nothing when not all of them ran.
            Verdict::Inconclusive if line.incomplete => String::new(),
            Verdict::Inconclusive => match line.more_iterations {
                Some(more) => format!("run {more} more iterations to settle it"),
                None => "not enough iterations".to_owned(),
            },
            Verdict::Clean => String::new(),
        };
        if line.incomplete {
            // First, so that a narrow line keeps it.
            detail = if detail.is_empty() {
                "incomplete, not every iteration ran".to_owned()
            } else {
                format!("incomplete; {detail}")
            };
        }
        // The layer's name gets what the detail leaves of the line.
        let detail = fit_start(&detail, 44);
        let room = WIDTH - 1 - 16 - 2 - detail.chars().count();
        let mut head = format!("  {:<14}{}", line.verdict.label(), fit(&line.layer, room));
        if !detail.is_empty() {
            head.push_str(": ");
            head.push_str(&detail);
        }
        out.push_str(&head);
        out.push('\n');
        let mut previous_tests: &[String] = &[];
        for f in line.findings.iter().take(TOP) {
            out.push_str(&finding_line(f, f.tests.as_slice() != previous_tests));
            out.push('\n');
            previous_tests = &f.tests;
        }
        if line.findings.len() > TOP {
            out.push_str(&format!(
                "    ... and {} more (see --leak-report)\n",
                line.findings.len() - TOP
            ));
        }
    }
    if clean > 0 {
        let noun = if clean == 1 { "layer" } else { "layers" };
        out.push_str(&format!("  {:<14}{clean} {noun}\n", "clean"));
    }
    let first = &lines[0];
    out.push_str(&format!(
        "  ({} warm-up and {} counted iterations per layer)\n",
        first.warmups, first.counted
    ));
    if !first.unseen.is_empty() {
        let unseen: Vec<String> = first.unseen.clone();
        let mut text = String::new();
        wrap(&mut text, "  Not seen by this build: ", &unseen, ", ");
        out.push_str(text.trim_start_matches('\n'));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: Kind, type_name: Option<&str>, per: f64) -> Finding {
        Finding {
            kind,
            type_name: type_name.map(str::to_owned),
            per_iteration: per,
            growth: vec![per as i64; 4],
            accelerating: false,
            tests: Vec::new(),
            note: None,
            samples: Vec::new(),
            chain: Vec::new(),
            allocated_at: Vec::new(),
        }
    }

    fn line(layer: &str, verdict: Verdict, findings: Vec<Finding>) -> LeakVerdictLine {
        LeakVerdictLine {
            layer: layer.to_owned(),
            verdict,
            findings,
            more_iterations: None,
            warmups: 2,
            counted: 4,
            unseen: Vec::new(),
            incomplete: false,
        }
    }

    #[test]
    fn a_leak_a_drift_and_clean_layers() {
        let lines = vec![
            line("clean.A", Verdict::Clean, vec![]),
            line(
                "leak.L",
                Verdict::Leak,
                vec![
                    finding(Kind::Objects, Some("leak.Leakable"), 1.0),
                    finding(Kind::Objects, Some("float"), 1.0),
                ],
            ),
            line(
                "drift.D",
                Verdict::Drift,
                vec![finding(Kind::Drift, None, 3.0)],
            ),
            line("clean.B", Verdict::Clean, vec![]),
        ];
        assert_eq!(
            summary(&lines),
            "Leaks:\n\
             \x20 leak          leak.L: objects\n\
             \x20   objects      +1 objects/iter    leak.Leakable\n\
             \x20   objects      +1 objects/iter    float\n\
             \x20 drift         drift.D: drift\n\
             \x20   drift        +3 refs/iter       references no object holds (bookkeeping)\n\
             \x20 clean         2 layers\n\
             \x20 (2 warm-up and 4 counted iterations per layer)\n"
        );
    }

    #[test]
    fn an_incomplete_layer_says_so_first() {
        let mut undecided = line("crashed.L", Verdict::Inconclusive, vec![]);
        undecided.more_iterations = Some(2);
        undecided.incomplete = true;
        let mut leaking = line(
            "crashed.M",
            Verdict::Leak,
            vec![finding(Kind::Objects, Some("float"), 1.0)],
        );
        leaking.incomplete = true;
        let text = summary(&[undecided, leaking]);
        assert!(text.contains("  inconclusive  crashed.L: incomplete, not every iteration ran\n"));
        assert!(text.contains("  leak          crashed.M: incomplete; objects\n"));
    }

    #[test]
    fn nothing_judged_prints_nothing_and_lines_fit_80_columns() {
        assert_eq!(summary(&[]), "");
        let long = "a.very.long.package.name.that.goes.on.and.on.and.on.and.on.and.on.Layer";
        let mut l = line(long, Verdict::Inconclusive, vec![]);
        l.more_iterations = Some(4);
        let mut f = finding(Kind::Objects, Some(long), 2.5);
        f.tests = vec![format!("test_x ({long}.Tests)"), "test_y (m.T)".into()];
        f.chain = vec![
            format!("{long}.HOARD (list)"),
            "[41] tuple".into(),
            "[0] leak.Leakable".into(),
            "['a key'] dict".into(),
            ".attribute some.other.Type".into(),
        ];
        f.samples = vec!["x".repeat(200)];
        let lines = vec![l, line(long, Verdict::Leak, vec![f])];
        let text = summary(&lines);
        for row in text.lines() {
            assert!(row.chars().count() < WIDTH, "{row:?}");
        }
        assert!(
            text.contains("run 4 more iterations to settle it"),
            "{text}"
        );
        assert!(text.contains("+2.5 objects/iter"), "{text}");
        assert!(
            text.contains("      held by ...") && text.contains("-> [41] tuple"),
            "{text}"
        );
        assert!(text.contains("      by test_x ("), "{text}");
    }
}
