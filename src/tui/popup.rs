//! Small popups: a confirmation, a menu to pick from, a message, and the conflict chooser.

use super::form::centered;
use super::theme::Theme;
use super::view::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

pub(super) fn frame(area: Rect, buf: &mut Buffer, theme: &Theme, title: &str, width: u16, height: u16) -> Rect {
    let popup = centered(area, width, height);
    Clear.render(popup, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus_border)
        .title(Span::styled(format!(" {title} "), theme.title))
        .style(theme.base);
    let inner = block.inner(popup);
    block.render(popup, buf);
    inner
}

pub fn render_confirm(area: Rect, buf: &mut Buffer, theme: &Theme, message: &str) {
    let inner = frame(area, buf, theme, "Confirm", 60, 6);
    let lines = vec![
        Line::from(Span::styled(message.to_string(), theme.base)),
        Line::from(""),
        Line::from(vec![
            Span::styled(" y ", theme.key_hint),
            Span::styled(" yes   ", theme.base),
            Span::styled(" n / Esc ", theme.key_hint),
            Span::styled(" no", theme.base),
        ]),
    ];
    Paragraph::new(lines).wrap(Wrap { trim: true }).render(inner, buf);
}

pub fn render_message(area: Rect, buf: &mut Buffer, theme: &Theme, title: &str, text: &str) {
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::from(Span::styled(l.to_string(), theme.base)))
        .collect();
    let h = (lines.len() as u16 + 3).min(area.height);
    let w = text
        .lines()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(10)
        .clamp(30, 100) as u16
        + 4;
    let inner = frame(area, buf, theme, title, w, h);
    let mut lines = lines;
    lines.push(Line::from(Span::styled("Esc close", theme.key_hint)));
    Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
}

#[derive(Debug, Clone)]
pub struct Menu<P> {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
    pub purpose: P,
}

impl<P> Menu<P> {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let w = self
            .items
            .iter()
            .map(|i| i.chars().count())
            .max()
            .unwrap_or(10)
            .max(self.title.len()) as u16
            + 8;
        let h = self.items.len() as u16 + 3;
        let inner = frame(area, buf, theme, &self.title, w, h);
        for (y, item) in self
            .items
            .iter()
            .enumerate()
            .take(inner.height.saturating_sub(1) as usize)
        {
            let selected = y == self.selected;
            let style = if selected { theme.selection } else { theme.base };
            let marker = if selected { theme.marker } else { theme.marker_blank };
            let text = truncate(&format!("{marker}{item}"), inner.width as usize);
            let pad = (inner.width as usize).saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
            Line::from(Span::styled(format!("{text}{}", " ".repeat(pad)), style)).render(
                Rect {
                    y: inner.y + y as u16,
                    height: 1,
                    ..inner
                },
                buf,
            );
        }
        if inner.height > 0 {
            let y = inner.y + inner.height - 1;
            Line::from(Span::styled("Enter choose · Esc cancel", theme.key_hint))
                .render(Rect { y, height: 1, ..inner }, buf);
        }
    }
}

/// Both sides of an edit that collided with someone else's: the user chooses.
pub fn render_conflict(area: Rect, buf: &mut Buffer, theme: &Theme, what: &str, mine: &str, theirs: &str) {
    let w = area.width.saturating_sub(4).min(100);
    let h = area.height.saturating_sub(2).min(20);
    let inner = frame(area, buf, theme, "Conflict", w, h);
    let mut lines = vec![
        Line::from(Span::styled(
            format!("Someone else changed this {what} while you were editing it."),
            theme.warning,
        )),
        Line::from(""),
        Line::from(Span::styled("Theirs (saved now):", theme.title)),
    ];
    lines.extend(
        theirs
            .lines()
            .take(5)
            .map(|l| Line::from(Span::styled(format!("  {l}"), theme.base))),
    );
    lines.push(Line::from(Span::styled("Yours (not saved):", theme.title)));
    lines.extend(
        mine.lines()
            .take(5)
            .map(|l| Line::from(Span::styled(format!("  {l}"), theme.base))),
    );
    lines.push(Line::from(""));
    lines.push(Line::from(vec![
        Span::styled(" m ", theme.key_hint),
        Span::styled(" save mine over theirs  ", theme.base),
        Span::styled(" t ", theme.key_hint),
        Span::styled(" keep theirs  ", theme.base),
        Span::styled(" e ", theme.key_hint),
        Span::styled(" edit mine again", theme.base),
    ]));
    Paragraph::new(lines).wrap(Wrap { trim: false }).render(inner, buf);
}
