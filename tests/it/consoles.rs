//! Several consoles in one process, each over its own backend and input (what an SSH server
//! runs): the real loop (`tui::console::run`) on two threads, input from channels, output into
//! buffers of their own — nothing reaches this process's terminal or stdout, since the consoles
//! are given no other writer.

use debrief::store::{NewIncident, Store};
use debrief::tui::app::{App, Clock};
use debrief::tui::console;
use debrief::tui::keymap::KeyMap;
use debrief::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A console's output: everything it wrote, kept for the test to read.
#[derive(Clone, Default)]
struct Screen(Arc<Mutex<Vec<u8>>>);

impl Write for Screen {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Screen {
    fn bytes(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
    fn text(&self) -> String {
        let mut parser = vt100::Parser::new(24, 80, 0);
        parser.process(&self.bytes());
        parser.screen().contents()
    }
}

struct Running {
    keys: mpsc::Sender<Event>,
    screen: Screen,
    thread: std::thread::JoinHandle<()>,
}

fn start(db: &std::path::Path, author: &str, theme: Theme, incident: i64, stop: Arc<AtomicBool>) -> Running {
    let (keys, input) = mpsc::channel::<Event>();
    let screen = Screen::default();
    let out = screen.clone();
    let db = db.to_path_buf();
    let author = author.to_string();
    let thread = std::thread::spawn(move || {
        let store = Store::open(&db, &author).unwrap();
        let mut app = App::new(store, KeyMap::default_map(), theme, Clock::System);
        app.open_incident(incident).unwrap();
        let mut terminal = Terminal::with_options(
            CrosstermBackend::new(out),
            ratatui::TerminalOptions {
                viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 80, 24)),
            },
        )
        .unwrap();
        let mut input = input;
        console::run(&mut app, |app| console::draw(&mut terminal, app), &mut input, &|| {
            stop.load(Ordering::Relaxed)
        })
        .unwrap();
        app.shutdown();
    });
    Running { keys, screen, thread }
}

fn press(to: &Running, text: &str) {
    for c in text.chars() {
        let code = if c == '\r' { KeyCode::Enter } else { KeyCode::Char(c) };
        to.keys
            .send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
            .unwrap();
    }
}

fn wait_for(console: &Running, what: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let text = console.screen.text();
        if text.contains(what) {
            return text;
        }
        assert!(Instant::now() < deadline, "within 5 s: {what:?} on\n{text}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Colours set by SGR sequences: 3x/4x/9x/10x or 38;/48; parameters.
fn has_colour(bytes: &[u8]) -> bool {
    colours(bytes).next().is_some()
}

/// The SGR sequences (CSI … m) that set a foreground or background colour.
fn colours(bytes: &[u8]) -> impl Iterator<Item = String> {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let sgr: Vec<String> = text
        .split("\x1b[")
        .skip(1)
        .filter_map(|seq| {
            let end = seq.find(|c: char| !(c.is_ascii_digit() || c == ';'))?;
            (seq[end..].starts_with('m')).then(|| seq[..end].to_string())
        })
        .collect();
    sgr.into_iter().filter(|params| {
        params
            .split(';')
            .any(|p| p.len() == 2 && (p.starts_with('3') || p.starts_with('4')) && p != "39" && p != "49")
    })
}

#[test]
fn two_consoles_in_one_process_see_each_other_and_keep_their_own_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("shared.db");
    let id = Store::open(&db, "setup")
        .unwrap()
        .create_incident(&NewIncident {
            title: "Payments outage".into(),
            severity: debrief::model::Severity::Sev2,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let colour = start(&db, "ana", Theme::dark(), id, stop.clone());
    let mono = start(&db, "ben", Theme::from_no_color(Some("1".as_ref())), id, stop.clone());
    wait_for(&colour, "#1 Payments outage");
    wait_for(&mono, "#1 Payments outage");

    // Ana adds an event by keys; Ben's console shows it, and who wrote it.
    press(&colour, "a");
    wait_for(&colour, "Add event");
    press(&colour, "10:00 seen by both consoles\r");
    wait_for(&colour, "seen by both consoles");
    let ben = wait_for(&mono, "seen by both consoles");
    let row = ben.lines().find(|l| l.contains("seen by both consoles")).unwrap();
    assert!(row.contains("ana"), "{row:?}");

    assert!(has_colour(&colour.screen.bytes()), "the dark theme draws in colour");
    let mono_colours: Vec<String> = colours(&mono.screen.bytes()).collect();
    assert!(
        mono_colours.is_empty(),
        "NO_COLOR: no colour at all, got {mono_colours:?}"
    );

    // Both quit by a key (ctrl-c), and their threads end.
    for c in [&colour, &mono] {
        c.keys
            .send(Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)))
            .unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for c in [colour, mono] {
        while !c.thread.is_finished() {
            assert!(Instant::now() < deadline, "the consoles quit within 5 s");
            std::thread::sleep(Duration::from_millis(20));
        }
        c.thread.join().unwrap();
    }
    assert!(
        !stop.load(Ordering::Relaxed),
        "they ended by their own quit, not the stop flag"
    );
}
