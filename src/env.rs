//! What debrief takes from its environment, for both front ends: the database path, the author
//! of changes, and the local time zone.

use crate::model::time;
use std::ffi::OsString;
use std::path::PathBuf;

/// The environment variable naming debrief's config directory (it holds keymap.toml and
/// config.toml).
pub const CONFIG_DIR_ENV: &str = "DEBRIEF_CONFIG";

/// Why the database's place could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("cannot find a home directory for the database; pass --db PATH")]
    NoHome,
    #[error("cannot create {0}")]
    CreateDir(String, #[source] std::io::Error),
    #[error("DEBRIEF_NOW=\"{0}\" is not an RFC 3339 time such as 2026-11-29T13:58:00Z")]
    BadNow(String),
}

/// "Now" for the command line: the system clock, or `DEBRIEF_NOW` (an RFC 3339 instant) when it
/// is set, so that tests and reproducible runs read typed times against a fixed clock.
pub fn now() -> Result<chrono::DateTime<chrono::Utc>, EnvError> {
    match std::env::var("DEBRIEF_NOW") {
        Ok(v) if !v.trim().is_empty() => chrono::DateTime::parse_from_rfc3339(v.trim())
            .map(|t| t.with_timezone(&chrono::Utc))
            .map_err(|_| EnvError::BadNow(crate::model::sanitize::clean_line(&v))),
        _ => Ok(chrono::Utc::now()),
    }
}

/// The author of changes: `--author`, else `DEBRIEF_AUTHOR`, else the login name.
pub fn resolve_author(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(|| std::env::var("DEBRIEF_AUTHOR").ok())
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(login_name)
        .map(|a| crate::model::sanitize::clean_line(&a))
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "unknown".into())
}

/// The name of the user running us, from the password database (`getpwuid_r`, safe from any
/// thread: the SSH server resolves authors on its own threads).
fn login_name() -> Option<String> {
    whoami::username().ok().filter(|n| !n.is_empty())
}

/// `--db`, else `DEBRIEF_DB`, else the XDG data directory (created as needed).
pub fn resolve_db(flag: Option<PathBuf>) -> Result<PathBuf, EnvError> {
    if let Some(p) = flag {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os("DEBRIEF_DB").filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let dirs = directories::ProjectDirs::from("", "", "debrief").ok_or(EnvError::NoHome)?;
    let dir = dirs.data_dir();
    std::fs::create_dir_all(dir).map_err(|e| EnvError::CreateDir(dir.display().to_string(), e))?;
    Ok(dir.join("debrief.db"))
}

/// The local IANA zone, for new incidents (see [`local_zone_checked`]).
pub fn local_zone() -> String {
    local_zone_checked().zone.name().to_string()
}

/// The local zone, and a warning to show when it is not what the environment asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalZone {
    pub zone: chrono_tz::Tz,
    pub warning: Option<String>,
}

/// The local zone: `TZ` when set, else the system's zone, else UTC.
pub fn local_zone_checked() -> LocalZone {
    local_zone_from(std::env::var_os("TZ").map(|z| z.to_string_lossy().into_owned()), || {
        iana_time_zone::get_timezone().ok()
    })
}

/// `TZ` may name an IANA zone (`Europe/Berlin`, `:Europe/Berlin`, a path into a zoneinfo
/// directory); empty means UTC, as in POSIX. A POSIX rule (`EST5EDT,M3.2.0,M11.1.0`) or any
/// other name chrono-tz does not know cannot be a stored zone: UTC is used, and the warning says
/// so (never a silent UTC).
pub fn local_zone_from(tz: Option<String>, system: impl FnOnce() -> Option<String>) -> LocalZone {
    let zone = |zone| LocalZone { zone, warning: None };
    match tz {
        Some(tz) => {
            let name = tz.trim().trim_start_matches(':');
            let name = name.rsplit_once("zoneinfo/").map_or(name, |(_, zone)| zone);
            if name.trim().is_empty() {
                return zone(chrono_tz::UTC);
            }
            match time::parse_zone(name) {
                Ok(tz) => zone(tz),
                Err(_) => LocalZone {
                    zone: chrono_tz::UTC,
                    warning: Some(format!(
                        "TZ=\"{}\" is not an IANA time zone name, which debrief needs; using UTC \
                         (set TZ to a name such as America/New_York, or pass --zone)",
                        crate::model::sanitize::clean_line(&tz)
                    )),
                },
            }
        }
        None => zone(
            system()
                .and_then(|name| time::parse_zone(&name).ok())
                .unwrap_or(chrono_tz::UTC),
        ),
    }
}

/// debrief's config directory: `$DEBRIEF_CONFIG`, else `$XDG_CONFIG_HOME/debrief`,
/// else `~/.config/debrief` (also on macOS, as terminal tools there usually do).
pub fn config_dir() -> Option<PathBuf> {
    config_dir_with(|name| std::env::var_os(name))
}

/// [`config_dir`] with the environment passed in, so tests need not change the process's.
pub fn config_dir_with(env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = var(CONFIG_DIR_ENV) {
        return Some(dir);
    }
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if let Some(xdg) = var("XDG_CONFIG_HOME").filter(|p| p.is_absolute()) {
        return Some(xdg.join("debrief"));
    }
    let home = var("HOME").or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().into()));
    home.map(|h| h.join(".config").join("debrief"))
}

/// `[follow_through] due_days` from config.toml in `dir` (the defaults when the file or the
/// setting is missing), for the command line; the console reads the same through its settings.
pub fn due_days(dir: Option<PathBuf>) -> Result<crate::model::follow::DueDays, String> {
    let Some(path) = dir.map(|d| d.join("config.toml")) else {
        return Ok(Default::default());
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => return Err(format!("cannot read the settings {}: {e}", path.display())),
    };
    #[derive(serde::Deserialize, Default)]
    struct Section {
        #[serde(default)]
        due_days: crate::model::follow::DueDays,
    }
    #[derive(serde::Deserialize)]
    struct File {
        #[serde(default)]
        follow_through: Option<Section>,
    }
    let file: File = toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.to_string().trim_end()))?;
    let days = file.follow_through.unwrap_or_default().due_days;
    days.check().map_err(|m| format!("{}: {m}", path.display()))?;
    Ok(days)
}
