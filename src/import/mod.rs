//! Reading a file into an incident's timeline, shared by `debrief import` and the console's
//! import (`i` on the timeline): a preview that writes nothing, and the import itself, all or
//! nothing in one transaction.
//!
//! The preview counts exactly what the import would add: events already in the incident from an
//! earlier import, and repeats within the file, are both left out of "new". A repeated line
//! (same instant, same text) is one event with a count; importing the file again keeps the
//! count (the larger of the two, never the sum).

pub mod formats;
pub mod levels;

use crate::model::time::TimeContext;
use crate::model::{EventKind, Incident, sanitize};
use crate::store::{ImportOutcome, ReadyRow, Store, StoreError};
use chrono::{DateTime, Utc};
use formats::{Fields, Format, ImportError, ImportedEvent, Summary};
use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::io::BufRead;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// What to import and how to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub incident: i64,
    /// The file as messages show it (`stdin` for `-`).
    pub name: String,
    /// The short name the change history and the events' source record (the file name).
    pub label: String,
    pub format: Format,
    /// The names of the time, text and level fields of JSON lines or logfmt, when not the common ones.
    pub fields: Fields,
    /// The kind of events whose file does not say, and whose line has no level.
    pub kind: EventKind,
    /// Lines with a lower level are left out (lines without a level are kept).
    pub min_level: Option<levels::Level>,
    /// The kind each level's lines get (when their file does not say).
    pub kinds: levels::LevelKinds,
    /// A Slack export (.zip or folder) and its channel: read instead of the reader given.
    pub slack: Option<formats::SlackExport>,
}

impl Job {
    /// A job for a file (`-` is standard input): shown by its path, recorded by its name.
    /// Both are cleaned of terminal controls (a file name is text from outside too: it reaches
    /// messages, the preview, the history and every imported event's source).
    pub fn for_file(incident: i64, path: &Path, format: Format, kind: EventKind) -> Job {
        let (name, label) = if path.as_os_str() == "-" {
            ("stdin".to_string(), "stdin".to_string())
        } else {
            let name = Some(sanitize::clean_line(&path.to_string_lossy()))
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "the file".into());
            let label = path
                .file_name()
                .map(|f| sanitize::clean_line(&f.to_string_lossy()))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| name.clone());
            (name, label)
        };
        Job {
            incident,
            name,
            label,
            format,
            fields: Fields::default(),
            kind,
            min_level: None,
            kinds: levels::LevelKinds::default(),
            slack: None,
        }
    }

    /// Reads the job's input: its Slack export when it names one, else `reader` as its format.
    fn read<R: BufRead>(
        &self,
        reader: R,
        ctx: &TimeContext,
        sink: &mut dyn FnMut(ImportedEvent) -> Result<(), ImportError>,
    ) -> Result<Summary, ImportError> {
        match &self.slack {
            Some(export) => formats::read_slack_export(&self.name, export, sink),
            None => formats::read_events_with(&self.name, reader, self.format, &self.fields, ctx, sink),
        }
    }

    /// The same job, giving each level's lines the kind `kinds` says.
    pub fn with_kinds(self, kinds: levels::LevelKinds) -> Job {
        Job { kinds, ..self }
    }

    /// The same job, leaving out lines below `level`.
    pub fn with_min_level(self, level: Option<levels::Level>) -> Job {
        Job {
            min_level: level,
            ..self
        }
    }

    /// The level word of an imported line: the one its format read (a field, a letter, a
    /// number), else one in its first words.
    fn level_of(e: &ImportedEvent) -> Option<&str> {
        e.level.map(|l| l.name()).or_else(|| levels::level_in(&e.text))
    }

    /// The kind an imported line gets: the file's, else its level's (as the job maps levels),
    /// else the job's.
    pub fn kind_of(&self, e: &ImportedEvent) -> EventKind {
        e.kind
            .or_else(|| {
                Self::level_of(e)
                    .and_then(levels::level_word)
                    .map(|l| self.kinds.kind(l))
            })
            .unwrap_or(self.kind)
    }

    /// Whether a line is left out: its level is below the job's least.
    fn leaves_out(&self, e: &ImportedEvent) -> bool {
        match (self.min_level, Self::level_of(e).and_then(levels::level_word)) {
            (Some(least), Some(level)) => level < least,
            _ => false,
        }
    }

    /// What an imported line becomes, ready to store: its kind (the file's, else its level's,
    /// else the job's) and its origin (the service, unit, logger or host it names, else the
    /// file), its texts cleaned.
    fn row(&self, e: ImportedEvent) -> Result<ReadyRow, StoreError> {
        let kind = self.kind_of(&e);
        let origin = match e.origin {
            Some(origin) => origin,
            None => levels::origin_in(&e.text).unwrap_or_else(|| self.label.clone()),
        };
        ReadyRow::imported(e.at, kind, e.text, e.author, Some(origin))
    }
}

/// What an import would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub summary: Summary,
    /// Every event read (time, text, kind, author, line), folded into one number: the import
    /// checks that it reads the very same events.
    pub digest: u64,
    /// The first events of the file, in file order, each once (a repeated line is one event).
    pub sample: Vec<ImportedEvent>,
    /// How many lines each event of `sample` stands for (`×80` when a line repeats).
    pub sample_counts: Vec<usize>,
    /// Events the import would add: not in the incident yet, and not repeated in the file.
    pub new: usize,
    /// Events already in the incident (from an earlier import), which the import skips.
    pub already: usize,
    /// Lines that repeat an earlier one of the same file (same time and text): folded into that
    /// one event, whose count says how many times it was seen (`×80`).
    pub repeats: usize,
    /// Lines left out for a level below the job's least (`--min-level`).
    pub left_out: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The file read differently from its preview (it changed in between): nothing was written.
    #[error("{0} changed since the preview; nothing was imported")]
    Changed(String),
    /// Stopped on request ([`Watch::cancel`]): nothing was written.
    #[error("the import was cancelled; nothing was imported")]
    Cancelled,
}

/// Shared with an import running on another thread: how far it is, and a way to stop it.
#[derive(Debug, Default)]
pub struct Watch {
    /// Events read and written so far (in the open transaction).
    pub done: AtomicUsize,
    /// Set to stop the import; it rolls back.
    pub cancel: AtomicBool,
    /// The connection waits only briefly for another process's write lock, and the import
    /// tries again until it gets it or is cancelled (an import on its own thread).
    pub retry_busy: bool,
}

/// What an import's times are read against: the incident's span (a time of day without a date,
/// `[14:32] ana: …`, goes on a date inside it, as a typed one does), `now` and `anchor` as given.
/// The zone is the incident's here: the caller sets the zone of the file's stamps without an
/// offset, the importing machine's (`TZ`, else the system's) unless the user names
/// another (`--zone`, the console form's Zone).
pub fn time_context(
    store: &Store,
    incident: &Incident,
    now: DateTime<Utc>,
    anchor: Option<DateTime<Utc>>,
) -> Result<TimeContext, StoreError> {
    store.time_context(incident, now, anchor)
}

/// The key an earlier version of debrief gave this event, if the incident holds an event under it.
fn imported_before(store: &Store, incident: i64, e: &ImportedEvent) -> Result<Option<String>, ImportError> {
    match e.legacy_key() {
        Some(old) if store.is_imported(incident, &old).map_err(ImportError::from_sink)? => Ok(Some(old)),
        _ => Ok(None),
    }
}

/// Reads the file as the import would, and writes nothing.
pub fn preview<R: BufRead>(
    store: &Store,
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    sample_len: usize,
) -> Result<Preview, JobError> {
    store.incident(job.incident)?;
    let mut sample = Vec::new();
    // Each sampled line once, with the times the file repeats it (`×80`).
    let (mut sample_keys, mut sample_counts) = (Vec::new(), Vec::new());
    // Only an incident with imported events can hold one of the file's.
    let any_imported = store.has_imported(job.incident)?;
    let mut seen = HashSet::new();
    let (mut new, mut already, mut repeats, mut left_out) = (0, 0, 0, 0);
    let mut digest = DefaultHasher::new();
    let summary = job.read(reader, ctx, &mut |e| {
        e.hash(&mut digest);
        if job.leaves_out(&e) {
            left_out += 1;
            return Ok(());
        }
        let key = seen_key(&e);
        if !seen.insert(key) {
            repeats += 1;
            if let Some(i) = sample_keys.iter().position(|k| *k == key) {
                sample_counts[i] += 1;
            }
            return Ok(());
        }
        let known = any_imported
            && (store
                .is_imported(job.incident, &e.key())
                .map_err(ImportError::from_sink)?
                || imported_before(store, job.incident, &e)?.is_some());
        if known {
            already += 1;
        } else {
            new += 1;
        }
        if sample.len() < sample_len {
            sample.push(e);
            sample_keys.push(key);
            sample_counts.push(1);
        }
        Ok(())
    })?;
    Ok(Preview {
        summary,
        digest: digest.finish(),
        sample,
        sample_counts,
        new,
        already,
        repeats,
        left_out,
    })
}

/// The import key of an event folded into one number, for counting repeats within a file in
/// little memory (8 bytes a line, not a string): two different keys fold into one number with
/// a chance of about one in 10^7 in a file of a million lines, and then the preview counts one
/// repeat too many; the import itself compares the keys.
fn seen_key(e: &ImportedEvent) -> u64 {
    let (ms, hash) = crate::model::document::import_key_parts(e.at, &e.text);
    hash ^ (ms as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

/// Imports the file in one transaction. With `expect`, the file must read exactly as it did for
/// that preview (the same events, and the same skipped lines), else nothing is written.
pub fn import<R: BufRead + Send>(
    store: &Store,
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    expect: Option<&Preview>,
) -> Result<(Summary, ImportOutcome), JobError> {
    import_watched(store, job, reader, ctx, expect, &Watch::default())
}

/// An event the reading thread made ready for the writing one.
struct Ready {
    /// Cleaned and checked; a row the store refuses is refused by the writer, in file order.
    row: Result<ReadyRow, StoreError>,
    key: String,
    /// The key an earlier version gave it, when that differs (the writer looks it up).
    legacy: Option<String>,
    line: usize,
}

/// Events travel from the reading thread to the writing one in batches of this many, with at
/// most [`IN_FLIGHT`] batches waiting: the file is never read far ahead of the database.
/// Written batches go back to the reader, which frees them (memory is best freed by the thread
/// that allocated it) and reuses their room.
const BATCH: usize = 1024;
const IN_FLIGHT: usize = 4;

/// [`import`], counting progress in `watch` and stopping (rolled back) when it is cancelled.
///
/// The file is read, parsed and cleaned on a second thread while this one writes (#15); the
/// events reach the store in file order, in the one transaction of [`Store::import_rows`].
pub fn import_watched<R: BufRead + Send>(
    store: &Store,
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    expect: Option<&Preview>,
    watch: &Watch,
) -> Result<(Summary, ImportOutcome), JobError> {
    let cancelled = || watch.cancel.load(Ordering::Relaxed);
    // Esc while the search index is built (the last lines are in, the commit is not) still
    // leaves nothing written.
    let last_word = || if cancelled() { Err(JobError::Cancelled) } else { Ok(()) };
    let feed = |sink: &mut dyn FnMut(&ReadyRow, &str) -> Result<(), JobError>| -> Result<Summary, JobError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<Ready>>(IN_FLIGHT);
        let (back, spent) = std::sync::mpsc::channel::<Vec<Ready>>();
        let (read, written) = std::thread::scope(|scope| {
            let reading = scope.spawn(|| read_ready(job, reader, ctx, watch, tx, spent));
            let written = write_ready(store, job.incident, rx, back, watch, sink);
            let read = reading.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (read, written)
        });
        match (read, written) {
            (_, Err(_)) | (Err(_), _) if cancelled() => Err(JobError::Cancelled),
            (read, Err((line, error))) => Err(JobError::Import(ImportError::Sink {
                place: formats::Place {
                    line,
                    ..match &read {
                        Ok((summary, _)) => summary.place(
                            &job.name,
                            &formats::Skipped {
                                line,
                                reason: String::new(),
                            },
                        ),
                        Err(e) => e.place().cloned().unwrap_or_else(|| unreachable_place(&job.name)),
                    }
                },
                source: Box::new(error),
            })),
            (Err(e), Ok(())) => Err(e.into()),
            (Ok((summary, digest)), Ok(())) => match expect {
                Some(p) if p.summary != summary || p.digest != digest => Err(JobError::Changed(job.name.clone())),
                _ => Ok(summary),
            },
        }
    };
    store.import_rows(job.incident, &job.label, feed, last_word)
}

/// The reading side of [`import_watched`]: parses the file and sends its events, ready to
/// insert, in batches; returns the summary and the digest of every event read.
fn read_ready<R: BufRead>(
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    watch: &Watch,
    tx: std::sync::mpsc::SyncSender<Vec<Ready>>,
    spent: std::sync::mpsc::Receiver<Vec<Ready>>,
) -> Result<(Summary, u64), ImportError> {
    let mut digest = DefaultHasher::new();
    let mut batch = Vec::with_capacity(BATCH);
    let stopped = || ImportError::from_sink("the import stopped");
    // A written batch, emptied here (its rows freed on this thread), holds the next one.
    let next = || match spent.try_recv() {
        Ok(mut done) => {
            done.clear();
            done
        }
        Err(_) => Vec::with_capacity(BATCH),
    };
    let summary = job.read(reader, ctx, &mut |e| {
        if watch.cancel.load(Ordering::Relaxed) {
            return Err(ImportError::from_sink("cancelled"));
        }
        watch.done.fetch_add(1, Ordering::Relaxed);
        e.hash(&mut digest);
        if job.leaves_out(&e) {
            return Ok(());
        }
        let (key, legacy, line) = (e.key(), e.legacy_key(), e.line);
        batch.push(Ready {
            row: job.row(e),
            key,
            legacy,
            line,
        });
        if batch.len() == BATCH {
            tx.send(std::mem::replace(&mut batch, next())).map_err(|_| stopped())?;
        }
        Ok(())
    })?;
    if !batch.is_empty() {
        tx.send(batch).map_err(|_| stopped())?;
    }
    Ok((summary, digest.finish()))
}

/// The writing side of [`import_watched`]: stores what the reader sends, in order, and sends
/// each batch back when written. On an error it stops (dropping the channel stops the reader)
/// and says at which line.
fn write_ready(
    store: &Store,
    incident: i64,
    rx: std::sync::mpsc::Receiver<Vec<Ready>>,
    back: std::sync::mpsc::Sender<Vec<Ready>>,
    watch: &Watch,
    sink: &mut dyn FnMut(&ReadyRow, &str) -> Result<(), JobError>,
) -> Result<(), (usize, JobError)> {
    for mut batch in rx {
        for i in 0..batch.len() {
            if watch.cancel.load(Ordering::Relaxed) {
                return Err((batch[i].line, JobError::Cancelled));
            }
            let ready = &batch[i];
            let Ok(row) = &ready.row else {
                // The first row the store refuses stops the import, at its line.
                let refused = batch.swap_remove(i);
                return Err((
                    refused.line,
                    refused.row.map_or_else(JobError::from, |_| JobError::Cancelled),
                ));
            };
            // An event an earlier version imported under another text keeps that key: the
            // store finds it there and adds nothing.
            let key = match &ready.legacy {
                Some(old) => match store.is_imported(incident, old) {
                    Ok(true) => old,
                    Ok(false) => &ready.key,
                    Err(e) => return Err((ready.line, e.into())),
                },
                None => &ready.key,
            };
            sink(row, key).map_err(|e| (ready.line, e))?;
        }
        // The reader may have finished: then this thread frees the batch.
        let _ = back.send(batch);
    }
    Ok(())
}

/// The place of a writer's error when the reader stopped without one (it cannot: a reader
/// stops early only with a place, or because the writer stopped first).
fn unreachable_place(name: &str) -> formats::Place {
    formats::Place {
        file: name.to_string(),
        line: 0,
        unit: formats::Unit::Line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Source;
    use crate::store::NewEvent;
    use crate::store::NewIncident;
    use chrono::{TimeZone, Utc};

    fn setup() -> (tempfile::TempDir, Store, i64, TimeContext) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db"), "tester").unwrap();
        let id = store
            .create_incident(&NewIncident {
                title: "t".into(),
                severity: crate::model::Severity::Sev2,
                zone: "UTC".into(),
                started_at: None,
            })
            .unwrap();
        let ctx = TimeContext {
            zone: chrono_tz::UTC,
            now: Utc.with_ymd_and_hms(2026, 11, 26, 18, 0, 0).unwrap(),
            anchor: None,
            span: None,
        };
        (dir, store, id, ctx)
    }

    fn job(id: i64) -> Job {
        Job {
            incident: id,
            name: "api.log".into(),
            label: "api.log".into(),
            format: Format::Auto,
            fields: Fields::default(),
            kind: EventKind::Observation,
            min_level: None,
            kinds: levels::LevelKinds::default(),
            slack: None,
        }
    }

    const LOG: &str = "2026-11-26T14:00:00Z one\n2026-11-26T14:01:00Z two\n2026-11-26T14:01:00Z two\n";

    #[test]
    fn a_preview_counts_what_is_new_and_writes_nothing() {
        let (_dir, store, id, ctx) = setup();
        let p = preview(&store, &job(id), LOG.as_bytes(), &ctx, 2).unwrap();
        assert_eq!(p.summary.events, 3);
        assert_eq!(p.summary.format, Format::Log);
        assert_eq!(
            (p.new, p.already, p.repeats),
            (2, 0, 1),
            "the repeated line is imported once"
        );
        assert_eq!(p.sample.len(), 2);
        assert_eq!(p.sample[0].text, "one");
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 0);

        let (_, outcome) = import(&store, &job(id), LOG.as_bytes(), &ctx, Some(&p)).unwrap();
        assert_eq!(outcome.inserted, 2);
        let again = preview(&store, &job(id), LOG.as_bytes(), &ctx, 2).unwrap();
        assert_eq!((again.new, again.already, again.repeats), (0, 2, 1));
    }

    #[test]
    fn a_file_that_changed_since_its_preview_imports_nothing() {
        let (_dir, store, id, ctx) = setup();
        let p = preview(&store, &job(id), LOG.as_bytes(), &ctx, 5).unwrap();
        let grown = format!("{LOG}2026-11-26T14:05:00Z three\n");
        let err = import(&store, &job(id), grown.as_bytes(), &ctx, Some(&p)).unwrap_err();
        assert!(matches!(err, JobError::Changed(_)), "{err}");
        assert_eq!(
            err.to_string(),
            "api.log changed since the preview; nothing was imported"
        );
        // Same count, same first and last time, same skipped lines: only a text differs.
        let edited = LOG.replace("two\n2026", "TWO\n2026");
        assert_ne!(edited, LOG);
        let err = import(&store, &job(id), edited.as_bytes(), &ctx, Some(&p)).unwrap_err();
        assert!(matches!(err, JobError::Changed(_)), "{err}");
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 0);
        import(&store, &job(id), LOG.as_bytes(), &ctx, Some(&p)).unwrap();
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 2);
    }

    #[test]
    fn a_cancelled_import_writes_nothing() {
        let (_dir, store, id, ctx) = setup();
        let watch = Watch::default();
        watch.cancel.store(true, Ordering::Relaxed);
        let err = import_watched(&store, &job(id), LOG.as_bytes(), &ctx, None, &watch).unwrap_err();
        assert!(matches!(err, JobError::Cancelled), "{err}");
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 0);
        let watch = Watch::default();
        import_watched(&store, &job(id), LOG.as_bytes(), &ctx, None, &watch).unwrap();
        assert_eq!(watch.done.load(Ordering::Relaxed), 3, "every event read is counted");
    }

    /// A CRI log was read as log text before CRI was recognised (its stream and tag in the text):
    /// imported then, it adds nothing now, neither in the preview nor in the import.
    #[test]
    fn a_file_imported_as_log_text_before_adds_nothing_read_as_its_own_format() {
        let (_dir, store, id, ctx) = setup();
        let cri = "2026-11-26T14:00:00Z stderr F upstream timeout\n\tat x\n2026-11-26T14:00:01Z stdout F ok\n";
        let as_log = Job {
            format: Format::Log,
            ..job(id)
        };
        let (_, first) = import(&store, &as_log, cri.as_bytes(), &ctx, None).unwrap();
        assert_eq!(first.inserted, 2);
        let p = preview(&store, &job(id), cri.as_bytes(), &ctx, 5).unwrap();
        assert_eq!(p.summary.format, Format::Cri);
        assert_eq!(p.sample[0].text, "upstream timeout\n\tat x");
        assert_eq!((p.new, p.already), (0, 2));
        let (_, again) = import(&store, &job(id), cri.as_bytes(), &ctx, Some(&p)).unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, 2));
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 2);
    }

    /// A warning 80 times in one second, written at the precision the file gives.
    fn burst(times: usize) -> String {
        let mut log = String::from("2026-11-26T14:00:00Z start\n");
        for _ in 0..times {
            log.push_str("2026-11-26T14:00:01.250Z WARN pool exhausted\n");
        }
        log.push_str("2026-11-26T14:00:02Z end\n");
        log
    }

    fn counts(store: &Store, id: i64) -> Vec<(String, i64)> {
        store
            .all_events(id)
            .unwrap()
            .into_iter()
            .map(|e| (e.text, e.count))
            .collect()
    }

    #[test]
    fn repeated_lines_are_one_event_with_their_count() {
        let (_dir, store, id, ctx) = setup();
        let log = burst(80);
        let p = preview(&store, &job(id), log.as_bytes(), &ctx, 5).unwrap();
        assert_eq!((p.new, p.already, p.repeats), (3, 0, 79));
        let (_, outcome) = import(&store, &job(id), log.as_bytes(), &ctx, Some(&p)).unwrap();
        assert_eq!((outcome.inserted, outcome.duplicates, outcome.repeats), (3, 0, 79));
        let want = |n| {
            vec![
                ("start".to_string(), 1),
                ("WARN pool exhausted".to_string(), n),
                ("end".to_string(), 1),
            ]
        };
        assert_eq!(counts(&store, id), want(80));
        assert_eq!(store.all_events(id).unwrap()[1].times().as_deref(), Some("×80"));

        // Again: the larger of the two, never the sum.
        let (_, again) = import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap();
        assert_eq!((again.inserted, again.duplicates, again.repeats), (0, 3, 79));
        assert_eq!(counts(&store, id), want(80));
        let p = preview(&store, &job(id), log.as_bytes(), &ctx, 5).unwrap();
        assert_eq!((p.new, p.already, p.repeats), (0, 3, 79));
        // A part of the file seen fewer times leaves the count; a longer one raises it.
        import(&store, &job(id), burst(3).as_bytes(), &ctx, None).unwrap();
        assert_eq!(counts(&store, id), want(80));
        import(&store, &job(id), burst(100).as_bytes(), &ctx, None).unwrap();
        assert_eq!(counts(&store, id), want(100));
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 3);
    }

    /// Same text at another instant (to the precision the file gives) is another event; a
    /// cancelled or failed import changes no count.
    #[test]
    fn only_the_same_instant_and_text_fold_and_a_failed_import_changes_no_count() {
        let (_dir, store, id, ctx) = setup();
        let log = "2026-11-26T14:00:01.250Z x\n2026-11-26T14:00:01.251Z x\n2026-11-26T14:00:01.250Z x \n2026-11-26T14:00:01.250Z X\n";
        let (_, outcome) = import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap();
        assert_eq!(
            (outcome.inserted, outcome.repeats),
            (3, 1),
            "a trailing blank is not text"
        );
        assert_eq!(counts(&store, id), [("x".into(), 2), ("X".into(), 1), ("x".into(), 1)]);
        let watch = Watch::default();
        watch.cancel.store(true, Ordering::Relaxed);
        let more = log.repeat(5);
        assert!(import_watched(&store, &job(id), more.as_bytes(), &ctx, None, &watch).is_err());
        let too_long = format!("{more}2026-11-26T14:00:03Z {}\n", "a".repeat(formats::MAX_RECORD));
        let err = import(&store, &job(id), too_long.as_bytes(), &ctx, None).unwrap_err();
        assert!(err.to_string().contains("api.log:21: a line longer than"), "{err}");
        assert_eq!(counts(&store, id)[0].1, 2, "nothing was written");
    }

    /// `n` log lines, one a second, the `bad`th (1-based) reading "boom".
    fn log_with_boom(n: usize, bad: usize) -> String {
        (1..=n)
            .map(|i| {
                let text = if i == bad {
                    "boom".to_string()
                } else {
                    format!("line {i}")
                };
                format!("2026-11-26T14:{:02}:{:02}Z {text}\n", i / 60 % 60, i % 60)
            })
            .collect()
    }

    /// The database refuses the line reading "boom" (another connection's trigger).
    fn refuse_boom(dir: &tempfile::TempDir) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON events WHEN new.text = 'boom'
             BEGIN SELECT RAISE(ABORT, 'boom refused'); END",
        )
        .unwrap();
        conn
    }

    /// The writer stores on one thread what the reader parses on another: a row the database
    /// refuses still names its file and line, early in a long file (the reader is ahead) and
    /// in the last batch (the reader is done), and nothing is written.
    #[test]
    fn a_row_the_database_refuses_names_its_line_and_nothing_is_written() {
        let (dir, store, id, ctx) = setup();
        let other = refuse_boom(&dir);
        for (n, bad) in [(5000, 3), (3, 2), (BATCH * 3 + 7, BATCH * 3 + 5)] {
            let log = log_with_boom(n, bad);
            let err = import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap_err();
            assert!(err.to_string().starts_with(&format!("api.log:{bad}: ")), "{err}");
            assert!(err.to_string().contains("boom refused"), "{err}");
            assert_eq!(store.count_events(id, &Default::default()).unwrap(), 0);
        }
        let triggers: i64 = other
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = 'events_fts_insert'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(triggers, 1, "a failed import leaves the full-text trigger in place");
    }

    /// The full-text index of an import is built at its end: searching finds every imported
    /// line and what is written later, and a second import adds nothing to either.
    #[test]
    fn imported_lines_are_found_by_search_as_are_events_written_after() {
        let (_dir, store, id, ctx) = setup();
        let log = log_with_boom(BATCH * 2 + 1, 0);
        let (_, first) = import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap();
        assert_eq!(first.inserted, BATCH * 2 + 1);
        let find = |words: &str| {
            let filter = crate::store::EventFilter {
                text: Some(words.into()),
                ..Default::default()
            };
            store.count_events(id, &filter).unwrap()
        };
        assert_eq!(find("line"), (BATCH * 2 + 1) as i64);
        assert_eq!(find("line 2049"), 1);
        let (_, again) = import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap();
        assert_eq!((again.inserted, again.duplicates), (0, BATCH * 2 + 1));
        assert_eq!(find("line"), (BATCH * 2 + 1) as i64, "the index holds each line once");
        store
            .add_event(
                id,
                &NewEvent {
                    at: Utc.with_ymd_and_hms(2026, 11, 26, 15, 0, 0).unwrap(),
                    kind: EventKind::Note,
                    text: "typed later".into(),
                    milestone: None,
                    source: Source::Typed,
                    author: None,
                },
            )
            .unwrap();
        assert_eq!(
            find("typed later"),
            1,
            "the trigger indexes what is written after an import"
        );
    }

    /// The import builds its full-text index merging sixteen segments at a time; the table's
    /// own setting is what it was before: FTS5's default (no row) or one set by hand.
    #[test]
    fn the_import_leaves_the_full_text_merge_setting_as_it_found_it() {
        let (dir, store, id, ctx) = setup();
        let other = rusqlite::Connection::open(dir.path().join("t.db")).unwrap();
        let setting = || -> Option<i64> {
            other
                .query_row("SELECT v FROM events_fts_config WHERE k = 'automerge'", [], |r| {
                    r.get(0)
                })
                .ok()
        };
        let log = log_with_boom(BATCH * 2 + 1, 0);
        import(&store, &job(id), log.as_bytes(), &ctx, None).unwrap();
        assert_eq!(setting(), None, "the default is left a default");
        other
            .execute("INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 8)", [])
            .unwrap();
        let later = log.replace("line", "later");
        import(&store, &job(id), later.as_bytes(), &ctx, None).unwrap();
        assert_eq!(setting(), Some(8), "a setting made by hand is kept");
        // Even one FTS5 cannot use (it reads it as its default), written as text.
        other
            .execute("UPDATE events_fts_config SET v = 'lots' WHERE k = 'automerge'", [])
            .unwrap();
        let more = log.replace("line", "more");
        import(&store, &job(id), more.as_bytes(), &ctx, None).unwrap();
        let kept: String = other
            .query_row("SELECT v FROM events_fts_config WHERE k = 'automerge'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(kept, "lots");
        other
            .execute(
                "INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 0)",
                [],
            )
            .expect("the index agrees with the table");
    }

    /// What a line becomes is cleaned on the reading thread: escapes in its text, its author
    /// and its origin never reach the database.
    #[test]
    fn an_imported_lines_texts_are_stored_clean() {
        let (_dir, store, id, ctx) = setup();
        let log = "{\"ts\":\"2026-11-26T14:00:00Z\",\"msg\":\"disk \\u001b[31mfull\\u001b[0m\",\"service\":\"api\\u001b]0;owned\\u0007\"}\n";
        let mut json = job(id);
        json.format = Format::Jsonl;
        import(&store, &json, log.as_bytes(), &ctx, None).unwrap();
        let events = store.all_events(id).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].text, "disk full");
        assert_eq!(events[0].origin.as_deref(), Some("api"), "the title escape is gone");
    }

    /// Esc after the last row is written, while the search index is built: the import asks
    /// once more before its commit, and rolls back.
    #[test]
    fn a_cancel_while_the_index_is_built_writes_nothing() {
        let (_dir, store, id, _ctx) = setup();
        let at = Utc.with_ymd_and_hms(2026, 11, 26, 14, 0, 0).unwrap();
        let row = ReadyRow::imported(at, EventKind::Observation, "disk full".into(), None, None).unwrap();
        let err = store
            .import_rows(id, "api.log", |sink| sink(&row, "k1"), || Err(JobError::Cancelled))
            .unwrap_err();
        assert!(matches!(err, JobError::Cancelled), "{err}");
        assert_eq!(store.count_events(id, &Default::default()).unwrap(), 0);
        let ((), done) = store
            .import_rows(id, "api.log", |sink| sink(&row, "k1"), || Ok::<(), JobError>(()))
            .unwrap();
        assert_eq!(done.inserted, 1);
        let filter = crate::store::EventFilter {
            text: Some("disk".into()),
            ..Default::default()
        };
        assert_eq!(
            store.count_events(id, &filter).unwrap(),
            1,
            "indexed once, after the rollback"
        );
    }

    #[test]
    fn an_unknown_incident_is_refused_before_reading() {
        let (_dir, store, _id, ctx) = setup();
        let err = preview(&store, &job(999), LOG.as_bytes(), &ctx, 5).unwrap_err();
        assert!(matches!(err, JobError::Store(_)), "{err}");
    }
}
