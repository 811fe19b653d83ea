//! A time of day without a date, entered through every path (the console's quick-add and event
//! form, `debrief log`, `debrief import`, the console's import), goes on the same date: inside
//! the incident's span, read in the incident's zone when typed and in this machine's (or
//! `--zone`) when it comes from a file without an offset.

use crate::support::console::{app_at, key_at, keys_at, screen};
use chrono::{DateTime, TimeZone, Utc};
use debrief::store::Store;
use debrief::tui::app::{App, Popup};
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;
use std::process::{Command, Output};

/// Monday 30 Nov 2026, 10:00 in Berlin: the review the morning after a weekend's incident.
const NOW: &str = "2026-11-30T09:00:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW).unwrap().with_timezone(&Utc)
}

/// 13:58 in Berlin on Saturday 28 Nov, inside the incident's span.
fn want() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 58, 0).unwrap()
}

/// The binary on `db` at the fixed clock, with `TZ` as this machine's zone.
fn run(db: &Path, tz: &str, args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("DEBRIEF_NOW", NOW)
        .env("TZ", tz)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A resolved incident in Berlin: impact from Sat 28 Nov 13:00 to 15:00 (local). Typed on the
/// Monday, 13:58 used to go on the Monday in the console and in `debrief log`.
fn incident(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("t.db");
    run(
        &db,
        "Europe/Berlin",
        &["new", "CDN certificate", "--zone", "Europe/Berlin"],
    );
    for (at, milestone) in [
        ("2026-11-28T12:00:00Z", "impact_started"),
        ("2026-11-28T14:00:00Z", "resolved"),
    ] {
        run(
            &db,
            "Europe/Berlin",
            &["log", "-i", "1", "--at", at, "--milestone", milestone, milestone],
        );
    }
    db
}

/// Every event's time by its text.
fn at_of(store: &Store, text: &str) -> DateTime<Utc> {
    let events = store.all_events(1).unwrap();
    events
        .iter()
        .find(|e| e.text == text)
        .unwrap_or_else(|| {
            panic!(
                "no event {text:?} in {:?}",
                events.iter().map(|e| &e.text).collect::<Vec<_>>()
            )
        })
        .at
}

fn key(app: &mut App, code: KeyCode) {
    key_at(app, code, 80, 24);
}

fn keys(app: &mut App, s: &str) {
    keys_at(app, s, 80, 24);
}

fn clear_field(app: &mut App) {
    for _ in 0..40 {
        app.press(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
}

fn form_error(app: &App) -> Option<String> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f.error.clone(),
        _ => None,
    }
}

/// A console on the incident's review at the fixed clock.
fn console(db: &Path) -> App {
    let mut app = app_at(Store::open(db, "facilitator").unwrap(), Theme::dark(), now());
    key(&mut app, KeyCode::Enter);
    app
}

#[test]
fn thirteen_fifty_eight_is_one_instant_through_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = incident(dir.path());

    // The command line: a leading time, and --at; it says where the time went.
    let out = run(&db, "Europe/Berlin", &["log", "-i", "1", "13:58", "logged"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said.trim(), "logged to #1 CDN certificate at Sat 28 Nov 13:58 CET");
    run(
        &db,
        "Europe/Berlin",
        &["log", "-i", "1", "--at", "13:58", "logged with at"],
    );
    // An import: a chat line's time of day, this machine in Berlin too.
    let chat = dir.path().join("chat.txt");
    std::fs::write(&chat, "[13:58] ana: imported\n").unwrap();
    run(&db, "Europe/Berlin", &["import", "-i", "1", chat.to_str().unwrap()]);

    // The console: quick-add, the event form, and its import (with the machine's zone: Berlin).
    let mut app = console(&db);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "13:58 quick-added");
    key(&mut app, KeyCode::Enter);
    assert_eq!(form_error(&app), None);
    key(&mut app, KeyCode::Char('a'));
    keys(&mut app, "09:00 edited");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('e'));
    clear_field(&mut app);
    keys(&mut app, "13:58");
    key(&mut app, KeyCode::Enter);
    assert_eq!(form_error(&app), None);
    let console_chat = dir.path().join("console-chat.txt");
    std::fs::write(&console_chat, "[13:58] bo: imported in the console\n").unwrap();
    key(&mut app, KeyCode::Char('i'));
    keys(&mut app, &console_chat.display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.last(), Some(Popup::Import(_))),
        "{:?}",
        form_error(&app)
    );
    key(&mut app, KeyCode::Enter);

    for text in [
        "logged",
        "logged with at",
        "imported",
        "quick-added",
        "edited",
        "imported in the console",
    ] {
        assert_eq!(at_of(&app.store, text), want(), "{text}");
    }
}

/// The quick-add form says where the typed time goes before it is saved, and follows the typing.
#[test]
fn the_quick_add_form_shows_the_date_a_time_resolves_to() {
    let dir = tempfile::tempdir().unwrap();
    let db = incident(dir.path());
    let mut app = console(&db);
    key(&mut app, KeyCode::Char('a'));
    assert!(screen(&mut app, 80, 24).contains("→ now, Mon 30 Nov 10:00 CET"));
    keys(&mut app, "13:58 paged the DBA");
    let shown = screen(&mut app, 80, 24).replace(&db.display().to_string(), "t.db");
    assert_snapshot!("quick_add_resolved_80x24", shown);
    clear_field(&mut app);
    keys(&mut app, "16:30 all clear");
    assert!(screen(&mut app, 80, 24).contains("→ Sat 28 Nov 16:30 CET"));
    // A time the clocks skip is refused before saving, naming the gap.
    clear_field(&mut app);
    keys(&mut app, "2026-03-29 02:30 nope");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("✗ 02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).unwrap_or_default();
    assert_eq!(
        err,
        "02:30 does not exist on Sun 29 Mar 2026 in Europe/Berlin (clocks jump from 02:00 to 03:00)"
    );
    assert_eq!(app.store.all_events(1).unwrap().len(), 2, "nothing saved");
}

/// journalctl's `Nov 28 13:30:01 host api[1]: …` has no offset: on a UTC machine it is UTC, not
/// the incident's Berlin; `--zone` says otherwise; the dry run and the import name the zone.
#[test]
fn a_journald_line_is_read_in_the_importing_machines_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = incident(dir.path());
    let log = dir.path().join("api.log");
    std::fs::write(&log, "Nov 28 13:30:01 pay-api-1 api[1]: pool exhausted\n").unwrap();
    let file = log.to_str().unwrap();

    let dry = stdout(&run(&db, "UTC", &["import", "-i", "1", "--dry-run", file]));
    assert!(
        dry.contains("times without an offset read in UTC (this machine's zone; --zone to change)"),
        "{dry}"
    );
    // Shown in the incident's zone: 14:30 in Berlin.
    assert!(
        dry.contains("2026-11-28 14:30:01  pay-api-1 api[1]: pool exhausted"),
        "{dry}"
    );
    let done = stdout(&run(&db, "UTC", &["import", "-i", "1", file]));
    assert!(done.contains("times without an offset read in UTC"), "{done}");
    let store = Store::open(&db, "x").unwrap();
    let utc = Utc.with_ymd_and_hms(2026, 11, 28, 13, 30, 1).unwrap();
    assert_eq!(at_of(&store, "pay-api-1 api[1]: pool exhausted"), utc);

    // --zone: the same line read in Berlin, an hour earlier (a new event: its time differs).
    let berlin = dir.path().join("berlin.log");
    std::fs::write(&berlin, "Nov 28 13:30:01 pay-api-1 api[1]: read in Berlin\n").unwrap();
    let args = ["import", "-i", "1", "--zone", "europe/berlin", berlin.to_str().unwrap()];
    let done = stdout(&run(&db, "UTC", &args));
    assert!(
        done.contains("times without an offset read in Europe/Berlin (--zone)"),
        "{done}"
    );
    assert_eq!(
        at_of(&store, "pay-api-1 api[1]: read in Berlin"),
        Utc.with_ymd_and_hms(2026, 11, 28, 12, 30, 1).unwrap()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(&db)
        .args(["import", "-i", "1", "--zone", "Mars/Olympus", file])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown time zone \"Mars/Olympus\""));
}

/// The console's import form has a Zone (this machine's by default) and its preview names it.
#[test]
fn the_console_import_reads_times_without_offset_in_the_forms_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = incident(dir.path());
    let log = dir.path().join("api.log");
    std::fs::write(&log, "Nov 28 13:30:01 pay-api-1 api[1]: pool exhausted\n").unwrap();
    let mut app = console(&db);
    app.local_zone = chrono_tz::UTC;
    key(&mut app, KeyCode::Char('i'));
    keys(&mut app, &log.display().to_string());
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    let form = screen(&mut app, 80, 24);
    assert!(
        form.lines().any(|l| l.contains("Zone") && l.contains(" UTC ")),
        "{form}"
    );
    key(&mut app, KeyCode::Enter);
    let preview = screen(&mut app, 80, 24);
    assert!(preview.contains("times without an offset read in UTC"), "{preview}");
    key(&mut app, KeyCode::Esc);
    // Back in the form: another zone, and a bad one.
    clear_field(&mut app);
    keys(&mut app, "Mars/Olympus");
    key(&mut app, KeyCode::Enter);
    assert!(form_error(&app).is_some_and(|e| e.contains("unknown time zone \"Mars/Olympus\"")));
    clear_field(&mut app);
    keys(&mut app, "America/New_York");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 80, 24).contains("times without an offset read in America/New_York"));
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        at_of(&app.store, "pay-api-1 api[1]: pool exhausted"),
        Utc.with_ymd_and_hms(2026, 11, 28, 18, 30, 1).unwrap()
    );
}

/// The event form in another display zone shows the time with its offset, so saving it
/// unchanged keeps the instant, while a time typed without one is read in the incident's zone.
#[test]
fn the_event_form_in_utc_keeps_the_instant_and_reads_typed_times_in_the_incidents_zone() {
    let dir = tempfile::tempdir().unwrap();
    let db = incident(dir.path());
    let mut app = console(&db);
    key(&mut app, KeyCode::Char('t')); // times in UTC
    key(&mut app, KeyCode::Char('e'));
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("2026-11-28T12:00:00+00:00"), "{form}");
    assert!(form.contains("→ Sat 28 Nov 13:00 CET"), "{form}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(form_error(&app), None);
    let impact = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    assert_eq!(at_of(&app.store, "impact_started"), impact);
    key(&mut app, KeyCode::Char('e'));
    clear_field(&mut app);
    keys(&mut app, "12:30");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        at_of(&app.store, "impact_started"),
        Utc.with_ymd_and_hms(2026, 11, 28, 11, 30, 0).unwrap(),
        "12:30 in Berlin"
    );
}
