//! The timestamps a log line can start with.
//!
//! | form | example | read as |
//! |---|---|---|
//! | ISO 8601 / RFC 3339 | `2026-11-26T14:32:01Z`, `2026-11-26 14:32:01,123`, `2026/11/26 14:32` | its offset (`Z`, `+01:00`, `+0100`, ` UTC`), else the file's zone |
//! | the same in brackets | `[2026-11-26 14:32:01] msg` | as above |
//! | syslog / journalctl | `Nov 26 14:32:01 host api[123]: msg` | the file's zone; the year that puts it in the incident's span (else nearest it); without a span, the year of `now` there, or the one before if that is over a day ahead |
//! | chat | `[14:32] alice: msg`, `[14:32:05] <bob> msg`, `[9:05] msg` | the file's zone, on a date inside the incident's span ([`crate::model::time::time_of_day`]); `alice`/`bob` become the author |
//! | web server (common/combined) | `1.2.3.4 - - [26/Nov/2026:14:32:01 +0000] "GET / HTTP/1.1" 500 …` | its offset |
//!
//! The file's zone is [`TimeContext::zone`]: the importing machine's, or the one the user names.
//!
//! The text of a syslog line keeps the host and the program (`host api[123]: msg`); the text of a
//! web-server line is the whole line without the bracketed time, so nothing of the request is lost.

use crate::model::time::{TimeContext, TimeError, local_to_utc};
use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// A line that starts with a timestamp.
#[derive(Debug)]
pub(super) struct Stamped {
    /// An error when the stamp has the right shape but names no instant (a skipped local time).
    pub at: Result<DateTime<Utc>, TimeError>,
    /// The rest of the line, trimmed.
    pub text: String,
    pub author: Option<String>,
    pub level: Option<super::Level>,
    pub origin: Option<String>,
    /// The text log text would give the same line, when the format gives another.
    pub legacy: Option<String>,
    /// A CRI line's stream and whether it is a partial line (tag `P`): the parts of a long line
    /// are one event, up to the stream's next `F` line.
    pub part: Option<Part>,
}

/// Where a CRI line stands in a line the runtime split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Part {
    pub stream: &'static str,
    /// Tag `P`: the line goes on in the stream's next line.
    pub partial: bool,
}

impl Stamped {
    pub(super) fn new(at: Result<DateTime<Utc>, TimeError>, text: String, author: Option<String>) -> Stamped {
        Stamped {
            at,
            text,
            author,
            level: None,
            origin: None,
            legacy: None,
            part: None,
        }
    }
}

/// The timestamp `line` starts with, if it has one. `line` should be clean already.
pub(super) fn leading(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    if line.starts_with('[') {
        return bracketed(line, ctx);
    }
    if let Some((at, used)) = iso(line, ctx).or_else(|| syslog(line, ctx)) {
        return Some(Stamped::new(at, line[used..].trim().to_string(), None));
    }
    web(line)
}

/// A field that is one ISO-like timestamp and nothing else.
pub(super) fn whole(s: &str, ctx: &TimeContext) -> Option<Result<DateTime<Utc>, TimeError>> {
    let (at, used) = iso(s, ctx)?;
    (used == s.len()).then_some(at)
}

/// The ASCII digits of a decimal fraction of a second as nanoseconds; digits past the ninth are
/// dropped.
pub(super) fn nanos(digits: &[u8]) -> u32 {
    digits
        .iter()
        .chain(std::iter::repeat(&b'0'))
        .take(9)
        .fold(0, |v, b| v * 10 + u32::from(b - b'0'))
}

pub(super) type Found = (Result<DateTime<Utc>, TimeError>, usize);

/// A cursor over ASCII bytes; it only ever stops between characters.
pub(super) struct Cursor<'a> {
    pub s: &'a [u8],
    pub i: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(s: &'a str) -> Cursor<'a> {
        Cursor { s: s.as_bytes(), i: 0 }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    pub(super) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.i + ahead).copied()
    }

    pub(super) fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.i += 1)
    }

    pub(super) fn one_of(&mut self, set: &[u8]) -> Option<u8> {
        let b = self.peek().filter(|b| set.contains(b))?;
        self.i += 1;
        Some(b)
    }

    /// Between `min` and `max` ASCII digits as a number.
    pub(super) fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        let n = self.s[self.i..]
            .iter()
            .take(max)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if n < min {
            return None;
        }
        let value = self.s[self.i..self.i + n]
            .iter()
            .fold(0u32, |v, b| v * 10 + u32::from(b - b'0'));
        self.i += n;
        Some(value)
    }

    /// Digits after a decimal point as nanoseconds.
    pub(super) fn fraction(&mut self) -> u32 {
        let start = self.i;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
        }
        nanos(&self.s[start..self.i])
    }

    pub(super) fn rest_starts_with(&self, prefix: &str) -> bool {
        self.s[self.i..].starts_with(prefix.as_bytes())
    }

    /// A stamp must not run into a word: `2026-11-26T14:32Zulu` is not one.
    pub(super) fn at_boundary(&self) -> bool {
        self.peek().is_none_or(|b| !b.is_ascii_alphanumeric())
    }

    /// `HH:MM[:SS[.fff]]`; hours may be one digit when `short_hour`.
    pub(super) fn clock(&mut self, short_hour: bool, seconds_required: bool) -> Option<NaiveTime> {
        let h = self.digits(if short_hour { 1 } else { 2 }, 2)?;
        self.eat(b':')?;
        let m = self.digits(2, 2)?;
        let (mut s, mut nano) = (0, 0);
        if self.peek() == Some(b':') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.i += 1;
            s = self.digits(2, 2)?;
            if matches!(self.peek(), Some(b'.' | b',')) && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
                self.i += 1;
                nano = self.fraction();
            }
        } else if seconds_required {
            return None;
        }
        NaiveTime::from_hms_nano_opt(h, m, s, nano)
    }

    /// `Z`, `+01:00`, `+0100`, `+01` right after the time; ` UTC`, ` GMT`, ` +0100`, ` +01:00` after
    /// a space. Consumes nothing when there is none.
    pub(super) fn offset(&mut self) -> Option<FixedOffset> {
        let start = self.i;
        if self.one_of(b"Zz").is_some() {
            return FixedOffset::east_opt(0);
        }
        if self.rest_starts_with(" UTC") || self.rest_starts_with(" GMT") {
            self.i += 4;
            if self.at_boundary() {
                return FixedOffset::east_opt(0);
            }
            self.i = start;
            return None;
        }
        let spaced = self.eat(b' ').is_some();
        let found = self.numeric_offset(spaced);
        if found.is_none() {
            self.i = start;
        }
        found
    }

    pub(super) fn numeric_offset(&mut self, spaced: bool) -> Option<FixedOffset> {
        let sign = if self.one_of(b"+-")? == b'-' { -1 } else { 1 };
        let h = self.digits(2, 2)?;
        let colon = self.eat(b':').is_some();
        let m = match self.digits(2, 2) {
            Some(m) => m,
            // `+01` alone is an offset only right after the time, never after a space.
            None if !colon && !spaced => 0,
            None => return None,
        };
        if h > 23 || m > 59 || !self.at_boundary() {
            return None;
        }
        FixedOffset::east_opt(sign * (h as i32 * 3600 + m as i32 * 60))
    }
}

pub(super) fn to_utc(
    naive: NaiveDateTime,
    offset: Option<FixedOffset>,
    ctx: &TimeContext,
    input: &str,
) -> Option<Result<DateTime<Utc>, TimeError>> {
    match offset {
        Some(offset) => offset
            .from_local_datetime(&naive)
            .single()
            .map(|t| Ok(t.with_timezone(&Utc))),
        None => Some(local_to_utc(naive, ctx.zone, input)),
    }
}

/// `2026-11-26T14:32:01.5+01:00`, `2026-11-26 14:32:01,123`, `2026/11/26 14:32`.
pub(super) fn iso(s: &str, ctx: &TimeContext) -> Option<Found> {
    let mut c = Cursor { s: s.as_bytes(), i: 0 };
    let y = c.digits(4, 4)?;
    let sep = c.one_of(b"-/")?;
    let mo = c.digits(2, 2)?;
    c.eat(sep)?;
    let d = c.digits(2, 2)?;
    c.one_of(b"Tt ")?;
    let time = c.clock(false, false)?;
    let offset = c.offset();
    if !c.at_boundary() {
        return None;
    }
    let naive = NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_time(time);
    Some((to_utc(naive, offset, ctx, &s[..c.i])?, c.i))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

pub(super) fn month(c: &mut Cursor) -> Option<u32> {
    let word = c.s.get(c.i..c.i + 3)?;
    let found = MONTHS.iter().position(|m| word.eq_ignore_ascii_case(m.as_bytes()))?;
    c.i += 3;
    Some(found as u32 + 1)
}

/// `Nov 26 14:32:01`, `Nov  6 04:02:01.123456`: no year, no zone.
fn syslog(s: &str, ctx: &TimeContext) -> Option<Found> {
    let mut c = Cursor { s: s.as_bytes(), i: 0 };
    let mo = month(&mut c)?;
    c.eat(b' ')?;
    let _pad = c.eat(b' ');
    let d = c.digits(1, 2)?;
    c.eat(b' ')?;
    let time = c.clock(false, true)?;
    if !c.at_boundary() {
        return None;
    }
    let naive = recent(mo, d, time, ctx)?;
    Some((local_to_utc(naive, ctx.zone, &s[..c.i]), c.i))
}

/// A day and time without a year (syslog, logcat, `[10.30 16:49:06]`): with the incident's span
/// known, the year that puts it inside the span (the latest not over a day ahead of now), else
/// the one nearest the span — as a time of day goes on the incident's day; without a span, the
/// most recent such day, this year unless that is more than a day ahead of now.
pub(super) fn recent(mo: u32, d: u32, time: NaiveTime, ctx: &TimeContext) -> Option<NaiveDateTime> {
    if let Some(span) = ctx.span {
        return in_span(mo, d, time, ctx, span);
    }
    let local_now = ctx.now.with_timezone(&ctx.zone).naive_local();
    let latest = local_now + Duration::days(1);
    [local_now.year(), local_now.year() - 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, mo, d))
        .map(|date| date.and_time(time))
        .find(|t| *t <= latest)
}

/// [`recent`] for an incident whose span is known.
fn in_span(
    mo: u32,
    d: u32,
    time: NaiveTime,
    ctx: &TimeContext,
    span: crate::model::time::Span,
) -> Option<NaiveDateTime> {
    let zone = ctx.zone;
    let end = span.end.unwrap_or(ctx.now).max(span.start);
    let latest = ctx.now + Duration::days(1);
    let instant = |t: &NaiveDateTime| zone.from_local_datetime(t).earliest().map(|x| x.with_timezone(&Utc));
    let years = span.start.with_timezone(&zone).year() - 1..=end.with_timezone(&zone).year() + 1;
    let candidates: Vec<(NaiveDateTime, DateTime<Utc>)> = years
        .filter_map(|y| NaiveDate::from_ymd_opt(y, mo, d))
        .map(|day| day.and_time(time))
        .filter_map(|t| instant(&t).map(|i| (t, i)))
        .collect();
    let inside = candidates
        .iter()
        .filter(|(_, i)| *i >= span.start && *i <= end && *i <= latest)
        .max_by_key(|(_, i)| *i);
    if let Some((t, _)) = inside {
        return Some(*t);
    }
    let distance = |i: DateTime<Utc>| {
        if i < span.start {
            span.start - i
        } else if i > end {
            i - end
        } else {
            Duration::zero()
        }
    };
    candidates
        .into_iter()
        .min_by_key(|(_, i)| (distance(*i), *i))
        .map(|(t, _)| t)
}

/// `[…]` around an ISO stamp, or a chat clock `[14:32] alice: msg`.
fn bracketed(line: &str, ctx: &TimeContext) -> Option<Stamped> {
    let inner = &line[1..];
    if let Some((at, used)) = iso(inner, ctx)
        && inner[used..].starts_with(']')
    {
        let text = inner[used + 1..].trim().to_string();
        return Some(Stamped::new(at, text, None));
    }
    let mut c = Cursor {
        s: inner.as_bytes(),
        i: 0,
    };
    let time = c.clock(true, false)?;
    c.eat(b']')?;
    let at = crate::model::time::time_of_day(time, ctx, &inner[..c.i - 1]);
    let rest = inner[c.i..].trim();
    let (author, text) = chat_author(rest);
    Some(Stamped::new(at, text.to_string(), author.map(str::to_string)))
}

/// `<bob> msg` or `alice: msg` (a short name of up to three words), else no author.
fn chat_author(rest: &str) -> (Option<&str>, &str) {
    if let Some(after) = rest.strip_prefix('<')
        && let Some((name, text)) = after.split_once('>')
        && is_name(name)
    {
        return (Some(name), text.trim_start());
    }
    if let Some((name, text)) = rest.split_once(':')
        && (text.is_empty() || text.starts_with(' '))
        && is_name(name)
    {
        return (Some(name), text.trim_start());
    }
    (None, rest)
}

fn is_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().count() <= 32
        && name.split(' ').count() <= 3
        && !name.starts_with(' ')
        && !name.ends_with(' ')
        && name.chars().all(|c| c.is_alphanumeric() || " ._-'@".contains(c))
}

/// `127.0.0.1 - frank [26/Nov/2026:14:32:01 +0000] "GET / HTTP/1.1" 500 12 "-" "curl/8.5"`.
fn web(line: &str) -> Option<Stamped> {
    let open = line.find(" [")?;
    let who = &line[..open];
    if who.split(' ').count() != 3 || who.split(' ').any(str::is_empty) {
        return None;
    }
    let mut c = Cursor {
        s: line.as_bytes(),
        i: open + 2,
    };
    let d = c.digits(2, 2)?;
    c.eat(b'/')?;
    let mo = month(&mut c)?;
    c.eat(b'/')?;
    let y = c.digits(4, 4)?;
    c.eat(b':')?;
    let time = c.clock(false, true)?;
    c.eat(b' ')?;
    let offset = c.numeric_offset(true)?;
    c.eat(b']')?;
    let naive = NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_time(time);
    let at = offset.from_local_datetime(&naive).single()?.with_timezone(&Utc);
    let rest = line[c.i..].trim();
    Some(Stamped::new(
        Ok(at),
        format!("{who} {rest}").trim_end().to_string(),
        None,
    ))
}
