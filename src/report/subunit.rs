//! The subunit reporters (`--subunit`, `--subunit-v2`): the test stream
//! zope.testrunner writes through python-subunit, encoded here in Rust.
//!
//! zope's `SubunitOutputFormatter` drives python-subunit's
//! `TestProtocolClient` (v1: text lines, multipart/chunked details), and
//! `SubunitV2OutputFormatter` drives testtools' `ExtendedToStreamDecorator`
//! over subunit's `StreamResultToBytes` (v2: binary packets with a CRC32).
//! This module mirrors those objects: [`Subunit`] holds what they hold (the
//! last time given, the tag contexts of v2, the layer being set up or torn
//! down, whether packets are runnable) and writes the same bytes.
//!
//! Both protocols go to the byte layer of stdout, as python-subunit unwraps
//! `sys.stdout` to `sys.stdout.buffer`; only zope's `error()` of v1 writes
//! text, to `sys.stdout` itself. Like zope, the text layer is not flushed
//! before bytes are written, so a layer's unflushed `print()` lands where it
//! lands in zope's stream.
//!
//! The file runs past 1,000 lines for its table and snapshot tests at the
//! end; the code itself is under 1,000.

use std::collections::BTreeSet;

use super::format::{self, Civil};
use super::{Needs, Output, Reporter, Stamp, Stream};
use crate::events::{Event, ExceptionDetail, Failure, FailureKind, NoticeRole};

/// Which subunit protocol to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V1,
    V2,
}

const TAG_INFO_SUBOPTIMAL: &str = "zope:info_suboptimal";
const TAG_ERROR_WITH_BANNER: &str = "zope:error_with_banner";
const TAG_LAYER: &str = "zope:layer";
const TAG_IMPORT_ERROR: &str = "zope:import_error";
const TAG_GARBAGE: &str = "zope:garbage";
const TAG_THREADS: &str = "zope:threads";
const TAG_REFCOUNTS: &str = "zope:refcounts";
const TAG_PROFILER_STATS: &str = "zope:profiler_stats";

/// Microseconds since the Unix epoch, UTC: what a `datetime` holds.
type Micros = i64;

/// A testtools `ContentType`: `type/subtype` and its parameters, sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentType {
    pub mime: &'static str,
    pub params: &'static [(&'static str, &'static str)],
}

/// `text/x-traceback; charset="utf8"; language="python"`.
pub const TRACEBACK: ContentType = ContentType {
    mime: "text/x-traceback",
    params: &[("charset", "utf8"), ("language", "python")],
};

/// `text/plain; charset="utf8"` (zope's `PLAIN_TEXT`, testtools' `UTF8_TEXT`).
pub const PLAIN_TEXT: ContentType = ContentType {
    mime: "text/plain",
    params: &[("charset", "utf8")],
};

/// `application/x-binary-profile` (zope's `PROFILE_CONTENT_TYPE`).
pub const BINARY_PROFILE: ContentType = ContentType {
    mime: "application/x-binary-profile",
    params: &[],
};

/// The size of the chunks testtools' `content_from_file` reads a file in.
const FILE_CHUNK: usize = 4096;

/// The MIME type testtools gives a skip reason (a literal, unquoted).
const REASON_MIME: &str = "text/plain; charset=utf8";

impl ContentType {
    /// `repr(ContentType)`: the v2 packets' MIME type.
    pub fn repr(&self) -> String {
        let mut s = self.mime.to_owned();
        for (k, v) in self.params {
            s.push_str(&format!("; {k}=\"{v}\""));
        }
        s
    }

    /// The v1 multipart header line, without its newline.
    pub fn v1_header(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if params.is_empty() {
            format!("Content-Type: {}", self.mime)
        } else {
            format!("Content-Type: {};{}", self.mime, params.join(","))
        }
    }
}

/// A detail of an outcome (a testtools `Content`): its name, its type, and
/// the chunks its `iter_bytes()` yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub name: String,
    pub content_type: ContentType,
    pub chunks: Vec<Vec<u8>>,
}

impl Detail {
    /// zope's one-chunk contents (`text_content`, its `Content` lambdas).
    fn text(name: &str, content_type: ContentType, text: &str) -> Detail {
        Detail {
            name: name.to_owned(),
            content_type,
            chunks: vec![text.as_bytes().to_vec()],
        }
    }
}

// ---------------------------------------------------------------------------
// Encodings

/// zlib's CRC-32 (reflected polynomial 0xEDB88320), table-driven.
pub fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut n = 0;
        while n < 256 {
            let mut c = n as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[n] = c;
            n += 1;
        }
        table
    };
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc = TABLE[((crc ^ u32::from(b)) & 0xFF) as usize] ^ (crc >> 8);
    }
    crc ^ 0xFFFF_FFFF
}

/// A v2 variable-length number (1 to 4 bytes, the top two bits say how many).
fn put_number(out: &mut Vec<u8>, value: usize) {
    if value < 0x40 {
        out.push(value as u8);
    } else if value < 0x4000 {
        out.extend_from_slice(&((value as u16) | 0x4000).to_be_bytes());
    } else if value < 0x40_0000 {
        let v = (value as u32) | 0x80_0000;
        out.extend_from_slice(&v.to_be_bytes()[1..]);
    } else {
        assert!(value < 0x4000_0000, "subunit number too large: {value}");
        out.extend_from_slice(&((value as u32) | 0xC000_0000).to_be_bytes());
    }
}

fn put_utf8(out: &mut Vec<u8>, s: &str) {
    put_number(out, s.len());
    out.extend_from_slice(s.as_bytes());
}

/// A test status of v2 (`StreamResultToBytes.status_mask`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    None = 0,
    Exists = 1,
    InProgress = 2,
    Success = 3,
    UxSuccess = 4,
    Skip = 5,
    Fail = 6,
    XFail = 7,
}

/// One v2 packet: `StreamResultToBytes.status()`'s arguments.
#[derive(Debug, Clone, Default)]
pub struct Packet<'a> {
    pub timestamp: Option<Micros>,
    pub test_id: Option<&'a str>,
    pub tags: Vec<&'a str>,
    pub runnable: bool,
    pub mime_type: Option<&'a str>,
    pub file: Option<(&'a str, &'a [u8])>,
    pub eof: bool,
    pub route_code: Option<&'a str>,
    pub status: Status,
}

/// The largest packet v2 allows (a 3-byte length).
const MAX_PACKET: usize = 4_194_303;

impl Packet<'_> {
    /// The packet's bytes, or None when it is longer than v2 allows.
    pub fn encode(&self) -> Option<Vec<u8>> {
        let mut flags: u16 = 0x2000;
        let mut body = Vec::new();
        if let Some(t) = self.timestamp {
            flags |= 0x0200;
            let seconds = t.div_euclid(1_000_000) as u32;
            let nanos = t.rem_euclid(1_000_000) as usize * 1000;
            body.extend_from_slice(&seconds.to_be_bytes());
            put_number(&mut body, nanos);
        }
        if let Some(id) = self.test_id {
            flags |= 0x0800;
            put_utf8(&mut body, id);
        }
        if !self.tags.is_empty() {
            flags |= 0x0080;
            put_number(&mut body, self.tags.len());
            for tag in &self.tags {
                put_utf8(&mut body, tag);
            }
        }
        if self.runnable {
            flags |= 0x0100;
        }
        if let Some(mime) = self.mime_type.filter(|m| !m.is_empty()) {
            flags |= 0x0020;
            put_utf8(&mut body, mime);
        }
        if let Some((name, bytes)) = self.file {
            flags |= 0x0040;
            put_utf8(&mut body, name);
            put_number(&mut body, bytes.len());
            body.extend_from_slice(bytes);
        }
        if self.eof {
            flags |= 0x0010;
        }
        if let Some(route) = self.route_code {
            flags |= 0x0400;
            put_utf8(&mut body, route);
        }
        flags |= self.status as u16;
        // Signature, flags, body and CRC, then the length's own bytes.
        let base = 3 + body.len() + 4;
        let length = match base {
            0..=62 => base + 1,
            63..=16381 => base + 2,
            16382..=4_194_300 => base + 3,
            _ => return None,
        };
        let mut packet = Vec::with_capacity(length);
        packet.push(0xB3);
        packet.extend_from_slice(&flags.to_be_bytes());
        put_number(&mut packet, length);
        packet.extend_from_slice(&body);
        let crc = crc32(&packet);
        packet.extend_from_slice(&crc.to_be_bytes());
        Some(packet)
    }
}

/// subunit's `chunked.Encoder`: HTTP chunked coding of `chunks` written in
/// turn, as v1 details carry their content.
pub fn chunked(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buffered: Vec<u8> = Vec::new();
    for chunk in chunks {
        if buffered.len() + chunk.len() >= 65536 {
            out.extend_from_slice(format!("{:X}\r\n", buffered.len() + chunk.len()).as_bytes());
            out.append(&mut buffered);
            out.extend_from_slice(chunk);
        } else {
            buffered.extend_from_slice(chunk);
        }
    }
    if !buffered.is_empty() {
        out.extend_from_slice(format!("{:X}\r\n", buffered.len()).as_bytes());
        out.append(&mut buffered);
    }
    out.extend_from_slice(b"0\r\n");
    out
}

/// A v1 `time:` line.
pub fn time_line(t: Micros) -> String {
    let Civil {
        year,
        month,
        day,
        hour,
        minute,
        second,
        micros,
    } = Civil::from_micros(t);
    format!("time: {year:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{second:02}.{micros:06}Z\n")
}

/// A `datetime.now()` (microseconds, rounded down) from the runner's stamp.
fn micros_of(at: Stamp) -> Micros {
    (at.unix * 1e6).floor() as Micros
}

/// `timedelta(seconds=s)` in microseconds (rounded to the nearest).
fn micros_of_duration(seconds: f64) -> Micros {
    (seconds * 1e6).round() as Micros
}

/// Splits a traceback formatted by the stdlib (`traceback.format_exception`)
/// into the pieces `traceback.TracebackException.format()` yields, one per
/// v2 packet of testtools' `TracebackContent`: the header, each frame, each
/// chain message, the exception (with a `SyntaxError`, each of its lines).
/// Notes added to an exception stay with its message.
pub fn traceback_chunks(text: &str) -> Vec<String> {
    const CHAIN: [&str; 2] = [
        "\nThe above exception was the direct cause of the following exception:\n\n",
        "\nDuring handling of the above exception, another exception occurred:\n\n",
    ];
    let mut chunks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = CHAIN
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, *m)))
            .min_by_key(|&(at, _)| at);
        let (segment, message) = match next {
            Some((at, m)) => (&rest[..at], Some(m)),
            None => (rest, None),
        };
        split_one_exception(segment, &mut chunks);
        match message {
            Some(m) => {
                chunks.push(m.to_owned());
                rest = &rest[segment.len() + m.len()..];
            }
            None => break,
        }
    }
    chunks
}

/// Whether a line is `  File "...", line N` of a `SyntaxError` (a frame has
/// `, in NAME` after its line number).
fn is_syntax_error_location(line: &str) -> bool {
    let line = line.trim_end_matches('\n');
    match line.rfind(", line ") {
        Some(at) => {
            let number = &line[at + ", line ".len()..];
            number == "None" || (!number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()))
        }
        None => false,
    }
}

fn split_one_exception(text: &str, chunks: &mut Vec<String>) {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    if lines.first() == Some(&"Traceback (most recent call last):\n") {
        chunks.push(lines[0].to_owned());
        i = 1;
        while i < lines.len() {
            let line = lines[i];
            if line.starts_with("  [Previous line repeated ") {
                chunks.push(line.to_owned());
                i += 1;
            } else if line.starts_with("  File ") && !is_syntax_error_location(line) {
                let mut frame = line.to_owned();
                i += 1;
                while i < lines.len() && lines[i].starts_with("    ") {
                    frame.push_str(lines[i]);
                    i += 1;
                }
                chunks.push(frame);
            } else {
                break;
            }
        }
    }
    if i >= lines.len() {
        return;
    }
    if lines[i].starts_with("  File ") {
        // A SyntaxError: its location, source and caret lines, its message,
        // then its notes, one piece each.
        chunks.extend(lines[i..].iter().map(|l| (*l).to_owned()));
    } else {
        chunks.push(lines[i..].concat());
    }
}

/// What `traceback.TracebackException(...).format()` yields for an
/// exception described by its type, message and stdlib frames (as
/// testtools' `TracebackContent` formats a layer's failure). Its chained
/// exceptions and notes are not part of the description.
pub fn stdlib_chunks(detail: &ExceptionDetail) -> Vec<String> {
    let name = detail.type_name.as_str();
    let name = name
        .strip_prefix("<class '")
        .and_then(|n| n.strip_suffix("'>"))
        .unwrap_or(name);
    let name = name.strip_prefix("__main__.").unwrap_or(name);
    let mut chunks = Vec::new();
    if !detail.stack.is_empty() {
        let text = format!("Traceback (most recent call last):\n{}", detail.stack);
        split_one_exception(&text, &mut chunks);
    }
    chunks.push(if detail.message.is_empty() {
        format!("{name}\n")
    } else {
        format!("{name}: {}\n", detail.message)
    });
    chunks
}

/// `str(list)` of the census rows, as zope's `str(track.delta)` (a list of
/// `(title, instances, refs)` tuples).
fn python_list_of_rows(rows: &[crate::events::LeakRow]) -> String {
    let items: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "({}, {}, {})",
                crate::pyrepr::str_repr(&r.title),
                r.instances,
                r.refs
            )
        })
        .collect();
    format!("[{}]", items.join(", "))
}

// ---------------------------------------------------------------------------
// The reporter

/// How a test ended, in the old `TestResult` API zope calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Success,
    Error,
    Failure,
}

pub struct Subunit {
    version: Version,
    /// The last `time()` given (v2's `ExtendedToStreamDecorator._now()`;
    /// v1 writes each as a line).
    now: Option<Micros>,
    /// v2: testtools' `TagContext`s, innermost last; empty is `None` (more
    /// `stopTest`s than `startTest`s).
    tags: Vec<BTreeSet<String>>,
    /// `_RunnableDecorator`'s flag.
    runnable: bool,
    /// zope's `_last_layer`: the layer last set up or torn down, and when.
    last_layer: Option<(String, Micros)>,
    /// `test.id()` of the test that started last.
    test_id: String,
}

impl Subunit {
    pub fn new(version: Version) -> Subunit {
        Subunit {
            version,
            now: None,
            tags: vec![BTreeSet::new()],
            runnable: true,
            last_layer: None,
            test_id: String::new(),
        }
    }

    fn now(&self, at: Stamp) -> Micros {
        self.now.unwrap_or_else(|| micros_of(at))
    }

    fn current_tags(&self) -> Vec<&str> {
        self.tags
            .last()
            .map(|t| t.iter().map(String::as_str).collect())
            .unwrap_or_default()
    }

    fn packet(&self, out: &mut dyn Output, mut packet: Packet<'_>) {
        packet.runnable = self.runnable;
        if let Some(bytes) = packet.encode() {
            out.write_bytes(Stream::Stdout, &bytes);
            return;
        }
        // Longer than a packet can be (python-subunit raises ValueError):
        // the file content goes in pieces, the last one carrying the rest.
        let Some((name, content)) = packet.file else {
            return;
        };
        let pieces: Vec<&[u8]> = content.chunks(MAX_PACKET / 2).collect();
        let last = pieces.len() - 1;
        for (n, piece) in pieces.into_iter().enumerate() {
            let mut part = packet.clone();
            part.file = Some((name, piece));
            if n < last {
                part.eof = false;
                part.status = Status::None;
                part.tags = Vec::new();
            }
            if let Some(bytes) = part.encode() {
                out.write_bytes(Stream::Stdout, &bytes);
            }
        }
    }

    // -- the TestResult API, per protocol --------------------------------

    fn time(&mut self, t: Micros, out: &mut dyn Output) {
        match self.version {
            Version::V1 => out.write_bytes(Stream::Stdout, time_line(t).as_bytes()),
            Version::V2 => self.now = Some(t),
        }
    }

    fn start_test(&mut self, id: &str, at: Stamp, out: &mut dyn Output) {
        match self.version {
            Version::V1 => out.write_bytes(Stream::Stdout, format!("test: {id}\n").as_bytes()),
            Version::V2 => {
                self.packet(
                    out,
                    Packet {
                        timestamp: Some(self.now(at)),
                        test_id: Some(id),
                        status: Status::InProgress,
                        ..Packet::default()
                    },
                );
                let inner = self.tags.last().cloned().unwrap_or_default();
                self.tags.push(inner);
            }
        }
    }

    fn stop_test(&mut self) {
        if self.version == Version::V2 {
            self.tags.pop();
        }
    }

    fn change_tags(&mut self, new: &[&str], gone: &[&str], out: &mut dyn Output) {
        match self.version {
            Version::V1 => {
                if new.is_empty() && gone.is_empty() {
                    return;
                }
                let mut words: Vec<String> = new.iter().map(|t| (*t).to_owned()).collect();
                words.extend(gone.iter().map(|t| format!("-{t}")));
                let line = format!("tags: {}\n", words.join(" "));
                out.write_bytes(Stream::Stdout, line.as_bytes());
            }
            Version::V2 => {
                if let Some(context) = self.tags.last_mut() {
                    context.extend(new.iter().map(|t| (*t).to_owned()));
                    for t in gone {
                        context.remove(*t);
                    }
                }
            }
        }
    }

    /// `addError`/`addFailure` of a failed test (or subtest), with its
    /// traceback and captured output as details.
    fn test_failed(&mut self, failure: &Failure, at: Stamp, out: &mut dyn Output) {
        self.time(micros_of(at), out);
        let mut details = vec![Detail::text("traceback", TRACEBACK, &failure.traceback)];
        if let Some(text) = failure.stdout.as_deref().filter(|s| !s.is_empty()) {
            details.push(Detail::text("test-stdout", PLAIN_TEXT, text));
        }
        if let Some(text) = failure.stderr.as_deref().filter(|s| !s.is_empty()) {
            details.push(Detail::text("test-stderr", PLAIN_TEXT, text));
        }
        let outcome = match failure.kind {
            FailureKind::Failure => Outcome::Failure,
            FailureKind::Error => Outcome::Error,
        };
        let id = failure
            .subtest
            .as_ref()
            .map_or_else(|| self.test_id.clone(), |s| s.id.clone());
        self.add_outcome(outcome, &id, Some(details), at, out);
    }

    /// `addSuccess`/`addError`/`addFailure` with a details dict (or none).
    fn add_outcome(
        &mut self,
        outcome: Outcome,
        id: &str,
        details: Option<Vec<Detail>>,
        at: Stamp,
        out: &mut dyn Output,
    ) {
        match self.version {
            Version::V1 => {
                let word = match outcome {
                    Outcome::Success => "successful",
                    Outcome::Error => "error",
                    Outcome::Failure => "failure",
                };
                let mut bytes = format!("{word}: {id}").into_bytes();
                match details {
                    Some(mut details) => {
                        details.sort_by(|a, b| a.name.cmp(&b.name));
                        bytes.extend_from_slice(b" [ multipart\n");
                        for d in &details {
                            bytes.extend_from_slice(d.content_type.v1_header().as_bytes());
                            bytes.push(b'\n');
                            bytes.extend_from_slice(d.name.as_bytes());
                            bytes.push(b'\n');
                            bytes.extend_from_slice(&chunked(&d.chunks));
                        }
                        bytes.extend_from_slice(b"]\n");
                    }
                    None => bytes.push(b'\n'),
                }
                out.write_bytes(Stream::Stdout, &bytes);
            }
            Version::V2 => {
                let status = match outcome {
                    Outcome::Success => Status::Success,
                    Outcome::Error | Outcome::Failure => Status::Fail,
                };
                self.convert(id, details.unwrap_or_default(), status, None, at, out);
            }
        }
    }

    /// `addError`/`addFailure` with an exc_info (`TracebackContent`).
    fn add_exc_info(
        &mut self,
        outcome: Outcome,
        id: &str,
        chunks: Vec<String>,
        at: Stamp,
        out: &mut dyn Output,
    ) {
        match self.version {
            Version::V1 => {
                let word = if outcome == Outcome::Failure {
                    "failure"
                } else {
                    "error"
                };
                let mut bytes = format!("{word}: {id} [\n").into_bytes();
                for c in &chunks {
                    bytes.extend_from_slice(c.as_bytes());
                }
                bytes.extend_from_slice(b"]\n");
                out.write_bytes(Stream::Stdout, &bytes);
            }
            Version::V2 => {
                let detail = Detail {
                    name: "traceback".to_owned(),
                    content_type: TRACEBACK,
                    chunks: chunks.into_iter().map(String::into_bytes).collect(),
                };
                self.convert(id, vec![detail], Status::Fail, None, at, out);
            }
        }
    }

    fn add_skip(&mut self, id: &str, reason: &str, at: Stamp, out: &mut dyn Output) {
        match self.version {
            Version::V1 => {
                let text = format!("skip: {id} [\n{reason}\n]\n");
                out.write_bytes(Stream::Stdout, text.as_bytes());
            }
            Version::V2 => self.convert(id, Vec::new(), Status::Skip, Some(reason), at, out),
        }
    }

    /// `ExtendedToStreamDecorator._convert`: the details' packets (one per
    /// chunk, the last with EOF), the reason, then the status with the tags.
    fn convert(
        &mut self,
        id: &str,
        mut details: Vec<Detail>,
        status: Status,
        reason: Option<&str>,
        at: Stamp,
        out: &mut dyn Output,
    ) {
        let now = self.now(at);
        details.sort_by(|a, b| a.name.cmp(&b.name));
        for detail in &details {
            let mime = detail.content_type.repr();
            let empty = Vec::new();
            let (last, rest) = match detail.chunks.split_last() {
                Some((last, rest)) => (last, rest),
                None => (&empty, &[][..]),
            };
            for (chunk, eof) in rest.iter().map(|c| (c, false)).chain([(last, true)]) {
                self.packet(
                    out,
                    Packet {
                        timestamp: Some(now),
                        test_id: Some(id),
                        mime_type: Some(&mime),
                        file: Some((&detail.name, chunk)),
                        eof,
                        ..Packet::default()
                    },
                );
            }
        }
        if let Some(reason) = reason {
            self.packet(
                out,
                Packet {
                    timestamp: Some(now),
                    test_id: Some(id),
                    mime_type: Some(REASON_MIME),
                    file: Some(("reason", reason.as_bytes())),
                    eof: true,
                    ..Packet::default()
                },
            );
        }
        let tags = self.current_tags();
        self.packet(
            out,
            Packet {
                timestamp: Some(now),
                test_id: Some(id),
                tags,
                status,
                ..Packet::default()
            },
        );
    }

    // -- zope's formatter methods ----------------------------------------

    /// `_emit_fake_test`: a successful, non-runnable test carrying a message.
    fn fake_test(
        &mut self,
        id: &str,
        tag: &str,
        details: Option<Vec<Detail>>,
        at: Stamp,
        out: &mut dyn Output,
    ) {
        let runnable = std::mem::replace(&mut self.runnable, false);
        self.start_test(id, at, out);
        self.change_tags(&[tag], &[], out);
        self.add_outcome(Outcome::Success, id, details, at, out);
        self.stop_test();
        self.runnable = runnable;
    }

    /// `error()`: raw text in v1, a file packet in v2.
    fn error(&mut self, message: &str, out: &mut dyn Output) {
        match self.version {
            Version::V1 => out.write(Stream::Stdout, &format!("{message}\n")),
            Version::V2 => {
                let mime = PLAIN_TEXT.repr();
                self.packet(
                    out,
                    Packet {
                        mime_type: Some(&mime),
                        file: Some(("error", message.as_bytes())),
                        eof: true,
                        ..Packet::default()
                    },
                );
            }
        }
    }

    /// `test_garbage`/`test_threads`: the test again, as an error.
    fn test_left(&mut self, tag: &str, name: &str, text: &str, at: Stamp, out: &mut dyn Output) {
        let id = self.test_id.clone();
        self.start_test(&id, at, out);
        self.change_tags(&[tag], &[], out);
        let details = vec![Detail::text(name, PLAIN_TEXT, text)];
        self.add_outcome(Outcome::Error, &id, Some(details), at, out);
        self.stop_test();
    }
}

impl Reporter for Subunit {
    fn needs(&self) -> Needs {
        Needs {
            identities: true,
            // A layer's failure is formatted by the stdlib, from these.
            exceptions: true,
            ..Needs::default()
        }
    }

    fn handle(&mut self, event: &Event, at: Stamp, out: &mut dyn Output) {
        match event {
            Event::RunningInSubprocess => self.fake_test(
                "Running in a subprocess.",
                TAG_INFO_SUBOPTIMAL,
                None,
                at,
                out,
            ),
            Event::Notice(notice) => match notice.role() {
                // zope's subunit formatters say nothing of information.
                NoticeRole::Info => {}
                NoticeRole::Error => self.error(&format::notice(notice), out),
                NoticeRole::ErrorWithBanner => self.fake_test(
                    &format::notice(notice),
                    TAG_ERROR_WITH_BANNER,
                    None,
                    at,
                    out,
                ),
            },
            Event::SubprocessFailed {
                layer,
                failure,
                details,
            } => {
                let report = format::subprocess_failure(layer, failure, details.as_ref());
                self.fake_test(&report, TAG_ERROR_WITH_BANNER, None, at, out)
            }
            Event::ImportErrors(failures) => {
                for failure in failures {
                    // `_emit_error(..., runnable=True)`.
                    self.start_test(&failure.module, at, out);
                    self.change_tags(&[TAG_IMPORT_ERROR], &[], out);
                    let chunks = traceback_chunks(&failure.traceback);
                    self.add_exc_info(Outcome::Error, &failure.module, chunks, at, out);
                    self.stop_test();
                }
            }
            Event::SetUpStarted { layer } => {
                let now = micros_of(at);
                self.time(now, out);
                let id = format!("{layer}:setUp");
                self.runnable = false;
                self.start_test(&id, at, out);
                self.change_tags(&[TAG_LAYER], &[], out);
                self.runnable = true;
                self.last_layer = Some((layer.clone(), now));
            }
            Event::SetUpFinished { seconds, .. } => {
                let (layer, start) = self
                    .last_layer
                    .take()
                    .unwrap_or_else(|| (String::new(), micros_of(at)));
                self.time(start + micros_of_duration(*seconds), out);
                let id = format!("{layer}:setUp");
                self.runnable = false;
                self.add_outcome(Outcome::Success, &id, None, at, out);
                self.stop_test();
                self.runnable = true;
                self.change_tags(&[&format!("zope:layer:{layer}")], &[], out);
            }
            Event::TearDownStarted { layer } => {
                self.change_tags(&[], &[&format!("zope:layer:{layer}")], out);
                let now = micros_of(at);
                self.time(now, out);
                let id = format!("{layer}:tearDown");
                self.runnable = false;
                self.start_test(&id, at, out);
                self.change_tags(&[TAG_LAYER], &[], out);
                self.runnable = true;
                self.last_layer = Some((layer.clone(), now));
            }
            Event::TearDownFinished { seconds, .. } => {
                let (layer, start) = self
                    .last_layer
                    .take()
                    .unwrap_or_else(|| (String::new(), micros_of(at)));
                self.time(start + micros_of_duration(*seconds), out);
                let id = format!("{layer}:tearDown");
                self.runnable = false;
                self.add_outcome(Outcome::Success, &id, None, at, out);
                self.stop_test();
                self.runnable = true;
            }
            Event::TearDownNotSupported { .. } => {
                let (layer, _) = self.last_layer.take().unwrap_or_default();
                self.time(micros_of(at), out);
                let id = format!("{layer}:tearDown");
                self.runnable = false;
                self.add_skip(&id, "tearDown not supported", at, out);
                self.stop_test();
                self.runnable = true;
            }
            Event::LayerFailed {
                layer,
                phase,
                traceback,
                exception,
            } => {
                // zope names the failure after the layer it last started to
                // set up or tear down (a base layer's set-up can fail while
                // a sub-layer is wanted), and leaves that fake test open.
                let name = self.last_layer.as_ref().map_or(layer, |(l, _)| l);
                let id = format!("{name}:{}", phase.label());
                let chunks = match exception {
                    Some(detail) => stdlib_chunks(detail),
                    None => traceback_chunks(traceback),
                };
                self.add_exc_info(Outcome::Failure, &id, chunks, at, out);
            }
            Event::TestStarted { identity, name, .. } => {
                self.test_id = identity.as_ref().map_or(name, |i| &i.id).clone();
                self.time(micros_of(at), out);
                let id = self.test_id.clone();
                self.start_test(&id, at, out);
            }
            Event::TestSucceeded { .. } => {
                self.time(micros_of(at), out);
                let id = self.test_id.clone();
                self.add_outcome(Outcome::Success, &id, None, at, out);
            }
            Event::TestSkipped { reason, .. } => {
                let id = self.test_id.clone();
                self.add_skip(&id, reason, at, out);
            }
            Event::TestFailed(failure) => self.test_failed(failure, at, out),
            Event::TestStopped { .. } => self.stop_test(),
            Event::TestGarbage { garbage, .. } => {
                self.test_left(TAG_GARBAGE, "garbage", garbage, at, out)
            }
            Event::TestThreads { threads, .. } => {
                self.test_left(TAG_THREADS, "threads", threads, at, out)
            }
            Event::Garbage { garbage, .. } => {
                let details = vec![Detail::text("garbage", PLAIN_TEXT, garbage)];
                self.fake_test(TAG_GARBAGE, TAG_GARBAGE, Some(details), at, out);
            }
            Event::Refcounts { total, previous } => {
                let details = vec![
                    Detail::text("sys-refcounts", PLAIN_TEXT, &total.to_string()),
                    Detail::text("changes", PLAIN_TEXT, &(total - previous).to_string()),
                ];
                self.fake_test(TAG_REFCOUNTS, TAG_REFCOUNTS, Some(details), at, out);
            }
            Event::DetailedRefcounts(d) => {
                let details = vec![
                    Detail::text("sys-refcounts", PLAIN_TEXT, &d.total.to_string()),
                    Detail::text("changes", PLAIN_TEXT, &(d.total - d.previous).to_string()),
                    Detail::text("track", PLAIN_TEXT, &python_list_of_rows(&d.rows)),
                ];
                self.fake_test(TAG_REFCOUNTS, TAG_REFCOUNTS, Some(details), at, out);
            }
            Event::ProfilerStats(dump) => {
                // zope writes the dump to a file and sends it with
                // `content_from_file`, which reads it in chunks.
                let details = vec![Detail {
                    name: "profiler-stats".to_owned(),
                    content_type: BINARY_PROFILE,
                    chunks: dump.chunks(FILE_CHUNK).map(<[u8]>::to_vec).collect(),
                }];
                self.fake_test(
                    TAG_PROFILER_STATS,
                    TAG_PROFILER_STATS,
                    Some(details),
                    at,
                    out,
                );
            }
            Event::SkewingExtensions(modules) => {
                // leakrunner's own warning: stderr, outside the stream.
                if !modules.is_empty() {
                    out.write(Stream::Stderr, super::format::SKEWING_EXTENSIONS_WARNING);
                    for (name, file) in modules {
                        out.write(Stream::Stderr, &format!("  {name} ({file})\n"));
                    }
                }
            }
            Event::ListOfTests { layer, tests } => {
                let tag = format!("zope:layer:{layer}");
                self.change_tags(&[&tag], &[], out);
                for test in tests {
                    self.start_test(&test.id, at, out);
                    match self.version {
                        Version::V1 => self.add_outcome(Outcome::Success, &test.id, None, at, out),
                        Version::V2 => {
                            // `_emit_exists`: stamped with the time now.
                            let tags = self.current_tags();
                            self.packet(
                                out,
                                Packet {
                                    timestamp: Some(micros_of(at)),
                                    test_id: Some(&test.id),
                                    tags,
                                    status: Status::Exists,
                                    ..Packet::default()
                                },
                            );
                        }
                    }
                    self.stop_test();
                }
                self.change_tags(&[], &[&tag], out);
            }
            // zope's subunit formatters say nothing of these.
            Event::StaleBytecodeRemoved { .. }
            | Event::LayerStarted { .. }
            | Event::TearingDownLeftOvers
            | Event::IterationStarted { .. }
            | Event::TestsStarting
            | Event::TestCycles { .. }
            | Event::TestsFinished
            | Event::LayerSummary { .. }
            | Event::TestsWithErrors(_)
            | Event::TestsWithFailures(_)
            | Event::ModulesWithImportProblems(_)
            | Event::Totals { .. }
            | Event::LeakSample { .. }
            | Event::AttributionRound { .. }
            | Event::LeakVerdict(_)
            | Event::LeakSummary(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    //! Expected bytes come from python-subunit 1.4.6 and testtools 2.9.1,
    //! driven as zope.testrunner 8.3's formatters drive them (the fixtures
    //! of the two reporter tests: zope's formatters with a fixed clock and
    //! PYTHONHASHSEED=18, a seed that writes each tag set sorted).

    use super::*;
    use crate::events::{
        ChildFailure, ImportFailure, LayerPhase, ListedTest, Notice, TestIdentity,
    };

    const EXPECTED_V1: &[u8] = b"test: pkg.broken\ntags: zope:import_error\nerror: pkg.broken [\nTraceback (most recent call last):\n  File \"/x/y.py\", line 2, in <module>\nKeyError: 'k'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"/x/y.py\", line 4, in <module>\nValueError: bad\n]\ntime: 1970-01-01 00:16:41.000000Z\ntest: pkg.Layer:setUp\ntags: zope:layer\ntime: 1970-01-01 00:16:41.250000Z\nsuccessful: pkg.Layer:setUp\ntags: zope:layer:pkg.Layer\ntime: 1970-01-01 00:16:42.000000Z\ntest: pkg.tests.T.test_a\ntime: 1970-01-01 00:16:42.500000Z\nsuccessful: pkg.tests.T.test_a\ntime: 1970-01-01 00:16:43.000000Z\ntest: pkg.tests.T.test_b\ntime: 1970-01-01 00:16:43.250000Z\nfailure: pkg.tests.T.test_b [ multipart\nContent-Type: text/plain;charset=utf8\ntest-stderr\n6\r\n\xc3\xbcn\xc3\xaf\n0\r\nContent-Type: text/plain;charset=utf8\ntest-stdout\n4\r\nout\n0\r\nContent-Type: text/x-traceback;charset=utf8,language=python\ntraceback\n5E\r\nTraceback (most recent call last):\n  File \"/x/y.py\", line 1, in <module>\nAssertionError: nope\n0\r\n]\ntime: 1970-01-01 00:16:44.000000Z\ntest: pkg.tests.T.test_c\nskip: pkg.tests.T.test_c [\nbecause\n]\ntest: pkg.tests.T.test_c\ntags: zope:garbage\nerror: pkg.tests.T.test_c [ multipart\nContent-Type: text/plain;charset=utf8\ngarbage\n5\r\n['x']0\r\n]\ntest: zope:refcounts\ntags: zope:refcounts\nsuccessful: zope:refcounts [ multipart\nContent-Type: text/plain;charset=utf8\nchanges\n2\r\n100\r\nContent-Type: text/plain;charset=utf8\nsys-refcounts\n3\r\n1000\r\n]\ntest: Running in a subprocess.\ntags: zope:info_suboptimal\nsuccessful: Running in a subprocess.\ntest: Could not communicate with subprocess!\ntags: zope:error_with_banner\nsuccessful: Could not communicate with subprocess!\nCan only give one of --ndiff, --udiff, or --cdiff\ntags: zope:layer:pkg.Layer\ntest: pkg.tests.T.test_a\nsuccessful: pkg.tests.T.test_a\ntest: pkg.tests.T.test_b\nsuccessful: pkg.tests.T.test_b\ntags: -zope:layer:pkg.Layer\ntags: -zope:layer:pkg.Layer\ntime: 1970-01-01 00:16:46.000000Z\ntest: pkg.Layer:tearDown\ntags: zope:layer\nfailure: pkg.Layer:tearDown [\nTraceback (most recent call last):\n  File \"/x/y.py\", line 1, in <module>\nValueError: gave way\n]\ntags: -zope:layer:pkg.Other\ntime: 1970-01-01 00:16:47.000000Z\ntest: pkg.Other:tearDown\ntags: zope:layer\ntime: 1970-01-01 00:16:47.500000Z\nskip: pkg.Other:tearDown [\ntearDown not supported\n]\n";

    const EXPECTED_V2_HEX: &str = concat!(
        "b32b021b000003e8ddcd65000a706b672e62726f6b656ef14e6a87b32b60407e000003e8ddcd65000a706b67",
        "2e62726f6b656e33746578742f782d74726163656261636b3b20636861727365743d2275746638223b206c61",
        "6e67756167653d22707974686f6e220974726163656261636b2354726163656261636b20286d6f7374207265",
        "63656e742063616c6c206c617374293a0ad61c785ab32b604081000003e8ddcd65000a706b672e62726f6b65",
        "6e33746578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e6775616765",
        "3d22707974686f6e220974726163656261636b26202046696c6520222f782f792e7079222c206c696e652032",
        "2c20696e203c6d6f64756c653e0a0bacb93cb32b604069000003e8ddcd65000a706b672e62726f6b656e3374",
        "6578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d2270",
        "7974686f6e220974726163656261636b0e4b65794572726f723a20276b270ae914c570b32b6040a2000003e8",
        "ddcd65000a706b672e62726f6b656e33746578742f782d74726163656261636b3b20636861727365743d2275",
        "746638223b206c616e67756167653d22707974686f6e220974726163656261636b40460a447572696e672068",
        "616e646c696e67206f66207468652061626f766520657863657074696f6e2c20616e6f746865722065786365",
        "7074696f6e206f636375727265643a0a0ad8a6d575b32b60407e000003e8ddcd65000a706b672e62726f6b65",
        "6e33746578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e6775616765",
        "3d22707974686f6e220974726163656261636b2354726163656261636b20286d6f737420726563656e742063",
        "616c6c206c617374293a0ad61c785ab32b604081000003e8ddcd65000a706b672e62726f6b656e3374657874",
        "2f782d74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d2270797468",
        "6f6e220974726163656261636b26202046696c6520222f782f792e7079222c206c696e6520342c20696e203c",
        "6d6f64756c653e0a29566dceb32b70406b000003e8ddcd65000a706b672e62726f6b656e33746578742f782d",
        "74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d22707974686f6e22",
        "0974726163656261636b1056616c75654572726f723a206261640a78bfbeddb32b862e000003e8ddcd65000a",
        "706b672e62726f6b656e01117a6f70653a696d706f72745f6572726f7220fba6efb32a021d000003e9000f70",
        "6b672e4c617965723a73657455708f8d9428b32a832c000003e9cee6b2800f706b672e4c617965723a736574",
        "5570010a7a6f70653a6c6179657223791232b32b0220000003ea0012706b672e74657374732e542e74657374",
        "5f6175165a61b32b8339000003eaddcd650012706b672e74657374732e542e746573745f6101147a6f70653a",
        "6c617965723a706b672e4c6179657219b18bb7b32b0220000003eb0012706b672e74657374732e542e746573",
        "745f6273c58845b32b704052000003ebcee6b28012706b672e74657374732e542e746573745f621a74657874",
        "2f706c61696e3b20636861727365743d2275746638220b746573742d73746465727206c3bc6ec3af0a3b3add",
        "26b32b704050000003ebcee6b28012706b672e74657374732e542e746573745f621a746578742f706c61696e",
        "3b20636861727365743d2275746638220b746573742d7374646f7574046f75740af295d9d9b32b7040c20000",
        "03ebcee6b28012706b672e74657374732e542e746573745f6233746578742f782d74726163656261636b3b20",
        "636861727365743d2275746638223b206c616e67756167653d22707974686f6e220974726163656261636b40",
        "5e54726163656261636b20286d6f737420726563656e742063616c6c206c617374293a0a202046696c652022",
        "2f782f792e7079222c206c696e6520312c20696e203c6d6f64756c653e0a417373657274696f6e4572726f72",
        "3a206e6f70650aed91c719b32b8639000003ebcee6b28012706b672e74657374732e542e746573745f620114",
        "7a6f70653a6c617965723a706b672e4c617965725b6f8065b32b0220000003ec0012706b672e74657374732e",
        "542e746573745f636d253e8bb32b704049000003ec0012706b672e74657374732e542e746573745f63187465",
        "78742f706c61696e3b20636861727365743d7574663806726561736f6e07626563617573657f7ded85b32b85",
        "36000003ec0012706b672e74657374732e542e746573745f6301147a6f70653a6c617965723a706b672e4c61",
        "796572fb5c0defb32b0220000003ec0012706b672e74657374732e542e746573745f636d253e8bb32b70404a",
        "000003ec0012706b672e74657374732e542e746573745f631a746578742f706c61696e3b2063686172736574",
        "3d2275746638220767617262616765055b2778275db85e60bfb32b864044000003ec0012706b672e74657374",
        "732e542e746573745f63020c7a6f70653a67617262616765147a6f70653a6c617965723a706b672e4c617965",
        "7207804497b32a021c000003ec000e7a6f70653a726566636f756e74731d242872b32a704043000003ec000e",
        "7a6f70653a726566636f756e74731a746578742f706c61696e3b20636861727365743d227574663822076368",
        "616e676573023130ccfe4a10b32a70404a000003ec000e7a6f70653a726566636f756e74731a746578742f70",
        "6c61696e3b20636861727365743d2275746638220d7379732d726566636f756e747303313030c0f49510b32a",
        "834042000003ec000e7a6f70653a726566636f756e747302147a6f70653a6c617965723a706b672e4c617965",
        "720e7a6f70653a726566636f756e7473d42dfa8fb32a0226000003ec001852756e6e696e6720696e20612073",
        "756270726f636573732e8f75fd6fb32a834052000003ec001852756e6e696e6720696e20612073756270726f",
        "636573732e02147a6f70653a696e666f5f7375626f7074696d616c147a6f70653a6c617965723a706b672e4c",
        "61796572bcbb3769b32a0234000003ec0026436f756c64206e6f7420636f6d6d756e69636174652077697468",
        "2073756270726f6365737321be0afe11b32a834062000003ec0026436f756c64206e6f7420636f6d6d756e69",
        "6361746520776974682073756270726f636573732102167a6f70653a6572726f725f776974685f62616e6e65",
        "72147a6f70653a6c617965723a706b672e4c6179657220b2dff2b32170405c1a746578742f706c61696e3b20",
        "636861727365743d227574663822056572726f723143616e206f6e6c792067697665206f6e65206f66202d2d",
        "6e646966662c202d2d75646966662c206f72202d2d63646966660227ad27b32b0220000003ec0012706b672e",
        "74657374732e542e746573745f61832b5fa7b32b8136000003ed0012706b672e74657374732e542e74657374",
        "5f6101147a6f70653a6c617965723a706b672e4c61796572a71e9b8db32b0220000003ec0012706b672e7465",
        "7374732e542e746573745f621a220e1db32b8136000003ed0012706b672e74657374732e542e746573745f62",
        "01147a6f70653a6c617965723a706b672e4c61796572d1fba2b0b32a0220000003ee0012706b672e4c617965",
        "723a74656172446f776e44385a7bb32b604083000003ee0012706b672e4c617965723a74656172446f776e33",
        "746578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d22",
        "707974686f6e220974726163656261636b2354726163656261636b20286d6f737420726563656e742063616c",
        "6c206c617374293a0afb67e076b32b604086000003ee0012706b672e4c617965723a74656172446f776e3374",
        "6578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d2270",
        "7974686f6e220974726163656261636b26202046696c6520222f782f792e7079222c206c696e6520312c2069",
        "6e203c6d6f64756c653e0ab1ca983bb32b704075000003ee0012706b672e4c617965723a74656172446f776e",
        "33746578742f782d74726163656261636b3b20636861727365743d2275746638223b206c616e67756167653d",
        "22707974686f6e220974726163656261636b1556616c75654572726f723a2067617665207761790aba9aae3a",
        "b32b862c000003ee0012706b672e4c617965723a74656172446f776e010a7a6f70653a6c61796572af373caf",
        "b32a0220000003ef0012706b672e4f746865723a74656172446f776e99164864b32a70405b000003efddcd65",
        "0012706b672e4f746865723a74656172446f776e18746578742f706c61696e3b20636861727365743d757466",
        "3806726561736f6e1674656172446f776e206e6f7420737570706f72746564fc7f85f2b32a852f000003efdd",
        "cd650012706b672e4f746865723a74656172446f776e010a7a6f70653a6c6179657287259d5a",
    );

    /// Text and bytes, in the order they were written.
    #[derive(Default)]
    struct Recorded {
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    }

    impl Output for Recorded {
        fn write(&mut self, stream: Stream, text: &str) {
            self.write_bytes(stream, text.as_bytes());
        }

        fn write_bytes(&mut self, stream: Stream, bytes: &[u8]) {
            match stream {
                Stream::Stdout => self.stdout.extend_from_slice(bytes),
                Stream::Stderr => self.stderr.extend_from_slice(bytes),
            }
        }

        fn flush(&mut self) {}
    }

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn stamp(unix: f64) -> Stamp {
        Stamp { unix }
    }

    #[test]
    fn crc32_is_zlibs() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(&[0xB3; 1000]), 0x1CE2_3D45);
    }

    #[test]
    fn numbers_take_one_to_four_bytes() {
        for (value, expected) in [
            (0, "00"),
            (63, "3f"),
            (64, "4040"),
            (16383, "7fff"),
            (16384, "804000"),
            (4_194_303, "bfffff"),
            (4_194_304, "c0400000"),
            (1_073_741_823, "ffffffff"),
        ] {
            let mut out = Vec::new();
            put_number(&mut out, value);
            assert_eq!(out, hex(expected), "{value}");
        }
    }

    #[test]
    fn packets_as_stream_result_to_bytes_writes_them() {
        // 2026-01-02 03:04:05.678901 UTC
        let t = 1_767_323_045_678_901;
        let packet = Packet {
            timestamp: Some(t),
            test_id: Some("a"),
            tags: vec!["t1"],
            status: Status::Success,
            ..Packet::default()
        };
        assert_eq!(
            packet.encode().unwrap(),
            hex("b32a8316695735a5e8773508016101027431856d8bbc")
        );
        let packet = Packet {
            route_code: Some("0/1"),
            status: Status::XFail,
            runnable: true,
            ..Packet::default()
        };
        assert_eq!(packet.encode().unwrap(), hex("b325070c03302f310d37b786"));
        // File content: a two-byte length (100 bytes), a three-byte one.
        for (n, length, head, crc) in [
            (
                100,
                134,
                "b32b704086695735a5e877350801740a746578742f706c61696e0166406471717171717171717171",
                "10581c75",
            ),
            (
                20000,
                20036,
                "b32b70804e44695735a5e877350801740a746578742f706c61696e0166804e207171717171717171",
                "14d38e13",
            ),
        ] {
            let content = vec![b'q'; n];
            let packet = Packet {
                timestamp: Some(t),
                test_id: Some("t"),
                runnable: true,
                mime_type: Some("text/plain"),
                file: Some(("f", &content)),
                eof: true,
                ..Packet::default()
            };
            let bytes = packet.encode().unwrap();
            assert_eq!(bytes.len(), length);
            assert_eq!(bytes[..40], hex(head)[..]);
            assert_eq!(bytes[length - 4..], hex(crc)[..]);
        }
    }

    #[test]
    fn content_too_long_for_a_packet_goes_in_pieces() {
        let content = vec![b'x'; 5_000_000];
        let packet = Packet {
            test_id: Some("t"),
            file: Some(("big", &content)),
            eof: true,
            status: Status::Fail,
            ..Packet::default()
        };
        assert!(packet.encode().is_none());
        let mut out = Recorded::default();
        Subunit::new(Version::V2).packet(&mut out, packet);
        // Three packets, each within the limit, lengths and CRCs intact;
        // only the last has EOF and the status.
        let mut pos = 0;
        let mut flags = Vec::new();
        let mut total = 0;
        while pos < out.stdout.len() {
            let p = &out.stdout[pos..];
            assert_eq!(p[0], 0xB3);
            let length = (u32::from_be_bytes([0, p[3], p[4], p[5]]) & 0x3F_FFFF) as usize;
            assert!(length <= MAX_PACKET);
            let crc = u32::from_be_bytes(p[length - 4..length].try_into().unwrap());
            assert_eq!(crc, crc32(&p[..length - 4]));
            flags.push(u16::from_be_bytes([p[1], p[2]]));
            total += length;
            pos += length;
        }
        assert_eq!(total, out.stdout.len());
        assert_eq!(flags.len(), 3);
        assert!(flags[..2].iter().all(|f| f & 0x0017 == 0));
        assert_eq!(flags[2] & 0x0017, 0x0016);
    }

    #[test]
    fn chunked_as_subunits_encoder() {
        assert_eq!(chunked(&[]), b"0\r\n");
        assert_eq!(chunked(&[Vec::new()]), b"0\r\n");
        assert_eq!(chunked(&[b"abc".to_vec()]), b"3\r\nabc0\r\n");
        assert_eq!(
            chunked(&[b"ab".to_vec(), b"cd".to_vec()]),
            b"4\r\nabcd0\r\n"
        );
        for chunks in [
            vec![vec![b'x'; 40000], vec![b'y'; 30000]],
            vec![vec![b'z'; 70000]],
        ] {
            let out = chunked(&chunks);
            assert_eq!(out.len(), 70010);
            assert_eq!(&out[..7], b"11170\r\n");
            assert_eq!(&out[out.len() - 3..], b"0\r\n");
        }
    }

    #[test]
    fn time_lines() {
        assert_eq!(time_line(0), "time: 1970-01-01 00:00:00.000000Z\n");
        assert_eq!(
            time_line(951_868_799_999_999),
            "time: 2000-02-29 23:59:59.999999Z\n"
        );
        assert_eq!(
            time_line(1_795_549_659_659_989),
            "time: 2026-11-24 19:47:39.659989Z\n"
        );
        assert_eq!(
            time_line(4_107_542_400_000_001),
            "time: 2100-03-01 00:00:00.000001Z\n"
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(
            TRACEBACK.repr(),
            "text/x-traceback; charset=\"utf8\"; language=\"python\""
        );
        assert_eq!(
            TRACEBACK.v1_header(),
            "Content-Type: text/x-traceback;charset=utf8,language=python"
        );
        assert_eq!(PLAIN_TEXT.repr(), "text/plain; charset=\"utf8\"");
    }

    /// Each exception `(source, chained)`: the stdlib's text and the pieces
    /// `TracebackException.format()` yields, from this interpreter.
    /// The stdlib's text of an exception, its pieces, and its description
    /// (`str(type)`, `str(value)`, `format_tb`).
    type Case = (String, Vec<String>, (String, String, String));

    fn python_tracebacks() -> Vec<Case> {
        use pyo3::prelude::*;
        Python::initialize();
        Python::attach(|py| {
            let code = std::ffi::CString::new(
                r#"
import os
import tempfile
import traceback

SOURCES = [
    "raise ValueError('plain')",
    "raise ValueError('two\\nlines')",
    "raise KeyError()",
    "try:\n    {}['k']\nexcept KeyError as e:\n    raise RuntimeError('from') from e",
    "try:\n    1 / 0\nexcept ZeroDivisionError:\n    raise TypeError('context')",
    "def f(n):\n    return f(n + 1) if n < 40 else g[0]\nf(0)",
    "compile('x = 1\\nclass X(\\n  pass', '/x/bad.py', 'exec')",
    "y = (\n    undefined_name\n    + 1)",
    "x = [1,\n     2]\ny = x[0] + x[1] + (\n    x[5])",
]
CASES = []
folder = tempfile.mkdtemp()
for number, source in enumerate(SOURCES):
    # Real files: the frames show their source lines (and carets).
    path = os.path.join(folder, "case%d.py" % number)
    with open(path, "w") as f:
        f.write(source + "\n")
    try:
        exec(compile(source, path, "exec"), {})
    except Exception as e:
        tb = e.__traceback__.tb_next
        text = "".join(traceback.format_exception(type(e), e, tb))
        pieces = list(traceback.TracebackException(type(e), e, tb).format())
        detail = (str(type(e)), str(e), "".join(traceback.format_tb(tb)))
        CASES.append((text, pieces, detail))
"#,
            )
            .unwrap();
            let globals = pyo3::types::PyDict::new(py);
            py.run(&code, Some(&globals), None).unwrap();
            globals
                .get_item("CASES")
                .unwrap()
                .unwrap()
                .extract()
                .unwrap()
        })
    }

    #[test]
    fn traceback_pieces_as_the_stdlib_yields_them() {
        let cases = python_tracebacks();
        assert_eq!(cases.len(), 9);
        for (text, pieces, (type_name, message, stack)) in cases {
            assert_eq!(traceback_chunks(&text), pieces, "{text}");
            // A layer failure is rebuilt from its description: exact unless
            // the exception is chained or a SyntaxError.
            if !text.contains("above exception") && !text.contains("SyntaxError") {
                let detail = ExceptionDetail {
                    type_name,
                    message,
                    stack,
                };
                assert_eq!(stdlib_chunks(&detail), pieces, "{text}");
            }
        }
    }

    fn identity(id: &str) -> Option<TestIdentity> {
        Some(TestIdentity {
            id: id.to_owned(),
            suite: String::new(),
            classname: String::new(),
            name: String::new(),
        })
    }

    fn started(id: &str) -> Event {
        Event::TestStarted {
            name: String::new(),
            tests_run: 1,
            total: 3,
            count: 1,
            identity: identity(id),
        }
    }

    /// The events of zope's formatter calls in the fixture, with their times.
    fn fixture() -> Vec<(f64, Event)> {
        let listed = |id: &str| ListedTest {
            name: String::new(),
            id: id.to_owned(),
        };
        vec![
            (
                1000.5,
                Event::ImportErrors(vec![ImportFailure {
                    module: "pkg.broken".into(),
                    traceback: "Traceback (most recent call last):\n  File \"/x/y.py\", line 2, in <module>\nKeyError: 'k'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"/x/y.py\", line 4, in <module>\nValueError: bad\n".into(),
                    exception: None,
                }]),
            ),
            (1001.0, Event::SetUpStarted { layer: "pkg.Layer".into() }),
            (1001.1, Event::SetUpFinished { layer: "L".into(), seconds: 0.25 }),
            (1002.0, started("pkg.tests.T.test_a")),
            (1002.5, Event::TestSucceeded { name: "t".into(), seconds: 0.5 }),
            (1002.5, Event::TestStopped { gc_count: 0 }),
            (1003.0, started("pkg.tests.T.test_b")),
            (
                1003.25,
                Event::TestFailed(Failure {
                    kind: FailureKind::Failure,
                    name: String::new(),
                    seconds: 0.25,
                    traceback: "Traceback (most recent call last):\n  File \"/x/y.py\", line 1, in <module>\nAssertionError: nope\n".into(),
                    report: Default::default(),
                    stdout: Some("out\n".into()),
                    stderr: Some("\u{fc}n\u{ef}\n".into()),
                    exception: None,
                    subtest: None,
                }),
            ),
            (1003.25, Event::TestStopped { gc_count: 0 }),
            (1004.0, started("pkg.tests.T.test_c")),
            (1004.5, Event::TestSkipped { name: "t".into(), reason: "because".into() }),
            (1004.5, Event::TestStopped { gc_count: 0 }),
            (
                1004.5,
                Event::TestGarbage {
                    test: "test_c (pkg.tests.T.test_c)".into(),
                    garbage: "['x']".into(),
                },
            ),
            (1005.0, Event::Refcounts { total: 100, previous: 90 }),
            (1005.0, Event::RunningInSubprocess),
            (
                1005.0,
                Event::SubprocessFailed {
                    layer: "pkg.Layer".into(),
                    failure: ChildFailure::NoContact { ending: None },
                    details: None,
                },
            ),
            (1005.0, Event::Notice(Notice::ConflictingDiffOptions)),
            (
                1005.0,
                Event::ListOfTests {
                    layer: "pkg.Layer".into(),
                    tests: vec![listed("pkg.tests.T.test_a"), listed("pkg.tests.T.test_b")],
                },
            ),
            (1006.0, Event::TearDownStarted { layer: "pkg.Layer".into() }),
            (
                1006.5,
                Event::LayerFailed {
                    layer: "pkg.Layer".into(),
                    phase: LayerPhase::TearDown,
                    traceback: "(zope.exceptions' style)".into(),
                    exception: Some(ExceptionDetail {
                        type_name: "<class 'ValueError'>".into(),
                        message: "gave way".into(),
                        stack: "  File \"/x/y.py\", line 1, in <module>\n".into(),
                    }),
                },
            ),
            (1007.0, Event::TearDownStarted { layer: "pkg.Other".into() }),
            (1007.5, Event::TearDownNotSupported { layer: "pkg.Other".into() }),
        ]
    }

    fn run(version: Version) -> Recorded {
        let mut subunit = Subunit::new(version);
        let mut out = Recorded::default();
        for (t, event) in fixture() {
            subunit.handle(&event, stamp(t), &mut out);
        }
        out
    }

    #[test]
    fn v1_stream_as_zopes_formatter_writes_it() {
        let out = run(Version::V1);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(EXPECTED_V1)
        );
        assert_eq!(out.stdout, EXPECTED_V1);
        assert!(out.stderr.is_empty());
    }

    #[test]
    fn v2_stream_as_zopes_formatter_writes_it() {
        let out = run(Version::V2);
        assert_eq!(out.stdout, hex(EXPECTED_V2_HEX));
    }

    #[test]
    fn tag_contexts_nest_per_test_and_survive_a_layer_failure() {
        let mut s = Subunit::new(Version::V2);
        let mut out = Recorded::default();
        let at = stamp(1.0);
        s.handle(&Event::SetUpStarted { layer: "A".into() }, at, &mut out);
        assert_eq!(s.current_tags(), ["zope:layer"]);
        s.handle(
            &Event::SetUpFinished {
                layer: "L".into(),
                seconds: 0.0,
            },
            at,
            &mut out,
        );
        assert_eq!(s.current_tags(), ["zope:layer:A"]);
        s.handle(&started("t"), at, &mut out);
        s.handle(&Event::TestStopped { gc_count: 0 }, at, &mut out);
        assert_eq!(s.tags.len(), 1);
        // A failing set-up leaves its fake test open: later packets carry
        // zope:layer, as in zope's stream.
        s.handle(&Event::SetUpStarted { layer: "B".into() }, at, &mut out);
        s.handle(
            &Event::LayerFailed {
                layer: "B".into(),
                phase: LayerPhase::SetUp,
                traceback: "RuntimeError\n".into(),
                exception: None,
            },
            at,
            &mut out,
        );
        assert_eq!(s.tags.len(), 2);
        s.handle(&Event::TearDownStarted { layer: "A".into() }, at, &mut out);
        assert_eq!(s.current_tags(), ["zope:layer"]);
        s.handle(
            &Event::TearDownFinished {
                layer: "L".into(),
                seconds: 0.0,
            },
            at,
            &mut out,
        );
        assert_eq!(s.current_tags(), ["zope:layer"]);
        // More stops than starts: testtools drops its context altogether.
        s.stop_test();
        s.stop_test();
        assert!(s.current_tags().is_empty());
        s.change_tags(&["x"], &[], &mut out);
        assert!(s.current_tags().is_empty());
        s.start_test("u", at, &mut out);
        s.change_tags(&["y"], &[], &mut out);
        assert_eq!(s.current_tags(), ["y"]);
    }

    #[test]
    fn v1_tags_lines_and_the_failing_layer_name() {
        let mut s = Subunit::new(Version::V1);
        let mut out = Recorded::default();
        let at = stamp(0.0);
        // A base layer's set-up fails while its sub-layer was asked for:
        // the failure is named after the layer that was being set up.
        s.handle(
            &Event::SetUpStarted {
                layer: "Base".into(),
            },
            at,
            &mut out,
        );
        s.handle(
            &Event::LayerFailed {
                layer: "Sub".into(),
                phase: LayerPhase::SetUp,
                traceback: "ignored".into(),
                exception: Some(ExceptionDetail {
                    type_name: "<class 'mod.Wet'>".into(),
                    message: String::new(),
                    stack: "  File \"/b.py\", line 3, in setUp\n    raise Wet\n".into(),
                }),
            },
            at,
            &mut out,
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "time: 1970-01-01 00:00:00.000000Z\ntest: Base:setUp\ntags: zope:layer\n\
             failure: Base:setUp [\nTraceback (most recent call last):\n  \
             File \"/b.py\", line 3, in setUp\n    raise Wet\nmod.Wet\n]\n"
        );
    }
}
