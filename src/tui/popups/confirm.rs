//! The yes/no confirmation popup.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::menu::frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// The question, and its keys as the key map's [confirm] section has them.
pub fn render_confirm(area: Rect, buf: &mut Buffer, theme: &Theme, keys: &KeyMap, message: &str) {
    let key = |c: Command, name: &str| {
        let label = keys.label(Context::Confirm, c);
        format!(" {} ", label.unwrap_or_else(|| format!("({name}: unbound)")))
    };
    let inner = frame(area, buf, theme, "Confirm", 60, 6);
    let lines = vec![
        Line::from(Span::styled(message.to_string(), theme.base)),
        Line::from(""),
        Line::from(vec![
            Span::styled(key(Command::Yes, "yes"), theme.key_hint),
            Span::styled(" yes   ", theme.base),
            Span::styled(key(Command::No, "no"), theme.key_hint),
            Span::styled(" no", theme.base),
        ]),
    ];
    crate::tui::view::render_wrapped(Paragraph::new(lines).wrap(Wrap { trim: true }), inner, buf);
}
