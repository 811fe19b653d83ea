//! What a screen asks for, and what it may read while deciding: a screen's `update` changes its
//! own state and returns [`Effect`]s; only `App` applies them (opens a screen, pushes a popup,
//! reloads, quits). A screen reads the world through [`Ctx`] and never imports `App`.
//!
//! An effect names no popup of the app's: it carries the screen's own ([`Show`] over the
//! screen's form, menu and question purposes), and `App` wraps it in its `Popup`.

use crate::store::Store;
use crate::tui::config::Config;
use crate::tui::keymap::KeyMap;
use crate::tui::keymap::command::Command;
use crate::tui::popups::import_preview::ImportRequest;
use crate::tui::theme::Theme;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::menu::Menu;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::convert::Infallible;

/// What a screen may read while it handles an action: read-only, built by `App` for each call.
pub struct Ctx<'a> {
    pub store: &'a Store,
    /// "Now", from the console's clock (fixed in tests).
    pub now: DateTime<Utc>,
    /// The zone "today" is counted in.
    pub local_zone: Tz,
    /// Where file names typed in this console are read from.
    pub cwd: &'a std::path::Path,
    /// What a leading `~/` in a typed path means in this console.
    pub home: Option<&'a std::path::Path>,
    /// Where the last import in this console read its file from, as typed (`files/`).
    pub import_dir: &'a str,
    pub keymap: &'a KeyMap,
    pub config: &'a Config,
    pub theme: &'a Theme,
}

impl Ctx<'_> {
    /// Where this console reads typed paths from.
    pub fn dirs(&self) -> crate::tui::popups::export::Dirs<'_> {
        crate::tui::popups::export::Dirs {
            cwd: self.cwd,
            home: self.home,
        }
    }

    /// Today in the local zone.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.local_zone).date_naive()
    }
}

/// What a screen asks `App` to do; applied in order. `P` is the screen's own popup type.
pub enum Effect<P> {
    /// A one-line message at the bottom.
    Flash(String),
    /// A one-line error message at the bottom.
    Error(String),
    /// The action means nothing here: say so (and that `?` lists what does).
    Unavailable(Command),
    /// Push a popup over the screen (boxed: a popup is large, the other effects small).
    Popup(Box<P>),
    /// Open an incident's review.
    OpenIncident(i64),
    /// Open an incident's review with one of its actions selected on the board.
    OpenAction { incident: i64, action: i64 },
    /// The new-incident form.
    NewIncident,
    /// Load the demo incident and open it.
    LoadDemo,
    /// Return to the screen this one was opened from.
    Back,
    /// Return to the list of incidents (and forget the screens q would return to).
    Home,
    /// Re-read what the screen shows.
    Reload,
    /// Leave the console.
    Quit,
    /// A change this console made, for undo to take back.
    Remember(Box<crate::tui::undo::Undo>),
}

impl<P> Effect<P> {
    /// Push `popup` over the screen.
    pub fn popup(popup: P) -> Effect<P> {
        Effect::Popup(Box::new(popup))
    }

    /// The same effect with its popup (if any) turned into another type.
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Effect<Q> {
        match self {
            Effect::Popup(p) => Effect::Popup(Box::new(f(*p))),
            Effect::Flash(t) => Effect::Flash(t),
            Effect::Error(t) => Effect::Error(t),
            Effect::Unavailable(c) => Effect::Unavailable(c),
            Effect::OpenIncident(id) => Effect::OpenIncident(id),
            Effect::OpenAction { incident, action } => Effect::OpenAction { incident, action },
            Effect::NewIncident => Effect::NewIncident,
            Effect::LoadDemo => Effect::LoadDemo,
            Effect::Back => Effect::Back,
            Effect::Home => Effect::Home,
            Effect::Reload => Effect::Reload,
            Effect::Quit => Effect::Quit,
            Effect::Remember(u) => Effect::Remember(u),
        }
    }
}

/// A popup a screen opens over itself: a form, a menu or a question for one of its own
/// purposes (`F`, `M`, `C`; `Infallible` where it has none), or a message.
#[derive(Debug, Clone)]
pub enum Show<F, M = Infallible, C = Infallible> {
    Form(Form<F>),
    Menu(Menu<M>),
    /// A yes/no question, and what "yes" does.
    Confirm(String, C),
    /// A title and a text, closed by any of Esc, Enter, q.
    Message(String, String),
}

/// Why a submitted form was not applied: the form stays open with this. `C` is what a question
/// asked first would confirm.
pub enum Failure<C = Infallible> {
    Message(String),
    Conflict(String, String),
    /// Ask this first; the form stays open below the question.
    Confirm(String, Box<C>),
    /// Read the file for an import preview; the form stays open below it.
    Preview(Box<ImportRequest>),
}

impl<C> Failure<C> {
    /// The same failure with what a question would confirm turned into another type.
    pub fn map<D>(self, f: impl FnOnce(C) -> D) -> Failure<D> {
        match self {
            Failure::Message(m) => Failure::Message(m),
            Failure::Conflict(what, theirs) => Failure::Conflict(what, theirs),
            Failure::Confirm(q, c) => Failure::Confirm(q, Box::new(f(*c))),
            Failure::Preview(r) => Failure::Preview(r),
        }
    }
}

pub fn msg<C>(e: impl std::fmt::Display) -> Failure<C> {
    Failure::Message(e.to_string())
}

/// A store error as the form shows it; a conflict fetches their version for the chooser.
pub fn failure<C>(
    store: &Store,
    err: crate::store::StoreError,
    what: &str,
    theirs: impl Fn(&Store, i64) -> Result<String, crate::store::StoreError>,
) -> Failure<C> {
    match err {
        crate::store::StoreError::Conflict { id, .. } => {
            let text = theirs(store, id).unwrap_or_else(|e| e.to_string());
            Failure::Conflict(what.to_string(), text)
        }
        other => Failure::Message(other.to_string()),
    }
}
