//! Timeline importers: CSV, JSON lines, log text and Slack exports become [`ImportedEvent`]s.
//!
//! Pure parsing: no database, no terminal. Each event goes to the caller's sink as soon as it is
//! read, so a large log never sits in memory (only a Slack export, one JSON document, is parsed
//! whole). Every text that leaves an importer has been through [`sanitize`], and so has every piece
//! of input quoted in an error message.
//!
//! Structured input (CSV, JSON lines, Slack) that cannot be read is an error naming the file and
//! line, never a silent skip: the caller imports all or nothing. Log text is free-form, so lines it
//! cannot place are reported in [`Summary::skipped`] instead.

mod csv;
mod docs;
mod family;
mod jsonl;
mod level;
mod log;
mod slack;
mod slack_archive;
mod stamp;
#[cfg(test)]
mod tests;

use crate::model::EventKind;
use crate::model::sanitize;
use crate::model::time::{self, ACCEPTED_TIMES, TimeContext, TimeError};
use chrono::{DateTime, Utc};
use std::error::Error;
use std::fmt;
use std::io::{BufRead, Read};
use std::str::FromStr;

pub use level::Level;
pub use slack_archive::{MAX_SLACK_CHANNEL, SlackExport, export_at, export_channels};

/// How many bytes [`Format::Auto`] looks at to recognise a format.
const DETECT_BYTES: u64 = 8 * 1024;

/// The longest record an importer reads: a line, a log event with its continuation lines, a CSV
/// record, a JSON line. Longer is an error naming the line, so memory stays bounded whatever the
/// input (`/dev/zero`, a file without line breaks).
pub const MAX_RECORD: usize = 1024 * 1024;

/// The most lines one log event may hold, its first included (a stack trace, a long message).
pub const MAX_EVENT_LINES: usize = 10_000;

/// The largest Slack export file: it is one JSON document, parsed whole (a 4 MiB export peaks
/// near 50 MB as a JSON tree).
pub const MAX_SLACK_FILE: usize = 4 * 1024 * 1024;

/// The most skipped lines (or messages) listed; more is an error, since every one is kept.
pub const MAX_SKIPPED: usize = 10_000;

crate::model::name_table! {
    /// What an incoming file is read as (`auto` recognises it).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum Format: name, label {
        Auto => "auto", "recognised";
        Csv => "csv", "CSV";
        Jsonl => "jsonl", "JSON lines";
        Log => "log", "log text";
        Slack => "slack", "Slack export";
        Journald => "journald", "journald JSON";
        Docker => "docker", "Docker json-file";
        JsonLog => "json-log", "structured JSON log (zap, zerolog, slog, pino, bunyan)";
        Ecs => "ecs", "Elastic Common Schema JSON";
        Gcp => "gcp", "Google Cloud Logging JSON";
        Cloudwatch => "cloudwatch", "CloudWatch Logs export";
        Cloudtrail => "cloudtrail", "CloudTrail records";
        Alertmanager => "alertmanager", "Alertmanager webhook";
        Logfmt => "logfmt", "logfmt";
        Klog => "klog", "klog";
        Cri => "cri", "CRI container log";
        Syslog => "rfc5424", "RFC 5424 syslog";
        Envoy => "envoy", "Envoy access log";
        Alb => "alb", "AWS ALB access log";
        ApacheError => "apache-error", "Apache error log";
        Log4j => "log4j", "log4j short dates";
        Logcat => "logcat", "Android logcat";
        Compact => "compact", "compact stamps";
        Epoch => "epoch", "epoch-prefixed lines";
    }
}

impl Format {
    /// Read line by line as JSON objects (one event each).
    fn is_json_lines(self) -> bool {
        matches!(
            self,
            Format::Jsonl
                | Format::Journald
                | Format::Docker
                | Format::JsonLog
                | Format::Ecs
                | Format::Gcp
                | Format::Cloudwatch
        )
    }

    /// Every name `--format` accepts, `auto` first.
    pub fn names() -> String {
        Format::ALL.iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    }
}

/// The names of the fields of structured lines (JSON lines, logfmt) when the file does not use
/// the common ones: `--time-field`, `--text-field`, `--level-field`. Dotted paths reach into
/// nested objects (`jsonPayload.message`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Fields {
    pub time: Option<String>,
    pub text: Option<String>,
    pub level: Option<String>,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = ImportError;
    fn from_str(s: &str) -> Result<Format, ImportError> {
        let wanted = s.trim();
        Format::ALL
            .iter()
            .copied()
            .find(|f| f.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| ImportError::UnknownFormat(short(&sanitize::clean_line(s))))
    }
}

/// One timeline event read from a file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImportedEvent {
    pub at: DateTime<Utc>,
    /// Cleaned of control sequences; may span several lines.
    pub text: String,
    /// `None`: the file did not say, and the caller uses its default.
    pub kind: Option<EventKind>,
    pub author: Option<String>,
    /// The 1-based line where the event starts (for Slack: the message's 1-based index).
    pub line: usize,
    /// The level the line states (`ERROR`, `"level":50`, `PRIORITY=3`, klog's `E`), if any.
    pub level: Option<Level>,
    /// What wrote it: the service, unit, logger or tag (`api.service`, `WindowManager`).
    pub origin: Option<String>,
    /// The text an earlier version of debrief gave this same line, when it differs (a CRI line
    /// was read as log text with its stream and tag): its key too marks the event as imported.
    pub legacy_text: Option<String>,
}

impl ImportedEvent {
    /// A de-duplication key from the instant and the text
    /// ([`import_key`](crate::model::document::import_key)): documents carry it too.
    pub fn key(&self) -> String {
        crate::model::document::import_key(self.at, &self.text)
    }

    /// The key an earlier version gave this event, when it had another text.
    pub fn legacy_key(&self) -> Option<String> {
        let old = self.legacy_text.as_deref().filter(|t| *t != self.text)?;
        Some(crate::model::document::import_key(self.at, old))
    }

    /// An event with no level, origin or earlier text.
    fn new(at: DateTime<Utc>, text: String, author: Option<String>, line: usize) -> ImportedEvent {
        ImportedEvent {
            at,
            text,
            kind: None,
            author,
            line,
            level: None,
            origin: None,
            legacy_text: None,
        }
    }
}

/// A line that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The format that was read (never `Auto`).
    pub format: Format,
    pub events: usize,
    /// The earliest and the latest event time (files need not be in order).
    pub first: Option<DateTime<Utc>>,
    pub last: Option<DateTime<Utc>>,
    pub skipped: Vec<Skipped>,
    /// Lines (or records) read, blank lines aside, and how many of them the format placed (an
    /// event's first line or one of its continuation lines): how sure the recognition is.
    pub read: usize,
    pub matched: usize,
}

impl Summary {
    /// The format as the preview names it: `journald JSON (journald), 12 of 12 lines matched`.
    pub fn described(&self) -> String {
        let unit = self.unit().word();
        let plural = if self.read == 1 { "" } else { "s" };
        let (label, name) = (self.format.label(), self.format.name());
        let named = if label == name {
            label.to_string()
        } else {
            format!("{label} ({name})")
        };
        format!("{named}, {} of {} {unit}{plural} matched", self.matched, self.read)
    }

    /// What the positions of skipped lines count: lines, or a Slack export's messages.
    pub fn unit(&self) -> Unit {
        Unit::of(self.format)
    }

    /// Where a skipped line was, as messages name places: `file:7` or `file: message 7`.
    pub fn place(&self, file: &str, skipped: &Skipped) -> Place {
        Place {
            file: display_name(file).to_string(),
            line: skipped.line,
            unit: self.unit(),
        }
    }
}

crate::model::name_table! {
    /// What a position counts: lines of the file, or the messages of a Slack export (`word`:
    /// `line`, `message`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Unit: word, label {
        Line => "line", "line";
        Message => "message", "message";
        Record => "record", "record";
    }
}

impl Unit {
    fn of(format: Format) -> Unit {
        match format {
            Format::Slack => Unit::Message,
            Format::Cloudtrail | Format::Alertmanager => Unit::Record,
            _ => Unit::Line,
        }
    }
}

/// Where in the input something went wrong. Shown as `file:7` or `file: message 7`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub unit: Unit,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.unit {
            Unit::Line => write!(f, "{}:{}", self.file, self.line),
            Unit::Message => write!(f, "{}: message {}", self.file, self.line),
            Unit::Record => write!(f, "{}: record {}", self.file, self.line),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Input that does not have the expected shape; the message says what was expected.
    #[error("{place}: {message}")]
    Invalid { place: Place, message: String },
    /// A time that cannot be read; `field` is e.g. `column "time"` (none for log lines).
    // Not a `source`: the message already says everything the time error says.
    #[error("{place}: {}", time_message(error, field.as_deref()))]
    Time {
        place: Place,
        field: Option<String>,
        error: TimeError,
    },
    #[error("{place}: cannot read the input: {source}")]
    Io { place: Place, source: std::io::Error },
    #[error("unknown import format \"{0}\" (accepted: {names})", names = Format::names())]
    UnknownFormat(String),
    #[error(
        "could not recognise the format of {file}: its first line is {first}; tried {tried}. \
         Name the format with --format NAME, or for JSON lines or logfmt name the fields with \
         --time-field, --text-field and --level-field",
        tried = Format::ALL[1..].iter().map(|f| f.name()).collect::<Vec<_>>().join(", ")
    )]
    Unrecognised { file: String, first: String },
    /// A Slack export (.zip or folder) that cannot be read as one, or the channel to read
    /// from it not named or not there.
    #[error("{file}: {message}")]
    Export { file: String, message: String },
    /// The sink refused an event (e.g. the database failed). Build it with
    /// [`ImportError::from_sink`]; [`read_events`] fills in the place.
    #[error("{place}: {source}")]
    Sink {
        place: Place,
        source: Box<dyn Error + Send + Sync>,
    },
}

impl ImportError {
    /// An error of the sink's own; [`read_events`] adds the file and line of the event.
    pub fn from_sink(error: impl Into<Box<dyn Error + Send + Sync>>) -> ImportError {
        ImportError::Sink {
            place: Place {
                file: String::new(),
                line: 0,
                unit: Unit::Line,
            },
            source: error.into(),
        }
    }

    pub fn place(&self) -> Option<&Place> {
        match self {
            ImportError::Invalid { place, .. }
            | ImportError::Time { place, .. }
            | ImportError::Io { place, .. }
            | ImportError::Sink { place, .. } => Some(place),
            ImportError::UnknownFormat(_) | ImportError::Unrecognised { .. } | ImportError::Export { .. } => None,
        }
    }
}

fn time_message(error: &TimeError, field: Option<&str>) -> String {
    match (error, field) {
        (TimeError::Unreadable(input), Some(field)) => {
            format!("cannot read time \"{input}\" in {field} (accepted: {ACCEPTED_TIMES})")
        }
        (error, Some(field)) => format!("{error} (in {field})"),
        (error, None) => error.to_string(),
    }
}

/// The name a file is shown by in messages.
pub fn display_name(name: &str) -> &str {
    if name == "-" { "stdin" } else { name }
}

/// Reads `reader` as `format` and passes each event to `sink`, in file order. `name` is the file
/// name used in messages (`-` is shown as `stdin`). The first error, the sink's included, stops
/// the import.
///
/// `Format::Auto` reads the first 8 KiB, recognises the format with [`detect`], and then reads
/// those bytes again followed by the rest (a pipe may deliver fewer bytes per read than are needed
/// to tell formats apart, so peeking at one buffer would not be enough).
pub fn read_events<R: BufRead>(
    name: &str,
    reader: R,
    format: Format,
    ctx: &TimeContext,
    sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
) -> Result<Summary, ImportError> {
    read_events_with(name, reader, format, &Fields::default(), ctx, sink)
}

/// Reads one channel of a Slack export (its .zip or folder): every day of it in order, as
/// [`read_events`] reads a file. `name` is the export as messages show it.
pub fn read_slack_export(
    name: &str,
    export: &SlackExport,
    sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
) -> Result<Summary, ImportError> {
    let mut out = Out::new(display_name(name).to_string(), Unit::Message, sink);
    slack_archive::read(export, &mut out)?;
    Ok(out.summary(Format::Slack))
}

/// [`read_events`] with the names of the time, text and level fields of structured lines.
pub fn read_events_with<R: BufRead>(
    name: &str,
    mut reader: R,
    format: Format,
    fields: &Fields,
    ctx: &TimeContext,
    sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
) -> Result<Summary, ImportError> {
    let file = display_name(name).to_string();
    if format != Format::Auto && format != Format::Cloudwatch {
        return read_as(file, reader, format, fields, ctx, sink);
    }
    let mut head = Vec::new();
    if let Err(source) = (&mut reader).take(DETECT_BYTES).read_to_end(&mut head) {
        let place = Place {
            file,
            line: 1,
            unit: Unit::Line,
        };
        return Err(ImportError::Io { place, source });
    }
    let found = match format {
        Format::Auto => {
            detect(&head).or_else(|| (fields.time.is_some() && jsonl::first_object(&head)).then_some(Format::Jsonl))
        }
        named => Some(named),
    };
    if head.starts_with(b"PK\x03\x04") {
        // A .zip is read from its end (its list of files): it needs a file, not a stream.
        let message = if file == "stdin" {
            "a .zip (a Slack export?) cannot be read from standard input; name the file: debrief import EXPORT.zip --channel NAME"
        } else {
            "a .zip is read as a Slack export, from its file: debrief import EXPORT.zip --channel NAME"
        };
        return Err(ImportError::Export {
            file,
            message: message.into(),
        });
    }
    let Some(found) = found else {
        return Err(ImportError::Unrecognised {
            file,
            first: first_line(&head),
        });
    };
    // CloudWatch Logs come as JSON lines or as one document of `events` (read as a document).
    let document = found == Format::Cloudwatch && docs::detect(&String::from_utf8_lossy(&head)) == Some(found);
    let reader = std::io::Cursor::new(head).chain(reader);
    if document {
        return read_document(file, reader, found, fields, ctx, sink);
    }
    read_as(file, reader, found, fields, ctx, sink)
}

/// A CloudWatch Logs export as one document (`{"events":[…]}`): its positions are records.
fn read_document<R: BufRead>(
    file: String,
    reader: R,
    format: Format,
    fields: &Fields,
    ctx: &TimeContext,
    sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
) -> Result<Summary, ImportError> {
    let mut out = Out::new(file, Unit::Record, sink);
    docs::read(reader, &mut out, format, fields, ctx)?;
    Ok(out.summary(format))
}

/// The first non-blank line of the input, quoted for a message (`an empty input` when none).
fn first_line(head: &[u8]) -> String {
    let head = String::from_utf8_lossy(head);
    match head.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => format!("\"{}\"", short(line)),
        None => "empty (the input is empty)".to_string(),
    }
}

fn read_as<R: BufRead>(
    file: String,
    reader: R,
    format: Format,
    fields: &Fields,
    ctx: &TimeContext,
    sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
) -> Result<Summary, ImportError> {
    let mut out = Out::new(file, Unit::of(format), sink);
    match format {
        Format::Csv => csv::read(reader, &mut out, ctx)?,
        f if f.is_json_lines() => jsonl::read(reader, &mut out, fields, ctx)?,
        Format::Logfmt => jsonl::read_logfmt(reader, &mut out, fields, ctx)?,
        Format::Cloudtrail | Format::Alertmanager => docs::read(reader, &mut out, format, fields, ctx)?,
        Format::Slack => slack::read(reader, &mut out)?,
        Format::Auto => unreachable!("read_events resolves Auto before reading"),
        line_format => log::read(reader, &mut out, family::stamps(line_format), ctx)?,
    }
    Ok(out.summary(format))
}

/// Recognises a format from the first bytes of a file:
/// - a JSON array of objects (`[` then `{`, or `[]`): Slack export;
/// - a JSON document with `Records` (CloudTrail), `alerts` (Alertmanager, one payload or several)
///   or `events` (a CloudWatch Logs export);
/// - a first line that starts with `{`: JSON lines, named by the fields of its first object
///   (journald, Docker, ECS, Google Cloud, CloudWatch, the structured loggers, or ours);
/// - a first line that is a CSV header naming `time` and `text`: CSV;
/// - lines of one of the line formats ([`family::detect`]): the one that matches most of the
///   first 20 non-blank lines, one of the first five included (log text last among equals).
pub fn detect(first_bytes: &[u8]) -> Option<Format> {
    let head = String::from_utf8_lossy(first_bytes);
    let head = head.trim_start_matches('\u{feff}').trim_start();
    if let Some(rest) = head.strip_prefix('[')
        && rest.trim_start().starts_with(['{', ']'])
    {
        return Some(Format::Slack);
    }
    let lines = head.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.clone().next()?;
    if first.starts_with('{') {
        return Some(docs::detect(head).unwrap_or_else(|| jsonl::family(first)));
    }
    if csv::is_header(first) {
        return Some(Format::Csv);
    }
    let cleaned: Vec<String> = lines.take(20).map(sanitize::clean).collect();
    family::detect(&cleaned)
}

/// Passes events to the sink and keeps the summary's counts.
struct Out<'s> {
    file: String,
    unit: Unit,
    sink: &'s mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
    events: usize,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
    skipped: Vec<Skipped>,
    read: usize,
    matched: usize,
}

impl<'s> Out<'s> {
    fn new(file: String, unit: Unit, sink: &'s mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>) -> Out<'s> {
        Out {
            file,
            unit,
            sink,
            events: 0,
            first: None,
            last: None,
            skipped: Vec::new(),
            read: 0,
            matched: 0,
        }
    }

    /// What was read, as `format`.
    fn summary(mut self, format: Format) -> Summary {
        if self.read == 0 {
            // Readers of whole records (CSV, Slack) count what they took and what they skipped.
            self.read = self.events + self.skipped.len();
            self.matched = self.events;
        }
        Summary {
            format,
            events: self.events,
            first: self.first,
            last: self.last,
            skipped: self.skipped,
            read: self.read,
            matched: self.matched,
        }
    }

    fn place(&self, line: usize) -> Place {
        Place {
            file: self.file.clone(),
            line,
            unit: self.unit,
        }
    }

    fn invalid(&self, line: usize, message: impl Into<String>) -> ImportError {
        ImportError::Invalid {
            place: self.place(line),
            message: message.into(),
        }
    }

    /// `field` is e.g. `column "time"`; the unreadable input is quoted cut short.
    fn time_error(&self, line: usize, field: Option<&str>, error: TimeError) -> ImportError {
        let source = match error {
            TimeError::Unreadable(input) => TimeError::Unreadable(short(&input)),
            other => other,
        };
        ImportError::Time {
            place: self.place(line),
            field: field.map(str::to_string),
            error: source,
        }
    }

    fn io(&self, line: usize, source: std::io::Error) -> ImportError {
        ImportError::Io {
            place: self.place(line),
            source,
        }
    }

    /// Lists a skipped line; past [`MAX_SKIPPED`] of them the input is refused (every one is
    /// kept for the summary, so their number must stay bounded).
    fn skip(&mut self, line: usize, reason: impl Into<String>) -> Result<(), ImportError> {
        if self.skipped.len() >= MAX_SKIPPED {
            let what = self.unit.word();
            return Err(self.invalid(
                line,
                format!("more than {MAX_SKIPPED} {what}s skipped; is this the right file and format?"),
            ));
        }
        self.skipped.push(Skipped {
            line,
            reason: reason.into(),
        });
        Ok(())
    }

    fn emit(&mut self, event: ImportedEvent) -> Result<(), ImportError> {
        debug_assert!(sanitize::is_clean(&event.text), "{:?}", event.text);
        let (line, at) = (event.line, event.at);
        if let Err(mut error) = (self.sink)(event) {
            if let ImportError::Sink { place, .. } = &mut error
                && place.file.is_empty()
            {
                *place = self.place(line);
            }
            return Err(error);
        }
        self.events += 1;
        self.first = Some(self.first.map_or(at, |t| t.min(at)));
        self.last = Some(self.last.map_or(at, |t| t.max(at)));
        Ok(())
    }

    /// Calls `each` with every line of `reader` (1-based number, bytes without the line end).
    /// A line longer than [`MAX_RECORD`] is an error naming it; no more of it is read.
    fn lines<R: BufRead>(
        &mut self,
        mut reader: R,
        mut each: impl FnMut(&mut Self, usize, &[u8]) -> Result<(), ImportError>,
    ) -> Result<(), ImportError> {
        // The longest line, its CR LF included: the buffer never holds more.
        const LIMIT: u64 = MAX_RECORD as u64 + 2;
        let mut buf = Vec::new();
        let mut line = 0;
        loop {
            buf.clear();
            match (&mut reader).take(LIMIT).read_until(b'\n', &mut buf) {
                Ok(0) => return Ok(()),
                Ok(_) => line += 1,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io(line + 1, e)),
            }
            let mut bytes = buf.strip_suffix(b"\n").unwrap_or(&buf);
            bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
            if bytes.len() > MAX_RECORD {
                return Err(self.invalid(line, too_long("a line")));
            }
            if line == 1 {
                bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
            }
            each(self, line, bytes)?;
        }
    }
}

/// The message for a record past [`MAX_RECORD`]: `what` is e.g. "a line".
fn too_long(what: &str) -> String {
    format!(
        "{what} longer than {} MiB (the most one record may hold)",
        MAX_RECORD / (1024 * 1024)
    )
}

/// Input quoted in a message: one line, and not too long.
fn short(s: &str) -> String {
    const MAX: usize = 60;
    let s = sanitize::clean_line(s);
    match s.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s,
    }
}

/// Bytes from the input as clean text: invalid UTF-8 becomes U+FFFD. Same result as
/// [`sanitize::clean_bytes`], but ordinary text skips the escape-sequence parser.
fn decode(bytes: &[u8]) -> String {
    sanitize::clean(&String::from_utf8_lossy(bytes))
}

/// An event's text: cleaned, without surrounding blank space.
fn clean_text(s: &str) -> String {
    let cleaned = sanitize::clean(s);
    let trimmed = cleaned.trim();
    if trimmed.len() == cleaned.len() {
        cleaned
    } else {
        trimmed.to_string()
    }
}

/// An author field: one clean line, or none when empty.
fn clean_author(s: &str) -> Option<String> {
    Some(sanitize::clean_line(s)).filter(|a| !a.is_empty())
}

/// A kind field: empty means "not said".
fn parse_kind(s: &str) -> Result<Option<EventKind>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    s.parse::<EventKind>().map(Some).map_err(|mut e| {
        e.given = short(&e.given);
        e.to_string()
    })
}

/// A time written in a field of a structured file. Besides what people type ([`time::parse_time`])
/// this reads the timestamps logs write (`2026-11-26 14:32:01,123`, `…+01:00`) and Unix seconds
/// (at least nine digits, so that `14` is not read as 1970).
fn parse_field_time(s: &str, ctx: &TimeContext) -> Result<DateTime<Utc>, TimeError> {
    match time::parse_time(s, ctx) {
        Err(TimeError::Unreadable(input)) => {
            let s = s.trim();
            let digits = s.split('.').next().unwrap_or("").len();
            if let Some(at) = stamp::whole(s, ctx) {
                at
            } else if digits >= 9
                && let Some(at) = unix_seconds(s)
            {
                Ok(at)
            } else {
                Err(TimeError::Unreadable(input))
            }
        }
        other => other,
    }
}

/// `1764167521`, `1764167521.000200`: seconds since 1970 in decimal, read exactly.
fn unix_seconds(s: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    DateTime::from_timestamp(whole.parse().ok()?, stamp::nanos(fraction.as_bytes()))
}
