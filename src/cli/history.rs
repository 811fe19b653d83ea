//! `history`: who changed what, and when.

use crate::store::Store;
use anyhow::Result;
use std::io::Write;

pub(super) fn history(store: &Store, id: i64, out: &mut dyn Write) -> Result<()> {
    let incident = store.incident(id)?;
    let tz = incident.tz();
    for h in store.history(id, None)? {
        writeln!(
            out,
            "{}  {:<12} {:<8} {} {:<6} {}",
            h.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S"),
            h.author,
            h.op,
            h.entity,
            h.entity_id,
            h.detail.lines().next().unwrap_or("")
        )?;
    }
    Ok(())
}
