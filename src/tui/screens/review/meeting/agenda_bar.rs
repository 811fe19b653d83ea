//! The agenda bar of meeting mode: the four steps with the current one marked, and the clock
//! of the step and of the meeting against their time boxes. Also draws the screen of the step
//! when it replaces the panes.

use crate::model::AgendaStep;
use crate::model::meeting::{Budget, clock};
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::meeting::{MeetingState, Panel, hh_mm};
use crate::tui::theme::Theme;
use crate::tui::view::ZoneMode;
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

/// The agenda bar: the steps, the current one marked, and the clock against the time boxes.
pub struct AgendaBar<'a> {
    pub state: &'a MeetingState,
    pub attendance: (usize, usize),
    pub zone: ZoneMode,
    pub now: DateTime<Utc>,
    pub theme: &'a Theme,
}

impl AgendaBar<'_> {
    /// The steps line in the first form that fits: full labels with times, without, the
    /// current step in full and the others in a word, or every step in a word.
    fn steps_line(&self, width: usize) -> Line<'static> {
        let variants: [(bool, bool); 5] = [
            (true, true),
            (true, false),
            (false, true),
            (false, false),
            (false, false),
        ];
        let mut last = Line::default();
        for (i, (long, times)) in variants.into_iter().enumerate() {
            let current_long = i < 4;
            last = self.steps_variant(long, current_long, times);
            if last.width() <= width {
                return last;
            }
        }
        last
    }

    fn steps_variant(&self, long: bool, current_long: bool, times: bool) -> Line<'static> {
        let m = &self.state.meeting;
        let theme = self.theme;
        let mut spans = vec![Span::raw(" ")];
        for (i, step) in AgendaStep::ALL.iter().enumerate() {
            let current = *step == m.step;
            if i > 0 {
                spans.push(Span::styled(" › ", theme.muted));
            }
            let label = if long || (current && current_long) {
                step.label()
            } else {
                step.short()
            };
            let elapsed = m.step_elapsed(*step, self.now);
            let time = if times && (current || elapsed > 0) {
                format!(" {}", clock(elapsed))
            } else {
                String::new()
            };
            if current {
                spans.push(Span::styled(
                    format!("{}{} {label}{time}", theme.marker, step.number()),
                    theme.selection,
                ));
            } else {
                let style = if step.index() < m.step.index() {
                    theme.muted
                } else {
                    theme.base
                };
                spans.push(Span::styled(format!("{} {label}{time}", step.number()), style));
            }
        }
        Line::from(spans)
    }

    /// The clock line: the current step against its box, the meeting against its plan, the
    /// start and the attendance, as many as fit, in that order.
    fn clock_line(&self, width: usize) -> Line<'static> {
        let m = &self.state.meeting;
        let s = self.state;
        let theme = self.theme;
        let (present, all) = self.attendance;
        let mut pieces: Vec<Vec<Span<'static>>> = Vec::new();
        let total = m.total_elapsed(self.now);
        let planned = s.planned();
        match (m.started_at, m.ended_at) {
            (Some(start), Some(end)) => {
                let what = if m.number > 1 { m.title() } else { "Meeting".to_string() };
                pieces.push(vec![Span::styled(
                    format!(" {what} ended at {}", hh_mm(self.zone, end)),
                    theme.title,
                )]);
                // Time left means nothing once the meeting is over; running over still does.
                let mut held = vec![Span::styled(
                    format!(
                        "held {}–{} · {} of {} planned",
                        hh_mm(self.zone, start),
                        hh_mm(self.zone, end),
                        clock(total),
                        clock(planned)
                    ),
                    theme.base,
                )];
                let budget = Budget::of(total, planned);
                if budget.is_over() {
                    held.push(Span::styled(format!(" {budget}"), theme.warning));
                }
                pieces.push(held);
            }
            (Some(start), None) => {
                let elapsed = m.step_elapsed(m.step, self.now);
                let timebox = s.timebox(m.step);
                let mut first = Vec::new();
                if m.number > 1 {
                    first.push(Span::styled(format!(" {} ·", m.title()), theme.title));
                }
                first.push(Span::styled(format!(" {} ", m.step.label()), theme.title));
                first.extend(budget_spans(
                    format!("{} / {}", clock(elapsed), clock(timebox)),
                    Budget::of(elapsed, timebox),
                    theme,
                ));
                pieces.push(first);
                let meeting_budget = Budget::of(total, planned);
                let total_style = if meeting_budget.is_over() {
                    theme.warning
                } else {
                    theme.base
                };
                pieces.push(vec![Span::styled(
                    format!("meeting {} / {}", clock(total), clock(planned)),
                    total_style,
                )]);
                pieces.push(vec![Span::styled(
                    format!("started {}", hh_mm(self.zone, start)),
                    theme.muted,
                )]);
            }
            (None, _) => pieces.push(vec![Span::styled(" The meeting has not started.", theme.muted)]),
        }
        pieces.push(vec![Span::styled(format!("{present} of {all} present"), theme.base)]);
        let mut spans: Vec<Span<'static>> = Vec::new();
        let mut used = 0;
        for (i, piece) in pieces.into_iter().enumerate() {
            let sep = if i == 0 { 0 } else { 3 };
            let w: usize = piece.iter().map(|s| s.content.width()).sum();
            if i > 0 && used + sep + w > width {
                break;
            }
            if i > 0 {
                spans.push(Span::styled(" · ", theme.muted));
            }
            used += sep + w;
            spans.extend(piece);
        }
        Line::from(spans)
    }
}

/// `12:40 / 10:00  OVER by 2:40` (the overrun in the warning style), or `4:10 / 10:00 · 5:50 left`.
fn budget_spans(text: String, budget: Budget, theme: &Theme) -> Vec<Span<'static>> {
    let style = if budget.is_over() { theme.warning } else { theme.muted };
    let sep = if budget.is_over() { " " } else { " · " };
    vec![
        Span::styled(text, theme.base),
        Span::styled(sep.to_string(), theme.muted),
        Span::styled(budget.to_string(), style),
    ]
}

impl Widget for AgendaBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let width = usize::from(area.width);
        buf.set_style(area, self.theme.base);
        self.steps_line(width).render(Rect { height: 1, ..area }, buf);
        if area.height >= 2 {
            self.clock_line(width).render(
                Rect {
                    y: area.y + 1,
                    height: 1,
                    ..area
                },
                buf,
            );
        }
    }
}

/// Draws meeting mode's part of the review: the agenda bar, and the screen of the step when it
/// replaces the panes.
pub fn render(r: &ReviewState, agenda: Rect, body: Rect, buf: &mut Buffer, theme: &Theme, now: DateTime<Utc>) {
    let Some(m) = &r.meeting else {
        return;
    };
    AgendaBar {
        state: m,
        attendance: r.attendance(),
        zone: r.zone,
        now,
        theme,
    }
    .render(agenda, buf);
    match m.panel {
        Panel::Panes => {}
        Panel::Notes => crate::tui::screens::review::meeting::participants::NotesView {
            review: r,
            meeting: m,
            theme,
        }
        .render(body, buf),
        Panel::WrapUp => crate::tui::screens::review::meeting::wrap_up::WrapUpView {
            review: r,
            meeting: m,
            now,
            theme,
        }
        .render(body, buf),
    }
}
