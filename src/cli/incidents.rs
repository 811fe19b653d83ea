//! `new`, `list`, `show`, `check`, `load` and `demo`: incidents as a whole.

use crate::export::audience::Audience;
use crate::model::coverage;
use crate::model::time::{self, TimeContext};
use crate::model::{CauseCategory, IncidentStatus, Milestone, Severity};
use crate::store::{NewIncident, Store};
use anyhow::{Context, Result, anyhow};
use chrono::{DateTime, Local, Utc};
use serde::Serialize;
use std::io::Write;
use std::path::Path;

pub(super) fn new(
    store: &Store,
    title: Vec<String>,
    severity: u8,
    zone: Option<String>,
    started: Option<String>,
    out: &mut dyn Write,
) -> Result<()> {
    let zone = zone.unwrap_or_else(|| {
        let local = crate::env::local_zone_checked();
        if let Some(warning) = &local.warning {
            let _ = writeln!(std::io::stderr(), "debrief: warning: {warning}");
        }
        local.zone.name().to_string()
    });
    let tz = time::parse_zone(&zone)?;
    let started = started
        .map(|s| {
            time::parse_time(
                &s,
                &TimeContext {
                    zone: tz,
                    now: Utc::now(),
                    anchor: None,
                    span: None,
                },
            )
        })
        .transpose()?;
    let id = store.create_incident(&NewIncident {
        title: title.join(" "),
        severity: Severity::from_number(severity).unwrap_or(Severity::Sev2),
        zone,
        started_at: started,
    })?;
    writeln!(out, "{id}")?;
    Ok(())
}

/// One incident of `debrief list --json`. The fields are in the order of their names: the
/// output has always listed them so.
#[derive(Serialize)]
struct Listed<'a> {
    archived: bool,
    confirmed_causes: Vec<String>,
    events: i64,
    id: i64,
    open_actions: i64,
    overdue_actions: i64,
    resolved: Option<DateTime<Utc>>,
    severity: Severity,
    started: Option<DateTime<Utc>>,
    status: IncidentStatus,
    title: &'a str,
    zone: &'a str,
}

pub(super) fn list(store: &Store, json: bool, all: bool, out: &mut dyn Write) -> Result<()> {
    let rows = store.incident_summaries_with(chrono::Local::now().date_naive(), all)?;
    if json {
        let list: Vec<_> = rows
            .iter()
            .map(|s| Listed {
                archived: s.archived,
                confirmed_causes: s.confirmed.iter().map(CauseCategory::label).collect(),
                events: s.events,
                id: s.incident.id,
                open_actions: s.open_actions,
                overdue_actions: s.overdue_actions,
                resolved: s.resolved,
                severity: s.incident.severity,
                started: s.started,
                status: s.incident.status,
                title: &s.incident.title,
                zone: &s.incident.zone,
            })
            .collect();
        writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&list)?)?;
    } else if rows.is_empty() {
        writeln!(
            out,
            "No incidents yet. Start one with `debrief new TITLE`, or load the demo with `debrief demo`."
        )?;
    } else {
        writeln!(
            out,
            "{:>4}  {:<4}  {:<10}  {:<16}  {:>6}  {:>7}  TITLE",
            "ID", "SEV", "STATUS", "STARTED", "OPEN", "OVERDUE"
        )?;
        for s in rows {
            let started = s
                .started
                .map(|t| t.with_timezone(&s.incident.tz()).format("%Y-%m-%d %H:%M").to_string())
                .unwrap_or_else(|| "-".into());
            writeln!(
                out,
                "{:>4}  {:<4}  {:<10}  {:<16}  {:>6}  {:>7}  {}",
                s.incident.id,
                s.incident.severity.label(),
                s.incident.status.label(),
                started,
                s.open_actions,
                s.overdue_actions,
                if s.archived {
                    format!("{} (archived)", s.incident.title)
                } else {
                    s.incident.title.clone()
                }
            )?;
        }
    }
    Ok(())
}

pub(super) fn show(store: &Store, id: i64, json: bool, out: &mut dyn Write) -> Result<()> {
    // Buffered: standard output flushes every line, a million lines for a large timeline.
    let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
    if json {
        show_json(store, id, &mut buffered)?;
    } else {
        show_text(store, id, &mut buffered)?;
    }
    buffered.flush()?;
    Ok(())
}

/// `show --json`: the document (as `export --format json` writes it, its events streamed from
/// the database one at a time) plus `durations` and `missing`, the gaps `check` lists.
fn show_json(store: &Store, id: i64, out: &mut dyn Write) -> Result<()> {
    let missing: Vec<Missing> = store
        .gaps(id)?
        .into_iter()
        .map(|gap| Missing {
            text: gap.to_string(),
            gap,
        })
        .collect();
    let durations: Vec<ShownDuration> = store
        .milestones(id)?
        .durations()
        .rows()
        .into_iter()
        .zip(DURATION_ENDS)
        .map(|((short, long, value), to)| ShownDuration {
            name: long,
            short,
            from: Milestone::ImpactStarted,
            to,
            seconds: value.map(|d| d.num_seconds()),
        })
        .collect();
    crate::export::json::write_streamed_as(store, id, Audience::Internal, out, |head| {
        let mut value = serde_json::to_value(head)?;
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("durations".into(), serde_json::to_value(&durations)?);
            map.insert("missing".into(), serde_json::to_value(&missing)?);
        }
        crate::model::sanitize::to_json_pretty(&value)
    })
    .map_err(super::export::unwrapped)?;
    Ok(())
}

/// The milestone each of [`Durations::rows`](crate::model::durations::Durations::rows) ends at.
const DURATION_ENDS: [Milestone; 4] = [
    Milestone::Detected,
    Milestone::Acknowledged,
    Milestone::Mitigated,
    Milestone::Resolved,
];

/// One duration of `show --json`: from one milestone to another, `null` while either is missing.
#[derive(Serialize)]
struct ShownDuration {
    name: &'static str,
    short: &'static str,
    from: Milestone,
    to: Milestone,
    seconds: Option<i64>,
}

/// One gap of `show --json`: its kind and subject, and the sentence `check` prints.
#[derive(Serialize)]
struct Missing {
    #[serde(flatten)]
    gap: coverage::Gap,
    text: String,
}

pub(super) fn demo(store: &Store, out: &mut dyn Write) -> Result<()> {
    let id = crate::demo::load_demo(store).map_err(|e| match e {
        // Bare, so that `explain` names the database.
        crate::demo::DemoError::Store(e) => anyhow!(e),
        e => anyhow!(e),
    })?;
    writeln!(out, "{id}")?;
    Ok(())
}

pub(super) fn load(store: &Store, file: &Path, out: &mut dyn Write) -> Result<()> {
    crate::store::files::refuse_if_open(file)?;
    // Read as it is parsed: a document of a million events is not held twice (as text too).
    let reader = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let reader = std::io::BufReader::with_capacity(1 << 16, reader);
    let doc: crate::model::document::Document = serde_json::from_reader(reader).map_err(|e| {
        anyhow!(
            "{}:{}:{}: not a debrief incident document: {e}",
            file.display(),
            e.line(),
            e.column()
        )
    })?;
    let id = store
        .load_document(&doc)
        .map_err(|e| anyhow!("{}: {e}", file.display()))?;
    writeln!(out, "{id}")?;
    Ok(())
}

/// The review's gaps: status 0 when there are none, 1 otherwise (the list is printed).
pub(super) fn check(store: &Store, id: i64, out: &mut dyn Write) -> Result<i32> {
    let incident = store.incident(id)?;
    let gaps = store.gaps(id)?;
    if gaps.is_empty() {
        writeln!(out, "Review of incident {id} ({}) is complete.", incident.title)?;
        return Ok(0);
    }
    writeln!(
        out,
        "Review of incident {id} ({}) is not complete: {} missing",
        incident.title,
        gaps.len()
    )?;
    for g in gaps {
        writeln!(out, "- {g}")?;
    }
    Ok(1)
}

/// The narrative sections of `show`, each only when written.
fn show_narrative(n: &crate::model::narrative::Narrative, labels: &[(i64, String)], out: &mut dyn Write) -> Result<()> {
    use crate::model::narrative::cause_name;
    if !n.factors.is_empty() {
        writeln!(out, "\nContributing factors:")?;
        for f in &n.factors {
            writeln!(out, "  - {} ({})", f.text, cause_name(f.cause, labels))?;
        }
    }
    if !n.impacts.is_empty() {
        writeln!(out, "\nImpact per service:")?;
        for i in &n.impacts {
            writeln!(out, "  {} · {} · {}", i.service, i.affected, i.duration)?;
        }
    }
    for (title, text) in [
        ("What went well", &n.went_well),
        ("What went wrong", &n.went_wrong),
        ("Where we got lucky", &n.lucky),
    ] {
        if !text.trim().is_empty() {
            writeln!(out, "\n{title}:")?;
            for l in text.lines() {
                writeln!(out, "  {l}")?;
            }
        }
    }
    if !n.decisions.is_empty() {
        writeln!(out, "\nDecisions:")?;
        for d in &n.decisions {
            let by = d.by().map(|by| format!(" — {by}")).unwrap_or_default();
            let internal = if d.internal { " [internal]" } else { "" };
            let meeting = d.meeting.map(|n| format!(" [meeting {n}]")).unwrap_or_default();
            writeln!(out, "  - {}{by}{meeting}{internal}", d.text)?;
        }
    }
    Ok(())
}

/// The causes of `show`, the root cause and trigger with the checklist cause each belongs to,
/// and the narrative.
fn show_causes(store: &Store, inc: &crate::model::Incident, out: &mut dyn Write) -> Result<Vec<crate::model::Cause>> {
    let id = inc.id;
    writeln!(out, "\nCauses:")?;
    let causes = store.causes(id)?;
    for c in &causes {
        writeln!(
            out,
            "  {:<22} {:<10} evidence: {}",
            c.category.label(),
            c.state.label(),
            c.evidence.len()
        )?;
        for l in c.notes.lines() {
            writeln!(out, "      {l}")?;
        }
    }
    let narrative = store.narrative(id)?;
    let labels: Vec<(i64, String)> = causes.iter().map(|c| (c.id, c.category.label())).collect();
    let under = |c: Option<i64>| {
        c.map(|c| {
            format!(
                " (checklist: {})",
                crate::model::narrative::cause_name(Some(c), &labels)
            )
        })
        .unwrap_or_default()
    };
    if !inc.root_cause.is_empty() {
        writeln!(
            out,
            "Root cause: {}{}",
            inc.root_cause,
            under(narrative.root_cause_cause)
        )?;
    }
    if !inc.trigger.is_empty() {
        writeln!(out, "Trigger: {}{}", inc.trigger, under(narrative.trigger_cause))?;
    }
    show_narrative(&narrative, &labels, out)?;
    Ok(causes)
}

fn show_text(store: &Store, id: i64, out: &mut dyn Write) -> Result<()> {
    let inc = store.incident(id)?;
    let tz = inc.tz();
    writeln!(out, "#{} {}", inc.id, inc.title)?;
    writeln!(
        out,
        "{} · {} · times in {}",
        inc.severity.label(),
        inc.status.label(),
        inc.zone
    )?;
    if !inc.summary.is_empty() {
        writeln!(out, "Summary: {}", inc.summary)?;
    }
    if !inc.impact.is_empty() {
        writeln!(out, "Impact: {}", inc.impact)?;
    }
    let milestones = store.milestones(id)?;
    writeln!(out, "\nDurations (from impact start):")?;
    for (short, long, value) in milestones.durations().rows() {
        let v = value.map(time::format_span).unwrap_or_else(|| "-".into());
        writeln!(out, "  {short}  {long:<20} {v}")?;
    }
    for w in milestones.out_of_order() {
        writeln!(out, "  ! {w}")?;
    }
    write_timeline(store, id, tz, out)?;
    let causes = show_causes(store, &inc, out)?;
    writeln!(out, "\nActions:")?;
    let actions = store.actions(id)?;
    let today = Local::now().date_naive();
    for a in &actions {
        let due = a.due.map(|d| d.to_string()).unwrap_or_else(|| "no date".into());
        let owner = if a.owner.is_empty() {
            "no owner".to_string()
        } else {
            a.owner.clone()
        };
        let overdue = if a.is_overdue(today) { " OVERDUE" } else { "" };
        writeln!(
            out,
            "  [{:<5}] {:<10} {} — {owner}, due {due}{overdue}",
            a.status.label(),
            a.kind.label(),
            a.title
        )?;
    }
    show_meetings(store, id, tz, out)?;
    let gaps = coverage::gaps(&coverage::Review {
        causes: &causes,
        actions: &actions,
        milestones: &milestones,
        root_cause: &inc.root_cause,
    });
    if gaps.is_empty() {
        writeln!(out, "\nMissing: nothing, the review is complete.")?;
    } else {
        writeln!(out, "\nMissing ({}):", gaps.len())?;
        for g in gaps {
            writeln!(out, "  - {g}")?;
        }
    }
    Ok(())
}

/// The meetings of `show`: number, when and how long, who attended (if recorded), and the
/// decisions taken in each.
fn show_meetings(store: &Store, id: i64, tz: chrono_tz::Tz, out: &mut dyn Write) -> Result<()> {
    let meetings = store.meetings(id)?;
    if meetings.is_empty() {
        return Ok(());
    }
    let decisions = store.narrative(id)?.decisions;
    let fmt = |t: chrono::DateTime<Utc>, f: &str| t.with_timezone(&tz).format(f).to_string();
    writeln!(out, "\nMeetings:")?;
    for m in &meetings {
        let when = match (m.started_at, m.ended_at) {
            (Some(s), Some(e)) => format!(
                "{} to {} ({})",
                fmt(s, "%Y-%m-%d %H:%M"),
                fmt(e, "%H:%M"),
                time::format_span(e - s)
            ),
            (Some(s), None) => format!("started {}, not ended", fmt(s, "%Y-%m-%d %H:%M")),
            _ => "not held yet".to_string(),
        };
        writeln!(out, "  {}: {when}", m.title())?;
        if let Some(names) = &m.attended {
            let names = if names.is_empty() {
                "nobody marked present".to_string()
            } else {
                names.join(", ")
            };
            writeln!(out, "    attended: {names}")?;
        }
        for d in decisions.iter().filter(|d| d.meeting == Some(m.number)) {
            writeln!(out, "    decided: {}", d.text)?;
        }
    }
    Ok(())
}

/// The timeline of `show`: one line per event, its continuation lines indented beneath.
fn write_timeline(store: &Store, id: i64, tz: chrono_tz::Tz, out: &mut dyn Write) -> Result<()> {
    let fmt = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
    writeln!(out, "\nTimeline:")?;
    // Row by row from the database: a timeline of a million events is not held in memory.
    store.for_each_event(id, |e| -> Result<()> {
        let mut badge = e
            .milestone
            .map(|m| format!(" [{}]", m.label().to_uppercase()))
            .unwrap_or_default();
        if e.internal {
            badge.push_str(" [internal]");
        }
        let star = if e.key { " *" } else { "" };
        if let Some(times) = e.times() {
            badge.push_str(&format!(" {times}"));
        }
        let origin = e.origin.as_deref().map(|o| format!(" · from {o}")).unwrap_or_default();
        let mut lines = e.text.lines();
        writeln!(
            out,
            "  {}  {:<13}{badge}{star} {} ({}{origin})",
            fmt(e.at),
            e.kind.label(),
            lines.next().unwrap_or(""),
            e.author
        )?;
        for l in lines {
            writeln!(out, "  {:>19}  {l}", "")?;
        }
        Ok(())
    })
}
