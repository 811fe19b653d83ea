//! The console drawn into a TestBackend: snapshots of each screen and popup, and scripted key
//! sequences through the real key map.

mod support;
use chrono::{TimeZone, Utc};
use debrief::model::{ActionStatus, CauseState};
use debrief::store::Store;
use debrief::tui::app::{App, Clock, Popup, Screen};
use debrief::tui::keymap::KeyMap;
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};
use support::{draw, key_at, keys_at, screen};

/// The day after the demo incident, at 10:00 in Berlin: the review meeting.
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

fn app_with(theme: Theme, demo: bool) -> App {
    let store = Store::open_in_memory("facilitator").unwrap();
    if demo {
        store.load_document(&debrief::cli::demo_document().unwrap()).unwrap();
    }
    let mut app = App::new(store, KeyMap::default_map(), theme, Clock::Fixed(now()));
    app.local_zone = chrono_tz::Europe::Berlin;
    app
}

fn demo_app() -> App {
    app_with(Theme::dark(), true)
}

/// Presses a key the way the event loop does: after a frame was drawn.
fn key(app: &mut App, code: KeyCode) {
    key_at(app, code, 80, 24);
}

fn keys(app: &mut App, s: &str) {
    keys_at(app, s, 80, 24);
}

fn open_demo(app: &mut App) {
    key(app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)), "Enter opens the incident");
}

#[test]
fn welcome_on_an_empty_database() {
    let mut app = app_with(Theme::dark(), false);
    assert_snapshot!("welcome_80x24", screen(&mut app, 80, 24));
}

#[test]
fn home_lists_incidents() {
    let mut app = demo_app();
    assert_snapshot!("home_80x24", screen(&mut app, 80, 24));
    assert_snapshot!("home_160x45", screen(&mut app, 160, 45));
}

#[test]
fn review_screen_at_80x24_and_160x45() {
    let mut app = demo_app();
    open_demo(&mut app);
    assert_snapshot!("review_timeline_80x24", screen(&mut app, 80, 24));
    assert_snapshot!("review_160x45", screen(&mut app, 160, 45));
    key(&mut app, KeyCode::Char('2'));
    assert_snapshot!("review_causes_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Char('3'));
    assert_snapshot!("review_actions_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Char('z'));
    assert_snapshot!("review_actions_zoomed_160x45", screen(&mut app, 160, 45));
}

#[test]
fn popups() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('a'));
    assert_snapshot!("popup_quick_add", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('e'));
    assert_snapshot!("popup_edit_event", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('m'));
    assert_snapshot!("popup_milestone", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('d'));
    assert_snapshot!("popup_confirm_delete", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('?'));
    assert_snapshot!("popup_help_timeline", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('e'));
    assert_snapshot!("popup_edit_action", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('E'));
    assert_snapshot!("popup_edit_incident_160x45", screen(&mut app, 160, 45));
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "Esc closes each popup");
}

#[test]
fn mono_theme_shows_focus_and_selection_without_colour() {
    let mut app = app_with(Theme::mono(), true);
    open_demo(&mut app);
    let text = screen(&mut app, 80, 24);
    assert_snapshot!("review_mono_80x24", text);
    let t = draw(&mut app, 80, 24);
    let buf = t.backend().buffer();
    for y in 0..24 {
        for x in 0..80 {
            let cell = &buf[(x, y)];
            assert!(matches!(cell.fg, Color::Reset), "colour at {x},{y}: {:?}", cell.fg);
            assert!(matches!(cell.bg, Color::Reset), "background colour at {x},{y}");
        }
    }
    // The selected event: a marker and reverse video.
    let row = (4..24)
        .find(|y| buf[(1, *y)].symbol() == "▶")
        .expect("a selection marker");
    assert!(
        buf[(10, row)].modifier.contains(Modifier::REVERSED),
        "selection shown by reverse video"
    );
}

#[test]
fn too_small_says_so_and_tiny_sizes_never_panic() {
    let mut app = demo_app();
    open_demo(&mut app);
    let text = screen(&mut app, 40, 10);
    assert!(text.contains("too small"), "{text}");
    for (w, h) in [(0, 0), (1, 1), (3, 3), (59, 30), (60, 16), (300, 100)] {
        draw(&mut app, w, h);
    }
}

#[test]
fn quick_add_edits_the_database_and_selects_the_new_event() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "2026-11-24 14:40 paged the PayFast account manager");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    let Screen::Review(r) = &app.screen else { panic!() };
    let id = r.incident.id;
    let events = app.store.all_events(id).unwrap();
    let e = events
        .iter()
        .find(|e| e.text == "paged the PayFast account manager")
        .expect("stored");
    assert_eq!(
        e.at,
        Utc.with_ymd_and_hms(2026, 11, 24, 13, 40, 0).unwrap(),
        "read in the incident's zone"
    );
    assert_eq!(e.author, "facilitator");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("▶ 11-24 14:40"), "the new event is selected:\n{text}");
}

#[test]
fn a_bad_time_keeps_the_form_open_with_an_error() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('e'));
    // Clear the time field and type a bad one.
    for _ in 0..30 {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "25:99");
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.last(), Some(Popup::Form(f)) if f.error.as_deref().is_some_and(|e| e.contains("cannot read time \"25:99\"")))
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("cannot read time"), "{text}");
}

#[test]
fn cause_states_and_board_moves_go_to_the_database() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('2'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j')); // rare edge case
    key(&mut app, KeyCode::Char('c'));
    let Screen::Review(r) = &app.screen else { panic!() };
    let id = r.incident.id;
    let causes = app.store.causes(id).unwrap();
    assert_eq!(causes[2].state, CauseState::Confirmed);
    key(&mut app, KeyCode::Char('3'));
    let Screen::Review(r) = &app.screen else { panic!() };
    let first = r.selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('>'));
    let moved = app.store.action(first.id).unwrap();
    assert_eq!(moved.status, first.status.next().unwrap_or(ActionStatus::Done));
}

#[test]
fn search_highlights_and_steps_through_matches() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "orders-db");
    key(&mut app, KeyCode::Enter);
    let Screen::Review(r) = &app.screen else { panic!() };
    let first = r.timeline.selected;
    assert_eq!(r.timeline.matches, 2);
    key(&mut app, KeyCode::Char('n'));
    let Screen::Review(r) = &app.screen else { panic!() };
    assert!(r.timeline.selected > first, "n moves to the next match");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("/orders-db (2 matches)"), "{text}");
    assert_snapshot!("timeline_search_80x24", text);
}

#[test]
fn a_conflicting_edit_shows_both_versions_and_saves_nothing_silently() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('e'));
    // Someone else edits the same event meanwhile.
    let Screen::Review(r) = &app.screen else { panic!() };
    let mut theirs = r.timeline.selected_event().unwrap().clone();
    theirs.text = "their wording".into();
    app.store.update_event(&theirs).unwrap();
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    keys(&mut app, " (mine)");
    draw(&mut app, 80, 24);
    app.press(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(matches!(app.popups.last(), Some(Popup::Conflict(..))));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("their wording") && text.contains("(mine)"), "{text}");
    assert_eq!(app.store.event(theirs.id).unwrap().text, "their wording");
    key(&mut app, KeyCode::Char('m'));
    assert!(
        app.store.event(theirs.id).unwrap().text.ends_with("(mine)"),
        "saved mine after choosing"
    );
}
