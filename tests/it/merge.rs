//! Two consoles on one file editing one item (#17 section 4): a save merges changes to
//! different fields without asking, asks only about the fields both changed (labelled, with
//! theirs and mine), "edit mine again" keeps their other changes, and an open form says when
//! someone else saved its item.

use crate::support::console::{app_on, ctrl, key, keys, screen, type_text};
use chrono::NaiveDate;
use debrief::model::{CauseState, EventKind, Severity};
use debrief::store::Store;
use debrief::tui::app::{App, Popup, Screen};
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

/// The demo incident on a file, open in ana's review, and ben's store on the same file.
fn two_on_one_file(dir: &tempfile::TempDir) -> (App, Store) {
    let path = dir.path().join("t.db");
    let store = Store::open(&path, "ana").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)));
    (app, Store::open(&path, "ben").unwrap())
}

fn review(app: &App) -> &debrief::tui::screens::review::ReviewState {
    let Screen::Review(r) = &app.screen else {
        panic!("not in the review")
    };
    r
}

fn top_form(app: &App) -> &debrief::tui::widgets::form::Form<debrief::tui::app::Purpose> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f,
        _ => panic!("no form on top"),
    }
}

fn asks(app: &App) -> bool {
    matches!(app.popups.last(), Some(Popup::Conflict { .. }))
}

/// The field labels the conflict chooser on top asks about.
fn asked_fields(app: &App) -> Vec<&'static str> {
    match app.popups.last() {
        Some(Popup::Conflict { clash: Some(c), .. }) => c.fields.iter().map(|f| f.label).collect(),
        _ => panic!("no field chooser on top"),
    }
}

/// The screen with the clock time of "ben saved this … 10:07" put as HH:MM (the history's
/// stamp is the machine's clock).
fn without_time(text: String) -> String {
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("saved this ") {
        let (head, tail) = rest.split_at(i);
        out.push_str(head);
        let word_end = tail["saved this ".len()..]
            .find(' ')
            .map_or(tail.len(), |j| j + "saved this ".len() + 1);
        out.push_str(&tail[..word_end]);
        let after = &tail[word_end..];
        if after.len() >= 5 && after.as_bytes()[2] == b':' {
            out.push_str("HH:MM");
            rest = &after[5..];
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

#[test]
fn edits_of_different_fields_merge_for_event_cause_incident_and_action() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);

    // An event: I change its text while ben changes its kind.
    keys(&mut app, "1g");
    let e = review(&app).timeline.selected_event().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    for _ in 0..3 {
        key(&mut app, KeyCode::Tab);
    }
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine: paged the DBA");
    let mut theirs = ben.event(e.id).unwrap();
    theirs.kind = if e.kind == EventKind::Observation {
        EventKind::Note
    } else {
        EventKind::Observation
    };
    ben.update_event(&theirs).unwrap();
    ctrl(&mut app, 's');
    assert!(app.popups.is_empty(), "no question: {}", screen(&mut app, 80, 24));
    let now = app.store.event(e.id).unwrap();
    assert!(now.text.ends_with("Mine: paged the DBA"), "{}", now.text);
    assert_eq!(now.kind, theirs.kind, "their kind stays");
    assert!(screen(&mut app, 80, 24).contains("both kept"));

    // A cause: I write its notes while ben confirms it.
    keys(&mut app, "2");
    let c = review(&app).selected_cause().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    type_text(&mut app, " Mine too.");
    let state = if c.state == CauseState::RuledOut {
        CauseState::Suspected
    } else {
        CauseState::RuledOut
    };
    ben.set_cause_state(c.id, c.version, state).unwrap();
    ctrl(&mut app, 's');
    assert!(app.popups.is_empty(), "no question: {}", screen(&mut app, 80, 24));
    let now = app.store.cause(c.id).unwrap();
    assert!(now.notes.ends_with("Mine too."), "{}", now.notes);
    assert_eq!(now.state, state, "their state stays");

    // The incident: I retitle it while ben changes its severity.
    let i = review(&app).incident.clone();
    key(&mut app, KeyCode::Char('E'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Checkout down (mine)");
    let mut theirs = ben.incident(i.id).unwrap();
    theirs.severity = if i.severity == Severity::Sev1 {
        Severity::Sev2
    } else {
        Severity::Sev1
    };
    ben.update_incident(&theirs).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "no question: {}", screen(&mut app, 80, 24));
    let now = app.store.incident(i.id).unwrap();
    assert_eq!(now.title, "Checkout down (mine)");
    assert_eq!(now.severity, theirs.severity, "their severity stays");

    // An action: I retitle it while ben moves the due date.
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine");
    let mut theirs = ben.action(a.id).unwrap();
    theirs.due = NaiveDate::from_ymd_opt(2027, 3, 1);
    ben.update_action(&theirs).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "no question: {}", screen(&mut app, 80, 24));
    let now = app.store.action(a.id).unwrap();
    assert_eq!((now.title.as_str(), now.due), ("Mine", theirs.due));
}

/// Ana changes an action's title and owner; ben its title and due date. Ana's save asks about
/// the title only.
fn both_change_the_title(app: &mut App, ben: &Store) -> debrief::model::Action {
    keys(app, "3");
    let a = review(app).selected_action().unwrap().clone();
    key(app, KeyCode::Char('e'));
    ctrl(app, 'u');
    type_text(app, "Cap HPA max at 30 and alert on it");
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    ctrl(app, 'u');
    type_text(app, "Priya");
    let mut theirs = ben.action(a.id).unwrap();
    theirs.title = "Cap HPA max at 40".into();
    theirs.due = NaiveDate::from_ymd_opt(2027, 3, 1);
    ben.update_action(&theirs).unwrap();
    key(app, KeyCode::Enter);
    a
}

#[test]
fn a_field_both_changed_asks_about_that_field_only() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    let a = both_change_the_title(&mut app, &ben);
    assert!(asks(&app), "{}", screen(&mut app, 80, 24));
    assert_eq!(asked_fields(&app), vec!["Title"], "only the field both changed");
    let stored = app.store.action(a.id).unwrap();
    assert_eq!(
        (stored.title.as_str(), stored.owner.as_str()),
        ("Cap HPA max at 40", a.owner.as_str()),
        "nothing of mine saved before the choice"
    );
    let dir = dir.path().display().to_string();
    let shown = |app: &mut App, w, h| without_time(screen(app, w, h)).replace(&dir, "DIR");
    insta::assert_snapshot!("clash_80x24", shown(&mut app, 80, 24));
    insta::assert_snapshot!("clash_160x45", shown(&mut app, 160, 45));

    // Theirs for the title (space), then save: my owner and their due date stand as well.
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty());
    let now = app.store.action(a.id).unwrap();
    assert_eq!(now.title, "Cap HPA max at 40");
    assert_eq!(now.owner, "Priya");
    assert_eq!(now.due, NaiveDate::from_ymd_opt(2027, 3, 1));
    assert!(screen(&mut app, 80, 24).contains("Kept theirs for Title"));
}

#[test]
fn all_mine_and_all_theirs_keep_the_other_fields_merged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    let a = both_change_the_title(&mut app, &ben);
    key(&mut app, KeyCode::Char('m'));
    let now = app.store.action(a.id).unwrap();
    assert_eq!(
        (now.title.as_str(), now.owner.as_str(), now.due),
        (
            "Cap HPA max at 30 and alert on it",
            "Priya",
            NaiveDate::from_ymd_opt(2027, 3, 1)
        )
    );

    let a = both_change_the_title(&mut app, &ben);
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty());
    let now = app.store.action(a.id).unwrap();
    assert_eq!(
        (now.title.as_str(), now.owner.as_str()),
        ("Cap HPA max at 40", "Priya"),
        "theirs for the title; my owner is saved"
    );
}

#[test]
fn edit_mine_again_is_on_what_is_stored_and_checks_again_when_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    let a = both_change_the_title(&mut app, &ben);
    key(&mut app, KeyCode::Char('e'));
    let form = top_form(&app);
    assert_eq!(form.value("Title"), "Cap HPA max at 30 and alert on it", "mine");
    assert_eq!(form.value("Owner"), "Priya", "mine");
    assert_eq!(
        form.value("Due"),
        "2027-03-01",
        "their due date, not the one I opened on"
    );
    assert!(screen(&mut app, 80, 24).contains("ben saved this action"));

    // Ben saves again while the form is open: it says so, and saving asks again.
    let mut theirs = ben.action(a.id).unwrap();
    theirs.title = "Cap HPA max at 50".into();
    ben.update_action(&theirs).unwrap();
    app.tick();
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("ben saved this action") && text.contains("saving will merge"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    assert_eq!(asked_fields(&app), vec!["Title"]);
    assert_eq!(
        app.store.action(a.id).unwrap().title,
        "Cap HPA max at 50",
        "not overwritten"
    );
    key(&mut app, KeyCode::Char('m'));
    let now = app.store.action(a.id).unwrap();
    assert_eq!(now.title, "Cap HPA max at 30 and alert on it");
    assert_eq!(now.owner, "Priya");
    assert_eq!(
        now.due,
        NaiveDate::from_ymd_opt(2027, 3, 1),
        "their due date was never put back"
    );
}

#[test]
fn an_open_form_says_when_someone_else_saved_its_item() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    app.tick();
    assert!(
        !screen(&mut app, 80, 24).contains("saving will merge"),
        "nobody saved yet"
    );
    let mut theirs = ben.action(a.id).unwrap();
    theirs.ticket = "OPS-1".into();
    ben.update_action(&theirs).unwrap();
    app.tick();
    let text = without_time(screen(&mut app, 80, 24));
    assert!(
        text.contains("ben saved this action HH:MM — saving will merge"),
        "{text}"
    );
    // Saved without my own changes, theirs stays.
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.store.action(a.id).unwrap().ticket, "OPS-1");
}

/// Two real consoles on one database in ptys: bob moves the due date while alice's form is
/// open on the same action; her form says so, and her save of the title keeps his date.
#[test]
fn two_real_consoles_merge_an_action_edited_in_both() {
    use crate::support::pty::{Console, Workspace};
    let ws = Workspace::new();
    ws.run_ok("setup", &["new", "Payments", "outage", "--zone", "Europe/Berlin"]);
    ws.run_ok(
        "setup",
        &[
            "action",
            "add",
            "1",
            "Cap",
            "retries",
            "--owner",
            "ana",
            "--due",
            "2027-01-04",
        ],
    );
    let mut alice = Console::spawn(ws.debrief("alice", &["open", "1"]));
    let mut bob = Console::spawn(ws.debrief("bob", &["open", "1"]));
    for c in [&mut alice, &mut bob] {
        c.wait_for("#1 Payments outage");
        c.send("3");
        c.wait_for("Cap retries");
        c.send("e");
        c.wait_for("Edit action");
    }
    // Bob: Title, Kind, Owner, Role, Due; a new date, saved.
    bob.send("\t\t\t\t\x152027-03-01\r");
    bob.wait_until("bob's form closed", |s| !s.contains("Edit action"));
    alice.wait_for("bob saved this action");
    alice.wait_for("saving will merge");
    // Alice: a new title, saved over her form as it opened.
    alice.send("\x15Cap retries at 3\r");
    alice.wait_for("both kept");
    let store = Store::open(&ws.db, "check").unwrap();
    let a = &store.actions(1).unwrap()[0];
    assert_eq!(a.title, "Cap retries at 3");
    assert_eq!(a.due, NaiveDate::from_ymd_opt(2027, 3, 1), "bob's date stays");
    assert_eq!(a.owner, "ana");
}

/// Three fields of the incident both changed, one a long summary: each labelled with both
/// values at 80x24, the chosen side checked, the list scrolled to the field being chosen.
#[test]
fn the_chooser_labels_each_field_both_changed_at_80x24() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    let i = review(&app).incident.clone();
    key(&mut app, KeyCode::Char('E'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Checkout down: PayFast and our retries");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Right);
    // Summary: the ninth field (Title, Severity, Status, Zone, Root cause, Root cause in, Trigger,
    // Trigger in, Summary).
    for _ in 0..7 {
        key(&mut app, KeyCode::Tab);
    }
    type_text(&mut app, " Mine: the retries tripled the load.");
    let mut theirs = ben.incident(i.id).unwrap();
    theirs.title = "Checkout payments failing for an hour".into();
    theirs.severity = Severity::Sev3;
    theirs.summary = format!("{} Theirs: PayFast has sent its RCA.", theirs.summary);
    ben.update_incident(&theirs).unwrap();
    ctrl(&mut app, 's');
    assert_eq!(asked_fields(&app), vec!["Title", "Severity", "Summary"]);
    let dir = dir.path().display().to_string();
    let shown = |app: &mut App| without_time(screen(app, 80, 24)).replace(&dir, "DIR");
    insta::assert_snapshot!("clash_three_fields_80x24", shown(&mut app));
    // Any size draws without a panic.
    for w in [1, 8, 20, 33, 50, 81] {
        for h in [1, 3, 7, 12, 17] {
            screen(&mut app, w, h);
        }
    }
    // Down to the summary, theirs for it; the rest stays mine.
    keys(&mut app, "jj ");
    insta::assert_snapshot!("clash_three_fields_summary_80x24", shown(&mut app));
    key(&mut app, KeyCode::Enter);
    let now = app.store.incident(i.id).unwrap();
    assert_eq!(now.title, "Checkout down: PayFast and our retries");
    assert_ne!(now.severity, Severity::Sev3);
    assert!(
        now.summary.ends_with("Theirs: PayFast has sent its RCA."),
        "{}",
        now.summary
    );
}

/// The row of the frame that holds `text`, and the style of its first character.
fn row_style(app: &mut App, w: u16, h: u16, text: &str) -> (String, ratatui::style::Style) {
    let t = crate::support::console::draw(app, w, h);
    let buf = t.backend().buffer();
    for y in 0..h {
        let row: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
        if let Some(i) = row.find(text) {
            let x = row[..i].chars().count() as u16;
            return (row, buf[(x, y)].style());
        }
    }
    panic!("{text:?} not on screen:\n{}", screen(app, w, h));
}

/// "Edit mine again" says what happened as information, not as an error, and leaves the
/// form's keys in sight.
#[test]
fn edit_mine_again_says_so_as_information() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, ben) = two_on_one_file(&dir);
    both_change_the_title(&mut app, &ben);
    key(&mut app, KeyCode::Char('e'));
    let form = top_form(&app);
    assert_eq!(form.error, None, "nothing went wrong");
    let theme = Theme::mono();
    let (_, style) = row_style(&mut app, 80, 24, "your changes are on it");
    let looks = |s: ratatui::style::Style| (s.fg.unwrap_or_default(), s.add_modifier);
    assert_eq!(looks(style), looks(theme.ok), "the info style");
    assert_ne!(looks(style), looks(theme.error));
    let text = screen(&mut app, 80, 24);
    let bar = text.lines().rev().find(|l| l.contains("Esc")).unwrap_or_default();
    assert!(bar.contains("Enter save"), "the form's keys stay in sight:\n{text}");
    insta::assert_snapshot!(
        "edit_mine_again_80x24",
        without_time(text).replace(&dir.path().display().to_string(), "DIR")
    );
}

/// A meeting's note is one text: its chooser shows both whole, and keeping theirs (t, Esc)
/// throws mine away; the chooser, the help and the flash say so.
#[test]
fn a_meeting_note_s_chooser_says_that_keeping_theirs_throws_mine_away() {
    let dir = tempfile::tempdir().unwrap();
    // The demo before its review: M starts meeting 1.
    let path = dir.path().join("t.db");
    let store = Store::open(&path, "ana").unwrap();
    store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    let ben = Store::open(&path, "ben").unwrap();
    let id = review(&app).incident.id;
    keys(&mut app, "M]w");
    type_text(&mut app, "Priya leads; we meet at 09:30");
    let mut theirs = ben.meeting(id).unwrap();
    theirs.agreement = "Tomasz leads".into();
    ben.update_meeting(&theirs).unwrap();
    crate::support::console::draw(&mut app, 80, 24);
    ctrl(&mut app, 's');
    assert!(
        matches!(app.popups.last(), Some(Popup::Conflict { clash: None, .. })),
        "{:?}",
        app.flash
    );
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("throw mine away"), "{text}");
    assert!(!text.contains("rest of mine"), "{text}");
    insta::assert_snapshot!(
        "meeting_note_conflict_80x24",
        text.replace(&dir.path().display().to_string(), "DIR")
    );
    // Any size draws without a panic; narrow, the keys still fit in the frame.
    for w in [1, 8, 20, 33, 50] {
        for h in [1, 3, 7, 12] {
            screen(&mut app, w, h);
        }
    }
    let narrow = screen(&mut app, 60, 16);
    assert!(narrow.contains(" e  edit mine again"), "{narrow}");
    key(&mut app, KeyCode::F(1));
    let help = screen(&mut app, 80, 24);
    let row = help.lines().find(|l| l.contains("t, Esc")).unwrap_or_default();
    assert!(
        row.contains("theirs where both changed (meeting items: asks first)"),
        "the whole of it at 80x24:\n{help}"
    );
    key(&mut app, KeyCode::Esc);
    assert!(matches!(app.popups.last(), Some(Popup::Conflict { .. })), "help closed");
    // Only mine, theirs or edit again: the key bar offers no field to choose or save.
    let bar = screen(&mut app, 160, 45);
    let bar = bar.lines().last().unwrap_or_default();
    assert!(!bar.contains("mine/theirs") && !bar.contains("save"), "{bar}");
    assert!(bar.contains("all mine") && bar.contains("all theirs"), "{bar}");
    // Keeping theirs throws mine away: not on one key (Esc among them). "No" goes back.
    key(&mut app, KeyCode::Esc);
    assert!(
        screen(&mut app, 80, 24).contains("Keep their working agreement and throw yours away?"),
        "asked first"
    );
    keys(&mut app, "n");
    assert!(matches!(app.popups.last(), Some(Popup::Conflict { clash: None, .. })));
    assert_eq!(app.store.meeting(id).unwrap().agreement, "Tomasz leads");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "y");
    assert!(app.popups.is_empty());
    assert_eq!(app.store.meeting(id).unwrap().agreement, "Tomasz leads");
    let said = app.flash.as_ref().map(|f| f.text().to_string()).unwrap_or_default();
    assert_eq!(said, "Kept their working agreement; yours was thrown away.");
}
