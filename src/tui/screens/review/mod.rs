//! The review screen: a header with the durations, and the Timeline, Causes and Actions panes.

pub mod apply;
pub mod board;
pub mod board_filter;
pub mod causes;
pub mod forms;
pub mod meeting;
pub mod merge;
pub mod timeline;
pub mod update;

use self::board::BoardView;
use self::causes::CausesView;
use crate::model::coverage::{self, Gap};
use crate::model::durations::Milestones;
use crate::model::time::format_span;
use crate::model::{Action, Cause, Event, Incident, Milestone, Participant};
use crate::store::Store;
use crate::tui::screens::review::board_filter::BoardFilter;
use crate::tui::screens::review::meeting::{MeetingState, Panel};
use crate::tui::screens::review::timeline::TimelineState;
use crate::tui::theme::Theme;
use crate::tui::view::{ZoneMode, truncate};
use chrono::{DateTime, NaiveDate, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget};

/// At this width and wider the three panes stand side by side.
pub const SIDE_BY_SIDE_WIDTH: u16 = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Timeline,
    Causes,
    Actions,
}

impl Pane {
    pub const ALL: [Pane; 3] = [Pane::Timeline, Pane::Causes, Pane::Actions];
    pub fn title(self) -> &'static str {
        match self {
            Pane::Timeline => "Timeline",
            Pane::Causes => "Causes",
            Pane::Actions => "Actions",
        }
    }
    pub fn number(self) -> usize {
        self as usize + 1
    }
    pub fn next(self) -> Pane {
        Pane::ALL[(self as usize + 1) % 3]
    }
    pub fn prev(self) -> Pane {
        Pane::ALL[(self as usize + 2) % 3]
    }
}

pub struct ReviewState {
    pub incident: Incident,
    pub focus: Pane,
    pub zoom: bool,
    pub zone: ZoneMode,
    pub timeline: TimelineState,
    pub causes: Vec<Cause>,
    pub cause_sel: usize,
    /// Evidence events of the selected cause.
    pub cause_evidence: Vec<Event>,
    /// All of the incident's actions: the coverage warnings and the wrap-up count these.
    pub actions: Vec<Action>,
    /// What the board shows: `actions` through `board_filter`. `action_sel` is an index in this,
    /// so a hidden action is never the one moved, edited or deleted.
    pub board: Vec<Action>,
    pub board_filter: BoardFilter,
    pub action_sel: usize,
    pub milestones: Milestones,
    pub gaps: Vec<Gap>,
    /// Other people who have this incident open.
    pub presence: Vec<String>,
    /// The review's participants (attendance in meeting mode, owners for actions).
    pub participants: Vec<Participant>,
    /// Meeting mode, when on: the agenda bar and timer (see `meeting.rs`).
    pub meeting: Option<MeetingState>,
    /// The narrative sections (internal decisions left out when `hide_internal`).
    pub narrative: crate::model::narrative::Narrative,
    /// An observer's console (`debrief serve`): internal events and decisions are not loaded.
    pub hide_internal: bool,
    /// Where each pane was drawn (for mouse clicks).
    pub pane_areas: Vec<(Pane, Rect)>,
    pub list_areas: Vec<(Pane, Rect)>,
}

impl ReviewState {
    pub fn open(store: &Store, incident_id: i64) -> crate::store::Result<ReviewState> {
        let incident = store.incident(incident_id)?;
        let tz = incident.tz();
        let mut s = ReviewState {
            incident,
            focus: Pane::Timeline,
            zoom: false,
            zone: ZoneMode::Incident(tz),
            timeline: TimelineState::default(),
            causes: Vec::new(),
            cause_sel: 0,
            cause_evidence: Vec::new(),
            actions: Vec::new(),
            board: Vec::new(),
            board_filter: BoardFilter::default(),
            action_sel: 0,
            milestones: Milestones::default(),
            gaps: Vec::new(),
            presence: Vec::new(),
            participants: Vec::new(),
            meeting: None,
            narrative: Default::default(),
            hide_internal: false,
            pane_areas: Vec::new(),
            list_areas: Vec::new(),
        };
        s.reload(store)?;
        Ok(s)
    }

    /// Re-reads everything shown, keeping each selection on the same item.
    pub fn reload(&mut self, store: &Store) -> crate::store::Result<()> {
        let id = self.incident.id;
        self.incident = store.incident(id)?;
        let cause_id = self.causes.get(self.cause_sel).map(|c| c.id);
        self.causes = store.causes(id)?;
        self.cause_sel = keep(&self.causes, cause_id, |c| c.id, self.cause_sel);
        let action_id = self.selected_action().map(|a| a.id);
        self.actions = store.actions(id)?;
        self.board = self.board_filter.apply(&self.actions);
        self.action_sel = keep(&self.board, action_id, |a| a.id, self.action_sel);
        self.milestones = store.milestones(id)?;
        self.gaps = coverage::gaps(&coverage::Review {
            causes: &self.causes,
            actions: &self.actions,
            milestones: &self.milestones,
            root_cause: &self.incident.root_cause,
        });
        self.timeline.evidence = self.causes.iter().flat_map(|c| c.evidence.iter().copied()).collect();
        let hide = self.hide_internal;
        self.cause_evidence = match self.causes.get(self.cause_sel) {
            Some(c) => c
                .evidence
                .iter()
                .filter_map(|e| store.event(*e).ok())
                .filter(|e| !(hide && e.internal))
                .collect(),
            None => Vec::new(),
        };
        self.narrative = store.narrative(id)?;
        if hide {
            self.narrative.decisions.retain(|d| !d.internal);
        }
        self.timeline.filter.hide_internal = hide;
        let participant_id = self
            .meeting
            .as_ref()
            .and_then(|m| self.participants.get(m.participant_sel.selected()))
            .map(|p| p.id);
        self.participants = store.participants(id)?;
        if let Some(m) = &mut self.meeting {
            let at = keep(
                &self.participants,
                participant_id,
                |p| p.id,
                m.participant_sel.selected(),
            );
            m.participant_sel.select(at, self.participants.len());
            if m.reload(store)? {
                crate::tui::screens::review::meeting::bring_forward(self);
            }
        }
        self.timeline.reload(store, id)
    }

    /// The gaps the action board warns about: those about actions.
    pub fn board_gaps(&self) -> Vec<Gap> {
        self.gaps
            .iter()
            .filter(|g| g.kind().is_about_actions())
            .cloned()
            .collect()
    }

    pub fn selected_cause(&self) -> Option<&Cause> {
        self.causes.get(self.cause_sel)
    }

    /// The action selected on the board (as filtered).
    pub fn selected_action(&self) -> Option<&Action> {
        self.board.get(self.action_sel)
    }

    /// Selects this action on the board; false if the filter hides it (or it is gone).
    pub fn select_action(&mut self, id: i64) -> bool {
        match self.board.iter().position(|a| a.id == id) {
            Some(i) => {
                self.action_sel = i;
                true
            }
            None => false,
        }
    }

    /// Narrows the board (or widens it), keeping the selection when it is still shown, else
    /// selecting the first card.
    pub fn set_board_filter(&mut self, filter: BoardFilter) {
        let selected = self.selected_action().map(|a| a.id);
        self.board_filter = filter;
        self.board = self.board_filter.apply(&self.actions);
        let first = board::board_order(&self.board).first().copied().unwrap_or(0);
        self.action_sel = keep(&self.board, selected, |a| a.id, first);
    }

    /// Lays the screen out and reads the timeline rows that fit: the only query per frame.
    pub fn prepare(&mut self, store: &Store, area: Rect) -> crate::store::Result<()> {
        let (panes, _) = self.layout(area);
        self.pane_areas = panes.iter().map(|(p, r, _)| (*p, *r)).collect();
        self.list_areas = panes
            .iter()
            .filter(|(_, _, full)| *full)
            .map(|(p, r, _)| (*p, inner(*r)))
            .collect();
        let height = self
            .list_areas
            .iter()
            .find(|(p, _)| *p == Pane::Timeline)
            .map(|(_, r)| r.height)
            .unwrap_or(1);
        self.timeline.load_window(store, self.incident.id, height)
    }

    /// Each pane's area, and whether it is drawn in full (or as a one-line summary).
    fn layout(&self, area: Rect) -> (Vec<(Pane, Rect, bool)>, Rect) {
        let (header, _, body) = self.split(area);
        let panes = if self.meeting.as_ref().is_some_and(|m| m.panel != Panel::Panes) {
            Vec::new()
        } else if self.zoom {
            vec![(self.focus, body, true)]
        } else if area.width >= SIDE_BY_SIDE_WIDTH {
            // In a meeting the step's own pane gets the room (the board at step 3).
            let widths = match self.meeting.as_ref().and_then(|m| meeting::step_pane(m.meeting.step)) {
                Some(Pane::Causes) => [30, 45, 25],
                Some(Pane::Actions) => [30, 20, 50],
                _ => [46, 27, 27],
            };
            let [t, c, a] = Layout::horizontal(widths.map(Constraint::Percentage)).areas(body);
            vec![
                (Pane::Timeline, t, true),
                (Pane::Causes, c, true),
                (Pane::Actions, a, true),
            ]
        } else {
            let constraints = Pane::ALL.map(|p| {
                if p == self.focus {
                    Constraint::Min(3)
                } else {
                    Constraint::Length(1)
                }
            });
            let rects = Layout::vertical(constraints).split(body);
            Pane::ALL
                .iter()
                .enumerate()
                .map(|(i, p)| (*p, rects[i], *p == self.focus))
                .collect()
        };
        (panes, header)
    }

    /// The header, the agenda bar (in meeting mode) and the body below them.
    fn split(&self, area: Rect) -> (Rect, Rect, Rect) {
        let header_h = if area.height >= 20 { 3 } else { 2 };
        let agenda_h = if self.meeting.is_some() { 2 } else { 0 };
        let [header, agenda, body] = Layout::vertical([
            Constraint::Length(header_h),
            Constraint::Length(agenda_h),
            Constraint::Min(0),
        ])
        .areas(area);
        (header, agenda, body)
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, today: NaiveDate, now: DateTime<Utc>) {
        let (panes, header) = self.layout(area);
        self.render_header(header, buf, theme, now);
        if self.meeting.is_some() {
            let (_, agenda, body) = self.split(area);
            crate::tui::screens::review::meeting::agenda_bar::render(self, agenda, body, buf, theme, now);
        }
        for (pane, rect, full) in panes {
            if full {
                self.render_pane(pane, rect, buf, theme, today);
            } else {
                self.render_summary(pane, rect, buf, theme, today);
            }
        }
    }

    fn render_header(&self, area: Rect, buf: &mut Buffer, theme: &Theme, now: DateTime<Utc>) {
        let i = &self.incident;
        let w = area.width as usize;
        let sev = Span::styled(format!(" {} ", i.severity.label()), theme.severity(i.severity));
        let id = Span::styled(format!(" #{} ", i.id), theme.muted);
        let mut tail = vec![Span::styled(format!(" · {}", i.status.label()), theme.muted)];
        if !self.gaps.is_empty() {
            // What the review still lacks: the count `check` gives (the wrap-up lists them).
            tail.push(Span::styled(format!(" · {} missing", self.gaps.len()), theme.warning));
        }
        let fixed = sev.width() + id.width() + tail.iter().map(Span::width).sum::<usize>();
        // Who else is here gets what the title can spare beyond its first 12 columns.
        let presence = presence_text(&self.presence, w.saturating_sub(fixed + 12));
        let title_w = w.saturating_sub(fixed + presence.chars().count()).max(10);
        let mut title = vec![sev, id, Span::styled(truncate(&i.title, title_w), theme.title)];
        title.extend(tail);
        title.push(Span::styled(presence, theme.ok));
        Line::from(title).render(Rect { height: 1, ..area }, buf);
        if area.height < 2 {
            return;
        }
        let line = self.durations_line(area.width as usize, theme);
        Paragraph::new(line).render(
            Rect {
                y: area.y + 1,
                height: 1,
                ..area
            },
            buf,
        );
        if area.height >= 3 {
            self.render_phases(
                Rect {
                    y: area.y + 2,
                    height: 1,
                    ..area
                },
                buf,
                theme,
                now,
            );
        }
    }

    /// The durations, labelled with what they are measured from (the start of impact, TTA too),
    /// the zone times are shown in, and (where there are 30 columns left) the first thing the
    /// review still lacks. Below 100 columns, a shorter line that keeps the label and the zone.
    fn durations_line(&self, width: usize, theme: &Theme) -> Line<'static> {
        let rows = self.milestones.durations().rows();
        let full = width >= 100;
        let mut spans = vec![Span::styled(
            if full { " since impact start:" } else { " from impact:" },
            theme.muted,
        )];
        for (i, (short, _, value)) in rows.iter().enumerate() {
            let v = value.map(format_span).unwrap_or_else(|| "–".into());
            let sep = if i == 0 || !full { " " } else { " · " };
            spans.push(Span::styled(format!("{sep}{short} "), theme.muted));
            spans.push(Span::styled(v, theme.base));
        }
        let zone = self.zone.label();
        let zone = if full {
            zone
        } else {
            zone.trim_start_matches("times in ").to_string()
        };
        spans.push(Span::styled(format!(" · {zone}"), theme.muted));
        let used: usize = spans.iter().map(Span::width).sum();
        // Cut with an ellipsis to the columns left, so that a cut warning reads as one.
        let warning = |text: String| {
            Span::styled(
                truncate(&format!("  ! {text}"), width.saturating_sub(used)),
                theme.warning,
            )
        };
        if let Some(first) = self.gaps.first().filter(|_| width >= used + 30) {
            spans.push(warning(first.to_string()));
        } else if let Some(first) = self.milestones.out_of_order().first() {
            spans.push(warning(first.to_string()));
        }
        Line::from(spans)
    }

    /// The incident's phases to scale on one line: impact → detected → mitigated → resolved.
    fn render_phases(&self, area: Rect, buf: &mut Buffer, theme: &Theme, now: DateTime<Utc>) {
        let m = &self.milestones;
        let Some(start) = m.get(Milestone::ImpactStarted) else {
            Line::from(Span::styled(
                " Mark the start of impact (m on an event) to see the phases.",
                theme.muted,
            ))
            .render(area, buf);
            return;
        };
        let end = m
            .get(Milestone::Resolved)
            .unwrap_or(now)
            .max(start.checked_add_signed(chrono::Duration::seconds(1)).unwrap_or(start));
        let label_w = 1usize;
        let width = (area.width as usize).saturating_sub(label_w + 1).max(1);
        let total = (end - start).num_seconds().max(1) as f64;
        let pos = |t: Option<DateTime<Utc>>| {
            t.map(|t| (((t - start).num_seconds().max(0) as f64 / total) * width as f64).round() as usize)
                .map(|p| p.min(width))
        };
        let detected = pos(m.get(Milestone::Detected));
        let mitigated = pos(m.get(Milestone::Mitigated));
        let mut cells: Vec<(char, ratatui::style::Style)> = Vec::with_capacity(width);
        for x in 0..width {
            let (ch, style) = if detected.is_none_or(|d| x < d) {
                ('━', theme.error)
            } else if mitigated.is_none_or(|mi| x < mi) {
                ('━', theme.warning)
            } else {
                ('─', theme.ok)
            };
            cells.push((ch, style));
        }
        let mut spans = vec![Span::styled(" ", theme.muted)];
        spans.extend(cells.into_iter().map(|(c, s)| Span::styled(c.to_string(), s)));
        Line::from(spans).render(area, buf);
        let legend = " impact ▸ detection ▸ mitigation ▸ resolution ";
        if area.width as usize > legend.len() + 4 {
            let x = area.x + area.width - legend.chars().count() as u16 - 1;
            buf.set_string(x, area.y, legend, theme.muted);
        }
    }

    fn render_pane(&self, pane: Pane, area: Rect, buf: &mut Buffer, theme: &Theme, today: NaiveDate) {
        let focused = pane == self.focus;
        let title = self.pane_title(pane);
        let mut block = theme.pane_block(format!(" {} {} ", pane.number(), title), focused);
        if let Some(new) = self.new_below_text().filter(|_| pane == Pane::Timeline) {
            block = block.title_bottom(Line::from(Span::styled(format!(" {new} "), theme.warning)).right_aligned());
        }
        let inner = block.inner(area);
        block.render(area, buf);
        match pane {
            Pane::Timeline => self.timeline.render(inner, buf, theme, &self.zone, focused),
            Pane::Causes => CausesView {
                causes: &self.causes,
                selected: self.cause_sel,
                evidence: &self.cause_evidence,
                focused,
                zone: self.zone,
                root_cause: &self.incident.root_cause,
            }
            .render(inner, buf, theme),
            Pane::Actions => BoardView {
                actions: &self.board,
                causes: &self.causes,
                selected: self.action_sel,
                gaps: &self.board_gaps(),
                focused,
                filtered: self.board_filter.is_active(),
                today,
            }
            .render(inner, buf, theme),
        }
    }

    /// "3 new below (G)" while events arrived below the selection and are not yet in view.
    fn new_below_text(&self) -> Option<String> {
        let n = self.timeline.new_below;
        (n > 0).then(|| format!("{n} new below (G)"))
    }

    fn pane_title(&self, pane: Pane) -> String {
        match pane {
            Pane::Timeline => {
                let t = &self.timeline;
                let view = match &t.opened {
                    _ if t.curated => " curated".to_string(),
                    Some(crate::model::Source::Imported(file)) => format!(" {file} (Esc: curated)"),
                    _ => String::new(),
                };
                let mut s = format!(
                    "Timeline{view} ({}/{})",
                    if t.total == 0 { 0 } else { t.selected + 1 },
                    t.total
                );
                if !t.filter.kinds.is_empty() {
                    s.push_str(&format!(
                        " kind: {}",
                        t.filter.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(",")
                    ));
                }
                if let Some(q) = &t.search {
                    s.push_str(&format!(
                        " /{q} ({} match{})",
                        t.matches,
                        if t.matches == 1 { "" } else { "es" }
                    ));
                }
                s
            }
            Pane::Causes => "Causes".into(),
            Pane::Actions if self.board_filter.is_active() => self.board_heading(),
            Pane::Actions => format!("Actions ({})", self.actions.len()),
        }
    }

    /// "Actions 3 of 9 — owner: Dana" while a filter narrows the board, so that nobody takes it
    /// for the whole board (the count first: a narrow pane cuts the end); "Actions" otherwise.
    fn board_heading(&self) -> String {
        match self.board_filter.label() {
            None => "Actions".into(),
            Some(label) => format!("Actions {} of {} — {label}", self.board.len(), self.actions.len()),
        }
    }

    fn render_summary(&self, pane: Pane, area: Rect, buf: &mut Buffer, theme: &Theme, today: NaiveDate) {
        let text = match pane {
            Pane::Timeline => {
                let t = &self.timeline;
                let mut s = crate::tui::view::plural(t.total.max(0) as usize, "event");
                if let Some(new) = self.new_below_text() {
                    s.push_str(&format!(" · {new}"));
                }
                s
            }
            Pane::Causes => causes::summary(&self.causes),
            Pane::Actions => board::summary(&self.board, &self.board_gaps(), today),
        };
        let title = match pane {
            Pane::Actions => self.board_heading(),
            other => other.title().into(),
        };
        let head = format!(" {} {title} ", pane.number());
        let rest = truncate(
            &format!("▸ {text}"),
            (area.width as usize).saturating_sub(head.chars().count()),
        );
        Line::from(vec![Span::styled(head, theme.title), Span::styled(rest, theme.muted)]).render(area, buf);
    }
}

fn inner(r: Rect) -> Rect {
    Block::default().borders(Borders::ALL).inner(r)
}

fn keep<T>(items: &[T], id: Option<i64>, key: impl Fn(&T) -> i64, fallback: usize) -> usize {
    id.and_then(|id| items.iter().position(|x| key(x) == id))
        .unwrap_or(fallback)
        .min(items.len().saturating_sub(1))
}

/// One person in the header: "ana", "ana ×2" for two of her sessions, "ana (idle)".
pub fn presence_name(p: &crate::store::Present) -> String {
    let mut name = p.author.clone();
    if p.sessions > 1 {
        name.push_str(&format!(" ×{}", p.sessions));
    }
    if p.idle {
        name.push_str(" (idle)");
    }
    name
}

/// "  also here: ana, ben" in at most `room` columns: as many whole names as fit and a count of
/// the others (`also here: ana +2`), else only the count (`3 here`), else nothing.
fn presence_text(names: &[String], room: usize) -> String {
    let n = names.len();
    if n == 0 {
        return String::new();
    }
    for k in (1..=n).rev() {
        let more = if k < n { format!(" +{}", n - k) } else { String::new() };
        let text = format!("  also here: {}{more}", names[..k].join(", "));
        if unicode_width::UnicodeWidthStr::width(text.as_str()) <= room {
            return text;
        }
    }
    let count = format!("  {n} here");
    if count.len() <= room { count } else { String::new() }
}

#[cfg(test)]
mod presence_tests {
    use super::presence_text;

    #[test]
    fn presence_keeps_whole_names_and_counts_the_rest() {
        let names: Vec<String> = ["facilitator", "ben", "cy"].iter().map(|s| s.to_string()).collect();
        assert_eq!(presence_text(&names, 80), "  also here: facilitator, ben, cy");
        assert_eq!(presence_text(&names, 30), "  also here: facilitator +2");
        assert_eq!(presence_text(&names, 20), "  3 here");
        assert_eq!(presence_text(&names, 5), "");
        assert_eq!(presence_text(&[], 80), "");
    }
}
