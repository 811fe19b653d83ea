//! `log`: one event appended to a timeline.

use super::LogArgs;
use crate::model::time;
use crate::model::{EventKind, Milestone, Source};
use crate::store::{NewEvent, Store};
use anyhow::{Result, anyhow};
use std::io::Write;

pub(super) fn log(store: &Store, args: LogArgs, out: &mut dyn Write) -> Result<()> {
    let id = match args.incident {
        Some(id) => id,
        None => store.most_recent_open_incident()?.ok_or_else(|| {
            anyhow!("there is no incident to log to; start one with `debrief new TITLE` or name one with -i ID")
        })?,
    };
    let incident = store.incident(id)?;
    let ctx = store.time_context(&incident, crate::env::now()?, store.last_event_time(id)?)?;
    let kind: EventKind = args.kind.parse()?;
    let milestone = args.milestone.as_deref().map(str::parse::<Milestone>).transpose()?;
    let text = args.text.join(" ");
    let (at, text) = match &args.at {
        Some(at) => (time::parse_time(at, &ctx)?, text),
        None => time::split_quick_entry(&text, &ctx)?,
    };
    let marks = crate::store::Marks {
        key: args.key,
        origin: None,
        // Internal from its first write: it never exists shared, not even for a moment.
        internal: args.internal,
    };
    let eid = store.add_event_marked(
        id,
        &NewEvent {
            at,
            kind,
            text,
            milestone,
            source: Source::Logged,
            author: None,
        },
        &marks,
    )?;
    writeln!(out, "{eid}")?;
    // Which incident and where the time went, in the incident's zone (a time of day may go on
    // another day), so that nobody writes to the wrong review unknowingly.
    let mut said = crate::model::sanitize::clean_line(&format!(
        "logged to #{id} {} at {}",
        incident.title,
        time::describe(at, ctx.zone, ctx.now)
    ));
    if args.internal {
        said.push_str(" · internal (left out for outsiders, hidden from observers)");
    }
    // A milestone that ends the incident moves its status along (see `status_follows_milestones`).
    let status = store.incident(id)?.status;
    if status != incident.status {
        said.push_str(&format!(" · the incident is now {}", status.label()));
    }
    let _ = writeln!(std::io::stderr(), "{said}");
    Ok(())
}
