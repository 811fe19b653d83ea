//! One session's console: its own `App` on its own connection to the database, under the name of
//! the key that joined, drawn into the SSH channel through a bounded queue of frames.

use super::input::{SessionInput, ToConsole};
use super::policy;
use crate::store::Store;
use crate::store::access::Access;
use crate::tui::app::{App, Clock, Screen};
use crate::tui::console;
use crate::tui::keymap::KeyMap;
use crate::tui::theme::Theme;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture};
use ratatui::crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::crossterm::{cursor, queue};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// Frames waiting to be sent to one client: a client that reads slower than the console draws
/// has frames dropped (the next one it gets is whole), and nobody else waits for it.
pub const FRAMES_QUEUED: usize = 4;
/// How often a session checks that its key is still on the access list.
const ACCESS_CHECK: Duration = Duration::from_millis(500);

/// What a session's console was started with.
pub struct Start {
    pub db: PathBuf,
    pub who: Access,
    pub size: (u16, u16),
    pub no_color: Option<String>,
    pub input: Receiver<ToConsole>,
    pub frames: Sender<Vec<u8>>,
    /// The server is stopping.
    pub stop: Arc<AtomicBool>,
}

/// The channel's end of the console's output: a frame is sent whole when ratatui flushes it,
/// or dropped when [`FRAMES_QUEUED`] are already waiting.
struct Frames {
    pending: Vec<u8>,
    tx: Sender<Vec<u8>>,
    dropped: Arc<AtomicBool>,
}

impl Write for Frames {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        match self.tx.try_send(std::mem::take(&mut self.pending)) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(_)) => {
                self.dropped.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(TrySendError::Closed(_)) => Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client is gone")),
        }
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
        input,
        frames,
        stop,
    } = start;
    let store = Store::open(&db, &who.name).map_err(io::Error::other)?;
    let theme = Theme::from_no_color(no_color.as_deref().map(std::ffi::OsStr::new));
    let mut app = App::new(store, KeyMap::default_map(), theme, Clock::System);
    app.background = true;
    let (role, scope) = (who.role, who.incident_id);
    app.refuse = Some(Box::new(move |command, ctx| policy::refusal(role, scope, command, ctx)));
    if let Some(id) = scope {
        app.open_incident(id).map_err(io::Error::other)?;
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let mut writer = Frames {
        pending: Vec::new(),
        tx: frames,
        dropped: dropped.clone(),
    };
    queue!(
        writer,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture,
        cursor::Hide
    )?;
    writer.flush()?;
    let viewport = Viewport::Fixed(Rect::new(0, 0, size.0, size.1));
    let mut terminal = Terminal::with_options(CrosstermBackend::new(writer), TerminalOptions { viewport })?;
    let mut input = SessionInput::new(input);
    let resized = input.size.clone();
    let mut ending: Option<String> = None;
    let mut last_check = Instant::now();
    let draw = |app: &mut App| -> io::Result<()> {
        if let Some((cols, rows)) = resized.lock().unwrap_or_else(|p| p.into_inner()).take() {
            terminal.resize(Rect::new(0, 0, cols, rows))?;
        }
        if last_check.elapsed() >= ACCESS_CHECK {
            last_check = Instant::now();
            if let Some(why) = still_allowed(app, &who) {
                ending = Some(why);
                app.quit = true;
                return Ok(());
            }
        }
        if scope.is_some() && !matches!(app.screen, Screen::Review(_)) {
            // Leaving the one incident this key may see ends the session: the list of the
            // others is never drawn.
            app.quit = true;
            return Ok(());
        }
        if dropped.swap(false, Ordering::Relaxed) {
            terminal.clear()?;
        }
        console::draw(&mut terminal, app)
    };
    let result = console::run(&mut app, draw, &mut input, &|| stop.load(Ordering::Relaxed));
    app.shutdown();
    result?;
    Ok(if stop.load(Ordering::Relaxed) {
        "The review is closing: the server is stopping. What you saved is kept.".into()
    } else {
        ending.unwrap_or_else(|| "You left the review. What you saved is kept.".into())
    })
}

/// Why the session must end now that its key changed on the access list (revoked, or given
/// another name, role or incident); None while it is as it was.
fn still_allowed(app: &App, who: &Access) -> Option<String> {
    match app.store.access_by_fingerprint(&who.fingerprint) {
        Ok(Some(now)) if now == *who => None,
        Ok(Some(_)) => Some("Your access was changed: join again.".into()),
        Ok(None) => Some("Your key was revoked: the session has ended.".into()),
        // A database that cannot be read right now (busy) is asked again next time.
        Err(_) => None,
    }
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
