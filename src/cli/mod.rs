//! The shell commands, one file per family. Each prints plain text (or JSON / CSV where asked)
//! and exits non-zero with one line naming what failed when something is wrong.

mod access;
mod actions;
mod backup;
mod export;
mod follow;
mod history;
mod import;
mod incidents;
mod log;
mod participants;
mod progress;
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
    /// The console draws with ASCII only (borders, markers), whatever TERM and the locale say
    #[arg(long, global = true, conflicts_with = "unicode")]
    pub ascii: bool,
    /// The console draws with Unicode (box drawing, arrows) even in a C or POSIX locale
    #[arg(long, global = true)]
    pub unicode: bool,
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
        /// Machine-readable JSON
        #[arg(long)]
        json: bool,
        /// Archived incidents too
        #[arg(long)]
        all: bool,
    },
    /// Show one incident: durations, timeline, causes, actions and what is missing
    Show {
        /// The incident
        id: i64,
        /// The document as JSON, with its durations and what is missing
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
        /// The incident
        id: i64,
        /// Start in meeting mode
        #[arg(long)]
        meeting: bool,
    },
    /// Load an incident exported with `export --format json`, as a new incident
    Load {
        /// A document written by `debrief export ID --format json`
        file: PathBuf,
    },
    /// Export an incident
    Export {
        /// The incident
        id: i64,
        /// md (the postmortem), json (the lossless document) or csv (the actions)
        #[arg(long, short, default_value = "md", value_parser = ["md", "json", "csv"])]
        format: String,
        /// Write to FILE instead of standard output (- is standard output). An existing file
        /// is replaced whole, keeping its mode; a symbolic link is written through; anything
        /// else that is not a regular file (a device, a FIFO, a directory) is refused
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        /// internal (the team: everything) or external (vendors, other teams: internal items
        /// left out; e-mail addresses, IP addresses, tokens and keys masked; what was left out
        /// is said on standard error)
        #[arg(long, default_value = "internal", value_parser = ["internal", "external"])]
        audience: String,
    },
    /// Check that the review is complete: exits 1 and lists what is missing otherwise
    Check {
        /// The incident
        id: i64,
    },
    /// Actions across incidents: what is owed, and what is overdue
    Actions(ActionsArgs),
    /// Participants of a review
    Participant {
        #[command(subcommand)]
        command: ParticipantCommand,
    },
    /// Who changed what, and when
    History {
        /// The incident
        id: i64,
    },
    /// Print a shell completion script: `debrief completions bash > ~/.local/share/bash-completion/completions/debrief`
    Completions {
        /// bash, zsh, fish, elvish or powershell
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `debrief man > ~/.local/share/man/man1/debrief.1`; `debrief man log` is debrief-log(1)
    Man {
        /// One command's page
        command: Option<String>,
    },
    /// Write a consistent copy of the database to FILE while consoles keep working (never `cp` a
    /// live database: the copy can be torn)
    Backup {
        /// Where the copy goes; an existing file there must be a debrief database (it is replaced)
        file: PathBuf,
    },
    /// Add an action to a review, or change one (status, reason, owner, due date)
    Action {
        #[command(subcommand)]
        command: ActionCommand,
    },
    /// Set a cause's state on the checklist (and its notes)
    Cause {
        #[command(subcommand)]
        command: CauseCommand,
    },
    /// Close a review; refused while any action is still to do (they are listed)
    Close {
        /// The incident
        id: i64,
    },
    /// Reopen a closed review (back to "in review"); the reason goes into the history
    Reopen {
        /// The incident
        id: i64,
        /// Why it is reopened
        #[arg(long, required = true)]
        reason: String,
    },
    /// Per owner, the actions overdue and due soon across incidents; exits 1 when any is overdue
    Remind(RemindArgs),
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
        /// Archived incidents too
        #[arg(long)]
        all: bool,
    },
    /// Archive an incident: hidden from the list and the statistics unless asked (`--undo` brings it back)
    Archive {
        /// The incident
        id: i64,
        /// Bring an archived incident back
        #[arg(long)]
        undo: bool,
    },
    /// Delete an incident and everything in it (asks first on a terminal; `--yes` otherwise)
    Delete {
        /// The incident
        id: i64,
        /// Delete without asking
        #[arg(long)]
        yes: bool,
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
        /// The person's name: the author of every change made with this key
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
        /// The key's name, or its SHA256: fingerprint
        #[arg(value_name = "NAME|FINGERPRINT")]
        who: String,
    },
}

fn parse_role(s: &str) -> std::result::Result<crate::store::access::AccessRole, String> {
    s.parse().map_err(|e: crate::store::access::UnknownRole| e.to_string())
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// The incident [default: the one open in a console, else the most recently changed one]
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
    /// Mark it internal: left out of `export --audience external`, hidden from observers
    #[arg(long)]
    pub internal: bool,
    /// Mark it as a key event of the story (the postmortem's Timeline shows it)
    #[arg(long)]
    pub key: bool,
    #[arg(required = true, num_args = 1.., allow_hyphen_values = true)]
    /// What happened; a leading time (`14:32 rolled back`) is read as --at
    pub text: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The incident [default: the one open in a console, else the most recently changed one]
    #[arg(short = 'i', long = "incident")]
    pub incident: Option<i64>,
    /// auto, or a format by name (csv, jsonl, journald, logfmt, klog, log, slack …; the README lists them)
    #[arg(long, default_value = "auto")]
    pub format: String,
    /// The field holding the time in JSON lines or logfmt (dotted for nested: `event.created`)
    #[arg(long, value_name = "NAME")]
    pub time_field: Option<String>,
    /// The field holding the text in JSON lines or logfmt
    #[arg(long, value_name = "NAME")]
    pub text_field: Option<String>,
    /// The field holding the level in JSON lines or logfmt
    #[arg(long, value_name = "NAME")]
    pub level_field: Option<String>,
    /// Show what would be imported, and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// The kind of events whose file does not say and whose line has no level
    #[arg(long, default_value = "observation")]
    pub kind: String,
    /// The zone of times in the file without an offset [default: this machine's, from TZ or the system]
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// Leave out lines below this level: debug, info, notice, warn, error or critical (lines
    /// without a level are kept)
    #[arg(long, value_name = "LEVEL")]
    pub min_level: Option<String>,
    /// The kind lines of a level get, over the default (debug, info, notice=note; warn=observation;
    /// error, critical=alert): LEVEL=KIND, comma-separated, the option repeatable
    /// (--kinds warn=alert,info=observation)
    #[arg(long, value_name = "LEVEL=KIND,…")]
    pub kinds: Vec<String>,
    /// The channel to read from a Slack export (its .zip or folder); an export of several
    /// channels without it lists them
    #[arg(long, value_name = "NAME")]
    pub channel: Option<String>,
    /// The file (a Slack export's .zip or folder too), or - to read standard input
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum ActionCommand {
    /// Add an action; its due date defaults from the incident's severity (prints what it did)
    Add {
        /// The incident
        id: i64,
        /// The action's title
        #[arg(required = true, num_args = 1..)]
        title: Vec<String>,
        /// fix, monitoring or process
        #[arg(long, default_value = "fix")]
        kind: String,
        /// Who owns it
        #[arg(long)]
        owner: Option<String>,
        /// When it is due: 2026-12-05, +7d, fri [default: by severity, see config.toml]
        #[arg(long)]
        due: Option<String>,
    },
    /// Change an action: `--status not_doing` needs `--reason`
    Set {
        /// The incident
        id: i64,
        /// The action's id (as `debrief show` and `debrief actions` list it)
        action: i64,
        /// todo, doing, done or not_doing
        #[arg(long)]
        status: Option<String>,
        /// Why it is not being done
        #[arg(long)]
        reason: Option<String>,
        /// Who owns it
        #[arg(long)]
        owner: Option<String>,
        /// When it is due: 2026-12-05, +7d, fri ("" clears it)
        #[arg(long)]
        due: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum CauseCommand {
    /// Set a cause's state: `accepted_risk` needs `--reason`
    Set {
        /// The incident
        id: i64,
        /// The cause: its id, or its name (third_party, software_update, rare_edge_case,
        /// infrastructure, overload, or a custom cause's name)
        cause: String,
        /// unexamined, suspected, ruled_out, confirmed or accepted_risk
        #[arg(long)]
        state: String,
        /// Why its risk is accepted (for accepted_risk)
        #[arg(long)]
        reason: Option<String>,
        /// Replace the cause's notes
        #[arg(long)]
        note: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RemindArgs {
    /// How far ahead "due soon" reaches: 7d, 2weeks …
    #[arg(long, default_value = "7d")]
    pub within: String,
    /// text, md (to paste into a chat or mail) or json
    #[arg(long, default_value = "text")]
    pub format: String,
    /// The day to remind on (YYYY-MM-DD) [default: today]
    #[arg(long, value_name = "DATE", value_parser = crate::export::stats::parse_day)]
    pub today: Option<chrono::NaiveDate>,
}

#[derive(Debug, Args)]
pub struct ActionsArgs {
    /// Only this owner's actions (case does not matter)
    #[arg(long, conflicts_with = "mine")]
    pub owner: Option<String>,
    /// Only the actions owned by the author (--author, $DEBRIEF_AUTHOR, else the login name)
    #[arg(long)]
    pub mine: bool,
    /// Only actions past their due date and not done
    #[arg(long)]
    pub overdue: bool,
    /// Statuses to show, comma-separated: todo,doing,done,not_doing
    #[arg(long, value_delimiter = ',')]
    pub status: Vec<String>,
    #[arg(long, conflicts_with = "csv")]
    /// As JSON
    pub json: bool,
    /// As CSV, for a spreadsheet or a ticket system
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum ParticipantCommand {
    /// Add a participant (or change their role)
    Add {
        /// The incident
        id: i64,
        /// The participant's name
        name: String,
        /// developer, operator, architect, external_provider, facilitator or other
        #[arg(long, default_value = "other")]
        role: String,
    },
    /// List the participants
    List {
        /// The incident
        id: i64,
    },
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
        Command::List { json, all } => incidents::list(store, json, all, out)?,
        Command::Show { id, json } => incidents::show(store, id, json, out)?,
        Command::Log(args) => log::log(store, args, out)?,
        Command::Import(args) => import::import(store, args, out)?,
        Command::Demo => incidents::demo(store, out)?,
        // main.rs opens the console for `open` (and for no command at all).
        Command::Open { .. } => bail!("the console is opened by main"),
        Command::Load { file } => incidents::load(store, &file, out)?,
        Command::Export {
            id,
            format,
            output,
            audience,
        } => export::export(store, id, &format, output, &audience, out)?,
        Command::Check { id } => return incidents::check(store, id, out),
        Command::Actions(args) => actions::actions(store, args, out)?,
        Command::Participant { command } => participants::participant(store, command, out)?,
        Command::Stats { json, from, to, all } => {
            let period = crate::export::stats::Period { from, to };
            stats::stats(store, period, Local::now().date_naive(), json, all, out)?;
        }
        Command::Archive { id, undo } => follow::archive(store, id, undo, out)?,
        Command::Delete { id, yes } => follow::delete(store, id, yes, out)?,
        Command::Backup { file } => backup::backup(store, &file, out)?,
        Command::Action { command } => follow::action(store, command, Local::now().date_naive(), out)?,
        Command::Close { id } => return follow::close(store, id, out),
        Command::Cause { command } => follow::cause(store, command, out)?,
        Command::Reopen { id, reason } => follow::reopen(store, id, &reason, out)?,
        Command::Remind(args) => {
            let today = args.today.unwrap_or_else(|| Local::now().date_naive());
            return follow::remind(store, args, today, out);
        }
        Command::History { id } => history::history(store, id, out)?,
        Command::Completions { .. } | Command::Man { .. } => bail!("printed by main without a database"),
        Command::Access { command } => access::access(store, command, out)?,
        Command::Invite(args) => access::invite(store, args, out)?,
        // main.rs runs the server.
        Command::Serve(_) => bail!("the server is started by main"),
    }
    Ok(0)
}

/// `-i ID`, else the incident open in a console, else the most recently changed one.
pub(super) fn target_incident(store: &Store, flag: Option<i64>) -> Result<i64> {
    match flag {
        Some(id) => Ok(id),
        None => store.most_recent_open_incident()?.ok_or_else(|| {
            anyhow!("there is no incident to import into; start one with `debrief new TITLE` or name one with -i ID")
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

/// `debrief completions SHELL`: the completion script for that shell.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<i32> {
    use clap::CommandFactory;
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "debrief", &mut buf);
    out.write_all(&buf)?;
    Ok(0)
}

/// `debrief man [COMMAND]`: the manual page (roff) of debrief, or of one of its commands
/// (`debrief-log(1)`).
pub fn man(command: Option<&str>, out: &mut dyn Write) -> Result<i32> {
    use clap::CommandFactory;
    let top = Cli::command();
    let page = match command {
        None => top,
        Some(name) => {
            let sub = top
                .find_subcommand(name)
                .ok_or_else(|| anyhow!("no command \"{name}\" (debrief --help lists them)"))?
                .clone();
            let full = format!("debrief-{}", sub.get_name());
            sub.name(full)
        }
    };
    let mut buf = Vec::new();
    clap_mangen::Man::new(page).render(&mut buf)?;
    out.write_all(&buf)?;
    Ok(0)
}

/// Opens the store for a command line; errors are worded for people.
pub fn open_store(cli: &Cli) -> Result<Store> {
    let path = crate::env::resolve_db(cli.db.clone())?;
    let author = crate::env::resolve_author(cli.author.as_deref());
    Store::open(&path, &author).map_err(|e: StoreError| anyhow!(e))
}
