//! What a screen asks for, and what it may read while deciding: a screen's `update` changes its
//! own state and returns [`Effect`]s; only `App` applies them (opens a screen, pushes a popup,
//! reloads, quits). A screen reads the world through [`Ctx`] and never imports `App`.

use crate::store::Store;
use crate::tui::config::Config;
use crate::tui::keymap::KeyMap;
use crate::tui::keymap::command::Command;
use crate::tui::popups::{Confirmed, Popup};
use crate::tui::theme::Theme;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// What a screen may read while it handles an action: read-only, built by `App` for each call.
pub struct Ctx<'a> {
    pub store: &'a Store,
    /// "Now", from the console's clock (fixed in tests).
    pub now: DateTime<Utc>,
    /// The zone "today" is counted in.
    pub local_zone: Tz,
    /// Where file names typed in this console are read from.
    pub cwd: &'a std::path::Path,
    pub keymap: &'a KeyMap,
    pub config: &'a Config,
    pub theme: &'a Theme,
}

impl Ctx<'_> {
    /// Today in the local zone.
    pub fn today(&self) -> NaiveDate {
        self.now.with_timezone(&self.local_zone).date_naive()
    }
}

/// What a screen asks `App` to do; applied in order.
pub enum Effect {
    /// A one-line message at the bottom.
    Flash(String),
    /// A one-line error message at the bottom.
    Error(String),
    /// The action means nothing here: say so (and that `?` lists what does).
    Unavailable(Command),
    /// Push a popup over the screen (boxed: a popup is large, the other effects small).
    Popup(Box<Popup>),
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
}

impl Effect {
    /// Push `popup` over the screen.
    pub fn popup(popup: Popup) -> Effect {
        Effect::Popup(Box::new(popup))
    }
}

/// Why a submitted form was not applied: the form stays open with this.
pub enum Failure {
    Message(String),
    Conflict(String, String),
    /// Ask this first; the form stays open below the question.
    Confirm(String, Box<Confirmed>),
    /// Read the file for an import preview; the form stays open below it.
    Preview(Box<crate::tui::popups::import_preview::ImportRequest>),
}

pub fn msg(e: impl std::fmt::Display) -> Failure {
    Failure::Message(e.to_string())
}
