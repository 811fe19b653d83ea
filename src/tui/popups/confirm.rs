//! The yes/no confirmation popup.

use crate::tui::theme::Theme;
use crate::tui::widgets::menu::frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

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
    crate::tui::view::render_wrapped(Paragraph::new(lines).wrap(Wrap { trim: true }), inner, buf);
}
