//! The kind each log level's lines get is chosen per import (#14 item 3): `--kinds` on the
//! command line, the "Level kinds" field (changes only; the default in its hint) in the console's import form; a bad
//! entry is refused naming it, and nothing is imported.

use crate::support::console::{app_on, key_at, keys_at, screen};
use debrief::store::Store;
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(name)
}

fn run(db: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("DEBRIEF_NOW", "2026-11-25T09:00:00Z")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn ok(db: &Path, args: &[&str]) -> String {
    let out = run(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn kinds(store: &Store, id: i64) -> Vec<&'static str> {
    store.all_events(id).unwrap().iter().map(|e| e.kind.key()).collect()
}

#[test]
fn kinds_maps_levels_to_kinds_on_the_command_line_and_refuses_bad_entries() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ok(&db, &["new", "Payments down", "--zone", "UTC"]);
    let log = fixture("levels.log");
    let log = log.to_str().unwrap();
    for (bad, named) in [
        (vec!["--kinds", "warn=bogus"], "--kinds: \"warn=bogus\": "),
        (
            vec!["--kinds", "warn=alert,loud=alert"],
            "--kinds: \"loud=alert\": unknown level \"loud\"",
        ),
        (vec!["--kinds", "warn"], "--kinds: \"warn\": each entry is LEVEL=KIND"),
    ] {
        let mut args = vec!["import", "-i", "1"];
        args.extend(bad.iter());
        args.push(log);
        let out = run(&db, &args);
        assert!(!out.status.success(), "{bad:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(named), "{named:?} in {err}");
        assert!(bad[1] != "warn=bogus" || err.contains("bogus"), "{err}");
    }
    let store = Store::open(&db, "reader").unwrap();
    assert!(kinds(&store, 1).is_empty(), "nothing imported");
    drop(store);

    let dry = ok(
        &db,
        &[
            "import",
            "-i",
            "1",
            "--kinds",
            "warn=alert",
            "--kinds",
            "debug=observation,info=observation",
            "--dry-run",
            log,
        ],
    );
    assert!(
        dry.contains(
            "kinds by level: debug=observation,info=observation,warn=alert, the others as by default (--kinds)"
        ),
        "{dry}"
    );
    ok(
        &db,
        &[
            "import",
            "-i",
            "1",
            "--kinds",
            "warn=alert,debug=observation,info=observation",
            log,
        ],
    );
    let store = Store::open(&db, "reader").unwrap();
    assert_eq!(
        kinds(&store, 1),
        [
            "observation",
            "observation",
            "alert",
            "alert",
            "note",
            "alert",
            "observation"
        ],
        "debug, info → observation; warn → alert; notice → note and error, fatal → alert as by \
         default; the line without a level takes --kind"
    );
}

#[test]
fn the_console_form_takes_changes_only_with_the_default_in_its_hint() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "facilitator").unwrap();
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let before = store.all_events(id).unwrap().len();
    let mut app = app_on(store, Theme::dark());
    key_at(&mut app, KeyCode::Enter, 80, 24);
    key_at(&mut app, KeyCode::Char('i'), 80, 24);
    keys_at(&mut app, fixture("levels.log").to_str().unwrap(), 80, 24);
    for _ in 0..5 {
        key_at(&mut app, KeyCode::Tab, 80, 24);
    }
    let form = screen(&mut app, 80, 24);
    // Empty (the default), which its hint spells out within 80 columns.
    assert!(form.contains("│▶ Level kinds  "), "{form}");
    assert!(
        form.contains("│empty: error,critical→alert, warn→observation, others→note; or LEVEL=KIND,…"),
        "{form}"
    );
    let Some(debrief::tui::app::Popup::Form(f)) = app.popups.last() else {
        panic!("the import form")
    };
    assert_eq!(f.value("Level kinds"), "", "only changes are typed");
    // A bad entry is named in the form; nothing is read or written.
    keys_at(&mut app, "warn=loud", 80, 24);
    key_at(&mut app, KeyCode::Enter, 80, 24);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Level kinds: \"warn=loud\""), "{text}");
    assert_eq!(app.store.all_events(id).unwrap().len(), before);
    for _ in 0.."loud".len() {
        key_at(&mut app, KeyCode::Backspace, 80, 24);
    }
    keys_at(&mut app, "alert,notice=action", 80, 24);
    key_at(&mut app, KeyCode::Enter, 80, 24);
    let preview = screen(&mut app, 80, 24);
    assert!(preview.contains("7 new"), "{preview}");
    key_at(&mut app, KeyCode::Enter, 80, 24);
    let events = app.store.all_events(id).unwrap();
    let imported: Vec<_> = events
        .iter()
        .filter(|e| e.origin.is_some())
        .map(|e| (e.text.as_str(), e.kind.key()))
        .collect();
    assert!(
        imported.contains(&("WARN payment-api: retry queue at 80%", "alert")),
        "{imported:?}"
    );
    assert!(
        imported.contains(&("NOTICE cron: nightly job started", "action")),
        "{imported:?}"
    );
    assert!(
        imported.contains(&("DEBUG payment-api: pool stats: 12 idle", "note")),
        "{imported:?}"
    );
}
