//! The timeline pane: events in time order, read one window at a time, with gaps, milestones
//! and search matches.

use crate::model::{Event, EventKind, Source, time::format_span};
use crate::store::{EventFilter, ImportFold, Store};
use crate::tui::theme::Theme;
use crate::tui::view::{ZoneMode, fit, truncate};
use chrono::Duration;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

/// A stretch without events at least this long shows as a separator line.
pub const GAP_THRESHOLD_MINUTES: i64 = 15;

#[derive(Debug, Clone, Default)]
pub struct TimelineState {
    pub filter: EventFilter,
    /// Words searched for with `/`: matches are highlighted and `n` / `N` step through them.
    pub search: Option<String>,
    pub matches: i64,
    pub total: i64,
    /// Index of the selected event in the filtered timeline.
    pub selected: i64,
    pub selected_id: Option<i64>,
    /// Index of the first event drawn.
    pub top: i64,
    /// The events drawn: `top .. top + rows.len()`.
    pub rows: Vec<Event>,
    /// The event just before `top`, to tell the gap above the first drawn row.
    pub before_top: Option<Event>,
    pub height: u16,
    /// Event ids that are evidence for some cause.
    pub evidence: std::collections::HashSet<i64>,
    /// The curated view (`v`): key events, milestones and typed events, each import folded
    /// into one row. Read whole on reload (what people typed and marked is short), folds
    /// included as rows of negative id.
    pub curated: bool,
    curated_rows: Vec<Event>,
    /// The import opened from the curated view (Enter on its fold; Esc goes back).
    pub opened: Option<Source>,
    /// Events that arrived below the selection since the user last saw the end of the
    /// timeline: "N new below" until they are in view.
    pub new_below: i64,
    /// The event the last window showed selected (to tell "still on the last event" from a
    /// selection just set to another event).
    shown_id: Option<i64>,
    /// The filter `total` was last counted with (none before the first count): a new filter is
    /// another list, nothing "new" in it.
    counted: Option<EventFilter>,
}

/// One drawn line of the timeline.
enum Row<'a> {
    Gap(Duration),
    Event(i64, &'a Event),
}

impl TimelineState {
    /// Re-reads the count and keeps the selection on the same event if it is still there. With
    /// the last event selected, new events below are followed (like `tail -f`); elsewhere they
    /// are counted in [`TimelineState::new_below`].
    pub fn reload(&mut self, store: &Store, incident_id: i64) -> crate::store::Result<()> {
        if self.curated {
            return self.reload_curated(store, incident_id);
        }
        self.curated_rows = Vec::new();
        // (An empty timeline is not followed: the first events read from the top.)
        let following = self.total > 0
            && self.selected == self.total - 1
            && self.selected_id.is_none_or(|id| Some(id) == self.shown_id);
        let below_before = (self.total - 1 - self.selected).max(0);
        self.total = store.count_events(incident_id, &self.filter)?;
        if let Some(id) = self.selected_id
            && let Some(pos) = store.event_position(incident_id, &self.filter, id)?
            && store.event(id).is_ok_and(|e| e.incident_id == incident_id)
        {
            self.selected = pos;
        }
        self.selected = self.selected.clamp(0, (self.total - 1).max(0));
        let below = (self.total - 1 - self.selected).max(0);
        if self.counted.as_ref() != Some(&self.filter) {
            self.counted = Some(self.filter.clone());
            self.new_below = 0;
        } else if following && below > 0 {
            self.select_index(self.total - 1);
        } else {
            self.new_below = (self.new_below + (below - below_before).max(0)).min(below);
        }
        self.matches = match &self.search {
            Some(words) => store.count_matches(incident_id, &self.filter, words)?,
            None => 0,
        };
        Ok(())
    }

    /// The curated view's rows: its events and one fold per import, in time order.
    fn reload_curated(&mut self, store: &Store, incident_id: i64) -> crate::store::Result<()> {
        let filter = EventFilter {
            curated: true,
            source: None,
            ..self.filter.clone()
        };
        let mut rows = store.events_window(incident_id, &filter, 0, i64::MAX)?;
        let folds = store.import_folds(incident_id)?;
        rows.extend(folds.iter().enumerate().map(|(i, f)| fold_row(incident_id, i, f)));
        rows.sort_by_key(|e| (e.at, e.id));
        self.total = rows.len() as i64;
        if let Some(id) = self.selected_id
            && let Some(pos) = rows.iter().position(|e| e.id == id)
        {
            self.selected = pos as i64;
        }
        self.selected = self.selected.clamp(0, (self.total - 1).max(0));
        self.matches = 0;
        self.curated_rows = rows;
        Ok(())
    }

    /// Turns the curated view on or off (closing an opened import), keeping the selected event
    /// when the other view shows it.
    pub fn set_curated(&mut self, store: &Store, incident_id: i64, on: bool) -> crate::store::Result<()> {
        self.selected_id = self.selected_event().map(|e| e.id);
        self.curated = on;
        self.opened = None;
        self.filter.source = None;
        self.reload(store, incident_id)
    }

    /// Opens the import folded into the selected row: its lines, in time order.
    pub fn open_fold(&mut self, store: &Store, incident_id: i64) -> crate::store::Result<bool> {
        let Some(source) = self.selected_fold().cloned() else {
            return Ok(false);
        };
        self.curated = false;
        self.filter.source = Some(source.clone());
        self.opened = Some(source);
        self.selected = 0;
        self.selected_id = None;
        self.top = 0;
        self.reload(store, incident_id)?;
        Ok(true)
    }

    /// Back from an opened import to the curated view, on that import's row.
    pub fn close_fold(&mut self, store: &Store, incident_id: i64) -> crate::store::Result<bool> {
        let Some(source) = self.opened.take() else {
            return Ok(false);
        };
        self.filter.source = None;
        self.curated = true;
        self.selected_id = None;
        self.reload(store, incident_id)?;
        if let Some(pos) = self.curated_rows.iter().position(|e| e.id < 0 && e.source == source) {
            self.selected = pos as i64;
        }
        Ok(true)
    }

    /// The import whose fold is selected in the curated view.
    pub fn selected_fold(&self) -> Option<&Source> {
        self.rows
            .get((self.selected - self.top).max(0) as usize)
            .filter(|e| self.selected >= self.top && e.id < 0)
            .map(|e| &e.source)
    }

    /// `limit` rows from `offset`: from the store, or the curated view's own.
    fn read_window(
        &self,
        store: &Store,
        incident_id: i64,
        offset: i64,
        limit: i64,
    ) -> crate::store::Result<Vec<Event>> {
        if !self.curated {
            return store.events_window_of(incident_id, &self.filter, offset, limit, self.total);
        }
        let start = offset.clamp(0, self.total) as usize;
        let end = offset.saturating_add(limit).clamp(0, self.total) as usize;
        Ok(self.curated_rows[start..end.max(start)].to_vec())
    }

    /// Loads the rows that fit `height` lines, scrolling so the selection is visible.
    pub fn load_window(&mut self, store: &Store, incident_id: i64, height: u16) -> crate::store::Result<()> {
        self.height = height;
        let h = height.max(1) as i64;
        if self.selected < self.top {
            self.top = self.selected;
        }
        if self.selected >= self.top + h {
            self.top = self.selected - h + 1;
        }
        // Never past the content: a window that could show more events above does (after a
        // filter shrank the list, or the pane grew back from one line).
        self.top = self.top.min(self.total - h).max(0);
        loop {
            // One read: the event above the window too, to tell the gap above the first row.
            let above = i64::from(self.top > 0);
            let mut rows = self.read_window(store, incident_id, self.top - above, h + above)?;
            self.before_top = if above == 1 && !rows.is_empty() {
                Some(rows.remove(0))
            } else {
                None
            };
            self.rows = rows;
            // Gap lines take room too: scroll on until the selected event is on screen.
            let visible = self
                .layout_rows()
                .iter()
                .take(h as usize)
                .any(|r| matches!(r, Row::Event(i, _) if *i == self.selected));
            if visible || self.top >= self.selected {
                break;
            }
            self.top += 1;
        }
        self.selected_id = self
            .rows
            .get((self.selected - self.top) as usize)
            .map(|e| e.id)
            .or(self.selected_id);
        self.shown_id = self.selected_id;
        // Seen: the last event is on screen.
        let shown = self
            .layout_rows()
            .iter()
            .take(h as usize)
            .filter(|r| matches!(r, Row::Event(..)))
            .count();
        if self.top + shown as i64 >= self.total {
            self.new_below = 0;
        }
        Ok(())
    }

    /// The selected event (none on an import's fold).
    pub fn selected_event(&self) -> Option<&Event> {
        self.rows
            .get((self.selected - self.top).max(0) as usize)
            .filter(|e| self.selected >= self.top && e.id > 0)
    }

    pub fn move_by(&mut self, delta: i64) {
        self.selected = (self.selected + delta).clamp(0, (self.total - 1).max(0));
        self.selected_id = None;
    }

    pub fn select_index(&mut self, index: i64) {
        self.selected = index.clamp(0, (self.total - 1).max(0));
        self.selected_id = None;
    }

    fn layout_rows(&self) -> Vec<Row<'_>> {
        let mut out = Vec::with_capacity(self.rows.len() + 4);
        let mut prev = self.before_top.as_ref();
        for (i, e) in self.rows.iter().enumerate() {
            if let Some(p) = prev {
                let gap = e.at - p.at;
                if gap >= Duration::minutes(GAP_THRESHOLD_MINUTES) {
                    out.push(Row::Gap(gap));
                }
            }
            out.push(Row::Event(self.top + i as i64, e));
            prev = Some(e);
        }
        out
    }

    /// Which event a click on screen row `y` (relative to the list) means.
    pub fn index_at_row(&self, y: u16) -> Option<i64> {
        match self.layout_rows().get(y as usize)? {
            Row::Event(i, _) => Some(*i),
            Row::Gap(_) => None,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, zone: &ZoneMode, focused: bool) {
        if area.height == 0 || area.width == 0 {
            return;
        }
        if self.total == 0 {
            let lines: Vec<Line> = if self.filter == EventFilter::default() {
                vec![
                    Line::from("No events yet. Press a to add one: `14:32 rolled back the release`."),
                    Line::from("Press i to import a log, a CSV, JSON lines or a Slack export."),
                ]
            } else {
                vec![Line::from("No events match the filter.")]
            };
            crate::tui::view::render_wrapped(
                Paragraph::new(lines)
                    .style(theme.muted)
                    .wrap(ratatui::widgets::Wrap { trim: true }),
                area,
                buf,
            );
            return;
        }
        let wide = area.width >= 70;
        let words: Vec<String> = self
            .search
            .as_deref()
            .map(|s| s.split_whitespace().map(|w| w.to_lowercase()).collect())
            .unwrap_or_default();
        for (y, row) in self.layout_rows().iter().take(area.height as usize).enumerate() {
            let line_area = Rect {
                y: area.y + y as u16,
                height: 1,
                ..area
            };
            let line = match row {
                Row::Gap(d) => Line::from(Span::styled(
                    truncate(
                        &format!("  ┄┄ {} without events ┄┄", format_span(*d)),
                        area.width as usize,
                    ),
                    theme.gap,
                )),
                Row::Event(i, e) => self.event_line(*i, e, theme, zone, focused, wide, &words, area.width as usize),
            };
            line.render(line_area, buf);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn event_line<'a>(
        &self,
        index: i64,
        e: &'a Event,
        theme: &Theme,
        zone: &ZoneMode,
        focused: bool,
        wide: bool,
        words: &[String],
        width: usize,
    ) -> Line<'a> {
        let selected = index == self.selected;
        let (base, marker) = theme.row(selected, focused);
        let mut spans = vec![Span::styled(marker, base), Span::styled(zone.format_short(e.at), base)];
        spans.push(Span::styled(" ", base));
        if e.id < 0 {
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let text = fit(&e.text, width.saturating_sub(used));
            spans.push(Span::styled(text, base.patch(theme.muted)));
            let drawn: usize = spans.iter().map(|s| s.width()).sum();
            if selected && focused && drawn < width {
                spans.push(Span::styled(" ".repeat(width - drawn), base));
            }
            return Line::from(spans);
        }
        if wide {
            spans.push(Span::styled(
                format!("{:<6}", short_kind(e.kind)),
                base.patch(theme.muted),
            ));
            spans.push(Span::styled(" ", base));
        }
        if e.key {
            spans.push(Span::styled("★ ", base.patch(theme.milestone)));
        }
        if let Some(m) = e.milestone {
            spans.push(Span::styled(
                format!("[{}]", m.label().to_uppercase()),
                base.patch(theme.milestone),
            ));
            spans.push(Span::styled(" ", base));
        }
        if self.evidence.contains(&e.id) {
            spans.push(Span::styled("⚑ ", base.patch(theme.warning)));
        }
        // Internal: kept from outsiders' exports and from observers.
        if e.internal {
            spans.push(Span::styled("[int] ", base.patch(theme.muted)));
        }
        // A line an import saw many times (same instant, same text): one row with its count.
        if let Some(times) = e.times() {
            spans.push(Span::styled(format!("{times} "), base.patch(theme.warning)));
        }
        let used: usize = spans.iter().map(|s| s.width()).sum();
        // The author gets a column of its own on the right, so texts line up.
        let author_w = if wide { (width / 6).clamp(8, 18) } else { 0 };
        let first = e.text.lines().next().unwrap_or("");
        let more = if e.text.contains('\n') { " ↵" } else { "" };
        let room = width.saturating_sub(used + author_w);
        let text = fit(&on_match(&format!("{first}{more}"), words, room), room);
        spans.extend(highlight(&text, words, base, theme.search_match));
        if author_w > 0 {
            let author = truncate(&e.author, author_w - 1);
            spans.push(Span::styled(
                format!(" {author:>w$}", w = author_w - 1),
                base.patch(theme.muted),
            ));
        }
        let drawn: usize = spans.iter().map(|s| s.width()).sum();
        if selected && focused && drawn < width {
            spans.push(Span::styled(" ".repeat(width - drawn), base));
        }
        Line::from(spans)
    }
}

/// An import's fold as a row of the curated view: negative id, its first line's time.
fn fold_row(incident_id: i64, index: usize, f: &ImportFold) -> Event {
    let file = match &f.source {
        Source::Imported(file) => file.as_str(),
        _ => "a file",
    };
    let lines = if f.lines == 1 { "line" } else { "lines" };
    let mut text = format!("▸ {} {lines} from {file}", grouped(f.lines));
    if f.errors > 0 {
        let errors = if f.errors == 1 { "error" } else { "errors" };
        text.push_str(&format!(" · {} {errors}", grouped(f.errors)));
    }
    Event {
        id: -(index as i64) - 1,
        incident_id,
        at: f.first,
        kind: EventKind::Note,
        text,
        author: String::new(),
        source: f.source.clone(),
        milestone: None,
        key: false,
        origin: None,
        internal: false,
        version: 0,
        count: 1,
    }
}

/// A count with thousands separated: `2,000`.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A kind in six columns.
pub fn short_kind(kind: crate::model::EventKind) -> &'static str {
    use crate::model::EventKind::*;
    match kind {
        Alert => "alert",
        Deploy => "deploy",
        Action => "action",
        Communication => "comms",
        Observation => "obs",
        Note => "note",
    }
}

/// `text` as drawn in `room` columns with its first search match in view: when the match
/// would be cut off, the start gives way to `…` (a few words before the match stay).
pub fn on_match(text: &str, words: &[String], room: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let lower = text.to_lowercase();
    if text.width() <= room || lower.len() != text.len() {
        return text.to_string();
    }
    let Some((start, len)) = words
        .iter()
        .filter(|w| !w.is_empty())
        .filter_map(|w| lower.find(w.as_str()).map(|at| (at, w.len())))
        .min()
    else {
        return text.to_string();
    };
    if !text.is_char_boundary(start) || !text.is_char_boundary(start + len) || text[..start + len].width() < room {
        return text.to_string();
    }
    // Keep up to 12 columns before the match, starting at a character boundary.
    let lead = text[..start]
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| text[i..start].width() <= 12)
        .unwrap_or(start);
    format!("…{}", &text[lead..])
}

/// Splits `text` into spans with every case-insensitive occurrence of a search word highlighted.
pub fn highlight<'a>(text: &str, words: &[String], base: Style, matched: Style) -> Vec<Span<'a>> {
    if words.is_empty() {
        return vec![Span::styled(text.to_string(), base)];
    }
    let lower = text.to_lowercase();
    if lower.len() != text.len() {
        // Lower-casing changed byte lengths (rare scripts): keep it simple and unhighlighted.
        return vec![Span::styled(text.to_string(), base)];
    }
    let mut marks = vec![false; text.len()];
    for w in words.iter().filter(|w| !w.is_empty()) {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(w.as_str()) {
            let start = from + pos;
            for m in &mut marks[start..start + w.len()] {
                *m = true;
            }
            from = start + w.len();
        }
    }
    let mut spans = Vec::new();
    let mut start = 0;
    for (i, _) in text.char_indices().skip(1).chain(std::iter::once((text.len(), ' '))) {
        if i == text.len() || marks[i] != marks[start] {
            let style = if marks[start] { base.patch(matched) } else { base };
            spans.push(Span::styled(text[start..i].to_string(), style));
            start = i;
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    #[test]
    fn a_match_past_the_cut_is_brought_into_view() {
        let words = vec!["backoff".to_string()];
        let text = "Retry middleware retries each failed call three times without backoff";
        let shown = on_match(text, &words, 30);
        assert!(shown.starts_with('…'), "{shown}");
        let cut = crate::tui::view::truncate(&shown, 30);
        assert!(cut.contains("backoff"), "{cut}");
        // A match in view, or no search, or a short text: unchanged.
        assert_eq!(on_match(text, &["retry".into()], 30), text);
        assert_eq!(on_match(text, &[], 30), text);
        assert_eq!(on_match("short", &words, 30), "short");
    }

    #[test]
    fn highlight_marks_every_match_case_insensitively() {
        let m = Style::default().add_modifier(Modifier::REVERSED);
        let spans = highlight("DB failover, db back", &["db".into()], Style::default(), m);
        let marked: Vec<&str> = spans
            .iter()
            .filter(|s| s.style == m)
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(marked, ["DB", "db"]);
        let all: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(all, "DB failover, db back");
    }
}
