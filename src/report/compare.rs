//! What changed between two leak hunts (`python -m leakrunner.report
//! compare BEFORE.json AFTER.json`): per layer, its verdict before and
//! after, and per finding (a kind and a type) whether it was fixed, is new,
//! or grows faster or slower per iteration. Pure functions of two report
//! [`Document`]s, rendered as text for the terminal and as an HTML page.

use std::fmt::Write as _;

use super::html::{amount, badge, escape, utc_date};
use super::json::{Document, LayerReport};
use crate::leaks::verdict::{Finding, Kind, Verdict};

/// Growth per iteration that differs by less than this is the same.
const SAME: f64 = 0.05;

/// What happened to one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Found before, not after.
    Fixed,
    /// Found after, not before.
    New,
    /// Grows faster per iteration.
    Up,
    /// Grows slower per iteration.
    Down,
    Same,
}

impl Change {
    pub fn label(self) -> &'static str {
        match self {
            Change::Fixed => "fixed",
            Change::New => "new",
            Change::Up => "up",
            Change::Down => "down",
            Change::Same => "same",
        }
    }
}

/// One finding in either hunt, matched by kind and type.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingChange {
    pub kind: Kind,
    pub type_name: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// The tests named after (or before, for a fixed finding).
    pub tests: Vec<String>,
}

impl FindingChange {
    pub fn change(&self) -> Change {
        match (self.before, self.after) {
            (Some(_), None) => Change::Fixed,
            (None, _) => Change::New,
            (Some(b), Some(a)) if a > b + SAME => Change::Up,
            (Some(b), Some(a)) if a < b - SAME => Change::Down,
            _ => Change::Same,
        }
    }
}

/// What happened to a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Leaked before, does not now.
    Fixed,
    /// Leaks now, did not before (or was not in the first hunt).
    NewLeak,
    /// Leaks in both.
    StillLeaks,
    /// Its verdict changed otherwise (drift, inconclusive, clean).
    Changed,
    Unchanged,
    /// Only in the first hunt.
    Gone,
    /// Only in the second hunt, and not leaking.
    Added,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Fixed => "fixed",
            Status::NewLeak => "new leak",
            Status::StillLeaks => "still leaks",
            Status::Changed => "changed",
            Status::Unchanged => "unchanged",
            Status::Gone => "not run after",
            Status::Added => "not run before",
        }
    }
}

/// One layer in either hunt.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerChange {
    pub layer: String,
    pub before: Option<Verdict>,
    pub after: Option<Verdict>,
    pub findings: Vec<FindingChange>,
}

impl LayerChange {
    pub fn status(&self) -> Status {
        match (self.before, self.after) {
            (Some(_), None) => Status::Gone,
            (None, Some(Verdict::Leak)) => Status::NewLeak,
            (None, _) => Status::Added,
            (Some(Verdict::Leak), Some(Verdict::Leak)) => Status::StillLeaks,
            (Some(Verdict::Leak), Some(_)) => Status::Fixed,
            (Some(_), Some(Verdict::Leak)) => Status::NewLeak,
            (Some(b), Some(a)) if a != b => Status::Changed,
            _ if self.findings.iter().any(|f| f.change() != Change::Same) => Status::Changed,
            _ => Status::Unchanged,
        }
    }

    /// Findings that leak after and did not before.
    pub fn new_leaks(&self) -> usize {
        if self.after != Some(Verdict::Leak) {
            return 0;
        }
        self.findings
            .iter()
            .filter(|f| f.change() == Change::New && f.kind != Kind::Drift)
            .count()
    }
}

/// Two hunts side by side.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub layers: Vec<LayerChange>,
}

impl Comparison {
    /// A leak the second hunt found that the first did not: a new leaking
    /// layer, or a new leaking finding in a layer that leaked already.
    pub fn has_new_leak(&self) -> bool {
        self.layers.iter().any(|l| l.new_leaks() > 0)
    }

    fn count(&self, status: Status) -> usize {
        self.layers.iter().filter(|l| l.status() == status).count()
    }
}

fn key(f: &Finding) -> (Kind, Option<&str>) {
    (f.kind, f.type_name.as_deref())
}

fn compare_findings(
    before: Option<&LayerReport>,
    after: Option<&LayerReport>,
) -> Vec<FindingChange> {
    let none: &[Finding] = &[];
    let b = before.map_or(none, |l| &l.leaks.judgement.findings);
    let a = after.map_or(none, |l| &l.leaks.judgement.findings);
    let mut out: Vec<FindingChange> = Vec::new();
    for f in a {
        let then = b.iter().find(|g| key(g) == key(f));
        out.push(FindingChange {
            kind: f.kind,
            type_name: f.type_name.clone(),
            before: then.map(|g| g.per_iteration),
            after: Some(f.per_iteration),
            tests: f.tests.clone(),
        });
    }
    for g in b {
        if !a.iter().any(|f| key(f) == key(g)) {
            out.push(FindingChange {
                kind: g.kind,
                type_name: g.type_name.clone(),
                before: Some(g.per_iteration),
                after: None,
                tests: g.tests.clone(),
            });
        }
    }
    out
}

/// Compares two hunts, layer by layer, in the order the second ran them
/// (layers only the first ran follow).
pub fn compare(before: &Document, after: &Document) -> Comparison {
    let find = |doc: &'_ Document, name: &str| -> Option<usize> {
        doc.layers.iter().position(|l| l.leaks.layer == name)
    };
    let mut layers = Vec::new();
    for l in &after.layers {
        let then = find(before, &l.leaks.layer).map(|i| &before.layers[i]);
        layers.push(LayerChange {
            layer: l.leaks.layer.clone(),
            before: then.map(|t| t.leaks.judgement.verdict),
            after: Some(l.leaks.judgement.verdict),
            findings: compare_findings(then, Some(l)),
        });
    }
    for l in &before.layers {
        if find(after, &l.leaks.layer).is_none() {
            layers.push(LayerChange {
                layer: l.leaks.layer.clone(),
                before: Some(l.leaks.judgement.verdict),
                after: None,
                findings: compare_findings(Some(l), None),
            });
        }
    }
    Comparison { layers }
}

fn subject(f: &FindingChange) -> String {
    f.type_name
        .clone()
        .unwrap_or_else(|| format!("({})", f.kind.unit()))
}

/// `+1/iter`, `+1 -> +3/iter`, `was +1/iter`.
fn rates(f: &FindingChange) -> String {
    match (f.before, f.after) {
        (Some(b), None) => format!("was {}/iter", amount(b)),
        (None, Some(a)) => format!("{}/iter", amount(a)),
        (Some(_), Some(a)) if f.change() == Change::Same => format!("{}/iter", amount(a)),
        (Some(b), Some(a)) => format!("{} -> {}/iter", amount(b), amount(a)),
        (None, None) => String::new(),
    }
}

fn verdicts(l: &LayerChange) -> String {
    let v = |v: Option<Verdict>| v.map_or("-", Verdict::label);
    format!("{} -> {}", v(l.before), v(l.after))
}

/// One line naming a report: its file, date and interpreter.
fn describe(name: &str, doc: &Document) -> String {
    let mut parts = vec![name.to_owned()];
    if let Some(started) = doc.started {
        parts.push(utc_date(started));
    }
    if let Some(flavour) = doc
        .info
        .interpreter
        .get("running")
        .and_then(|r| r.get("flavour"))
        .and_then(|f| f.as_str())
    {
        parts.push(flavour.to_owned());
    }
    parts.join(", ")
}

/// The summary sentence.
fn summary(c: &Comparison) -> String {
    let mut parts = Vec::new();
    for (status, word) in [
        (Status::Fixed, "fixed"),
        (Status::NewLeak, "new leak"),
        (Status::StillLeaks, "still leaking"),
        (Status::Changed, "changed"),
        (Status::Unchanged, "unchanged"),
        (Status::Gone, "not run after"),
        (Status::Added, "not run before"),
    ] {
        let n = c.count(status);
        if n > 0 {
            let word = if status == Status::NewLeak && n > 1 {
                "new leaks"
            } else {
                word
            };
            parts.push(format!("{n} {word}"));
        }
    }
    if parts.is_empty() {
        return "No layers in either report.".to_owned();
    }
    let n = c.layers.len();
    format!(
        "{n} {}: {}.",
        if n == 1 { "layer" } else { "layers" },
        parts.join(", ")
    )
}

/// The comparison as text for a terminal (80 columns where names allow):
/// every layer whose verdict or findings changed, or that still leaks,
/// then a count of the rest.
pub fn text(c: &Comparison, before: (&str, &Document), after: (&str, &Document)) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Before: {}", describe(before.0, before.1));
    let _ = writeln!(out, "After:  {}", describe(after.0, after.1));
    out.push('\n');
    for l in &c.layers {
        let status = l.status();
        if status == Status::Unchanged {
            continue;
        }
        let mut head = format!("  {:<14}{}", status.label(), l.layer);
        if status != Status::StillLeaks {
            head.push_str(&format!(" ({})", verdicts(l)));
        }
        // Where the verdict stayed, only findings that changed are listed.
        let stayed = matches!(status, Status::Changed | Status::StillLeaks);
        let shown: Vec<&FindingChange> = l
            .findings
            .iter()
            .filter(|f| !stayed || f.change() != Change::Same)
            .collect();
        let same = l.findings.len() - shown.len();
        let noun = if same == 1 { "finding" } else { "findings" };
        if shown.is_empty() && same > 0 {
            let _ = writeln!(out, "{head}: {same} {noun} unchanged");
            continue;
        }
        let _ = writeln!(out, "{head}");
        // Rates line up under each other where the types allow.
        let width = shown
            .iter()
            .map(|f| subject(f).chars().count())
            .filter(|&w| w <= 40)
            .max()
            .unwrap_or(0);
        for f in shown {
            let _ = writeln!(
                out,
                "    {:<7}{:<13}{:<width$}  {}",
                f.change().label(),
                f.kind.label(),
                subject(f),
                rates(f)
            );
        }
        if same > 0 {
            let _ = writeln!(out, "    and {same} {noun} unchanged");
        }
    }
    let _ = writeln!(out, "{}", summary(c));
    out
}

/// The comparison as a self-contained HTML page.
pub fn html(c: &Comparison, before: (&str, &Document), after: (&str, &Document)) -> String {
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Leak reports compared</title><style>{}\
         td.c-fixed,td.c-down{{color:var(--clean)}}td.c-new,td.c-up{{color:var(--leak)}}\
         .status{{font-weight:700;white-space:nowrap}}</style></head><body><main>\n\
         <header><h1>Leak reports compared</h1><p class=\"lead\">{}</p></header>\n\
         <dl class=\"run\"><dt>Before</dt><dd>{}</dd><dt>After</dt><dd>{}</dd></dl>\n",
        super::html::css(),
        escape(&summary(c)),
        escape(&describe(before.0, before.1)),
        escape(&describe(after.0, after.1)),
    );
    page.push_str(
        "<section><h2>Layers</h2><div class=\"scroll\"><table><thead><tr><th>Layer</th>\
         <th>Change</th><th>Before</th><th>After</th><th>Findings</th></tr></thead><tbody>",
    );
    let verdict_cell = |v: Option<Verdict>| v.map(badge).unwrap_or_else(|| "\u{2014}".to_owned());
    for l in &c.layers {
        let status = l.status();
        let mut findings = String::new();
        let same = l
            .findings
            .iter()
            .filter(|f| f.change() == Change::Same)
            .count();
        for f in &l.findings {
            if f.change() == Change::Same {
                continue;
            }
            let _ = write!(
                findings,
                "<tr><td class=\"c-{0} status\">{0}</td><td>{1}</td><td><code>{2}</code></td>\
                 <td class=\"num\">{3}</td></tr>",
                f.change().label(),
                f.kind.label(),
                escape(&subject(f)),
                escape(&rates(f)).replace(" -&gt; ", " \u{2192} "),
            );
        }
        if same > 0 && status != Status::Unchanged {
            let noun = if same == 1 { "finding" } else { "findings" };
            let _ = write!(
                findings,
                "<tr><td colspan=\"4\" class=\"note\">{same} {noun} unchanged</td></tr>"
            );
        }
        let findings = if findings.is_empty() {
            String::new()
        } else {
            format!("<table class=\"inner\"><tbody>{findings}</tbody></table>")
        };
        let _ = write!(
            page,
            "<tr class=\"{}\"><td class=\"layer\">{}</td><td class=\"status{}\">{}</td>\
             <td>{}</td><td>{}</td><td>{findings}</td></tr>",
            if status == Status::Unchanged {
                "clean"
            } else {
                ""
            },
            escape(&l.layer),
            match status {
                Status::Fixed => " c-fixed",
                Status::NewLeak => " c-new",
                _ => "",
            },
            status.label(),
            verdict_cell(l.before),
            verdict_cell(l.after),
        );
    }
    page.push_str("</tbody></table></div></section>\n</main></body></html>\n");
    page
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::leaks::verdict::Judgement;
    use crate::leaks::{LayerLeaks, Sight};
    use crate::report::json::{RunInfo, SCHEMA};

    fn finding(kind: Kind, type_name: Option<&str>, per: f64) -> Finding {
        Finding {
            kind,
            type_name: type_name.map(str::to_owned),
            per_iteration: per,
            growth: vec![per as i64; 4],
            accelerating: false,
            tests: vec!["t.Tests.test_x".into()],
            note: None,
            samples: Vec::new(),
            chain: Vec::new(),
            allocated_at: Vec::new(),
        }
    }

    fn layer(name: &str, verdict: Verdict, findings: Vec<Finding>) -> LayerReport {
        LayerReport::from(LayerLeaks {
            layer: name.into(),
            sight: Sight::default(),
            warmups: 2,
            iterations: Vec::new(),
            judgement: Judgement {
                verdict,
                findings,
                undecided: Vec::new(),
                more_iterations: None,
                counted: 4,
                unseen: Vec::new(),
            },
            incomplete: false,
        })
    }

    fn doc(layers: Vec<LayerReport>) -> Document {
        Document {
            schema: SCHEMA.into(),
            info: RunInfo {
                leakrunner: "0.1.0".into(),
                interpreter: serde_json::json!({"running": {"flavour": "CPython 3.13 pydebug"}}),
                options: vec!["prog".into()],
                mode: "leaks".into(),
            },
            started: Some(0.0),
            seconds: None,
            layers,
        }
    }

    fn hunts() -> (Document, Document) {
        let before = doc(vec![
            layer(
                "demo.Leaky",
                Verdict::Leak,
                vec![finding(Kind::Objects, Some("leak.Leakable"), 1.0)],
            ),
            layer(
                "demo.Growing",
                Verdict::Leak,
                vec![
                    finding(Kind::Objects, Some("a.Grows"), 2.0),
                    finding(Kind::Objects, Some("a.Same"), 1.0),
                ],
            ),
            layer("demo.Clean", Verdict::Clean, vec![]),
            layer("demo.Calm", Verdict::Clean, vec![]),
        ]);
        let after = doc(vec![
            layer("demo.Leaky", Verdict::Clean, vec![]),
            layer(
                "demo.Growing",
                Verdict::Leak,
                vec![
                    finding(Kind::Objects, Some("a.Grows"), 5.0),
                    finding(Kind::Objects, Some("a.Same"), 1.0),
                ],
            ),
            layer(
                "demo.Clean",
                Verdict::Leak,
                vec![finding(Kind::Fds, None, 1.0)],
            ),
            layer("demo.Calm", Verdict::Clean, vec![]),
        ]);
        (before, after)
    }

    #[test]
    fn a_fixed_leak_a_new_one_and_faster_growth() {
        let (before, after) = hunts();
        let c = compare(&before, &after);
        let status: Vec<(&str, Status)> = c
            .layers
            .iter()
            .map(|l| (l.layer.as_str(), l.status()))
            .collect();
        assert_eq!(
            status,
            [
                ("demo.Leaky", Status::Fixed),
                ("demo.Growing", Status::StillLeaks),
                ("demo.Clean", Status::NewLeak),
                ("demo.Calm", Status::Unchanged),
            ]
        );
        assert_eq!(c.layers[0].findings[0].change(), Change::Fixed);
        assert_eq!(c.layers[1].findings[0].change(), Change::Up);
        assert_eq!(c.layers[1].findings[1].change(), Change::Same);
        assert_eq!(c.layers[2].findings[0].change(), Change::New);
        assert!(c.has_new_leak());

        let text = text(&c, ("before.json", &before), ("after.json", &after));
        assert_eq!(
            text,
            "Before: before.json, 1970-01-01 00:00:00 UTC, CPython 3.13 pydebug\n\
             After:  after.json, 1970-01-01 00:00:00 UTC, CPython 3.13 pydebug\n\
             \n\
             \x20 fixed         demo.Leaky (leak -> clean)\n\
             \x20   fixed  objects      leak.Leakable  was +1/iter\n\
             \x20 still leaks   demo.Growing\n\
             \x20   up     objects      a.Grows  +2 -> +5/iter\n\
             \x20   and 1 finding unchanged\n\
             \x20 new leak      demo.Clean (clean -> leak)\n\
             \x20   new    fds          (fds)  +1/iter\n\
             4 layers: 1 fixed, 1 new leak, 1 still leaking, 1 unchanged.\n"
        );
    }

    #[test]
    fn a_fix_alone_is_no_new_leak_and_slower_growth_is_down() {
        let (before, _) = hunts();
        let mut after = before.clone();
        after.layers[0] = layer("demo.Leaky", Verdict::Clean, vec![]);
        after.layers[1].leaks.judgement.findings[0].per_iteration = 1.0;
        let c = compare(&before, &after);
        assert!(!c.has_new_leak());
        assert_eq!(c.layers[0].status(), Status::Fixed);
        assert_eq!(c.layers[1].findings[0].change(), Change::Down);
        let text = text(&c, ("b", &before), ("a", &after));
        assert!(text.contains("  fixed         demo.Leaky"), "{text}");
        assert!(
            text.contains("    down   objects      a.Grows  +2 -> +1/iter"),
            "{text}"
        );
    }

    #[test]
    fn layers_in_one_hunt_only_and_verdicts_that_change_otherwise() {
        let before = doc(vec![
            layer(
                "only.Before",
                Verdict::Leak,
                vec![finding(Kind::Threads, None, 1.0)],
            ),
            layer("d.Drifts", Verdict::Clean, vec![]),
        ]);
        let after = doc(vec![
            layer(
                "d.Drifts",
                Verdict::Drift,
                vec![finding(Kind::Drift, None, 3.0)],
            ),
            layer(
                "only.After",
                Verdict::Leak,
                vec![finding(Kind::Objects, Some("x.Y"), 1.0)],
            ),
        ]);
        let c = compare(&before, &after);
        let status: Vec<Status> = c.layers.iter().map(LayerChange::status).collect();
        assert_eq!(status, [Status::Changed, Status::NewLeak, Status::Gone]);
        assert!(c.has_new_leak());
        // A drift is no new leak.
        let c = compare(&before, &doc(vec![after.layers[0].clone()]));
        assert!(!c.has_new_leak());
    }

    #[test]
    fn the_html_page_holds_every_layer_and_change() {
        let (before, after) = hunts();
        let c = compare(&before, &after);
        let page = html(&c, ("before.json", &before), ("after.json", &after));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.ends_with("</html>\n"));
        for name in ["demo.Leaky", "demo.Growing", "demo.Clean", "demo.Calm"] {
            assert!(
                page.contains(&format!("<td class=\"layer\">{name}</td>")),
                "{name}"
            );
        }
        assert!(page.contains("<td class=\"status c-fixed\">fixed</td>"));
        assert!(page.contains("<td class=\"status c-new\">new leak</td>"));
        assert!(page.contains("<td class=\"c-up status\">up</td>"));
        assert!(page.contains("+2 \u{2192} +5/iter"));
        assert!(!page.contains("<script"), "no script");
    }
}
