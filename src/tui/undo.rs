//! Undo (`ctrl-z`): what this console did last, and the write that takes it back. Each undo is
//! an ordinary write through the store, at the version this console's change left: if someone
//! else changed the item since, it is a conflict and nothing is overwritten.

use crate::model::narrative::Narrative;
use crate::model::{Action, Cause, CauseState, Event, Incident};
use crate::store::{Removed, Store, StoreError};

/// One change this console made, with what takes it back.
#[derive(Debug, Clone)]
pub enum Undo {
    /// A deleted event: put back as it was stored (its id, count, origin, marks, import key),
    /// with its links to the causes it was evidence for.
    DeletedEvent { event: Event, removed: Removed },
    /// A deleted custom cause: put back with its state, notes, evidence and the links to it.
    DeletedCause(Cause, Removed),
    /// A deleted action: put back with every field, its status and times.
    DeletedAction(Action, Removed),
    /// An edited event: its fields before, saved over the version the edit left.
    EditedEvent { before: Event, version: i64 },
    /// An edited action (a form, a move on the board).
    EditedAction { before: Action, version: i64 },
    /// A cause's state or notes changed.
    EditedCause { before: Cause, version: i64 },
    /// The incident's details (title, severity, zone, summary …) edited.
    EditedIncident { before: Incident, version: i64 },
    /// The incident's narrative (went well / wrong / lucky, impact, factors, decisions, the
    /// causes the root cause and trigger belong to) edited: saved whole, so taken back whole.
    EditedNarrative {
        incident: i64,
        before: Narrative,
        version: i64,
    },
}

impl Undo {
    /// What undoing it does, for the status line.
    pub fn describe(&self) -> String {
        match self {
            Undo::DeletedEvent { event, .. } => format!("the deleted event \"{}\" is back", short(&event.text)),
            Undo::DeletedCause(c, _) => format!("the deleted cause {} is back", c.category.label()),
            Undo::DeletedAction(a, _) => format!("the deleted action \"{}\" is back", short(&a.title)),
            Undo::EditedEvent { before, .. } => format!("the event \"{}\" is as it was", short(&before.text)),
            Undo::EditedAction { before, .. } => format!("the action \"{}\" is as it was", short(&before.title)),
            Undo::EditedCause { before, .. } => format!("the cause {} is as it was", before.category.label()),
            Undo::EditedIncident { before, .. } => format!("the incident \"{}\" is as it was", short(&before.title)),
            Undo::EditedNarrative { .. } => "the narrative is as it was".to_string(),
        }
    }

    /// Takes the change back through the store. An edit taken back leaves its item at a new
    /// version, returned: the edit before it on the stack is rebased on it ([`Undo::rebase`]).
    pub fn run(&self, store: &Store) -> Result<Option<i64>, StoreError> {
        match self {
            Undo::DeletedEvent { removed, .. } | Undo::DeletedCause(_, removed) | Undo::DeletedAction(_, removed) => {
                store.restore(removed).map(|_| None)
            }
            Undo::EditedEvent { before, version } => {
                let mut e = before.clone();
                e.version = *version;
                store.update_event(&e).map(|e| Some(e.version))
            }
            Undo::EditedAction { before, version } => {
                let mut a = before.clone();
                a.version = *version;
                store.update_action(&a).map(|a| Some(a.version))
            }
            Undo::EditedIncident { before, version } => {
                let mut i = before.clone();
                i.version = *version;
                store.update_incident(&i).map(|i| Some(i.version))
            }
            Undo::EditedNarrative {
                incident,
                before,
                version,
            } => restore_narrative(store, *incident, before, *version).map(Some),
            Undo::EditedCause { before, version } => {
                let mut now = store.set_cause_notes(before.id, *version, &before.notes)?;
                if now.state != before.state || now.reason != before.reason {
                    now = match before.state {
                        CauseState::AcceptedRisk => store.accept_cause_risk(before.id, now.version, &before.reason)?,
                        state => store.set_cause_state(before.id, now.version, state)?,
                    };
                }
                Ok(Some(now.version))
            }
        }
    }

    /// The item an edit changed, and its version before the edit (the one its undo brings
    /// the item's fields back to).
    fn edited(&self) -> Option<(&'static str, i64, i64)> {
        match self {
            Undo::EditedEvent { before, .. } => Some(("event", before.id, before.version)),
            Undo::EditedAction { before, .. } => Some(("action", before.id, before.version)),
            Undo::EditedCause { before, .. } => Some(("cause", before.id, before.version)),
            Undo::EditedIncident { before, .. } => Some(("incident", before.id, before.version)),
            Undo::EditedNarrative { incident, before, .. } => Some(("narrative", *incident, before.version)),
            _ => None,
        }
    }

    /// After `done` was undone, leaving its item at version `now`: this edit of the same item,
    /// the one just before it (the version it left is the one `done` started from), now takes
    /// back from `now` — the item holds what that edit left, so a second undo in a row works.
    /// Returns whether it was that edit.
    pub fn rebase(&mut self, done: &Undo, now: i64) -> bool {
        let (Some((kind, id, from)), Some((mine, my_id, _))) = (done.edited(), self.edited()) else {
            return false;
        };
        let version = match self {
            Undo::EditedEvent { version, .. }
            | Undo::EditedAction { version, .. }
            | Undo::EditedCause { version, .. }
            | Undo::EditedIncident { version, .. }
            | Undo::EditedNarrative { version, .. } => version,
            _ => return false,
        };
        if (kind, id) != (mine, my_id) || *version != from {
            return false;
        }
        *version = now;
        true
    }
}

/// The narrative as it was, over the version the edit left; a link to a cause deleted since
/// (which unlinked it without a new version) is left out rather than refused.
fn restore_narrative(store: &Store, incident: i64, before: &Narrative, version: i64) -> Result<i64, StoreError> {
    let here = |c: &Option<i64>| c.filter(|id| store.cause(*id).is_ok_and(|c| c.incident_id == incident));
    let mut n = before.clone();
    n.version = version;
    n.root_cause_cause = here(&n.root_cause_cause);
    n.trigger_cause = here(&n.trigger_cause);
    for f in &mut n.factors {
        f.cause = here(&f.cause);
    }
    store.set_narrative(incident, &n).map(|n| n.version)
}

fn short(text: &str) -> String {
    crate::tui::view::truncate(text.lines().next().unwrap_or(""), 40)
}
