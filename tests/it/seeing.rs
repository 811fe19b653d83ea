//! Seeing and moving (#17 section 3): live changes followed or counted, lists that keep their
//! current row in view, the board given the room at meeting step 3, warnings and presence that
//! stay readable when cut — scripted keys through the key map and snapshots at 80x24 and 160x45.

use crate::support::console::{app_at, key_at, keys_at, screen};
use chrono::{DateTime, Duration, TimeZone, Utc};
use debrief::model::{CauseCategory, CauseState, EventKind, Source, StandardCause};
use debrief::store::{NewEvent, NewIncident, Store};
use debrief::tui::app::{App, Popup, Screen};
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::KeyCode;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

fn demo(store: &Store) {
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
}

/// The demo review open at `w`x`h` (Enter on the incident list).
fn demo_review(store: Store, w: u16, h: u16) -> App {
    let mut app = app_at(store, Theme::dark(), now());
    key_at(&mut app, KeyCode::Enter, w, h);
    assert!(matches!(app.screen, Screen::Review(_)));
    app
}

fn timeline(app: &App) -> &debrief::tui::screens::review::timeline::TimelineState {
    match &app.screen {
        Screen::Review(r) => &r.timeline,
        _ => panic!("not on the review"),
    }
}

/// The event rows drawn in the timeline pane (lines starting with a day and a time).
fn event_rows(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let l = l.trim_start_matches(['┃', '│', ' ', '▶']);
            l.len() > 11 && l.as_bytes()[2] == b'-' && l.as_bytes()[8] == b':'
        })
        .count()
}

/// Another session (its own connection to the file) writes an event at `at`.
fn other_writes(path: &std::path::Path, at: DateTime<Utc>, text: &str) {
    let other = Store::open(path, "ben").unwrap();
    let new = NewEvent {
        at,
        kind: EventKind::Note,
        text: text.into(),
        milestone: None,
        source: Source::Typed,
        author: None,
    };
    other.add_event(1, &new).unwrap();
}

/// A frame without the temporary directory's name (the status bar shows the database path).
fn stable(text: String, path: &std::path::Path) -> String {
    text.replace(&path.display().to_string(), "d.db")
}

/// After the demo's last event (17:30 Berlin on the 24th).
fn late(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 16, 30, 0).unwrap() + Duration::minutes(minutes)
}

#[test]
fn on_the_last_event_new_events_are_followed_like_tail_f() {
    for (w, h) in [(80, 24), (160, 45)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let store = Store::open(&path, "facilitator").unwrap();
        demo(&store);
        let mut app = demo_review(store, w, h);
        keys_at(&mut app, "G", w, h);
        let total = timeline(&app).total;
        assert_eq!(timeline(&app).selected, total - 1);
        other_writes(&path, late(5), "Ben: payments steady for an hour");
        app.tick();
        let t = timeline(&app);
        assert_eq!(
            (t.total, t.selected),
            (total + 1, total),
            "the selection follows the new last event"
        );
        let text = screen(&mut app, w, h);
        assert!(
            text.contains("▶ 11-24 17:35"),
            "the new event is selected and shown:\n{text}"
        );
        assert!(!text.contains("new below"), "{text}");
        other_writes(&path, late(6), "Ben: closing the bridge");
        app.tick();
        assert_eq!(timeline(&app).selected, total + 1, "and again");
        assert_snapshot!(
            format!("follow_at_the_end_{w}x{h}"),
            stable(screen(&mut app, w, h), &path)
        );
    }
}

#[test]
fn elsewhere_new_events_below_are_counted_until_seen() {
    for (w, h) in [(80, 24), (160, 45)] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.db");
        let store = Store::open(&path, "facilitator").unwrap();
        demo(&store);
        let mut app = demo_review(store, w, h);
        assert_eq!(timeline(&app).new_below, 0, "nothing is new on opening");
        keys_at(&mut app, "gjj", w, h);
        let before = timeline(&app).selected;
        assert_eq!(before, 2);
        other_writes(&path, late(5), "Ben: payments steady for an hour");
        other_writes(&path, late(6), "Ben: closing the bridge");
        app.tick();
        assert_eq!(timeline(&app).selected, before, "the selection stays where the user is");
        assert_eq!(timeline(&app).new_below, 2);
        let text = screen(&mut app, w, h);
        assert!(text.contains("2 new below (G)"), "{text}");
        assert_snapshot!(format!("new_below_{w}x{h}"), stable(text.clone(), &path));
        // Other panes' summaries say it too at 80x24.
        if w == 80 {
            keys_at(&mut app, "3", w, h);
            let text = screen(&mut app, w, h);
            assert!(text.contains("1 Timeline ▸ 37 events · 2 new below (G)"), "{text}");
            keys_at(&mut app, "1", w, h);
        }
        // An event above the selection is not "below".
        other_writes(&path, late(-24 * 60), "a day early");
        app.tick();
        assert_eq!(timeline(&app).new_below, 2);
        // Seen: once the end is on screen the note goes.
        keys_at(&mut app, "G", w, h);
        let text = screen(&mut app, w, h);
        assert!(!text.contains("new below"), "{text}");
        assert_eq!(timeline(&app).new_below, 0);
    }
}

#[test]
fn a_kind_filter_puts_the_first_match_in_view_with_no_empty_rows_below() {
    let mut app = demo_review(
        {
            let s = Store::open_in_memory("facilitator").unwrap();
            demo(&s);
            s
        },
        80,
        24,
    );
    // Down the list, on a note (not an observation), the window scrolled.
    keys_at(&mut app, "g", 80, 24);
    keys_at(&mut app, &"j".repeat(30), 80, 24);
    // The search form: no words, kind "observation".
    keys_at(&mut app, "/", 80, 24);
    key_at(&mut app, KeyCode::Tab, 80, 24);
    while !matches!(app.popups.last(), Some(Popup::Form(f)) if f.value("Kind") == "observation") {
        key_at(&mut app, KeyCode::Right, 80, 24);
    }
    key_at(&mut app, KeyCode::Enter, 80, 24);
    let t = timeline(&app);
    assert!(t.total >= 5 && t.total < 15, "some observations: {}", t.total);
    let text = screen(&mut app, 80, 24);
    let blank = text.lines().filter(|l| l.trim_matches(['┃', ' ']).is_empty()).count();
    assert_eq!(blank, 0, "no empty rows below the matches:\n{text}");
    assert!(event_rows(&text) >= 12, "the window is full of matches:\n{text}");
    assert!(text.contains('▶'), "the current row is in view:\n{text}");
    assert_snapshot!("kind_filter_80x24", text);
}

#[test]
fn bottom_then_away_and_back_keeps_the_window_full() {
    let store = Store::open_in_memory("facilitator").unwrap();
    demo(&store);
    let mut app = demo_review(store, 80, 24);
    keys_at(&mut app, "G", 80, 24);
    key_at(&mut app, KeyCode::Tab, 80, 24);
    keys_at(&mut app, "1", 80, 24);
    let text = screen(&mut app, 80, 24);
    // 15 rows inside the pane: gap lines and events, all of them used, the last event selected.
    assert!(
        event_rows(&text) >= 10,
        "the window is full, not only the last event:\n{text}"
    );
    assert!(text.contains("▶ 11-24 17:30"), "{text}");
    assert_snapshot!("g_tab_1_80x24", text);
    // At 160x45 too, after zooming in and out.
    keys_at(&mut app, "zz", 160, 45);
    let text = screen(&mut app, 160, 45);
    assert!(event_rows(&text) >= 30, "{text}");
}

#[test]
fn meeting_step_three_gives_the_board_the_room() {
    let store = Store::open_in_memory("facilitator").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = demo_review(store, 160, 45);
    keys_at(&mut app, "M]]", 160, 45);
    let text = screen(&mut app, 160, 45);
    let board = text.lines().find(|l| l.contains("3 Actions")).unwrap();
    let start = board.chars().position(|c| c == '┏').unwrap();
    let width = board.chars().count() - start;
    assert!(width >= 70, "the board has the room ({width} columns):\n{text}");
    // Priority, the whole title where it fits, due dates whole.
    assert!(
        text.contains("FIX P1 Cap DB connections per pod and autoscaler max s"),
        "{text}"
    );
    assert!(text.contains("PRC P3 Subscribe the on-call channel"), "{text}");
    for due in [
        "· 11-28",
        "· 12-10",
        "· 12-03",
        "· no date",
        "· 12-01",
        "· 12-05",
        "· 11-25",
    ] {
        assert!(text.contains(due), "{due}:\n{text}");
    }
    assert_snapshot!("meeting_step_3_160x45", text);
    // Step 1 gives the timeline the room back.
    keys_at(&mut app, "[[", 160, 45);
    let text = screen(&mut app, 160, 45);
    let line = text.lines().find(|l| l.contains("1 Timeline")).unwrap();
    assert!(line.find("2 Causes").unwrap() > 60, "{line}");
}

#[test]
fn due_dates_are_never_cut_on_a_narrow_board() {
    let store = Store::open_in_memory("facilitator").unwrap();
    demo(&store);
    let mut app = demo_review(store, 160, 45);
    // Outside a meeting at 160x45 the board is a 41-column pane.
    let text = screen(&mut app, 160, 45);
    for due in ["11-28", "12-10", "12-03", "no date", "12-01", "12-05", "11-25"] {
        assert!(text.contains(due), "{due}:\n{text}");
    }
    assert!(text.contains("P1 "), "{text}");
}

fn add_incident(store: &Store) -> i64 {
    store
        .create_incident(&NewIncident {
            title: "Payments failing".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "Europe/Berlin".into(),
            started_at: Some(now() - Duration::hours(3)),
        })
        .unwrap()
}

#[test]
fn warnings_cut_to_a_pane_stay_different() {
    let store = Store::open_in_memory("facilitator").unwrap();
    let id = add_incident(&store);
    let causes = store.causes(id).unwrap();
    let c = causes
        .iter()
        .find(|c| c.category == CauseCategory::Standard(StandardCause::ThirdParty))
        .unwrap();
    store.set_cause_state(c.id, c.version, CauseState::Confirmed).unwrap();
    let mut app = demo_review(store, 160, 45);
    let text = screen(&mut app, 160, 45);
    let warnings: Vec<&str> = text
        .lines()
        .flat_map(|l| l.split(['┃', '│']))
        .map(str::trim)
        .filter(|w| w.starts_with("! "))
        .collect();
    assert!(warnings.len() >= 2, "{text}");
    let mut unique = warnings.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        warnings.len(),
        "every warning reads differently: {warnings:?}\n{text}"
    );
    assert!(warnings.iter().any(|w| w.ends_with("fix action")), "{warnings:?}");
    assert!(
        warnings.iter().any(|w| w.ends_with("monitoring action")),
        "{warnings:?}"
    );
    assert_snapshot!("distinct_warnings_160x45", text);
    // The header's first warning, cut, ends in an ellipsis.
    let text = screen(&mut app, 120, 30);
    let header = text.lines().nth(1).unwrap();
    assert!(header.contains("! "), "{header}");
    assert!(header.ends_with('…') || header.len() < 119, "{header}");
}

#[test]
fn two_sessions_of_one_person_show_as_one_name_times_two() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.db");
    let store = Store::open(&path, "facilitator").unwrap();
    demo(&store);
    let mut app = demo_review(store, 80, 24);
    let other = Store::open(&path, "dana").unwrap();
    other.heartbeat("dana-1", Some(1), now(), now()).unwrap();
    other.heartbeat("dana-2", Some(1), now(), now()).unwrap();
    Store::open(&path, "ben")
        .unwrap()
        .heartbeat("ben-1", Some(1), now(), now())
        .unwrap();
    app.tick();
    for (w, h) in [(80, 24), (160, 45)] {
        let text = screen(&mut app, w, h);
        let header = text.lines().next().unwrap();
        assert_eq!(header.matches("dana").count(), 1, "one name:\n{header}");
        assert!(header.contains("dana ×2"), "{header}");
        assert_snapshot!(format!("presence_times_two_{w}x{h}"), stable(text, &path));
    }
}

#[test]
fn the_welcome_help_lists_only_keys_that_work_there() {
    let mut app = app_at(Store::open_in_memory("dana").unwrap(), Theme::dark(), now());
    keys_at(&mut app, "?", 80, 24);
    let text = screen(&mut app, 80, 24);
    // The first word inside the help box of each line: the keys listed.
    let keys: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split('┃').nth(1))
        .filter_map(|inner| inner.strip_prefix("   "))
        .filter_map(|inner| inner.split_whitespace().next())
        .collect();
    for key in ["M", "x", "H", "E", "tab", "z", "t", "1", "j/↓", "↓", "enter"] {
        assert!(
            !keys.contains(&key),
            "{key} does nothing on the welcome screen: {keys:?}\n{text}"
        );
    }
    for works in ["n", "D", "q", "T", "A", "C-l"] {
        assert!(keys.contains(&works), "{works} works there: {keys:?}\n{text}");
    }
}

#[test]
fn incident_list_headings_sit_over_their_data() {
    let store = Store::open_in_memory("facilitator").unwrap();
    demo(&store);
    let mut app = app_at(store, Theme::dark(), now());
    for (w, h) in [(80, 24), (160, 45)] {
        let text = screen(&mut app, w, h);
        let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
        let head = lines
            .iter()
            .position(|l| l.iter().collect::<String>().contains("STATUS"))
            .unwrap();
        let (head, row) = (&lines[head], &lines[head + 1]);
        let at = |l: &[char], s: &str| {
            let s: Vec<char> = s.chars().collect();
            l.windows(s.len()).position(|win| win == s.as_slice()).unwrap()
        };
        assert_eq!(at(head, "SEV "), at(row, "SEV1"), "{text}");
        assert_eq!(at(head, "STATUS"), at(row, "in review"), "{text}");
        assert_eq!(at(head, "STARTED"), at(row, "11-24 14:07"), "{text}");
        assert_eq!(at(head, "TITLE"), at(row, "Checkout"), "{text}");
    }
}

#[test]
fn the_milestone_menu_hint_and_the_empty_board_are_not_cut() {
    let store = Store::open_in_memory("facilitator").unwrap();
    demo(&store);
    let mut app = demo_review(store, 80, 24);
    keys_at(&mut app, "m", 80, 24);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Enter choose · Esc cancel"), "{text}");

    let store = Store::open_in_memory("facilitator").unwrap();
    add_incident(&store);
    let mut app = demo_review(store, 80, 24);
    keys_at(&mut app, "3", 80, 24);
    let text = screen(&mut app, 80, 24);
    let words: Vec<&str> = text
        .lines()
        .flat_map(|l| l.trim_matches(['┃', ' ']).split_whitespace())
        .collect();
    let said = words.join(" ");
    assert!(
        said.contains("No actions yet. Press a to add a fix, monitoring or process action."),
        "{text}"
    );
}

#[test]
fn one_action_is_one_action() {
    let store = Store::open_in_memory("dana").unwrap();
    let id = add_incident(&store);
    let mut new = debrief::store::NewAction::titled("Alert on 5xx", debrief::model::ActionKind::Monitoring);
    new.owner = "dana".into();
    store.add_action(id, &new).unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    keys_at(&mut app, "A", 80, 24);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("1 action") && !text.contains("1 actions"), "{text}");
}

#[test]
fn h_and_l_skip_an_empty_middle_column() {
    use debrief::model::ActionStatus;
    // The demo with its DOING column emptied.
    let store = || {
        let store = Store::open_in_memory("facilitator").unwrap();
        demo(&store);
        for a in store.actions(1).unwrap() {
            if a.status == ActionStatus::Doing {
                store.set_action_status(a.id, a.version, ActionStatus::Done).unwrap();
            }
        }
        store
    };
    let selected = |app: &App| match &app.screen {
        Screen::Review(r) => r.selected_action().map(|a| a.status),
        _ => None,
    };
    for (w, h) in [(80, 24), (160, 45)] {
        let mut app = demo_review(store(), w, h);
        keys_at(&mut app, "3G", w, h);
        // The last card is in the last column (done, or not doing below it).
        assert!(matches!(
            selected(&app),
            Some(ActionStatus::Done | ActionStatus::NotDoing)
        ));
        keys_at(&mut app, "h", w, h);
        assert_eq!(
            selected(&app),
            Some(ActionStatus::Todo),
            "DONE → TODO over the empty DOING at {w}x{h}"
        );
        keys_at(&mut app, "l", w, h);
        assert_eq!(selected(&app), Some(ActionStatus::Done), "and back at {w}x{h}");
    }
}
