//! The console on the wire and on the terminal as it is (#17 sections 1 and 2): an idle console
//! writes nothing, the mouse reports buttons only, Ctrl-L repaints everything, presence is
//! written rarely and read with its 30 s and 5 min rules, and a terminal that cannot show the
//! console (TERM=dumb) or shows only ASCII gets what it can show.

use crate::support::console::{app_at, now};
use crate::support::pty::{Console, Workspace, find};
use chrono::{DateTime, Utc};
use debrief::store::Store;
use debrief::tui::app::{App, Clock};
use debrief::tui::caps::Charset;
use debrief::tui::console;
use debrief::tui::screens::review::Pane;
use debrief::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseEvent, MouseEventKind};
use std::time::Duration;

/// A demo incident with 80 more events, so that lists scroll at 160x45 too.
fn seeded() -> Workspace {
    let ws = Workspace::new();
    ws.run_ok("setup", &["demo"]);
    let lines: String = (0..80)
        .map(|i| {
            format!(
                "2026-11-29 18:{:02}:{:02} worker-{i} health check passed\n",
                i / 2,
                (i % 2) * 30
            )
        })
        .collect();
    let file = ws.dir.path().join("extra.log");
    std::fs::write(&file, lines).unwrap();
    ws.run_ok(
        "setup",
        &["import", "-i", "1", "--format", "log", file.to_str().unwrap()],
    );
    ws
}

const TITLE: &str = "Checkout payments failing";

/// The test: two consoles open on one database, each idle, write 0 bytes over 25 s
/// (their heartbeats change the database every 10 s; what they draw does not change), and
/// neither asks for any-motion mouse reports.
#[test]
fn two_idle_consoles_write_nothing_for_25_seconds() {
    let ws = seeded();
    let ana = Console::spawn(ws.debrief("ana", &["open", "1"]));
    let ben = Console::spawn(ws.debrief("ben", &["open", "1"]));
    ana.wait_for(TITLE);
    ana.wait_for("also here: ben");
    ben.wait_for("also here: ana");
    let before = [
        ana.settle(Duration::from_millis(1500), Duration::from_secs(10)),
        ben.written(),
    ];
    std::thread::sleep(Duration::from_secs(25));
    let after = [ana.written(), ben.written()];
    for (name, c, b, a) in [("ana", &ana, before[0], after[0]), ("ben", &ben, before[1], after[1])] {
        let raw = c.raw();
        assert_eq!(
            a - b,
            0,
            "{name}'s idle console wrote {} bytes in 25 s: {:?}",
            a - b,
            String::from_utf8_lossy(&raw[b..(b + 200).min(raw.len())])
        );
        assert!(
            find(&raw, b"\x1b[?1003h").is_none(),
            "any-motion mouse reporting asked for"
        );
        assert!(find(&raw, b"\x1b[?1002h").is_none(), "drag reporting asked for");
        assert!(find(&raw, b"\x1b[?1000h\x1b[?1006h").is_some(), "button reporting, SGR");
    }
    // Both are still there for each other: heartbeats went on while nothing was drawn.
    assert!(ana.screen_text().contains("also here: ben"));
}

/// Ctrl-L through the real binary: the screen is cleared and every line drawn again.
#[test]
fn ctrl_l_clears_and_repaints_from_a_pty() {
    let ws = seeded();
    let mut c = Console::spawn(ws.debrief("ana", &["open", "1"]));
    c.wait_for(TITLE);
    let start = c.settle(Duration::from_millis(300), Duration::from_secs(10));
    c.send("\x0c");
    let end = c.settle(Duration::from_millis(300), Duration::from_secs(10));
    let raw = c.raw();
    let repaint = &raw[start..end];
    assert!(find(repaint, b"\x1b[2J").is_some(), "the screen is cleared");
    assert!(find(repaint, TITLE.as_bytes()).is_some(), "and the title drawn again");
    assert!(repaint.len() > 1000, "a whole screen: {} bytes", repaint.len());
    c.send("\x03");
    c.wait_exit(Duration::from_secs(5)).expect("ctrl-c quits");
    crate::support::pty::assert_restored(&c.raw());
}

fn ctrl_l() -> Event {
    Event::Key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL))
}

fn screen_of(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// What another program wrote over the console stays until Ctrl-L, which clears the screen and
/// draws every cell again (a ratatui frame alone only draws what it changed).
#[test]
fn ctrl_l_repaints_over_what_another_program_wrote() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    app.open_incident(id).unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    console::draw(&mut t, &mut app).unwrap();
    let clean = screen_of(&t);
    // Another program writes to the terminal.
    let wall: Vec<ratatui::buffer::Cell> = "WALL: system going down"
        .chars()
        .map(|ch| {
            let mut cell = ratatui::buffer::Cell::default();
            cell.set_char(ch);
            cell
        })
        .collect();
    ratatui::backend::Backend::draw(
        t.backend_mut(),
        wall.iter().enumerate().map(|(i, cell)| (3 + i as u16, 5, cell)),
    )
    .unwrap();
    console::draw(&mut t, &mut app).unwrap();
    assert!(screen_of(&t).contains("WALL"), "an unchanged frame draws nothing");
    let frames = app.painted.frames();
    app.handle_event(ctrl_l());
    console::draw(&mut t, &mut app).unwrap();
    assert_eq!(app.painted.frames(), frames + 1);
    assert_eq!(screen_of(&t), clean);
}

/// Nothing changed, nothing drawn: the frame counter stays, however often the loop draws.
#[test]
fn an_unchanged_frame_is_not_sent_and_a_changed_one_is() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    app.open_incident(id).unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    console::draw(&mut t, &mut app).unwrap();
    for _ in 0..5 {
        app.tick();
        console::draw(&mut t, &mut app).unwrap();
    }
    assert_eq!(app.painted.frames(), 1);
    app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
    console::draw(&mut t, &mut app).unwrap();
    assert_eq!(app.painted.frames(), 2);
    t.backend_mut().resize(100, 30);
    console::draw(&mut t, &mut app).unwrap();
    assert_eq!(app.painted.frames(), 3, "a resize draws");
    // Back and forth between two looks: the terminal may have cut what it showed.
    app.handle_event(Event::Resize(100, 30));
    console::draw(&mut t, &mut app).unwrap();
    assert_eq!(app.painted.frames(), 4, "a resize event repaints even at the same size");
}

/// In meeting mode the clock's seconds show: one frame a second, however often the loop looks.
#[test]
fn the_meeting_clock_draws_once_a_second() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = store
        .load_document(&debrief::demo::demo_before_the_review().unwrap())
        .unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    app.open_incident(id).unwrap();
    app.set_meeting_mode(true);
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    console::draw(&mut t, &mut app).unwrap();
    let first = app.painted.frames();
    // Ten seconds in quarter-second ticks.
    for quarter in 1..=40 {
        app.clock = Clock::Fixed(now() + chrono::Duration::milliseconds(250 * quarter));
        app.tick();
        console::draw(&mut t, &mut app).unwrap();
    }
    assert_eq!(app.painted.frames() - first, 10);
}

/// TERM=dumb, or no TERM: a message that names the shell commands, status 1, nothing written
/// to standard output, no database created.
#[test]
fn a_dumb_terminal_is_told_to_use_the_shell_commands() {
    let ws = Workspace::new();
    for term in [Some("dumb"), Some(""), None] {
        let mut cmd = std::process::Command::new(crate::support::pty::bin());
        cmd.arg("--db").arg(&ws.db).args(["open", "1"]);
        cmd.env("DEBRIEF_CONFIG", ws.config()).env_remove("DEBRIEF_DB");
        match term {
            Some(t) => cmd.env("TERM", t),
            None => cmd.env_remove("TERM"),
        };
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{term:?}: {err}");
        assert!(out.stdout.is_empty(), "{term:?}: nothing on stdout");
        assert!(err.contains("needs a full-screen terminal"), "{term:?}: {err}");
        assert!(
            err.contains("`debrief show ID`") && err.contains("`debrief log"),
            "{err}"
        );
        assert!(!ws.db.exists(), "{term:?}: no database created");
    }
}

/// An ASCII terminal (vt100, linux, a C locale, `--ascii`) gets the review at 80x24 in ASCII:
/// borders `+-|`, markers `>`, separators `*`.
#[test]
fn the_review_in_ascii_at_80x24() {
    let store = Store::open_in_memory("ana").unwrap();
    // The demo as written (load_demo moves it to yesterday: the snapshot would change daily).
    let id = store.load_document(&debrief::demo::demo_document().unwrap()).unwrap();
    let mut app = app_at(store, Theme::mono(), now());
    app.caps.charset = Charset::Ascii;
    app.open_incident(id).unwrap();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    console::draw(&mut t, &mut app).unwrap();
    let text = screen_of(&t);
    assert!(text.is_ascii(), "{text}");
    assert!(text.contains("+-"), "ASCII borders:\n{text}");
    insta::assert_snapshot!(text);
}

// Presence, on a fixed clock.

fn at(secs: i64) -> DateTime<Utc> {
    now() + chrono::Duration::seconds(secs)
}

fn console_on(path: &std::path::Path, author: &str, id: i64, clock: DateTime<Utc>) -> App {
    let store = Store::open(path, author).unwrap();
    let mut app = app_at(store, Theme::dark(), clock);
    app.open_incident(id).unwrap();
    app
}

fn incident_file() -> (tempfile::TempDir, std::path::PathBuf, i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.db");
    let store = Store::open(&path, "setup").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    (dir, path, id)
}

fn here(app: &App) -> Vec<String> {
    match &app.screen {
        debrief::tui::app::Screen::Review(r) => r.presence.clone(),
        _ => panic!("not on a review"),
    }
}

/// At most one presence write in 10 s, however many ticks and keys come.
#[test]
fn a_console_writes_its_presence_at_most_once_in_10_seconds() {
    let (_dir, path, id) = incident_file();
    let mut app = console_on(&path, "ana", id, at(0));
    let start = app.store.commits();
    for s in 0..60 {
        for _ in 0..4 {
            app.clock = Clock::Fixed(at(s));
            if s % 3 == 0 {
                app.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
            }
            app.tick();
        }
    }
    assert_eq!(app.store.commits() - start, 6, "one write at 0, 10, …, 50 s");
    // A clock set back still writes (not never again), and still only once.
    app.clock = Clock::Fixed(at(-100));
    app.tick();
    app.tick();
    assert_eq!(app.store.commits() - start, 7);
}

/// A console that stops (killed: no goodbye) is gone for the others after 30 s; one whose user
/// has pressed nothing for 5 minutes shows as idle.
#[test]
fn presence_forgets_the_killed_and_marks_the_idle() {
    let (_dir, path, id) = incident_file();
    let mut ana = console_on(&path, "ana", id, at(0));
    ana.tick();
    let mut ben = console_on(&path, "ben", id, at(0));
    ben.tick();
    assert_eq!(here(&ben), ["ana"]);
    // Ana's console is killed: it writes nothing more.
    std::mem::forget(ana);
    ben.clock = Clock::Fixed(at(29));
    ben.tick();
    assert_eq!(here(&ben), ["ana"], "still within 30 s");
    ben.clock = Clock::Fixed(at(31));
    ben.tick();
    assert!(here(&ben).is_empty(), "gone after 30 s: {:?}", here(&ben));

    // Carl opens it and presses nothing; his console keeps writing its heartbeat.
    let mut carl = console_on(&path, "carl", id, at(31));
    for s in (31..=31 + 300).step_by(5) {
        carl.clock = Clock::Fixed(at(s));
        carl.tick();
        ben.clock = Clock::Fixed(at(s));
        ben.tick();
    }
    assert_eq!(here(&ben), ["carl (idle)"]);
    // A key brings him back at his next heartbeat.
    carl.handle_event(Event::Key(KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE)));
    for s in [340, 350] {
        carl.clock = Clock::Fixed(at(s));
        carl.tick();
    }
    ben.clock = Clock::Fixed(at(350));
    ben.tick();
    assert_eq!(here(&ben), ["carl"]);
}

/// Another console's heartbeat changes the database (and `data_version`) but nothing this
/// console draws: no frame.
#[test]
fn a_heartbeat_that_changes_nothing_drawn_draws_nothing() {
    let (_dir, path, id) = incident_file();
    let mut ana = console_on(&path, "ana", id, at(0));
    let mut ben = console_on(&path, "ben", id, at(0));
    ana.tick();
    ben.tick();
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    console::draw(&mut t, &mut ben).unwrap();
    let frames = ben.painted.frames();
    for s in [10, 20, 30] {
        ana.clock = Clock::Fixed(at(s));
        let version = ana.store.data_version().unwrap();
        ana.tick();
        assert_eq!(
            ana.store.data_version().unwrap(),
            version,
            "own writes keep its own version"
        );
        ben.clock = Clock::Fixed(at(s));
        ben.tick();
        console::draw(&mut t, &mut ben).unwrap();
    }
    assert_eq!(ben.painted.frames(), frames, "no frame for heartbeats");
}

/// The wheel moves the selection of the list under the pointer (and focuses its pane).
#[test]
fn the_wheel_scrolls_the_list_under_it() {
    let store = Store::open_in_memory("ana").unwrap();
    let id = debrief::demo::load_demo(&store).unwrap();
    let mut app = app_at(store, Theme::dark(), now());
    app.open_incident(id).unwrap();
    let mut t = Terminal::new(TestBackend::new(160, 45)).unwrap();
    console::draw(&mut t, &mut app).unwrap();
    let area = |app: &App, pane: Pane| match &app.screen {
        debrief::tui::app::Screen::Review(r) => r.pane_areas.iter().find(|(p, _)| *p == pane).unwrap().1,
        _ => unreachable!(),
    };
    let (timeline, causes) = (area(&app, Pane::Timeline), area(&app, Pane::Causes));
    let mut selected = |app: &mut App| {
        console::draw(&mut t, app).unwrap();
        match &app.screen {
            debrief::tui::app::Screen::Review(r) => (r.focus, r.timeline.selected_event().map(|e| e.id), r.cause_sel),
            _ => unreachable!(),
        }
    };
    let wheel = |kind, rect: ratatui::layout::Rect| {
        Event::Mouse(MouseEvent {
            kind,
            column: rect.x + 2,
            row: rect.y + 2,
            modifiers: KeyModifiers::NONE,
        })
    };
    let (_, first, _) = selected(&mut app);
    app.handle_event(wheel(MouseEventKind::ScrollDown, timeline));
    app.handle_event(wheel(MouseEventKind::ScrollDown, timeline));
    let (focus, second, _) = selected(&mut app);
    assert_eq!(focus, Pane::Timeline);
    assert_ne!(first, second, "the timeline moved");
    app.handle_event(wheel(MouseEventKind::ScrollUp, timeline));
    assert_ne!(selected(&mut app).1, second, "and back up");
    app.handle_event(wheel(MouseEventKind::ScrollDown, causes));
    let (focus, _, cause) = selected(&mut app);
    assert_eq!(focus, Pane::Causes);
    assert_eq!(cause, 1, "the cause list moved");
    // A mouse movement or a drag does nothing (nor are they asked for).
    app.handle_event(wheel(MouseEventKind::Moved, timeline));
    assert_eq!(selected(&mut app).0, Pane::Causes);
}

/// Bytes a key press costs through a pty, with the real binary: `cargo test --test it
/// wire::bytes_per_key_press -- --ignored --nocapture` prints the README's table.
#[test]
#[ignore = "a measurement: prints the README's table"]
fn bytes_per_key_press() {
    let ws = seeded();
    println!("| terminal | down in place | down that scrolls | page down | pane switch (Tab) |");
    println!("|---|---|---|---|---|");
    for (cols, rows) in [(80u16, 24u16), (160, 45)] {
        let c = Console::spawn_sized(ws.debrief("ana", &["open", "1"]), rows, cols);
        c.wait_for(TITLE);
        let mut c = c;
        let press = |c: &mut Console, keys: &str| press_and_count(c, keys);
        press(&mut c, "g");
        let (in_place, _) = press(&mut c, "j");
        let mut scrolling = None;
        for _ in 0..(rows * 2) {
            let (bytes, changed) = press(&mut c, "j");
            if changed > 4 {
                scrolling = Some(bytes);
                let (again, _) = press(&mut c, "j");
                scrolling = Some(scrolling.unwrap().max(again));
                break;
            }
        }
        let (page, _) = press(&mut c, "\x1b[6~");
        let (tab, _) = press(&mut c, "\t");
        println!(
            "| {cols}x{rows} | {in_place} B | {} | {page} B | {tab} B |",
            scrolling.map(|b| format!("{b} B")).unwrap_or("–".into())
        );
    }
}

/// Presses `keys` once the output is quiet; the bytes written for it, and how many lines of the
/// screen changed.
fn press_and_count(c: &mut Console, keys: &str) -> (usize, usize) {
    let quiet = Duration::from_millis(250);
    let limit = Duration::from_secs(10);
    let before = c.settle(quiet, limit);
    let screen = c.screen_text();
    c.send(keys);
    let after = c.settle(quiet, limit);
    let now = c.screen_text();
    let changed = screen.lines().zip(now.lines()).filter(|(a, b)| a != b).count();
    (after - before, changed)
}

/// The real binary on the terminals of the issue: what each one gets on the wire.
#[test]
fn each_terminal_gets_what_it_can_show() {
    let ws = seeded();
    let run = |term: &str, lang: &str, args: &[&str]| {
        let mut all = vec!["open", "1"];
        all.extend_from_slice(args);
        let mut cmd = ws.debrief("ana", &all);
        cmd.env("TERM", term);
        cmd.env("LANG", lang);
        let mut c = Console::spawn(cmd);
        c.wait_for("Timeline");
        c.settle(Duration::from_millis(300), Duration::from_secs(10));
        c.send("\x03");
        c.wait_exit(Duration::from_secs(5)).expect("ctrl-c quits");
        c.drain(Duration::from_secs(2));
        let raw = c.raw();
        crate::support::pty::assert_restored_but_mouse(&raw);
        (String::from_utf8_lossy(&raw).into_owned(), raw)
    };
    let mouse = |raw: &[u8]| find(raw, b"\x1b[?1000h").is_some();
    let boxes = |text: &str| text.contains('│') || text.contains('┃') || text.contains('═');

    let (text, raw) = run("xterm-256color", "C.UTF-8", &[]);
    assert!(boxes(&text) && mouse(&raw) && text.contains("\x1b[38;5;"));

    let (text, raw) = run("vt100", "C.UTF-8", &[]);
    assert!(text.is_ascii(), "vt100: ASCII only");
    assert!(!mouse(&raw), "vt100: no mouse");
    assert!(
        colour_params(&text).is_empty(),
        "vt100: no colour: {:?}",
        colour_params(&text)
    );

    let (text, raw) = run("linux", "C.UTF-8", &[]);
    assert!(text.is_ascii() && !mouse(&raw));
    let params = colour_params(&text);
    assert!(!text.contains("38;5;"), "linux: classic colour codes");
    assert!(params.iter().any(|p| p == "36"), "linux: cyan as 36: {params:?}");

    let (text, raw) = run("xterm-256color", "POSIX", &[]);
    assert!(text.is_ascii() && mouse(&raw), "POSIX: ASCII, the mouse stays");
    let (text, _) = run("xterm-256color", "POSIX", &["--unicode"]);
    assert!(boxes(&text), "--unicode wins over the locale");
    let (text, _) = run("xterm-256color", "C.UTF-8", &["--ascii"]);
    assert!(text.is_ascii(), "--ascii wins over the locale");

    std::fs::write(
        ws.config().join("config.toml"),
        "[console]\nmouse = false\ncharset = \"ascii\"\n",
    )
    .unwrap();
    let (text, raw) = run("xterm-256color", "C.UTF-8", &[]);
    assert!(
        text.is_ascii() && !mouse(&raw),
        "the settings turn the mouse off and ask for ASCII"
    );
    let (text, _) = run("xterm-256color", "C.UTF-8", &["--unicode"]);
    assert!(boxes(&text), "the flag wins over the setting");
}

/// The colour parameters of every SGR sequence (`ESC[…m`) in `text`.
fn colour_params(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for seq in text.split('\x1b').skip(1) {
        let Some(body) = seq.strip_prefix('[') else { continue };
        let Some(end) = body.find(|c: char| ('\x40'..='\x7e').contains(&c)) else {
            continue;
        };
        if !body[end..].starts_with('m') {
            continue;
        }
        for p in body[..end].split(';') {
            if matches!(p.parse::<u16>(), Ok(30..=49 | 58 | 59 | 90..=97 | 100..=107)) {
                found.push(p.to_string());
            }
        }
    }
    found
}
