//! A forgiving console (#17 section 4): Esc asks before throwing typing away, readline keys
//! in fields, the evidence picker's boxes, the export path, the import path's completion,
//! undo, what history says changed, and merging two consoles' edits of one item.

use crate::support::console::{app_on, ctrl, key, keys, screen, type_text};
use debrief::store::Store;
use debrief::tui::app::{App, Popup, Screen};
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

/// The demo incident open in the review, on a store in memory.
fn demo() -> App {
    let store = Store::open_in_memory("facilitator").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)));
    app
}

fn top_form(app: &App) -> &debrief::tui::widgets::form::Form<debrief::tui::app::Purpose> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f,
        _ => panic!("no form on top"),
    }
}

fn top_is_question(app: &App) -> bool {
    matches!(app.popups.last(), Some(Popup::Confirm(..)))
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let mut app = demo();
    // Unchanged: Esc closes at once.
    keys(&mut app, "3a");
    top_form(&app);
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "an untouched form closes on Esc");

    // Changed: Esc asks; "no" (here Esc again) goes back to the form with the text kept.
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Cap retries");
    key(&mut app, KeyCode::Esc);
    assert!(top_is_question(&app), "a changed form asks before closing");
    assert!(screen(&mut app, 80, 24).contains("Discard your changes"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        top_form(&app).value("Title"),
        "Cap retries",
        "no: back to the form as typed"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(top_form(&app).value("Title"), "Cap retries");
    // Yes: the form closes and nothing was saved.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty(), "yes discards the form");
    let Screen::Review(r) = &app.screen else { panic!() };
    assert!(!r.actions.iter().any(|a| a.title == "Cap retries"));

    // Typed and deleted again: nothing to lose, Esc closes.
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "x");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "back to the values it opened with: no question");
    let _ = ctrl;
}

#[test]
fn readline_keys_through_the_key_map_and_markers_at_80x24() {
    let mut app = demo();
    key(&mut app, KeyCode::Char('E'));
    type_text(&mut app, " in eu-west-1 during the Black Friday peak");
    let title = top_form(&app).value("Title");
    // The title field at 80x24 shows its end with a marker that text is hidden to the left.
    let text = screen(&mut app, 80, 24);
    let row = text.lines().find(|l| l.contains("Title")).unwrap().to_string();
    assert!(row.contains('‹'), "{row}");
    assert!(row.contains(title.split(' ').next_back().unwrap()), "{row}");
    ctrl(&mut app, 'w');
    let shorter = top_form(&app).value("Title");
    assert!(title.starts_with(&shorter) && shorter.len() < title.len(), "{shorter}");
    ctrl(&mut app, 'u');
    assert_eq!(top_form(&app).value("Title"), "", "Ctrl-U erases to the start");
    type_text(&mut app, "Checkout down");
    ctrl(&mut app, 'a');
    let row = screen(&mut app, 80, 24);
    let row = row.lines().find(|l| l.contains("Title")).unwrap();
    assert!(!row.contains('‹') && !row.contains('›'), "all of it in sight: {row}");
}

#[test]
fn a_notes_form_and_the_bar_say_the_same_about_enter() {
    let mut app = demo();
    // The cause's notes: a multi-line field.
    keys(&mut app, "2e");
    let text = screen(&mut app, 80, 24);
    let bar = text.lines().last().unwrap();
    assert!(bar.contains("C-s save") && bar.contains("Enter new line"), "{bar}");
    assert!(!text.contains("Enter confirm"), "{text}");
    assert_eq!(
        text.matches("Enter new line").count(),
        2,
        "the form's footer and the bar agree:\n{text}"
    );
}

fn evidence_of(app: &App, event: i64) -> Vec<i64> {
    app.store.causes_of_event(event).unwrap()
}

fn selected_event(app: &App) -> i64 {
    let Screen::Review(r) = &app.screen else { panic!() };
    r.timeline.selected_event().unwrap().id
}

#[test]
fn the_evidence_picker_checks_with_space_and_saves_with_enter() {
    let mut app = demo();
    keys(&mut app, "1g");
    let event = selected_event(&app);
    let before = evidence_of(&app, event);
    key(&mut app, KeyCode::Char('l'));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("[ ]") && text.contains("Space check/uncheck · Enter done"),
        "{text}"
    );
    // Space flips two causes' boxes; the menu stays open and nothing is written yet.
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!()
    };
    let (at, checks) = (m.selected, m.checks.clone().unwrap());
    assert_eq!(checks.iter().filter(|c| **c).count(), before.len());
    let flipped = |c: bool| if c { -1 } else { 1 };
    let want = before.len() as i64 + flipped(checks[at]) + flipped(checks[at + 1]);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    assert!(
        matches!(app.popups.last(), Some(Popup::Menu(_))),
        "Space does not close"
    );
    assert_eq!(evidence_of(&app, event), before, "nothing saved before Enter");
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!()
    };
    assert_eq!(m.checks.as_ref().unwrap()[at], !checks[at]);
    assert_eq!(m.checks.as_ref().unwrap()[at + 1], !checks[at + 1]);
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "Enter confirms and closes");
    let after = evidence_of(&app, event);
    assert_eq!(after.len() as i64, want, "{before:?} → {after:?}");
    // Esc closes and changes nothing.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Esc);
    assert_eq!(evidence_of(&app, event), after);
}

#[test]
fn the_export_path_follows_the_format_unless_typed() {
    let mut app = demo();
    key(&mut app, KeyCode::Char('x'));
    let path = top_form(&app).value("Path");
    assert!(path.ends_with(".md"), "{path}");
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Format"), "json");
    assert_eq!(top_form(&app).value("Path"), path.replace(".md", ".json"));
    assert!(screen(&mut app, 80, 24).contains(".json"));
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Path"), path.replace(".md", ".csv"));
    // A path of one's own stays.
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "/tmp/mine.md");
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Path"), "/tmp/mine.md");
}
