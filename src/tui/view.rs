//! Small drawing helpers shared by the panes.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
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

/// Draws a wrapped paragraph so that it can never write outside `area`. ratatui 0.30's
/// `Paragraph::wrap` can emit a line wider than its area (a double-width grapheme that does not
/// fit the cells left on a row, a grapheme that starts with a combining mark: ratatui#2679) and
/// then indexes past the buffer, a panic on ordinary emoji in a cause's notes. The paragraph is
/// drawn into a scratch buffer wider than the area, holding what the area held, and copied
/// back cut to the area; a wide grapheme cut at the right edge becomes a space.
pub fn render_wrapped(paragraph: ratatui::widgets::Paragraph<'_>, area: Rect, buf: &mut Buffer) {
    use ratatui::widgets::Widget;
    let area = area.intersection(buf.area);
    if area.is_empty() {
        return;
    }
    let spare = area.width.saturating_mul(2).saturating_add(8);
    let mut scratch = Buffer::empty(Rect::new(0, 0, area.width.saturating_add(spare), area.height));
    for y in 0..area.height {
        for x in 0..area.width {
            scratch[(x, y)] = buf[(area.x + x, area.y + y)].clone();
        }
    }
    paragraph.render(Rect::new(0, 0, area.width, area.height), &mut scratch);
    for y in 0..area.height {
        for x in 0..area.width {
            let mut cell = scratch[(x, y)].clone();
            if x + 1 == area.width && cell.symbol().width() > 1 {
                cell.set_symbol(" ");
            }
            buf[(area.x + x, area.y + y)] = cell;
        }
    }
}

#[cfg(test)]
mod wrapped_tests {
    use super::*;
    use ratatui::text::Line;
    use ratatui::widgets::{Paragraph, Wrap};

    /// ratatui#2679: these panic in `Paragraph::wrap` at some widths ("index outside of buffer");
    /// drawn through `render_wrapped` they never do, and nothing outside the area changes.
    #[test]
    fn wide_and_combining_graphemes_never_write_outside_the_area() {
        let texts = [
            "a🌞b",
            "\u{301}abc\u{301}def ghi",
            "a🏳\u{fe0f}\u{200d}🌈🏳\u{fe0f}\u{200d}🌈🏳\u{fe0f}\u{200d}🌈 漢字漢字 かなカナ",
            "🏳\u{fe0f}🌈עברית🏳\u{fe0f}🌈a漢字\tab🏳\u{fe0f}🌈全角ＡＢＣ🏳\u{fe0f}🌈ᄀᄀᄀ각漢字漢字漢字かなカナ",
        ];
        let mut raw_panics = 0;
        for text in texts {
            for width in 1..100u16 {
                for trim in [false, true] {
                    let p = || Paragraph::new(vec![Line::from(text), Line::from(text)]).wrap(Wrap { trim });
                    let whole = Rect::new(0, 0, width + 4, 12);
                    let area = Rect::new(2, 1, width, 10);
                    let mut buf = Buffer::empty(whole);
                    for (x, y) in [(0, 0), (width + 2, 5), (width + 3, 11), (1, 11)] {
                        buf[(x, y)].set_symbol("#");
                    }
                    render_wrapped(p(), area, &mut buf);
                    for y in 0..whole.height {
                        for x in 0..whole.width {
                            if !area.contains((x, y).into()) {
                                let s = buf[(x, y)].symbol();
                                assert!(s == " " || s == "#", "{text:?} at width {width}: ({x},{y}) = {s:?}");
                            }
                        }
                    }
                    let mut plain = Buffer::empty(Rect::new(0, 0, width, 10));
                    let plain_area = plain.area;
                    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        ratatui::widgets::Widget::render(p(), plain_area, &mut plain)
                    }))
                    .is_err()
                    {
                        raw_panics += 1;
                    }
                }
            }
        }
        // The guard is needed: ratatui's own rendering panics on some of these.
        assert!(
            raw_panics > 0,
            "ratatui no longer panics on these; render_wrapped may go"
        );
    }
}
