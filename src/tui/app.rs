//! The console's state and its one `update(action)`: keys become actions through the key map;
//! nothing else changes state.

use super::theme::Theme;
use crate::model::time::{self, TimeContext};
use crate::model::{Action as Task, ActionKind, EventKind, Role, Severity, Source};
use crate::store::{NewAction, NewEvent, NewIncident, Store, StoreError};
use crate::tui::effect::{Ctx, Effect, Failure, msg};
use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
pub use crate::tui::popups::{Confirmed, MenuPurpose, Popup, Purpose};
use crate::tui::screens::all_actions::CrossState;
use crate::tui::screens::home::{HomeState, new_incident_form};
use crate::tui::screens::insights::InsightsState;
use crate::tui::screens::meeting;
use crate::tui::screens::review::forms::{ActionInput, EventInput};
use crate::tui::screens::review::{Pane, ReviewState};
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
            keymap: &$app.keymap,
            config: &$app.config,
            theme: &$app.theme,
        }
    };
}

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
    /// there): the local host's working directory; a remote session sets its own.
    pub cwd: std::path::PathBuf,
    pub config: super::config::Config,
    session: String,
    data_version: i64,
    last_heartbeat: Option<Instant>,
    /// A key whose write found another process holding the database's write lock: nothing
    /// was written, the popups are as they were before the key, and [`App::tick`] presses the
    /// key again until the write goes through or Esc gives up.
    waiting: Option<Waiting>,
    /// What this console may not do (an SSH session's role and scope, see `serve`): given a
    /// command and the context it came in, the reason it is refused, shown instead of running it.
    /// None (the local console): everything is allowed.
    pub refuse: Option<Refuse>,
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

/// How often other sessions' presence is refreshed and ours announced.
const HEARTBEAT: Duration = Duration::from_secs(2);
/// Someone is "here" while their heartbeat is younger than this.
pub const PRESENCE_WINDOW: Duration = Duration::from_secs(6);

impl App {
    pub fn new(store: Store, keymap: KeyMap, theme: Theme, clock: Clock) -> App {
        let data_version = store.data_version().unwrap_or(0);
        let local = crate::env::local_zone_checked();
        let local_zone = local.zone;
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
            cwd: std::env::current_dir().unwrap_or_default(),
            config: Default::default(),
            session,
            data_version,
            last_heartbeat: None,
            waiting: None,
            refuse: None,
        };
        // Writes never block the event loop: one that finds the lock held fails at once and
        // waits in `waiting` instead (see `App::attempt`).
        if let Err(e) = app.store.set_busy_timeout(WRITE_WAIT) {
            app.set_flash(e.to_string(), true);
        }
        app.reload();
        if let Some(warning) = local.warning {
            app.set_flash(warning, true);
        }
        app
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn today(&self) -> NaiveDate {
        self.now().with_timezone(&self.local_zone).date_naive()
    }

    pub fn open_incident(&mut self, id: i64) -> Result<(), StoreError> {
        let review = ReviewState::open(&self.store, id)?;
        self.screen = Screen::Review(Box::new(review));
        self.back.clear();
        self.last_heartbeat = None;
        Ok(())
    }

    /// The key-map context the next key is read in.
    pub fn context(&self) -> Context {
        if !self.popups.is_empty() {
            return Context::Popup;
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
        match event {
            TermEvent::Key(key) if key.kind != KeyEventKind::Release => self.handle_key(key),
            // While a write waits, what it will write stays as it is.
            TermEvent::Paste(_) | TermEvent::Mouse(_) if self.waiting.is_some() => self.still_waiting(),
            TermEvent::Paste(text) => self.paste(&text),
            TermEvent::Mouse(m) => self.handle_mouse(m),
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

    fn handle_mouse(&mut self, m: MouseEvent) {
        if !self.popups.is_empty() || m.kind != MouseEventKind::Down(MouseButton::Left) {
            return;
        }
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        let hit = |rect: &ratatui::layout::Rect| {
            m.column >= rect.x && m.column < rect.x + rect.width && m.row >= rect.y && m.row < rect.y + rect.height
        };
        if let Some((pane, _)) = r.pane_areas.iter().find(|(_, rect)| hit(rect)) {
            r.focus = *pane;
        }
        if let Some((pane, rect)) = r.list_areas.iter().find(|(_, rect)| hit(rect)).copied() {
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
            Screen::Home(h) => self.store.incident_summaries().map(|list| {
                h.incidents = list;
                h.selected = h.selected.min(h.visible().len().saturating_sub(1));
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
    }

    /// Called a few times a second: tries a waiting write again, picks up other sessions'
    /// changes and keeps presence fresh.
    pub fn tick(&mut self) {
        self.retry_waiting();
        // Not while an import holds the write lock: the heartbeat would wait for it (up to the
        // busy timeout) and the progress would stop being drawn.
        let due = !self.busy() && self.last_heartbeat.is_none_or(|t| t.elapsed() >= HEARTBEAT);
        if due {
            self.last_heartbeat = Some(Instant::now());
            let incident = match &self.screen {
                Screen::Review(r) => Some(r.incident.id),
                _ => None,
            };
            let _ = self.store.heartbeat(&self.session, incident);
            if let Screen::Review(r) = &mut self.screen {
                r.presence = self
                    .store
                    .present(&self.session, r.incident.id, PRESENCE_WINDOW)
                    .unwrap_or_default();
            }
        }
        self.reload_if_changed();
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
            Command::Refresh => self.reload(),
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
    pub(super) fn apply_effects(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            self.apply_effect(effect);
        }
    }

    fn apply_effect(&mut self, effect: Effect) {
        match effect {
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
            Effect::NewIncident => self
                .popups
                .push(Popup::Form(new_incident_form(&crate::env::local_zone()))),
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
        let effects = crate::tui::screens::review::update::update(r, command, &ctx);
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

    fn time_context(&self, r: &ReviewState) -> TimeContext {
        TimeContext {
            zone: r.incident.tz(),
            now: self.now(),
            anchor: r.timeline.selected_event().map(|e| e.at),
            around: None,
        }
    }

    fn popup_key(&mut self, key: KeyEvent) {
        let Some(popup) = self.popups.pop() else {
            return;
        };
        let command = self.keymap.command(Context::Popup, &key);
        match popup {
            Popup::Form(mut form) => match form.handle_key(key) {
                FormOutcome::Continue => self.popups.push(Popup::Form(form)),
                FormOutcome::Cancel => {}
                FormOutcome::Submit => self.submit(form),
            },
            Popup::Menu(menu) => self.menu_key(menu, key),
            Popup::Confirm(text, what) => {
                use ratatui::crossterm::event::KeyCode;
                match key.code {
                    KeyCode::Char('y') | KeyCode::Char('Y') => self.confirmed(what),
                    KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => {}
                    _ => self.popups.push(Popup::Confirm(text, what)),
                }
            }
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
            Popup::Conflict { what, theirs, mine } => self.conflict_key(what, theirs, mine, key),
            Popup::Running(running) => {
                use ratatui::crossterm::event::KeyCode;
                if command == Some(Command::Quit) {
                    self.quit = true;
                } else if key.code == KeyCode::Esc {
                    running.cancel();
                }
                self.popups.push(Popup::Running(running));
            }
            Popup::Import(preview) => self.import_preview_key(preview, key, command),
        }
    }

    /// A key on a menu: moves the selection, chooses, or closes it.
    fn menu_key(&mut self, mut menu: Menu<MenuPurpose>, key: KeyEvent) {
        use ratatui::crossterm::event::KeyCode;
        match key.code {
            KeyCode::Esc => {}
            KeyCode::Up | KeyCode::Char('k') => {
                menu.selected = menu.selected.saturating_sub(1);
                self.popups.push(Popup::Menu(menu));
            }
            KeyCode::Down | KeyCode::Char('j') => {
                menu.selected = (menu.selected + 1).min(menu.items.len().saturating_sub(1));
                self.popups.push(Popup::Menu(menu));
            }
            KeyCode::Enter | KeyCode::Char(' ') => self.choose(menu),
            _ => self.popups.push(Popup::Menu(menu)),
        }
    }

    /// A key on the conflict chooser: save mine over theirs, keep theirs, or edit mine again.
    fn conflict_key(&mut self, what: String, theirs: String, mut form: Form<Purpose>, key: KeyEvent) {
        use ratatui::crossterm::event::KeyCode;
        match key.code {
            KeyCode::Char('m') => {
                rebase(&mut form.purpose, &self.store);
                self.submit(form);
            }
            KeyCode::Char('t') | KeyCode::Esc => {
                self.set_flash("Kept their version; yours was discarded.", false);
                self.reload();
            }
            KeyCode::Char('e') => {
                rebase(&mut form.purpose, &self.store);
                form.error = Some("Theirs is saved; Ctrl-S / Enter saves yours over it.".into());
                self.popups.push(Popup::Form(form));
            }
            _ => self.popups.push(Popup::Conflict {
                what,
                theirs,
                mine: form,
            }),
        }
    }

    /// A key on the import preview: import, or go back to the form below.
    fn import_preview_key(
        &mut self,
        preview: Box<crate::tui::popups::import_preview::ImportPreview>,
        key: KeyEvent,
        command: Option<Command>,
    ) {
        use ratatui::crossterm::event::{KeyCode, KeyModifiers};
        let plain = (key.modifiers - KeyModifiers::SHIFT).is_empty();
        match key.code {
            _ if command == Some(Command::Quit) => self.quit = true,
            KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') if plain => {
                if preview.preview.new > 0 {
                    self.set_flash(
                        format!(
                            "Importing {} events from {}…",
                            super::view::count(preview.preview.new),
                            preview.request.job.label
                        ),
                        false,
                    );
                }
                self.pending = Some(Pending::Import(preview));
            }
            // Back to the form below, to change the file or the format.
            KeyCode::Esc => {}
            KeyCode::Char('n') | KeyCode::Char('N') if plain => {}
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
                self.set_flash(
                    format!(
                        "Imported {} events from {} ({} already here{skipped}).",
                        super::view::count(outcome.inserted),
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
        self.close_form(|p| matches!(p, Purpose::Import { .. }));
    }

    fn import_failed(&mut self, error: String) {
        self.form_error(|p| matches!(p, Purpose::Import { .. }), error);
    }

    fn choose(&mut self, menu: Menu<MenuPurpose>) {
        let result = match &menu.purpose {
            MenuPurpose::Milestone(e, choices) => match choices.get(menu.selected) {
                Some(m) => self.store.set_milestone(e.id, e.version, *m).map(|_| ()),
                None => Ok(()),
            },
            MenuPurpose::Evidence(e, causes) => match causes.get(menu.selected) {
                // The cause this menu showed, by id and the version it showed: if someone else
                // deleted or changed it since, nothing is linked (and no other cause either).
                Some(c) => match self.store.toggle_evidence_at(c.id, c.version, e.id) {
                    Ok(linked) => {
                        let what = if linked { "linked to" } else { "unlinked from" };
                        self.set_flash(format!("Event {what} {}.", c.category.label()), false);
                        Ok(())
                    }
                    Err(StoreError::NotFound { what: "cause", .. }) => {
                        let text = format!(
                            "{} was deleted by someone else; nothing was linked.",
                            c.category.label()
                        );
                        self.set_flash(text, true);
                        Ok(())
                    }
                    Err(StoreError::NotFound { what: "event", .. }) => {
                        self.set_flash("This event was deleted by someone else; nothing was linked.", true);
                        Ok(())
                    }
                    Err(StoreError::Conflict { .. }) => {
                        let text = format!(
                            "{} was changed by someone else since this menu opened; nothing was linked \
                             (l shows it as it is now).",
                            c.category.label()
                        );
                        self.set_flash(text, true);
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
                None => Ok(()),
            },
        };
        self.report(result);
    }

    fn confirmed(&mut self, what: Confirmed) {
        let result = match what {
            Confirmed::DeleteEvent(e) => self.store.delete_event(e.id, e.version),
            Confirmed::DeleteCause(c) => self.store.delete_cause(c.id, c.version),
            Confirmed::DeleteAction(a) => self.store.delete_action(a.id, a.version),
            Confirmed::Meeting(what) => {
                let ctx = ctx!(self);
                let review = match &mut self.screen {
                    Screen::Review(r) => Some(&mut **r),
                    _ => None,
                };
                let effects = meeting::confirmed(review, what, &ctx);
                return self.apply_effects(effects);
            }
            Confirmed::Overwrite(request) => return self.export(request),
        };
        self.report(result);
    }

    /// Applies a submitted form. A rejected one comes back with its error and what was typed;
    /// a conflict shows both versions.
    fn submit(&mut self, mut form: Form<Purpose>) {
        match self.apply(&form) {
            Ok(()) => self.reload(),
            Err(Failure::Conflict(what, theirs)) => {
                self.popups.push(Popup::Conflict {
                    what,
                    theirs,
                    mine: form,
                });
                self.reload();
            }
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
                self.popups.push(Popup::Form(form));
                self.set_flash(format!("Reading {}…", request.job.label), false);
                self.pending = Some(Pending::Preview(request));
            }
        }
    }

    /// Writes an export; on success the export form (below) closes, else it shows the error.
    fn export(&mut self, request: crate::tui::popups::export::ExportRequest) {
        let today = self.today();
        let is_export = |p: &Purpose| matches!(p, Purpose::Export { .. });
        match crate::tui::popups::export::write(&self.store, &request, today) {
            Ok(()) => {
                self.close_form(is_export);
                self.set_flash(format!("Exported to {}", request.path.display()), false);
            }
            Err(e) => self.form_error(is_export, e),
        }
    }

    fn apply(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        match &form.purpose {
            Purpose::NewIncident => self.apply_new_incident(form),
            Purpose::HomeFilter => {
                if let Screen::Home(h) = &mut self.screen {
                    h.apply_filter(form);
                }
                Ok(())
            }
            Purpose::QuickAdd => self.apply_quick_add(form),
            Purpose::EditEvent(original) => self.apply_event_edit(original, form),
            Purpose::Search => self.apply_search(form),
            Purpose::AddCause => {
                let Screen::Review(r) = &self.screen else {
                    return Ok(());
                };
                self.store
                    .add_custom_cause(r.incident.id, &form.value("Name"))
                    .map_err(msg)?;
                Ok(())
            }
            Purpose::CauseNotes(c) => {
                self.store
                    .set_cause_notes(c.id, c.version, &form.value("Notes"))
                    .map_err(|err| self.failure(err, "cause", |s, id| s.cause(id).map(|c| c.notes)))?;
                Ok(())
            }
            Purpose::AddAction(cause_ids) => self.apply_action_form(None, cause_ids, form),
            Purpose::EditAction(original, cause_ids) => self.apply_action_form(Some(original), cause_ids, form),
            Purpose::EditIncident(original) => self.apply_incident_edit(original, form),
            Purpose::Meeting(_)
            | Purpose::CrossOwner
            | Purpose::CrossFilter
            | Purpose::BoardOwner
            | Purpose::BoardFilter
            | Purpose::InsightsPeriod => self.apply_screen_form(form),
            Purpose::Export { .. } => self.apply_export_form(form),
            Purpose::Import { .. } => self.apply_import_form(form),
        }
    }

    /// The new-incident form: creates the incident and opens it.
    fn apply_new_incident(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        let zone = form.value("Zone");
        let tz = time::parse_zone(&zone).map_err(msg)?;
        let started = form.value("Started");
        let started = if started.is_empty() {
            None
        } else {
            Some(
                time::parse_time(
                    &started,
                    &TimeContext {
                        zone: tz,
                        now: self.now(),
                        anchor: None,
                        around: None,
                    },
                )
                .map_err(msg)?,
            )
        };
        let severity = form.value("Severity").parse::<Severity>().unwrap_or(Severity::Sev2);
        let id = self
            .store
            .create_incident(&NewIncident {
                title: form.value("Title"),
                severity,
                zone,
                started_at: started,
            })
            .map_err(msg)?;
        self.open_incident(id).map_err(msg)?;
        Ok(())
    }

    /// The quick-add line ("14:02 paged the DBA"): adds a note event and selects it.
    fn apply_quick_add(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        let Screen::Review(r) = &self.screen else {
            return Ok(());
        };
        let (at, text) = time::split_quick_entry(&form.value("Event"), &self.time_context(r)).map_err(msg)?;
        if text.is_empty() {
            return Err(Failure::Message("Type what happened after the time.".into()));
        }
        let id = self
            .store
            .add_event(
                r.incident.id,
                &NewEvent {
                    at,
                    kind: EventKind::Note,
                    text,
                    milestone: None,
                    source: Source::Typed,
                    author: None,
                },
            )
            .map_err(msg)?;
        if let Screen::Review(r) = &mut self.screen {
            r.timeline.selected_id = Some(id);
        }
        Ok(())
    }

    /// The event form: saves the edited event over the version it was opened on.
    fn apply_event_edit(&mut self, original: &crate::model::Event, form: &Form<Purpose>) -> Result<(), Failure> {
        let Screen::Review(r) = &self.screen else {
            return Ok(());
        };
        let ctx = TimeContext {
            zone: r.zone.tz(),
            now: self.now(),
            anchor: Some(original.at),
            around: None,
        };
        let input = EventInput::from_form(form).map_err(msg)?;
        let mut e = original.clone();
        e.at = time::parse_time(&input.time, &ctx).map_err(msg)?;
        e.kind = input.kind.parse().map_err(msg)?;
        let m = input.milestone;
        e.milestone = if m == "none" {
            None
        } else {
            Some(m.parse().map_err(msg)?)
        };
        e.text = input.text;
        self.store
            .update_event(&e)
            .map_err(|err| self.failure(err, "event", |s, id| s.event(id).map(|e| e.text)))?;
        Ok(())
    }

    /// The timeline's search form: sets the words and kind, then selects the first match.
    fn apply_search(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        if let Screen::Review(r) = &mut self.screen {
            let words = form.value("Search");
            r.timeline.search = if words.trim().is_empty() {
                None
            } else {
                Some(words.clone())
            };
            let kind = form.value("Kind");
            r.timeline.filter.kinds = kind.parse::<EventKind>().map(|k| vec![k]).unwrap_or_default();
            r.timeline.reload(&self.store, r.incident.id).map_err(msg)?;
            if !words.trim().is_empty() {
                let first = self
                    .store
                    .next_match(r.incident.id, &r.timeline.filter, &words, None, true)
                    .map_err(msg)?;
                match first {
                    Some(e) => {
                        let pos = self
                            .store
                            .event_position(r.incident.id, &r.timeline.filter, e.id)
                            .map_err(msg)?;
                        r.timeline.select_index(pos.unwrap_or(0));
                    }
                    None => self.flash = Some(Flash::Info(format!("No event matches \"{words}\"."))),
                }
            }
        }
        Ok(())
    }

    /// The action form, adding (`original` is `None`) or editing an action.
    fn apply_action_form(
        &mut self,
        original: Option<&Task>,
        cause_ids: &[(String, i64)],
        form: &Form<Purpose>,
    ) -> Result<(), Failure> {
        let today = self.today();
        let Screen::Review(r) = &self.screen else {
            return Ok(());
        };
        let input = ActionInput::from_form(form).map_err(msg)?;
        let due = if input.due.is_empty() {
            None
        } else {
            Some(time::parse_due(&input.due, today).map_err(msg)?)
        };
        let owner_role = if input.role == "none" {
            // A participant's role, when the owner is one.
            r.participants.iter().find(|p| p.name == input.owner).map(|p| p.role)
        } else {
            Some(input.role.parse::<Role>().map_err(msg)?)
        };
        // The cause the form offered under that label, by the id it had when the form
        // opened: not looked up again in a list that may have changed since.
        let cause_label = &input.cause;
        let cause_id = cause_ids.iter().find(|(l, _)| l == cause_label).map(|(_, id)| *id);
        let gone = |err: StoreError| match err {
            StoreError::Invalid(_) if cause_id.is_some_and(|id| self.store.cause(id).is_err()) => Failure::Message(
                format!("The cause {cause_label} was deleted by someone else; nothing was saved (choose another)."),
            ),
            other => msg(other),
        };
        let priority = input.priority.trim_start_matches('P').parse::<u8>().unwrap_or(0);
        let kind: ActionKind = input.kind.parse().map_err(msg)?;
        if let Some(original) = original {
            let mut a = original.clone();
            a.title = input.title;
            a.kind = kind;
            a.owner = input.owner;
            a.owner_role = owner_role;
            a.due = due;
            a.cause_id = cause_id;
            a.ticket = input.ticket;
            a.priority = priority;
            a.status = input.status.unwrap_or_default().parse().unwrap_or(a.status);
            a.details = input.details;
            self.store.update_action(&a).map_err(|err| match err {
                StoreError::Conflict { .. } => self.failure(err, "action", |s, id| s.action(id).map(describe_action)),
                other => gone(other),
            })?;
            return Ok(());
        }
        let new = NewAction {
            title: input.title,
            details: input.details,
            kind,
            owner: input.owner,
            owner_role,
            due,
            cause_id,
            ticket: input.ticket,
            priority,
        };
        let id = self.store.add_action(r.incident.id, &new).map_err(gone)?;
        if let Screen::Review(r) = &mut self.screen {
            r.reload(&self.store).map_err(msg)?;
            if !r.select_action(id) {
                self.set_flash(
                    "Added; the board's filter hides it (o or / with empty fields shows all).",
                    false,
                );
            }
        }
        Ok(())
    }

    /// The incident's details form: saves them and follows a change of time zone.
    fn apply_incident_edit(&mut self, original: &crate::model::Incident, form: &Form<Purpose>) -> Result<(), Failure> {
        let mut i = original.clone();
        i.title = form.value("Title");
        i.severity = form.value("Severity").parse().map_err(msg)?;
        i.status = form.value("Status").parse().map_err(msg)?;
        i.zone = form.value("Zone");
        i.summary = form.value("Summary");
        i.impact = form.value("Impact");
        i.root_cause = form.value("Root cause");
        i.trigger = form.value("Trigger");
        self.store.update_incident(&i).map_err(|err| {
            self.failure(err, "incident", |s, id| {
                s.incident(id).map(|i| format!("{}\n{}", i.title, i.root_cause))
            })
        })?;
        if let Screen::Review(r) = &mut self.screen {
            r.zone = super::view::ZoneMode::Incident(i.tz());
        }
        Ok(())
    }

    /// The forms a screen applies itself (the meeting's, the owner and filter forms, the period).
    fn apply_screen_form(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        let ctx = ctx!(self);
        match (&form.purpose, &mut self.screen) {
            (Purpose::Meeting(purpose), screen) => {
                let review = match screen {
                    Screen::Review(r) => Some(&mut **r),
                    _ => None,
                };
                return meeting::apply(review, purpose, form, &ctx);
            }
            (Purpose::CrossOwner, Screen::CrossActions(c)) => c.apply_owner(form, &ctx).map_err(Failure::Message)?,
            (Purpose::CrossFilter, Screen::CrossActions(c)) => c.apply_filter(form, &ctx).map_err(Failure::Message)?,
            (Purpose::BoardOwner, Screen::Review(r)) => r.apply_board_owner(form, &ctx).map_err(Failure::Message)?,
            (Purpose::BoardFilter, Screen::Review(r)) => r.apply_board_filter(form, &ctx).map_err(Failure::Message)?,
            (Purpose::InsightsPeriod, Screen::Insights(i)) => i.apply_period(form, &ctx).map_err(Failure::Message)?,
            _ => {}
        }
        Ok(())
    }

    /// The export form: writes the file, or asks first when it would replace one.
    fn apply_export_form(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        let today = self.today();
        let request = crate::tui::popups::export::request(form).map_err(Failure::Message)?;
        if request.path.exists() {
            let question = format!("{} exists. Replace it?", request.path.display());
            return Err(Failure::Confirm(question, Box::new(Confirmed::Overwrite(request))));
        }
        crate::tui::popups::export::write(&self.store, &request, today).map_err(Failure::Message)?;
        self.set_flash(format!("Exported to {}", request.path.display()), false);
        Ok(())
    }

    /// The import form: reads the file into a preview (the import itself waits for the preview).
    fn apply_import_form(&mut self, form: &Form<Purpose>) -> Result<(), Failure> {
        let Screen::Review(r) = &self.screen else {
            return Ok(());
        };
        let anchor = r.timeline.selected_event().map(|e| e.at);
        let ctx = crate::import::time_context(&self.store, &r.incident, self.now(), anchor).map_err(msg)?;
        let request = crate::tui::popups::import_preview::request(form, ctx, r.zone).map_err(Failure::Message)?;
        Err(Failure::Preview(Box::new(request)))
    }

    /// A store error as the form shows it; a conflict fetches their version for the chooser.
    fn failure(
        &self,
        err: StoreError,
        what: &str,
        theirs: impl Fn(&Store, i64) -> Result<String, StoreError>,
    ) -> Failure {
        match err {
            StoreError::Conflict { id, .. } => {
                let text = theirs(&self.store, id).unwrap_or_else(|e| e.to_string());
                Failure::Conflict(what.to_string(), text)
            }
            other => Failure::Message(other.to_string()),
        }
    }
}

/// Work that takes long enough to say so on screen first.
enum Pending {
    Preview(Box<crate::tui::popups::import_preview::ImportRequest>),
    Import(Box<crate::tui::popups::import_preview::ImportPreview>),
}

fn describe_action(a: Task) -> String {
    format!(
        "{} ({}, {}, due {})",
        a.title,
        a.kind.label(),
        if a.owner.is_empty() { "no owner" } else { &a.owner },
        a.due.map(|d| d.to_string()).unwrap_or("–".into())
    )
}

/// After a conflict, the next save is based on the version now stored (the user chose).
fn rebase(purpose: &mut Purpose, store: &Store) {
    match purpose {
        Purpose::EditEvent(e) => {
            if let Ok(now) = store.event(e.id) {
                e.version = now.version;
            }
        }
        Purpose::CauseNotes(c) => {
            if let Ok(now) = store.cause(c.id) {
                c.version = now.version;
            }
        }
        Purpose::EditAction(a, _) => {
            if let Ok(now) = store.action(a.id) {
                a.version = now.version;
            }
        }
        Purpose::EditIncident(i) => {
            if let Ok(now) = store.incident(i.id) {
                i.version = now.version;
            }
        }
        Purpose::Meeting(m) => m.rebase(store),
        _ => {}
    }
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
