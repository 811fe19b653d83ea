//! Small drawing helpers shared by the panes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Which zone times are shown in; `t` cycles through them. Storage is always UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZoneMode {
    Incident(Tz),
    Utc,
    Local(Tz),
}

impl ZoneMode {
    pub fn next(self, incident: Tz, local: Tz) -> ZoneMode {
        match self {
            ZoneMode::Incident(_) => ZoneMode::Utc,
            ZoneMode::Utc => ZoneMode::Local(local),
            ZoneMode::Local(_) => ZoneMode::Incident(incident),
        }
    }

    pub fn tz(self) -> Tz {
        match self {
            ZoneMode::Incident(z) | ZoneMode::Local(z) => z,
            ZoneMode::Utc => chrono_tz::UTC,
        }
    }

    /// Named in the header, so nobody misreads a time.
    pub fn label(self) -> String {
        match self {
            ZoneMode::Incident(z) => format!("times in {} (incident)", z.name()),
            ZoneMode::Utc => "times in UTC".into(),
            ZoneMode::Local(z) => format!("times in {} (local)", z.name()),
        }
    }

    /// `11-25 14:07` — the date matters in reviews that cross midnight.
    pub fn format_short(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz()).format("%m-%d %H:%M").to_string()
    }

    pub fn format_long(self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz()).format("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// A count for people: `100,000`.
///
/// ```
/// assert_eq!(debrief::tui::view::count(0), "0");
/// assert_eq!(debrief::tui::view::count(999), "999");
/// assert_eq!(debrief::tui::view::count(1000), "1,000");
/// assert_eq!(debrief::tui::view::count(100_000), "100,000");
/// assert_eq!(debrief::tui::view::count(1_234_567), "1,234,567");
/// ```
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Cuts `s` to `width` terminal columns, ending in `…` when anything was cut (never mid-character).
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Pads or cuts to exactly `width` columns.
pub fn fit(s: &str, width: usize) -> String {
    let t = truncate(s, width);
    let w = t.width();
    format!("{t}{}", " ".repeat(width.saturating_sub(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_ends_in_an_ellipsis_and_respects_wide_characters() {
        assert_eq!(truncate("rolled back", 20), "rolled back");
        assert_eq!(truncate("rolled back", 8), "rolled …");
        assert_eq!(truncate("漢字漢字", 5), "漢字…");
        assert_eq!(truncate("abc", 0), "");
        assert_eq!(fit("ab", 4), "ab  ");
    }
}
