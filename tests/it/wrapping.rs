//! Multi-line form fields wrap as text is read (#17 sections 3 and 4): a wrapped row never
//! starts with the space it broke at, punctuation stays with its word, and the cursor drawn is
//! where typing and moving land.

use crate::support::console::{app_on, key, keys, screen, type_text};
use debrief::store::Store;
use debrief::tui::app::{App, Screen};
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

/// 76 columns (the notes field at 80x24), a space, 76 more ending in a word, and a full stop.
const NOTE: &str = "The connection pool of forty was exhausted within minutes because every call \
was retried three times by the new retry middleware and the queue grew past.";

/// The demo's first cause with `notes`, its notes form open at 80x24.
fn notes_form(notes: &str) -> App {
    let store = Store::open_in_memory("facilitator").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "2");
    let Screen::Review(r) = &app.screen else { panic!() };
    let c = r.selected_cause().unwrap().clone();
    app.store.set_cause_notes(c.id, c.version, notes).unwrap();
    app.reload();
    key(&mut app, KeyCode::Char('e'));
    app
}

#[test]
fn a_long_note_wraps_at_spaces_with_punctuation_kept_on_its_word() {
    let mut app = notes_form(NOTE);
    let text = screen(&mut app, 80, 24);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("call") || l.contains("retried") || l.contains("past"))
        .collect();
    assert!(
        rows.iter().all(|r| !r.contains("│   was")),
        "no wrapped row starts with a space:\n{text}"
    );
    assert!(
        text.contains("past.") && !text.lines().any(|l| l.trim_end_matches('│').trim() == "│  ."),
        "the full stop stays with its word:\n{text}"
    );
    insta::assert_snapshot!("long_note_80x24", text);
    // Any size draws without a panic, wide characters and a long word included.
    crate::support::console::type_text(&mut app, " 日本語のテキスト supercalifragilisticexpialidocious");
    for w in [1, 2, 5, 13, 40, 79] {
        for h in [1, 4, 9, 24] {
            screen(&mut app, w, h);
        }
    }
}

/// Where the cursor of the notes field is drawn (the one reversed cell inside the form), and
/// the frame's cells as rows of text.
fn cursor_shown(app: &mut App) -> ((usize, usize), Vec<Vec<String>>) {
    let t = crate::support::console::draw(app, 80, 24);
    let buf = t.backend().buffer();
    let cells: Vec<Vec<String>> = (0..24)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect())
        .collect();
    let top = cells.iter().position(|r| r.concat().contains("┌ Notes")).unwrap();
    let bottom = top + cells[top..].iter().position(|r| r[0] == "└").unwrap();
    let mut found = Vec::new();
    for y in top + 2..bottom - 2 {
        for x in 1..79 {
            if buf[(x as u16, y as u16)]
                .modifier
                .contains(ratatui::style::Modifier::REVERSED)
            {
                found.push((x, y));
            }
        }
    }
    assert_eq!(found.len(), 1, "one cursor cell: {found:?}");
    (found[0], cells)
}

#[test]
fn the_cursor_drawn_is_where_keys_move_and_typing_lands() {
    let mut app = notes_form(NOTE);
    // At the end: after the full stop, on the third row.
    let ((x, y), cells) = cursor_shown(&mut app);
    assert_eq!(cells[y][x - 1], ".", "{}", cells[y].concat());
    assert_eq!(cells[y][x - 5..x].concat(), "past.");

    // Up: the row above, the same column; typing lands in that cell.
    key(&mut app, KeyCode::Up);
    let ((x2, y2), cells) = cursor_shown(&mut app);
    assert_eq!((x2, y2), (x, y - 1));
    let under = cells[y2][x2].clone();
    type_text(&mut app, "X");
    let ((_, _), cells) = cursor_shown(&mut app);
    assert_eq!(cells[y2][x2], "X", "{}", cells[y2].concat());
    assert_eq!(cells[y2][x2 + 1], under, "what was under the cursor moved right");
    let Some(debrief::tui::app::Popup::Form(f)) = app.popups.last() else {
        panic!()
    };
    assert!(f.value("Notes").contains("call Xwas"), "{}", f.value("Notes"));

    // Up again to the first row, down back to the second, at the column shown.
    key(&mut app, KeyCode::Up);
    let ((x3, y3), _) = cursor_shown(&mut app);
    assert_eq!(y3, y - 2);
    key(&mut app, KeyCode::Down);
    let ((x4, y4), _) = cursor_shown(&mut app);
    assert_eq!(y4, y - 1);
    assert!(x4 <= x3, "at most the column it came from");
    // Ctrl-A: the start of the line, drawn at the field's first column.
    crate::support::console::ctrl(&mut app, 'a');
    let ((x5, y5), cells) = cursor_shown(&mut app);
    assert_eq!((y5, cells[y5][x5].as_str()), (y - 2, "T"));
    // Down from the last row stays there.
    crate::support::console::ctrl(&mut app, 'e');
    key(&mut app, KeyCode::Down);
    let ((x6, y6), _) = cursor_shown(&mut app);
    assert_eq!(y6, y);
    let _ = x6;
}

/// A long note opens a form tall enough for all of it (up to the screen), not seven rows with
/// the rest out of sight while the screen has room.
#[test]
fn a_long_note_gets_the_rows_it_needs() {
    let note: Vec<String> = (1..=12).map(|i| format!("Finding {i}: what the logs showed")).collect();
    let mut app = notes_form(&note.join("\n"));
    let text = screen(&mut app, 80, 24);
    for line in &note {
        assert!(text.contains(line.as_str()), "{line} is in sight:\n{text}");
    }
    assert!(!text.contains('▼') && !text.contains('▲'), "{text}");
    insta::assert_snapshot!("twelve_line_note_80x24", text);
    // At 160x45 too, in a form no taller than it needs.
    let wide = screen(&mut app, 160, 45);
    assert!(note.iter().all(|l| wide.contains(l.as_str())), "{wide}");
}

/// A cause whose notes fill its pane at 80x24 says that more (its evidence, the root cause)
/// is below; at 160x45, where all of it fits, nothing is said.
#[test]
fn the_causes_pane_says_when_long_notes_hide_the_rest() {
    let mut app = notes_form("Short.");
    key(&mut app, KeyCode::Esc);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Evidence ("), "{text}");
    let long: Vec<String> = (1..=8).map(|i| format!("Finding {i}: what the logs showed")).collect();
    let mut app = notes_form(&long.join("\n"));
    key(&mut app, KeyCode::Esc);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("Evidence ("), "the evidence is out of sight:\n{text}");
    assert!(text.contains("▼ more below"), "{text}");
    // At 160x45 all of it fits: no mark.
    let wide = screen(&mut app, 160, 45);
    assert!(wide.contains("Evidence (") && !wide.contains("more below"), "{wide}");
}
