//! Drawing the whole console: the screen, the bottom lines, and the popups on top.

use super::app::{App, Popup, Screen};
use super::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::keymap::Context;
use crate::tui::keymap::command::Command;
use crate::tui::popups::confirm::render_confirm;
use crate::tui::popups::conflict::{render_clash, render_conflict};
use crate::tui::screens::home::render_welcome;
use crate::tui::widgets::hints;
use crate::tui::widgets::menu::render_message;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        buf.set_style(area, self.theme.base);
        if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            crate::tui::widgets::too_small::TooSmall::new(
                ratatui::layout::Size::new(MIN_WIDTH, MIN_HEIGHT),
                &self.theme,
            )
            .render(area, buf);
            return;
        }
        let [banner, body, status, keys] = Layout::vertical([
            Constraint::Length(u16::from(self.lost.is_some())),
            Constraint::Min(0),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        if let Some(lost) = &self.lost {
            Line::from(Span::styled(
                super::view::truncate(&format!(" {}", lost.banner), banner.width as usize),
                self.theme.error.add_modifier(ratatui::style::Modifier::REVERSED),
            ))
            .render(banner, buf);
        }
        self.render_screen(body, buf);
        let status_line = match &self.flash {
            Some(flash) => Line::from(Span::styled(
                super::view::truncate(flash.text(), status.width as usize),
                if flash.is_error() {
                    self.theme.error
                } else {
                    self.theme.ok
                },
            )),
            None => Line::from(Span::styled(
                super::view::truncate(
                    &format!("{} · {}", self.store.author(), self.store.path().display()),
                    status.width as usize,
                ),
                self.theme.muted,
            )),
        };
        status_line.render(status, buf);
        match self.popups.last() {
            // A form's keys depend on its field (Enter saves or starts a new line): the bar
            // says what the form's own footer says.
            Some(Popup::Form(f)) => {
                hints::hint_line(&f.hints(&self.keymap), 2, keys.width, &self.theme).render(keys, buf)
            }
            _ => hints::HintBar::new(&self.keymap, self.context(), &self.theme)
                .with_layer(self.layer())
                .hiding(self.idle_commands())
                .render(keys, buf),
        }
        self.render_popups(body, buf);
    }
}

impl App {
    /// The screen in the body area; an empty home screen is the welcome.
    fn render_screen(&self, body: Rect, buf: &mut Buffer) {
        match &self.screen {
            Screen::Home(h) if h.incidents.is_empty() => {
                let keys: Vec<(String, &str)> = [
                    (Command::NewIncident, "start a new incident review"),
                    (Command::LoadDemo, "load the demo incident"),
                    (Command::Help, "every key"),
                    (Command::Back, "quit"),
                ]
                .iter()
                .map(|(a, what)| {
                    (
                        self.keymap
                            .keys_for(Context::Welcome, *a)
                            .first()
                            .cloned()
                            .unwrap_or_default(),
                        *what,
                    )
                })
                .collect();
                render_welcome(body, buf, &self.theme, &keys);
            }
            Screen::Home(h) => h.render(body, buf, &self.theme),
            Screen::Review(r) => r.render(body, buf, &self.theme, self.today(), self.now()),
            Screen::CrossActions(c) => c.render(body, buf, &self.theme, self.today()),
            Screen::Insights(i) => i.render(body, buf, &self.theme),
        }
    }

    /// The popups over the body area, the newest on top.
    fn render_popups(&self, body: Rect, buf: &mut Buffer) {
        for popup in &self.popups {
            match popup {
                Popup::Form(f) => f.render(body, buf, &self.theme, &self.keymap),
                Popup::Menu(m) => m.render(body, buf, &self.theme, &self.keymap),
                Popup::Confirm(text, _) => render_confirm(body, buf, &self.theme, &self.keymap, text),
                Popup::Import(preview) => preview.render(body, buf, &self.theme, &self.keymap),
                Popup::Running(running) => running.render(body, buf, &self.theme),
                Popup::Message(title, text) => render_message(body, buf, &self.theme, title, text),
                Popup::Help(h, ctx) => {
                    let mut state = h.clone();
                    ratatui::widgets::StatefulWidget::render(
                        crate::tui::widgets::help::HelpView::new(&self.keymap, *ctx, &self.theme).with_layer(h.layer),
                        body,
                        buf,
                        &mut state,
                    );
                }
                Popup::Conflict { clash: Some(clash), .. } => render_clash(body, buf, &self.theme, &self.keymap, clash),
                Popup::Conflict {
                    what,
                    theirs,
                    mine: form,
                    clash: None,
                } => {
                    let mine = form
                        .fields
                        .iter()
                        .map(|f| f.value())
                        .filter(|v| !v.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n");
                    render_conflict(body, buf, &self.theme, &self.keymap, what, &mine, theirs)
                }
            }
        }
    }
}
