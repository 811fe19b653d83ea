//! The event loop: draw, wait for a key or a tick, update. The terminal is given back on every
//! way out.

use crate::store::Store;
use crate::tui::app::{App, Clock};
use crate::tui::caps::{self, Charset, Colors, TermEnv};
use crate::tui::config::{Config, ConsoleEnv};
use crate::tui::console::{self, Input, InputGone};
use crate::tui::host::terminal::{self, EventSource, StopSignals, TerminalGuard, TtyWatchdog};
use crate::tui::keymap::KeyMap;
use crate::tui::theme::Theme;
use anyhow::{Context, Result};

/// The test hook's variable: see `run`.
pub const TEST_PANIC_ENV: &str = "DEBRIEF_TEST_PANIC";

/// The local console's environment: the process's (the one place in the console that reads it).
pub fn process_env() -> ConsoleEnv {
    let var = |name: &str| std::env::var_os(name);
    ConsoleEnv {
        no_color: var("NO_COLOR"),
        config_dir: crate::tui::keymap::config_dir_with(var),
        cwd: std::env::current_dir().unwrap_or_else(|_| ".".into()),
        home: var("HOME").filter(|h| !h.is_empty()).map(Into::into),
        local_zone: crate::env::local_zone_checked(),
    }
}

/// The process's terminal and locale (the local host's).
pub fn term_env() -> TermEnv {
    let var = |name: &str| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    TermEnv {
        term: var("TERM"),
        lc_all: var("LC_ALL"),
        lc_ctype: var("LC_CTYPE"),
        lang: var("LANG"),
    }
}

/// Runs the console, on the incident list or on one incident (in meeting mode if `meeting`);
/// `charset` (`--ascii`, `--unicode`) overrides the setting and the guess from TERM and locale.
pub fn run(store: Store, incident: Option<i64>, meeting: bool, charset: Option<Charset>) -> Result<()> {
    // Everything that can fail for a user reason fails before the terminal is taken over.
    let env = process_env();
    let keymap = KeyMap::load(env.config_dir.as_deref()).context("cannot load the key map")?;
    let config = Config::load(env.config_dir.as_deref()).context("cannot load the settings")?;
    let mut caps = caps::detect(&term_env(), charset.or(config.console.charset.charset()))?;
    caps.mouse &= config.console.mouse;
    let theme = match caps.colors {
        Colors::Mono => Theme::mono(),
        _ => Theme::for_env(&env),
    };
    let mut app = App::new(store, keymap, theme, Clock::System);
    app.config = config;
    app.caps = caps;
    app.set_env(&env);
    app.background = true;
    if let Some(id) = incident {
        app.open_incident(id)?;
        if meeting {
            app.set_meeting_mode(true);
        }
    }
    let signals = StopSignals::register().context("cannot watch for stop signals")?;
    let mut guard = TerminalGuard::enter(caps.mouse, caps.colors).context("cannot set up the terminal")?;
    let mut events = EventSource::new().stop_on(signals.flag());
    let _watchdog = TtyWatchdog::spawn(TtyWatchdog::GRACE);
    // Test hook, for tests/it/terminal.rs only: DEBRIEF_TEST_PANIC=1 panics right after the
    // first frame is drawn, to prove that a panic gives the terminal back (cooked mode, echo,
    // main screen, no mouse capture, cursor shown). Only this host reads the variable.
    let mut test_panic = std::env::var_os(TEST_PANIC_ENV).is_some_and(|v| v == "1");
    let draw = |app: &mut App| -> std::io::Result<()> {
        console::draw(&mut guard, app)?;
        if std::mem::take(&mut test_panic) {
            panic!("{TEST_PANIC_ENV}=1: a panic after the first frame, as asked");
        }
        Ok(())
    };
    let result = console::run(&mut app, draw, &mut events, &|| signals.should_stop()).map_err(anyhow::Error::from);
    // A change still waiting for another process's write lock was not saved: the exit says so
    // (status 1), whether a signal (SIGTERM, SIGHUP) or the user's quit ended the wait.
    let unsaved = app.waiting();
    app.shutdown();
    let restored = guard.restore();
    if terminal::tty_gone() {
        // The terminal hung up (the SSH link dropped, the window closed): there is nothing to
        // give back and nobody to tell — restoring and drawing fail with EIO/ENXIO, and an
        // error message on that dead stderr would fail too. What was saved is in SQLite.
        return Ok(());
    }
    restored?;
    result?;
    if let Some(lost) = app.lost {
        // Nothing typed after the file went away was saved: say so where the shell sees it.
        anyhow::bail!(lost.error);
    }
    if unsaved {
        anyhow::bail!("stopped while a change waited for another process's write to finish; that change was not saved");
    }
    Ok(())
}

/// The local terminal's input: a hung-up terminal ends the console.
impl Input for EventSource {
    fn next_event(&mut self, wait: std::time::Duration) -> Result<Option<ratatui::crossterm::event::Event>, InputGone> {
        EventSource::next_event(self, wait).map_err(|_gone| InputGone)
    }
}
