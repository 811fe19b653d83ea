//! A console: one `App` driven by input from anywhere and drawn through any backend. The local
//! terminal (`host`) runs one on the process's terminal; an SSH server can run one per session,
//! each over its own channel. Nothing here touches the process's terminal, stdout or signals:
//! what is process-wide (raw mode, the panic hook, signal handlers, the tty watchdog) lives in
//! `host`.

use super::app::App;
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::crossterm::event::Event;
use std::io;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How often the console looks for other sessions' changes when no input arrives.
pub const TICK: Duration = Duration::from_millis(250);
/// While an import runs on its thread: how often its progress is drawn.
pub const BUSY_TICK: Duration = Duration::from_millis(50);

/// The input is gone (a terminal that hung up, a closed channel): the console ends.
#[derive(Debug)]
pub struct InputGone;

/// Where a console's input comes from.
pub trait Input {
    /// The next event, waiting at most `wait`; `Ok(None)` when none came in time.
    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, InputGone>;
}

/// Events sent from elsewhere (an SSH session's reader, a test).
impl Input for Receiver<Event> {
    fn next_event(&mut self, wait: Duration) -> Result<Option<Event>, InputGone> {
        match self.recv_timeout(wait) {
            Ok(event) => Ok(Some(event)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(InputGone),
        }
    }
}

/// Draws the console's current state on `terminal`.
pub fn draw<B: Backend<Error = io::Error>>(terminal: &mut Terminal<B>, app: &mut App) -> io::Result<()> {
    terminal.draw(|frame| {
        app.prepare(frame.area());
        frame.render_widget(&*app, frame.area());
    })?;
    Ok(())
}

/// The console's loop: draw, do what the frame just announced ("Reading api.log…"), wait for
/// input or a tick, update; until the user quits, the input is gone, or `should_stop` says so.
/// `draw` is called before each wait: the local host draws on its terminal guard, a remote
/// session on its channel.
pub fn run(
    app: &mut App,
    mut draw: impl FnMut(&mut App) -> io::Result<()>,
    input: &mut dyn Input,
    should_stop: &dyn Fn() -> bool,
) -> io::Result<()> {
    let mut last_tick = Instant::now();
    loop {
        draw(app)?;
        if app.has_pending() {
            app.run_pending();
            continue;
        }
        let wait = if app.busy() { BUSY_TICK } else { TICK };
        match input.next_event(wait) {
            Ok(Some(event)) => app.handle_event(event),
            Ok(None) => {}
            Err(InputGone) => break,
        }
        app.poll_jobs();
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            app.tick();
        }
        if app.quit || should_stop() {
            break;
        }
    }
    Ok(())
}
