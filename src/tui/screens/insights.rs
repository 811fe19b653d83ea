//! Insights across incidents (`I`): which causes keep being confirmed, how long detection and
//! resolution take over time, and who owes what — `export::stats` drawn, for a date range.

use crate::export::stats::{self, IncidentDurations, Period, Stats, Summary};
use crate::model::time::format_seconds;
use crate::store::Store;
use crate::tui::effect::{Ctx, Show};
use crate::tui::keymap::command::Command;
use crate::tui::theme::Theme;
use crate::tui::view::{fit, truncate};
use crate::tui::widgets::form::{Field, Form};
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Widget};

/// What the insights's forms are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsightsForm {
    Period,
}

/// A popup the insights opens.
pub type InsightsPopup = Show<InsightsForm>;
/// What the insights asks `App` to do.
pub type Effect = crate::tui::effect::Effect<InsightsPopup>;

pub struct InsightsState {
    pub period: Period,
    pub stats: Stats,
}

impl InsightsState {
    pub fn open(store: &Store, period: Period, today: NaiveDate) -> (InsightsState, Option<String>) {
        let (stats, error) = match stats::gather(store) {
            Ok(facts) => (stats::compute(&facts, period, today), None),
            Err(e) => (stats::compute(&[], period, today), Some(e.to_string())),
        };
        let state = InsightsState { period, stats };
        (state, error)
    }

    pub fn reload(&mut self, store: &Store, today: NaiveDate) -> crate::store::Result<()> {
        self.stats = stats::compute(&stats::gather(store)?, self.period, today);
        Ok(())
    }

    fn range(&self) -> String {
        match (self.period.from, self.period.to) {
            (None, None) => "all dates".to_string(),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("up to {t}"),
            (Some(f), Some(t)) => format!("{f} to {t}"),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let s = &self.stats;
        let plural = if s.incidents == 1 { "" } else { "s" };
        let title = format!(" Insights · {} incident{plural} · {} ", s.incidents, self.range());
        let block = theme.pane_block(title, true);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 4 || inner.width < 30 {
            return;
        }
        if s.incidents == 0 {
            Line::from(Span::styled(
                "No incident started in this range. / chooses other dates.",
                theme.muted,
            ))
            .render(inner, buf);
            return;
        }
        let wide = inner.width >= 120;
        let owners_h = s.owners.len().max(1) + 2;
        let causes_h = s.causes.len() + 1;
        let top_h = (owners_h.max(causes_h) as u16).clamp(4, inner.height.saturating_sub(2) / 2);
        let [summary, top, _, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(top_h),
            Constraint::Length(1),
            Constraint::Min(0),
        ])
        .areas(inner);
        Line::from(vec![
            Span::styled(
                format!("{} incident{plural}, {}", s.incidents, self.range()),
                theme.base,
            ),
            Span::styled(" (by the day impact started)", theme.muted),
        ])
        .render(summary, buf);
        let [causes, _, owners] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(2), Constraint::Fill(1)]).areas(top);
        render_causes(s, causes, buf, theme);
        render_owners(s, owners, buf, theme);

        // Wide and tall: the two charts side by side, with the incidents listed below.
        let (charts, table) = if wide && bottom.height >= 16 {
            let [c, _, t] =
                Layout::vertical([Constraint::Length(10), Constraint::Length(1), Constraint::Min(0)]).areas(bottom);
            (c, Some(t))
        } else {
            (bottom, None)
        };
        let [ttd, ttr] = if wide {
            let [a, _, b] =
                Layout::horizontal([Constraint::Fill(1), Constraint::Length(2), Constraint::Fill(1)]).areas(charts);
            [a, b]
        } else {
            Layout::vertical([Constraint::Fill(1); 2]).areas(charts)
        };
        render_durations(
            "Time to detect",
            &s.time_to_detect,
            &s.durations,
            |d| d.ttd_seconds,
            theme.warning,
            ttd,
            buf,
            theme,
        );
        render_durations(
            "Time to resolve",
            &s.time_to_resolve,
            &s.durations,
            |d| d.ttr_seconds,
            theme.ok,
            ttr,
            buf,
            theme,
        );
        if let Some(t) = table {
            render_incidents(s, t, buf, theme);
        }
    }
}

fn row(area: Rect, y: u16) -> Rect {
    Rect {
        y: area.y + y,
        height: 1,
        ..area
    }
}

/// `value` of `max` in `width` cells; anything above zero shows at least one.
fn bar_len(value: usize, max: usize, width: usize) -> usize {
    if value == 0 || max == 0 {
        return 0;
    }
    ((value as f64 / max as f64) * width as f64).round().max(1.0) as usize
}

fn render_causes(s: &Stats, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Line::from(Span::styled("Confirmed causes (incidents)", theme.header)).render(row(area, 0), buf);
    let w = area.width as usize;
    let label_w = s
        .causes
        .iter()
        .map(|c| c.label.chars().count())
        .max()
        .unwrap_or(0)
        .min(w / 2);
    let bar_w = w.saturating_sub(label_w + 6);
    let max = s.causes.iter().map(|c| c.confirmed).max().unwrap_or(0);
    let room = area.height.saturating_sub(1) as usize;
    for (i, c) in s.causes.iter().take(room).enumerate() {
        let more = s.causes.len().saturating_sub(room);
        let line = if i + 1 == room && more > 0 {
            Line::from(Span::styled(format!("+{} more", more + 1), theme.muted))
        } else {
            let style = if c.confirmed > 0 {
                theme.cause_confirmed
            } else {
                theme.muted
            };
            Line::from(vec![
                Span::styled(fit(&c.label, label_w), theme.base),
                Span::styled(format!(" {:>3}  ", c.confirmed), style),
                Span::styled("█".repeat(bar_len(c.confirmed, max, bar_w)), style),
            ])
        };
        line.render(row(area, 1 + i as u16), buf);
    }
}

fn render_owners(s: &Stats, area: Rect, buf: &mut Buffer, theme: &Theme) {
    Line::from(Span::styled(
        format!("Open actions per owner (on {})", s.today),
        theme.header,
    ))
    .render(row(area, 0), buf);
    if s.owners.is_empty() {
        Line::from(Span::styled("No open action.", theme.muted)).render(row(area, 1), buf);
        return;
    }
    let w = area.width as usize;
    let name_w = (w / 3).clamp(8, 24);
    let bar_w = w.saturating_sub(name_w + 12);
    Line::from(Span::styled(
        truncate(&format!("{} OPEN LATE", fit("OWNER", name_w)), w),
        theme.muted,
    ))
    .render(row(area, 1), buf);
    let max = s.owners.iter().map(|o| o.open).max().unwrap_or(0);
    let room = area.height.saturating_sub(2) as usize;
    for (i, o) in s.owners.iter().take(room).enumerate() {
        let more = s.owners.len().saturating_sub(room);
        let line = if i + 1 == room && more > 0 {
            Line::from(Span::styled(format!("+{} more", more + 1), theme.muted))
        } else {
            let (name, name_style) = if o.owner.is_empty() {
                ("(no owner)".to_string(), theme.warning)
            } else {
                (o.owner.clone(), theme.base)
            };
            let late_style = if o.overdue > 0 { theme.overdue } else { theme.muted };
            let total = bar_len(o.open, max, bar_w);
            let late = bar_len(o.overdue, max, bar_w).min(total);
            Line::from(vec![
                Span::styled(fit(&name, name_w), name_style),
                Span::styled(format!(" {:>4}", o.open), theme.base),
                Span::styled(format!(" {:>4}  ", o.overdue), late_style),
                Span::styled("█".repeat(late), theme.overdue),
                Span::styled("█".repeat(total - late), theme.status_doing),
            ])
        };
        line.render(row(area, 2 + i as u16), buf);
    }
}

fn span(seconds: Option<i64>) -> String {
    seconds.map(format_seconds).unwrap_or_else(|| "–".into())
}

/// One duration over time: a bar per incident, oldest left, with median and mean above.
#[allow(clippy::too_many_arguments)]
fn render_durations(
    name: &str,
    summary: &Summary,
    rows: &[IncidentDurations],
    pick: fn(&IncidentDurations) -> Option<i64>,
    bar_style: Style,
    area: Rect,
    buf: &mut Buffer,
    theme: &Theme,
) {
    if area.height == 0 {
        return;
    }
    let n = rows.len();
    let w = area.width as usize;
    // Bars of up to 7 cells with a gap of one; one cell without gaps when there are many.
    let (bar_w, gap) = match n {
        0 => (1, 0),
        n if n * 2 <= w + 1 => ((((w + 1) / n).saturating_sub(1)).clamp(1, 7), 1),
        _ => (1, 0),
    };
    let shown = (w + gap) / (bar_w + gap);
    let first = n.saturating_sub(shown);
    let of = if first > 0 {
        format!(" · last {} of {n}", n - first)
    } else {
        String::new()
    };
    let missing = n - summary.count;
    let missing = if missing > 0 {
        format!(" · {missing} without")
    } else {
        String::new()
    };
    Line::from(vec![
        Span::styled(name.to_string(), theme.header),
        Span::styled(
            truncate(
                &format!(
                    "  median {} · mean {}{missing}{of}",
                    span(summary.median_seconds),
                    span(summary.mean_seconds)
                ),
                w.saturating_sub(name.len()),
            ),
            theme.base,
        ),
    ])
    .render(row(area, 0), buf);
    let chart = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if chart.height < 2 {
        return;
    }
    let bars: Vec<Bar> = rows[first..]
        .iter()
        .map(|d| {
            let value = pick(d).unwrap_or(0).max(0) as u64;
            let label = if bar_w >= 5 {
                d.day.format("%m-%d").to_string()
            } else if bar_w >= 2 && d.id < 10_i64.pow(bar_w as u32 - 1) {
                format!("#{}", d.id)
            } else {
                String::new()
            };
            let text = span(pick(d));
            let text = if text.chars().count() <= bar_w {
                text
            } else {
                String::new()
            };
            Bar::default().value(value).text_value(text).label(Line::from(label))
        })
        .collect();
    BarChart::default()
        .data(BarGroup::default().bars(&bars))
        .bar_width(bar_w as u16)
        .bar_gap(gap as u16)
        .bar_style(bar_style)
        .value_style(bar_style.add_modifier(Modifier::REVERSED))
        .label_style(theme.muted)
        .style(theme.base)
        .render(chart, buf);
}

/// The incidents in the range, newest first, with both durations (wide screens).
fn render_incidents(s: &Stats, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let w = area.width as usize;
    Line::from(Span::styled(
        truncate(
            &format!("{:<10}  {:<5}  {:>8}  {:>8}  TITLE", "DAY", "#", "DETECT", "RESOLVE"),
            w,
        ),
        theme.muted,
    ))
    .render(row(area, 0), buf);
    for (i, d) in s
        .durations
        .iter()
        .rev()
        .take(area.height.saturating_sub(1) as usize)
        .enumerate()
    {
        let text = format!(
            "{}  {:<5}  {:>8}  {:>8}  {}",
            d.day,
            format!("#{}", d.id),
            span(d.ttd_seconds),
            span(d.ttr_seconds),
            d.title
        );
        Line::from(Span::styled(truncate(&text, w), theme.base)).render(row(area, 1 + i as u16), buf);
    }
}

impl InsightsState {
    /// What a key does on the insights.
    pub fn update(&mut self, command: Command, _ctx: &Ctx) -> Vec<Effect> {
        match command {
            Command::Back => vec![Effect::Back],
            Command::Filter => {
                let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
                let (from, to) = (day(self.period.from), day(self.period.to));
                vec![Effect::popup(InsightsPopup::Form(Form::new(
                    "Insights for which days?",
                    InsightsForm::Period,
                    vec![
                        Field::line("From", &from).with_hint("first day, like 2026-11-01; empty: from the start"),
                        Field::line("To", &to).with_hint("last day, included; empty: up to today"),
                    ],
                )))]
            }
            _ => vec![Effect::Unavailable(command)],
        }
    }

    /// The period form: which days the insights cover.
    pub fn apply_period<P>(&mut self, form: &Form<P>, ctx: &Ctx) -> Result<(), String> {
        let day = |label: &str| -> Result<Option<NaiveDate>, String> {
            let text = form.value(label);
            if text.is_empty() {
                Ok(None)
            } else {
                stats::parse_day(&text).map(Some).map_err(|e| format!("{label}: {e}"))
            }
        };
        let period = Period {
            from: day("From")?,
            to: day("To")?,
        };
        if let (Some(f), Some(t)) = (period.from, period.to)
            && f > t
        {
            return Err(format!("From {f} is after To {t}"));
        }
        self.period = period;
        self.reload(ctx.store, ctx.today()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_and_never_vanish() {
        assert_eq!(bar_len(0, 5, 10), 0);
        assert_eq!(bar_len(5, 5, 10), 10);
        assert_eq!(bar_len(1, 100, 10), 1);
        assert_eq!(bar_len(3, 0, 10), 0);
    }
}
