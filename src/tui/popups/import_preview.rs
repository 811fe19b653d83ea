//! Import from the console (`i` on the timeline): a form with the file, its format and the kind
//! of its events, then a preview of what the import would add. Nothing is written until the
//! preview is confirmed, and then all or nothing, exactly what the preview showed: a file that
//! changed in between is shown again instead of imported.

use crate::import::formats::{self, Format, Summary, Unit};
use crate::import::{self as importer, Job, JobError, Preview, Watch};
use crate::model::time::{self, TimeContext};
use crate::model::{EventKind, Incident};
use crate::store::{ImportOutcome, Store};
use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::view::{ZoneMode, count, truncate};
use crate::tui::widgets::form::{Field, Form, PathDirs};
use chrono_tz::Tz;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

/// How many of the file's first events the preview lists.
const SAMPLE: usize = 6;
/// How many skipped lines the preview lists.
const SKIPPED: usize = 3;

/// A checked form: what to read, from where, against which clock.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub job: Job,
    pub path: PathBuf,
    /// Fixed when the form is submitted, so that `-5m` in a file means the same instant in the
    /// preview and in the import. Its zone is the form's Zone: that of the file's times without
    /// an offset.
    pub ctx: TimeContext,
    /// The zone the review shows times in.
    pub zone: ZoneMode,
}

/// The preview popup's content.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub request: ImportRequest,
    pub preview: Preview,
    /// Why the preview is shown again (the file changed).
    pub note: Option<String>,
}

/// What an import form is for: the incident the events go into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportForm {
    pub incident: i64,
}

/// The Min level choices: every line, or those at a level and above.
const MIN_LEVELS: [&str; 7] = ["all", "debug", "info", "notice", "warn", "error", "critical"];

/// The import form; `local` is this machine's zone, the default for times without an offset;
/// → in the empty File field offers `start` (the directory of the last import, as typed).
pub fn form(incident: &Incident, dirs: crate::tui::popups::export::Dirs, start: &str, local: Tz) -> Form<ImportForm> {
    let formats: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
    let kinds: Vec<&str> = EventKind::ALL.iter().map(|k| k.key()).collect();
    let paths = PathDirs {
        cwd: dirs.cwd.to_path_buf(),
        home: dirs.home.map(Path::to_path_buf),
    };
    Form::new(
        format!("Import events into #{}", incident.id),
        ImportForm { incident: incident.id },
        vec![
            Field::line("File", "")
                .with_hint(if start.is_empty() {
                    "a path; ~ is your home; → completes a directory or file name".to_string()
                } else {
                    format!("a path; ~ is your home; → completes a name, or gives {start} (the last one)")
                })
                .with_path_completion(paths)
                .with_suggestions(if start.is_empty() {
                    Vec::new()
                } else {
                    vec![start.to_string()]
                }),
            Field::choice("Format", &formats, "auto")
                .with_hint("auto recognises CSV, JSON lines, logs of many kinds and Slack"),
            Field::choice("Kind", &kinds, EventKind::Observation.key()).with_hint("for events whose file does not say"),
            Field::line("Zone", local.name())
                .with_hint("the zone of the file's times without an offset (this machine's by default)"),
            Field::choice("Min level", &MIN_LEVELS, "all")
                .with_hint("leave out lines below this level (lines without one are kept)"),
            // Only the changes: the whole mapping does not fit at 80 columns; the hint says it.
            Field::line("Level kinds", "").with_hint(format!(
                "empty: {}; or LEVEL=KIND,…",
                crate::import::levels::LevelKinds::default().summary()
            )),
            Field::line("Channel", "")
                .with_hint("a Slack export's channel (its .zip or folder); empty: its only one, or the list"),
        ],
    )
}

/// Reads the form into a request (the path read with `export::resolve`: from the console's
/// directories); the file is opened later, by [`preview`].
pub fn request<P>(
    form: &Form<P>,
    what: &ImportForm,
    ctx: TimeContext,
    zone: ZoneMode,
    dirs: crate::tui::popups::export::Dirs,
) -> Result<ImportRequest, String> {
    let incident = &what.incident;
    let typed = form.value("File");
    if typed.is_empty() {
        return Err("Type the path of the file to import.".into());
    }
    if typed == "-" {
        return Err("The console cannot read standard input; pipe into `debrief import -` instead.".into());
    }
    let format: Format = form.value("Format").parse().map_err(|e| format!("{e}"))?;
    let kind: EventKind = form.value("Kind").parse().map_err(|e| format!("{e}"))?;
    let min_level = match form.optional_field("Min level").as_deref() {
        None | Some("all") => None,
        Some(word) => Some(word.parse::<crate::import::levels::Level>()?),
    };
    let kinds = match form.optional_field("Level kinds") {
        Some(spec) => crate::import::levels::LevelKinds::default()
            .with(&spec)
            .map_err(|e| format!("Level kinds: {e}"))?,
        None => crate::import::levels::LevelKinds::default(),
    };
    let ctx = match form.optional_field("Zone") {
        Some(name) => TimeContext {
            zone: time::parse_zone(&name).map_err(|e| e.to_string())?,
            ..ctx
        },
        None => ctx,
    };
    let path = crate::tui::popups::export::resolve(Path::new(&typed), dirs);
    // Named as typed (`~/` read as home), read from the console's directory.
    let named = match dirs.home {
        Some(_) if typed.starts_with("~/") => path.clone(),
        _ => PathBuf::from(&typed),
    };
    let mut job = Job::for_file(*incident, &named, format, kind)
        .with_min_level(min_level)
        .with_kinds(kinds);
    let channel = form.optional_field("Channel").filter(|c| !c.trim().is_empty());
    crate::store::files::refuse_if_open(&path).map_err(|e| e.to_string())?;
    if channel.is_none() {
        // The channels first, where 80 columns show them, not after the path.
        let channels = formats::export_channels(&path);
        if channels.len() > 1 {
            return Err(format!(
                "Name one of its {} channels in Channel: {}",
                channels.len(),
                channels.join(", ")
            ));
        }
    }
    if let Some(export) = formats::export_at(&path, channel.as_deref()).map_err(|e| e.to_string())? {
        job.format = Format::Slack;
        job.slack = Some(export);
    } else if channel.is_some() {
        return Err(format!(
            "{} is not a Slack export (a .zip, or the folder it unpacks to); empty the Channel field",
            job.name
        ));
    }
    Ok(ImportRequest { job, path, ctx, zone })
}

/// The input of a request: a Slack export is read by its job, anything else is opened here.
fn reader_for(request: &ImportRequest) -> Result<Box<dyn std::io::BufRead + Send>, String> {
    match request.job.slack {
        Some(_) => Ok(Box::new(std::io::empty())),
        None => Ok(Box::new(open(&request.path)?)),
    }
}

/// Opens a regular file only: a FIFO or a device (`/dev/tty`, `/dev/zero`) would block the
/// console or never end. (`debrief import` reads pipes and standard input.)
fn open(path: &Path) -> Result<BufReader<File>, String> {
    let cannot = |e: std::io::Error| format!("cannot read {}: {}", path.display(), crate::util::io_reason(&e));
    let kind = std::fs::metadata(path).map_err(cannot)?.file_type();
    if kind.is_dir() {
        return Err(format!("{} is a directory; name a file", path.display()));
    }
    if !kind.is_file() {
        return Err(format!(
            "{} is not a regular file; to read a pipe or a device, use `debrief import` in a shell",
            path.display()
        ));
    }
    crate::store::files::refuse_if_open(path).map_err(|e| e.to_string())?;
    File::open(path)
        .map(BufReader::new)
        .map_err(|e| format!("cannot read {}: {}", path.display(), crate::util::io_reason(&e)))
}

/// Reads the whole file as the import would, writing nothing.
pub fn preview(store: &Store, request: ImportRequest) -> Result<ImportPreview, String> {
    let reader = reader_for(&request)?;
    let preview = importer::preview(store, &request.job, reader, &request.ctx, SAMPLE).map_err(|e| e.to_string())?;
    Ok(ImportPreview {
        request,
        preview,
        note: None,
    })
}

pub enum Outcome {
    Imported(Summary, ImportOutcome),
    /// The file reads differently now: here is its new preview.
    Changed(Box<ImportPreview>),
    /// Stopped with Esc: nothing was written.
    Cancelled,
}

/// Imports what the preview showed; nothing when the file changed since.
pub fn run(store: &Store, shown: &ImportPreview) -> Result<Outcome, String> {
    run_watched(store, shown, &Watch::default())
}

pub(crate) fn run_watched(store: &Store, shown: &ImportPreview, watch: &Watch) -> Result<Outcome, String> {
    let request = &shown.request;
    let cancelled = || watch.cancel.load(Ordering::Relaxed);
    let result = loop {
        watch.done.store(0, Ordering::Relaxed);
        let reader = reader_for(request)?;
        match importer::import_watched(store, &request.job, reader, &request.ctx, Some(&shown.preview), watch) {
            // Another process is writing: wait in short steps, so that Esc is heard.
            Err(JobError::Store(e)) if Store::is_busy(&e) && !cancelled() && watch.retry_busy => continue,
            other => break other,
        }
    };
    match result {
        Ok((summary, outcome)) => Ok(Outcome::Imported(summary, outcome)),
        Err(_) if cancelled() => Ok(Outcome::Cancelled),
        Err(JobError::Changed(_)) => {
            let mut again = preview(store, request.clone())?;
            again.note = Some("The file changed since the preview; this is what it holds now.".into());
            Ok(Outcome::Changed(Box::new(again)))
        }
        Err(JobError::Cancelled) => Ok(Outcome::Cancelled),
        Err(e) => Err(e.to_string()),
    }
}

impl ImportPreview {
    /// The preview's lines in at most `max` lines: when the terminal is short, the first events
    /// give way before the counts, the skipped lines and the note.
    pub fn lines(&self, theme: &Theme, width: usize, max: usize) -> Vec<Line<'static>> {
        let p = &self.preview;
        let s = &p.summary;
        let zone = self.request.zone;
        let plain = |text: String| Line::from(Span::styled(truncate(&text, width), theme.base));
        let mut head = vec![plain(format!(
            "{} · {} · read as {}",
            self.request.job.label,
            crate::tui::view::plural(s.events, "event"),
            s.described()
        ))];
        if let (Some(a), Some(b)) = (s.first, s.last) {
            head.push(plain(format!(
                "from {} to {} ({})",
                zone.format_long(a),
                zone.format_long(b),
                zone.tz().name()
            )));
        }
        head.push(Line::from(Span::styled(
            truncate(
                &format!("times without an offset read in {}", self.request.ctx.zone.name()),
                width,
            ),
            theme.muted,
        )));
        let mut counts = if s.events == 0 {
            "no events to import".to_string()
        } else {
            format!("{} new · {} already in this incident", count(p.new), count(p.already))
        };
        if p.repeats > 0 {
            let noun = if p.repeats == 1 { "repeat" } else { "repeats" };
            counts.push_str(&format!(" · {} {noun} folded", count(p.repeats)));
        }
        if let Some(least) = self.request.job.min_level {
            counts.push_str(&format!(" · {} below {} left out", count(p.left_out), least.name()));
        }
        let style = if p.new == 0 { theme.warning } else { theme.base };
        head.push(Line::from(Span::styled(truncate(&counts, width), style)));

        let tail = self.skipped_and_note(theme, width);

        // A blank line and "… and N more" besides the events shown.
        let room = max.saturating_sub(head.len() + tail.len() + 2);
        let shown = p.sample.len().min(room);
        let mut lines = head;
        if shown > 0 || s.events > 0 {
            lines.push(Line::from(""));
        }
        for (e, n) in p.sample[..shown].iter().zip(&p.sample_counts) {
            let kind = self.request.job.kind_of(e).label();
            let times = crate::model::repeat_badge(*n as i64)
                .map(|t| format!("{t} "))
                .unwrap_or_default();
            let first = format!("{times}{}", e.text.lines().next().unwrap_or(""));
            lines.push(Line::from(vec![
                Span::styled(format!("  {}  ", zone.format_short(e.at)), theme.muted),
                Span::styled(
                    truncate(&format!("{kind:<10} {first}"), width.saturating_sub(15)),
                    theme.base,
                ),
            ]));
        }
        // Events each once: a repeated line is one event with its count.
        let events = p.new + p.already;
        if events > shown {
            let more = if shown == 0 { "events" } else { "more" };
            lines.push(Line::from(Span::styled(
                format!("  … and {} {more}", count(events - shown)),
                theme.muted,
            )));
        }
        lines.extend(tail);
        lines.truncate(max);
        lines
    }

    /// The lines below the events: the skipped lines (the first `SKIPPED` of them) and the note.
    fn skipped_and_note(&self, theme: &Theme, width: usize) -> Vec<Line<'static>> {
        let s = &self.preview.summary;
        let plain = |text: String| Line::from(Span::styled(truncate(&text, width), theme.base));
        let mut tail = Vec::new();
        if !s.skipped.is_empty() {
            tail.push(Line::from(""));
            tail.push(Line::from(Span::styled(
                format!("{} skipped:", count_word(s.skipped.len(), s.unit())),
                theme.warning,
            )));
            let at = s.unit().word();
            for k in s.skipped.iter().take(SKIPPED) {
                tail.push(plain(format!("  {at} {}: {}", k.line, k.reason)));
            }
            if s.skipped.len() > SKIPPED {
                tail.push(Line::from(Span::styled(
                    truncate(
                        &format!(
                            "  … and {} more (debrief import --dry-run lists them all)",
                            s.skipped.len() - SKIPPED
                        ),
                        width,
                    ),
                    theme.muted,
                )));
            }
        }
        if let Some(note) = &self.note {
            tail.push(Line::from(""));
            tail.push(Line::from(Span::styled(truncate(note, width), theme.warning)));
        }
        tail
    }

    /// The preview, and the keys of the key map's [import_preview] section.
    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, keys: &KeyMap) {
        let key = |c: Command, name: &str| format!(" {} ", keys.first_key(Context::ImportPreview, c, name));
        let width = area.width.saturating_sub(4).min(100);
        // Borders, a blank line and the keys: the keys stay on screen however short it is.
        let room = area.height.saturating_sub(4) as usize;
        let mut lines = self.lines(theme, width.saturating_sub(2) as usize, room);
        let go = if self.preview.new == 0 {
            " nothing to import: close   ".to_string()
        } else {
            format!(" import {}   ", crate::tui::view::plural(self.preview.new, "event"))
        };
        lines.push(Line::from(""));
        lines.push(Line::from(vec![
            Span::styled(key(Command::Yes, "yes"), theme.key_hint),
            Span::styled(go, theme.base),
            Span::styled(key(Command::No, "no"), theme.key_hint),
            Span::styled(" back to the form", theme.base),
        ]));
        let height = lines.len() as u16 + 2;
        let title = format!("Import preview: nothing written yet · #{}", self.request.job.incident);
        let inner = crate::tui::widgets::menu::frame(area, buf, theme, &title, width, height);
        Paragraph::new(lines).render(inner, buf);
    }
}

/// `1 line`, `3 lines`, `2 messages`.
pub fn count_word(n: usize, unit: Unit) -> String {
    let word = unit.word();
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{} {word}s", count(n))
    }
}
