//! Terminal lifecycle: enter and always leave raw mode and the alternate screen (on quit,
//! error, panic, SIGTERM, SIGHUP), and notice a terminal that has gone away.
//!
//! ```no_run
//! use debrief::tui::host::terminal::{EventSource, StopSignals, TerminalGuard, TtyWatchdog};
//! use std::time::Duration;
//! # fn main() -> std::io::Result<()> {
//! let signals = StopSignals::register()?;
//! let mut terminal = TerminalGuard::enter(true, debrief::tui::caps::Colors::Full)?;
//! let mut events = EventSource::new();
//! let _watchdog = TtyWatchdog::spawn(TtyWatchdog::GRACE);
//! while !signals.should_stop() {
//!     terminal.draw(|frame| { /* render */ })?;
//!     match events.next_event(Duration::from_millis(250)) {
//!         Ok(Some(_event)) => { /* key map → Action → App::update */ }
//!         Ok(None) => { /* tick: look for other processes' changes */ }
//!         Err(_gone) => break, // nobody is left to see the screen; save and leave
//!     }
//! }
//! terminal.restore()
//! # }
//! ```
//!
//! Unix only (libc, signals).

use crate::tui::caps::{Colors, SgrFilter};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste, Event};
use ratatui::crossterm::terminal::{EnterAlternateScreen, disable_raw_mode, enable_raw_mode};
use ratatui::crossterm::{cursor, execute};
use std::io::IsTerminal;
use std::io::{self, Stdout, Write, stdout};
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// The local terminal: what is drawn goes to standard output, its colour codes rewritten for
/// the terminal (see [`SgrFilter`]).
pub type LocalTerminal = Terminal<CrosstermBackend<SgrFilter<Stdout>>>;

/// Turns mouse reporting on or off on standard output (see [`crate::tui::mouse`]).
fn mouse_reporting(on: bool) -> io::Result<()> {
    let mut out = stdout();
    let seq = if on {
        crate::tui::mouse::REPORTING_ON
    } else {
        crate::tui::mouse::REPORTING_OFF
    };
    out.write_all(seq.as_bytes())?;
    out.flush()
}

/// Mouse capture is on; read by the panic hook, which has no access to the guard.
static MOUSE_CAPTURED: AtomicBool = AtomicBool::new(false);
static PANIC_HOOK: std::sync::Once = std::sync::Once::new();

/// Raw mode and the alternate screen for as long as it lives; restored on drop and on panic.
pub struct TerminalGuard {
    /// Leaked, not dropped, when restoring failed: see `Drop`.
    terminal: ManuallyDrop<LocalTerminal>,
    active: bool,
    failed: bool,
}

impl TerminalGuard {
    /// Enters raw mode and the alternate screen (`ratatui::try_init`), installs a panic hook
    /// that restores the terminal (once per process), turns on bracketed paste — so pasted
    /// chat arrives as one `Event::Paste`, not as a burst of keys that would each trigger an
    /// action — and, if asked, mouse reporting (clicks and the wheel only). Colours are
    /// written as `colors` says.
    pub fn enter(mouse: bool, colors: Colors) -> io::Result<TerminalGuard> {
        require_terminal()?;
        // The steps of ratatui::try_init, without its panic hook (it eprintln!s when restoring
        // fails, which panics inside the hook on a terminal that has hung up; ours, below,
        // ignores what fails), and undoing only what was done when a step fails: a console
        // that cannot start writes nothing to standard output.
        enable_raw_mode()?;
        if let Err(e) = execute!(stdout(), EnterAlternateScreen) {
            let _ = disable_raw_mode();
            return Err(e);
        }
        let terminal = Terminal::new(CrosstermBackend::new(SgrFilter::new(stdout(), colors))).inspect_err(|_| {
            let _ = ratatui::try_restore();
        })?;
        PANIC_HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                // A worker thread (an import) is reported by the console when it ends; restoring
                // the terminal under the running console, or printing over it, would break it.
                if std::thread::current().name() == Some(crate::tui::popups::running_import::IMPORT_THREAD) {
                    return;
                }
                if MOUSE_CAPTURED.swap(false, Ordering::SeqCst) {
                    let _ = mouse_reporting(false);
                }
                let _ = execute!(stdout(), DisableBracketedPaste, cursor::Show);
                // Raw mode off and the main screen back, before the message is printed.
                let _ = ratatui::try_restore();
                previous(info);
            }));
        });
        let mut guard = TerminalGuard {
            terminal: ManuallyDrop::new(terminal),
            active: true,
            failed: false,
        };
        execute!(stdout(), EnableBracketedPaste)?;
        if mouse {
            MOUSE_CAPTURED.store(true, Ordering::SeqCst);
            mouse_reporting(true).inspect_err(|_| {
                let _ = guard.restore_now();
            })?;
        }
        Ok(guard)
    }

    /// Leaves raw mode and the alternate screen, reporting what failed (drop ignores it).
    pub fn restore(mut self) -> io::Result<()> {
        self.restore_now()
    }

    fn restore_now(&mut self) -> io::Result<()> {
        if !std::mem::take(&mut self.active) {
            return Ok(());
        }
        // Try every step even if one fails: a half-restored terminal is the worst outcome.
        let mouse = if MOUSE_CAPTURED.swap(false, Ordering::SeqCst) {
            mouse_reporting(false)
        } else {
            Ok(())
        };
        let paste = execute!(stdout(), DisableBracketedPaste);
        let cursor = self.terminal.show_cursor();
        let screen = ratatui::try_restore();
        let result = screen.and(mouse).and(paste).and(cursor);
        self.failed = result.is_err();
        result
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        let _ = self.restore_now();
        // After a failed restore (the tty is gone) ratatui's own Drop would try to show the
        // cursor again and eprintln! the failure, which panics when stderr is that same dead
        // tty. Leaking a screen buffer on the way out is the lesser evil.
        if !self.failed {
            // SAFETY: the only place the terminal is dropped, and `self` is going away.
            unsafe { ManuallyDrop::drop(&mut self.terminal) };
        }
    }
}

impl Deref for TerminalGuard {
    type Target = LocalTerminal;
    fn deref(&self) -> &LocalTerminal {
        &self.terminal
    }
}

impl DerefMut for TerminalGuard {
    fn deref_mut(&mut self) -> &mut LocalTerminal {
        &mut self.terminal
    }
}

/// The console draws on standard output and reads keys from standard input: both must be a
/// terminal, checked before anything is written (`debrief open 1 </dev/null >out` leaves `out`
/// empty and says why).
fn require_terminal() -> io::Result<()> {
    let missing = match (io::stdin().is_terminal(), io::stdout().is_terminal()) {
        (true, true) => return Ok(()),
        (false, true) => "standard input is not a terminal",
        (true, false) => "standard output is not a terminal",
        (false, false) => "standard input and output are not a terminal",
    };
    Err(io::Error::other(format!(
        "the console needs a terminal, and {missing} (to print a review, use `debrief show ID`)"
    )))
}

/// SIGTERM, SIGHUP and SIGINT turned into a flag the event loop checks each tick, so the
/// loop ends normally and the terminal is restored. A second signal exits at once (code 1),
/// for when the loop is stuck.
pub struct StopSignals {
    stop: Arc<AtomicBool>,
    which: Arc<AtomicUsize>,
    ids: Vec<signal_hook::SigId>,
}

impl StopSignals {
    /// SIGINT too: in raw mode ctrl-c is a key, so a SIGINT comes from `kill`, and should
    /// restore the terminal like the others rather than leave it raw.
    pub const SIGNALS: [i32; 3] = [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
        signal_hook::consts::SIGINT,
    ];

    pub fn register() -> io::Result<StopSignals> {
        let mut signals = StopSignals {
            stop: Arc::new(AtomicBool::new(false)),
            which: Arc::new(AtomicUsize::new(0)),
            ids: Vec::new(),
        };
        for signal in StopSignals::SIGNALS {
            // Order matters: the shutdown check must see the flag as it was before this signal.
            signals.ids.push(signal_hook::flag::register_conditional_shutdown(
                signal,
                1,
                Arc::clone(&signals.stop),
            )?);
            signals
                .ids
                .push(signal_hook::flag::register(signal, Arc::clone(&signals.stop))?);
            let which = Arc::clone(&signals.which);
            signals
                .ids
                .push(signal_hook::flag::register_usize(signal, which, signal as usize)?);
        }
        Ok(signals)
    }

    pub fn should_stop(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// The flag a stop signal sets, for [`EventSource::stop_on`].
    pub fn flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.stop)
    }

    /// The signal that asked us to stop (for an exit code of 128 + signal).
    pub fn received(&self) -> Option<i32> {
        match self.which.load(Ordering::SeqCst) {
            0 => None,
            signal => i32::try_from(signal).ok(),
        }
    }
}

impl Drop for StopSignals {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

/// The terminal went away: the SSH link dropped, the window closed.
#[derive(Debug, thiserror::Error)]
pub enum TtyGone {
    #[error("the terminal hung up")]
    HungUp,
    #[error("cannot read from the terminal: {0}")]
    Read(#[source] io::Error),
    #[error("the terminal keeps waking us with nothing to read; treating it as gone")]
    Spinning,
}

/// What a look at the terminal's file descriptor found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtyState {
    Idle,
    Readable,
    Gone,
    /// poll(2) can't watch this descriptor (macOS and /dev/tty); trust crossterm alone.
    Unsupported,
}

/// Watches the terminal crossterm reads from, with poll(2), without reading from it.
pub struct TtyProbe {
    tty: Tty,
}

/// The descriptor watched: stdin's, or one of our own (/dev/tty).
enum Tty {
    Stdin(io::Stdin),
    Owned(OwnedFd),
}

impl TtyProbe {
    /// The same descriptor crossterm picks: stdin if it is a terminal, else /dev/tty.
    pub fn open() -> io::Result<TtyProbe> {
        let stdin = io::stdin();
        if stdin.is_terminal() {
            return Ok(TtyProbe { tty: Tty::Stdin(stdin) });
        }
        let file = std::fs::File::open("/dev/tty")?;
        Ok(TtyProbe::from_owned(file.into()))
    }

    pub fn from_owned(fd: OwnedFd) -> TtyProbe {
        TtyProbe { tty: Tty::Owned(fd) }
    }

    /// The descriptor, borrowed for as long as the probe holds it.
    fn fd(&self) -> BorrowedFd<'_> {
        match &self.tty {
            Tty::Stdin(stdin) => stdin.as_fd(),
            Tty::Owned(fd) => fd.as_fd(),
        }
    }

    /// Waits up to `timeout` for input or a hang-up. A signal ends the wait early (`Idle`).
    pub fn wait(&self, timeout: Duration) -> io::Result<TtyState> {
        let mut fds = libc::pollfd {
            fd: self.fd().as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd, and the count says one.
        let ready = unsafe { libc::poll(&mut fds, 1, millis) };
        if ready < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::Interrupted => Ok(TtyState::Idle),
                _ => Err(err),
            };
        }
        if fds.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
            return Ok(TtyState::Gone);
        }
        if fds.revents & libc::POLLNVAL != 0 {
            let still_a_tty = self.fd().is_terminal();
            return Ok(if still_a_tty {
                TtyState::Unsupported
            } else {
                TtyState::Gone
            });
        }
        Ok(if ready > 0 { TtyState::Readable } else { TtyState::Idle })
    }
}

/// Whether our controlling terminal has gone away (hung up, or cannot be reached any more).
pub fn tty_gone() -> bool {
    match TtyProbe::open() {
        Ok(probe) => matches!(probe.wait(Duration::ZERO), Ok(TtyState::Gone) | Err(_)),
        // A hung-up stdin is no longer a tty, and /dev/tty is gone with the session's terminal.
        Err(_) => true,
    }
}

/// Counts wakeups that came early and brought nothing. A live terminal wakes us for keys,
/// resizes and timeouts — a handful per second; thousands of empty ones mean a dead one.
#[derive(Debug, Clone)]
pub struct SpinGuard {
    limit: u32,
    window: Duration,
    count: u32,
    since: Option<Instant>,
}

impl SpinGuard {
    pub const fn new(limit: u32, window: Duration) -> SpinGuard {
        SpinGuard {
            limit,
            window,
            count: 0,
            since: None,
        }
    }

    /// A real event, or a wait that lasted its full time: whatever happened, it wasn't a spin.
    pub fn reset(&mut self) {
        self.count = 0;
        self.since = None;
    }

    /// An early, empty wakeup at `now`; true once `limit` of them came within `window`.
    pub fn empty_wakeup(&mut self, now: Instant) -> bool {
        match self.since {
            Some(start) if now.saturating_duration_since(start) <= self.window => self.count += 1,
            _ => {
                self.since = Some(now);
                self.count = 1;
            }
        }
        self.count >= self.limit
    }
}

impl Default for SpinGuard {
    fn default() -> Self {
        SpinGuard::new(200, Duration::from_secs(1))
    }
}

/// Terminal events, or the news that the terminal is gone.
///
/// Why not just `crossterm::event::poll`: when the tty dies (SSH link drops, window closed
/// while we ignore SIGHUP) its descriptor stays readable forever while read(2) returns 0 or
/// EIO. crossterm 0.29's reader retries that read in a loop that neither errors nor honours
/// the poll timeout (crossterm issue #793), so a caller of `event::poll` never gets control
/// back and burns a core. So we never hand crossterm a dead tty: before each crossterm call we
/// poll(2) the descriptor ourselves and stop on POLLHUP/POLLERR; we wait for input with our
/// own poll in slices of `PROBE_INTERVAL`, so a hang-up is noticed within that time even when
/// no key comes; any crossterm error counts as gone; and a [`SpinGuard`] catches a descriptor
/// that keeps waking us without producing events. The tty can still die between our check
/// and crossterm's read; [`TtyWatchdog`] covers that narrow window.
pub struct EventSource {
    probe: Option<TtyProbe>,
    spin: SpinGuard,
    /// Set by a stop signal: waiting ends at once (the signal interrupts the poll) instead of
    /// at the end of the tick.
    stop: Option<Arc<AtomicBool>>,
}

impl EventSource {
    pub const PROBE_INTERVAL: Duration = Duration::from_millis(100);

    pub fn new() -> EventSource {
        EventSource {
            probe: TtyProbe::open().ok(),
            spin: SpinGuard::default(),
            stop: None,
        }
    }

    /// Ends any wait as soon as `flag` is set.
    pub fn stop_on(mut self, flag: Arc<AtomicBool>) -> EventSource {
        self.stop = Some(flag);
        self
    }

    fn stopping(&self) -> bool {
        self.stop.as_ref().is_some_and(|f| f.load(Ordering::SeqCst))
    }

    /// The next event within `timeout`, `Ok(None)` when there was none.
    pub fn next_event(&mut self, timeout: Duration) -> Result<Option<Event>, TtyGone> {
        let deadline = Instant::now() + timeout;
        let mut woke_early = false;
        loop {
            if self.stopping() {
                return Ok(None);
            }
            let state = self.probe_state(Duration::ZERO)?;
            // crossterm may also hold events it has already read, or a pending resize.
            if event::poll(Duration::ZERO).map_err(TtyGone::Read)? {
                let event = event::read().map_err(TtyGone::Read)?;
                self.spin.reset();
                return Ok(Some(event));
            }
            let now = Instant::now();
            if woke_early && self.spin.empty_wakeup(now) {
                return Err(TtyGone::Spinning);
            }
            if now >= deadline {
                return Ok(None);
            }
            let slice = (deadline - now).min(EventSource::PROBE_INTERVAL);
            if state == TtyState::Unsupported {
                return self.crossterm_only(slice);
            }
            let started = Instant::now();
            self.probe_state(slice)?;
            woke_early = started.elapsed() + Duration::from_millis(1) < slice;
            if !woke_early {
                self.spin.reset();
            }
        }
    }

    fn probe_state(&self, timeout: Duration) -> Result<TtyState, TtyGone> {
        let Some(probe) = &self.probe else {
            return Ok(TtyState::Unsupported);
        };
        match probe.wait(timeout).map_err(TtyGone::Read)? {
            TtyState::Gone => Err(TtyGone::HungUp),
            state => Ok(state),
        }
    }

    fn crossterm_only(&mut self, timeout: Duration) -> Result<Option<Event>, TtyGone> {
        if event::poll(timeout).map_err(TtyGone::Read)? {
            return event::read().map(Some).map_err(TtyGone::Read);
        }
        Ok(None)
    }
}

impl Default for EventSource {
    fn default() -> Self {
        EventSource::new()
    }
}

/// Last resort for a main thread stuck inside crossterm on a dead tty (see [`EventSource`]):
/// a thread that exits the process once the terminal has been gone for `grace`. The event
/// loop normally notices a hang-up within 100 ms and leaves on its own; committed data is
/// safe in SQLite either way.
pub struct TtyWatchdog {
    stop: Arc<AtomicBool>,
    thread: Option<thread::JoinHandle<()>>,
}

impl TtyWatchdog {
    pub const GRACE: Duration = Duration::from_secs(3);
    /// 128 + SIGHUP, what a shell reports for a job killed by a hang-up.
    pub const EXIT_CODE: i32 = 129;

    /// Does nothing when no terminal can be watched.
    pub fn spawn(grace: Duration) -> TtyWatchdog {
        let stop = Arc::new(AtomicBool::new(false));
        let thread = TtyProbe::open().ok().and_then(|probe| {
            let stop = Arc::clone(&stop);
            thread::Builder::new()
                .name("tty-watchdog".into())
                .spawn(move || watch(&probe, &stop, grace))
                .ok()
        });
        TtyWatchdog { stop, thread }
    }
}

fn watch(probe: &TtyProbe, stop: &AtomicBool, grace: Duration) {
    let mut gone_since: Option<Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        thread::park_timeout(Duration::from_millis(250));
        match probe.wait(Duration::ZERO) {
            Ok(TtyState::Gone) | Err(_) => {
                let since = *gone_since.get_or_insert_with(Instant::now);
                if since.elapsed() >= grace && !stop.load(Ordering::SeqCst) {
                    std::process::exit(TtyWatchdog::EXIT_CODE);
                }
            }
            Ok(_) => gone_since = None,
        }
    }
}

impl Drop for TtyWatchdog {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }
}

/// Opens a pseudo-terminal pair (master, slave), for tests of the probe.
#[cfg(test)]
fn open_pty() -> io::Result<(OwnedFd, OwnedFd)> {
    use std::os::fd::{FromRawFd, RawFd};
    let (mut master, mut slave): (RawFd, RawFd) = (-1, -1);
    // SAFETY: out-pointers to two ints; null name, termios and winsize are allowed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: openpty succeeded, so both descriptors are open and ours alone.
    Ok(unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn spin_guard_trips_on_a_burst_of_empty_wakeups() {
        let mut guard = SpinGuard::new(5, Duration::from_secs(1));
        let t0 = Instant::now();
        for i in 0..4 {
            assert!(!guard.empty_wakeup(t0 + Duration::from_millis(i)));
        }
        assert!(guard.empty_wakeup(t0 + Duration::from_millis(4)));
    }

    #[test]
    fn spin_guard_forgives_slow_wakeups_and_real_events() {
        let mut guard = SpinGuard::new(3, Duration::from_secs(1));
        let t0 = Instant::now();
        // Spread over more than the window: a new window starts each time.
        for i in 0..10 {
            assert!(!guard.empty_wakeup(t0 + Duration::from_millis(600 * i)));
        }
        guard.reset();
        assert!(!guard.empty_wakeup(t0));
        assert!(!guard.empty_wakeup(t0));
        guard.reset();
        assert!(!guard.empty_wakeup(t0));
        assert!(!guard.empty_wakeup(t0));
        assert!(guard.empty_wakeup(t0));
    }

    #[test]
    fn probe_sees_input_and_hang_up() {
        let (master, slave) = open_pty().expect("openpty");
        let probe = TtyProbe::from_owned(slave);
        assert_eq!(probe.wait(Duration::ZERO).unwrap(), TtyState::Idle);
        let started = Instant::now();
        assert_eq!(probe.wait(Duration::from_millis(30)).unwrap(), TtyState::Idle);
        assert!(started.elapsed() >= Duration::from_millis(25), "it waited");

        let mut writer = std::fs::File::from(master.try_clone().unwrap());
        writer.write_all(b"x\n").unwrap();
        assert_eq!(probe.wait(Duration::from_secs(1)).unwrap(), TtyState::Readable);

        drop(writer);
        drop(master);
        assert_eq!(probe.wait(Duration::from_secs(1)).unwrap(), TtyState::Gone);
    }

    #[test]
    fn stop_signals_set_the_flag() {
        let signals = StopSignals::register().unwrap();
        assert!(!signals.should_stop());
        // SAFETY: our handler for SIGHUP is registered just above.
        unsafe { libc::raise(libc::SIGHUP) };
        assert!(signals.should_stop());
        assert_eq!(signals.received(), Some(libc::SIGHUP));
    }
}
