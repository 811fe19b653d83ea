//! The console's state and its one `update(action)`: keys become actions through the key map;
//! nothing else changes state.

use super::theme::Theme;
use crate::store::{Store, StoreError};
use crate::tui::effect::{Ctx, Effect, Failure};
use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::popups;
use crate::tui::popups::conflict::Clash;
pub use crate::tui::popups::{Confirmed, MenuPurpose, Popup, Purpose};
use crate::tui::screens::all_actions::{CrossForm, CrossState};
use crate::tui::screens::home::{self, HomeForm, HomeState, new_incident_form};
use crate::tui::screens::insights::{InsightsForm, InsightsState};
use crate::tui::screens::review::forms::{ReviewConfirm, ReviewForm};
use crate::tui::screens::review::meeting;
use crate::tui::screens::review::{self, Pane, ReviewState};
use crate::tui::widgets::form::{Form, FormOutcome};
use crate::tui::widgets::help::HelpOverlay;
use crate::tui::widgets::menu::Menu;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use ratatui::crossterm::event::{Event as TermEvent, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use std::time::{Duration, Instant};

pub enum Screen {
    Home(HomeState),
    Review(Box<ReviewState>),
    CrossActions(Box<CrossState>),
    Insights(Box<crate::tui::screens::insights::InsightsState>),
}

/// Where "now" comes from: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

impl Clock {
    pub fn now(self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(t) => t,
        }
    }
}

/// The one-line message at the bottom of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    /// Something done, or worth knowing.
    Info(String),
    /// Something that failed: drawn in the error style.
    Error(String),
}

impl Flash {
    pub fn text(&self) -> &str {
        match self {
            Flash::Info(t) | Flash::Error(t) => t,
        }
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Flash::Error(_))
    }
}

/// A session whose database file went away: what the banner says, and the error it exits with.
#[derive(Debug, Clone)]
pub struct Lost {
    pub banner: String,
    pub error: String,
}

/// The read-only context a screen's `update` gets: built from `App`'s fields one by one, so that
/// the screen itself (`self.screen`) can be borrowed mutably beside it.
macro_rules! ctx {
    ($app:ident) => {
        Ctx {
            store: &$app.store,
            now: $app.clock.now(),
            local_zone: $app.local_zone,
            cwd: &$app.cwd,
            home: $app.home.as_deref(),
            import_dir: &$app.import_dir,
            keymap: &$app.keymap,
            config: &$app.config,
            theme: &$app.theme,
        }
    };
}

/// How many of its changes a console can take back.
pub const UNDO_DEPTH: usize = 100;

pub struct App {
    pub store: Store,
    pub keymap: KeyMap,
    pub theme: Theme,
    pub screen: Screen,
    /// The screens `q` returns to (the list across incidents and the insights open over the
    /// screen they came from).
    back: Vec<Screen>,
    pub popups: Vec<Popup>,
    /// A one-line message at the bottom.
    pub flash: Option<Flash>,
    /// Why this session can no longer save (its database file was deleted or replaced).
    pub lost: Option<Lost>,
    pub quit: bool,
    /// Slow work asked for by the last key (reading or importing a file): the event loop draws
    /// a frame saying so first, then runs it with [`App::run_pending`].
    pending: Option<Pending>,
    /// Imports run on a thread of their own (set by the event loop; tests run them in line).
    pub background: bool,
    pub clock: Clock,
    pub local_zone: Tz,
    /// Where file names typed in this console are read from (the import form completes them
    /// there; export and import read relative paths from it): "." until the host says (the
    /// local host sets the process's working directory; a remote session sets its own).
    pub cwd: std::path::PathBuf,
    /// What a leading `~/` in a typed path means here (`None`: kept as typed); set by the host.
    pub home: Option<std::path::PathBuf>,
    /// The directory of the file last imported in this console, as typed (`files/`): the
    /// next import form starts there.
    pub import_dir: String,
    /// What this console did, newest last, for undo (ctrl-z); at most [`UNDO_DEPTH`].
    pub undo: Vec<crate::tui::undo::Undo>,
    pub config: super::config::Config,
    /// What the terminal in front of this console can show (characters, colours, mouse).
    pub caps: super::caps::Caps,
    /// What the terminal shows now, so that an unchanged frame is not sent again.
    pub painted: super::painted::Painted,
    session: String,
    data_version: i64,
    /// When this console last wrote its presence (the console's clock).
    last_heartbeat: Option<DateTime<Utc>>,
    /// When its user last pressed a key (or pasted, or clicked): presence says idle after a while.
    last_input: DateTime<Utc>,
    /// A key whose write found another process holding the database's write lock: nothing
    /// was written, the popups are as they were before the key, and [`App::tick`] presses the
    /// key again until the write goes through or Esc gives up.
    waiting: Option<Waiting>,
    /// What this console may not do (an SSH session's role and scope, see `serve`): given a
    /// command and the context it came in, the reason it is refused, shown instead of running it.
    /// None (the local console): everything is allowed.
    pub refuse: Option<Refuse>,
    /// An observer's console (`serve`): the review loads no internal events or decisions.
    pub hide_internal: bool,
}

/// See [`App::refuse`].
pub type Refuse = Box<dyn Fn(Command, Context) -> Option<String> + Send>;

/// A write waiting for another process's write lock (see [`App::waiting`]).
#[derive(Debug, Clone, Copy)]
struct Waiting {
    key: KeyEvent,
    since: Instant,
    last_try: Instant,
}

/// How long a console write waits for the write lock before it lets the event loop go on:
/// never long enough to stop a frame or a key (another writer's import can hold it for minutes).
pub const WRITE_WAIT: Duration = Duration::from_millis(20);
/// How often a waiting write is tried again.
const RETRY_EVERY: Duration = Duration::from_millis(200);
/// The first words of what a form (or the status line) says while its write waits.
pub const WAITING_TEXT: &str = "Waiting for another writer";

/// How often a console writes its presence: at most once in this time. Readers count a
/// session gone after [`crate::store::PRESENCE_GONE`] (three heartbeats missed).
pub const HEARTBEAT: Duration = Duration::from_secs(10);

impl App {
    /// A console with the defaults of [`ConsoleEnv`] (UTC, paths from "."); its host then
    /// hands it its own environment ([`App::set_env`]).
    pub fn new(store: Store, keymap: KeyMap, theme: Theme, clock: Clock) -> App {
        let data_version = store.data_version().unwrap_or(0);
        let local_zone = chrono_tz::UTC;
        let session = format!(
            "{}-{}-{}",
            std::process::id(),
            store.author(),
            Utc::now().timestamp_micros()
        );
        let mut app = App {
            store,
            keymap,
            theme,
            screen: Screen::Home(HomeState::default()),
            back: Vec::new(),
            popups: Vec::new(),
            flash: None,
            lost: None,
            quit: false,
            pending: None,
            background: false,
            clock,
            local_zone,
            cwd: std::path::PathBuf::from("."),
            home: None,
            import_dir: String::new(),
            undo: Vec::new(),
            config: Default::default(),
            caps: Default::default(),
            painted: Default::default(),
            session,
            data_version,
            last_heartbeat: None,
            last_input: clock.now(),
            waiting: None,
            refuse: None,
            hide_internal: false,
        };
        // Writes never block the event loop: one that finds the lock held fails at once and
        // waits in `waiting` instead (see `App::attempt`).
        if let Err(e) = app.store.set_busy_timeout(WRITE_WAIT) {
            app.set_flash(e.to_string(), true);
        }
        app.reload();
        app
    }

    /// Where this console runs, from its host: the zone "today" is counted in (a zone that is
    /// not the one asked for is said on the status line), and where typed paths are read from.
    pub fn set_env(&mut self, env: &crate::tui::config::ConsoleEnv) {
        self.local_zone = env.local_zone.zone;
        self.cwd = env.cwd.clone();
        self.home = env.home.clone();
        self.reload();
        if let Some(warning) = &env.local_zone.warning {
            self.set_flash(warning.clone(), true);
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.local_zone).date_naive()
    }

    pub fn open_incident(&mut self, id: i64) -> Result<(), StoreError> {
        let mut review = ReviewState::open(&self.store, id)?;
        if self.hide_internal {
            review.hide_internal = true;
            review.reload(&self.store)?;
        }
        self.screen = Screen::Review(Box::new(review));
        self.back.clear();
        Ok(())
    }

    /// The key-map context the next key is read in.
    pub fn context(&self) -> Context {
        if let Some(top) = self.popups.last() {
            return App::popup_context(top);
        }
        match &self.screen {
            Screen::Home(h) if h.incidents.is_empty() => Context::Welcome,
            Screen::Home(_) => Context::Home,
            Screen::Review(r) => r.meeting_context().unwrap_or(match r.focus {
                Pane::Timeline => Context::Timeline,
                Pane::Causes => Context::Causes,
                Pane::Actions => Context::Actions,
            }),
            Screen::CrossActions(_) => Context::Cross,
            Screen::Insights(_) => Context::Insights,
        }
    }

    pub fn handle_event(&mut self, event: TermEvent) {
        if matches!(event, TermEvent::Key(_) | TermEvent::Paste(_) | TermEvent::Mouse(_)) {
            self.last_input = self.now();
        }
        match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            // While a write waits, what it will write stays as it is.
            TermEvent::Paste(_) | TermEvent::Mouse(_) if self.waiting.is_some() => self.still_waiting(),
            TermEvent::Paste(text) => self.paste(&text),
            TermEvent::Mouse(m) => self.handle_mouse(m),
            // The terminal may have cut or reflowed what it showed, even if it is back to the
            // size it had: draw everything again.
            TermEvent::Resize(..) => self.painted.repaint(),
            _ => {}
        }
    }

    /// Presses a key. Every write a key asks for goes through here: when another process holds
    /// the database's write lock, the write fails at once (nothing written), the popups go back
    /// to how they were before the key, and the key waits to be pressed again on the next
    /// ticks, while the console keeps drawing and answering keys (Esc gives up).
    pub fn handle_key(&mut self, key: KeyEvent) {
        match self.waiting {
            Some(_) => self.key_while_waiting(key),
            None => self.attempt(key, None),
        }
    }

    /// Whether a write is waiting for another process's write lock.
    pub fn waiting(&self) -> bool {
        self.waiting.is_some()
    }

    fn attempt(&mut self, key: KeyEvent, since: Option<Instant>) {
        let depth = self.popups.len();
        let before = self.popups.last().and_then(Popup::copy);
        let commits = self.store.commits();
        self.store.take_refused();
        self.dispatch_key(key);
        if !self.store.take_refused() {
            return;
        }
        if self.store.commits() != commits {
            // Cannot happen today (every key writes in one transaction); should a key ever
            // write twice, pressing it again would repeat what was saved, so it is not retried.
            self.set_flash(
                "Another process took the database in the middle of this change: part of it was saved. \
                 Check it before trying again.",
                true,
            );
            return;
        }
        // Nothing was written: undo what the failed attempt did to the popups.
        match before {
            Some(top) => {
                self.popups.truncate(depth.saturating_sub(1));
                self.popups.push(top);
            }
            None => self.popups.truncate(depth),
        }
        let now = Instant::now();
        self.waiting = Some(Waiting {
            key,
            since: since.unwrap_or(now),
            last_try: now,
        });
        self.show_waiting();
    }

    /// Says that a write waits, in the form it came from or else on the status line.
    fn show_waiting(&mut self) {
        let Some(w) = self.waiting else {
            return;
        };
        let secs = w.since.elapsed().as_secs();
        let text = if secs == 0 {
            format!("{WAITING_TEXT}… (Esc gives up)")
        } else {
            format!("{WAITING_TEXT}… {secs} s (Esc gives up)")
        };
        match self.popups.last_mut() {
            Some(Popup::Form(f)) => f.error = Some(text),
            _ => self.set_flash(text, false),
        }
    }

    fn still_waiting(&mut self) {
        self.show_waiting();
    }

    /// While a write waits: Esc (or back) gives up, keeping the form; quit quits (the console
    /// then says that the change was not saved); any other key is answered with the wait.
    fn key_while_waiting(&mut self, key: KeyEvent) {
        use ratatui::crossterm::event::KeyCode;
        let command = self.keymap.command_with_layer(self.context(), self.layer(), &key);
        if command == Some(Command::Quit) {
            self.quit = true;
        } else if key.code == KeyCode::Esc || command == Some(Command::Back) {
            self.waiting = None;
            match self.popups.last_mut() {
                Some(Popup::Form(f)) => {
                    f.error = Some("Gave up waiting for another writer: nothing was saved. Ctrl-S tries again.".into())
                }
                _ => self.set_flash("Gave up waiting for another writer: nothing was saved.", true),
            }
        } else {
            self.still_waiting();
        }
    }

    /// Tries a waiting write again (from [`App::tick`]).
    fn retry_waiting(&mut self) {
        let Some(w) = self.waiting else {
            return;
        };
        if w.last_try.elapsed() < RETRY_EVERY {
            return;
        }
        self.waiting = None;
        self.attempt(w.key, Some(w.since));
    }

    fn dispatch_key(&mut self, key: KeyEvent) {
        if !self.popups.is_empty() {
            self.popup_key(key);
            return;
        }
        self.flash = None;
        if let Some(command) = self.keymap.command_with_layer(self.context(), self.layer(), &key) {
            self.update(command);
        }
    }

    fn paste(&mut self, text: &str) {
        match self.popups.last_mut() {
            Some(Popup::Form(form)) => form.paste(text),
            _ => self.set_flash("Paste into a field: press a or e first.", false),
        }
    }

    /// A click focuses the pane under it (and selects the row); the wheel moves up or down the
    /// list under it, or scrolls the help or a menu on top. See [`crate::tui::mouse`].
    fn handle_mouse(&mut self, m: MouseEvent) {
        let command = match m.kind {
            MouseEventKind::ScrollUp => Command::Up,
            MouseEventKind::ScrollDown => Command::Down,
            MouseEventKind::Down(MouseButton::Left) => return self.click(m),
            _ => return,
        };
        match self.popups.last_mut() {
            Some(Popup::Help(help, _)) => {
                help.on_command(command);
            }
            Some(Popup::Menu(menu)) => {
                menu.selected = match command {
                    Command::Up => menu.selected.saturating_sub(1),
                    _ => (menu.selected + 1).min(menu.items.len().saturating_sub(1)),
                };
            }
            Some(_) => {}
            None => {
                if let Screen::Review(r) = &mut self.screen
                    && let Some((pane, _)) = r.pane_areas.iter().find(|(_, rect)| hit(rect, &m))
                {
                    r.focus = *pane;
                }
                self.update(command);
            }
        }
    }

    fn click(&mut self, m: MouseEvent) {
        if !self.popups.is_empty() {
            return;
        }
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        if let Some((pane, _)) = r.pane_areas.iter().find(|(_, rect)| hit(rect, &m)) {
            r.focus = *pane;
        }
        if let Some((pane, rect)) = r.list_areas.iter().find(|(_, rect)| hit(rect, &m)).copied() {
            let row = m.row - rect.y;
            match pane {
                Pane::Timeline => {
                    if let Some(i) = r.timeline.index_at_row(row) {
                        r.timeline.select_index(i);
                    }
                }
                Pane::Causes => {
                    if (row as usize) < r.causes.len() {
                        r.cause_sel = row as usize;
                        let _ = r.reload(&self.store);
                    }
                }
                Pane::Actions => {}
            }
        }
    }

    pub fn set_flash(&mut self, text: impl Into<String>, error: bool) {
        let text = text.into();
        self.flash = Some(if error { Flash::Error(text) } else { Flash::Info(text) });
    }

    /// Back to the list of incidents, re-read.
    fn go_home(&mut self) {
        self.screen = Screen::Home(HomeState::default());
        self.back.clear();
        self.reload();
    }

    fn report(&mut self, result: Result<(), StoreError>) {
        if let Err(e) = result {
            self.set_flash(e.to_string(), true);
        }
        self.reload();
    }

    /// Re-reads what the current screen shows (after our own change or someone else's).
    pub fn reload(&mut self) {
        let today = self.today();
        let result = match &mut self.screen {
            Screen::Home(h) => owed(&self.store, today).and_then(|owed| {
                h.owed = owed;
                let list = self.store.incident_summaries_with(today, h.show_archived)?;
                h.incidents = list;
                let len = h.visible().len();
                h.cursor.clamp(len);
                Ok(())
            }),
            Screen::Review(r) => r.reload(&self.store),
            Screen::CrossActions(c) => c.reload(&self.store, today),
            Screen::Insights(i) => i.reload(&self.store, today),
        };
        if let Err(e) = result {
            if matches!(e, StoreError::UnknownIncident(_)) {
                self.screen = Screen::Home(HomeState::default());
                self.back.clear();
                self.set_flash("This incident was deleted by someone else.", true);
                return self.reload();
            }
            self.set_flash(e.to_string(), true);
        }
        self.data_version = self.store.data_version().unwrap_or(self.data_version);
        self.note_saved_meanwhile();
    }

    /// Each open edit form of the review says whether someone else saved its item since it
    /// opened (`dana saved this action 14:32 — saving will merge`).
    fn note_saved_meanwhile(&mut self) {
        let Screen::Review(r) = &self.screen else {
            return;
        };
        for popup in &mut self.popups {
            if let Popup::Form(f) = popup
                && let Purpose::Review(p) = &f.purpose
            {
                f.notice = review::merge::saved_meanwhile(r, p, &self.store);
            }
        }
    }

    /// Called a few times a second: tries a waiting write again, picks up other sessions'
    /// changes and keeps presence fresh.
    pub fn tick(&mut self) {
        self.retry_waiting();
        self.heartbeat();
        self.reload_if_changed();
        self.read_presence();
    }

    /// Writes this console's presence when the last write is [`HEARTBEAT`] old: at most one
    /// write in that time, whatever happens (a clock set back counts as due). Not while an
    /// import holds the write lock: the heartbeat would wait for it and the progress would
    /// stop being drawn.
    fn heartbeat(&mut self) {
        let now = self.now();
        let every = chrono::Duration::from_std(HEARTBEAT).unwrap_or_default();
        let due = self.last_heartbeat.is_none_or(|t| now < t || now - t >= every);
        if !due || self.busy() {
            return;
        }
        self.last_heartbeat = Some(now);
        let incident = match &self.screen {
            Screen::Review(r) => Some(r.incident.id),
            _ => None,
        };
        let _ = self.store.heartbeat(&self.session, incident, now, self.last_input);
    }

    /// Who else has the incident open, as of now (a reader counts a silent session as gone
    /// after 30 s, and someone who pressed no key for 5 minutes as idle). Only a change of what
    /// the header shows changes the frame.
    fn read_presence(&mut self) {
        let now = self.now();
        if let Screen::Review(r) = &mut self.screen
            && let Ok(here) = self.store.present(&self.session, r.incident.id, now)
        {
            r.presence = here.iter().map(crate::tui::screens::review::presence_name).collect();
        }
    }

    /// Reloads when another session (or an import on its own thread) committed since the last
    /// reload.
    fn reload_if_changed(&mut self) {
        self.check_file();
        if let Ok(v) = self.store.data_version()
            && v != self.data_version
        {
            self.reload();
        }
    }

    /// Notices that the database file was deleted or replaced under this session: from then on the
    /// console is read-only (what is on screen stays readable and exportable), a banner says why,
    /// and the process exits with status 1.
    fn check_file(&mut self) {
        if self.lost.is_none()
            && let Err(e) = self.store.check_file()
        {
            let what = match &e {
                StoreError::FileGone { what, .. } => what.clone(),
                other => other.to_string(),
            };
            let name = self.store.path().file_name().unwrap_or_default().to_string_lossy();
            self.lost = Some(Lost {
                banner: crate::model::sanitize::clean_line(&format!(
                    "READ-ONLY: {name} {what} · nothing more is saved · x exports"
                )),
                error: crate::model::sanitize::clean_line(&e.to_string()),
            });
        }
    }

    /// Leaves the presence table on the way out, after stopping a running import (rolled back).
    pub fn shutdown(&mut self) {
        for popup in &mut self.popups {
            if let Popup::Running(running) = popup {
                running.stop();
            }
        }
        let _ = self.store.leave(&self.session);
    }

    pub fn update(&mut self, command: Command) {
        if let Some(why) = self.refuse.as_ref().and_then(|refuse| refuse(command, self.context())) {
            self.set_flash(why, true);
            return;
        }
        if command.writes() && self.lost.is_some() {
            self.set_flash(
                "Not saved: the database file is gone (top line); x exports, q quits",
                true,
            );
            return;
        }
        match command {
            Command::Quit => self.quit = true,
            Command::Help => {
                let ctx = self.context();
                let help = HelpOverlay::new().with_layer(self.layer());
                self.popups.push(Popup::Help(help, ctx));
            }
            Command::Theme => {
                self.theme = self.theme.next();
                self.set_flash(format!("Theme: {}", self.theme.name.name()), false);
            }
            Command::Refresh => {
                self.reload();
                self.painted.repaint();
            }
            Command::Undo => self.undo(),
            Command::CrossActions => self.open_cross_actions(),
            Command::Insights => self.open_insights(),
            _ => match self.screen {
                Screen::Home(_) => self.update_home(command),
                Screen::Review(_) => {
                    if !self.update_meeting(command) {
                        self.update_review(command)
                    }
                }
                Screen::CrossActions(_) => self.update_cross(command),
                Screen::Insights(_) => self.update_insights(command),
            },
        }
    }

    fn update_home(&mut self, command: Command) {
        let ctx = ctx!(self);
        let Screen::Home(h) = &mut self.screen else {
            return;
        };
        let effects = h.update(command, &ctx);
        self.apply_effects(effects);
    }

    /// Applies what a screen asked for, in order. The only place a screen's wishes change `App`.
    pub(super) fn apply_effects<P: Into<Popup>>(&mut self, effects: Vec<Effect<P>>) {
        for effect in effects {
            self.apply_effect(effect.map(Into::into));
        }
    }

    fn apply_effect(&mut self, effect: Effect<Popup>) {
        match effect {
            Effect::Remember(undo) => {
                if self.undo.len() >= UNDO_DEPTH {
                    self.undo.remove(0);
                }
                self.undo.push(*undo);
            }
            Effect::Flash(text) => self.set_flash(text, false),
            Effect::Error(text) => self.set_flash(text, true),
            Effect::Unavailable(command) => self.explain_unavailable(command),
            Effect::Popup(popup) => self.popups.push(*popup),
            Effect::OpenIncident(id) => {
                let r = self.open_incident(id);
                self.report(r);
            }
            Effect::OpenAction { incident, action } => match self.open_incident(incident) {
                Ok(()) => {
                    if let Screen::Review(r) = &mut self.screen {
                        r.focus = Pane::Actions;
                        r.select_action(action);
                    }
                }
                Err(e) => self.set_flash(e.to_string(), true),
            },
            Effect::NewIncident => self.popups.push(Popup::Form(
                new_incident_form(self.local_zone.name()).map(Purpose::Home),
            )),
            Effect::LoadDemo => match crate::demo::load_demo(&self.store) {
                Ok(id) => {
                    let r = self.open_incident(id);
                    self.report(r);
                    self.set_flash("Demo incident loaded.", false);
                }
                Err(e) => self.set_flash(format!("{e:#}"), true),
            },
            Effect::Back => {
                self.screen = self.back.pop().unwrap_or_else(|| Screen::Home(HomeState::default()));
                self.reload();
            }
            Effect::Home => self.go_home(),
            Effect::Reload => self.reload(),
            Effect::Quit => self.quit = true,
        }
    }

    /// The layer of keys under the current context's own: the agenda's, in meeting mode.
    pub fn layer(&self) -> Option<Context> {
        match &self.screen {
            Screen::Review(r) if self.popups.is_empty() && r.meeting.is_some() => Some(Context::Agenda),
            _ => None,
        }
    }

    /// Commands that do nothing on the screen shown, left out of its key bar: `end meeting` on
    /// a meeting that has ended.
    pub fn idle_commands(&self) -> Vec<Command> {
        // The chooser of one text (a meeting item) has no fields to choose between: only
        // mine, theirs or edit again.
        if let Some(Popup::Conflict { clash: None, .. }) = self.popups.last() {
            return vec![Command::Select, Command::Toggle];
        }
        match &self.screen {
            Screen::Review(r) if r.meeting.as_ref().is_some_and(|m| m.meeting.ended_at.is_some()) => {
                vec![Command::EndMeeting]
            }
            _ => Vec::new(),
        }
    }

    pub fn in_meeting_mode(&self) -> bool {
        matches!(&self.screen, Screen::Review(r) if r.meeting.is_some())
    }

    /// Turns meeting mode on (starting the meeting's clock the first time) or off (the clock
    /// keeps running: leaving the screen does not stop the meeting).
    pub fn set_meeting_mode(&mut self, on: bool) {
        let ctx = ctx!(self);
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        let effects = meeting::set_mode(r, on, &ctx);
        self.apply_effects(effects);
    }

    /// Applies an action that belongs to meeting mode; false when it is the review's to apply.
    fn update_meeting(&mut self, command: Command) -> bool {
        let ctx = ctx!(self);
        let Screen::Review(r) = &mut self.screen else {
            return false;
        };
        match meeting::update(r, command, &ctx) {
            Some(effects) => {
                self.apply_effects(effects);
                true
            }
            None => false,
        }
    }

    fn update_review(&mut self, command: Command) {
        let ctx = ctx!(self);
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        let effects = review::update::update(r, command, &ctx);
        self.apply_effects(effects);
    }

    /// Opens the list of every incident's actions, showing the current author's.
    pub fn open_cross_actions(&mut self) {
        if matches!(self.screen, Screen::CrossActions(_)) {
            return;
        }
        match CrossState::open(&ctx!(self)) {
            Ok(state) => {
                let back = std::mem::replace(&mut self.screen, Screen::CrossActions(Box::new(state)));
                self.back.push(back);
            }
            Err(e) => self.set_flash(e.to_string(), true),
        }
    }

    fn update_cross(&mut self, command: Command) {
        let ctx = ctx!(self);
        let Screen::CrossActions(c) = &mut self.screen else {
            return;
        };
        let effects = c.update(command, &ctx);
        self.apply_effects(effects);
    }

    /// Takes back the last change this console made (a normal versioned write: someone else's
    /// later change of the same item is a conflict, and stays).
    fn undo(&mut self) {
        let Some(undo) = self.undo.pop() else {
            return self.set_flash("Nothing to undo in this session.", false);
        };
        match undo.run(&self.store) {
            Ok(now) => {
                // The same item's edit before this one now takes back from where this left it.
                if let Some(now) = now {
                    let _ = self.undo.iter_mut().rev().any(|earlier| earlier.rebase(&undo, now));
                }
                let text = format!("Undone: {}.", undo.describe());
                self.set_flash(text, false);
            }
            Err(StoreError::Conflict { .. }) => {
                self.set_flash("Not undone: someone else changed it since; their change stays.", true)
            }
            Err(e) => self.set_flash(format!("Not undone: {e}"), true),
        }
        self.reload();
    }

    /// Opens the insights over every incident (all dates).
    pub fn open_insights(&mut self) {
        if matches!(self.screen, Screen::Insights(_)) {
            return;
        }
        let (state, error) = InsightsState::open(&self.store, Default::default(), self.today());
        let back = std::mem::replace(&mut self.screen, Screen::Insights(Box::new(state)));
        self.back.push(back);
        if let Some(e) = error {
            self.set_flash(e, true);
        }
    }

    fn update_insights(&mut self, command: Command) {
        let ctx = ctx!(self);
        let Screen::Insights(i) = &mut self.screen else {
            return;
        };
        let effects = i.update(command, &ctx);
        self.apply_effects(effects);
    }

    pub(super) fn explain_unavailable(&mut self, command: Command) {
        self.set_flash(
            format!("{} is not available here (? lists what is)", command.description()),
            false,
        );
    }

    /// The key-map section of a popup: forms and the popups that take text use [popup]; a
    /// question, a menu, the conflict chooser and the import preview have their own.
    fn popup_context(popup: &Popup) -> Context {
        match popup {
            Popup::Confirm(..) => Context::Confirm,
            Popup::Menu(_) => Context::Menu,
            Popup::Conflict { .. } => Context::Conflict,
            Popup::Import(_) => Context::ImportPreview,
            _ => Context::Popup,
        }
    }

    /// A key on the top popup: through the popup's section of the key map (a form takes the
    /// keys typed into it as text).
    fn popup_key(&mut self, key: KeyEvent) {
        let Some(popup) = self.popups.pop() else {
            return;
        };
        let ctx = App::popup_context(&popup);
        let command = self.keymap.command(ctx, &key);
        if ctx != Context::Popup {
            match command {
                Some(Command::Quit) => {
                    self.quit = true;
                    return self.popups.push(popup);
                }
                Some(Command::Help) => {
                    self.popups.push(popup);
                    return self.popups.push(Popup::Help(HelpOverlay::new(), ctx));
                }
                _ => {}
            }
        }
        match popup {
            Popup::Form(mut form) => match form.handle(key, command, self.keymap.command(Context::Form, &key)) {
                FormOutcome::Continue => {
                    if let Purpose::Review(ReviewForm::Export(export)) = &form.purpose {
                        let slug = export.slug.clone();
                        crate::tui::popups::export::follow_format(&mut form, &slug);
                    }
                    self.popups.push(Popup::Form(form))
                }
                FormOutcome::Cancel if form.changed() => {
                    // What was typed is not thrown away on one key: the question sits over the
                    // form, and "no" (or Esc) goes back to it.
                    let question = format!("Discard your changes to \"{}\"?", form.title);
                    self.popups.push(Popup::Form(form));
                    self.popups.push(Popup::Confirm(question, Confirmed::Discard));
                }
                FormOutcome::Cancel => {}
                FormOutcome::Submit => self.submit(form),
            },
            Popup::Menu(menu) => self.menu_key(menu, command),
            Popup::Confirm(text, what) => match command {
                Some(Command::Yes) => self.confirmed(what),
                Some(Command::No) => {}
                _ => self.popups.push(Popup::Confirm(text, what)),
            },
            Popup::Message(title, text) => {
                if !matches!(
                    command,
                    Some(Command::Back) | Some(Command::Select) | Some(Command::Quit)
                ) {
                    self.popups.push(Popup::Message(title, text));
                }
            }
            Popup::Help(mut help, ctx) => {
                let close = matches!(command, Some(Command::Back) | Some(Command::Quit) | Some(Command::Help));
                if !close {
                    if !command.is_some_and(|a| help.on_command(a)) {
                        help.on_key(&key);
                    }
                    self.popups.push(Popup::Help(help, ctx));
                }
            }
            Popup::Conflict {
                what,
                theirs,
                mine,
                clash: Some(clash),
            } => self.clash_key(what, theirs, mine, clash, command),
            Popup::Conflict {
                what,
                theirs,
                mine,
                clash: None,
            } => self.conflict_key(what, theirs, mine, command),
            Popup::Running(running) => {
                if command == Some(Command::Quit) {
                    self.quit = true;
                } else if command == Some(Command::Back) {
                    running.cancel();
                }
                self.popups.push(Popup::Running(running));
            }
            Popup::Import(preview) => self.import_preview_key(preview, command),
        }
    }

    /// A key on a menu: moves the selection, chooses, or closes it.
    fn menu_key(&mut self, mut menu: Menu<MenuPurpose>, command: Option<Command>) {
        match command {
            Some(Command::Back) => {}
            Some(Command::Up) => {
                menu.selected = menu.selected.saturating_sub(1);
                self.popups.push(Popup::Menu(menu));
            }
            Some(Command::Down) => {
                menu.selected = (menu.selected + 1).min(menu.items.len().saturating_sub(1));
                self.popups.push(Popup::Menu(menu));
            }
            // In a plain menu the toggle key picks, as Enter does.
            Some(Command::Toggle) if menu.checks.is_none() => self.choose(menu),
            Some(Command::Toggle) => {
                menu.toggle();
                self.popups.push(Popup::Menu(menu));
            }
            Some(Command::Select) => self.choose(menu),
            _ => self.popups.push(Popup::Menu(menu)),
        }
    }

    /// A key on the conflict chooser: save mine over theirs, keep theirs, or edit mine again.
    fn conflict_key(&mut self, what: String, theirs: String, mut form: Form<Purpose>, command: Option<Command>) {
        match command {
            Some(Command::KeepMine) => {
                form.purpose.rebase(&self.store);
                self.submit(form);
            }
            Some(Command::KeepTheirs) => {
                // Not merged (one text, or a form with no field-by-field merge): mine would be
                // gone, so not on one key (Esc among them) — the question sits over the
                // chooser, and "no" goes back to it.
                let question = format!("Keep their {what} and throw yours away?");
                let drop = Confirmed::DropMine(what.clone());
                self.popups.push(Popup::Conflict {
                    what,
                    theirs,
                    mine: form,
                    clash: None,
                });
                self.popups.push(Popup::Confirm(question, drop));
            }
            Some(Command::EditMine) => {
                form.purpose.rebase(&self.store);
                let save = self.keymap.first_key(Context::Form, Command::Save, "save");
                // On what is stored now: an earlier "saved meanwhile" no longer holds.
                (form.error, form.notice) = (None, None);
                form.info = Some(format!("Theirs is saved; {save} saves yours over it."));
                self.popups.push(Popup::Form(form));
            }
            _ => self.popups.push(Popup::Conflict {
                what,
                theirs,
                mine: form,
                clash: None,
            }),
        }
    }

    /// A key on the chooser of the fields both changed: move, choose mine or theirs for one
    /// field or for all, save the choices, or edit mine again (on what is stored now).
    fn clash_key(
        &mut self,
        what: String,
        theirs: String,
        mut form: Form<Purpose>,
        mut clash: Clash,
        command: Option<Command>,
    ) {
        let last = clash.fields.len().saturating_sub(1);
        match command {
            Some(Command::Up) => clash.selected = clash.selected.saturating_sub(1),
            Some(Command::Down) => clash.selected = (clash.selected + 1).min(last),
            Some(Command::Toggle) => {
                if let Some(f) = clash.fields.get_mut(clash.selected) {
                    f.take_mine = !f.take_mine;
                }
            }
            Some(c @ (Command::KeepMine | Command::KeepTheirs)) => {
                clash
                    .fields
                    .iter_mut()
                    .for_each(|f| f.take_mine = c == Command::KeepMine);
                return self.resolve(form, &clash);
            }
            Some(Command::Select) => return self.resolve(form, &clash),
            Some(Command::EditMine) => {
                // The form is on what is stored now, with only my changes on it.
                (form.error, form.notice) = (None, None);
                form.info = Some(format!("{}; your changes are on it: save to keep them.", clash.by));
                return self.popups.push(Popup::Form(form));
            }
            _ => {}
        }
        self.popups.push(Popup::Conflict {
            what,
            theirs,
            mine: form,
            clash: Some(clash),
        });
    }

    /// Saves my form (already on what is stored) with theirs in the fields the user chose so.
    fn resolve(&mut self, mut form: Form<Purpose>, clash: &Clash) {
        let kept: Vec<&str> = clash.fields.iter().filter(|f| !f.take_mine).map(|f| f.label).collect();
        for f in clash.fields.iter().filter(|f| !f.take_mine) {
            form.set_field(f.label, &f.theirs);
        }
        if form.changed_fields().is_empty() {
            self.set_flash("Kept theirs; nothing of yours was left to save.", false);
            return self.reload();
        }
        if self.submit_merging(form, 0) && !kept.is_empty() {
            let text = format!("Kept theirs for {}; the rest of yours is saved.", kept.join(", "));
            self.set_flash(text, false);
        }
    }

    /// Someone else saved the item meanwhile: my changes go on what is stored now. With no
    /// field both changed it saves at once; otherwise the chooser asks about those fields only.
    fn conflicted(&mut self, mut form: Form<Purpose>, what: String, theirs: String, merges: u8) -> bool {
        let fresh = match (&form.purpose, &self.screen) {
            (Purpose::Review(p), Screen::Review(r)) if merges < 3 => review::merge::fresh(r, p, &self.store)
                .map(|f| (review::merge::saved_by(r, &f.purpose, &self.store), f)),
            _ => None,
        };
        let Some((by, fresh)) = fresh else {
            self.popups.push(Popup::Conflict {
                what,
                theirs,
                mine: form,
                clash: None,
            });
            self.reload();
            return false;
        };
        let fields = form.rebase_on(&fresh);
        form.purpose = Purpose::Review(fresh.purpose);
        let by = by.unwrap_or_else(|| format!("Someone else saved this {what}"));
        if fields.is_empty() {
            let saved = self.submit_merging(form, merges + 1);
            if saved {
                self.set_flash(format!("{by}: their changes and yours are both kept."), false);
            }
            return saved;
        }
        self.popups.push(Popup::Conflict {
            what,
            theirs,
            mine: form,
            clash: Some(Clash {
                by,
                fields,
                selected: 0,
            }),
        });
        self.reload();
        false
    }

    /// A key on the import preview: import, or go back to the form below.
    fn import_preview_key(
        &mut self,
        preview: Box<crate::tui::popups::import_preview::ImportPreview>,
        command: Option<Command>,
    ) {
        match command {
            Some(Command::Yes) => {
                if preview.preview.new > 0 {
                    self.set_flash(
                        format!(
                            "Importing {} from {}…",
                            super::view::plural(preview.preview.new, "event"),
                            preview.request.job.label
                        ),
                        false,
                    );
                }
                self.pending = Some(Pending::Import(preview));
            }
            // Back to the form below, to change the file or the format.
            Some(Command::No) => {}
            _ => self.popups.push(Popup::Import(preview)),
        }
    }

    /// Imports what the preview showed. On success the form below closes; a file that changed
    /// since is previewed again; an error goes back to the form.
    fn import(&mut self, shown: crate::tui::popups::import_preview::ImportPreview) {
        if shown.preview.new == 0 {
            self.close_import_form();
            let summary = &shown.preview.summary;
            let why = if summary.events == 0 {
                let skipped = match summary.skipped.len() {
                    0 => String::new(),
                    n => format!(
                        " ({} skipped)",
                        crate::tui::popups::import_preview::count_word(n, summary.unit())
                    ),
                };
                format!("{} holds no events{skipped}", shown.request.job.label)
            } else {
                format!("all {} events are already here", super::view::count(summary.events))
            };
            self.set_flash(format!("Nothing imported: {why}."), false);
            return;
        }
        // On a database file, in the event loop: a thread of its own, so progress shows and Esc
        // can stop it. Otherwise (tests, a database in memory) here and now.
        if self.background && !self.store.in_memory() {
            let running = crate::tui::popups::running_import::RunningImport::spawn(&self.store, shown);
            self.popups.push(Popup::Running(Box::new(running)));
            return;
        }
        let outcome = crate::tui::popups::import_preview::run(&self.store, &shown);
        self.imported(&shown, outcome);
    }

    /// What an import came to: the form below closes on success; a changed file is previewed
    /// again; a cancelled import goes back to the form; an error shows in it.
    fn imported(
        &mut self,
        shown: &crate::tui::popups::import_preview::ImportPreview,
        outcome: Result<crate::tui::popups::import_preview::Outcome, String>,
    ) {
        use crate::tui::popups::import_preview::Outcome;
        match outcome {
            Ok(Outcome::Imported(summary, outcome)) => {
                self.close_import_form();
                let skipped = match summary.skipped.len() {
                    0 => String::new(),
                    n => format!(
                        ", {} skipped",
                        crate::tui::popups::import_preview::count_word(n, summary.unit())
                    ),
                };
                let folded = match outcome.repeats {
                    0 => String::new(),
                    n => format!(", {} folded", super::view::plural(n, "repeat")),
                };
                self.set_flash(
                    format!(
                        "Imported {} from {} ({} already here{folded}{skipped}).",
                        super::view::plural(outcome.inserted, "event"),
                        shown.request.job.label,
                        super::view::count(outcome.duplicates)
                    ),
                    false,
                );
                self.reload();
            }
            Ok(Outcome::Changed(again)) => self.popups.push(Popup::Import(again)),
            Ok(Outcome::Cancelled) => self.set_flash("Import cancelled; nothing was imported.", false),
            Err(e) => self.import_failed(e),
        }
    }

    /// Whether an import runs on its thread (the event loop then wakes often to show progress).
    pub fn busy(&self) -> bool {
        self.popups.iter().any(|p| matches!(p, Popup::Running(_)))
    }

    /// Picks up the outcome of an import that finished on its thread.
    pub fn poll_jobs(&mut self) {
        let Some(at) = self.popups.iter().rposition(|p| matches!(p, Popup::Running(_))) else {
            return;
        };
        let Popup::Running(running) = &mut self.popups[at] else {
            return;
        };
        let Some(outcome) = running.poll() else {
            return;
        };
        // Whatever sits above it (nothing can today) goes with it: the outcome speaks for itself.
        self.popups.truncate(at + 1);
        let Some(Popup::Running(running)) = self.popups.pop() else {
            return;
        };
        self.imported(&running.shown, outcome);
    }

    /// The top popup, when it is a form for this purpose (the form a question or a preview
    /// just taken off the stack was shown over).
    fn top_form(&mut self, of: impl Fn(&Purpose) -> bool) -> Option<&mut Form<Purpose>> {
        match self.popups.last_mut() {
            Some(Popup::Form(f)) if of(&f.purpose) => Some(f),
            _ => None,
        }
    }

    /// The work a form asked for is done: the form closes.
    fn close_form(&mut self, of: impl Fn(&Purpose) -> bool) {
        if self.top_form(of).is_some() {
            self.popups.pop();
        }
    }

    /// An error goes into the form it came from, or else to the status line.
    fn form_error(&mut self, of: impl Fn(&Purpose) -> bool, error: String) {
        match self.top_form(of) {
            Some(f) => f.error = Some(error),
            None => self.set_flash(error, true),
        }
    }

    fn close_import_form(&mut self) {
        self.close_form(|p| matches!(p, Purpose::Review(ReviewForm::Import(_))));
    }

    fn import_failed(&mut self, error: String) {
        self.form_error(|p| matches!(p, Purpose::Review(ReviewForm::Import(_))), error);
    }

    fn choose(&mut self, menu: Menu<MenuPurpose>) {
        let effects = review::apply::choose(&menu, &ctx!(self));
        self.apply_effects(effects);
    }

    fn confirmed(&mut self, what: Confirmed) {
        let ctx = ctx!(self);
        let effects = match what {
            Confirmed::Review(ReviewConfirm::Overwrite(request)) => return self.export(request),
            Confirmed::Home(what) => popups::effects(home::confirmed(what, &ctx)),
            Confirmed::Discard => return self.close_form(|_| true),
            Confirmed::DropMine(what) => {
                if matches!(self.popups.last(), Some(Popup::Conflict { .. })) {
                    self.popups.pop();
                }
                self.set_flash(format!("Kept their {what}; yours was thrown away."), false);
                return self.reload();
            }
            Confirmed::Review(what) => popups::effects(review::apply::confirmed(what, &ctx)),
            Confirmed::Meeting(what) => {
                let review = match &mut self.screen {
                    Screen::Review(r) => Some(&mut **r),
                    _ => None,
                };
                popups::effects(meeting::confirmed(review, what, &ctx))
            }
        };
        self.apply_effects(effects);
    }

    /// Applies a submitted form. A rejected one comes back with its error and what was typed;
    /// a conflict shows both versions.
    fn submit(&mut self, form: Form<Purpose>) {
        self.submit_merging(form, 0);
    }

    /// [`App::submit`] after `merges` merges with others' saves; whether it was saved.
    fn submit_merging(&mut self, mut form: Form<Purpose>, merges: u8) -> bool {
        match self.apply(&form) {
            Ok(effects) => {
                self.apply_effects(effects);
                self.reload();
                return true;
            }
            Err(Failure::Conflict(what, theirs)) => return self.conflicted(form, what, theirs, merges),
            Err(Failure::Message(msg)) => {
                form.error = Some(msg);
                self.popups.push(Popup::Form(form));
            }
            Err(Failure::Confirm(question, what)) => {
                // The form stays below the question: "no" goes back to it.
                self.popups.push(Popup::Form(form));
                self.popups.push(Popup::Confirm(question, *what));
            }
            Err(Failure::Preview(request)) => {
                // An error from an earlier try no longer applies.
                form.error = None;
                let typed = form.value("File");
                self.import_dir = typed.rfind('/').map(|i| typed[..=i].to_string()).unwrap_or_default();
                self.popups.push(Popup::Form(form));
                self.set_flash(format!("Reading {}…", request.job.label), false);
                self.pending = Some(Pending::Preview(request));
            }
        }
        false
    }

    /// Writes an export; on success the export form (below) closes, else it shows the error.
    fn export(&mut self, request: crate::tui::popups::export::ExportRequest) {
        let today = self.today();
        let is_export = |p: &Purpose| matches!(p, Purpose::Review(ReviewForm::Export(_)));
        match crate::tui::popups::export::write(&self.store, &request, today) {
            Ok(left) => {
                self.close_form(is_export);
                self.set_flash(crate::tui::popups::export::written(&request, left), false);
            }
            Err(e) => self.form_error(is_export, e),
        }
    }

    /// Hands a submitted form to the screen that owns it; what it asks for comes back as the
    /// app's effects (a form for a screen no longer shown does nothing).
    fn apply(&mut self, form: &Form<Purpose>) -> Result<Vec<Effect<Popup>>, Failure<Confirmed>> {
        let ctx = ctx!(self);
        let none = |()| Vec::new();
        match (&form.purpose, &mut self.screen) {
            (Purpose::Home(HomeForm::NewIncident), _) => home::apply_new_incident(form, &ctx)
                .map(popups::effects)
                .map_err(popups::failure),
            (Purpose::Home(HomeForm::Filter), Screen::Home(h)) => {
                h.apply_filter(form);
                Ok(Vec::new())
            }
            (Purpose::Review(purpose), Screen::Review(r)) => review::apply::apply(r, purpose, form, &ctx)
                .map(popups::effects)
                .map_err(popups::failure),
            (Purpose::Meeting(purpose), screen) => {
                let review = match screen {
                    Screen::Review(r) => Some(&mut **r),
                    _ => None,
                };
                meeting::apply(review, purpose, form, &ctx)
                    .map(popups::effects)
                    .map_err(popups::failure)
            }
            (Purpose::Cross(CrossForm::Owner), Screen::CrossActions(c)) => {
                c.apply_owner(form, &ctx).map(none).map_err(Failure::Message)
            }
            (Purpose::Cross(CrossForm::Filter), Screen::CrossActions(c)) => {
                c.apply_filter(form, &ctx).map(none).map_err(Failure::Message)
            }
            (Purpose::Insights(InsightsForm::Period), Screen::Insights(i)) => {
                i.apply_period(form, &ctx).map(none).map_err(Failure::Message)
            }
            _ => Ok(Vec::new()),
        }
    }
}

/// Whether the mouse event happened inside `rect`.
fn hit(rect: &ratatui::layout::Rect, m: &MouseEvent) -> bool {
    m.column >= rect.x && m.column < rect.x + rect.width && m.row >= rect.y && m.row < rect.y + rect.height
}

/// Work that takes long enough to say so on screen first.
enum Pending {
    Preview(Box<crate::tui::popups::import_preview::ImportRequest>),
    Import(Box<crate::tui::popups::import_preview::ImportPreview>),
}

/// The open actions the store's author owns, across incidents, for the incident list.
fn owed(store: &Store, today: NaiveDate) -> Result<crate::tui::screens::home::Owed, StoreError> {
    let rows = store.actions_across(&crate::store::ActionFilter {
        owner: Some(store.author().to_string()),
        statuses: vec![crate::model::ActionStatus::Todo, crate::model::ActionStatus::Doing],
        overdue_on: None,
        incident_id: None,
    })?;
    Ok(crate::tui::screens::home::Owed {
        author: store.author().to_string(),
        open: rows.len(),
        overdue: rows.iter().filter(|r| r.action.is_overdue(today)).count(),
    })
}

impl App {
    /// Lays out the frame and reads what it will draw (the timeline window). Drawing itself
    /// (`impl Widget for &App`) then only reads state.
    pub fn prepare(&mut self, area: ratatui::layout::Rect) {
        if area.width < super::MIN_WIDTH || area.height < super::MIN_HEIGHT {
            return;
        }
        let body = ratatui::layout::Rect {
            height: area.height.saturating_sub(2),
            ..area
        };
        // Another session's change since the last tick: count again before reading a window, so
        // that the rows drawn (and acted on) are the ones the count places there.
        self.reload_if_changed();
        if let Screen::Review(r) = &mut self.screen
            && let Err(e) = r.prepare(&self.store, body)
        {
            self.flash = Some(Flash::Error(e.to_string()));
        }
    }

    /// Presses one key through the key map, and does at once any slow work it asked for (the
    /// event loop draws a frame in between instead).
    pub fn press(&mut self, key: KeyEvent) {
        self.handle_key(key);
        self.run_pending();
    }

    /// Whether a key asked for slow work that [`App::run_pending`] will do.
    pub fn has_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Does the slow work the last key asked for, if any.
    pub fn run_pending(&mut self) {
        match self.pending.take() {
            None => {}
            Some(Pending::Preview(request)) => {
                self.flash = None;
                match crate::tui::popups::import_preview::preview(&self.store, *request) {
                    Ok(preview) => self.popups.push(Popup::Import(Box::new(preview))),
                    Err(e) => self.import_failed(e),
                }
            }
            Some(Pending::Import(preview)) => {
                self.flash = None;
                self.import(*preview);
            }
        }
    }
}
