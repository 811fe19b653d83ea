//! End to end through a real pseudo-terminal: the binary at 80x24 with `TERM=xterm-256color`,
//! its output parsed by a vt100 emulator, keys typed as a terminal sends them.
//!
//! Every step waits for what the screen should show (up to 10 s) instead of sleeping, so the
//! tests hold on a slow, shared CI machine.

use crate::support::pty::{Console, Workspace, assert_integrity, assert_restored};
use chrono::Timelike;
use debrief::model::{ActionKind, CauseState};
use debrief::store::Store;
use std::time::{Duration, Instant};

const TITLE: &str = "Checkout down after release";

/// The issue "review console": from an empty database to a review with an event, a confirmed
/// cause and a delegated action, all by keys; then quit with the terminal given back.
#[test]
fn review_console_from_an_empty_database() {
    let ws = Workspace::new();
    let mut c = Console::spawn(ws.debrief("alice", &[]));

    let s = c.wait_for("Welcome to debrief");
    assert!(s.contains("There is no incident in this database yet."), "{s}");
    assert!(s.contains("n  start a new incident review"), "{s}");
    assert!(c.alternate_screen(), "the console runs on the alternate screen");

    // n: the new-incident form, title first.
    c.send("n");
    let s = c.wait_for("New incident");
    assert!(
        s.contains("Title") && s.contains("Severity") && s.contains("Europe/Berlin"),
        "{s}"
    );
    c.send(TITLE);
    c.wait_for(TITLE);
    c.send("\r");
    // The review screen: the header names the incident, the timeline is focused and empty.
    let s = c.wait_until("the review screen", |s| {
        // The whole frame: under load the test can read the screen while a frame is half drawn.
        s.contains(&format!("#1 {TITLE}"))
            && s.contains("1 Timeline")
            && s.contains("3 Actions")
            && !s.contains("New incident")
    });
    assert!(s.contains("2 Causes") && s.contains("3 Actions"), "{s}");
    // At 80 columns the header names the zone without "times in", beside what the durations
    // are measured from.
    assert!(
        s.contains("from impact: TTD") && s.contains("· Europe/Berlin (incident)"),
        "{s}"
    );

    // a: quick add, time first.
    c.send("a");
    c.wait_for("Add event");
    c.send("14:32 rolled back the release\r");
    let s = c.wait_until("the event in the timeline", |s| {
        s.contains("rolled back the release") && !s.contains("Add event")
    });
    let row = s
        .lines()
        .find(|l| l.contains("rolled back the release"))
        .unwrap()
        .to_string();
    assert!(row.contains("14:32"), "shown at 14:32 in the incident's zone: {row:?}");
    assert!(row.contains("alice"), "with its author: {row:?}");

    // 2: the causes; the third-party system comes first and is selected.
    c.send("2");
    let s = c.wait_until("the causes pane focused", |s| {
        s.contains("2 Causes") && s.contains("Third-party system") && s.contains("Software update")
    });
    let first = s.lines().find(|l| l.contains("Third-party system")).unwrap();
    assert!(first.contains('▶'), "the first cause is selected: {first:?}\n{s}");
    assert!(first.contains("unexamined"), "{first:?}");
    // c: confirmed.
    c.send("c");
    let s = c.wait_until("the cause confirmed", |s| {
        s.lines()
            .any(|l| l.contains("Third-party system") && l.contains("confirmed"))
    });
    assert!(
        s.lines()
            .any(|l| l.contains("Software update") && l.contains("unexamined")),
        "only the selected cause changed:\n{s}"
    );

    // 3: the action board, which now warns that the confirmed cause has no fix.
    c.send("3");
    c.wait_until("the actions pane focused", |s| {
        s.contains("3 Actions") && !s.contains("Software update")
    });
    // a: the action form; Title, then Kind, then Owner.
    c.send("a");
    let s = c.wait_for("Add action");
    let order: Vec<usize> = ["Title", "Kind", "Owner", "Role", "Due"]
        .iter()
        .map(|label| {
            s.lines()
                .position(|l| l.starts_with(&format!("│  {label} ")) || l.starts_with(&format!("│▶ {label} ")))
                .unwrap_or_else(|| panic!("no {label} field:\n{s}"))
        })
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "field order: {s}");
    c.send("Page on provider 5xx rate");
    c.wait_for("Page on provider 5xx rate");
    c.send("\t\t");
    c.wait_until("the owner field focused", |s| s.contains("▶ Owner"));
    c.send("Tomasz Nowak\r");
    let s = c.wait_until("the action on the board", |s| {
        s.contains("Page on provider 5xx rate") && !s.contains("Add action")
    });
    assert!(s.contains("Tomasz"), "the owner is shown:\n{s}");

    // q: back to the list of incidents; q again: quit.
    c.send("q");
    let s = c.wait_until("the home screen", |s| s.contains(TITLE) && !s.contains("3 Actions"));
    assert!(s.contains("SEV2"), "{s}");
    c.send("q");
    let exit = c.wait_exit(Duration::from_secs(10)).expect("the console quits on q");
    assert_eq!(exit.code(), Some(0), "exit status {exit:?}");
    c.drain(Duration::from_secs(5));
    assert_restored(&c.raw());
    assert!(!c.alternate_screen(), "back on the main screen");

    // What the screens showed is in the database.
    assert_integrity(&ws.db);
    let store = Store::open(&ws.db, "checker").unwrap();
    let incidents = store.incidents().unwrap();
    assert_eq!(incidents.len(), 1);
    let incident = &incidents[0];
    assert_eq!(incident.title, TITLE);
    assert_eq!(incident.zone, "Europe/Berlin");
    let events = store.all_events(incident.id).unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(event.text, "rolled back the release");
    assert_eq!(event.author, "alice");
    let local = event.at.with_timezone(&incident.tz());
    assert_eq!(
        (local.hour(), local.minute()),
        (14, 32),
        "14:32 in the incident's zone, stored {}",
        event.at
    );
    let causes = store.causes(incident.id).unwrap();
    assert_eq!(causes[0].category.label(), "Third-party system");
    assert_eq!(causes[0].state, CauseState::Confirmed);
    assert!(
        causes[1..].iter().all(|c| c.state == CauseState::Unexamined),
        "{causes:?}"
    );
    let actions = store.actions(incident.id).unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    assert_eq!(action.title, "Page on provider 5xx rate");
    assert_eq!(action.owner, "Tomasz Nowak");
    assert_eq!(action.kind, ActionKind::Fix);
    assert_eq!(
        action.cause_id,
        Some(causes[0].id),
        "linked to the confirmed cause by default"
    );
}

/// The issue "first review meeting" §6: two consoles on one database with the same incident
/// open see an event logged from the shell within a second, and each other in the header.
#[test]
fn two_consoles_see_a_logged_event_and_each_other() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "Europe/Berlin"]);
    let mut alice = Console::spawn(ws.debrief("alice", &["open", "1"]));
    let mut bob = Console::spawn(ws.debrief("bob", &["open", "1"]));
    alice.wait_for("#1 Payments outage");
    bob.wait_for("#1 Payments outage");

    // Presence: each console writes its first heartbeat as it starts, and reads the others' on
    // every tick.
    alice.wait_for("also here: bob");
    bob.wait_for("also here: alice");

    let text = "payments gateway restarted by provider";
    let started = Instant::now();
    ws.run_ok("carol", &["log", "-i", "1", "--at", "15:05", text]);
    let committed = Instant::now();
    // Both screens are watched together, so each one's latency is measured on its own.
    let mut seen: [Option<Duration>; 2] = [None, None];
    let deadline = committed + Duration::from_secs(3);
    while seen.iter().any(Option::is_none) && Instant::now() < deadline {
        for (i, c) in [&alice, &bob].into_iter().enumerate() {
            if seen[i].is_none() && c.screen_text().contains(text) {
                seen[i] = Some(committed.elapsed());
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!(
        "debrief log ran for {:?}; the event appeared on alice's screen {:?} and on bob's {:?} after it returned",
        committed - started,
        seen[0],
        seen[1]
    );
    for (name, c, seen) in [("alice", &alice, seen[0]), ("bob", &bob, seen[1])] {
        let screen = c.screen_text();
        assert!(
            seen.is_some(),
            "{name}'s console did not show the event within 3 s:\n{screen}"
        );
        let row = screen.lines().find(|l| l.contains(text)).unwrap();
        assert!(row.contains("15:05") && row.contains("carol"), "{name}: {row:?}");
    }

    for c in [&mut alice, &mut bob] {
        quit_from_review(c, "Payments outage");
    }
    assert_integrity(&ws.db);
}

/// The issue "timeline" §7 from the console: `i`, a file name completed from the directory the
/// console was started in, a preview that writes nothing, then Enter imports what was shown.
#[test]
fn import_from_the_console_previews_before_writing() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "Europe/Berlin"]);
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import/api.log");
    std::fs::copy(&fixture, ws.dir.path().join("api.log")).unwrap();
    let count = || Store::open(&ws.db, "checker").unwrap().all_events(1).unwrap().len();

    let mut c = Console::spawn(ws.debrief("alice", &["open", "1"]));
    c.wait_for("#1 Payments outage");
    c.send("i");
    c.wait_for("Import events into #1");
    // "ap" and → : completed from the console's working directory.
    c.send("ap\x1b[C");
    c.wait_for("api.log");
    c.send("\r");
    let s = c.wait_for("Import preview");
    assert!(
        s.contains("api.log · 13 events · read as log text (log), 20 of 21 lines matched"),
        "{s}"
    );
    assert!(s.contains("13 new · 0 already in this incident"), "{s}");
    assert_eq!(count(), 0, "the preview writes nothing");

    c.send("\r");
    let s = c.wait_for("Imported 13 events from api.log");
    assert!(s.contains("1 Timeline (1/13)"), "{s}");
    assert_eq!(count(), 13);
    let store = Store::open(&ws.db, "checker").unwrap();
    let history = store.history(1, None).unwrap();
    assert!(
        history
            .iter()
            .any(|h| h.op == "import" && h.author == "alice" && h.detail.contains("api.log")),
        "{history:?}"
    );

    quit_from_review(&mut c, "Payments outage");
    assert_integrity(&ws.db);
}

/// A large import runs beside the event loop: its progress is drawn, Esc cancels it with
/// nothing written, and the next one completes while the console stays responsive.
#[test]
fn a_large_import_from_the_console_shows_progress_and_can_be_cancelled() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "UTC"]);
    let lines = 100_000;
    let mut log = String::new();
    for i in 0..lines {
        let at = chrono::DateTime::from_timestamp(1_795_694_400 + i, 0).unwrap();
        log.push_str(&format!(
            "{} worker {i} request failed\n",
            at.format("%Y-%m-%dT%H:%M:%SZ")
        ));
    }
    std::fs::write(ws.dir.path().join("big.log"), log).unwrap();
    let count = || Store::open(&ws.db, "checker").unwrap().all_events(1).unwrap().len();

    let mut c = Console::spawn(ws.debrief("alice", &["open", "1"]));
    c.wait_for("#1 Payments outage");
    c.send("i");
    c.wait_for("Import events into #1");
    c.send("big.log\r");
    c.wait_for_long("100,000 new");
    c.send("\r");
    let s = c.wait_for("Importing big.log: ");
    assert!(s.contains("Esc  cancel (nothing is written)"), "{s}");
    c.send("\x1b");
    c.wait_for("Import cancelled; nothing was imported.");
    assert_eq!(count(), 0, "a cancelled import writes nothing");

    // Back in the form: Enter previews again, Enter imports, and it runs to the end.
    c.send("\r");
    c.wait_for_long("100,000 new");
    c.send("\r");
    let s = c.wait_for_long("Imported 100,000 events from big.log");
    assert!(s.contains("1 Timeline (1/100000)"), "{s}");
    assert_eq!(count(), lines as usize);
    quit_from_review(&mut c, "Payments outage");
    assert_integrity(&ws.db);
}

/// `debrief import` at a terminal shows its progress on stderr (events, rate, share of the
/// file, time left) and clears it before the result lines.
#[test]
fn a_command_line_import_at_a_terminal_shows_its_progress() {
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "UTC"]);
    let log: String = (0..2000)
        .map(|i| {
            format!(
                "2026-11-26T10:{:02}:{:02}Z worker {i} request failed\n",
                i / 60 % 60,
                i % 60
            )
        })
        .collect();
    std::fs::write(ws.dir.path().join("big.log"), log).unwrap();
    let mut c = Console::spawn(ws.debrief("alice", &["import", "-i", "1", "--zone", "UTC", "big.log"]));
    c.wait_for_long("imported 2000 events from big.log");
    let exit = c.wait_exit(Duration::from_secs(60)).expect("the import ends");
    assert_eq!(exit.code(), Some(0));
    let raw = String::from_utf8_lossy(&c.raw()).into_owned();
    let progress = raw.find(" events, ").expect("a progress line (count, rate) was drawn");
    let result = raw.find("imported 2000 events").unwrap();
    assert!(progress < result, "the progress comes before the result: {raw:?}");
    assert!(
        raw[..result].contains("% ") && raw[..result].contains(" left"),
        "{raw:?}"
    );
    assert!(
        raw[..result].ends_with("\x1b[2K"),
        "the bar is cleared before the result: {raw:?}"
    );
    assert_eq!(
        Store::open(&ws.db, "checker").unwrap().all_events(1).unwrap().len(),
        2000
    );
}

/// `q` back to the incident list (which shows `title`), `q` again to quit: exit status 0.
fn quit_from_review(c: &mut Console, title: &str) {
    c.send("q");
    c.wait_for(title);
    c.send("q");
    let exit = c.wait_exit(Duration::from_secs(10)).expect("quits");
    assert_eq!(exit.code(), Some(0));
}
