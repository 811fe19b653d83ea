//! A console: one `App` driven by input from anywhere and drawn through any backend. The local
//! terminal (`host`) runs one on the process's terminal; an SSH server can run one per session,
//! each over its own channel. Nothing here touches the process's terminal, stdout or signals:
//! what is process-wide (raw mode, the panic hook, signal handlers, the tty watchdog) lives in
//! `host`.

use super::app::App;
use super::caps::{Charset, to_ascii};
use ratatui::Terminal;
use ratatui::backend::Backend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::Event;
use ratatui::widgets::Widget;
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

/// Draws the console's current state on `terminal`, if it differs from what the terminal shows:
/// an idle console writes nothing at all (even an unchanged ratatui frame writes its style resets
/// and cursor). The frame is rendered off-screen first and compared; a change of size, a tick of
/// the meeting clock, another session's change that shows, all come out as a different frame.
/// With `caps` asking for ASCII, the frame's symbols are made ASCII before it is compared.
pub fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &mut App) -> Result<(), B::Error> {
    terminal.autoresize()?;
    let area = terminal.get_frame().area();
    app.prepare(area);
    let mut next = Buffer::empty(area);
    (&*app).render(area, &mut next);
    if app.caps.charset == Charset::Ascii {
        to_ascii(&mut next);
    }
    let repaint = std::mem::take(&mut app.painted.repaint);
    if !repaint && app.painted.last.as_ref() == Some(&next) {
        return Ok(());
    }
    if repaint {
        // Not `Terminal::clear`: it asks the terminal where the cursor is, which a console on
        // a remote channel cannot answer. Clearing the screen and forgetting what it showed
        // makes the next frame draw every cell.
        terminal.backend_mut().clear()?;
        terminal.swap_buffers();
    }
    let drawn = terminal.draw(|frame| {
        if frame.area() == next.area {
            *frame.buffer_mut() = next;
        } else {
            // The terminal changed size in between: draw at the size it has now.
            app.prepare(frame.area());
            frame.render_widget(&*app, frame.area());
            if app.caps.charset == Charset::Ascii {
                to_ascii(frame.buffer_mut());
            }
        }
    })?;
    app.painted.last = Some(drawn.buffer.clone());
    app.painted.frames += 1;
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
