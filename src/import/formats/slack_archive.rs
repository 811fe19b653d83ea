//! A whole Slack export: the .zip Slack gives, or the folder it unpacks to (`users.json`, and a
//! folder per channel holding a file per day, `inc-payments/2026-11-26.json`). One channel is
//! read: every day of it in order, with the names `users.json` gives.
//!
//! Bounded whatever the archive holds: each day file (and `users.json`) is read up to a limit
//! and no further (a member that inflates without end stops there), the channel's days together
//! too, and so is the number of members looked at.

use super::{ImportError, MAX_SLACK_FILE, Out, sanitize, short, slack};
use crate::store::files::io_reason;
use serde::Deserialize;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The most bytes of day files one channel may hold.
pub const MAX_SLACK_CHANNEL: u64 = 256 * 1024 * 1024;
/// The largest `users.json` read.
const MAX_USERS_FILE: u64 = 64 * 1024 * 1024;
/// The most members (files) of an archive looked at.
const MAX_MEMBERS: usize = 200_000;

/// A Slack export (its .zip or its folder) and the channel to read from it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SlackExport {
    pub path: PathBuf,
    pub channel: String,
}

/// A member of an archive: its index (in a .zip) and its path inside it, with `/`.
type Member = (usize, String);

/// Where the export's files are.
enum Archive {
    Zip(Box<zip::ZipArchive<File>>),
    Folder(PathBuf),
}

/// Whether `path` is a Slack export: a folder, or a file that starts as a zip does. `None`: an
/// ordinary file (read as any other). With several channels and none named, the error lists
/// them; a channel the export does not hold is an error listing those it does.
pub fn export_at(path: &Path, channel: Option<&str>) -> Result<Option<SlackExport>, ImportError> {
    // Neither a folder nor a regular file (missing, a pipe, a device): not an export, and not
    // opened here (a pipe would be read, or block).
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() || meta.is_file() => {}
        _ => return Ok(None),
    }
    let shown = sanitize::clean_line(&path.to_string_lossy());
    let Some((archive, members)) = open(path, &shown)? else {
        return Ok(None);
    };
    drop(archive);
    let channels = channels(&members);
    let list = || {
        channels
            .iter()
            .map(|c| sanitize::clean_line(c))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let chosen = match (channel.map(str::trim), channels.as_slice()) {
        // A folder of something else: not an export (the caller says it is a folder).
        (None, []) if path.is_dir() => return Ok(None),
        (_, []) => {
            return Err(problem(
                &shown,
                "holds no channel (no folder of day files such as inc-payments/2026-11-26.json); is it a Slack export?",
            ));
        }
        (Some(name), _) if channels.iter().any(|c| c == name.trim_start_matches('#')) => {
            name.trim_start_matches('#').to_string()
        }
        (Some(name), _) => {
            return Err(problem(
                &shown,
                &format!("holds no channel \"{}\"; its channels: {}", short(name), list()),
            ));
        }
        (None, [only]) => only.clone(),
        (None, _) => {
            return Err(problem(
                &shown,
                &format!(
                    "holds {} channels: {}; name one with --channel NAME (the console's Channel field)",
                    channels.len(),
                    list()
                ),
            ));
        }
    };
    Ok(Some(SlackExport {
        path: path.to_path_buf(),
        channel: chosen,
    }))
}

/// The channels of the Slack export at `path` (empty when it is none, or cannot be read): the
/// console names them where its Channel field is, rather than after a path.
pub fn export_channels(path: &Path) -> Vec<String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() || meta.is_file() => {}
        _ => return Vec::new(),
    }
    match open(path, "") {
        Ok(Some((_, members))) => channels(&members).iter().map(|c| sanitize::clean_line(c)).collect(),
        _ => Vec::new(),
    }
}

/// Reads the channel's days in order into `out` (positions count its messages from the first
/// day on).
pub(super) fn read(export: &SlackExport, out: &mut Out) -> Result<(), ImportError> {
    let shown = out.file.clone();
    let Some((mut archive, members)) = open(&export.path, &shown)? else {
        return Err(problem(&shown, "is no longer a Slack export (.zip or folder)"));
    };
    let mut names = match members.iter().find(|(_, name)| name == "users.json") {
        Some(member) => users(&read_member(&mut archive, member, MAX_USERS_FILE, &shown)?, &shown)?,
        None => HashMap::new(),
    };
    let mut days: Vec<&Member> = members
        .iter()
        .filter(|(_, name)| day_of(name).is_some_and(|(c, _)| c == export.channel))
        .collect();
    days.sort_by(|a, b| a.1.cmp(&b.1));
    let mut reading = slack::Reading::default();
    reading.origin = super::clean_author(&format!("#{}", export.channel));
    let mut total = 0u64;
    for member in days {
        let bytes = read_member(&mut archive, member, MAX_SLACK_FILE as u64, &shown)?;
        total += bytes.len() as u64;
        if total > MAX_SLACK_CHANNEL {
            return Err(problem(
                &shown,
                &format!(
                    "channel {} holds more than {} MiB of messages (the most one import reads)",
                    short(&export.channel),
                    MAX_SLACK_CHANNEL / (1024 * 1024)
                ),
            ));
        }
        let file = format!("{shown}: {}", sanitize::clean_line(&member.1));
        let messages = slack::read_messages(bytes.as_slice(), &file)?;
        reading.day(&messages, &mut names, out)?;
    }
    Ok(())
}

fn problem(file: &str, message: &str) -> ImportError {
    ImportError::Export {
        file: file.to_string(),
        message: message.to_string(),
    }
}

/// The archive and its members (index, path inside it with `/`), or `None` for a file that is
/// not a zip.
fn open(path: &Path, shown: &str) -> Result<Option<(Archive, Vec<Member>)>, ImportError> {
    let cannot = |e: std::io::Error| problem(shown, &format!("cannot read it: {}", io_reason(&e)));
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return folder(path, shown).map(Some);
    }
    let mut file = File::open(path).map_err(cannot)?;
    let mut magic = [0u8; 4];
    let n = file.read(&mut magic).map_err(cannot)?;
    if n < 4 || magic != *b"PK\x03\x04" {
        return Ok(None);
    }
    let zip = zip::ZipArchive::new(file)
        .map_err(|e| problem(shown, &format!("cannot read it as a .zip: {}", short(&e.to_string()))))?;
    if zip.len() > MAX_MEMBERS {
        return Err(problem(
            shown,
            &format!("holds more than {MAX_MEMBERS} files; is it a Slack export?"),
        ));
    }
    let members: Vec<Member> = zip
        .file_names_raw()
        .enumerate()
        .map(|(i, raw)| (i, String::from_utf8_lossy(raw).into_owned()))
        .collect();
    Ok(Some((Archive::Zip(Box::new(zip)), within_one_folder(members))))
}

/// The members of a .zip made of the unpacked folder (`slack-export/users.json`,
/// `slack-export/inc-payments/2026-11-26.json`): named as in Slack's own .zip.
fn within_one_folder(members: Vec<Member>) -> Vec<Member> {
    if !channels(&members).is_empty() {
        return members;
    }
    let Some(top) = members
        .first()
        .and_then(|(_, m)| m.split_once('/'))
        .map(|(top, _)| format!("{top}/"))
    else {
        return members;
    };
    if !members.iter().all(|(_, m)| m.starts_with(&top)) {
        return members;
    }
    members
        .into_iter()
        .map(|(i, m)| (i, m[top.len()..].to_string()))
        .collect()
}

/// An unpacked export (`users.json`, a folder per channel), or one channel's folder of days
/// (its users then in the folder above).
fn folder(path: &Path, shown: &str) -> Result<(Archive, Vec<Member>), ImportError> {
    let listed = |dir: &Path| -> Result<Vec<(String, bool)>, ImportError> {
        let entries =
            std::fs::read_dir(dir).map_err(|e| problem(shown, &format!("cannot list it: {}", io_reason(&e))))?;
        let mut names = Vec::new();
        for entry in entries.take(MAX_MEMBERS).flatten() {
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            names.push((entry.file_name().to_string_lossy().into_owned(), is_dir));
        }
        Ok(names)
    };
    let top = listed(path)?;
    if top.iter().any(|(name, dir)| !dir && is_day(name)) {
        // One channel's folder: its days, and the export's users.json above it if there is one.
        let channel = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let root = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let mut members: Vec<String> = top
            .iter()
            .filter(|(name, dir)| !dir && is_day(name))
            .map(|(name, _)| format!("{channel}/{name}"))
            .collect();
        if root.join("users.json").is_file() {
            members.push("users.json".into());
        }
        return Ok((Archive::Folder(root), members.into_iter().enumerate().collect()));
    }
    let mut members = Vec::new();
    for (name, dir) in &top {
        if !dir {
            members.push(name.clone());
            continue;
        }
        for (day, sub) in listed(&path.join(name))? {
            if !sub && is_day(&day) {
                members.push(format!("{name}/{day}"));
            }
        }
        if members.len() > MAX_MEMBERS {
            return Err(problem(
                shown,
                &format!("holds more than {MAX_MEMBERS} files; is it a Slack export?"),
            ));
        }
    }
    Ok((
        Archive::Folder(path.to_path_buf()),
        members.into_iter().enumerate().collect(),
    ))
}

/// `2026-11-26.json`
fn is_day(name: &str) -> bool {
    let Some(date) = name.strip_suffix(".json") else {
        return false;
    };
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() && date.len() == 10
}

/// `inc-payments/2026-11-26.json` as its channel and day.
fn day_of(member: &str) -> Option<(&str, &str)> {
    let (channel, day) = member.split_once('/')?;
    (!channel.is_empty() && is_day(day)).then_some((channel, day))
}

/// The channels: folders holding day files, sorted.
fn channels(members: &[Member]) -> Vec<String> {
    let mut found: Vec<String> = members
        .iter()
        .filter_map(|(_, m)| day_of(m).map(|(c, _)| c.to_string()))
        .collect();
    found.sort();
    found.dedup();
    found
}

/// A member's bytes, at most `limit` of them (more is an error naming it: a member never
/// inflates past the limit).
fn read_member(archive: &mut Archive, member: &Member, limit: u64, shown: &str) -> Result<Vec<u8>, ImportError> {
    let (index, name) = member;
    let here = format!("{shown}: {}", sanitize::clean_line(name));
    let cannot = |e: &dyn std::fmt::Display| problem(&here, &format!("cannot read it: {}", short(&e.to_string())));
    let mut bytes = Vec::new();
    match archive {
        Archive::Zip(zip) => {
            let file = zip.by_index(*index).map_err(|e| cannot(&e))?;
            file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| cannot(&e))?;
        }
        Archive::Folder(root) => {
            let path = root.join(name);
            crate::store::files::refuse_if_open(&path).map_err(|e| cannot(&e))?;
            let file = File::open(path).map_err(|e| cannot(&e))?;
            file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| cannot(&e))?;
        }
    }
    if bytes.len() as u64 > limit {
        return Err(problem(
            &here,
            &format!(
                "larger than {} MiB (the most one file of an export may hold)",
                limit / (1024 * 1024)
            ),
        ));
    }
    Ok(bytes)
}

#[derive(Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    profile: Option<Profile>,
}

#[derive(Deserialize)]
struct Profile {
    #[serde(default)]
    real_name: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// `users.json`: each user's id and the name to show (real name, else display name, else
/// user name).
fn users(bytes: &[u8], shown: &str) -> Result<HashMap<String, String>, ImportError> {
    let text = String::from_utf8_lossy(bytes);
    let users: Vec<User> = serde_json::from_str(text.trim_start_matches('\u{feff}')).map_err(|e| {
        problem(
            &format!("{shown}: users.json"),
            &format!("expected a list of users: {}", super::jsonl::json_problem(&e)),
        )
    })?;
    let mut names = HashMap::new();
    for u in users {
        let profile = u.profile.as_ref();
        let name = [
            u.real_name.as_deref(),
            profile.and_then(|p| p.real_name.as_deref()),
            profile.and_then(|p| p.display_name.as_deref()),
            u.name.as_deref(),
        ]
        .into_iter()
        .flatten()
        .find_map(super::clean_author);
        if let Some(name) = name {
            names.insert(u.id, name);
        }
    }
    Ok(names)
}
