//! Every screen and popup of a seeded database, with the keys that reach it from the incident
//! list or the review; driven in-process through the real key map (see [`super::console`]).

pub use super::console::{app_on, ctrl, draw, draw_on, key, keys, paste, type_text};
pub use super::seed::{Texts, seed};

use debrief::tui::app::{App, Screen};
use debrief::tui::screens::home::HomeState;
use ratatui::crossterm::event::KeyCode;

/// Where a state's keys start from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Home,
    Review,
}

/// Keys (and a paste of `text`) that reach a state from `Start`.
pub type Script = fn(&mut App, &str);

/// Every screen and popup of a database with incidents, and how to get there.
pub fn states() -> Vec<(&'static str, Start, Script)> {
    vec![
        ("home", Start::Home, |_, _| {}),
        ("home filter", Start::Home, |a, t| {
            keys(a, "/");
            paste(a, t);
        }),
        ("home filtered", Start::Home, |a, t| {
            keys(a, "/");
            paste(a, t);
            key(a, KeyCode::Enter);
        }),
        ("new incident form", Start::Home, |a, t| {
            keys(a, "n");
            paste(a, t);
            type_text(a, t);
        }),
        ("home help", Start::Home, |a, _| keys(a, "?")),
        ("home, scrolled help", Start::Home, |a, _| {
            keys(a, "?");
            for _ in 0..30 {
                key(a, KeyCode::Down);
            }
        }),
        ("home flash", Start::Home, |a, _| keys(a, "x")),
        ("timeline", Start::Review, |_, _| {}),
        ("timeline, last event", Start::Review, |a, _| keys(a, "G")),
        ("timeline zoomed", Start::Review, |a, _| keys(a, "z")),
        ("timeline in UTC", Start::Review, |a, _| keys(a, "t")),
        ("timeline, next theme", Start::Review, |a, _| keys(a, "T")),
        ("causes", Start::Review, |a, _| keys(a, "2")),
        ("causes zoomed", Start::Review, |a, _| keys(a, "2z")),
        ("custom cause selected", Start::Review, |a, _| keys(a, "2G")),
        ("actions", Start::Review, |a, _| keys(a, "3")),
        ("actions zoomed", Start::Review, |a, _| keys(a, "3z")),
        ("actions, next column", Start::Review, |a, _| keys(a, "3l")),
        ("quick add", Start::Review, |a, t| {
            keys(a, "a");
            paste(a, t);
        }),
        ("quick add rejected", Start::Review, |a, t| {
            keys(a, "a");
            paste(a, &format!("99:99 {t}"));
            key(a, KeyCode::Enter);
        }),
        ("edit event", Start::Review, |a, t| {
            keys(a, "e");
            key(a, KeyCode::Tab);
            key(a, KeyCode::Tab);
            key(a, KeyCode::Tab);
            paste(a, t);
            type_text(a, t);
        }),
        ("milestone menu", Start::Review, |a, _| keys(a, "m")),
        ("evidence menu", Start::Review, |a, _| keys(a, "l")),
        ("delete event", Start::Review, |a, _| keys(a, "d")),
        ("search", Start::Review, |a, t| {
            keys(a, "/");
            paste(a, t);
        }),
        ("search done", Start::Review, |a, t| {
            keys(a, "/");
            paste(a, t);
            key(a, KeyCode::Enter);
        }),
        ("timeline help", Start::Review, |a, _| keys(a, "?")),
        ("cause notes", Start::Review, |a, t| {
            keys(a, "2e");
            paste(a, t);
            key(a, KeyCode::Enter);
            type_text(a, t);
        }),
        ("add cause", Start::Review, |a, t| {
            keys(a, "2a");
            paste(a, t);
        }),
        ("delete cause", Start::Review, |a, _| keys(a, "2Gd")),
        ("causes help", Start::Review, |a, _| keys(a, "2?")),
        ("add action", Start::Review, |a, t| {
            keys(a, "3a");
            paste(a, t);
            key(a, KeyCode::Tab);
            key(a, KeyCode::Tab);
            paste(a, t);
        }),
        ("edit action", Start::Review, |a, t| {
            keys(a, "3e");
            for _ in 0..9 {
                key(a, KeyCode::Tab);
            }
            paste(a, t);
        }),
        ("delete action", Start::Review, |a, _| keys(a, "3d")),
        ("actions help", Start::Review, |a, _| keys(a, "3?")),
        ("edit incident", Start::Review, |a, t| {
            keys(a, "E");
            paste(a, t);
            for _ in 0..4 {
                key(a, KeyCode::Tab);
            }
            paste(a, t);
        }),
        ("history", Start::Review, |a, _| keys(a, "H")),
        ("import form", Start::Review, |a, t| {
            keys(a, "i");
            paste(a, t);
        }),
        ("import preview", Start::Review, |a, _| {
            keys(a, "i");
            let file = super::seed::fixture("slack.json");
            paste(a, &file.display().to_string());
            key(a, KeyCode::Enter);
        }),
        ("import form rejected", Start::Review, |a, t| {
            keys(a, "i");
            paste(a, &format!("/nonexistent/{t}"));
            key(a, KeyCode::Enter);
        }),
        ("flash for an unavailable key", Start::Review, |a, _| keys(a, "x")),
        ("conflict", Start::Review, |a, t| {
            keys(a, "e");
            let Screen::Review(r) = &a.screen else { return };
            let Some(mut theirs) = r.timeline.selected_event().cloned() else {
                return;
            };
            theirs.text = format!("theirs {t}");
            a.store.update_event(&theirs).unwrap();
            for _ in 0..3 {
                key(a, KeyCode::Tab);
            }
            paste(a, t);
            ctrl(a, 's');
        }),
    ]
}

/// Back to where a script starts: no popups, no flash, a freshly opened screen.
pub fn reset(app: &mut App, start: Start, incident: i64) {
    app.popups.clear();
    app.flash = None;
    match start {
        Start::Home => {
            app.screen = Screen::Home(HomeState::default());
            app.reload();
        }
        Start::Review => {
            app.open_incident(incident).unwrap();
            // Presence (the header's "also here") is read on the first tick after opening.
            app.tick();
        }
    }
}

/// The states of an empty database.
pub fn welcome_states() -> Vec<(&'static str, Script)> {
    vec![
        ("welcome", |_, _| {}),
        ("welcome help", |a, _| keys(a, "?")),
        ("welcome new incident", |a, t| {
            keys(a, "n");
            paste(a, t);
        }),
    ]
}
