//! The console's settings: `config.toml` in the config directory (see [`config_dir`]).
//! Every setting has a default, so a file may list only what it changes.

use crate::tui::keymap::config_dir;
use serde::Deserialize;
use std::io;
use std::path::{Path, PathBuf};

/// The settings file inside the config directory.
pub const CONFIG_FILE: &str = "config.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub meeting: MeetingConfig,
    pub follow_through: FollowThroughConfig,
}

/// `[follow_through]`: a new action's default due date, in days per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowThroughConfig {
    pub due_days: crate::model::follow::DueDays,
}

/// `[meeting]`: the first meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeetingConfig {
    /// Minutes planned for each agenda step: document, agree, delegate, wrap-up.
    pub timebox_minutes: [u32; 4],
}

impl Default for MeetingConfig {
    fn default() -> Self {
        MeetingConfig {
            timebox_minutes: [20, 10, 20, 10],
        }
    }
}

impl MeetingConfig {
    /// The time boxes in seconds, in agenda order.
    pub fn timebox_seconds(&self) -> [i64; 4] {
        self.timebox_minutes.map(|m| i64::from(m) * 60)
    }
}

/// The longest time box a step may have (ten hours).
const MAX_MINUTES: u32 = 600;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the settings {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

impl Config {
    /// The settings from the config directory, or the defaults when there is no file.
    pub fn load() -> Result<Config, ConfigError> {
        match config_dir() {
            Some(dir) => Config::load_file(&dir.join(CONFIG_FILE)),
            None => Ok(Config::default()),
        }
    }

    /// The settings in `path`; a missing file means the defaults.
    pub fn load_file(path: &Path) -> Result<Config, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::from_toml(&text, &path.display().to_string()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Config::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses and checks a settings text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid {
            origin: origin.to_string(),
            message,
        };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().replace('\n', " ")))?;
        if let Some(bad) = config
            .meeting
            .timebox_minutes
            .iter()
            .find(|m| **m == 0 || **m > MAX_MINUTES)
        {
            return Err(invalid(format!(
                "[meeting] timebox_minutes: each step needs 1 to {MAX_MINUTES} minutes, not {bad}"
            )));
        }
        config.follow_through.due_days.check().map_err(invalid)?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_partial_files() {
        assert_eq!(Config::from_toml("", "t").unwrap(), Config::default());
        assert_eq!(Config::default().meeting.timebox_minutes, [20, 10, 20, 10]);
        let c = Config::from_toml("[meeting]\ntimebox_minutes = [15, 5, 25, 5]\n", "t").unwrap();
        assert_eq!(c.meeting.timebox_seconds(), [900, 300, 1500, 300]);
    }

    #[test]
    fn mistakes_name_the_file_and_what_to_change() {
        let err = Config::from_toml("[meeting]\ntimebox_minute = [1, 2, 3, 4]\n", "c.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("c.toml: ") && text.contains("timebox_minute"),
            "{text}"
        );
        assert!(text.contains("line 2"), "{text}");
        let err = Config::from_toml("[meeting]\ntimebox_minutes = [20, 10]\n", "c.toml").unwrap_err();
        assert!(err.to_string().contains("timebox_minutes"), "{err}");
        let err = Config::from_toml("[meeting]\ntimebox_minutes = [20, 0, 20, 10]\n", "c.toml").unwrap_err();
        assert_eq!(
            err.to_string(),
            "c.toml: [meeting] timebox_minutes: each step needs 1 to 600 minutes, not 0"
        );
    }

    #[test]
    fn a_missing_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Config::load_file(&dir.path().join("none.toml")).unwrap(),
            Config::default()
        );
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, "[meeting]\ntimebox_minutes = [1, 2, 3, 4]\n").unwrap();
        assert_eq!(Config::load_file(&path).unwrap().meeting.timebox_minutes, [1, 2, 3, 4]);
    }
}
