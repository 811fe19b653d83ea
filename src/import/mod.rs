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
use crate::model::{EventKind, Incident, Source, sanitize};
use crate::store::{ImportOutcome, Marks, NewEvent, Store, StoreError};
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

    /// What an imported line becomes: its kind (the file's, else its level's, else the job's)
    /// and its origin (the service, unit, logger or host it names, else the file).
    fn event(&self, e: ImportedEvent, source: &Source) -> (NewEvent, Marks) {
        let kind = self.kind_of(&e);
        let origin = e
            .origin
            .clone()
            .or_else(|| levels::origin_in(&e.text))
            .unwrap_or_else(|| self.label.clone());
        let new = NewEvent {
            at: e.at,
            kind,
            text: e.text,
            milestone: None,
            source: source.clone(),
            author: e.author,
        };
        let marks = Marks {
            key: false,
            origin: Some(origin),
            internal: false,
        };
        (new, marks)
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
    let (mut sample_keys, mut sample_counts) = (Vec::new(), Vec::new());
    let mut seen = HashSet::new();
    let (mut new, mut already, mut repeats, mut left_out) = (0, 0, 0, 0);
    let mut digest = DefaultHasher::new();
    let summary = job.read(reader, ctx, &mut |e| {
        e.hash(&mut digest);
        if job.leaves_out(&e) {
            left_out += 1;
            return Ok(());
        }
        let key = e.key();
        if seen.contains(&key) {
            repeats += 1;
            if let Some(i) = sample_keys.iter().position(|k| *k == key) {
                sample_counts[i] += 1;
            }
            return Ok(());
        } else if store.is_imported(job.incident, &key).map_err(ImportError::from_sink)?
            || imported_before(store, job.incident, &e)?.is_some()
        {
            already += 1;
        } else {
            new += 1;
        }
        if sample.len() < sample_len {
            sample.push(e);
            sample_keys.push(key.clone());
            sample_counts.push(1);
        }
        seen.insert(key);
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

/// Imports the file in one transaction. With `expect`, the file must read exactly as it did for
/// that preview (the same events, and the same skipped lines), else nothing is written.
pub fn import<R: BufRead>(
    store: &Store,
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    expect: Option<&Preview>,
) -> Result<(Summary, ImportOutcome), JobError> {
    import_watched(store, job, reader, ctx, expect, &Watch::default())
}

/// [`import`], counting progress in `watch` and stopping (rolled back) when it is cancelled.
pub fn import_watched<R: BufRead>(
    store: &Store,
    job: &Job,
    reader: R,
    ctx: &TimeContext,
    expect: Option<&Preview>,
    watch: &Watch,
) -> Result<(Summary, ImportOutcome), JobError> {
    let source = Source::Imported(job.label.clone());
    let mut digest = DefaultHasher::new();
    let cancelled = || watch.cancel.load(Ordering::Relaxed);
    store.import_marked(job.incident, &job.label, |sink| -> Result<Summary, JobError> {
        let read = job.read(reader, ctx, &mut |e| {
            if cancelled() {
                return Err(ImportError::from_sink("cancelled"));
            }
            watch.done.fetch_add(1, Ordering::Relaxed);
            e.hash(&mut digest);
            if job.leaves_out(&e) {
                return Ok(());
            }
            // An event an earlier version imported under another text keeps that key: the store
            // finds it there and adds nothing.
            let key = imported_before(store, job.incident, &e)?.unwrap_or_else(|| e.key());
            let (new, marks) = job.event(e, &source);
            sink(new, &key, marks).map_err(ImportError::from_sink)
        });
        let summary = match read {
            Err(_) if cancelled() => return Err(JobError::Cancelled),
            other => other?,
        };
        match expect {
            Some(p) if p.summary != summary || p.digest != digest.finish() => Err(JobError::Changed(job.name.clone())),
            _ => Ok(summary),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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

    #[test]
    fn an_unknown_incident_is_refused_before_reading() {
        let (_dir, store, _id, ctx) = setup();
        let err = preview(&store, &job(999), LOG.as_bytes(), &ctx, 5).unwrap_err();
        assert!(matches!(err, JobError::Store(_)), "{err}");
    }
}
