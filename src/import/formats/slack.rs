//! A Slack channel export (one day's `channel/2026-11-26.json`): a JSON array of messages. A
//! whole export (its .zip or folder, every day of a channel) is read day by day through
//! [`Reading`] (see `slack_archive`).
//!
//! The author is `user_profile.real_name`, else `user_name`, else `username` (bots), else the
//! user id. Slack's markup is made readable: `<@U1>` becomes `@` and the name the export gives
//! that user, `<https://x|label>` becomes `label (https://x)`, `&amp;`, `&lt;`, `&gt;` are
//! decoded. A message without text shows its attachments' fallback text. Messages of kinds that
//! are not conversation (joins, topic changes, …) and empty ones are reported as skipped. A
//! thread's reply is marked with the message it answers (`↳ Marco: PayFast status page… — …`),
//! at its own time. The document is read whole: it is one JSON value.

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
    Reading::default().day(&messages, &mut HashMap::new(), out)
}

/// What reading a channel's days keeps from one day to the next: the messages counted so far
/// (positions go on across days) and each thread's first message, to mark its replies.
#[derive(Default)]
pub(super) struct Reading {
    /// Where the messages come from (`#inc-payments`), when known: each event's origin.
    pub origin: Option<String>,
    count: usize,
    /// A thread's `ts` → who started it and how its text starts.
    threads: HashMap<String, (String, String)>,
}

impl Reading {
    /// One day's messages. `names` holds the export's user names (`users.json`); names the
    /// messages give are added for the users it lacks.
    pub(super) fn day(
        &mut self,
        messages: &[Value],
        names: &mut HashMap<String, String>,
        out: &mut Out,
    ) -> Result<(), ImportError> {
        for (id, name) in user_names(messages) {
            names.entry(id).or_insert(name);
        }
        for message in messages {
            self.count += 1;
            let n = self.count;
            let Value::Object(message) = message else {
                return Err(out.invalid(n, format!("expected a message object, found {}", json_type(message))));
            };
            if let Some(reason) = not_conversation(message) {
                out.skip(n, reason)?;
                continue;
            }
            self.message(message, n, names, out)?;
        }
        Ok(())
    }

    fn message(
        &mut self,
        message: &Map<String, Value>,
        n: usize,
        names: &HashMap<String, String>,
        out: &mut Out,
    ) -> Result<(), ImportError> {
        let at = stamp_of(message, "ts").and_then(|ts| unix_seconds(&ts));
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
            Some(Value::String(s)) => clean_text(&readable(s, names)),
            Some(other) => {
                return Err(out.invalid(
                    n,
                    format!("expected \"text\" to be a string, found {}", json_type(other)),
                ));
            }
        };
        let text = if text.is_empty() {
            clean_text(&readable(&attachments(message), names))
        } else {
            text
        };
        if text.is_empty() {
            return out.skip(n, "a message without text (only files or reactions)");
        }
        let author = author(message, names);
        let ts = stamp_of(message, "ts").unwrap_or_default();
        let mut event = ImportedEvent::new(at, text, author, n);
        event.origin = self.origin.clone();
        match stamp_of(message, "thread_ts") {
            // A reply: marked with the message it answers (`↳ Marco: PayFast status page… — …`);
            // its key stays the one its text alone gave before replies were marked.
            Some(thread) if thread != ts => {
                let mark = match self.threads.get(&thread) {
                    Some((who, what)) => format!("↳ {who}: {what} — "),
                    None => "↳ ".to_string(),
                };
                let plain = std::mem::take(&mut event.text);
                event.text = format!("{mark}{plain}");
                event.legacy_text = Some(plain);
            }
            Some(_) => {
                let who = event.author.clone().unwrap_or_else(|| "someone".into());
                self.threads.insert(ts, (who, excerpt(&event.text)));
            }
            None => {}
        }
        out.emit(event)
    }
}

/// A timestamp field (`ts`, `thread_ts`) as written: a string, or a number.
fn stamp_of(message: &Map<String, Value>, key: &str) -> Option<String> {
    match message.get(key)? {
        Value::String(ts) => Some(ts.clone()),
        Value::Number(ts) => Some(ts.to_string()),
        _ => None,
    }
}

/// How a thread's first message starts: its first line, cut at 40 characters.
fn excerpt(text: &str) -> String {
    const MAX: usize = 40;
    let first = text.lines().next().unwrap_or("");
    match first.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", first[..cut].trim_end()),
        None if text.contains('\n') => format!("{first}…"),
        None => first.to_string(),
    }
}

/// The file's messages: the whole file (at most `MAX_SLACK_FILE` bytes) as a JSON array.
pub(super) fn read_messages<R: BufRead>(mut reader: R, file: &str) -> Result<Vec<Value>, ImportError> {
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

/// Who wrote a message: the name it gives, else the export's name for its user (`users.json`),
/// else its user name, else its user id.
fn author(message: &Map<String, Value>, names: &HashMap<String, String>) -> Option<String> {
    let given = |path: &[&str]| str_at(message, path).and_then(clean_author);
    given(&["user_profile", "real_name"])
        .or_else(|| str_at(message, &["user"]).and_then(|id| names.get(id)).cloned())
        .or_else(|| {
            [&["user_name"][..], &["username"], &["user"]]
                .iter()
                .find_map(|p| given(p))
        })
}

/// User ids and the names the export gives them, for mentions.
fn user_names(messages: &[Value]) -> HashMap<String, String> {
    let mut names = HashMap::new();
    for message in messages.iter().filter_map(Value::as_object) {
        if let Some(id) = str_at(message, &["user"])
            && !names.contains_key(id)
            && let Some(name) = author(message, &HashMap::new()).filter(|name| name != id)
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

    /// A reply is at its own time, marked with the message it answers; its key stays the one
    /// its text alone gave (a day file imported before replies were marked adds nothing).
    #[test]
    fn thread_replies_are_marked_with_their_parent_and_keep_their_key() {
        let day = r#"[
          {"type":"message","user":"U1","user_profile":{"real_name":"Marco"},"text":"PayFast status page is red, and has been for ten minutes now","ts":"1795698000.000100","thread_ts":"1795698000.000100","reply_count":1},
          {"type":"message","user":"U2","user_name":"lena","text":"confirmed","ts":"1795698060.000200","thread_ts":"1795698000.000100"},
          {"type":"message","user":"U2","user_name":"lena","text":"an older thread","ts":"1795698070.000300","thread_ts":"1795600000.000100"}
        ]"#;
        let (events, _) = collect("slack.json", day.as_bytes(), Format::Slack).unwrap();
        let texts: Vec<_> = events.iter().map(|e| (e.at, e.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                (
                    utc("2026-11-26T13:00:00.0001Z"),
                    "PayFast status page is red, and has been for ten minutes now"
                ),
                (
                    utc("2026-11-26T13:01:00.0002Z"),
                    "↳ Marco: PayFast status page is red, and has been… — confirmed"
                ),
                (utc("2026-11-26T13:01:10.0003Z"), "↳ an older thread"),
            ]
        );
        let plain = crate::model::document::import_key(events[1].at, "confirmed");
        assert_eq!(events[1].legacy_key(), Some(plain));
        assert_eq!(events[0].legacy_key(), None);
    }

    #[test]
    fn detects_an_array_of_objects_but_not_a_chat_log() {
        assert_eq!(detect(EXPORT.as_bytes()), Some(Format::Slack));
        assert_eq!(detect(b"[]"), Some(Format::Slack));
        assert_eq!(detect(b"[14:32] alice: hi\n"), Some(Format::Log));
    }
}
