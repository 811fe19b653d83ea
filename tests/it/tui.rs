//! The console drawn into a TestBackend: snapshots of each screen and popup, and scripted key
//! sequences through the real key map.

use crate::support::console::{app_at, draw, key_at, keys_at, screen};
use chrono::{TimeZone, Utc};
use debrief::model::{ActionStatus, CauseState};
use debrief::store::Store;
use debrief::tui::app::{App, Clock, Popup, Screen};
use debrief::tui::keymap::KeyMap;
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

/// The day after the demo incident, at 10:00 in Berlin: the review meeting.
fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

fn app_with(theme: Theme, demo: bool) -> App {
    let store = Store::open_in_memory("facilitator").unwrap();
    if demo {
        store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    }
    app_at(store, theme, now())
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
    assert!(matches!(app.popups.last(), Some(Popup::Conflict { .. })));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("their wording") && text.contains("(mine)"), "{text}");
    assert_eq!(app.store.event(theirs.id).unwrap().text, "their wording");
    key(&mut app, KeyCode::Char('m'));
    assert!(
        app.store.event(theirs.id).unwrap().text.ends_with("(mine)"),
        "saved mine after choosing"
    );
}

// --- the action board's filter ------------------------------------------------------------------

fn board_titles(app: &App) -> Vec<String> {
    let Screen::Review(r) = &app.screen else { panic!() };
    r.board.iter().map(|a| a.title.clone()).collect()
}

fn action_titled(app: &App, start: &str) -> debrief::model::Action {
    let Screen::Review(r) = &app.screen else { panic!() };
    let id = r.actions.iter().find(|a| a.title.starts_with(start)).unwrap().id;
    app.store.action(id).unwrap()
}

/// Empties the focused one-line field.
fn clear_field(app: &mut App) {
    for _ in 0..60 {
        app.press(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
}

#[test]
fn owner_filter_narrows_the_board_and_moves_act_on_what_it_shows() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('3'));
    let unfiltered_first = {
        let Screen::Review(r) = &app.screen else { panic!() };
        r.selected_action().unwrap().clone()
    };
    assert_eq!(unfiltered_first.owner, "Tomasz Nowak");

    key(&mut app, KeyCode::Char('o'));
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("Whose actions on this board?"), "{form}");
    assert!(
        form.contains("Jonas Weber (PayFast)"),
        "participants are offered:\n{form}"
    );
    keys(&mut app, "marco");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "the form closed");

    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("3 Actions 2 of 8 — owner: Marco Rossi"),
        "the title says the board is filtered:\n{text}"
    );
    for other in [
        "Tomasz Nowak",
        "Priya Sharma",
        "Lena Fischer",
        "Aylin Demir",
        "no owner · no date",
    ] {
        assert!(!text.contains(other), "{other} is filtered out:\n{text}");
    }
    assert!(
        text.contains("▶ PRC P3 Ask PayFast"),
        "the first card is selected:\n{text}"
    );
    assert!(text.contains("Automatic failover"), "{text}");
    // The coverage warnings still name every open action, the filtered ones too.
    assert!(
        text.contains("! Open action “Alert at 80% of orders-db max_connections” has no owner"),
        "{text}"
    );
    assert_snapshot!("review_actions_owner_filter_80x24", text);

    // > moves the selected card: Marco's, not the first card of the whole board.
    let ask = action_titled(&app, "Ask PayFast");
    assert_eq!(ask.status, ActionStatus::Todo);
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(app.store.action(ask.id).unwrap().status, ActionStatus::Doing);
    assert_eq!(
        app.store.action(unfiltered_first.id).unwrap().status,
        ActionStatus::Todo,
        "the hidden first card is untouched"
    );
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(
        r.selected_action().map(|a| a.id),
        Some(ask.id),
        "still selected after the reload"
    );
    assert!(r.board_filter.is_active(), "the reload keeps the filter");

    // Unfocused at 80x24, the one-line summary says so too.
    key(&mut app, KeyCode::Char('1'));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains(" 3 Actions 2 of 8 — owner: Marco Rossi ▸ 2 open · 0 overdue · 0 done"),
        "{text}"
    );

    // An empty owner shows everyone's again.
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('o'));
    clear_field(&mut app);
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("3 Actions (8)"), "{text}");
    assert_eq!(board_titles(&app).len(), 8);
}

#[test]
fn edit_and_delete_on_a_filtered_board_take_the_card_shown_selected() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('o'));
    keys(&mut app, "rossi");
    key(&mut app, KeyCode::Enter);
    // Down from the todo card goes to Marco's doing card, past everyone else's.
    key(&mut app, KeyCode::Char('j'));
    let failover = action_titled(&app, "Automatic failover");
    key(&mut app, KeyCode::Char('e'));
    match app.popups.last() {
        Some(Popup::Form(f)) => assert_eq!(f.value("Title"), failover.title),
        _ => panic!("the edit form"),
    }
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('d'));
    match app.popups.last() {
        Some(Popup::Confirm(text, _)) => assert!(text.contains("Automatic failover"), "{text}"),
        _ => panic!("the delete question"),
    }
    key(&mut app, KeyCode::Char('y'));
    assert!(app.store.action(failover.id).is_err(), "deleted");
    assert_eq!(
        board_titles(&app),
        ["Ask PayFast for their root-cause analysis and an SLA credit"]
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Actions 1 of 7 — owner: Marco Rossi"), "{text}");
}

#[test]
fn slash_filters_by_words_status_and_overdue_and_empty_clears() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('/'));
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("Filter the board"), "{form}");
    keys(&mut app, "PAYFAST");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        board_titles(&app),
        [
            "Subscribe the on-call channel to PayFast's status page",
            "Ask PayFast for their root-cause analysis and an SLA credit"
        ]
    );
    assert!(screen(&mut app, 80, 24).contains("Actions 2 of 8 — \"PAYFAST\""));

    // Open only (todo and doing): the done one goes.
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        board_titles(&app),
        ["Ask PayFast for their root-cause analysis and an SLA credit"]
    );
    assert!(screen(&mut app, 80, 24).contains("Actions 1 of 8 — \"PAYFAST\" · open"));

    // Words in the ticket and the owner; overdue only: on the day after the incident, none is.
    key(&mut app, KeyCode::Char('/'));
    clear_field(&mut app);
    keys(&mut app, "pay-14");
    key(&mut app, KeyCode::Enter);
    assert_eq!(board_titles(&app).len(), 2, "PAY-1412 and PAY-1413 (open)");
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('y'));
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("No action matches the filter"), "{text}");
    assert!(text.contains("0 of 8 — \"pay-14\" · open · overdue only"), "{text}");

    // Empty words, all statuses and no: the whole board.
    key(&mut app, KeyCode::Char('/'));
    clear_field(&mut app);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Enter);
    let Screen::Review(r) = &app.screen else { panic!() };
    assert!(!r.board_filter.is_active());
    assert_eq!(r.board.len(), 8);
    assert!(screen(&mut app, 80, 24).contains("3 Actions (8)"));
}

#[test]
fn the_filter_survives_another_sessions_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.db");
    let store = Store::open(&path, "facilitator").unwrap();
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('o'));
    keys(&mut app, "lena");
    key(&mut app, KeyCode::Enter);
    assert_eq!(board_titles(&app).len(), 1);

    let other = Store::open(&path, "lena").unwrap();
    let mut new = debrief::store::NewAction::titled("Load test the retry budget", debrief::model::ActionKind::Fix);
    new.owner = "lena fischer".into();
    other.add_action(id, &new).unwrap();
    let mut theirs = debrief::store::NewAction::titled("Someone else's", debrief::model::ActionKind::Fix);
    theirs.owner = "Priya Sharma".into();
    other.add_action(id, &theirs).unwrap();
    app.tick();

    assert_eq!(
        board_titles(&app),
        [
            "Retry budget and exponential backoff in the retry middleware",
            "Load test the retry budget"
        ]
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Actions 2 of 10 — owner: Lena Fischer"), "{text}");
}

#[test]
fn the_board_help_lists_its_filters() {
    let mut app = demo_app();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('?'));
    let help = screen(&mut app, 160, 45);
    assert!(help.contains("Keys — Action board"), "{help}");
    assert!(help.contains("filter by words, status, or overdue only"), "{help}");
    assert!(help.contains("show one owner's actions (empty: everyone's)"), "{help}");
}

/// Another session adds and removes events late in the timeline while this one has an event
/// selected near the end; before the next tick, a frame is drawn and a key pressed. The
/// selection stays on the same event: the window is read against a fresh count.
#[test]
fn the_selection_stays_put_when_another_session_changes_the_timeline_between_ticks() {
    use debrief::model::{EventKind, Source};
    use debrief::store::{NewEvent, NewIncident};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let mine = Store::open(&path, "ana").unwrap();
    let id = mine
        .create_incident(&NewIncident {
            title: "shared".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let at = |minute: i64| Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap() + chrono::Duration::minutes(minute);
    let event = |minute: i64, text: String| NewEvent {
        at: at(minute),
        kind: EventKind::Note,
        text,
        milestone: None,
        source: Source::Typed,
        author: None,
    };
    for m in 0..40 {
        mine.add_event(id, &event(m, format!("event {m}"))).unwrap();
    }
    let mut app = App::new(mine, KeyMap::default_map(), Theme::dark(), Clock::Fixed(now()));
    app.open_incident(id).unwrap();
    key(&mut app, KeyCode::Char('G'));
    keys(&mut app, "kkkkk");
    let selected = |app: &App| match &app.screen {
        Screen::Review(r) => r.timeline.selected_event().map(|e| e.text.clone()),
        _ => None,
    };
    assert_eq!(selected(&app).as_deref(), Some("event 34"));

    let theirs = Store::open(&path, "ben").unwrap();
    theirs.add_event(id, &event(100, "appended by ben".into())).unwrap();
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(selected(&app).as_deref(), Some("event 34"), "after an append");

    let late: Vec<_> = theirs.all_events(id).unwrap().into_iter().rev().take(4).collect();
    for e in late {
        theirs.delete_event(e.id, e.version).unwrap();
    }
    key(&mut app, KeyCode::Char('z'));
    assert_eq!(selected(&app).as_deref(), Some("event 34"), "after deletions");
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains("appended by ben"), "{text}");
}

/// A card moved out of a status filter is gone from the board; the selection goes to the card
/// drawn after it, or before it at the end (not to whatever card now has its index in the list),
/// so a second `>` moves a card the user can see next to where they were.
#[test]
fn moving_a_card_out_of_the_filter_selects_the_card_drawn_next_to_it() {
    let mut app = demo_app();
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('3'));
    // The open cards: five todo, then the one doing (the failover), drawn in that order.
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('o'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(board_titles(&app).len(), 6);
    let selected = |app: &App| {
        let Screen::Review(r) = &app.screen else { panic!() };
        r.selected_action().map(|a| a.title.clone()).unwrap_or_default()
    };
    key(&mut app, KeyCode::Char('l'));
    assert!(selected(&app).starts_with("Automatic failover"), "{}", selected(&app));
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(action_titled(&app, "Automatic failover").status, ActionStatus::Done);
    assert!(
        selected(&app).starts_with("Ask PayFast"),
        "the card drawn just before it (the last todo), not the list's first: {}",
        selected(&app)
    );
}

/// An incident in a database file with one event and two custom causes, DNS before Config, and
/// a console on it with the incident open (the timeline focused, the event selected).
fn shared_incident_with_causes(dir: &tempfile::TempDir) -> (App, std::path::PathBuf, i64, i64) {
    use debrief::model::{EventKind, Source};
    use debrief::store::{NewEvent, NewIncident};
    let path = dir.path().join("shared.db");
    let mine = Store::open(&path, "ana").unwrap();
    let id = mine
        .create_incident(&NewIncident {
            title: "shared".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let event = mine
        .add_event(
            id,
            &NewEvent {
                at: Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap(),
                kind: EventKind::Observation,
                text: "resolver timeouts".into(),
                milestone: None,
                source: Source::Typed,
                author: None,
            },
        )
        .unwrap();
    mine.add_custom_cause(id, "DNS").unwrap();
    mine.add_custom_cause(id, "Config").unwrap();
    let mut app = App::new(mine, KeyMap::default_map(), Theme::dark(), Clock::Fixed(now()));
    app.open_incident(id).unwrap();
    draw(&mut app, 80, 24);
    (app, path, id, event)
}

fn cause_named(store: &Store, incident: i64, name: &str) -> Option<debrief::model::Cause> {
    store
        .causes(incident)
        .unwrap()
        .into_iter()
        .find(|c| c.category.label() == name)
}

fn flash(app: &App) -> String {
    app.flash.as_ref().map(|f| f.text().to_string()).unwrap_or_default()
}

/// Issue #12, defect 5: console A opens the evidence menu and highlights DNS; console B deletes
/// DNS; A presses Enter. The menu held a position in a list that reloaded underneath it, so the
/// link went to the cause that moved up into that position (Config).
#[test]
fn evidence_goes_to_the_cause_the_menu_showed_or_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, path, id, event) = shared_incident_with_causes(&dir);
    key(&mut app, KeyCode::Char('l'));
    let menu = screen(&mut app, 80, 24);
    assert!(menu.contains("Evidence for which causes?"), "{menu}");
    // The five standard causes, then DNS.
    keys(&mut app, "jjjjj");
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!("the menu is open")
    };
    assert!(m.items[m.selected].ends_with("DNS"), "{:?}", m.items);

    let other = Store::open(&path, "ben").unwrap();
    let dns = cause_named(&other, id, "DNS").unwrap();
    other.delete_cause(dns.id, dns.version).unwrap();
    // The console notices (a tick, a frame) while the menu stays open.
    app.tick();
    draw(&mut app, 80, 24);
    // Space checks DNS; Enter saves the checks.
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);

    let config = cause_named(&app.store, id, "Config").unwrap();
    assert!(
        config.evidence.is_empty(),
        "nothing linked to Config: {:?}",
        config.evidence
    );
    assert_eq!(flash(&app), "DNS was deleted by someone else; nothing was linked.");
    assert!(app.store.causes_of_event(event).unwrap().is_empty());

    // A cause changed since the menu opened (here: linked by someone else) is not toggled
    // blindly either: that would have unlinked their link.
    key(&mut app, KeyCode::Char('l'));
    keys(&mut app, "jjjjj");
    let config = cause_named(&other, id, "Config").unwrap();
    other.toggle_evidence(config.id, event).unwrap();
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.store.causes_of_event(event).unwrap(),
        vec![config.id],
        "their link stays"
    );
    assert!(
        flash(&app).starts_with("Config was changed by someone else"),
        "{}",
        flash(&app)
    );

    // As it is now, the menu shows the link, and Enter on Config unlinks it.
    key(&mut app, KeyCode::Char('l'));
    keys(&mut app, "jjjjj");
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!("the menu is open")
    };
    assert_eq!(m.items[m.selected], "Config");
    assert!(m.checks.as_ref().unwrap()[m.selected]);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert_eq!(flash(&app), "Event unlinked from Config.");
    assert!(app.store.causes_of_event(event).unwrap().is_empty());
}

/// The action form's Cause field offers causes by id as they were when it opened: a cause
/// deleted meanwhile is an error in the form, not an action silently saved with no cause (or
/// with another cause of the same name).
#[test]
fn an_action_for_a_cause_deleted_meanwhile_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, path, id, _) = shared_incident_with_causes(&dir);
    key(&mut app, KeyCode::Char('3'));
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "Cache resolver answers");
    // Title, Kind, Owner, Role, Due, then Cause: "none", five standard causes, DNS.
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    for _ in 0..6 {
        key(&mut app, KeyCode::Right);
    }
    let Some(Popup::Form(form)) = app.popups.last() else {
        panic!("the form is open")
    };
    assert_eq!(form.value("Cause"), "DNS");

    let other = Store::open(&path, "ben").unwrap();
    let dns = cause_named(&other, id, "DNS").unwrap();
    other.delete_cause(dns.id, dns.version).unwrap();
    app.tick();
    app.press(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));

    let Some(Popup::Form(form)) = app.popups.last() else {
        panic!("the form stays open")
    };
    assert_eq!(
        form.error.as_deref(),
        Some("The cause DNS was deleted by someone else; nothing was saved (choose another).")
    );
    assert!(app.store.actions(id).unwrap().is_empty(), "nothing saved");
}

/// Issue #12, defect 10: another process holds the write lock (a long import). Saving in the
/// console used to freeze it for the 30 s busy timeout (no frame, keys queued), then fail. Now
/// the save waits without blocking: the form stays open and says so, keys are answered, Esc
/// gives up with the form kept, and the save goes through once the lock is free.
#[test]
fn a_save_behind_another_writer_waits_without_blocking_and_esc_gives_up() {
    use debrief::tui::app::WAITING_TEXT;
    let dir = tempfile::tempdir().unwrap();
    let (mut app, path, id, event) = shared_incident_with_causes(&dir);
    let count = |app: &App| app.store.all_events(id).unwrap().len();
    let form_error = |app: &App| match app.popups.last() {
        Some(Popup::Form(f)) => f.error.clone().unwrap_or_default(),
        _ => panic!("the form is open"),
    };
    let within = |what: &str, started: std::time::Instant| {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{what} took {:?}: the console blocked on the lock",
            started.elapsed()
        );
    };

    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();

    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "12:30 cache flushed");
    let started = std::time::Instant::now();
    key(&mut app, KeyCode::Enter);
    within("Enter", started);
    assert!(form_error(&app).starts_with(WAITING_TEXT), "{}", form_error(&app));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Waiting for another writer… (Esc gives up)"), "{text}");
    assert!(
        text.contains("12:30 cache flushed"),
        "what was typed is still there:\n{text}"
    );

    // It keeps answering keys and ticks: a key is not typed into the waiting form.
    let started = std::time::Instant::now();
    key(&mut app, KeyCode::Char('x'));
    app.tick();
    std::thread::sleep(std::time::Duration::from_millis(250));
    app.tick();
    within("a key and two ticks", started);
    let Some(Popup::Form(form)) = app.popups.last() else {
        panic!("the form is open")
    };
    assert_eq!(form.value("Event"), "12:30 cache flushed");
    assert_eq!(count(&app), 1, "nothing written while the lock is held");

    // Esc gives up: the form stays, with what was typed; nothing was written.
    key(&mut app, KeyCode::Esc);
    assert!(!app.waiting());
    assert!(form_error(&app).starts_with("Gave up waiting"), "{}", form_error(&app));
    let Some(Popup::Form(form)) = app.popups.last() else {
        panic!("the form is kept")
    };
    assert_eq!(form.value("Event"), "12:30 cache flushed");
    app.tick();
    assert_eq!(count(&app), 1);

    // Saving again waits again; once the other writer is done, a tick saves it.
    key(&mut app, KeyCode::Enter);
    assert!(app.waiting());
    other.execute_batch("COMMIT").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(250));
    app.tick();
    assert!(!app.waiting());
    assert!(app.popups.is_empty(), "the form closed once saved");
    assert_eq!(count(&app), 2);

    // Every other write path goes the same way: here a state toggle and a menu's link.
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    key(&mut app, KeyCode::Char('2'));
    let started = std::time::Instant::now();
    key(&mut app, KeyCode::Char('c'));
    within("a cause state", started);
    assert!(app.waiting());
    assert!(flash(&app).starts_with(WAITING_TEXT), "{}", flash(&app));
    key(&mut app, KeyCode::Esc);
    assert!(!app.waiting());
    assert!(
        app.store
            .causes(id)
            .unwrap()
            .iter()
            .all(|c| c.state == CauseState::Unexamined)
    );

    key(&mut app, KeyCode::Char('1'));
    key(&mut app, KeyCode::Char('g'));
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert!(app.waiting());
    assert!(
        matches!(app.popups.last(), Some(Popup::Menu(_))),
        "the menu stays open while it waits"
    );
    other.execute_batch("ROLLBACK").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(250));
    app.tick();
    assert!(!app.waiting());
    assert!(app.popups.is_empty());
    let linked = app.store.causes_of_event(event).unwrap();
    assert_eq!(linked.len(), 1, "linked once: {linked:?}");
}

/// Every kind of console write waits the same way behind another writer's lock: a delete
/// confirmed, a cause state, a card moved on the board, cause notes, the meeting's start.
/// Nothing is written while it waits (the change history does not grow), Esc gives up with the
/// popup kept, and once the lock is free each goes through when tried again.
#[test]
fn every_console_write_waits_behind_another_writer_the_same_way() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let store = Store::open(&path, "facilitator").unwrap();
    let id = store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    app.open_incident(id).unwrap();
    let history = |app: &App| app.store.history(id, None).unwrap().len();
    let other = rusqlite::Connection::open(&path).unwrap();
    let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
    // (what, keys that lead up to the write, the key that writes, the popup it writes from)
    let scripts: [(&str, &str, KeyEvent, bool); 5] = [
        (
            "delete an event",
            "1d",
            KeyEvent::new(KeyCode::Char('y'), KeyModifiers::NONE),
            true,
        ),
        (
            "a cause state",
            "2",
            KeyEvent::new(KeyCode::Char('r'), KeyModifiers::NONE),
            false,
        ),
        (
            "a card moved",
            "3",
            KeyEvent::new(KeyCode::Char('>'), KeyModifiers::NONE),
            false,
        ),
        ("cause notes", "2e checked the resolver", ctrl_s, true),
        (
            "the meeting's start",
            "1",
            KeyEvent::new(KeyCode::Char('M'), KeyModifiers::NONE),
            false,
        ),
    ];
    for (what, lead, write, from_popup) in scripts {
        keys(&mut app, lead);
        let before = history(&app);
        let popups = app.popups.len();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        draw(&mut app, 80, 24);
        app.press(write);
        assert!(app.waiting(), "{what}: waits");
        assert_eq!(app.popups.len(), popups, "{what}: the popups as they were");
        app.tick();
        assert_eq!(history(&app), before, "{what}: nothing written while it waits");
        key(&mut app, KeyCode::Esc);
        assert!(!app.waiting(), "{what}: Esc gives up");
        assert_eq!(app.popups.len(), popups, "{what}: Esc keeps the popup");
        assert_eq!(history(&app), before, "{what}: nothing written");

        app.press(write);
        assert!(app.waiting(), "{what}: waits again");
        other.execute_batch("ROLLBACK").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(250));
        app.tick();
        assert!(!app.waiting(), "{what}: saved once the lock is free");
        assert!(history(&app) > before, "{what}: written");
        if from_popup {
            assert!(app.popups.is_empty(), "{what}: its popup closed once saved");
        }
    }
}

/// `G` and `g` on the causes go to the last and the first cause however many there are (they
/// moved by 1,000 and stopped short in a longer list).
#[test]
fn top_and_bottom_reach_the_ends_of_a_long_cause_list() {
    let mut app = demo_app();
    open_demo(&mut app);
    let Screen::Review(r) = &app.screen else { unreachable!() };
    let id = r.incident.id;
    for i in 0..1_500 {
        app.store.add_custom_cause(id, &format!("custom cause {i}")).unwrap();
    }
    key(&mut app, KeyCode::Char('2'));
    let count = |app: &App| match &app.screen {
        Screen::Review(r) => (r.cause_sel, r.causes.len()),
        _ => unreachable!(),
    };
    key(&mut app, KeyCode::Char('G'));
    let (sel, n) = count(&app);
    assert!(n > 1_500, "{n}");
    assert_eq!(sel, n - 1, "G selects the last cause");
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(count(&app).0, n - 2);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(count(&app).0, 0, "g selects the first cause");
    key(&mut app, KeyCode::Char('k'));
    assert_eq!(count(&app).0, 0, "up from the first stays there");
}

/// Every key of a popup goes through the key map (#13 item 5): a user's keymap.toml rebinds the
/// question's keys, and the question names the keys it now answers to.
#[test]
fn a_rebound_confirm_answers_to_its_new_keys() {
    let mut app = demo_app();
    app.keymap = KeyMap::from_toml_patch("[confirm]\nyes = [\"o\"]\nno = [\"x\"]\n").unwrap();
    open_demo(&mut app);
    draw(&mut app, 80, 24);
    let Screen::Review(r) = &app.screen else { panic!() };
    let event = r.timeline.selected_event().unwrap().clone();
    key(&mut app, KeyCode::Char('d'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("o  yes    x  no"), "{text}");
    key(&mut app, KeyCode::Char('y'));
    key(&mut app, KeyCode::Char('n'));
    assert!(
        matches!(app.popups.last(), Some(Popup::Confirm(..))),
        "y and n mean nothing now"
    );
    assert!(app.store.event(event.id).is_ok());
    key(&mut app, KeyCode::Char('x'));
    assert!(app.popups.is_empty(), "x says no");
    assert!(app.store.event(event.id).is_ok());
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('o'));
    assert!(app.popups.is_empty());
    assert!(app.store.event(event.id).is_err(), "o says yes: deleted");
}

/// The menu's keys come from the key map's [menu] section.
#[test]
fn a_rebound_menu_moves_and_chooses_with_its_new_keys() {
    use debrief::tui::screens::review::forms::ReviewMenu;
    let mut app = demo_app();
    app.keymap = KeyMap::from_toml_patch("[menu]\ndown = [\"s\"]\nselect = [\"g\"]\n").unwrap();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('m'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("g choose · Esc"), "{text}");
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!("j and Enter mean nothing now: the menu stays")
    };
    assert_eq!(m.selected, 0);
    key(&mut app, KeyCode::Char('s'));
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!()
    };
    assert_eq!(m.selected, 1);
    let ReviewMenu::Milestone(event, choices) = m.purpose.clone() else {
        panic!("the milestone menu")
    };
    key(&mut app, KeyCode::Char('g'));
    assert!(app.popups.is_empty(), "g chose");
    assert_eq!(app.store.event(event.id).unwrap().milestone, choices[1]);
}

/// The conflict chooser's keys come from the key map's [conflict] section.
#[test]
fn a_rebound_conflict_chooser_keeps_mine_with_its_new_key() {
    let mut app = demo_app();
    app.keymap = KeyMap::from_toml_patch("[conflict]\nkeep_mine = [\"1\"]\n").unwrap();
    open_demo(&mut app);
    key(&mut app, KeyCode::Char('e'));
    let Screen::Review(r) = &app.screen else { panic!() };
    let mut theirs = r.timeline.selected_event().unwrap().clone();
    theirs.text = "their wording".into();
    app.store.update_event(&theirs).unwrap();
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    keys(&mut app, " (mine)");
    draw(&mut app, 80, 24);
    app.press(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("1 all mine"), "{text}");
    key(&mut app, KeyCode::Char('m'));
    assert!(
        matches!(app.popups.last(), Some(Popup::Conflict { .. })),
        "m means nothing now"
    );
    assert_eq!(app.store.event(theirs.id).unwrap().text, "their wording");
    key(&mut app, KeyCode::Char('1'));
    assert!(app.popups.is_empty());
    assert!(app.store.event(theirs.id).unwrap().text.ends_with("(mine)"));
}
