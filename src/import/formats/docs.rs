//! JSON documents holding a list of records: CloudTrail's `{"Records":[…]}`, an Alertmanager
//! webhook payload (`{"alerts":[…]}`, or several one after another) and a CloudWatch Logs
//! export (`{"events":[…]}`, each record read as a CloudWatch JSON line is). Read as a stream, one record at a time, each at most
//! [`MAX_RECORD`] bytes, so a large file never sits in memory; a position is the record's
//! 1-based index.
//!
//! - CloudTrail: one event per record at `eventTime`, `PutRolePolicy on iam.amazonaws.com by
//!   arn:…` (and ` failed: AccessDenied: …`); the origin is the event source.
//! - Alertmanager: an alert that fires is an alert event at `startsAt`, `firing: HighErrorRate
//!   (severity=critical, …) — summary`; a resolved one also gives `resolved: …` at `endsAt`. The
//!   level is the `severity` label's.

use super::jsonl::{self, json_problem, json_type};
use super::{
    Fields, Format, ImportError, ImportedEvent, Level, MAX_RECORD, Out, clean_author, clean_text, parse_field_time,
    too_long,
};
use crate::model::EventKind;
use crate::model::time::TimeContext;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::Cell;
use std::io::{BufRead, Read};
use std::rc::Rc;

/// The documents and the list of records each holds.
const LISTS: [(Format, &str); 3] = [
    (Format::Cloudtrail, "Records"),
    (Format::Alertmanager, "alerts"),
    (Format::Cloudwatch, "events"),
];

/// A CloudTrail file, an Alertmanager payload (or several, one after another) or a CloudWatch
/// Logs export (`aws logs filter-log-events`: `{"events":[…]}`), by the list its first object
/// holds.
pub(super) fn detect(head: &str) -> Option<Format> {
    // A list "events" alone is too common a name: a CloudWatch export names its own fields too.
    let cloudwatch = [
        "\"ingestionTime\"",
        "\"logStreamName\"",
        "\"searchedLogStreams\"",
        "\"nextForwardToken\"",
    ];
    listed(head).filter(|f| *f != Format::Cloudwatch || cloudwatch.iter().any(|m| head.contains(m)))
}

fn listed(head: &str) -> Option<Format> {
    let first = head.lines().next().unwrap_or("");
    if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(first) {
        return LISTS
            .iter()
            .find(|(_, key)| o.get(*key).is_some_and(Value::is_array))
            .map(|(format, _)| *format);
    }
    let key_of_list = |key: &str| {
        head.match_indices(key).any(|(i, _)| {
            let before = head[..i].chars().next_back();
            let after = head[i + key.len()..].trim_start();
            before != Some('\\') && after.strip_prefix(':').is_some_and(|a| a.trim_start().starts_with('['))
        })
    };
    LISTS
        .iter()
        .find(|(_, key)| key_of_list(&format!("\"{key}\"")))
        .map(|(format, _)| *format)
}

/// Reads the records of one document, or of several one after another (Alertmanager payloads
/// as a receiver logged them: one per line, or pretty-printed back to back).
pub(super) fn read<R: BufRead>(
    reader: R,
    out: &mut Out,
    format: Format,
    fields: &Fields,
    ctx: &TimeContext,
) -> Result<(), ImportError> {
    let key = LISTS
        .iter()
        .find(|(f, _)| *f == format)
        .map_or("alerts", |(_, key)| key);
    let since = Rc::new(Cell::new(0u64));
    let bounded = Bounded {
        inner: reader,
        since: since.clone(),
    };
    let mut de = serde_json::Deserializer::from_reader(bounded);
    let mut failed = None;
    let mut index = 0;
    let mut each = |value: Value| -> Result<(), ImportError> {
        index += 1;
        since.set(0);
        out.read += 1;
        let Value::Object(record) = value else {
            return Err(out.invalid(index, format!("expected an object, found {}", json_type(&value))));
        };
        let events = match format {
            Format::Cloudtrail => vec![cloudtrail(&record, index, out, ctx)?],
            Format::Cloudwatch => vec![jsonl::event(&record, index, out, fields, ctx)?],
            _ => alert(&record, index, out, ctx)?,
        };
        out.matched += 1;
        events.into_iter().try_for_each(|e| out.emit(e))
    };
    let found = loop {
        let top = Top {
            key,
            each: &mut each,
            failed: &mut failed,
        };
        match top.deserialize(&mut de) {
            // Another document follows (trailing characters): read it too.
            Ok(true) if de.end().is_err() => continue,
            other => break other,
        }
    };
    let at = index + 1;
    match (found, failed) {
        (_, Some(error)) => Err(error),
        (Ok(true), None) => Ok(()),
        (Ok(false), None) => Err(out.invalid(1, format!("expected a JSON object with a list \"{key}\""))),
        (Err(e), None) if e.is_io() && since.get() > MAX_RECORD as u64 => Err(out.invalid(at, too_long("a record"))),
        (Err(e), None) => Err(out.invalid(
            at,
            format!("expected a JSON object with a list \"{key}\": {}", json_problem(&e)),
        )),
    }
}

/// The top object: the list under `key` goes record by record to `each`; the rest is skipped.
struct Top<'a> {
    key: &'static str,
    each: &'a mut dyn FnMut(Value) -> Result<(), ImportError>,
    failed: &'a mut Option<ImportError>,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = bool;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "an object with a list \"{}\"", self.key)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut found = false;
        while let Some(k) = map.next_key::<String>()? {
            if k == self.key && !found {
                map.next_value_seed(Items {
                    each: &mut *self.each,
                    failed: &mut *self.failed,
                })?;
                found = true;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

struct Items<'a> {
    each: &'a mut dyn FnMut(Value) -> Result<(), ImportError>,
    failed: &'a mut Option<ImportError>,
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of records")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(value) = seq.next_element::<Value>()? {
            if let Err(e) = (self.each)(value) {
                *self.failed = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// A reader that fails once more than [`MAX_RECORD`] bytes are read without a record ending.
struct Bounded<R> {
    inner: R,
    since: Rc<Cell<u64>>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since.get() > MAX_RECORD as u64 {
            return Err(std::io::Error::other(
                "a record longer than the most one record may hold",
            ));
        }
        let n = self.inner.read(buf)?;
        self.since.set(self.since.get() + n as u64);
        Ok(n)
    }
}

fn text_at<'a>(record: &'a Map<String, Value>, path: &str) -> Option<&'a str> {
    let mut value = record.get(path.split('.').next()?)?;
    for part in path.split('.').skip(1) {
        value = value.get(part)?;
    }
    value.as_str().filter(|s| !s.trim().is_empty())
}

fn time_of(
    record: &Map<String, Value>,
    field: &str,
    index: usize,
    out: &Out,
    ctx: &TimeContext,
) -> Result<chrono::DateTime<chrono::Utc>, ImportError> {
    match text_at(record, field) {
        Some(s) => parse_field_time(s, ctx).map_err(|e| out.time_error(index, Some(&format!("field \"{field}\"")), e)),
        None => Err(out.invalid(index, format!("expected a time in field \"{field}\", found nothing"))),
    }
}

fn cloudtrail(
    record: &Map<String, Value>,
    index: usize,
    out: &Out,
    ctx: &TimeContext,
) -> Result<ImportedEvent, ImportError> {
    let at = time_of(record, "eventTime", index, out, ctx)?;
    let name = text_at(record, "eventName").unwrap_or("an event");
    let mut text = name.to_string();
    if let Some(source) = text_at(record, "eventSource") {
        text.push_str(&format!(" on {source}"));
    }
    let who = [
        "userIdentity.arn",
        "userIdentity.userName",
        "userIdentity.invokedBy",
        "userIdentity.type",
    ]
    .iter()
    .find_map(|p| text_at(record, p));
    if let Some(who) = who {
        text.push_str(&format!(" by {who}"));
    }
    let error = text_at(record, "errorCode");
    if let Some(code) = error {
        text.push_str(&format!(" failed: {code}"));
        if let Some(message) = text_at(record, "errorMessage") {
            text.push_str(&format!(": {message}"));
        }
    }
    let mut event = ImportedEvent::new(at, clean_text(&text), None, index);
    event.level = Some(if error.is_some() { Level::Warning } else { Level::Info });
    event.origin = text_at(record, "eventSource").and_then(clean_author);
    Ok(event)
}

fn alert(
    record: &Map<String, Value>,
    index: usize,
    out: &Out,
    ctx: &TimeContext,
) -> Result<Vec<ImportedEvent>, ImportError> {
    let starts = time_of(record, "startsAt", index, out, ctx)?;
    let labels = record.get("labels").and_then(Value::as_object);
    let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
    let name = label("alertname").unwrap_or("alert");
    let others: Vec<String> = labels
        .into_iter()
        .flatten()
        .filter(|(k, _)| *k != "alertname")
        .filter_map(|(k, v)| v.as_str().map(|v| format!("{k}={v}")))
        .collect();
    let mut what = name.to_string();
    if !others.is_empty() {
        what.push_str(&format!(" ({})", others.join(", ")));
    }
    if let Some(summary) = text_at(record, "annotations.summary").or_else(|| text_at(record, "annotations.description"))
    {
        what.push_str(&format!(" — {summary}"));
    }
    let level = label("severity").and_then(Level::word);
    let origin = label("job").or_else(|| label("service")).and_then(clean_author);
    let make = |at, status: &str| {
        let mut e = ImportedEvent::new(at, clean_text(&format!("{status}: {what}")), None, index);
        e.kind = Some(EventKind::Alert);
        e.level = level;
        e.origin = origin.clone();
        e
    };
    let mut events = vec![make(starts, "firing")];
    let resolved = text_at(record, "status") == Some("resolved");
    if resolved
        && let Some(ends) = text_at(record, "endsAt")
        && !ends.starts_with("0001-")
    {
        let ends = parse_field_time(ends, ctx).map_err(|e| out.time_error(index, Some("field \"endsAt\""), e))?;
        events.push(make(ends, "resolved"));
    }
    Ok(events)
}
