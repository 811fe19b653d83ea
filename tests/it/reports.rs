//! Reports: the Markdown postmortem, the CSV of actions, `debrief stats` and `debrief export`.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use debrief::export::stats::{self, Period};
use debrief::export::{csv as csv_export, markdown};
use debrief::model::document::Document;
use debrief::model::{
    Action, ActionKind, ActionStatus, Cause, CauseCategory, CauseState, EventKind, Milestone, Role, Severity, Source,
    StandardCause,
};
use debrief::store::{NewAction, NewEvent, NewIncident, Store};
use std::process::{Command, Output};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn demo() -> Document {
    serde_json::from_str(include_str!("../../assets/demo.json")).unwrap()
}

#[test]
fn the_demo_postmortem() {
    let doc = demo();
    let md = markdown::render(&doc, day(2026, 11, 30));
    insta::assert_snapshot!("demo_postmortem", md);
}

#[test]
fn the_postmortem_of_a_stored_incident_matches_its_document() {
    let store = Store::open_in_memory("tester").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    let today = day(2026, 11, 30);
    let doc = store.export_document(id).unwrap();
    let from_store = debrief::export::postmortem(&store, id, today).unwrap();
    assert_eq!(from_store, markdown::render(&doc, today));
}

#[test]
fn milestone_warnings_and_days_of_a_long_incident() {
    let mut doc = demo();
    doc.events.retain(|e| e.milestone != Some(Milestone::Resolved));
    doc.events.last_mut().unwrap().at = Utc.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap();
    let md = markdown::render(&doc, day(2026, 11, 30));
    assert!(md.contains("| Time to resolve (TTR) | — | — |"), "{md}");
    // A missing milestone is a gap of the review, listed with the others (not a warning).
    assert!(!md.contains("> **Warning:**"), "{md}");
    assert!(
        md.contains("## Still missing\n\n- Resolved is not marked on the timeline\n"),
        "{md}"
    );
    assert!(md.contains("### Tuesday 2026-11-24\n\n- 13:58 · deploy"), "{md}");
    assert!(md.contains("\n\n### Wednesday 2026-11-25\n\n- 09:00 · note"), "{md}");
    assert!(
        md.contains("- 2026-11-24 14:24 · checkout-api pods"),
        "evidence has dates"
    );
    assert!(!md.contains("- **Resolved:**"));
}

/// The unescaped `|` of a table row: its column separators.
fn separators(row: &str) -> usize {
    let mut n = 0;
    let mut escaped = false;
    for c in row.chars() {
        match c {
            '\\' if !escaped => escaped = true,
            '|' if !escaped => n += 1,
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
    }
    n
}

#[test]
fn hostile_text_stays_literal() {
    let mut doc = demo();
    doc.incident.title = "# Title | with pipe `code` <script>alert(1)</script>".into();
    doc.incident.summary = "# not a heading\n- not a list\n> not a quote\n[x](javascript:1)".into();
    doc.causes[0].notes = "# heading in notes\n```\nfence\n```\n<img src=x onerror=alert(1)>".into();
    doc.events[0].text = "first line\n## second line *bold* _em_".into();
    doc.actions[0].title = "line one\nline two | with pipe".into();
    doc.actions[0].owner = "Ana | <b>".into();
    doc.participants[0].name = "Eve|Mallory".into();
    let md = markdown::render(&doc, day(2026, 11, 30));

    assert_eq!(
        md.lines().next().unwrap(),
        "# \\# Title \\| with pipe \\`code\\` &lt;script&gt;alert(1)&lt;/script&gt;"
    );
    for raw in ["<script", "<img", "<b>", "```", "[x](javascript"] {
        assert!(!md.contains(raw), "{raw} got through:\n{md}");
    }
    for line in md.lines() {
        for bad in ["# heading in notes", "# not a heading", "- not a list", "## second"] {
            assert!(!line.trim_start().starts_with(bad), "block marker kept: {line}");
        }
    }
    assert!(md.contains("\\# not a heading\\\n\\- not a list\\\n&gt; not a quote\\\n\\[x\\]"));
    assert!(md.contains("\\# heading in notes\\\n\\`\\`\\`\\\nfence"));
    assert!(md.contains("- 13:58 · deploy · first line\\\n  \\## second line \\*bold\\* \\_em\\_"));
    assert!(md.contains("**line one<br>line two \\| with pipe**"), "{md}");
    assert!(md.contains("| Ana \\| &lt;b&gt; |"));
    assert!(md.contains("| Eve\\|Mallory | facilitator |\n"));

    // Every row of every table keeps its number of columns.
    let mut columns = None;
    for line in md.lines() {
        if line.starts_with('|') {
            let n = separators(line);
            assert_eq!(*columns.get_or_insert(n), n, "broken row: {line}");
        } else {
            columns = None;
        }
    }
}

fn action(id: i64, title: &str, details: &str) -> Action {
    Action {
        id,
        incident_id: 1,
        title: title.into(),
        details: details.into(),
        kind: ActionKind::Monitoring,
        status: ActionStatus::Doing,
        owner: "Ana Lima".into(),
        owner_role: Some(Role::ExternalProvider),
        due: Some(day(2026, 12, 5)),
        cause_id: Some(9),
        ticket: "OPS-1".into(),
        priority: 2,
        reason: String::new(),
        version: 1,
    }
}

#[test]
fn csv_has_a_header_and_survives_commas_quotes_and_newlines() {
    let causes = [Cause {
        id: 9,
        incident_id: 1,
        category: CauseCategory::Standard(StandardCause::Overload),
        state: CauseState::Confirmed,
        notes: String::new(),
        evidence: vec![],
        reason: String::new(),
        version: 1,
    }];
    let tricky = "Alert, \"loudly\"\non two lines";
    let mut plain = action(2, "Plain", "");
    plain.owner_role = None;
    plain.due = None;
    plain.cause_id = None;
    plain.priority = 0;
    let text = csv_export::render(&[action(1, tricky, "a;b, \"c\""), plain], &causes).unwrap();
    assert!(text.starts_with("id,kind,title,details,status,owner,role,due,cause,ticket,priority\n"));

    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, csv_export::HEADER);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].iter().collect::<Vec<_>>(),
        [
            "1",
            "monitoring",
            tricky,
            "a;b, \"c\"",
            "doing",
            "Ana Lima",
            "external_provider",
            "2026-12-05",
            "Overload",
            "OPS-1",
            "2"
        ]
    );
    assert_eq!(
        rows[1].iter().collect::<Vec<_>>(),
        [
            "2",
            "monitoring",
            "Plain",
            "",
            "doing",
            "Ana Lima",
            "",
            "",
            "",
            "OPS-1",
            ""
        ]
    );
}

// --- stats -------------------------------------------------------------------------------------

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct Fixture<'a> {
    store: &'a Store,
    id: i64,
}

impl Fixture<'_> {
    fn new<'a>(store: &'a Store, title: &str, zone: &str, start: DateTime<Utc>) -> Fixture<'a> {
        let id = store
            .create_incident(&NewIncident {
                title: title.into(),
                severity: Severity::Sev2,
                zone: zone.into(),
                started_at: Some(start),
            })
            .unwrap();
        Fixture { store, id }
    }
    fn milestone(&self, m: Milestone, at: DateTime<Utc>) -> &Self {
        let new = NewEvent {
            at,
            kind: EventKind::Observation,
            text: m.label().into(),
            milestone: Some(m),
            source: Source::Typed,
            author: None,
        };
        self.store.add_event(self.id, &new).unwrap();
        self
    }
    fn cause(&self, category: StandardCause, state: CauseState) -> &Self {
        let c = self.store.causes(self.id).unwrap();
        let wanted = CauseCategory::Standard(category);
        let c = c.iter().find(|c| c.category == wanted).unwrap();
        self.store.set_cause_state(c.id, c.version, state).unwrap();
        self
    }
    fn custom(&self, name: &str, state: CauseState) -> &Self {
        let id = self.store.add_custom_cause(self.id, name).unwrap();
        let c = self.store.cause(id).unwrap();
        self.store.set_cause_state(id, c.version, state).unwrap();
        self
    }
    fn action(&self, owner: &str, due: Option<NaiveDate>, status: ActionStatus) -> &Self {
        let mut new = NewAction::titled("do it", ActionKind::Fix);
        new.owner = owner.into();
        new.due = due;
        let id = self.store.add_action(self.id, &new).unwrap();
        if status != ActionStatus::Todo {
            let a = self.store.action(id).unwrap();
            self.store.set_action_status(id, a.version, status).unwrap();
        }
        self
    }
}

/// Four incidents; the fourth starts on 2026-11-30 in UTC but on 2026-12-01 in Berlin.
fn fixture(store: &Store) {
    use CauseState::*;
    use Milestone::*;
    use StandardCause::*;
    let a = utc(2026, 10, 5, 10, 0);
    Fixture::new(store, "Checkout down", "UTC", a)
        .milestone(Detected, a + Duration::minutes(10))
        .milestone(Resolved, a + Duration::hours(2))
        .cause(Overload, Confirmed)
        .cause(ThirdParty, Confirmed)
        .action("Ana", Some(day(2026, 10, 20)), ActionStatus::Todo)
        .action("Ana", Some(day(2026, 11, 10)), ActionStatus::Doing)
        .action("Ben", Some(day(2026, 10, 1)), ActionStatus::Done);
    let b = utc(2026, 10, 12, 8, 0);
    Fixture::new(store, "DNS outage", "UTC", b)
        .milestone(Detected, b + Duration::minutes(30))
        .milestone(Resolved, b + Duration::hours(5))
        .cause(Overload, Confirmed)
        .custom("DNS", Confirmed)
        .custom("dns cache", Suspected)
        .action("Ben", Some(day(2026, 10, 30)), ActionStatus::Todo)
        .action("", None, ActionStatus::Todo);
    let c = utc(2026, 10, 20, 12, 0);
    Fixture::new(store, "Slow search", "UTC", c)
        .milestone(Detected, c + Duration::minutes(20))
        .cause(Overload, Suspected)
        .action("Ana", Some(day(2026, 10, 25)), ActionStatus::Todo);
    let d = utc(2026, 11, 30, 23, 30);
    Fixture::new(store, "Late night", "Europe/Berlin", d)
        .milestone(Detected, d + Duration::minutes(1))
        .milestone(Resolved, d + Duration::hours(1))
        .cause(Overload, Confirmed)
        .action("Cy", Some(day(2026, 11, 15)), ActionStatus::Todo);
}

fn confirmed(s: &stats::Stats, label: &str) -> usize {
    s.causes.iter().find(|c| c.label == label).unwrap().confirmed
}

#[test]
fn stats_over_a_period() {
    let store = Store::open_in_memory("tester").unwrap();
    fixture(&store);
    let facts = stats::gather(&store).unwrap();
    let today = day(2026, 11, 1);

    let october = Period {
        from: Some(day(2026, 10, 1)),
        to: Some(day(2026, 11, 30)),
    };
    let s = stats::compute(&facts, october, today);
    assert_eq!(s.incidents, 3, "the Berlin incident is on 2026-12-01");
    assert_eq!(confirmed(&s, "Overload"), 2);
    assert_eq!(confirmed(&s, "Third-party system"), 1);
    assert_eq!(confirmed(&s, "DNS"), 1);
    assert_eq!(confirmed(&s, "Software update"), 0);
    assert!(s.causes.iter().all(|c| c.label != "dns cache"));
    assert_eq!(s.causes[0].label, "Overload", "most often confirmed first");

    let rows: Vec<_> = s
        .durations
        .iter()
        .map(|d| (d.title.as_str(), d.day, d.ttd_seconds, d.ttr_seconds))
        .collect();
    assert_eq!(
        rows,
        [
            ("Checkout down", day(2026, 10, 5), Some(600), Some(7200)),
            ("DNS outage", day(2026, 10, 12), Some(1800), Some(18000)),
            ("Slow search", day(2026, 10, 20), Some(1200), None),
        ]
    );
    assert_eq!(s.time_to_detect.count, 3);
    assert_eq!(s.time_to_detect.median_seconds, Some(1200));
    assert_eq!(s.time_to_detect.mean_seconds, Some(1200));
    assert_eq!(s.time_to_resolve.count, 2);
    assert_eq!(s.time_to_resolve.median_seconds, Some(12600));
    assert_eq!(s.time_to_resolve.mean_seconds, Some(12600));

    let owners: Vec<_> = s.owners.iter().map(|o| (o.owner.as_str(), o.open, o.overdue)).collect();
    assert_eq!(owners, [("Ana", 3, 2), ("Ben", 1, 1), ("", 1, 0)]);

    let all = stats::compute(&facts, Period::default(), today);
    assert_eq!(all.incidents, 4);
    assert_eq!(confirmed(&all, "Overload"), 3);
    assert_eq!(all.durations.last().unwrap().day, day(2026, 12, 1));
    assert_eq!(all.time_to_detect.median_seconds, Some(900));
    assert!(
        all.owners
            .iter()
            .any(|o| o.owner == "Cy" && o.open == 1 && o.overdue == 0)
    );

    let none = stats::compute(
        &facts,
        Period {
            from: Some(day(2027, 1, 1)),
            to: None,
        },
        today,
    );
    assert_eq!(none.incidents, 0);
    assert!(none.owners.is_empty() && none.durations.is_empty());

    let mut text = Vec::new();
    stats::write_text(&s, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(text.starts_with("3 incidents, 2026-10-01 to 2026-11-30\n"), "{text}");
    assert!(text.contains("median 20m · mean 20m · over 3 incidents"), "{text}");
    assert!(
        text.contains("median 3h 30m · mean 3h 30m · over 2 incidents"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("  Ana ") && l.contains('█')),
        "{text}"
    );
    assert!(text.lines().all(|l| l == l.trim_end()), "no trailing spaces");
}

// --- the binary ----------------------------------------------------------------------------------

fn debrief(db: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_debrief"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("DEBRIEF_DB")
        .env("DEBRIEF_AUTHOR", "tester")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn ok(db: &std::path::Path, args: &[&str]) -> String {
    let out = debrief(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn cli_stats_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    fixture(&Store::open(&db, "tester").unwrap());
    let out = ok(&db, &["stats", "--json", "--from", "2026-10-01", "--to", "2026-11-30"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["incidents"], 3);
    assert_eq!(v["period"]["from"], "2026-10-01");
    let ttd: Vec<_> = v["durations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ttd_seconds"].as_i64())
        .collect();
    assert_eq!(ttd, [Some(600), Some(1800), Some(1200)]);
    assert_eq!(v["time_to_resolve"]["median_seconds"], 12600);
    let overload = v["causes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "overload")
        .unwrap();
    assert_eq!(overload["confirmed"], 2);
    // Ana's due dates (2026-10-20, 2026-10-25, 2026-11-10) have all passed by now.
    assert_eq!(v["owners"][0]["owner"], "Ana");
    assert_eq!(v["owners"][0]["open"], 3);
    assert_eq!(v["owners"][0]["overdue"], 3);

    let text = ok(&db, &["stats"]);
    assert!(text.starts_with("4 incidents, all dates"), "{text}");

    let bad = debrief(&db, &["stats", "--from", "2026-12-01", "--to", "2026-11-01"]);
    assert_eq!(bad.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&bad.stderr).trim(),
        "debrief: --from 2026-12-01 is after --to 2026-11-01"
    );
    let bad = debrief(&db, &["stats", "--from", "last week"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a date like 2026-11-26"));
}

#[test]
fn cli_export_md_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    assert_eq!(ok(&db, &["demo"]).trim(), "1");

    let file = dir.path().join("postmortem.md");
    let printed = ok(&db, &["export", "1", "--format", "md", "-o", file.to_str().unwrap()]);
    assert_eq!(printed, "", "with -o nothing goes to standard output");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("# Checkout payments failing"), "{written}");
    assert!(written.contains("## Timeline"));
    assert_eq!(written, ok(&db, &["export", "1", "--format", "md"]));
    assert_eq!(written, ok(&db, &["export", "1"]), "md is the default");

    let csv = ok(&db, &["export", "1", "--format", "csv"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("id,kind,title,details,status,owner,role,due,cause,ticket,priority")
    );
    assert_eq!(lines.count(), 8);

    for format in ["md", "csv", "json"] {
        let out = debrief(&db, &["export", "42", "--format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "debrief: unknown incident 42\n",
            "{format}"
        );
    }
    let target = dir.path().join("missing.md");
    let out = debrief(&db, &["export", "42", "-o", target.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!target.exists(), "no file for an unknown incident");
}

/// `export --format json|md` stream the events from the database; their text is the one the
/// whole document renders to, for the team and for outsiders (internal events left out, also from
/// the causes' evidence, values masked), with hostile text and an import key in it.
#[test]
fn the_streamed_json_and_markdown_exports_are_the_document_rendered_whole() {
    use debrief::export::audience::{self, Audience};
    use debrief::export::json;
    let store = Store::open_in_memory("ana").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    let events = store.all_events(id).unwrap();
    let causes = store.causes(id).unwrap();
    // The second event internal and evidence of the first cause, with the last one.
    let second = &events[1];
    store.set_event_internal(second.id, second.version, true).unwrap();
    store.toggle_evidence(causes[0].id, second.id).unwrap();
    store.toggle_evidence(causes[0].id, events.last().unwrap().id).unwrap();
    store
        .add_event(
            id,
            &NewEvent {
                at: events[0].at,
                kind: EventKind::Note,
                text: "mail ana@example.com \u{1b}[31mred\u{202e} \"quoted\"\nsecond line".into(),
                milestone: None,
                source: Source::Typed,
                author: None,
            },
        )
        .unwrap();
    store
        .import_events(
            id,
            "api.log",
            |sink: &mut dyn FnMut(NewEvent, &str) -> Result<(), debrief::store::StoreError>| {
                sink(
                    NewEvent {
                        at: events[2].at,
                        kind: EventKind::Observation,
                        text: "imported line".into(),
                        milestone: None,
                        source: Source::Imported("api.log".into()),
                        author: None,
                    },
                    "123:abc",
                )
            },
        )
        .unwrap();
    for who in [Audience::Internal, Audience::External] {
        let mut doc = store.export_document(id).unwrap();
        let left = (who == Audience::External).then(|| audience::external(&mut doc));
        let mut streamed = Vec::new();
        let streamed_left = json::write_streamed(&store, id, who, &mut streamed).unwrap();
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            json::render(&doc).unwrap(),
            "{who:?}"
        );
        assert_eq!(streamed_left, left, "{who:?}");
        // The Markdown likewise, with the curated timeline (a key event) and its appendix.
        let today = day(2026, 11, 30);
        let mut md = Vec::new();
        let md_left = debrief::export::write_postmortem(&store, id, today, who, &mut md).unwrap();
        assert_eq!(String::from_utf8(md).unwrap(), markdown::render(&doc, today), "{who:?}");
        assert_eq!(md_left, left, "{who:?}");
    }
    assert!(
        store.all_events(id).unwrap().iter().any(|e| e.key),
        "the demo has key events: the Markdown above had its appendix"
    );
    // An incident without events: an empty array, as the whole document writes it.
    let empty = store
        .create_incident(&NewIncident {
            title: "empty".into(),
            severity: debrief::model::Severity::Sev3,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let mut streamed = Vec::new();
    json::write_streamed(&store, empty, Audience::Internal, &mut streamed).unwrap();
    let whole = json::render(&store.export_document(empty).unwrap()).unwrap();
    assert_eq!(String::from_utf8(streamed).unwrap(), whole);
    assert!(whole.contains("\"events\": []"), "{whole}");
    let mut md = Vec::new();
    debrief::export::write_postmortem(&store, empty, day(2026, 11, 30), Audience::Internal, &mut md).unwrap();
    let md = String::from_utf8(md).unwrap();
    assert_eq!(
        md,
        markdown::render(&store.export_document(empty).unwrap(), day(2026, 11, 30))
    );
    assert!(md.contains("*No events recorded.*"), "{md}");
}
