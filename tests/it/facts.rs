//! Facts a review must state: the incident's status follows the milestones that end it, and the
//! header says what the durations are measured from.

use crate::support::console::{app_on, screen};
use chrono::{TimeZone, Utc};
use debrief::model::{EventKind, IncidentStatus, Milestone, Source};
use debrief::store::{NewEvent, NewIncident, Store};
use debrief::tui::theme::Theme;

fn event(minute: u32, milestone: Option<Milestone>) -> NewEvent {
    NewEvent {
        at: Utc.with_ymd_and_hms(2026, 11, 24, 13, minute, 0).unwrap(),
        kind: EventKind::Observation,
        text: format!("at minute {minute}"),
        milestone,
        source: Source::Typed,
        author: None,
    }
}

fn new_incident(store: &Store) -> i64 {
    store
        .create_incident(&NewIncident {
            title: "Payments down".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap()
}

fn status(store: &Store, id: i64) -> IncidentStatus {
    store.incident(id).unwrap().status
}

/// Marking the resolved milestone resolves the incident (marking mitigated mitigates it);
/// removing it takes the status back; in review or closed, the status is the people's.
#[test]
fn the_status_follows_the_milestones_that_end_the_incident() {
    let store = Store::open_in_memory("tester").unwrap();
    let id = new_incident(&store);
    store.add_event(id, &event(0, Some(Milestone::ImpactStarted))).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Open, "impact started ends nothing");
    let mitigated = store.add_event(id, &event(30, Some(Milestone::Mitigated))).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Mitigated);
    // Marked on an existing event through the edit (the console's `m`).
    let plain = store.add_event(id, &event(50, None)).unwrap();
    let e = store.event(plain).unwrap();
    store.set_milestone(e.id, e.version, Some(Milestone::Resolved)).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Resolved);
    let history = store.history(id, None).unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (last.op.as_str(), last.detail.as_str()),
        ("status", "mitigated → resolved: the resolved milestone is marked")
    );
    assert_eq!(last.author, "tester");
    // Unmarked: back to mitigated (its milestone is still there).
    let e = store.event(plain).unwrap();
    store.set_milestone(e.id, e.version, None).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Mitigated);
    // The mitigated event deleted: open again.
    let e = store.event(mitigated).unwrap();
    store.delete_event(e.id, e.version).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Open);
    // A status set by hand without a milestone stays when an earlier milestone is marked.
    let mut inc = store.incident(id).unwrap();
    inc.status = IncidentStatus::Resolved;
    store.update_incident(&inc).unwrap();
    store.add_event(id, &event(20, Some(Milestone::Mitigated))).unwrap();
    assert_eq!(status(&store, id), IncidentStatus::Resolved);
    // In review: marking resolved leaves the status alone.
    let other = new_incident(&store);
    let mut inc = store.incident(other).unwrap();
    inc.status = IncidentStatus::InReview;
    store.update_incident(&inc).unwrap();
    store.add_event(other, &event(40, Some(Milestone::Resolved))).unwrap();
    assert_eq!(status(&store, other), IncidentStatus::InReview);
}

/// `debrief log --milestone resolved` resolves the incident and says so.
#[test]
fn logging_the_resolved_milestone_says_the_incident_is_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let debrief = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("DEBRIEF_AUTHOR", "tester")
            .output()
            .unwrap()
    };
    assert!(debrief(&["new", "Payments down", "--zone", "UTC"]).status.success());
    let out = debrief(&[
        "log",
        "-i",
        "1",
        "--at",
        "2026-11-24 14:32",
        "--milestone",
        "resolved",
        "all green",
    ]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "logged to #1 Payments down at Tue 24 Nov 14:32 UTC · the incident is now resolved\n"
    );
    let show = String::from_utf8(debrief(&["show", "1"]).stdout).unwrap();
    assert!(show.contains("SEV2 · resolved · times in UTC"), "{show}");
}

/// The header says that every duration, TTA too, is counted from the start of impact, at 80
/// columns and wider.
#[test]
fn the_header_says_what_the_durations_are_measured_from() {
    let store = Store::open_in_memory("tester").unwrap();
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    let wide = screen(&mut app, 160, 45);
    let line = wide.lines().nth(1).unwrap();
    assert!(
        line.starts_with(" since impact start: TTD 9m · TTA 12m · TTM 59m · TTR 2h 58m · times in Europe/Berlin"),
        "{line}"
    );
    let narrow = screen(&mut app, 80, 24);
    let line = narrow.lines().nth(1).unwrap();
    assert!(
        line.starts_with(" from impact: TTD 9m TTA 12m TTM 59m TTR 2h 58m · Europe/Berlin (incident)"),
        "{line}"
    );
}

/// In the console, `m` → resolved on an event resolves the incident and the status line says so.
#[test]
fn marking_resolved_in_the_console_says_the_incident_is_resolved() {
    use ratatui::crossterm::event::KeyCode;
    let store = Store::open_in_memory("tester").unwrap();
    let id = new_incident(&store);
    store.add_event(id, &event(10, None)).unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    crate::support::console::key_at(&mut app, KeyCode::Char('m'), 100, 30);
    for _ in 0..5 {
        crate::support::console::key_at(&mut app, KeyCode::Down, 100, 30);
    }
    crate::support::console::key_at(&mut app, KeyCode::Enter, 100, 30);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("The incident is now resolved."), "{text}");
    assert!(text.contains("#1 Payments down · resolved"), "{text}");
    assert_eq!(app.store.incident(id).unwrap().status, IncidentStatus::Resolved);
}
