//! A Slack channel export (one day's `channel/2026-11-26.json`): a JSON array of messages.
//!
//! The author is `user_profile.real_name`, else `user_name`, else `username` (bots), else the
//! user id. Slack's markup is made readable: `<@U1>` becomes `@` and the name the export gives
//! that user, `<https://x|label>` becomes `label (https://x)`, `&amp;`, `&lt;`, `&gt;` are
//! decoded. A message without text shows its attachments' fallback text. Messages of kinds that
//! are not conversation (joins, topic changes, …) and empty ones are reported as skipped. The
//! document is read whole: it is one JSON value.

use super::jsonl::{json_problem, json_type};
use super::{
    ImportError, ImportedEvent, MAX_SLACK_FILE, Out, Place, Unit, clean_author, clean_text, short, unix_seconds,
};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::io::{BufRead, Read};

/// Subtypes that carry what someone said; every other subtype is skipped.
const CONVERSATION: [&str; 5] = [
    "bot_message",
    "me_message",
    "thread_broadcast",
    "file_share",
    "reply_broadcast",
];

pub(super) fn read<R: BufRead>(reader: R, out: &mut Out) -> Result<(), ImportError> {
    let messages = read_messages(reader, &out.file)?;
    let names = user_names(&messages);
    for (i, message) in messages.iter().enumerate() {
        let n = i + 1;
        let Value::Object(message) = message else {
            return Err(out.invalid(n, format!("expected a message object, found {}", json_type(message))));
        };
        if let Some(reason) = not_conversation(message) {
            out.skip(n, reason)?;
            continue;
        }
        let at = match message.get("ts") {
            Some(Value::String(ts)) => unix_seconds(ts),
            Some(Value::Number(ts)) => unix_seconds(&ts.to_string()),
            _ => None,
        };
        let Some(at) = at else {
            let found = message
                .get("ts")
                .map_or("nothing".to_string(), |v| short(&v.to_string()));
            return Err(out.invalid(
                n,
                format!("expected \"ts\" to be a Slack timestamp like \"1795698600.000200\", found {found}"),
            ));
        };
        let text = match message.get("text") {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => clean_text(&readable(s, &names)),
            Some(other) => {
                return Err(out.invalid(
                    n,
                    format!("expected \"text\" to be a string, found {}", json_type(other)),
                ));
            }
        };
        let text = if text.is_empty() {
            clean_text(&readable(&attachments(message), &names))
        } else {
            text
        };
        if text.is_empty() {
            out.skip(n, "a message without text (only files or reactions)")?;
            continue;
        }
        out.emit(ImportedEvent {
            at,
            text,
            kind: None,
            author: author(message),
            line: n,
            level: None,
            origin: None,
            legacy_text: None,
        })?;
    }
    Ok(())
}

/// The file's messages: the whole file (at most `MAX_SLACK_FILE` bytes) as a JSON array.
fn read_messages<R: BufRead>(mut reader: R, file: &str) -> Result<Vec<Value>, ImportError> {
    let at_line = |line: usize| Place {
        file: file.to_string(),
        line,
        unit: Unit::Line,
    };
    let mut bytes = Vec::new();
    if let Err(source) = (&mut reader).take(MAX_SLACK_FILE as u64 + 1).read_to_end(&mut bytes) {
        return Err(ImportError::Io {
            place: at_line(1),
            source,
        });
    }
    if bytes.len() > MAX_SLACK_FILE {
        let lines = bytes.iter().filter(|&&b| b == b'\n').count();
        return Err(ImportError::Invalid {
            place: at_line(lines + 1),
            message: format!(
                "a Slack export larger than {} MiB (it is read whole; split it by day or channel)",
                MAX_SLACK_FILE / (1024 * 1024)
            ),
        });
    }
    let decoded = String::from_utf8_lossy(&bytes);
    let document: Value =
        serde_json::from_str(decoded.trim_start_matches('\u{feff}')).map_err(|e| ImportError::Invalid {
            place: at_line(e.line().max(1)),
            message: format!(
                "expected a Slack export (a JSON array of messages): {}",
                json_problem(&e)
            ),
        })?;
    let Value::Array(messages) = document else {
        return Err(ImportError::Invalid {
            place: at_line(1),
            message: format!(
                "expected a Slack export (a JSON array of messages), found {}",
                json_type(&document)
            ),
        });
    };
    Ok(messages)
}

fn not_conversation(message: &Map<String, Value>) -> Option<String> {
    if let Some(kind) = message.get("type").and_then(Value::as_str)
        && kind != "message"
    {
        return Some(format!("not a message (type \"{}\")", short(kind)));
    }
    let subtype = message.get("subtype").and_then(Value::as_str)?;
    (!CONVERSATION.contains(&subtype)).then(|| format!("a \"{}\" message", short(subtype)))
}

fn str_at<'v>(message: &'v Map<String, Value>, path: &[&str]) -> Option<&'v str> {
    let (last, parents) = path.split_last()?;
    let mut object = message;
    for key in parents {
        object = object.get(*key)?.as_object()?;
    }
    object.get(*last)?.as_str()
}

fn author(message: &Map<String, Value>) -> Option<String> {
    [
        &["user_profile", "real_name"][..],
        &["user_name"],
        &["username"],
        &["user"],
    ]
    .iter()
    .find_map(|path| str_at(message, path).and_then(clean_author))
}

/// User ids and the names the export gives them, for mentions.
fn user_names(messages: &[Value]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for message in messages.iter().filter_map(Value::as_object) {
        if let Some(id) = str_at(message, &["user"])
            && !names.contains_key(id)
            && let Some(name) = author(message).filter(|name| name != id)
        {
            names.insert(id.to_string(), name);
        }
    }
    names
}

fn attachments(message: &Map<String, Value>) -> String {
    let Some(list) = message.get("attachments").and_then(Value::as_array) else {
        return String::new();
    };
    let texts: Vec<&str> = list
        .iter()
        .filter_map(Value::as_object)
        .filter_map(|a| ["fallback", "text", "title"].iter().find_map(|k| a.get(*k)?.as_str()))
        .collect();
    texts.join("\n")
}

/// Slack's message markup as plain text.
fn readable(text: &str, names: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else {
            out.push_str(&rest[open..]);
            rest = "";
            break;
        };
        out.push_str(&reference(&after[..close], names));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
}

/// One `<…>`: a mention, a channel, a special mention or a link.
fn reference(inner: &str, names: &HashMap<String, String>) -> String {
    let (target, label) = match inner.split_once('|') {
        Some((target, label)) => (target, Some(label)),
        None => (inner, None),
    };
    let sigil = |s: &str, mark: char| {
        if s.starts_with(mark) {
            s.to_string()
        } else {
            format!("{mark}{s}")
        }
    };
    match (target.chars().next(), label) {
        (Some('@'), Some(label)) | (Some('!'), Some(label)) => sigil(label, '@'),
        (Some('@'), None) => sigil(names.get(&target[1..]).map_or(&target[1..], String::as_str), '@'),
        (Some('!'), None) => format!("@{}", target[1..].split('^').next().unwrap_or_default()),
        (Some('#'), label) => sigil(label.unwrap_or(&target[1..]), '#'),
        (_, Some(label)) => format!("{label} ({target})"),
        (_, None) => target.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, utc};
    use super::super::{Format, Skipped, detect};

    const EXPORT: &str = r#"[
      {"type":"message","subtype":"channel_join","user":"U3","text":"<@U3> has joined the channel","ts":"1795698000.000100"},
      {"type":"message","user":"U1","user_profile":{"real_name":"Lena Fischer"},"text":"Paged by <!here>: checkout errors &gt; 5% &amp; rising","ts":"1795698960.000200"},
      {"type":"message","user":"U2","user_name":"jonas","text":"<@U1> rolling back, see <https://deploy.example/runs/88|run 88>","ts":"1795700000.5"},
      {"type":"message","subtype":"bot_message","username":"PagerDuty","text":"","attachments":[{"fallback":"Resolved: checkout error rate"}],"ts":"1795701900.000300"},
      {"type":"message","user":"U9","text":"","files":[{"name":"graph.png"}],"ts":"1795701950.000000"},
      {"type":"message","user":"U3","text":"In <#C1|inc-payments> now","ts":"1795702000.000000"}
    ]"#;

    #[test]
    fn messages_become_events_with_authors_and_readable_markup() {
        let (events, summary) = collect("slack.json", EXPORT.as_bytes(), Format::Slack).unwrap();
        let got: Vec<_> = events
            .iter()
            .map(|e| (e.at, e.text.as_str(), e.author.as_deref(), e.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    utc("2026-11-26T13:16:00.0002Z"),
                    "Paged by @here: checkout errors > 5% & rising",
                    Some("Lena Fischer"),
                    2
                ),
                (
                    utc("2026-11-26T13:33:20.5Z"),
                    "@Lena Fischer rolling back, see run 88 (https://deploy.example/runs/88)",
                    Some("jonas"),
                    3
                ),
                (
                    utc("2026-11-26T14:05:00.0003Z"),
                    "Resolved: checkout error rate",
                    Some("PagerDuty"),
                    4
                ),
                (utc("2026-11-26T14:06:40Z"), "In #inc-payments now", Some("U3"), 6),
            ]
        );
        assert!(events.iter().all(|e| e.kind.is_none()));
        assert_eq!(
            summary.skipped,
            [
                Skipped {
                    line: 1,
                    reason: "a \"channel_join\" message".into()
                },
                Skipped {
                    line: 5,
                    reason: "a message without text (only files or reactions)".into()
                },
            ]
        );
    }

    #[test]
    fn a_document_that_is_not_an_array_of_messages_is_an_error() {
        let cases: &[(&str, &str)] = &[
            (
                "{\"ts\":\"1\"}",
                "s.json:1: expected a Slack export (a JSON array of messages), found an object",
            ),
            (
                "[\n{\"ts\":\"1795698000.1\",\n\"text\": oops}]",
                "s.json:3: expected a Slack export (a JSON array of messages): expected value at column 9",
            ),
            (
                "[{\"type\":\"message\",\"text\":\"x\",\"ts\":\"soon\"}]",
                "s.json: message 1: expected \"ts\" to be a Slack timestamp like \"1795698600.000200\", found \"soon\"",
            ),
            (
                "[{\"text\":\"x\"}]",
                "s.json: message 1: expected \"ts\" to be a Slack timestamp",
            ),
            (
                "[{\"text\":\"x\",\"ts\":\"1795698000\"}, 7]",
                "s.json: message 2: expected a message object, found a number",
            ),
            (
                "[{\"text\":[],\"ts\":\"1795698000\"}]",
                "s.json: message 1: expected \"text\" to be a string, found an array",
            ),
        ];
        for (input, want) in cases {
            let err = collect("s.json", input.as_bytes(), Format::Slack)
                .unwrap_err()
                .to_string();
            assert!(err.starts_with(want), "{input}: {err}");
        }
    }

    #[test]
    fn crlf_and_invalid_utf8() {
        let input =
            b"[\r\n{\"type\":\"message\",\"user\":\"U1\",\"text\":\"a\xffb\",\"ts\":\"1795698000.000001\"}\r\n]\r\n";
        let (events, _) = collect("s.json", input, Format::Slack).unwrap();
        assert_eq!(events[0].text, "a\u{fffd}b");
        assert_eq!(events[0].at, utc("2026-11-26T13:00:00.000001Z"));
    }

    #[test]
    fn detects_an_array_of_objects_but_not_a_chat_log() {
        assert_eq!(detect(EXPORT.as_bytes()), Some(Format::Slack));
        assert_eq!(detect(b"[]"), Some(Format::Slack));
        assert_eq!(detect(b"[14:32] alice: hi\n"), Some(Format::Log));
    }
}
