//! A form popup: one-line fields, multi-line fields (ratatui-textarea) and choices.
//! The form only collects text; what a submitted form means is decided by `App`.

use crate::model::sanitize;
use crate::model::time::{self, TimeContext, TimeError};
use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use crate::tui::widgets::hints::{Hint, hint_line};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};
use ratatui_textarea::{TextArea, WrapMode};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldKind {
    Line,
    Multi,
    /// One of these values; the first is the default.
    Choice(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    pub kind: FieldKind,
    pub hint: String,
    /// Values a one-line field offers (participants for an owner): → at the end of the text
    /// completes the typed start, or steps to the next one.
    pub suggestions: Vec<String>,
    /// A time field: a line under it says where the typed time goes, as the user types.
    pub time: Option<TimePreview>,
    /// A path field: → at the end completes a directory or file name, read from these.
    pub paths: Option<PathDirs>,
    text: TextArea<'static>,
    choice: usize,
    /// A multi-line field as last drawn: its width, and the first wrapped row in sight (the
    /// keys that move by rows use them; see [`wrap_line`]).
    view: std::cell::Cell<(usize, usize)>,
}

/// Where a path field's typing is read from: relative paths from `cwd`, `~/` from `home`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathDirs {
    pub cwd: std::path::PathBuf,
    pub home: Option<std::path::PathBuf>,
}

impl PathDirs {
    /// What → makes of `typed`: the one entry of its directory that starts with its last part
    /// (a directory with a `/` after it), else what all such entries start with when that is
    /// longer, else the next such entry after the one typed in full. Hidden entries only when
    /// the part starts with a dot; names that cleaning would change never.
    pub fn complete(&self, typed: &str) -> Option<String> {
        let (dir_part, name_part) = match typed.rfind('/') {
            Some(i) => typed.split_at(i + 1),
            None => ("", typed),
        };
        let dir = match (dir_part.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ if dir_part.starts_with('/') => std::path::PathBuf::from(dir_part),
            _ => self.cwd.join(dir_part),
        };
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .ok()?
            .filter_map(Result::ok)
            .take(5000)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let is_dir = e.path().is_dir();
                Some(if is_dir { format!("{name}/") } else { name })
            })
            .filter(|n| n.starts_with(name_part) && (name_part.starts_with('.') || !n.starts_with('.')))
            .filter(|n| sanitize::is_clean(n))
            .collect();
        names.sort();
        let common = names.iter().skip(1).fold(names.first()?.clone(), |acc, n| {
            acc.chars()
                .zip(n.chars())
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| a)
                .collect()
        });
        let name = if names.len() == 1 || common.len() > name_part.len() {
            common
        } else {
            // Several, and nothing more in common: step through them.
            let at = names.iter().position(|n| n == name_part);
            names[at.map_or(0, |i| (i + 1) % names.len())].clone()
        };
        (name != name_part).then(|| format!("{dir_part}{name}"))
    }
}

/// What a time field's typing is read against, for the line under it (`→ Sun 29 Nov 13:58 CET`).
#[derive(Debug, Clone, Copy)]
pub struct TimePreview {
    pub ctx: TimeContext,
    /// A quick entry (`14:32 text`): a leading time, else now.
    pub quick: bool,
}

impl TimePreview {
    /// The line under the field for what is typed, and whether it is an error.
    pub fn line(&self, typed: &str) -> (String, bool) {
        let ctx = &self.ctx;
        let read = if self.quick {
            time::split_quick_entry(typed, ctx).map(|(at, text)| (at, text == typed.trim()))
        } else {
            time::parse_time(typed, ctx).map(|at| (at, false))
        };
        match read {
            Ok((at, now)) => {
                let when = time::describe(at, ctx.zone, ctx.now);
                (
                    if now {
                        format!("→ now, {when}")
                    } else {
                        format!("→ {when}")
                    },
                    false,
                )
            }
            Err(TimeError::Unreadable(_)) => ("→ not a time yet: 14:32 · 2026-11-26 14:32 · -5m".into(), false),
            Err(e) => (format!("✗ {e}"), true),
        }
    }

    /// The line in `area`: under the field's value when it fits there, else from the left edge.
    fn render(&self, typed: &str, area: Rect, label_w: u16, buf: &mut Buffer, theme: &Theme) {
        let (text, error) = self.line(typed);
        let indent = if unicode_width::UnicodeWidthStr::width(text.as_str()) + label_w as usize <= area.width as usize {
            label_w
        } else {
            1
        };
        let [_, area] = Layout::horizontal([Constraint::Length(indent), Constraint::Min(0)]).areas(area);
        let style = if error { theme.error } else { theme.muted };
        Line::from(Span::styled(
            crate::tui::view::truncate(&text, area.width as usize),
            style,
        ))
        .render(area, buf);
    }
}

impl Field {
    pub fn line(label: &'static str, value: &str) -> Field {
        Field::new(label, FieldKind::Line, value)
    }
    pub fn multi(label: &'static str, value: &str) -> Field {
        Field::new(label, FieldKind::Multi, value)
    }
    pub fn choice(label: &'static str, options: &[&str], selected: &str) -> Field {
        let mut f = Field::new(
            label,
            FieldKind::Choice(options.iter().map(|s| s.to_string()).collect()),
            "",
        );
        f.choice = options
            .iter()
            .position(|o| o.eq_ignore_ascii_case(selected))
            .unwrap_or(0);
        f
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Field {
        self.hint = hint.into();
        self
    }
    /// → at the end of the text completes a path: a directory or file name (see [`PathDirs`]).
    pub fn with_path_completion(mut self, dirs: PathDirs) -> Field {
        self.paths = Some(dirs);
        self
    }

    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Field {
        self.suggestions = suggestions;
        self
    }

    /// The suggestion → would put in the field: the next one starting with what is typed
    /// (any case), after the one typed in full if it is one.
    fn completion(&self) -> Option<&String> {
        let typed = self.value().to_lowercase();
        let n = self.suggestions.len();
        let current = self.suggestions.iter().position(|s| s.to_lowercase() == typed);
        match current {
            Some(i) => self.suggestions.get((i + 1) % n),
            None => self.suggestions.iter().find(|s| s.to_lowercase().starts_with(&typed)),
        }
    }

    fn complete(&mut self) -> bool {
        let at_end = {
            let ratatui_textarea::DataCursor(row, col) = self.text.cursor();
            let lines = self.text.lines();
            row + 1 == lines.len() && col == lines[row].chars().count()
        };
        if !at_end {
            return false;
        }
        // An empty field offers its suggestions first (a path field's: the last directory).
        let typed = self.value();
        let path = match &self.paths {
            Some(_) if typed.is_empty() && !self.suggestions.is_empty() => None,
            Some(dirs) => dirs.complete(&typed),
            None => None,
        };
        let Some(value) = path.or_else(|| self.completion().cloned()) else {
            return false;
        };
        self.text = TextArea::new(vec![value]);
        self.text.move_cursor(ratatui_textarea::CursorMove::End);
        self.text.set_wrap_mode(WrapMode::None);
        true
    }
    fn new(label: &'static str, kind: FieldKind, value: &str) -> Field {
        let lines: Vec<String> = if value.is_empty() {
            vec![String::new()]
        } else {
            value.lines().map(String::from).collect()
        };
        let mut text = TextArea::new(lines);
        text.move_cursor(ratatui_textarea::CursorMove::Bottom);
        text.move_cursor(ratatui_textarea::CursorMove::End);
        text.set_wrap_mode(WrapMode::None);
        Field {
            label,
            kind,
            hint: String::new(),
            suggestions: Vec::new(),
            time: None,
            paths: None,
            text,
            choice: 0,
            view: std::cell::Cell::new((0, 0)),
        }
    }

    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => options.get(self.choice).cloned().unwrap_or_default(),
            FieldKind::Line => self.text.lines().join(" ").trim().to_string(),
            FieldKind::Multi => self.text.lines().join("\n").trim_end().to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Continue,
    Submit,
    Cancel,
}

/// A form read by a typed reader lacks a field the reader needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form's title.
    pub form: String,
    /// The label that was looked for.
    pub field: &'static str,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the form \"{}\" has no field \"{}\"; nothing was saved",
            self.form, self.field
        )
    }
}

impl std::error::Error for FieldError {}

#[derive(Debug, Clone)]
pub struct Form<P> {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Shown in the form after a rejected submit; the form stays open with what was typed.
    pub error: Option<String>,
    pub purpose: P,
    /// The values before the first key reached the form: what Esc would discard is the
    /// difference (see [`Form::changed`]).
    baseline: Option<Vec<String>>,
    /// Each field's value as stored when the form opened (or was last put on what is stored,
    /// see [`Form::rebase_on`]): what the user changed is the difference.
    opened: Vec<(&'static str, String)>,
    /// A line over the hints: someone else saved the item meanwhile (see `review::merge`).
    pub notice: Option<String>,
    /// Information on the same line when there is no notice (theirs is saved and the form is
    /// on it): shown in the info style, not as an error.
    pub info: Option<String>,
}

/// A field both the user and someone else changed since the form opened, to different values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldClash {
    pub label: &'static str,
    pub theirs: String,
    pub mine: String,
    /// What the user chose so far (mine, until they choose otherwise).
    pub take_mine: bool,
}

impl<P> Form<P> {
    pub fn new(title: impl Into<String>, purpose: P, fields: Vec<Field>) -> Form<P> {
        let opened = fields.iter().map(|f| (f.label, f.value())).collect();
        Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            purpose,
            baseline: None,
            opened,
            notice: None,
            info: None,
        }
    }

    /// The labels of the fields whose value differs from the one the form opened with.
    pub fn changed_fields(&self) -> Vec<&'static str> {
        self.fields
            .iter()
            .filter(|f| self.opened.iter().any(|(l, v)| *l == f.label && *v != f.value()))
            .map(|f| f.label)
            .collect()
    }

    /// Puts this form on what is stored now, as `theirs` (a form built from the stored item)
    /// shows it: each field the user changed keeps the user's value, every other field takes
    /// theirs, and from now on the changes are counted from theirs. Returns the fields both
    /// changed to different values (they keep the user's value until the user chooses).
    pub fn rebase_on<Q>(&mut self, theirs: &Form<Q>) -> Vec<FieldClash> {
        let mine_changed = self.changed_fields();
        let mut clashes = Vec::new();
        for (label, opened) in self.opened.clone() {
            let Some(t) = theirs.fields.iter().find(|f| f.label == label).map(Field::value) else {
                continue;
            };
            let mine = self.value(label);
            if !mine_changed.contains(&label) {
                self.set_field(label, &t);
            } else if t != opened && t != mine {
                clashes.push(FieldClash {
                    label,
                    theirs: t.clone(),
                    mine,
                    take_mine: true,
                });
            }
            if let Some(o) = self.opened.iter_mut().find(|(l, _)| *l == label) {
                o.1 = t;
            }
        }
        // Esc asks when anything of the user's stands on top of theirs.
        let base = self
            .fields
            .iter()
            .map(|f| match self.opened.iter().find(|(l, _)| *l == f.label) {
                Some((_, v)) => v.clone(),
                None => f.value(),
            })
            .collect();
        self.baseline = Some(base);
        clashes
    }

    /// Sets the field labelled `label` to `value`: the option of that name in a choice (left
    /// alone when it has none), the text in a text field.
    pub fn set_field(&mut self, label: &str, value: &str) {
        let choice = self.fields.iter_mut().find(|f| f.label == label).and_then(|f| {
            let FieldKind::Choice(options) = &f.kind else {
                return None;
            };
            let i = options.iter().position(|o| o == value);
            Some((f, i))
        });
        match choice {
            Some((f, Some(i))) => f.choice = i,
            Some((_, None)) => {}
            None => self.set_value(label, value),
        }
    }

    /// Whether the user changed a value since the form opened (Esc then asks before closing).
    pub fn changed(&self) -> bool {
        self.baseline.as_ref().is_some_and(|b| *b != self.values())
    }

    fn values(&self) -> Vec<String> {
        self.fields.iter().map(Field::value).collect()
    }

    /// Remembers the values as they are before the user first touches them.
    fn keep_baseline(&mut self) {
        if self.baseline.is_none() {
            self.baseline = Some(self.values());
        }
    }

    /// Shows under the field labelled `label` where its typed time goes (see [`TimePreview`]).
    pub fn with_time_preview(mut self, label: &str, ctx: TimeContext, quick: bool) -> Form<P> {
        if let Some(field) = self.fields.iter_mut().find(|f| f.label == label) {
            field.time = Some(TimePreview { ctx, quick });
        }
        self
    }

    /// The same form for another purpose type (a screen's form shown among the app's popups).
    pub fn map<Q>(self, f: impl FnOnce(P) -> Q) -> Form<Q> {
        Form {
            title: self.title,
            fields: self.fields,
            focus: self.focus,
            error: self.error,
            purpose: f(self.purpose),
            baseline: self.baseline,
            opened: self.opened,
            notice: self.notice,
            info: self.info,
        }
    }

    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .unwrap_or_default()
    }

    /// The value of the field labelled `label`; an error naming the form and the label when
    /// the form has no such field (a typed reader's typo, or a form built without it).
    pub fn field(&self, label: &'static str) -> Result<String, FieldError> {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .ok_or_else(|| FieldError {
                form: self.title.clone(),
                field: label,
            })
    }

    /// Puts `value` in the one-line or multi-line field labelled `label` (the cursor at its
    /// end), as if it were typed; a form without the field is left alone.
    pub fn set_value(&mut self, label: &str, value: &str) {
        if let Some(f) = self
            .fields
            .iter_mut()
            .find(|f| f.label == label && !matches!(f.kind, FieldKind::Choice(_)))
        {
            let mut text = TextArea::new(value.lines().map(String::from).collect::<Vec<_>>());
            if text.lines().is_empty() {
                text = TextArea::default();
            }
            text.move_cursor(ratatui_textarea::CursorMove::Bottom);
            text.move_cursor(ratatui_textarea::CursorMove::End);
            text.set_wrap_mode(WrapMode::None);
            f.text = text;
        }
    }

    /// Like [`Form::field`], for a field only some of a form's variants have.
    pub fn optional_field(&self, label: &'static str) -> Option<String> {
        self.field(label).ok()
    }

    /// A key, read with the default key map (see [`Form::handle`]).
    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let map = KeyMap::default_map();
        self.handle(key, map.command(Context::Popup, &key), map.command(Context::Form, &key))
    }

    /// A key with what the key map makes of it: `edit` from the [form] section (saving and
    /// the readline keys) comes first, then `popup` from [popup] (close, next field, confirm);
    /// any other key types into the focused field.
    pub fn handle(&mut self, key: KeyEvent, popup: Option<Command>, edit: Option<Command>) -> FormOutcome {
        self.keep_baseline();
        let n = self.fields.len();
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Cancel;
        };
        let multi = field.kind == FieldKind::Multi;
        let popup = match edit {
            Some(Command::Save) => return FormOutcome::Submit,
            Some(command) if command.edits_text() => {
                field.edit(command);
                return FormOutcome::Continue;
            }
            // [form]'s own close, help or quit, before [popup]'s.
            Some(command) => Some(command),
            None => popup,
        };
        match popup {
            Some(Command::Back) => return FormOutcome::Cancel,
            Some(Command::NextPane) => self.focus = (self.focus + 1) % n,
            Some(Command::PrevPane) => self.focus = (self.focus + n - 1) % n,
            Some(Command::Select) if !multi => return FormOutcome::Submit,
            Some(Command::Up) if !multi => self.focus = self.focus.saturating_sub(1),
            Some(Command::Down) if !multi => self.focus = (self.focus + 1).min(n - 1),
            _ => field.type_key(key),
        }
        FormOutcome::Continue
    }

    /// Pasted text goes into the focused text field, cleaned of terminal controls first.
    pub fn paste(&mut self, text: &str) {
        self.keep_baseline();
        if let Some(field) = self.fields.get_mut(self.focus) {
            let clean = sanitize::clean(text);
            match field.kind {
                FieldKind::Line => {
                    field.text.insert_str(clean.replace(['\n', '\t'], " "));
                }
                FieldKind::Multi => {
                    field.text.insert_str(clean);
                }
                FieldKind::Choice(_) => {}
            }
        }
    }

    /// The form's keys for its focused field, from the key map: the form's footer and the
    /// console's hint bar both show these (the last two are kept when space is short).
    pub fn hints(&self, keys: &KeyMap) -> Vec<Hint> {
        let key = |ctx, command, fallback| keys.first_key(ctx, command, fallback);
        let focused = self.fields.get(self.focus).map(|f| &f.kind);
        let mut hints = match focused {
            Some(FieldKind::Multi) => vec![
                Hint::new(key(Context::Form, Command::Save, "save"), "save"),
                Hint::new("Enter".into(), "new line"),
            ],
            _ => vec![Hint::new(key(Context::Popup, Command::Select, "select"), "save")],
        };
        if matches!(focused, Some(FieldKind::Choice(_))) {
            hints.push(Hint::new("←/→".into(), "choose"));
        }
        if self.fields.len() > 1 {
            hints.push(Hint::new(
                key(Context::Popup, Command::NextPane, "next_pane"),
                "next field",
            ));
        }
        hints.push(Hint::new(key(Context::Popup, Command::Help, "help"), "help"));
        hints.push(Hint::new(key(Context::Popup, Command::Back, "back"), "cancel"));
        hints
    }

    /// The rows of each field, then the notice (if any), hint and footer rows. A time field
    /// has a row under it for where its time goes. The multi-line fields share what is left
    /// by what they hold: none gets rows it cannot fill while another's text is cut.
    fn row_constraints(&self, inner: Rect, notice: u16) -> Vec<Constraint> {
        let multi = self.fields.iter().filter(|f| f.kind == FieldKind::Multi).count();
        let fixed = self.fields.len() - multi + self.fields.iter().filter(|f| f.time.is_some()).count();
        let room = (inner.height).saturating_sub(u16::try_from(fixed).unwrap_or(u16::MAX) + 2 + notice);
        let mut heights = share_rows(&self.multi_rows(inner.width), room).into_iter();
        let mut constraints: Vec<Constraint> = Vec::new();
        for f in &self.fields {
            constraints.push(if f.kind == FieldKind::Multi {
                Constraint::Length(heights.next().unwrap_or(2).max(2))
            } else {
                Constraint::Length(1)
            });
            if f.time.is_some() {
                constraints.push(Constraint::Length(1));
            }
        }
        constraints.extend(std::iter::repeat_n(Constraint::Length(1), 2 + notice as usize));
        constraints
    }

    /// The rows each multi-line field would fill inside `inner_width` columns: a label row and
    /// its text's rows as drawn (under a two-column indent).
    fn multi_rows(&self, inner_width: u16) -> Vec<u16> {
        let width = inner_width.saturating_sub(2) as usize;
        (self.fields.iter())
            .filter(|f| f.kind == FieldKind::Multi)
            .map(|f| 1 + u16::try_from(wrap_rows(f.text.lines(), width).len()).unwrap_or(u16::MAX))
            .collect()
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, keys: &KeyMap) {
        // One row per one-line field (label left, value right); multi-line fields get a label
        // row and share the rest; then a hint row and a footer row.
        let multi = self.fields.iter().filter(|f| f.kind == FieldKind::Multi).count() as u16;
        let single = self.fields.len() as u16 - multi;
        let times = self.fields.iter().filter(|f| f.time.is_some()).count() as u16;
        // The notice line: someone else's save (a warning), else information.
        let note = match (&self.notice, &self.info) {
            (Some(n), _) => Some((n, theme.warning)),
            (None, Some(i)) => Some((i, theme.ok)),
            (None, None) => None,
        };
        let width = area.width.min(84);
        // Seven rows a multi-line field, more for a long text (and a row to go on typing in).
        let texts: u16 = (self.multi_rows(width.saturating_sub(2)).iter())
            .map(|&rows| rows.saturating_add(1).max(7))
            .fold(0, u16::saturating_add);
        let want_h = (single + times + 2 + 2 + u16::from(note.is_some())).saturating_add(texts);
        let popup = centered(area, width, want_h.min(area.height));
        Clear.render(popup, buf);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border)
            .title(Span::styled(format!(" {} ", self.title), theme.title))
            .style(theme.base);
        let inner = block.inner(popup);
        block.render(popup, buf);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let rows = Layout::vertical(self.row_constraints(inner, u16::from(note.is_some()))).split(inner);
        let label_w = self.fields.iter().map(|f| f.label.chars().count()).max().unwrap_or(0) as u16 + 3;
        let mut row = 0;
        for (i, field) in self.fields.iter().enumerate() {
            if rows[row].height > 0 {
                field.render_row(rows[row], label_w, i == self.focus, buf, theme);
            }
            row += 1;
            if let Some(preview) = &field.time {
                preview.render(&field.value(), rows[row], label_w, buf, theme);
                row += 1;
            }
        }
        if let Some((text, style)) = note {
            let area = rows[rows.len() - 3];
            Line::from(Span::styled(
                crate::tui::view::truncate(text, area.width as usize),
                style,
            ))
            .render(area, buf);
        }
        let hint = self.fields.get(self.focus).map(|f| f.hint.as_str()).unwrap_or("");
        let hint_area = rows[rows.len() - 2];
        Line::from(Span::styled(
            crate::tui::view::truncate(hint, hint_area.width as usize),
            theme.muted,
        ))
        .render(hint_area, buf);
        let footer = match &self.error {
            Some(e) => Line::from(Span::styled(
                crate::tui::view::truncate(e, inner.width as usize),
                theme.error,
            )),
            None => hint_line(&self.hints(keys), 2, inner.width, theme),
        };
        footer.render(rows[rows.len() - 1], buf);
    }
}

impl Field {
    /// A [form] command on a text field (a choice has no text to edit).
    fn edit(&mut self, command: Command) {
        use ratatui_textarea::CursorMove;
        if matches!(self.kind, FieldKind::Choice(_)) {
            return;
        }
        match command {
            Command::LineStart => self.text.move_cursor(CursorMove::Head),
            Command::LineEnd => self.text.move_cursor(CursorMove::End),
            Command::DeleteLineStart => _ = self.text.delete_line_by_head(),
            Command::DeleteLineEnd => _ = self.text.delete_line_by_end(),
            Command::DeleteWordBack => _ = self.text.delete_word(),
            _ => {}
        }
    }

    /// A key the key map left to the field: typing, moving, choosing.
    fn type_key(&mut self, key: KeyEvent) {
        let chord = key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            // A typed character that cleaning would drop (a control, an invisible format
            // character) would be drawn raw while in the field: it never gets in.
            KeyCode::Char(c) if !sanitize::is_clean_char(c) => {}
            // The text area's own Ctrl/Alt shortcuts (Ctrl-U undo …) are not the key map's:
            // only [form] edits (Ctrl-H stays Backspace, as some terminals send it).
            KeyCode::Char(c) if chord && c != 'h' => {}
            _ => match &self.kind {
                FieldKind::Choice(options) => {
                    let n = options.len().max(1);
                    match key.code {
                        KeyCode::Left => self.choice = (self.choice + n - 1) % n,
                        KeyCode::Right | KeyCode::Char(' ') => self.choice = (self.choice + 1) % n,
                        KeyCode::Char(c) => {
                            // Typing a letter picks the next option that starts with it.
                            let c = c.to_ascii_lowercase();
                            if let Some(i) = (1..=n)
                                .map(|k| (self.choice + k) % n)
                                .find(|i| options[*i].to_ascii_lowercase().starts_with(c))
                            {
                                self.choice = i;
                            }
                        }
                        _ => {}
                    }
                }
                FieldKind::Multi if matches!(key.code, KeyCode::Up | KeyCode::Down) && self.view.get().0 > 0 => {
                    self.move_row(key.code == KeyCode::Down)
                }
                _ => {
                    let completed = key.code == KeyCode::Right && self.kind == FieldKind::Line && self.complete();
                    if !completed {
                        self.text.input(key);
                    }
                }
            },
        }
    }

    /// The field's row (or rows, for a multi-line field): its label, then its value.
    fn render_row(&self, area: Rect, label_w: u16, focused: bool, buf: &mut Buffer, theme: &Theme) {
        let label_style = if focused { theme.title } else { theme.muted };
        let marker = if focused { theme.marker } else { theme.marker_blank };
        let label = Line::from(vec![
            Span::styled(marker, label_style),
            Span::styled(self.label, label_style),
        ]);
        let (label_area, value_area) = if self.kind == FieldKind::Multi {
            let [l, v] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
            let [_, v] = Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(v);
            (l, v)
        } else {
            let [l, v] = Layout::horizontal([Constraint::Length(label_w), Constraint::Min(0)]).areas(area);
            (l, v)
        };
        label.render(label_area, buf);
        match &self.kind {
            FieldKind::Choice(options) => {
                choice_line(options, self.choice, focused, value_area.width, theme).render(value_area, buf)
            }
            FieldKind::Line => self
                .line_view(value_area.width as usize, focused, theme)
                .render(value_area, buf),
            FieldKind::Multi => self.render_multi(value_area, focused, buf, theme),
        }
    }
}

impl Field {
    /// A one-line field in `width` columns: the part around the cursor (the start when not
    /// focused), with `‹` / `›` where text is out of sight to the left or right.
    fn line_view(&self, width: usize, focused: bool, theme: &Theme) -> Line<'static> {
        let chars: Vec<char> = self.text.lines().join(" ").chars().collect();
        let ratatui_textarea::DataCursor(row, col) = self.text.cursor();
        let before: usize = self.text.lines()[..row].iter().map(|l| l.chars().count() + 1).sum();
        let cursor = if focused { (before + col).min(chars.len()) } else { 0 };
        let (start, end) = line_window(&chars, cursor, width);
        let style = if focused {
            theme.base.add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            theme.base
        };
        let text = |from: usize, to: usize| chars[from..to].iter().collect::<String>();
        let mut spans = Vec::new();
        if start > 0 {
            spans.push(Span::styled("‹", theme.muted));
        }
        if focused {
            spans.push(Span::styled(text(start, cursor), style));
            let under = chars.get(cursor).map(|c| c.to_string()).unwrap_or_else(|| " ".into());
            spans.push(Span::styled(under, theme.selection));
            spans.push(Span::styled(text((cursor + 1).min(end), end), style));
        } else {
            spans.push(Span::styled(text(start, end), style));
        }
        if end < chars.len() {
            spans.push(Span::styled("›", theme.muted));
        }
        Line::from(spans)
    }
}

/// A row of a multi-line field as drawn: the characters `start..end` of its line `line`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    line: usize,
    start: usize,
    end: usize,
    /// The line's last row: the cursor after its last character is on it.
    last: bool,
}

/// A character's columns as drawn (a control character is drawn as one blank).
fn cell_width(c: char) -> usize {
    use unicode_width::UnicodeWidthChar;
    c.width().unwrap_or(1)
}

/// One line of a multi-line field in rows of `width` columns, as text is read: a row breaks
/// after the spaces that follow a word (so no row starts with the space it broke at, and
/// punctuation stays with its word), a word wider than a row is cut, and each row keeps a
/// column free for its trailing space or the cursor. Ranges of characters.
fn wrap_line(chars: &[char], width: usize) -> Vec<(usize, usize)> {
    let limit = width.saturating_sub(1).max(1);
    let mut rows = Vec::new();
    let mut start = 0;
    'rows: while start < chars.len() {
        let (mut i, mut col, mut brk) = (start, 0, None);
        while i < chars.len() {
            if chars[i] == ' ' {
                // Spaces hang at the row's end; at the line's end they leave the cursor a cell.
                let at_end = chars[i..].iter().all(|c| *c == ' ');
                if col >= if at_end { limit } else { width.max(1) } && i > start {
                    // Spaces beyond the row's end start the next one.
                    rows.push((start, i));
                    start = i;
                    continue 'rows;
                }
                i += 1;
                col += 1;
                brk = Some(i);
                continue;
            }
            let w = cell_width(chars[i]);
            if col + w > limit {
                let cut = match brk {
                    Some(b) if chars.get(b) != Some(&' ') => b,
                    _ if i > start => i,
                    _ => i + 1,
                };
                rows.push((start, cut));
                start = cut;
                continue 'rows;
            }
            col += w;
            i += 1;
        }
        rows.push((start, chars.len()));
        break;
    }
    if rows.is_empty() {
        rows.push((0, 0));
    }
    rows
}

/// `room` rows shared among fields that want `wanted` rows each: the smallest wishes are met
/// first, the rest share fairly; rows no one wants are spread evenly.
fn share_rows(wanted: &[u16], room: u16) -> Vec<u16> {
    let n = wanted.len();
    let mut out = vec![0u16; n];
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| wanted[i]);
    let mut left = room;
    for (k, &i) in order.iter().enumerate() {
        let fair = left / u16::try_from(n - k).unwrap_or(u16::MAX);
        out[i] = wanted[i].min(fair);
        left -= out[i];
    }
    for (k, h) in out.iter_mut().enumerate() {
        let n = u16::try_from(n).unwrap_or(u16::MAX);
        *h += left / n + u16::from((k as u16) < left % n);
    }
    out
}

/// Every line of a multi-line field in rows of `width` columns (see [`wrap_line`]).
fn wrap_rows(lines: &[String], width: usize) -> Vec<Row> {
    let mut rows = Vec::new();
    for (line, text) in lines.iter().enumerate() {
        let chars: Vec<char> = text.chars().collect();
        let ranges = wrap_line(&chars, width);
        let n = ranges.len();
        rows.extend(ranges.into_iter().enumerate().map(|(k, (start, end))| Row {
            line,
            start,
            end,
            last: k + 1 == n,
        }));
    }
    rows
}

/// The row the cursor (`line`, `col` in characters) is drawn on, and its column there.
fn cursor_cell(rows: &[Row], lines: &[String], line: usize, col: usize) -> (usize, usize) {
    let at = rows
        .iter()
        .position(|r| r.line == line && r.start <= col && (col < r.end || r.last))
        .unwrap_or(rows.len().saturating_sub(1));
    let x = rows.get(at).map_or(0, |r| {
        lines[r.line]
            .chars()
            .skip(r.start)
            .take(col.saturating_sub(r.start))
            .map(cell_width)
            .sum()
    });
    (at, x)
}

impl Field {
    /// The cursor of a multi-line field one drawn row up or down, at the column it is drawn
    /// in (or the row's end when that is shorter).
    fn move_row(&mut self, down: bool) {
        let (width, _) = self.view.get();
        let lines = self.text.lines().to_vec();
        let rows = wrap_rows(&lines, width);
        let ratatui_textarea::DataCursor(line, col) = self.text.cursor();
        let (at, x) = cursor_cell(&rows, &lines, line, col);
        let target = if down { at + 1 } else { at.wrapping_sub(1) };
        let Some(row) = rows.get(target) else {
            return;
        };
        let chars: Vec<char> = lines[row.line].chars().collect();
        // The end of a row that is not its line's last is the start of the next one.
        let max = if row.last {
            row.end
        } else {
            row.end.saturating_sub(1).max(row.start)
        };
        let (mut idx, mut used) = (row.start, 0);
        while idx < max && used + cell_width(chars[idx]) <= x {
            used += cell_width(chars[idx]);
            idx += 1;
        }
        let clamp = |n: usize| u16::try_from(n).unwrap_or(u16::MAX);
        self.text
            .move_cursor(ratatui_textarea::CursorMove::Jump(clamp(row.line), clamp(idx)));
    }

    /// A multi-line field's text wrapped to `area` (see [`wrap_line`]), scrolled to keep the
    /// cursor's row in sight, the cursor drawn where the keys put it.
    fn render_multi(&self, area: Rect, focused: bool, buf: &mut Buffer, theme: &Theme) {
        let width = area.width as usize;
        if width == 0 || area.height == 0 {
            return;
        }
        let lines = self.text.lines();
        let rows = wrap_rows(lines, width);
        let ratatui_textarea::DataCursor(line, col) = self.text.cursor();
        let (at, cursor_x) = cursor_cell(&rows, lines, line, col);
        let height = area.height as usize;
        let (_, mut top) = self.view.get();
        if !focused {
            top = 0;
        } else if at < top {
            top = at;
        } else if at >= top + height {
            top = at + 1 - height;
        }
        top = top.min(rows.len().saturating_sub(height));
        self.view.set((width, top));
        let style = if focused {
            theme.base.add_modifier(ratatui::style::Modifier::UNDERLINED)
        } else {
            theme.base
        };
        for (y, row) in rows.iter().skip(top).take(height).enumerate() {
            let shown: Vec<char> = lines[row.line]
                .chars()
                .skip(row.start)
                .take(row.end - row.start)
                .map(|c| if cell_width(c) == 1 && c.is_control() { ' ' } else { c })
                .collect();
            let text = |from: usize, to: usize| {
                shown[from.min(shown.len())..to.min(shown.len())]
                    .iter()
                    .collect::<String>()
            };
            let spans = if focused && top + y == at {
                let k = col - row.start;
                let under = shown.get(k).map_or(" ".to_string(), |c| c.to_string());
                vec![
                    Span::styled(text(0, k), style),
                    Span::styled(under, theme.selection),
                    Span::styled(text(k + 1, shown.len()), style),
                ]
            } else {
                vec![Span::styled(text(0, shown.len()), style)]
            };
            let rect = Rect {
                y: area.y + y as u16,
                height: 1,
                ..area
            };
            Line::from(spans).render(rect, buf);
        }
        // Rows out of sight above or below: a mark in the column the rows keep free.
        // (Never over the cursor, which can sit in that column at a line's end.)
        let x = area.right() - 1;
        let free = |row: usize| !(focused && row == at && cursor_x + 1 >= width);
        if top > 0 && free(top) {
            buf.set_string(x, area.y, "▲", theme.muted);
        }
        let last = top + height - 1;
        if last + 1 < rows.len() && free(last) {
            buf.set_string(x, area.bottom() - 1, "▼", theme.muted);
        }
    }
}

/// The characters `start..end` of a one-line field shown in `width` columns with the cursor at
/// `cursor` in sight (a cell after the text when it is at the end), leaving a column for each
/// marker of hidden text.
fn line_window(chars: &[char], cursor: usize, width: usize) -> (usize, usize) {
    use unicode_width::UnicodeWidthChar;
    let w = |from: usize, to: usize| chars[from..to].iter().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let cursor_cell = |at: usize| chars.get(at).and_then(|c| c.width()).unwrap_or(1).max(1);
    if w(0, chars.len()) < width {
        return (0, chars.len());
    }
    // The leftmost start that keeps the cursor in sight with both markers drawn.
    let mut start = 0;
    while start < cursor {
        let left = usize::from(start > 0);
        if left + w(start, cursor) + cursor_cell(cursor) < width {
            break;
        }
        start += 1;
    }
    let left = usize::from(start > 0);
    let mut end = start;
    while end < chars.len() {
        let right = usize::from(end + 1 < chars.len());
        if left + w(start, end + 1) + right > width {
            break;
        }
        end += 1;
    }
    (start, end.max(cursor.min(chars.len())))
}

/// All options when they fit, else only the chosen one between arrows.
fn choice_line(options: &[String], chosen: usize, focused: bool, width: u16, theme: &Theme) -> Line<'static> {
    let all: usize = options.iter().map(|o| o.chars().count() + 2).sum();
    let chosen_style = if focused { theme.selection } else { theme.title };
    if all <= width as usize {
        return Line::from(
            options
                .iter()
                .enumerate()
                .map(|(k, o)| Span::styled(format!(" {o} "), if k == chosen { chosen_style } else { theme.muted }))
                .collect::<Vec<_>>(),
        );
    }
    let o = options.get(chosen).cloned().unwrap_or_default();
    Line::from(vec![
        Span::styled("◂", theme.muted),
        Span::styled(format!(" {o} "), chosen_style),
        Span::styled(format!("▸ ({}/{})", chosen + 1, options.len()), theme.muted),
    ])
}

pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_tabbing_choosing_and_submitting() {
        let mut f = Form::new(
            "t",
            (),
            vec![
                Field::line("Title", ""),
                Field::choice("Kind", &["fix", "monitoring", "process"], "fix"),
                Field::multi("Notes", "a"),
            ],
        );
        for c in "db down".chars() {
            f.handle_key(key(KeyCode::Char(c)));
        }
        assert_eq!(f.handle_key(key(KeyCode::Tab)), FormOutcome::Continue);
        f.handle_key(key(KeyCode::Char('p')));
        assert_eq!(f.value("Kind"), "process");
        f.handle_key(key(KeyCode::Right));
        assert_eq!(f.value("Kind"), "fix");
        f.handle_key(key(KeyCode::Tab));
        f.handle_key(key(KeyCode::Enter));
        f.handle_key(key(KeyCode::Char('b')));
        assert_eq!(f.value("Notes"), "a\nb", "Enter is a newline in a multi-line field");
        assert_eq!(
            f.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormOutcome::Submit
        );
        assert_eq!(f.value("Title"), "db down");
        assert_eq!(f.handle_key(key(KeyCode::Esc)), FormOutcome::Cancel);
    }

    #[test]
    fn right_arrow_completes_from_the_suggestions() {
        let names = vec!["Priya Sharma".to_string(), "Tomasz Nowak".to_string()];
        let mut f = Form::new("t", (), vec![Field::line("Owner", "").with_suggestions(names)]);
        f.handle_key(key(KeyCode::Char('t')));
        f.handle_key(key(KeyCode::Right));
        assert_eq!(f.value("Owner"), "Tomasz Nowak");
        f.handle_key(key(KeyCode::Right));
        assert_eq!(f.value("Owner"), "Priya Sharma", "→ again steps to the next one");
        f.handle_key(key(KeyCode::Left));
        f.handle_key(key(KeyCode::Right));
        f.handle_key(key(KeyCode::Char('!')));
        assert_eq!(
            f.value("Owner"),
            "Priya Sharma!",
            "→ inside the text only moves the cursor"
        );
        f.handle_key(key(KeyCode::Right));
        assert_eq!(f.value("Owner"), "Priya Sharma!", "nothing starts with it");
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn readline_keys_erase_to_the_start_and_a_word_back() {
        let mut f = Form::new("t", (), vec![Field::line("Title", "db pool exhausted again")]);
        f.handle_key(ctrl('w'));
        assert_eq!(
            f.value("Title"),
            "db pool exhausted",
            "Ctrl-W erases the word before the cursor"
        );
        // "db pool exhausted |": the space stays, as in readline.
        for _ in 0..10 {
            f.handle_key(key(KeyCode::Left));
        }
        f.handle_key(ctrl('u'));
        assert_eq!(f.value("Title"), "exhausted", "Ctrl-U erases back to the line's start");
        f.handle_key(ctrl('e'));
        f.handle_key(key(KeyCode::Char('!')));
        f.handle_key(ctrl('a'));
        f.handle_key(ctrl('k'));
        assert_eq!(f.value("Title"), "", "Ctrl-A then Ctrl-K erases it all");
        f.handle_key(key(KeyCode::Char('x')));
        f.handle_key(ctrl('z'));
        f.handle_key(ctrl('y'));
        assert_eq!(f.value("Title"), "x", "the text area's own shortcuts are not keys here");
    }

    #[test]
    fn a_long_line_shows_where_text_is_hidden() {
        let text: String = ('a'..='z').collect();
        let chars: Vec<char> = text.chars().collect();
        let show = |cursor: usize, width: usize| {
            let (start, end) = line_window(&chars, cursor, width);
            let left = if start > 0 { "‹" } else { "" };
            let right = if end < chars.len() { "›" } else { "" };
            format!("{left}{}{right}", chars[start..end].iter().collect::<String>())
        };
        assert_eq!(show(26, 10), "‹tuvwxyz", "the end, with room for the cursor");
        assert_eq!(show(0, 10), "abcdefghi›");
        assert_eq!(show(13, 10), "‹ghijklmn›", "the middle");
        assert_eq!(show(3, 40), text, "all of it fits");
    }

    fn wrapped(text: &str, width: usize) -> Vec<String> {
        let chars: Vec<char> = text.chars().collect();
        wrap_line(&chars, width)
            .into_iter()
            .map(|(a, b)| chars[a..b].iter().collect())
            .collect()
    }

    #[test]
    fn multi_line_fields_share_rows_by_what_they_hold() {
        // Enough for all: each gets its wish, the spare rows spread evenly.
        assert_eq!(share_rows(&[3, 5], 12), vec![5, 7]);
        // Not enough: the small wish is met, the big ones share the rest.
        assert_eq!(share_rows(&[3, 20, 20], 15), vec![3, 6, 6]);
        assert_eq!(share_rows(&[9, 9], 7), vec![3, 4]);
        assert_eq!(share_rows(&[], 7), Vec::<u16>::new());
        assert_eq!(share_rows(&[4, 4], 0), vec![0, 0]);
    }

    #[test]
    fn wrapped_rows_read_as_text() {
        // The space stays at the end of the row it follows; the full stop with its word.
        assert_eq!(wrapped("one two three.", 10), vec!["one two ", "three."]);
        assert_eq!(wrapped("abcdefghi x.", 10), vec!["abcdefghi ", "x."]);
        // A word wider than a row is cut; an empty line is one empty row.
        assert_eq!(wrapped("abcdefghijkl", 5), vec!["abcd", "efgh", "ijkl"]);
        assert_eq!(wrapped("", 5), vec![""]);
        // Wide characters count their columns.
        assert_eq!(wrapped("日本語 テキスト", 8), vec!["日本語 ", "テキス", "ト"]);
        // Nothing lost whatever the width; with single spaces no row starts with one.
        for width in 1..20 {
            let rows = wrapped("a  b   c.d , e;  fghijklmnop q ", width);
            assert_eq!(rows.concat(), "a  b   c.d , e;  fghijklmnop q ", "width {width}");
            let rows = wrapped("it failed. Then c.d, e; fghijklmnop q.", width);
            assert_eq!(rows.concat(), "it failed. Then c.d, e; fghijklmnop q.");
            assert!(
                width < 2 || rows.iter().all(|r| !r.starts_with(' ')),
                "{width}: {rows:?}"
            );
        }
    }

    #[test]
    fn up_and_down_move_by_drawn_rows() {
        let mut f = Form::new("t", (), vec![Field::multi("Notes", "one two three four\nfive")]);
        f.fields[0].view.set((10, 0));
        // Rows: "one two " "three " "four" "five"; the cursor at the end of "five".
        let up = || key(KeyCode::Up);
        f.handle_key(up());
        f.handle_key(key(KeyCode::Char('X')));
        assert_eq!(
            f.value("Notes"),
            "one two three fourX\nfive",
            "from column 4 to the end of \"four\""
        );
        f.handle_key(up());
        f.handle_key(up());
        f.handle_key(key(KeyCode::Char('Y')));
        // "fourX|" is column 5: "three |" has its space there, "one t|wo" its w.
        assert_eq!(f.value("Notes"), "one tYwo three fourX\nfive");
    }

    #[test]
    fn pasted_text_is_cleaned() {
        let mut f = Form::new("t", (), vec![Field::line("Title", "")]);
        f.paste("a\x1b]0;evil\x07b\nc");
        assert_eq!(f.value("Title"), "ab c");
    }
}
