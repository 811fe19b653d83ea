//! Speed at 100,000 events: drawing the review screen, importing a log, searching.
//! Run with `cargo bench --bench scale`; figures go in the README's Performance section.

use chrono::{Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use debrief::import as importer;
use debrief::import::formats::Format;
use debrief::model::EventKind;
use debrief::model::time::TimeContext;
use debrief::store::{EventFilter, NewIncident, Store};
use debrief::tui::app::{App, Clock};
use debrief::tui::keymap::KeyMap;
use debrief::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::hint::black_box;
use std::path::Path;

const EVENTS: usize = 100_000;

/// 100,000 log lines of a long incident, one every two seconds, a few words each.
fn log_text() -> String {
    let start = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
    let words = [
        "upstream", "timeout", "payment", "retry", "pool", "database", "latency", "failover",
    ];
    let mut s = String::with_capacity(EVENTS * 80);
    for i in 0..EVENTS {
        let t = start + Duration::seconds(2 * i as i64);
        let w = words[i % words.len()];
        let w2 = words[(i / 7) % words.len()];
        s.push_str(&format!(
            "{} api-{} worker[{}]: {w} {w2} event {i}\n",
            t.format("%Y-%m-%dT%H:%M:%SZ"),
            i % 5,
            i % 97
        ));
    }
    s
}

fn new_store(path: &Path) -> (Store, i64) {
    let store = Store::open(path, "bench").unwrap();
    let id = store
        .create_incident(&NewIncident {
            title: "long incident".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    (store, id)
}

fn ctx() -> TimeContext {
    TimeContext {
        zone: chrono_tz::UTC,
        now: Utc::now(),
        anchor: None,
        span: None,
    }
}

fn job(id: i64) -> importer::Job {
    importer::Job {
        incident: id,
        name: "bench.log".into(),
        label: "bench.log".into(),
        format: Format::Log,
        fields: Default::default(),
        kind: EventKind::Observation,
        min_level: None,
        kinds: Default::default(),
        slack: None,
    }
}

/// The import the CLI and the console run.
fn import_all(store: &Store, id: i64, text: &str) -> usize {
    let (_, outcome) = importer::import(store, &job(id), text.as_bytes(), &ctx(), None).unwrap();
    outcome.inserted
}

fn bench_import(c: &mut Criterion) {
    let text = log_text();
    let mut g = c.benchmark_group("import");
    g.sample_size(10);
    g.bench_function("100k log lines into a new database", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let (store, id) = new_store(&dir.path().join("b.db"));
                (dir, store, id)
            },
            |(_dir, store, id)| assert_eq!(import_all(&store, id, &text), EVENTS),
            BatchSize::PerIteration,
        )
    });
    // The console's preview: the whole file read, each event looked up, nothing written.
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = new_store(&dir.path().join("p.db"));
    g.bench_function("preview of 100k log lines (nothing imported yet)", |b| {
        b.iter(|| {
            let p = importer::preview(&store, &job(id), text.as_bytes(), &ctx(), 6).unwrap();
            assert_eq!(p.new, EVENTS);
        })
    });
    import_all(&store, id, &text);
    g.bench_function("preview of 100k log lines (all already imported)", |b| {
        b.iter(|| {
            let p = importer::preview(&store, &job(id), text.as_bytes(), &ctx(), 6).unwrap();
            assert_eq!(p.new, 0);
        })
    });
    g.finish();
}

fn big_app() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let (store, id) = new_store(&dir.path().join("big.db"));
    import_all(&store, id, &log_text());
    let mut app = App::new(store, KeyMap::default_map(), Theme::dark(), Clock::Fixed(Utc::now()));
    app.open_incident(id).unwrap();
    (dir, app)
}

fn draw(app: &mut App, t: &mut Terminal<TestBackend>) {
    t.draw(|f| {
        app.prepare(f.area());
        f.render_widget(&*app, f.area());
    })
    .unwrap();
}

fn bench_render(c: &mut Criterion) {
    let (_dir, mut app) = big_app();
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    let mut g = c.benchmark_group("render review 200x50, 100k events");
    g.bench_function("frame at the top", |b| b.iter(|| draw(&mut app, &mut t)));
    app.press(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
    g.bench_function("frame at the bottom", |b| b.iter(|| draw(&mut app, &mut t)));
    g.bench_function("page down + frame", |b| {
        b.iter(|| {
            app.press(KeyEvent::new(KeyCode::Char('g'), KeyModifiers::NONE));
            app.press(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
            draw(&mut app, &mut t)
        })
    });
    g.bench_function("reload after another session's change + frame", |b| {
        b.iter(|| {
            app.reload();
            draw(&mut app, &mut t)
        })
    });
    g.finish();
}

fn bench_search(c: &mut Criterion) {
    let (_dir, app) = big_app();
    let store = &app.store;
    let id = 1;
    let all = EventFilter::default();
    let mut g = c.benchmark_group("search 100k events");
    g.bench_function("count matches of two words", |b| {
        b.iter(|| black_box(store.count_matches(id, &all, "failover timeout").unwrap()))
    });
    let middle = store.events_window(id, &all, 50_000, 1).unwrap()[0].id;
    g.bench_function("next match from the middle", |b| {
        b.iter(|| black_box(store.next_match(id, &all, "failover", Some(middle), true).unwrap()))
    });
    g.bench_function("filtered count (text filter)", |b| {
        let f = EventFilter {
            kinds: vec![],
            text: Some("database latency".into()),
            ..Default::default()
        };
        b.iter(|| black_box(store.count_events(id, &f).unwrap()))
    });
    g.finish();
}

/// The coverage check of a loaded review with 100k confirmed custom causes and 50k actions (it
/// was quadratic: 40 s in `debrief check`): the store's rows as `check` reads them, and the
/// document as `export` reads it.
fn bench_gaps(c: &mut Criterion) {
    use debrief::model::document::{DocAction, DocCause};
    use debrief::model::{ActionKind, ActionStatus, CauseState, coverage};
    let mut doc = debrief::demo::demo_document().unwrap();
    doc.causes = (1..=100_000)
        .map(|i| DocCause {
            reference: i,
            category: format!("custom:cause {i}"),
            state: CauseState::Confirmed,
            notes: String::new(),
            evidence: vec![],
            reason: String::new(),
        })
        .collect();
    doc.actions = (1..=50_000)
        .map(|i: i64| DocAction {
            title: format!("action {i}"),
            details: String::new(),
            kind: if i % 2 == 0 {
                ActionKind::Fix
            } else {
                ActionKind::Monitoring
            },
            status: ActionStatus::Todo,
            owner: "Ana".into(),
            owner_role: None,
            due: None,
            cause: Some((i + 1) / 2),
            ticket: String::new(),
            priority: 0,
            reason: String::new(),
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("g.db"), "bench").unwrap();
    let id = store.load_document(&doc).unwrap();
    let mut g = c.benchmark_group("gaps of 100k confirmed causes, 50k actions");
    g.sample_size(10);
    // Each confirmed cause lacks one kind of action; each action lacks a due date.
    let want = coverage::document_gaps(&doc).len();
    assert!(want >= 2 * 75_000 + 50_000, "{want}");
    g.bench_function("check: the incident's rows from the store, then gaps", |b| {
        b.iter(|| assert_eq!(store.gaps(id).unwrap().len(), want))
    });
    g.bench_function("export: gaps of the document", |b| {
        b.iter(|| black_box(coverage::document_gaps(&doc)))
    });
    let mut app = App::new(store, KeyMap::default_map(), Theme::dark(), Clock::Fixed(Utc::now()));
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    g.bench_function("console: open the review and draw its first frame", |b| {
        b.iter(|| {
            app.open_incident(id).unwrap();
            draw(&mut app, &mut t)
        })
    });
    g.finish();
}

criterion_group!(benches, bench_render, bench_search, bench_import, bench_gaps);
criterion_main!(benches);
