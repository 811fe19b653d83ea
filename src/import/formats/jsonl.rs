//! JSON lines: one object per line, `{"time": …, "text": …, "kind"?: …, "author"?: …}`.
//! `time` is a string (any form a CSV time may take) or a number of Unix seconds, fractions
//! allowed; `kind` and `author` may be null. Other fields are ignored, blank lines too. A line
//! that is not such an object is an error.

use super::{ImportError, ImportedEvent, Out, clean_author, clean_text, parse_field_time, parse_kind, unix_seconds};
use crate::model::time::TimeContext;
use chrono::{DateTime, Utc};
use serde_json::{Map, Number, Value};
use std::io::BufRead;

const EXPECTED: &str = "expected a JSON object like {\"time\": \"2026-11-26T14:32:00Z\", \"text\": \"…\"}";

pub(super) fn read<R: BufRead>(reader: R, out: &mut Out, ctx: &TimeContext) -> Result<(), ImportError> {
    out.lines(reader, |out, line, bytes| {
        let decoded = String::from_utf8_lossy(bytes);
        if decoded.trim().is_empty() {
            return Ok(());
        }
        let value: Value = serde_json::from_str(&decoded)
            .map_err(|e| out.invalid(line, format!("{EXPECTED}: {}", json_problem(&e))))?;
        let Value::Object(object) = value else {
            return Err(out.invalid(line, format!("{EXPECTED}, found {}", json_type(&value))));
        };
        let event = event(&object, line, out, ctx)?;
        out.emit(event)
    })
}

fn event(object: &Map<String, Value>, line: usize, out: &Out, ctx: &TimeContext) -> Result<ImportedEvent, ImportError> {
    let field = |name: &str| object.get(name).filter(|v| !v.is_null());
    let wrong = |name: &str, wanted: &str| {
        let found = field(name).map_or("nothing", json_type);
        out.invalid(line, format!("expected {wanted} in field \"{name}\", found {found}"))
    };
    let at = match field("time") {
        Some(Value::String(s)) => {
            parse_field_time(s, ctx).map_err(|e| out.time_error(line, Some("field \"time\""), e))?
        }
        Some(Value::Number(n)) => number_time(n).ok_or_else(|| {
            out.invalid(
                line,
                format!("expected Unix seconds in field \"time\", found {n}, which is out of range"),
            )
        })?,
        _ => {
            return Err(wrong("time", "a time (a string, or a number of Unix seconds)"));
        }
    };
    let text = match field("text") {
        Some(Value::String(s)) => clean_text(s),
        _ => return Err(wrong("text", "a string")),
    };
    if text.is_empty() {
        return Err(out.invalid(line, "expected text in field \"text\", found an empty string"));
    }
    let kind = match field("kind") {
        None => None,
        Some(Value::String(s)) => parse_kind(s).map_err(|e| out.invalid(line, format!("{e} in field \"kind\"")))?,
        Some(_) => return Err(wrong("kind", "a string")),
    };
    let author = match field("author") {
        None => None,
        Some(Value::String(s)) => clean_author(s),
        Some(_) => return Err(wrong("author", "a string")),
    };
    Ok(ImportedEvent {
        at,
        text,
        kind,
        author,
        line,
    })
}

/// Unix seconds; read from the number's decimal form so that `1795698600.123` stays exact.
fn number_time(n: &Number) -> Option<DateTime<Utc>> {
    unix_seconds(&n.to_string()).or_else(|| {
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
