//! What the review's forms, menus and questions do once submitted: each reads its form, writes
//! through the store and returns what `App` is to do next (or why the form stays open).

use crate::model::time::{self, TimeContext};
use crate::model::{Action as Task, ActionKind, Cause, Event, EventKind, Role, Source};
use crate::store::{NewAction, NewEvent, StoreError};
use crate::tui::effect::{Ctx, Failure, failure, msg};
use crate::tui::popups::export::ExportForm;
use crate::tui::popups::import_preview::ImportForm;
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::forms::{ActionInput, Effect, EventInput, ReviewConfirm, ReviewForm, ReviewMenu};
use crate::tui::undo::Undo;
use crate::tui::widgets::form::Form;
use crate::tui::widgets::menu::Menu;

/// What a submitted form asks for next, or why it stays open.
pub type Applied = Result<Vec<Effect>, Failure<ReviewConfirm>>;

/// Applies a submitted review form to the review on screen.
pub fn apply<P>(r: &mut ReviewState, purpose: &ReviewForm, form: &Form<P>, ctx: &Ctx) -> Applied {
    let none = |()| Vec::new();
    match purpose {
        ReviewForm::QuickAdd => apply_quick_add(r, ctx, form).map(none),
        ReviewForm::EditEvent(original) => apply_event_edit(r, ctx, original, form),
        ReviewForm::Search => apply_search(r, ctx, form),
        ReviewForm::AddCause => {
            ctx.store
                .add_custom_cause(r.incident.id, &form.value("Name"))
                .map_err(msg)?;
            Ok(Vec::new())
        }
        ReviewForm::CauseNotes(c) => {
            let after = ctx
                .store
                .set_cause_notes(c.id, c.version, &form.value("Notes"))
                .map_err(|err| failure(ctx.store, err, "cause", |s, id| s.cause(id).map(|c| c.notes)))?;
            Ok(remember(Undo::EditedCause {
                before: c.clone(),
                version: after.version,
            }))
        }
        ReviewForm::AcceptRisk(c) => {
            let after = ctx
                .store
                .accept_cause_risk(c.id, c.version, &form.value("Reason"))
                .map_err(|err| {
                    failure(ctx.store, err, "cause", |s, id| {
                        s.cause(id).map(|c| c.state.label().to_string())
                    })
                })?;
            Ok(remember(Undo::EditedCause {
                before: c.clone(),
                version: after.version,
            }))
        }
        ReviewForm::AddAction(cause_ids) => apply_action_form(r, ctx, None, cause_ids, form),
        ReviewForm::EditAction(original, cause_ids) => apply_action_form(r, ctx, Some(original), cause_ids, form),
        ReviewForm::EditIncident(original, n, causes) => apply_incident_edit(r, ctx, original, (n, causes), form),
        ReviewForm::Narrative(id, original, causes) => apply_narrative(r, ctx, *id, original, causes, form),
        ReviewForm::BoardOwner => r.apply_board_owner(form, ctx).map(none).map_err(Failure::Message),
        ReviewForm::BoardFilter => r.apply_board_filter(form, ctx).map(none).map_err(Failure::Message),
        ReviewForm::Export(what) => apply_export_form(ctx, what, form),
        ReviewForm::Import(what) => apply_import_form(r, ctx, what, form),
    }
}

/// The narrative form: every field parsed (an error names the field and line), then saved whole
/// over the version it was opened on; undo puts back the narrative it was opened on.
fn apply_narrative<P>(
    r: &mut ReviewState,
    cx: &Ctx,
    id: i64,
    original: &crate::model::narrative::Narrative,
    causes: &[(i64, String)],
    form: &Form<P>,
) -> Applied {
    use crate::model::narrative as n;
    let link = |label: &str| n::find_cause(&form.value(label), causes).map_err(|e| msg(format!("{label}: {e}")));
    let narrative = n::Narrative {
        went_well: form.value("Went well"),
        went_wrong: form.value("Went wrong"),
        lucky: form.value("Lucky"),
        root_cause_cause: link("Root cause in")?,
        trigger_cause: link("Trigger in")?,
        impacts: n::parse_impacts(&form.value("Impact")).map_err(msg)?,
        decisions: n::parse_decisions(&form.value("Decisions")).map_err(msg)?,
        factors: n::parse_factors(&form.value("Factors"), causes).map_err(msg)?,
        version: original.version,
    };
    let saved = cx.store.set_narrative(id, &narrative).map_err(|err| {
        failure(cx.store, err, "narrative", |s, id| {
            s.narrative(id).map(|n| format!("{}\n{}", n.went_well, n.went_wrong))
        })
    })?;
    let version = saved.version;
    if r.incident.id == id {
        r.narrative = saved;
    }
    Ok(remember(Undo::EditedNarrative {
        incident: id,
        before: original.clone(),
        version,
    }))
}

/// What a time typed on the review is read against (the one rule of `model::time`).
fn time_context(r: &ReviewState, cx: &Ctx) -> Result<TimeContext, crate::store::StoreError> {
    let anchor = r.timeline.selected_event().map(|e| e.at);
    cx.store.time_context(&r.incident, cx.now, anchor)
}

/// The quick-add line ("14:02 paged the DBA"): adds a note event and selects it.
fn apply_quick_add<P>(r: &mut ReviewState, cx: &Ctx, form: &Form<P>) -> Result<(), Failure<ReviewConfirm>> {
    let ctx = time_context(r, cx).map_err(msg)?;
    let (at, text) = time::split_quick_entry(&form.value("Event"), &ctx).map_err(msg)?;
    if text.is_empty() {
        return Err(Failure::Message("Type what happened after the time.".into()));
    }
    let id = cx
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
    r.timeline.selected_id = Some(id);
    Ok(())
}

/// The event form: saves the edited event over the version it was opened on.
fn apply_event_edit<P>(
    r: &ReviewState,
    cx: &Ctx,
    original: &crate::model::Event,
    form: &Form<P>,
) -> Result<Vec<Effect>, Failure<ReviewConfirm>> {
    let ctx = cx
        .store
        .time_context(&r.incident, cx.now, Some(original.at))
        .map_err(msg)?;
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
    let after = cx
        .store
        .update_event(&e)
        .map_err(|err| failure(cx.store, err, "event", |s, id| s.event(id).map(|e| e.text)))?;
    Ok(remember(Undo::EditedEvent {
        before: original.clone(),
        version: after.version,
    }))
}

/// Saves an edited action over the version it was opened on; someone else's save meanwhile is
/// a conflict, which `App` merges field by field (see `review::merge`).
fn save_action_edit(
    ctx: &Ctx,
    original: &Task,
    a: &Task,
    gone: impl Fn(StoreError) -> Failure<ReviewConfirm>,
) -> Applied {
    let after = match ctx.store.update_action(a) {
        Ok(after) => after,
        Err(err @ StoreError::Conflict { .. }) => {
            return Err(failure(ctx.store, err, "action", |s, id| {
                s.action(id).map(describe_action)
            }));
        }
        Err(other) => return Err(gone(other)),
    };
    // What undo puts back: the action as it was just before this save.
    Ok(remember(Undo::EditedAction {
        before: original.clone(),
        version: after.version,
    }))
}

/// An effect that lets undo take a change back.
pub(crate) fn remember(undo: Undo) -> Vec<Effect> {
    vec![Effect::Remember(Box::new(undo))]
}

/// The timeline's search form: sets the words and kind, then selects the first match.
fn apply_search<P>(r: &mut ReviewState, ctx: &Ctx, form: &Form<P>) -> Applied {
    let mut fx = Vec::new();
    let words = form.value("Search");
    r.timeline.search = if words.trim().is_empty() {
        None
    } else {
        Some(words.clone())
    };
    let kind = form.value("Kind");
    r.timeline.filter.kinds = kind.parse::<EventKind>().map(|k| vec![k]).unwrap_or_default();
    // A search steps through the whole timeline.
    r.timeline.curated = false;
    r.timeline.reload(ctx.store, r.incident.id).map_err(msg)?;
    if !words.trim().is_empty() {
        let first = ctx
            .store
            .next_match(r.incident.id, &r.timeline.filter, &words, None, true)
            .map_err(msg)?;
        match first {
            Some(e) => {
                let pos = ctx
                    .store
                    .event_position(r.incident.id, &r.timeline.filter, e.id)
                    .map_err(msg)?;
                r.timeline.select_index(pos.unwrap_or(0));
            }
            None => fx.push(Effect::Flash(format!("No event matches \"{words}\"."))),
        }
    }
    Ok(fx)
}

/// The action form, adding (`original` is `None`) or editing an action.
fn apply_action_form<P>(
    r: &mut ReviewState,
    ctx: &Ctx,
    original: Option<&Task>,
    cause_ids: &[(String, i64)],
    form: &Form<P>,
) -> Applied {
    let today = ctx.today();
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
        StoreError::Invalid(_) if cause_id.is_some_and(|id| ctx.store.cause(id).is_err()) => Failure::Message(format!(
            "The cause {cause_label} was deleted by someone else; nothing was saved (choose another)."
        )),
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
        a.reason = input.reason.unwrap_or_default();
        a.details = input.details;
        return save_action_edit(ctx, original, &a, gone);
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
    let id = ctx.store.add_action(r.incident.id, &new).map_err(gone)?;
    r.reload(ctx.store).map_err(msg)?;
    if !r.select_action(id) {
        return Ok(vec![Effect::Flash(
            "Added; the board's filter hides it (o or / with empty fields shows all).".into(),
        )]);
    }
    Ok(Vec::new())
}

/// The incident's details form: saves them and follows a change of time zone. The causes the
/// root cause and the trigger belong to are the narrative's: changed only when the form changed
/// them, and a conflict when another session changed them meanwhile (checked before anything
/// is saved).
fn apply_incident_edit<P>(
    r: &mut ReviewState,
    ctx: &Ctx,
    original: &crate::model::Incident,
    (n, causes): (&crate::model::narrative::Narrative, &[(i64, String)]),
    form: &Form<P>,
) -> Applied {
    use crate::model::narrative as nar;
    let link = |label: &'static str, was: Option<i64>| -> Result<Option<i64>, Failure<ReviewConfirm>> {
        match form.optional_field(label) {
            Some(v) => nar::find_cause(&v, causes).map_err(|e| msg(format!("{label}: {e}"))),
            None => Ok(was),
        }
    };
    let links = (
        link("Root cause in", n.root_cause_cause)?,
        link("Trigger in", n.trigger_cause)?,
    );
    let relinked = if links != (n.root_cause_cause, n.trigger_cause) {
        let mut now = ctx.store.narrative(original.id).map_err(msg)?;
        if (now.root_cause_cause, now.trigger_cause) != (n.root_cause_cause, n.trigger_cause) {
            let theirs = |c: Option<i64>| nar::cause_name(c, causes);
            return Err(Failure::Conflict(
                "the causes of the root cause and the trigger".into(),
                format!(
                    "Root cause in: {}\nTrigger in: {}",
                    theirs(now.root_cause_cause),
                    theirs(now.trigger_cause)
                ),
            ));
        }
        (now.root_cause_cause, now.trigger_cause) = links;
        Some(now)
    } else {
        None
    };
    let mut i = original.clone();
    i.title = form.value("Title");
    i.severity = form.value("Severity").parse().map_err(msg)?;
    i.status = form.value("Status").parse().map_err(msg)?;
    i.zone = form.value("Zone");
    i.summary = form.value("Summary");
    i.impact = form.value("Impact");
    i.root_cause = form.value("Root cause");
    i.trigger = form.value("Trigger");
    if original.status == crate::model::IncidentStatus::Closed && i.status != original.status {
        // A closed review is reopened with a reason, kept in the history.
        let reason = form.optional_field("Reopen reason").unwrap_or_default();
        let reopened = ctx.store.reopen_incident(i.id, &reason).map_err(msg)?;
        i.version = reopened.version;
    }
    let after = ctx.store.update_incident(&i).map_err(|err| {
        failure(ctx.store, err, "incident", |s, id| {
            s.incident(id).map(|i| format!("{}\n{}", i.title, i.root_cause))
        })
    })?;
    r.zone = crate::tui::view::ZoneMode::Incident(i.tz());
    if let Some(relinked) = relinked {
        r.narrative = ctx.store.set_narrative(i.id, &relinked).map_err(|err| {
            failure(ctx.store, err, "narrative", |s, id| {
                s.narrative(id).map(|n| format!("{}\n{}", n.went_well, n.went_wrong))
            })
        })?;
    }
    Ok(remember(Undo::EditedIncident {
        before: original.clone(),
        version: after.version,
    }))
}

/// The export form: writes the file, or asks first when it would replace one.
fn apply_export_form<P>(ctx: &Ctx, what: &ExportForm, form: &Form<P>) -> Applied {
    let today = ctx.today();
    let request = crate::tui::popups::export::request(form, what, ctx.dirs()).map_err(Failure::Message)?;
    if request.path.exists() {
        let question = format!("{} exists. Replace it?", request.path.display());
        return Err(Failure::Confirm(question, Box::new(ReviewConfirm::Overwrite(request))));
    }
    let left = crate::tui::popups::export::write(ctx.store, &request, today).map_err(Failure::Message)?;
    Ok(vec![Effect::Flash(crate::tui::popups::export::written(&request, left))])
}

/// The import form: reads the file into a preview (the import itself waits for the preview).
fn apply_import_form<P>(r: &ReviewState, ctx: &Ctx, what: &ImportForm, form: &Form<P>) -> Applied {
    let anchor = r.timeline.selected_event().map(|e| e.at);
    let time = crate::import::time_context(ctx.store, &r.incident, ctx.now, anchor).map_err(msg)?;
    let request =
        crate::tui::popups::import_preview::request(form, what, time, r.zone, ctx.dirs()).map_err(Failure::Message)?;
    Err(Failure::Preview(Box::new(request)))
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

/// A choice on one of the review's menus: sets the event's milestone, or links the event to a
/// cause (or unlinks it).
pub fn choose(menu: &Menu<ReviewMenu>, ctx: &Ctx) -> Vec<Effect> {
    let mut fx = Vec::new();
    let result = match &menu.purpose {
        ReviewMenu::Milestone(e, choices) => match choices.get(menu.selected) {
            Some(m) => {
                // The status follows the milestones that end the incident: say so.
                let before = ctx.store.incident(e.incident_id).map(|i| i.status);
                let result = ctx.store.set_milestone(e.id, e.version, *m).map(|_| ());
                if let (Ok(()), Ok(before), Ok(after)) = (&result, before, ctx.store.incident(e.incident_id))
                    && after.status != before
                {
                    fx.push(Effect::Flash(format!("The incident is now {}.", after.status.label())));
                }
                result
            }
            None => Ok(()),
        },
        ReviewMenu::Evidence(e, causes) => {
            // The checks that differ from what the menu opened with; a plain menu (no checks)
            // toggles the selected cause.
            let changed: Vec<&Cause> = match &menu.checks {
                Some(checks) => causes
                    .iter()
                    .zip(checks)
                    .filter(|(c, checked)| c.evidence.contains(&e.id) != **checked)
                    .map(|(c, _)| c)
                    .collect(),
                None => causes.get(menu.selected).into_iter().collect(),
            };
            changed.into_iter().try_for_each(|c| link(ctx, e, c, &mut fx))
        }
    };
    report(fx, result)
}

/// Links the event to the cause, or unlinks it: the cause by id and the version the menu
/// showed, so that if someone else deleted or changed it since, nothing is linked.
fn link(ctx: &Ctx, e: &Event, c: &Cause, fx: &mut Vec<Effect>) -> Result<(), StoreError> {
    match ctx.store.toggle_evidence_at(c.id, c.version, e.id) {
        Ok(linked) => {
            let what = if linked { "linked to" } else { "unlinked from" };
            fx.push(Effect::Flash(format!("Event {what} {}.", c.category.label())));
            Ok(())
        }
        Err(StoreError::NotFound { what: "cause", .. }) => {
            let text = format!(
                "{} was deleted by someone else; nothing was linked.",
                c.category.label()
            );
            fx.push(Effect::Error(text));
            Ok(())
        }
        Err(StoreError::NotFound { what: "event", .. }) => {
            fx.push(Effect::Error(
                "This event was deleted by someone else; nothing was linked.".into(),
            ));
            Ok(())
        }
        Err(StoreError::Conflict { .. }) => {
            let text = format!(
                "{} was changed by someone else since this menu opened; nothing was linked \
                 (l shows it as it is now).",
                c.category.label()
            );
            fx.push(Effect::Error(text));
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// A "yes" to one of the review's deletions. (Replacing a file with an export is `App`'s: the
/// export form below the question closes.)
pub fn confirmed(what: ReviewConfirm, ctx: &Ctx) -> Vec<Effect> {
    let result = match what {
        ReviewConfirm::DeleteEvent(e) => ctx
            .store
            .delete_event(e.id, e.version)
            .map(|removed| remember(Undo::DeletedEvent { event: e, removed })),
        ReviewConfirm::DeleteCause(c) => ctx
            .store
            .delete_cause(c.id, c.version)
            .map(|removed| remember(Undo::DeletedCause(c, removed))),
        ReviewConfirm::DeleteAction(a) => ctx
            .store
            .delete_action(a.id, a.version)
            .map(|removed| remember(Undo::DeletedAction(a, removed))),
        ReviewConfirm::Overwrite(_) => Ok(Vec::new()),
    };
    match result {
        Ok(fx) => report(fx, Ok(())),
        Err(e) => report(Vec::new(), Err(e)),
    }
}

/// A write's outcome after what was said: its error, if any, then a reload.
fn report(mut fx: Vec<Effect>, result: Result<(), StoreError>) -> Vec<Effect> {
    if let Err(e) = result {
        fx.push(Effect::Error(e.to_string()));
    }
    fx.push(Effect::Reload);
    fx
}
