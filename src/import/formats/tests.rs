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
    for &f in Format::ALL {
        assert_eq!(f.to_string().parse::<Format>().unwrap(), f);
    }
    assert_eq!(" JSONL ".parse::<Format>().unwrap(), Format::Jsonl);
    let err = "json".parse::<Format>().unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown import format \"json\" (accepted: auto, csv, jsonl, log, slack, journald, docker, json-log, ecs, gcp, \
         cloudwatch, cloudtrail, alertmanager, logfmt, klog, cri, rfc5424, envoy, alb, apache-error, log4j, logcat, \
         compact, epoch)"
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
        level: Some(Level::Error),
        origin: Some("api".into()),
        legacy_text: None,
    };
    let a = event("2026-11-26T13:10:00.250Z", "PayGate 503");
    // FNV-1a 64 of "PayGate 503", computed independently: stored keys depend on it never changing.
    assert_eq!(a.key(), "1795698600250:6fc240edc295d61c");
    let epoch = utc("1970-01-01T00:00:00Z");
    assert_eq!(crate::model::document::import_key(epoch, ""), "0:cbf29ce484222325");
    assert_eq!(crate::model::document::import_key(epoch, "a"), "0:af63dc4c8601ec8c");
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
    assert!(
        err.starts_with("could not recognise the format of stdin: its first line is \"what is this\"; tried csv,"),
        "{err}"
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
        for &format in Format::ALL {
            if let Ok((events, _)) = collect("p", &bytes, format) {
                assert_clean(&events, "arbitrary bytes");
            }
        }
    }

    #[test]
    fn near_valid_input_never_panics(lines in prop::collection::vec(near_valid_line(), 0..12), crlf in any::<bool>()) {
        let input = lines.join(if crlf { "\r\n" } else { "\n" });
        for &format in Format::ALL {
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

/// One fixture of a format (tests/fixtures/import/formats/), what it must give.
struct Expect {
    file: &'static str,
    format: Format,
    /// Each event's instant and level, in file order.
    events: &'static [(&'static str, Option<Level>)],
    /// The text of one event (its index) and its origin.
    text: (usize, &'static str, Option<&'static str>),
}

const EXPECTED: &[Expect] = {
    use Level::*;
    &[
        Expect {
            file: "klog.log",
            format: Format::Klog,
            events: &[
                ("2026-11-25T09:00:01Z", Some(Info)),
                ("2026-11-25T09:00:02.223456Z", Some(Error)),
                ("2026-11-25T09:00:03.5Z", Some(Warning)),
            ],
            text: (
                1,
                "k8s.io/client-go/informers/factory.go:134: Failed to watch *v1.Pod: the server could not find the requested resource",
                Some("reflector.go:138"),
            ),
        },
        Expect {
            file: "cri.log",
            format: Format::Cri,
            events: &[
                ("2026-11-25T10:00:01.123456789Z", None),
                ("2026-11-25T10:00:02.000000001Z", Some(Error)),
                ("2026-11-25T09:00:03Z", None),
            ],
            text: (1, "ERROR upstream timeout", None),
        },
        Expect {
            file: "logfmt.log",
            format: Format::Logfmt,
            events: &[
                ("2026-11-25T10:00:01Z", Some(Info)),
                ("2026-11-25T10:00:02.5Z", Some(Error)),
                ("2026-11-25T10:00:03.25Z", Some(Warning)),
            ],
            text: (2, "retrying \"charge\"", None),
        },
        Expect {
            file: "journald.json",
            format: Format::Journald,
            events: &[
                ("2026-11-25T10:00:01.123456Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Error)),
                ("2026-11-25T10:00:03.000001Z", Some(Warning)),
            ],
            text: (2, "hi\u{fffd}", Some("kernel")),
        },
        Expect {
            file: "docker.json",
            format: Format::Docker,
            events: &[
                ("2026-11-25T10:00:01.123456789Z", None),
                ("2026-11-25T10:00:02.000000001Z", None),
            ],
            text: (1, "upstream timeout", None),
        },
        Expect {
            file: "structured.json",
            format: Format::JsonLog,
            events: &[
                ("2026-11-25T10:00:01.123Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Error)),
                ("2026-11-25T10:00:03Z", Some(Warning)),
                ("2026-11-25T10:00:04Z", Some(Error)),
            ],
            text: (1, "upstream timeout", Some("payments")),
        },
        Expect {
            file: "ecs.json",
            format: Format::Ecs,
            events: &[
                ("2026-11-25T10:00:01.123Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Error)),
            ],
            text: (1, "upstream timeout", Some("pay")),
        },
        Expect {
            file: "gcp.json",
            format: Format::Gcp,
            events: &[
                ("2026-11-25T10:00:01.123456Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Error)),
            ],
            text: (1, "upstream timeout", Some("projects/p/logs/stderr")),
        },
        Expect {
            file: "cloudwatch.json",
            format: Format::Cloudwatch,
            events: &[
                ("2026-11-25T10:00:01.123Z", None),
                ("2026-11-25T10:00:02Z", Some(Error)),
            ],
            text: (1, "ERROR upstream timeout", Some("2026/11/25/[$LATEST]abc")),
        },
        Expect {
            file: "cloudtrail.json",
            format: Format::Cloudtrail,
            events: &[
                ("2026-11-25T10:00:01Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Warning)),
            ],
            text: (
                0,
                "PutRolePolicy on iam.amazonaws.com by arn:aws:iam::123456789012:user/Mary",
                Some("iam.amazonaws.com"),
            ),
        },
        Expect {
            file: "alertmanager.json",
            format: Format::Alertmanager,
            events: &[
                ("2026-11-25T10:00:01Z", Some(Critical)),
                ("2026-11-25T10:20:00Z", Some(Critical)),
                ("2026-11-25T10:00:02Z", Some(Warning)),
            ],
            text: (
                1,
                "resolved: HighErrorRate (job=payments, severity=critical) — 5xx above 5%",
                Some("payments"),
            ),
        },
        Expect {
            file: "alertmanager-stream.json",
            format: Format::Alertmanager,
            events: &[
                ("2026-11-25T10:00:01Z", Some(Critical)),
                ("2026-11-25T10:00:01Z", Some(Critical)),
                ("2026-11-25T10:20:00Z", Some(Critical)),
                ("2026-11-25T10:05:00Z", Some(Warning)),
            ],
            text: (3, "firing: LatencyHigh (severity=warning)", None),
        },
        Expect {
            file: "cloudwatch-export.json",
            format: Format::Cloudwatch,
            events: &[
                ("2026-11-25T10:00:01.123Z", None),
                ("2026-11-25T10:00:02Z", Some(Error)),
            ],
            text: (1, "ERROR upstream timeout", Some("2026/11/25/[$LATEST]8f5a0c")),
        },
        Expect {
            file: "cri-partial.log",
            format: Format::Cri,
            events: &[
                ("2026-11-25T10:00:01.000000001Z", None),
                ("2026-11-25T10:00:02Z", Some(Error)),
                ("2026-11-25T10:00:03Z", None),
            ],
            text: (
                0,
                "{\"level\":\"error\",\"msg\":\"upstream timeout after 5001 ms calling payfast\"}",
                None,
            ),
        },
        Expect {
            file: "apache-error.log",
            format: Format::ApacheError,
            events: &[
                ("2005-12-04T03:47:44Z", Some(Notice)),
                ("2005-12-04T03:47:44Z", Some(Error)),
                ("2026-11-25T09:00:03.123456Z", Some(Error)),
            ],
            text: (
                0,
                "[notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
                None,
            ),
        },
        Expect {
            file: "log4j.log",
            format: Format::Log4j,
            events: &[
                ("2017-06-09T18:10:40Z", Some(Info)),
                ("2017-06-09T18:10:41Z", Some(Warning)),
                ("2017-06-09T18:10:42Z", Some(Error)),
            ],
            text: (
                2,
                "ERROR executor.Executor: Exception in task 0.0 in stage 1.0 (TID 1)\njava.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3236)",
                Some("executor.Executor"),
            ),
        },
        Expect {
            file: "logcat.log",
            format: Format::Logcat,
            events: &[
                ("2026-03-17T15:13:38.811Z", Some(Debug)),
                ("2026-03-17T15:13:38.819Z", Some(Error)),
                ("2026-03-17T15:13:39Z", Some(Warning)),
            ],
            text: (
                2,
                "ActivityManager: Slow operation: 52ms so far",
                Some("ActivityManager"),
            ),
        },
        Expect {
            file: "compact.log",
            format: Format::Compact,
            events: &[
                ("2008-11-09T19:36:15Z", Some(Info)),
                ("2008-11-09T19:38:07Z", Some(Warning)),
                ("2017-12-23T21:15:29.606Z", None),
                ("2026-10-30T15:49:06Z", None),
            ],
            text: (2, "Step_LSC|30002312|onStandStepChanged 3579", None),
        },
        Expect {
            file: "epoch.log",
            format: Format::Epoch,
            events: &[
                ("2005-06-03T22:42:50Z", Some(Info)),
                ("2005-06-14T17:15:04Z", Some(Critical)),
                ("2010-10-08T11:11:49.586Z", None),
            ],
            text: (
                1,
                "KERNDTLB R23-M0-NE-C:J15-U01 2005-06-14-10.15.04.563466 R23-M0-NE-C:J15-U01 RAS KERNEL FATAL data TLB error interrupt",
                None,
            ),
        },
        Expect {
            file: "rfc5424.log",
            format: Format::Syslog,
            events: &[
                ("2003-10-11T22:14:15.003Z", Some(Critical)),
                ("2003-08-24T12:14:15.000003Z", Some(Notice)),
                ("2026-11-25T10:00:01.123Z", Some(Error)),
            ],
            text: (
                2,
                "api-1 payments[4242]: upstream timeout [exampleSDID@32473 iut=\"3\" eventSource=\"Application\"]",
                Some("payments"),
            ),
        },
        Expect {
            file: "envoy.log",
            format: Format::Envoy,
            events: &[
                ("2026-11-25T10:00:01.123Z", Some(Error)),
                ("2026-11-25T10:00:02Z", Some(Info)),
            ],
            text: (
                1,
                "\"POST /charge HTTP/2\" 200 - 512 31 12 11 \"-\" \"okhttp/4\" \"c1\" \"payments\" \"10.0.1.5:8080\"",
                None,
            ),
        },
        Expect {
            file: "alb.log",
            format: Format::Alb,
            events: &[
                ("2026-11-25T10:00:01.123456Z", Some(Info)),
                ("2026-11-25T10:00:02Z", Some(Error)),
            ],
            text: (
                1,
                "https app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2818 - -1 -1 -1 503 - 34 366 \"GET https://www.example.com:443/pay HTTP/1.1\" \"curl/7.46.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2",
                Some("app/my-loadbalancer/50dc6c495c0c9188"),
            ),
        },
    ]
};

#[test]
fn each_format_is_recognised_and_gives_its_instants_levels_and_origins() {
    let mut failures = Vec::new();
    for want in EXPECTED {
        let input = fixture(&format!("formats/{}", want.file));
        let auto = collect(want.file, &input, Format::Auto);
        let named = collect(want.file, &input, want.format);
        let (events, summary) = match (auto, named) {
            (Ok(auto), Ok(named)) => {
                assert_eq!(auto.0, named.0, "{}: auto and by name differ", want.file);
                auto
            }
            (auto, named) => {
                failures.push(format!(
                    "{}: {:?} / {:?}",
                    want.file,
                    auto.err(),
                    named.err().map(|e| e.to_string())
                ));
                continue;
            }
        };
        if summary.format != want.format {
            failures.push(format!("{}: recognised as {}", want.file, summary.format));
        }
        let got: Vec<_> = events.iter().map(|e| (e.at, e.level)).collect();
        let expected: Vec<_> = want.events.iter().map(|(t, l)| (utc(t), *l)).collect();
        if got != expected {
            failures.push(format!("{}: got {got:?}\n  want {expected:?}", want.file));
        }
        let (i, text, origin) = want.text;
        match events.get(i) {
            Some(e) if e.text == text && e.origin.as_deref() == origin => {}
            other => failures.push(format!(
                "{}: event {i} is {:?}",
                want.file,
                other.map(|e| (&e.text, &e.origin))
            )),
        }
        assert!(summary.matched > 0 && summary.matched <= summary.read, "{}", want.file);
        assert!(summary.skipped.is_empty(), "{}: {:?}", want.file, summary.skipped);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn near_misses_are_not_taken_for_a_format() {
    let any = berlin();
    let cases: &[(Format, &str)] = &[
        (Format::Klog, "I1125 is not a stamp"),
        (Format::Klog, "E1130 10:00:02.223456 reflector.go:138] no thread id"),
        (Format::Klog, "X1130 10:00:02.223456    1 reflector.go:138] not a level"),
        (Format::Cri, "2026-11-25T10:00:01Z stdin F x"),
        (Format::Cri, "2026-11-25T10:00:01Z stdout X x"),
        (Format::Syslog, "<999>1 2026-11-25T10:00:01Z host app - - - msg"),
        (Format::Syslog, "<11>1 - host app - - - a nil time"),
        (Format::Envoy, "[2026-11-25T10:00:01Z] plain text"),
        (Format::Alb, "http 2026-11-25 text"),
        (
            Format::Alb,
            "ftp 2026-11-25T10:00:01.123456Z app/lb 1.2.3.4:1 - 0 0 0 200 200 1 1",
        ),
        (Format::ApacheError, "[Sun] [notice] x"),
        (Format::ApacheError, "[2026-11-25 10:00:00] x"),
        (Format::Log4j, "17/13/09 20:10:40 INFO month thirteen"),
        (Format::Log4j, "2017/06/09 20:10:40 INFO four-digit year"),
        (Format::Logcat, "03-17 16:13:38.811 hello world"),
        (Format::Logcat, "13-40 16:13:38.811  1702  2395 D Tag: no such day"),
        (Format::Compact, "081309 203615 month thirteen"),
        (Format::Compact, "123456 654321 x"),
        (Format::Compact, "[10.30 is the price]"),
        (Format::Epoch, "- 123 2005.06.03 x"),
        (Format::Epoch, "1234 things"),
        (Format::Epoch, "order 1117838570 shipped"),
    ];
    for (format, line) in cases {
        assert!(family::stamps(*format)(line, &any).is_none(), "{format} took {line:?}");
    }
    for line in [
        "just some prose",
        "a=1 b=2",
        "time=\"unclosed msg=x",
        "time=2026 msg=\"x\"y",
    ] {
        assert!(!jsonl::is_logfmt(line), "{line:?}");
    }
    // Log text stays log text: none of the particular formats takes a file of it.
    let api = fixture("api.log");
    assert_eq!(detect(&api), Some(Format::Log));
}

#[test]
fn json_fields_are_found_by_their_common_names_or_the_ones_given() {
    let input = br#"{"event":{"created":"2026-11-25T10:00:01Z"},"body":"custom","sev":"warn"}"#;
    let err = collect("x.jsonl", input, Format::Jsonl).unwrap_err().to_string();
    assert!(err.contains("in field \"time\", found nothing"), "{err}");
    let fields = Fields {
        time: Some("event.created".into()),
        text: Some("body".into()),
        level: Some("sev".into()),
    };
    let mut events = Vec::new();
    let summary = read_events_with("x.jsonl", &input[..], Format::Auto, &fields, &berlin(), &mut |e| {
        events.push(e);
        Ok(())
    })
    .unwrap();
    assert_eq!(summary.format, Format::Jsonl);
    assert_eq!(
        (events[0].at, events[0].text.as_str(), events[0].level),
        (utc("2026-11-25T10:00:01Z"), "custom", Some(Level::Warning))
    );
    // Epoch counts by magnitude, as numbers and as strings.
    for (time, want) in [
        ("1795600801", "2026-11-25T10:00:01Z"),
        ("1795600801.5", "2026-11-25T10:00:01.5Z"),
        ("1795600801123", "2026-11-25T10:00:01.123Z"),
        ("1795600801123456", "2026-11-25T10:00:01.123456Z"),
        ("1795600801123456789", "2026-11-25T10:00:01.123456789Z"),
        ("\"1795600801123456\"", "2026-11-25T10:00:01.123456Z"),
    ] {
        let line = format!("{{\"ts\":{time},\"msg\":\"x\"}}");
        let (events, _) = collect("x.jsonl", line.as_bytes(), Format::Jsonl).unwrap();
        assert_eq!(events[0].at, utc(want), "{time}");
    }
}

#[test]
fn an_unknown_file_is_refused_quoting_its_first_line_and_naming_what_was_tried() {
    let err = collect(
        "notes.txt",
        b"\n  meeting notes \x1b[31mred\x1b[0m\nmore\n",
        Format::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("could not recognise the format of notes.txt: its first line is \"meeting notes red\"; tried csv, jsonl, log, slack, journald, "),
        "{err}"
    );
    assert!(
        err.contains("klog") && err.contains("logfmt") && err.contains("alertmanager"),
        "{err}"
    );
    assert!(
        err.contains("--format NAME") && err.contains("--time-field") && err.contains("--level-field"),
        "{err}"
    );
}

#[test]
fn a_long_event_is_bounded_in_lines() {
    let mut input = String::from("2026-11-25T10:00:01Z start\n");
    for _ in 0..MAX_EVENT_LINES {
        input.push_str("\tat frame\n");
    }
    let err = collect("big.log", input.as_bytes(), Format::Log)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("big.log:1: an event of more than 10000 lines"), "{err}");
    let fits = input.lines().take(MAX_EVENT_LINES).collect::<Vec<_>>().join("\n");
    let (events, summary) = collect("big.log", fits.as_bytes(), Format::Log).unwrap();
    assert_eq!(events[0].text.lines().count(), MAX_EVENT_LINES);
    assert_eq!((summary.read, summary.matched), (MAX_EVENT_LINES, MAX_EVENT_LINES));
}

#[test]
fn a_cri_line_keeps_the_key_log_text_gave_it() {
    let input = b"2026-11-25T10:00:02Z stderr F upstream timeout\n\tat x\n";
    let (cri, _) = collect("c.log", input, Format::Cri).unwrap();
    let (log, _) = collect("c.log", input, Format::Log).unwrap();
    assert_eq!(cri[0].text, "upstream timeout\n\tat x");
    assert_eq!(log[0].text, "stderr F upstream timeout\n\tat x");
    assert_eq!(cri[0].legacy_key(), Some(log[0].key()));
    assert_eq!(log[0].legacy_key(), None);
}

/// Every fixture the version before #18 could import (its keys, as it computed them, are in
/// keys-before-18.txt, written by that version) gives the same keys now, or says that it had
/// them: importing it again adds nothing.
#[test]
fn files_imported_before_keep_their_keys() {
    let before = String::from_utf8(fixture("formats/keys-before-18.txt")).unwrap();
    let mut by_file: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for line in before.lines() {
        let mut parts = line.split(' ');
        let (file, _format, key) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        by_file.entry(file).or_default().push(key);
    }
    assert!(by_file.len() >= 6, "{by_file:?}");
    for (file, old_keys) in by_file {
        let (events, _) = collect(file, &fixture(file), Format::Auto).unwrap();
        assert_eq!(events.len(), old_keys.len(), "{file}");
        for (e, old) in events.iter().zip(old_keys) {
            assert!(
                e.key() == old || e.legacy_key().as_deref() == Some(old),
                "{file}:{}: {} is neither {old} nor its earlier key",
                e.line,
                e.key()
            );
        }
    }
}

#[test]
fn a_bsd_syslog_line_with_its_priority_is_read_with_the_level() {
    let (events, summary) = collect(
        "s.log",
        b"<34>Nov 25 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8\n",
        Format::Auto,
    )
    .unwrap();
    assert_eq!(summary.format, Format::Syslog);
    assert_eq!(events[0].at, utc("2026-11-25T21:14:15Z"));
    assert_eq!(
        events[0].text,
        "mymachine su: 'su root' failed for lonvick on /dev/pts/8"
    );
    assert_eq!(
        (events[0].level, events[0].origin.as_deref()),
        (Some(Level::Critical), Some("su"))
    );
}

#[test]
fn hostile_text_in_every_line_format_comes_out_clean() {
    for want in EXPECTED.iter().filter(|w| w.file.ends_with(".log")) {
        let input = String::from_utf8(fixture(&format!("formats/{}", want.file))).unwrap();
        for hostile in HOSTILE {
            let spiked: String = input.lines().map(|l| format!("{l} {hostile} tail\n")).collect();
            let (events, summary) = collect(want.file, spiked.as_bytes(), Format::Auto).unwrap();
            assert_eq!(summary.format, want.format, "{} {hostile:?}", want.file);
            assert_clean(&events, &format!("{} {hostile:?}", want.file));
            for e in &events {
                let origin = e.origin.as_deref().unwrap_or("");
                assert!(is_clean(origin) && !origin.contains('\n'), "{origin:?}");
            }
        }
    }
}

/// A stamp without a year takes the year that puts it in the incident's span (#18 item 6): a
/// review of last year's outage imported today, an incident across New Year, and a line before
/// the span taken in the year nearest it.
#[test]
fn a_year_less_stamp_takes_its_year_from_the_incidents_span() {
    use crate::model::time::Span;
    let read = |line: &str, span: Option<Span>| {
        let ctx = TimeContext { span, ..berlin() };
        let mut events = Vec::new();
        read_events("sys.log", line.as_bytes(), Format::Log, &ctx, &mut |e| {
            events.push(e);
            Ok(())
        })
        .unwrap();
        events[0].at
    };
    let line = "Nov 20 10:00:00 host api[1]: upstream timeout\n";
    // Without a span: the most recent Nov 20 (this year, now being 2026-11-26).
    assert_eq!(read(line, None), utc("2026-11-20T09:00:00Z"));
    // Last year's incident, reviewed now: its own year.
    let last_year = Span {
        start: utc("2025-11-19T08:00:00Z"),
        end: Some(utc("2025-11-21T12:00:00Z")),
    };
    assert_eq!(read(line, Some(last_year)), utc("2025-11-20T09:00:00Z"));
    // An incident across New Year: December is the old year, January the new one.
    let new_year = Span {
        start: utc("2025-12-31T20:00:00Z"),
        end: Some(utc("2026-01-01T06:00:00Z")),
    };
    assert_eq!(
        read("Dec 31 23:30:00 host api[1]: x\n", Some(new_year)),
        utc("2025-12-31T22:30:00Z")
    );
    assert_eq!(
        read("Jan  1 02:00:00 host api[1]: x\n", Some(new_year)),
        utc("2026-01-01T01:00:00Z")
    );
    // A line from the days before the span: the year nearest it.
    assert_eq!(read(line, Some(new_year)), utc("2025-11-20T09:00:00Z"));
}

/// The parts of a CRI line the runtime split are one event at the first part's time; a part of
/// the other stream in between does not end it (each stream's parts are joined on their own);
/// each part counts toward the event's bound.
#[test]
fn cri_partial_lines_are_joined_up_to_their_full_line() {
    let (events, summary) = collect("c.log", &fixture("formats/cri-partial.log"), Format::Auto).unwrap();
    assert_eq!((summary.read, summary.matched), (5, 5));
    let texts: Vec<_> = events.iter().map(|e| (e.line, e.text.as_str())).collect();
    assert_eq!(
        texts,
        [
            (
                1,
                "{\"level\":\"error\",\"msg\":\"upstream timeout after 5001 ms calling payfast\"}"
            ),
            (4, "ERROR next"),
            (5, "a last part, never finished"),
        ]
    );
    // Keys of a file imported before #18 (log text, each part an event): the first part's stays.
    assert_eq!(
        events[0].legacy_text.as_deref(),
        Some("stdout P {\"level\":\"error\",\"msg\":\"upstream")
    );
    let other =
        "2026-11-25T10:00:01Z stdout P one \n2026-11-25T10:00:02Z stderr F two\n2026-11-25T10:00:03Z stdout F three\n";
    let (events, _) = collect("c.log", other.as_bytes(), Format::Cri).unwrap();
    let texts: Vec<_> = events.iter().map(|e| (e.line, e.at, e.text.as_str())).collect();
    assert_eq!(
        texts,
        [
            (1, utc("2026-11-25T10:00:01Z"), "one three"),
            (2, utc("2026-11-25T10:00:02Z"), "two")
        ]
    );
    // Both streams split at once, their parts interleaved.
    let both = "2026-11-25T10:00:01Z stdout P out-a \n2026-11-25T10:00:01Z stderr P err-a \n\
                2026-11-25T10:00:02Z stderr P err-b \n2026-11-25T10:00:02Z stdout F out-b\n\
                2026-11-25T10:00:03Z stderr F err-c\n";
    let (events, _) = collect("c.log", both.as_bytes(), Format::Cri).unwrap();
    let texts: Vec<_> = events.iter().map(|e| (e.line, e.text.as_str())).collect();
    assert_eq!(texts, [(1, "out-a out-b"), (2, "err-a err-b err-c")]);
    let endless = "2026-11-25T10:00:01Z stdout P x\n".repeat(MAX_EVENT_LINES + 1);
    let err = collect("c.log", endless.as_bytes(), Format::Cri)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("c.log:1: an event of more than 10000 lines (its partial lines run on to line 10001"),
        "{err}"
    );
}

/// A CloudWatch export is one document, by name too; a JSON line that merely has a list
/// `events` is not one. Alertmanager payloads one after another are all read; anything else
/// after a payload is an error naming the record.
#[test]
fn cloudwatch_documents_and_alertmanager_streams_and_their_near_misses() {
    let line = b"{\"time\":\"2026-11-25T10:00:01Z\",\"text\":\"deploy\",\"events\":[1,2]}\n";
    assert_eq!(detect(line), Some(Format::Jsonl));
    let (events, _) = collect("e.jsonl", line, Format::Auto).unwrap();
    assert_eq!(events[0].text, "deploy");
    let lines = fixture("formats/cloudwatch.json");
    let (events, summary) = collect("cw.json", &lines, Format::Cloudwatch).unwrap();
    assert_eq!(
        (events.len(), summary.unit()),
        (2, Unit::Line),
        "JSON lines by name still read"
    );
    let broken = "{\"events\": [{\"timestamp\": 1795600801123, \"message\": \"ok\", \"ingestionTime\": 1},\n {\"timestamp\": \"soon\", \"message\": \"x\"}]}";
    let err = collect("cw.json", broken.as_bytes(), Format::Auto)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("cw.json: record 2: cannot read time \"soon\" in field \"timestamp\""),
        "{err}"
    );
    for (input, want) in [
        (
            "{\"alerts\":[]}\n{\"receiver\":\"x\"}\n",
            "a.json: record 1: expected a JSON object with a list \"alerts\"",
        ),
        (
            "{\"alerts\":[]} 7",
            "a.json: record 1: expected a JSON object with a list \"alerts\": ",
        ),
    ] {
        let err = collect("a.json", input.as_bytes(), Format::Alertmanager)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(want), "{input}: {err}");
    }
}
