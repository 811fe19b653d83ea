//! Reading the times people type: `14:32`, `yesterday 23:10`, `-5m`, RFC 3339 and friends.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Timelike,
    Utc, Weekday,
};
use chrono_tz::Tz;

/// The forms a time may take, for error messages and help.
pub const ACCEPTED_TIMES: &str = "14:32, 14:32:05, yesterday 23:10, 2026-11-26 14:32, \
2026-11-26T14:32Z (RFC 3339), now, -5m, -2h, +3m";

pub const ACCEPTED_DUE: &str = "2026-12-05, +7d, +2w, today, tomorrow, mon..sun";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("cannot read time \"{0}\" (accepted: {ACCEPTED_TIMES})")]
    Unreadable(String),
    /// A wall-clock time the clocks jump over: `02:30 does not exist on Sun 29 Mar 2026 in
    /// Europe/Berlin (clocks jump from 02:00 to 03:00)`.
    #[error("{0}")]
    Skipped(Box<SkippedTime>),
    #[error("time \"{0}\" is relative to the selected event, and there is none")]
    NoAnchor(String),
    #[error("cannot read date \"{0}\" (accepted: {ACCEPTED_DUE})")]
    UnreadableDate(String),
    #[error("unknown time zone \"{0}\" (use an IANA name such as Europe/Berlin or UTC)")]
    UnknownZone(String),
    #[error("time \"{0}\" is out of range (debrief stores the years 1 to 9999)")]
    OutOfRange(String),
}

/// A wall-clock time that does not exist: the time, its date, the zone and the jump.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{time} does not exist on {date} in {zone} ({gap})")]
pub struct SkippedTime {
    pub time: String,
    pub date: String,
    pub zone: String,
    pub gap: String,
}

/// The years debrief stores times in: those a time can be typed in (four digits). Every stored
/// instant is then far from the ends of chrono's calendar, where adding a second overflows.
pub const STORED_YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// An instant the store accepts: within [`STORED_YEARS`].
pub fn check_stored(t: DateTime<Utc>) -> Result<(), TimeError> {
    if STORED_YEARS.contains(&t.year()) {
        Ok(())
    } else {
        Err(TimeError::OutOfRange(t.to_rfc3339()))
    }
}

/// What a typed time is read against.
#[derive(Debug, Clone, Copy)]
pub struct TimeContext {
    /// The zone wall-clock times are read in: the incident's for typed times, the file's (the
    /// importing machine's, or `--zone`) for stamps without an offset in an imported file.
    pub zone: Tz,
    pub now: DateTime<Utc>,
    /// What `+3m` counts from: the selected event, or the latest one.
    pub anchor: Option<DateTime<Utc>>,
    /// The incident's span: a time of day without a date (`14:32`, a chat line's `[14:32]`) goes
    /// on a date inside it (see [`time_of_day`]). `None` when the incident has no start yet: the
    /// span is then everything up to now.
    pub span: Option<Span>,
}

impl TimeContext {
    /// A context without an anchor or a span: a time of day is the latest one not in the future.
    pub fn at(zone: Tz, now: DateTime<Utc>) -> TimeContext {
        TimeContext {
            zone,
            now,
            anchor: None,
            span: None,
        }
    }
}

/// The stretch of time an incident's times of day are placed in: from impact start (else the
/// incident's start, else its first event) to its last event, or to now while it is unresolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: DateTime<Utc>,
    /// The last event once the incident is resolved; `None` while it runs (the span ends now).
    pub end: Option<DateTime<Utc>>,
}

/// Reads an IANA zone name: surrounding blanks are ignored and any case is accepted
/// (`europe/berlin `). `Tz::name` is then the canonical spelling, which is what is stored.
pub fn parse_zone(name: &str) -> Result<Tz, TimeError> {
    let wanted = name.trim();
    wanted
        .parse::<Tz>()
        .ok()
        .or_else(|| {
            chrono_tz::TZ_VARIANTS
                .iter()
                .find(|tz| tz.name().eq_ignore_ascii_case(wanted))
                .copied()
        })
        .ok_or_else(|| TimeError::UnknownZone(crate::model::sanitize::clean_line(name)))
}

/// Reads one time.
pub fn parse_time(input: &str, ctx: &TimeContext) -> Result<DateTime<Utc>, TimeError> {
    let s = input.trim();
    let tokens: Vec<&str> = s.split_whitespace().collect();
    match tokens.as_slice() {
        [one] => parse_one_token(one, ctx).unwrap_or_else(|| Err(TimeError::Unreadable(s.into()))),
        [a, b] => parse_two_tokens(a, b, ctx).unwrap_or_else(|| Err(TimeError::Unreadable(s.into()))),
        _ => Err(TimeError::Unreadable(s.into())),
    }
}

/// Splits a quick entry such as `14:32 rolled back the release` into its time and its text.
/// With no leading time the entry happens now.
pub fn split_quick_entry(input: &str, ctx: &TimeContext) -> Result<(DateTime<Utc>, String), TimeError> {
    let trimmed = input.trim_start();
    let mut words = trimmed.splitn(3, char::is_whitespace);
    let first = words.next().unwrap_or("");
    let second = words.next();
    let rest_after = |n: usize| -> String {
        trimmed
            .splitn(n + 1, char::is_whitespace)
            .nth(n)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    if let Some(second) = second
        && let Some(result) = parse_two_tokens(first, second, ctx)
    {
        return result.map(|t| (t, rest_after(2)));
    }
    if let Some(result) = parse_one_token(first, ctx) {
        return result.map(|t| (t, rest_after(1)));
    }
    Ok((ctx.now, trimmed.trim().to_string()))
}

/// `None` means "this is not a time at all" (so it can be text); `Some(Err)` means it looks like a
/// time but cannot be one (a skipped wall-clock time, a `+` without an anchor).
fn parse_one_token(tok: &str, ctx: &TimeContext) -> Option<Result<DateTime<Utc>, TimeError>> {
    if tok.eq_ignore_ascii_case("now") {
        return Some(Ok(ctx.now));
    }
    let out_of_range = || TimeError::OutOfRange(tok.to_string());
    if let Some(rest) = tok.strip_prefix('-') {
        let d = parse_span(rest)?;
        return Some(ctx.now.checked_sub_signed(d).ok_or_else(out_of_range));
    }
    if let Some(rest) = tok.strip_prefix('+') {
        let d = parse_span(rest)?;
        return Some(match ctx.anchor {
            Some(anchor) => anchor.checked_add_signed(d).ok_or_else(out_of_range),
            None => Err(TimeError::NoAnchor(tok.to_string())),
        });
    }
    if let Some(t) = parse_clock(tok) {
        return Some(time_of_day(t, ctx, tok));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(tok) {
        return Some(Ok(t.with_timezone(&Utc)));
    }
    // RFC 3339 without seconds: 2026-11-26T14:32Z, 2026-11-26T14:32+01:00
    for fmt in ["%Y-%m-%dT%H:%M%#z", "%Y-%m-%dT%H:%M%:z"] {
        if let Ok(t) = DateTime::parse_from_str(tok, fmt) {
            return Some(Ok(t.with_timezone(&Utc)));
        }
    }
    if let Some(rest) = tok.strip_suffix(['Z', 'z'])
        && let Some(naive) = parse_naive_datetime(rest)
    {
        return Some(Ok(Utc.from_utc_datetime(&naive)));
    }
    // A date and time without offset: read in the incident's zone.
    let naive = parse_naive_datetime(tok)?;
    Some(local_to_utc(naive, ctx.zone, tok))
}

fn parse_two_tokens(a: &str, b: &str, ctx: &TimeContext) -> Option<Result<DateTime<Utc>, TimeError>> {
    let input = format!("{a} {b}");
    let t = parse_clock(b)?;
    let relative = if a.eq_ignore_ascii_case("today") {
        Some(0)
    } else if a.eq_ignore_ascii_case("yesterday") {
        Some(1)
    } else {
        None
    };
    let day = match relative {
        Some(back) => match local_today(ctx).and_then(|d| d.checked_sub_days(Days::new(back))) {
            Some(day) => day,
            None => return Some(Err(TimeError::OutOfRange(input))),
        },
        None => NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()?,
    };
    Some(local_to_utc(day.and_time(t), ctx.zone, &input))
}

/// A time of day without a date as an instant, in the context's zone: the one rule of every
/// entry path (quick-add, the event form, `debrief log`, imports). It goes on a date that puts it
/// inside the incident's [`Span`], the latest such date that is not in the future; when no date
/// puts it inside, on the date nearest the span. In a repeated hour the earlier instant is meant;
/// a time the clocks skip on that date is an error naming the gap.
pub fn time_of_day(t: NaiveTime, ctx: &TimeContext, input: &str) -> Result<DateTime<Utc>, TimeError> {
    match day_for(t, ctx) {
        Some(day) => local_to_utc(day.and_time(t), ctx.zone, input),
        None => Err(TimeError::OutOfRange(input.to_string())),
    }
}

/// The date [`time_of_day`] puts `t` on (`None` only at the very ends of the calendar).
fn day_for(t: NaiveTime, ctx: &TimeContext) -> Option<NaiveDate> {
    let zone = ctx.zone;
    let at = |day: NaiveDate| roughly(day.and_time(t), zone);
    let (start, end) = match ctx.span {
        Some(span) => (Some(span.start), span.end.unwrap_or(ctx.now).max(span.start)),
        None => (None, ctx.now),
    };
    // Inside the span and not in the future: the latest date whose time is not after `upper`.
    let upper = end.min(ctx.now);
    if start.is_none_or(|start| upper >= start) {
        let last = local_date(upper, zone)?;
        let latest = std::iter::successors(Some(last), |d| d.pred_opt())
            .take(3)
            .find(|d| at(*d).is_some_and(|i| i <= upper));
        if let Some(day) = latest
            && start.is_none_or(|start| at(day).is_some_and(|i| i >= start))
        {
            return Some(day);
        }
    }
    // No such date: the one nearest the span (the earlier of two as near).
    let start = start?;
    let distance = |i: DateTime<Utc>| {
        if i < start {
            start - i
        } else if i > end {
            i - end
        } else {
            Duration::zero()
        }
    };
    [start, upper, end]
        .into_iter()
        .filter_map(|i| local_date(i, zone))
        .flat_map(|d| [d.pred_opt(), Some(d), d.succ_opt()])
        .flatten()
        .filter_map(|d| at(d).map(|i| (distance(i), i, d)))
        .min_by_key(|(distance, i, _)| (*distance, *i))
        .map(|(_, _, d)| d)
}

/// The date of an instant in a zone.
fn local_date(t: DateTime<Utc>, zone: Tz) -> Option<NaiveDate> {
    let utc = t.naive_utc();
    let offset = zone.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_offset(offset).map(|t| t.date())
}

/// A wall-clock time as an instant for choosing its date: the earlier of a repeated hour, and a
/// time the clocks skip read with the offset before the jump.
fn roughly(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<Utc>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&Utc)),
        LocalResult::None => {
            let before = zone
                .offset_from_utc_datetime(&naive.checked_sub_signed(Duration::days(1))?)
                .fix();
            naive.checked_sub_offset(before).map(|t| t.and_utc())
        }
    }
}

/// An instant as the console and the CLI say where a typed time went: `Sat 29 Nov 13:58 CET`,
/// with the seconds when there are any and the year when it is not the current one.
pub fn describe(t: DateTime<Utc>, zone: Tz, now: DateTime<Utc>) -> String {
    let local = t.with_timezone(&zone);
    let clock = if local.second() == 0 && local.nanosecond() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    let year = if local_date(now, zone).is_some_and(|today| today.year() == local.year()) {
        ""
    } else {
        " %Y"
    };
    local.format(&format!("%a %-d %b{year} {clock} %Z")).to_string()
}

/// Today's date in the context's zone (`None` only at the very ends of the calendar).
fn local_today(ctx: &TimeContext) -> Option<NaiveDate> {
    local_date(ctx.now, ctx.zone)
}

/// A time of day: `H:MM` or `HH:MM`, optionally `:SS` and a fraction. Minutes and seconds need
/// two digits, so that a ratio such as `3:1` or `10:1` stays text.
fn parse_clock(tok: &str) -> Option<NaiveTime> {
    let digits = |s: &str, len: std::ops::RangeInclusive<usize>| {
        if len.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse::<u32>().ok()
        } else {
            None
        }
    };
    let mut parts = tok.splitn(3, ':');
    let hours = digits(parts.next()?, 1..=2)?;
    let minutes = digits(parts.next()?, 2..=2)?;
    let (seconds, nanos) = match parts.next() {
        None => (0, 0),
        Some(s) => {
            let (whole, fraction) = match s.split_once('.') {
                Some((whole, fraction)) => (whole, Some(fraction)),
                None => (s, None),
            };
            let nanos = match fraction {
                None => 0,
                Some(f) => digits(f, 1..=9)? * 10u32.pow(9 - f.len() as u32),
            };
            (digits(whole, 2..=2)?, nanos)
        }
    };
    NaiveTime::from_hms_nano_opt(hours, minutes, seconds, nanos)
}

fn parse_naive_datetime(tok: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(tok, f).ok())
}

/// `5m`, `2h`, `90s`, `1h30m`, `3d`.
fn parse_span(s: &str) -> Option<Duration> {
    if s.is_empty() || !s.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let std = humantime::parse_duration(s).ok()?;
    Duration::from_std(std).ok()
}

/// A wall-clock time in a zone. In the hour the clocks go back, the earlier of the two instants
/// is meant; a time the clocks skip is an error rather than a silent shift.
pub fn local_to_utc(naive: NaiveDateTime, zone: Tz, input: &str) -> Result<DateTime<Utc>, TimeError> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(t) => Ok(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, _) => Ok(earliest.with_timezone(&Utc)),
        // The zone knows this wall-clock time, but in UTC it falls off the end of the calendar.
        LocalResult::None if zone.offset_from_local_datetime(&naive) != LocalResult::None => {
            Err(TimeError::OutOfRange(input.to_string()))
        }
        LocalResult::None => Err(skipped(naive, zone)),
    }
}

/// The error for a wall-clock time the clocks skip, naming the date and the jump.
fn skipped(naive: NaiveDateTime, zone: Tz) -> TimeError {
    let time = naive.time();
    let clock = if time.second() == 0 && time.nanosecond() == 0 {
        "%H:%M"
    } else {
        "%H:%M:%S"
    };
    let gap = match gap_around(naive, zone) {
        Some((from, to)) => format!("clocks jump from {} to {}", from.format("%H:%M"), to.format("%H:%M")),
        None => "the clocks skip it".to_string(),
    };
    TimeError::Skipped(Box::new(SkippedTime {
        time: time.format(clock).to_string(),
        date: naive.date().format("%a %-d %b %Y").to_string(),
        zone: zone.name().to_string(),
        gap,
    }))
}

/// The wall-clock times a skipped time lies between: the clock reads the first just before the
/// jump and the second just after it (`02:00` and `03:00` in Berlin in March).
fn gap_around(naive: NaiveDateTime, zone: Tz) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let offset_at = |utc: NaiveDateTime| zone.offset_from_utc_datetime(&utc).fix();
    let before = offset_at(naive.checked_sub_signed(Duration::days(1))?);
    let after = offset_at(naive.checked_add_signed(Duration::days(1))?);
    if after.local_minus_utc() <= before.local_minus_utc() {
        return None;
    }
    // The jump lies between the wall-clock time read with the later offset and with the earlier.
    let mut lo = naive.checked_sub_offset(after)?.and_utc().timestamp();
    let mut hi = naive.checked_sub_offset(before)?.and_utc().timestamp();
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if offset_at(DateTime::from_timestamp(mid, 0)?.naive_utc()) == after {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let jump = DateTime::from_timestamp(lo, 0)?.naive_utc();
    Some((jump.checked_add_offset(before)?, jump.checked_add_offset(after)?))
}

/// Reads a due date: `2026-12-05`, `+7d`, `+2w`, `today`, `tomorrow`, or a weekday (the next one).
pub fn parse_due(input: &str, today: NaiveDate) -> Result<NaiveDate, TimeError> {
    let s = input.trim().to_lowercase();
    let bad = || TimeError::UnreadableDate(input.trim().to_string());
    if let Ok(d) = NaiveDate::parse_from_str(&s, "%Y-%m-%d") {
        return Ok(d);
    }
    match s.as_str() {
        "today" => return Ok(today),
        "tomorrow" => return today.succ_opt().ok_or_else(bad),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix('+') {
        let (num, unit) = rest.split_at(rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len()));
        let n: i64 = num.parse().map_err(|_| bad())?;
        let days = match unit {
            "" | "d" | "day" | "days" => n,
            "w" | "week" | "weeks" => n.checked_mul(7).ok_or_else(bad)?,
            _ => return Err(bad()),
        };
        return Duration::try_days(days)
            .and_then(|d| today.checked_add_signed(d))
            .ok_or_else(bad);
    }
    if let Ok(wd) = s.parse::<Weekday>() {
        let ahead = (7 + wd.num_days_from_monday() as i64 - today.weekday().num_days_from_monday() as i64) % 7;
        let ahead = if ahead == 0 { 7 } else { ahead };
        return today.checked_add_signed(Duration::days(ahead)).ok_or_else(bad);
    }
    Err(bad())
}

/// A duration the way a review talks about it: `47s`, `12m`, `1h 05m`, `2d 3h`.
pub fn format_span(d: Duration) -> String {
    format_seconds(d.num_seconds())
}

/// [`format_span`] of a number of seconds: any `i64`, also one no `Duration` can hold (a count
/// read from a file or the database is never turned into a `Duration`, which would panic).
pub fn format_seconds(secs: i64) -> String {
    let sign = if secs < 0 { "-" } else { "" };
    let secs = secs.unsigned_abs();
    let (days, hours, mins) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if days > 0 {
        format!("{sign}{days}d {hours}h")
    } else if hours > 0 {
        format!("{sign}{hours}h {mins:02}m")
    } else if mins > 0 {
        format!("{sign}{mins}m")
    } else {
        format!("{sign}{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn ctx(zone: &str, now: &str) -> TimeContext {
        TimeContext {
            zone: zone.parse().unwrap(),
            now: utc(now),
            anchor: Some(utc("2026-11-26T10:00:00Z")),
            span: None,
        }
    }

    /// A context for the rule: Berlin, `now`, and a span from `start` to `end` (`None`: to now).
    fn span(now: &str, start: &str, end: Option<&str>) -> TimeContext {
        TimeContext {
            span: Some(Span {
                start: utc(start),
                end: end.map(utc),
            }),
            ..ctx("Europe/Berlin", now)
        }
    }

    fn check(ctx: &TimeContext, cases: &[(&str, &str)]) {
        for (input, want) in cases {
            assert_eq!(parse_time(input, ctx), Ok(utc(want)), "{input}");
            let (at, text) = split_quick_entry(&format!("{input} paged"), ctx).unwrap();
            assert_eq!((at, text.as_str()), (utc(want), "paged"), "quick entry {input}");
        }
    }

    /// A resolved incident of Sat 29 Nov (Berlin, 13:00 to 15:00), reviewed on Monday morning:
    /// a time inside the span goes on its day; one before or after on the date nearest.
    #[test]
    fn a_time_of_day_goes_inside_a_resolved_incidents_span() {
        let c = span(
            "2026-12-01T08:00:00Z",
            "2026-11-29T12:00:00Z",
            Some("2026-11-29T14:00:00Z"),
        );
        check(
            &c,
            &[
                // inside
                ("13:58", "2026-11-29T12:58:00Z"),
                ("13:00", "2026-11-29T12:00:00Z"),
                ("15:00", "2026-11-29T14:00:00Z"),
                // before: the deploy that morning, not the evening before
                ("09:10", "2026-11-29T08:10:00Z"),
                // after: that evening, not the morning before
                ("19:30", "2026-11-29T18:30:00Z"),
                // nearer the next morning than the morning of the 29th
                ("01:30", "2026-11-30T00:30:00Z"),
                // eleven hours either side: the earlier
                ("02:00", "2026-11-29T01:00:00Z"),
            ],
        );
        // Without a span (an incident with no start and no events): the latest not in the future.
        let none = ctx("Europe/Berlin", "2026-12-01T08:00:00Z"); // 09:00 in Berlin
        check(
            &none,
            &[("08:59", "2026-12-01T07:59:00Z"), ("13:58", "2026-11-30T12:58:00Z")],
        );
    }

    /// An incident still running since 22:30 yesterday, at 01:00: times before midnight go on
    /// yesterday, after it on today, and nothing lands in the future when a date inside exists.
    #[test]
    fn an_unresolved_incident_spans_midnight_to_now() {
        let c = span("2026-11-30T00:00:00Z", "2026-11-29T21:30:00Z", None);
        check(
            &c,
            &[
                ("22:30", "2026-11-29T21:30:00Z"),
                ("23:59", "2026-11-29T22:59:00Z"),
                ("00:20", "2026-11-29T23:20:00Z"),
                ("01:00", "2026-11-30T00:00:00Z"),
                // a minute ahead of now: no date inside, the nearest is ahead rather than a day back
                ("01:01", "2026-11-30T00:01:00Z"),
                // before the start, that afternoon
                ("17:00", "2026-11-29T16:00:00Z"),
            ],
        );
        // The next morning, still open: 13:58 is yesterday's (today's is still to come).
        let next = span("2026-11-30T08:00:00Z", "2026-11-29T12:00:00Z", None);
        check(
            &next,
            &[("13:58", "2026-11-29T12:58:00Z"), ("08:30", "2026-11-30T07:30:00Z")],
        );
    }

    /// A resolved incident whose last event lies ahead (a planned follow-up): the future is
    /// excluded while a date inside the span is not in it.
    #[test]
    fn the_future_is_excluded() {
        let c = span(
            "2026-11-30T09:00:00Z",
            "2026-11-28T12:00:00Z",
            Some("2026-12-05T12:00:00Z"),
        );
        check(
            &c,
            &[
                ("09:00", "2026-11-30T08:00:00Z"),
                ("10:30", "2026-11-29T09:30:00Z"),
                ("23:00", "2026-11-29T22:00:00Z"),
            ],
        );
        // A span wholly ahead (a start typed in the future): the date nearest it.
        let ahead = span("2026-11-30T09:00:00Z", "2026-12-02T12:00:00Z", None);
        check(
            &ahead,
            &[("13:58", "2026-12-02T12:58:00Z"), ("11:00", "2026-12-02T10:00:00Z")],
        );
    }

    /// On the date chosen, a time the clocks skip is refused naming the gap; a repeated hour
    /// takes the earlier instant.
    #[test]
    fn daylight_saving_on_the_chosen_date() {
        let spring = span("2026-03-29T08:00:00Z", "2026-03-28T22:00:00Z", None);
        let err = parse_time("02:30", &spring).unwrap_err();
        assert_eq!(
            err.to_string(),
            "02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin (clocks jump from 02:00 to 03:00)"
        );
        assert_eq!(split_quick_entry("02:30 paged", &spring), Err(err));
        check(
            &spring,
            &[("01:59", "2026-03-29T00:59:00Z"), ("03:00", "2026-03-29T01:00:00Z")],
        );
        let autumn = span("2026-10-25T08:00:00Z", "2026-10-24T22:00:00Z", None);
        check(
            &autumn,
            &[("02:30", "2026-10-25T00:30:00Z"), ("03:30", "2026-10-25T02:30:00Z")],
        );
        // New York jumps at 02:00 too, on another date; a whole date typed is refused the same way.
        let ny = ctx("America/New_York", "2026-11-26T12:00:00Z");
        assert_eq!(
            parse_time("2026-03-08 02:30:15", &ny).unwrap_err().to_string(),
            "02:30:15 does not exist on Sun 8 Mar 2026 in America/New_York (clocks jump from 02:00 to 03:00)"
        );
        // Lord Howe moves its clocks by half an hour.
        let lh = ctx("Australia/Lord_Howe", "2026-11-26T12:00:00Z");
        assert_eq!(
            parse_time("2026-10-04 02:10", &lh).unwrap_err().to_string(),
            "02:10 does not exist on Sun 4 Oct 2026 in Australia/Lord_Howe (clocks jump from 02:00 to 02:30)"
        );
    }

    #[test]
    fn describe_names_the_day_and_zone() {
        let now = utc("2026-11-30T09:00:00Z");
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        assert_eq!(
            describe(utc("2026-11-29T12:58:00Z"), berlin, now),
            "Sun 29 Nov 13:58 CET"
        );
        assert_eq!(
            describe(utc("2026-11-29T12:58:05Z"), berlin, now),
            "Sun 29 Nov 13:58:05 CET"
        );
        assert_eq!(
            describe(utc("2025-07-01T12:00:00Z"), berlin, now),
            "Tue 1 Jul 2025 14:00 CEST"
        );
        // The ends of the calendar, in zones far from UTC: words, not a panic.
        for zone in [chrono_tz::Pacific::Kiritimati, chrono_tz::Pacific::Niue] {
            for (t, now) in [
                (DateTime::<Utc>::MAX_UTC, DateTime::<Utc>::MIN_UTC),
                (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC),
            ] {
                assert!(!describe(t, zone, now).is_empty());
            }
        }
    }

    #[test]
    fn table_of_inputs_and_instants() {
        let berlin = ctx("Europe/Berlin", "2026-11-26T15:00:00Z"); // 16:00 in Berlin
        let cases = [
            ("14:32", "2026-11-26T13:32:00Z"),
            ("14:32:05", "2026-11-26T13:32:05Z"),
            ("yesterday 23:10", "2026-11-25T22:10:00Z"),
            ("today 09:00", "2026-11-26T08:00:00Z"),
            ("2026-11-20 14:32", "2026-11-20T13:32:00Z"),
            ("2026-11-20T14:32", "2026-11-20T13:32:00Z"),
            ("2026-11-26T14:32Z", "2026-11-26T14:32:00Z"),
            ("2026-11-26T14:32:09Z", "2026-11-26T14:32:09Z"),
            ("2026-11-26T14:32:09.250+02:00", "2026-11-26T12:32:09.250Z"),
            ("2026-11-26T14:32+01:00", "2026-11-26T13:32:00Z"),
            ("now", "2026-11-26T15:00:00Z"),
            ("-5m", "2026-11-26T14:55:00Z"),
            ("-2h", "2026-11-26T13:00:00Z"),
            ("-1h30m", "2026-11-26T13:30:00Z"),
            ("+3m", "2026-11-26T10:03:00Z"),
        ];
        for (input, want) in cases {
            assert_eq!(parse_time(input, &berlin), Ok(utc(want)), "input {input}");
        }
    }

    #[test]
    fn today_means_today_in_the_incident_zone_not_in_utc() {
        // 23:30 UTC on the 26th is already the 27th in Tokyo.
        let tokyo = ctx("Asia/Tokyo", "2026-11-26T23:30:00Z");
        assert_eq!(parse_time("08:00", &tokyo), Ok(utc("2026-11-26T23:00:00Z")));
        assert_eq!(parse_time("yesterday 09:00", &tokyo), Ok(utc("2026-11-26T00:00:00Z")));
    }

    #[test]
    fn daylight_saving_edges() {
        // Berlin: clocks go forward 2026-03-29 02:00 -> 03:00, back 2026-10-25 03:00 -> 02:00.
        let c = ctx("Europe/Berlin", "2026-11-26T12:00:00Z");
        assert_eq!(parse_time("2026-03-29 01:59", &c), Ok(utc("2026-03-29T00:59:00Z")));
        assert_eq!(parse_time("2026-03-29 03:00", &c), Ok(utc("2026-03-29T01:00:00Z")));
        assert!(matches!(parse_time("2026-03-29 02:30", &c), Err(TimeError::Skipped(_))));
        // 02:30 happens twice on 25 October: the first (still summer time, UTC+2) is meant.
        assert_eq!(parse_time("2026-10-25 02:30", &c), Ok(utc("2026-10-25T00:30:00Z")));
        assert_eq!(parse_time("2026-10-25 03:30", &c), Ok(utc("2026-10-25T02:30:00Z")));
        // New York, same rules on other dates.
        let ny = ctx("America/New_York", "2026-11-26T12:00:00Z");
        assert_eq!(parse_time("2026-11-01 01:30", &ny), Ok(utc("2026-11-01T05:30:00Z")));
        assert!(parse_time("2026-03-08 02:30", &ny).is_err());
        // A clock time on a DST day: "today" in the zone, with that day's offset.
        let summer_day = ctx("Europe/Berlin", "2026-03-29T12:00:00Z");
        assert_eq!(parse_time("01:00", &summer_day), Ok(utc("2026-03-29T00:00:00Z")));
        assert_eq!(parse_time("04:00", &summer_day), Ok(utc("2026-03-29T02:00:00Z")));
    }

    #[test]
    fn bad_times_are_errors_naming_the_input_and_forms() {
        let c = ctx("UTC", "2026-11-26T12:00:00Z");
        for bad in [
            "25:99",
            "",
            "tomorrowish",
            "14:32 extra words",
            "2026-13-01 10:00",
            "-5x",
            "+",
        ] {
            let err = parse_time(bad, &c).unwrap_err().to_string();
            assert!(err.contains("cannot read time"), "{bad}: {err}");
            assert!(err.contains("14:32:05"), "{bad}: {err}");
        }
        let no_anchor = TimeContext { anchor: None, ..c };
        assert!(matches!(parse_time("+3m", &no_anchor), Err(TimeError::NoAnchor(_))));
    }

    #[test]
    fn quick_entries_split_into_time_and_text() {
        let c = ctx("Europe/Berlin", "2026-11-26T15:00:00Z");
        let cases = [
            (
                "14:32 rolled back the release",
                "2026-11-26T13:32:00Z",
                "rolled back the release",
            ),
            ("14:32:05 paged", "2026-11-26T13:32:05Z", "paged"),
            ("yesterday 23:10 first alert", "2026-11-25T22:10:00Z", "first alert"),
            ("2026-11-26T14:32Z db failover", "2026-11-26T14:32:00Z", "db failover"),
            ("2026-11-20 08:15 deploy 2.3", "2026-11-20T07:15:00Z", "deploy 2.3"),
            ("-5m restarted api", "2026-11-26T14:55:00Z", "restarted api"),
            ("+3m second page", "2026-11-26T10:03:00Z", "second page"),
            ("restarted api", "2026-11-26T15:00:00Z", "restarted api"),
            ("5 pods restarted", "2026-11-26T15:00:00Z", "5 pods restarted"),
            ("today is bad", "2026-11-26T15:00:00Z", "today is bad"),
        ];
        for (input, when, text) in cases {
            assert_eq!(
                split_quick_entry(input, &c),
                Ok((utc(when), text.to_string())),
                "{input}"
            );
        }
        assert!(split_quick_entry("2026-03-29 02:30 skipped", &c).is_err());
    }

    /// A leading time needs two-digit minutes: ratios and one-digit minutes are text, in the
    /// shell's `debrief log` and the console's quick entry alike (both split with this).
    #[test]
    fn ratios_are_text_not_times() {
        let c = ctx("Europe/Berlin", "2026-11-26T15:00:00Z");
        let now = utc("2026-11-26T15:00:00Z");
        for input in [
            "3:1 ratio of reads to writes",
            "1:1 with the vendor",
            "10:1 overcommit",
            "14:3 one-digit minutes",
            "14:32:5 one-digit seconds",
            "014:32 three-digit hours",
            "14:320 three-digit minutes",
            "yesterday 3:1 ratio",
            "1:1:1 nothing",
            "14:32:05. empty fraction",
        ] {
            assert_eq!(split_quick_entry(input, &c), Ok((now, input.to_string())), "{input}");
        }
        for (input, when, text) in [
            ("3:01 early page", "2026-11-26T02:01:00Z", "early page"),
            ("14:32 ok", "2026-11-26T13:32:00Z", "ok"),
            ("14:32:05 ok", "2026-11-26T13:32:05Z", "ok"),
            ("14:32:05.250 ok", "2026-11-26T13:32:05.250Z", "ok"),
            ("yesterday 3:01 ok", "2026-11-25T02:01:00Z", "ok"),
        ] {
            assert_eq!(
                split_quick_entry(input, &c),
                Ok((utc(when), text.to_string())),
                "{input}"
            );
        }
        for bad in ["3:1", "10:1", "14:3"] {
            assert!(matches!(parse_time(bad, &c), Err(TimeError::Unreadable(_))), "{bad}");
        }
    }

    /// A zone is stored by its canonical name: blanks and case do not make another zone, and
    /// a name that is no zone is an error (it never becomes UTC).
    #[test]
    fn zone_names_are_read_canonical() {
        for (input, want) in [
            ("Europe/Berlin ", "Europe/Berlin"),
            ("  europe/berlin", "Europe/Berlin"),
            ("AMERICA/NEW_YORK", "America/New_York"),
            ("utc", "UTC"),
            ("EST5EDT", "EST5EDT"),
        ] {
            assert_eq!(parse_zone(input).map(|tz| tz.name()), Ok(want), "{input:?}");
        }
        for bad in ["Europe/Berlinn", "", "EST5EDT,M3.2.0,M11.1.0", "Europe/\u{1b}[2JBerlin"] {
            let err = parse_zone(bad).unwrap_err().to_string();
            assert!(err.starts_with("unknown time zone"), "{bad:?}: {err}");
            assert!(!err.contains('\u{1b}'), "{err}");
        }
    }

    #[test]
    fn due_dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(); // a Thursday
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(parse_due("2026-12-05", today), Ok(d("2026-12-05")));
        assert_eq!(parse_due("+7d", today), Ok(d("2026-12-03")));
        assert_eq!(parse_due("+2w", today), Ok(d("2026-12-10")));
        assert_eq!(parse_due("fri", today), Ok(d("2026-11-27")));
        assert_eq!(parse_due("Thursday", today), Ok(d("2026-12-03")));
        assert_eq!(parse_due("tomorrow", today), Ok(d("2026-11-27")));
        assert!(parse_due("soon", today).unwrap_err().to_string().contains("+7d"));
        assert!(parse_due("+99999999999999d", today).is_err());
    }

    #[test]
    fn spans() {
        assert_eq!(format_span(Duration::seconds(47)), "47s");
        assert_eq!(format_span(Duration::minutes(12)), "12m");
        assert_eq!(format_span(Duration::minutes(65)), "1h 05m");
        assert_eq!(format_span(Duration::hours(51)), "2d 3h");
        // Counts no Duration can hold are still words, not a panic.
        assert_eq!(format_seconds(10_000_000_000_000_000), "115740740740d 17h");
        assert_eq!(format_seconds(i64::MIN), "-106751991167300d 15h");
        assert_eq!(format_seconds(-47), "-47s");
    }
}
