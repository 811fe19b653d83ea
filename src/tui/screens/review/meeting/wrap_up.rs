//! The wrap-up screen (agenda step 4): what is still open before the meeting ends, and the
//! meeting's record.

use crate::model::AgendaStep;
use crate::model::coverage::{Gap, GapKind};
use crate::model::meeting::{Budget, clock};
use crate::tui::screens::review::ReviewState;
use crate::tui::screens::review::meeting::{MeetingState, hh_mm};
use crate::tui::theme::Theme;
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

/// At this width and wider, what is open and the record stand side by side.
const TWO_COLUMNS_WIDTH: u16 = 90;

pub struct WrapUpView<'a> {
    pub review: &'a ReviewState,
    pub meeting: &'a MeetingState,
    pub now: DateTime<Utc>,
    pub theme: &'a Theme,
}

/// How many things are still open, for the heading: the review's gap list, as `check` counts it.
pub fn open_count(r: &ReviewState) -> usize {
    r.gaps.len()
}

/// The wrap-up's sections: a heading per kind of gap, and what it says when there is none.
fn section(kind: GapKind) -> (&'static str, &'static str) {
    match kind {
        GapKind::MissingMilestone => ("Milestones not marked", "every milestone is marked"),
        GapKind::Unexamined => ("Causes not yet examined", "every cause was looked at"),
        GapKind::Undecided => (
            "Suspected causes not yet confirmed or ruled out",
            "every suspected cause is decided",
        ),
        GapKind::NoRootCause => ("Root cause", "the root cause is written down"),
        GapKind::NoFix => ("Confirmed causes without a fix", "each confirmed cause has a fix"),
        GapKind::NoMonitoring => (
            "Confirmed causes without monitoring",
            "each confirmed cause has monitoring",
        ),
        GapKind::NoOwner => ("Open actions without an owner", "every open action has an owner"),
        GapKind::NoDueDate => ("Open actions without a due date", "every open action has a due date"),
    }
}

/// The lines of both parts in one list, for scrolling on a narrow screen.
pub fn line_count(r: &ReviewState, m: &MeetingState, now: DateTime<Utc>) -> usize {
    let theme = Theme::mono();
    let view = WrapUpView {
        review: r,
        meeting: m,
        now,
        theme: &theme,
    };
    // The narrowest one-column layout wraps the most.
    view.left_lines(58).len() + 1 + view.record_lines().len()
}

impl WrapUpView<'_> {
    fn heading(&self, text: String) -> Line<'static> {
        Line::from(Span::styled(text, self.theme.header))
    }

    /// One open item, `  ! text`, wrapped under its text rather than under the `!`.
    fn item(&self, text: String, width: usize) -> Vec<Line<'static>> {
        wrap(&text, width.saturating_sub(4).max(10))
            .into_iter()
            .enumerate()
            .map(|(i, part)| {
                let lead = if i == 0 { "  ! " } else { "    " };
                Line::from(vec![
                    Span::styled(lead, self.theme.warning),
                    Span::styled(part, self.theme.base),
                ])
            })
            .collect()
    }

    fn fine(&self, text: &str) -> Line<'static> {
        Line::from(Span::styled(format!("✓ {text}"), self.theme.ok))
    }

    /// The review's gaps (the list `check` prints), grouped by kind in the list's order; the
    /// milestones out of order after them, which are warnings, not gaps.
    fn open_lines(&self, width: usize) -> Vec<Line<'static>> {
        let r = self.review;
        let mut lines = Vec::new();
        for kind in GapKind::ALL {
            let gaps: Vec<&Gap> = r.gaps.iter().filter(|g| g.kind() == kind).collect();
            let (heading, fine) = section(kind);
            if gaps.is_empty() {
                lines.push(self.fine(fine));
                continue;
            }
            lines.push(self.heading(format!("{heading} ({})", gaps.len())));
            for g in gaps {
                lines.extend(self.item(g.to_string(), width));
            }
        }
        let order = r.milestones.out_of_order();
        if !order.is_empty() {
            lines.push(self.heading("Milestones to check".to_string()));
            for w in order {
                lines.extend(self.item(w, width));
            }
        }
        lines
    }

    /// The decisions (who and when), then the narrative in brief: how far each section is
    /// written, and the key that edits it. Wrapped to `width`, under the open items.
    fn narrative_lines(&self, width: usize) -> Vec<Line<'static>> {
        let theme = self.theme;
        let n = &self.review.narrative;
        let mut lines = Vec::new();
        lines.push(self.heading(format!("Decisions ({})", n.decisions.len())));
        if n.decisions.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("  none noted ({} notes one)", self.meeting.keys.decisions),
                theme.muted,
            )));
        }
        let this = self.meeting.meeting.number;
        for d in &n.decisions {
            let by = d.by().map(|by| format!(" — {by}")).unwrap_or_default();
            let mut internal = if d.internal { " (internal)" } else { "" }.to_string();
            if let Some(k) = d.meeting.filter(|k| *k != this) {
                internal.push_str(&format!(" (meeting {k})"));
            }
            let text = d.text.lines().collect::<Vec<_>>().join(" ");
            for (i, part) in wrap(&format!("{text}{by}{internal}"), width.saturating_sub(4).max(10))
                .into_iter()
                .enumerate()
            {
                let lead = if i == 0 { "  · " } else { "    " };
                lines.push(Line::from(Span::styled(format!("{lead}{part}"), theme.base)));
            }
        }
        lines.push(self.heading("Narrative".to_string()));
        let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let written = |t: &str| if t.trim().is_empty() { "—" } else { "written" };
        for (label, value) in [
            ("went well", written(&n.went_well).to_string()),
            ("went wrong", written(&n.went_wrong).to_string()),
            ("where we got lucky", written(&n.lucky).to_string()),
            ("impact", count(n.impacts.len(), "service", "services")),
            ("contributing factors", count(n.factors.len(), "factor", "factors")),
        ] {
            lines.push(Line::from(vec![
                Span::styled(format!("  {label}: "), theme.muted),
                Span::styled(value, theme.base),
            ]));
        }
        lines.push(Line::from(vec![
            Span::styled(format!("  {}", self.meeting.keys.narrative), theme.key_hint),
            Span::styled(" edits it (not a gap: a review is complete without it)", theme.muted),
        ]));
        lines
    }

    /// The left part: what is open, then the decisions and the narrative.
    fn left_lines(&self, width: usize) -> Vec<Line<'static>> {
        let mut lines = self.open_lines(width);
        lines.push(Line::default());
        lines.extend(self.narrative_lines(width));
        lines
    }

    fn record_lines(&self) -> Vec<Line<'static>> {
        let theme = self.theme;
        let m = &self.meeting.meeting;
        let zone = self.review.zone;
        let mut lines = self.time_per_step_lines();
        let (present, all) = self.review.attendance();
        lines.push(self.heading(format!("Attendance ({present} of {all} present)")));
        let absent: Vec<&str> = self
            .review
            .participants
            .iter()
            .filter(|p| !p.present)
            .map(|p| p.name.as_str())
            .collect();
        if !absent.is_empty() {
            lines.push(Line::from(Span::styled(
                format!("  absent: {}", absent.join(", ")),
                theme.base,
            )));
        }
        let agreement = if m.agreement.trim().is_empty() {
            "not written yet"
        } else {
            "written"
        };
        lines.push(Line::from(vec![
            Span::styled("Working agreement: ", theme.header),
            Span::styled(agreement, theme.base),
        ]));
        lines.push(Line::default());
        lines.push(match (m.started_at, m.ended_at) {
            (Some(start), Some(end)) => Line::from(Span::styled(
                format!(
                    "Held {}–{}; {} has ended.",
                    hh_mm(zone, start),
                    hh_mm(zone, end),
                    if m.number > 1 {
                        m.title().to_lowercase()
                    } else {
                        "the meeting".to_string()
                    }
                ),
                theme.title,
            )),
            _ => Line::from(vec![
                Span::styled(self.meeting.keys.end_here.clone(), theme.key_hint),
                Span::styled(" (or ", theme.base),
                Span::styled(self.meeting.keys.end.clone(), theme.key_hint),
                Span::styled(") ends the meeting and records its end.", theme.base),
            ]),
        });
        if m.has_ended() {
            let mode = self.meeting.keys.mode.clone();
            lines.push(Line::from(vec![
                Span::styled(mode.clone(), theme.key_hint),
                Span::styled(" leaves; ", theme.base),
                Span::styled(mode, theme.key_hint),
                Span::styled(format!(" again offers follow-up meeting {}.", m.number + 1), theme.base),
            ]));
        }
        lines
    }

    /// The time each step took against its timebox, and the meeting's in all.
    fn time_per_step_lines(&self) -> Vec<Line<'static>> {
        let theme = self.theme;
        let m = &self.meeting.meeting;
        let mut lines = vec![self.heading("Time per step".to_string())];
        for step in AgendaStep::ALL {
            let elapsed = m.step_elapsed(*step, self.now);
            let timebox = self.meeting.timebox(*step);
            let budget = Budget::of(elapsed, timebox);
            let mut spans = vec![Span::styled(
                format!(
                    "  {} {:<8}{:>6} / {}",
                    step.number(),
                    step.short(),
                    clock(elapsed),
                    clock(timebox)
                ),
                theme.base,
            )];
            if budget.is_over() {
                spans.push(Span::styled(format!("  {budget}"), theme.warning));
            }
            lines.push(Line::from(spans));
        }
        let total = m.total_elapsed(self.now);
        let planned = self.meeting.planned();
        let budget = Budget::of(total, planned);
        let mut spans = vec![Span::styled(
            format!("  {:<10}{:>6} / {}", "in all", clock(total), clock(planned)),
            theme.title,
        )];
        if budget.is_over() {
            spans.push(Span::styled(format!("  {budget}"), theme.warning));
        }
        lines.push(Line::from(spans));
        lines
    }

    fn render_part(&self, area: Rect, buf: &mut Buffer, title: String, lines: Vec<Line<'static>>, focused: bool) {
        let block = self.theme.pane_block(title, focused);
        let inner = block.inner(area);
        let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        let scroll = if focused {
            self.meeting.scroll.min(total.saturating_sub(inner.height))
        } else {
            0
        };
        let block = if focused && scroll + inner.height < total {
            block.title_bottom(Line::from(" more below ↓ ").right_aligned())
        } else {
            block
        };
        block.render(area, buf);
        crate::tui::view::render_wrapped(
            Paragraph::new(lines).wrap(Wrap { trim: false }).scroll((scroll, 0)),
            inner,
            buf,
        );
    }
}

impl Widget for WrapUpView<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let open = open_count(self.review);
        let title = match open {
            0 => " Wrap-up · nothing is left open ".to_string(),
            1 => " Wrap-up · 1 thing is still open ".to_string(),
            n => format!(" Wrap-up · {n} things are still open "),
        };
        if area.width >= TWO_COLUMNS_WIDTH {
            let [left, right] =
                Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)]).areas(area);
            let width = usize::from(left.width.saturating_sub(2));
            self.render_part(left, buf, title, self.left_lines(width), true);
            let title = match self.meeting.meeting.number {
                1 => " Meeting record ".to_string(),
                _ => format!(" {} record ", self.meeting.meeting.title()),
            };
            self.render_part(right, buf, title, self.record_lines(), false);
        } else {
            let mut lines = self.left_lines(usize::from(area.width.saturating_sub(2)));
            lines.push(Line::default());
            lines.extend(self.record_lines());
            self.render_part(area, buf, title, lines, true);
        }
    }
}

/// Breaks `text` into lines of at most `width` columns, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!line.is_empty());
        if !line.is_empty() && line.width() + sep + word.width() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        // A word longer than a line is cut where the line ends.
        while line.width() > width {
            let mut used = 0;
            let cut = line
                .char_indices()
                .find(|(_, c)| {
                    used += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
                    used > width
                })
                .map_or(line.len(), |(i, _)| i);
            if cut == 0 {
                break;
            }
            let rest = line.split_off(cut);
            lines.push(std::mem::replace(&mut line, rest));
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("no owner, no due date", 10), ["no owner,", "no due", "date"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), [""]);
    }
}
