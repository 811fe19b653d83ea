//! The conflict chooser: an edit collided with someone else's.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::form::FieldClash;
use crate::tui::widgets::menu::frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

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
    // One key a row: what each does to mine is said whole at any width.
    let choices: Vec<Line> = [
        (Command::KeepMine, "keep_mine", " save mine over theirs"),
        (Command::KeepTheirs, "keep_theirs", " keep theirs, throw mine away"),
        (Command::EditMine, "edit_mine", " edit mine again"),
    ]
    .into_iter()
    .map(|(command, name, what)| {
        Line::from(vec![
            Span::styled(key(command, name), theme.key_hint),
            Span::styled(what, theme.base),
        ])
    })
    .collect();
    // As tall as its rows wrapped to the frame's inside (at most 20), not more; a row that
    // wraps at words may take one more than its width says.
    let inside = usize::from(w.saturating_sub(2).max(1));
    let wrapped = |n: usize| if n > inside { n.div_ceil(inside) + 1 } else { 1 };
    let rows: usize = lines.iter().chain(&choices).map(|l| wrapped(l.width())).sum();
    let h = area
        .height
        .saturating_sub(2)
        .min(20)
        .min(u16::try_from(rows + 2).unwrap_or(u16::MAX));
    let inner = frame(area, buf, theme, "Conflict", w, h);
    // The keys keep the bottom rows; short of room, the two sides are cut, not the keys.
    let keys_h = inner.height.min(choices.len() as u16);
    let [sides, bottom] = Layout::vertical([Constraint::Min(0), Constraint::Length(keys_h)]).areas(inner);
    crate::tui::view::render_wrapped(Paragraph::new(lines).wrap(Wrap { trim: false }), sides, buf);
    Paragraph::new(choices).render(bottom, buf);
}

/// The fields both changed, after someone else saved the item I was editing: each with theirs
/// and mine, the side chosen, and the choice so far.
#[derive(Debug, Clone)]
pub struct Clash {
    /// Who saved it, and when (`dana saved this action 14:32`).
    pub by: String,
    pub fields: Vec<FieldClash>,
    /// The field the keys choose for.
    pub selected: usize,
}

/// A value in at most two rows of `width` columns: its lines joined with ⏎; when it starts
/// like `other` for longer than a row, from shortly before where they differ, after a `…`.
fn value_rows(value: &str, other: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let flat = |v: &str| {
        if v.is_empty() {
            "(empty)".to_string()
        } else {
            v.lines().collect::<Vec<_>>().join(" ⏎ ")
        }
    };
    let (mine, theirs) = (flat(value), flat(other));
    let same = mine.chars().zip(theirs.chars()).take_while(|(a, b)| a == b).count();
    let width = width.max(8);
    let text: String = if same > width {
        // From the start of a word shortly before the difference.
        let chars: Vec<char> = mine.chars().collect();
        let from = same - width / 2;
        let from = (from..same).find(|&i| i > 0 && chars[i - 1] == ' ').unwrap_or(from);
        std::iter::once('…').chain(chars[from..].iter().copied()).collect()
    } else {
        mine
    };
    let mut rows = vec![String::new()];
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            if rows.len() == 2 {
                let last = rows.last_mut().expect("two rows");
                last.pop();
                last.push('…');
                break;
            }
            // Words stay whole: what follows the row's last space moves down with it.
            let last = rows.last_mut().expect("a row");
            let carried = match last.rfind(' ') {
                Some(i) if i > last.len() / 2 => last.split_off(i + 1),
                _ => String::new(),
            };
            used = carried.chars().map(|c| c.width().unwrap_or(0)).sum();
            rows.push(carried);
        }
        rows.last_mut().expect("a row").push(c);
        used += w;
    }
    rows
}

/// One field's rows: its label, then theirs and mine with the chosen one checked.
fn field_lines(f: &FieldClash, here: bool, width: usize, theme: &Theme) -> Vec<Line<'static>> {
    const INDENT: usize = 13;
    let label_style = if here { theme.selection } else { theme.title };
    let mut lines = vec![Line::from(Span::styled(
        crate::tui::view::truncate(&format!("{} {}", if here { ">" } else { " " }, f.label), width),
        label_style,
    ))];
    for mine in [false, true] {
        let chosen = mine == f.take_mine;
        let style = if chosen { theme.base } else { theme.muted };
        let (value, other) = if mine {
            (&f.mine, &f.theirs)
        } else {
            (&f.theirs, &f.mine)
        };
        let check = if chosen { "[x]" } else { "[ ]" };
        let name = if mine { "mine  " } else { "theirs" };
        for (i, row) in value_rows(value, other, width.saturating_sub(INDENT))
            .into_iter()
            .enumerate()
        {
            let head = if i == 0 {
                format!("  {check} {name} ")
            } else {
                " ".repeat(INDENT)
            };
            lines.push(Line::from(Span::styled(format!("{head}{row}"), style)));
        }
    }
    lines
}

/// The chooser of the fields both changed: who saved, then per field its label and both values
/// (the chosen one checked), scrolled to keep the selected field in sight, and the keys.
pub fn render_clash(area: Rect, buf: &mut Buffer, theme: &Theme, keys: &KeyMap, clash: &Clash) {
    let w = area.width.saturating_sub(4).min(100);
    let rows: usize = (clash.fields.iter())
        .map(|f| field_lines(f, false, w.saturating_sub(2) as usize, theme).len())
        .sum();
    // Borders, three rows of heading, the fields, a blank row and the keys.
    let want = u16::try_from(rows + 7).unwrap_or(u16::MAX);
    let h = area.height.saturating_sub(2).min(want);
    let inner = frame(area, buf, theme, "Conflict", w, h);
    let width = inner.width as usize;
    let fit = |s: String| crate::tui::view::truncate(&s, width);
    let mut lines = vec![
        Line::from(Span::styled(
            fit(format!("{} while you were editing it.", clash.by)),
            theme.warning,
        )),
        Line::from(Span::styled(
            fit("Your other changes are merged. You both changed:".into()),
            theme.base,
        )),
        Line::from(""),
    ];
    // The fields from the first one that keeps the selected one in sight.
    let room = (inner.height as usize).saturating_sub(lines.len() + 2);
    let blocks: Vec<Vec<Line>> = (clash.fields.iter().enumerate())
        .map(|(i, f)| field_lines(f, i == clash.selected, width, theme))
        .collect();
    let selected = clash.selected.min(blocks.len().saturating_sub(1));
    let mut start = selected;
    while start > 0 && blocks[start - 1..=selected].iter().map(Vec::len).sum::<usize>() <= room {
        start -= 1;
    }
    let mut used = 0;
    for block in blocks.into_iter().skip(start) {
        if used + block.len() > room && used > 0 {
            break;
        }
        used += block.len();
        lines.extend(block);
    }
    let hint = |c: Command, name: &str, label: &'static str| {
        crate::tui::widgets::hints::Hint::new(keys.first_key(Context::Conflict, c, name), label)
    };
    let hints = vec![
        hint(Command::Select, "select", "save"),
        hint(Command::Toggle, "toggle", "mine/theirs"),
        hint(Command::KeepMine, "keep_mine", "all mine"),
        hint(Command::KeepTheirs, "keep_theirs", "all theirs"),
        hint(Command::EditMine, "edit_mine", "edit again"),
    ];
    let rows = inner.height as usize;
    while lines.len() + 1 < rows {
        lines.push(Line::from(""));
    }
    lines.truncate(rows.saturating_sub(1));
    lines.push(crate::tui::widgets::hints::hint_line(&hints, 2, inner.width, theme));
    Paragraph::new(lines).render(inner, buf);
}
