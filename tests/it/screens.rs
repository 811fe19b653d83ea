//! The screens beyond the review: actions across incidents (`A`), insights (`I`) and export
//! from the console (`x`) — snapshots in a TestBackend and scripted keys through the key map.

use crate::support::console::{app_at, draw, key_at, keys_at, screen};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use debrief::model::{ActionKind, ActionStatus, CauseCategory, CauseState, EventKind, Milestone, Severity, Source};
use debrief::model::{StandardCause, sanitize};
use debrief::store::{NewAction, NewEvent, NewIncident, Store};
use debrief::tui::app::{App, Flash, Popup, Screen};
use debrief::tui::screens::review::Pane;
use debrief::tui::theme::Theme;
use insta::assert_snapshot;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// 2026-12-02, 10:00 in Berlin: a week after the demo incident, past two of its due dates.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, 9, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn app_for(store: Store) -> App {
    app_at(store, Theme::dark(), now())
}

/// The demo incident as stored in assets/demo.json (not moved to yesterday).
fn demo_store(author: &str) -> Store {
    let store = Store::open_in_memory(author).unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    store
}

/// Presses a key the way the event loop does: after a frame was drawn.
fn key(app: &mut App, code: KeyCode) {
    key_at(app, code, 80, 24);
}

fn keys(app: &mut App, s: &str) {
    keys_at(app, s, 80, 24);
}

/// Empties the focused one-line field.
fn clear_field(app: &mut App) {
    for _ in 0..120 {
        app.press(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
    }
}

fn form_error(app: &App) -> Option<String> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f.error.clone(),
        _ => None,
    }
}

// --- actions across incidents ------------------------------------------------------------------

#[test]
fn cross_actions_show_mine_by_default_with_the_overdue_standing_out() {
    // The author is spelled in lower case; the owner "Marco Rossi" still matches.
    let mut app = app_for(demo_store("marco rossi"));
    key(&mut app, KeyCode::Char('A'));
    let Screen::CrossActions(c) = &app.screen else { panic!() };
    assert_eq!(c.owner.as_deref(), Some("Marco Rossi"), "as the owners spell it");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("2026-12-01!"), "the overdue one is marked:\n{text}");
    assert_snapshot!("cross_mine_80x24", text);
    assert_snapshot!("cross_mine_160x45", screen(&mut app, 160, 45));
    for (w, h) in [(0, 0), (20, 5), (60, 16), (100, 30), (300, 100)] {
        draw(&mut app, w, h);
    }

    // The overdue due date and title are drawn in the theme's overdue style.
    let t = draw(&mut app, 80, 24);
    let buf = t.backend().buffer();
    let overdue = Theme::dark().overdue;
    let y = (0..24)
        .find(|y| {
            (0..80)
                .map(|x| buf[(x, *y)].symbol())
                .collect::<String>()
                .contains("2026-12-01!")
        })
        .unwrap();
    let x = (0..80).find(|x| buf[(*x, y)].symbol() == "!").unwrap();
    assert_eq!(buf[(x, y)].fg, overdue.fg.unwrap());
    assert!(buf[(x, y)].modifier.contains(overdue.add_modifier));
}

#[test]
fn cross_actions_of_everyone_at_80x24_and_160x45() {
    let mut app = app_for(demo_store("facilitator"));
    key(&mut app, KeyCode::Char('A'));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("No open actions for facilitator"), "{text}");
    key(&mut app, KeyCode::Char('o'));
    let form = screen(&mut app, 80, 24);
    assert!(form.contains("Whose actions?"), "{form}");
    assert!(
        form.contains("Aylin Demir, Lena Fischer, Marco Rossi"),
        "owners offered:\n{form}"
    );
    clear_field(&mut app);
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("everyone · open (6)"), "{text}");
    assert!(text.contains("2026-11-28!") && text.contains("2 overdue"), "{text}");
    assert_snapshot!("cross_everyone_80x24", text);
    assert_snapshot!("cross_everyone_160x45", screen(&mut app, 160, 45));

    // Overdue only, through the filter form.
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    assert_snapshot!("cross_filter_form_80x24", screen(&mut app, 80, 24));
    key(&mut app, KeyCode::Enter);
    let Screen::CrossActions(c) = &app.screen else { panic!() };
    let titles: Vec<&str> = c.rows.iter().map(|r| r.action.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Alert on payment provider error rate and latency (per provider)",
            "Ask PayFast for their root-cause analysis and an SLA credit"
        ]
    );
    // All statuses: the done one is back too.
    key(&mut app, KeyCode::Char('/'));
    key(&mut app, KeyCode::Char('a'));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Enter);
    let Screen::CrossActions(c) = &app.screen else { panic!() };
    assert_eq!(c.rows.len(), 8);
}

#[test]
fn cross_actions_keys_are_in_the_hints_and_the_help() {
    let mut app = app_for(demo_store("facilitator"));
    key(&mut app, KeyCode::Char('A'));
    let text = screen(&mut app, 80, 24);
    let hints = text.lines().last().unwrap();
    assert_eq!(hints, "/ filter · o owner · ? help · q back");
    key(&mut app, KeyCode::Char('?'));
    let help = screen(&mut app, 160, 45);
    assert!(help.contains("Keys — Actions across incidents"), "{help}");
    assert!(help.contains("whose actions: a name, or everyone"), "{help}");
    assert!(help.contains("open the incident at this action"), "{help}");
}

fn add_incident(store: &Store, title: &str, start: DateTime<Utc>) -> i64 {
    store
        .create_incident(&NewIncident {
            title: title.into(),
            severity: Severity::Sev3,
            zone: "Europe/Berlin".into(),
            started_at: Some(start),
        })
        .unwrap()
}

fn add_action(store: &Store, incident: i64, title: &str, owner: &str, due: Option<NaiveDate>) -> i64 {
    let mut new = NewAction::titled(title, ActionKind::Monitoring);
    new.owner = owner.into();
    new.due = due;
    store.add_action(incident, &new).unwrap()
}

#[test]
fn owner_filter_then_enter_opens_the_incident_at_that_action() {
    let store = demo_store("facilitator");
    let dns = add_incident(
        &store,
        "DNS resolution failing",
        Utc.with_ymd_and_hms(2026, 11, 30, 8, 0, 0).unwrap(),
    );
    add_action(
        &store,
        dns,
        "Alert on resolver SERVFAIL rate",
        "Lena Fischer",
        Some(day(2026, 12, 4)),
    );
    let wanted = add_action(
        &store,
        dns,
        "Dashboard of resolver latency",
        "tomasz nowak",
        Some(day(2026, 12, 20)),
    );
    let mut app = app_for(store);

    // From the review too: A is global.
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)));
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('o'));
    clear_field(&mut app);
    keys(&mut app, "tom");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    let Screen::CrossActions(c) = &app.screen else { panic!() };
    assert_eq!(c.owner.as_deref(), Some("Tomasz Nowak"), "a part of one owner's name");
    let owners: Vec<&str> = c.rows.iter().map(|r| r.action.owner.as_str()).collect();
    assert_eq!(owners, ["Tomasz Nowak", "tomasz nowak"], "any case, by due date");

    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Enter);
    let Screen::Review(r) = &app.screen else {
        panic!("Enter opens the incident")
    };
    assert_eq!(r.incident.id, dns);
    assert_eq!(r.focus, Pane::Actions);
    assert_eq!(r.selected_action().map(|a| a.id), Some(wanted));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("▶ MON Dashboard of resolver latency"), "{text}");

    // q from the review goes home; A then q returns to where it was opened.
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('q'));
    let Screen::Review(r) = &app.screen else {
        panic!("back to the review")
    };
    assert_eq!(r.incident.id, dns);
}

#[test]
fn an_unknown_or_ambiguous_owner_is_explained_in_the_form() {
    let mut app = app_for(demo_store("facilitator"));
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('o'));
    clear_field(&mut app);
    keys(&mut app, "zed");
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).expect("the form stays open");
    assert!(
        err.starts_with("No action is owned by \"zed\". Owners: Aylin Demir"),
        "{err}"
    );
    clear_field(&mut app);
    keys(&mut app, "a");
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).expect("the form stays open");
    assert!(err.contains("type more of the name"), "{err}");
    clear_field(&mut app);
    keys(&mut app, "me");
    key(&mut app, KeyCode::Enter);
    let Screen::CrossActions(c) = &app.screen else { panic!() };
    assert_eq!(c.owner.as_deref(), Some("facilitator"));
}

// --- insights ----------------------------------------------------------------------------------

fn milestone(store: &Store, id: i64, m: Milestone, at: DateTime<Utc>) {
    let new = NewEvent {
        at,
        kind: EventKind::Observation,
        text: m.label().into(),
        milestone: Some(m),
        source: Source::Typed,
        author: None,
    };
    store.add_event(id, &new).unwrap();
}

fn confirm(store: &Store, id: i64, category: CauseCategory) {
    let causes = store.causes(id).unwrap();
    let c = causes.iter().find(|c| c.category == category).unwrap();
    store.set_cause_state(c.id, c.version, CauseState::Confirmed).unwrap();
}

/// Three incidents in October and November, with causes, durations and actions.
fn three_incidents() -> Store {
    use Milestone::*;
    use StandardCause::*;
    let store = Store::open_in_memory("facilitator").unwrap();
    let std = CauseCategory::Standard;

    let a = Utc.with_ymd_and_hms(2026, 10, 5, 10, 0, 0).unwrap();
    let id = add_incident(&store, "Checkout down", a);
    milestone(&store, id, ImpactStarted, a);
    milestone(&store, id, Detected, a + Duration::minutes(12));
    milestone(&store, id, Resolved, a + Duration::hours(2));
    confirm(&store, id, std(Overload));
    confirm(&store, id, std(ThirdParty));
    add_action(&store, id, "Rate limit retries", "Ana", Some(day(2026, 10, 20)));
    add_action(&store, id, "Alert on 5xx", "Ana", Some(day(2026, 12, 20)));

    let b = Utc.with_ymd_and_hms(2026, 10, 28, 7, 30, 0).unwrap();
    let id = add_incident(&store, "DNS outage", b);
    milestone(&store, id, ImpactStarted, b);
    milestone(&store, id, Detected, b + Duration::minutes(40));
    milestone(&store, id, Resolved, b + Duration::hours(5));
    confirm(&store, id, std(Overload));
    let dns = store.add_custom_cause(id, "DNS").unwrap();
    let c = store.cause(dns).unwrap();
    store.set_cause_state(dns, c.version, CauseState::Confirmed).unwrap();
    add_action(&store, id, "Second resolver", "Ben", Some(day(2026, 11, 15)));
    add_action(&store, id, "Runbook for DNS", "", None);

    let c = Utc.with_ymd_and_hms(2026, 11, 20, 13, 0, 0).unwrap();
    let id = add_incident(&store, "Slow search after the update", c);
    milestone(&store, id, ImpactStarted, c);
    milestone(&store, id, Detected, c + Duration::minutes(5));
    milestone(&store, id, Resolved, c + Duration::minutes(50));
    confirm(&store, id, std(SoftwareUpdate));
    let done = add_action(&store, id, "Roll back faster", "Ben", Some(day(2026, 11, 22)));
    let a = store.action(done).unwrap();
    store.set_action_status(done, a.version, ActionStatus::Done).unwrap();
    add_action(&store, id, "Canary the search index", "Cy", Some(day(2026, 12, 10)));
    store
}

#[test]
fn insights_on_three_incidents_at_80x24_and_160x45() {
    let mut app = app_for(three_incidents());
    key(&mut app, KeyCode::Char('I'));
    assert!(matches!(app.screen, Screen::Insights(_)));
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("3 incidents, all dates"), "{text}");
    assert!(text.contains("median 12m"), "time to detect:\n{text}");
    assert_snapshot!("insights_80x24", text);
    let wide = screen(&mut app, 160, 45);
    assert!(
        wide.contains("Slow search after the update"),
        "the incidents listed:\n{wide}"
    );
    assert_snapshot!("insights_160x45", wide);
    for (w, h) in [(60, 16), (100, 30), (240, 60)] {
        draw(&mut app, w, h);
    }
    let hints = text.lines().last().unwrap();
    assert_eq!(hints, "/ dates · ? help · q back");
}

#[test]
fn insights_for_a_date_range() {
    let mut app = app_for(three_incidents());
    key(&mut app, KeyCode::Char('I'));
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "2026-10-27");
    key(&mut app, KeyCode::Tab);
    keys(&mut app, "2026-11-01");
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    let Screen::Insights(i) = &app.screen else { panic!() };
    assert_eq!(i.stats.incidents, 1);
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("1 incident, 2026-10-27 to 2026-11-01"), "{text}");

    // A bad date or an upside-down range keeps the form open and says why.
    key(&mut app, KeyCode::Char('/'));
    clear_field(&mut app);
    keys(&mut app, "last week");
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).unwrap();
    assert!(err.contains("From: \"last week\" is not a date"), "{err}");
    clear_field(&mut app);
    keys(&mut app, "2026-12-01");
    key(&mut app, KeyCode::Enter);
    assert_eq!(form_error(&app).unwrap(), "From 2026-12-01 is after To 2026-11-01");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('y'));
    key(&mut app, KeyCode::Char('q'));
    assert!(matches!(app.screen, Screen::Home(_)), "q goes back home");
}

// --- text that terminals measure differently --------------------------------------------------

/// A soft hyphen pushed a timeline row's border out in tmux: unicode-width counts it one column,
/// terminals draw it in 0 or 1. Invisible format characters (Unicode Cf: the soft hyphen,
/// zero-width space and joiners, word joiner, BOM…) are cleaned away before they are stored, so
/// every cell drawn is one a terminal draws as wide as it is counted, and the row lines up.
#[test]
fn invisible_format_characters_do_not_shift_a_timeline_row() {
    let store = Store::open_in_memory("facilitator").unwrap();
    let id = add_incident(&store, "Soft hyphens", now() - Duration::hours(3));
    let texts = [
        "a plain row of text for the width",
        "soft\u{ad}hyphen zero\u{200b}width join\u{200d}er word\u{2060}joiner bom\u{feff} end",
        "another plain row",
    ];
    for (i, text) in texts.iter().enumerate() {
        let new = NewEvent {
            at: now() - Duration::hours(2) + Duration::minutes(i as i64),
            kind: EventKind::Note,
            text: text.to_string(),
            milestone: None,
            source: Source::Typed,
            author: None,
        };
        store.add_event(id, &new).unwrap();
    }
    let stored: Vec<String> = store.all_events(id).unwrap().into_iter().map(|e| e.text).collect();
    assert!(
        stored
            .iter()
            .any(|t| t == "softhyphen zerowidth joiner wordjoiner bom end"),
        "stored without them: {stored:?}"
    );
    let mut app = app_for(store);
    key(&mut app, KeyCode::Enter);
    let (w, h) = (100, 30);
    let t = draw(&mut app, w, h);
    let buf = t.backend().buffer();
    let mut rows = Vec::new();
    for y in 0..h {
        let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
        for x in 0..w {
            let sym = buf[(x, y)].symbol();
            assert!(
                sym.chars().all(|c| !sanitize::is_invisible_format(c)),
                "cell ({x},{y}) holds {sym:?}: {line}"
            );
        }
        if line.contains("softhyphen") || line.contains("a plain row") {
            rows.push(line);
        }
    }
    assert_eq!(rows.len(), 2, "{rows:?}");
    let border = |l: &str| {
        l.chars()
            .collect::<Vec<_>>()
            .iter()
            .rposition(|c| matches!(c, '│' | '┃'))
    };
    assert!(border(&rows[0]).is_some(), "{rows:?}");
    assert_eq!(
        border(&rows[0]),
        border(&rows[1]),
        "the row lines up:\n{}\n{}",
        rows[0],
        rows[1]
    );
}

// --- export ------------------------------------------------------------------------------------

/// Opens the export form in the review, with the path field emptied.
fn export_form(app: &mut App) {
    if matches!(app.screen, Screen::Home(_)) {
        key(app, KeyCode::Enter);
    }
    key(app, KeyCode::Char('x'));
    key(app, KeyCode::Tab);
    clear_field(app);
}

#[test]
fn x_exports_markdown_to_the_path_given() {
    let mut app = app_for(demo_store("facilitator"));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('x'));
    let form = screen(&mut app, 80, 24);
    assert!(
        form.contains("./checkout-payments-failing-payfast-503s-and-a-retry-storm.md"),
        "a default path from the title:\n{form}"
    );
    assert_snapshot!("export_form_80x24", form);
    key(&mut app, KeyCode::Esc);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review.md");
    export_form(&mut app);
    keys(&mut app, &path.display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("# "), "{}", &text[..40.min(text.len())]);
    assert_eq!(text, sanitize::clean(&text), "no control characters");
    let flash = app.flash.clone().unwrap();
    assert_eq!(flash, Flash::Info(format!("Exported to {}", path.display())));

    // JSON, by choosing the format.
    let json = dir.path().join("review.json");
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Tab);
    clear_field(&mut app);
    keys(&mut app, &json.display().to_string());
    key(&mut app, KeyCode::Enter);
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(value["incident"]["severity"], "sev1");
}

#[test]
fn export_to_an_existing_file_asks_first() {
    let mut app = app_for(demo_store("facilitator"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("postmortem.md");
    std::fs::write(&path, "mine, keep me").unwrap();
    export_form(&mut app);
    keys(&mut app, &path.display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Confirm(..))), "asks first");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("postmortem.md exists. Replace it?"), "{text}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine, keep me");

    // No: back in the form, nothing written.
    key(&mut app, KeyCode::Char('n'));
    assert!(matches!(app.popups.last(), Some(Popup::Form(_))), "back to the form");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine, keep me");

    // Yes: replaced, the form closes.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty());
    assert!(std::fs::read_to_string(&path).unwrap().starts_with("# "));
}

#[test]
fn export_into_a_missing_directory_shows_the_error_and_writes_nothing() {
    let mut app = app_for(demo_store("facilitator"));
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/dir");
    export_form(&mut app);
    keys(&mut app, &missing.join("x.md").display().to_string());
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).expect("the form stays open with the error");
    assert_eq!(
        err,
        format!(
            "the directory {} does not exist; nothing was written",
            missing.display()
        )
    );
    let text = screen(&mut app, 120, 30);
    assert!(text.contains("does not exist"), "{text}");
    assert!(!missing.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing written");

    // A directory as the path.
    clear_field(&mut app);
    keys(&mut app, &dir.path().display().to_string());
    key(&mut app, KeyCode::Enter);
    assert!(form_error(&app).unwrap().ends_with("is a directory; add a file name"));
}

/// The console's `x` goes through the same check as `export -o`: a FIFO is refused in the form,
/// and a link to a regular file is written through (after asking, as for any existing file).
#[test]
fn export_to_a_fifo_is_refused_and_a_link_is_written_through() {
    use std::os::unix::fs::FileTypeExt;
    let mut app = app_for(demo_store("facilitator"));
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    export_form(&mut app);
    keys(&mut app, &fifo.display().to_string());
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).expect("the form stays open with the error");
    assert_eq!(
        err,
        format!(
            "{} is a named pipe (FIFO), not a regular file; nothing was written",
            fifo.display()
        )
    );
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());

    let real = dir.path().join("real.md");
    std::fs::write(&real, "old").unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    clear_field(&mut app);
    keys(&mut app, &link.display().to_string());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty(), "{:?}", form_error(&app));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().starts_with("# "));
}

#[test]
fn export_into_a_read_only_directory_shows_the_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anyway; then there is nothing to show.
    if std::fs::write(dir.path().join("probe"), "").is_ok() {
        return;
    }
    let mut app = app_for(demo_store("facilitator"));
    export_form(&mut app);
    let path = dir.path().join("x.md");
    keys(&mut app, &path.display().to_string());
    key(&mut app, KeyCode::Enter);
    let err = form_error(&app).expect("the form stays open with the error");
    assert!(err.contains("permission denied"), "{err}");
    assert!(!path.exists());
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn mono_theme_draws_the_new_screens_without_colour() {
    let no_colour = |app: &mut App| {
        let t = draw(app, 80, 24);
        let buf = t.backend().buffer();
        for y in 0..24 {
            for x in 0..80 {
                let cell = &buf[(x, y)];
                assert!(
                    matches!(
                        (cell.fg, cell.bg),
                        (ratatui::style::Color::Reset, ratatui::style::Color::Reset)
                    ),
                    "colour at {x},{y}"
                );
            }
        }
    };
    let mut app = app_for(demo_store("facilitator"));
    app.theme = Theme::mono();
    key(&mut app, KeyCode::Char('A'));
    key(&mut app, KeyCode::Char('o'));
    clear_field(&mut app);
    key(&mut app, KeyCode::Enter);
    no_colour(&mut app);
    let mut app = app_for(three_incidents());
    app.theme = Theme::mono();
    key(&mut app, KeyCode::Char('I'));
    no_colour(&mut app);
}

/// An incident at the very end of the calendar (impact at 9999-12-31T23:59:59Z, a milestone
/// after it): the review, insights and meeting screens draw, where `debrief open` used to exit
/// 101 ("DateTime + TimeDelta overflowed") every time; a stored meeting step count no Duration
/// can hold draws too.
#[test]
fn the_end_of_the_calendar_and_absurd_meeting_times_draw_without_panic() {
    use Milestone::*;
    let store = Store::open_in_memory("facilitator").unwrap();
    let end = Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap();
    let id = add_incident(&store, "Y10K", end);
    milestone(&store, id, ImpactStarted, end);
    milestone(&store, id, Detected, end + Duration::milliseconds(500));
    // What `+250000y` from the selected event used to store: the last instant chrono knows.
    // The store refuses it now; a database written before may still hold it.
    let beyond = NewEvent {
        at: DateTime::<Utc>::MAX_UTC,
        kind: EventKind::Note,
        text: "far future".into(),
        milestone: None,
        source: Source::Typed,
        author: None,
    };
    let err = store.add_event(id, &beyond).unwrap_err().to_string();
    assert!(
        err.contains("is out of range (debrief stores the years 1 to 9999)"),
        "{err}"
    );
    store
        .connection()
        .execute(
            "UPDATE events SET at = ? WHERE incident_id = ? AND milestone = 'impact_started'",
            rusqlite::params![DateTime::<Utc>::MAX_UTC.timestamp_millis(), id],
        )
        .unwrap();
    store
        .connection()
        .execute(
            "INSERT INTO meetings (incident_id, step, step_seconds) VALUES (?, 'document', '[9223372036854775807,-9223372036854775808,10000000000000000,0]')",
            [id],
        )
        .unwrap();
    let mut app = app_for(store);
    // Insights (from home) add up durations across incidents.
    screen(&mut app, 120, 30);
    keys(&mut app, "I");
    let text = screen(&mut app, 120, 30);
    assert!(matches!(app.screen, Screen::Insights(_)), "{text}");
    app.open_incident(id).unwrap();
    for (w, h) in [(80, 24), (160, 40)] {
        let text = screen(&mut app, w, h);
        assert!(text.contains("Y10K"), "{text}");
    }
    // Meeting mode: the agenda bar adds up the stored step times (saturating).
    keys(&mut app, "M");
    let text = screen(&mut app, 120, 30);
    assert!(text.contains("Wrap-up"), "{text}");
}
