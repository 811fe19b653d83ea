//! Hostile text never reaches a terminal (issue "Hardening" §3): a corpus of terminal-control
//! payloads goes in through every way text gets in — typing and pasting into the console's
//! forms, `debrief log`, each import format, `debrief load` — and then
//!
//! * everything stored is clean (`sanitize::is_clean`), and
//! * every screen and popup, drawn through a real `CrosstermBackend` into a `Vec<u8>` and read
//!   back with the `vte` parser, emits only what ratatui itself emits: CSI SGR (`m`), cursor
//!   position (`H`) and cursor show/hide (`?25h`/`?25l`) — no OSC, DCS, APC, PM or SOS, no
//!   other escape, no C0 or C1 control, no bidi control, and valid UTF-8.

use crate::support::states::{self as screens, Start};
use debrief::model::sanitize::{is_bidi_control, is_clean, is_invisible_format};
use debrief::store::Store;
use debrief::tui::app::{App, Popup};
use debrief::tui::theme::Theme;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

/// Terminal-control payloads, as bytes (some are not UTF-8).
fn corpus() -> Vec<Vec<u8>> {
    let text: &[&str] = &[
        // CSI: clear, cursor moves, modes, queries, colours
        "\x1b[2J",
        "\x1b[3J\x1b[H",
        "\x1b[10;10H",
        "\x1b[1A\x1b[2K",
        "\x1b[s\x1b[999;999H\x1b[u",
        "\x1b[31;1mred\x1b[0m",
        "\x1b[38;2;255;0;0mtruecolor",
        "\x1b[?1049l",
        "\x1b[?25l",
        "\x1b[?1000h",
        "\x1b[?2004l",
        "\x1b[201~",
        "\x1b[6n",
        "\x1b[>c",
        "\x1b[8;100;300t",
        "\x1b[21t",
        "\x1b[4;5r",
        // OSC 0/2 (titles), 8 (links), 52 (clipboard), others; BEL and ST terminators
        "\x1b]0;pwned\x07",
        "\x1b]0;pwned\x1b\\",
        "\x1b]2;title\x07",
        "\x1b]2;title\x1b\\",
        "\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07",
        "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
        "\x1b]52;c;ZWNobyBwd25lZA==\x07",
        "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\",
        "\x1b]52;c;?\x07",
        "\x1b]4;1;rgb:ff/00/00\x07",
        "\x1b]10;?\x1b\\",
        "\x1b]7;file://evil/\x07",
        "\x1b]1337;File=inline=1:AAAA\x07",
        "\x1b]0;never terminated",
        // DCS, APC, PM, SOS
        "\x1bPq#0;2;0;0;0#0~~@@\x1b\\",
        "\x1bP$q m\x1b\\",
        "\x1bP+q544e\x1b\\",
        "\x1bPtmux;\x1b\x1b]0;x\x07\x1b\\",
        "\x1b_Gf=100,a=T;AAAA\x1b\\",
        "\x1b_apc\x07",
        "\x1b^privacy message\x1b\\",
        "\x1bXstart of string\x1b\\",
        // C1 controls as UTF-8 characters
        "\u{9b}2J",
        "\u{9b}31mred",
        "\u{9d}0;title\u{9c}",
        "\u{9d}52;c;ZXZpbA==\u{7}",
        "\u{90}q\u{9c}",
        "\u{9f}apc\u{9c}",
        "\u{9e}pm\u{9c}",
        "\u{98}sos\u{9c}",
        "\u{85}next line",
        "\u{8d}reverse index",
        // other escapes: charsets, reset, alignment test, save/restore, index
        "\x1b(0lqqk\x1b(B",
        "\x1bc",
        "\x1b#8",
        "\x1b7\x1b8",
        "\x1bD\x1bM\x1bE",
        "\x1b=\x1b>",
        "\x1b",
        "\x1b\x1b[2J",
        // BEL, carriage-return overwrite, backspace, other C0
        "\x07",
        "ding\x07\x07\x07",
        "secret\roverwritten",
        "ok\r\x1b[Kfake",
        "abc\x08\x08\x08xyz",
        "\x08\x08\x08\x08\x08\x08",
        "\x0e\x0f",
        "\x0b\x0c",
        "\x18\x1a",
        "\x05",
        // NUL, DEL
        "a\0b",
        "\0",
        "a\x7fb",
        "\x7f\x7f",
        // bidi overrides, embeddings, isolates, marks
        "\u{202e}evil\u{202c}",
        "invoice\u{202e}fdp.exe",
        "\u{202a}\u{202b}\u{202d}",
        "\u{2066}isolate\u{2069}",
        "\u{2067}rtl\u{2069}\u{2068}fsi\u{2069}",
        "\u{200e}\u{200f}\u{61c}",
        // invisible format characters (Cf), drawn in 0 or 1 columns: rows would not line up
        "soft\u{ad}hyphen",
        "zero\u{200b}width\u{200c}non\u{200d}joiner",
        "word\u{2060}joiner\u{2061}\u{2064}",
        "\u{feff}bom",
        "tag\u{e0001}\u{e0041}\u{e007f}",
        "arabic\u{600}\u{6dd}",
        "line\u{2028}separator\u{2029}",
        // mixtures
        "line1\n\x1b[2Jline2\t\x1b[31m",
        "\x1b[201~\x1b[2J\x1b]0;x\x07",
    ];
    let mut out: Vec<Vec<u8>> = text.iter().map(|s| s.as_bytes().to_vec()).collect();
    let raw: &[&[u8]] = &[
        // C1 controls as raw bytes (not UTF-8)
        b"\x9b2J",
        b"\x9b31mred",
        b"\x9d0;title\x9c",
        b"\x9d0;title\x07",
        b"\x90q\x9c",
        b"\x9f\x9c",
        b"\x85",
        // invalid UTF-8
        b"\xff\xfe",
        b"bad \xc3( utf8",
        b"cut \xe2\x82",
        b"\xf0\x28\x8c\xbc",
        b"\xed\xa0\x80 surrogate",
        b"\xc0\xaf overlong",
        b"\xc2\x9b2J",
        b"\x1b\xff[2J",
    ];
    out.extend(raw.iter().map(|b| b.to_vec()));
    out
}

fn lossy(p: &[u8]) -> String {
    String::from_utf8_lossy(p).into_owned()
}

/// What `vte` found in the bytes a frame was drawn with, that ratatui would not emit.
#[derive(Default)]
struct Audit {
    problems: Vec<String>,
    csi: usize,
}

impl vte::Perform for Audit {
    fn print(&mut self, c: char) {
        if is_bidi_control(c) || c.is_control() || is_invisible_format(c) {
            self.problems.push(format!("printed {c:?}"));
        }
    }
    fn execute(&mut self, byte: u8) {
        self.problems.push(format!("control 0x{byte:02x}"));
    }
    fn hook(&mut self, _: &vte::Params, _: &[u8], _: bool, action: char) {
        self.problems.push(format!("DCS {action:?}"));
    }
    fn put(&mut self, byte: u8) {
        self.problems.push(format!("DCS data 0x{byte:02x}"));
    }
    fn osc_dispatch(&mut self, params: &[&[u8]], _: bool) {
        self.problems
            .push(format!("OSC {:?}", params.first().map(|p| lossy(p))));
    }
    fn csi_dispatch(&mut self, params: &vte::Params, intermediates: &[u8], ignore: bool, action: char) {
        self.csi += 1;
        let params: Vec<Vec<u16>> = params.iter().map(|p| p.to_vec()).collect();
        let ok = !ignore
            && match (intermediates, action) {
                // SGR: colours and attributes; CUP: cursor position.
                ([], 'm') | ([], 'H') => true,
                // Show / hide the cursor.
                ([b'?'], 'h') | ([b'?'], 'l') => params == [vec![25]],
                _ => false,
            };
        if !ok {
            self.problems.push(format!(
                "CSI {} {params:?} {action:?}",
                String::from_utf8_lossy(intermediates)
            ));
        }
    }
    fn esc_dispatch(&mut self, intermediates: &[u8], _: bool, byte: u8) {
        self.problems.push(format!(
            "ESC {} {:?}",
            String::from_utf8_lossy(intermediates),
            byte as char
        ));
    }
}

/// Checks the bytes of a frame; returns what is wrong.
fn audit(bytes: &[u8]) -> Vec<String> {
    let mut problems = Vec::new();
    if let Err(e) = std::str::from_utf8(bytes) {
        problems.push(format!("invalid UTF-8: {e}"));
    }
    // Every ESC starts a CSI. vte reports no callback for SOS, PM and APC strings, so this is
    // what catches them (and a DCS or OSC as well, which vte also reports below).
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == 0x1b && w[1] != b'[' {
            problems.push(format!("ESC {:?} at byte {i}", w[1] as char));
        }
    }
    if bytes.last() == Some(&0x1b) {
        problems.push("a lone ESC at the end".into());
    }
    let mut audit = Audit::default();
    vte::Parser::new().advance(&mut audit, bytes);
    problems.extend(audit.problems);
    if !bytes.is_empty() && audit.csi == 0 {
        problems.push("no CSI at all: was anything drawn?".into());
    }
    problems
}

/// A `Vec<u8>` the backend writes into and the test reads afterwards (the backend's own
/// `writer()` is behind an unstable feature).
#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Draws the app's current state through a CrosstermBackend at w×h; returns the bytes.
fn frame_bytes(app: &mut App, w: u16, h: u16) -> Vec<u8> {
    let sink = Sink::default();
    let backend = CrosstermBackend::new(sink.clone());
    let mut terminal = Terminal::with_options(
        backend,
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    screens::draw_on(app, &mut terminal);
    drop(terminal);
    std::mem::take(&mut *sink.0.lock().unwrap())
}

/// Draws every state of the console on `store`, with `paste` typed and pasted where a state
/// takes text, and fails with what each state emitted that it should not have.
fn assert_screens_clean(app: &mut App, incident: i64, paste: &str, sizes: &[(u16, u16)], what: &str) {
    assert_states_clean(app, incident, paste, sizes, what, |_| true);
}

/// States whose keys type or paste text: forms, the conflict chooser, search and filter.
const TEXT_STATES: &[&str] = &[
    "filter",
    "form",
    "quick add",
    "edit",
    "search",
    "notes",
    "add cause",
    "add action",
    "conflict",
];

/// [`assert_screens_clean`] for the states that show the text being typed, at 80x24.
fn assert_text_states_clean(app: &mut App, incident: i64, paste: &str, what: &str) {
    assert_states_clean(app, incident, paste, &[(80, 24)], what, |name| {
        TEXT_STATES.iter().any(|t| name.contains(t))
    });
}

fn assert_states_clean(
    app: &mut App,
    incident: i64,
    paste: &str,
    sizes: &[(u16, u16)],
    what: &str,
    wanted: impl Fn(&str) -> bool,
) {
    let mut failures = Vec::new();
    let mut drawn = 0;
    for (name, start, script) in screens::states() {
        if !wanted(name) {
            continue;
        }
        drawn += 1;
        screens::reset(app, start, incident);
        script(app, paste);
        // Typed as keys too, so the raw characters sit in the form unsubmitted.
        if matches!(app.popups.last(), Some(Popup::Form(_))) {
            screens::type_text(app, paste);
        }
        for &(w, h) in sizes {
            let problems = audit(&frame_bytes(app, w, h));
            if !problems.is_empty() {
                failures.push(format!("{what}: {name} at {w}x{h}: {problems:?}"));
            }
        }
    }
    assert!(drawn > 0, "{what}: no state drawn");
    assert!(
        failures.is_empty(),
        "{} states emitted what they should not:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every text value in every table is clean.
fn assert_stored_clean(conn: &rusqlite::Connection, what: &str) -> usize {
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let mut dirty = Vec::new();
    let mut checked = 0;
    for table in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let names: Vec<String> = stmt.column_names().iter().map(|s| s.to_string()).collect();
        let mut rows = stmt.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for (i, name) in names.iter().enumerate() {
                // Text only: the full-text index's own blobs are not text anybody reads.
                if let rusqlite::types::ValueRef::Text(bytes) = row.get_ref(i).unwrap() {
                    checked += 1;
                    match std::str::from_utf8(bytes) {
                        Ok(s) if is_clean(s) => {}
                        _ => dirty.push(format!("{table}.{name}: {:?}", lossy(bytes))),
                    }
                }
            }
        }
    }
    assert!(
        dirty.is_empty(),
        "{what}: stored text that is not clean:\n{}",
        dirty.join("\n")
    );
    checked
}

/// Output meant for a terminal or a file (show, export, errors): no escape, C1 or bidi control.
fn assert_output_clean(bytes: &[u8], what: &str) {
    let text = lossy(bytes);
    let bad: Vec<char> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n' && *c != '\t') || is_bidi_control(*c) || is_invisible_format(*c))
        .collect();
    assert!(bad.is_empty(), "{what} wrote {bad:?}: {text:?}");
}

// ---------------------------------------------------------------------------------------------
// The binary on a database file

struct Db {
    dir: tempfile::TempDir,
    path: PathBuf,
}

impl Db {
    fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hostile.db");
        Db { dir, path }
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn run(&self, author: &[u8], args: &[&OsStr]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_debrief"))
            .arg("--db")
            .arg(&self.path)
            .args(args)
            .env_remove("DEBRIEF_DB")
            .env("DEBRIEF_AUTHOR", OsStr::from_bytes(author))
            .env("DEBRIEF_CONFIG", self.dir.path())
            .env("TZ", "Europe/Berlin")
            .output()
            .unwrap();
        assert_output_clean(&out.stderr, &format!("stderr of {args:?}"));
        out
    }

    fn ok(&self, args: &[&str]) -> String {
        let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
        let out = self.run(b"setup", &args);
        assert!(out.status.success(), "{args:?}: {}", lossy(&out.stderr));
        lossy(&out.stdout)
    }

    fn store(&self) -> Store {
        Store::open(&self.path, "auditor").unwrap()
    }

    /// Stored text is clean, the shell's views of it are clean, and so is every screen.
    fn assert_all_clean(&self, incident: i64, what: &str, sizes: &[(u16, u16)]) {
        let store = self.store();
        let checked = assert_stored_clean(store.connection(), what);
        assert!(checked > 0, "{what}: nothing stored");
        for args in [
            vec!["show".to_string(), incident.to_string()],
            vec!["export".into(), incident.to_string(), "--format".into(), "md".into()],
            vec!["list".into()],
            vec!["history".into(), incident.to_string()],
            vec!["show".into(), incident.to_string(), "--json".into()],
            vec!["export".into(), incident.to_string(), "--format".into(), "json".into()],
            vec!["list".into(), "--json".into()],
        ] {
            let args: Vec<&OsStr> = args.iter().map(OsStr::new).collect();
            let out = self.run(b"auditor", &args);
            assert!(out.status.success(), "{args:?}: {}", lossy(&out.stderr));
            assert_output_clean(&out.stdout, &format!("{what}: debrief {args:?}"));
        }
        let mut app = screens::app_on(store, Theme::dark());
        assert_screens_clean(&mut app, incident, "plain words", sizes, what);
    }
}

const SIZES: &[(u16, u16)] = &[(80, 24), (160, 45), (300, 100)];

#[test]
fn the_corpus_is_big_enough() {
    let corpus = corpus();
    assert!(corpus.len() >= 60, "{} payloads", corpus.len());
    assert!(corpus.iter().any(|p| std::str::from_utf8(p).is_err()));
}

#[test]
fn debrief_log_stores_clean_text_and_draws_clean_screens() {
    let db = Db::new();
    db.ok(&["new", "Hostile", "log", "--zone", "Europe/Berlin"]);
    let mut logged = 0;
    for p in corpus() {
        if p.contains(&0) {
            // No argument or environment variable can hold a NUL byte.
            continue;
        }
        let mut text = b"x ".to_vec();
        text.extend_from_slice(&p);
        text.extend_from_slice(b" y");
        let args = [
            OsStr::new("log"),
            OsStr::new("-i"),
            OsStr::new("1"),
            OsStr::new("--at"),
            OsStr::new("14:00"),
            OsStr::from_bytes(&text),
        ];
        let out = db.run(&p, &args);
        // Arguments that are not UTF-8 may be refused (with a clean message); the rest go in.
        if std::str::from_utf8(&p).is_ok() {
            assert!(out.status.success(), "log {p:?}: {}", lossy(&out.stderr));
        }
        logged += out.status.success() as usize;
    }
    assert!(logged >= 60, "only {logged} logged");
    db.assert_all_clean(1, "debrief log", SIZES);
}

/// Error messages quote what was wrong (a time, a kind, a zone…): the quote is cleaned too.
/// Each payload goes to one of the options, in turn, so each option sees a dozen payloads.
#[test]
fn error_messages_quote_hostile_input_cleanly() {
    let db = Db::new();
    db.ok(&["new", "Hostile", "errors", "--zone", "Europe/Berlin"]);
    let file = db.file("events.csv", b"time,text\n14:00,x\n");
    let mut refused = 0;
    for (i, p) in corpus().iter().enumerate() {
        if p.contains(&0) {
            continue;
        }
        let p = OsStr::from_bytes(p);
        let mut flag = OsString::from("--");
        flag.push(p);
        let args: Vec<&OsStr> = match i % 10 {
            // clap's own usage errors quote the bad argument.
            8 => vec![OsStr::new("log"), OsStr::new("-i"), p, OsStr::new("x")],
            9 => vec![OsStr::new("list"), flag.as_os_str()],
            0 => vec!["log", "-i", "1", "--at"]
                .into_iter()
                .map(OsStr::new)
                .chain([p, OsStr::new("x")])
                .collect(),
            1 => vec!["log", "-i", "1", "--kind"]
                .into_iter()
                .map(OsStr::new)
                .chain([p, OsStr::new("x")])
                .collect(),
            2 => vec!["log", "-i", "1", "--milestone"]
                .into_iter()
                .map(OsStr::new)
                .chain([p, OsStr::new("x")])
                .collect(),
            3 => vec!["new", "t", "--zone"]
                .into_iter()
                .map(OsStr::new)
                .chain([p])
                .collect(),
            4 => vec!["new", "t", "--zone", "UTC", "--started"]
                .into_iter()
                .map(OsStr::new)
                .chain([p])
                .collect(),
            5 => vec!["import", "-i", "1", "--format"]
                .into_iter()
                .map(OsStr::new)
                .chain([p, file.as_os_str()])
                .collect(),
            6 => vec!["actions", "--status"]
                .into_iter()
                .map(OsStr::new)
                .chain([p])
                .collect(),
            _ => vec!["participant", "add", "1", "x", "--role"]
                .into_iter()
                .map(OsStr::new)
                .chain([p])
                .collect(),
        };
        // Db::run checks stderr whatever the outcome.
        let out = db.run(b"tester", &args);
        refused += !out.status.success() as usize;
    }
    assert!(refused >= 60, "only {refused} refused");
    assert_stored_clean(db.store().connection(), "after refused commands");
}

/// A JSON string literal holding `p` byte for byte: controls escaped as JSON requires, other
/// bytes (invalid UTF-8 included) left raw.
fn json_bytes(p: &[u8]) -> Vec<u8> {
    let mut out = vec![b'"'];
    for &b in p {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
    out
}

/// One import file per format, each holding every payload (in the text and the author).
fn import_files(corpus: &[Vec<u8>]) -> Vec<(&'static str, Vec<u8>)> {
    let mut csv = b"time,text,author\n".to_vec();
    let mut jsonl = Vec::new();
    let mut log = Vec::new();
    let mut slack = b"[".to_vec();
    for (i, p) in corpus.iter().enumerate() {
        let quoted = |p: &[u8]| {
            let mut q = vec![b'"'];
            for &b in p {
                if b == b'"' {
                    q.push(b'"');
                }
                q.push(b);
            }
            q.push(b'"');
            q
        };
        let minute = i % 60;
        let mut text = b"x ".to_vec();
        text.extend_from_slice(p);
        text.extend_from_slice(b" y");

        csv.extend_from_slice(format!("2026-11-24 13:{minute:02},").as_bytes());
        csv.extend(quoted(&text));
        csv.push(b',');
        csv.extend(quoted(p));
        csv.push(b'\n');

        jsonl.extend_from_slice(format!("{{\"time\":\"2026-11-24T13:{minute:02}:00Z\",\"text\":").as_bytes());
        jsonl.extend(json_bytes(&text));
        jsonl.extend_from_slice(b",\"author\":");
        jsonl.extend(json_bytes(p));
        jsonl.extend_from_slice(b"}\n");

        log.extend_from_slice(format!("2026-11-24T13:{minute:02}:00Z ").as_bytes());
        log.extend_from_slice(&text);
        log.push(b'\n');

        if i > 0 {
            slack.push(b',');
        }
        slack.extend_from_slice(b"{\"type\":\"message\",\"user\":\"U1\",\"user_name\":");
        slack.extend(json_bytes(p));
        slack.extend_from_slice(b",\"text\":");
        slack.extend(json_bytes(&text));
        slack.extend_from_slice(format!(",\"ts\":\"{}.000100\"}}", 1_795_698_000 + i * 60).as_bytes());
    }
    slack.push(b']');
    vec![("csv", csv), ("jsonl", jsonl), ("log", log), ("slack", slack)]
}

#[test]
fn every_import_format_stores_clean_text_and_draws_clean_screens() {
    let corpus = corpus();
    for (format, bytes) in import_files(&corpus) {
        let db = Db::new();
        db.ok(&["new", "Hostile", format, "--zone", "Europe/Berlin"]);
        let file = db.file(&format!("events.{format}"), &bytes);
        let args = [
            OsStr::new("import"),
            OsStr::new("-i"),
            OsStr::new("1"),
            OsStr::new("--format"),
            OsStr::new(format),
            file.as_os_str(),
        ];
        let out = db.run(b"importer", &args);
        assert!(out.status.success(), "import {format}: {}", lossy(&out.stderr));
        assert_output_clean(&out.stdout, &format!("import {format}"));
        let events = db.store().all_events(1).unwrap();
        assert!(events.len() >= 60, "{format}: only {} events imported", events.len());
        db.assert_all_clean(1, &format!("import --format {format}"), SIZES);
    }
}

/// The same files through the console's import (`i`): the preview and the timeline after the
/// import draw nothing but clean text, and nothing but clean text is stored.
#[test]
fn console_import_previews_and_stores_clean_text() {
    let corpus = corpus();
    for (format, bytes) in import_files(&corpus) {
        let db = Db::new();
        let file = db.file(&format!("events.{format}"), &bytes);
        let mut app = screens::app_on(Store::open_in_memory("facilitator").unwrap(), Theme::dark());
        let id = app
            .store
            .create_incident(&debrief::store::NewIncident {
                title: "Hostile".into(),
                severity: debrief::model::Severity::Sev2,
                zone: "Europe/Berlin".into(),
                started_at: None,
            })
            .unwrap();
        screens::reset(&mut app, Start::Review, id);
        screens::keys(&mut app, "i");
        screens::paste(&mut app, &file.display().to_string());
        screens::key(&mut app, KeyCode::Enter);
        assert!(
            matches!(app.popups.last(), Some(Popup::Import(_))),
            "{format}: no preview: {:?}",
            app.popups.last().map(|p| match p {
                Popup::Form(f) => f.error.clone(),
                _ => None,
            })
        );
        for &(w, h) in SIZES {
            let problems = audit(&frame_bytes(&mut app, w, h));
            assert!(problems.is_empty(), "{format} preview at {w}x{h}: {problems:?}");
        }
        screens::key(&mut app, KeyCode::Enter);
        assert!(app.popups.is_empty(), "{format}: {:?}", app.flash);
        let events = app.store.all_events(id).unwrap();
        assert!(events.len() >= 60, "{format}: only {} events imported", events.len());
        assert_stored_clean(app.store.connection(), &format!("console import {format}"));
        for &(w, h) in SIZES {
            let problems = audit(&frame_bytes(&mut app, w, h));
            assert!(problems.is_empty(), "{format} timeline at {w}x{h}: {problems:?}");
        }
    }
}

#[test]
fn debrief_load_stores_clean_text_and_draws_clean_screens() {
    let corpus: Vec<String> = corpus().iter().map(|p| lossy(p)).collect();
    let mut doc = debrief::demo::demo_document().unwrap();
    let mut next = corpus.iter().cycle();
    let mut hostile = |before: &str| format!("{before} {}", next.next().unwrap());
    doc.incident.title = hostile("title");
    doc.incident.summary = hostile("summary");
    doc.incident.impact = hostile("impact");
    doc.incident.root_cause = hostile("root cause");
    doc.incident.trigger = hostile("trigger");
    for e in &mut doc.events {
        e.text = hostile(&e.text);
        e.author = hostile("author");
    }
    for c in &mut doc.causes {
        c.notes = hostile(&c.notes);
    }
    doc.causes[4].category = hostile("custom cause");
    for a in &mut doc.actions {
        a.title = hostile(&a.title);
        a.owner = hostile("owner");
        a.details = hostile(&a.details);
        a.ticket = hostile("T-1");
    }
    for p in &mut doc.participants {
        p.name = hostile(&p.name);
    }
    if let Some(m) = &mut doc.meeting {
        m.agreement = hostile(&m.agreement);
        m.decisions = hostile(&m.decisions);
    }
    // Every payload is in the document at least once.
    let json = serde_json::to_string_pretty(&doc).unwrap();
    for p in &corpus {
        assert!(json.contains(serde_json::to_string(p).unwrap()[1..].trim_end_matches('"')));
    }
    let db = Db::new();
    let file = db.file("incident.json", json.as_bytes());
    let out = db.run(b"loader", &[OsStr::new("load"), file.as_os_str()]);
    assert!(out.status.success(), "load: {}", lossy(&out.stderr));
    let id: i64 = lossy(&out.stdout).trim().parse().unwrap();
    db.assert_all_clean(id, "debrief load", SIZES);

    // The same document with raw C1 and invalid UTF-8 bytes in a string: refused cleanly, or
    // loaded clean.
    let mut raw = json.into_bytes();
    let at = raw.windows(7).position(|w| w == b"\"title\"").unwrap() + 10;
    raw.splice(at..at, b"\x9b2J\xff\x1b".iter().copied());
    let file = db.file("raw.json", &raw);
    let out = db.run(b"loader", &[OsStr::new("load"), file.as_os_str()]);
    if out.status.success() {
        assert_stored_clean(db.store().connection(), "load with raw bytes");
    }
}

/// Types (key by key) and pastes each payload into every form of the console, submits, and
/// checks what was stored and what each state draws with the payload typed in.
#[test]
fn console_forms_store_clean_text_and_draw_clean_screens() {
    let mut app = screens::app_on(Store::open_in_memory("facilitator").unwrap(), Theme::dark());
    let corpus = corpus();
    let mut incident = 0;
    for p in &corpus {
        let p = lossy(p);
        // A new incident, titled by typing and pasting.
        screens::reset(&mut app, Start::Home, 0);
        screens::keys(&mut app, "n");
        screens::type_text(&mut app, &format!("t {p}"));
        screens::paste(&mut app, &p);
        screens::key(&mut app, KeyCode::Enter);
        assert!(app.popups.is_empty(), "new incident {p:?}: {:?}", app.flash);
        let debrief::tui::app::Screen::Review(r) = &app.screen else {
            panic!("the review opens");
        };
        incident = r.incident.id;
        submit_everywhere(&mut app, incident, &p);
    }
    let checked = assert_stored_clean(app.store.connection(), "console forms");
    assert!(checked > 500, "{checked} values checked");
    for p in &corpus {
        assert_text_states_clean(&mut app, incident, &lossy(p), &format!("{p:?}"));
    }
    assert_screens_clean(&mut app, incident, "plain", SIZES, "all payloads");
}

/// Each form of the review, with `p` typed and pasted into its text fields, submitted.
fn submit_everywhere(app: &mut App, incident: i64, p: &str) {
    use screens::{ctrl, key, keys, paste, type_text};
    let review = |app: &mut App| screens::reset(app, Start::Review, incident);
    // Quick add: a time, then the text.
    review(app);
    keys(app, "a");
    type_text(app, "14:00 x ");
    type_text(app, p);
    paste(app, p);
    key(app, KeyCode::Enter);
    // Edit the event's text (multi-line: Ctrl-S saves).
    review(app);
    keys(app, "e");
    for _ in 0..3 {
        key(app, KeyCode::Tab);
    }
    type_text(app, p);
    paste(app, p);
    ctrl(app, 's');
    // Cause notes, and a custom cause.
    review(app);
    keys(app, "2e");
    type_text(app, p);
    paste(app, p);
    ctrl(app, 's');
    review(app);
    keys(app, "2a");
    type_text(app, "c ");
    type_text(app, p);
    paste(app, p);
    key(app, KeyCode::Enter);
    // An action: title, owner, ticket, details.
    review(app);
    keys(app, "3a");
    type_text(app, "a ");
    type_text(app, p);
    paste(app, p);
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    type_text(app, p);
    paste(app, p);
    for _ in 0..4 {
        key(app, KeyCode::Tab);
    }
    type_text(app, p);
    paste(app, p);
    key(app, KeyCode::Tab);
    key(app, KeyCode::Tab);
    type_text(app, p);
    paste(app, p);
    ctrl(app, 's');
    // The incident: title, and the four multi-line fields after the zone.
    review(app);
    keys(app, "E");
    type_text(app, p);
    paste(app, p);
    for _ in 0..4 {
        key(app, KeyCode::Tab);
    }
    for _ in 0..4 {
        type_text(app, p);
        paste(app, p);
        key(app, KeyCode::Tab);
    }
    ctrl(app, 's');
    // Search, which is not stored but drawn.
    review(app);
    keys(app, "/");
    type_text(app, p);
    paste(app, p);
    key(app, KeyCode::Enter);
    app.popups.clear();
}

/// A file name is text from outside too (issue #12 §4): `f/evil<OSC><CSI>.log` printed its OSC
/// and CSI raw in "imported … from NAME" and the `--dry-run` header, and stored them in
/// `events.source` and the history. Every payload of the corpus, as a file name.
#[test]
fn hostile_file_names_are_cleaned_in_messages_sources_and_history() {
    let db = Db::new();
    db.ok(&["new", "Hostile", "names", "--zone", "Europe/Berlin"]);
    let mut imported = 0;
    for (i, p) in corpus().iter().enumerate() {
        if p.contains(&0) {
            continue;
        }
        // A name, not a path: '/' would name a directory.
        let mut name = format!("f{i}-").into_bytes();
        name.extend(p.iter().map(|&b| if b == b'/' { b'_' } else { b }));
        name.extend_from_slice(b".log");
        let file = db.dir.path().join(OsStr::from_bytes(&name));
        std::fs::write(&file, format!("2026-11-24T13:{:02}:00Z line {i}\n", i % 60)).unwrap();
        for dry in [true, false] {
            let mut args = vec![OsStr::new("import"), OsStr::new("-i"), OsStr::new("1")];
            if dry {
                args.push(OsStr::new("--dry-run"));
            }
            args.push(file.as_os_str());
            let out = db.run(b"importer", &args);
            assert!(out.status.success(), "import {name:?}: {}", lossy(&out.stderr));
            let stdout = lossy(&out.stdout);
            assert_output_clean(&out.stdout, &format!("import (dry run: {dry}) of {:?}", lossy(&name)));
            let want = if dry {
                format!("f{i}-")
            } else {
                "imported 1 event from".into()
            };
            assert!(stdout.contains(&want), "{stdout:?}");
        }
        imported += 1;
    }
    assert!(imported >= 60, "only {imported} names");
    let store = db.store();
    let sources: Vec<String> = store
        .connection()
        .prepare("SELECT source FROM events")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(sources.len() > 60, "{} events", sources.len());
    for s in &sources {
        // An OSC that is never terminated takes the rest of the name with it.
        assert!(s.starts_with("imported:f") && is_clean(s), "{s:?}");
    }
    assert!(sources.contains(&"imported:f17-.log".to_string()), "{sources:?}");
    db.assert_all_clean(1, "hostile file names", &[(80, 24)]);
}

/// `load` stored `source.file` as the document said, escapes and all.
#[test]
fn a_loaded_documents_source_files_are_cleaned() {
    let corpus: Vec<String> = corpus().iter().map(|p| lossy(p)).collect();
    let mut doc = debrief::demo::demo_document().unwrap();
    let n = doc.events.len();
    let mut names = vec![String::from("evil"); n];
    for (i, p) in corpus.iter().enumerate() {
        names[i % n].push_str(p);
    }
    for (e, name) in doc.events.iter_mut().zip(names) {
        e.source = debrief::model::Source::Imported(name);
    }
    let db = Db::new();
    let json = serde_json::to_string(&doc).unwrap();
    assert!(json.contains("\\u001b]0;pwned\\u0007") && json.contains("\u{9b}2J"));
    let file = db.file("incident.json", json.as_bytes());
    let out = db.run(b"loader", &[OsStr::new("load"), file.as_os_str()]);
    assert!(out.status.success(), "load: {}", lossy(&out.stderr));
    let id: i64 = lossy(&out.stdout).trim().parse().unwrap();
    let events = db.store().all_events(id).unwrap();
    assert_eq!(events.len(), doc.events.len());
    for e in &events {
        let debrief::model::Source::Imported(f) = &e.source else {
            panic!("{:?}", e.source);
        };
        assert!(is_clean(f) && f.starts_with("evil"), "{f:?}");
    }
    db.assert_all_clean(id, "loaded sources", &[(80, 24)]);
}

/// Text stored before it was cleaned (an older debrief, another tool writing the file) still
/// leaves every JSON output escaped: C1 controls, bidi controls and invisible format characters
/// as `\uXXXX`, never raw (serde_json escapes only C0), and the document reads back the same.
#[test]
fn every_json_output_escapes_c1_bidi_and_invisible_characters() {
    let db = Db::new();
    db.ok(&["demo"]);
    let raw = "csi \u{9b}2J rlo \u{202e}gnp.exe soft\u{ad}hyphen del\u{7f} ls\u{2028} nel\u{85}";
    {
        let store = db.store();
        let conn = store.connection();
        conn.execute("UPDATE incidents SET title = ?1, summary = ?1", [raw])
            .unwrap();
        conn.execute("UPDATE events SET text = ?1, source = 'imported:' || ?1", [raw])
            .unwrap();
        conn.execute("UPDATE actions SET title = ?1, owner = ?1", [raw])
            .unwrap();
        conn.execute(
            "UPDATE causes SET category = ?1 WHERE id = (SELECT min(id) FROM causes WHERE state = 'confirmed')",
            [raw],
        )
        .unwrap();
    }
    for args in [
        &["show", "1", "--json"][..],
        &["export", "1", "--format", "json"],
        &["list", "--json"],
        &["actions", "--json"],
        &["stats", "--json"],
    ] {
        let out = db.ok(args);
        assert_output_clean(out.as_bytes(), &format!("{args:?}"));
        for escaped in [
            "\\u009b2J",
            "\\u202egnp",
            "soft\\u00adhyphen",
            "\\u007f",
            "\\u2028",
            "\\u0085",
        ] {
            assert!(out.contains(escaped), "{args:?} lacks {escaped}: {out}");
        }
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(
            value.to_string().contains('\u{9b}'),
            "the escapes read back as the text"
        );
    }
    let doc = db.ok(&["export", "1", "--format", "json"]);
    let file = db.file("legacy.json", doc.as_bytes());
    let out = db.run(b"loader", &[OsStr::new("load"), file.as_os_str()]);
    assert!(out.status.success(), "load: {}", lossy(&out.stderr));
    let id = lossy(&out.stdout).trim().to_string();
    let title = db.store().incident(id.parse().unwrap()).unwrap().title;
    assert_eq!(
        title, "csi 2J rlo gnp.exe softhyphen del ls  nel",
        "loaded, and cleaned (the line separator is a line break, a space in a title)"
    );
}

/// The audit itself: it passes what ratatui emits and catches each kind of sequence.
#[test]
fn the_audit_catches_each_kind_of_sequence() {
    let mut app = screens::app_on(Store::open_in_memory("f").unwrap(), Theme::dark());
    assert_eq!(audit(&frame_bytes(&mut app, 80, 24)), Vec::<String>::new());
    let cases: &[(&[u8], &str)] = &[
        (b"\x1b[1mok\x1b]0;title\x07", "OSC"),
        (b"\x1b[1mok\x1b]8;;http://x\x1b\\", "OSC"),
        (b"\x1b[1mok\x1bPq#0\x1b\\", "DCS"),
        (b"\x1b[1mok\x1b_Ga=T\x1b\\", "ESC '_'"),
        (b"\x1b[1mok\x1b^pm\x1b\\", "ESC '^'"),
        (b"\x1b[1mok\x1bXsos\x1b\\", "ESC 'X'"),
        (b"\x1b[1mok\x1b[2J", "CSI"),
        (b"\x1b[1mok\x1b[?1049l", "CSI"),
        (b"\x1b[1mok\x1bc", "ESC"),
        (b"\x1b[1mok\xc2\x9b2J", "control 0x9b"),
        (b"\x1b[1mok\x9b2J", "invalid UTF-8"),
        (b"\x1b[1mok\x07", "control 0x07"),
        (b"\x1b[1mok\r", "control 0x0d"),
        (b"\x1b[1mok\x08", "control 0x08"),
        (b"\x1b[1mok\x7f", "printed"),
        ("\x1b[1mok\u{202e}".as_bytes(), "printed"),
        ("\x1b[1mok\u{2066}".as_bytes(), "printed"),
        ("\x1b[1mok\u{ad}".as_bytes(), "printed"),
    ];
    for (bytes, want) in cases {
        let problems = audit(bytes);
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{:?}: wanted {want:?}, got {problems:?}",
            lossy(bytes)
        );
    }
}
