//! The conflict chooser: an edit collided with someone else's.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::menu::frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Both sides of an edit that collided with someone else's: the user chooses.
/// Both sides, and the keys of the key map's [conflict] section.
pub fn render_conflict(
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
    keys: &KeyMap,
    what: &str,
    mine: &str,
    theirs: &str,
) {
    let key = |c: Command, name: &str| format!(" {} ", keys.first_key(Context::Conflict, c, name));
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
        Span::styled(key(Command::KeepMine, "keep_mine"), theme.key_hint),
        Span::styled(" save mine over theirs  ", theme.base),
        Span::styled(key(Command::KeepTheirs, "keep_theirs"), theme.key_hint),
        Span::styled(" keep theirs  ", theme.base),
        Span::styled(key(Command::EditMine, "edit_mine"), theme.key_hint),
        Span::styled(" edit mine again", theme.base),
    ]));
    crate::tui::view::render_wrapped(Paragraph::new(lines).wrap(Wrap { trim: false }), inner, buf);
}
