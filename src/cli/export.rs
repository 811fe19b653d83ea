//! `export`: an incident as Markdown, JSON or CSV, to standard output or a file.

use crate::export::ExportError;
use crate::export::audience::Audience;
use crate::store::Store;
use anyhow::{Result, anyhow};
use chrono::Local;
use std::io::Write;
use std::path::PathBuf;

pub(super) fn export(
    store: &Store,
    id: i64,
    format: &str,
    output: Option<PathBuf>,
    audience: &str,
    out: &mut dyn Write,
) -> Result<()> {
    let audience = Audience::parse(audience).map_err(|e| anyhow!(e))?;
    // `-o -` is standard output, as `import -` reads standard input.
    let file = output.filter(|p| p.as_os_str() != "-");
    if let Some(path) = &file {
        // Refused before anything is rendered: a device, a FIFO, a directory…
        crate::util::check_target(path)?;
    }
    // Markdown and JSON streamed from the database: a document of a million events is never
    // held whole.
    let today = Local::now().date_naive();
    let write = |w: &mut dyn Write| crate::export::write_for(store, id, format, today, audience, w);
    let left = match &file {
        Some(path) => crate::util::write_atomically_with(path, write).map_err(|e| bare(e, path))?,
        None => {
            let mut buffered = std::io::BufWriter::with_capacity(64 * 1024, out);
            let left = write(&mut buffered).map_err(unwrapped)?;
            buffered.flush()?;
            left
        }
    };
    if let Some(left) = left {
        let _ = writeln!(std::io::stderr(), "{left}");
    }
    Ok(())
}

/// An export's error as the command line reports it: a store's bare (so that `explain` names
/// the database), an I/O error with the file it could not write.
fn bare(e: ExportError, path: &std::path::Path) -> anyhow::Error {
    match e {
        ExportError::Io(e) => anyhow!(e).context(format!("cannot write {}", path.display())),
        e => unwrapped(e),
    }
}

/// An export's error on standard output: the store's or the I/O error itself, not wrapped
/// (ExportError is transparent: wrapped, neither `explain`, which names the database, nor the
/// closed-pipe check would find it in the chain).
pub(super) fn unwrapped(e: ExportError) -> anyhow::Error {
    match e {
        ExportError::Store(e) => anyhow!(e),
        ExportError::Io(e) => anyhow!(e),
        e => anyhow!(e),
    }
}
