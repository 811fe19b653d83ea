//! Import from the console (`i` on the timeline): the form, the preview that writes nothing, the
//! import itself, and every way it can go wrong leaving the database as it was.

use crate::support::console::{app_at, key_at, keys_at, screen};
use chrono::{DateTime, TimeZone, Utc};
use debrief::model::{EventKind, Severity, sanitize};
use debrief::store::{EventFilter, NewIncident, Store};
use debrief::tui::app::{App, Popup};
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::path::{Path, PathBuf};

/// 2026-11-27 09:00 UTC, the morning after the fixtures' incident.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// A console on the review of an empty incident in Berlin.
fn review() -> (App, i64) {
    review_on(Store::open_in_memory("facilitator").unwrap(), "Europe/Berlin", None)
}

/// A console on the review of a new incident in `store`, in `zone`, started at `started_at`.
fn review_on(store: Store, zone: &str, started_at: Option<DateTime<Utc>>) -> (App, i64) {
    let id = store
        .create_incident(&NewIncident {
            title: "Checkout payments failing".into(),
            severity: Severity::Sev1,
            zone: zone.into(),
            started_at,
        })
        .unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    key(&mut app, KeyCode::Enter);
    (app, id)
}

/// [`review_on`] a database file in `dir`, importing on a thread as the event loop does.
fn review_on_file(dir: &Path) -> (App, i64) {
    let db = dir.join("review.db");
    let (mut app, id) = review_on(Store::open(&db, "facilitator").unwrap(), "UTC", None);
    app.background = true;
    (app, id)
}

fn key(app: &mut App, code: KeyCode) {
    key_at(app, code, 80, 24);
}

fn keys(app: &mut App, s: &str) {
    keys_at(app, s, 80, 24);
}

fn events(app: &App, id: i64) -> i64 {
    app.store.count_events(id, &EventFilter::default()).unwrap()
}

fn form_error(app: &App) -> Option<String> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f.error.clone(),
        _ => None,
    }
}

fn clear_field(app: &mut App) {
    for _ in 0..300 {
        app.press(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
}

/// A file in a new temporary directory (kept as long as the directory is).
fn temp_file(name: &str, content: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, content).unwrap();
    (dir, path)
}

/// `i`, the path typed into the form, Enter.
fn preview_of(app: &mut App, path: &Path) {
    key(app, KeyCode::Char('i'));
    keys(app, &path.display().to_string());
    key(app, KeyCode::Enter);
}

#[test]
fn i_previews_a_log_then_enter_imports_it_and_a_second_time_adds_nothing() {
    let (mut app, id) = review();
    key(&mut app, KeyCode::Char('i'));
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("Import events into #1"), "{form}");
    assert!(form.contains("Format") && form.contains("auto"), "{form}");
    assert_snapshot!("import_form_80x24", form);
    key(&mut app, KeyCode::Esc);

    preview_of(&mut app, &fixture("api.log"));
    assert!(
        matches!(app.popups.last(), Some(Popup::Import(_))),
        "a preview, not an import: {:?}",
        form_error(&app)
    );
    assert_eq!(events(&app, id), 0, "the preview writes nothing");
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("api.log · 13 events · read as log text (log), 20 of 21 lines matched"),
        "{text}"
    );
    assert!(text.contains("13 new · 0 already in this incident"), "{text}");
    assert!(text.contains("Enter  import 13 events"), "{text}");
    assert_snapshot!("import_preview_log_80x24", text);

    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "the preview and the form close");
    assert_eq!(events(&app, id), 13);
    let flash = app.flash.clone().unwrap();
    assert!(!flash.is_error());
    let flash = flash.text().to_string();
    assert_eq!(
        flash,
        "Imported 13 events from api.log (0 already here, 1 line skipped)."
    );
    let timeline = screen(&mut app, 80, 24);
    assert!(
        timeline.contains("1 Timeline (1/13)") && timeline.contains("worker pool ex"),
        "{timeline}"
    );
    let stored = app.store.all_events(id).unwrap();
    // A level gives the kind (#14 item 3); lines without one take the form's Kind.
    let kind_of = |start: &str| stored.iter().find(|e| e.text.starts_with(start)).unwrap().kind;
    assert_eq!(kind_of("WARN"), EventKind::Observation);
    assert_eq!(kind_of("ERROR"), EventKind::Alert);
    assert_eq!(kind_of("INFO"), EventKind::Note);
    assert_eq!(kind_of("pay-api-1"), EventKind::Observation);
    let origin_of = |start: &str| {
        stored
            .iter()
            .find(|e| e.text.starts_with(start))
            .unwrap()
            .origin
            .clone()
    };
    assert_eq!(origin_of("ERROR [health]").as_deref(), Some("health"));
    assert_eq!(origin_of("pay-api-1 systemd").as_deref(), Some("systemd"));
    assert!(
        stored.iter().all(|e| e.author == "facilitator"),
        "the importer stays the author"
    );
    assert!(
        stored
            .iter()
            .any(|e| e.text.contains("\n\tat com.example.payments.PayGateClient")),
        "a stack trace joins the event it belongs to"
    );

    // The same file again: the preview says so, and Enter adds nothing.
    preview_of(&mut app, &fixture("api.log"));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("0 new · 13 already in this incident"), "{text}");
    assert!(text.contains("nothing to import: close"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    assert_eq!(events(&app, id), 13);
    assert_eq!(
        app.flash.clone().unwrap().text(),
        "Nothing imported: all 13 events are already here."
    );
}

#[test]
fn esc_on_the_preview_goes_back_to_the_form_and_writes_nothing() {
    let (mut app, id) = review();
    preview_of(&mut app, &fixture("incident.csv"));
    assert!(matches!(app.popups.last(), Some(Popup::Import(_))));
    key(&mut app, KeyCode::Esc);
    assert!(
        matches!(app.popups.last(), Some(Popup::Form(_))),
        "back to the form to change the file or format"
    );
    key(&mut app, KeyCode::Esc);
    // A path was typed: Esc asks before discarding the form.
    key(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty());
    assert_eq!(events(&app, id), 0);
    assert!(app.store.history(id, None).unwrap().iter().all(|h| h.op != "import"));
}

#[test]
fn each_format_is_recognised_and_keeps_the_kinds_and_authors_the_file_gives() {
    for (file, format, count) in [
        ("incident.csv", "csv", 12),
        ("events.jsonl", "jsonl", 10),
        ("slack.json", "slack", 12),
    ] {
        let (mut app, id) = review();
        preview_of(&mut app, &fixture(file));
        let Some(Popup::Import(p)) = app.popups.last() else {
            panic!("{file}: {:?}", form_error(&app));
        };
        assert_eq!(p.preview.summary.format.name(), format, "{file}");
        let n = p.preview.summary.events;
        assert_eq!(n, count, "{file}");
        key(&mut app, KeyCode::Enter);
        assert_eq!(events(&app, id), n as i64, "{file}");
    }
    // A Slack export's places are messages, not lines.
    let (mut app, _) = review();
    preview_of(&mut app, &fixture("slack.json"));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("2 messages skipped:"), "{text}");
    assert!(text.contains("  message 2: a \"channel_join\" message"), "{text}");

    let (mut app, id) = review();
    preview_of(&mut app, &fixture("incident.csv"));
    key(&mut app, KeyCode::Enter);
    let stored = app.store.all_events(id).unwrap();
    let deploy = stored
        .iter()
        .find(|e| e.text.starts_with("payment-api v2.14.0 deployed"))
        .unwrap();
    assert_eq!(
        (deploy.kind, deploy.author.as_str()),
        (EventKind::Deploy, "Jonas Weber")
    );
}

#[test]
fn the_format_and_the_default_kind_are_chosen_in_the_form() {
    let (mut app, id) = review();
    // Chat-style notes: times of day, read in this machine's zone (Berlin here) on the latest
    // day they are not in the future (the incident has no start yet).
    let (_dir, path) = temp_file("notes.txt", "[14:02] deploy of v2.14\n[14:09] first 503s\n");
    key(&mut app, KeyCode::Char('i'));
    keys(&mut app, &path.display().to_string());
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "l"); // Format: log
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "d"); // Kind: deploy
    key(&mut app, KeyCode::Enter);
    let Some(Popup::Import(p)) = app.popups.last() else {
        panic!("{:?}", form_error(&app));
    };
    assert_eq!(p.preview.summary.events, 2);
    key(&mut app, KeyCode::Enter);
    let stored = app.store.all_events(id).unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|e| e.kind == EventKind::Deploy));
    // 14:02 in Berlin (UTC+1): "now" is 10:00 there, so yesterday's 14:02.
    assert_eq!(stored[0].at, Utc.with_ymd_and_hms(2026, 11, 26, 13, 2, 0).unwrap());
}

#[test]
fn a_malformed_file_names_the_line_in_the_form_and_changes_nothing() {
    let (mut app, id) = review();
    let (_dir, path) = temp_file("bad.csv", "time,text\n2026-11-26 14:02,fine\nnot a time,broken\n");
    preview_of(&mut app, &path);
    let err = form_error(&app).expect("the form stays open with the error");
    assert!(
        err.starts_with(&format!("{}:3: cannot read time \"not a time\"", path.display())),
        "{err}"
    );
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("bad.csv:3"), "{text}");
    assert_eq!(events(&app, id), 0);
}

#[test]
fn missing_files_directories_stdin_and_an_empty_path_are_explained() {
    let (mut app, id) = review();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.log");
    preview_of(&mut app, &missing);
    assert_eq!(
        form_error(&app).unwrap(),
        format!("cannot read {}: no such file", missing.display())
    );
    clear_field(&mut app);
    keys(&mut app, &dir.path().display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(form_error(&app).unwrap().ends_with("is a directory; name a file"));
    clear_field(&mut app);
    keys(&mut app, "-");
    key(&mut app, KeyCode::Enter);
    assert!(form_error(&app).unwrap().contains("debrief import -"));
    clear_field(&mut app);
    key(&mut app, KeyCode::Enter);
    assert_eq!(form_error(&app).unwrap(), "Type the path of the file to import.");
    // A file nothing recognises.
    let odd = dir.path().join("odd.txt");
    std::fs::write(&odd, "hello\nworld\n").unwrap();
    clear_field(&mut app);
    keys(&mut app, &odd.display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(
        form_error(&app).unwrap().contains("could not recognise the format"),
        "{:?}",
        form_error(&app)
    );
    assert_eq!(events(&app, id), 0);
}

/// A Slack export's folder of several channels: the form lists them; its Channel field names
/// one, whose days are previewed and imported.
#[test]
fn a_slack_export_lists_its_channels_and_the_channel_field_names_one() {
    let (mut app, id) = review();
    let export = fixture("slack-export");
    preview_of(&mut app, &export);
    let err = form_error(&app).expect("the form stays open with the channels");
    assert_eq!(err, "Name one of its 2 channels in Channel: general, inc-payments");
    // At 80 columns the channels show, not only the path (the form's error line is cut).
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("│Name one of its 2 channels in Channel: general, inc-payments"),
        "{text}"
    );
    // Channel: the seventh field (after Level kinds).
    for _ in 0..6 {
        key(&mut app, KeyCode::Tab);
    }
    keys(&mut app, "inc-payments");
    key(&mut app, KeyCode::Enter);
    let Some(Popup::Import(p)) = app.popups.last() else {
        panic!("{:?}", form_error(&app));
    };
    assert_eq!((p.preview.summary.events, p.preview.new), (4, 4));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("read as Slack export (slack), 4 of 5 messages matched"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(events(&app, id), 4);
    let texts: Vec<String> = app.store.all_events(id).unwrap().into_iter().map(|e| e.text).collect();
    assert_eq!(
        texts[2],
        "↳ Marco Rossi: PayFast status page says degraded since… — 5xx at 12%, it's them"
    );
}

#[test]
fn a_file_that_changes_after_its_preview_is_previewed_again_not_imported() {
    let (mut app, id) = review();
    let (_dir, path) = temp_file("live.log", "2026-11-26T13:00:00Z one\n2026-11-26T13:01:00Z two\n");
    preview_of(&mut app, &path);
    assert!(matches!(app.popups.last(), Some(Popup::Import(_))));
    // Someone appends to the log while the preview is on the shared screen.
    std::fs::write(
        &path,
        "2026-11-26T13:00:00Z one\n2026-11-26T13:01:00Z two\n2026-11-26T13:02:00Z three\n",
    )
    .unwrap();
    key(&mut app, KeyCode::Enter);
    assert_eq!(events(&app, id), 0, "nothing that was not shown is written");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("The file changed since the preview"), "{text}");
    assert!(text.contains("3 new"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(events(&app, id), 3);
}

#[test]
fn skipped_lines_are_listed_in_the_preview() {
    let (mut app, _id) = review();
    let (_dir, path) = temp_file(
        "chat.log",
        "no time here\n[14:32] ana: failover started\n[14:40] ben: done\n",
    );
    preview_of(&mut app, &path);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("2 events"), "{text}");
    assert!(text.contains("1 line skipped:"), "{text}");
    assert!(text.contains("  line 1: "), "{text}");
}

#[test]
fn hostile_bytes_in_an_imported_file_never_reach_the_store_or_the_screen() {
    let (mut app, id) = review();
    let (_dir, path) = temp_file(
        "evil.log",
        "2026-11-26T13:00:00Z \x1b[2Jcleared \x1b]0;title\x07 \x1b]52;c;aGk=\x07 \u{202e}gnp.exe \u{9b}31m red\n",
    );
    preview_of(&mut app, &path);
    let text = screen(&mut app, 80, 24);
    assert!(!text.contains('\x1b') && !text.contains('\u{202e}'), "{text:?}");
    key(&mut app, KeyCode::Enter);
    let stored = app.store.all_events(id).unwrap();
    assert_eq!(stored.len(), 1);
    assert!(sanitize::is_clean(&stored[0].text), "{:?}", stored[0].text);
    assert!(stored[0].text.contains("cleared"), "{:?}", stored[0].text);
}

#[test]
fn the_file_field_completes_directories_and_paths_and_remembers_the_last_directory() {
    use debrief::tui::app::Popup;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("files")).unwrap();
    std::fs::copy(fixture("api.log"), dir.path().join("files/checkout-api.log")).unwrap();
    std::fs::write(dir.path().join("files/notes.md"), "not a log").unwrap();
    std::fs::write(dir.path().join("fixes.txt"), "").unwrap();
    let (mut app, id) = review();
    app.cwd = dir.path().to_path_buf();
    let file = |app: &App| match app.popups.last() {
        Some(Popup::Form(f)) => f.value("File"),
        _ => panic!("no form"),
    };
    key(&mut app, KeyCode::Char('i'));
    keys(&mut app, "fil");
    key(&mut app, KeyCode::Right);
    assert_eq!(file(&app), "files/", "a directory, with its slash");
    keys(&mut app, "che");
    key(&mut app, KeyCode::Right);
    assert_eq!(
        file(&app),
        "files/checkout-api.log",
        "any file name, not only known extensions"
    );
    key(&mut app, KeyCode::Enter);
    assert!(
        matches!(app.popups.last(), Some(Popup::Import(_))),
        "{}",
        screen(&mut app, 80, 24)
    );
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    assert!(events(&app, id) > 0);
    // The next import form offers the directory of the last: → in the empty field.
    key(&mut app, KeyCode::Char('i'));
    assert_eq!(file(&app), "", "typing a path of one's own is not in the way");
    key(&mut app, KeyCode::Right);
    assert_eq!(file(&app), "files/");
    key(&mut app, KeyCode::Right);
    assert_eq!(file(&app), "files/checkout-api.log", "then its entries");
}

/// The event loop draws a frame between a key and slow work: reading a large file or importing
/// it says so on screen first, instead of a frozen console.
#[test]
fn the_screen_says_what_is_being_read_or_imported_before_the_work_starts() {
    let (mut app, id) = review();
    key(&mut app, KeyCode::Char('i'));
    keys(&mut app, &fixture("api.log").display().to_string());
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(app.has_pending());
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Reading api.log…"), "{text}");
    app.run_pending();
    assert!(!app.has_pending());
    assert!(matches!(app.popups.last(), Some(Popup::Import(_))));

    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Importing 13 events from api.log…"), "{text}");
    assert_eq!(events(&app, id), 0);
    app.run_pending();
    assert_eq!(events(&app, id), 13);
    assert!(app.popups.is_empty());
}

/// A FIFO or a device would block the console (raw mode: ctrl-c is only a byte) or never end.
#[test]
fn pipes_and_devices_are_refused_before_anything_is_read() {
    let (mut app, id) = review();
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("live.pipe");
    let c = std::ffi::CString::new(fifo.display().to_string()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    preview_of(&mut app, &fifo);
    assert_eq!(
        form_error(&app).unwrap(),
        format!(
            "{} is not a regular file; to read a pipe or a device, use `debrief import` in a shell",
            fifo.display()
        )
    );
    clear_field(&mut app);
    keys(&mut app, "/dev/zero");
    key(&mut app, KeyCode::Enter);
    assert!(form_error(&app).unwrap().starts_with("/dev/zero is not a regular file"));
    assert_eq!(events(&app, id), 0);
}

#[test]
fn an_earlier_error_is_gone_once_the_preview_works() {
    let (mut app, _) = review();
    preview_of(&mut app, Path::new("/nonexistent/nope.log"));
    assert!(form_error(&app).is_some());
    clear_field(&mut app);
    keys(&mut app, &fixture("api.log").display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Import(_))));
    key(&mut app, KeyCode::Esc);
    assert_eq!(form_error(&app), None, "the form no longer shows the old error");
}

#[test]
fn only_plain_keys_answer_the_preview() {
    let (mut app, id) = review();
    preview_of(&mut app, &fixture("api.log"));
    // q is a letter of the form below, not a way out of the preview: it does nothing here.
    key(&mut app, KeyCode::Char('q'));
    app.press(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
    app.press(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT));
    assert!(matches!(app.popups.last(), Some(Popup::Import(_))), "still previewing");
    assert_eq!(events(&app, id), 0);
    key(&mut app, KeyCode::Char('y'));
    assert_eq!(events(&app, id), 13);
}

#[test]
fn repeats_and_files_without_events_are_counted_apart() {
    let (mut app, id) = review();
    let (_dir, path) = temp_file(
        "twice.log",
        "2026-11-26T13:00:00Z one\n2026-11-26T13:00:00Z one\n2026-11-26T13:01:00Z two\n",
    );
    preview_of(&mut app, &path);
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("2 new · 0 already in this incident · 1 repeat folded"),
        "{text}"
    );
    // The preview shows the repeated line once, with its count, and nothing "more".
    assert!(text.contains("×2 one"), "{text}");
    assert_eq!(text.matches(" one ").count(), 1, "{text}");
    assert!(!text.contains("… and"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert_eq!(events(&app, id), 2);
    let flash = app.flash.clone().unwrap().text().to_string();
    assert!(flash.contains("(0 already here, 1 repeat folded)"), "{flash}");
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("×2 one"), "the timeline's row shows the count: {text}");

    let (_dir, path) = temp_file("quiet.log", "2026-11-26T13:00:00Z\n");
    preview_of(&mut app, &path);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("no events to import"), "{text}");
    assert!(text.contains("nothing to import: close"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    let flash = app.flash.clone().unwrap().text().to_string();
    assert!(
        flash.starts_with("Nothing imported: quiet.log holds no events"),
        "{flash}"
    );
}

/// At the smallest size the console draws (60x16) the counts, the skipped lines and the keys
/// stay on screen; the first events give way.
#[test]
fn a_short_terminal_keeps_the_counts_skipped_lines_and_keys_of_the_preview() {
    let (mut app, _) = review();
    preview_of(&mut app, &fixture("api.log"));
    let (w, h) = (debrief::tui::MIN_WIDTH, debrief::tui::MIN_HEIGHT);
    let text = screen(&mut app, w, h);
    for wanted in [
        "13 new · 0 already",
        "1 line skipped:",
        "  line 1: no timestamp",
        "Enter",
        "Esc",
    ] {
        assert!(text.contains(wanted), "{wanted:?} missing at {w}x{h}:\n{text}");
    }
    assert!(text.contains("more"), "says how many events are not shown:\n{text}");
    assert_snapshot!("import_preview_log_60x16", text);
}

/// A chat transcript has times of day but no dates. Imported the morning after, its lines land
/// on the incident's day (around its start), and the ones after midnight on the next day.
#[test]
fn chat_times_without_a_date_land_on_the_incident_day_not_today() {
    // Started 14:07 in Berlin, the day before "now".
    let started = Utc.with_ymd_and_hms(2026, 11, 26, 13, 7, 0).unwrap();
    let (mut app, id) = review_on(
        Store::open_in_memory("facilitator").unwrap(),
        "Europe/Berlin",
        Some(started),
    );
    let (_dir, path) = temp_file(
        "chat.txt",
        "[13:58] lena: release rolled out\n[14:16] pagerduty: page\n[23:50] ana: still watching\n[00:10] ana: quiet now\n",
    );
    preview_of(&mut app, &path);
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("from 2026-11-26 13:58:00 to 2026-11-27 00:10:00 (Europe/Berlin)"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    // (Besides the "impact started" event the incident was created with.)
    let at: Vec<_> = app
        .store
        .all_events(id)
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.source, debrief::model::Source::Imported(_)))
        .map(|e| e.at)
        .collect();
    assert_eq!(
        at,
        [
            Utc.with_ymd_and_hms(2026, 11, 26, 12, 58, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 26, 13, 16, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 26, 22, 50, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 26, 23, 10, 0).unwrap(),
        ]
    );
}

/// `n` lines of log text, one a second from 12:00 UTC on the incident's day.
fn big_log(n: usize) -> String {
    let start = Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let at = start + chrono::Duration::seconds(i as i64);
            format!(
                "{} worker {i} request failed with 503 from upstream\n",
                at.format("%Y-%m-%dT%H:%M:%SZ")
            )
        })
        .collect()
}

/// Waits (up to 60 s) for an import running on its thread to finish.
fn wait_for_import(app: &mut App) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while app.busy() {
        assert!(std::time::Instant::now() < deadline, "the import did not finish");
        std::thread::sleep(std::time::Duration::from_millis(10));
        app.poll_jobs();
    }
}

/// In the event loop an import runs on a thread with its own connection: the console draws its
/// progress, Esc cancels it and nothing is written; run again, it completes.
#[test]
fn a_large_import_shows_progress_and_esc_cancels_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, id) = review_on_file(dir.path());
    let lines = 50_000;
    let path = dir.path().join("big.log");
    std::fs::write(&path, big_log(lines)).unwrap();

    preview_of(&mut app, &path);
    key(&mut app, KeyCode::Enter);
    assert!(app.busy(), "the import runs on its thread");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Importing big.log: "), "{text}");
    assert!(text.contains("of 50,000 events"), "{text}");
    assert!(text.contains("Esc  cancel (nothing is written)"), "{text}");
    // The tick (presence heartbeat, other sessions' changes) does not wait for the import's
    // write lock: it returns while the import is still going.
    app.tick();
    let Some(Popup::Running(running)) = app.popups.last() else {
        panic!("still running")
    };
    let done = running.watch.done.load(std::sync::atomic::Ordering::Relaxed);
    assert!(done < lines, "the tick waited for the whole import ({done} of {lines})");
    key(&mut app, KeyCode::Esc);
    wait_for_import(&mut app);
    assert_eq!(
        app.flash.clone().unwrap().text().to_string(),
        "Import cancelled; nothing was imported."
    );
    assert!(matches!(app.popups.last(), Some(Popup::Form(_))), "back to the form");
    assert_eq!(events(&app, id), 0);

    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    wait_for_import(&mut app);
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    assert_eq!(events(&app, id), lines as i64);
    let timeline = screen(&mut app, 80, 24);
    assert!(timeline.contains(&format!("1 Timeline (1/{lines})")), "{timeline}");
}

/// Another process is in the middle of a write when the import starts: the import waits for it
/// (in short steps, so Esc would be heard) instead of failing with "database is locked".
#[test]
fn an_import_waits_for_another_process_s_write() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("review.db");
    let (mut app, id) = review_on_file(dir.path());
    preview_of(&mut app, &fixture("api.log"));

    // Another writer holds the lock for a second, longer than the import's connection waits
    // at a time.
    let other = rusqlite::Connection::open(&db).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel::<()>();
    let writer = std::thread::spawn(move || {
        locked_rx.recv().unwrap();
        std::thread::sleep(std::time::Duration::from_secs(1));
        other.execute_batch("COMMIT").unwrap();
    });
    key(&mut app, KeyCode::Enter);
    assert!(app.busy());
    locked_tx.send(()).unwrap();
    wait_for_import(&mut app);
    writer.join().unwrap();
    assert_eq!(form_error(&app), None);
    assert_eq!(events(&app, id), 13, "{:?}", app.flash);
}

/// The import preview's keys come from the key map's [import_preview] section (#13 item 5).
#[test]
fn a_rebound_import_preview_imports_with_its_new_key() {
    let (mut app, id) = review();
    app.keymap = debrief::tui::keymap::KeyMap::from_toml_patch("[import_preview]\nyes = [\"ctrl-y\"]\n").unwrap();
    preview_of(&mut app, &fixture("api.log"));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains(" C-y  import"), "{text}");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('y'));
    assert!(
        matches!(app.popups.last(), Some(Popup::Import(_))),
        "Enter and y mean nothing now"
    );
    assert_eq!(events(&app, id), 0);
    app.press(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    assert!(events(&app, id) > 0, "imported");
}

/// A relative path typed into a console is read from that console's own directory, not the
/// process's (#13 item 7: a console served to someone else has its own): the import reads it
/// there and the export writes there.
#[test]
fn relative_paths_are_read_from_the_console_s_own_directory() {
    let log = std::fs::read_to_string(fixture("api.log")).unwrap();
    let (dir, _) = temp_file("console-cwd-mine.log", &log);
    let (mut app, id) = review();
    assert_ne!(std::env::current_dir().unwrap(), dir.path());
    app.cwd = dir.path().to_path_buf();
    preview_of(&mut app, Path::new("console-cwd-mine.log"));
    assert!(
        matches!(app.popups.last(), Some(Popup::Import(_))),
        "{:?}",
        form_error(&app)
    );
    key(&mut app, KeyCode::Enter);
    assert!(events(&app, id) > 0, "imported from the console's directory");

    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Tab);
    clear_field(&mut app);
    keys(&mut app, "console-cwd-export.md");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    assert!(
        dir.path().join("console-cwd-export.md").is_file(),
        "written in the console's directory"
    );
    assert!(!Path::new("console-cwd-export.md").exists(), "not in the process's");
}
