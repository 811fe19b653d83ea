//! The console: the app and its screens, popups, widgets and key map; `host` is the local terminal.

pub mod app;
pub mod caps;
pub mod config;
pub mod console;
pub mod effect;
pub mod host;
pub mod keymap;
pub mod mouse;
pub mod painted;
pub mod popups;
pub mod screens;
pub mod theme;
pub mod ui;
pub mod undo;
pub mod view;
pub mod widgets;

/// The local terminal's entry point (`debrief::tui::run::run`), kept where main.rs calls it.
pub use host::run;

/// Below this the console shows only "terminal too small"; 80x24 is well above it.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Whether a line of Rust names the app module: `crate::tui::app`, `super::app`,
    /// `super::super::app` or `app` inside a `crate::tui::{…}` group.
    fn names_app(line: &str) -> bool {
        let code = line.split("//").next().unwrap_or("");
        code.contains("tui::app")
            || code.contains("super::app")
            || (code.contains("tui::{")
                && code
                    .split(['{', ',', '}', ' '])
                    .any(|w| w == "app" || w.starts_with("app::")))
    }

    #[test]
    fn names_app_sees_every_spelling() {
        assert!(names_app("use crate::tui::app::{App, Popup};"));
        assert!(names_app("use super::app::App;"));
        assert!(names_app("use super::super::app::Screen;"));
        assert!(names_app("use crate::tui::{app::App, theme::Theme};"));
        assert!(names_app("    fn f(a: &mut crate::tui::app::App) {}"));
        assert!(!names_app("use crate::tui::effect::{Ctx, Effect}; // not tui::app"));
        assert!(!names_app("use crate::tui::popups::{Popup, Purpose};"));
    }

    /// Screens return effects and only `App` applies them: a screen, a popup or the
    /// effect module never imports `App` (nor anything else from app.rs), so no circle runs
    /// through them.
    #[test]
    fn screens_popups_and_effects_never_import_app() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src/tui/screens"), &mut files);
        rust_files(&root.join("src/tui/popups"), &mut files);
        files.push(root.join("src/tui/effect.rs"));
        let mut checked = 0;
        let mut offenders = Vec::new();
        for file in &files {
            let rel = file.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            checked += 1;
            for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
                if names_app(line) {
                    offenders.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        for must in [
            "src/tui/screens/home.rs",
            "src/tui/screens/insights.rs",
            "src/tui/screens/all_actions.rs",
        ] {
            assert!(files.iter().any(|f| f.ends_with(must)), "{must} was not found");
        }
        assert!(checked >= 10, "only {checked} files checked");
        assert!(offenders.is_empty(), "these name tui::app:\n{}", offenders.join("\n"));
    }

    /// What is process-wide stays in the local host: the console reads where it runs from the
    /// `ConsoleEnv` its host hands it, so that many consoles can run in one process.
    #[test]
    fn only_the_local_host_reads_the_process_environment() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        rust_files(&root.join("src/tui"), &mut files);
        let mut offenders = Vec::new();
        for file in files.iter().filter(|f| !f.starts_with(root.join("src/tui/host"))) {
            let rel = file.strip_prefix(root).unwrap().display().to_string();
            for (n, line) in std::fs::read_to_string(file).unwrap().lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                // Spelt in pieces, so that this line does not name them.
                let reads = [
                    concat!("std::", "env::"),
                    concat!("env::", "var"),
                    concat!("current_", "dir()"),
                    concat!("crate::env::", "local_zone"),
                ];
                if reads.iter().any(|r| code.contains(r)) {
                    offenders.push(format!("{rel}:{}: {}", n + 1, line.trim()));
                }
            }
        }
        assert!(files.len() > 30, "only {} files", files.len());
        assert!(
            offenders.is_empty(),
            "read the process's environment:\n{}",
            offenders.join("\n")
        );
    }
}
