//! `actions`: actions across incidents, as text, JSON or CSV.

use super::ActionsArgs;
use crate::model::ActionStatus;
use crate::store::{ActionFilter, Store};
use anyhow::{Result, anyhow};
use chrono::Local;
use std::io::Write;

pub(super) fn actions(store: &Store, args: ActionsArgs, out: &mut dyn Write) -> Result<()> {
    let statuses = args
        .status
        .iter()
        .map(|s| s.parse::<ActionStatus>())
        .collect::<Result<Vec<_>, _>>()?;
    let today = Local::now().date_naive();
    let owner = if args.mine {
        Some(store.author().to_string())
    } else {
        args.owner
    };
    let rows = store.actions_across(&ActionFilter {
        owner,
        statuses,
        overdue_on: args.overdue.then_some(today),
        incident_id: None,
    })?;
    if args.json {
        writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&rows)?)?;
    } else if args.csv {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "incident",
            "incident_title",
            "id",
            "kind",
            "title",
            "owner",
            "role",
            "due",
            "status",
            "ticket",
            "priority",
        ])?;
        for r in &rows {
            let a = &r.action;
            let cell = crate::export::csv::cell;
            w.write_record([
                a.incident_id.to_string(),
                cell(&r.incident_title),
                a.id.to_string(),
                a.kind.key().into(),
                cell(&a.title),
                cell(&a.owner),
                a.owner_role.map(|x| x.key().to_string()).unwrap_or_default(),
                a.due.map(|d| d.to_string()).unwrap_or_default(),
                a.status.key().into(),
                cell(&a.ticket),
                a.priority.to_string(),
            ])?;
        }
        out.write_all(&w.into_inner().map_err(|e| anyhow!("{e}"))?)?;
    } else if rows.is_empty() {
        writeln!(out, "No actions match.")?;
    } else {
        for r in rows {
            let a = &r.action;
            let due = a.due.map(|d| d.to_string()).unwrap_or_else(|| "no date".into());
            let overdue = if a.is_overdue(today) { "  OVERDUE" } else { "" };
            let owner = if a.owner.is_empty() { "-" } else { a.owner.as_str() };
            writeln!(
                out,
                "#{:<3} {:<10} {:<6} {:<10} {:<14} {}  ({}){overdue}",
                a.incident_id,
                due,
                a.status.label(),
                a.kind.label(),
                owner,
                a.title,
                r.incident_title
            )?;
        }
    }
    Ok(())
}
