//! The action board: Todo / Doing / Done columns when there is room, grouped lists otherwise,
//! with the coverage warnings on top.

use crate::model::coverage::Gap;
use crate::model::{Action, ActionKind, ActionStatus, Cause};
use crate::tui::theme::Theme;
use crate::tui::view::{fit, shorten_distinct, truncate};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};
use unicode_width::UnicodeWidthStr;

/// Board columns need this much width; below it the board is a grouped list.
pub const COLUMNS_MIN_WIDTH: u16 = 90;

pub struct BoardView<'a> {
    pub actions: &'a [Action],
    pub causes: &'a [Cause],
    pub selected: usize,
    pub gaps: &'a [Gap],
    pub focused: bool,
    /// The board's filter hides some actions (`actions` are those it shows).
    pub filtered: bool,
    pub today: NaiveDate,
}

pub fn kind_tag(kind: ActionKind) -> &'static str {
    match kind {
        ActionKind::Fix => "FIX",
        ActionKind::Monitoring => "MON",
        ActionKind::Process => "PRC",
    }
}

/// The board's columns, left to right: "not doing" shares the last column with done, below it.
pub const COLUMNS: [&[ActionStatus]; 3] = [
    &[ActionStatus::Todo],
    &[ActionStatus::Doing],
    &[ActionStatus::Done, ActionStatus::NotDoing],
];

/// The column a status is drawn in.
pub fn column_of(status: ActionStatus) -> usize {
    COLUMNS.iter().position(|c| c.contains(&status)).unwrap_or(0)
}

/// A column's heading: "DONE (2)", "DONE (2) · NOT DOING (1)".
fn column_title(actions: &[Action], column: &[ActionStatus]) -> String {
    column
        .iter()
        .map(|s| (s, actions.iter().filter(|a| a.status == *s).count()))
        .filter(|(s, n)| *n > 0 || **s != ActionStatus::NotDoing)
        .map(|(s, n)| format!("{} ({n})", s.label().to_uppercase()))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The actions in board order: by status column, then as stored (priority, due date).
pub fn board_order(actions: &[Action]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..actions.len()).collect();
    idx.sort_by_key(|i| (actions[*i].status as u8, *i));
    idx
}

impl BoardView<'_> {
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        let warn_h = (self.gaps.len() as u16).min(area.height / 3).min(4);
        let [warn, body] = Layout::vertical([Constraint::Length(warn_h), Constraint::Min(0)]).areas(area);
        let shown: Vec<String> = self
            .gaps
            .iter()
            .take(warn_h as usize)
            .enumerate()
            .map(|(i, g)| {
                let more = if i + 1 == warn_h as usize && self.gaps.len() > warn_h as usize {
                    format!(" (+{} more)", self.gaps.len() - warn_h as usize)
                } else {
                    String::new()
                };
                format!("{g}{more}")
            })
            .collect();
        let shown = shorten_distinct(&shown, (warn.width as usize).saturating_sub(2));
        for (i, g) in shown.iter().enumerate() {
            let text = truncate(&format!("! {g}"), warn.width as usize);
            Line::from(Span::styled(text, theme.warning)).render(
                Rect {
                    y: warn.y + i as u16,
                    height: 1,
                    ..warn
                },
                buf,
            );
        }
        if self.actions.is_empty() {
            let text = if self.filtered {
                "No action matches the filter. o or / with empty fields shows them all."
            } else {
                "No actions yet. Press a to add a fix, monitoring or process action."
            };
            let text = ratatui::widgets::Paragraph::new(text)
                .style(theme.muted)
                .wrap(ratatui::widgets::Wrap { trim: true });
            crate::tui::view::render_wrapped(text, body, buf);
            return;
        }
        if body.width >= COLUMNS_MIN_WIDTH {
            self.render_columns(body, buf, theme);
        } else {
            self.render_grouped(body, buf, theme);
        }
    }

    /// One card: marker, kind, priority (`P1`), the title as wide as the line allows, then the
    /// owner and the due date at the right; the due date is never cut (the owner is first).
    fn card(&self, i: usize, width: usize, theme: &Theme) -> Line<'_> {
        let a = &self.actions[i];
        let selected = i == self.selected;
        let (base, marker) = theme.row(selected, self.focused);
        let overdue = a.is_overdue(self.today);
        let owner = if a.owner.trim().is_empty() {
            "no owner".to_string()
        } else {
            a.owner.clone()
        };
        let due = match a.due {
            Some(d) if overdue => format!("OVERDUE {}", d.format("%m-%d")),
            Some(d) => d.format("%m-%d").to_string(),
            None => "no date".into(),
        };
        let priority = if a.priority > 0 {
            format!("P{} ", a.priority)
        } else {
            String::new()
        };
        let head = vec![
            Span::styled(marker, base),
            Span::styled(format!("{} ", kind_tag(a.kind)), base.patch(theme.header)),
            Span::styled(priority, base.patch(theme.header)),
        ];
        let avail = width.saturating_sub(head.iter().map(Span::width).sum());
        // The tail: "not doing: why" cut as needed, or " owner · due" with the due date whole.
        let (owner_part, fixed) = match a.status {
            ActionStatus::NotDoing => (format!(" not doing: {}", a.reason), String::new()),
            _ => (format!(" {owner}"), format!(" · {due}")),
        };
        let rest = avail.saturating_sub(fixed.width());
        let title_w = a.title.width().min(rest.saturating_sub(owner_part.width().min(13)));
        let owner_part = truncate(&owner_part, rest.saturating_sub(title_w));
        // (A cut to nothing may still be one column wide: never below zero.)
        let title_w = rest.saturating_sub(owner_part.width());
        let tail_style = if overdue {
            theme.overdue
        } else if !a.status.is_open() {
            theme.muted
        } else if !a.is_delegated() {
            theme.warning
        } else {
            theme.muted
        };
        let mut spans = head;
        spans.push(Span::styled(fit(&a.title, title_w), base));
        spans.push(Span::styled(owner_part, base.patch(tail_style)));
        spans.push(Span::styled(truncate(&fixed, avail), base.patch(tail_style)));
        Line::from(spans)
    }

    fn render_grouped(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let mut lines: Vec<(Option<usize>, Line)> = Vec::new();
        for column in COLUMNS {
            let items: Vec<usize> = board_order(self.actions)
                .into_iter()
                .filter(|i| column.contains(&self.actions[*i].status))
                .collect();
            lines.push((
                None,
                Line::from(Span::styled(column_title(self.actions, column), theme.title)),
            ));
            for i in items {
                lines.push((Some(i), self.card(i, area.width as usize, theme)));
            }
        }
        // Scroll so the selected card is visible.
        let sel_line = lines.iter().position(|(i, _)| *i == Some(self.selected)).unwrap_or(0);
        let h = area.height as usize;
        let skip = (sel_line + 1).saturating_sub(h);
        for (y, (_, line)) in lines.into_iter().skip(skip).take(h).enumerate() {
            line.render(
                Rect {
                    y: area.y + y as u16,
                    height: 1,
                    ..area
                },
                buf,
            );
        }
    }

    fn render_columns(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let cols = Layout::horizontal([Constraint::Ratio(1, 3); 3]).split(area);
        for (c, column) in COLUMNS.iter().enumerate() {
            let items: Vec<usize> = board_order(self.actions)
                .into_iter()
                .filter(|i| column.contains(&self.actions[*i].status))
                .collect();
            let block = Block::default()
                .borders(Borders::TOP)
                .border_style(theme.muted)
                .title(Span::styled(
                    format!(" {} ", column_title(self.actions, column)),
                    theme.title,
                ));
            let inner = block.inner(cols[c]);
            block.render(cols[c], buf);
            let h = inner.height as usize;
            let sel = items.iter().position(|i| *i == self.selected).unwrap_or(0);
            let skip = (sel + 1).saturating_sub(h);
            for (y, i) in items.iter().skip(skip).take(h).enumerate() {
                self.card(*i, inner.width.saturating_sub(1) as usize, theme).render(
                    Rect {
                        y: inner.y + y as u16,
                        height: 1,
                        ..inner
                    },
                    buf,
                );
            }
        }
    }
}

/// The one-line summary shown when the pane is not focused on a small screen: counts of the
/// actions shown, warnings about all of them.
pub fn summary(actions: &[Action], gaps: &[Gap], today: NaiveDate) -> String {
    let open = actions.iter().filter(|a| a.status.is_open()).count();
    let overdue = actions.iter().filter(|a| a.is_overdue(today)).count();
    let done = actions.iter().filter(|a| a.status == ActionStatus::Done).count();
    let mut s = format!("{open} open · {overdue} overdue · {done} done");
    let not_doing = actions.len() - open - done;
    if not_doing > 0 {
        s.push_str(&format!(" · {not_doing} not doing"));
    }
    if !gaps.is_empty() {
        s.push_str(&format!(
            " · {} warning{}",
            gaps.len(),
            if gaps.len() == 1 { "" } else { "s" }
        ));
    }
    s
}
