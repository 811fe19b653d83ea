//! The shell commands, one file per family. Each prints plain text (or JSON / CSV where asked)
//! and exits non-zero with one line naming what failed when something is wrong.

mod access;
mod actions;
mod backup;
mod export;
mod history;
mod import;
mod incidents;
mod log;
mod participants;
mod stats;

use crate::store::{Store, StoreError};
use anyhow::{Result, anyhow, bail};
use chrono::Local;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "debrief",
    version,
    about = "The console for the review that follows a critical IT outage"
)]
pub struct Cli {
    /// The database file [default: $DEBRIEF_DB, else $XDG_DATA_HOME/debrief/debrief.db]
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is making the changes [default: $DEBRIEF_AUTHOR, else the login name]
    #[arg(long, global = true, value_name = "NAME")]
    pub author: Option<String>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Start a new incident review; prints its id
    New {
        /// The incident's title
        #[arg(required = true, num_args = 1..)]
        title: Vec<String>,
        /// 1 (worst) to 4
        #[arg(long, short, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=4))]
        severity: u8,
        /// IANA time zone the incident is read in [default: the local zone]
        #[arg(long)]
        zone: Option<String>,
        /// When the impact started (becomes the "impact started" milestone)
        #[arg(long, value_name = "TIME")]
        started: Option<String>,
    },
    /// List the incidents
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one incident: durations, timeline, causes, actions and what is missing
    Show {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Append an event to a timeline: `debrief log 14:32 rolled back the release`
    Log(LogArgs),
    /// Import timeline events from a file (or - for standard input), all or nothing
    Import(ImportArgs),
    /// Load the demo incident and print its id
    Demo,
    /// Open the console on one incident
    Open {
        id: i64,
        /// Start in meeting mode
        #[arg(long)]
        meeting: bool,
    },
    /// Load an incident exported with `export --format json`, as a new incident
    Load { file: PathBuf },
    /// Export an incident
    Export {
        id: i64,
        #[arg(long, short, default_value = "md", value_parser = ["md", "json", "csv"])]
        format: String,
        /// Write to FILE instead of standard output (- is standard output). An existing file
        /// is replaced whole, keeping its mode; a symbolic link is written through; anything
        /// else that is not a regular file (a device, a FIFO, a directory) is refused
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check that the review is complete: exits 1 and lists what is missing otherwise
    Check { id: i64 },
    /// Actions across incidents: what is owed, and what is overdue
    Actions(ActionsArgs),
    /// Participants of a review
    Participant {
        #[command(subcommand)]
        command: ParticipantCommand,
    },
    /// Who changed what, and when
    History { id: i64 },
    /// Write a consistent copy of the database to FILE while consoles keep working (never `cp` a
    /// live database: the copy can be torn)
    Backup {
        /// Where the copy goes; an existing file there must be a debrief database (it is replaced)
        file: PathBuf,
    },
    /// Across incidents: confirmed causes, time to detect and resolve, open actions per owner
    Stats {
        /// Machine-readable JSON (durations in seconds) instead of text
        #[arg(long)]
        json: bool,
        /// Only incidents whose impact started on or after this day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = crate::export::stats::parse_day)]
        from: Option<chrono::NaiveDate>,
        /// Only incidents whose impact started on or before this day (YYYY-MM-DD)
        #[arg(long, value_name = "DATE", value_parser = crate::export::stats::parse_day)]
        to: Option<chrono::NaiveDate>,
    },
    /// Who may join over SSH (`debrief serve`): keys, their names, roles and incidents
    Access {
        #[command(subcommand)]
        command: AccessCommand,
    },
    /// Serve the consoles over SSH: each key on the access list joins under its own name
    Serve(ServeArgs),
    /// Invite someone whose key you do not have yet: prints the one `ssh` command they run
    Invite(InviteArgs),
}

#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The incident they may see (the only one)
    pub id: i64,
    /// Their name: the author of every change they make
    pub name: String,
    /// participant or observer
    #[arg(long, default_value = "participant", value_parser = parse_invited_role)]
    pub role: crate::store::access::AccessRole,
    /// How long the code can be used: 30m, 24h, 7d
    #[arg(long = "for", value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub valid_for: std::time::Duration,
    /// The host name they connect to [default: this machine's name]
    #[arg(long)]
    pub host: Option<String>,
    /// The port `debrief serve` listens on
    #[arg(long, default_value_t = 2222)]
    pub port: u16,
}

fn parse_invited_role(s: &str) -> std::result::Result<crate::store::access::AccessRole, String> {
    match parse_role(s)? {
        crate::store::access::AccessRole::Facilitator => Err(
            "an invitation is for a participant or an observer; add a facilitator's key with `debrief access add`"
                .into(),
        ),
        role => Ok(role),
    }
}

fn parse_duration(s: &str) -> std::result::Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{s:?} is not a duration such as 30m, 24h or 7d: {e}"))?;
    if d.is_zero() || d > std::time::Duration::from_secs(90 * 24 * 3600) {
        return Err(format!(
            "{s:?}: an invitation lasts more than nothing and at most 90 days"
        ));
    }
    Ok(d)
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen; any address other than the default must be given explicitly
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:2222")]
    pub listen: std::net::SocketAddr,
    /// The server's ed25519 key, created (mode 0600) if missing [default: next to the database]
    #[arg(long, value_name = "PATH")]
    pub host_key: Option<PathBuf>,
    /// At most this many sessions at once; one more is refused with a message
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub max_sessions: usize,
}

#[derive(Debug, Subcommand)]
pub enum AccessCommand {
    /// Allow a public key in under NAME, the author of every change made with it
    Add {
        name: String,
        /// The public key as OpenSSH writes it: 'ssh-ed25519 AAAA… comment'
        #[arg(long, value_name = "KEY")]
        key: String,
        /// facilitator (everything), participant (no deleting incidents, no ending the meeting)
        /// or observer (looks only)
        #[arg(long, default_value = "participant", value_parser = parse_role)]
        role: crate::store::access::AccessRole,
        /// The only incident this key may see [default: all of them]
        #[arg(long, value_name = "ID")]
        incident: Option<i64>,
    },
    /// The keys allowed in
    List,
    /// Remove a key (by its name or its SHA256: fingerprint); its live sessions end
    Revoke {
        #[arg(value_name = "NAME|FINGERPRINT")]
        who: String,
    },
}

fn parse_role(s: &str) -> std::result::Result<crate::store::access::AccessRole, String> {
    s.parse().map_err(|e: crate::store::access::UnknownRole| e.to_string())
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The incident [default: the most recently active open one]
    #[arg(short = 'i', long = "incident")]
    pub incident: Option<i64>,
    /// When it happened [default: a time at the start of TEXT, else now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// alert, deploy, action, communication, observation or note
    #[arg(long, default_value = "note")]
    pub kind: String,
    /// impact_started, detected, acknowledged, mitigated or resolved
    #[arg(long)]
    pub milestone: Option<String>,
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The incident [default: the most recently active open one]
    #[arg(short = 'i', long = "incident")]
    pub incident: Option<i64>,
    /// auto, csv, jsonl, log or slack
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// Show what would be imported, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// The kind of events whose file does not say
    #[arg(long, default_value = "observation")]
    pub kind: String,
    /// The file, or - to read standard input
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ActionsArgs {
    #[arg(long)]
    pub owner: Option<String>,
    /// Only actions past their due date and not done
    #[arg(long)]
    pub overdue: bool,
    /// Statuses to show, comma-separated: todo,doing,done
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Add a participant (or change their role)
    Add {
        id: i64,
        name: String,
        /// developer, operator, architect, external_provider, facilitator or other
        #[arg(long, default_value = "other")]
        role: String,
    },
    /// List the participants
    List { id: i64 },
}

pub fn run(cli: Cli, store: &Store, out: &mut dyn Write) -> Result<i32> {
    let Some(command) = cli.command else {
        bail!("no command");
    };
    match command {
        Command::New {
            title,
            severity,
            zone,
            started,
        } => incidents::new(store, title, severity, zone, started, out)?,
        Command::List { json } => incidents::list(store, json, out)?,
        Command::Show { id, json } => incidents::show(store, id, json, out)?,
        Command::Log(args) => log::log(store, args, out)?,
        Command::Import(args) => import::import(store, args, out)?,
        Command::Demo => incidents::demo(store, out)?,
        // main.rs opens the console for `open` (and for no command at all).
        Command::Open { .. } => bail!("the console is opened by main"),
        Command::Load { file } => incidents::load(store, &file, out)?,
        Command::Export { id, format, output } => export::export(store, id, &format, output, out)?,
        Command::Check { id } => return incidents::check(store, id, out),
        Command::Actions(args) => actions::actions(store, args, out)?,
        Command::Participant { command } => participants::participant(store, command, out)?,
        Command::Stats { json, from, to } => {
            let period = crate::export::stats::Period { from, to };
            stats::stats(store, period, Local::now().date_naive(), json, out)?;
        }
        Command::Backup { file } => backup::backup(store, &file, out)?,
        Command::History { id } => history::history(store, id, out)?,
        Command::Access { command } => access::access(store, command, out)?,
        Command::Invite(args) => access::invite(store, args, out)?,
        // main.rs runs the server.
        Command::Serve(_) => bail!("the server is started by main"),
    }
    Ok(0)
}

/// `-i ID`, else the most recently active open incident.
pub(super) fn target_incident(store: &Store, flag: Option<i64>) -> Result<i64> {
    match flag {
        Some(id) => Ok(id),
        None => store.most_recent_open_incident()?.ok_or_else(|| {
            anyhow!("there is no open incident; start one with `debrief new TITLE` or name one with -i ID")
        }),
    }
}

/// Names the database in errors about the file that a command met halfway (see
/// [`Store::explain`]).
pub fn explain(e: anyhow::Error, store: &Store) -> anyhow::Error {
    match e.downcast::<StoreError>() {
        Ok(e) => anyhow!(store.explain(e)),
        Err(e) => e,
    }
}

/// Opens the store for a command line; errors are worded for people.
pub fn open_store(cli: &Cli) -> Result<Store> {
    let path = crate::env::resolve_db(cli.db.clone())?;
    let author = crate::env::resolve_author(cli.author.as_deref());
    Store::open(&path, &author).map_err(|e: StoreError| anyhow!(e))
}
