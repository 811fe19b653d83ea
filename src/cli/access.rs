//! `debrief access`: who may join over SSH (`debrief serve`), by public key.

use super::{AccessCommand, InviteArgs};
use crate::model::sanitize::clean_line;
use crate::store::Store;
use crate::store::access::{AccessRole, NewAccess};
use anyhow::{Result, anyhow};
use russh::keys::{HashAlg, PublicKey};
use std::io::Write;

pub fn access(store: &Store, command: AccessCommand, out: &mut dyn Write) -> Result<()> {
    match command {
        AccessCommand::Add {
            name,
            key,
            role,
            incident,
        } => add(store, &name, &key, role, incident, out),
        AccessCommand::List => list(store, out),
        AccessCommand::Revoke { who } => {
            let gone = store.revoke_access(&who)?;
            writeln!(
                out,
                "Revoked {} ({}); its live sessions end within a second",
                gone.name, gone.fingerprint
            )?;
            Ok(())
        }
    }
}

/// A public key as OpenSSH writes it (`ssh-ed25519 AAAA… comment`): its text without the comment,
/// its SHA-256 fingerprint, and the comment.
pub fn parse_key(text: &str) -> Result<(String, String, String)> {
    let text = text.trim();
    let key = PublicKey::from_openssh(text).map_err(|e| {
        anyhow!(
            "--key {:?} is not an OpenSSH public key (`ssh-ed25519 AAAA… comment`, as in ~/.ssh/id_ed25519.pub): {e}",
            clean_line(&text.chars().take(60).collect::<String>())
        )
    })?;
    let comment = key.comment().to_string();
    let bare = PublicKey::new(key.key_data().clone(), "");
    let openssh = bare
        .to_openssh()
        .map_err(|e| anyhow!("cannot write the key back: {e}"))?;
    let fingerprint = key.fingerprint(HashAlg::Sha256).to_string();
    Ok((openssh.trim().to_string(), fingerprint, clean_line(&comment)))
}

fn add(
    store: &Store,
    name: &str,
    key: &str,
    role: AccessRole,
    incident: Option<i64>,
    out: &mut dyn Write,
) -> Result<()> {
    let (key, fingerprint, comment) = parse_key(key)?;
    store.add_access(&NewAccess {
        name: name.to_string(),
        key,
        fingerprint: fingerprint.clone(),
        role,
        incident_id: incident,
        comment,
    })?;
    let scope = incident.map_or("every incident".to_string(), |i| format!("incident #{i} only"));
    writeln!(
        out,
        "Allowed {} as {role} on {scope} ({fingerprint})",
        clean_line(name).trim()
    )?;
    Ok(())
}

fn list(store: &Store, out: &mut dyn Write) -> Result<()> {
    let list = store.access_list()?;
    if list.is_empty() {
        writeln!(out, "No keys yet: `debrief access add NAME --key 'ssh-ed25519 AAAA…'`")?;
        return Ok(());
    }
    for a in list {
        let scope = a
            .incident_id
            .map_or("all incidents".to_string(), |i| format!("incident #{i}"));
        let comment = if a.comment.is_empty() {
            String::new()
        } else {
            format!("  {}", a.comment)
        };
        writeln!(out, "{}  {}  {}  {}{comment}", a.name, a.role, scope, a.fingerprint)?;
    }
    Ok(())
}

/// `debrief invite`: a code for NAME on one incident, spent by the first key that presents it.
pub fn invite(store: &Store, args: InviteArgs, out: &mut dyn Write) -> Result<()> {
    let code = new_code()?;
    let expires_at = chrono::Utc::now() + chrono::Duration::from_std(args.valid_for)?;
    store.add_invitation(&crate::store::access::NewInvitation {
        code_sha256: crate::store::access::code_sha256(&code),
        name: args.name.clone(),
        role: args.role,
        incident_id: args.id,
        expires_at,
    })?;
    let host = args.host.map_or_else(host_name, |h| clean_line(&h));
    writeln!(out, "ssh -t -p {} invite-{code}@{host}", args.port)?;
    Ok(())
}

/// 128 random bits, in hex.
fn new_code() -> Result<String> {
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut bytes))
        .map_err(|e| anyhow!("cannot read /dev/urandom for an invitation code: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// This machine's name (gethostname), else "localhost".
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer and its length are ours; gethostname writes at most that many bytes.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    let name = clean_line(&String::from_utf8_lossy(&buf[..end]));
    if rc != 0 || name.is_empty() {
        "localhost".into()
    } else {
        name
    }
}
