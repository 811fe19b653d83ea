//! A forgiving console (#17 section 4): Esc asks before throwing typing away, readline keys
//! in fields, the evidence picker's boxes, the export path, the import path's completion,
//! undo, what history says changed, and merging two consoles' edits of one item.

use crate::support::console::{app_on, ctrl, key, keys, screen, type_text};
use debrief::store::Store;
use debrief::tui::app::{App, Popup, Screen};
use debrief::tui::theme::Theme;
use ratatui::crossterm::event::KeyCode;

/// The demo incident open in the review, on a store in memory.
fn demo() -> App {
    let store = Store::open_in_memory("facilitator").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.screen, Screen::Review(_)));
    app
}

/// The demo incident open in the review, on a database file (for a second connection).
fn demo_on_file() -> (tempfile::TempDir, std::path::PathBuf, App) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path, "ana").unwrap();
    store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    (dir, path, app)
}

fn top_form(app: &App) -> &debrief::tui::widgets::form::Form<debrief::tui::app::Purpose> {
    match app.popups.last() {
        Some(Popup::Form(f)) => f,
        _ => panic!("no form on top"),
    }
}

fn top_is_question(app: &App) -> bool {
    matches!(app.popups.last(), Some(Popup::Confirm(..)))
}

#[test]
fn esc_on_a_changed_form_asks_before_discarding() {
    let mut app = demo();
    // Unchanged: Esc closes at once.
    keys(&mut app, "3a");
    top_form(&app);
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "an untouched form closes on Esc");

    // Changed: Esc asks; "no" (here Esc again) goes back to the form with the text kept.
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "Cap retries");
    key(&mut app, KeyCode::Esc);
    assert!(top_is_question(&app), "a changed form asks before closing");
    assert!(screen(&mut app, 80, 24).contains("Discard your changes"));
    key(&mut app, KeyCode::Esc);
    assert_eq!(
        top_form(&app).value("Title"),
        "Cap retries",
        "no: back to the form as typed"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(top_form(&app).value("Title"), "Cap retries");
    // Yes: the form closes and nothing was saved.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('y'));
    assert!(app.popups.is_empty(), "yes discards the form");
    let Screen::Review(r) = &app.screen else { panic!() };
    assert!(!r.actions.iter().any(|a| a.title == "Cap retries"));

    // Typed and deleted again: nothing to lose, Esc closes.
    key(&mut app, KeyCode::Char('a'));
    type_text(&mut app, "x");
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "back to the values it opened with: no question");
    let _ = ctrl;
}

#[test]
fn readline_keys_through_the_key_map_and_markers_at_80x24() {
    let mut app = demo();
    key(&mut app, KeyCode::Char('E'));
    type_text(&mut app, " in eu-west-1 during the Black Friday peak");
    let title = top_form(&app).value("Title");
    // The title field at 80x24 shows its end with a marker that text is hidden to the left.
    let text = screen(&mut app, 80, 24);
    let row = text.lines().find(|l| l.contains("Title")).unwrap().to_string();
    assert!(row.contains('‹'), "{row}");
    assert!(row.contains(title.split(' ').next_back().unwrap()), "{row}");
    ctrl(&mut app, 'w');
    let shorter = top_form(&app).value("Title");
    assert!(title.starts_with(&shorter) && shorter.len() < title.len(), "{shorter}");
    ctrl(&mut app, 'u');
    assert_eq!(top_form(&app).value("Title"), "", "Ctrl-U erases to the start");
    type_text(&mut app, "Checkout down");
    ctrl(&mut app, 'a');
    let row = screen(&mut app, 80, 24);
    let row = row.lines().find(|l| l.contains("Title")).unwrap();
    assert!(!row.contains('‹') && !row.contains('›'), "all of it in sight: {row}");
}

#[test]
fn a_notes_form_and_the_bar_say_the_same_about_enter() {
    let mut app = demo();
    // The cause's notes: a multi-line field.
    keys(&mut app, "2e");
    let text = screen(&mut app, 80, 24);
    let bar = text.lines().last().unwrap();
    assert!(bar.contains("C-s save") && bar.contains("Enter new line"), "{bar}");
    assert!(!text.contains("Enter confirm"), "{text}");
    assert_eq!(
        text.matches("Enter new line").count(),
        2,
        "the form's footer and the bar agree:\n{text}"
    );
}

fn evidence_of(app: &App, event: i64) -> Vec<i64> {
    app.store.causes_of_event(event).unwrap()
}

fn selected_event(app: &App) -> i64 {
    let Screen::Review(r) = &app.screen else { panic!() };
    r.timeline.selected_event().unwrap().id
}

#[test]
fn the_evidence_picker_checks_with_space_and_saves_with_enter() {
    let mut app = demo();
    keys(&mut app, "1g");
    let event = selected_event(&app);
    let before = evidence_of(&app, event);
    key(&mut app, KeyCode::Char('l'));
    let text = screen(&mut app, 80, 24);
    assert!(
        text.contains("[ ]") && text.contains("Space check/uncheck · Enter done"),
        "{text}"
    );
    // Space flips two causes' boxes; the menu stays open and nothing is written yet.
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!()
    };
    let (at, checks) = (m.selected, m.checks.clone().unwrap());
    assert_eq!(checks.iter().filter(|c| **c).count(), before.len());
    let flipped = |c: bool| if c { -1 } else { 1 };
    let want = before.len() as i64 + flipped(checks[at]) + flipped(checks[at + 1]);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(' '));
    assert!(
        matches!(app.popups.last(), Some(Popup::Menu(_))),
        "Space does not close"
    );
    assert_eq!(evidence_of(&app, event), before, "nothing saved before Enter");
    let Some(Popup::Menu(m)) = app.popups.last() else {
        panic!()
    };
    assert_eq!(m.checks.as_ref().unwrap()[at], !checks[at]);
    assert_eq!(m.checks.as_ref().unwrap()[at + 1], !checks[at + 1]);
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "Enter confirms and closes");
    let after = evidence_of(&app, event);
    assert_eq!(after.len() as i64, want, "{before:?} → {after:?}");
    // Esc closes and changes nothing.
    key(&mut app, KeyCode::Char('l'));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Esc);
    assert_eq!(evidence_of(&app, event), after);
}

#[test]
fn the_export_path_follows_the_format_unless_typed() {
    let mut app = demo();
    key(&mut app, KeyCode::Char('x'));
    let path = top_form(&app).value("Path");
    assert!(path.ends_with(".md"), "{path}");
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Format"), "json");
    assert_eq!(top_form(&app).value("Path"), path.replace(".md", ".json"));
    assert!(screen(&mut app, 80, 24).contains(".json"));
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Path"), path.replace(".md", ".csv"));
    // A path of one's own stays.
    key(&mut app, KeyCode::Tab);
    ctrl(&mut app, 'u');
    type_text(&mut app, "/tmp/mine.md");
    key(&mut app, KeyCode::BackTab);
    key(&mut app, KeyCode::Right);
    assert_eq!(top_form(&app).value("Path"), "/tmp/mine.md");
}

fn review(app: &App) -> &debrief::tui::screens::review::ReviewState {
    let Screen::Review(r) = &app.screen else {
        panic!("not in the review")
    };
    r
}

/// Moves the timeline's selection to the event `id` with j.
fn select_event(app: &mut App, id: i64) {
    keys(app, "1g");
    for _ in 0..60 {
        if selected_event(app) == id {
            return;
        }
        key(app, KeyCode::Char('j'));
    }
    panic!("event {id} not reached");
}

#[test]
fn undo_brings_back_a_deleted_event_with_its_evidence_links() {
    let mut app = demo();
    let evidence = review(&app)
        .causes
        .iter()
        .find(|c| !c.evidence.is_empty())
        .unwrap()
        .evidence[0];
    let event = app.store.event(evidence).unwrap();
    let causes = app.store.causes_of_event(event.id).unwrap();
    let count = app.store.all_events(event.incident_id).unwrap().len();
    select_event(&mut app, event.id);
    keys(&mut app, "dy");
    assert!(app.store.event(event.id).is_err(), "deleted");
    ctrl(&mut app, 'z');
    let events = app.store.all_events(event.incident_id).unwrap();
    assert_eq!(events.len(), count, "{}", screen(&mut app, 80, 24));
    let back = events
        .iter()
        .find(|e| e.text == event.text && e.at == event.at)
        .unwrap();
    assert_eq!(back.milestone, event.milestone);
    assert_eq!(back.author, event.author);
    let mut linked = app.store.causes_of_event(back.id).unwrap();
    linked.sort();
    let mut want = causes.clone();
    want.sort();
    assert_eq!(linked, want, "its evidence links are back");
    assert!(screen(&mut app, 80, 24).contains("Undone"));
    ctrl(&mut app, 'z');
    assert!(screen(&mut app, 80, 24).contains("Nothing to undo"));
}

#[test]
fn undo_brings_back_a_deleted_cause_and_action_and_reverts_an_edit() {
    let mut app = demo();
    // A custom cause with a note and evidence, deleted and brought back.
    let incident = review(&app).incident.id;
    let id = app.store.add_custom_cause(incident, "DNS").unwrap();
    let c = app.store.cause(id).unwrap();
    let c = app.store.set_cause_notes(id, c.version, "resolver timeouts").unwrap();
    let c = app
        .store
        .set_cause_state(id, c.version, debrief::model::CauseState::Suspected)
        .unwrap();
    let ev = app.store.all_events(incident).unwrap()[0].id;
    app.store.toggle_evidence(id, ev).unwrap();
    let _ = c;
    app.reload();
    keys(&mut app, "2G");
    assert_eq!(review(&app).selected_cause().unwrap().id, id);
    keys(&mut app, "dy");
    assert!(app.store.cause(id).is_err());
    ctrl(&mut app, 'z');
    let back = app
        .store
        .causes(incident)
        .unwrap()
        .into_iter()
        .find(|c| c.category.label() == "DNS")
        .unwrap();
    assert_eq!(back.notes, "resolver timeouts");
    assert_eq!(back.state, debrief::model::CauseState::Suspected);
    assert_eq!(back.evidence, vec![ev]);

    // An action deleted and brought back with its status and owner.
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    keys(&mut app, "dy");
    assert!(app.store.action(a.id).is_err());
    ctrl(&mut app, 'z');
    let back = app
        .store
        .actions(incident)
        .unwrap()
        .into_iter()
        .find(|x| x.title == a.title)
        .unwrap();
    assert_eq!(
        (back.status, &back.owner, back.due, back.kind),
        (a.status, &a.owner, a.due, a.kind)
    );

    // An edit of its title taken back.
    app.reload();
    let sel = review(&app).selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Renamed");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.store.action(sel.id).unwrap().title, "Renamed");
    ctrl(&mut app, 'z');
    assert_eq!(app.store.action(sel.id).unwrap().title, sel.title);
}

#[test]
fn undo_never_overwrites_someone_elses_later_change() {
    let (_dir, path, mut app) = demo_on_file();
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine");
    key(&mut app, KeyCode::Enter);
    // Another console changes it after me.
    let other = Store::open(&path, "ben").unwrap();
    let mut theirs = other.action(a.id).unwrap();
    theirs.title = "Theirs".into();
    other.update_action(&theirs).unwrap();
    ctrl(&mut app, 'z');
    assert_eq!(app.store.action(a.id).unwrap().title, "Theirs", "their change stays");
    assert!(screen(&mut app, 80, 24).contains("Not undone"));
}

#[test]
fn history_says_what_changed_before_and_after() {
    let mut app = demo();
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Cap retries at 3");
    key(&mut app, KeyCode::Enter);
    let h = app.store.history(a.incident_id, None).unwrap();
    let last = h
        .iter()
        .rev()
        .find(|h| h.op == "update" && h.entity == "action")
        .unwrap();
    assert_eq!(
        last.detail,
        format!("Cap retries at 3 — title: \"{}\" → \"Cap retries at 3\"", a.title),
        "only the changed field, before and after"
    );
    // The console's history (H) shows it.
    key(&mut app, KeyCode::Char('H'));
    let text = screen(&mut app, 160, 45);
    assert!(text.contains("→ \"Cap retries at 3\""), "{text}");

    // So does `debrief history`, for a cause's state and an event's text.
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let run = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env_remove("DEBRIEF_DB")
            .env("DEBRIEF_AUTHOR", "ana")
            .env("DEBRIEF_CONFIG", dir.path().join("config"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(&["new", "DB down", "--severity", "2"]);
    run(&["action", "add", "1", "Cap", "retries", "--due", "2027-01-04"]);
    run(&["action", "set", "1", "1", "--status", "doing"]);
    let out = run(&["history", "1"]);
    assert!(out.contains("status: \"todo\" → \"doing\""), "{out}");
}

#[test]
fn edits_of_different_fields_merge_and_only_a_field_both_changed_asks() {
    let (_dir, path, mut app) = demo_on_file();
    keys(&mut app, "3");
    let a = review(&app).selected_action().unwrap().clone();
    let other = Store::open(&path, "ben").unwrap();

    // I edit the title while ben moves the due date.
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine");
    let mut theirs = other.action(a.id).unwrap();
    theirs.due = chrono::NaiveDate::from_ymd_opt(2027, 3, 1);
    other.update_action(&theirs).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(app.popups.is_empty(), "no question: {}", screen(&mut app, 80, 24));
    let now = app.store.action(a.id).unwrap();
    assert_eq!(now.title, "Mine");
    assert_eq!(
        now.due,
        chrono::NaiveDate::from_ymd_opt(2027, 3, 1),
        "their due date stays"
    );

    // Both change the title: that asks.
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine again");
    let mut theirs = other.action(a.id).unwrap();
    theirs.title = "Theirs".into();
    other.update_action(&theirs).unwrap();
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.popups.last(), Some(Popup::Conflict { .. })));
    assert_eq!(
        app.store.action(a.id).unwrap().title,
        "Theirs",
        "nothing overwritten before the choice"
    );
}

#[test]
fn undo_reverts_an_edit_of_the_incident_and_an_accepted_risk() {
    let mut app = demo();
    let before = review(&app).incident.clone();
    key(&mut app, KeyCode::Char('E'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Renamed incident");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.store.incident(before.id).unwrap().title, "Renamed incident");
    ctrl(&mut app, 'z');
    assert_eq!(app.store.incident(before.id).unwrap().title, before.title);
    assert!(screen(&mut app, 80, 24).contains("Undone"));

    // A confirmed cause's risk accepted with a reason, and taken back.
    keys(&mut app, "2");
    let c = review(&app).selected_cause().unwrap().clone();
    assert_eq!(c.state, debrief::model::CauseState::Confirmed, "the demo's first cause");
    key(&mut app, KeyCode::Char('R'));
    type_text(&mut app, "the vendor's SLA covers it");
    key(&mut app, KeyCode::Enter);
    assert_eq!(
        app.store.cause(c.id).unwrap().state,
        debrief::model::CauseState::AcceptedRisk
    );
    ctrl(&mut app, 'z');
    assert_eq!(
        app.store.cause(c.id).unwrap().state,
        debrief::model::CauseState::Confirmed
    );
}

/// Saves the form on top with Ctrl-S (multi-line fields take Enter as a new line).
fn save(app: &mut App) {
    crate::support::console::draw(app, 100, 30);
    ctrl(app, 's');
}

#[test]
fn undo_reverts_an_edit_of_the_narrative() {
    let mut app = demo();
    let incident = review(&app).incident.id;
    let before = app.store.narrative(incident).unwrap();
    // Went well, a decision and a factor changed in one save of the L form.
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "The rollback took a minute");
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    let form = top_form(&app);
    assert_eq!(form.fields[form.focus].label, "Decisions");
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "Page the vendor first | Dana | 14:50");
    save(&mut app);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    let edited = app.store.narrative(incident).unwrap();
    assert_ne!(edited.went_well, before.went_well);
    assert_eq!(edited.decisions.len(), before.decisions.len() + 1);
    ctrl(&mut app, 'z');
    let back = app.store.narrative(incident).unwrap();
    assert_eq!(
        debrief::model::narrative::Narrative {
            version: 0,
            ..back.clone()
        },
        debrief::model::narrative::Narrative {
            version: 0,
            ..before.clone()
        },
        "every section as it was"
    );
    assert!(back.version > edited.version, "undo is a write of its own");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Undone: the narrative"), "{text}");
    let Screen::Review(r) = &app.screen else { panic!() };
    assert_eq!(r.narrative.went_well, before.went_well, "the review shows it");
}

/// Two edits of one item, then two undos: each takes back one, and the second starts from
/// what the first put back (it was refused: the first undo's write had moved the version).
#[test]
fn two_undos_in_a_row_take_back_two_edits_of_one_item() {
    let (_dir, path, mut app) = demo_on_file();
    let incident = review(&app).incident.id;
    let before = app.store.narrative(incident).unwrap();
    let went_well = |app: &App| app.store.narrative(incident).unwrap().went_well;
    for text in ["First change", "Second change"] {
        key(&mut app, KeyCode::Char('L'));
        key(&mut app, KeyCode::Enter);
        ctrl(&mut app, 'u');
        type_text(&mut app, text);
        save(&mut app);
        assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    }
    assert!(went_well(&app).ends_with("Second change"), "{}", went_well(&app));
    ctrl(&mut app, 'z');
    assert!(went_well(&app).ends_with("First change"), "{}", went_well(&app));
    ctrl(&mut app, 'z');
    assert_eq!(went_well(&app), before.went_well);
    assert!(screen(&mut app, 80, 24).contains("Undone: the narrative"));

    // An action's title, twice.
    keys(&mut app, "3");
    let action = review(&app).selected_action().unwrap().clone();
    for title in ["Renamed once", "Renamed twice"] {
        key(&mut app, KeyCode::Char('e'));
        ctrl(&mut app, 'u');
        type_text(&mut app, title);
        key(&mut app, KeyCode::Enter);
    }
    assert_eq!(app.store.action(action.id).unwrap().title, "Renamed twice");
    ctrl(&mut app, 'z');
    assert_eq!(app.store.action(action.id).unwrap().title, "Renamed once");
    ctrl(&mut app, 'z');
    assert_eq!(app.store.action(action.id).unwrap().title, action.title);

    // Someone else's change between my two edits stays: the earlier undo is refused.
    let other = Store::open(&path, "ben").unwrap();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine once");
    key(&mut app, KeyCode::Enter);
    let mut theirs = other.action(action.id).unwrap();
    theirs.owner = "Ben".into();
    other.update_action(&theirs).unwrap();
    app.reload();
    key(&mut app, KeyCode::Char('e'));
    ctrl(&mut app, 'u');
    type_text(&mut app, "Mine twice");
    key(&mut app, KeyCode::Enter);
    ctrl(&mut app, 'z');
    let now = app.store.action(action.id).unwrap();
    assert_eq!((now.title.as_str(), now.owner.as_str()), ("Mine once", "Ben"));
    ctrl(&mut app, 'z');
    let now = app.store.action(action.id).unwrap();
    assert_eq!(
        (now.title.as_str(), now.owner.as_str()),
        ("Mine once", "Ben"),
        "theirs stays"
    );
    assert!(screen(&mut app, 80, 24).contains("Not undone"));
}

/// The meeting's `D` decisions form is undone whole, as the narrative's (not the change before it).
#[test]
fn undo_reverts_an_edit_of_the_meeting_s_decisions() {
    let mut app = demo();
    let incident = review(&app).incident.id;
    let before = app.store.narrative(incident).unwrap();
    // An earlier change Ctrl-Z must not take back first.
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "The rollback took a minute");
    save(&mut app);
    let edited = app.store.narrative(incident).unwrap();
    // The ended meeting's record (M, then n: no follow-up), its decisions form.
    key(&mut app, KeyCode::Char('M'));
    assert!(top_is_question(&app), "{}", screen(&mut app, 100, 30));
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Char('D'));
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "Page the vendor first | Dana | 14:50");
    save(&mut app);
    assert!(app.popups.is_empty(), "{}", screen(&mut app, 100, 30));
    assert_eq!(
        app.store.narrative(incident).unwrap().decisions.len(),
        before.decisions.len() + 1
    );
    ctrl(&mut app, 'z');
    let back = app.store.narrative(incident).unwrap();
    assert_eq!(back.decisions, edited.decisions, "the decisions as they were");
    assert_eq!(back.went_well, edited.went_well, "the earlier change stays");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Undone: the narrative"), "{text}");
}

#[test]
fn undo_of_the_narrative_keeps_a_later_change_by_someone_else() {
    let (_dir, path, mut app) = demo_on_file();
    let incident = review(&app).incident.id;
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "Mine");
    save(&mut app);
    // Ben changes where we got lucky after my save.
    let other = Store::open(&path, "ben").unwrap();
    let mut theirs = other.narrative(incident).unwrap();
    theirs.lucky = "Theirs".into();
    other.set_narrative(incident, &theirs).unwrap();
    ctrl(&mut app, 'z');
    let now = app.store.narrative(incident).unwrap();
    assert_eq!(now.lucky, "Theirs", "their change stays");
    assert!(now.went_well.ends_with("Mine"), "and so does mine: {}", now.went_well);
    assert!(screen(&mut app, 80, 24).contains("Not undone"));
}

#[test]
fn undo_of_the_narrative_unlinks_a_cause_deleted_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.db");
    let store = Store::open(&path, "ana").unwrap();
    let incident = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let dns = store.add_custom_cause(incident, "DNS").unwrap();
    let mut n = store.narrative(incident).unwrap();
    n.factors.push(debrief::model::narrative::Factor {
        text: "resolver timeouts".into(),
        cause: Some(dns),
    });
    let n = store.set_narrative(incident, &n).unwrap();
    let mut app = app_on(store, Theme::mono());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Enter);
    type_text(&mut app, "Mine");
    save(&mut app);
    // Someone deletes the cause the factor was linked to (the narrative's version stays).
    let other = Store::open(&path, "ben").unwrap();
    let c = other.cause(dns).unwrap();
    other.delete_cause(dns, c.version).unwrap();
    ctrl(&mut app, 'z');
    let now = app.store.narrative(incident).unwrap();
    assert_eq!(now.went_well, n.went_well, "{}", screen(&mut app, 80, 24));
    let last = now.factors.last().unwrap();
    assert_eq!((last.text.as_str(), last.cause), ("resolver timeouts", None));
}

/// An imported line as the import stores it: repeated three times, with its origin and level
/// kind, then marked key and internal.
fn imported_line(app: &App, incident: i64) -> debrief::model::Event {
    use debrief::store::{Marks, NewEvent};
    let at = app.store.all_events(incident).unwrap()[0].at + chrono::Duration::seconds(30);
    let line = NewEvent {
        at,
        kind: debrief::model::EventKind::Alert,
        text: "upstream timeout".into(),
        milestone: None,
        source: debrief::model::Source::Imported("api.log".into()),
        author: None,
    };
    let marks = Marks {
        origin: Some("payments".into()),
        ..Marks::default()
    };
    let import = || {
        app.store
            .import_marked(incident, "api.log", |sink| {
                for _ in 0..3 {
                    sink(line.clone(), "api.log:upstream", marks.clone())?;
                }
                Ok::<_, debrief::store::StoreError>(())
            })
            .unwrap()
            .1
    };
    assert_eq!(import().inserted, 1);
    let id = app
        .store
        .all_events(incident)
        .unwrap()
        .into_iter()
        .find(|e| e.text == line.text)
        .unwrap()
        .id;
    let e = app.store.event(id).unwrap();
    let e = app.store.set_key(id, e.version, true).unwrap();
    app.store.set_event_internal(id, e.version, true).unwrap()
}

#[test]
fn undo_of_a_deleted_event_brings_back_every_stored_column() {
    let mut app = demo();
    let incident = review(&app).incident.id;
    let cause = review(&app).causes[0].id;
    let event = imported_line(&app, incident);
    assert_eq!((event.count, event.key, event.internal), (3, true, true));
    app.store.toggle_evidence(cause, event.id).unwrap();
    let event = app.store.event(event.id).unwrap();
    app.reload();
    select_event(&mut app, event.id);
    keys(&mut app, "dy");
    assert!(app.store.event(event.id).is_err(), "deleted");
    ctrl(&mut app, 'z');
    // The same row by id, with its count, origin and marks; its version moved on (a form still
    // open on the deleted event is told it changed).
    let back = app.store.event(event.id).unwrap();
    assert!(back.version > event.version);
    assert_eq!(
        back,
        debrief::model::Event {
            version: back.version,
            ..event.clone()
        }
    );
    assert_eq!(app.store.causes_of_event(event.id).unwrap(), vec![cause]);
    // Its import key is back: importing the file again adds nothing.
    let again = app
        .store
        .import_events::<_, debrief::store::StoreError>(incident, "api.log", |sink| {
            sink(
                debrief::store::NewEvent {
                    at: event.at,
                    kind: event.kind,
                    text: event.text.clone(),
                    milestone: None,
                    source: event.source.clone(),
                    author: None,
                },
                "api.log:upstream",
            )
        })
        .unwrap()
        .1;
    assert_eq!((again.inserted, again.duplicates), (0, 1));
    assert_eq!(app.store.event(event.id).unwrap().count, 3);
}

#[test]
fn undo_of_a_deleted_cause_or_action_brings_back_its_links_and_times() {
    let mut app = demo();
    let incident = review(&app).incident.id;
    let id = app.store.add_custom_cause(incident, "DNS").unwrap();
    let c = app.store.cause(id).unwrap();
    let c = app
        .store
        .accept_cause_risk(id, c.version, "resolver is managed")
        .unwrap();
    let mut new = debrief::store::NewAction::titled("Pin resolver", debrief::model::ActionKind::Fix);
    new.cause_id = Some(id);
    let action = app.store.add_action(incident, &new).unwrap();
    let mut n = app.store.narrative(incident).unwrap();
    n.root_cause_cause = Some(id);
    app.store.set_narrative(incident, &n).unwrap();
    app.reload();
    keys(&mut app, "2G");
    assert_eq!(review(&app).selected_cause().unwrap().id, id);
    keys(&mut app, "dy");
    assert!(app.store.cause(id).is_err());
    assert_eq!(app.store.action(action).unwrap().cause_id, None);
    ctrl(&mut app, 'z');
    let back = app.store.cause(id).unwrap();
    assert_eq!(
        back,
        debrief::model::Cause {
            version: back.version,
            ..c
        },
        "the same cause, by id"
    );
    assert_eq!(
        app.store.action(action).unwrap().cause_id,
        Some(id),
        "the action's link is back"
    );
    assert_eq!(app.store.narrative(incident).unwrap().root_cause_cause, Some(id));

    // A done action: its id, creation and done times come back too.
    let a = app.store.action(action).unwrap();
    let a = app
        .store
        .set_action_status(action, a.version, debrief::model::ActionStatus::Done)
        .unwrap();
    let times = |app: &App| {
        app.store
            .action_times(incident)
            .unwrap()
            .into_iter()
            .find(|t| t.id == action)
    };
    let before = times(&app).unwrap();
    let removed = app.store.delete_action(action, a.version).unwrap();
    assert!(times(&app).is_none());
    assert_eq!(app.store.restore(&removed).unwrap(), action);
    let back = app.store.action(action).unwrap();
    assert_eq!(
        back,
        debrief::model::Action {
            version: back.version,
            ..a
        }
    );
    assert_eq!(times(&app), Some(before), "created and done times as they were");
    // Put back twice: the second finds it there and changes nothing.
    assert!(app.store.restore(&removed).is_err());
}

#[test]
fn a_deleted_event_whose_id_was_taken_comes_back_under_a_new_one() {
    let app = demo();
    let incident = review(&app).incident.id;
    let cause = review(&app).causes[0].id;
    let event = imported_line(&app, incident);
    app.store.toggle_evidence(cause, event.id).unwrap();
    let event = app.store.event(event.id).unwrap();
    let removed = app.store.delete_event(event.id, event.version).unwrap();
    // The highest id is free again: SQLite gives it to the next event.
    let new = debrief::store::NewEvent {
        at: event.at,
        kind: debrief::model::EventKind::Note,
        text: "someone else's note".into(),
        milestone: None,
        source: debrief::model::Source::Typed,
        author: None,
    };
    let taken = app.store.add_event(incident, &new).unwrap();
    assert_eq!(taken, event.id);
    let id = app.store.restore(&removed).unwrap();
    assert_ne!(id, event.id);
    let back = app.store.event(id).unwrap();
    assert_eq!(
        (back.count, back.key, back.internal, back.origin.as_deref()),
        (3, true, true, Some("payments"))
    );
    assert_eq!(app.store.causes_of_event(id).unwrap(), vec![cause]);
    assert!(
        app.store.causes_of_event(taken).unwrap().is_empty(),
        "the other event is not linked"
    );
    assert_eq!(app.store.event(taken).unwrap().text, "someone else's note");
}
