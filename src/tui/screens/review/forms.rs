//! The review's forms: an event, an action, the incident; and what its forms, menus and
//! questions are for.

use crate::model::narrative::{self, Narrative};
use crate::model::{
    Action as Task, ActionKind, ActionStatus, Cause, Event, EventKind, Incident, Milestone, Role, Severity,
};
use crate::store::Store;
use crate::tui::effect::Show;
use crate::tui::popups::export::{ExportForm, ExportRequest};
use crate::tui::popups::import_preview::ImportForm;
use crate::tui::view::ZoneMode;
use crate::tui::widgets::form::{Field, FieldError, Form};

/// What a review's form is for.
#[derive(Debug, Clone)]
pub enum ReviewForm {
    QuickAdd,
    EditEvent(Event),
    Search,
    AddCause,
    CauseNotes(Cause),
    /// Why the cause's risk is accepted.
    AcceptRisk(Cause),
    // The causes the form's Cause field offers, by label and id as they were when it opened.
    AddAction(Vec<(String, i64)>),
    EditAction(Task, Vec<(String, i64)>),
    /// The incident, and its narrative and causes (id, label) as they were when the form
    /// opened: the root cause and the trigger link to the checklist's causes here too.
    EditIncident(Incident, Box<Narrative>, Vec<(i64, String)>),
    /// The narrative as it was when the form opened, and the causes its fields name (id, label).
    Narrative(i64, Narrative, Vec<(i64, String)>),
    BoardOwner,
    BoardFilter,
    Export(ExportForm),
    Import(ImportForm),
}

/// What a menu is for. A menu holds what it offers (ids and versions as they were read when it
/// opened), never a position in a list that reloads underneath it.
#[derive(Debug, Clone)]
pub enum ReviewMenu {
    /// The milestones offered, in the menu's order (`None` clears it).
    Milestone(Event, Vec<Option<Milestone>>),
    /// The causes offered, in the menu's order.
    Evidence(Event, Vec<Cause>),
}

/// What a question on the review confirms.
#[derive(Debug, Clone)]
pub enum ReviewConfirm {
    DeleteEvent(Event),
    DeleteCause(Cause),
    DeleteAction(Task),
    /// Replace an existing file with an export.
    Overwrite(ExportRequest),
}

/// A popup the review opens.
pub type ReviewPopup = Show<ReviewForm, ReviewMenu, ReviewConfirm>;
/// What the review asks `App` to do.
pub type Effect = crate::tui::effect::Effect<ReviewPopup>;

impl ReviewForm {
    /// After a conflict, the next save is based on the version now stored (the user chose).
    pub fn rebase(&mut self, store: &Store) {
        match self {
            ReviewForm::EditEvent(e) => {
                if let Ok(now) = store.event(e.id) {
                    e.version = now.version;
                }
            }
            ReviewForm::CauseNotes(c) | ReviewForm::AcceptRisk(c) => {
                if let Ok(now) = store.cause(c.id) {
                    c.version = now.version;
                }
            }
            ReviewForm::EditAction(a, _) => {
                if let Ok(now) = store.action(a.id) {
                    a.version = now.version;
                }
            }
            ReviewForm::EditIncident(i, n, _) => {
                if let Ok(now) = store.incident(i.id) {
                    i.version = now.version;
                }
                if let Ok(now) = store.narrative(i.id) {
                    **n = now;
                }
            }
            ReviewForm::Narrative(id, n, _) => {
                if let Ok(now) = store.narrative(*id) {
                    n.version = now.version;
                }
            }
            _ => {}
        }
    }
}

pub fn event_form(e: &Event, zone: ZoneMode) -> Form<ReviewForm> {
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.key()).collect();
    let mut milestones = vec!["none"];
    milestones.extend(Milestone::ALL.iter().map(|m| m.key()));
    Form::new(
        "Edit event",
        ReviewForm::EditEvent(e.clone()),
        vec![
            Field::line("Time", &time_in_form(e.at, zone)).with_hint(match zone {
                ZoneMode::Incident(tz) => tz.name().to_string(),
                _ => "a time without an offset is read in the incident's zone".to_string(),
            }),
            Field::choice("Kind", &kinds, e.kind.key()),
            Field::choice("Milestone", &milestones, e.milestone.map(|m| m.key()).unwrap_or("none")),
            Field::multi("Text", &e.text),
        ],
    )
}

/// An event's time as the form shows it: in the incident's zone as the review shows it, else
/// with its offset, since a time typed without one is read in the incident's zone.
fn time_in_form(at: chrono::DateTime<chrono::Utc>, zone: ZoneMode) -> String {
    match zone {
        ZoneMode::Incident(_) => zone.format_long(at),
        _ => at.with_timezone(&zone.tz()).format("%Y-%m-%dT%H:%M:%S%:z").to_string(),
    }
}

/// The action form: `a` to edit, else a new action whose due date starts at `default_due` (from
/// the incident's severity, see `model::follow`).
pub fn action_form(
    a: Option<&Task>,
    causes: &[Cause],
    cause: Option<&Cause>,
    participants: &[crate::model::Participant],
    default_due: Option<chrono::NaiveDate>,
) -> Form<ReviewForm> {
    let kinds: Vec<&str> = ActionKind::ALL.iter().map(|k| k.key()).collect();
    let mut roles = vec!["none"];
    roles.extend(Role::ALL.iter().map(|r| r.key()));
    let cause_ids: Vec<(String, i64)> = causes.iter().map(|c| (c.category.label(), c.id)).collect();
    let cause_labels: Vec<String> = std::iter::once("none".to_string())
        .chain(cause_ids.iter().map(|(label, _)| label.clone()))
        .collect();
    let cause_refs: Vec<&str> = cause_labels.iter().map(String::as_str).collect();
    let cause_sel = cause.map(|c| c.category.label()).unwrap_or_else(|| "none".into());
    let statuses: Vec<&str> = ActionStatus::ALL.iter().map(|s| s.key()).collect();
    let priority = a
        .map(|a| {
            if a.priority == 0 {
                "none".to_string()
            } else {
                format!("P{}", a.priority)
            }
        })
        .unwrap_or("none".into());
    let mut fields = vec![
        Field::line("Title", a.map(|a| a.title.as_str()).unwrap_or("")),
        Field::choice("Kind", &kinds, a.map(|a| a.kind.key()).unwrap_or("fix"))
            .with_hint("fix removes the cause · monitoring alerts before it hurts"),
        Field::line("Owner", a.map(|a| a.owner.as_str()).unwrap_or(""))
            .with_hint(crate::tui::screens::review::meeting::participants::owner_hint(
                participants,
            ))
            .with_suggestions(crate::tui::screens::review::meeting::participants::owner_suggestions(
                participants,
            )),
        Field::choice(
            "Role",
            &roles,
            a.and_then(|a| a.owner_role).map(|r| r.key()).unwrap_or("none"),
        ),
        Field::line(
            "Due",
            &a.map_or(default_due, |a| a.due)
                .map(|d| d.to_string())
                .unwrap_or_default(),
        )
        .with_hint(if a.is_none() && default_due.is_some() {
            "by the incident's severity; 2026-12-05 · +7d · fri"
        } else {
            "2026-12-05 · +7d · fri"
        }),
        Field::choice("Cause", &cause_refs, &cause_sel),
        Field::line("Ticket", a.map(|a| a.ticket.as_str()).unwrap_or("")),
        Field::choice("Priority", &["none", "P1", "P2", "P3"], &priority),
    ];
    if let Some(a) = a {
        fields.push(Field::choice("Status", &statuses, a.status.key()));
        fields.push(Field::line("Reason", &a.reason).with_hint("why not: needed for not_doing"));
    }
    fields.push(Field::multi("Details", a.map(|a| a.details.as_str()).unwrap_or("")));
    let (title, purpose) = match a {
        Some(a) => ("Edit action", ReviewForm::EditAction(a.clone(), cause_ids)),
        None => ("Add action", ReviewForm::AddAction(cause_ids)),
    };
    Form::new(title, purpose, fields)
}

/// The incident's form (`E`): its details, the root cause and the trigger with the checklist
/// cause each belongs to (as in the narrative form), summary and impact.
pub fn incident_form(i: &Incident, n: &Narrative, causes: &[Cause]) -> Form<ReviewForm> {
    let severities: Vec<&str> = Severity::ALL.iter().map(|s| s.label()).collect();
    let statuses: Vec<&str> = crate::model::IncidentStatus::ALL.iter().map(|s| s.key()).collect();
    let labels = cause_labels(causes);
    let mut options = vec!["-"];
    options.extend(labels.iter().map(|(_, l)| l.as_str()));
    let root = narrative::cause_name(n.root_cause_cause, &labels);
    let trigger = narrative::cause_name(n.trigger_cause, &labels);
    let mut form = Form::new(
        format!("Incident #{}", i.id),
        ReviewForm::EditIncident(i.clone(), Box::new(n.clone()), labels.clone()),
        vec![
            Field::line("Title", &i.title),
            Field::choice("Severity", &severities, i.severity.label()),
            Field::choice("Status", &statuses, i.status.key()),
            Field::line("Zone", &i.zone),
            Field::multi("Root cause", &i.root_cause).with_hint("the underlying problem, in a sentence or two"),
            Field::choice("Root cause in", &options, &root).with_hint("the checklist cause the root cause belongs to"),
            Field::multi("Trigger", &i.trigger).with_hint("what set it off"),
            Field::choice("Trigger in", &options, &trigger).with_hint("the checklist cause the trigger belongs to"),
            Field::multi("Summary", &i.summary),
            Field::multi("Impact", &i.impact),
        ],
    );
    if i.status == crate::model::IncidentStatus::Closed {
        form.fields.insert(
            3,
            Field::line("Reopen reason", "").with_hint("needed to change the status of a closed review"),
        );
    }
    form
}

/// The causes as the narrative's fields name them: id and label, in the checklist's order.
pub fn cause_labels(causes: &[Cause]) -> Vec<(i64, String)> {
    causes.iter().map(|c| (c.id, c.category.label())).collect()
}

/// The narrative form (`L`): the lessons, impact, contributing factors and decisions; the lists
/// one item a line, their parts split by `|`.
pub fn narrative_form(incident_id: i64, n: &Narrative, causes: &[Cause]) -> Form<ReviewForm> {
    let labels = cause_labels(causes);
    let mut options = vec!["-"];
    options.extend(labels.iter().map(|(_, l)| l.as_str()));
    let root = narrative::cause_name(n.root_cause_cause, &labels);
    let trigger = narrative::cause_name(n.trigger_cause, &labels);
    let names = labels.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join(", ");
    Form::new(
        "Narrative",
        ReviewForm::Narrative(incident_id, n.clone(), labels.clone()),
        vec![
            Field::multi("Went well", &n.went_well),
            Field::multi("Went wrong", &n.went_wrong),
            Field::multi("Lucky", &n.lucky).with_hint("where we got lucky"),
            Field::multi("Impact", &narrative::format_impacts(&n.impacts))
                .with_hint("one service a line: service | customers or requests affected | duration"),
            Field::multi("Factors", &narrative::format_factors(&n.factors, &labels)).with_hint(format!(
                "one contributing factor a line: cause | factor (cause: {names}, or -)"
            )),
            Field::multi("Decisions", &narrative::format_decisions(&n.decisions)).with_hint(format!(
                "one a line: decision | who | when; start with {} to keep it from outsiders",
                narrative::INTERNAL_MARK
            )),
            Field::choice("Root cause in", &options, &root).with_hint("the checklist cause the root cause belongs to"),
            Field::choice("Trigger in", &options, &trigger).with_hint("the checklist cause the trigger belongs to"),
        ],
    )
}

/// What the event form holds, read once by label (see [`event_form`]); the text as typed, parsed
/// where it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInput {
    pub time: String,
    pub kind: String,
    pub milestone: String,
    pub text: String,
}

impl EventInput {
    pub fn from_form<P>(form: &Form<P>) -> Result<EventInput, FieldError> {
        Ok(EventInput {
            time: form.field("Time")?,
            kind: form.field("Kind")?,
            milestone: form.field("Milestone")?,
            text: form.field("Text")?,
        })
    }
}

/// What the action form holds, read once by label (see [`action_form`]); the text as typed,
/// parsed where it is applied. `status` is only on the edit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionInput {
    pub title: String,
    pub kind: String,
    pub owner: String,
    pub role: String,
    pub due: String,
    pub cause: String,
    pub ticket: String,
    pub priority: String,
    pub status: Option<String>,
    /// Why it is not being done (edit form only).
    pub reason: Option<String>,
    pub details: String,
}

impl ActionInput {
    pub fn from_form<P>(form: &Form<P>) -> Result<ActionInput, FieldError> {
        Ok(ActionInput {
            title: form.field("Title")?,
            kind: form.field("Kind")?,
            owner: form.field("Owner")?,
            role: form.field("Role")?,
            due: form.field("Due")?,
            cause: form.field("Cause")?,
            ticket: form.field("Ticket")?,
            priority: form.field("Priority")?,
            status: form.optional_field("Status"),
            reason: form.optional_field("Reason"),
            details: form.field("Details")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, Source};
    use chrono::TimeZone;

    fn event() -> Event {
        Event {
            id: 7,
            incident_id: 1,
            at: chrono::Utc.with_ymd_and_hms(2026, 11, 3, 14, 32, 0).unwrap(),
            kind: EventKind::Action,
            milestone: Some(Milestone::Detected),
            text: "rolled back\nthe release".into(),
            source: Source::Typed,
            author: "ana".into(),
            key: false,
            origin: None,
            version: 1,
            internal: false,
            count: 1,
        }
    }

    #[test]
    fn event_input_reads_every_field_of_the_event_form() {
        let form = event_form(&event(), ZoneMode::Utc);
        let input = EventInput::from_form(&form).unwrap();
        assert_eq!(input.kind, "action");
        assert_eq!(input.milestone, Milestone::Detected.key());
        assert_eq!(input.text, "rolled back\nthe release");
        assert!(input.time.contains("14:32"), "{}", input.time);
    }

    #[test]
    fn action_input_reads_the_add_and_the_edit_form() {
        let add = ActionInput::from_form(&action_form(None, &[], None, &[], None)).unwrap();
        assert_eq!(
            (add.kind.as_str(), add.role.as_str(), add.cause.as_str()),
            ("fix", "none", "none")
        );
        assert_eq!(add.status, None, "the add form has no status");
        // The edit form adds the status.
        let mut form = action_form(None, &[], None, &[], None);
        form.fields
            .push(Field::choice("Status", &["todo", "doing", "done"], "doing"));
        assert_eq!(ActionInput::from_form(&form).unwrap().status.as_deref(), Some("doing"));
    }

    #[test]
    fn a_missing_field_is_an_error_naming_form_and_label() {
        let mut form = action_form(None, &[], None, &[], None);
        form.fields.retain(|f| f.label != "Due");
        let err = ActionInput::from_form(&form).unwrap_err();
        assert_eq!(err.field, "Due");
        assert_eq!(err.form, "Add action");
        assert!(err.to_string().contains("\"Add action\" has no field \"Due\""), "{err}");
        let mut form = event_form(&event(), ZoneMode::Utc);
        form.fields.retain(|f| f.label != "Text");
        assert_eq!(EventInput::from_form(&form).unwrap_err().field, "Text");
    }
}
