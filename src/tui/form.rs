//! A form popup: one-line fields, multi-line fields (ratatui-textarea) and choices.
//! The form only collects text; what a submitted form means is decided by `App`.

use super::theme::Theme;
use crate::model::sanitize;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Widget, Wrap};
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
    pub hint: &'static str,
    text: TextArea<'static>,
    choice: usize,
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
    pub fn with_hint(mut self, hint: &'static str) -> Field {
        self.hint = hint;
        self
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
        text.set_wrap_mode(WrapMode::WordOrGlyph);
        Field {
            label,
            kind,
            hint: "",
            text,
            choice: 0,
        }
    }

    pub fn value(&self) -> String {
        match &self.kind {
            FieldKind::Choice(options) => options.get(self.choice).cloned().unwrap_or_default(),
            FieldKind::Line => self.text.lines().join(" ").trim().to_string(),
            FieldKind::Multi => self.text.lines().join("\n").trim_end().to_string(),
        }
    }

    fn height(&self) -> u16 {
        match self.kind {
            FieldKind::Multi => 6,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormOutcome {
    Continue,
    Submit,
    Cancel,
}

#[derive(Debug, Clone)]
pub struct Form<P> {
    pub title: String,
    pub fields: Vec<Field>,
    pub focus: usize,
    /// Shown in the form after a rejected submit; the form stays open with what was typed.
    pub error: Option<String>,
    pub purpose: P,
}

impl<P> Form<P> {
    pub fn new(title: impl Into<String>, purpose: P, fields: Vec<Field>) -> Form<P> {
        Form {
            title: title.into(),
            fields,
            focus: 0,
            error: None,
            purpose,
        }
    }

    pub fn value(&self, label: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.label == label)
            .map(Field::value)
            .unwrap_or_default()
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> FormOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let Some(field) = self.fields.get_mut(self.focus) else {
            return FormOutcome::Cancel;
        };
        match key.code {
            KeyCode::Esc => return FormOutcome::Cancel,
            KeyCode::Char('s') if ctrl => return FormOutcome::Submit,
            KeyCode::Tab => self.focus = (self.focus + 1) % self.fields.len(),
            KeyCode::BackTab => {
                self.focus = (self.focus + self.fields.len() - 1) % self.fields.len()
            }
            KeyCode::Enter if field.kind != FieldKind::Multi => return FormOutcome::Submit,
            KeyCode::Up if field.kind != FieldKind::Multi => {
                self.focus = self.focus.saturating_sub(1)
            }
            KeyCode::Down if field.kind != FieldKind::Multi => {
                self.focus = (self.focus + 1).min(self.fields.len() - 1)
            }
            _ => match &field.kind {
                FieldKind::Choice(options) => {
                    let n = options.len().max(1);
                    match key.code {
                        KeyCode::Left => field.choice = (field.choice + n - 1) % n,
                        KeyCode::Right | KeyCode::Char(' ') => {
                            field.choice = (field.choice + 1) % n
                        }
                        KeyCode::Char(c) => {
                            // Typing a letter picks the next option that starts with it.
                            let c = c.to_ascii_lowercase();
                            if let Some(i) = (1..=n)
                                .map(|k| (field.choice + k) % n)
                                .find(|i| options[*i].to_ascii_lowercase().starts_with(c))
                            {
                                field.choice = i;
                            }
                        }
                        _ => {}
                    }
                }
                _ => {
                    field.text.input(key);
                }
            },
        }
        FormOutcome::Continue
    }

    /// Pasted text goes into the focused text field, cleaned of terminal controls first.
    pub fn paste(&mut self, text: &str) {
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

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let want_h: u16 = self.fields.iter().map(|f| f.height() + 1).sum::<u16>() + 4;
        let width = area.width.min(76).max(area.width.min(30));
        let height = want_h.min(area.height);
        let popup = centered(area, width, height);
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
        // Multi-line fields share what room there is; one-line fields keep theirs.
        let mut constraints: Vec<Constraint> = self
            .fields
            .iter()
            .map(|f| {
                if f.kind == FieldKind::Multi {
                    Constraint::Min(3)
                } else {
                    Constraint::Length(2)
                }
            })
            .collect();
        constraints.push(Constraint::Length(1));
        let rows = Layout::vertical(constraints).split(inner);
        for (i, field) in self.fields.iter().enumerate() {
            let focused = i == self.focus;
            let r = rows[i];
            if r.height == 0 {
                continue;
            }
            let [label_area, value_area] =
                Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(r);
            let marker = if focused {
                theme.marker
            } else {
                theme.marker_blank
            };
            let label_style = if focused { theme.title } else { theme.muted };
            let mut label = vec![
                Span::styled(marker, label_style),
                Span::styled(field.label, label_style),
            ];
            if !field.hint.is_empty() {
                label.push(Span::styled(format!("  {}", field.hint), theme.muted));
            }
            Paragraph::new(Line::from(label)).render(label_area, buf);
            let [_, value_area] =
                Layout::horizontal([Constraint::Length(2), Constraint::Min(0)]).areas(value_area);
            match &field.kind {
                FieldKind::Choice(options) => {
                    let mut spans = Vec::new();
                    for (k, o) in options.iter().enumerate() {
                        let style = if k == field.choice {
                            if focused {
                                theme.selection
                            } else {
                                theme.title
                            }
                        } else {
                            theme.muted
                        };
                        spans.push(Span::styled(format!(" {o} "), style));
                    }
                    Paragraph::new(Line::from(spans))
                        .wrap(Wrap { trim: true })
                        .render(value_area, buf);
                }
                _ => {
                    let mut ta = field.text.clone();
                    ta.set_style(theme.base);
                    ta.set_cursor_line_style(ratatui::style::Style::default());
                    ta.set_cursor_style(if focused { theme.selection } else { theme.base });
                    (&ta).render(value_area, buf);
                }
            }
        }
        let footer = match &self.error {
            Some(e) => Line::from(Span::styled(e.clone(), theme.error)),
            None => {
                let multi = self
                    .fields
                    .get(self.focus)
                    .is_some_and(|f| f.kind == FieldKind::Multi);
                let save = if multi { "Ctrl-S save" } else { "Enter save" };
                Line::from(Span::styled(
                    format!("{save} · Tab next field · Esc cancel"),
                    theme.key_hint,
                ))
            }
        };
        Paragraph::new(footer)
            .wrap(Wrap { trim: true })
            .render(rows[rows.len() - 1], buf);
    }
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
        assert_eq!(
            f.value("Notes"),
            "a\nb",
            "Enter is a newline in a multi-line field"
        );
        assert_eq!(
            f.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL)),
            FormOutcome::Submit
        );
        assert_eq!(f.value("Title"), "db down");
        assert_eq!(f.handle_key(key(KeyCode::Esc)), FormOutcome::Cancel);
    }

    #[test]
    fn pasted_text_is_cleaned() {
        let mut f = Form::new("t", (), vec![Field::line("Title", "")]);
        f.paste("a\x1b]0;evil\x07b\nc");
        assert_eq!(f.value("Title"), "ab c");
    }
}
