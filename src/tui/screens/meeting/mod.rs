//! Meeting mode: the first review meeting's state, and what the agenda's keys do (the bar that
//! shows it is in `agenda_bar.rs`).
//! The clock lives in the meetings row (see `model::meeting`), so every session shows the same.

pub mod agenda_bar;
pub mod participants;
pub mod wrap_up;

use crate::model::meeting::clock;
use crate::model::{AgendaStep, Meeting, Participant};
use crate::store::{Store, StoreError};
use crate::tui::app::{App, Confirmed, Failure, Popup, Purpose, Screen, msg};
use crate::tui::keymap::action::Action;
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
}

impl MeetingKeys {
    pub fn from_keymap(keymap: &KeyMap) -> MeetingKeys {
        let first = |ctx: Context, action: Action| keymap.keys_for(ctx, action).into_iter().next().unwrap_or_default();
        MeetingKeys {
            next: first(Context::Agenda, Action::NextStep),
            end: first(Context::Agenda, Action::EndMeeting),
            end_here: first(Context::WrapUp, Action::EndMeeting),
            agreement: first(Context::Meeting, Action::Agreement),
            decisions: first(Context::Agenda, Action::Decisions),
            add: first(Context::Meeting, Action::Add),
            toggle: first(Context::Meeting, Action::TogglePresent),
        }
    }
}

/// Meeting mode's state inside the review.
#[derive(Debug, Clone)]
pub struct MeetingState {
    /// The meetings row as last read.
    pub meeting: Meeting,
    pub panel: Panel,
    pub participant_sel: usize,
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
            participant_sel: 0,
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

/// A meeting form's purpose (inside `Purpose::Meeting`).
#[derive(Debug, Clone)]
pub enum MeetingForm {
    AddParticipant,
    EditParticipant(Participant),
    /// The working agreement, as it was when the form opened.
    Agreement(Meeting),
    /// The decisions, as they were when the form opened.
    Decisions(Meeting),
}

/// What a meeting confirmation is for (inside `Confirmed::Meeting`).
#[derive(Debug, Clone)]
pub enum MeetingConfirm {
    End,
    RemoveParticipant(Participant),
}

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
            MeetingForm::Agreement(m) | MeetingForm::Decisions(m) => {
                if let Ok(now) = store.meeting(m.incident_id) {
                    *m = now;
                }
            }
            MeetingForm::AddParticipant => {}
        }
    }
}

/// Shows the pane or screen each agenda step works in.
pub fn bring_forward(r: &mut ReviewState) {
    let Some(m) = &mut r.meeting else {
        return;
    };
    let (panel, focus) = match m.meeting.step {
        AgendaStep::Document => (Panel::Panes, Some(Pane::Timeline)),
        AgendaStep::Agree => (Panel::Notes, None),
        AgendaStep::Delegate => (Panel::Panes, Some(Pane::Actions)),
        AgendaStep::WrapUp => (Panel::WrapUp, None),
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

impl App {
    /// The layer of keys under the current context's own: the agenda's, in meeting mode.
    pub fn layer(&self) -> Option<Context> {
        match &self.screen {
            Screen::Review(r) if self.popups.is_empty() && r.meeting.is_some() => Some(Context::Agenda),
            _ => None,
        }
    }

    pub fn in_meeting_mode(&self) -> bool {
        matches!(&self.screen, Screen::Review(r) if r.meeting.is_some())
    }

    /// Turns meeting mode on (starting the meeting's clock the first time) or off (the clock
    /// keeps running: leaving the screen does not stop the meeting).
    pub fn set_meeting_mode(&mut self, on: bool) {
        let now = self.now();
        let timeboxes = self.config.meeting.timebox_seconds();
        let keys = MeetingKeys::from_keymap(&self.keymap);
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        if !on {
            let running = r.meeting.take().is_some_and(|m| m.meeting.is_running());
            let text = if running {
                "Meeting mode off; the meeting's clock keeps running (M returns to it)."
            } else {
                "Meeting mode off."
            };
            self.set_flash(text, false);
            return;
        }
        let zone = r.zone;
        match start(&self.store, r.incident.id, now) {
            Ok((meeting, started_now)) => {
                let text = match (started_now, meeting.started_at, meeting.ended_at) {
                    (_, _, Some(end)) => format!(
                        "This meeting ended at {}; its record is shown, the clock stays stopped.",
                        hh_mm(zone, end)
                    ),
                    (true, _, _) => format!(
                        "Meeting started at {}. {} next step · {} ends the meeting.",
                        hh_mm(zone, now),
                        keys.next,
                        keys.end
                    ),
                    (false, Some(at), _) => format!("Meeting running since {}.", hh_mm(zone, at)),
                    (false, None, _) => "Meeting mode on.".to_string(),
                };
                r.meeting = Some(MeetingState::new(meeting, timeboxes, keys));
                bring_forward(r);
                self.set_flash(text, false);
            }
            Err(e) => self.set_flash(e.to_string(), true),
        }
        self.reload();
    }

    /// Applies an action that belongs to meeting mode; false when it is the review's to apply.
    pub(in crate::tui) fn update_meeting(&mut self, action: Action) -> bool {
        if action == Action::Meeting {
            let on = !self.in_meeting_mode();
            self.set_meeting_mode(on);
            return true;
        }
        let Screen::Review(r) = &mut self.screen else {
            return false;
        };
        let Some(m) = &mut r.meeting else {
            return false;
        };
        let step = m.meeting.step;
        match action {
            Action::NextStep => match step.next() {
                Some(next) => self.go_to_step(next),
                None if m.panel != Panel::WrapUp => bring_forward(r),
                None => {
                    let text = format!("Wrap-up is the last step; {} ends the meeting.", m.keys.end);
                    self.set_flash(text, false);
                }
            },
            Action::PrevStep => match step.previous() {
                Some(previous) => self.go_to_step(previous),
                None => self.set_flash("This is the first step.", false),
            },
            Action::FocusMeeting => m.panel = Panel::Notes,
            Action::Decisions => {
                let meeting = m.meeting.clone();
                self.popups.push(Popup::Form(decisions_form(&meeting)));
            }
            Action::Agreement => {
                let meeting = m.meeting.clone();
                self.popups.push(Popup::Form(agreement_form(&meeting)));
            }
            Action::EndMeeting => match m.meeting.ended_at {
                Some(end) => {
                    let text = format!("The meeting ended at {} already.", hh_mm(r.zone, end));
                    self.set_flash(text, false);
                }
                None => {
                    let total = clock(m.meeting.total_elapsed(self.clock.now()));
                    self.popups.push(Popup::Confirm(
                        format!("End the meeting now, after {total}? Its end time is recorded."),
                        Confirmed::Meeting(MeetingConfirm::End),
                    ));
                }
            },
            _ => {
                return match m.panel {
                    Panel::Panes => false,
                    Panel::Notes => self.update_notes(action),
                    Panel::WrapUp => self.update_wrap_up(action),
                };
            }
        }
        true
    }

    fn update_wrap_up(&mut self, action: Action) -> bool {
        let now = self.now();
        let Screen::Review(r) = &mut self.screen else {
            return false;
        };
        let end = r
            .meeting
            .as_ref()
            .map(|m| crate::tui::screens::meeting::wrap_up::line_count(r, m, now))
            .unwrap_or(0);
        let end = u16::try_from(end).unwrap_or(u16::MAX);
        let Some(m) = &mut r.meeting else {
            return false;
        };
        m.scroll = match action {
            Action::Up => m.scroll.saturating_sub(1),
            Action::Down => m.scroll.saturating_add(1).min(end),
            Action::PageUp => m.scroll.saturating_sub(10),
            Action::PageDown => m.scroll.saturating_add(10).min(end),
            Action::Top => 0,
            Action::Bottom => end,
            a if leaves_for_the_panes(a) => {
                m.panel = Panel::Panes;
                return false;
            }
            _ => return false,
        };
        true
    }

    fn go_to_step(&mut self, step: AgendaStep) {
        let now = self.now();
        let Screen::Review(r) = &mut self.screen else {
            return;
        };
        let Some(m) = &mut r.meeting else {
            return;
        };
        let result = move_agenda(&self.store, &m.meeting, step, now);
        match result {
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
                self.set_flash(text, true);
            }
            Err(e) => self.set_flash(e.to_string(), true),
        }
        self.reload();
    }

    /// Ends the meeting: the clock stops and the end is recorded.
    fn end_meeting(&mut self) -> Result<(), StoreError> {
        let now = self.now();
        let Screen::Review(r) = &mut self.screen else {
            return Ok(());
        };
        let zone = r.zone;
        let Some(m) = &mut r.meeting else {
            return Ok(());
        };
        let mut current = self.store.meeting(m.meeting.incident_id)?;
        if let Some(end) = current.ended_at {
            m.meeting = current;
            let text = format!("Someone else ended the meeting at {}.", hh_mm(zone, end));
            self.set_flash(text, false);
            return Ok(());
        }
        current.end(now);
        let saved = self.store.update_meeting(&current)?;
        let total = saved.total_elapsed(now);
        let planned = m.planned();
        m.meeting = saved;
        let text = format!(
            "Meeting ended at {} after {} ({} planned).",
            hh_mm(zone, now),
            clock(total),
            clock(planned)
        );
        self.set_flash(text, false);
        Ok(())
    }

    pub(in crate::tui) fn confirmed_meeting(&mut self, what: MeetingConfirm) {
        let result = match what {
            MeetingConfirm::End => self.end_meeting(),
            MeetingConfirm::RemoveParticipant(p) => self.store.delete_participant(p.id, p.version),
        };
        if let Err(e) = result {
            self.set_flash(e.to_string(), true);
        }
        self.reload();
    }

    /// Applies a submitted meeting form (see `App::apply`).
    pub(in crate::tui) fn apply_meeting(&mut self, purpose: &MeetingForm, form: &Form<Purpose>) -> Result<(), Failure> {
        match purpose {
            MeetingForm::Agreement(base) => {
                self.save_notes(base, form.value("Agreement"), "working agreement", |m| &mut m.agreement)
            }
            MeetingForm::Decisions(base) => {
                self.save_notes(base, form.value("Decisions"), "decisions", |m| &mut m.decisions)
            }
            MeetingForm::AddParticipant | MeetingForm::EditParticipant(_) => self.apply_participant(purpose, form),
        }
    }

    /// Saves one of the meeting's notes. Only a change to the same note by someone else is a
    /// conflict: the agenda moving on meanwhile is not.
    fn save_notes(
        &mut self,
        base: &Meeting,
        text: String,
        what: &str,
        field: impl Fn(&mut Meeting) -> &mut String,
    ) -> Result<(), Failure> {
        let mut current = self.store.meeting(base.incident_id).map_err(msg)?;
        let mut base = base.clone();
        if *field(&mut current) != *field(&mut base) {
            return Err(Failure::Conflict(what.to_string(), field(&mut current).clone()));
        }
        *field(&mut current) = text;
        match self.store.update_meeting(&current) {
            Ok(saved) => {
                if let Some(m) = meeting_mut(self) {
                    m.meeting = saved;
                }
                Ok(())
            }
            Err(e) if e.is_conflict() => {
                let mut theirs = self.store.meeting(base.incident_id).map_err(msg)?;
                Err(Failure::Conflict(what.to_string(), field(&mut theirs).clone()))
            }
            Err(e) => Err(msg(e)),
        }
    }
}

/// The meeting state of the review on screen, if meeting mode is on.
pub(in crate::tui) fn meeting_mut(app: &mut App) -> Option<&mut MeetingState> {
    match &mut app.screen {
        Screen::Review(r) => r.meeting.as_mut(),
        _ => None,
    }
}

fn agreement_form(m: &Meeting) -> Form<Purpose> {
    Form::new(
        "Working agreement",
        Purpose::Meeting(MeetingForm::Agreement(m.clone())),
        vec![
            Field::multi("Agreement", &m.agreement)
                .with_hint("how the team works until the review closes: who leads, when to meet, where notes live"),
        ],
    )
}

fn decisions_form(m: &Meeting) -> Form<Purpose> {
    Form::new(
        "Decisions",
        Purpose::Meeting(MeetingForm::Decisions(m.clone())),
        vec![Field::multi("Decisions", &m.decisions).with_hint("one decision a line; who decided, if it matters")],
    )
}

pub(in crate::tui) fn hh_mm(zone: ZoneMode, t: DateTime<Utc>) -> String {
    t.with_timezone(&zone.tz()).format("%H:%M").to_string()
}

/// Keys that move to a pane take the meeting's own screen away and let the review handle them.
pub(in crate::tui) fn leaves_for_the_panes(action: Action) -> bool {
    matches!(
        action,
        Action::FocusTimeline
            | Action::FocusCauses
            | Action::FocusActions
            | Action::NextPane
            | Action::PrevPane
            | Action::Zoom
    )
}
