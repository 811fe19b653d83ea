//! The cause checklist pane: the five standard causes and custom ones, with state, notes and
//! evidence.

use crate::model::{Cause, CauseState, Event};
use crate::tui::theme::Theme;
use crate::tui::view::{ZoneMode, fit, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn state_symbol(state: CauseState) -> &'static str {
    match state {
        CauseState::Unexamined => "○",
        CauseState::Suspected => "◐",
        CauseState::RuledOut => "✕",
        CauseState::Confirmed => "●",
        CauseState::AcceptedRisk => "◆",
    }
}

pub struct CausesView<'a> {
    pub causes: &'a [Cause],
    pub selected: usize,
    /// The selected cause's evidence events (time, text).
    pub evidence: &'a [Event],
    pub focused: bool,
    pub zone: ZoneMode,
    pub root_cause: &'a str,
}

impl CausesView<'_> {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let list_h = (self.causes.len() as u16).min(area.height);
        let [list, detail] = Layout::vertical([Constraint::Length(list_h), Constraint::Min(0)]).areas(area);
        let w = list.width as usize;
        for (i, c) in self.causes.iter().enumerate().take(list.height as usize) {
            let selected = i == self.selected;
            let (base, marker) = theme.row(selected, self.focused);
            let state = theme.cause_state(c.state);
            let evidence = if c.evidence.is_empty() {
                String::new()
            } else {
                format!(" ⚑{}", c.evidence.len())
            };
            let state_w = 12usize.min(w / 3);
            let name_w = w.saturating_sub(2 + 2 + state_w + evidence.chars().count());
            let line = Line::from(vec![
                Span::styled(marker, base),
                Span::styled(format!("{} ", state_symbol(c.state)), base.patch(state)),
                Span::styled(fit(&c.category.label(), name_w), base),
                Span::styled(fit(c.state.label(), state_w), base.patch(state)),
                Span::styled(evidence, base.patch(theme.muted)),
            ]);
            line.render(
                Rect {
                    y: list.y + i as u16,
                    height: 1,
                    ..list
                },
                buf,
            );
        }
        if detail.height >= 2 {
            self.render_detail(detail, buf, theme);
        }
    }

    /// Below the list: the selected cause's state, reason, notes, evidence and the root cause.
    fn render_detail(&self, detail: Rect, buf: &mut Buffer, theme: &Theme) {
        let Some(cause) = self.causes.get(self.selected) else {
            return;
        };
        let mut lines = vec![Line::from(Span::styled("─".repeat(detail.width as usize), theme.muted))];
        lines.push(Line::from(vec![
            Span::styled(cause.category.label(), theme.title),
            Span::styled(format!(" · {}", cause.state.label()), theme.cause_state(cause.state)),
        ]));
        if cause.state == CauseState::AcceptedRisk {
            lines.push(Line::from(Span::styled(
                format!("Risk accepted: {}", cause.reason),
                theme.warning,
            )));
        }
        if cause.notes.trim().is_empty() {
            let hint = match cause.state {
                CauseState::RuledOut => "Ruled out — press e to note why.",
                _ => "No notes yet — press e to write what was examined.",
            };
            lines.push(Line::from(Span::styled(hint, theme.muted)));
        } else {
            lines.extend(
                cause
                    .notes
                    .lines()
                    .map(|l| Line::from(Span::styled(l.to_string(), theme.base))),
            );
        }
        if !self.evidence.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("Evidence ({}):", self.evidence.len()),
                theme.muted,
            )));
            for e in self.evidence {
                let text = format!(
                    "⚑ {} {}",
                    self.zone.format_short(e.at),
                    e.text.lines().next().unwrap_or("")
                );
                lines.push(Line::from(Span::styled(
                    truncate(&text, detail.width as usize),
                    theme.base,
                )));
            }
        }
        if !self.root_cause.trim().is_empty() {
            lines.push(Line::from(Span::styled("Root cause (E to edit):", theme.muted)));
            lines.push(Line::from(Span::styled(self.root_cause.to_string(), theme.base)));
        }
        let paragraph = Paragraph::new(lines).wrap(Wrap { trim: false });
        let hidden = rows_used(&paragraph, detail.width, detail.height) > detail.height;
        crate::tui::view::render_wrapped(paragraph, detail, buf);
        if hidden {
            // Long notes push the evidence and the root cause out of the pane: say so.
            let mark = " ▼ more below ";
            let w = mark.chars().count() as u16;
            if detail.width > w {
                buf.set_string(detail.right() - w, detail.bottom() - 1, mark, theme.muted);
            }
        }
    }
}

/// How many rows `paragraph` fills at `width` columns, counted up to four times `height`.
fn rows_used(paragraph: &Paragraph<'_>, width: u16, height: u16) -> u16 {
    let tall = Rect::new(0, 0, width, height.saturating_mul(4));
    // Wider than the area, as in `view::render_wrapped`: ratatui's wrap can write a wide
    // character (an emoji with a variation selector) one column past the area's edge.
    let spare = width.saturating_mul(2).saturating_add(8);
    let mut scratch = Buffer::empty(Rect::new(0, 0, width.saturating_add(spare), tall.height));
    paragraph.clone().render(tall, &mut scratch);
    (0..tall.height)
        .rev()
        .find(|&y| (0..tall.width).any(|x| scratch[(x, y)].symbol() != " "))
        .map_or(0, |y| y + 1)
}

/// The one-line summary shown when the pane is not focused on a small screen.
pub fn summary(causes: &[Cause]) -> String {
    let count = |s| causes.iter().filter(|c| c.state == s).count();
    let accepted = count(CauseState::AcceptedRisk);
    let accepted = if accepted > 0 {
        format!(" ({accepted} risk accepted)")
    } else {
        String::new()
    };
    format!(
        "{} confirmed{accepted} · {} suspected · {} ruled out · {} unexamined",
        causes.iter().filter(|c| c.state.is_confirmed()).count(),
        count(CauseState::Suspected),
        count(CauseState::RuledOut),
        count(CauseState::Unexamined)
    )
}
