//! `import`: timeline events from a file or standard input, all or nothing.

use super::{ImportArgs, target_incident};
use crate::model::EventKind;
use crate::store::Store;
use anyhow::{Context, Result, bail};
use chrono::Utc;
use std::io::Write;

/// The import job the options describe: format, default kind, least level and field names.
fn job_for(id: i64, args: &ImportArgs) -> Result<crate::import::Job> {
    let format: crate::import::formats::Format = args.format.parse()?;
    let default_kind: EventKind = args.kind.parse()?;
    let min_level = args
        .min_level
        .as_deref()
        .map(str::parse::<crate::import::levels::Level>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--min-level: {e}"))?;
    let kinds = args
        .kinds
        .iter()
        .try_fold(crate::import::levels::LevelKinds::default(), |k, spec| k.with(spec))
        .map_err(|e| anyhow::anyhow!("--kinds: {e}"))?;
    let mut job = crate::import::Job::for_file(id, &args.file, format, default_kind)
        .with_min_level(min_level)
        .with_kinds(kinds);
    job.fields = crate::import::formats::Fields {
        time: args.time_field.clone(),
        text: args.text_field.clone(),
        level: args.level_field.clone(),
    };
    Ok(job)
}

pub(super) fn import(store: &Store, args: ImportArgs, out: &mut dyn Write) -> Result<()> {
    let id = target_incident(store, args.incident)?;
    let incident = store.incident(id)?;
    let (zone, whose) = file_zone(args.zone.as_deref())?;
    let now = crate::env::now()?;
    let ctx = crate::model::time::TimeContext {
        zone,
        ..crate::import::time_context(store, &incident, now, store.last_event_time(id)?)?
    };
    let zone_line = format!("times without an offset read in {} ({whose})", zone.name());
    let job = job_for(id, &args)?;
    let name = job.name.clone();
    let job = with_slack_export(job, &args)?;
    let (reader, total): (Box<dyn std::io::BufRead + Send>, Option<u64>) = if job.slack.is_some() {
        // The export is read from its .zip or folder, by the job itself.
        (Box::new(std::io::empty()), None)
    } else {
        open(&args, &name)?
    };
    let tz = incident.tz();
    let fmt = |t: chrono::DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string();
    if args.dry_run {
        let preview = super::progress::shown(reader, total, None, |r| crate::import::preview(store, &job, r, &ctx, 5))?;
        let summary = &preview.summary;
        writeln!(
            out,
            "{name}: {} as {} (dry run: nothing written)",
            read_as_events(summary.events, preview.new + preview.already, job.slack.is_some()),
            summary.described()
        )?;
        if let Some(export) = &job.slack {
            writeln!(out, "channel {} of the Slack export", export.channel)?;
        }
        if let (Some(a), Some(b)) = (summary.first, summary.last) {
            writeln!(out, "from {} to {} ({})", fmt(a), fmt(b), incident.zone)?;
        }
        writeln!(out, "{zone_line}")?;
        if let (Some(least), n) = (job.min_level, preview.left_out) {
            writeln!(out, "{n} below {} left out (--min-level)", least.name())?;
        }
        let changed = job.kinds.changes();
        if !changed.is_empty() {
            writeln!(out, "kinds by level: {changed}, the others as by default (--kinds)")?;
        }
        writeln!(
            out,
            "{} new, {} already in incident {id}{}",
            preview.new,
            preview.already,
            folded(preview.repeats)
        )?;
        write_sample(out, &preview, &fmt)?;
        for s in &summary.skipped {
            writeln!(out, "skipped {}: {}", summary.place(&name, s), s.reason)?;
        }
        return Ok(());
    }
    let watch = crate::import::Watch::default();
    let (summary, outcome) = super::progress::shown(reader, total, Some(&watch.done), |r| {
        crate::import::import_watched(store, &job, r, &ctx, None, &watch)
    })
    .map_err(|e| match e {
        // Met outside any line (the counts, the full-text index, the commit: a full disk; a
        // busy database), so no line to name: the file is, and that it left nothing behind.
        // A database file moved away after the commit says so itself.
        crate::import::JobError::Store(e) if !matches!(e, crate::store::StoreError::FileGone { .. }) => {
            anyhow::anyhow!("cannot import {name}: {}; nothing was imported", store.explain(e))
        }
        e => e.into(),
    })?;
    writeln!(
        out,
        "imported {} from {name} into incident {id} ({} already there{})",
        crate::model::counted(outcome.inserted, "event"),
        outcome.duplicates,
        folded(outcome.repeats)
    )?;
    writeln!(out, "{zone_line}")?;
    for s in &summary.skipped {
        writeln!(out, "skipped {}: {}", summary.place(&name, s), s.reason)?;
    }
    Ok(())
}

/// The job, reading a Slack export (.zip or folder) when the file is one: `--channel`, else its
/// only channel (several without `--channel` is an error listing them).
fn with_slack_export(mut job: crate::import::Job, args: &ImportArgs) -> Result<crate::import::Job> {
    let channel = args.channel.as_deref();
    if args.file.as_os_str() == "-" {
        if channel.is_some() {
            bail!("--channel reads a Slack export's .zip or folder, which needs a file, not standard input");
        }
        return Ok(job);
    }
    crate::store::files::refuse_if_open(&args.file)?;
    match crate::import::formats::export_at(&args.file, channel)? {
        Some(export) => {
            job.slack = Some(export);
            job.format = crate::import::formats::Format::Slack;
        }
        None if channel.is_some() => bail!(
            "--channel: {} is not a Slack export (a .zip, or the folder it unpacks to)",
            job.name
        ),
        None => {}
    }
    Ok(job)
}

/// `, 80 repeats folded`: lines seen again (same instant, same text), each one event with its
/// count (`×80`); nothing when there were none.
fn folded(repeats: usize) -> String {
    match repeats {
        0 => String::new(),
        n => format!(", {} folded", crate::model::counted(n, "repeat")),
    }
}

/// `95 lines, 15 events` when repeated lines fold into fewer events, `15 events` when each line
/// is one (`messages` for a chat export): the header counts what it says.
fn read_as_events(lines: usize, events: usize, chat: bool) -> String {
    let counted = crate::model::counted(events, "event");
    if lines == events {
        return counted;
    }
    let noun = if chat { "message" } else { "line" };
    format!("{}, {counted}", crate::model::counted(lines, noun))
}

/// The file to read (standard input is copied to a temporary file first, unless for a dry
/// run), and its size when known.
fn open(args: &ImportArgs, name: &str) -> Result<(Box<dyn std::io::BufRead + Send>, Option<u64>)> {
    if args.file.as_os_str() == "-" && !args.dry_run {
        // Read to the end before the import takes the write lock: a slow pipe must not hold
        // every other writer up for as long as it takes to arrive.
        let spool = spool_stdin()?;
        let len = spool.metadata().ok().map(|m| m.len());
        return Ok((Box::new(std::io::BufReader::new(spool)), len));
    }
    if args.file.as_os_str() == "-" {
        return Ok((Box::new(std::io::BufReader::new(std::io::stdin())), None));
    }
    crate::store::files::refuse_if_open(&args.file)?;
    let file = std::fs::File::open(&args.file).with_context(|| format!("cannot read {name}"))?;
    let len = file.metadata().ok().filter(|m| m.is_file()).map(|m| m.len());
    Ok((Box::new(std::io::BufReader::new(file)), len))
}

/// The zone of the file's times without an offset, and whose it is: `--zone`, else this
/// machine's (`TZ`, else the system's; a `TZ` debrief cannot read is warned about).
fn file_zone(flag: Option<&str>) -> Result<(chrono_tz::Tz, &'static str)> {
    if let Some(name) = flag {
        return Ok((crate::model::time::parse_zone(name)?, "--zone"));
    }
    let local = crate::env::local_zone_checked();
    if let Some(warning) = &local.warning {
        let _ = writeln!(std::io::stderr(), "debrief: warning: {warning}");
    }
    Ok((local.zone, "this machine's zone; --zone to change"))
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

/// The dry run's first events, a repeated line once with its count (`×80`), then how many more
/// events (each once) the import holds.
fn write_sample(
    out: &mut dyn Write,
    preview: &crate::import::Preview,
    fmt: &dyn Fn(chrono::DateTime<Utc>) -> String,
) -> std::io::Result<()> {
    for (e, n) in preview.sample.iter().zip(&preview.sample_counts) {
        let times = crate::model::repeat_badge(*n as i64)
            .map(|t| format!("{t} "))
            .unwrap_or_default();
        writeln!(out, "  {}  {times}{}", fmt(e.at), e.text.lines().next().unwrap_or(""))?;
    }
    let events = preview.new + preview.already;
    if events > preview.sample.len() {
        writeln!(out, "  … and {} more", events - preview.sample.len())?;
    }
    Ok(())
}

#[cfg(test)]
mod header_tests {
    use super::read_as_events;

    #[test]
    fn the_dry_run_header_counts_lines_or_messages_and_events_each_for_what_it_is() {
        assert_eq!(read_as_events(15, 15, false), "15 events");
        assert_eq!(read_as_events(95, 15, false), "95 lines, 15 events");
        assert_eq!(read_as_events(9, 4, true), "9 messages, 4 events");
        assert_eq!(read_as_events(1, 1, true), "1 event");
    }
}
