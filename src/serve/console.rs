//! One session's console: its own `App` on its own connection to the database, under the name of
//! the key that joined, drawn into the SSH channel through a bounded queue of frames.

use super::input::{SessionInput, ToConsole};
use super::policy;
use crate::store::Store;
use crate::store::access::Access;
use crate::tui::app::{App, Clock, Screen};
use crate::tui::caps::{self, Colors, SgrFilter, TermEnv};
use crate::tui::console;
use crate::tui::keymap::KeyMap;
use crate::tui::theme::Theme;
use ratatui::backend::{Backend, ClearType, CrosstermBackend, WindowSize};
use ratatui::buffer::Cell;
use ratatui::crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{cursor, queue};
use ratatui::layout::Rect;
use ratatui::layout::{Position, Size};
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// Frames waiting to be sent to one client: a client that reads slower than the console draws
/// has frames dropped (the next one it gets is whole), and nobody else waits for it.
pub const FRAMES_QUEUED: usize = 4;

/// What a session's console was started with.
pub struct Start {
    pub db: PathBuf,
    pub who: Access,
    pub size: (u16, u16),
    pub no_color: Option<String>,
    /// The client's TERM and locale: what its terminal can show (see `tui::caps`).
    pub term: TermEnv,
    pub input: Receiver<ToConsole>,
    pub frames: Sender<Vec<u8>>,
    /// The server is stopping.
    pub stop: Arc<AtomicBool>,
    /// Set by the server when the key is revoked or changed (see [`AccessChange`]).
    pub access: Arc<AtomicU8>,
    /// Test hook (see [`TEST_PANIC_ENV`]): panic after the first frame.
    pub test_panic: bool,
}

/// Test hook, for tests/it/serve.rs only: `DEBRIEF_TEST_SESSION_PANIC=NAME` in the server's
/// environment makes the sessions of the key NAME panic right after their first frame, to prove
/// that a panic ends that session alone and gives its client's terminal back.
pub const TEST_PANIC_ENV: &str = "DEBRIEF_TEST_SESSION_PANIC";

/// What crossterm writes for a session: kept until the end of the frame (see
/// [`SessionBackend`]), whatever crossterm flushes on the way.
#[derive(Clone, Default)]
struct Pending(Arc<Mutex<Vec<u8>>>);

impl Write for Pending {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The channel's end of the console's output: a frame is sent whole at its end, or dropped when
/// [`FRAMES_QUEUED`] are already waiting.
struct Frames {
    pending: Pending,
    tx: Sender<Vec<u8>>,
    dropped: Arc<AtomicBool>,
}

impl Frames {
    fn send(&mut self) -> io::Result<()> {
        let frame = std::mem::take(&mut *self.pending.0.lock().unwrap_or_else(|p| p.into_inner()));
        if frame.is_empty() {
            return Ok(());
        }
        match self.tx.try_send(frame) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.dropped.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Closed(_)) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client is gone")),
        }
    }
}

/// The crossterm backend over a session's frames, with the size the client reported and the
/// cursor it was last sent to. crossterm would ask the server's own terminal for those (and fail
/// with ENXIO, or worse, answer for the wrong terminal): nothing here ever touches it.
struct SessionBackend {
    inner: CrosstermBackend<SgrFilter<Pending>>,
    frames: Frames,
    size: Size,
    cursor: Position,
}

impl SessionBackend {
    fn new(frames: Frames, size: Size, colors: Colors) -> SessionBackend {
        SessionBackend {
            inner: CrosstermBackend::new(SgrFilter::new(frames.pending.clone(), colors)),
            frames,
            size,
            cursor: Position::ORIGIN,
        }
    }
}

impl Backend for SessionBackend {
    type Error = io::Error;

    fn draw<'a, I>(&mut self, content: I) -> io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content)
    }
    fn append_lines(&mut self, n: u16) -> io::Result<()> {
        self.inner.append_lines(n)
    }
    fn hide_cursor(&mut self) -> io::Result<()> {
        self.inner.hide_cursor()
    }
    fn show_cursor(&mut self) -> io::Result<()> {
        self.inner.show_cursor()
    }
    fn get_cursor_position(&mut self) -> io::Result<Position> {
        Ok(self.cursor)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> io::Result<()> {
        self.cursor = position.into();
        self.inner.set_cursor_position(self.cursor)
    }
    fn clear(&mut self) -> io::Result<()> {
        self.inner.clear()
    }
    fn clear_region(&mut self, clear_type: ClearType) -> io::Result<()> {
        self.inner.clear_region(clear_type)
    }
    fn size(&self) -> io::Result<Size> {
        Ok(self.size)
    }
    fn window_size(&mut self) -> io::Result<WindowSize> {
        Ok(WindowSize {
            columns_rows: self.size,
            pixels: Size::default(),
        })
    }
    /// The end of a frame (ratatui's draw ends with it): what was written goes out as one.
    fn flush(&mut self) -> io::Result<()> {
        Backend::flush(&mut self.inner)?;
        self.frames.send()
    }
}

/// Runs a session's console until its user quits, its client goes, its key is revoked or the
/// server stops. Returns what to tell the client as it leaves.
pub fn run(start: Start) -> io::Result<String> {
    let Start {
        db,
        who,
        size,
        no_color,
        term,
        input,
        frames,
        stop,
        access,
        mut test_panic,
    } = start;
    let caps = match caps::detect(&term, None) {
        Ok(caps) => caps,
        // Said before anything is drawn: the client's terminal is left as it was.
        Err(e) => {
            return Ok(format!(
                "The review console needs a full-screen terminal, and {} is not one: join from a terminal such as xterm, with ssh -t.",
                e.what
            ));
        }
    };
    let store = Store::open(&db, &who.name).map_err(io::Error::other)?;
    let theme = match caps.colors {
        Colors::Mono => Theme::mono(),
        _ => Theme::from_no_color(no_color.as_deref().map(std::ffi::OsStr::new)),
    };
    let mut app = App::new(store, KeyMap::default_map(), theme, Clock::System);
    app.caps = caps;
    app.background = true;
    let (role, scope) = (who.role, who.incident_id);
    app.refuse = Some(Box::new(move |command, ctx| policy::refusal(role, scope, command, ctx)));
    app.hide_internal = policy::hides_internal(role);
    if let Some(id) = scope {
        app.open_incident(id).map_err(io::Error::other)?;
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let mut frames = Frames {
        pending: Pending::default(),
        tx: frames,
        dropped: dropped.clone(),
    };
    queue!(frames.pending, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)?;
    if caps.mouse {
        // Clicks and the wheel only (no motion over a thin link), as the local console.
        frames.pending.write_all(crate::tui::mouse::REPORTING_ON.as_bytes())?;
    }
    let viewport = Viewport::Fixed(Rect::new(0, 0, size.0, size.1));
    let backend = SessionBackend::new(frames, Size::new(size.0, size.1), caps.colors);
    let mut terminal = Terminal::with_options(backend, TerminalOptions { viewport })?;
    let mut input = SessionInput::new(input);
    let resized = input.size.clone();
    let draw = |app: &mut App| -> io::Result<()> {
        if let Some((cols, rows)) = resized.lock().unwrap_or_else(|p| p.into_inner()).take() {
            terminal.backend_mut().size = Size::new(cols, rows);
            terminal.resize(Rect::new(0, 0, cols, rows))?;
        }
        if scope.is_some() && !matches!(app.screen, Screen::Review(_)) {
            // Leaving the one incident this key may see ends the session: the list of the
            // others is never drawn.
            app.quit = true;
            return Ok(());
        }
        catch_up(&mut terminal, &dropped)?;
        console::draw(&mut terminal, app)?;
        if std::mem::take(&mut test_panic) {
            panic!("{TEST_PANIC_ENV}: a panic after the first frame, as asked");
        }
        Ok(())
    };
    let should_stop = || stop.load(Ordering::Relaxed) || access.load(Ordering::Relaxed) != AccessChange::NONE;
    let result = console::run(&mut app, draw, &mut input, &should_stop);
    app.shutdown();
    result?;
    Ok(match access.load(Ordering::Relaxed) {
        AccessChange::REVOKED => "Your key was revoked: the session has ended.".into(),
        AccessChange::CHANGED => "Your access was changed: join again.".into(),
        _ if stop.load(Ordering::Relaxed) => {
            "The review is closing: the server is stopping. What you saved is kept.".into()
        }
        _ => "You left the review. What you saved is kept.".into(),
    })
}

/// What became of a live session's key on the access list.
pub struct AccessChange;

impl AccessChange {
    pub const NONE: u8 = 0;
    pub const REVOKED: u8 = 1;
    /// Given another name, role or incident.
    pub const CHANGED: u8 = 2;
}

/// After a dropped frame the client's screen is not what ratatui believes: the next frame is
/// drawn whole.
fn catch_up(terminal: &mut Terminal<SessionBackend>, dropped: &AtomicBool) -> io::Result<()> {
    if dropped.swap(false, Ordering::Relaxed) {
        terminal.clear()?;
    }
    Ok(())
}

/// What gives a client's terminal back: the main screen, the cursor, no mouse, no bracketed
/// paste; then the message on a line of its own.
pub fn goodbye(message: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = queue!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(crate::model::sanitize::clean_line(message).as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::widgets::Paragraph;

    #[test]
    fn a_client_that_reads_slowly_loses_frames_never_the_screen() {
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        let dropped = Arc::new(AtomicBool::new(false));
        let frames = Frames {
            pending: Pending::default(),
            tx,
            dropped: dropped.clone(),
        };
        let backend = SessionBackend::new(frames, Size::new(30, 2), Colors::Full);
        let viewport = Viewport::Fixed(Rect::new(0, 0, 30, 2));
        let mut terminal = Terminal::with_options(backend, TerminalOptions { viewport }).unwrap();
        let draw = |terminal: &mut Terminal<SessionBackend>, text: &str| {
            catch_up(terminal, &dropped).unwrap();
            terminal
                .draw(|f| f.render_widget(Paragraph::new(text.to_string()), f.area()))
                .unwrap();
        };
        draw(&mut terminal, "timeline: one");
        // The client reads nothing: this frame finds the queue full and is dropped.
        draw(&mut terminal, "timeline: two");
        assert!(dropped.load(Ordering::Relaxed));
        let first = String::from_utf8_lossy(&rx.try_recv().unwrap()).into_owned();
        assert!(first.contains("timeline:") && first.contains("one"), "{first:?}");
        // The next frame is whole (not the difference from the dropped one), and drawing it
        // asks nothing of a terminal (the server has none: ENXIO).
        draw(&mut terminal, "timeline: three");
        let mut next = Vec::new();
        while let Ok(frame) = rx.try_recv() {
            next.extend(frame);
        }
        let next = String::from_utf8_lossy(&next).into_owned();
        assert!(
            next.contains("timeline:") && next.contains("three"),
            "the whole line, not only what changed: {next:?}"
        );
        assert!(!dropped.load(Ordering::Relaxed));
    }
}
