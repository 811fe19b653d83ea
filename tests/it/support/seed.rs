//! Databases and documents for tests: a store whose every field holds a given text.

use chrono::{TimeZone, Utc};
use debrief::model::Role;
use debrief::store::{NewAction, NewEvent, NewIncident, Store};
use std::path::PathBuf;

/// A file of tests/fixtures/import.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import")).join(name)
}

/// What people typed or pasted, one string per kind of field.
#[derive(Debug, Clone)]
pub struct Texts {
    pub title: String,
    pub event: String,
    pub author: String,
    pub notes: String,
    pub action_title: String,
    pub owner: String,
    /// Someone else with the incident open (the header's "also here").
    pub other: String,
}

impl Texts {
    pub fn all(s: &str) -> Texts {
        Texts {
            title: s.into(),
            event: s.into(),
            author: s.into(),
            notes: s.into(),
            action_title: s.into(),
            owner: s.into(),
            other: s.into(),
        }
    }
}

/// Calls `f` with `text`, and again with a letter after it when the store refuses it as empty
/// (text that cleans to nothing: only controls or blanks).
fn or_with_letter<T>(text: &str, f: impl Fn(&str) -> debrief::store::Result<T>) -> T {
    f(text).or_else(|_| f(&format!("{text}x"))).unwrap()
}

/// A store holding two incidents: one whose every field holds `t`, and a plain one. Returns the
/// first one's id.
pub fn seed(store: &mut Store, t: &Texts) -> i64 {
    store.set_author(&t.author);
    let id = or_with_letter(&t.title, |title| {
        store.create_incident(&NewIncident {
            title: title.into(),
            severity: debrief::model::Severity::Sev1,
            zone: "Europe/Berlin".into(),
            started_at: Some(Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap()),
        })
    });
    for (minutes, text) in [(5, t.event.clone()), (9, format!("{}\n{}", t.event, t.event))] {
        or_with_letter(&text, |text| {
            store.add_event(
                id,
                &NewEvent {
                    at: Utc.with_ymd_and_hms(2026, 11, 24, 13, minutes, 0).unwrap(),
                    kind: debrief::model::EventKind::Observation,
                    text: text.into(),
                    milestone: None,
                    source: debrief::model::Source::Typed,
                    author: Some(t.author.clone()),
                },
            )
        });
    }
    let causes = store.causes(id).unwrap();
    let first = &causes[0];
    let cause = store
        .set_cause_state(first.id, first.version, debrief::model::CauseState::Confirmed)
        .unwrap();
    store.set_cause_notes(cause.id, cause.version, &t.notes).unwrap();
    let _ = store.add_custom_cause(id, &t.title);
    let event = store.all_events(id).unwrap()[0].id;
    store.toggle_evidence(cause.id, event).unwrap();
    or_with_letter(&t.action_title, |title| {
        let mut action = NewAction::titled(title, debrief::model::ActionKind::Fix);
        action.owner = t.owner.clone();
        action.owner_role = Some(Role::Operator);
        action.cause_id = Some(cause.id);
        action.details = t.notes.clone();
        store.add_action(id, &action)
    });
    or_with_letter(&t.action_title, |title| {
        store.add_action(id, &NewAction::titled(title, debrief::model::ActionKind::Monitoring))
    });
    or_with_letter(&t.other, |name| store.add_participant(id, name, Role::Developer));
    // Someone else has the incident open.
    let me = store.author().to_string();
    store.set_author(&t.other);
    // At the tests' fixed "now", as their consoles read it.
    let now = crate::support::console::now();
    store.heartbeat("someone-else", Some(id), now, now).unwrap();
    store.set_author(&me);
    store
        .create_incident(&NewIncident {
            title: "Plain incident".into(),
            severity: debrief::model::Severity::Sev3,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    id
}

/// A debrief database file as a version before this one left it: the first `version`
/// migrations, that user_version and debrief's application id (for migration tests).
pub fn database_at(path: &std::path::Path, version: usize) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    for sql in &debrief::store::schema::MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
    }
    conn.pragma_update(None, "user_version", version as i32).unwrap();
    conn.pragma_update(None, "application_id", debrief::store::schema::APPLICATION_ID)
        .unwrap();
    conn
}
