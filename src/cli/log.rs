//! `log`: one event appended to a timeline.

use super::LogArgs;
use crate::model::time::{self, TimeContext};
use crate::model::{EventKind, Incident, Milestone, Source};
use crate::store::{NewEvent, Store};
use anyhow::{Result, anyhow};
use chrono::{DateTime, Utc};
use std::io::Write;

fn time_context(store: &Store, incident: &Incident) -> Result<TimeContext> {
    Ok(TimeContext {
        zone: incident.tz(),
        now: Utc::now(),
        anchor: store.last_event_time(incident.id)?,
        around: None,
    })
}

pub(super) fn log(store: &Store, args: LogArgs, out: &mut dyn Write) -> Result<()> {
    let id = match args.incident {
        Some(id) => id,
        None => store.most_recent_open_incident()?.ok_or_else(|| {
            anyhow!("there is no incident to log to; start one with `debrief new TITLE` or name one with -i ID")
        })?,
    };
    let incident = store.incident(id)?;
    let ctx = time_context(store, &incident)?;
    let kind: EventKind = args.kind.parse()?;
    let milestone = args.milestone.as_deref().map(str::parse::<Milestone>).transpose()?;
    let text = args.text.join(" ");
    let (at, text) = match &args.at {
        Some(at) => (time::parse_time(at, &ctx)?, text),
        None => time::split_quick_entry(&text, &ctx)?,
    };
    let eid = store.add_event(
        id,
        &NewEvent {
            at,
            kind,
            text,
            milestone,
            source: Source::Logged,
            author: None,
        },
    )?;
    writeln!(out, "{eid}")?;
    // Which incident and what time, so that nobody writes to the wrong review unknowingly.
    let mut said = logged_to(&incident, at, Utc::now());
    // A milestone that ends the incident moves its status along (see `status_follows_milestones`).
    let status = store.incident(id)?.status;
    if status != incident.status {
        said.push_str(&format!(" · the incident is now {}", status.label()));
    }
    let _ = writeln!(std::io::stderr(), "{said}");
    Ok(())
}

/// `logged to #2 Payments down at 14:32` (in the incident's zone), with the day when it is
/// not today there: `at Sat 29 Nov 13:58`.
fn logged_to(incident: &Incident, at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let tz = incident.tz();
    let local = at.with_timezone(&tz);
    let when = if local.date_naive() == now.with_timezone(&tz).date_naive() {
        local.format("%H:%M")
    } else {
        local.format("%a %-d %b %Y %H:%M")
    };
    crate::model::sanitize::clean_line(&format!("logged to #{} {} at {when}", incident.id, incident.title))
}
