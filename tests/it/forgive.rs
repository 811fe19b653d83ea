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
