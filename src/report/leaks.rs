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

fn finding_line(f: &Finding) -> String {
    let growth = format!("{} {}/iter", amount(f.per_iteration), f.kind.unit());
    let head = format!("    {:<13}{:<18}", f.kind.label(), growth);
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
    if !f.tests.is_empty() {
        let tests = f.tests.join(", ");
        line.push_str(&format!("\n      by {}", fit(&tests, WIDTH - 10)));
    }
    if let Some(note) = &f.note {
        line.push_str(&format!("\n      ({})", fit(note, WIDTH - 10)));
    }
    line
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
            Verdict::Inconclusive => match line.more_iterations {
                Some(more) => format!("run {more} more iterations to settle it"),
                None => "not enough iterations".to_owned(),
            },
            Verdict::Clean => String::new(),
        };
        if line.incomplete {
            if !detail.is_empty() {
                detail.push_str("; ");
            }
            detail.push_str("incomplete, not every iteration ran");
        }
        // The layer's name gets what the detail leaves of the line.
        let detail = if detail.chars().count() > 40 {
            let cut: String = detail.chars().take(37).collect();
            format!("{cut}...")
        } else {
            detail
        };
        let room = WIDTH - 1 - 16 - 2 - detail.chars().count();
        let mut head = format!("  {:<14}{}", line.verdict.label(), fit(&line.layer, room));
        if !detail.is_empty() {
            head.push_str(": ");
            head.push_str(&detail);
        }
        out.push_str(&head);
        out.push('\n');
        for f in line.findings.iter().take(TOP) {
            out.push_str(&finding_line(f));
            out.push('\n');
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
        "  ({} warm-up and {} counted iterations per layer",
        first.warmups, first.counted
    ));
    let unseen: Vec<&str> = first.unseen.iter().map(String::as_str).collect();
    if unseen.is_empty() {
        out.push_str(")\n");
    } else {
        out.push_str(&format!("; not seen here: {})\n", unseen.join(", ")));
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
             \x20   objects      +1 objects/iter   leak.Leakable\n\
             \x20   objects      +1 objects/iter   float\n\
             \x20 drift         drift.D: drift\n\
             \x20   drift        +3 refs/iter      references no object holds (bookkeeping)\n\
             \x20 clean         2 layers\n\
             \x20 (2 warm-up and 4 counted iterations per layer)\n"
        );
    }

    #[test]
    fn nothing_judged_prints_nothing_and_lines_fit_80_columns() {
        assert_eq!(summary(&[]), "");
        let long = "a.very.long.package.name.that.goes.on.and.on.and.on.and.on.and.on.Layer";
        let mut l = line(long, Verdict::Inconclusive, vec![]);
        l.more_iterations = Some(4);
        let mut f = finding(Kind::Objects, Some(long), 2.5);
        f.tests = vec![format!("test_x ({long}.Tests)")];
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
    }
}
