//! Popups over any screen: confirm, conflict, export, the import preview and the running import.

pub mod confirm;
pub mod conflict;
pub mod export;
pub mod import_preview;
pub mod running_import;

use crate::model::{Action as Task, Cause, Event, Incident, Milestone};
use crate::tui::keymap::Context;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::help::HelpOverlay;
use crate::tui::widgets::menu::Menu;

/// What a submitted form is for.
#[derive(Debug, Clone)]
pub enum Purpose {
    NewIncident,
    QuickAdd,
    EditEvent(Event),
    Search,
    HomeFilter,
    AddCause,
    CauseNotes(Cause),
    // The causes the form's Cause field offers, by label and id as they were when it opened.
    AddAction(Vec<(String, i64)>),
    EditAction(Task, Vec<(String, i64)>),
    EditIncident(Incident),
    Meeting(crate::tui::screens::meeting::MeetingForm),
    CrossOwner,
    CrossFilter,
    BoardOwner,
    BoardFilter,
    InsightsPeriod,
    Export { incident: i64, slug: String },
    Import { incident: i64 },
}

/// What a menu is for. A menu holds what it offers (ids and versions as they were read when it
/// opened), never a position in a list that reloads underneath it.
#[derive(Debug, Clone)]
pub enum MenuPurpose {
    /// The milestones offered, in the menu's order (`None` clears it).
    Milestone(Event, Vec<Option<Milestone>>),
    /// The causes offered, in the menu's order.
    Evidence(Event, Vec<Cause>),
}

#[derive(Debug, Clone)]
pub enum Confirmed {
    DeleteEvent(Event),
    DeleteCause(Cause),
    DeleteAction(Task),
    Meeting(crate::tui::screens::meeting::MeetingConfirm),
    /// Replace an existing file with an export.
    Overwrite(crate::tui::popups::export::ExportRequest),
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
        /// My form, as I submitted it.
        mine: Form<Purpose>,
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
            Popup::Conflict { what, theirs, mine } => Some(Popup::Conflict {
                what: what.clone(),
                theirs: theirs.clone(),
                mine: mine.clone(),
            }),
            _ => None,
        }
    }
}
