//! Meeting mode: the first review meeting's state, and what the agenda's keys do (the bar that
//! shows it is in `agenda_bar.rs`).
//! The clock lives in the meetings row (see `model::meeting`), so every session shows the same.

pub mod agenda_bar;
pub mod participants;
pub mod wrap_up;

use crate::model::meeting::clock;
use crate::model::{AgendaStep, Meeting, Participant};
use crate::store::{Store, StoreError};
use crate::tui::effect::{Ctx, Failure, Show, msg};
use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::screens::review::{Pane, ReviewState};
use crate::tui::view::ZoneMode;
use crate::tui::widgets::form::{Field, Form};
use chrono::{DateTime, Utc};

/// What the body of the review shows in meeting mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Panel {
    /// The timeline, causes and actions, as outside a meeting.
    Panes,
    /// Attendance, the working agreement and the decisions.
    Notes,
    /// What is still open, and the meeting's record.
    WrapUp,
}

/// The keys the meeting screens mention in their own text, read from the key map once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeetingKeys {
    pub next: String,
    pub end: String,
    pub end_here: String,
    pub agreement: String,
    pub decisions: String,
    pub add: String,
    pub toggle: String,
    pub narrative: String,
    /// Meeting mode on and off (and, once the last meeting has ended, the offer of the next).
    pub mode: String,
}

impl MeetingKeys {
    pub fn from_keymap(keymap: &KeyMap) -> MeetingKeys {
        let first =
            |ctx: Context, command: Command| keymap.keys_for(ctx, command).into_iter().next().unwrap_or_default();
        MeetingKeys {
            next: first(Context::Agenda, Command::NextStep),
            end: first(Context::Agenda, Command::EndMeeting),
            end_here: first(Context::WrapUp, Command::EndMeeting),
            agreement: first(Context::Meeting, Command::Agreement),
            decisions: first(Context::Agenda, Command::Decisions),
            add: first(Context::Meeting, Command::Add),
            toggle: first(Context::Meeting, Command::TogglePresent),
            narrative: first(Context::Global, Command::Narrative),
            mode: first(Context::Global, Command::Meeting),
        }
    }
}

/// Meeting mode's state inside the review.
#[derive(Debug, Clone)]
pub struct MeetingState {
    /// The meetings row as last read.
    pub meeting: Meeting,
    pub panel: Panel,
    pub participant_sel: crate::tui::widgets::list_cursor::ListCursor,
    /// How far the wrap-up screen is scrolled.
    pub scroll: u16,
    /// Seconds planned per step, in agenda order.
    pub timeboxes: [i64; 4],
    pub keys: MeetingKeys,
}

impl MeetingState {
    pub fn new(meeting: Meeting, timeboxes: [i64; 4], keys: MeetingKeys) -> MeetingState {
        MeetingState {
            meeting,
            panel: Panel::Panes,
            participant_sel: Default::default(),
            scroll: 0,
            timeboxes,
            keys,
        }
    }

    /// Re-reads the row; true when another session moved the agenda to another step.
    pub fn reload(&mut self, store: &Store) -> crate::store::Result<bool> {
        let fresh = store.meeting(self.meeting.incident_id)?;
        let moved = fresh.step != self.meeting.step;
        self.meeting = fresh;
        Ok(moved)
    }

    pub fn timebox(&self, step: AgendaStep) -> i64 {
        self.timeboxes[step.index()]
    }

    pub fn planned(&self) -> i64 {
        self.timeboxes.iter().sum()
    }
}

/// What a meeting form is for.
#[derive(Debug, Clone)]
pub enum MeetingForm {
    AddParticipant,
    EditParticipant(Participant),
    /// The working agreement, as it was when the form opened.
    Agreement(Meeting),
    /// The incident's decisions (its narrative, as it was when the form opened) and the number
    /// of the meeting on screen, which the decisions added in the form are taken in.
    Decisions(i64, crate::model::narrative::Narrative, i64),
}

/// What a meeting's question confirms.
#[derive(Debug, Clone)]
pub enum MeetingConfirm {
    End,
    /// Start the follow-up after meeting N, which has ended.
    FollowUp(i64),
    RemoveParticipant(Participant),
}

/// A popup meeting mode opens.
pub type MeetingPopup = Show<MeetingForm, std::convert::Infallible, MeetingConfirm>;
/// What meeting mode asks `App` to do.
pub type Effect = crate::tui::effect::Effect<MeetingPopup>;

impl MeetingForm {
    /// After a conflict the user chose to save theirs over: the next save starts from what is stored.
    pub fn rebase(&mut self, store: &Store) {
        match self {
            MeetingForm::EditParticipant(p) => {
                if let Some(now) = store
                    .participants(p.incident_id)
                    .ok()
                    .and_then(|list| list.into_iter().find(|x| x.id == p.id))
                {
                    p.version = now.version;
                }
            }
            MeetingForm::Agreement(m) => {
                if let Ok(now) = store.meeting(m.incident_id) {
                    *m = now;
                }
            }
            // Theirs for everything but the decisions, which the form holds.
            MeetingForm::Decisions(id, n, _) => {
                if let Ok(now) = store.narrative(*id) {
                    *n = now;
                }
            }
            MeetingForm::AddParticipant => {}
        }
    }
}

/// The pane an agenda step works in (and gives the room to), if it works in one.
pub fn step_pane(step: AgendaStep) -> Option<Pane> {
    match step {
        AgendaStep::Document => Some(Pane::Timeline),
        AgendaStep::Delegate => Some(Pane::Actions),
        AgendaStep::Agree | AgendaStep::WrapUp => None,
    }
}

/// Shows the pane or screen each agenda step works in.
pub fn bring_forward(r: &mut ReviewState) {
    let Some(m) = &mut r.meeting else {
        return;
    };
    let focus = step_pane(m.meeting.step);
    let panel = match m.meeting.step {
        AgendaStep::Agree => Panel::Notes,
        AgendaStep::WrapUp => Panel::WrapUp,
        AgendaStep::Document | AgendaStep::Delegate => Panel::Panes,
    };
    m.panel = panel;
    m.scroll = 0;
    if let Some(focus) = focus {
        r.focus = focus;
    }
}

impl ReviewState {
    /// The key-map context of the meeting screen shown instead of the panes, if one is.
    pub fn meeting_context(&self) -> Option<Context> {
        match self.meeting.as_ref()?.panel {
            Panel::Panes => None,
            Panel::Notes => Some(Context::Meeting),
            Panel::WrapUp => Some(Context::WrapUp),
        }
    }

    /// (present, all) participants.
    pub fn attendance(&self) -> (usize, usize) {
        let present = self.participants.iter().filter(|p| p.present).count();
        (present, self.participants.len())
    }
}

/// How the agenda moved when asked to.
enum Moved {
    /// As asked; the row as saved.
    Done(Meeting),
    /// Someone else changed the meeting meanwhile; nothing was saved, here is theirs.
    Elsewhere(Meeting),
}

/// Moves the agenda from the step `mine` shows to `step`, unless another session moved it first.
fn move_agenda(store: &Store, mine: &Meeting, step: AgendaStep, now: DateTime<Utc>) -> crate::store::Result<Moved> {
    let current = store.meeting(mine.incident_id)?;
    let same_clock = current.step == mine.step
        && current.started_at == mine.started_at
        && current.ended_at == mine.ended_at
        && current.step_started_at == mine.step_started_at
        && current.step_seconds == mine.step_seconds;
    if !same_clock {
        return Ok(Moved::Elsewhere(current));
    }
    let mut next = current;
    next.go_to(step, now);
    match store.update_meeting(&next) {
        Ok(saved) => Ok(Moved::Done(saved)),
        Err(e) if e.is_conflict() => Ok(Moved::Elsewhere(store.meeting(mine.incident_id)?)),
        Err(e) => Err(e),
    }
}

/// The meeting row, started at `now` unless it had started already; true if it started now.
fn start(store: &Store, incident: i64, now: DateTime<Utc>) -> crate::store::Result<(Meeting, bool)> {
    for _ in 0..3 {
        let mut m = store.meeting(incident)?;
        if m.has_started() {
            return Ok((m, false));
        }
        m.start(now);
        match store.update_meeting(&m) {
            Ok(saved) => return Ok((saved, true)),
            Err(e) if e.is_conflict() => continue,
            Err(e) => return Err(e),
        }
    }
    Ok((store.meeting(incident)?, false))
}

/// Turns meeting mode on (starting the meeting's clock the first time) or off (the clock
/// keeps running: leaving the screen does not stop the meeting). When the last meeting has
/// ended, its record is shown and a question offers the follow-up.
pub fn set_mode(r: &mut ReviewState, on: bool, ctx: &Ctx) -> Vec<Effect> {
    let now = ctx.now;
    let timeboxes = ctx.config.meeting.timebox_seconds();
    let keys = MeetingKeys::from_keymap(ctx.keymap);
    if !on {
        let running = r.meeting.take().is_some_and(|m| m.meeting.is_running());
        let text = if running {
            "Meeting mode off; the meeting's clock keeps running (M returns to it)."
        } else {
            "Meeting mode off."
        };
        return vec![Effect::Flash(text.into())];
    }
    let zone = r.zone;
    let mut effects = Vec::new();
    match start(ctx.store, r.incident.id, now) {
        Ok((meeting, started_now)) => {
            // The first meeting is "the meeting" as before follow-ups existed; a follow-up says its number.
            let title = if meeting.number > 1 {
                meeting.title()
            } else {
                "Meeting".to_string()
            };
            let text = match (started_now, meeting.started_at, meeting.ended_at) {
                (_, _, Some(end)) => {
                    effects.push(Effect::popup(MeetingPopup::Confirm(
                        format!(
                            "Start follow-up meeting {}? {} ended {}.",
                            meeting.number + 1,
                            meeting.title(),
                            day_and_time(zone, end, now)
                        ),
                        MeetingConfirm::FollowUp(meeting.number),
                    )));
                    format!(
                        "{} ended at {}; its record is shown, the clock stays stopped.",
                        meeting.title(),
                        hh_mm(zone, end)
                    )
                }
                (true, _, _) => format!(
                    "{title} started at {}. {} next step · {} ends the meeting.",
                    hh_mm(zone, now),
                    keys.next,
                    keys.end
                ),
                (false, Some(at), _) => format!("{title} running since {}.", hh_mm(zone, at)),
                (false, None, _) => "Meeting mode on.".to_string(),
            };
            r.meeting = Some(MeetingState::new(meeting, timeboxes, keys));
            bring_forward(r);
            effects.insert(0, Effect::Flash(text));
        }
        Err(e) => effects.push(Effect::Error(e.to_string())),
    }
    effects.push(Effect::Reload);
    effects
}

/// `10:54` on the day of `now`, else `Wed 25 Nov 10:54`.
fn day_and_time(zone: ZoneMode, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let tz = zone.tz();
    let (local, today) = (t.with_timezone(&tz), now.with_timezone(&tz));
    if local.date_naive() == today.date_naive() {
        format!("at {}", local.format("%H:%M"))
    } else {
        format!("on {}", local.format("%a %-d %b %H:%M"))
    }
}

/// Starts follow-up meeting `after + 1` (or joins it, when another session started it first)
/// and shows it.
fn start_follow_up(r: &mut ReviewState, after: i64, ctx: &Ctx) -> Result<Vec<Effect>, StoreError> {
    let meeting = ctx.store.start_follow_up(r.incident.id, after, ctx.now)?;
    // The store keeps milliseconds; a real clock has more.
    let ours = meeting.started_at.map(|t| t.timestamp_millis()) == Some(ctx.now.timestamp_millis());
    let text = if meeting.number == after + 1 && ours {
        format!(
            "{} started at {}; attendance is taken afresh. {} ends it.",
            meeting.title(),
            hh_mm(r.zone, ctx.now),
            MeetingKeys::from_keymap(ctx.keymap).end
        )
    } else {
        format!("{} was started in another session; it is shown.", meeting.title())
    };
    match &mut r.meeting {
        Some(m) => m.meeting = meeting,
        None => {
            let timeboxes = ctx.config.meeting.timebox_seconds();
            r.meeting = Some(MeetingState::new(
                meeting,
                timeboxes,
                MeetingKeys::from_keymap(ctx.keymap),
            ));
        }
    }
    bring_forward(r);
    Ok(vec![Effect::Flash(text)])
}

/// Applies an action that belongs to meeting mode; `None` when it is the review's to apply.
pub fn update(r: &mut ReviewState, command: Command, ctx: &Ctx) -> Option<Vec<Effect>> {
    if command == Command::Meeting {
        let on = r.meeting.is_none();
        return Some(set_mode(r, on, ctx));
    }
    if let (Command::Decisions, Some(m)) = (command, &r.meeting) {
        let form = decisions_form(r.incident.id, &r.narrative, m.meeting.number);
        return Some(vec![Effect::popup(MeetingPopup::Form(form))]);
    }
    let m = r.meeting.as_mut()?;
    let step = m.meeting.step;
    let effects = match command {
        Command::NextStep => match step.next() {
            Some(next) => go_to_step(r, next, ctx),
            None if m.panel != Panel::WrapUp => {
                bring_forward(r);
                Vec::new()
            }
            None => vec![Effect::Flash(format!(
                "Wrap-up is the last step; {} ends the meeting.",
                m.keys.end
            ))],
        },
        Command::PrevStep => match step.previous() {
            Some(previous) => go_to_step(r, previous, ctx),
            None => vec![Effect::Flash("This is the first step.".into())],
        },
        Command::FocusMeeting => {
            m.panel = Panel::Notes;
            Vec::new()
        }
        Command::Agreement => vec![Effect::popup(MeetingPopup::Form(agreement_form(&m.meeting)))],
        Command::EndMeeting => match m.meeting.ended_at {
            Some(end) => vec![Effect::Flash(format!(
                "{} ended at {} already.",
                if m.meeting.number > 1 {
                    m.meeting.title()
                } else {
                    "The meeting".to_string()
                },
                hh_mm(r.zone, end)
            ))],
            None => {
                let total = clock(m.meeting.total_elapsed(ctx.now));
                let what = if m.meeting.number > 1 {
                    m.meeting.title().to_lowercase()
                } else {
                    "the meeting".to_string()
                };
                vec![Effect::popup(MeetingPopup::Confirm(
                    format!("End {what} now, after {total}? Its end time and who is present are recorded."),
                    MeetingConfirm::End,
                ))]
            }
        },
        _ => {
            return match m.panel {
                Panel::Panes => None,
                Panel::Notes => participants::update_notes(r, command, ctx),
                Panel::WrapUp => update_wrap_up(r, command, ctx),
            };
        }
    };
    Some(effects)
}

fn update_wrap_up(r: &mut ReviewState, command: Command, ctx: &Ctx) -> Option<Vec<Effect>> {
    let end = r
        .meeting
        .as_ref()
        .map(|m| wrap_up::line_count(r, m, ctx.now))
        .unwrap_or(0);
    let end = u16::try_from(end).unwrap_or(u16::MAX);
    let m = r.meeting.as_mut()?;
    m.scroll = match command {
        Command::Up => m.scroll.saturating_sub(1),
        Command::Down => m.scroll.saturating_add(1).min(end),
        Command::PageUp => m.scroll.saturating_sub(10),
        Command::PageDown => m.scroll.saturating_add(10).min(end),
        Command::Top => 0,
        Command::Bottom => end,
        a if leaves_for_the_panes(a) => {
            m.panel = Panel::Panes;
            return None;
        }
        _ => return None,
    };
    Some(Vec::new())
}

fn go_to_step(r: &mut ReviewState, step: AgendaStep, ctx: &Ctx) -> Vec<Effect> {
    let Some(m) = &mut r.meeting else {
        return Vec::new();
    };
    let mut effects = Vec::new();
    match move_agenda(ctx.store, &m.meeting, step, ctx.now) {
        Ok(Moved::Done(saved)) => {
            m.meeting = saved;
            bring_forward(r);
        }
        Ok(Moved::Elsewhere(theirs)) => {
            let text = format!(
                "The meeting changed in another session meanwhile; it is at step {} ({}). Nothing moved here.",
                theirs.step.number(),
                theirs.step.label()
            );
            m.meeting = theirs;
            bring_forward(r);
            effects.push(Effect::Error(text));
        }
        Err(e) => effects.push(Effect::Error(e.to_string())),
    }
    effects.push(Effect::Reload);
    effects
}

/// Ends the meeting: the clock stops and the end is recorded.
fn end_meeting(r: &mut ReviewState, ctx: &Ctx) -> Result<Vec<Effect>, StoreError> {
    let now = ctx.now;
    let zone = r.zone;
    let Some(m) = &mut r.meeting else {
        return Ok(Vec::new());
    };
    let mut current = ctx.store.meeting(m.meeting.incident_id)?;
    if let Some(end) = current.ended_at {
        m.meeting = current;
        let text = format!("Someone else ended the meeting at {}.", hh_mm(zone, end));
        return Ok(vec![Effect::Flash(text)]);
    }
    current.end(now);
    // Who is marked present is the meeting's attendance, kept with it.
    current.attended = Some(
        ctx.store
            .participants(current.incident_id)?
            .into_iter()
            .filter(|p| p.present)
            .map(|p| p.name)
            .collect(),
    );
    let saved = ctx.store.update_meeting(&current)?;
    let total = saved.total_elapsed(now);
    let planned = m.planned();
    m.meeting = saved;
    let text = format!(
        "{} ended at {} after {} ({} planned). {} leaves; {} again offers follow-up meeting {}.",
        if m.meeting.number > 1 {
            m.meeting.title()
        } else {
            "Meeting".to_string()
        },
        hh_mm(zone, now),
        clock(total),
        clock(planned),
        m.keys.mode,
        m.keys.mode,
        m.meeting.number + 1
    );
    Ok(vec![Effect::Flash(text)])
}

/// A meeting question answered yes; `review` is the review on screen, if one is.
pub fn confirmed(review: Option<&mut ReviewState>, what: MeetingConfirm, ctx: &Ctx) -> Vec<Effect> {
    let result = match what {
        MeetingConfirm::End => match review {
            Some(r) => end_meeting(r, ctx),
            None => Ok(Vec::new()),
        },
        MeetingConfirm::FollowUp(after) => match review {
            Some(r) => start_follow_up(r, after, ctx),
            None => Ok(Vec::new()),
        },
        MeetingConfirm::RemoveParticipant(p) => ctx.store.delete_participant(p.id, p.version).map(|()| Vec::new()),
    };
    let mut effects = result.unwrap_or_else(|e| vec![Effect::Error(e.to_string())]);
    effects.push(Effect::Reload);
    effects
}

/// Applies a submitted meeting form (see `App::apply`); `review` is the review on screen, if one is.
pub fn apply<P>(
    review: Option<&mut ReviewState>,
    purpose: &MeetingForm,
    form: &Form<P>,
    ctx: &Ctx,
) -> Result<Vec<Effect>, Failure> {
    let done = |()| Vec::new();
    match purpose {
        MeetingForm::Agreement(base) => save_notes(
            review.and_then(|r| r.meeting.as_mut()),
            ctx,
            base,
            form.value("Agreement"),
            "working agreement",
            |m| &mut m.agreement,
        )
        .map(done),
        MeetingForm::Decisions(id, base, number) => {
            save_decisions(review, ctx, (*id, *number), base, &form.value("Decisions"))
        }
        MeetingForm::AddParticipant | MeetingForm::EditParticipant(_) => match review {
            Some(r) => participants::apply_participant(r, purpose, form, ctx).map(done),
            None => Ok(Vec::new()),
        },
    }
}

/// Saves one of the meeting's notes. Only a change to the same note by someone else is a
/// conflict: the agenda moving on meanwhile is not.
fn save_notes(
    shown: Option<&mut MeetingState>,
    ctx: &Ctx,
    base: &Meeting,
    text: String,
    what: &str,
    field: impl Fn(&mut Meeting) -> &mut String,
) -> Result<(), Failure> {
    let mut current = ctx.store.meeting(base.incident_id).map_err(msg)?;
    if current.id != base.id {
        return Err(Failure::Message(format!(
            "{} was started in another session meanwhile; nothing was saved (its own {what} is empty).",
            current.title()
        )));
    }
    let mut base = base.clone();
    if *field(&mut current) != *field(&mut base) {
        return Err(Failure::Conflict(what.to_string(), field(&mut current).clone()));
    }
    *field(&mut current) = text;
    match ctx.store.update_meeting(&current) {
        Ok(saved) => {
            if let Some(m) = shown {
                m.meeting = saved;
            }
            Ok(())
        }
        Err(e) if e.is_conflict() => {
            let mut theirs = ctx.store.meeting(base.incident_id).map_err(msg)?;
            Err(Failure::Conflict(what.to_string(), field(&mut theirs).clone()))
        }
        Err(e) => Err(msg(e)),
    }
}

fn agreement_form(m: &Meeting) -> Form<MeetingForm> {
    Form::new(
        "Working agreement",
        MeetingForm::Agreement(m.clone()),
        vec![
            Field::multi("Agreement", &m.agreement)
                .with_hint("how the team works until the review closes: who leads, when to meet, where notes live"),
        ],
    )
}

fn decisions_form(incident_id: i64, n: &crate::model::narrative::Narrative, number: i64) -> Form<MeetingForm> {
    use crate::model::narrative::{INTERNAL_MARK, format_decisions, meeting_mark};
    Form::new(
        "Decisions",
        MeetingForm::Decisions(incident_id, n.clone(), number),
        vec![
            Field::multi("Decisions", &format_decisions(&n.decisions)).with_hint(format!(
                "one a line: decision | who decided | when; a line added here is taken in {} \
                 (marked {}); start with {INTERNAL_MARK} to keep it from outsiders",
                crate::model::meeting::title(number).to_lowercase(),
                meeting_mark(number)
            )),
        ],
    )
}

/// Saves the decisions typed in meeting `number` into the incident's narrative, over the
/// version the form was opened on. A line that was not there when the form opened (and names no
/// meeting) is a decision of this meeting.
fn save_decisions(
    review: Option<&mut ReviewState>,
    ctx: &Ctx,
    (id, number): (i64, i64),
    base: &crate::model::narrative::Narrative,
    typed: &str,
) -> Result<Vec<Effect>, Failure> {
    let mut n = base.clone();
    n.decisions = crate::model::narrative::parse_decisions(typed).map_err(msg)?;
    for d in &mut n.decisions {
        let known = base.decisions.iter().any(|b| b.meeting.is_none() && b.text == d.text);
        if d.meeting.is_none() && !known {
            d.meeting = Some(number);
        }
    }
    let saved = ctx.store.set_narrative(id, &n).map_err(|err| {
        crate::tui::effect::failure(ctx.store, err, "decisions", |s, id| {
            s.narrative(id)
                .map(|n| crate::model::narrative::format_decisions(&n.decisions))
        })
    })?;
    let version = saved.version;
    if let Some(r) = review.filter(|r| r.incident.id == id) {
        r.narrative = saved;
    }
    // Saved whole with the narrative, so Ctrl-Z takes it back as the narrative form's edit.
    Ok(vec![Effect::Remember(Box::new(
        crate::tui::undo::Undo::EditedNarrative {
            incident: id,
            before: base.clone(),
            version,
        },
    ))])
}

pub(in crate::tui) fn hh_mm(zone: ZoneMode, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone.tz()).format("%H:%M").to_string()
}

/// Keys that move to a pane take the meeting's own screen away and let the review handle them.
pub(in crate::tui) fn leaves_for_the_panes(command: Command) -> bool {
    matches!(
        command,
        Command::FocusTimeline
            | Command::FocusCauses
            | Command::FocusActions
            | Command::NextPane
            | Command::PrevPane
            | Command::Zoom
    )
}
