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

/// "1 action", "2 actions", "0 actions": a count and its noun, plural when not one.
///
/// ```
/// assert_eq!(debrief::tui::view::plural(1, "action"), "1 action");
/// assert_eq!(debrief::tui::view::plural(2, "event"), "2 events");
/// assert_eq!(debrief::tui::view::plural(0, "match"), "0 matches");
/// assert_eq!(debrief::tui::view::plural(1200, "event"), "1,200 events");
/// ```
pub fn plural(n: usize, noun: &str) -> String {
    let ending = match n {
        1 => "",
        _ if noun.ends_with("ch") || noun.ends_with('s') || noun.ends_with('x') => "es",
        _ => "s",
    };
    format!("{} {noun}{ending}", count(n))
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

/// Cuts each of `texts` to `width` columns so that texts that differ still read differently:
/// a text whose plain cut ([`truncate`]) would look like another's keeps its start and the
/// words from where they differ on ("Third-party system is c… no fix action" and "… no
/// monitoring action" instead of two "Third-party system is confirmed but ha…").
pub fn shorten_distinct(texts: &[String], width: usize) -> Vec<String> {
    let cut: Vec<String> = texts.iter().map(|t| truncate(t, width)).collect();
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let differ = (0..texts.len())
                .filter(|&j| j != i && cut[j] == cut[i] && texts[j] != *text)
                .map(|j| common_prefix(text, &texts[j]))
                .max();
            match differ {
                Some(at) => cut_middle(text, at, width),
                None => cut[i].clone(),
            }
        })
        .collect()
}

/// The byte length of the longest common start of `a` and `b`, at a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    a.char_indices()
        .zip(b.chars())
        .find(|((_, x), y)| x != y)
        .map(|((i, _), _)| i)
        .unwrap_or_else(|| a.len().min(b.len()))
}

/// `text` in `width` columns keeping its start and its end from the word holding byte
/// `differ` on: "start… end", or "…end…" when even the end does not fit.
fn cut_middle(text: &str, differ: usize, width: usize) -> String {
    let from = text[..differ].rfind(' ').unwrap_or(0);
    let tail = &text[from..];
    let tail_w = tail.width();
    if tail_w + 2 <= width {
        let head = truncate(&text[..from], width - tail_w);
        let head = if head.ends_with('…') {
            head
        } else {
            format!("{head}…")
        };
        return format!("{head}{tail}");
    }
    if width == 0 {
        return String::new();
    }
    format!("…{}", truncate(tail.trim_start(), width - 1))
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

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn shortened_texts_that_differ_stay_different() {
        let texts = strings(&[
            "Third-party system is confirmed but has no fix action",
            "Third-party system is confirmed but has no monitoring action",
            "No root cause is written down",
        ]);
        // A plain cut makes the first two the same.
        assert_eq!(truncate(&texts[0], 40), truncate(&texts[1], 40));
        let short = shorten_distinct(&texts, 40);
        assert!(short[0].width() <= 40 && short[1].width() <= 40, "{short:?}");
        assert_ne!(short[0], short[1]);
        assert!(short[0].ends_with("… fix action"), "{short:?}");
        assert!(short[1].ends_with("… monitoring action"), "{short:?}");
        assert!(short[1].starts_with("Third-party"), "{short:?}");
        assert_eq!(short[2], "No root cause is written down", "what fits is untouched");
        // Narrower than the different words: still different, still within the width.
        for width in 1..70 {
            let short = shorten_distinct(&texts, width);
            for s in &short {
                assert!(s.width() <= width, "{s:?} at {width}");
            }
            if width >= 4 {
                assert_ne!(short[0], short[1], "at {width}");
            }
        }
        // The same text twice is cut the same way; wide characters are cut whole.
        let same = strings(&[
            "漢字 is confirmed, fix",
            "漢字 is confirmed, fix",
            "漢字 is confirmed, mon",
        ]);
        let short = shorten_distinct(&same, 12);
        assert_eq!(short[0], short[1]);
        assert_ne!(short[0], short[2]);
        assert!(short.iter().all(|s| s.width() <= 12), "{short:?}");
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
