//! Log text: one event per line that starts with a timestamp (see [`super::stamp`] for the forms;
//! the other line formats, [`super::family`], are read the same way with their own stamps).
//!
//! A line without a timestamp continues the event above it (a stack trace, a wrapped message) and
//! is joined to it with a newline, indentation kept, up to [`MAX_EVENT_LINES`] lines an event.
//! The parts of a CRI line the runtime split (`P` lines up to the stream's `F` line) are one
//! event at the first part's time, joined per stream (the other stream's lines may come between). Lines before the first timestamp are reported
//! as skipped; blank lines are dropped. Bytes are decoded lossily and cleaned line by line, so
//! neither invalid UTF-8 nor a colour code before the timestamp gets in the way.

use super::family::Stamps;
use super::{ImportError, ImportedEvent, MAX_EVENT_LINES, MAX_RECORD, Out, decode, too_long};
use crate::model::time::TimeContext;
use std::io::BufRead;

pub(super) fn read<R: BufRead>(reader: R, out: &mut Out, stamps: Stamps, ctx: &TimeContext) -> Result<(), ImportError> {
    let mut pending: Option<(ImportedEvent, usize)> = None;
    // The CRI lines whose last part was partial (`P`), one a stream (stdout, stderr: at most
    // two, each bounded): the stream's next line goes on it, whatever the other stream wrote
    // in between (their parts interleave in real CRI logs).
    let mut open: Vec<(&'static str, ImportedEvent, usize)> = Vec::new();
    out.lines(reader, |out, line, bytes| {
        let cleaned = decode(bytes);
        if cleaned.trim().is_empty() {
            return Ok(());
        }
        out.read += 1;
        let Some(stamped) = stamps(&cleaned, ctx) else {
            match pending.as_mut() {
                Some((event, lines)) => {
                    let more = cleaned.trim_end();
                    *lines += 1;
                    out.matched += 1;
                    if *lines > MAX_EVENT_LINES {
                        return Err(out.invalid(
                            event.line,
                            format!(
                                "an event of more than {MAX_EVENT_LINES} lines (its continuation lines run on to line {line}; the most one event may hold)"
                            ),
                        ));
                    }
                    if event.text.len() + 1 + more.len() > MAX_RECORD {
                        let started = event.line;
                        return Err(out.invalid(
                            started,
                            format!(
                                "{} (its continuation lines run on to line {line})",
                                too_long("an event")
                            ),
                        ));
                    }
                    if !event.text.is_empty() {
                        event.text.push('\n');
                    }
                    event.text.push_str(more);
                    if let Some(legacy) = event.legacy_text.as_mut() {
                        if !legacy.is_empty() {
                            legacy.push('\n');
                        }
                        legacy.push_str(more);
                    }
                }
                None => out.skip(line, "no timestamp before this line")?,
            }
            return Ok(());
        };
        out.matched += 1;
        let at = stamped.at.map_err(|e| out.time_error(line, None, e))?;
        let part = stamped.part;
        if let Some(part) = part
            && continue_part(out, &mut open, part, &stamped.text, line)?
        {
            return Ok(());
        }
        if let Some((done, _)) = pending.take() {
            finish(out, done)?;
        }
        // A CRI line's message is as written (its parts may go on); the event's text starts at
        // its first word, and ends at its last (`finish`).
        let text = match part {
            Some(_) => stamped.text.trim_start().to_string(),
            None => stamped.text,
        };
        let mut event = ImportedEvent::new(at, text, stamped.author, line);
        event.level = stamped.level;
        event.origin = stamped.origin;
        event.legacy_text = stamped.legacy;
        match part {
            Some(part) if part.partial => open.push((part.stream, event, 1)),
            _ => pending = Some((event, 1)),
        }
        Ok(())
    })?;
    if let Some((done, _)) = pending {
        finish(out, done)?;
    }
    // Parts whose full line never came: each as far as it went.
    for (_, done, _) in open {
        finish(out, done)?;
    }
    Ok(())
}

/// A CRI line of a stream whose last line was partial: joined to it (and the event finished
/// when this part is the full line's last). `false`: no line of its stream is open.
fn continue_part(
    out: &mut Out,
    open: &mut Vec<(&'static str, ImportedEvent, usize)>,
    part: super::stamp::Part,
    text: &str,
    line: usize,
) -> Result<bool, ImportError> {
    let Some(slot) = open.iter().position(|(stream, ..)| *stream == part.stream) else {
        return Ok(false);
    };
    let (_, event, lines) = &mut open[slot];
    *lines += 1;
    join_part(out, event, text, line, *lines)?;
    if !part.partial {
        let (_, done, _) = open.remove(slot);
        finish(out, done)?;
    }
    Ok(true)
}

/// The next part of a CRI line split by the runtime: its text goes on right after the parts
/// before it. The parts count as lines of the event ([`MAX_EVENT_LINES`], [`MAX_RECORD`]).
fn join_part(out: &Out, event: &mut ImportedEvent, text: &str, line: usize, lines: usize) -> Result<(), ImportError> {
    if lines > MAX_EVENT_LINES {
        return Err(out.invalid(
            event.line,
            format!("an event of more than {MAX_EVENT_LINES} lines (its partial lines run on to line {line}; the most one event may hold)"),
        ));
    }
    if event.text.len() + text.len() > MAX_RECORD {
        let more = format!("{} (its partial lines run on to line {line})", too_long("an event"));
        return Err(out.invalid(event.line, more));
    }
    event.text.push_str(text);
    Ok(())
}

fn finish(out: &mut Out, mut event: ImportedEvent) -> Result<(), ImportError> {
    let kept = event.text.trim_end().len();
    event.text.truncate(kept);
    if event.text.is_empty() {
        return out.skip(event.line, "a timestamp without text");
    }
    out.emit(event)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, utc};
    use super::super::{Format, Skipped};
    use crate::model::sanitize::is_clean;

    fn read(input: &str) -> (Vec<super::ImportedEvent>, Vec<Skipped>) {
        let (events, summary) = collect("api.log", input.as_bytes(), Format::Log).unwrap();
        assert_eq!(summary.format, Format::Log);
        (events, summary.skipped)
    }

    #[test]
    fn iso_stamps_with_and_without_offset() {
        let (events, skipped) = read(
            "2026-11-26T14:32:01Z one\n\
             2026-11-26 14:32:01,123 two\n\
             2026-11-26T14:32:01.5+01:00 three\n\
             [2026-11-26 14:32:01] four\n\
             2026/11/26 14:32:01 [error] 12#0: five\n\
             2026-11-26 14:32:01 UTC six\n\
             2026-11-26 14:32:01 +0200 seven\n\
             2026-11-26 14:32 eight\n",
        );
        assert!(skipped.is_empty(), "{skipped:?}");
        let got: Vec<_> = events.iter().map(|e| (e.at, e.text.as_str(), e.line)).collect();
        assert_eq!(
            got,
            [
                (utc("2026-11-26T14:32:01Z"), "one", 1),
                (utc("2026-11-26T13:32:01.123Z"), "two", 2),
                (utc("2026-11-26T13:32:01.5Z"), "three", 3),
                (utc("2026-11-26T13:32:01Z"), "four", 4),
                (utc("2026-11-26T13:32:01Z"), "[error] 12#0: five", 5),
                (utc("2026-11-26T14:32:01Z"), "six", 6),
                (utc("2026-11-26T12:32:01Z"), "seven", 7),
                (utc("2026-11-26T13:32:00Z"), "eight", 8),
            ]
        );
        assert!(events.iter().all(|e| e.kind.is_none() && e.author.is_none()));
    }

    #[test]
    fn syslog_lines_take_the_year_of_now_unless_that_is_ahead() {
        // now is 2026-11-26 17:00 in Berlin
        let (events, _) = read(
            "Nov 26 14:32:01 pay-api-1 payment-api[2211]: pool exhausted\n\
             Nov 27 09:00:00 pay-api-1 cron[1]: within a day of now\n\
             Dec 24 10:00:00 pay-api-1 cron[1]: last year\n\
             Jan  3 08:15:00.250 pay-api-1 kernel: padded day\n",
        );
        assert_eq!(events[0].at, utc("2026-11-26T13:32:01Z"));
        assert_eq!(events[0].text, "pay-api-1 payment-api[2211]: pool exhausted");
        assert_eq!(events[1].at, utc("2026-11-27T08:00:00Z"));
        assert_eq!(events[2].at, utc("2025-12-24T09:00:00Z"));
        assert_eq!(events[3].at, utc("2026-01-03T07:15:00.250Z"));
        assert_eq!(events[3].text, "pay-api-1 kernel: padded day");
    }

    #[test]
    fn chat_lines_are_today_in_the_zone_with_authors() {
        let (events, _) = read("[14:32] alice: rolled back\n[14:33:05] paged again\n[9:05] <bob> hi\n");
        assert_eq!(events[0].at, utc("2026-11-26T13:32:00Z"));
        assert_eq!(events[0].author.as_deref(), Some("alice"));
        assert_eq!(events[0].text, "rolled back");
        assert_eq!(events[1].at, utc("2026-11-26T13:33:05Z"));
        assert_eq!(
            (events[1].author.as_deref(), events[1].text.as_str()),
            (None, "paged again")
        );
        assert_eq!(events[2].at, utc("2026-11-26T08:05:00Z"));
        assert_eq!(
            (events[2].author.as_deref(), events[2].text.as_str()),
            (Some("bob"), "hi")
        );
    }

    #[test]
    fn web_server_lines_keep_everything_but_the_time() {
        let (events, _) = read(
            "203.0.113.9 - frank [26/Nov/2026:14:32:01 +0100] \"POST /v1/charges HTTP/1.1\" 503 19 \"-\" \"curl/8.5\"\n",
        );
        assert_eq!(events[0].at, utc("2026-11-26T13:32:01Z"));
        assert_eq!(
            events[0].text,
            "203.0.113.9 - frank \"POST /v1/charges HTTP/1.1\" 503 19 \"-\" \"curl/8.5\""
        );
    }

    #[test]
    fn continuation_lines_join_the_event_above_and_early_lines_are_skipped() {
        let (events, skipped) = read(
            "-- Logs begin at Thu 2026-11-26 09:00:01 CET. --\n\
             \n\
             2026-11-26T13:12:03Z ERROR charge failed\n\
             com.example.PayGateException: 503\n\
             \tat com.example.Client.charge(Client.java:212)\n\
             \n\
             Caused by: java.net.SocketTimeoutException\n\
             2026-11-26T13:12:04Z next\n\
             2026-11-26T13:12:05Z\n\
             \x20 only continuation\n\
             2026-11-26T13:12:06Z\n",
        );
        assert_eq!(
            skipped,
            [
                Skipped {
                    line: 1,
                    reason: "no timestamp before this line".into()
                },
                Skipped {
                    line: 11,
                    reason: "a timestamp without text".into()
                },
            ]
        );
        assert_eq!(events.len(), 3);
        assert_eq!(
            events[0].text,
            "ERROR charge failed\ncom.example.PayGateException: 503\n\tat com.example.Client.charge(Client.java:212)\nCaused by: java.net.SocketTimeoutException"
        );
        assert_eq!((events[0].line, events[1].line, events[2].line), (3, 8, 9));
        assert_eq!(events[2].text, "  only continuation");
    }

    #[test]
    fn crlf_and_invalid_utf8_and_colour_codes() {
        let input = b"\xef\xbb\xbf2026-11-26T13:00:00Z first\r\n  more\r\n\x1b[32m2026-11-26T13:01:00Z\x1b[0m bad \xff\xfe bytes\r\n";
        let (events, summary) = collect("x.log", input, Format::Log).unwrap();
        assert!(summary.skipped.is_empty());
        assert_eq!(events[0].text, "first\n  more");
        assert_eq!(events[1].at, utc("2026-11-26T13:01:00Z"));
        assert!(events[1].text.starts_with("bad "), "{:?}", events[1].text);
        assert!(events[1].text.contains('\u{fffd}'));
        assert!(events.iter().all(|e| is_clean(&e.text)));
    }

    #[test]
    fn a_local_time_the_clocks_skip_is_an_error_naming_the_line() {
        let err = collect(
            "api.log",
            b"2026-03-29T01:59:00 ok\n2026-03-29T02:30:00 gap\n",
            Format::Log,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("api.log:2: "), "{err}");
        assert!(
            err.ends_with("02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin (clocks jump from 02:00 to 03:00)"),
            "{err}"
        );
    }

    #[test]
    fn lines_that_only_look_like_stamps_are_continuations() {
        let (events, _) = read(
            "2026-11-26T13:00:00Z start\n\
             2026-13-40T13:00:00Z not a date\n\
             2026-11-26T13:00:00Zulu neither\n\
             Nov 26 lunch\n\
             [INFO] bracketed\n",
        );
        assert_eq!(events.len(), 1, "{events:?}");
        assert_eq!(events[0].text.lines().count(), 5);
    }
}
