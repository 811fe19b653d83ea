//! Follow-through: due dates by severity, "not doing" with a reason, closing and reopening a
//! review, what the author owes, `remind` and time to done — from the shell and the console.

use crate::support::console::{app_on, key, keys, screen};
use debrief::model::{ActionKind, ActionStatus, IncidentStatus, Severity};
use debrief::store::{NewAction, NewIncident, Store, StoreError};
use debrief::tui::app::{Popup, Screen};
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "ana")
        .env("DEBRIEF_CONFIG", db.parent().unwrap().join("config"))
        .env("TZ", "Europe/Berlin")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let o = run(db, args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    stdout(&o)
}

/// Today where the commands run (`run` sets TZ): between 23:00 and midnight UTC Berlin is a
/// day ahead of this machine's zone.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Berlin)
        .date_naive()
}

#[test]
fn a_new_actions_due_date_follows_the_severity_and_the_config() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (sev, days) in [("1", 15), ("2", 30), ("3", 60), ("4", 90)] {
        ok(&db, &["new", &format!("sev {sev}"), "--severity", sev]);
        let id = sev;
        let out = ok(&db, &["action", "add", id, "Cap", "retries", "--owner", "ana"]);
        let due = today() + chrono::Days::new(days);
        assert!(out.contains(&format!("due {due}")), "SEV{sev}: {out}");
    }
    // The team's own policy, and a given date that wins over it.
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/config.toml"),
        "[follow_through]\ndue_days = { sev1 = 7 }\n",
    )
    .unwrap();
    let out = ok(&db, &["action", "add", "1", "Page", "earlier"]);
    assert!(
        out.contains(&format!("due {}", today() + chrono::Days::new(7))),
        "{out}"
    );
    let out = ok(&db, &["action", "add", "2", "Fixed", "--due", "2027-01-04"]);
    assert!(out.contains("due 2027-01-04"), "{out}");
    // A bad setting is named, and nothing is added.
    std::fs::write(
        dir.path().join("config/config.toml"),
        "[follow_through]\ndue_days = { sev1 = 0 }\n",
    )
    .unwrap();
    let o = run(&db, &["action", "add", "1", "Nope"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("sev1 needs 1 to"), "{}", stderr(&o));
    assert!(!ok(&db, &["show", "1"]).contains("Nope"));
}

#[test]
fn the_console_form_offers_the_severitys_due_date() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout down".into(),
            severity: Severity::Sev1,
            zone: "Europe/Berlin".into(),
            started_at: None,
        })
        .unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    keys(&mut app, "3a");
    let Some(Popup::Form(form)) = app.popups.last() else {
        panic!("no action form")
    };
    // The console's clock stands at 2026-11-25: SEV1 gives 15 days.
    assert_eq!(form.value("Due"), "2026-12-10");
    assert!(screen(&mut app, 100, 30).contains("2026-12-10"));
}

#[test]
fn not_doing_needs_a_reason_and_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--severity", "2"]);
    ok(
        &db,
        &["action", "add", "1", "Rewrite", "the", "gateway", "--kind", "process"],
    );
    let o = run(&db, &["action", "set", "1", "1", "--status", "not_doing"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("needs a reason"), "{}", stderr(&o));
    let out = ok(
        &db,
        &[
            "action",
            "set",
            "1",
            "1",
            "--status",
            "not_doing",
            "--reason",
            "out of scope: PLAT-12",
        ],
    );
    assert!(out.contains("not doing (out of scope: PLAT-12)"), "{out}");
    // In the history, in the Markdown, in the JSON (and back through load).
    assert!(ok(&db, &["history", "1"]).contains("not doing: out of scope: PLAT-12"));
    let md = ok(&db, &["export", "1", "--format", "md"]);
    assert!(md.contains("not doing: out of scope: PLAT-12"), "{md}");
    assert!(md.contains("1 not doing"), "{md}");
    let json = ok(&db, &["export", "1", "--format", "json"]);
    assert!(json.contains("\"reason\": \"out of scope: PLAT-12\""), "{json}");
    let file = dir.path().join("doc.json");
    std::fs::write(&file, &json).unwrap();
    ok(&db, &["load", file.to_str().unwrap()]);
    let store = Store::open(&db, "t").unwrap();
    let loaded = store.actions(2).unwrap();
    assert_eq!(loaded[0].status, ActionStatus::NotDoing);
    assert_eq!(loaded[0].reason, "out of scope: PLAT-12");
    // A document that says "not doing" without a reason is refused whole.
    let bad = json.replace("\"reason\": \"out of scope: PLAT-12\"", "\"reason\": \"\"");
    std::fs::write(&file, bad).unwrap();
    let o = run(&db, &["load", file.to_str().unwrap()]);
    assert!(
        !o.status.success() && stderr(&o).contains("needs a reason"),
        "{}",
        stderr(&o)
    );
    assert_eq!(store.incidents().unwrap().len(), 2);
}

#[test]
fn not_doing_is_not_overdue_and_sits_with_done_on_the_board() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout down".into(),
            severity: Severity::Sev2,
            zone: "Europe/Berlin".into(),
            started_at: None,
        })
        .unwrap();
    let mut late = NewAction::titled("Late fix", ActionKind::Fix);
    late.due = chrono::NaiveDate::from_ymd_opt(2026, 11, 1);
    late.owner = "bob".into();
    let a = store.add_action(id, &late).unwrap();
    store
        .add_action(id, &NewAction::titled("Kept", ActionKind::Monitoring))
        .unwrap();
    let v = store.action(a).unwrap().version;
    store.set_action_not_doing(a, v, "replaced by the new gateway").unwrap();
    assert!(
        !store
            .action(a)
            .unwrap()
            .is_overdue(chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap())
    );
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    keys(&mut app, "3z");
    let text = screen(&mut app, 160, 30);
    assert!(text.contains("DONE (0) · NOT DOING (1)"), "{text}");
    assert!(text.contains("not doing: replaced by"), "{text}");
    assert!(!text.contains("OVERDUE"), "{text}");
    // From the only card of TODO, l crosses the empty DOING column to the last one.
    keys(&mut app, "gl");
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(r.selected_action().unwrap().title, "Late fix");
    // Taken up again: < moves it back to todo, and the reason goes.
    key(&mut app, KeyCode::Char('<'));
    let Screen::Review(r) = &app.screen else { panic!() };
    let a = r.actions.iter().find(|x| x.title == "Late fix").unwrap();
    assert_eq!((a.status, a.reason.as_str()), (ActionStatus::Todo, ""));
}

#[test]
fn a_review_closes_only_when_no_action_is_open_and_reopens_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--severity", "1"]);
    ok(&db, &["action", "add", "1", "Cap", "retries", "--owner", "bob"]);
    ok(&db, &["action", "add", "1", "Alert", "--kind", "monitoring"]);
    let o = run(&db, &["close", "1"]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("cannot be closed while 2 actions are open"), "{out}");
    assert!(
        out.contains("#1 \"Cap retries\" (bob)") && out.contains("#2 \"Alert\" (no owner)"),
        "{out}"
    );
    let store = Store::open(&db, "t").unwrap();
    assert_ne!(store.incident(1).unwrap().status, IncidentStatus::Closed);
    ok(&db, &["action", "set", "1", "1", "--status", "done"]);
    ok(
        &db,
        &[
            "action",
            "set",
            "1",
            "2",
            "--status",
            "not_doing",
            "--reason",
            "covered by #1",
        ],
    );
    assert!(ok(&db, &["close", "1"]).contains("closed #1"));
    assert_eq!(store.incident(1).unwrap().status, IncidentStatus::Closed);
    let o = run(&db, &["reopen", "1", "--reason", " "]);
    assert!(
        !o.status.success() && stderr(&o).contains("needs a reason"),
        "{}",
        stderr(&o)
    );
    assert!(ok(&db, &["reopen", "1", "--reason", "the cap regressed"]).contains("in review"));
    assert!(ok(&db, &["history", "1"]).contains("the cap regressed"));
    let o = run(&db, &["reopen", "1", "--reason", "again"]);
    assert!(
        !o.status.success() && stderr(&o).contains("is not closed"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_console_refuses_to_close_with_open_actions_and_asks_why_on_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout down".into(),
            severity: Severity::Sev2,
            zone: "Europe/Berlin".into(),
            started_at: None,
        })
        .unwrap();
    store
        .add_action(id, &NewAction::titled("Cap retries", ActionKind::Fix))
        .unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    // E edits the incident; Status is the third field.
    keys(&mut app, "E");
    let Some(Popup::Form(_)) = app.popups.last() else {
        panic!("no incident form")
    };
    set_choice(&mut app, "Status", "closed");
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 120, 30);
    assert!(
        text.contains("cannot be closed") && text.contains("Cap retries"),
        "{text}"
    );
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_ne!(r.incident.status, IncidentStatus::Closed);
    assert!(matches!(
        r.incident.status,
        IncidentStatus::Open | IncidentStatus::InReview | IncidentStatus::Mitigated | IncidentStatus::Resolved
    ));
    key(&mut app, KeyCode::Esc);
    // The form was changed: Esc asks before discarding it.
    key(&mut app, KeyCode::Char('y'));
    // Once the action is done the review closes; reopening it asks why.
    let Screen::Review(r) = &app.screen else { panic!() };
    let a = r.actions[0].clone();
    let store = Store::open(&dir.path().join("t.db"), "bob").unwrap();
    store.set_action_status(a.id, a.version, ActionStatus::Done).unwrap();
    store.close_incident(id).unwrap();
    assert!(matches!(store.reopen_incident(id, ""), Err(StoreError::Invalid(_))));
    app.reload();
    keys(&mut app, "E");
    set_choice(&mut app, "Status", "in_review");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 120, 30).contains("needs a reason"));
    assert_eq!(store.incident(id).unwrap().status, IncidentStatus::Closed);
    set_choice(&mut app, "Reopen reason", "");
    crate::support::console::type_text(&mut app, "the fix regressed");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 120, 30));
    assert_eq!(store.incident(id).unwrap().status, IncidentStatus::InReview);
    assert!(
        store
            .history(id, None)
            .unwrap()
            .iter()
            .any(|h| h.op == "reopen" && h.detail == "the fix regressed")
    );
}

/// Cycles the choice field `label` of the top form to `value` with → (the form's own keys).
fn set_choice(app: &mut debrief::tui::app::App, label: &str, value: &str) {
    for _ in 0..40 {
        let Some(Popup::Form(form)) = app.popups.last() else {
            panic!("no form")
        };
        if form.fields[form.focus].label == label {
            break;
        }
        key(app, KeyCode::Tab);
    }
    for _ in 0..20 {
        let Some(Popup::Form(form)) = app.popups.last() else {
            panic!("no form")
        };
        if value.is_empty() || form.value(label) == value {
            return;
        }
        key(app, KeyCode::Right);
    }
    panic!("{label} never became {value}");
}

#[test]
fn remind_lists_per_owner_and_exits_1_when_anything_is_overdue() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--severity", "1"]);
    ok(&db, &["new", "DNS flap", "--severity", "3"]);
    ok(
        &db,
        &[
            "action",
            "add",
            "1",
            "Cap retries",
            "--owner",
            "bob",
            "--due",
            "2026-11-20",
        ],
    );
    ok(
        &db,
        &[
            "action",
            "add",
            "2",
            "Alert on SERVFAIL",
            "--owner",
            "ana",
            "--due",
            "2026-12-03",
        ],
    );
    ok(
        &db,
        &["action", "add", "2", "Later", "--owner", "ana", "--due", "2027-03-01"],
    );
    ok(
        &db,
        &[
            "action",
            "add",
            "1",
            "Done already",
            "--owner",
            "bob",
            "--due",
            "2026-11-10",
        ],
    );
    ok(&db, &["action", "set", "1", "4", "--status", "done"]);
    let o = run(&db, &["remind", "--today", "2026-12-01"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("OVERDUE 11 days (due 2026-11-20) · Cap retries · #1 Payments down"),
        "{text}"
    );
    assert!(
        text.contains("due 2026-12-03 · Alert on SERVFAIL · #2 DNS flap"),
        "{text}"
    );
    assert!(!text.contains("Later") && !text.contains("Done already"), "{text}");
    assert!(
        text.find("ana").unwrap() < text.find("bob").unwrap(),
        "owners in order: {text}"
    );
    // Markdown to paste, JSON for a script.
    let md = stdout(&run(&db, &["remind", "--today", "2026-12-01", "--format", "md"]));
    assert!(md.contains("### bob") && md.contains("- **OVERDUE 11 days"), "{md}");
    let json: serde_json::Value = serde_json::from_str(&stdout(&run(
        &db,
        &["remind", "--today", "2026-12-01", "--format", "json"],
    )))
    .unwrap();
    assert_eq!(json["overdue"], 1);
    assert_eq!(json["owners"][1]["overdue"][0]["title"], "Cap retries");
    // Nothing overdue: exit 0; a wider window reaches further.
    let o = run(&db, &["remind", "--today", "2026-11-15"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("due 2026-11-20 · Cap retries"), "{}", stdout(&o));
    let o = run(&db, &["remind", "--today", "2026-11-01"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stdout(&o).contains("Nothing overdue and nothing due by 2026-11-08"),
        "{}",
        stdout(&o)
    );
    assert!(ok(&db, &["remind", "--today", "2026-11-15", "--within", "120d"]).contains("Later"));
    let o = run(&db, &["remind", "--within", "soon"]);
    assert!(
        !o.status.success() && stderr(&o).contains("--within soon"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn mine_and_the_incident_list_show_what_is_owed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--severity", "1"]);
    ok(
        &db,
        &[
            "action",
            "add",
            "1",
            "Cap retries",
            "--owner",
            "ANA",
            "--due",
            "2026-11-20",
        ],
    );
    ok(&db, &["action", "add", "1", "Not mine", "--owner", "bob"]);
    let mine = ok(&db, &["actions", "--mine"]);
    assert!(mine.contains("Cap retries") && !mine.contains("Not mine"), "{mine}");
    let list = ok(&db, &["list"]);
    assert!(list.contains("OVERDUE"), "{list}");
    let store = Store::open(&db, "ana").unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let s = &store.incident_summaries(today).unwrap()[0];
    assert_eq!((s.open_actions, s.overdue_actions), (2, 1));
    let mut app = app_on(store, Theme::mono());
    app.reload();
    let text = screen(&mut app, 100, 20);
    assert!(text.contains("ana owes 1 action, 1 overdue"), "{text}");
    assert!(text.contains("LATE"), "{text}");
}

#[test]
fn stats_report_time_to_done_per_severity() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "A", "--severity", "1"]);
    ok(&db, &["new", "B", "--severity", "1"]);
    ok(&db, &["new", "C", "--severity", "3"]);
    for (incident, title) in [("1", "a1"), ("1", "a2"), ("2", "b1"), ("3", "c1")] {
        ok(&db, &["action", "add", incident, title]);
    }
    for action in ["1", "2"] {
        ok(&db, &["action", "set", "1", action, "--status", "done"]);
    }
    ok(&db, &["action", "set", "2", "3", "--status", "done"]);
    // Made 2, 4 and 9 days before they were done.
    let conn = rusqlite::Connection::open(&db).unwrap();
    for (id, days) in [(1, 2), (2, 4), (3, 9)] {
        conn.execute(
            "UPDATE actions SET created_at = done_at - ?1 * 86400000 WHERE id = ?2",
            rusqlite::params![days, id],
        )
        .unwrap();
    }
    drop(conn);
    let json: serde_json::Value = serde_json::from_str(&ok(&db, &["stats", "--json"])).unwrap();
    let ft = &json["follow_through"];
    assert_eq!(ft[0]["severity"], "sev1");
    assert_eq!(ft[0]["done"], 3);
    assert_eq!(ft[0]["median_seconds_to_done"], 4 * 86400);
    assert_eq!(ft[0]["min_seconds_to_done"], 2 * 86400);
    assert_eq!(ft[0]["max_seconds_to_done"], 9 * 86400);
    assert_eq!(ft[1]["severity"], "sev3");
    assert_eq!((ft[1]["open"].clone(), ft[1]["done"].clone()), (1.into(), 0.into()));
    let text = ok(&db, &["stats"]);
    assert!(text.contains("Follow-through"), "{text}");
    assert!(text.contains("SEV1"), "{text}");
}

#[test]
fn done_at_is_kept_when_a_done_action_is_edited_and_cleared_when_it_is_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "X".into(),
            severity: Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let a = store.add_action(id, &NewAction::titled("t", ActionKind::Fix)).unwrap();
    let v = store.action(a).unwrap().version;
    store.set_action_status(a, v, ActionStatus::Done).unwrap();
    let done_at = |s: &Store| store_done_at(s, a);
    let first = done_at(&store).expect("done_at set");
    std::thread::sleep(std::time::Duration::from_millis(5));
    let mut x = store.action(a).unwrap();
    x.title = "renamed".into();
    store.update_action(&x).unwrap();
    assert_eq!(
        done_at(&store),
        Some(first),
        "editing a done action keeps when it was done"
    );
    let v = store.action(a).unwrap().version;
    store.set_action_status(a, v, ActionStatus::Doing).unwrap();
    assert_eq!(done_at(&store), None);
}

fn store_done_at(store: &Store, id: i64) -> Option<i64> {
    let times = store.action_times(store.action(id).unwrap().incident_id).unwrap();
    times
        .iter()
        .find(|t| t.id == id)
        .and_then(|t| t.done_at)
        .map(|d| d.timestamp_millis())
}

/// A database of schema version 2 (before follow-through): opening it adds the reason and when
/// actions were done; an action done before then takes the time of its last recorded change.
#[test]
fn the_follow_through_migration_dates_actions_already_done() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.db");
    {
        let conn = crate::support::seed::database_at(&path, 2);
        conn.execute_batch(
            "INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
               VALUES ('old', 2, 'open', 'UTC', 0, 0, 0);
             INSERT INTO actions (incident_id, title, kind, status, created_at) VALUES (1, 'done', 'fix', 'done', 1000);
             INSERT INTO actions (incident_id, title, kind, status, created_at) VALUES (1, 'open', 'fix', 'todo', 1000);
             INSERT INTO history (at, author, incident_id, entity, entity_id, op) VALUES (5000, 'x', 1, 'action', 1, 'update');
             INSERT INTO history (at, author, incident_id, entity, entity_id, op) VALUES (9000, 'x', 1, 'action', 1, 'update');",
        )
        .unwrap();
    }
    let store = Store::open(&path, "ana").unwrap();
    let times = store.action_times(1).unwrap();
    assert_eq!(times[0].done_at.map(|d| d.timestamp_millis()), Some(9000));
    assert_eq!(times[1].done_at, None);
    assert!(store.actions(1).unwrap().iter().all(|a| a.reason.is_empty()));
}

/// A confirmed cause whose only fix is "not doing" still lacks a fix — until the cause itself is
/// marked accepted risk, with a reason of its own.
#[test]
fn a_fix_not_done_leaves_the_gap_until_the_risk_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--severity", "2"]);
    ok(&db, &["cause", "set", "1", "third_party", "--state", "confirmed"]);
    let store = Store::open(&db, "t").unwrap();
    let cause = store
        .causes(1)
        .unwrap()
        .into_iter()
        .find(|c| c.state == debrief::model::CauseState::Confirmed)
        .unwrap();
    let mut fix = NewAction::titled("Second provider", ActionKind::Fix);
    fix.cause_id = Some(cause.id);
    let f = store.add_action(1, &fix).unwrap();
    let mut mon = NewAction::titled("Alert on 5xx", ActionKind::Monitoring);
    mon.cause_id = Some(cause.id);
    mon.owner = "bob".into();
    mon.due = chrono::NaiveDate::from_ymd_opt(2027, 1, 4);
    store.add_action(1, &mon).unwrap();
    let no_fix =
        |db: &Path| stdout(&run(db, &["check", "1"])).contains("Third-party system is confirmed but has no fix");
    assert!(!no_fix(&db), "an open fix covers it");
    let v = store.action(f).unwrap().version;
    store
        .set_action_not_doing(f, v, "no second provider has our volume")
        .unwrap();
    assert!(no_fix(&db), "a fix not being done does not");
    let o = run(&db, &["cause", "set", "1", "third_party", "--state", "accepted_risk"]);
    assert!(
        !o.status.success() && stderr(&o).contains("needs a reason"),
        "{}",
        stderr(&o)
    );
    let out = ok(
        &db,
        &[
            "cause",
            "set",
            "1",
            "Third-party system",
            "--state",
            "accepted_risk",
            "--reason",
            "provider SLA credits cover it",
        ],
    );
    assert!(out.contains("accepted risk (provider SLA credits cover it)"), "{out}");
    assert!(!no_fix(&db), "{}", stdout(&run(&db, &["check", "1"])));
    assert!(ok(&db, &["history", "1"]).contains("accepted risk: provider SLA credits cover it"));
    // Still a confirmed cause for the statistics, and kept by the JSON document.
    let json = ok(&db, &["export", "1", "--format", "json"]);
    assert!(
        json.contains("\"state\": \"accepted_risk\"") && json.contains("provider SLA credits cover it"),
        "{json}"
    );
    let file = dir.path().join("doc.json");
    std::fs::write(&file, &json).unwrap();
    ok(&db, &["load", file.to_str().unwrap()]);
    assert_eq!(
        ok(&db, &["export", "2", "--format", "json"])
            .matches("provider SLA credits cover it")
            .count(),
        1
    );
    let stats: serde_json::Value = serde_json::from_str(&ok(&db, &["stats", "--json"])).unwrap();
    assert_eq!(stats["causes"][0]["confirmed"], 2, "{stats}");
    let o = run(&db, &["cause", "set", "1", "dns", "--state", "confirmed"]);
    assert!(
        !o.status.success() && stderr(&o).contains("has no cause \"dns\""),
        "{}",
        stderr(&o)
    );
}

/// Archived incidents leave the list, the statistics and `log`'s default, and come back; delete
/// names what goes, asks (or needs --yes), and removes everything.
#[test]
fn archive_hides_and_delete_removes_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Old outage", "--severity", "3"]);
    ok(&db, &["new", "Current", "--severity", "2"]);
    ok(&db, &["log", "-i", "1", "--at", "2026-11-20 10:00", "page"]);
    ok(&db, &["action", "add", "1", "Cap", "--owner", "bob"]);
    assert!(ok(&db, &["archive", "1"]).contains("archived #1 Old outage"));
    let list = ok(&db, &["list"]);
    assert!(!list.contains("Old outage") && list.contains("Current"), "{list}");
    assert!(ok(&db, &["list", "--all"]).contains("Old outage (archived)"));
    let stats: serde_json::Value = serde_json::from_str(&ok(&db, &["stats", "--json"])).unwrap();
    assert_eq!(stats["incidents"], 1);
    let stats: serde_json::Value = serde_json::from_str(&ok(&db, &["stats", "--json", "--all"])).unwrap();
    assert_eq!(stats["incidents"], 2);
    let o = run(&db, &["archive", "1"]);
    assert!(
        !o.status.success() && stderr(&o).contains("already archived"),
        "{}",
        stderr(&o)
    );
    ok(&db, &["archive", "1", "--undo"]);
    assert!(ok(&db, &["list"]).contains("Old outage"));
    // Not on a terminal: delete needs --yes, and changes nothing without it.
    let o = run(&db, &["delete", "1"]);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("1 event, 5 causes, 1 action, 0 participants") && stderr(&o).contains("--yes"),
        "{}",
        stderr(&o)
    );
    assert!(ok(&db, &["list"]).contains("Old outage"));
    let out = ok(&db, &["delete", "1", "--yes"]);
    assert!(
        out.contains("deleted #1 Old outage (1 event, 5 causes, 1 action, 0 participants)"),
        "{out}"
    );
    let o = run(&db, &["show", "1"]);
    assert!(!o.status.success() && stderr(&o).contains("unknown incident 1"));
    let store = Store::open(&db, "t").unwrap();
    assert!(store.actions_across(&Default::default()).unwrap().is_empty());
}

/// Every option and argument of every command says what it is for (`--help`, completions and the
/// manual page show it); completions and the manual page come from the same definitions.
#[test]
fn every_argument_has_help_and_completions_and_man_pages_print() {
    use clap::CommandFactory;
    fn walk(cmd: &clap::Command, path: &str, bare: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                bare.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, &format!("{path} {}", sub.get_name()), bare);
        }
    }
    let mut bare = Vec::new();
    walk(&debrief::cli::Cli::command(), "debrief", &mut bare);
    assert!(bare.is_empty(), "arguments without help: {bare:?}");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("never.db");
    for shell in ["bash", "zsh", "fish"] {
        let out = ok(&db, &["completions", shell]);
        assert!(out.contains("remind") && out.contains("overdue"), "{shell}: {out}");
    }
    let man = ok(&db, &["man"]);
    assert!(man.starts_with(".ie") && man.contains(".TH debrief 1"), "{man}");
    assert!(ok(&db, &["man", "remind"]).contains(".TH debrief-remind 1"));
    let o = run(&db, &["man", "frobnicate"]);
    assert!(!o.status.success() && stderr(&o).contains("no command \"frobnicate\""));
    assert!(!db.exists(), "completions and man need no database");
}

/// `R` on the causes pane accepts a cause's risk, asking why; without a reason nothing changes.
#[test]
fn the_console_accepts_a_causes_risk_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout down".into(),
            severity: Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let cause = store.causes(id).unwrap()[0].clone();
    store
        .set_cause_state(cause.id, cause.version, debrief::model::CauseState::Confirmed)
        .unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    keys(&mut app, "2R");
    assert!(screen(&mut app, 100, 30).contains("Accept the risk"));
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("needs a reason"));
    crate::support::console::type_text(&mut app, "the provider's SLA credits cover it");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    let Screen::Review(r) = &app.screen else { panic!() };
    let c = &r.causes[0];
    assert_eq!(c.state, debrief::model::CauseState::AcceptedRisk);
    assert_eq!(c.reason, "the provider's SLA credits cover it");
    assert!(
        !r.gaps.iter().any(|g| g.to_string().contains("has no fix")),
        "{:?}",
        r.gaps
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("Risk accepted:"), "{text}");
}

/// On the incident list: X archives (and v lists the archived, where X brings one back), d asks
/// before deleting, naming what goes.
#[test]
fn the_console_archives_and_deletes_incidents() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    for title in ["Old outage", "Current"] {
        store
            .create_incident(&NewIncident {
                title: title.into(),
                severity: Severity::Sev3,
                zone: "UTC".into(),
                started_at: None,
            })
            .unwrap();
    }
    let mut app = app_on(store, Theme::mono());
    app.reload();
    let first = |app: &mut debrief::tui::app::App| {
        let Screen::Home(h) = &app.screen else { panic!() };
        h.visible().first().map(|s| s.incident.title.clone())
    };
    let top = first(&mut app).unwrap();
    keys(&mut app, "X");
    let text = screen(&mut app, 100, 20);
    assert!(text.contains(&format!("Archived #2 {top}")), "{text}");
    let Screen::Home(h) = &app.screen else { panic!() };
    assert_eq!(h.visible().len(), 1, "the archived one is hidden");
    keys(&mut app, "v");
    let text = screen(&mut app, 100, 20);
    assert!(text.contains(&format!("(archived) {top}")), "{text}");
    // Bring it back: select it and X again.
    let Screen::Home(h) = &app.screen else { panic!() };
    let at = h.visible().iter().position(|s| s.archived).unwrap();
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    keys(&mut app, "X");
    assert!(screen(&mut app, 100, 20).contains("is back on the list"));
    keys(&mut app, "v");
    let Screen::Home(h) = &app.screen else { panic!() };
    assert_eq!(h.visible().len(), 2);
    // Delete asks, naming what goes; n keeps it, y deletes it.
    keys(&mut app, "gd");
    let text = screen(&mut app, 120, 20);
    assert!(
        text.contains("and everything in it (0 events, 5") && text.contains("This cannot be undone"),
        "{text}"
    );
    keys(&mut app, "n");
    let Screen::Home(h) = &app.screen else { panic!() };
    assert_eq!(h.incidents.len(), 2);
    keys(&mut app, "dy");
    let Screen::Home(h) = &app.screen else { panic!() };
    assert_eq!(h.incidents.len(), 1, "{}", screen(&mut app, 120, 20));
}

/// From the console: "not doing" without a reason is refused in the edit form and saves with one;
/// with no action open, the incident form closes the review.
#[test]
fn the_console_needs_a_reason_for_not_doing_and_closes_a_finished_review() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout down".into(),
            severity: Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    store
        .add_action(id, &NewAction::titled("Rewrite the gateway", ActionKind::Process))
        .unwrap();
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    keys(&mut app, "3e");
    set_choice(&mut app, "Status", "not_doing");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&mut app, 100, 30).contains("needs a reason"));
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(r.actions[0].status, ActionStatus::Todo, "nothing saved");
    set_choice(&mut app, "Reason", "");
    crate::support::console::type_text(&mut app, "out of scope");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(
        (r.actions[0].status, r.actions[0].reason.as_str()),
        (ActionStatus::NotDoing, "out of scope")
    );
    keys(&mut app, "E");
    set_choice(&mut app, "Status", "closed");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(r.incident.status, IncidentStatus::Closed);
}
