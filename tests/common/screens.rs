//! Drives the console in-process, as tests/tui.rs does: keys through the real key map, pastes
//! as `Event::Paste`, and a list of every screen and popup with the keys that reach it.

use chrono::{TimeZone, Utc};
use debrief::model::Role;
use debrief::store::{NewAction, NewEvent, NewIncident, Store};
use debrief::tui::app::{App, Clock, Screen};
use debrief::tui::keymap::KeyMap;
use debrief::tui::screens::home::HomeState;
use debrief::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::{Backend, TestBackend};
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

/// The review meeting's morning, so "now" is fixed.
pub fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap()
}

pub fn app_on(store: Store, theme: Theme) -> App {
    let mut app = App::new(store, KeyMap::default_map(), theme, Clock::Fixed(now()));
    app.local_zone = chrono_tz::Europe::Berlin;
    app
}

/// Presses a key the way the event loop does: after a frame was laid out.
pub fn press(app: &mut App, code: KeyCode, mods: KeyModifiers) {
    app.prepare(Rect::new(0, 0, 80, 24));
    app.press(KeyEvent::new(code, mods));
}

pub fn key(app: &mut App, code: KeyCode) {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    press(app, code, mods);
}

/// Each character of `s` as a key press (so "2e" focuses the causes and edits).
pub fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

/// Text typed into a field, one key per character, whatever the characters are. (Into an open
/// form, so the frame's layout does not change between keys.)
pub fn type_text(app: &mut App, text: &str) {
    app.prepare(Rect::new(0, 0, 80, 24));
    for c in text.chars() {
        app.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
}

pub fn paste(app: &mut App, text: &str) {
    app.handle_event(Event::Paste(text.to_string()));
}

pub fn ctrl(app: &mut App, c: char) {
    press(app, KeyCode::Char(c), KeyModifiers::CONTROL);
}

/// Lays out and draws one frame on any backend.
pub fn draw_on<B: Backend>(app: &mut App, terminal: &mut Terminal<B>) {
    terminal
        .draw(|f| {
            app.prepare(f.area());
            f.render_widget(&*app, f.area());
        })
        .unwrap();
}

pub fn draw(app: &mut App, w: u16, h: u16) {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    draw_on(app, &mut t);
}

/// What people typed or pasted, one string per kind of field.
#[derive(Debug, Clone)]
pub struct Texts {
    pub title: String,
    pub event: String,
    pub author: String,
    pub notes: String,
    pub action_title: String,
    pub owner: String,
    /// Someone else with the incident open (the header's "also here").
    pub other: String,
}

impl Texts {
    pub fn all(s: &str) -> Texts {
        Texts {
            title: s.into(),
            event: s.into(),
            author: s.into(),
            notes: s.into(),
            action_title: s.into(),
            owner: s.into(),
            other: s.into(),
        }
    }
}

/// Calls `f` with `text`, and again with a letter after it when the store refuses it as empty
/// (text that cleans to nothing: only controls or blanks).
fn or_with_letter<T>(text: &str, f: impl Fn(&str) -> debrief::store::Result<T>) -> T {
    f(text).or_else(|_| f(&format!("{text}x"))).unwrap()
}

/// A store holding two incidents: one whose every field holds `t`, and a plain one. Returns the
/// first one's id.
pub fn seed(store: &mut Store, t: &Texts) -> i64 {
    store.set_author(&t.author);
    let id = or_with_letter(&t.title, |title| {
        store.create_incident(&NewIncident {
            title: title.into(),
            severity: debrief::model::Severity::Sev1,
            zone: "Europe/Berlin".into(),
            started_at: Some(Utc.with_ymd_and_hms(2026, 11, 24, 13, 0, 0).unwrap()),
        })
    });
    for (minutes, text) in [(5, t.event.clone()), (9, format!("{}\n{}", t.event, t.event))] {
        or_with_letter(&text, |text| {
            store.add_event(
                id,
                &NewEvent {
                    at: Utc.with_ymd_and_hms(2026, 11, 24, 13, minutes, 0).unwrap(),
                    kind: debrief::model::EventKind::Observation,
                    text: text.into(),
                    milestone: None,
                    source: debrief::model::Source::Typed,
                    author: Some(t.author.clone()),
                },
            )
        });
    }
    let causes = store.causes(id).unwrap();
    let first = &causes[0];
    let cause = store
        .set_cause_state(first.id, first.version, debrief::model::CauseState::Confirmed)
        .unwrap();
    store.set_cause_notes(cause.id, cause.version, &t.notes).unwrap();
    let _ = store.add_custom_cause(id, &t.title);
    let event = store.all_events(id).unwrap()[0].id;
    store.toggle_evidence(cause.id, event).unwrap();
    or_with_letter(&t.action_title, |title| {
        let mut action = NewAction::titled(title, debrief::model::ActionKind::Fix);
        action.owner = t.owner.clone();
        action.owner_role = Some(Role::Operator);
        action.cause_id = Some(cause.id);
        action.details = t.notes.clone();
        store.add_action(id, &action)
    });
    or_with_letter(&t.action_title, |title| {
        store.add_action(id, &NewAction::titled(title, debrief::model::ActionKind::Monitoring))
    });
    or_with_letter(&t.other, |name| store.add_participant(id, name, Role::Developer));
    // Someone else has the incident open.
    let me = store.author().to_string();
    store.set_author(&t.other);
    store.heartbeat("someone-else", Some(id)).unwrap();
    store.set_author(&me);
    store
        .create_incident(&NewIncident {
            title: "Plain incident".into(),
            severity: debrief::model::Severity::Sev3,
            zone: "UTC".into(),
            started_at: None,
        })
        .unwrap();
    id
}

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
            let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/import/slack.json");
            paste(a, file);
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
