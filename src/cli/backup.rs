//! `backup`: a consistent copy of the live database.

use crate::store::Store;
use anyhow::Result;
use std::io::Write;
use std::path::Path;

pub(super) fn backup(store: &Store, file: &Path, out: &mut dyn Write) -> Result<()> {
    let done = store.backup(file)?;
    writeln!(
        out,
        "backed up {} to {} ({} incidents, {} bytes, checked)",
        crate::model::sanitize::clean_line(&store.path().display().to_string()),
        crate::model::sanitize::clean_line(&done.path.display().to_string()),
        done.incidents,
        done.bytes
    )?;
    Ok(())
}
