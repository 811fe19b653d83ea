//! Property tests for the pure parsing and cleaning code: whatever people type or paste, these
//! functions answer (a value or an error) and never panic.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use debrief::model::sanitize::{clean, clean_bytes, clean_line, is_clean};
use debrief::model::time::{Span, TimeContext, parse_due, parse_time, split_quick_entry};
use proptest::prelude::*;

const CASES: u32 = 512;

/// Strings that look like what the parsers accept, with numbers far too large, odd signs and units,
/// plus arbitrary Unicode.
fn time_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        // Spans: -5m, +3m, -1h30m, with huge numbers and every unit humantime knows.
        "[+-]?[0-9]{1,25}(ns|us|ms|s|m|h|d|w|M|y|min|days|weeks|months|years)?([0-9]{1,20}[smhdwy])?",
        // Clock times and dates, in and out of range, with and without offsets.
        "[0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,12})?)?",
        "[+-]?[0-9]{1,9}-[0-9]{1,3}-[0-9]{1,3}([T ][0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,12})?)?)?(Z|z|[+-][0-9]{1,2}(:?[0-9]{2})?)?",
        "(yesterday|today|now|tomorrow|[0-9]{4}-[0-9]{2}-[0-9]{2}) [0-9]{1,2}:[0-9]{2}( .{0,20})?",
        // Due dates.
        "\\+[0-9]{0,22}(d|day|days|w|week|weeks|x)?",
        "(mon|tue|wed|thu|fri|sat|sun|monday|Friday|SUNDAY|today|tomorrow)",
        // Whitespace of every kind between words.
        "[ \\t\\n\\u{a0}\\u{2028}\\u{3000}]{0,3}[-+]?[0-9]{1,4}[mhd][ \\t\\u{a0}\\u{3000}]{0,3}\\PC{0,10}",
    ]
}

/// Instants across the whole range chrono can represent, so that `now - 9999999999d` and
/// `anchor + span` meet the ends of the calendar.
fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let min = DateTime::<Utc>::MIN_UTC.timestamp();
    let max = DateTime::<Utc>::MAX_UTC.timestamp();
    prop_oneof![
        // Ordinary times around now.
        (1_600_000_000i64..2_000_000_000).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        // Anywhere.
        (min..=max).prop_map(|s| Utc.timestamp_opt(s, 0).unwrap()),
        // The very ends.
        Just(DateTime::<Utc>::MIN_UTC),
        Just(DateTime::<Utc>::MAX_UTC),
    ]
}

fn zone() -> impl Strategy<Value = chrono_tz::Tz> {
    prop::sample::select(vec![
        chrono_tz::UTC,
        chrono_tz::Europe::Berlin,
        chrono_tz::America::New_York,
        chrono_tz::Asia::Tokyo,
        chrono_tz::Pacific::Kiritimati, // UTC+14
        chrono_tz::Pacific::Niue,       // UTC-11
        chrono_tz::Australia::Lord_Howe,
    ])
}

fn context() -> impl Strategy<Value = TimeContext> {
    let span = prop::option::of((instant(), prop::option::of(instant())).prop_map(|(start, end)| Span { start, end }));
    (zone(), instant(), prop::option::of(instant()), span).prop_map(|(zone, now, anchor, span)| TimeContext {
        zone,
        now,
        anchor,
        span,
    })
}

fn date() -> impl Strategy<Value = NaiveDate> {
    let min = NaiveDate::MIN.to_epoch_days();
    let max = NaiveDate::MAX.to_epoch_days();
    prop_oneof![
        (19_000i32..22_000).prop_map(|d| NaiveDate::from_epoch_days(d).unwrap()),
        (min..=max).prop_map(|d| NaiveDate::from_epoch_days(d).unwrap()),
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
    ]
}

/// Bytes that are rich in what terminals treat specially: ESC, CSI/OSC/DCS introducers and
/// terminators, C1 controls in both encodings, CR/LF, bidi overrides, broken UTF-8.
fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        any::<u8>().prop_map(|b| vec![b]),
        prop::sample::select(vec![
            b"\x1b".to_vec(),
            b"\x1b[".to_vec(),
            b"\x1b]".to_vec(),
            b"\x1bP".to_vec(),
            b"\x1b_".to_vec(),
            b"\x1b\\".to_vec(),
            b"\x07".to_vec(),
            b"\x9b".to_vec(),
            b"\x9d".to_vec(),
            b"\x9c".to_vec(),
            "\u{9b}".as_bytes().to_vec(),
            "\u{202e}".as_bytes().to_vec(),
            "\u{2066}".as_bytes().to_vec(),
            b"\r".to_vec(),
            b"\r\n".to_vec(),
            b"\n".to_vec(),
            b"\t".to_vec(),
            b"\x7f".to_vec(),
            b"\x00".to_vec(),
            b"31;1m".to_vec(),
            b"0;title".to_vec(),
            "é漢😀".as_bytes().to_vec(),
            b"\xf0\x9f".to_vec(),
            b"\xc3".to_vec(),
        ]),
        "\\PC{1,4}".prop_map(String::into_bytes),
    ];
    prop::collection::vec(piece, 0..48).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, ..ProptestConfig::default() })]

    #[test]
    fn parse_time_never_panics(input in time_like(), ctx in context()) {
        let _ = parse_time(&input, &ctx);
    }

    #[test]
    fn split_quick_entry_never_panics_and_keeps_the_text(input in time_like(), ctx in context()) {
        if let Ok((_, text)) = split_quick_entry(&input, &ctx) {
            // The text is what follows the time, or the whole entry: never invented.
            prop_assert!(input.contains(text.as_str()), "{input:?} -> {text:?}");
        }
    }

    #[test]
    fn parse_due_never_panics(input in time_like(), today in date()) {
        let _ = parse_due(&input, today);
    }

    #[test]
    fn cleaned_bytes_are_clean(input in prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        hostile_bytes(),
    ]) {
        let out = clean_bytes(&input);
        prop_assert!(is_clean(&out), "{input:?} -> {out:?}");
        prop_assert!(!out.contains('\x1b'), "ESC in {out:?}");
        prop_assert!(!out.contains('\r'), "CR in {out:?}");
    }

    #[test]
    fn cleaning_is_idempotent(input in hostile_bytes()) {
        let once = clean_bytes(&input);
        prop_assert_eq!(clean(&once), once.clone());
        // The slow path agrees with the fast one: clean text survives the parser unchanged.
        prop_assert_eq!(clean_bytes(once.as_bytes()), once);
    }

    #[test]
    fn clean_text_is_left_alone(input in any::<String>()) {
        let cleaned = clean(&input);
        prop_assert!(is_clean(&cleaned));
        if is_clean(&input) {
            prop_assert_eq!(&cleaned, &input);
        }
        prop_assert_eq!(clean(&cleaned), cleaned.clone());
        let line = clean_line(&input);
        prop_assert!(is_clean(&line) && !line.contains('\n') && !line.contains('\t'));
    }
}

/// The inputs named in the brief, and the ends of the calendar, as plain cases.
#[test]
fn huge_and_odd_inputs_are_errors_not_panics() {
    let contexts = [
        TimeContext {
            zone: chrono_tz::Europe::Berlin,
            now: Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap(),
            anchor: Some(Utc.with_ymd_and_hms(2026, 11, 26, 10, 0, 0).unwrap()),
            span: None,
        },
        TimeContext {
            zone: chrono_tz::Pacific::Kiritimati,
            now: DateTime::<Utc>::MAX_UTC,
            anchor: Some(DateTime::<Utc>::MAX_UTC),
            span: Some(Span {
                start: DateTime::<Utc>::MIN_UTC,
                end: Some(DateTime::<Utc>::MAX_UTC),
            }),
        },
        TimeContext {
            zone: chrono_tz::Pacific::Niue,
            now: DateTime::<Utc>::MIN_UTC,
            anchor: Some(DateTime::<Utc>::MIN_UTC),
            span: Some(Span {
                start: DateTime::<Utc>::MAX_UTC,
                end: None,
            }),
        },
    ];
    let inputs = [
        "+99999999999999999m",
        "-99999999999999999m",
        "-9999999999d",
        "+9999999999d",
        "-18446744073709551615s",
        "-18446744073709551616s",
        "-9223372036854775807ms",
        "-300000y",
        "+300000y",
        "-5m",
        "+3m",
        "now",
        "14:32",
        "yesterday 00:00",
        "today 23:59",
        "+262143-12-31T23:59",
        "-262143-01-01T00:00",
        "+262143-12-31T23:59:59Z",
        "262142-12-31T23:59",
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "２０２６-11-26 14:32",
        "１４:３２",
        "-５m",
        "‐5m",
        "−5m",
        "\u{0}",
        "\u{202e}14:32",
        "",
    ];
    for ctx in &contexts {
        for input in inputs {
            let _ = parse_time(input, ctx);
            let _ = split_quick_entry(&format!("{input} some text"), ctx);
            let _ = split_quick_entry(input, ctx);
        }
    }
    for today in [
        NaiveDate::MIN,
        NaiveDate::MAX,
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
    ] {
        for input in [
            "+99999999999999999d",
            "+9999999999w",
            "+2147483647d",
            "+1d",
            "+1w",
            "tomorrow",
            "today",
            "fri",
            "sunday",
            "+",
            "+d",
            "262143-12-31",
        ] {
            let _ = parse_due(input, today);
        }
    }
    // In an ordinary context, numbers beyond the calendar are errors, not wrapped-around times.
    let ctx = &contexts[0];
    for input in ["-9999999999d", "+9999999999d", "-300000y"] {
        assert!(parse_time(input, ctx).is_err(), "{input}");
    }
}
