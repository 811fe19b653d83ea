//! Follow-up meetings (#14 item 5): a review holds meeting 1 and its follow-ups, each with its
//! own clock, working agreement, attendance and decisions; in the store (and its migration), the
//! JSON document (version 4, older ones still load), `show`, the Markdown and the console.

use crate::support::console::{app_at, draw, key_at, keys_at, screen};
use chrono::{DateTime, TimeZone, Utc};
use debrief::model::document::Document;
use debrief::model::{AgendaStep, Role};
use debrief::store::Store;
use debrief::tui::app::{App, Clock, Popup, Screen};
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap()
}

fn count_incidents(store: &Store) -> usize {
    store.incidents().map(|l| l.len()).unwrap_or(0)
}

fn new_incident(store: &Store) -> i64 {
    store
        .create_incident(&debrief::store::NewIncident {
            title: "Payments down".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap()
}

/// A store with one incident, two participants (Ana present) and its meeting 1 held 09:00–09:40.
fn held_once() -> (Store, i64) {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store);
    store.add_participant(id, "Ana", Role::Facilitator).unwrap();
    store.add_participant(id, "Ben", Role::Developer).unwrap();
    let mut ana = store.participants(id).unwrap().remove(0);
    ana.present = true;
    store.update_participant(&ana).unwrap();
    let mut m = store.meeting(id).unwrap();
    m.start(at(25, 9, 0));
    m.end(at(25, 9, 40));
    m.attended = Some(vec!["Ana".into()]);
    store.update_meeting(&m).unwrap();
    (store, id)
}

#[test]
fn a_follow_up_starts_only_after_the_last_meeting_ended_and_takes_attendance_afresh() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = new_incident(&store);
    let mut m = store.meeting(id).unwrap();
    assert_eq!(m.number, 1, "the first meeting is meeting 1");
    m.start(at(25, 9, 0));
    let m = store.update_meeting(&m).unwrap();
    let err = store.start_follow_up(id, 1, at(25, 9, 30)).unwrap_err().to_string();
    assert!(err.contains("Meeting 1 has not ended"), "{err}");
    assert_eq!(store.meetings(id).unwrap().len(), 1, "nothing written");
    let mut m = m;
    m.end(at(25, 9, 40));
    store.update_meeting(&m).unwrap();

    let (store, id) = held_once();
    let two = store.start_follow_up(id, 1, at(27, 14, 0)).unwrap();
    assert_eq!(
        (two.number, two.started_at, two.ended_at, two.step),
        (2, Some(at(27, 14, 0)), None, AgendaStep::Document)
    );
    assert!(two.is_running(), "its clock runs from the start");
    assert!(
        store.participants(id).unwrap().iter().all(|p| !p.present),
        "attendance is taken afresh"
    );
    let again = store.start_follow_up(id, 1, at(27, 14, 1)).unwrap();
    assert_eq!(
        again.id, two.id,
        "a second session asking for the same follow-up joins it"
    );
    let all = store.meetings(id).unwrap();
    assert_eq!(all.iter().map(|m| m.number).collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(
        all[0].attended.as_deref(),
        Some(&["Ana".to_string()][..]),
        "meeting 1 keeps its record"
    );
    assert_eq!(
        store.meeting(id).unwrap().id,
        two.id,
        "the current meeting is the latest"
    );
}

#[test]
fn a_decision_names_a_meeting_the_review_held() {
    let (store, id) = held_once();
    let mut n = store.narrative(id).unwrap();
    n.decisions =
        debrief::model::narrative::parse_decisions("Roll back first | Ana | review\n(meeting 2) Cap").unwrap();
    let err = store.set_narrative(id, &n).unwrap_err().to_string();
    assert!(
        err.contains("decisions[1]: meeting 2 is not one of this review's meetings"),
        "{err}"
    );
    assert!(store.narrative(id).unwrap().decisions.is_empty(), "nothing saved");
    store.start_follow_up(id, 1, at(27, 14, 0)).unwrap();
    let saved = store.set_narrative(id, &n).unwrap();
    assert_eq!(saved.decisions[1].meeting, Some(2));
}

/// A database of schema version 7: its one meeting becomes meeting 1; an ended one is recorded
/// as attended by who was marked present.
#[test]
fn the_migration_makes_the_one_meeting_meeting_1() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v7.db");
    {
        let conn = crate::support::seed::database_at(&path, 7);
        conn.execute_batch(
            "INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
               VALUES ('held', 2, 'open', 'UTC', 0, 0, 0);
             INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
               VALUES ('running', 2, 'open', 'UTC', 0, 0, 0);
             INSERT INTO participants (incident_id, name, role, present) VALUES (1, 'Zoe', 'operator', 1);
             INSERT INTO participants (incident_id, name, role, present) VALUES (1, 'Ana', 'developer', 1);
             INSERT INTO participants (incident_id, name, role, present) VALUES (1, 'Ben', 'developer', 0);
             INSERT INTO meetings (incident_id, step, started_at, ended_at, agreement)
               VALUES (1, 'wrap_up', 1000, 2000, 'we meet daily');
             INSERT INTO meetings (incident_id, started_at) VALUES (2, 1000);
             INSERT INTO decisions (incident_id, position, text) VALUES (1, 0, 'roll back');",
        )
        .unwrap();
    }
    let store = Store::open(&path, "ana").unwrap();
    let held = store.meetings(1).unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].number, held[0].agreement.as_str()), (1, "we meet daily"));
    assert_eq!(
        held[0].attended,
        Some(vec!["Zoe".to_string(), "Ana".to_string()]),
        "who was present, in the order they were added"
    );
    let running = store.meeting(2).unwrap();
    assert_eq!(
        (running.number, running.attended.clone()),
        (1, None),
        "not ended: not recorded"
    );
    assert!(running.has_started());
    assert_eq!(store.narrative(1).unwrap().decisions[0].meeting, None);
    let two = store.start_follow_up(1, 1, at(27, 14, 0)).unwrap();
    assert_eq!(two.number, 2, "follow-ups work on a migrated file");
}

#[test]
fn the_demo_s_two_meetings_survive_export_load_export() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let first = store.export_document(id).unwrap();
    assert_eq!(first.version, 4);
    assert_eq!(first.meetings.len(), 2);
    assert!(first.meeting.is_none());
    assert_eq!(first.meetings[1].number, Some(2));
    assert!(first.narrative.decisions.iter().any(|d| d.meeting == Some(2)));
    let json = serde_json::to_string_pretty(&first).unwrap();
    assert!(json.contains("\"meetings\": ["), "{json}");
    let back: Document = serde_json::from_str(&json).unwrap();
    let again = store.export_document(store.load_document(&back).unwrap()).unwrap();
    assert_eq!(
        serde_json::to_string_pretty(&again).unwrap(),
        json,
        "export → load → export is identical"
    );
}

/// A document of version 3 holds one `meeting`: it loads as meeting 1, attended by who is
/// marked present when it had ended, and its paragraph of decisions is meeting 1's decision.
#[test]
fn a_version_3_document_s_meeting_loads_as_meeting_1() {
    let mut doc: serde_json::Value = serde_json::to_value(debrief::demo::demo_document().unwrap()).unwrap();
    doc["version"] = 3.into();
    let first = doc["meetings"][0].clone();
    doc.as_object_mut().unwrap().remove("meetings");
    let mut one = first.clone();
    one.as_object_mut().unwrap().remove("number");
    one.as_object_mut().unwrap().remove("attended");
    one["decisions"] = "Keep the flag off".into();
    doc["meeting"] = one;
    let decisions = doc["narrative"]["decisions"].as_array_mut().unwrap();
    decisions.retain(|d| d.get("meeting").is_none());
    let doc: Document = serde_json::from_value(doc).unwrap();
    let store = Store::open_in_memory("ana").unwrap();
    let id = store.load_document(&doc).unwrap();
    let meetings = store.meetings(id).unwrap();
    assert_eq!(meetings.len(), 1);
    assert_eq!(
        (meetings[0].number, meetings[0].ended_at),
        (1, first["ended_at"].as_str().map(|t| t.parse().unwrap()))
    );
    let present: Vec<String> = doc
        .participants
        .iter()
        .filter(|p| p.present)
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(meetings[0].attended.as_ref(), Some(&present));
    let d = store.narrative(id).unwrap().decisions;
    assert_eq!((d[0].text.as_str(), d[0].meeting), ("Keep the flag off", Some(1)));
    let out = store.export_document(id).unwrap();
    assert_eq!((out.version, out.meetings.len(), out.meeting.is_none()), (4, 1, true));
}

#[test]
fn a_document_s_meetings_are_checked_before_anything_is_written() {
    let store = Store::open_in_memory("ana").unwrap();
    let demo = debrief::demo::demo_document().unwrap();
    type Change = Box<dyn Fn(&mut Document)>;
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|d: &mut Document| d.meetings[1].number = Some(3)),
            "meetings[1].number: 3, expected 2",
        ),
        (
            Box::new(|d: &mut Document| d.meetings[0].ended_at = None),
            "meetings[0]: meeting 1 has not ended, but a follow-up comes after it",
        ),
        (
            Box::new(|d: &mut Document| d.narrative.decisions[0].meeting = Some(3)),
            "narrative.decisions[0].meeting: 3, but the document holds 2 meeting(s)",
        ),
        (
            Box::new(|d: &mut Document| d.meeting = Some(d.meetings[0].clone())),
            "meeting and meetings: a document holds one or the other",
        ),
        (
            Box::new(|d: &mut Document| d.meetings[1].step_seconds[2] = -1),
            "meetings[1].step_seconds[2]: -1 is out of range",
        ),
        (
            Box::new(|d: &mut Document| {
                d.meetings[1].started_at = Some(Utc.with_ymd_and_hms(10000, 1, 1, 0, 0, 0).unwrap())
            }),
            "meetings[1].started_at: +10000-01-01T00:00:00+00:00 is out of range",
        ),
    ];
    for (change, expected) in cases {
        let mut doc = demo.clone();
        change(&mut doc);
        let err = match store.load_document(&doc) {
            Ok(_) => panic!("loaded despite {expected:?}"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(expected), "{expected:?} in {err}");
        assert_eq!(count_incidents(&store), 0, "nothing written for {expected:?}");
    }
}

#[test]
fn an_external_export_masks_who_attended() {
    let mut doc = debrief::demo::demo_document().unwrap();
    doc.meetings[1].attended = Some(vec!["ana@example.com".into()]);
    let store = Store::open_in_memory("ana").unwrap();
    let id = store.load_document(&doc).unwrap();
    let mut out = store.export_document(id).unwrap();
    debrief::export::audience::external(&mut out);
    let json = serde_json::to_string(&out).unwrap();
    assert!(!json.contains("ana@example.com"), "{json}");
}

#[test]
fn names_that_attended_are_stored_clean() {
    let mut doc = debrief::demo::demo_document().unwrap();
    doc.meetings[0].attended = Some(vec!["\u{1b}[2JEve\u{202e}".into(), "\u{7}".into(), "Ben".into()]);
    let store = Store::open_in_memory("ana").unwrap();
    let id = store.load_document(&doc).unwrap();
    let attended = store.meetings(id).unwrap()[0].attended.clone().unwrap();
    assert!(
        attended
            .iter()
            .all(|n| !n.chars().any(|c| c.is_control() || c == '\u{202e}')),
        "{attended:?}"
    );
    assert_eq!(
        attended.len(),
        2,
        "a name that cleans to nothing is no name: {attended:?}"
    );
    assert_eq!(attended[1], "Ben");
}

fn run(db: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("DEBRIEF_NOW", "2026-11-30T15:00:00Z")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn show_and_the_markdown_list_the_meetings() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo.json");
    run(&db, &["load", demo.to_str().unwrap()]);
    let shown = run(&db, &["show", "1"]);
    assert!(
        shown.contains(
            "\nMeetings:\n  Meeting 1: 2026-11-25 10:00 to 10:54 (54m)\n    attended: Priya Sharma, Tomasz Nowak, \
             Lena Fischer, Marco Rossi, Aylin Demir, Jonas Weber (PayFast)\n    decided: Meet again on Friday"
        ),
        "{shown}"
    );
    assert!(
        shown.contains("  Follow-up meeting 2: 2026-11-27 15:00 to 15:25 (25m)\n"),
        "{shown}"
    );
    assert!(shown.contains("    decided: Retries get a budget"), "{shown}");
    assert!(
        shown.contains("— Lena Fischer, in the follow-up [meeting 2]"),
        "{shown}"
    );
    let json: serde_json::Value = serde_json::from_str(&run(&db, &["show", "1", "--json"])).unwrap();
    assert_eq!(json["meetings"][1]["number"], 2);
    assert_eq!(json["meetings"][1]["attended"][4], "Jonas Weber (PayFast)");
    let md = run(&db, &["export", "1", "--format", "md", "-o", "-"]);
    assert!(
        md.contains("## Meetings\n\n### Meeting 1\n\nHeld 2026-11-25 10:00 CET to 10:54 (54m).\n"),
        "{md}"
    );
    assert!(
        md.contains("### Follow-up meeting 2\n\nHeld 2026-11-27 15:00 CET to 15:25 (25m).\n"),
        "{md}"
    );
}

// The console: M after the last meeting ended offers the follow-up; F ends it.

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

fn confirm_text(app: &App) -> String {
    match app.popups.last() {
        Some(Popup::Confirm(text, _)) => text.clone(),
        _ => panic!("no question on top"),
    }
}

#[test]
fn m_offers_the_follow_up_once_the_last_meeting_ended_and_f_ends_it() {
    let store = Store::open_in_memory("priya").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    // 10:00 in Berlin the day after the outage: meeting 1.
    let mut app = app_at(store, Theme::dark(), at(25, 9, 0));
    key(&mut app, KeyCode::Enter);
    let id = incident_id(&app);
    key(&mut app, KeyCode::Char('M'));
    app.clock = Clock::Fixed(at(25, 9, 45));
    key(&mut app, KeyCode::Char('F'));
    key(&mut app, KeyCode::Char('y'));
    let one = app.store.meeting(id).unwrap();
    assert_eq!(one.ended_at, Some(at(25, 9, 45)));
    let present = app.store.participants(id).unwrap().iter().filter(|p| p.present).count();
    assert_eq!(
        one.attended.as_ref().map(Vec::len),
        Some(present),
        "who was present is recorded"
    );
    let text = screen(&mut app, 160, 45);
    assert!(text.contains("M leaves; M again offers follow-up meeting 2."), "{text}");
    key(&mut app, KeyCode::Char('M'));

    // Three days later: M shows meeting 1's record and asks.
    app.clock = Clock::Fixed(at(28, 14, 0));
    key(&mut app, KeyCode::Char('M'));
    assert_eq!(
        confirm_text(&app),
        "Start follow-up meeting 2? Meeting 1 ended on Wed 25 Nov 10:45."
    );
    assert_snapshot!("follow_up_offered_80x24", screen(&mut app, 80, 24));
    assert_snapshot!("follow_up_offered_160x45", screen(&mut app, 160, 45));
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.store.meetings(id).unwrap().len(), 1, "no: nothing started");
    // Its record: the key bar offers no "end meeting" for a meeting that has ended.
    let record = screen(&mut app, 160, 45);
    let bar = record.lines().last().unwrap_or("");
    assert!(bar.contains("q back"), "the key bar is the last line: {record}");
    assert!(!bar.contains("end meeting"), "{bar}");
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('y'));
    let two = app.store.meeting(id).unwrap();
    assert_eq!((two.number, two.started_at), (2, Some(at(28, 14, 0))));
    assert!(app.store.participants(id).unwrap().iter().all(|p| !p.present));

    // Attendance, a decision of its own, then its end.
    app.clock = Clock::Fixed(at(28, 14, 7));
    key(&mut app, KeyCode::Char('4'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('D'));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "Budget retries at 10% | Lena Fischer | follow-up");
    ctrl_s(&mut app);
    assert!(app.popups.is_empty(), "saved");
    let decisions = app.store.narrative(id).unwrap().decisions;
    let last = decisions.last().unwrap();
    assert_eq!((last.text.as_str(), last.meeting), ("Budget retries at 10%", Some(2)));
    assert!(
        decisions[..decisions.len() - 1].iter().all(|d| d.meeting != Some(2)),
        "the decisions there before keep their meeting"
    );
    key(&mut app, KeyCode::Char('1'));
    assert_snapshot!("follow_up_running_80x24", screen(&mut app, 80, 24));
    assert_snapshot!("follow_up_running_160x45", screen(&mut app, 160, 45));
    app.clock = Clock::Fixed(at(28, 14, 25));
    key(&mut app, KeyCode::Char('F'));
    assert!(confirm_text(&app).starts_with("End follow-up meeting 2 now, after 25:00?"));
    key(&mut app, KeyCode::Char('y'));
    let two = app.store.meeting(id).unwrap();
    assert_eq!(two.ended_at, Some(at(28, 14, 25)));
    assert_eq!(two.attended.as_ref().map(Vec::len), Some(1), "one marked present");
    let one = &app.store.meetings(id).unwrap()[0];
    assert_eq!(one.ended_at, Some(at(25, 9, 45)), "meeting 1 untouched");
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char(']'));
    key(&mut app, KeyCode::Char(']'));
    assert_snapshot!("follow_up_ended_wrap_up_80x24", screen(&mut app, 80, 24));
    assert_snapshot!("follow_up_ended_wrap_up_160x45", screen(&mut app, 160, 45));
}

/// A real clock has more than milliseconds, the store keeps milliseconds: the follow-up this
/// console started is still its own, not "started in another session".
#[test]
fn a_follow_up_started_on_a_real_clock_says_it_started_here() {
    let (store, id) = held_once();
    let now = at(28, 14, 0) + chrono::Duration::nanoseconds(123_456_789);
    let mut app = app_at(store, Theme::dark(), now);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('M'));
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(app.store.meeting(id).unwrap().number, 2);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Follow-up meeting 2 started at 14:00"), "{text}");
    assert!(!text.contains("another session"), "{text}");
}
