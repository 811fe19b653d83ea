//! Export from the console (`x` in the review): a form with the format and the path, then
//! `export::export` written with `util::write_atomically`. An existing file is never replaced
//! without asking; a bad path (or one that is not a regular file) is reported in the form and
//! nothing is written.

use crate::export::audience::{Audience, LeftOut};
use crate::model::Incident;
use crate::store::Store;
use crate::tui::widgets::form::{Field, Form};
use chrono::NaiveDate;
use std::io;
use std::path::{Path, PathBuf};

pub const FORMATS: [&str; 3] = ["md", "json", "csv"];

/// What to write where, checked and ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRequest {
    pub incident: i64,
    pub format: String,
    pub path: PathBuf,
    /// For outsiders: internal items left out, identifying values masked.
    pub audience: Audience,
}

/// What an export form is for: the incident, and the file name its paths default to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportForm {
    pub incident: i64,
    pub slug: String,
}

/// A file name from a title: lowercase ASCII letters and digits joined by dashes.
pub fn slug(title: &str, id: i64) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    if out.len() > 60 {
        out.truncate(60);
        if let Some(cut) = out.rfind('-').filter(|i| *i > 20) {
            out.truncate(cut);
        }
    }
    let out = out.trim_matches('-').to_string();
    if out.is_empty() { format!("incident-{id}") } else { out }
}

pub fn default_path(slug: &str, format: &str) -> String {
    format!("./{slug}.{format}")
}

pub fn form(incident: &Incident) -> Form<ExportForm> {
    let slug = slug(&incident.title, incident.id);
    Form::new(
        format!("Export incident #{}", incident.id),
        ExportForm {
            incident: incident.id,
            slug: slug.clone(),
        },
        vec![
            Field::choice("Format", &FORMATS, "md")
                .with_hint("md: the postmortem · json: everything · csv: the actions"),
            Field::line("Path", &default_path(&slug, "md"))
                .with_hint("a file name; the default follows the format; ~ is your home"),
            Field::choice("Audience", &Audience::NAMES, "internal").with_hint(
                "internal: the team, everything · external: vendors, other teams — internal items left out, \
                 e-mail, IP addresses and tokens masked",
            ),
        ],
    )
}

/// After a key on the export form: a path that is still the default of another format becomes
/// the chosen format's (`./x.md` → `./x.json`); a path the user typed stays as typed.
pub fn follow_format<P>(form: &mut Form<P>, slug: &str) {
    let format = form.value("Format");
    let path = form.value("Path");
    let default = default_path(slug, &format);
    if path != default && FORMATS.iter().any(|f| path == default_path(slug, f)) {
        form.set_value("Path", &default);
    }
}

/// The path the form asks for: the default one (for the chosen format) when the field is empty
/// or still holds a default, else what was typed (see [`resolve`] for `~/` and relative paths).
pub fn target(slug: &str, format: &str, typed: &str) -> PathBuf {
    let typed = typed.trim();
    if typed.is_empty() || FORMATS.iter().any(|f| typed == default_path(slug, f)) {
        return PathBuf::from(default_path(slug, format));
    }
    PathBuf::from(typed)
}

/// Where the paths typed into one console are read from: handed in by its host (the local
/// terminal's are the process's; a session served to someone else has its own).
#[derive(Debug, Clone, Copy)]
pub struct Dirs<'a> {
    /// The console's working directory: a relative path is read from here.
    pub cwd: &'a Path,
    /// What a leading `~/` means (`None`: it is kept as typed).
    pub home: Option<&'a Path>,
}

/// A typed path as the console means it: a leading `~/` is the home directory, a relative path
/// is read from the console's working directory (not the process's).
pub fn resolve(path: &Path, dirs: Dirs) -> PathBuf {
    if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), dirs.home) {
        return home.join(rest);
    }
    if path.is_absolute() {
        return path.to_path_buf();
    }
    dirs.cwd.join(path.strip_prefix(".").unwrap_or(path))
}

/// Reads the form into a request whose directory exists (the path read with [`resolve`]).
pub fn request<P>(form: &Form<P>, what: &ExportForm, dirs: Dirs) -> Result<ExportRequest, String> {
    let ExportForm { incident, slug } = what;
    let format = form.value("Format");
    if !FORMATS.contains(&format.as_str()) {
        return Err(format!("unknown format {format} (accepted: md, json, csv)"));
    }
    let path = resolve(&target(slug, &format, &form.value("Path")), dirs);
    check_place(&path)?;
    // A form without the field (an older key map's test) is for the team.
    let audience = match form.value("Audience") {
        typed if typed.is_empty() => Audience::Internal,
        typed => Audience::parse(&typed)?,
    };
    Ok(ExportRequest {
        incident: *incident,
        format,
        path,
        audience,
    })
}

/// The file can be written there: its directory exists, and the path is free, a regular file or
/// a link to one (see [`crate::util::check_target`]).
pub fn check_place(path: &Path) -> Result<(), String> {
    crate::util::check_target(path)
        .map(|_| ())
        .map_err(|e| describe(path, &e))
}

/// Renders and writes the export; a reader never sees half a file. For outsiders, what it left
/// out.
pub fn write(store: &Store, req: &ExportRequest, today: NaiveDate) -> Result<Option<LeftOut>, String> {
    check_place(&req.path)?;
    // Streamed into a temporary file beside the target, which replaces it once whole.
    crate::util::write_atomically_with(&req.path, |out| {
        crate::export::write_for(store, req.incident, &req.format, today, req.audience, out)
    })
    .map_err(|e| match e {
        crate::export::ExportError::Io(e) => describe(&req.path, &e),
        e => format!("{e:#}"),
    })
}

/// What the flash says once written: where, and for outsiders what was left out.
pub fn written(req: &ExportRequest, left: Option<LeftOut>) -> String {
    match left {
        Some(left) => format!("Exported to {} {left}", req.path.display()),
        None => format!("Exported to {}", req.path.display()),
    }
}

fn describe(path: &Path, e: &io::Error) -> String {
    let why = match e.kind() {
        // A refusal from `check_target`, which names the path and says nothing was written.
        io::ErrorKind::InvalidInput => return e.to_string(),
        io::ErrorKind::PermissionDenied => "permission denied (is the directory read-only?)".to_string(),
        io::ErrorKind::ReadOnlyFilesystem => "the file system is read-only".to_string(),
        _ => e.to_string(),
    };
    format!("cannot write {}: {why}; nothing was written", path.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_plain_and_short() {
        assert_eq!(
            slug("Checkout payments failing: PayFast 503s and a retry storm", 1),
            "checkout-payments-failing-payfast-503s-and-a-retry-storm"
        );
        assert_eq!(slug("  ¡DNS!  ", 4), "dns");
        assert_eq!(slug("ÄÖÜ", 7), "incident-7");
        let long = slug(&"word ".repeat(30), 1);
        assert!(long.len() <= 60 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn the_default_path_follows_the_format() {
        assert_eq!(target("x", "json", "./x.md"), PathBuf::from("./x.json"));
        assert_eq!(target("x", "csv", ""), PathBuf::from("./x.csv"));
        assert_eq!(target("x", "json", "/tmp/mine.md"), PathBuf::from("/tmp/mine.md"));
    }

    #[test]
    fn the_path_in_the_form_follows_the_format_unless_typed() {
        use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let at = chrono::Utc::now();
        let incident = Incident {
            id: 3,
            title: "DB down".into(),
            severity: crate::model::Severity::Sev2,
            status: crate::model::IncidentStatus::Open,
            summary: String::new(),
            impact: String::new(),
            zone: "UTC".into(),
            root_cause: String::new(),
            trigger: String::new(),
            started_at: None,
            created_at: at,
            updated_at: at,
            version: 1,
        };
        let mut f = form(&incident);
        let press = |f: &mut Form<ExportForm>, code| {
            f.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
            follow_format(f, "db-down");
        };
        press(&mut f, KeyCode::Right);
        assert_eq!(f.value("Format"), "json");
        assert_eq!(f.value("Path"), "./db-down.json");
        press(&mut f, KeyCode::Right);
        assert_eq!(f.value("Path"), "./db-down.csv");
        // A path of one's own stays as typed whatever the format.
        press(&mut f, KeyCode::Tab);
        press(&mut f, KeyCode::Backspace);
        press(&mut f, KeyCode::Backspace);
        press(&mut f, KeyCode::Backspace);
        for c in "txt".chars() {
            press(&mut f, KeyCode::Char(c));
        }
        press(&mut f, KeyCode::BackTab);
        press(&mut f, KeyCode::Right);
        assert_eq!(f.value("Path"), "./db-down.txt");
    }

    #[test]
    fn typed_paths_are_read_from_the_console_s_directories() {
        let dirs = Dirs {
            cwd: Path::new("/srv/session-7"),
            home: Some(Path::new("/home/ana")),
        };
        assert_eq!(resolve(Path::new("./x.md"), dirs), PathBuf::from("/srv/session-7/x.md"));
        assert_eq!(
            resolve(Path::new("out/x.md"), dirs),
            PathBuf::from("/srv/session-7/out/x.md")
        );
        assert_eq!(resolve(Path::new("~/x.md"), dirs), PathBuf::from("/home/ana/x.md"));
        assert_eq!(resolve(Path::new("/tmp/x.md"), dirs), PathBuf::from("/tmp/x.md"));
        assert_eq!(
            resolve(Path::new("~ana/x.md"), dirs),
            PathBuf::from("/srv/session-7/~ana/x.md")
        );
        let no_home = Dirs { home: None, ..dirs };
        assert_eq!(
            resolve(Path::new("~/x.md"), no_home),
            PathBuf::from("/srv/session-7/~/x.md")
        );
    }

    #[test]
    fn missing_directories_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = check_place(&dir.path().join("nope/x.md")).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        let err = check_place(dir.path()).unwrap_err();
        assert!(err.contains("is a directory"), "{err}");
        assert!(check_place(&dir.path().join("x.md")).is_ok());
    }
}
