//! The JUnit XML reporter (`--xml DIR`): zope.testrunner's
//! `DIR/testreports/<suite>.xml` files, written when the run is over.
//!
//! The files are zope's `XMLOutputFormattingWrapper.writeXMLReports` byte
//! for byte: an ElementTree `<testsuite>` per suite, indented by
//! `ElementTree.indent()`, serialised by `ElementTree.tostring()` (US-ASCII
//! with character references, no XML declaration). On top of zope's
//! records (successes, failures, errors, import errors as `Startup` tests),
//! skipped tests get a `<skipped>` element and a `skipped="N"` count on
//! their suite, and layer set-up and tear-down errors an error test named
//! `setUp`/`tearDown` in a suite named after the layer; zope leaves both out.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

use super::format::Civil;
use super::{Needs, Output, Reporter, Stamp};
use crate::events::{Event, ExceptionDetail, Failure, FailureKind, TestIdentity};
use crate::pyrepr::float_repr;

/// What the report files need from the machine, read by the runner.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlConfig {
    /// The directory given to `--xml`; reports go to its `testreports/`.
    pub dir: PathBuf,
    /// `socket.gethostname()`.
    pub hostname: String,
    /// Local time's offset from UTC in seconds (`time.localtime().tm_gmtoff`):
    /// zope stamps reports with naive local time.
    pub utc_offset_seconds: i64,
}

/// A test case's `time`: zope records import errors with the integer 0.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CaseTime {
    Zero,
    Seconds(f64),
}

impl CaseTime {
    fn repr(self) -> String {
        match self {
            CaseTime::Zero => "0".to_owned(),
            CaseTime::Seconds(s) => float_repr(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    Success,
    Failure(ExceptionDetail),
    Error(ExceptionDetail),
    Skipped(String),
}

#[derive(Debug, Clone, PartialEq)]
struct Case {
    classname: String,
    name: String,
    time: CaseTime,
    outcome: Outcome,
}

/// zope's `TestSuiteInfo`, plus the skipped count.
#[derive(Debug, Clone, PartialEq)]
struct Suite {
    name: String,
    cases: Vec<Case>,
    errors: usize,
    failures: usize,
    skipped: usize,
    time: f64,
}

pub struct Xml {
    config: XmlConfig,
    /// In the order zope's dict sees them first.
    suites: Vec<Suite>,
    index: HashMap<String, usize>,
    /// The test between `TestStarted` and the next test, and when it began.
    current: Option<(TestIdentity, Stamp)>,
    /// When the layer set-up or tear-down under way began.
    layer_clock: Option<Stamp>,
}

/// What zope records for an unexpected success:
/// `(UnexpectedSuccess, UnexpectedSuccess(), None)`.
fn unexpected_success() -> ExceptionDetail {
    ExceptionDetail {
        type_name: "<class 'zope.testrunner.runner.UnexpectedSuccess'>".to_owned(),
        message: String::new(),
        stack: String::new(),
    }
}

fn elapsed(from: Stamp, to: Stamp) -> f64 {
    (to.unix - from.unix).max(0.0)
}

impl Xml {
    pub fn new(config: XmlConfig) -> Xml {
        Xml {
            config,
            suites: Vec::new(),
            index: HashMap::new(),
            current: None,
            layer_clock: None,
        }
    }

    /// zope's `_record`.
    fn record(
        &mut self,
        suite: &str,
        classname: &str,
        name: &str,
        time: CaseTime,
        outcome: Outcome,
    ) {
        let at = *self.index.entry(suite.to_owned()).or_insert_with(|| {
            self.suites.push(Suite {
                name: suite.to_owned(),
                cases: Vec::new(),
                errors: 0,
                failures: 0,
                skipped: 0,
                time: 0.0,
            });
            self.suites.len() - 1
        });
        let suite = &mut self.suites[at];
        match outcome {
            Outcome::Success => {}
            Outcome::Failure(_) => suite.failures += 1,
            Outcome::Error(_) => suite.errors += 1,
            Outcome::Skipped(_) => suite.skipped += 1,
        }
        if let CaseTime::Seconds(s) = time {
            if s != 0.0 {
                suite.time += s;
            }
        }
        suite.cases.push(Case {
            classname: classname.to_owned(),
            name: name.to_owned(),
            time,
            outcome,
        });
    }

    fn record_test(&mut self, identity: &TestIdentity, time: CaseTime, outcome: Outcome) {
        self.record(
            &identity.suite,
            &identity.classname,
            &identity.name,
            time,
            outcome,
        );
    }

    /// A failed test, or the failed subtest when there is one.
    fn test_failed(&mut self, failure: &Failure) {
        let identity = match (&failure.subtest, &self.current) {
            (Some(subtest), _) => subtest.clone(),
            (None, Some((identity, _))) => identity.clone(),
            (None, None) => return,
        };
        let detail = failure.exception.clone().unwrap_or_else(unexpected_success);
        let outcome = match failure.kind {
            FailureKind::Failure => Outcome::Failure(detail),
            FailureKind::Error => Outcome::Error(detail),
        };
        self.record_test(&identity, CaseTime::Seconds(failure.seconds), outcome);
    }

    /// Every report file, as (file name, contents), in first-seen order.
    /// `now` is the naive local time zope's `datetime.now()` would read.
    fn reports(&self, now: Stamp) -> Vec<(String, String)> {
        let timestamp = isoformat(now.unix, self.config.utc_offset_seconds);
        self.suites
            .iter()
            .map(|suite| {
                let node = suite_element(suite, &self.config.hostname, &timestamp);
                (format!("{}.xml", suite.name), tostring(node))
            })
            .collect()
    }
}

impl Reporter for Xml {
    fn needs(&self) -> Needs {
        Needs {
            identities: true,
            exceptions: true,
            ..Needs::default()
        }
    }

    fn handle(&mut self, event: &Event, at: Stamp, _out: &mut dyn Output) {
        match event {
            Event::ImportErrors(failures) => {
                for failure in failures {
                    let detail = failure.exception.clone().unwrap_or(ExceptionDetail {
                        type_name: String::new(),
                        message: String::new(),
                        stack: String::new(),
                    });
                    self.record(
                        &failure.module,
                        &failure.module,
                        "Startup",
                        CaseTime::Zero,
                        Outcome::Error(detail),
                    );
                }
            }
            Event::TestStarted { identity, .. } => {
                self.current = identity.clone().map(|identity| (identity, at));
            }
            Event::TestSucceeded { seconds, .. } => {
                if let Some((identity, _)) = self.current.clone() {
                    self.record_test(&identity, CaseTime::Seconds(*seconds), Outcome::Success);
                }
            }
            Event::TestFailed(failure) => self.test_failed(failure),
            Event::TestSkipped { reason, .. } => {
                if let Some((identity, started)) = self.current.clone() {
                    let seconds = elapsed(started, at);
                    self.record_test(
                        &identity,
                        CaseTime::Seconds(seconds),
                        Outcome::Skipped(reason.clone()),
                    );
                }
            }
            Event::SetUpStarted { .. } | Event::TearDownStarted { .. } => {
                self.layer_clock = Some(at);
            }
            Event::LayerFailed {
                layer,
                phase,
                traceback,
                exception,
            } => {
                let detail = exception.clone().unwrap_or_else(|| ExceptionDetail {
                    type_name: String::new(),
                    message: traceback.clone(),
                    stack: String::new(),
                });
                let seconds = self.layer_clock.map_or(0.0, |start| elapsed(start, at));
                self.record(
                    layer,
                    layer,
                    phase.label(),
                    CaseTime::Seconds(seconds),
                    Outcome::Error(detail),
                );
            }
            _ => {}
        }
    }

    fn finish(&mut self, _out: &mut dyn Output) -> std::io::Result<()> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| {
                // datetime.now() floors to microseconds.
                d.as_secs() as f64 + f64::from(d.subsec_micros()) / 1e6
            });
        let reports = self.reports(Stamp { unix: now });
        // `reportsDir.mkdir(exist_ok=True)`: the parent must exist.
        let dir = self.config.dir.join("testreports");
        if let Err(err) = std::fs::create_dir(&dir) {
            if err.kind() != std::io::ErrorKind::AlreadyExists || !dir.is_dir() {
                return Err(err);
            }
        }
        for (file, text) in reports {
            std::fs::write(dir.join(file), text)?;
        }
        Ok(())
    }
}

/// zope's `writeXMLReports` for one suite, before indenting.
fn suite_element(suite: &Suite, hostname: &str, timestamp: &str) -> Element {
    let mut node = Element::new("testsuite");
    node.set("tests", &suite.cases.len().to_string());
    node.set("errors", &suite.errors.to_string());
    node.set("failures", &suite.failures.to_string());
    if suite.skipped > 0 {
        node.set("skipped", &suite.skipped.to_string());
    }
    node.set("hostname", hostname);
    node.set("name", &suite.name);
    node.set("time", &float_repr(suite.time));
    node.set("timestamp", timestamp);
    node.children.push(Element::new("properties"));
    for case in &suite.cases {
        let mut case_node = Element::new("testcase");
        case_node.set("classname", &case.classname);
        case_node.set("name", &case.name);
        case_node.set("time", &case.time.repr());
        let (tag, detail) = match &case.outcome {
            Outcome::Success => ("", None),
            Outcome::Error(detail) => ("error", Some(detail)),
            Outcome::Failure(detail) => ("failure", Some(detail)),
            Outcome::Skipped(reason) => {
                let mut skipped = Element::new("skipped");
                skipped.set("message", reason);
                case_node.children.push(skipped);
                ("", None)
            }
        };
        if let Some(detail) = detail {
            let mut problem = Element::new(tag);
            problem.set("message", detail.message.split('\n').next().unwrap_or(""));
            problem.set("type", &detail.type_name);
            problem.text = Some(format!("{}\n\n{}", detail.message, detail.stack));
            case_node.children.push(problem);
        }
        node.children.push(case_node);
    }
    node.children.push(Element::new("system-out"));
    node.children.push(Element::new("system-err"));
    indent(&mut node);
    node
}

/// The part of ElementTree's `Element` the reports use.
#[derive(Debug, Clone, PartialEq)]
struct Element {
    tag: &'static str,
    attributes: Vec<(&'static str, String)>,
    text: Option<String>,
    tail: Option<String>,
    children: Vec<Element>,
}

impl Element {
    fn new(tag: &'static str) -> Element {
        Element {
            tag,
            attributes: Vec::new(),
            text: None,
            tail: None,
            children: Vec::new(),
        }
    }

    /// `set`: a new attribute goes last, an existing one keeps its place.
    fn set(&mut self, name: &'static str, value: &str) {
        match self.attributes.iter_mut().find(|(k, _)| *k == name) {
            Some((_, v)) => *v = value.to_owned(),
            None => self.attributes.push((name, value.to_owned())),
        }
    }
}

/// Python's `str.strip()` is empty: only whitespace (or nothing).
fn blank(text: &Option<String>) -> bool {
    text.as_deref()
        .is_none_or(|t| t.chars().all(is_py_whitespace))
}

/// `str.isspace()` for one character, as `str.strip()` uses it.
fn is_py_whitespace(c: char) -> bool {
    matches!(c, '\u{1c}'..='\u{1f}') || c.is_whitespace()
}

/// `ElementTree.indent(elem)` with its defaults (two spaces, level 0).
fn indent(root: &mut Element) {
    fn indent_children(elem: &mut Element, level: usize) {
        let child_indentation = format!("\n{}", "  ".repeat(level + 1));
        if blank(&elem.text) {
            elem.text = Some(child_indentation.clone());
        }
        for child in &mut elem.children {
            if !child.children.is_empty() {
                indent_children(child, level + 1);
            }
            if blank(&child.tail) {
                child.tail = Some(child_indentation.clone());
            }
        }
        if let Some(last) = elem.children.last_mut() {
            if blank(&last.tail) {
                last.tail = Some(format!("\n{}", "  ".repeat(level)));
            }
        }
    }
    if !root.children.is_empty() {
        indent_children(root, 0);
    }
}

/// `ElementTree.tostring(elem).decode('utf-8')`: US-ASCII with character
/// references for everything else, short empty elements, no declaration.
fn tostring(root: Element) -> String {
    fn serialize(out: &mut String, elem: &Element) {
        out.push('<');
        out.push_str(elem.tag);
        for (name, value) in &elem.attributes {
            let _ = write!(out, " {name}=\"{}\"", escape_attrib(value));
        }
        let text = elem.text.as_deref().filter(|t| !t.is_empty());
        if text.is_some() || !elem.children.is_empty() {
            out.push('>');
            if let Some(text) = text {
                out.push_str(&escape_cdata(text));
            }
            for child in &elem.children {
                serialize(out, child);
            }
            let _ = write!(out, "</{}>", elem.tag);
        } else {
            out.push_str(" />");
        }
        if let Some(tail) = elem.tail.as_deref() {
            out.push_str(&escape_cdata(tail));
        }
    }
    let mut out = String::new();
    serialize(&mut out, &root);
    ascii_charrefs(&out)
}

/// ElementTree's `_escape_cdata`.
fn escape_cdata(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// ElementTree's `_escape_attrib`.
fn escape_attrib(text: &str) -> String {
    escape_cdata(text)
        .replace('"', "&quot;")
        .replace('\r', "&#13;")
        .replace('\n', "&#10;")
        .replace('\t', "&#09;")
}

/// The `us-ascii` codec with `errors="xmlcharrefreplace"`.
fn ascii_charrefs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let _ = write!(out, "&#{};", u32::from(c));
        }
    }
    out
}

/// `datetime.fromtimestamp(unix).isoformat()` in a zone `offset` seconds
/// east of UTC: `2024-05-01T12:34:56.123456`, without the fraction when
/// the microseconds are zero.
fn isoformat(unix: f64, offset: i64) -> String {
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    } = Civil::from_micros((unix * 1e6).round() as i64 + offset * 1_000_000);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}");
    if micros != 0 {
        let _ = write!(out, ".{micros:06}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{ImportFailure, LayerPhase, ReportKind};
    use crate::report::Captured;

    // Expected strings below are what CPython 3.11's ElementTree (and
    // zope's writeXMLReports) produce on the same data.

    #[test]
    fn attributes_and_text_are_escaped_as_elementtree_does() {
        let mut e = Element::new("a");
        e.set("m", "x & <y> \"q\" 's'\r\n\tz \u{e9} \u{2603} \u{1d11e}");
        e.text = Some("a & <b> \"c\" \r\n\t \u{e9}".to_owned());
        assert_eq!(
            tostring(e),
            "<a m=\"x &amp; &lt;y&gt; &quot;q&quot; 's'&#13;&#10;&#09;z &#233; &#9731; \
             &#119070;\">a &amp; &lt;b&gt; \"c\" \r\n\t &#233;</a>"
        );
    }

    #[test]
    fn empty_elements_are_short_and_attributes_keep_their_order() {
        let mut e = Element::new("a");
        e.set("z", "1");
        e.set("b", "2");
        e.set("z", "3");
        indent(&mut e);
        assert_eq!(tostring(e), "<a z=\"3\" b=\"2\" />");
        let mut e = Element::new("a");
        e.text = Some(String::new());
        assert_eq!(tostring(e), "<a />");
    }

    #[test]
    fn indent_is_elementtrees() {
        // ET.indent on <a><b><c/><d>text</d></b><e/></a>
        let mut d = Element::new("d");
        d.text = Some("text".to_owned());
        let mut b = Element::new("b");
        b.children = vec![Element::new("c"), d];
        let mut a = Element::new("a");
        a.children = vec![b, Element::new("e")];
        indent(&mut a);
        assert_eq!(
            tostring(a),
            "<a>\n  <b>\n    <c />\n    <d>text</d>\n  </b>\n  <e />\n</a>"
        );
    }

    #[test]
    fn isoformat_is_naive_local_time() {
        // 2024-02-29T22:59:58Z, an hour east of UTC.
        assert_eq!(
            isoformat(1_709_247_598.000_25, 3600),
            "2024-02-29T23:59:58.000250"
        );
        assert_eq!(isoformat(1_709_247_598.0, 3600), "2024-02-29T23:59:58");
        assert_eq!(isoformat(1_709_247_598.0, 3602), "2024-03-01T00:00:00");
        assert_eq!(isoformat(0.5, -3600), "1969-12-31T23:00:00.500000");
        assert_eq!(isoformat(951_782_400.0, 0), "2000-02-29T00:00:00");
    }

    fn config() -> XmlConfig {
        XmlConfig {
            dir: PathBuf::from("/nonexistent"),
            hostname: "box".to_owned(),
            utc_offset_seconds: 3600,
        }
    }

    fn identity(suite: &str, name: &str) -> TestIdentity {
        TestIdentity {
            id: format!("{suite}.{name}"),
            suite: suite.to_owned(),
            classname: suite.to_owned(),
            name: name.to_owned(),
        }
    }

    fn detail(type_name: &str, message: &str, stack: &str) -> ExceptionDetail {
        ExceptionDetail {
            type_name: format!("<class '{type_name}'>"),
            message: message.to_owned(),
            stack: stack.to_owned(),
        }
    }

    fn started(identity: TestIdentity) -> Event {
        Event::TestStarted {
            name: String::new(),
            tests_run: 1,
            total: 1,
            count: 1,
            identity: Some(identity),
        }
    }

    fn failure(kind: FailureKind, seconds: f64, exception: Option<ExceptionDetail>) -> Failure {
        Failure {
            kind,
            name: String::new(),
            seconds,
            traceback: String::new(),
            report: ReportKind::default(),
            stdout: None,
            stderr: None,
            exception,
            subtest: None,
        }
    }

    fn failed(kind: FailureKind, seconds: f64, exception: Option<ExceptionDetail>) -> Event {
        Event::TestFailed(failure(kind, seconds, exception))
    }

    fn failed_subtest(subtest: TestIdentity, seconds: f64, exception: ExceptionDetail) -> Event {
        Event::TestFailed(Failure {
            subtest: Some(subtest),
            ..failure(FailureKind::Failure, seconds, Some(exception))
        })
    }

    const T: f64 = 1_709_247_598.0;

    fn feed(xml: &mut Xml, events: Vec<(f64, Event)>) {
        let mut out = Captured::default();
        for (at, event) in events {
            xml.handle(&event, Stamp { unix: T + at }, &mut out);
        }
        assert_eq!(out, Captured::default());
    }

    #[test]
    fn a_full_report() {
        let mut xml = Xml::new(config());
        let things = "pkg.tests.Things";
        feed(
            &mut xml,
            vec![
                (
                    0.0,
                    Event::ImportErrors(vec![ImportFailure {
                        module: "pkg.broken".to_owned(),
                        traceback: "ignored".to_owned(),
                        exception: Some(detail(
                            "ImportError",
                            "No module named 'nope'",
                            "  File \"/x/broken.py\", line 1, in <module>\n    import nope\n",
                        )),
                    }]),
                ),
                (1.0, started(identity(things, "test_ok"))),
                (
                    1.0,
                    Event::TestSucceeded {
                        name: "t".into(),
                        seconds: 0.25,
                    },
                ),
                (2.0, started(identity(things, "test_bad"))),
                (
                    2.0,
                    failed(
                        FailureKind::Failure,
                        1e-05,
                        Some(detail(
                            "AssertionError",
                            "'a' != 'b'\n- a\n+ b & <c> \"d\"\tdone\r",
                            "  File \"/x/y.py\", line 3, in test_bad\n    \
                             self.assertEqual('a', 'b')\n",
                        )),
                    ),
                ),
                (3.0, started(identity(things, "test_skip"))),
                (
                    3.5,
                    Event::TestSkipped {
                        name: "t".into(),
                        reason: "not on Tuesdays: \"\u{e9}\"\n".to_owned(),
                    },
                ),
                (4.0, started(identity(things, "test_gr\u{fc}\u{df}e"))),
                (
                    4.0,
                    failed(
                        FailureKind::Error,
                        2.0,
                        Some(detail("ValueError", "bad \u{2603}", "")),
                    ),
                ),
            ],
        );
        let reports = xml.reports(Stamp { unix: T + 0.000_25 });
        let names: Vec<&str> = reports.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["pkg.broken.xml", "pkg.tests.Things.xml"]);
        assert_eq!(
            reports[0].1,
            concat!(
                "<testsuite tests=\"1\" errors=\"1\" failures=\"0\" hostname=\"box\" ",
                "name=\"pkg.broken\" time=\"0.0\" timestamp=\"2024-02-29T23:59:58.000250\">\n",
                "  <properties />\n",
                "  <testcase classname=\"pkg.broken\" name=\"Startup\" time=\"0\">\n",
                "    <error message=\"No module named 'nope'\" ",
                "type=\"&lt;class 'ImportError'&gt;\">No module named 'nope'\n",
                "\n",
                "  File \"/x/broken.py\", line 1, in &lt;module&gt;\n",
                "    import nope\n",
                "</error>\n",
                "  </testcase>\n",
                "  <system-out />\n",
                "  <system-err />\n",
                "</testsuite>",
            )
        );
        assert_eq!(
            reports[1].1,
            concat!(
                "<testsuite tests=\"4\" errors=\"1\" failures=\"1\" skipped=\"1\" hostname=\"box\" ",
                "name=\"pkg.tests.Things\" time=\"2.75001\" ",
                "timestamp=\"2024-02-29T23:59:58.000250\">\n",
                "  <properties />\n",
                "  <testcase classname=\"pkg.tests.Things\" name=\"test_ok\" time=\"0.25\" />\n",
                "  <testcase classname=\"pkg.tests.Things\" name=\"test_bad\" time=\"1e-05\">\n",
                "    <failure message=\"'a' != 'b'\" ",
                "type=\"&lt;class 'AssertionError'&gt;\">'a' != 'b'\n",
                "- a\n",
                "+ b &amp; &lt;c&gt; \"d\"\tdone\r\n",
                "\n",
                "  File \"/x/y.py\", line 3, in test_bad\n",
                "    self.assertEqual('a', 'b')\n",
                "</failure>\n",
                "  </testcase>\n",
                "  <testcase classname=\"pkg.tests.Things\" name=\"test_skip\" time=\"0.5\">\n",
                "    <skipped message=\"not on Tuesdays: &quot;&#233;&quot;&#10;\" />\n",
                "  </testcase>\n",
                "  <testcase classname=\"pkg.tests.Things\" name=\"test_gr&#252;&#223;e\" ",
                "time=\"2.0\">\n",
                "    <error message=\"bad &#9731;\" ",
                "type=\"&lt;class 'ValueError'&gt;\">bad &#9731;\n",
                "\n",
                "</error>\n",
                "  </testcase>\n",
                "  <system-out />\n",
                "  <system-err />\n",
                "</testsuite>",
            )
        );
    }

    #[test]
    fn subtests_unexpected_successes_and_layer_errors() {
        let mut xml = Xml::new(config());
        let mut subtest = identity("m.Case", "test_n (n=1)");
        subtest.id = "m.Case.test_n (n=1)".to_owned();
        feed(
            &mut xml,
            vec![
                (0.0, started(identity("m.Case", "test_n"))),
                (
                    0.0,
                    failed_subtest(subtest, 0.5, detail("AssertionError", "1 != 0", "")),
                ),
                (1.0, started(identity("m.Case", "test_lucky"))),
                (1.0, failed(FailureKind::Error, 0.125, None)),
                (
                    2.0,
                    Event::SetUpStarted {
                        layer: "m.Shaky".to_owned(),
                    },
                ),
                (
                    2.25,
                    Event::LayerFailed {
                        layer: "m.Shaky".to_owned(),
                        phase: LayerPhase::SetUp,
                        traceback: "formatted".to_owned(),
                        exception: Some(detail("RuntimeError", "wet\nmortar", "  stack\n")),
                    },
                ),
            ],
        );
        let reports = xml.reports(Stamp { unix: T });
        assert_eq!(reports.len(), 2);
        assert_eq!(reports[0].0, "m.Case.xml");
        assert_eq!(
            reports[0].1,
            concat!(
                "<testsuite tests=\"2\" errors=\"1\" failures=\"1\" hostname=\"box\" ",
                "name=\"m.Case\" time=\"0.625\" timestamp=\"2024-02-29T23:59:58\">\n",
                "  <properties />\n",
                "  <testcase classname=\"m.Case\" name=\"test_n (n=1)\" time=\"0.5\">\n",
                "    <failure message=\"1 != 0\" type=\"&lt;class 'AssertionError'&gt;\">",
                "1 != 0\n\n</failure>\n",
                "  </testcase>\n",
                "  <testcase classname=\"m.Case\" name=\"test_lucky\" time=\"0.125\">\n",
                "    <error message=\"\" ",
                "type=\"&lt;class 'zope.testrunner.runner.UnexpectedSuccess'&gt;\">\n\n",
                "</error>\n",
                "  </testcase>\n",
                "  <system-out />\n",
                "  <system-err />\n",
                "</testsuite>",
            )
        );
        assert_eq!(reports[1].0, "m.Shaky.xml");
        assert_eq!(
            reports[1].1,
            concat!(
                "<testsuite tests=\"1\" errors=\"1\" failures=\"0\" hostname=\"box\" ",
                "name=\"m.Shaky\" time=\"0.25\" timestamp=\"2024-02-29T23:59:58\">\n",
                "  <properties />\n",
                "  <testcase classname=\"m.Shaky\" name=\"setUp\" time=\"0.25\">\n",
                "    <error message=\"wet\" type=\"&lt;class 'RuntimeError'&gt;\">wet\n",
                "mortar\n\n  stack\n</error>\n",
                "  </testcase>\n",
                "  <system-out />\n",
                "  <system-err />\n",
                "</testsuite>",
            )
        );
    }

    #[test]
    fn finish_writes_one_file_per_suite_into_testreports() {
        let dir = std::env::temp_dir().join(format!("leakrunner-xml-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut xml = Xml::new(XmlConfig {
            dir: dir.clone(),
            ..config()
        });
        feed(
            &mut xml,
            vec![
                (0.0, started(identity("a.B", "test_x"))),
                (
                    0.0,
                    Event::TestSucceeded {
                        name: "t".into(),
                        seconds: 0.5,
                    },
                ),
                (1.0, started(identity("c.D", "test_y"))),
                (
                    1.0,
                    Event::TestSucceeded {
                        name: "t".into(),
                        seconds: 0.5,
                    },
                ),
            ],
        );
        xml.finish(&mut Captured::default()).unwrap();
        let mut files: Vec<String> = std::fs::read_dir(dir.join("testreports"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        assert_eq!(files, ["a.B.xml", "c.D.xml"]);
        let text = std::fs::read_to_string(dir.join("testreports/a.B.xml")).unwrap();
        assert!(text.starts_with("<testsuite tests=\"1\" errors=\"0\" failures=\"0\""));
        assert!(text.ends_with("</testsuite>"));
        // A second run overwrites, as zope's does.
        xml.finish(&mut Captured::default()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
