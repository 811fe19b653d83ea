//! The one binding table: an embedded default (assets/keymap.toml) patched by the user's file.
//! It feeds key lookup, the key-hint bar, the help overlay and the README's key reference.

pub mod command;
pub mod key;

use crate::tui::keymap::command::Command;
pub use crate::tui::keymap::key::Key;
use ratatui::crossterm::event::{KeyEvent, KeyEventKind};
use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

const DEFAULT_KEYMAP: &str = include_str!("../../../assets/keymap.toml");

pub use crate::env::{CONFIG_DIR_ENV, config_dir, config_dir_with};
/// The user's key map file inside the config directory.
pub const KEYMAP_FILE: &str = "keymap.toml";

crate::model::name_table! {
    /// Where keys are being pressed: one section of keymap.toml each (its name), with the
    /// heading people read (its title).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Context: name, title {
        Global => "global", "Global";
        Welcome => "welcome", "Welcome screen";
        Home => "home", "Incident list";
        Timeline => "timeline", "Timeline";
        Causes => "causes", "Cause checklist";
        Actions => "actions", "Action board";
        /// Meeting mode: keys that work on every screen of the review, under the pane's own.
        Agenda => "agenda", "Meeting agenda";
        /// Meeting mode: attendance, the working agreement and the decisions.
        Meeting => "meeting", "Attendance and notes";
        /// Meeting mode: the wrap-up screen.
        WrapUp => "wrap_up", "Wrap-up";
        /// The actions of every incident (`A`).
        Cross => "cross", "Actions across incidents";
        /// Statistics across incidents (`I`).
        Insights => "insights", "Insights";
        /// Forms and the other popups that take typed text.
        Popup => "popup", "Popups and forms";
        /// Editing the text of a form's field (readline keys), under the [popup] keys.
        Form => "form", "Text fields";
        /// A yes/no question ("Delete the event …?").
        Confirm => "confirm", "Yes/no question";
        /// A menu to pick from (milestone, evidence).
        Menu => "menu", "Menu";
        /// Someone else saved the same item first: keep mine, keep theirs, or edit mine again.
        Conflict => "conflict", "Edit conflict";
        /// What an import would add.
        ImportPreview => "import_preview", "Import preview";
    }
}

impl Context {
    /// Popups don't fall back to [global]: a `q` typed into a form field is text, not "back".
    pub fn inherits_global(self) -> bool {
        !self.is_popup() && self != Context::Global
    }

    /// One of the popups' sections.
    pub fn is_popup(self) -> bool {
        matches!(
            self,
            Context::Popup
                | Context::Form
                | Context::Confirm
                | Context::Menu
                | Context::Conflict
                | Context::ImportPreview
        )
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Every context has a table: [`KeyMap`]'s array is as long as the list of contexts.
const CONTEXTS: usize = Context::ALL.len();

fn section_names() -> String {
    Context::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
}

/// What a context offers for one action, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// Display forms, the context's own keys first.
    pub keys: Vec<String>,
    pub command: Command,
    /// Worded for the context (`Command::description_in`).
    pub description: &'static str,
    /// The table the binding comes from: the context itself or `Global`.
    pub from: Context,
}

/// A key map that could not be read; each names the file, the line and what to change.
#[derive(Debug, thiserror::Error)]
pub enum KeyMapError {
    #[error("cannot read the key map {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{origin} is not valid TOML: {message}")]
    Syntax { origin: String, message: String },
    #[error("{origin}, line {line}: unknown section [{section}] (sections: {})", section_names())]
    UnknownContext {
        origin: String,
        line: usize,
        section: String,
    },
    #[error("{origin}, line {line}: \"{name}\" is outside any section; put it under [global] or a pane's section")]
    OutsideSection { origin: String, line: usize, name: String },
    #[error("{origin}, line {line}: [{context}] {reason}")]
    UnknownCommand {
        origin: String,
        line: usize,
        context: &'static str,
        reason: crate::tui::keymap::command::UnknownCommand,
    },
    #[error("{origin}, line {line}: [{context}] {command} = \"{key}\": bad key; {reason}")]
    BadKey {
        origin: String,
        line: usize,
        context: &'static str,
        command: Command,
        key: String,
        reason: String,
    },
    #[error(
        "{origin}, line {line}: [{context}] {command} must be a list of keys, like {command} = [\"a\", \"ctrl-a\"]"
    )]
    NotKeys {
        origin: String,
        line: usize,
        context: &'static str,
        command: String,
    },
    #[error(
        "{origin}, line {line}: [{context}] quit = [] would leave no way out of the console; \
         give quit a key, or leave the line out (ctrl-c always quits)"
    )]
    QuitUnbound {
        origin: String,
        line: usize,
        context: &'static str,
    },
    #[error(
        "{origin}, line {line}: [{context}] {command} = \"{key}\": ctrl-c always quits and cannot be given to {command}"
    )]
    CtrlCReserved {
        origin: String,
        line: usize,
        context: &'static str,
        command: Command,
        key: String,
    },
    #[error("{origin}, line {line}: [{context}] key \"{key}\" is given to both {first} and {second}; keep one")]
    Conflict {
        origin: String,
        line: usize,
        context: &'static str,
        key: String,
        first: Command,
        second: Command,
    },
}

/// The keys of one context, per action, in the order the file lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Table {
    keys: BTreeMap<Command, Vec<Key>>,
}

impl Table {
    fn command_for(&self, key: Key) -> Option<Command> {
        self.keys
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .map(|(command, _)| *command)
    }
}

/// One line of a key map file, already checked.
struct Entry {
    context: Context,
    command: Command,
    keys: Vec<(Key, String)>,
    line: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    tables: [Table; CONTEXTS],
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap::default_map()
    }
}

impl KeyMap {
    /// The embedded defaults (assets/keymap.toml).
    pub fn default_map() -> KeyMap {
        let mut map = KeyMap {
            tables: Default::default(),
        };
        map.apply_patch(DEFAULT_KEYMAP, "assets/keymap.toml")
            .expect("the embedded key map is checked by the tests");
        map
    }

    /// The defaults patched by the user's keymap.toml in `config_dir`, if there is one (the
    /// host finds the directory: see [`config_dir_with`]).
    pub fn load(config_dir: Option<&Path>) -> Result<KeyMap, KeyMapError> {
        match config_dir {
            Some(dir) => KeyMap::load_file(&dir.join(KEYMAP_FILE)),
            None => Ok(KeyMap::default_map()),
        }
    }

    /// The defaults patched by `path`; a missing file means "no changes".
    pub fn load_file(path: &Path) -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap::default_map();
        match std::fs::read_to_string(path) {
            Ok(text) => map.apply_patch(&text, &path.display().to_string())?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(KeyMapError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        }
        Ok(map)
    }

    /// The defaults patched by a TOML text (errors call it "keymap patch").
    pub fn from_toml_patch(text: &str) -> Result<KeyMap, KeyMapError> {
        let mut map = KeyMap::default_map();
        map.apply_patch(text, "keymap patch")?;
        Ok(map)
    }

    /// Changes only the actions the text lists; their keys are taken from whatever other
    /// action of the same context had them. Nothing changes when the text has an error.
    ///
    /// Ctrl-C is the one binding a patch cannot remove: a `quit` line keeps it (added when the
    /// line leaves it out), `quit = []` is refused, and so is ctrl-c given to another action.
    pub fn apply_patch(&mut self, text: &str, origin: &str) -> Result<(), KeyMapError> {
        let entries = parse_entries(text, origin)?;
        for entry in entries {
            let table = &mut self.tables[entry.context.index()];
            let mut keys: Vec<Key> = entry.keys.iter().map(|(k, _)| *k).collect();
            if entry.command == Command::Quit && !keys.contains(&CTRL_C) {
                keys.push(CTRL_C);
            }
            for taken in table.keys.values_mut() {
                taken.retain(|k| !keys.contains(k));
            }
            table.keys.insert(entry.command, keys);
        }
        Ok(())
    }

    /// The action a key press asks for in `ctx`, if any. Key releases never act.
    pub fn command(&self, ctx: Context, key: &KeyEvent) -> Option<Command> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        self.command_for_key(ctx, Key::from_event(key))
    }

    /// The action a key press asks for in `ctx` with a layer of keys under it (the meeting
    /// agenda): the context's own keys first, then the layer's, then the global ones.
    pub fn command_with_layer(&self, ctx: Context, layer: Option<Context>, key: &KeyEvent) -> Option<Command> {
        if key.kind == KeyEventKind::Release {
            return None;
        }
        let key = Key::from_event(key);
        let own = self.table(ctx).command_for(key);
        own.or_else(|| layer.and_then(|l| self.table(l).command_for(key)))
            .or_else(|| self.command_for_key(ctx, key))
    }

    /// The layer's own bindings as they work in `ctx`: keys that `ctx` gives another meaning
    /// are left out, and so is a binding left with no key.
    pub fn layer_bindings(&self, ctx: Context, layer: Context) -> Vec<Binding> {
        Command::ALL
            .iter()
            .filter_map(|&command| {
                let keys = self.table(layer).keys.get(&command)?;
                let keys: Vec<String> = keys
                    .iter()
                    .filter(|k| ctx == layer || self.table(ctx).command_for(**k).is_none())
                    .map(Key::to_string)
                    .collect();
                (!keys.is_empty()).then(|| Binding {
                    keys,
                    command,
                    description: command.description_in(layer),
                    from: layer,
                })
            })
            .collect()
    }

    pub fn command_for_key(&self, ctx: Context, key: Key) -> Option<Command> {
        self.table(ctx).command_for(key).or_else(|| {
            ctx.inherits_global()
                .then(|| self.table(Context::Global).command_for(key))
                .flatten()
        })
    }

    /// The keys of `command` in `ctx` as a popup names them: "n / Esc", leaving out a key that
    /// differs from an earlier one only by case ("N" after "n"); `None` when it has no key.
    pub fn label(&self, ctx: Context, command: Command) -> Option<String> {
        let mut shown: Vec<String> = Vec::new();
        for key in self.keys_for(ctx, command) {
            if !shown.iter().any(|k| k.to_lowercase() == key.to_lowercase()) {
                shown.push(key);
            }
        }
        (!shown.is_empty()).then(|| shown.join(" / "))
    }

    /// The first key of `command` in `ctx`, as shown; `fallback` when it has none.
    pub fn first_key(&self, ctx: Context, command: Command, fallback: &str) -> String {
        self.keys_for(ctx, command)
            .into_iter()
            .next()
            .unwrap_or_else(|| format!("({fallback}: unbound)"))
    }

    /// Display forms of the keys that trigger `action` in `ctx` (own keys first).
    pub fn keys_for(&self, ctx: Context, command: Command) -> Vec<String> {
        self.effective_keys(ctx, command).0.iter().map(Key::to_string).collect()
    }

    /// Everything that works in `ctx`, in `Command::ALL` order, inherited global keys included
    /// unless the context gives them another meaning.
    pub fn bindings(&self, ctx: Context) -> Vec<Binding> {
        Command::ALL
            .iter()
            .filter_map(|&command| {
                let (keys, from) = self.effective_keys(ctx, command);
                (!keys.is_empty()).then(|| Binding {
                    keys: keys.iter().map(Key::to_string).collect(),
                    command,
                    description: command.description_in(ctx),
                    from,
                })
            })
            .collect()
    }

    fn effective_keys(&self, ctx: Context, command: Command) -> (Vec<Key>, Context) {
        let own = self.table(ctx).keys.get(&command).cloned().unwrap_or_default();
        if !ctx.inherits_global() {
            return (own, ctx);
        }
        let from = if own.is_empty() { Context::Global } else { ctx };
        let inherited = self.table(Context::Global).keys.get(&command);
        let shadowed = |k: &&Key| self.table(ctx).command_for(**k).is_some();
        let mut keys = own;
        keys.extend(inherited.into_iter().flatten().filter(|k| !shadowed(k)));
        (keys, from)
    }

    fn table(&self, ctx: Context) -> &Table {
        &self.tables[ctx.index()]
    }

    /// The key map as Markdown tables, one per context, for the README.
    pub fn markdown_reference(&self) -> String {
        let mut out = String::new();
        for &ctx in Context::ALL {
            out.push_str(&format!("### {} (`[{}]`)\n\n", ctx.title(), ctx.name()));
            out.push_str(match ctx {
                Context::Global => "Everywhere except in popups, unless a pane gives the key another meaning.\n\n",
                Context::Popup => {
                    "Popups do not use the global keys, so that letters typed into a field stay text.\n\n"
                }
                Context::Form => {
                    "In a form's text field, before the [popup] keys. Other keys type: ←/→ move, \
                     Backspace and Delete erase, → at the end of a field with suggestions completes \
                     (a name, a path), Enter saves a one-line field and starts a new line in a \
                     multi-line one. A one-line field shows ‹ or › where its text goes on out of \
                     sight. A multi-line field wraps at spaces; ↑/↓ move a row as drawn, and ▲ or \
                     ▼ shows rows out of sight.\n\n"
                }
                Context::Conflict => {
                    "Someone else saved the item while you edited it. What only one of you changed \
                     is merged; for each field you both changed the chooser shows theirs and mine. \
                     The rest of yours is saved with the side you choose. A meeting's notes, its \
                     decisions and a participant are not merged: the chooser shows theirs and yours \
                     whole, and keeping theirs throws yours away. Only these keys (not the global \
                     ones).\n\n"
                }
                Context::Confirm | Context::Menu | Context::ImportPreview => {
                    "Only these keys (not the global ones).\n\n"
                }
                Context::Meeting | Context::WrapUp => "Plus the meeting agenda's keys and the global keys.\n\n",
                Context::Agenda => {
                    "In meeting mode, on every screen of the review; a pane's own keys come first, \
                     then these, then the global keys.\n\n"
                }
                _ => "Plus the global keys.\n\n",
            });
            out.push_str("| Keys | Command | What it does |\n|---|---|---|\n");
            for (command, keys) in &self.table(ctx).keys {
                if keys.is_empty() {
                    continue;
                }
                let keys: Vec<String> = keys
                    .iter()
                    .map(|k| format!("`{}`", k.to_string().replace('|', "\\|")))
                    .collect();
                out.push_str(&format!(
                    "| {} | `{}` | {} |\n",
                    keys.join(", "),
                    command.name(),
                    command.description_in(ctx)
                ));
            }
            out.push('\n');
        }
        out
    }
}

fn parse_entries(text: &str, origin: &str) -> Result<Vec<Entry>, KeyMapError> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let doc = DeTable::parse(text).map_err(|e| KeyMapError::Syntax {
        origin: origin.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    // The parsed table is sorted by name; report the first mistake in file order.
    let mut sections: Vec<_> = doc.get_ref().iter().collect();
    sections.sort_by_key(|(name, _)| name.span().start);
    let mut entries = Vec::new();
    for (section, value) in sections {
        let line = line_of(section.span().start);
        let DeValue::Table(table) = value.get_ref() else {
            return Err(KeyMapError::OutsideSection {
                origin: origin.to_string(),
                line,
                name: section.get_ref().to_string(),
            });
        };
        let context = Context::named(section.get_ref()).ok_or_else(|| KeyMapError::UnknownContext {
            origin: origin.to_string(),
            line,
            section: section.get_ref().to_string(),
        })?;
        let mut rows: Vec<_> = table.iter().collect();
        rows.sort_by_key(|(name, _)| name.span().start);
        for (name, value) in rows {
            let line = line_of(name.span().start);
            entries.push(parse_entry(origin, context, line, name.get_ref(), value)?);
        }
    }
    check_conflicts(origin, &entries)?;
    Ok(entries)
}

fn parse_entry(
    origin: &str,
    context: Context,
    line: usize,
    name: &str,
    value: &toml::Spanned<DeValue<'_>>,
) -> Result<Entry, KeyMapError> {
    let command = name.parse::<Command>().map_err(|reason| KeyMapError::UnknownCommand {
        origin: origin.to_string(),
        line,
        context: context.name(),
        reason,
    })?;
    let not_keys = || KeyMapError::NotKeys {
        origin: origin.to_string(),
        line,
        context: context.name(),
        command: name.to_string(),
    };
    let texts: Vec<&str> = match value.get_ref() {
        DeValue::String(s) => vec![s.as_ref()],
        DeValue::Array(items) => items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok(s.as_ref()),
                _ => Err(not_keys()),
            })
            .collect::<Result<_, _>>()?,
        _ => return Err(not_keys()),
    };
    let mut keys: Vec<(Key, String)> = Vec::new();
    for text in texts {
        let key = Key::parse(text).map_err(|reason| KeyMapError::BadKey {
            origin: origin.to_string(),
            line,
            context: context.name(),
            command,
            key: text.to_string(),
            reason,
        })?;
        if !keys.iter().any(|(k, _)| *k == key) {
            keys.push((key, text.to_string()));
        }
    }
    Ok(Entry {
        context,
        command,
        keys,
        line,
    })
}

/// The key that always quits (or, where a popup takes it, cancels): see [`KeyMap::apply_patch`].
const CTRL_C: Key = Key::ctrl_c();

fn check_conflicts(origin: &str, entries: &[Entry]) -> Result<(), KeyMapError> {
    for entry in entries {
        if entry.command == Command::Quit && entry.keys.is_empty() {
            return Err(KeyMapError::QuitUnbound {
                origin: origin.to_string(),
                line: entry.line,
                context: entry.context.name(),
            });
        }
        if entry.command != Command::Quit
            && let Some((_, text)) = entry.keys.iter().find(|(k, _)| *k == CTRL_C)
        {
            return Err(KeyMapError::CtrlCReserved {
                origin: origin.to_string(),
                line: entry.line,
                context: entry.context.name(),
                command: entry.command,
                key: text.clone(),
            });
        }
    }
    for (i, later) in entries.iter().enumerate() {
        for earlier in &entries[..i] {
            if earlier.context != later.context || earlier.command == later.command {
                continue;
            }
            if let Some((_, text)) = later
                .keys
                .iter()
                .find(|(k, _)| earlier.keys.iter().any(|(e, _)| e == k))
            {
                return Err(KeyMapError::Conflict {
                    origin: origin.to_string(),
                    line: later.line,
                    context: later.context.name(),
                    key: text.clone(),
                    first: earlier.command,
                    second: later.command,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
