//! Popups over any screen: confirm, conflict, export, the import preview and the running import.
//!
//! This file is the app's popup stack: [`Popup`] wraps each screen's own popups ([`Show`] over
//! the screen's form, menu and question purposes), so it sits above the screens; the files of
//! this folder are below them (a screen opens the export form, the effect carries an import
//! request) and never name this file.

pub mod confirm;
pub mod conflict;
pub mod export;
pub mod import_preview;
pub mod running_import;

use crate::store::Store;
use crate::tui::effect::{Effect, Failure, Show};
use crate::tui::keymap::Context;
use crate::tui::screens::all_actions::CrossForm;
use crate::tui::screens::home::{HomeConfirm, HomeForm};
use crate::tui::screens::insights::InsightsForm;
use crate::tui::screens::review::forms::{ReviewConfirm, ReviewForm, ReviewMenu};
use crate::tui::screens::review::meeting::{MeetingConfirm, MeetingForm};
use crate::tui::widgets::form::Form;
use crate::tui::widgets::help::HelpOverlay;
use crate::tui::widgets::menu::Menu;
use std::convert::Infallible;

/// What a submitted form is for: the screen it belongs to, and that screen's own purpose.
#[derive(Debug, Clone)]
pub enum Purpose {
    Home(HomeForm),
    Review(ReviewForm),
    Meeting(MeetingForm),
    Cross(CrossForm),
    Insights(InsightsForm),
}

/// What a menu is for (only the review has menus).
pub type MenuPurpose = ReviewMenu;

/// What a yes/no question confirms.
#[derive(Debug, Clone)]
pub enum Confirmed {
    Home(HomeConfirm),
    Review(ReviewConfirm),
    Meeting(MeetingConfirm),
    /// Closing the form below without saving what was typed into it.
    Discard,
    /// Keeping someone else's version of this (a meeting item) over mine, which is lost.
    DropMine(String),
}

impl Purpose {
    /// After a conflict, the next save is based on the version now stored (the user chose).
    pub fn rebase(&mut self, store: &Store) {
        match self {
            Purpose::Review(p) => p.rebase(store),
            Purpose::Meeting(m) => m.rebase(store),
            Purpose::Home(_) | Purpose::Cross(_) | Purpose::Insights(_) => {}
        }
    }
}

macro_rules! wraps {
    ($($screen:ty => $outer:ident :: $variant:ident),* $(,)?) => {
        $(impl From<$screen> for $outer {
            fn from(p: $screen) -> $outer {
                $outer::$variant(p)
            }
        })*
    };
}

wraps!(
    HomeForm => Purpose::Home,
    ReviewForm => Purpose::Review,
    MeetingForm => Purpose::Meeting,
    CrossForm => Purpose::Cross,
    InsightsForm => Purpose::Insights,
    ReviewConfirm => Confirmed::Review,
    HomeConfirm => Confirmed::Home,
    MeetingConfirm => Confirmed::Meeting,
);

impl From<Infallible> for Purpose {
    fn from(never: Infallible) -> Purpose {
        match never {}
    }
}

impl From<Infallible> for Confirmed {
    fn from(never: Infallible) -> Confirmed {
        match never {}
    }
}

impl From<Infallible> for MenuPurpose {
    fn from(never: Infallible) -> MenuPurpose {
        match never {}
    }
}

/// A screen's popup among the app's.
impl<F, M, C> From<Show<F, M, C>> for Popup
where
    F: Into<Purpose>,
    M: Into<MenuPurpose>,
    C: Into<Confirmed>,
{
    fn from(show: Show<F, M, C>) -> Popup {
        match show {
            Show::Form(f) => Popup::Form(f.map(Into::into)),
            Show::Menu(m) => Popup::Menu(m.map(Into::into)),
            Show::Confirm(q, c) => Popup::Confirm(q, c.into()),
            Show::Message(title, text) => Popup::Message(title, text),
        }
    }
}

/// A screen's effects as the app's.
pub fn effects<P: Into<Popup>>(effects: Vec<Effect<P>>) -> Vec<Effect<Popup>> {
    effects.into_iter().map(|e| e.map(Into::into)).collect()
}

/// A screen's failure as the app's.
pub fn failure<C: Into<Confirmed>>(f: Failure<C>) -> Failure<Confirmed> {
    f.map(Into::into)
}

pub enum Popup {
    Form(Form<Purpose>),
    Menu(Menu<MenuPurpose>),
    Confirm(String, Confirmed),
    Message(String, String),
    /// The help overlay and the context it explains.
    Help(HelpOverlay, Context),
    /// An edit that collided with someone else's.
    Conflict {
        /// What was edited ("event", "the working agreement").
        what: String,
        /// Their version, as text.
        theirs: String,
        /// My form, as I submitted it (on what is stored now, when `clash` says which fields
        /// both changed).
        mine: Form<Purpose>,
        /// The fields both changed, and the user's choices so far; `None` where the whole
        /// item is chosen (`theirs` shows it).
        clash: Option<conflict::Clash>,
    },
    /// What an import would add; the import form stays below it.
    Import(Box<crate::tui::popups::import_preview::ImportPreview>),
    /// An import running on its own thread: its progress, and Esc to cancel.
    Running(Box<crate::tui::popups::running_import::RunningImport>),
}

impl Popup {
    /// A copy of a popup a key can write from (a form, a menu, a question), to put back when
    /// the write has to wait; `None` for the others.
    pub(crate) fn copy(&self) -> Option<Popup> {
        match self {
            Popup::Form(f) => Some(Popup::Form(f.clone())),
            Popup::Menu(m) => Some(Popup::Menu(m.clone())),
            Popup::Confirm(q, what) => Some(Popup::Confirm(q.clone(), what.clone())),
            Popup::Conflict {
                what,
                theirs,
                mine,
                clash,
            } => Some(Popup::Conflict {
                what: what.clone(),
                theirs: theirs.clone(),
                mine: mine.clone(),
                clash: clash.clone(),
            }),
            _ => None,
        }
    }
}
