//! `stats`: across incidents, as text or JSON.

use crate::store::Store;
use anyhow::{Result, bail};
use std::io::Write;

/// `debrief stats`: gathers, computes and prints, as text or JSON.
pub(super) fn stats(
    store: &Store,
    period: crate::export::stats::Period,
    today: chrono::NaiveDate,
    json: bool,
    archived: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if let (Some(f), Some(t)) = (period.from, period.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let stats = crate::export::stats::compute(&crate::export::stats::gather_with(store, archived)?, period, today);
    if json {
        writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&stats)?)?;
    } else {
        crate::export::stats::write_text(&stats, out)?;
    }
    Ok(())
}
