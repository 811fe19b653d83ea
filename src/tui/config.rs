//! The console's settings: `config.toml` in the config directory; and [`ConsoleEnv`], what one
//! console knows of where it runs. Every setting has a default, so a file may list only what it
//! changes.

use serde::Deserialize;
use std::ffi::OsString;
use std::io;
use std::path::{Path, PathBuf};

/// What one console knows of the environment it runs in, handed to it by its host: the local
/// terminal reads the process's (`tui::host`), a session served to someone else would bring
/// its own. Nothing else in the console reads the process's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleEnv {
    /// `NO_COLOR` as set: anything but the empty string turns colour off (no-color.org).
    pub no_color: Option<OsString>,
    /// Where keymap.toml and config.toml are read from (`None`: the defaults only).
    pub config_dir: Option<PathBuf>,
    /// The console's working directory: relative paths typed into it are read from here.
    pub cwd: PathBuf,
    /// What a leading `~/` in a typed path means.
    pub home: Option<PathBuf>,
    /// The zone "today" is counted in and new incidents start in (and why it is not the one
    /// asked for, if it is not).
    pub local_zone: crate::env::LocalZone,
}

impl Default for ConsoleEnv {
    /// No colour choice, no config directory, paths read from ".", `~` kept as typed, UTC.
    fn default() -> Self {
        ConsoleEnv {
            no_color: None,
            config_dir: None,
            cwd: PathBuf::from("."),
            home: None,
            local_zone: crate::env::LocalZone {
                zone: chrono_tz::UTC,
                warning: None,
            },
        }
    }
}

/// The settings file inside the config directory.
pub const CONFIG_FILE: &str = "config.toml";

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub meeting: MeetingConfig,
    pub console: ConsoleConfig,
    pub follow_through: FollowThroughConfig,
}

/// `[follow_through]`: a new action's default due date, in days per severity.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FollowThroughConfig {
    pub due_days: crate::model::follow::DueDays,
}

/// `[console]`: how the console talks to the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsoleConfig {
    /// Whether the console asks the terminal for clicks and the wheel (`false` leaves the
    /// mouse to the terminal: its own selection without Shift).
    pub mouse: bool,
    /// `auto` (from TERM and the locale), `ascii` or `unicode`; `--ascii` / `--unicode` win.
    pub charset: CharsetSetting,
}

impl Default for ConsoleConfig {
    fn default() -> Self {
        ConsoleConfig {
            mouse: true,
            charset: CharsetSetting::Auto,
        }
    }
}

/// The `charset` setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CharsetSetting {
    #[default]
    Auto,
    Ascii,
    Unicode,
}

impl CharsetSetting {
    /// The character set it asks for; `None` leaves the guess.
    pub fn charset(self) -> Option<crate::tui::caps::Charset> {
        match self {
            CharsetSetting::Auto => None,
            CharsetSetting::Ascii => Some(crate::tui::caps::Charset::Ascii),
            CharsetSetting::Unicode => Some(crate::tui::caps::Charset::Unicode),
        }
    }
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
    /// The settings from the config directory, or the defaults when there is none or it holds
    /// no file.
    pub fn load(config_dir: Option<&Path>) -> Result<Config, ConfigError> {
        match config_dir {
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

    /// Each console is given its environment: its settings and key map come from there, not
    /// from the process's (its theme: `theme::tests`).
    #[test]
    fn a_console_s_environment_is_its_own() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[meeting]\ntimebox_minutes = [1, 2, 3, 4]\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("keymap.toml"), "[timeline]\nadd = [\"+\"]\n").unwrap();
        let env = ConsoleEnv {
            config_dir: Some(dir.path().to_path_buf()),
            ..ConsoleEnv::default()
        };
        assert_eq!(
            Config::load(env.config_dir.as_deref()).unwrap().meeting.timebox_minutes,
            [1, 2, 3, 4]
        );
        let keys = crate::tui::keymap::KeyMap::load(env.config_dir.as_deref()).unwrap();
        let add = crate::tui::keymap::command::Command::Add;
        assert_eq!(keys.keys_for(crate::tui::keymap::Context::Timeline, add), ["+"]);
        // Another console in the same process: no config directory.
        let other = ConsoleEnv::default();
        assert_eq!(Config::load(other.config_dir.as_deref()).unwrap(), Config::default());
        assert_eq!(
            crate::tui::keymap::KeyMap::load(None).unwrap(),
            crate::tui::keymap::KeyMap::default_map()
        );
    }

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
    fn console_settings() {
        let c = Config::from_toml("[console]\nmouse = false\ncharset = \"ascii\"\n", "t").unwrap();
        assert!(!c.console.mouse);
        assert_eq!(c.console.charset.charset(), Some(crate::tui::caps::Charset::Ascii));
        assert!(Config::default().console.mouse);
        assert_eq!(Config::default().console.charset.charset(), None);
        let err = Config::from_toml("[console]\ncharset = \"latin1\"\n", "c.toml").unwrap_err();
        assert!(
            err.to_string().contains("charset") || err.to_string().contains("latin1"),
            "{err}"
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
