//! JSON lines: one object per line, ours (`{"time": …, "text": …, "kind"?: …, "author"?: …}`) or
//! any structured logger's. The time, text and level are the first of the common names present
//! ([`TIME`], [`TEXT`], [`LEVEL`]; dotted names reach into nested objects), unless the user names
//! the fields (`--time-field` …). A time is a string (any form a CSV time may take) or Unix
//! seconds, milliseconds, microseconds or nanoseconds told apart by their number of digits;
//! `kind` and `author` may be null. Other fields are ignored, blank lines too. A line that is not
//! such an object is an error.
//!
//! logfmt (`time=… level=error msg="upstream timeout"`) is read into the same fields; a line that
//! is not logfmt with a time is skipped.

use super::{
    Fields, Format, ImportError, ImportedEvent, Level, Out, clean_author, clean_text, parse_field_time, parse_kind,
    stamp,
};
use crate::model::time::TimeContext;
use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value};
use std::io::BufRead;

const EXPECTED: &str = "expected a JSON object like {\"time\": \"2026-11-26T14:32:00Z\", \"text\": \"…\"}";

/// Where the time is, the first name present.
pub(super) const TIME: &[&str] = &[
    "time",
    "ts",
    "timestamp",
    "@timestamp",
    "__REALTIME_TIMESTAMP",
    "date",
    "eventTime",
];
/// Where the text is.
pub(super) const TEXT: &[&str] = &[
    "text",
    "msg",
    "message",
    "MESSAGE",
    "log",
    "textPayload",
    "jsonPayload.message",
];
/// Where the level is.
pub(super) const LEVEL: &[&str] = &[
    "level",
    "severity",
    "log.level",
    "PRIORITY",
    "lvl",
    "levelname",
    "loglevel",
];
/// What wrote the line: a unit, logger, service or stream.
const ORIGIN: &[&str] = &[
    "_SYSTEMD_UNIT",
    "SYSLOG_IDENTIFIER",
    "logger",
    "logger_name",
    "log.logger",
    "service.name",
    "service",
    "name",
    "caller",
    "logName",
    "logStream",
    "logStreamName",
    "logGroup",
    "container_name",
];

pub(super) fn read<R: BufRead>(
    reader: R,
    out: &mut Out,
    fields: &Fields,
    ctx: &TimeContext,
) -> Result<(), ImportError> {
    out.lines(reader, |out, line, bytes| {
        let decoded = String::from_utf8_lossy(bytes);
        if decoded.trim().is_empty() {
            return Ok(());
        }
        out.read += 1;
        let value: Value = serde_json::from_str(&decoded)
            .map_err(|e| out.invalid(line, format!("{EXPECTED}: {}", json_problem(&e))))?;
        let Value::Object(object) = value else {
            return Err(out.invalid(line, format!("{EXPECTED}, found {}", json_type(&value))));
        };
        let event = event(&object, line, out, fields, ctx)?;
        out.matched += 1;
        out.emit(event)
    })
}

pub(super) fn read_logfmt<R: BufRead>(
    reader: R,
    out: &mut Out,
    fields: &Fields,
    ctx: &TimeContext,
) -> Result<(), ImportError> {
    out.lines(reader, |out, line, bytes| {
        let decoded = super::decode(bytes);
        if decoded.trim().is_empty() {
            return Ok(());
        }
        out.read += 1;
        let object = logfmt(&decoded).filter(|o| o.len() >= 2 && find(o, &names(&fields.time, TIME)).is_some());
        let Some(object) = object else {
            return out.skip(line, "not a logfmt line with a time");
        };
        let event = event(&object, line, out, fields, ctx)?;
        out.matched += 1;
        out.emit(event)
    })
}

/// Whether a line is logfmt with a time among the common names.
pub(super) fn is_logfmt(line: &str) -> bool {
    logfmt(line).is_some_and(|o| o.len() >= 2 && find(&o, TIME).is_some())
}

/// `key=value key="quoted \"value\"" flag`: the pairs, or none when the line is not logfmt.
fn logfmt(line: &str) -> Option<Map<String, Value>> {
    let mut map = Map::new();
    let mut chars = line.trim().chars().peekable();
    loop {
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        if chars.peek().is_none() {
            return Some(map);
        }
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ' ' && *c != '"') {
            key.push(c);
        }
        if key.is_empty() {
            return None;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            if chars.next_if_eq(&'"').is_some() {
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => value.push(chars.next()?),
                        c => value.push(c),
                    }
                }
                if chars.peek().is_some_and(|c| *c != ' ') {
                    return None;
                }
            } else {
                while let Some(c) = chars.next_if(|c| *c != ' ') {
                    if c == '"' {
                        return None;
                    }
                    value.push(c);
                }
            }
        } else if chars.peek().is_some_and(|c| *c != ' ') {
            return None;
        }
        map.insert(key, Value::String(value));
    }
}

/// Whether the first non-blank line of `head` is a JSON object.
pub(super) fn first_object(head: &[u8]) -> bool {
    let head = String::from_utf8_lossy(head);
    let first = head.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    matches!(serde_json::from_str::<Value>(first), Ok(Value::Object(_)))
}

/// Names a file of JSON lines by the fields of its first object.
pub(super) fn family(first: &str) -> Format {
    let Ok(Value::Object(o)) = serde_json::from_str::<Value>(first) else {
        return Format::Jsonl;
    };
    let has = |k: &str| lookup(&o, k).is_some();
    if has("__REALTIME_TIMESTAMP") {
        Format::Journald
    } else if o.get("log").is_some_and(Value::is_string) && has("stream") {
        Format::Docker
    } else if has("@timestamp") {
        Format::Ecs
    } else if has("textPayload") || has("jsonPayload") || (has("severity") && (has("logName") || has("resource"))) {
        Format::Gcp
    } else if has("timestamp")
        && has("message")
        && ["logStream", "logGroup", "ingestionTime", "eventId"]
            .iter()
            .any(|k| has(k))
    {
        Format::Cloudwatch
    } else if has("time") && has("text") {
        Format::Jsonl
    } else if ["level", "lvl", "severity"].iter().any(|k| has(k)) && (has("msg") || has("message")) {
        Format::JsonLog
    } else {
        Format::Jsonl
    }
}

/// A field by its name, or by its dotted path into nested objects; null is absent.
fn lookup<'a>(object: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    let found = object.get(name).or_else(|| {
        let (head, rest) = name.split_once('.')?;
        match object.get(head)? {
            Value::Object(inner) => lookup(inner, rest),
            _ => None,
        }
    });
    found.filter(|v| !v.is_null())
}

/// The first of `names` present, with its name.
fn find<'a, 'n>(object: &'a Map<String, Value>, names: &[&'n str]) -> Option<(&'n str, &'a Value)> {
    names.iter().find_map(|n| lookup(object, n).map(|v| (*n, v)))
}

/// The user's name for a field, else the common ones.
fn names<'a>(given: &'a Option<String>, common: &'a [&'a str]) -> Vec<&'a str> {
    match given {
        Some(name) => vec![name.as_str()],
        None => common.to_vec(),
    }
}

/// The event one object gives (a JSON line, a logfmt line, a record of a CloudWatch export).
pub(super) fn event(
    object: &Map<String, Value>,
    line: usize,
    out: &Out,
    fields: &Fields,
    ctx: &TimeContext,
) -> Result<ImportedEvent, ImportError> {
    let wrong = |name: &str, wanted: &str, found: Option<&Value>| {
        let found = found.map_or("nothing", json_type);
        out.invalid(line, format!("expected {wanted} in field \"{name}\", found {found}"))
    };
    let time_names = names(&fields.time, TIME);
    let at = match find(object, &time_names) {
        Some((name, Value::String(s))) => {
            time_string(s, ctx).map_err(|e| out.time_error(line, Some(&format!("field \"{name}\"")), e))?
        }
        Some((name, Value::Number(n))) => number_time(n).ok_or_else(|| {
            out.invalid(
                line,
                format!("expected Unix seconds in field \"{name}\", found {n}, which is out of range"),
            )
        })?,
        found => {
            let name = found.map_or(time_names[0], |(n, _)| n);
            return Err(wrong(
                name,
                "a time (a string, or a number of Unix seconds)",
                found.map(|(_, v)| v),
            ));
        }
    };
    let text_names = names(&fields.text, TEXT);
    let mut text = None;
    for name in &text_names {
        match lookup(object, name) {
            None | Some(Value::Object(_)) => continue,
            Some(Value::String(s)) => text = Some((*name, clean_text(s))),
            Some(Value::Array(bytes)) if *name == "MESSAGE" => text = Some((*name, journald_bytes(bytes))),
            Some(other) => return Err(wrong(name, "a string", Some(other))),
        }
        break;
    }
    let Some((text_name, text)) = text else {
        return Err(wrong(text_names[0], "a string", None));
    };
    if text.is_empty() {
        return Err(out.invalid(
            line,
            format!("expected text in field \"{text_name}\", found an empty string"),
        ));
    }
    let kind = match object.get("kind").filter(|v| !v.is_null()) {
        None => None,
        Some(Value::String(s)) => parse_kind(s).map_err(|e| out.invalid(line, format!("{e} in field \"kind\"")))?,
        Some(other) => return Err(wrong("kind", "a string", Some(other))),
    };
    let author = match object.get("author").filter(|v| !v.is_null()) {
        None => None,
        Some(Value::String(s)) => clean_author(s),
        Some(other) => return Err(wrong("author", "a string", Some(other))),
    };
    let mut event = ImportedEvent::new(at, text, author, line);
    event.kind = kind;
    event.level = find(object, &names(&fields.level, LEVEL))
        .and_then(|(_, v)| level(v))
        .or_else(|| Level::in_text(&event.text));
    event.origin = find(object, ORIGIN)
        .and_then(|(_, v)| v.as_str())
        .and_then(clean_author);
    Ok(event)
}

/// A level written as a word (`"error"`, `"ERROR"`, `"W"`) or a number (`50`, `"3"`).
fn level(value: &Value) -> Option<Level> {
    match value {
        Value::String(s) => Level::word(s).or_else(|| s.trim().parse().ok().and_then(Level::number)),
        Value::Number(n) => n.as_i64().and_then(Level::number),
        _ => None,
    }
}

/// journald writes a message that is not valid UTF-8 as an array of its bytes.
fn journald_bytes(bytes: &[Value]) -> String {
    let bytes: Vec<u8> = bytes.iter().filter_map(|b| b.as_u64()).map(|b| b as u8).collect();
    clean_text(&String::from_utf8_lossy(&bytes))
}

/// A time in a string: digits alone are an epoch count (see [`epoch`]), at least nine of them,
/// so that `14` is not read as 1970; anything else as [`parse_field_time`] reads it.
fn time_string(s: &str, ctx: &TimeContext) -> Result<DateTime<Utc>, crate::model::time::TimeError> {
    let t = s.trim();
    let whole = t.split('.').next().unwrap_or("");
    if whole.len() >= 9
        && is_decimal(t)
        && let Some(at) = epoch(t)
    {
        return Ok(at);
    }
    parse_field_time(s, ctx)
}

fn is_decimal(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    !whole.is_empty() && whole.bytes().chain(fraction.bytes()).all(|b| b.is_ascii_digit())
}

/// A count since 1970 told apart by its number of digits: up to 11 are seconds (to the year
/// 5138), 12 to 14 milliseconds, 15 to 17 microseconds, 18 or more nanoseconds.
pub(super) fn epoch(s: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    if !is_decimal(s) || whole.len() > 20 {
        return None;
    }
    let shift = match whole.len() {
        0..=11 => 0,
        12..=14 => 3,
        15..=17 => 6,
        _ => 9,
    };
    // Seconds and the digits after them, as if the decimal point were `shift` places left.
    let cut = whole.len().saturating_sub(shift);
    let seconds = if cut == 0 { "0" } else { &whole[..cut] };
    let digits = format!("{}{fraction}", &whole[cut..]);
    let nanos_digits = format!("{}{digits}", "0".repeat(shift.saturating_sub(whole.len())));
    DateTime::from_timestamp(seconds.parse().ok()?, stamp::nanos(nanos_digits.as_bytes()))
}

/// An epoch count read exactly from the number's decimal form (`1795698600.123` stays exact).
fn number_time(n: &Number) -> Option<DateTime<Utc>> {
    epoch(&n.to_string()).or_else(|| {
        let secs = n.as_f64()?;
        let whole = secs.floor();
        let nanos = ((secs - whole) * 1e9).round().min(999_999_999.0) as u32;
        DateTime::from_timestamp(whole as i64, nanos)
    })
}

/// serde_json's message with only the column: the caller names the line.
pub(super) fn json_problem(e: &serde_json::Error) -> String {
    let message = e.to_string();
    let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m);
    format!("{message} at column {}", e.column())
}

pub(super) fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, utc};
    use super::super::{Format, detect};
    use crate::model::EventKind;

    #[test]
    fn good_lines_with_string_and_number_times() {
        let input = concat!(
            r#"{"time":"2026-11-26 14:09","text":"503s from PayGate","kind":"observation","author":"Mia"}"#,
            "\n\n",
            r#"{"text":"alert fired","time":1795698840,"kind":"Alert","extra":[1,2]}"#,
            "\n",
            r#"{"time":1795698840.25,"text":"two\nlines","author":null,"kind":null}"#,
            "\n",
            r#"{"time":"2026-11-26T13:20:00+00:00","text":"  padded  ","author":"  "}"#,
        );
        let (events, summary) = collect("events.jsonl", input.as_bytes(), Format::Jsonl).unwrap();
        assert_eq!(summary.events, 4);
        let got: Vec<_> = events
            .iter()
            .map(|e| (e.at, e.text.as_str(), e.kind, e.author.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    utc("2026-11-26T13:09:00Z"),
                    "503s from PayGate",
                    Some(EventKind::Observation),
                    Some("Mia"),
                    1
                ),
                (
                    utc("2026-11-26T13:14:00Z"),
                    "alert fired",
                    Some(EventKind::Alert),
                    None,
                    3
                ),
                (utc("2026-11-26T13:14:00.25Z"), "two\nlines", None, None, 4),
                (utc("2026-11-26T13:20:00Z"), "padded", None, None, 5),
            ]
        );
    }

    #[test]
    fn malformed_lines_are_errors_naming_the_line_and_what_was_expected() {
        let cases: &[(&str, &str)] = &[
            (
                "{\"time\":\"14:00\",\"text\":\"ok\"}\n{\"time\": \"14:01\", \"text\": ",
                "x.jsonl:2: expected a JSON object like",
            ),
            (
                "[1,2]",
                "x.jsonl:1: expected a JSON object like {\"time\": \"2026-11-26T14:32:00Z\", \"text\": \"…\"}, found an array",
            ),
            (
                "{\"time\":\"14:00\"}",
                "x.jsonl:1: expected a string in field \"text\", found nothing",
            ),
            (
                "{\"time\":true,\"text\":\"x\"}",
                "x.jsonl:1: expected a time (a string, or a number of Unix seconds) in field \"time\", found a boolean",
            ),
            (
                "\n{\"time\":\"soon\",\"text\":\"x\"}",
                "x.jsonl:2: cannot read time \"soon\" in field \"time\" (accepted: ",
            ),
            (
                "{\"time\":1e300,\"text\":\"x\"}",
                "x.jsonl:1: expected Unix seconds in field \"time\", found 1e+300, which is out of range",
            ),
            (
                "{\"time\":-1e300,\"text\":\"x\"}",
                "x.jsonl:1: expected Unix seconds in field \"time\", found -1e+300, which is out of range",
            ),
            (
                "{\"time\":\"14:00\",\"text\":\"x\",\"kind\":\"page\"}",
                "x.jsonl:1: unknown event kind \"page\"",
            ),
            (
                "{\"time\":\"14:00\",\"text\":\"x\",\"author\":7}",
                "x.jsonl:1: expected a string in field \"author\", found a number",
            ),
            (
                "{\"time\":\"14:00\",\"text\":\"\\u001b[2J\"}",
                "x.jsonl:1: expected text in field \"text\", found an empty string",
            ),
        ];
        for (input, want) in cases {
            let err = collect("x.jsonl", input.as_bytes(), Format::Jsonl)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{input}: {err}");
        }
        let err = collect("x.jsonl", b"  {\"time\": 1,", Format::Jsonl)
            .unwrap_err()
            .to_string();
        assert!(err.ends_with("EOF while parsing a value at column 13"), "{err}");
    }

    #[test]
    fn crlf_bom_and_invalid_utf8() {
        let input =
            b"\xef\xbb\xbf{\"time\":\"14:00\",\"text\":\"a\xffb\"}\r\n\r\n{\"time\":\"14:01\",\"text\":\"c\"}\r\n";
        let (events, _) = collect("x.jsonl", input, Format::Jsonl).unwrap();
        assert_eq!(events[0].text, "a\u{fffd}b");
        assert_eq!((events[1].text.as_str(), events[1].line), ("c", 3));
        assert_eq!(events[1].at, utc("2026-11-26T13:01:00Z"));
    }

    #[test]
    fn detects_a_first_line_that_is_an_object() {
        assert_eq!(
            detect(b"\n  {\"time\":\"14:00\",\"text\":\"x\"}\n"),
            Some(Format::Jsonl)
        );
    }
}
