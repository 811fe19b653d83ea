//! Meeting mode: the agenda, its timer against the time boxes, attendance, the notes and the
//! wrap-up, drawn into a TestBackend at a fixed clock, and scripted through the real key map.

use crate::support::console::{app_at, draw, key_at, keys_at, screen};
use chrono::{DateTime, Duration, TimeZone, Utc};
use debrief::model::{AgendaStep, Role};
use debrief::store::Store;
use debrief::tui::app::{App, Clock, Popup, Screen};
use debrief::tui::screens::review::Pane;
use debrief::tui::screens::review::meeting::Panel;
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier};

/// The day after the demo incident, at 10:00 in Berlin: the review meeting begins.
fn ten_o_clock() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

fn app_on(store: Store, theme: Theme) -> App {
    app_at(store, theme, ten_o_clock())
}

fn demo_store() -> Store {
    let store = Store::open_in_memory("facilitator").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    store
}

/// The demo review open (Enter on the incident list), not yet in meeting mode.
fn demo_review(theme: Theme) -> App {
    let mut app = app_on(demo_store(), theme);
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)));
    app
}

fn advance(app: &mut App, minutes: i64, seconds: i64) {
    let now = app.now() + Duration::minutes(minutes) + Duration::seconds(seconds);
    app.clock = Clock::Fixed(now);
}

/// Presses a key the way the event loop does: after a frame was drawn.
fn key(app: &mut App, code: KeyCode) {
    key_at(app, code, 100, 30);
}

fn keys(app: &mut App, s: &str) {
    keys_at(app, s, 100, 30);
}

fn ctrl_s(app: &mut App) {
    draw(app, 100, 30);
    app.press(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
}

fn incident_id(app: &App) -> i64 {
    match &app.screen {
        Screen::Review(r) => r.incident.id,
        _ => panic!("not on a review"),
    }
}

fn panel(app: &App) -> Panel {
    match &app.screen {
        Screen::Review(r) => r.meeting.as_ref().expect("meeting mode").panel,
        _ => panic!("not on a review"),
    }
}

fn focus(app: &App) -> Pane {
    match &app.screen {
        Screen::Review(r) => r.focus,
        _ => panic!("not on a review"),
    }
}

fn meeting_row(app: &App) -> debrief::model::Meeting {
    app.store.meeting(incident_id(app)).unwrap()
}

/// Where `text` is on screen: (column, row) of its first character.
fn find(t: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
    let buf = t.backend().buffer();
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let joined: String = row.concat();
        if let Some(byte) = joined.find(text) {
            return (joined[..byte].chars().count() as u16, y);
        }
    }
    panic!("{text:?} not on screen");
}

#[test]
fn each_agenda_step_at_100x30_and_80x24() {
    let mut app = demo_review(Theme::dark());
    key(&mut app, KeyCode::Char('M'));
    assert_eq!(panel(&app), Panel::Panes);
    assert_eq!(focus(&app), Pane::Timeline, "documenting works in the timeline");
    advance(&mut app, 12, 5);
    assert_snapshot!("step1_document_100x30", screen(&mut app, 100, 30));
    assert_snapshot!("step1_document_80x24", screen(&mut app, 80, 24));

    key(&mut app, KeyCode::Char(']'));
    assert_eq!(panel(&app), Panel::Notes, "agreeing works in the notes");
    advance(&mut app, 4, 10);
    assert_snapshot!("step2_agree_100x30", screen(&mut app, 100, 30));
    assert_snapshot!("step2_agree_80x24", screen(&mut app, 80, 24));

    key(&mut app, KeyCode::Char(']'));
    assert_eq!(panel(&app), Panel::Panes);
    assert_eq!(focus(&app), Pane::Actions, "delegating works on the action board");
    advance(&mut app, 9, 0);
    assert_snapshot!("step3_delegate_100x30", screen(&mut app, 100, 30));
    assert_snapshot!("step3_delegate_80x24", screen(&mut app, 80, 24));

    key(&mut app, KeyCode::Char(']'));
    assert_eq!(panel(&app), Panel::WrapUp);
    advance(&mut app, 2, 30);
    assert_snapshot!("step4_wrap_up_100x30", screen(&mut app, 100, 30));
    assert_snapshot!("step4_wrap_up_80x24", screen(&mut app, 80, 24));

    key(&mut app, KeyCode::Char('['));
    assert_eq!(focus(&app), Pane::Actions, "[ goes back a step");
    key(&mut app, KeyCode::Char('M'));
    let text = screen(&mut app, 100, 30);
    assert!(!text.contains("Agree how to work"), "M leaves meeting mode:\n{text}");
    assert!(
        meeting_row(&app).is_running(),
        "leaving the screen does not end the meeting"
    );
}

#[test]
fn an_overrun_is_shown_plainly_and_without_relying_on_colour() {
    let mut app = demo_review(Theme::mono());
    key(&mut app, KeyCode::Char('M'));
    advance(&mut app, 20, 5);
    key(&mut app, KeyCode::Char(']'));
    advance(&mut app, 12, 40);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Agree how to work 12:40 / 10:00 OVER by 2:40"), "{text}");
    assert_snapshot!("timer_overrun_100x30", text);
    let t = draw(&mut app, 100, 30);
    let buf = t.backend().buffer();
    let (x, y) = find(&t, "OVER by 2:40");
    let over = buf[(x, y)].modifier;
    assert!(over.contains(Modifier::BOLD | Modifier::UNDERLINED), "{over:?}");
    let (x, y) = find(&t, "▶ 2 Agree how to work");
    assert!(
        buf[(x + 2, y)].modifier.contains(Modifier::REVERSED),
        "the current step by reverse video"
    );
    let (x, y) = find(&t, "1 Document the events");
    assert!(
        !buf[(x, y)].modifier.contains(Modifier::REVERSED),
        "only the current step"
    );
    for y in 0..30 {
        for x in 0..100 {
            assert_eq!(buf[(x, y)].fg, Color::Reset, "colour at {x},{y}");
        }
    }
    // The whole meeting runs over too: 20:05 + 12:40 + 30:00 > 60:00.
    key(&mut app, KeyCode::Char(']'));
    advance(&mut app, 30, 0);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("meeting 62:45 / 60:00"), "{text}");
    assert!(
        text.contains("Define and delegate tasks 30:00 / 20:00 OVER by 10:00"),
        "{text}"
    );
}

#[test]
fn time_boxes_come_from_the_settings() {
    let mut app = demo_review(Theme::dark());
    app.config = debrief::tui::config::Config::from_toml("[meeting]\ntimebox_minutes = [5, 5, 5, 5]", "t").unwrap();
    key(&mut app, KeyCode::Char('M'));
    advance(&mut app, 6, 0);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Document the events 6:00 / 5:00 OVER by 1:00"), "{text}");
    assert!(text.contains("meeting 6:00 / 20:00"), "{text}");
}

#[test]
fn the_wrap_up_lists_what_is_still_open() {
    let mut app = demo_review(Theme::dark());
    let id = incident_id(&app);
    // Leave something open in each part of the review.
    let causes = app.store.causes(id).unwrap();
    let confirmed = causes
        .iter()
        .find(|c| c.state == debrief::model::CauseState::Confirmed)
        .unwrap();
    let fix = app
        .store
        .actions(id)
        .unwrap()
        .into_iter()
        .find(|a| a.cause_id == Some(confirmed.id) && a.kind == debrief::model::ActionKind::Fix)
        .unwrap();
    app.store.delete_action(fix.id, fix.version).unwrap();
    let overload = causes.iter().find(|c| c.category.label() == "Overload").unwrap();
    app.store
        .set_cause_state(overload.id, overload.version, debrief::model::CauseState::Unexamined)
        .unwrap();
    let ack = app
        .store
        .all_events(id)
        .unwrap()
        .into_iter()
        .find(|e| e.milestone == Some(debrief::model::Milestone::Acknowledged))
        .unwrap();
    app.store.set_milestone(ack.id, ack.version, None).unwrap();
    app.reload();
    key(&mut app, KeyCode::Char('M'));
    for _ in 0..3 {
        advance(&mut app, 10, 0);
        key(&mut app, KeyCode::Char(']'));
    }
    let text = screen(&mut app, 100, 30);
    for open in [
        "Overload",
        "is confirmed but has no fix",
        "! Open action “Alert at 80% of orders-db",
        "max_connections” has no owner",
        "Acknowledged is not marked on the timeline",
        "Overload is not examined yet",
    ] {
        assert!(text.contains(open), "{open:?} missing:\n{text}");
    }
    assert_snapshot!("wrap_up_open_items_100x30", text);
    assert_snapshot!("wrap_up_open_items_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Char('G'));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("ends the meeting and records its end"),
        "scrolled to the end:\n{text}"
    );
}

#[test]
fn a_scripted_meeting_is_recorded_in_the_database() {
    let mut app = demo_review(Theme::dark());
    key(&mut app, KeyCode::Char('M'));
    let m = meeting_row(&app);
    assert_eq!(
        m.started_at,
        Some(ten_o_clock()),
        "entering meeting mode starts the clock"
    );
    assert_eq!(m.step, AgendaStep::Document);
    advance(&mut app, 18, 0);
    key(&mut app, KeyCode::Char(']'));
    let m = meeting_row(&app);
    assert_eq!(
        (m.step, m.step_seconds),
        (AgendaStep::Agree, [1080, 0, 0, 0]),
        "saved on each step"
    );
    advance(&mut app, 12, 40);
    key(&mut app, KeyCode::Char(']'));
    advance(&mut app, 2, 0);
    key(&mut app, KeyCode::Char('['));
    advance(&mut app, 1, 0);
    key(&mut app, KeyCode::Char(']'));
    advance(&mut app, 13, 0);
    key(&mut app, KeyCode::Char(']'));
    advance(&mut app, 5, 0);
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.last(), Some(Popup::Confirm(..))),
        "ending asks first"
    );
    key(&mut app, KeyCode::Char('n'));
    assert!(meeting_row(&app).is_running(), "n keeps it running");
    key(&mut app, KeyCode::Char('F'));
    key(&mut app, KeyCode::Char('y'));
    let end = ten_o_clock() + Duration::seconds(18 * 60 + 12 * 60 + 40 + 2 * 60 + 60 + 13 * 60 + 5 * 60);
    let m = meeting_row(&app);
    assert_eq!(m.started_at, Some(ten_o_clock()));
    assert_eq!(m.ended_at, Some(end));
    assert_eq!(m.step, AgendaStep::WrapUp);
    assert_eq!(m.step_seconds, [1080, 760 + 60, 15 * 60, 5 * 60]);
    assert_eq!(m.step_started_at, None, "the clock has stopped");
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("Meeting ended at 10:51 after 51:40 (60:00 planned)."),
        "{text}"
    );
    assert!(text.contains("Held 10:00–10:51; the meeting has ended."), "{text}");
    assert!(
        text.contains("Meeting ended at 10:51 · held 10:00–10:51 · 51:40 of 60:00 planned"),
        "{text}"
    );
    advance(&mut app, 30, 0);
    assert!(
        screen(&mut app, 100, 30).contains("Meeting ended at 10:51"),
        "the clock stays stopped"
    );
    key(&mut app, KeyCode::Char('F'));
    assert!(app.popups.is_empty(), "an ended meeting does not end twice");
}

#[test]
fn a_second_session_and_a_restart_see_the_same_meeting() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.db");
    let first = Store::open(&path, "priya").unwrap();
    first
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut a = app_on(first, Theme::dark());
    key(&mut a, KeyCode::Enter);
    key(&mut a, KeyCode::Char('M'));
    advance(&mut a, 5, 0);
    key(&mut a, KeyCode::Char(']'));

    // Another process opens the same review two minutes later.
    let mut b = app_on(Store::open(&path, "tomasz").unwrap(), Theme::dark());
    advance(&mut b, 7, 0);
    key(&mut b, KeyCode::Enter);
    b.set_meeting_mode(true);
    let text = screen(&mut b, 100, 30);
    assert!(text.contains("Agree how to work 2:00 / 10:00"), "{text}");
    assert!(text.contains("started 10:00"), "{text}");
    assert_eq!(panel(&b), Panel::Notes);

    // B moves the agenda on; A notices at its next tick and follows.
    key(&mut b, KeyCode::Char(']'));
    a.tick();
    assert_eq!(panel(&a), Panel::Panes);
    assert_eq!(focus(&a), Pane::Actions, "the other session follows the agenda");
    advance(&mut a, 3, 0);
    let text = screen(&mut a, 100, 30);
    assert!(text.contains("Define and delegate tasks 1:00 / 20:00"), "{text}");

    // A, not having seen a later move (its key comes before its next frame, which would have
    // picked the move up), is told instead of overwriting it.
    key(&mut b, KeyCode::Char(']'));
    a.press(KeyEvent::new(KeyCode::Char('['), KeyModifiers::NONE));
    let m = a.store.meeting(incident_id(&a)).unwrap();
    assert_eq!(m.step, AgendaStep::WrapUp, "the later move stands");
    assert!(
        a.flash
            .as_ref()
            .is_some_and(|f| f.is_error() && f.text().contains("changed in another session")),
        "{:?}",
        a.flash
    );
    assert_eq!(panel(&a), Panel::WrapUp);
}

#[test]
fn two_stores_on_one_file_see_each_others_meeting_changes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.db");
    let one = Store::open(&path, "one").unwrap();
    let id = one
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let two = Store::open(&path, "two").unwrap();
    let before = two.data_version().unwrap();
    let mut m = one.meeting(id).unwrap();
    let stale = m.clone();
    m.start(ten_o_clock());
    m.agreement = "Priya leads; daily 09:30 until the actions are done".into();
    one.update_meeting(&m).unwrap();
    assert_ne!(two.data_version().unwrap(), before, "the other store notices a change");
    let seen = two.meeting(id).unwrap();
    assert_eq!(seen.started_at, Some(ten_o_clock()));
    assert_eq!(seen.agreement, m.agreement);
    let mut late = stale;
    late.decisions = "written from an old copy".into();
    let err = two.update_meeting(&late).unwrap_err();
    assert!(err.is_conflict(), "{err}");
    assert_eq!(one.meeting(id).unwrap().decisions, "", "nothing was overwritten");
    let p = two.participants(id).unwrap().remove(0);
    let mut toggled = p.clone();
    toggled.present = !p.present;
    one.update_participant(&toggled).unwrap();
    assert!(two.update_participant(&p).unwrap_err().is_conflict());
}

#[test]
fn attendance_is_toggled_and_participants_added() {
    let mut app = demo_review(Theme::dark());
    let id = incident_id(&app);
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('4'));
    assert_eq!(panel(&app), Panel::Notes, "4 shows attendance and notes at any step");
    keys(&mut app, "jjjj");
    key(&mut app, KeyCode::Char(' '));
    let aylin = app
        .store
        .participants(id)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Aylin Demir")
        .unwrap();
    assert!(aylin.present, "Space marks her present");
    key(&mut app, KeyCode::Char('p'));
    let aylin = app
        .store
        .participants(id)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Aylin Demir")
        .unwrap();
    assert!(!aylin.present, "p toggles back");

    key(&mut app, KeyCode::Char('a'));
    assert_snapshot!("add_participant_80x24", screen(&mut app, 80, 24));
    keys(&mut app, "Sam Okafor");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.flash);
    let sam = app
        .store
        .participants(id)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Sam Okafor")
        .unwrap();
    assert_eq!((sam.role, sam.present), (Role::Architect, true));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("▶ [x] Sam Okafor"),
        "the new participant is selected:\n{text}"
    );
    assert!(text.contains("Attendance · 6 of 7 present"), "{text}");

    key(&mut app, KeyCode::Char('e'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Enter);
    let sam = app
        .store
        .participants(id)
        .unwrap()
        .into_iter()
        .find(|p| p.name == "Sam Okafor")
        .unwrap();
    assert!(!sam.present, "edited to absent");
    key(&mut app, KeyCode::Char('d'));
    key(&mut app, KeyCode::Char('y'));
    assert!(
        app.store
            .participants(id)
            .unwrap()
            .iter()
            .all(|p| p.name != "Sam Okafor")
    );

    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "priya sharma");
    key(&mut app, KeyCode::Enter);
    let refused = match app.popups.last() {
        Some(Popup::Form(f)) => f.error.clone().unwrap_or_default(),
        _ => String::new(),
    };
    assert!(
        refused.contains("Priya Sharma is already a participant"),
        "a second Priya is refused and the form stays open: {refused:?}"
    );
    assert_eq!(app.store.participants(id).unwrap().len(), 6);
}

#[test]
fn the_agreement_and_decisions_are_saved_with_the_meeting() {
    let mut app = demo_review(Theme::dark());
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('D'));
    // The demo has decisions already, one a line: a new line is a new decision.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "Roll back first, debug later | Priya Sharma | 10:05");
    ctrl_s(&mut app);
    assert!(app.popups.is_empty());
    let decisions = app.store.narrative(incident_id(&app)).unwrap().decisions;
    let last = decisions.last().unwrap();
    assert_eq!(
        (
            decisions.len(),
            last.text.as_str(),
            last.who.as_str(),
            last.when.as_str()
        ),
        (5, "Roll back first, debug later", "Priya Sharma", "10:05"),
        "decisions at any step, with who and when"
    );
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('w'));
    keys(&mut app, "Priya leads the review");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "We meet daily at 09:30");
    ctrl_s(&mut app);
    assert!(app.popups.is_empty());
    let m = meeting_row(&app);
    assert_eq!(m.agreement, "Priya leads the review\nWe meet daily at 09:30");
    assert_eq!(m.step, AgendaStep::Agree, "saving a note leaves the agenda alone");
    assert_snapshot!("notes_written_100x30", screen(&mut app, 100, 30));
}

#[test]
fn a_conflicting_agreement_shows_both_and_saves_nothing_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("debrief.db");
    let store = Store::open(&path, "priya").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('w'));
    keys(&mut app, "mine");
    // Meanwhile someone else writes the agreement, and moves the agenda on.
    let other = Store::open(&path, "tomasz").unwrap();
    let mut theirs = other.meeting(incident_id(&app)).unwrap();
    theirs.agreement = "theirs".into();
    other.update_meeting(&theirs).unwrap();
    ctrl_s(&mut app);
    assert!(
        matches!(app.popups.last(), Some(Popup::Conflict { .. })),
        "{:?}",
        app.flash
    );
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("working agreement") && text.contains("theirs") && text.contains("mine"),
        "{text}"
    );
    assert_eq!(meeting_row(&app).agreement, "theirs");
    key(&mut app, KeyCode::Char('m'));
    assert_eq!(meeting_row(&app).agreement, "mine", "saved mine after choosing");

    // A change to the agenda alone is no conflict for a note.
    key(&mut app, KeyCode::Char('D'));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "decided");
    let mut moved = other.meeting(incident_id(&app)).unwrap();
    moved.step = AgendaStep::Delegate;
    other.update_meeting(&moved).unwrap();
    ctrl_s(&mut app);
    assert!(app.popups.is_empty());
    let decisions = app.store.narrative(incident_id(&app)).unwrap().decisions;
    let last = decisions.last().unwrap().text.clone();
    assert_eq!(
        (last.as_str(), meeting_row(&app).step),
        ("decided", AgendaStep::Delegate)
    );
}

#[test]
fn the_owner_field_offers_the_participants() {
    let mut app = demo_review(Theme::dark());
    let id = incident_id(&app);
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "Rotate the PayFast API keys");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("→ picks a participant: Priya Sharma · Tomasz Nowak · Lena Fischer"),
        "{text}"
    );
    assert_snapshot!("owner_hint_100x30", text);
    keys(&mut app, "jo");
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", app.popups.len());
    let a = app
        .store
        .actions(id)
        .unwrap()
        .into_iter()
        .find(|a| a.title == "Rotate the PayFast API keys")
        .unwrap();
    assert_eq!(a.owner, "Jonas Weber (PayFast)");
    assert_eq!(a.owner_role, Some(Role::ExternalProvider), "the participant's role");
}

#[test]
fn help_and_hints_list_the_meeting_keys() {
    let mut app = demo_review(Theme::dark());
    let text = screen(&mut app, 100, 30);
    assert!(!text.contains("next step"), "not outside a meeting:\n{text}");
    key(&mut app, KeyCode::Char('M'));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("] next step · [ prev step · D decisions · F end meeting"),
        "{text}"
    );
    key(&mut app, KeyCode::Char('?'));
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Meeting agenda"), "{text}");
    assert!(text.contains("next agenda step"), "{text}");
    assert_snapshot!("help_in_meeting_mode_100x30", text);
}

#[test]
fn meeting_screens_fit_small_terminals() {
    let mut app = demo_review(Theme::dark());
    key(&mut app, KeyCode::Char('M'));
    for _ in 0..4 {
        for (w, h) in [(60, 16), (61, 17), (80, 24), (100, 30), (200, 60), (3, 3), (0, 0)] {
            draw(&mut app, w, h);
        }
        key(&mut app, KeyCode::Char(']'));
    }
}

/// Issue #12, defect 5 (the same mistake in attendance): the selected participant was a
/// position in a list that reloads; when another session removed someone above, Space toggled
/// whoever moved into that position. The selection now stays on the same person.
#[test]
fn attendance_acts_on_the_person_selected_when_another_session_removes_someone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.db");
    let store = Store::open(&path, "facilitator").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = app_on(store, Theme::dark());
    key(&mut app, KeyCode::Enter);
    let id = incident_id(&app);
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('4'));
    keys(&mut app, "jjjj");
    let selected = |app: &App| match &app.screen {
        Screen::Review(r) => r.participants[r.meeting.as_ref().unwrap().participant_sel.selected()]
            .name
            .clone(),
        _ => panic!("not on a review"),
    };
    assert_eq!(selected(&app), "Aylin Demir");

    let other = Store::open(&path, "ben").unwrap();
    let first = other.participants(id).unwrap().remove(0);
    other.delete_participant(first.id, first.version).unwrap();
    app.tick();
    draw(&mut app, 100, 30);
    assert_eq!(selected(&app), "Aylin Demir", "still the same person");
    key(&mut app, KeyCode::Char(' '));
    let present: Vec<String> = app
        .store
        .participants(id)
        .unwrap()
        .into_iter()
        .filter(|p| p.present)
        .map(|p| p.name)
        .collect();
    assert!(present.contains(&"Aylin Demir".to_string()), "{present:?}");
}
