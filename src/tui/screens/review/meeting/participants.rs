//! Attendance and the meeting's notes: who takes part (with their role), who is here today,
//! the working agreement and the decisions.

use crate::model::{Participant, Role};
use crate::tui::effect::{Ctx, Failure, msg};
use crate::tui::keymap::command::Command;
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::meeting::{
    Effect, MeetingConfirm, MeetingForm, MeetingPopup, MeetingState, Panel, leaves_for_the_panes,
};
use crate::tui::theme::Theme;
use crate::tui::view::fit;
use crate::tui::widgets::form::{Field, Form};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// The keys of the attendance and notes screen; `None` for what the review applies.
pub fn update_notes(r: &mut ReviewState, command: Command, ctx: &Ctx) -> Option<Vec<Effect>> {
    let n = r.participants.len();
    let selected = r
        .meeting
        .as_ref()
        .and_then(|m| r.participants.get(m.participant_sel.selected()))
        .cloned();
    let m = r.meeting.as_mut()?;
    let add = m.keys.add.clone();
    let no_participants = || vec![Effect::Flash(format!("No participants yet: {add} adds one."))];
    if m.participant_sel.on_command(command, n) {
        return Some(Vec::new());
    }
    let effects = match command {
        Command::TogglePresent => match selected {
            Some(mut p) => {
                p.present = !p.present;
                let mut effects = Vec::new();
                if let Err(e) = ctx.store.update_participant(&p) {
                    effects.push(Effect::Error(e.to_string()));
                }
                effects.push(Effect::Reload);
                effects
            }
            None => no_participants(),
        },
        Command::Add => vec![Effect::popup(MeetingPopup::Form(participant_form(None)))],
        Command::Edit | Command::Select => match selected {
            Some(p) => vec![Effect::popup(MeetingPopup::Form(participant_form(Some(&p))))],
            None => no_participants(),
        },
        Command::Delete => match selected {
            Some(p) => vec![Effect::popup(MeetingPopup::Confirm(
                format!("Remove {} from the participants?", p.name),
                MeetingConfirm::RemoveParticipant(p),
            ))],
            None => no_participants(),
        },
        a if leaves_for_the_panes(a) => {
            m.panel = Panel::Panes;
            return None;
        }
        _ => return None,
    };
    Some(effects)
}

/// Applies the participant form (add or edit) to the review on screen.
pub fn apply_participant<P>(
    r: &mut ReviewState,
    purpose: &MeetingForm,
    form: &Form<P>,
    ctx: &Ctx,
) -> Result<(), Failure> {
    let incident = r.incident.id;
    let name = form.value("Name");
    let role: Role = form.value("Role").parse().map_err(msg)?;
    let present = form.value("Present") == "present";
    let own_id = match purpose {
        MeetingForm::EditParticipant(p) => Some(p.id),
        _ => None,
    };
    // Names are unique per review: say so, rather than let the database refuse it.
    if let Some(twin) = r
        .participants
        .iter()
        .find(|p| Some(p.id) != own_id && p.name.trim().eq_ignore_ascii_case(name.trim()))
    {
        return Err(Failure::Message(format!(
            "{} is already a participant ({}); edit them instead.",
            twin.name,
            twin.role.label()
        )));
    }
    match purpose {
        MeetingForm::EditParticipant(original) => {
            let mut p = original.clone();
            p.name = name;
            p.role = role;
            p.present = present;
            ctx.store.update_participant(&p).map_err(|e| match e {
                crate::store::StoreError::Conflict { .. } => {
                    let theirs = ctx
                        .store
                        .participants(incident)
                        .ok()
                        .and_then(|list| list.into_iter().find(|x| x.id == p.id))
                        .map(|x| describe(&x))
                        .unwrap_or_else(|| "removed".into());
                    Failure::Conflict("participant".into(), theirs)
                }
                other => msg(other),
            })?;
        }
        _ => {
            let id = ctx.store.add_participant(incident, &name, role).map_err(msg)?;
            let stored = ctx
                .store
                .participants(incident)
                .map_err(msg)?
                .into_iter()
                .find(|p| p.id == id);
            if let Some(mut p) = stored.filter(|p| p.present != present) {
                p.present = present;
                ctx.store.update_participant(&p).map_err(msg)?;
            }
            r.participants = ctx.store.participants(incident).map_err(msg)?;
            let pos = r.participants.iter().position(|p| p.id == id).unwrap_or(0);
            if let Some(m) = &mut r.meeting {
                m.participant_sel.select(pos, r.participants.len());
            }
        }
    }
    Ok(())
}

fn describe(p: &Participant) -> String {
    format!(
        "{} ({}, {})",
        p.name,
        p.role.label(),
        if p.present { "present" } else { "absent" }
    )
}

fn participant_form(p: Option<&Participant>) -> Form<MeetingForm> {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
    let (title, purpose) = match p {
        Some(p) => ("Edit participant", MeetingForm::EditParticipant(p.clone())),
        None => ("Add participant", MeetingForm::AddParticipant),
    };
    Form::new(
        title,
        purpose,
        vec![
            Field::line("Name", p.map(|p| p.name.as_str()).unwrap_or("")).with_hint("as people call them"),
            Field::choice("Role", &roles, p.map(|p| p.role.key()).unwrap_or("developer"))
                .with_hint("←/→ or the first letter"),
            Field::choice(
                "Present",
                &["present", "absent"],
                if p.is_none_or(|p| p.present) {
                    "present"
                } else {
                    "absent"
                },
            ),
        ],
    )
}

/// The participants' names, for the action form's owner field.
pub fn owner_suggestions(participants: &[Participant]) -> Vec<String> {
    let mut names: Vec<&Participant> = participants.iter().collect();
    // People in the room first: they can take the task on the spot.
    names.sort_by_key(|p| !p.present);
    names.into_iter().map(|p| p.name.clone()).collect()
}

/// The owner field's hint: the participants, or how to add some.
pub fn owner_hint(participants: &[Participant]) -> String {
    if participants.is_empty() {
        return "a name; add participants in meeting mode (M, then 4) to pick them here".into();
    }
    let names = owner_suggestions(participants).join(" · ");
    format!("→ picks a participant: {names}")
}

/// Attendance on the left; the working agreement and the decisions on the right.
pub struct NotesView<'a> {
    pub review: &'a ReviewState,
    pub meeting: &'a MeetingState,
    pub theme: &'a Theme,
}

impl Widget for NotesView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let [people, notes] = Layout::horizontal([Constraint::Percentage(44), Constraint::Percentage(56)]).areas(area);
        let [agreement, decisions] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(notes);
        self.render_attendance(people, buf);
        let keys = &self.meeting.keys;
        let m = &self.meeting.meeting;
        self.render_note(
            agreement,
            buf,
            &format!("Working agreement · {} edits", keys.agreement),
            &m.agreement,
            &format!(
                "Nothing agreed yet. {} writes how the team works until the review closes: \
                 who leads, when to meet, where the notes live.",
                keys.agreement
            ),
        );
        self.render_note(
            decisions,
            buf,
            &format!("Decisions · {} edits", keys.decisions),
            &crate::model::narrative::format_decisions(&self.review.narrative.decisions),
            &format!("No decisions yet. {} notes one, at any step.", keys.decisions),
        );
    }
}

impl NotesView<'_> {
    fn render_attendance(&self, area: Rect, buf: &mut Buffer) {
        let theme = self.theme;
        let (present, all) = self.review.attendance();
        let block = theme.pane_block(format!(" Attendance · {present} of {all} present "), true);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.is_empty() {
            return;
        }
        let list = &self.review.participants;
        if list.is_empty() {
            let text = format!(
                "No participants yet. {} adds one: name and role (developer, operator, IT architect, external provider…).",
                self.meeting.keys.add
            );
            crate::tui::view::render_wrapped(
                Paragraph::new(text).style(theme.muted).wrap(Wrap { trim: true }),
                inner,
                buf,
            );
            return;
        }
        let sel = self.meeting.participant_sel.selected().min(list.len() - 1);
        let height = usize::from(inner.height);
        let offset = self.meeting.participant_sel.offset(height, list.len());
        let width = usize::from(inner.width);
        let role_w = 17.min(width / 3);
        let name_w = width.saturating_sub(2 + 4 + 1 + role_w);
        for (row, (i, p)) in list.iter().enumerate().skip(offset).take(height).enumerate() {
            let selected = i == sel;
            let base = if selected { theme.selection } else { theme.base };
            let name_style = if p.present || selected { base } else { theme.muted };
            let line = Line::from(vec![
                Span::styled(theme.marker_for(selected), base),
                Span::styled(if p.present { "[x] " } else { "[ ] " }, base),
                Span::styled(fit(&p.name, name_w), name_style),
                Span::styled(" ", base),
                Span::styled(fit(p.role.label(), role_w), if selected { base } else { theme.muted }),
            ]);
            line.render(
                Rect {
                    y: inner.y + row as u16,
                    height: 1,
                    ..inner
                },
                buf,
            );
        }
    }

    fn render_note(&self, area: Rect, buf: &mut Buffer, title: &str, text: &str, empty: &str) {
        let theme = self.theme;
        let block = theme.pane_block(format!(" {title} "), false);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.is_empty() {
            return;
        }
        let paragraph = if text.trim().is_empty() {
            Paragraph::new(empty.to_string()).style(theme.muted)
        } else {
            let lines: Vec<Line> = text
                .lines()
                .map(|l| Line::from(Span::styled(l.to_string(), theme.base)))
                .collect();
            Paragraph::new(lines)
        };
        crate::tui::view::render_wrapped(paragraph.wrap(Wrap { trim: false }), inner, buf);
    }
}
