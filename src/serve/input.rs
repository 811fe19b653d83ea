//! A session's input: the bytes its client sends, turned into the console's events by termwiz's
//! `InputParser` (keys, bracketed paste, SGR mouse; a lone Esc once no more bytes follow it
//! within [`ESC_WAIT`]), and the window size the client reports.

use crate::tui::console::{Input, InputGone};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use std::collections::VecDeque;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use termwiz::input::{InputEvent, InputParser, Modifiers, MouseButtons};

/// How long an Esc waits for the rest of a sequence before it is a key of its own.
pub const ESC_WAIT: Duration = Duration::from_millis(30);
/// The most bytes the parser may hold back waiting for the end of something (a paste that never
/// ends): past it, what it holds is dropped, so a client cannot grow the server's memory.
pub const MAX_HELD: usize = 1 << 20;

/// What the SSH side hands a session's console.
#[derive(Debug)]
pub enum ToConsole {
    Bytes(Vec<u8>),
    /// The client's window: columns, rows.
    Resize(u16, u16),
}

/// The console's end of a session's input (see [`ToConsole`]).
pub struct SessionInput {
    rx: Receiver<ToConsole>,
    parser: InputParser,
    queue: VecDeque<Event>,
    /// When bytes held back as a possible start of a sequence (a lone Esc) are taken as keys.
    flush_at: Option<Instant>,
    mouse: MouseButtons,
    /// Bytes given to the parser since it last produced an event.
    held: usize,
    /// The latest window size the client reported, taken by the console's drawing.
    pub size: Arc<Mutex<Option<(u16, u16)>>>,
}

impl SessionInput {
    pub fn new(rx: Receiver<ToConsole>) -> SessionInput {
        SessionInput {
            rx,
            parser: InputParser::new(),
            queue: VecDeque::new(),
            flush_at: None,
            mouse: MouseButtons::NONE,
            held: 0,
            size: Arc::new(Mutex::new(None)),
        }
    }

    fn parse(&mut self, bytes: &[u8], maybe_more: bool) {
        let mut parsed = Vec::new();
        self.parser.parse(bytes, |e| parsed.push(e), maybe_more);
        self.held = if parsed.is_empty() { self.held + bytes.len() } else { 0 };
        if self.held > MAX_HELD {
            self.parser = InputParser::new();
            self.held = 0;
        }
        for event in parsed {
            if let Some(event) = self.convert(event) {
                self.queue.push_back(event);
            }
        }
    }

    fn convert(&mut self, event: InputEvent) -> Option<Event> {
        match event {
            InputEvent::Key(key) => key_event(key.key, key.modifiers).map(Event::Key),
            InputEvent::Paste(text) => Some(Event::Paste(text)),
            InputEvent::Mouse(m) => {
                let before = std::mem::replace(&mut self.mouse, m.mouse_buttons.clone());
                let kind = mouse_kind(&before, &m.mouse_buttons)?;
                Some(Event::Mouse(MouseEvent {
                    kind,
                    // SGR reports cells from 1.
                    column: m.x.saturating_sub(1),
                    row: m.y.saturating_sub(1),
                    modifiers: modifiers(m.modifiers),
                }))
            }
            _ => None,
        }
    }
}

impl Input for SessionInput {
    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, InputGone> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(event) = self.queue.pop_front() {
                return Ok(Some(event));
            }
            let now = Instant::now();
            if let Some(at) = self.flush_at
                && now >= at
            {
                self.flush_at = None;
                self.parse(&[], false);
                continue;
            }
            let until = self.flush_at.map_or(deadline, |at| at.min(deadline));
            if now >= until {
                return Ok(None);
            }
            match self.rx.recv_timeout(until - now) {
                Ok(ToConsole::Bytes(bytes)) => {
                    self.parse(&bytes, true);
                    self.flush_at = Some(Instant::now() + ESC_WAIT);
                }
                Ok(ToConsole::Resize(cols, rows)) => {
                    *self.size.lock().unwrap_or_else(|p| p.into_inner()) = Some((cols, rows));
                    self.queue.push_back(Event::Resize(cols, rows));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    // What was held back is still the client's last keys.
                    if self.flush_at.take().is_some() {
                        self.parse(&[], false);
                        continue;
                    }
                    return Err(InputGone);
                }
            }
        }
    }
}

fn modifiers(m: Modifiers) -> KeyModifiers {
    let mut out = KeyModifiers::NONE;
    if m.contains(Modifiers::SHIFT) {
        out |= KeyModifiers::SHIFT;
    }
    if m.contains(Modifiers::CTRL) {
        out |= KeyModifiers::CONTROL;
    }
    if m.contains(Modifiers::ALT) {
        out |= KeyModifiers::ALT;
    }
    out
}

fn key_event(key: termwiz::input::KeyCode, m: Modifiers) -> Option<KeyEvent> {
    use termwiz::input::KeyCode as K;
    let mods = modifiers(m);
    let code = match key {
        K::Char('\r' | '\n') => KeyCode::Enter,
        K::Char('\t') if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        K::Char('\t') => KeyCode::Tab,
        K::Char('\u{7f}' | '\u{8}') => KeyCode::Backspace,
        K::Char('\u{1b}') => KeyCode::Esc,
        K::Char(c) => KeyCode::Char(c),
        K::Enter => KeyCode::Enter,
        K::Escape => KeyCode::Esc,
        K::Backspace => KeyCode::Backspace,
        K::Tab if mods.contains(KeyModifiers::SHIFT) => KeyCode::BackTab,
        K::Tab => KeyCode::Tab,
        K::UpArrow | K::ApplicationUpArrow => KeyCode::Up,
        K::DownArrow | K::ApplicationDownArrow => KeyCode::Down,
        K::LeftArrow | K::ApplicationLeftArrow => KeyCode::Left,
        K::RightArrow | K::ApplicationRightArrow => KeyCode::Right,
        K::Home => KeyCode::Home,
        K::End => KeyCode::End,
        K::PageUp => KeyCode::PageUp,
        K::PageDown => KeyCode::PageDown,
        K::Insert => KeyCode::Insert,
        K::Delete => KeyCode::Delete,
        K::Function(n) => KeyCode::F(n),
        _ => return None,
    };
    Some(KeyEvent::new(code, mods))
}

/// What changed between two reports of the mouse's buttons.
fn mouse_kind(before: &MouseButtons, now: &MouseButtons) -> Option<MouseEventKind> {
    if now.contains(MouseButtons::VERT_WHEEL) {
        return Some(if now.contains(MouseButtons::WHEEL_POSITIVE) {
            MouseEventKind::ScrollUp
        } else {
            MouseEventKind::ScrollDown
        });
    }
    let buttons = [
        (MouseButtons::LEFT, MouseButton::Left),
        (MouseButtons::RIGHT, MouseButton::Right),
        (MouseButtons::MIDDLE, MouseButton::Middle),
    ];
    for (bit, button) in buttons {
        match (before.contains(bit.clone()), now.contains(bit)) {
            (false, true) => return Some(MouseEventKind::Down(button)),
            (true, false) => return Some(MouseEventKind::Up(button)),
            (true, true) => return Some(MouseEventKind::Drag(button)),
            (false, false) => {}
        }
    }
    Some(MouseEventKind::Moved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    fn events(chunks: &[&[u8]]) -> Vec<Event> {
        let (tx, rx) = mpsc::channel();
        let mut input = SessionInput::new(rx);
        for chunk in chunks {
            tx.send(ToConsole::Bytes(chunk.to_vec())).unwrap();
        }
        drop(tx);
        let mut out = Vec::new();
        while let Ok(Some(e)) = input.next_event(Duration::from_millis(200)) {
            out.push(e);
        }
        out
    }

    fn key(code: KeyCode, mods: KeyModifiers) -> Event {
        Event::Key(KeyEvent::new(code, mods))
    }

    #[test]
    fn keys_paste_and_a_lone_escape() {
        let none = KeyModifiers::NONE;
        assert_eq!(
            events(&[b"a\r\x03\x7f\t\x1b[Z\x1b[A"]),
            vec![
                key(KeyCode::Char('a'), none),
                key(KeyCode::Enter, none),
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                key(KeyCode::Backspace, none),
                key(KeyCode::Tab, none),
                key(KeyCode::BackTab, KeyModifiers::SHIFT),
                key(KeyCode::Up, none),
            ]
        );
        assert_eq!(events(&[b"\x1b"]), vec![key(KeyCode::Esc, none)]);
        // A sequence split across two reads is one key.
        assert_eq!(events(&[b"\x1b[", b"B"]), vec![key(KeyCode::Down, none)]);
        assert_eq!(
            events(&[b"\x1b[200~two\nlines\x1b[201~"]),
            vec![Event::Paste("two\nlines".into())]
        );
        // A paste that never ends is dropped past MAX_HELD; what follows is read as keys.
        let endless = vec![b'x'; MAX_HELD + 1];
        let after = events(&[b"\x1b[200~", &endless, b"q"]);
        assert_eq!(after, vec![key(KeyCode::Char('q'), none)]);
        let click = events(&[b"\x1b[<0;5;3M\x1b[<0;5;3m"]);
        assert_eq!(click.len(), 2, "{click:?}");
        let Event::Mouse(down) = click[0] else {
            panic!("{click:?}")
        };
        assert_eq!(
            (down.kind, down.column, down.row),
            (MouseEventKind::Down(MouseButton::Left), 4, 2)
        );
    }
}
