//! The shell commands. Each prints plain text (or JSON / CSV where asked) and exits non-zero with
//! one line naming what failed when something is wrong.

use crate::model::coverage;
use crate::model::time::{self, TimeContext};
use crate::model::{ActionStatus, EventKind, Incident, Milestone, Role, Severity, Source};
use crate::store::{ActionFilter, NewEvent, NewIncident, Store, StoreError};
use anyhow::{Context, Result, anyhow, bail};
use chrono::{Local, Utc};
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

pub fn time_context(store: &Store, incident: &Incident) -> Result<TimeContext> {
    Ok(TimeContext {
        zone: incident.tz(),
        now: Utc::now(),
        anchor: store.last_event_time(incident.id)?,
        around: None,
    })
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
        } => {
            let zone = zone.unwrap_or_else(|| {
                let local = crate::env::local_zone_checked();
                if let Some(warning) = &local.warning {
                    let _ = writeln!(std::io::stderr(), "debrief: warning: {warning}");
                }
                local.zone.name().to_string()
            });
            let tz = time::parse_zone(&zone)?;
            let started = started
                .map(|s| {
                    time::parse_time(
                        &s,
                        &TimeContext {
                            zone: tz,
                            now: Utc::now(),
                            anchor: None,
                            around: None,
                        },
                    )
                })
                .transpose()?;
            let id = store.create_incident(&NewIncident {
                title: title.join(" "),
                severity: Severity::from_number(severity).unwrap_or(Severity::Sev2),
                zone,
                started_at: started,
            })?;
            writeln!(out, "{id}")?;
        }
        Command::List { json } => {
            let rows = store.incident_summaries()?;
            if json {
                let list: Vec<_> = rows
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "id": s.incident.id, "title": s.incident.title, "severity": s.incident.severity,
                            "status": s.incident.status, "zone": s.incident.zone, "started": s.started,
                            "resolved": s.resolved, "events": s.events, "open_actions": s.open_actions,
                            "confirmed_causes": s.confirmed.iter().map(|c| c.label()).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&list)?)?;
            } else if rows.is_empty() {
                writeln!(
                    out,
                    "No incidents yet. Start one with `debrief new TITLE`, or load the demo with `debrief demo`."
                )?;
            } else {
                writeln!(
                    out,
                    "{:>4}  {:<4}  {:<10}  {:<16}  {:>6}  TITLE",
                    "ID", "SEV", "STATUS", "STARTED", "OPEN"
                )?;
                for s in rows {
                    let started = s
                        .started
                        .map(|t| t.with_timezone(&s.incident.tz()).format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "-".into());
                    writeln!(
                        out,
                        "{:>4}  {:<4}  {:<10}  {:<16}  {:>6}  {}",
                        s.incident.id,
                        s.incident.severity.label(),
                        s.incident.status.label(),
                        started,
                        s.open_actions,
                        s.incident.title
                    )?;
                }
            }
        }
        Command::Show { id, json } => {
            if json {
                let doc = store.export_document(id)?;
                writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&doc)?)?;
            } else {
                show(store, id, out)?;
            }
        }
        Command::Log(args) => {
            let id = match args.incident {
                Some(id) => id,
                None => store.most_recent_open_incident()?.ok_or_else(|| {
                    anyhow!(
                        "there is no open incident to log to; start one with `debrief new TITLE` or name one with -i ID"
                    )
                })?,
            };
            let incident = store.incident(id)?;
            let ctx = time_context(store, &incident)?;
            let kind: EventKind = args.kind.parse()?;
            let milestone = args.milestone.as_deref().map(str::parse::<Milestone>).transpose()?;
            let text = args.text.join(" ");
            let (at, text) = match &args.at {
                Some(at) => (time::parse_time(at, &ctx)?, text),
                None => time::split_quick_entry(&text, &ctx)?,
            };
            let eid = store.add_event(
                id,
                &NewEvent {
                    at,
                    kind,
                    text,
                    milestone,
                    source: Source::Logged,
                    author: None,
                },
            )?;
            writeln!(out, "{eid}")?;
        }
        Command::Import(args) => import(store, args, out)?,
        Command::Demo => {
            let id = crate::demo::load_demo(store).map_err(|e| match e {
                // Bare, so that `explain` names the database.
                crate::demo::DemoError::Store(e) => anyhow!(e),
                e => anyhow!(e),
            })?;
            writeln!(out, "{id}")?;
        }
        Command::Open { .. } => bail!("the console is opened by main"),
        Command::Load { file } => {
            crate::store::files::refuse_if_open(&file)?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let doc: crate::model::document::Document = serde_json::from_str(&text).map_err(|e| {
                anyhow!(
                    "{}:{}:{}: not a debrief incident document: {e}",
                    file.display(),
                    e.line(),
                    e.column()
                )
            })?;
            let id = store
                .load_document(&doc)
                .map_err(|e| anyhow!("{}: {e}", file.display()))?;
            writeln!(out, "{id}")?;
        }
        Command::Export { id, format, output } => {
            // `-o -` is standard output, as `import -` reads standard input.
            let file = output.filter(|p| p.as_os_str() != "-");
            if let Some(path) = &file {
                // Refused before anything is rendered: a device, a FIFO, a directory…
                crate::util::check_target(path)?;
            }
            let text = crate::export::export(store, id, &format, Local::now().date_naive()).map_err(|e| match e {
                // Bare, so that `explain` names the database.
                crate::export::ExportError::Store(e) => anyhow!(e),
                e => anyhow!(e),
            })?;
            match file {
                Some(path) => crate::util::write_atomically(&path, text.as_bytes())
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => out.write_all(text.as_bytes())?,
            }
        }
        Command::Check { id } => {
            let incident = store.incident(id)?;
            let gaps = coverage::gaps(&store.causes(id)?, &store.actions(id)?);
            if gaps.is_empty() {
                writeln!(out, "Review of incident {id} ({}) is complete.", incident.title)?;
                return Ok(0);
            }
            writeln!(out, "Review of incident {id} ({}) is not complete:", incident.title)?;
            for g in gaps {
                writeln!(out, "- {g}")?;
            }
            return Ok(1);
        }
        Command::Actions(args) => actions(store, args, out)?,
        Command::Participant { command } => match command {
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
        },
        Command::Stats { json, from, to } => {
            let period = crate::export::stats::Period { from, to };
            stats(store, period, Local::now().date_naive(), json, out)?;
        }
        Command::Backup { file } => {
            let done = store.backup(&file)?;
            writeln!(
                out,
                "backed up {} to {} ({} incidents, {} bytes, checked)",
                crate::model::sanitize::clean_line(&store.path().display().to_string()),
                crate::model::sanitize::clean_line(&done.path.display().to_string()),
                done.incidents,
                done.bytes
            )?;
        }
        Command::History { id } => {
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
        }
    }
    Ok(0)
}

/// `-i ID`, else the most recently active open incident.
fn target_incident(store: &Store, flag: Option<i64>) -> Result<i64> {
    match flag {
        Some(id) => Ok(id),
        None => store.most_recent_open_incident()?.ok_or_else(|| {
            anyhow!("there is no open incident; start one with `debrief new TITLE` or name one with -i ID")
        }),
    }
}

fn import(store: &Store, args: ImportArgs, out: &mut dyn Write) -> Result<()> {
    use crate::import::formats::Format;
    let id = target_incident(store, args.incident)?;
    let incident = store.incident(id)?;
    let ctx = crate::import::time_context(store, &incident, Utc::now(), store.last_event_time(id)?)?;
    let format: Format = args.format.parse()?;
    let default_kind: EventKind = args.kind.parse()?;
    let job = crate::import::Job::for_file(id, &args.file, format, default_kind);
    let name = job.name.clone();
    let reader: Box<dyn std::io::BufRead> = if args.file.as_os_str() == "-" && !args.dry_run {
        // Read to the end before the import takes the write lock: a slow pipe must not hold
        // every other writer up for as long as it takes to arrive.
        Box::new(std::io::BufReader::new(spool_stdin()?))
    } else if args.file.as_os_str() == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        crate::store::files::refuse_if_open(&args.file)?;
        let file = std::fs::File::open(&args.file).with_context(|| format!("cannot read {name}"))?;
        Box::new(std::io::BufReader::new(file))
    };
    let tz = incident.tz();
    let fmt = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
    if args.dry_run {
        let preview = crate::import::preview(store, &job, reader, &ctx, 5)?;
        let summary = &preview.summary;
        writeln!(
            out,
            "{name}: {} events as {} (dry run: nothing written)",
            summary.events, summary.format
        )?;
        if let (Some(a), Some(b)) = (summary.first, summary.last) {
            writeln!(out, "from {} to {} ({})", fmt(a), fmt(b), incident.zone)?;
        }
        writeln!(
            out,
            "{} new, {} already in incident {id}{}",
            preview.new,
            preview.already,
            match preview.repeats {
                0 => String::new(),
                n => format!(", {n} repeated in the file (imported once)"),
            }
        )?;
        for e in &preview.sample {
            writeln!(out, "  {}  {}", fmt(e.at), e.text.lines().next().unwrap_or(""))?;
        }
        if summary.events > preview.sample.len() {
            writeln!(out, "  … and {} more", summary.events - preview.sample.len())?;
        }
        for s in &summary.skipped {
            writeln!(out, "skipped {}: {}", summary.place(&name, s), s.reason)?;
        }
        return Ok(());
    }
    let (summary, outcome) = crate::import::import(store, &job, reader, &ctx, None)?;
    writeln!(
        out,
        "imported {} events from {name} into incident {id} ({} already there)",
        outcome.inserted, outcome.duplicates
    )?;
    for s in &summary.skipped {
        writeln!(out, "skipped {}: {}", summary.place(&name, s), s.reason)?;
    }
    Ok(())
}

/// The longest line standard input may hold for an import (as for a file): `cat /dev/zero |
/// debrief import -` is refused after 1 MiB instead of filling the disk with its copy.
const SPOOL_LINE_LIMIT: usize = 1 << 20;

/// Standard input, copied to a temporary file (on disk, not in memory; removed when closed,
/// whatever ends the process) and rewound.
fn spool_stdin() -> Result<std::fs::File> {
    use std::io::{Read, Seek, SeekFrom};
    let mut spool = tempfile::tempfile().context("cannot create a temporary file to hold standard input")?;
    let mut input = std::io::stdin().lock();
    let mut buf = vec![0u8; 64 * 1024];
    let (mut line, mut run) = (1usize, 0usize);
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("cannot read standard input; nothing was imported"),
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                line += 1;
                run = 0;
            } else {
                run += 1;
                if run > SPOOL_LINE_LIMIT {
                    bail!("stdin, line {line}: the line is longer than 1 MiB; nothing was imported");
                }
            }
        }
        spool
            .write_all(&buf[..n])
            .context("cannot write the temporary copy of standard input; nothing was imported")?;
    }
    spool
        .seek(SeekFrom::Start(0))
        .context("cannot read back the copy of standard input")?;
    Ok(spool)
}

fn show(store: &Store, id: i64, out: &mut dyn Write) -> Result<()> {
    let inc = store.incident(id)?;
    let tz = inc.tz();
    let fmt = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
    writeln!(out, "#{} {}", inc.id, inc.title)?;
    writeln!(
        out,
        "{} · {} · times in {}",
        inc.severity.label(),
        inc.status.label(),
        inc.zone
    )?;
    if !inc.summary.is_empty() {
        writeln!(out, "Summary: {}", inc.summary)?;
    }
    if !inc.impact.is_empty() {
        writeln!(out, "Impact: {}", inc.impact)?;
    }
    let milestones = store.milestones(id)?;
    writeln!(out, "\nDurations (from impact start):")?;
    for (short, long, value) in milestones.durations().rows() {
        let v = value.map(time::format_span).unwrap_or_else(|| "-".into());
        writeln!(out, "  {short}  {long:<20} {v}")?;
    }
    for w in milestones.warnings() {
        writeln!(out, "  ! {w}")?;
    }
    writeln!(out, "\nTimeline:")?;
    for e in store.all_events(id)? {
        let badge = e
            .milestone
            .map(|m| format!(" [{}]", m.label().to_uppercase()))
            .unwrap_or_default();
        let mut lines = e.text.lines();
        writeln!(
            out,
            "  {}  {:<13}{badge} {} ({})",
            fmt(e.at),
            e.kind.label(),
            lines.next().unwrap_or(""),
            e.author
        )?;
        for l in lines {
            writeln!(out, "  {:>19}  {l}", "")?;
        }
    }
    writeln!(out, "\nCauses:")?;
    let causes = store.causes(id)?;
    for c in &causes {
        writeln!(
            out,
            "  {:<22} {:<10} evidence: {}",
            c.category.label(),
            c.state.label(),
            c.evidence.len()
        )?;
        for l in c.notes.lines() {
            writeln!(out, "      {l}")?;
        }
    }
    if !inc.root_cause.is_empty() {
        writeln!(out, "Root cause: {}", inc.root_cause)?;
    }
    if !inc.trigger.is_empty() {
        writeln!(out, "Trigger: {}", inc.trigger)?;
    }
    writeln!(out, "\nActions:")?;
    let actions = store.actions(id)?;
    let today = Local::now().date_naive();
    for a in &actions {
        let due = a.due.map(|d| d.to_string()).unwrap_or_else(|| "no date".into());
        let owner = if a.owner.is_empty() {
            "no owner".to_string()
        } else {
            a.owner.clone()
        };
        let overdue = if a.is_overdue(today) { " OVERDUE" } else { "" };
        writeln!(
            out,
            "  [{:<5}] {:<10} {} — {owner}, due {due}{overdue}",
            a.status.label(),
            a.kind.label(),
            a.title
        )?;
    }
    let gaps = coverage::gaps(&causes, &actions);
    if !gaps.is_empty() {
        writeln!(out, "\nMissing:")?;
        for g in gaps {
            writeln!(out, "  - {g}")?;
        }
    }
    Ok(())
}

fn actions(store: &Store, args: ActionsArgs, out: &mut dyn Write) -> Result<()> {
    let statuses = args
        .status
        .iter()
        .map(|s| s.parse::<ActionStatus>())
        .collect::<Result<Vec<_>, _>>()?;
    let today = Local::now().date_naive();
    let rows = store.actions_across(&ActionFilter {
        owner: args.owner,
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

/// `debrief stats`: gathers, computes and prints, as text or JSON.
fn stats(
    store: &Store,
    period: crate::export::stats::Period,
    today: chrono::NaiveDate,
    json: bool,
    out: &mut dyn Write,
) -> Result<()> {
    if let (Some(f), Some(t)) = (period.from, period.to)
        && f > t
    {
        bail!("--from {f} is after --to {t}");
    }
    let stats = crate::export::stats::compute(&crate::export::stats::gather(store)?, period, today);
    if json {
        writeln!(out, "{}", crate::model::sanitize::to_json_pretty(&stats)?)?;
    } else {
        crate::export::stats::write_text(&stats, out)?;
    }
    Ok(())
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
