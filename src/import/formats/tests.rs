//! Helpers for the importers' tests, and the tests that cross formats: detection, hostile text,
//! the sink, the fixtures, and inputs that must never make an importer panic.

use super::*;
use crate::model::sanitize::is_clean;
use proptest::prelude::*;

pub(super) fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Europe/Berlin (UTC+1 in November), now 2026-11-26 17:00 there.
pub(super) fn berlin() -> TimeContext {
    TimeContext {
        zone: "Europe/Berlin".parse().unwrap(),
        now: utc("2026-11-26T16:00:00Z"),
        anchor: None,
        span: None,
    }
}

pub(super) fn collect(name: &str, input: &[u8], format: Format) -> Result<(Vec<ImportedEvent>, Summary), ImportError> {
    let mut events = Vec::new();
    let summary = read_events(name, input, format, &berlin(), &mut |e| {
        events.push(e);
        Ok(())
    })?;
    assert_eq!(summary.events, events.len());
    Ok((events, summary))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn formats_parse_by_name_and_print_the_same() {
    for f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
    }
    assert_eq!(" JSONL ".parse::<Format>().unwrap(), Format::Jsonl);
    let err = "json".parse::<Format>().unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown import format \"json\" (accepted: auto, csv, jsonl, log, slack)"
    );
}

#[test]
fn keys_are_stable_and_depend_on_time_and_text() {
    let event = |at: &str, text: &str| ImportedEvent {
        at: utc(at),
        text: text.into(),
        kind: None,
        author: Some("whoever".into()),
        line: 9,
    };
    let a = event("2026-11-26T13:10:00.250Z", "PayGate 503");
    // FNV-1a 64 of "PayGate 503", computed independently: stored keys depend on it never changing.
    assert_eq!(a.key(), "1795698600250:6fc240edc295d61c");
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_ne!(a.key(), event("2026-11-26T13:10:00.251Z", "PayGate 503").key());
    assert_ne!(a.key(), event("2026-11-26T13:10:00.250Z", "PayGate 503.").key());
}

#[test]
fn detect_recognises_each_format_or_says_none() {
    let cases: &[(&[u8], Option<Format>)] = &[
        (b"[{\"type\":\"message\",\"ts\":\"1.2\"}]", Some(Format::Slack)),
        (b"\xef\xbb\xbf[\n  {\n", Some(Format::Slack)),
        (b"{\"time\":1,\"text\":\"x\"}\n", Some(Format::Jsonl)),
        (b"Time;Text\n", None),
        (b"kind,TIME,text,author\n", Some(Format::Csv)),
        (b"Nov 26 14:32:01 host api[1]: x\n", Some(Format::Log)),
        (b"banner\n\n2026-11-26T14:32:01Z x\n", Some(Format::Log)),
        (
            b"127.0.0.1 - - [26/Nov/2026:14:32:01 +0000] \"GET / HTTP/1.1\" 500 1\n",
            Some(Format::Log),
        ),
        (b"a\nb\nc\nd\ne\n2026-11-26T14:32:01Z too late\n", None),
        (b"just some prose\n", None),
        (b"", None),
        (b"\xff\xfe\x00", None),
    ];
    for (input, want) in cases {
        assert_eq!(detect(input), *want, "{:?}", String::from_utf8_lossy(input));
    }
}

#[test]
fn auto_reads_the_detected_format_from_the_start() {
    // Longer than the detection window, so the rest is read after the peeked bytes.
    let mut input = String::from("time,text\n");
    for i in 0..2000 {
        input.push_str(&format!("2026-11-26T13:{:02}:{:02}Z,event {i}\n", i / 60 % 60, i % 60));
    }
    let (events, summary) = collect("big.csv", input.as_bytes(), Format::Auto).unwrap();
    assert_eq!(summary.format, Format::Csv);
    assert_eq!(events.len(), 2000);
    assert_eq!((events[0].line, events[1999].line), (2, 2001));
    assert_eq!(events[1999].text, "event 1999");
    let err = collect("-", b"what is this", Format::Auto).unwrap_err().to_string();
    assert_eq!(
        err,
        "could not recognise the format of stdin (try --format csv|jsonl|log|slack)"
    );
}

#[test]
fn a_sink_error_stops_the_import_and_is_placed_in_the_file() {
    let input = "2026-11-26T13:00:00Z a\n2026-11-26T13:01:00Z b\n  more\n2026-11-26T13:02:00Z c\n";
    let mut seen = 0;
    let result = read_events("api.log", input.as_bytes(), Format::Log, &berlin(), &mut |e| {
        seen += 1;
        if e.text.starts_with('b') {
            Err(ImportError::from_sink("database is locked"))
        } else {
            Ok(())
        }
    });
    let err = result.unwrap_err();
    assert_eq!(err.to_string(), "api.log:2: database is locked");
    assert_eq!(err.place().map(|p| p.line), Some(2));
    assert_eq!(seen, 2);
}

/// What attackers put in text to take over a terminal, and what a broken encoder leaves behind.
const HOSTILE: &[&str] = &[
    "\x1b[2J",
    "\x1b]0;pwned\x07",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x1bPq#0;2;0;0;0\x1b\\",
    "\u{9b}2J",
    "\x07",
    "secret\rshown",
    "\u{202e}txt.exe",
];

fn assert_clean(events: &[ImportedEvent], what: &str) {
    for e in events {
        assert!(is_clean(&e.text), "{what}: text {:?}", e.text);
        assert!(
            e.author.as_deref().is_none_or(is_clean),
            "{what}: author {:?}",
            e.author
        );
        assert!(
            e.author.as_deref().is_none_or(|a| !a.contains('\n')),
            "{what}: author {:?}",
            e.author
        );
    }
}

#[test]
fn hostile_text_comes_out_clean_in_every_format() {
    for hostile in HOSTILE {
        let h = format!("x {hostile} y");
        let json = serde_json::to_string(&h).unwrap();
        let inputs: Vec<(Format, Vec<u8>)> = vec![
            (
                Format::Csv,
                format!("time,text,author\n14:00,\"{h}\",\"{h}\"\n").into_bytes(),
            ),
            (
                Format::Jsonl,
                format!("{{\"time\":\"14:00\",\"text\":{json},\"author\":{json}}}\n").into_bytes(),
            ),
            (
                Format::Log,
                format!("2026-11-26T13:00:00Z {h}\n{h}\n[14:00] {h}\n").into_bytes(),
            ),
            (
                Format::Slack,
                format!("[{{\"user\":\"U1\",\"user_name\":{json},\"text\":{json},\"ts\":\"1795698000\"}}]")
                    .into_bytes(),
            ),
        ];
        for (format, mut input) in inputs {
            let (events, _) = collect("h", &input, format).unwrap();
            assert!(!events.is_empty(), "{format} {hostile:?}");
            assert_clean(&events, &format!("{format} {hostile:?}"));
            // The same with invalid UTF-8 spliced into the text.
            let at = input.iter().position(|&b| b == b'y').unwrap();
            input.splice(at..at, *b"\xff\xc3(\x9b");
            let (events, _) = collect("h", &input, format).unwrap();
            assert_clean(&events, &format!("{format} {hostile:?} with invalid UTF-8"));
        }
    }
}

#[test]
fn error_messages_quote_input_cleaned_and_cut_short() {
    let long = "9".repeat(200);
    let input = format!("time,text\n\"\x1b]0;t\x07{long}:77\",x\n");
    let err = collect("i.csv", input.as_bytes(), Format::Csv).unwrap_err().to_string();
    assert!(is_clean(&err), "{err:?}");
    assert!(err.len() < 300 && err.contains("99…\""), "{err}");
}

#[test]
fn the_fixtures_tell_one_story_in_four_formats() {
    let cases = [
        ("incident.csv", Format::Csv, 12, 0),
        ("events.jsonl", Format::Jsonl, 10, 0),
        ("api.log", Format::Log, 13, 1),
        ("slack.json", Format::Slack, 12, 2),
    ];
    for (name, format, events, skipped) in cases {
        let (got, summary) = collect(name, &fixture(name), Format::Auto).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(summary.format, format, "{name}");
        assert_eq!(
            (summary.events, summary.skipped.len()),
            (events, skipped),
            "{name}: {:?}",
            summary.skipped
        );
        assert_clean(&got, name);
        // All within the outage: 14:00 to 16:30 in Berlin.
        assert!(summary.first.unwrap() >= utc("2026-11-26T13:00:00Z"), "{name}");
        assert!(summary.last.unwrap() <= utc("2026-11-26T15:30:00Z"), "{name}");
    }
}

fn near_valid_line() -> impl Strategy<Value = String> {
    let template = prop::sample::select(vec![
        "time,text,kind,author",
        "2026-11-26 14:02,\"multi\nline\",deploy,Ana",
        "14:14,x,alert,",
        "25:99,bad,,",
        "{\"time\":\"2026-11-26T13:10:00Z\",\"text\":\"x\",\"kind\":\"alert\"}",
        "{\"time\":1795698600.5,\"text\":\"y\"}",
        "{\"time\":",
        "2026-11-26T14:32:01.5+01:00 msg",
        "2026-03-29 02:30:00 gap",
        "Nov 26 14:32:01 host api[1]: msg",
        "Feb 29 10:00:00 host x",
        "[14:32] alice: hi",
        "[99:99] x",
        "1.2.3.4 - - [26/Nov/2026:14:32:01 +0000] \"GET /\" 500 1",
        "\tat com.example.Foo(Foo.java:1)",
        "[{\"type\":\"message\",\"text\":\"<@U1|x> <\",\"ts\":\"1795698600.1\"}",
        "]",
        "",
    ]);
    let noise = prop::collection::vec(any::<u8>(), 0..6).prop_map(|b| String::from_utf8_lossy(&b).into_owned());
    (
        template,
        noise,
        any::<prop::sample::Index>(),
        prop::sample::select(vec!["", "\u{1b}[2J", "\u{9b}", "\r", "\"", ","]),
    )
        .prop_map(|(t, noise, at, extra)| {
            // Cut the template somewhere, splice noise in, keep the rest.
            let cut = t
                .char_indices()
                .map(|(i, _)| i)
                .nth(at.index(t.chars().count() + 1))
                .unwrap_or(t.len());
            format!("{}{noise}{extra}{}", &t[..cut], &t[cut..])
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        for format in Format::ALL {
            if let Ok((events, _)) = collect("p", &bytes, format) {
                assert_clean(&events, "arbitrary bytes");
            }
        }
    }

    #[test]
    fn near_valid_input_never_panics(lines in prop::collection::vec(near_valid_line(), 0..12), crlf in any::<bool>()) {
        let input = lines.join(if crlf { "\r\n" } else { "\n" });
        for format in Format::ALL {
            if let Ok((events, _)) = collect("p", input.as_bytes(), format) {
                assert_clean(&events, &input);
            }
        }
    }
}

/// One line longer than [`MAX_RECORD`] is refused naming its line, in every line-based format,
/// and no more of it is read than the bound (the reader is endless here).
#[test]
fn a_line_past_the_bound_is_an_error_naming_it() {
    for (format, good) in [
        (Format::Log, "2026-11-26T13:00:00Z ok\n"),
        (Format::Jsonl, "{\"time\":\"14:00\",\"text\":\"ok\"}\n"),
    ] {
        let endless = good.as_bytes().chain(std::io::repeat(b'a'));
        let mut read = 0;
        let err = read_events(
            "big.txt",
            std::io::BufReader::new(endless),
            format,
            &berlin(),
            &mut |_| {
                read += 1;
                Ok(())
            },
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err, "big.txt:2: a line longer than 1 MiB (the most one record may hold)",
            "{format}"
        );
        // Exactly the bound is still a line.
        let fits = format!("{good}{}\n", "b".repeat(MAX_RECORD));
        let result = collect("fits.txt", fits.as_bytes(), format);
        assert!(
            !result.as_ref().is_err_and(|e| e.to_string().contains("a line longer")),
            "{format}: {result:?}"
        );
    }
}

/// A log event grows by its continuation lines: the event, not only each line, is bounded.
#[test]
fn a_log_event_past_the_bound_is_an_error_naming_where_it_started() {
    let mut input = String::from("2026-11-26T13:00:00Z first\n2026-11-26T13:01:00Z trace\n");
    let line = format!("  {}\n", "c".repeat(1000));
    input.push_str(&line.repeat(MAX_RECORD / 1000 + 5));
    let err = collect("api.log", input.as_bytes(), Format::Log)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("api.log:2: an event longer than 1 MiB (the most one record may hold) (its continuation lines run on to line "),
        "{err}"
    );
}

/// Skipped lines are each kept for the summary: past a bound, the file is refused.
#[test]
fn too_many_skipped_lines_are_an_error() {
    let input = "no stamp here\n".repeat(MAX_SKIPPED + 1) + "2026-11-26T13:00:00Z x\n";
    let err = collect("api.log", input.as_bytes(), Format::Log)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!(
            "api.log:{}: more than {MAX_SKIPPED} lines skipped; is this the right file and format?",
            MAX_SKIPPED + 1
        )
    );
    let rows = "time,text\n".to_string() + &",\n".repeat(MAX_SKIPPED + 1);
    let err = collect("e.csv", rows.as_bytes(), Format::Csv).unwrap_err().to_string();
    assert!(err.contains("more than 10000 lines skipped"), "{err}");
}

/// A Slack export is one JSON document read whole: its size is bounded.
#[test]
fn a_slack_export_past_its_bound_is_refused() {
    let endless = b"[".chain(std::io::repeat(b' '));
    let err = read_events(
        "s.json",
        std::io::BufReader::new(endless),
        Format::Slack,
        &berlin(),
        &mut |_| Ok(()),
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "s.json:1: a Slack export larger than 4 MiB (it is read whole; split it by day or channel)"
    );
}
