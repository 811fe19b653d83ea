//! The line formats: how a line of each starts, what its text, level and origin are.
//!
//! | format | a line of it |
//! |---|---|
//! | klog | `E1130 10:00:02.223456    1 reflector.go:138] Failed to watch` |
//! | CRI container log | `2026-11-30T10:00:01.123456789Z stderr F upstream timeout` |
//! | RFC 5424 syslog | `<11>1 2026-11-30T10:00:01.123Z api-1 payments 4242 ID47 - upstream timeout` |
//! | Envoy access log | `[2026-11-30T10:00:01.123Z] "GET /pay HTTP/1.1" 503 UF 0 91 5001 - …` |
//! | AWS ALB access log | `http 2026-11-30T10:00:01.123456Z app/lb/50dc6c495c0c9188 10.0.0.1:2817 …` |
//! | Apache error log | `[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok` |
//! | log4j short dates | `17/06/09 20:10:40 INFO executor.Backend: Registered` |
//! | Android logcat | `03-17 16:13:38.811  1702  2395 D WindowManager: …` |
//! | compact stamps | `081109 203615 148 INFO …`, `20171223-22:15:29:606\|Step_LSC\|…`, `[10.30 16:49:06] …` |
//! | epoch-prefixed | `- 1117838570 2005.06.03 R02-M1-N0 … RAS KERNEL INFO …`, `1286536309.586 921 …` |
//! | log text | every stamp of [`super::stamp`] |
//!
//! Times without an offset are in the file's zone; a stamp without a year (klog, logcat,
//! `[10.30 …]`) takes the most recent such day, as syslog's does; a two-digit year is 20YY.

use super::stamp::{self, Cursor, Stamped, recent};
use super::{Format, Level, jsonl};
use crate::model::time::{TimeContext, local_to_utc};
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// How a line of a line format starts, if it starts like one.
pub(super) type Stamps = fn(&str, &TimeContext) -> Option<Stamped>;

/// The line formats, most particular first: among formats matching as many lines, the first wins.
const LINE_FORMATS: [Format; 12] = [
    Format::Klog,
    Format::Cri,
    Format::Syslog,
    Format::Envoy,
    Format::Alb,
    Format::ApacheError,
    Format::Log4j,
    Format::Logcat,
    Format::Compact,
    Format::Epoch,
    Format::Logfmt,
    Format::Log,
];

/// The reader of a line format's stamps (log text for any other).
pub(super) fn stamps(format: Format) -> Stamps {
    match format {
        Format::Klog => klog,
        Format::Cri => cri,
        Format::Syslog => rfc5424,
        Format::Envoy => envoy,
        Format::Alb => alb,
        Format::ApacheError => apache_error,
        Format::Log4j => log4j,
        Format::Logcat => logcat,
        Format::Compact => compact,
        Format::Epoch => epoch,
        _ => log_text,
    }
}

/// The line format that matches most of `lines` (cleaned, non-blank, the first 20 of a file),
/// provided it matches one of the first five.
pub(super) fn detect(lines: &[String]) -> Option<Format> {
    let ctx = TimeContext {
        zone: chrono_tz::UTC,
        // A leap year's last day: any day without a year has a date in it.
        now: Utc.with_ymd_and_hms(2024, 12, 31, 0, 0, 0).single()?,
        anchor: None,
        span: None,
    };
    let mut best: Option<(Format, usize)> = None;
    for format in LINE_FORMATS {
        let matches = |line: &String| match format {
            Format::Logfmt => jsonl::is_logfmt(line),
            _ => stamps(format)(line, &ctx).is_some(),
        };
        if !lines.iter().take(5).any(matches) {
            continue;
        }
        let score = lines.iter().filter(|l| matches(l)).count();
        if best.is_none_or(|(_, b)| score > b) {
            best = Some((format, score));
        }
    }
    best.map(|(f, _)| f)
}

/// Log text: any stamp [`stamp::leading`] reads; the level is a level word near the start.
fn log_text(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let mut s = stamp::leading(line, ctx)?;
    s.level = Level::in_text(&s.text);
    Some(s)
}

fn with(mut s: Stamped, level: Option<Level>, origin: Option<&str>) -> Stamped {
    s.level = level;
    s.origin = origin
        .map(str::trim)
        .filter(|o| !o.is_empty() && *o != "-")
        .map(str::to_string);
    s
}

/// `E1130 10:00:02.223456    1 reflector.go:138] Failed to watch`: the text is the message, the
/// origin the source file and line.
fn klog(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let level = match line.as_bytes().first()? {
        b'I' => Level::Info,
        b'W' => Level::Warning,
        b'E' => Level::Error,
        b'F' => Level::Critical,
        _ => return None,
    };
    let mut c = Cursor::new(line);
    c.i = 1;
    let (mo, d) = (c.digits(2, 2)?, c.digits(2, 2)?);
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    let stamp_end = c.i;
    c.eat(b' ')?;
    while c.eat(b' ').is_some() {}
    c.digits(1, 10)?;
    c.eat(b' ')?;
    let rest = &line[c.i..];
    let (place, message) = rest.split_once(']')?;
    if place.is_empty() || place.contains(' ') || !place.contains(':') {
        return None;
    }
    let naive = recent(mo, d, time, ctx)?;
    let at = local_to_utc(naive, ctx.zone, &line[1..stamp_end]);
    let s = Stamped::new(at, message.trim().to_string(), None);
    Some(with(s, Some(level), Some(place)))
}

/// `2026-11-30T10:00:01.123456789Z stderr F upstream timeout`: the text is the message; log text
/// read the stream and tag as text, which stays its legacy text. A `P` line is a part of a long
/// line the runtime split: the parts up to the stream's next `F` line are one event.
fn cri(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let (at, used) = stamp::iso(line, ctx)?;
    let rest = line[used..].strip_prefix(' ')?;
    let (stream, rest) = rest.split_once(' ')?;
    let stream = match stream {
        "stdout" => "stdout",
        "stderr" => "stderr",
        _ => return None,
    };
    let (tag, message) = rest.split_once(' ').unwrap_or((rest, ""));
    let partial = match tag.split(':').next() {
        Some("F") => false,
        Some("P") => true,
        _ => return None,
    };
    // The message as written: the parts of a split line go on right after each other, blanks
    // included (the event's text is trimmed once whole).
    let mut s = Stamped::new(at, message.to_string(), None);
    s.level = Level::in_text(message);
    s.legacy = Some(line[used..].trim().to_string());
    s.part = Some(stamp::Part { stream, partial });
    Some(s)
}

/// `<11>1 2026-11-30T10:00:01.123Z api-1 payments 4242 ID47 - upstream timeout` (and
/// `<34>Oct 11 22:14:15 host su: …`, RFC 3164 with its priority): the level is the priority's
/// severity, the origin the app; the text `host app[procid]: message`, as syslog lines read.
fn rfc5424(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let mut c = Cursor::new(line);
    c.eat(b'<')?;
    let pri = c.digits(1, 3)?;
    c.eat(b'>')?;
    if pri > 191 {
        return None;
    }
    let level = Some(Level::of_priority(pri));
    if c.digits(1, 2).is_none() {
        let s = stamp::leading(&line[c.i..], ctx)?;
        let app = s.text.split([' ', '[', ':']).nth(1).map(str::to_string);
        return Some(with(s, level, app.as_deref()));
    }
    c.eat(b' ')?;
    let rest = &line[c.i..];
    let (at, used) = stamp::iso(rest, ctx)?;
    let mut parts = rest[used..].trim_start().splitn(5, ' ');
    let (host, app, procid, _msgid) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let (data, message) = structured_data(parts.next().unwrap_or("-"))?;
    let nil = |v: &str| v == "-";
    let mut text = String::new();
    if !nil(host) {
        text.push_str(host);
        text.push(' ');
    }
    if !nil(app) {
        text.push_str(app);
    }
    if !nil(procid) {
        text.push_str(&format!("[{procid}]"));
    }
    if !text.is_empty() {
        text = format!("{}: ", text.trim_end());
    }
    text.push_str(message.trim_start_matches('\u{feff}').trim());
    if !data.is_empty() {
        text.push_str(&format!(" {data}"));
    }
    let s = Stamped::new(at, text.trim().to_string(), None);
    Some(with(s, level, Some(app)))
}

/// Splits `[id k="v"][…] message` or `- message` into the structured data and the message.
fn structured_data(rest: &str) -> Option<(&str, &str)> {
    if let Some(message) = rest.strip_prefix('-') {
        return (message.is_empty() || message.starts_with(' ')).then_some(("", message));
    }
    let bytes = rest.as_bytes();
    let (mut i, mut quoted) = (0, false);
    if bytes.first() != Some(&b'[') {
        return None;
    }
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'"' => quoted = !quoted,
            b']' if !quoted && bytes.get(i + 1) != Some(&b'[') => return Some((&rest[..=i], &rest[i + 1..])),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `[2026-11-30T10:00:01.123Z] "GET /pay HTTP/1.1" 503 UF …`: the text is the line after the
/// time (as log text reads it), the level the response code's.
fn envoy(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let inner = line.strip_prefix('[')?;
    let (at, used) = stamp::iso(inner, ctx)?;
    let rest = inner[used..].strip_prefix("] \"")?;
    let (_request, after) = rest.split_once("\" ")?;
    let mut fields = after.split(' ');
    let code = fields.next()?;
    let _flags = fields.next()?;
    if code.len() > 3 || code.is_empty() || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let level = if code == "0" {
        Some(Level::Error)
    } else {
        Level::of_status(code)
    };
    let s = Stamped::new(at, inner[used + 1..].trim().to_string(), None);
    Some(with(s, level, None))
}

/// `http 2026-11-30T10:00:01.123456Z app/lb/50dc… 10.0.0.1:2817 10.0.1.5:80 0.001 0.2 0 503 …`:
/// the text is the line without its time, the level the load balancer's status code's, the origin
/// the load balancer.
fn alb(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let (kind, rest) = line.split_once(' ')?;
    if !["http", "https", "h2", "grpcs", "ws", "wss"].contains(&kind) {
        return None;
    }
    let (time, rest) = rest.split_once(' ')?;
    let at = stamp::whole(time, ctx)?;
    let fields: Vec<&str> = rest.splitn(8, ' ').collect();
    if fields.len() < 7 || !fields[1].contains(':') {
        return None;
    }
    let level = Level::of_status(fields[6]);
    let s = Stamped::new(at, format!("{kind} {rest}"), None);
    Some(with(s, level, Some(fields[0])))
}

/// `[Sun Dec 04 04:47:44 2005] [notice] …`, `[Wed Oct 11 14:32:52.123456 2026] [core:error] [pid 1] …`:
/// the text is the line after the time; the level and module are the second bracket's.
fn apache_error(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let mut c = Cursor::new(line);
    c.eat(b'[')?;
    let weekday = line.get(1..4)?;
    if !weekday.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    c.i += 3;
    c.eat(b' ')?;
    let mo = stamp::month(&mut c)?;
    c.eat(b' ')?;
    let _pad = c.eat(b' ');
    let d = c.digits(1, 2)?;
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    c.eat(b' ')?;
    let y = c.digits(4, 4)?;
    c.eat(b']')?;
    let naive = NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_time(time);
    let at = local_to_utc(naive, ctx.zone, &line[1..c.i - 1]);
    let text = line[c.i..].trim();
    let bracket = text.strip_prefix('[').and_then(|t| t.split_once(']')).map(|(b, _)| b);
    let (module, level) = match bracket.map(|b| b.rsplit_once(':').unwrap_or(("", b))) {
        Some((m, l)) => (Some(m), Level::word(l)),
        None => (None, None),
    };
    let s = Stamped::new(at, text.to_string(), None);
    Some(with(s, level, module))
}

/// `17/06/09 20:10:40 INFO executor.Backend: Registered`: year 20YY; the level is the word after
/// the time, the origin the logger before the colon.
fn log4j(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let mut c = Cursor::new(line);
    let y = c.digits(2, 2)?;
    c.eat(b'/')?;
    let mo = c.digits(2, 2)?;
    c.eat(b'/')?;
    let d = c.digits(2, 2)?;
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    if !c.at_boundary() {
        return None;
    }
    let naive = NaiveDate::from_ymd_opt(2000 + y as i32, mo, d)?.and_time(time);
    let at = local_to_utc(naive, ctx.zone, &line[..c.i]);
    let text = line[c.i..].trim();
    let mut words = text.split_whitespace();
    let level = words.next().and_then(Level::word);
    let origin = words.next().and_then(|w| w.strip_suffix(':'));
    let s = Stamped::new(at, text.to_string(), None);
    Some(with(s, level, origin))
}

/// `03-17 16:13:38.811  1702  2395 D WindowManager: …` (threadtime) or
/// `03-17 16:13:38.811 D/WindowManager( 1702): …` (time): the text is `Tag: message`, the level
/// the letter, the origin the tag.
fn logcat(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let mut c = Cursor::new(line);
    let mo = c.digits(2, 2)?;
    c.eat(b'-')?;
    let d = c.digits(2, 2)?;
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    let stamp_end = c.i;
    c.eat(b' ')?;
    let rest = line[c.i..].trim_start();
    let (letter, tag, message) = if let Some((head, message)) = rest.split_once("): ") {
        // time: `D/Tag( 1702)`
        let (letter, tag) = head.split_once('/')?;
        let (tag, _pid) = tag.rsplit_once('(')?;
        (letter, tag, message)
    } else {
        let mut words = rest.splitn(4, ' ').filter(|w| !w.is_empty());
        let (pid, tid) = (words.next()?, words.next()?);
        if !pid.bytes().chain(tid.bytes()).all(|b| b.is_ascii_digit()) {
            return None;
        }
        let rest = rest[rest.find(tid)? + tid.len()..].trim_start();
        let (letter, rest) = rest.split_once(' ')?;
        let (tag, message) = rest.split_once(':')?;
        (letter, tag, message)
    };
    let level = match letter {
        "V" => Level::Trace,
        "D" => Level::Debug,
        "I" => Level::Info,
        "W" => Level::Warning,
        "E" => Level::Error,
        "F" => Level::Critical,
        "A" => Level::Alert,
        _ => return None,
    };
    let naive = recent(mo, d, time, ctx)?;
    let at = local_to_utc(naive, ctx.zone, &line[..stamp_end]);
    let tag = tag.trim();
    let s = Stamped::new(at, format!("{tag}: {}", message.trim()), None);
    Some(with(s, Some(level), Some(tag)))
}

/// `081109 203615 148 INFO dfs.DataNode: …` (yyMMdd HHmmss), `20171223-22:15:29:606|Step_LSC|…`
/// (yyyyMMdd-HH:mm:ss:SSS) and `[10.30 16:49:06] chrome.exe - …` (MM.dd HH:mm:ss, no year).
fn compact(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let (naive, used) = six_six(line).or_else(|| dashed(line)).or_else(|| dotted(line, ctx))?;
    let at = local_to_utc(naive, ctx.zone, line[..used].trim_matches(['[', ']']));
    let text = line[used..].trim_start_matches(['|', ' ']).trim();
    let mut s = Stamped::new(at, text.to_string(), None);
    s.level = Level::in_text(text);
    Some(s)
}

fn ymd(y: u32, mo: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y as i32, mo, d)
}

/// `081109 203615 `.
fn six_six(line: &str) -> Option<(NaiveDateTime, usize)> {
    let mut c = Cursor::new(line);
    let (y, mo, d) = (c.digits(2, 2)?, c.digits(2, 2)?, c.digits(2, 2)?);
    c.eat(b' ')?;
    let (h, mi, s) = (c.digits(2, 2)?, c.digits(2, 2)?, c.digits(2, 2)?);
    c.eat(b' ')?;
    let time = NaiveTime::from_hms_opt(h, mi, s)?;
    Some((ymd(2000 + y, mo, d)?.and_time(time), c.i))
}

/// `20171223-22:15:29:606|`.
fn dashed(line: &str) -> Option<(NaiveDateTime, usize)> {
    let mut c = Cursor::new(line);
    let (y, mo, d) = (c.digits(4, 4)?, c.digits(2, 2)?, c.digits(2, 2)?);
    c.eat(b'-')?;
    let h = c.digits(2, 2)?;
    c.eat(b':')?;
    let mi = c.digits(2, 2)?;
    c.eat(b':')?;
    let s = c.digits(2, 2)?;
    let ms = match c.one_of(b":.") {
        Some(_) => c.digits(1, 3)?,
        None => 0,
    };
    c.one_of(b"| ")?;
    let time = NaiveTime::from_hms_milli_opt(h, mi, s, ms)?;
    Some((ymd(y, mo, d)?.and_time(time), c.i))
}

/// `[10.30 16:49:06] `.
fn dotted(line: &str, ctx: &TimeContext) -> Option<(NaiveDateTime, usize)> {
    let mut c = Cursor::new(line);
    c.eat(b'[')?;
    let mo = c.digits(2, 2)?;
    c.eat(b'.')?;
    let d = c.digits(2, 2)?;
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    c.eat(b']')?;
    Some((recent(mo, d, time, ctx)?, c.i))
}

/// `- 1117838570 2005.06.03 R02-M1-N0 … RAS KERNEL INFO …` (an alert flag, Unix seconds and the
/// date, as the supercomputer logs write them: the flag stays in the text unless it is `-`) and
/// `1286536309.586    921 10.0.0.1 TCP_MISS/200 …` (Unix seconds first, as squid writes).
fn epoch(line: &str, _ctx: &TimeContext) -> Option<Stamped> {
    let (at, text) = match line.split_once(' ') {
        Some((seconds, rest)) if is_epoch(seconds) => (seconds_at(seconds)?, rest.trim().to_string()),
        Some((flag, rest)) => {
            let (seconds, rest) = rest.split_once(' ')?;
            let (date, rest) = rest.split_once(' ')?;
            let dotted_date = date.len() == 10
                && date
                    .bytes()
                    .enumerate()
                    .all(|(i, b)| matches!((i, b), (4 | 7, b'.')) || (i != 4 && i != 7 && b.is_ascii_digit()));
            if !is_epoch(seconds) || !dotted_date || flag.is_empty() {
                return None;
            }
            let text = if flag == "-" {
                rest.trim().to_string()
            } else {
                format!("{flag} {}", rest.trim())
            };
            (seconds_at(seconds)?, text)
        }
        None => return None,
    };
    let mut s = Stamped::new(Ok(at), text, None);
    // The supercomputer logs write the level after the component (`RAS KERNEL INFO`).
    s.level = Level::in_text(&s.text).or_else(|| {
        s.text
            .split_whitespace()
            .filter(|w| w.len() >= 4 && w.bytes().all(|b| b.is_ascii_uppercase()))
            .find_map(Level::word)
    });
    Some(s)
}

/// Ten digits of Unix seconds (2001 to 2286), with a fraction or not.
fn is_epoch(s: &str) -> bool {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    whole.len() == 10
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.len() <= 9
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn seconds_at(s: &str) -> Option<DateTime<Utc>> {
    let (whole, fraction) = s.split_once('.').unwrap_or((s, ""));
    DateTime::from_timestamp(whole.parse().ok()?, stamp::nanos(fraction.as_bytes()))
}
