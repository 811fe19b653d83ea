//! The review's keys: what an action does on the timeline, the causes and the action board.
//! Each pane's keys change the review's state and return effects; only `App` applies them.

use crate::model::{CauseState, EventKind, Milestone};
use crate::store::StoreError;
use crate::tui::effect::Ctx;
use crate::tui::keymap::Context;
use crate::tui::keymap::command::Command;
use crate::tui::screens::review::board;
use crate::tui::screens::review::forms::{
    Effect, ReviewConfirm, ReviewForm, ReviewMenu, ReviewPopup, action_form, event_form, incident_form, narrative_form,
};
use crate::tui::screens::review::{Pane, ReviewState};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::menu::Menu;

/// What a key does on the review (meeting mode has had its turn): the review's state changes
/// here, the rest comes back as effects.
pub fn update(r: &mut ReviewState, command: Command, ctx: &Ctx) -> Vec<Effect> {
    let mut fx = Vec::new();
    update_review(r, ctx, &mut fx, command);
    fx
}

fn update_review(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, command: Command) {
    match (command, r.focus) {
        (Command::Back, _) => fx.push(Effect::Home),
        (Command::NextPane, _) => r.focus = r.focus.next(),
        (Command::PrevPane, _) => r.focus = r.focus.prev(),
        (Command::FocusTimeline, _) => r.focus = Pane::Timeline,
        (Command::FocusCauses, _) => r.focus = Pane::Causes,
        (Command::FocusActions, _) => r.focus = Pane::Actions,
        (Command::Zoom, _) => r.zoom = !r.zoom,
        (Command::CycleZone, _) => {
            r.zone = r.zone.next(r.incident.tz(), ctx.local_zone);
            let label = r.zone.label();
            flash(fx, format!("Showing {label}"), false);
        }
        (Command::EditIncident, _) => {
            let form = incident_form(&r.incident, &r.narrative, &r.causes);
            popup(fx, ReviewPopup::Form(form));
        }
        (Command::Narrative, _) => {
            let form = narrative_form(r.incident.id, &r.narrative, &r.causes);
            popup(fx, ReviewPopup::Form(form));
        }
        (Command::Export, _) => popup(
            fx,
            ReviewPopup::Form(crate::tui::popups::export::form(&r.incident).map(ReviewForm::Export)),
        ),
        (Command::History, pane) => show_history(r, ctx, fx, pane),
        (_, Pane::Timeline) => update_timeline(r, ctx, fx, command),
        (_, Pane::Causes) => update_causes(r, ctx, fx, command),
        (_, Pane::Actions) => update_actions(r, ctx, fx, command),
    }
}

/// The last changes of the selected event, cause or action, in a popup.
fn show_history(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, pane: Pane) {
    let (entity, id, what) = match pane {
        Pane::Timeline => ("event", r.timeline.selected_event().map(|e| e.id), "event"),
        Pane::Causes => ("cause", r.selected_cause().map(|c| c.id), "cause"),
        Pane::Actions => ("action", r.selected_action().map(|a| a.id), "action"),
    };
    let incident = r.incident.id;
    let zone = r.zone;
    let entries = match id {
        Some(id) => ctx.store.history(incident, Some((entity, id))),
        None => ctx.store.history(incident, None),
    };
    // An observer sees no internal event, nor what its history quotes of it (nor of an event
    // since deleted, which may have been internal).
    let entries = entries.map(|mut list| {
        if r.hide_internal {
            list.retain(|h| h.entity != "event" || ctx.store.event(h.entity_id).is_ok_and(|e| !e.internal));
        }
        list
    });
    match entries {
        Ok(list) => {
            let text = if list.is_empty() {
                "No changes recorded.".to_string()
            } else {
                list.iter()
                    .rev()
                    .take(20)
                    .map(|h| {
                        format!(
                            "{}  {:<12} {:<7} {}",
                            zone.format_long(h.at),
                            h.author,
                            h.op,
                            h.detail.lines().next().unwrap_or("")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            popup(fx, ReviewPopup::Message(format!("History of this {what}"), text));
        }
        Err(e) => flash(fx, e.to_string(), true),
    }
}

/// Shows under the field where a typed time goes: the incident's zone and span, the one rule of
/// `model::time` that saving applies too.
fn with_time(
    form: Form<ReviewForm>,
    label: &str,
    r: &ReviewState,
    ctx: &Ctx,
    anchor: Option<chrono::DateTime<chrono::Utc>>,
    quick: bool,
) -> Form<ReviewForm> {
    match ctx.store.time_context(&r.incident, ctx.now, anchor) {
        Ok(time) => form.with_time_preview(label, time, quick),
        Err(_) => form,
    }
}

fn update_timeline(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, command: Command) {
    let page = r.timeline.height.max(1) as i64;
    match command {
        Command::Import => {
            popup(
                fx,
                ReviewPopup::Form(
                    crate::tui::popups::import_preview::form(&r.incident, ctx.dirs(), ctx.import_dir, ctx.local_zone)
                        .map(ReviewForm::Import),
                ),
            );
        }
        Command::Up => r.timeline.move_by(-1),
        Command::Down => r.timeline.move_by(1),
        Command::PageUp => r.timeline.move_by(-page),
        Command::PageDown => r.timeline.move_by(page),
        Command::Top => r.timeline.select_index(0),
        Command::Bottom => r.timeline.select_index(i64::MAX),
        Command::Add => {
            let form = Form::new(
                "Add event",
                ReviewForm::QuickAdd,
                vec![Field::line("Event", "").with_hint("14:32 text · -5m text · +3m text · text (now)")],
            );
            let anchor = r.timeline.selected_event().map(|e| e.at);
            popup(fx, ReviewPopup::Form(with_time(form, "Event", r, ctx, anchor, true)));
        }
        Command::Curated => toggle_curated(r, ctx, fx),
        Command::CloseImport => {
            if let Err(e) = r.timeline.close_fold(ctx.store, r.incident.id) {
                flash(fx, e.to_string(), true);
            }
        }
        Command::Select if r.timeline.selected_fold().is_some() => {
            if let Err(e) = r.timeline.open_fold(ctx.store, r.incident.id) {
                flash(fx, e.to_string(), true);
            }
        }
        Command::Edit | Command::Select => {
            if let Some(e) = r.timeline.selected_event().cloned() {
                let form = with_time(event_form(&e, r.zone), "Time", r, ctx, Some(e.at), false);
                popup(fx, ReviewPopup::Form(form));
            }
        }
        Command::Delete => {
            if let Some(e) = r.timeline.selected_event().cloned() {
                let first = crate::tui::view::truncate(e.text.lines().next().unwrap_or(""), 40);
                popup(
                    fx,
                    ReviewPopup::Confirm(format!("Delete the event \"{first}\"?"), ReviewConfirm::DeleteEvent(e)),
                );
            }
        }
        Command::SetMilestone => milestone_menu(r, fx),
        Command::ToggleInternal => toggle_internal(r, ctx, fx),
        Command::LinkEvidence => evidence_menu(r, fx),
        Command::ToggleKey => toggle_key(r, ctx, fx),
        Command::Filter => search_form(r, fx),
        Command::SearchNext | Command::SearchPrev => search_again(r, ctx, fx, command == Command::SearchNext),
        _ => fx.push(Effect::Unavailable(command)),
    }
}

/// The curated view on or off.
fn toggle_curated(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>) {
    let on = !r.timeline.curated;
    match r.timeline.set_curated(ctx.store, r.incident.id, on) {
        Ok(()) if on => flash(
            fx,
            "Curated: key events, milestones, typed events; Enter opens an import.",
            false,
        ),
        Ok(()) => flash(fx, "The whole timeline.", false),
        Err(e) => flash(fx, e.to_string(), true),
    }
}

/// Marks the selected event internal, or shared again.
fn toggle_internal(r: &ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>) {
    if let Some(e) = r.timeline.selected_event().cloned() {
        let result = ctx.store.set_event_internal(e.id, e.version, !e.internal);
        let said = if e.internal {
            "Event shared: outsiders and observers see it again."
        } else {
            "Event internal: left out of exports for outsiders, hidden from observers."
        };
        if result.is_ok() {
            flash(fx, said, false);
        }
        report(fx, result.map(|_| ()));
    }
}

/// Marks the selected event as a key event, or unmarks it.
fn toggle_key(r: &ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>) {
    if let Some(e) = r.timeline.selected_event() {
        match ctx.store.set_key(e.id, e.version, !e.key) {
            Ok(e) => flash(
                fx,
                if e.key {
                    "Marked as a key event."
                } else {
                    "No longer a key event."
                },
                false,
            ),
            Err(err) => flash(fx, err.to_string(), true),
        }
        fx.push(Effect::Reload);
    }
}

/// The menu of milestones for the selected event.
fn milestone_menu(r: &ReviewState, fx: &mut Vec<Effect>) {
    if let Some(e) = r.timeline.selected_event().cloned() {
        let choices: Vec<Option<Milestone>> = std::iter::once(None)
            .chain(Milestone::ALL.iter().copied().map(Some))
            .collect();
        let items = choices
            .iter()
            .map(|m| m.map(|m| m.label().to_string()).unwrap_or_else(|| "(none)".into()))
            .collect();
        let selected = choices.iter().position(|m| *m == e.milestone).unwrap_or(0);
        popup(
            fx,
            ReviewPopup::Menu(Menu {
                title: "Milestone".into(),
                items,
                selected,
                purpose: ReviewMenu::Milestone(e, choices),
                checks: None,
            }),
        );
    }
}

/// The menu of causes the selected event can be evidence for.
fn evidence_menu(r: &ReviewState, fx: &mut Vec<Effect>) {
    if let Some(e) = r.timeline.selected_event().cloned() {
        let items = r.causes.iter().map(|c| c.category.label().to_string()).collect();
        let checks = r.causes.iter().map(|c| c.evidence.contains(&e.id)).collect();
        popup(
            fx,
            ReviewPopup::Menu(Menu {
                title: "Evidence for which causes?".into(),
                items,
                selected: r.cause_sel,
                purpose: ReviewMenu::Evidence(e, r.causes.clone()),
                checks: Some(checks),
            }),
        );
    }
}

/// The timeline's search and kind filter.
fn search_form(r: &ReviewState, fx: &mut Vec<Effect>) {
    let kinds = std::iter::once("all")
        .chain(EventKind::ALL.iter().map(|k| k.key()))
        .collect::<Vec<_>>();
    let current_kind = r.timeline.filter.kinds.first().map(|k| k.key()).unwrap_or("all");
    popup(
        fx,
        ReviewPopup::Form(Form::new(
            "Search the timeline",
            ReviewForm::Search,
            vec![
                Field::line("Search", r.timeline.search.as_deref().unwrap_or("")).with_hint("words; empty clears"),
                Field::choice("Kind", &kinds, current_kind).with_hint("←/→"),
            ],
        )),
    );
}

/// The next (or previous) event matching the search.
fn search_again(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, forward: bool) {
    let Some(words) = r.timeline.search.clone() else {
        flash(fx, "No search: press / first.", false);
        return;
    };
    let from = r.timeline.selected_event().map(|e| e.id);
    let found = ctx
        .store
        .next_match(r.incident.id, &r.timeline.filter, &words, from, forward);
    match found {
        Ok(Some(e)) => {
            if let Ok(Some(pos)) = ctx.store.event_position(r.incident.id, &r.timeline.filter, e.id) {
                r.timeline.select_index(pos);
            }
        }
        Ok(None) => flash(fx, format!("No more matches for \"{words}\"."), false),
        Err(e) => flash(fx, e.to_string(), true),
    }
}

fn update_causes(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, command: Command) {
    match command {
        Command::Up => select_cause(r, ctx, fx, r.cause_sel.saturating_sub(1)),
        Command::Down => select_cause(r, ctx, fx, r.cause_sel.saturating_add(1)),
        Command::Top => select_cause(r, ctx, fx, 0),
        Command::Bottom => select_cause(r, ctx, fx, usize::MAX),
        Command::CauseSuspected => set_cause_state(r, ctx, fx, CauseState::Suspected),
        Command::CauseConfirmed => set_cause_state(r, ctx, fx, CauseState::Confirmed),
        Command::CauseRuledOut => set_cause_state(r, ctx, fx, CauseState::RuledOut),
        Command::CauseUnexamined => set_cause_state(r, ctx, fx, CauseState::Unexamined),
        Command::CauseAcceptedRisk => {
            if let Some(c) = r.selected_cause().cloned() {
                popup(
                    fx,
                    ReviewPopup::Form(Form::new(
                        format!("Accept the risk: {}", c.category.label()),
                        ReviewForm::AcceptRisk(c.clone()),
                        vec![
                            Field::line("Reason", &c.reason)
                                .with_hint("why no fix or monitoring is needed (it stays a confirmed cause)"),
                        ],
                    )),
                );
            }
        }
        Command::Edit | Command::Select => {
            if let Some(c) = r.selected_cause().cloned() {
                popup(
                    fx,
                    ReviewPopup::Form(Form::new(
                        format!("Notes: {} ({})", c.category.label(), c.state.label()),
                        ReviewForm::CauseNotes(c.clone()),
                        vec![Field::multi("Notes", &c.notes).with_hint("what was examined, and what it showed")],
                    )),
                );
            }
        }
        Command::Add => popup(
            fx,
            ReviewPopup::Form(Form::new(
                "Add a custom cause",
                ReviewForm::AddCause,
                vec![Field::line("Name", "").with_hint("e.g. DNS, configuration drift, an unclear runbook")],
            )),
        ),
        Command::Delete => {
            if let Some(c) = r.selected_cause().cloned() {
                popup(
                    fx,
                    ReviewPopup::Confirm(
                        format!("Delete the cause \"{}\"?", c.category.label()),
                        ReviewConfirm::DeleteCause(c),
                    ),
                );
            }
        }
        _ => fx.push(Effect::Unavailable(command)),
    }
}

fn update_actions(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, command: Command) {
    match command {
        Command::Up | Command::Down | Command::Top | Command::Bottom => {
            let order = board::board_order(&r.board);
            if let Some(pos) = order.iter().position(|i| *i == r.action_sel) {
                let new = match command {
                    Command::Up => pos.saturating_sub(1),
                    Command::Down => (pos + 1).min(order.len() - 1),
                    Command::Top => 0,
                    _ => order.len() - 1,
                };
                r.action_sel = order[new];
            }
        }
        Command::Left | Command::Right => {
            // The nearest column in that direction that has a card: empty ones are skipped.
            if let Some(cur) = r.selected_action().map(|a| board::column_of(a.status)) {
                let order = board::board_order(&r.board);
                let first_in = |c: usize| {
                    order
                        .iter()
                        .copied()
                        .find(|&i| board::column_of(r.board[i].status) == c)
                };
                let found = if command == Command::Left {
                    (0..cur).rev().find_map(first_in)
                } else {
                    (cur + 1..board::COLUMNS.len()).find_map(first_in)
                };
                if let Some(i) = found {
                    r.action_sel = i;
                }
            }
        }
        Command::MoveLeft | Command::MoveRight => move_action(r, ctx, fx, command == Command::MoveLeft),
        Command::Add => {
            let cause = r.causes.iter().find(|c| c.state.is_confirmed()).cloned();
            let due = ctx.config.follow_through.due_days.due(r.incident.severity, ctx.today());
            let form = action_form(None, &r.causes, cause.as_ref(), &r.participants, Some(due));
            popup(fx, ReviewPopup::Form(form));
        }
        Command::Edit | Command::Select => {
            if let Some(a) = r.selected_action().cloned() {
                let cause = a.cause_id.and_then(|id| r.causes.iter().find(|c| c.id == id)).cloned();
                let form = action_form(Some(&a), &r.causes, cause.as_ref(), &r.participants, None);
                popup(fx, ReviewPopup::Form(form));
            }
        }
        Command::Delete => {
            if let Some(a) = r.selected_action().cloned() {
                popup(
                    fx,
                    ReviewPopup::Confirm(
                        format!("Delete the action \"{}\"?", a.title),
                        ReviewConfirm::DeleteAction(a),
                    ),
                );
            }
        }
        Command::OwnerFilter | Command::Filter => {
            fx.push(Effect::popup(ReviewPopup::Form(r.board_filter_form(command))))
        }
        _ => fx.push(Effect::Unavailable(command)),
    }
}

/// Moves the selected action to the board's previous (or next) column.
fn move_action(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, left: bool) {
    if let Some(a) = r.selected_action().cloned() {
        let target = if left { a.status.previous() } else { a.status.next() };
        if let Some(status) = target {
            // The card drawn after it (or before, at the end): where the selection
            // goes if the filter hides the moved card.
            let order = crate::tui::screens::review::board::board_order(&r.board);
            let at = order.iter().position(|&i| r.board[i].id == a.id).unwrap_or(0);
            let neighbour = order
                .get(at + 1)
                .or_else(|| at.checked_sub(1).and_then(|p| order.get(p)))
                .map(|&i| r.board[i].id);
            let result = ctx.store.set_action_status(a.id, a.version, status).map(|after| {
                fx.extend(crate::tui::screens::review::apply::remember(
                    crate::tui::undo::Undo::EditedAction {
                        before: a.clone(),
                        version: after.version,
                    },
                ))
            });
            let moved = result.is_ok();
            report(fx, result);
            // Read the board again now (App reloads once more when it applies the
            // effects) to see whether the filter still shows the moved card.
            if moved && r.reload(ctx.store).is_ok() && !r.board.iter().any(|b| b.id == a.id) {
                if let Some(id) = neighbour {
                    r.select_action(id);
                }
                let text = format!(
                    "\"{}\" is now {}; the board's filter hides it.",
                    a.title,
                    status.label()
                );
                flash(fx, text, false);
            }
        }
    }
}

/// Selects the cause at `index` of the list as it is now (the reload reads it afresh and keeps
/// the cause chosen), or the last one when there are fewer.
fn select_cause(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, index: usize) {
    r.cause_sel = index;
    let result = r.reload(ctx.store);
    r.cause_sel = r.cause_sel.min(r.causes.len().saturating_sub(1));
    if let Err(e) = result {
        flash(fx, e.to_string(), true);
    }
}

fn set_cause_state(r: &mut ReviewState, ctx: &Ctx, fx: &mut Vec<Effect>, state: CauseState) {
    if let Some(c) = r.selected_cause() {
        let result = ctx.store.set_cause_state(c.id, c.version, state).map(|after| {
            fx.extend(crate::tui::screens::review::apply::remember(
                crate::tui::undo::Undo::EditedCause {
                    before: c.clone(),
                    version: after.version,
                },
            ))
        });
        // A confirmed cause needs its evidence: say how to link it when it has none.
        if result.is_ok() && state == CauseState::Confirmed && c.evidence.is_empty() {
            let timeline = ctx
                .keymap
                .first_key(Context::Global, Command::FocusTimeline, "timeline");
            let link = ctx
                .keymap
                .first_key(Context::Timeline, Command::LinkEvidence, "link evidence");
            flash(
                fx,
                format!(
                    "{} confirmed — what shows it? Go to the timeline ({timeline}), select the event and press {link} to link it as evidence.",
                    c.category.label()
                ),
                false,
            );
        }
        report(fx, result);
    }
}

fn popup(fx: &mut Vec<Effect>, popup: ReviewPopup) {
    fx.push(Effect::popup(popup));
}

fn flash(fx: &mut Vec<Effect>, text: impl Into<String>, error: bool) {
    fx.push(if error {
        Effect::Error(text.into())
    } else {
        Effect::Flash(text.into())
    });
}

/// A write's outcome: its error, if any, then a reload (as `App::report` did).
fn report(fx: &mut Vec<Effect>, result: Result<(), StoreError>) {
    if let Err(e) = result {
        fx.push(Effect::Error(e.to_string()));
    }
    fx.push(Effect::Reload);
}
