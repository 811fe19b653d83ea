//! Two people editing one item (#17 section 4): the review's edit forms as the item is stored
//! now, so that a save that finds someone else's change can merge field by field (`Form::rebase_on`
//! does the merging, `App` the asking), and the line an open form shows when someone else saved
//! the item meanwhile.

use crate::store::Store;
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::forms::{ReviewForm, action_form, event_form, incident_form, narrative_form};
use crate::tui::widgets::form::{Field, Form};

/// The form `purpose` belongs to, built on the item as it is stored now (its purpose holding
/// that version); `None` for a form that edits no stored item, or an item deleted since.
pub fn fresh(r: &ReviewState, purpose: &ReviewForm, store: &Store) -> Option<Form<ReviewForm>> {
    Some(match purpose {
        ReviewForm::EditEvent(e) => event_form(&store.event(e.id).ok()?, r.zone),
        ReviewForm::EditAction(a, cause_ids) => {
            let now = store.action(a.id).ok()?;
            let causes = store.causes(now.incident_id).ok()?;
            let cause = now.cause_id.and_then(|id| causes.iter().find(|c| c.id == id));
            let mut form = action_form(Some(&now), &causes, cause, &r.participants, None);
            // The causes by the labels the open form offers.
            form.purpose = ReviewForm::EditAction(now, cause_ids.clone());
            form
        }
        ReviewForm::EditIncident(i, _, _) => {
            incident_form(&store.incident(i.id).ok()?, &store.narrative(i.id).ok()?, &r.causes)
        }
        ReviewForm::CauseNotes(c) => {
            let now = store.cause(c.id).ok()?;
            Form::new(
                "",
                ReviewForm::CauseNotes(now.clone()),
                vec![Field::multi("Notes", &now.notes)],
            )
        }
        ReviewForm::AcceptRisk(c) => {
            let now = store.cause(c.id).ok()?;
            Form::new(
                "",
                ReviewForm::AcceptRisk(now.clone()),
                vec![Field::line("Reason", &now.reason)],
            )
        }
        ReviewForm::Narrative(id, _, _) => narrative_form(*id, &store.narrative(*id).ok()?, &r.causes),
        _ => return None,
    })
}

/// What the item of an edit form is called, its history's name for it, its incident, id and
/// the version the form opened on.
fn item(purpose: &ReviewForm) -> Option<(&'static str, i64, i64, i64)> {
    Some(match purpose {
        ReviewForm::EditEvent(e) => ("event", e.incident_id, e.id, e.version),
        ReviewForm::EditAction(a, _) => ("action", a.incident_id, a.id, a.version),
        ReviewForm::EditIncident(i, _, _) => ("incident", i.id, i.id, i.version),
        ReviewForm::CauseNotes(c) | ReviewForm::AcceptRisk(c) => ("cause", c.incident_id, c.id, c.version),
        ReviewForm::Narrative(id, n, _) => ("narrative", *id, *id, n.version),
        _ => return None,
    })
}

/// The version stored now of the item `purpose` edits.
fn stored_version(purpose: &ReviewForm, store: &Store) -> Option<i64> {
    match purpose {
        ReviewForm::EditEvent(e) => store.event(e.id).ok().map(|e| e.version),
        ReviewForm::EditAction(a, _) => store.action(a.id).ok().map(|a| a.version),
        ReviewForm::EditIncident(i, _, _) => store.incident(i.id).ok().map(|i| i.version),
        ReviewForm::CauseNotes(c) | ReviewForm::AcceptRisk(c) => store.cause(c.id).ok().map(|c| c.version),
        ReviewForm::Narrative(id, _, _) => store.narrative(*id).ok().map(|n| n.version),
        _ => None,
    }
}

/// Who last saved the item `purpose` edits, and when (`dana saved this action 14:32`), by its
/// history; `None` when the history names nobody.
pub fn saved_by(r: &ReviewState, purpose: &ReviewForm, store: &Store) -> Option<String> {
    let (what, incident, id, _) = item(purpose)?;
    let last = store.history(incident, Some((what, id))).ok()?.pop()?;
    let who = crate::model::sanitize::clean_line(&last.author);
    let when = r.zone.format_short(last.at);
    let when = when.split(' ').next_back().unwrap_or(&when).to_string();
    Some(format!("{who} saved this {what} {when}"))
}

/// The line an open edit form shows when the item was saved by someone else since it opened
/// (`dana saved this action 14:32 — saving will merge`); `None` while it is as the form read it.
pub fn saved_meanwhile(r: &ReviewState, purpose: &ReviewForm, store: &Store) -> Option<String> {
    let (what, _, _, version) = item(purpose)?;
    match stored_version(purpose, store) {
        Some(now) if now == version => None,
        Some(_) => Some(match saved_by(r, purpose, store) {
            Some(by) => format!("{by} — saving will merge"),
            None => format!("Someone else saved this {what} — saving will merge"),
        }),
        None => Some(format!("Someone else deleted this {what} — saving will fail")),
    }
}

/// What the item of an edit form is called ("action").
pub fn what(purpose: &ReviewForm) -> Option<&'static str> {
    item(purpose).map(|(what, ..)| what)
}
