//! Small popups: a menu to pick from, a message, and the frame every popup is drawn in.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::view::truncate;
use crate::tui::widgets::form::centered;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};

pub(crate) fn frame(area: Rect, buf: &mut Buffer, theme: &Theme, title: &str, width: u16, height: u16) -> Rect {
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
    crate::tui::view::render_wrapped(Paragraph::new(lines).wrap(Wrap { trim: false }), inner, buf);
}

#[derive(Debug, Clone)]
pub struct Menu<P> {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
    pub purpose: P,
    /// A checklist (`[x]`/`[ ]` before each item): the toggle key changes the selected one,
    /// choosing confirms them all. `None`: a plain menu, choosing picks one.
    pub checks: Option<Vec<bool>>,
}

impl<P> Menu<P> {
    /// The same menu for another purpose type.
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Menu<Q> {
        Menu {
            title: self.title,
            items: self.items,
            selected: self.selected,
            purpose: f(self.purpose),
            checks: self.checks,
        }
    }

    /// Checks or unchecks the selected item of a checklist.
    pub fn toggle(&mut self) {
        if let Some(c) = self.checks.as_mut().and_then(|c| c.get_mut(self.selected)) {
            *c = !*c;
        }
    }

    /// The keys under the items, from the key map's [menu] section.
    fn footer(&self, keys: &KeyMap) -> String {
        let choose = keys.first_key(Context::Menu, Command::Select, "select");
        let cancel = keys.first_key(Context::Menu, Command::Back, "back");
        if self.checks.is_some() {
            let toggle = keys.first_key(Context::Menu, Command::Toggle, "toggle");
            format!("{toggle} check/uncheck · {choose} done · {cancel} cancel")
        } else {
            format!("{choose} choose · {cancel} cancel")
        }
    }

    /// The menu, and the keys of the key map's [menu] section.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, keys: &KeyMap) {
        let footer = self.footer(keys);
        let w = self
            .items
            .iter()
            .map(|i| i.chars().count() + 12)
            .max()
            .unwrap_or(10)
            .max(self.title.chars().count() + 8)
            .max(footer.chars().count() + 2) as u16;
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
            let check = match self.checks.as_ref().and_then(|c| c.get(y)) {
                Some(true) => "[x] ",
                Some(false) => "[ ] ",
                None => "",
            };
            let text = truncate(&format!("{marker}{check}{item}"), inner.width as usize);
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
            Line::from(Span::styled(footer, theme.key_hint)).render(Rect { y, height: 1, ..inner }, buf);
        }
    }
}
