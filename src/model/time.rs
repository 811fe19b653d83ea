//! Reading the times people type: `14:32`, `yesterday 23:10`, `-5m`, RFC 3339 and friends.

use chrono::{
    DateTime, Datelike, Days, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
    Weekday,
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
    #[error("time \"{input}\" does not exist in {zone} (the clocks skip it for daylight saving)")]
    Skipped { input: String, zone: String },
    #[error("time \"{0}\" is relative to the selected event, and there is none")]
    NoAnchor(String),
    #[error("cannot read date \"{0}\" (accepted: {ACCEPTED_DUE})")]
    UnreadableDate(String),
    #[error("unknown time zone \"{0}\" (use an IANA name such as Europe/Berlin or UTC)")]
    UnknownZone(String),
    #[error("time \"{0}\" is out of range (debrief stores the years 1 to 9999)")]
    OutOfRange(String),
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
    /// The incident's zone: wall-clock times are read in it.
    pub zone: Tz,
    pub now: DateTime<Utc>,
    /// What `+3m` counts from: the selected event, or the latest one.
    pub anchor: Option<DateTime<Utc>>,
    /// For imports: a time of day (`14:32`, a chat line's `[14:32]`) is read on the day that puts
    /// it closest to this instant, the incident's start, instead of today. A chat log imported
    /// the morning after lands on the incident's day, and one that runs past midnight stays in
    /// order.
    pub around: Option<DateTime<Utc>>,
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

/// A time of day as an instant, in the context's zone: today, or with [`TimeContext::around`] on
/// the day (the one before, the same or the one after) that puts it closest to that instant.
pub fn time_of_day(t: NaiveTime, ctx: &TimeContext, input: &str) -> Result<DateTime<Utc>, TimeError> {
    let day = match ctx.around {
        Some(around) => {
            let local = around.with_timezone(&ctx.zone).naive_local();
            let d = local.date();
            [d.pred_opt(), Some(d), d.succ_opt()]
                .into_iter()
                .flatten()
                .map(|day| day.and_time(t))
                .min_by_key(|candidate| (*candidate - local).num_seconds().abs())
                .map(|candidate| candidate.date())
        }
        None => local_today(ctx),
    };
    match day {
        Some(day) => local_to_utc(day.and_time(t), ctx.zone, input),
        None => Err(TimeError::OutOfRange(input.to_string())),
    }
}

/// Today's date in the context's zone (`None` only at the very ends of the calendar).
fn local_today(ctx: &TimeContext) -> Option<NaiveDate> {
    let utc = ctx.now.naive_utc();
    let offset = ctx.zone.offset_from_utc_datetime(&utc).fix();
    utc.checked_add_offset(offset).map(|t| t.date())
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
        LocalResult::None => Err(TimeError::Skipped {
            input: input.to_string(),
            zone: zone.name().to_string(),
        }),
    }
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
            around: None,
        }
    }

    /// Imports read a time of day on the day closest to the incident's start: before it on the
    /// same day, after midnight on the next, and never "today" the morning after.
    #[test]
    fn times_of_day_in_an_import_land_around_the_incident_start() {
        // Started 2026-11-26 22:30 in Berlin; imported on the 28th.
        let import = TimeContext {
            around: Some(utc("2026-11-26T21:30:00Z")),
            ..ctx("Europe/Berlin", "2026-11-28T08:00:00Z")
        };
        for (input, want) in [
            ("22:10", "2026-11-26T21:10:00Z"),
            ("23:59", "2026-11-26T22:59:00Z"),
            ("00:20", "2026-11-26T23:20:00Z"),
            ("04:00", "2026-11-27T03:00:00Z"),
            ("13:00", "2026-11-26T12:00:00Z"),
        ] {
            assert_eq!(parse_time(input, &import).unwrap(), utc(want), "{input}");
        }
        // Without a start to go by: today, as typed in the console.
        let today = ctx("Europe/Berlin", "2026-11-28T08:00:00Z");
        assert_eq!(parse_time("22:10", &today).unwrap(), utc("2026-11-28T21:10:00Z"));
        // A time the clocks skip on the chosen day is still an error naming it.
        let spring = TimeContext {
            around: Some(utc("2026-03-29T00:30:00Z")),
            ..ctx("Europe/Berlin", "2026-04-02T08:00:00Z")
        };
        assert!(matches!(parse_time("02:30", &spring), Err(TimeError::Skipped { .. })));
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
        assert_eq!(parse_time("09:00", &tokyo), Ok(utc("2026-11-27T00:00:00Z")));
        assert_eq!(parse_time("yesterday 09:00", &tokyo), Ok(utc("2026-11-26T00:00:00Z")));
    }

    #[test]
    fn daylight_saving_edges() {
        // Berlin: clocks go forward 2026-03-29 02:00 -> 03:00, back 2026-10-25 03:00 -> 02:00.
        let c = ctx("Europe/Berlin", "2026-11-26T12:00:00Z");
        assert_eq!(parse_time("2026-03-29 01:59", &c), Ok(utc("2026-03-29T00:59:00Z")));
        assert_eq!(parse_time("2026-03-29 03:00", &c), Ok(utc("2026-03-29T01:00:00Z")));
        assert!(matches!(
            parse_time("2026-03-29 02:30", &c),
            Err(TimeError::Skipped { .. })
        ));
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
