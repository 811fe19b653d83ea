//! The narrative sections (#14 item 4) and the record for outsiders (#14 item 7): every field
//! round-trips through the JSON document, older documents and databases keep their decisions,
//! `export --audience external` leaves internal items out and masks what identifies people and
//! systems, and says how much it left out.

use debrief::model::document::Document;
use debrief::model::narrative::{Decision, Factor, Impact, Narrative};
use debrief::store::Store;
use std::path::Path;
use std::process::Output;

fn demo_store() -> (tempfile::TempDir, Store, i64) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("t.db"), "ana").unwrap();
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    (dir, store, id)
}

fn label(store: &Store, incident: i64, cause: Option<i64>) -> String {
    let causes = store.causes(incident).unwrap();
    cause
        .and_then(|c| causes.iter().find(|x| x.id == c))
        .map(|c| c.category.label())
        .unwrap_or_else(|| "-".into())
}

#[test]
fn every_narrative_field_round_trips_through_the_document() {
    let (_dir, store, id) = demo_store();
    let causes = store.causes(id).unwrap();
    let n = Narrative {
        went_well: "Paging worked\n\nthe fallback was ready".into(),
        went_wrong: "The warning did not page".into(),
        lucky: "Before the evening peak".into(),
        root_cause_cause: Some(causes[4].id),
        trigger_cause: Some(causes[0].id),
        impacts: vec![
            Impact {
                service: "checkout".into(),
                affected: "~4,000 requests".into(),
                duration: "47m".into(),
            },
            Impact {
                service: "search".into(),
                ..Default::default()
            },
        ],
        decisions: vec![
            Decision {
                text: "Roll back | then debug".into(),
                who: "Priya".into(),
                when: "14:40".into(),
                internal: false,
                meeting: None,
            },
            Decision {
                text: "Tell legal first".into(),
                internal: true,
                ..Default::default()
            },
        ],
        factors: vec![
            Factor {
                text: "Retries without backoff".into(),
                cause: Some(causes[4].id),
            },
            Factor {
                text: "No runbook".into(),
                cause: None,
            },
        ],
        version: store.narrative(id).unwrap().version,
    };
    let saved = store.set_narrative(id, &n).unwrap();
    assert_eq!(
        Narrative {
            version: 0,
            ..saved.clone()
        },
        Narrative {
            version: 0,
            ..n.clone()
        }
    );
    // A second writer's save over the same version is a conflict, never a silent overwrite.
    assert!(store.set_narrative(id, &n).unwrap_err().is_conflict());

    let doc = store.export_document(id).unwrap();
    let json = debrief::export::json::render(&doc).unwrap();
    let back: Document = serde_json::from_str(&json).unwrap();
    assert_eq!(back, doc, "the JSON holds every field");
    let loaded = store.load_document(&back).unwrap();
    assert_eq!(store.export_document(loaded).unwrap(), doc, "export → load → export");
    let again = store.narrative(loaded).unwrap();
    assert_eq!(
        (again.went_well.as_str(), again.impacts.clone(), again.decisions.clone()),
        (n.went_well.as_str(), n.impacts.clone(), n.decisions.clone())
    );
    assert_eq!(label(&store, loaded, again.root_cause_cause), "Overload");
    assert_eq!(label(&store, loaded, again.trigger_cause), "Third-party system");
    assert_eq!(label(&store, loaded, again.factors[0].cause), "Overload");
    assert_eq!(again.factors[1].cause, None);
    let internal: Vec<bool> = store.all_events(loaded).unwrap().iter().map(|e| e.internal).collect();
    assert_eq!(
        internal.iter().filter(|i| **i).count(),
        1,
        "the demo's internal event stays internal"
    );
}

#[test]
fn a_cause_from_another_incident_is_refused_and_nothing_changes() {
    let (_dir, store, id) = demo_store();
    let other = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let foreign = store.causes(other).unwrap()[0].id;
    let mut n = store.narrative(id).unwrap();
    let before = n.clone();
    n.factors.push(Factor {
        text: "elsewhere".into(),
        cause: Some(foreign),
    });
    let err = store.set_narrative(id, &n).unwrap_err().to_string();
    assert!(
        err.contains("factors[4]") && err.contains("not on this incident's checklist"),
        "{err}"
    );
    assert_eq!(store.narrative(id).unwrap(), before);
}

#[test]
fn an_older_document_s_decisions_paragraph_becomes_one_decision() {
    let (_dir, store, _) = demo_store();
    let mut doc: serde_json::Value = serde_json::to_value(debrief::demo::demo_document().unwrap()).unwrap();
    doc["version"] = 2.into();
    doc.as_object_mut().unwrap().remove("narrative");
    // Version 2 held one `meeting`, its decisions one paragraph.
    let mut one = doc["meetings"][0].clone();
    doc.as_object_mut().unwrap().remove("meetings");
    one.as_object_mut().unwrap().remove("number");
    one.as_object_mut().unwrap().remove("attended");
    one["decisions"] = "Roll back first, debug later\nPriya decides on rollbacks".into();
    doc["meeting"] = one;
    let doc: Document = serde_json::from_value(doc).unwrap();
    let id = store.load_document(&doc).unwrap();
    let n = store.narrative(id).unwrap();
    assert_eq!(n.decisions.len(), 1);
    assert_eq!(
        n.decisions[0].text,
        "Roll back first, debug later\nPriya decides on rollbacks"
    );
    let again = store.export_document(id).unwrap();
    assert_eq!(again.meetings[0].decisions, "", "written once, as the decision");
}

/// A database of schema version 5: opening it turns the meeting's decisions into a decision.
#[test]
fn the_migration_moves_the_meeting_s_decisions_into_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v5.db");
    {
        let conn = crate::support::seed::database_at(&path, 5);
        conn.execute_batch(
            "INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
               VALUES ('old', 2, 'open', 'UTC', 0, 0, 0);
             INSERT INTO incidents (title, severity, status, zone, created_at, updated_at, touched_at)
               VALUES ('none', 2, 'open', 'UTC', 0, 0, 0);
             INSERT INTO meetings (incident_id, decisions) VALUES (1, '  Roll back first\nthen debug ');
             INSERT INTO meetings (incident_id, decisions) VALUES (2, '');",
        )
        .unwrap();
    }
    let store = Store::open(&path, "ana").unwrap();
    let d = store.narrative(1).unwrap().decisions;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].text, "Roll back first\nthen debug");
    assert!(store.narrative(2).unwrap().decisions.is_empty());
    assert_eq!(store.meeting(1).unwrap().decisions, "", "kept in one place");
}

fn run(db: &Path, args: &[&str]) -> Output {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("DEBRIEF_NOW", "2026-11-30T15:00:00Z")
        .env("TZ", "UTC")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn an_external_export_leaves_internal_items_out_masks_and_counts() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(&db, &["new", "Payments down", "--zone", "UTC"]);
    run(
        &db,
        &[
            "log",
            "-i",
            "1",
            "13:58 ana@example.com saw 10.0.4.7 refuse, release 4.18.0 (#12)",
        ],
    );
    let said = run(
        &db,
        &[
            "log",
            "-i",
            "1",
            "--internal",
            "14:00 legal paged, key AKIAIOSFODNN7EXAMPLE",
        ],
    );
    assert!(String::from_utf8_lossy(&said.stderr).contains("internal"));
    let team = String::from_utf8(run(&db, &["export", "1"]).stdout).unwrap();
    assert!(
        team.contains("legal paged") && team.contains("ana@example.com"),
        "{team}"
    );

    for format in ["md", "json"] {
        let out = run(&db, &["export", "1", "-f", format, "--audience", "external"]);
        let text = String::from_utf8(out.stdout).unwrap();
        let told = String::from_utf8(out.stderr).unwrap();
        assert!(
            !text.contains("legal paged") && !text.contains("AKIA"),
            "{format}: {text}"
        );
        assert!(
            !text.contains("ana@example.com") && !text.contains("10.0.4.7"),
            "{format}: {text}"
        );
        assert!(
            text.contains("4.18.0") && text.contains("#12") && text.contains("13:58"),
            "{format}: {text}"
        );
        assert!(
            told.contains("left out 1 internal item and masked 2 values"),
            "{format}: {told}"
        );
    }
    // What outsiders get is still a document debrief loads.
    let file = dir.path().join("ext.json");
    run(
        &db,
        &[
            "export",
            "1",
            "-f",
            "json",
            "--audience",
            "external",
            "-o",
            file.to_str().unwrap(),
        ],
    );
    run(&db, &["load", file.to_str().unwrap()]);
}

mod console {
    use crate::support::console::{app_on, draw, key, keys, screen};
    use debrief::store::Store;
    use debrief::tui::app::{App, Screen};
    use debrief::tui::theme::Theme;
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn demo_review() -> (App, i64) {
        let store = Store::open_in_memory("ana").unwrap();
        let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
        let mut app = app_on(store, Theme::mono());
        key(&mut app, KeyCode::Enter);
        assert!(matches!(app.screen, Screen::Review(_)));
        (app, id)
    }

    fn ctrl_s(app: &mut App) {
        draw(app, 100, 30);
        app.press(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    }

    fn flash(app: &App) -> String {
        app.flash.as_ref().map(|f| f.text().to_string()).unwrap_or_default()
    }

    /// `E` links the root cause and the trigger to the checklist's causes, as `L` does: the
    /// link is the narrative's, saved with the incident's details; another session's change of
    /// the other link meanwhile merges, a change of the same link asks and saves nothing.
    #[test]
    fn the_incident_form_links_root_cause_and_trigger_to_the_checklist() {
        let (mut app, id) = demo_review();
        let label = |app: &App, c: Option<i64>| super::label(&app.store, id, c);
        let before = app.store.narrative(id).unwrap();
        assert_eq!(label(&app, before.root_cause_cause), "Overload");
        key(&mut app, KeyCode::Char('E'));
        insta::assert_snapshot!("incident_form_links_80x24", screen(&mut app, 80, 24));
        insta::assert_snapshot!("incident_form_links_160x45", screen(&mut app, 160, 45));
        // Root cause in is the sixth field, Trigger in the eighth.
        for _ in 0..5 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Left);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Tab);
        key(&mut app, KeyCode::Right);
        ctrl_s(&mut app);
        assert!(app.popups.is_empty(), "{}", flash(&app));
        let after = app.store.narrative(id).unwrap();
        assert_eq!(label(&app, after.root_cause_cause), "Infrastructure");
        assert_eq!(label(&app, after.trigger_cause), "Software update");
        assert_eq!(
            (after.went_well.as_str(), &after.decisions, &after.factors),
            (before.went_well.as_str(), &before.decisions, &before.factors),
            "the rest of the narrative as it was"
        );
        let shown = screen(&mut app, 160, 45);
        assert!(shown.contains("Root cause"), "{shown}");

        // Another session moves the trigger while the form is open and I move the root cause:
        // different fields, so the save merges both (#17's field-by-field merge).
        key(&mut app, KeyCode::Char('E'));
        let mut theirs = app.store.narrative(id).unwrap();
        theirs.trigger_cause = theirs.root_cause_cause;
        let theirs = app.store.set_narrative(id, &theirs).unwrap();
        for _ in 0..5 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Left);
        ctrl_s(&mut app);
        assert!(app.popups.is_empty(), "merged without asking: {}", flash(&app));
        let merged = app.store.narrative(id).unwrap();
        assert_eq!(merged.trigger_cause, theirs.trigger_cause, "their trigger kept");
        assert_ne!(merged.root_cause_cause, theirs.root_cause_cause, "my root cause saved");

        // Both move the trigger: a conflict about that field, nothing saved over theirs.
        key(&mut app, KeyCode::Char('E'));
        let mut theirs = app.store.narrative(id).unwrap();
        theirs.trigger_cause = None;
        let theirs = app.store.set_narrative(id, &theirs).unwrap();
        for _ in 0..7 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Right);
        ctrl_s(&mut app);
        assert!(
            matches!(app.popups.last(), Some(debrief::tui::app::Popup::Conflict { .. })),
            "a conflict is shown"
        );
        assert_eq!(app.store.narrative(id).unwrap(), theirs, "nothing saved over theirs");
        let unchanged_title = app.store.incident(id).unwrap().title;
        assert_eq!(
            unchanged_title,
            "Checkout payments failing: PayFast 503s and a retry storm"
        );
    }

    #[test]
    fn the_narrative_form_edits_every_section() {
        let (mut app, id) = demo_review();
        key(&mut app, KeyCode::Char('L'));
        insta::assert_snapshot!("narrative_form_80x24", screen(&mut app, 80, 24));
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "On-call knew the runbook");
        // Impact is the fourth field: one more service.
        for _ in 0..3 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "search | slow results | 5m");
        ctrl_s(&mut app);
        assert!(app.popups.is_empty(), "{}", flash(&app));
        let n = app.store.narrative(id).unwrap();
        assert!(n.went_well.ends_with("\nOn-call knew the runbook"), "{}", n.went_well);
        assert_eq!(n.impacts.len(), 4);
        assert_eq!(
            (
                n.impacts[3].service.as_str(),
                n.impacts[3].affected.as_str(),
                n.impacts[3].duration.as_str()
            ),
            ("search", "slow results", "5m")
        );
        assert_eq!(n.factors.len(), 4, "untouched sections stay as they were");

        // A factor naming no cause on the checklist is refused, naming the line; nothing is saved.
        key(&mut app, KeyCode::Char('L'));
        for _ in 0..4 {
            key(&mut app, KeyCode::Tab);
        }
        key(&mut app, KeyCode::Enter);
        keys(&mut app, "weather | it rained");
        ctrl_s(&mut app);
        let text = screen(&mut app, 100, 30);
        assert!(text.contains("factor line 5"), "{text}");
        assert_eq!(app.store.narrative(id).unwrap(), n);
    }

    /// The narrative form on a shared screen: every section with room for its lines.
    #[test]
    fn the_narrative_form_at_160x45() {
        let (mut app, _) = demo_review();
        key(&mut app, KeyCode::Char('L'));
        insta::assert_snapshot!("narrative_form_160x45", screen(&mut app, 160, 45));
    }

    /// The sections as the review shows them: the meeting's wrap-up (step 4) lists the
    /// decisions and how far each section is written, at 160x45 and, scrolled to them, 80x24.
    #[test]
    fn the_wrap_up_shows_the_sections_at_80x24_and_160x45() {
        let (mut app, _) = demo_review();
        // The demo's meetings have ended: M shows the last one's record (and offers a
        // follow-up, declined here).
        keys(&mut app, "Mn");
        let wide = screen(&mut app, 160, 45);
        assert!(
            wide.contains("Decisions (6)") && wide.contains("contributing factors: 4 factors"),
            "{wide}"
        );
        insta::assert_snapshot!("wrap_up_sections_160x45", wide);
        let mut text = screen(&mut app, 80, 24);
        for _ in 0..40 {
            if text.contains("contributing factors") {
                break;
            }
            key(&mut app, KeyCode::Char('j'));
            text = screen(&mut app, 80, 24);
        }
        assert!(
            text.contains("Narrative") && text.contains("contributing factors"),
            "{text}"
        );
        insta::assert_snapshot!("wrap_up_sections_80x24", text);
    }

    #[test]
    fn confirming_a_cause_without_evidence_says_how_to_link_it() {
        let (mut app, id) = demo_review();
        key(&mut app, KeyCode::Char('2'));
        // The demo's third cause (rare edge case) has no evidence.
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Down);
        key(&mut app, KeyCode::Char('c'));
        let said = flash(&app);
        assert!(
            said.contains("Rare edge case confirmed") && said.contains("press l to link it as evidence"),
            "{said}"
        );
        let causes = app.store.causes(id).unwrap();
        assert_eq!(causes[2].state, debrief::model::CauseState::Confirmed);
        // One with evidence says nothing of the kind.
        key(&mut app, KeyCode::Char('k'));
        key(&mut app, KeyCode::Char('k'));
        key(&mut app, KeyCode::Char('c'));
        assert!(!flash(&app).contains("link it as evidence"), "{}", flash(&app));
    }

    #[test]
    fn i_marks_an_event_internal_and_the_timeline_shows_it() {
        let (mut app, id) = demo_review();
        key(&mut app, KeyCode::Char('1'));
        key(&mut app, KeyCode::Char('g'));
        key(&mut app, KeyCode::Char('I'));
        let first = app.store.all_events(id).unwrap()[0].clone();
        assert!(first.internal, "{}", flash(&app));
        assert!(screen(&mut app, 100, 30).contains("[int]"));
        key(&mut app, KeyCode::Char('I'));
        assert!(!app.store.all_events(id).unwrap()[0].internal, "I again shares it");
    }

    /// What `serve` sets for an observer: no internal event on the timeline, nor in the history.
    #[test]
    fn a_console_that_hides_internal_items_shows_none_of_them() {
        let store = Store::open_in_memory("ana").unwrap();
        let id = store
            .create_incident(&debrief::store::NewIncident {
                title: "Payments down".into(),
                severity: debrief::model::Severity::Sev2,
                zone: "UTC".into(),
                started_at: None,
            })
            .unwrap();
        let new = |text: &str| debrief::store::NewEvent {
            at: chrono::Utc::now(),
            kind: debrief::model::EventKind::Note,
            text: text.into(),
            milestone: None,
            source: debrief::model::Source::Typed,
            author: None,
        };
        store.add_internal_event(id, &new("legal was paged")).unwrap();
        let mut n = store.narrative(id).unwrap();
        n.decisions = debrief::model::narrative::parse_decisions("(internal) Keep it quiet\nRoll back").unwrap();
        store.set_narrative(id, &n).unwrap();
        let mut app = app_on(store, Theme::mono());
        app.hide_internal = true;
        app.open_incident(id).unwrap();
        let text = screen(&mut app, 100, 30);
        assert!(!text.contains("legal was paged"), "{text}");
        match &app.screen {
            Screen::Review(r) => {
                let d: Vec<&str> = r.narrative.decisions.iter().map(|d| d.text.as_str()).collect();
                assert_eq!(d, ["Roll back"]);
            }
            _ => panic!("not on the review"),
        }
        // No event is selected: H shows the incident's history, without the internal event's text.
        key(&mut app, KeyCode::Char('H'));
        let text = screen(&mut app, 100, 30);
        assert!(text.contains("History"), "{text}");
        assert!(!text.contains("legal was paged"), "{text}");
    }
}
