//! The HTML leak report (`--leak-html FILE`, and `python -m
//! leakrunner.report`): one self-contained page rendered from a report
//! [`Document`], with inline CSS and inline SVG charts, no script and
//! nothing fetched. [`render`] is a pure function of the document; [`Html`]
//! is the reporter that records a run and writes the page when it ends.
//!
//! What the page holds: the run (interpreter, build, options, date), a
//! table of every layer with its verdict, and for each layer that leaks,
//! drifts or could not be judged its findings (kinds, types, tests,
//! referrer chains, samples), a chart of each signal per iteration and a
//! chart of the types that grew the most. Clean layers take one table row
//! and no chart, which keeps a hunt over hundreds of layers small.
//!
//! The file runs past 1,000 lines for its table and snapshot tests at the
//! end; the code itself is under 1,000.

mod chart;

use std::fmt::Write as _;
use std::path::PathBuf;

use super::json::{Document, LayerReport, Recorder, RunInfo, WriteFile};
use super::{Output, Reporter, Stamp};
use crate::events::Event;
use crate::leaks::verdict::{Finding, Kind, Verdict};
use crate::leaks::IterationRecord;

/// Findings shown in full per layer; the JSON report has them all.
const MAX_FINDINGS: usize = 20;
/// Types drawn in a layer's types chart.
const TOP_TYPES: usize = 6;
/// Referrer-chain steps, samples and tests shown per finding.
const MAX_STEPS: usize = 30;
const MAX_SAMPLES: usize = 3;
const MAX_TESTS: usize = 20;
/// Characters of a sample's `repr` shown.
const SAMPLE_CHARS: usize = 240;

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The verdict's badge: a symbol and a word, so that it reads in print and
/// without colour too.
pub fn badge(verdict: Verdict) -> String {
    let symbol = match verdict {
        Verdict::Leak => "\u{2716}",
        Verdict::Clean => "\u{2713}",
        Verdict::Drift => "\u{2248}",
        Verdict::Inconclusive => "?",
    };
    format!(
        "<span class=\"v v-{0}\">{symbol}\u{a0}{0}</span>",
        verdict.label()
    )
}

/// `+1`, `+4.5`.
pub fn amount(per_iteration: f64) -> String {
    if (per_iteration - per_iteration.round()).abs() < 0.05 {
        format!("{:+}", per_iteration.round() as i64)
    } else {
        format!("{per_iteration:+.1}")
    }
}

/// `169,652`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// `0.42 s`, `12.3 s`, `4 min 05 s`.
pub fn duration(seconds: f64) -> String {
    if seconds < 10.0 {
        format!("{seconds:.2}\u{a0}s")
    } else if seconds < 60.0 {
        format!("{seconds:.1}\u{a0}s")
    } else {
        let s = seconds.round() as u64;
        format!("{}\u{a0}min {:02}\u{a0}s", s / 60, s % 60)
    }
}

/// Seconds since the epoch as `2026-11-30 14:02:11 UTC`.
pub fn utc_date(unix: f64) -> String {
    let c = super::format::Civil::from_micros((unix * 1e6).floor() as i64);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
        c.year, c.month, c.day, c.hour, c.minute, c.second
    )
}

/// An argument as a POSIX shell would need it quoted.
fn shell_word(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%^".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', "'\\''"))
    }
}

/// The command line, as the user would type it.
fn command_line(options: &[String]) -> String {
    let mut words = vec!["leakrunner".to_owned()];
    words.extend(options.iter().skip(1).map(|a| shell_word(a)));
    words.join(" ")
}

/// What a finding's kind means, in one phrase.
fn kind_meaning(kind: Kind) -> &'static str {
    match kind {
        Kind::Objects => "instances of this type grow every counted iteration",
        Kind::References => {
            "references to its instances grow, not the instances: a missing DECREF in C"
        }
        Kind::Unreferenced => {
            "objects survive while nothing on the heap refers to them: a C extension that \
             forgets to release what it made"
        }
        Kind::Blocks => "allocated memory grows and no object growth explains it",
        Kind::Fds => "open file descriptors grow",
        Kind::Threads => "threads are left running",
        Kind::Garbage => "uncollectable objects pile up in gc.garbage",
        Kind::Drift => {
            "the reference total moves but no object holds the references: bookkeeping, \
             not a leak"
        }
    }
}

/// What a finding is about when it names no type.
fn finding_subject(f: &Finding) -> String {
    match (&f.type_name, f.kind) {
        (Some(t), _) => t.clone(),
        (None, Kind::Drift) => "references no object holds".to_owned(),
        (None, Kind::Unreferenced) => "objects nothing refers to".to_owned(),
        (None, Kind::Blocks) => "memory no object explains".to_owned(),
        (None, Kind::Fds) => "open file descriptors".to_owned(),
        (None, Kind::Threads) => "threads left running".to_owned(),
        (None, Kind::Garbage) => "objects in gc.garbage".to_owned(),
        (None, _) => "the reference total".to_owned(),
    }
}

/// The signals of a record, as the page names them: (field, caption,
/// what the axis counts).
type Getter = fn(&IterationRecord) -> Option<i64>;
const SIGNALS: [(Getter, &str, &str); 7] = [
    (
        |r| r.total_refs,
        "Reference total (sys.gettotalrefcount)",
        "references",
    ),
    (|r| r.objects, "Objects (census)", "objects"),
    (
        |r| r.census_refs,
        "References held by objects (census)",
        "references",
    ),
    (
        |r| r.blocks,
        "Allocated memory blocks (sys.getallocatedblocks)",
        "blocks",
    ),
    (|r| r.fds, "Open file descriptors", "descriptors"),
    (|r| r.threads, "Live threads", "threads"),
    (|r| r.garbage, "Objects in gc.garbage", "objects"),
];

/// Short names of the signals, for the line that lists unchanged ones.
const SIGNAL_NAMES: [&str; 7] = [
    "reference total",
    "objects",
    "census references",
    "memory blocks",
    "file descriptors",
    "threads",
    "gc.garbage",
];

/// A layer needs a section of its own.
fn detailed(layer: &LayerReport) -> bool {
    layer.leaks.judgement.verdict != Verdict::Clean || layer.leaks.incomplete
}

/// The anchor of a layer's section.
fn anchor(index: usize) -> String {
    format!("layer-{}", index + 1)
}

/// One phrase on what a layer's verdict rests on.
fn layer_detail(layer: &LayerReport) -> String {
    let j = &layer.leaks.judgement;
    let mut kinds: Vec<&str> = Vec::new();
    for f in &j.findings {
        if !kinds.contains(&f.kind.label()) {
            kinds.push(f.kind.label());
        }
    }
    let mut detail = match j.verdict {
        Verdict::Leak | Verdict::Drift => match j.findings.first() {
            Some(top) => {
                let more = match j.findings.len() - 1 {
                    0 => String::new(),
                    1 => " and 1 more".to_owned(),
                    n => format!(" and {n} more"),
                };
                format!(
                    "{}: {} {}/iter{more}",
                    kinds.join(", "),
                    finding_subject(top),
                    amount(top.per_iteration)
                )
            }
            None => String::new(),
        },
        Verdict::Inconclusive => match j.more_iterations {
            Some(more) => format!("run {more} more iterations to settle it"),
            None => "not enough iterations".to_owned(),
        },
        Verdict::Clean => String::new(),
    };
    if layer.leaks.incomplete {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str("incomplete: not every iteration ran");
    }
    detail
}

/// The page's one-sentence verdict on the run.
fn headline(doc: &Document) -> String {
    let n = doc.layers.len();
    if n == 0 {
        return "No layer was sampled.".to_owned();
    }
    let count = |v: Verdict| {
        doc.layers
            .iter()
            .filter(|l| l.leaks.judgement.verdict == v)
            .count()
    };
    let (leak, drift, unsure) = (
        count(Verdict::Leak),
        count(Verdict::Drift),
        count(Verdict::Inconclusive),
    );
    let layers = |k: usize| if k == 1 { "layer" } else { "layers" };
    if leak + drift + unsure == 0 {
        return if n == 1 {
            "No leaks: the layer is clean.".to_owned()
        } else {
            format!("No leaks: all {n} layers are clean.")
        };
    }
    let mut parts = Vec::new();
    if leak > 0 {
        parts.push(format!(
            "{leak} of {n} {} {}",
            layers(n),
            if leak == 1 { "leaks" } else { "leak" }
        ));
    }
    if drift > 0 {
        parts.push(format!(
            "{drift} {} {}",
            layers(drift),
            if drift == 1 { "drifts" } else { "drift" }
        ));
    }
    if unsure > 0 {
        parts.push(format!(
            "{unsure} {} inconclusive",
            if unsure == 1 { "is" } else { "are" }
        ));
    }
    let clean = count(Verdict::Clean);
    if clean > 0 {
        parts.push(format!("{clean} clean"));
    }
    let mut text = parts.join(", ");
    if leak == 0 {
        text = format!("No leaks. {}", capitalise(&text));
    }
    text.push('.');
    capitalise(&text)
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

const CSS: &str = r#"
:root{--ink:#1d1d1f;--muted:#5f6368;--rule:#d9d9de;--bg:#fff;--panel:#f6f6f8;
--leak:#b3261e;--drift:#8a5300;--inconclusive:#3b4f8c;--clean:#1e6b3a}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:72rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.9rem;margin:0 0 .25rem;letter-spacing:-.01em}
h2{font-size:1.35rem;margin:2.2rem 0 .6rem;padding-top:.4rem;border-top:2px solid var(--rule)}
h3{font-size:1.05rem;margin:1.4rem 0 .5rem;color:#333}
.lead{font-size:1.2rem;margin:.2rem 0 1rem}
.lead.clean{color:var(--clean)}
code,pre,.mono{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);padding:.4rem .6rem;border-radius:4px;margin:.25rem 0}
dl.run{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.run dt{color:var(--muted)}
dl.run dd{margin:0;overflow-wrap:anywhere}
.scroll{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.3rem .6rem;border-bottom:1px solid var(--rule);vertical-align:top}
th{font-weight:600;color:var(--muted);border-bottom:2px solid var(--rule)}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.layer{overflow-wrap:anywhere}
tr.clean td{color:var(--muted)}
.v{display:inline-block;font-weight:700;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;padding:.05rem .45rem;border:1.5px solid currentColor;border-radius:3px;white-space:nowrap}
.v-leak{color:var(--leak)}.v-drift{color:var(--drift)}.v-inconclusive{color:var(--inconclusive)}.v-clean{color:var(--clean)}
section.layer{content-visibility:auto;contain-intrinsic-size:auto 1600px}
section.layer h2{display:flex;flex-wrap:wrap;gap:.6rem;align-items:baseline;overflow-wrap:anywhere}
section.layer h2 .v{font-size:.85rem}
.meta{color:var(--muted);margin:.2rem 0}
ol.findings{list-style:none;padding:0;margin:0}
li.finding{border-left:4px solid var(--rule);padding:.4rem .8rem;margin:.6rem 0;background:var(--panel);border-radius:0 4px 4px 0}
li.finding.k-drift{border-left-color:var(--drift)}
li.finding.leaking{border-left-color:var(--leak)}
.fhead{display:flex;flex-wrap:wrap;gap:.2rem .8rem;align-items:baseline}
.kind{font-weight:700;text-transform:uppercase;font-size:.8rem;letter-spacing:.04em}
.type{font-weight:600;overflow-wrap:anywhere}
.rate{font-variant-numeric:tabular-nums;font-weight:600}
.explain{color:var(--muted);font-size:.9rem;margin:.1rem 0}
.field{margin:.3rem 0}
.field>b{font-weight:600;font-size:.9rem;color:#333}
ul.tests{margin:.1rem 0;padding-left:1.2rem}
ol.chain{list-style:none;margin:.15rem 0;padding:0;display:flex;flex-wrap:wrap;gap:.15rem .3rem;align-items:baseline}
ol.chain li{overflow-wrap:anywhere}
ol.chain li+li::before{content:"\2192\00a0";color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(21rem,1fr));gap:1.2rem 1rem}
figure{margin:0;break-inside:avoid;page-break-inside:avoid}
figcaption{font-size:.88rem;color:#333;margin-top:.1rem}
svg.chart{width:100%;height:auto;display:block;background:#fff;border:1px solid var(--rule);border-radius:4px}
svg.chart text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
figure.types{max-width:48rem}
ul.legend{list-style:none;padding:0;margin:.3rem 0 0;display:grid;gap:.1rem}
ul.legend li{display:flex;gap:.5rem;align-items:baseline;overflow-wrap:anywhere}
svg.swatch{width:2.25rem;height:.875rem;flex:none;align-self:center}
.note{color:var(--muted);font-size:.9rem}
table.inner td{border:0;padding:.05rem .5rem .05rem 0}
footer{margin-top:3rem;color:var(--muted);font-size:.85rem;border-top:1px solid var(--rule);padding-top:.6rem}
a{color:#1a56b8}
@media (max-width:40rem){body{font-size:15px}main{padding:1rem .75rem 2rem}h1{font-size:1.5rem}
dl.run{grid-template-columns:1fr}dl.run dt{margin-top:.3rem}.charts{grid-template-columns:1fr}
th,td{padding:.25rem .35rem}.hide-narrow{display:none}}
@media print{body{font-size:10.5pt;color:#000}main{max-width:none;padding:0}
h2{break-after:avoid;page-break-after:avoid}section.layer{break-before:page;page-break-before:always;content-visibility:visible}
li.finding{break-inside:avoid;page-break-inside:avoid;background:none;border:1px solid #999;border-left-width:4px}
pre{background:none;border:1px solid #ccc}.charts{grid-template-columns:1fr 1fr}
a{color:inherit;text-decoration:none}.scroll{overflow:visible}}
"#;

/// The page's style sheet (the comparison page shares it).
pub fn css() -> &'static str {
    CSS.trim()
}

/// Renders the page for a report.
pub fn render(doc: &Document) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let leaking = doc
        .layers
        .iter()
        .filter(|l| l.leaks.judgement.verdict == Verdict::Leak)
        .count();
    let title = if leaking > 0 {
        format!(
            "Leak report: {leaking} leaking {}",
            if leaking == 1 { "layer" } else { "layers" }
        )
    } else {
        "Leak report: no leaks".to_owned()
    };
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"generator\" content=\"leakrunner {}\">\
         <title>{}</title><style>{}</style></head><body><main>\n",
        escape(&doc.info.leakrunner),
        escape(&title),
        CSS.trim()
    );
    let clean_run = leaking == 0
        && doc
            .layers
            .iter()
            .all(|l| l.leaks.judgement.verdict == Verdict::Clean);
    let _ = writeln!(
        page,
        "<header><h1>Leak report</h1><p class=\"lead{}\">{}</p></header>",
        if clean_run && !doc.layers.is_empty() {
            " clean"
        } else {
            ""
        },
        escape(&headline(doc))
    );
    run_section(&mut page, doc);
    layers_table(&mut page, doc);
    for (i, layer) in doc.layers.iter().enumerate() {
        if detailed(layer) {
            layer_section(&mut page, i, layer);
        }
    }
    let _ = write!(
        page,
        "<footer>Written by leakrunner {} ({}). The JSON report \
         (<code>--leak-report</code>) has every sample and finding.</footer>\n\
         </main></body></html>\n",
        escape(&doc.info.leakrunner),
        escape(&doc.schema)
    );
    page
}

/// A string field of the interpreter's description.
fn interp<'a>(doc: &'a Document, group: &str, key: &str) -> Option<&'a serde_json::Value> {
    doc.info.interpreter.get(group)?.get(key)
}

fn run_section(page: &mut String, doc: &Document) {
    page.push_str("<section id=\"run\"><h2>The run</h2><dl class=\"run\">");
    let mut row = |name: &str, html: String| {
        let _ = write!(page, "<dt>{name}</dt><dd>{html}</dd>");
    };
    let text = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).map(str::to_owned);
    let flavour = text(interp(doc, "running", "flavour"));
    let python = text(interp(doc, "running", "python"));
    let interpreter = match (flavour, python) {
        (Some(f), Some(p)) => format!("{} ({})", escape(&f), escape(&p)),
        (Some(f), None) => escape(&f),
        (None, Some(p)) => format!("Python {}", escape(&p)),
        (None, None) => "unknown".to_owned(),
    };
    row("Interpreter", interpreter);
    if let Some(exe) = text(interp(doc, "running", "executable")) {
        row("Executable", format!("<code>{}</code>", escape(&exe)));
    }
    let flag = |key: &str| {
        interp(doc, "running", key)
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    let build = match (flag("py_debug"), flag("trace_refs")) {
        (true, true) => "debug (Py_DEBUG) with trace-refs: every live object is listed",
        (true, false) => "debug (Py_DEBUG): the census sees what the garbage collector reaches",
        _ => "release: no reference total; the census counts the objects the garbage collector tracks",
    };
    row("Build", escape(build));
    if let Some(signals) = doc
        .info
        .interpreter
        .get("signals")
        .and_then(|s| s.as_object())
    {
        let names: Vec<String> = signals
            .iter()
            .map(|(k, v)| {
                let on = v.as_bool().unwrap_or(false);
                format!(
                    "<code>{}</code>\u{a0}{}",
                    escape(k),
                    if on { "yes" } else { "no" }
                )
            })
            .collect();
        row("Signals", names.join(", "));
    }
    if let Some(unseen) = doc
        .layers
        .first()
        .map(|l| &l.leaks.judgement.unseen)
        .filter(|u| !u.is_empty())
    {
        let items: Vec<String> = unseen.iter().map(|u| escape(u)).collect();
        row("Not seen", items.join("; "));
    }
    row(
        "Command",
        format!("<code>{}</code>", escape(&command_line(&doc.info.options))),
    );
    let mode = match doc.info.mode.as_str() {
        "leaks" => "leak hunt (--leaks)",
        "refcounts" => "refcounts (-N n -r)",
        other => other,
    };
    row("Mode", escape(mode));
    if let Some(first) = doc.layers.first() {
        row(
            "Iterations",
            format!(
                "{} warm-up and {} counted per layer",
                first.leaks.warmups, first.leaks.judgement.counted
            ),
        );
    }
    if let Some(started) = doc.started {
        row("Started", escape(&utc_date(started)));
    }
    if let Some(seconds) = doc.seconds {
        row("Time", duration(seconds));
    }
    let tests: Option<usize> = doc.layers.iter().map(|l| l.tests).sum();
    if let Some(tests) = tests {
        row("Tests", thousands(tests as i64));
    }
    row("leakrunner", escape(&doc.info.leakrunner));
    page.push_str("</dl></section>\n");
}

fn layers_table(page: &mut String, doc: &Document) {
    if doc.layers.is_empty() {
        return;
    }
    // A report read back from a run whose layers all ran in child
    // processes has no tests or times: no empty columns then.
    let has_tests = doc.layers.iter().any(|l| l.tests.is_some());
    let has_time = doc.layers.iter().any(|l| l.seconds.is_some());
    let _ = write!(
        page,
        "<section id=\"layers\"><h2>Layers</h2><div class=\"scroll\"><table>\
         <thead><tr><th>Layer</th><th>Verdict</th><th>Why</th>{}{}</tr></thead><tbody>",
        if has_tests {
            "<th class=\"num\">Tests</th>"
        } else {
            ""
        },
        if has_time {
            "<th class=\"num hide-narrow\">Time</th>"
        } else {
            ""
        },
    );
    for (i, layer) in doc.layers.iter().enumerate() {
        let verdict = layer.leaks.judgement.verdict;
        let name = if detailed(layer) {
            format!(
                "<a href=\"#{}\">{}</a>",
                anchor(i),
                escape(&layer.leaks.layer)
            )
        } else {
            escape(&layer.leaks.layer)
        };
        let _ = write!(
            page,
            "<tr class=\"{}\"><td class=\"layer\">{name}</td><td>{}</td><td>{}</td>",
            verdict.label(),
            badge(verdict),
            escape(&layer_detail(layer)),
        );
        if has_tests {
            let tests = layer.tests.map(|t| thousands(t as i64)).unwrap_or_default();
            let _ = write!(page, "<td class=\"num\">{tests}</td>");
        }
        if has_time {
            let time = layer.seconds.map(duration).unwrap_or_default();
            let _ = write!(page, "<td class=\"num hide-narrow\">{time}</td>");
        }
        page.push_str("</tr>");
    }
    page.push_str("</tbody></table></div></section>\n");
}

fn layer_section(page: &mut String, index: usize, layer: &LayerReport) {
    let leaks = &layer.leaks;
    let j = &leaks.judgement;
    let _ = write!(
        page,
        "<section class=\"layer\" id=\"{}\"><h2>{} <span>{}</span></h2>",
        anchor(index),
        badge(j.verdict),
        escape(&leaks.layer)
    );
    let mut meta = vec![format!(
        "{} warm-up and {} counted iterations",
        leaks.warmups, j.counted
    )];
    if let Some(tests) = layer.tests {
        meta.push(format!(
            "{} {}",
            thousands(tests as i64),
            if tests == 1 { "test" } else { "tests" }
        ));
    }
    if let Some(seconds) = layer.seconds {
        meta.push(duration(seconds));
    }
    let _ = write!(page, "<p class=\"meta\">{}</p>", meta.join(" \u{b7} "));
    if leaks.incomplete {
        page.push_str(
            "<p class=\"note\">Incomplete: not every iteration ran (a crash, an interrupt \
             or <code>-x</code>), so the verdict rests on fewer samples.</p>",
        );
    }
    if j.verdict == Verdict::Inconclusive {
        let more = match j.more_iterations {
            Some(more) => format!("Run {more} more iterations (<code>-N</code>) to settle it."),
            None => "Run more iterations (<code>-N</code>) to settle it.".to_owned(),
        };
        let _ = write!(page, "<p>The counted iterations disagree. {more}</p>");
    }
    if !j.undecided.is_empty() {
        page.push_str(
            "<h3>Undecided signals</h3><div class=\"scroll\"><table><thead><tr><th>Signal</th>\
             <th>Growth per counted iteration</th><th>Reading</th></tr></thead><tbody>",
        );
        for u in &j.undecided {
            let growth: Vec<String> = u.growth.iter().map(|g| format!("{g:+}")).collect();
            let reading = match u.trend.more_iterations() {
                Some(more) => format!("{more} more iterations would settle it"),
                None => String::new(),
            };
            let _ = write!(
                page,
                "<tr><td>{}</td><td class=\"mono\">{}</td><td>{}</td></tr>",
                escape(&u.signal),
                escape(&growth.join(", ")),
                escape(&reading)
            );
        }
        page.push_str("</tbody></table></div>");
    }
    if !j.findings.is_empty() {
        page.push_str("<h3>Findings</h3><ol class=\"findings\">");
        for f in j.findings.iter().take(MAX_FINDINGS) {
            finding_item(page, f);
        }
        page.push_str("</ol>");
        if j.findings.len() > MAX_FINDINGS {
            let _ = write!(
                page,
                "<p class=\"note\">\u{2026} and {} more findings in the JSON report.</p>",
                j.findings.len() - MAX_FINDINGS
            );
        }
    }
    signal_charts(page, leaks);
    types_chart(page, leaks);
    page.push_str("</section>\n");
}

fn finding_item(page: &mut String, f: &Finding) {
    let leaking = f.kind != Kind::Drift;
    let _ = write!(
        page,
        "<li class=\"finding k-{}{}\"><div class=\"fhead\"><span class=\"kind\">{}</span>\
         <span class=\"type\">{}</span><span class=\"rate\">{} {} per iteration{}</span></div>\
         <p class=\"explain\">{}</p>",
        f.kind.label(),
        if leaking { " leaking" } else { "" },
        f.kind.label(),
        if f.type_name.is_some() {
            format!("<code>{}</code>", escape(&finding_subject(f)))
        } else {
            escape(&finding_subject(f))
        },
        amount(f.per_iteration),
        f.kind.unit(),
        if f.accelerating { ", accelerating" } else { "" },
        escape(kind_meaning(f.kind))
    );
    if !f.growth.is_empty() {
        let growth: Vec<String> = f.growth.iter().map(|g| format!("{g:+}")).collect();
        let _ = write!(
            page,
            "<div class=\"field\"><b>Growth per counted iteration:</b> \
             <span class=\"mono\">{}</span></div>",
            escape(&growth.join(", "))
        );
    }
    if !f.tests.is_empty() {
        page.push_str("<div class=\"field\"><b>Tests:</b><ul class=\"tests\">");
        for t in f.tests.iter().take(MAX_TESTS) {
            let _ = write!(page, "<li><code>{}</code></li>", escape(t));
        }
        if f.tests.len() > MAX_TESTS {
            let _ = write!(
                page,
                "<li>\u{2026} and {} more</li>",
                f.tests.len() - MAX_TESTS
            );
        }
        page.push_str("</ul></div>");
    }
    if !f.chain.is_empty() {
        page.push_str("<div class=\"field\"><b>Held by:</b><ol class=\"chain\">");
        let steps = f.chain.len();
        for (i, step) in f.chain.iter().enumerate() {
            // A long chain keeps its root and the steps nearest the object.
            if steps > MAX_STEPS && i == 2 {
                let _ = write!(
                    page,
                    "<li>\u{2026} {} steps \u{2026}</li>",
                    steps - MAX_STEPS
                );
            }
            if steps > MAX_STEPS && i >= 2 && i < steps - (MAX_STEPS - 2) {
                continue;
            }
            let _ = write!(page, "<li><code>{}</code></li>", escape(step));
        }
        page.push_str("</ol></div>");
    }
    if !f.samples.is_empty() {
        page.push_str("<div class=\"field\"><b>Samples:</b>");
        for s in f.samples.iter().take(MAX_SAMPLES) {
            let cut: String = s.chars().take(SAMPLE_CHARS).collect();
            let more = if cut.len() < s.len() { "\u{2026}" } else { "" };
            let _ = write!(page, "<pre>{}{more}</pre>", escape(&cut));
        }
        page.push_str("</div>");
    }
    if !f.allocated_at.is_empty() {
        // A traceback, most recent call last, as tracemalloc gives it.
        let _ = write!(
            page,
            "<div class=\"field\"><b>Allocated at</b> (a sample, most recent call last):\
             <pre>{}</pre></div>",
            escape(&f.allocated_at.join("\n"))
        );
    }
    if let Some(note) = &f.note {
        let _ = write!(page, "<p class=\"note\">{}</p>", escape(note));
    }
    page.push_str("</li>");
}

/// The sample the verdict starts from: the last warm-up.
fn counted_start(leaks: &crate::leaks::LayerLeaks) -> usize {
    leaks.warmups.min(leaks.iterations.len().saturating_sub(1))
}

fn signal_charts(page: &mut String, leaks: &crate::leaks::LayerLeaks) {
    let start = counted_start(leaks);
    let mut charts = String::new();
    let mut unchanged = Vec::new();
    for ((get, caption, unit), short) in SIGNALS.iter().zip(SIGNAL_NAMES) {
        let values: Vec<(i32, i64)> = leaks
            .iterations
            .iter()
            .filter_map(|r| Some((r.iteration as i32, get(r)?)))
            .collect();
        let Some(&(_, first)) = values.first() else {
            continue;
        };
        if values.iter().all(|&(_, v)| v == first) {
            unchanged.push(format!("{short} {}", thousands(first)));
            continue;
        }
        let base = values
            .iter()
            .find(|&&(x, _)| x as usize == start)
            .map_or(first, |&(_, v)| v);
        let last = values.last().map_or(base, |&(_, v)| v);
        let spec = chart::Spec {
            label: format!("{caption} per iteration, change since iteration {start}"),
            y_desc: format!("{unit}, change"),
            warmups: start,
            lines: vec![chart::Line {
                points: values.iter().map(|&(x, v)| (x, v - base)).collect(),
            }],
            width: 440,
            height: 240,
        };
        let drawn = chart::line_chart(&spec);
        let _ = write!(
            charts,
            "<figure class=\"signal\">{}<figcaption><b>{}</b>: {} \u{2192} {} ({:+}) \
             from iteration {start} to the end{}</figcaption></figure>",
            drawn.svg,
            escape(caption),
            thousands(base),
            thousands(last),
            last - base,
            if drawn.clipped {
                " (warm-ups off the scale are drawn at its edge)"
            } else {
                ""
            }
        );
    }
    if charts.is_empty() && unchanged.is_empty() {
        return;
    }
    page.push_str("<h3>Signals per iteration</h3>");
    if !charts.is_empty() {
        let _ = write!(page, "<div class=\"charts\">{charts}</div>");
    }
    if !unchanged.is_empty() {
        let _ = write!(
            page,
            "<p class=\"note\">Unchanged in every iteration: {}.</p>",
            escape(&unchanged.join(", "))
        );
    }
}

/// A type that grew, and its change at each iteration.
struct Grown {
    title: String,
    /// Its references grew, not its instances.
    by_refs: bool,
    points: Vec<(i32, i64)>,
}

/// The types whose instances (or, failing that, references) grew the most
/// over the counted iterations, with their cumulative change at each
/// iteration since the first counted sample.
fn top_types(leaks: &crate::leaks::LayerLeaks) -> Vec<Grown> {
    use std::collections::BTreeMap;
    let start = counted_start(leaks);
    // Per type: cumulative (instances, refs) change since the baseline,
    // per iteration.
    let mut series: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    let n = leaks.iterations.len();
    for (i, record) in leaks.iterations.iter().enumerate() {
        for row in &record.types {
            let s = series
                .entry(row.title.as_str())
                .or_insert_with(|| vec![(0, 0); n]);
            s[i].0 += row.instances;
            s[i].1 += row.refs;
        }
    }
    let mut ranked: Vec<(Grown, i64)> = Vec::new();
    for (title, changes) in series {
        let mut cumulative = Vec::with_capacity(n);
        let (mut inst, mut refs) = (0i64, 0i64);
        for (inst_d, refs_d) in &changes {
            inst += inst_d;
            refs += refs_d;
            cumulative.push((inst, refs));
        }
        let (inst0, refs0) = cumulative[start];
        let (inst1, refs1) = cumulative[n - 1];
        let (by_refs, grew, base) = if inst1 - inst0 > 0 {
            (false, inst1 - inst0, inst0)
        } else if refs1 - refs0 > 0 && inst1 == inst0 {
            (true, refs1 - refs0, refs0)
        } else {
            continue;
        };
        let points = leaks
            .iterations
            .iter()
            .zip(&cumulative)
            .map(|(r, &(i, rf))| (r.iteration as i32, if by_refs { rf } else { i } - base))
            .collect();
        let title = title.to_owned();
        ranked.push((
            Grown {
                title,
                by_refs,
                points,
            },
            grew,
        ));
    }
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.title.cmp(&b.0.title)));
    ranked.into_iter().take(TOP_TYPES).map(|(g, _)| g).collect()
}

fn types_chart(page: &mut String, leaks: &crate::leaks::LayerLeaks) {
    if leaks.iterations.iter().all(|r| r.types.is_empty()) {
        return;
    }
    page.push_str("<h3>Types that grew the most</h3>");
    let top = top_types(leaks);
    if top.is_empty() {
        page.push_str("<p class=\"note\">No type grew over the counted iterations.</p>");
        return;
    }
    let start = counted_start(leaks);
    let spec = chart::Spec {
        label: format!("Types that grew the most: change since iteration {start}, per iteration"),
        y_desc: if top.iter().any(|g| g.by_refs) {
            "instances or references, change"
        } else {
            "instances, change"
        }
        .to_owned(),
        warmups: start,
        lines: top
            .iter()
            .map(|g| chart::Line {
                points: g.points.clone(),
            })
            .collect(),
        width: 640,
        height: 280,
    };
    let drawn = chart::line_chart(&spec);
    let _ = write!(
        page,
        "<figure class=\"types\">{}<figcaption>Change since iteration {start}{}\
         <ul class=\"legend\">",
        drawn.svg,
        if drawn.clipped {
            " (warm-ups off the scale are drawn at its edge)"
        } else {
            ""
        }
    );
    for (i, g) in top.iter().enumerate() {
        let end = g.points.last().map_or(0, |p| p.1);
        let _ = write!(
            page,
            "<li>{}<code>{}</code> <span class=\"rate\">{end:+} {}</span></li>",
            chart::swatch(i, top.len()),
            escape(&g.title),
            if g.by_refs { "references" } else { "instances" }
        );
    }
    page.push_str("</ul></figcaption></figure>");
}

/// Where the page goes, and the writer that puts it there.
pub struct HtmlConfig {
    pub path: PathBuf,
    pub info: RunInfo,
    /// Writes the page; injected so tests can keep it in memory.
    pub write: WriteFile,
}

/// The `--leak-html FILE` reporter: records the run, writes the page when
/// it ends (atomically, like the JSON report).
pub struct Html {
    config: HtmlConfig,
    recorder: Recorder,
}

impl Html {
    pub fn new(config: HtmlConfig) -> Html {
        Html {
            config,
            recorder: Recorder::default(),
        }
    }
}

impl Reporter for Html {
    fn handle(&mut self, event: &Event, at: Stamp, _out: &mut dyn Output) {
        self.recorder.handle(event, at);
    }

    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        let page = render(&self.recorder.document(&self.config.info));
        (self.config.write)(&self.config.path, &page)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::census::LeakRow;
    use crate::leaks::{verdict, CensusScope, LayerLeaks, Sight};
    use crate::report::json::SCHEMA;

    /// How a synthetic layer behaves.
    #[derive(Clone, Copy, PartialEq)]
    pub(crate) enum Shape {
        Clean,
        /// One `pkg.Leaked` and a `dict` per iteration.
        Leak,
        /// The reference total moves, nothing else.
        Drift,
    }

    /// A layer sampled `iterations` times after a baseline, judged by the
    /// real verdict rules; every sample lists a few types that changed and
    /// changed back (the noise of a real census).
    pub(crate) fn layer(name: &str, shape: Shape, iterations: usize) -> LayerReport {
        let warmups = 2;
        let sight = Sight {
            total_refs: true,
            census: Some(CensusScope::AllObjects),
        };
        let records: Vec<IterationRecord> = (0..=iterations)
            .map(|i| {
                let k = i as i64;
                let leaked = if shape == Shape::Leak { k } else { 0 };
                let mut types: Vec<LeakRow> = (0..6)
                    .map(|t| LeakRow {
                        title: format!("noise.Type{t}"),
                        instances: if i % 2 == 0 { 1 } else { -1 } * i64::from(i > 0),
                        refs: if i % 2 == 0 { 2 } else { -2 } * i64::from(i > 0),
                    })
                    .collect();
                if shape == Shape::Leak && i > 0 {
                    types.push(LeakRow {
                        title: "pkg.Leaked".into(),
                        instances: 1,
                        refs: 1,
                    });
                    types.push(LeakRow {
                        title: "dict".into(),
                        instances: 1,
                        refs: 3,
                    });
                }
                let noise = i64::from(i % 2 == 1);
                IterationRecord {
                    iteration: i,
                    warmup: i <= warmups,
                    total_refs: Some(
                        80_000 + 4 * leaked + if shape == Shape::Drift { 3 * k } else { 0 },
                    ),
                    blocks: Some(60_000 + 2 * leaked + noise),
                    fds: Some(5),
                    threads: Some(1),
                    garbage: Some(0),
                    objects: Some(50_000 + 2 * leaked + noise),
                    census_refs: Some(70_000 + 4 * leaked + 2 * noise),
                    types,
                }
            })
            .collect();
        let judgement = verdict::judge(&records, warmups, sight);
        let mut report = LayerReport::from(LayerLeaks {
            layer: name.to_owned(),
            sight,
            warmups,
            iterations: records,
            judgement,
            incomplete: false,
        });
        report.tests = Some(40);
        report.seconds = Some(1.25);
        if shape == Shape::Leak {
            for f in &mut report.leaks.judgement.findings {
                f.tests = vec![format!("{name}.Tests.test_hoards")];
                f.chain = vec![
                    "pkg.HOARD (list)".into(),
                    "[41] tuple".into(),
                    "[0] pkg.Leaked".into(),
                ];
                f.samples = vec!["<pkg.Leaked object at 0x7f00>".into()];
                f.allocated_at = vec![
                    "  File \"pkg/tests.py\", line 12".into(),
                    "    HOARD.append(Leaked())".into(),
                ];
            }
        }
        report
    }

    pub(crate) fn document(layers: Vec<LayerReport>) -> Document {
        Document {
            schema: SCHEMA.into(),
            info: RunInfo {
                leakrunner: "0.1.0".into(),
                interpreter: serde_json::json!({
                    "running": {"flavour": "CPython 3.13 pydebug+trace-refs", "python": "3.13.5",
                                "executable": "/usr/bin/python3", "py_debug": true, "trace_refs": true},
                    "signals": {"total_refcount": true, "getobjects": true, "allocated_blocks": true}
                }),
                options: vec!["prog".into(), "--leaks".into(), "-N".into(), "6".into()],
                mode: "leaks".into(),
            },
            started: Some(1_796_165_652.8),
            seconds: Some(83.4),
            layers,
        }
    }

    fn sections(page: &str) -> usize {
        page.matches("<section class=\"layer\"").count()
    }

    #[test]
    fn every_layer_has_a_row_and_each_leak_its_findings_and_charts() {
        let doc = document(vec![
            layer("pkg.Clean", Shape::Clean, 6),
            layer("pkg.Leaky", Shape::Leak, 6),
            layer("pkg.Drifty", Shape::Drift, 6),
        ]);
        assert_eq!(doc.layers[1].leaks.judgement.verdict, Verdict::Leak);
        assert_eq!(doc.layers[2].leaks.judgement.verdict, Verdict::Drift);
        let page = render(&doc);
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.ends_with("</html>\n"));
        assert!(page.contains("<title>Leak report: 1 leaking layer</title>"));
        assert!(
            page.contains("1 of 3 layers leaks, 1 layer drifts, 1 clean."),
            "{page}"
        );
        // The overview.
        assert!(page.contains("CPython 3.13 pydebug+trace-refs (3.13.5)"));
        assert!(page.contains("<code>leakrunner --leaks -N 6</code>"));
        assert!(page.contains("2026-12-01 "), "the date the run started");
        assert!(page.contains("1\u{a0}min 23\u{a0}s"), "the run's time");
        // One row per layer; the clean one has nothing more.
        assert_eq!(page.matches("<tr class=\"").count(), 3);
        assert!(page.contains("<tr class=\"clean\"><td class=\"layer\">pkg.Clean</td>"));
        assert_eq!(sections(&page), 2);
        // The leak: findings with kinds, types, tests, chain and samples.
        let leak =
            &page[page.find("id=\"layer-2\"").unwrap()..page.find("id=\"layer-3\"").unwrap()];
        assert!(leak.contains("<span class=\"kind\">objects</span>"));
        assert!(leak.contains("<code>pkg.Leaked</code>"));
        assert!(leak.contains("+1 objects per iteration"));
        assert!(leak.contains("<li><code>pkg.Leaky.Tests.test_hoards</code></li>"));
        assert!(leak.contains(
            "<ol class=\"chain\"><li><code>pkg.HOARD (list)</code></li><li><code>[41] tuple</code>"
        ));
        assert!(leak.contains("<pre>&lt;pkg.Leaked object at 0x7f00&gt;</pre>"));
        assert!(leak.contains(
            "<pre>  File &quot;pkg/tests.py&quot;, line 12\n    HOARD.append(Leaked())</pre>"
        ));
        // A chart per signal that moved, and the types chart with pkg.Leaked.
        for signal in [
            "Reference total",
            "Objects (census)",
            "References held by objects",
            "Allocated memory blocks",
        ] {
            assert!(leak.contains(&format!("aria-label=\"{signal}")), "{signal}");
        }
        assert_eq!(leak.matches("<svg class=\"chart\"").count(), 5);
        assert!(leak.contains(
            "Unchanged in every iteration: file descriptors 5, threads 1, gc.garbage 0."
        ));
        let types = &leak[leak.find("Types that grew the most").unwrap()..];
        assert!(
            types.contains("<code>pkg.Leaked</code> <span class=\"rate\">+4 instances</span>"),
            "{types}"
        );
        assert!(
            !types.contains("noise.Type"),
            "types that did not grow are left out"
        );
        // The drift: its kind, its charts.
        let drift = &page[page.find("id=\"layer-3\"").unwrap()..];
        assert!(drift.contains("v-drift"));
        assert!(drift.contains("<span class=\"kind\">drift</span>"));
        assert!(drift.contains("aria-label=\"Reference total"));
        // Self-contained.
        for outside in [
            "<script",
            "<link",
            "src=\"http",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(!page.contains(outside), "{outside}");
        }
    }

    #[test]
    fn a_clean_run_says_so_in_one_line() {
        let doc = document(vec![
            layer("a.A", Shape::Clean, 6),
            layer("b.B", Shape::Clean, 6),
        ]);
        let page = render(&doc);
        assert!(page.contains("<p class=\"lead clean\">No leaks: all 2 layers are clean.</p>"));
        assert_eq!(sections(&page), 0);
        assert!(!page.contains("<svg"));
        assert!(render(&document(vec![])).contains("No layer was sampled."));
    }

    #[test]
    fn inconclusive_and_incomplete_layers_say_what_would_settle_them() {
        let mut unsure = layer("u.U", Shape::Clean, 6);
        unsure.leaks.judgement.verdict = Verdict::Inconclusive;
        unsure.leaks.judgement.more_iterations = Some(3);
        unsure.leaks.judgement.undecided.push(verdict::Undecided {
            signal: "allocated blocks".into(),
            growth: vec![1, 0, 1, 1],
            trend: crate::leaks::trend::Trend::Irregular { more_iterations: 3 },
        });
        let mut cut = layer("c.C", Shape::Clean, 6);
        cut.leaks.incomplete = true;
        let page = render(&document(vec![unsure, cut]));
        assert_eq!(sections(&page), 2);
        assert!(page.contains("run 3 more iterations to settle it"));
        assert!(page.contains("Run 3 more iterations (<code>-N</code>) to settle it."));
        assert!(page.contains("<td>allocated blocks</td><td class=\"mono\">+1, +0, +1, +1</td>"));
        assert!(page.contains("Incomplete: not every iteration ran"));
    }

    #[test]
    fn names_and_samples_are_escaped() {
        let mut l = layer("<b>pkg</b>.Layer", Shape::Leak, 6);
        l.leaks.judgement.findings[0].samples = vec!["<script>alert(1)</script>".into()];
        let page = render(&document(vec![l]));
        assert!(!page.contains("<b>pkg"));
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn two_hundred_layers_of_a_hundred_iterations_stay_under_two_megabytes() {
        // A big hunt: 200 layers, 100 iterations each, one in ten leaking
        // and one in twenty drifting.
        let layers: Vec<LayerReport> = (0..200)
            .map(|i| {
                let shape = match i % 20 {
                    0 | 10 => Shape::Leak,
                    5 => Shape::Drift,
                    _ => Shape::Clean,
                };
                layer(&format!("pkg.sub{i}.tests.Layer{i}"), shape, 100)
            })
            .collect();
        let page = render(&document(layers));
        assert_eq!(sections(&page), 30);
        assert_eq!(page.matches("<tr class=\"").count(), 200);
        assert!(page.len() < 2_000_000, "{} bytes", page.len());
    }

    #[test]
    fn dates_durations_and_numbers() {
        assert_eq!(utc_date(0.0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_date(1_796_165_652.9), "2026-12-01 22:54:12 UTC");
        assert_eq!(utc_date(951_827_696.0), "2000-02-29 12:34:56 UTC");
        assert_eq!(duration(0.5), "0.50\u{a0}s");
        assert_eq!(duration(83.4), "1\u{a0}min 23\u{a0}s");
        assert_eq!(thousands(169_652), "169,652");
        assert_eq!(thousands(-1_000), "-1,000");
        assert_eq!(amount(4.5), "+4.5");
        assert_eq!(amount(1.0), "+1");
        assert_eq!(shell_word("^(?!lazy_mod$)[a-z]"), "'^(?!lazy_mod$)[a-z]'");
    }

    #[test]
    fn the_reporter_writes_the_page_of_the_run_at_its_end() {
        use crate::events::Counts;
        use crate::report::Captured;
        use std::cell::RefCell;
        use std::rc::Rc;

        let written: Rc<RefCell<Vec<(PathBuf, String)>>> = Rc::default();
        let sink = written.clone();
        let mut reporter = Html::new(HtmlConfig {
            path: PathBuf::from("out/leaks.html"),
            info: document(vec![]).info,
            write: Box::new(move |p, t| {
                sink.borrow_mut().push((p.to_owned(), t.to_owned()));
                Ok(())
            }),
        });
        let mut out = Captured::default();
        let leaky = layer("pkg.Leaky", Shape::Leak, 6);
        let events = [
            (
                Event::LayerStarted {
                    layer: "pkg.Leaky".into(),
                },
                100.0,
            ),
            (
                Event::LayerSummary {
                    counts: Counts {
                        tests: 7,
                        ..Counts::default()
                    },
                    seconds: 0.5,
                },
                101.0,
            ),
            (Event::LeakVerdict(Box::new(leaky.leaks.clone())), 102.5),
        ];
        for (event, at) in &events {
            reporter.handle(event, Stamp { unix: *at }, &mut out);
        }
        assert!(written.borrow().is_empty(), "nothing before the end");
        reporter.finish(&mut out).unwrap();
        let written = written.borrow();
        assert_eq!(written.len(), 1);
        assert_eq!(written[0].0, PathBuf::from("out/leaks.html"));
        let page = &written[0].1;
        assert!(page.contains("<a href=\"#layer-1\">pkg.Leaky</a>"));
        assert!(
            page.contains("<td class=\"num\">7</td>"),
            "the layer's tests"
        );
        assert!(page.contains("2.50\u{a0}s"), "the layer's time");
        assert!(out.stdout.is_empty() && out.stderr.is_empty());
    }
}
