//! Follow-through from the shell: `action add` / `action set`, `close` / `reopen`, and `remind`.

use super::{ActionCommand, CauseCommand, RemindArgs};
use crate::model::{ActionKind, ActionStatus, CauseCategory, CauseState, time};
use crate::store::{ActionFilter, ActionRow, NewAction, Store, StoreError};
use anyhow::{Result, anyhow, bail};
use chrono::{Days, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// `debrief action add` and `debrief action set`.
pub(super) fn action(store: &Store, command: ActionCommand, today: NaiveDate, out: &mut dyn Write) -> Result<()> {
    match command {
        ActionCommand::Add {
            id,
            title,
            kind,
            owner,
            due,
        } => {
            let incident = store.incident(id)?;
            let mut new = NewAction::titled(&title.join(" "), kind.parse::<ActionKind>()?);
            new.owner = owner.unwrap_or_default();
            new.due = Some(match due {
                Some(d) => time::parse_due(&d, today).map_err(|e| anyhow!("--due: {e}"))?,
                None => crate::env::due_days(crate::env::config_dir())
                    .map_err(|e| anyhow!(e))?
                    .due(incident.severity, today),
            });
            let aid = store.add_action(id, &new)?;
            let a = store.action(aid)?;
            writeln!(out, "added action {aid} to #{id}: {}", describe(&a))?;
        }
        ActionCommand::Set {
            id,
            action,
            status,
            reason,
            owner,
            due,
        } => {
            let mut a = store.action(action)?;
            if a.incident_id != id {
                bail!(
                    "action {action} is not one of incident {id}'s (it belongs to #{})",
                    a.incident_id
                );
            }
            if status.is_none() && reason.is_none() && owner.is_none() && due.is_none() {
                bail!("nothing to change: give --status, --reason, --owner or --due");
            }
            if let Some(s) = status {
                a.status = s.parse::<ActionStatus>()?;
            }
            if let Some(r) = reason {
                a.reason = r;
            }
            if let Some(o) = owner {
                a.owner = o;
            }
            if let Some(d) = due {
                a.due = if d.trim().is_empty() {
                    None
                } else {
                    Some(time::parse_due(&d, today).map_err(|e| anyhow!("--due: {e}"))?)
                };
            }
            let a = store.update_action(&a)?;
            writeln!(out, "action {} of #{id}: {}", a.id, describe(&a))?;
        }
    }
    Ok(())
}

fn describe(a: &crate::model::Action) -> String {
    let owner = if a.owner.is_empty() {
        "no owner"
    } else {
        a.owner.as_str()
    };
    let due = a
        .due
        .map(|d| format!("due {d}"))
        .unwrap_or_else(|| "no due date".into());
    let status = match a.status {
        ActionStatus::NotDoing => format!("not doing ({})", a.reason),
        s => s.label().to_string(),
    };
    format!("\"{}\" · {} · {owner} · {due} · {status}", a.title, a.kind.label())
}

/// `debrief cause set ID CAUSE --state STATE [--reason] [--note]`.
pub(super) fn cause(store: &Store, command: CauseCommand, out: &mut dyn Write) -> Result<()> {
    let CauseCommand::Set {
        id,
        cause,
        state,
        reason,
        note,
    } = command;
    let causes = store.causes(id)?;
    let wanted = cause.trim();
    let found = match wanted.parse::<i64>() {
        Ok(cid) => causes.iter().find(|c| c.id == cid),
        Err(_) => {
            let as_category = CauseCategory::from_db(wanted);
            causes.iter().find(|c| {
                c.category == as_category
                    || c.category.label().eq_ignore_ascii_case(wanted)
                    || c.category.to_db().eq_ignore_ascii_case(wanted)
            })
        }
    };
    let Some(c) = found else {
        let names: Vec<String> = causes
            .iter()
            .map(|c| format!("{} ({})", c.id, c.category.to_db()))
            .collect();
        bail!(
            "incident {id} has no cause \"{wanted}\"; its causes: {}",
            names.join(", ")
        );
    };
    let state: CauseState = state.parse()?;
    let mut c = match state {
        CauseState::AcceptedRisk => store.accept_cause_risk(c.id, c.version, reason.as_deref().unwrap_or(""))?,
        _ if reason.is_some() => bail!("--reason is for --state accepted_risk"),
        s => store.set_cause_state(c.id, c.version, s)?,
    };
    if let Some(n) = note {
        c = store.set_cause_notes(c.id, c.version, &n)?;
    }
    let why = if c.reason.is_empty() {
        String::new()
    } else {
        format!(" ({})", c.reason)
    };
    writeln!(
        out,
        "cause {} of #{id}: {} · {}{why}",
        c.id,
        c.category.label(),
        c.state.label()
    )?;
    Ok(())
}

/// `debrief archive ID [--undo]`.
pub(super) fn archive(store: &Store, id: i64, undo: bool, out: &mut dyn Write) -> Result<()> {
    let i = store.set_archived(id, !undo)?;
    if undo {
        writeln!(out, "#{id} {} is back on the list", i.title)?;
    } else {
        writeln!(
            out,
            "archived #{id} {} (debrief list --all shows it; debrief archive {id} --undo brings it back)",
            i.title
        )?;
    }
    Ok(())
}

/// `debrief delete ID [--yes]`: names what goes, and asks on a terminal.
pub(super) fn delete(store: &Store, id: i64, yes: bool, out: &mut dyn Write) -> Result<()> {
    use std::io::IsTerminal;
    let incident = store.incident(id)?;
    let contents = store.incident_contents(id)?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "deleting #{id} {} ({contents}) cannot be undone: add --yes to confirm",
                incident.title
            );
        }
        eprint!(
            "Delete #{id} {} and everything in it ({contents})? This cannot be undone. Type the incident's id to confirm: ",
            incident.title
        );
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim() != id.to_string() {
            bail!("not deleted");
        }
    }
    store.delete_incident(id, incident.version)?;
    writeln!(out, "deleted #{id} {} ({contents})", incident.title)?;
    Ok(())
}

/// `debrief close ID`: refused, listing them (exit 1), while actions are open.
pub(super) fn close(store: &Store, id: i64, out: &mut dyn Write) -> Result<i32> {
    match store.close_incident(id) {
        Ok(i) => {
            writeln!(out, "closed #{id} {}", i.title)?;
            Ok(0)
        }
        Err(StoreError::OpenActions { id, open }) => {
            let s = if open.len() == 1 { " is" } else { "s are" };
            writeln!(
                out,
                "Incident {id} cannot be closed while {} action{s} open:",
                open.len()
            )?;
            for o in &open {
                writeln!(out, "- {o}")?;
            }
            writeln!(
                out,
                "Finish them, or mark them not doing with a reason: \
                 debrief action set {id} ACTION --status not_doing --reason TEXT"
            )?;
            Ok(1)
        }
        Err(e) => Err(e.into()),
    }
}

/// `debrief reopen ID --reason TEXT`.
pub(super) fn reopen(store: &Store, id: i64, reason: &str, out: &mut dyn Write) -> Result<()> {
    let i = store.reopen_incident(id, reason)?;
    writeln!(out, "reopened #{id} {} ({})", i.title, i.status.label())?;
    Ok(())
}

/// One owner's actions in a reminder.
#[derive(Debug, Serialize)]
struct OwnerReminder<'a> {
    owner: &'a str,
    overdue: Vec<&'a ActionRow>,
    due_soon: Vec<&'a ActionRow>,
}

/// `debrief remind`: per owner, what is overdue and what falls due within the window, across
/// incidents. Exit status 1 when anything is overdue.
pub(super) fn remind(store: &Store, args: RemindArgs, today: NaiveDate, out: &mut dyn Write) -> Result<i32> {
    let within = humantime::parse_duration(&args.within)
        .map_err(|e| anyhow!("--within {}: {e} (like 7d or 2weeks)", args.within))?;
    let days = within.as_secs().div_ceil(86_400);
    let until = today
        .checked_add_days(Days::new(days))
        .ok_or_else(|| anyhow!("--within {} is too far", args.within))?;
    let rows = store.actions_across(&ActionFilter {
        statuses: vec![ActionStatus::Todo, ActionStatus::Doing],
        ..Default::default()
    })?;
    let mut owners: BTreeMap<&str, OwnerReminder> = BTreeMap::new();
    for r in &rows {
        let Some(due) = r.action.due else { continue };
        let owner = r.action.owner.trim();
        let entry = owners.entry(owner).or_insert_with(|| OwnerReminder {
            owner,
            overdue: Vec::new(),
            due_soon: Vec::new(),
        });
        if due < today {
            entry.overdue.push(r);
        } else if due <= until {
            entry.due_soon.push(r);
        }
    }
    let reminders: Vec<OwnerReminder> = owners
        .into_values()
        .filter(|o| !o.overdue.is_empty() || !o.due_soon.is_empty())
        .collect();
    let overdue: usize = reminders.iter().map(|o| o.overdue.len()).sum();
    match args.format.as_str() {
        "json" => {
            #[derive(Serialize)]
            struct Out<'a> {
                today: NaiveDate,
                until: NaiveDate,
                overdue: usize,
                owners: &'a [OwnerReminder<'a>],
            }
            let doc = Out {
                today,
                until,
                overdue,
                owners: &reminders,
            };
            writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&doc)?)?;
        }
        "md" | "markdown" => write_reminders(&reminders, today, until, true, out)?,
        "text" => write_reminders(&reminders, today, until, false, out)?,
        other => bail!("--format {other}: use text, md or json"),
    }
    Ok(i32::from(overdue > 0))
}

fn write_reminders(
    reminders: &[OwnerReminder],
    today: NaiveDate,
    until: NaiveDate,
    markdown: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let esc = |s: &str| {
        if markdown {
            crate::export::markdown::escape::escape_inline(s)
        } else {
            s.to_string()
        }
    };
    if reminders.is_empty() {
        writeln!(out, "Nothing overdue and nothing due by {until}.")?;
        return Ok(());
    }
    let heading = if markdown { "### " } else { "" };
    let bullet = if markdown { "- " } else { "  " };
    writeln!(out, "{heading}Actions overdue on {today} or due by {until}")?;
    for o in reminders {
        let name = if o.owner.is_empty() { "(no owner)" } else { o.owner };
        writeln!(out, "\n{heading}{}", esc(name))?;
        for (label, rows) in [("OVERDUE", &o.overdue), ("due", &o.due_soon)] {
            for r in rows.iter() {
                let a = &r.action;
                let due = a.due.map(|d| d.to_string()).unwrap_or_default();
                let late = if label == "OVERDUE" {
                    let days = (today - a.due.unwrap_or(today)).num_days();
                    format!("OVERDUE {days} day{} (due {due})", if days == 1 { "" } else { "s" })
                } else {
                    format!("due {due}")
                };
                let late = if markdown && label == "OVERDUE" {
                    format!("**{late}**")
                } else {
                    late
                };
                writeln!(
                    out,
                    "{bullet}{late} · {} · #{} {}",
                    esc(&a.title),
                    a.incident_id,
                    esc(&r.incident_title)
                )?;
            }
        }
    }
    Ok(())
}
