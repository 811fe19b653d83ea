//! Drawing the console into a TestBackend and pressing keys as the event loop does; shared by
//! the screen tests (tui, screens, meeting).

use debrief::tui::app::App;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// One frame at `w`x`h`, laid out and drawn the way the event loop does it.
pub fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        app.prepare(f.area());
        f.render_widget(&*app, f.area());
    })
    .unwrap();
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
