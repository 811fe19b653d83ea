//! `participant add` and `participant list`.

use super::ParticipantCommand;
use crate::model::Role;
use crate::store::Store;
use anyhow::Result;
use std::io::Write;

pub(super) fn participant(store: &Store, command: ParticipantCommand, out: &mut dyn Write) -> Result<()> {
    match command {
        ParticipantCommand::Add { id, name, role } => {
            let role: Role = role.parse()?;
            let pid = store.add_participant(id, &name, role)?;
            writeln!(out, "{pid}")?;
        }
        ParticipantCommand::List { id } => {
            store.incident(id)?;
            for p in store.participants(id)? {
                writeln!(out, "{}\t{}", p.name, p.role.label())?;
            }
        }
    }
    Ok(())
}
