//! Statistics across incidents: which causes keep being confirmed, how long detection and
//! resolution take over time, and who owes what. `debrief stats [--json] [--from] [--to]`.

use crate::model::durations::Milestones;
use crate::model::time::format_seconds;
use crate::model::{Action, ActionStatus, CauseCategory, Milestone, Severity, StandardCause};
use crate::store::{ActionTimes, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// What the statistics need to know of one incident.
#[derive(Debug, Clone, PartialEq)]
pub struct IncidentFacts {
    pub id: i64,
    pub title: String,
    /// IANA zone; the incident's day is read in it.
    pub zone: String,
    /// The incident's own start time, used when the timeline has no "impact started" milestone.
    pub started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub milestones: Milestones,
    /// The categories of its confirmed causes.
    pub confirmed: Vec<CauseCategory>,
    pub actions: Vec<Action>,
    pub severity: Severity,
    /// When its actions were created and done, by action id.
    pub action_times: Vec<ActionTimes>,
}

impl IncidentFacts {
    /// When the impact started (the milestone, else the incident's start), else its creation.
    pub fn start(&self) -> DateTime<Utc> {
        self.milestones
            .get(Milestone::ImpactStarted)
            .or(self.started_at)
            .unwrap_or(self.created_at)
    }

    /// The day the incident belongs to, in its own zone: what `--from` and `--to` compare.
    pub fn day(&self) -> NaiveDate {
        let tz: chrono_tz::Tz = self.zone.parse().unwrap_or(chrono_tz::UTC);
        self.start().with_timezone(&tz).date_naive()
    }
}

/// Days to include, both ends inclusive; `None` is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl Period {
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub period: Period,
    pub today: NaiveDate,
    pub incidents: usize,
    /// Every standard category (also when never confirmed) and each custom one that was,
    /// most often confirmed first.
    pub causes: Vec<CauseCount>,
    /// One row per incident, by start day.
    pub durations: Vec<IncidentDurations>,
    pub time_to_detect: Summary,
    pub time_to_resolve: Summary,
    /// Owners with open actions, most overdue first. An empty owner is the unassigned actions.
    pub owners: Vec<OwnerLoad>,
    /// Per severity (those with actions), how actions get done.
    pub follow_through: Vec<FollowThrough>,
}

/// How the actions of one severity's incidents got done: time from creation to done, and how
/// many are still open and overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FollowThrough {
    pub severity: Severity,
    pub actions: usize,
    pub done: usize,
    pub not_doing: usize,
    pub open: usize,
    pub overdue: usize,
    /// Seconds from creation to done, over the actions done.
    pub median_seconds_to_done: Option<i64>,
    pub min_seconds_to_done: Option<i64>,
    pub max_seconds_to_done: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CauseCount {
    pub category: String,
    pub label: String,
    /// In how many incidents a cause of this category was confirmed.
    pub confirmed: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentDurations {
    pub id: i64,
    pub title: String,
    pub day: NaiveDate,
    pub ttd_seconds: Option<i64>,
    pub ttr_seconds: Option<i64>,
}

/// Median and mean over the incidents that have the duration. A negative duration (milestones
/// out of order) is a mistake on the timeline and left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub count: usize,
    pub median_seconds: Option<i64>,
    pub mean_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerLoad {
    pub owner: String,
    pub open: usize,
    pub overdue: usize,
}

/// The statistics of the incidents whose day lies in `period`.
pub fn compute(incidents: &[IncidentFacts], period: Period, today: NaiveDate) -> Stats {
    let mut chosen: Vec<&IncidentFacts> = incidents.iter().filter(|f| period.contains(f.day())).collect();
    chosen.sort_by_key(|f| (f.start(), f.id));

    let mut counts: Vec<CauseCount> = StandardCause::ALL
        .iter()
        .map(|s| {
            let c = CauseCategory::Standard(*s);
            CauseCount {
                category: c.to_db(),
                label: c.label(),
                confirmed: 0,
            }
        })
        .collect();
    for f in &chosen {
        let mut seen: Vec<String> = f.confirmed.iter().map(CauseCategory::to_db).collect();
        seen.sort();
        seen.dedup();
        for key in seen {
            match counts.iter_mut().find(|c| c.category == key) {
                Some(c) => c.confirmed += 1,
                None => counts.push(CauseCount {
                    label: CauseCategory::from_db(&key).label(),
                    category: key,
                    confirmed: 1,
                }),
            }
        }
    }
    // Stable: ties keep the standard order, then the custom ones by name.
    let standard = StandardCause::ALL.len();
    counts[standard..].sort_by(|a, b| a.label.cmp(&b.label));
    counts.sort_by_key(|c| std::cmp::Reverse(c.confirmed));

    let durations: Vec<IncidentDurations> = chosen
        .iter()
        .map(|f| {
            let d = f.milestones.durations();
            IncidentDurations {
                id: f.id,
                title: f.title.clone(),
                day: f.day(),
                ttd_seconds: d.detect.map(|d| d.num_seconds()),
                ttr_seconds: d.resolve.map(|d| d.num_seconds()),
            }
        })
        .collect();
    let time_to_detect = summarize(durations.iter().filter_map(|d| d.ttd_seconds));
    let time_to_resolve = summarize(durations.iter().filter_map(|d| d.ttr_seconds));

    let mut owners: BTreeMap<String, OwnerLoad> = BTreeMap::new();
    for a in chosen.iter().flat_map(|f| &f.actions) {
        if !a.status.is_open() {
            continue;
        }
        let owner = a.owner.trim().to_string();
        let load = owners.entry(owner.clone()).or_insert(OwnerLoad {
            owner,
            open: 0,
            overdue: 0,
        });
        load.open += 1;
        load.overdue += usize::from(a.is_overdue(today));
    }
    let mut owners: Vec<OwnerLoad> = owners.into_values().collect();
    owners.sort_by_key(|o| std::cmp::Reverse((o.overdue, o.open)));

    Stats {
        period,
        today,
        incidents: chosen.len(),
        causes: counts,
        durations,
        time_to_detect,
        time_to_resolve,
        owners,
        follow_through: follow_through(&chosen, today),
    }
}

/// Per severity: counts of the actions by state, and the time they took to be done.
fn follow_through(chosen: &[&IncidentFacts], today: NaiveDate) -> Vec<FollowThrough> {
    let mut out = Vec::new();
    for severity in Severity::ALL {
        let incidents: Vec<&&IncidentFacts> = chosen.iter().filter(|f| f.severity == *severity).collect();
        let actions: Vec<&Action> = incidents.iter().flat_map(|f| &f.actions).collect();
        if actions.is_empty() {
            continue;
        }
        let mut took: Vec<i64> = incidents
            .iter()
            .flat_map(|f| {
                f.actions
                    .iter()
                    .filter(|a| a.status == ActionStatus::Done)
                    .filter_map(|a| f.action_times.iter().find(|t| t.id == a.id))
            })
            .filter_map(|t| t.done_at.map(|d| (d - t.created_at).num_seconds().max(0)))
            .collect();
        took.sort_unstable();
        let count = |s: ActionStatus| actions.iter().filter(|a| a.status == s).count();
        out.push(FollowThrough {
            severity: *severity,
            actions: actions.len(),
            done: count(ActionStatus::Done),
            not_doing: count(ActionStatus::NotDoing),
            open: actions.iter().filter(|a| a.status.is_open()).count(),
            overdue: actions.iter().filter(|a| a.is_overdue(today)).count(),
            median_seconds_to_done: summarize(took.iter().copied()).median_seconds,
            min_seconds_to_done: took.first().copied(),
            max_seconds_to_done: took.last().copied(),
        });
    }
    out
}

fn summarize(values: impl Iterator<Item = i64>) -> Summary {
    let mut v: Vec<i64> = values.filter(|s| *s >= 0).collect();
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return Summary::default();
    }
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2
    };
    let mean = (v.iter().map(|s| *s as f64).sum::<f64>() / n as f64).round() as i64;
    Summary {
        count: n,
        median_seconds: Some(median),
        mean_seconds: Some(mean),
    }
}

/// Reads what the statistics need of every incident in the store that is not archived.
pub fn gather(store: &Store) -> Result<Vec<IncidentFacts>> {
    gather_with(store, false)
}

/// [`gather`], archived incidents included when `archived`.
pub fn gather_with(store: &Store, archived: bool) -> Result<Vec<IncidentFacts>> {
    let mut incidents = store.incidents()?;
    if !archived {
        let mut kept = Vec::with_capacity(incidents.len());
        for inc in incidents {
            if !store.is_archived(inc.id)? {
                kept.push(inc);
            }
        }
        incidents = kept;
    }
    incidents
        .into_iter()
        .map(|inc| {
            Ok(IncidentFacts {
                milestones: store.milestones(inc.id)?,
                confirmed: store
                    .causes(inc.id)?
                    .into_iter()
                    .filter(|c| c.state.is_confirmed())
                    .map(|c| c.category)
                    .collect(),
                actions: store.actions(inc.id)?,
                action_times: store.action_times(inc.id)?,
                severity: inc.severity,
                id: inc.id,
                title: inc.title,
                zone: inc.zone,
                started_at: inc.started_at,
                created_at: inc.created_at,
            })
        })
        .collect()
}

const BAR_WIDTH: usize = 30;

/// `value` of `max` as a bar of at most [`BAR_WIDTH`] blocks; anything above zero shows.
fn bar(value: f64, max: f64) -> String {
    if value <= 0.0 || max <= 0.0 {
        return String::new();
    }
    let n = ((value / max) * BAR_WIDTH as f64).round().max(1.0) as usize;
    "█".repeat(n.min(BAR_WIDTH))
}

fn span(seconds: Option<i64>) -> String {
    seconds.map(format_seconds).unwrap_or_else(|| "-".into())
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        s.chars().take(max - 1).chain(['…']).collect()
    }
}

/// Writes a line without the padding a short or empty last column leaves behind.
fn line(out: &mut dyn Write, text: String) -> std::io::Result<()> {
    writeln!(out, "{}", text.trim_end())
}

/// The statistics for people: short tables with bars.
pub fn write_text(stats: &Stats, out: &mut dyn Write) -> std::io::Result<()> {
    let range = match (stats.period.from, stats.period.to) {
        (None, None) => "all dates".to_string(),
        (Some(f), None) => format!("from {f}"),
        (None, Some(t)) => format!("up to {t}"),
        (Some(f), Some(t)) => format!("{f} to {t}"),
    };
    let s = if stats.incidents == 1 { "" } else { "s" };
    writeln!(out, "{} incident{s}, {range}", stats.incidents)?;
    if stats.incidents == 0 {
        return Ok(());
    }

    writeln!(out, "\nConfirmed causes (incidents)")?;
    let width = stats.causes.iter().map(|c| c.label.chars().count()).max();
    let width = width.unwrap_or(0).min(30);
    let max = stats.causes.iter().map(|c| c.confirmed).max().unwrap_or(0);
    for c in &stats.causes {
        let label = shorten(&c.label, 30);
        let b = bar(c.confirmed as f64, max as f64);
        line(out, format!("  {label:<width$}  {:>3}  {b}", c.confirmed))?;
    }

    for (name, summary, pick) in [
        (
            "Time to detect",
            &stats.time_to_detect,
            (|d: &IncidentDurations| d.ttd_seconds) as fn(&IncidentDurations) -> Option<i64>,
        ),
        ("Time to resolve", &stats.time_to_resolve, |d| d.ttr_seconds),
    ] {
        writeln!(out, "\n{name} (from impact start)")?;
        let max = stats.durations.iter().filter_map(pick).max().unwrap_or(0);
        for d in &stats.durations {
            let value = pick(d);
            let mark = if value.is_some_and(|v| v < 0) { " !" } else { "" };
            let b = bar(value.unwrap_or(0) as f64, max as f64);
            line(
                out,
                format!(
                    "  {}  #{:<4} {:>8}{mark}  {:<32}  {b}",
                    d.day,
                    d.id,
                    span(value),
                    shorten(&d.title, 32)
                ),
            )?;
        }
        writeln!(
            out,
            "  median {} · mean {} · over {} incident{}",
            span(summary.median_seconds),
            span(summary.mean_seconds),
            summary.count,
            if summary.count == 1 { "" } else { "s" }
        )?;
    }

    write_follow_through(stats, out)?;
    writeln!(out, "\nOpen actions per owner (on {})", stats.today)?;
    if stats.owners.is_empty() {
        writeln!(out, "  none")?;
        return Ok(());
    }
    let max = stats.owners.iter().map(|o| o.open).max().unwrap_or(0);
    writeln!(out, "  {:<24}  {:>4}  {:>7}", "OWNER", "OPEN", "OVERDUE")?;
    for o in &stats.owners {
        let name = if o.owner.is_empty() {
            "(no owner)".to_string()
        } else {
            shorten(&o.owner, 24)
        };
        let b = bar(o.open as f64, max as f64);
        line(out, format!("  {name:<24}  {:>4}  {:>7}  {b}", o.open, o.overdue))?;
    }
    Ok(())
}

/// Time to done per severity: median and range of the actions done, and what is still open.
fn write_follow_through(stats: &Stats, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "\nFollow-through: time from an action's creation to done")?;
    if stats.follow_through.is_empty() {
        return writeln!(out, "  no actions");
    }
    writeln!(
        out,
        "  {:<5} {:>7} {:>5} {:>9} {:>5} {:>7}  {:>8}  RANGE",
        "SEV", "ACTIONS", "DONE", "NOT DOING", "OPEN", "OVERDUE", "MEDIAN"
    )?;
    for f in &stats.follow_through {
        let range = match (f.min_seconds_to_done, f.max_seconds_to_done) {
            (Some(lo), Some(hi)) => format!("{} – {}", format_seconds(lo), format_seconds(hi)),
            _ => "-".into(),
        };
        line(
            out,
            format!(
                "  {:<5} {:>7} {:>5} {:>9} {:>5} {:>7}  {:>8}  {range}",
                f.severity.label(),
                f.actions,
                f.done,
                f.not_doing,
                f.open,
                f.overdue,
                span(f.median_seconds_to_done)
            ),
        )?;
    }
    Ok(())
}

/// Reads a `--from` / `--to` day: `YYYY-MM-DD`.
pub fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("\"{s}\" is not a date like 2026-11-26"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_mean_leave_out_negative_durations() {
        assert_eq!(summarize([].into_iter()), Summary::default());
        let s = summarize([600, -60, 60, 300, 120].into_iter());
        assert_eq!(s.count, 4);
        assert_eq!(s.median_seconds, Some(210));
        assert_eq!(s.mean_seconds, Some(270));
        assert_eq!(summarize([5].into_iter()).median_seconds, Some(5));
    }

    #[test]
    fn bars_scale_to_the_largest_value_and_never_vanish() {
        assert_eq!(bar(0.0, 10.0), "");
        assert_eq!(bar(10.0, 10.0).chars().count(), BAR_WIDTH);
        assert_eq!(bar(5.0, 10.0).chars().count(), BAR_WIDTH / 2);
        assert_eq!(bar(0.01, 10.0).chars().count(), 1);
    }

    #[test]
    fn periods_include_both_ends() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 11, day).unwrap();
        let p = Period {
            from: Some(d(10)),
            to: Some(d(20)),
        };
        assert!(p.contains(d(10)) && p.contains(d(20)));
        assert!(!p.contains(d(9)) && !p.contains(d(21)));
        assert!(Period::default().contains(d(1)));
        assert!(parse_day("2026-11-2x").unwrap_err().contains("not a date"));
    }
}
