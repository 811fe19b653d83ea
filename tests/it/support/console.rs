//! The console in-process: the one App on a fixed clock in Berlin, frames drawn into a
//! TestBackend the way the event loop lays them out and draws them, and keys pressed (or text
//! pasted) through the real key map.

use chrono::{DateTime, TimeZone, Utc};
use debrief::store::Store;
use debrief::tui::app::{App, Clock};
use debrief::tui::keymap::KeyMap;
use debrief::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

/// A console on `store` whose clock stands still at `now`, in Berlin whatever the machine's
/// zone (the demo incident's zone), with the default key map.
pub fn app_at(store: Store, theme: Theme, now: DateTime<Utc>) -> App {
    let mut app = App::new(store, KeyMap::default_map(), theme, Clock::Fixed(now));
    app.local_zone = chrono_tz::Europe::Berlin;
    app
}

/// The review meeting's morning, so "now" is fixed.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

/// [`app_at`] the review meeting's morning.
pub fn app_on(store: Store, theme: Theme) -> App {
    app_at(store, theme, now())
}

/// Lays out and draws one frame on any backend.
pub fn draw_on<B: Backend>(app: &mut App, terminal: &mut Terminal<B>) {
    terminal
        .draw(|f| {
            app.prepare(f.area());
            f.render_widget(&*app, f.area());
        })
        .unwrap();
}

/// One frame at `w`x`h`, laid out and drawn the way the event loop does it.
pub fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    draw_on(app, &mut t);
    t
}

/// The text of one frame, trailing blanks trimmed from each line.
pub fn screen(app: &mut App, w: u16, h: u16) -> String {
    let t = draw(app, w, h);
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Presses a key after a frame of `w`x`h` was drawn (the layout decides what a key selects).
pub fn key_at(app: &mut App, code: KeyCode, w: u16, h: u16) {
    draw(app, w, h);
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    app.press(KeyEvent::new(code, mods));
}

/// Types each character of `s` with [`key_at`].
pub fn keys_at(app: &mut App, s: &str, w: u16, h: u16) {
    for c in s.chars() {
        key_at(app, KeyCode::Char(c), w, h);
    }
}

// Keys at 80x24 without drawing: the frame is laid out, not rendered, before each key.

/// Presses a key the way the event loop does: after a frame was laid out.
pub fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.prepare(Rect::new(0, 0, 80, 24));
    app.press(KeyEvent::new(code, mods));
}

pub fn key(app: &mut App, code: KeyCode) {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    press(app, code, mods);
}

/// Each character of `s` as a key press (so "2e" focuses the causes and edits).
pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Text typed into a field, one key per character, whatever the characters are. (Into an open
/// form, so the frame's layout does not change between keys.)
pub fn type_text(app: &mut App, text: &str) {
    app.prepare(Rect::new(0, 0, 80, 24));
    for c in text.chars() {
        app.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn paste(app: &mut App, text: &str) {
    app.handle_event(Event::Paste(text.to_string()));
}

pub fn ctrl(app: &mut App, c: char) {
    press(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}
