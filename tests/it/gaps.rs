//! One list of what a review lacks: `check`, `show`, `show --json`, the meeting's wrap-up and the
//! Markdown postmortem name the same gaps, for generated reviews; one review per kind of gap,
//! with `check`'s exit code.

use crate::support::console::{app_on, key_at, screen};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use clap::Parser;
use debrief::model::document::{DocAction, DocCause, DocEvent, DocIncident, Document, FORMAT, FORMAT_VERSION};
use debrief::model::{ActionKind, ActionStatus, CauseState, EventKind, IncidentStatus, Milestone, Severity, Source};
use debrief::store::Store;
use debrief::tui::theme::Theme;
use proptest::prelude::*;
use ratatui::crossterm::event::KeyCode;

fn at(minute: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap() + chrono::Duration::minutes(minute)
}

fn incident(root_cause: &str) -> DocIncident {
    DocIncident {
        title: "Payments down".into(),
        severity: Severity::Sev2,
        status: IncidentStatus::InReview,
        summary: String::new(),
        impact: String::new(),
        zone: "Europe/Berlin".into(),
        root_cause: root_cause.into(),
        trigger: String::new(),
        started_at: None,
    }
}

/// A review: the document's causes, actions, milestones and root cause as given.
fn document(
    causes: Vec<(String, CauseState)>,
    actions: Vec<DocAction>,
    milestones: &[Milestone],
    root_cause: &str,
) -> Document {
    Document {
        format: FORMAT.into(),
        version: FORMAT_VERSION,
        incident: incident(root_cause),
        events: milestones
            .iter()
            .enumerate()
            .map(|(i, m)| DocEvent {
                reference: i as i64 + 1,
                at: at(i as i64 * 10),
                kind: EventKind::Observation,
                text: format!("{} here", m.label()),
                author: "Ana".into(),
                source: Source::Typed,
                milestone: Some(*m),
                import_key: None,
                internal: false,
                key: false,
                origin: None,
                count: 1,
            })
            .collect(),
        causes: causes
            .into_iter()
            .enumerate()
            .map(|(i, (category, state))| DocCause {
                reference: i as i64 + 1,
                category,
                state,
                notes: String::new(),
                evidence: vec![],
                reason: if state == CauseState::AcceptedRisk {
                    "the risk is accepted".into()
                } else {
                    String::new()
                },
            })
            .collect(),
        actions,
        participants: vec![],
        meeting: None,
        meetings: vec![],
        narrative: Default::default(),
    }
}

fn action(
    title: &str,
    kind: ActionKind,
    status: ActionStatus,
    owner: &str,
    due: bool,
    cause: Option<i64>,
) -> DocAction {
    DocAction {
        title: title.into(),
        details: String::new(),
        kind,
        status,
        owner: owner.into(),
        owner_role: None,
        due: due.then(|| NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        cause,
        ticket: String::new(),
        priority: 0,
        reason: if status == ActionStatus::NotDoing {
            "not worth it".into()
        } else {
            String::new()
        },
    }
}

/// `debrief ARGS…` in this process: its exit code and standard output.
fn run(store: &Store, args: &[&str]) -> (i32, String) {
    let cli = debrief::cli::Cli::try_parse_from(std::iter::once("debrief").chain(args.iter().copied())).unwrap();
    let mut out = Vec::new();
    let code = debrief::cli::run(cli, store, &mut out).unwrap();
    (code, String::from_utf8(out).unwrap())
}

/// What each report says is missing, as sentences.
struct Reports {
    check_code: i32,
    check: Vec<String>,
    show: Vec<String>,
    json: Vec<String>,
    markdown: Vec<String>,
    wrap_up: Vec<String>,
}

fn reports(doc: &Document) -> Reports {
    let store = Store::open_in_memory("tester").unwrap();
    let id = store.load_document(doc).unwrap();
    let id_arg = id.to_string();
    let (check_code, check) = run(&store, &["check", &id_arg]);
    let check = check
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(String::from)
        .collect();
    let (_, show) = run(&store, &["show", &id_arg]);
    let show = show
        .split_once("\nMissing")
        .map(|(_, rest)| {
            rest.lines()
                .filter_map(|l| l.strip_prefix("  - "))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default();
    let (_, json) = run(&store, &["show", &id_arg, "--json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let json = json["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["text"].as_str().unwrap().to_string())
        .collect();
    let md = debrief::export::postmortem(&store, id, NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()).unwrap();
    let section = md.split_once("## Still missing\n").unwrap().1;
    let section = section.split_once("\n## ").unwrap().0;
    let markdown = section
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .map(|l| l.replace('\\', ""))
        .collect();
    Reports {
        check_code,
        check,
        show,
        json,
        markdown,
        wrap_up: wrap_up(store, id),
    }
}

/// The open items of the meeting's wrap-up (agenda step 4), drawn large enough that none wraps.
fn wrap_up(store: Store, id: i64) -> Vec<String> {
    let mut app = app_on(store, Theme::mono());
    app.open_incident(id).unwrap();
    key_at(&mut app, KeyCode::Char('M'), 200, 80);
    for _ in 0..3 {
        key_at(&mut app, KeyCode::Char(']'), 200, 80);
    }
    let text = screen(&mut app, 200, 80);
    assert!(text.contains("Wrap-up"), "{text}");
    // The focused pane's border is ║ in the mono theme.
    text.lines()
        .filter_map(|l| l.strip_prefix("║  ! "))
        .map(|rest| rest.split('║').next().unwrap().trim_end().to_string())
        .collect()
}

fn assert_same(r: &Reports) {
    assert_eq!(r.show, r.check, "show");
    assert_eq!(r.json, r.check, "show --json");
    assert_eq!(r.markdown, r.check, "Markdown");
    assert_eq!(r.wrap_up, r.check, "wrap-up");
    assert_eq!(r.check_code, i32::from(!r.check.is_empty()), "{:?}", r.check);
}

fn state() -> impl Strategy<Value = CauseState> {
    prop::sample::select(CauseState::ALL.to_vec())
}

/// A review: the five standard causes and up to two custom ones in any state, any milestones,
/// a root cause or none, and up to six actions of any kind, status and delegation, linked to a
/// cause or not.
fn review() -> impl Strategy<Value = Document> {
    let standard = [
        "third_party",
        "software_update",
        "rare_edge_case",
        "infrastructure",
        "overload",
    ];
    (
        prop::collection::vec(state(), 5),
        prop::collection::vec(state(), 0..=2),
        prop::sample::subsequence(Milestone::ALL.to_vec(), 0..=5),
        any::<bool>(),
        prop::collection::vec(
            (
                prop::sample::select(ActionKind::ALL.to_vec()),
                prop::sample::select(ActionStatus::ALL.to_vec()),
                any::<bool>(),
                any::<bool>(),
                prop::option::of(1i64..=7),
            ),
            0..=6,
        ),
    )
        .prop_map(move |(states, custom, milestones, root, actions)| {
            let mut causes: Vec<(String, CauseState)> = standard.iter().map(|s| s.to_string()).zip(states).collect();
            causes.extend(
                custom
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| (format!("custom:DNS zone {i}"), s)),
            );
            let n = causes.len() as i64;
            let actions = actions
                .into_iter()
                .enumerate()
                .map(|(i, (kind, status, owner, due, cause))| {
                    let owner = if owner { "Ana" } else { "" };
                    action(
                        &format!("Action {i}"),
                        kind,
                        status,
                        owner,
                        due,
                        cause.filter(|c| *c <= n),
                    )
                })
                .collect();
            document(causes, actions, &milestones, if root { "A retry storm" } else { "" })
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_report_lists_the_same_gaps(doc in review()) {
        assert_same(&reports(&doc));
    }
}

/// A review that lacks nothing: every milestone, every cause decided, the confirmed one with a
/// fix and monitoring (done ones count), a root cause, open actions delegated.
fn complete() -> Document {
    let mut causes: Vec<(String, CauseState)> = ["third_party", "software_update", "rare_edge_case", "infrastructure"]
        .iter()
        .map(|c| (c.to_string(), CauseState::RuledOut))
        .collect();
    causes.push(("overload".into(), CauseState::Confirmed));
    let actions = vec![
        action(
            "Cap connections",
            ActionKind::Fix,
            ActionStatus::Done,
            "",
            false,
            Some(5),
        ),
        action(
            "Alert at 80%",
            ActionKind::Monitoring,
            ActionStatus::Todo,
            "Ana",
            true,
            Some(5),
        ),
    ];
    document(causes, actions, Milestone::ALL, "A retry storm")
}

#[test]
fn one_review_per_kind_of_gap_and_checks_exit_code() {
    type Change = fn(&mut Document);
    let cases: Vec<(&str, Change, &str)> = vec![
        ("complete", |_| {}, ""),
        (
            "missing milestone",
            |d| d.events.retain(|e| e.milestone != Some(Milestone::Detected)),
            "Detected is not marked on the timeline",
        ),
        (
            "unexamined cause",
            |d| d.causes[0].state = CauseState::Unexamined,
            "Third-party system is not examined yet",
        ),
        (
            "suspected, not decided",
            |d| d.causes[1].state = CauseState::Suspected,
            "Software update is suspected but neither confirmed nor ruled out",
        ),
        (
            "no root cause",
            |d| d.incident.root_cause = " \n".into(),
            "No root cause is written down",
        ),
        (
            "confirmed without a fix",
            |d| d.actions.retain(|a| a.kind != ActionKind::Fix),
            "Overload is confirmed but has no fix action",
        ),
        (
            "confirmed without monitoring",
            |d| d.actions[1].kind = ActionKind::Process,
            "Overload is confirmed but has no monitoring action",
        ),
        (
            "open action without an owner",
            |d| d.actions[1].owner = String::new(),
            "Open action “Alert at 80%” has no owner",
        ),
        (
            "open action without a due date",
            |d| d.actions[1].due = None,
            "Open action “Alert at 80%” has no due date",
        ),
    ];
    for (name, change, want) in cases {
        let mut doc = complete();
        change(&mut doc);
        let r = reports(&doc);
        let want: Vec<String> = if want.is_empty() {
            vec![]
        } else {
            vec![want.to_string()]
        };
        assert_eq!(r.check, want, "{name}");
        assert_eq!(r.check_code, if want.is_empty() { 0 } else { 1 }, "{name}");
        assert_same(&r);
    }
}

/// `debrief new` then `check`: a brand-new incident is not complete (exit 1), and says why.
#[test]
fn a_brand_new_incident_is_not_complete() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let debrief = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("DEBRIEF_AUTHOR", "tester")
            .output()
            .unwrap()
    };
    assert!(debrief(&["new", "Payments down", "--zone", "UTC"]).status.success());
    let out = debrief(&["check", "1"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(
        text.lines().filter(|l| l.starts_with("- ")).count(),
        5 + 5 + 1,
        "{text}"
    );
    let show = String::from_utf8(debrief(&["show", "1"]).stdout).unwrap();
    assert!(
        show.contains("\nMissing (11):\n  - Impact started is not marked on the timeline\n"),
        "{show}"
    );
}
