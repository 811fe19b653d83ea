//! Home: the incidents, with a welcome screen when there are none.

use crate::model::time::format_span;
use crate::store::IncidentSummary;
use crate::tui::effect::{Ctx, Failure, Show, msg};
use crate::tui::keymap::command::Command;
use crate::tui::theme::Theme;
use crate::tui::view::{fit, truncate};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::list_cursor::ListCursor;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

/// What the list of incidents' forms are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HomeForm {
    NewIncident,
    Filter,
}

/// What a question on the list of incidents confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HomeConfirm {
    /// Delete the incident read at this version, and everything in it.
    Delete { id: i64, version: i64, title: String },
}

/// A popup the list of incidents opens.
pub type HomePopup = Show<HomeForm, std::convert::Infallible, HomeConfirm>;
/// What the list of incidents asks `App` to do.
pub type Effect = crate::tui::effect::Effect<HomePopup>;

#[derive(Debug, Clone, Default)]
pub struct HomeState {
    pub incidents: Vec<IncidentSummary>,
    pub filter: String,
    pub cursor: ListCursor,
    /// What the console's author owes across incidents: open actions, and how many are overdue.
    pub owed: Owed,
    /// The archived incidents are listed too.
    pub show_archived: bool,
}

/// The open actions owned by the console's author, across incidents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owed {
    pub author: String,
    pub open: usize,
    pub overdue: usize,
}

impl Owed {
    /// "you owe 2 actions, 1 overdue", or `None` when nothing is owed.
    pub fn text(&self) -> Option<String> {
        if self.open == 0 {
            return None;
        }
        let s = if self.open == 1 { "" } else { "s" };
        let overdue = if self.overdue > 0 {
            format!(", {} overdue", self.overdue)
        } else {
            String::new()
        };
        Some(format!(
            "{} owes {} action{s}{overdue} (A lists them)",
            self.author, self.open
        ))
    }
}

impl HomeState {
    /// The incidents that match the filter (title, status, severity or cause words).
    pub fn visible(&self) -> Vec<&IncidentSummary> {
        let words: Vec<String> = self.filter.split_whitespace().map(str::to_lowercase).collect();
        self.incidents
            .iter()
            .filter(|s| {
                let hay = format!(
                    "{} {} {} #{} {}",
                    s.incident.title,
                    s.incident.status.label(),
                    s.incident.severity.label(),
                    s.incident.id,
                    s.confirmed.iter().map(|c| c.label()).collect::<Vec<_>>().join(" ")
                )
                .to_lowercase();
                words.iter().all(|w| hay.contains(w))
            })
            .collect()
    }

    pub fn selected_id(&self) -> Option<i64> {
        self.visible().get(self.cursor.selected()).map(|s| s.incident.id)
    }

    /// What a key does on the home screen.
    pub fn update(&mut self, command: Command, ctx: &Ctx) -> Vec<Effect> {
        if self.cursor.on_command(command, self.visible().len()) {
            return Vec::new();
        }
        match command {
            Command::Back => vec![Effect::Quit],
            Command::Select => self.selected_id().map(Effect::OpenIncident).into_iter().collect(),
            Command::Filter => {
                vec![Effect::popup(HomePopup::Form(Form::new(
                    "Filter incidents",
                    HomeForm::Filter,
                    vec![Field::line("Words", &self.filter).with_hint("empty shows all")],
                )))]
            }
            Command::NewIncident => vec![Effect::NewIncident],
            Command::LoadDemo => vec![Effect::LoadDemo],
            Command::ShowArchived => {
                self.show_archived = !self.show_archived;
                let text = if self.show_archived {
                    "Archived incidents are listed too (v hides them)."
                } else {
                    "Archived incidents are hidden (v lists them)."
                };
                vec![Effect::Reload, Effect::Flash(text.into())]
            }
            Command::Archive => self.archive(ctx),
            Command::Delete => self.ask_delete(ctx),
            _ => vec![Effect::Unavailable(command)],
        }
    }

    /// Archives the selected incident, or brings it back when it is archived.
    fn archive(&self, ctx: &Ctx) -> Vec<Effect> {
        let Some(s) = self.visible().get(self.cursor.selected()).copied() else {
            return Vec::new();
        };
        let (id, title) = (s.incident.id, s.incident.title.clone());
        match ctx.store.set_archived(id, !s.archived) {
            Ok(_) if s.archived => vec![
                Effect::Reload,
                Effect::Flash(format!("#{id} {title} is back on the list.")),
            ],
            Ok(_) => vec![
                Effect::Reload,
                Effect::Flash(format!(
                    "Archived #{id} {title} (v lists archived incidents, X there brings it back)."
                )),
            ],
            Err(e) => vec![Effect::Error(e.to_string())],
        }
    }

    /// Asks before deleting the selected incident, naming what goes with it.
    fn ask_delete(&self, ctx: &Ctx) -> Vec<Effect> {
        let Some(s) = self.visible().get(self.cursor.selected()).copied() else {
            return Vec::new();
        };
        let i = &s.incident;
        match ctx.store.incident_contents(i.id) {
            Ok(contents) => vec![Effect::popup(HomePopup::Confirm(
                format!(
                    "Delete #{} {} and everything in it ({contents})? This cannot be undone.",
                    i.id, i.title
                ),
                HomeConfirm::Delete {
                    id: i.id,
                    version: i.version,
                    title: i.title.clone(),
                },
            ))],
            Err(e) => vec![Effect::Error(e.to_string())],
        }
    }

    /// The filter form's words.
    pub fn apply_filter<P>(&mut self, form: &Form<P>) {
        self.filter = form.value("Words");
        self.cursor = ListCursor::default();
    }

    /// The list's frame: its title, and on the right of it what the author owes.
    fn block(&self, theme: &Theme) -> Block<'static> {
        let title = if self.filter.is_empty() {
            format!(" debrief · incidents ({}) ", self.incidents.len())
        } else {
            format!(" debrief · incidents matching \"{}\" ", self.filter)
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border)
            .title(Span::styled(title, theme.title));
        match self.owed.text() {
            Some(owed) => {
                let style = if self.owed.overdue > 0 {
                    theme.overdue
                } else {
                    theme.muted
                };
                block.title(Line::from(Span::styled(format!(" {owed} "), style)).right_aligned())
            }
            None => block,
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let block = self.block(theme);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height == 0 {
            return;
        }
        let visible = self.visible();
        if visible.is_empty() {
            Line::from(Span::styled(
                "No incident matches the filter (/ to change it).",
                theme.muted,
            ))
            .render(inner, buf);
            return;
        }
        let w = inner.width as usize;
        let wide = w >= 100;
        let [head, list] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        Line::from(Span::styled(truncate(&headings(theme, wide), w), theme.muted)).render(head, buf);
        let h = list.height as usize;
        let skip = self.cursor.offset(h, visible.len());
        for (y, (i, s)) in visible.iter().enumerate().skip(skip).take(h).enumerate() {
            let selected = i == self.cursor.selected();
            let base = if selected { theme.selection } else { theme.base };
            let marker = if selected { theme.marker } else { theme.marker_blank };
            let tz = s.incident.tz();
            let started = s
                .started
                .map(|t| t.with_timezone(&tz).format("%m-%d %H:%M").to_string())
                .unwrap_or("–".into());
            let duration = match (s.started, s.resolved) {
                (Some(a), Some(b)) => format_span(b - a),
                _ => "–".into(),
            };
            let mut spans = vec![
                Span::styled(marker, base),
                Span::styled(
                    format!("{} ", fit(s.incident.severity.label(), 5)),
                    base.patch(theme.severity(s.incident.severity)),
                ),
                Span::styled(format!("{} ", fit(s.incident.status.label(), 11)), base),
                Span::styled(format!("{} ", fit(&started, 12)), base),
            ];
            if wide {
                spans.push(Span::styled(format!("{} ", fit(&duration, 9)), base));
            }
            spans.push(Span::styled(format!("{:>4}  ", s.open_actions), base));
            let late = if s.overdue_actions > 0 {
                base.patch(theme.overdue)
            } else {
                base
            };
            spans.push(Span::styled(format!("{:>4}  ", s.overdue_actions), late));
            let used: usize = spans.iter().map(|s| s.width()).sum();
            let mut title = if s.archived {
                format!("(archived) {}", s.incident.title)
            } else {
                s.incident.title.clone()
            };
            if wide && !s.confirmed.is_empty() {
                title.push_str(&format!(
                    " · {}",
                    s.confirmed.iter().map(|c| c.label()).collect::<Vec<_>>().join(", ")
                ));
            }
            spans.push(Span::styled(fit(&title, w.saturating_sub(used)), base));
            Line::from(spans).render(
                Rect {
                    y: list.y + y as u16,
                    height: 1,
                    ..list
                },
                buf,
            );
        }
    }
}

/// The list's headings, each over its column: the same widths as the rows (after the marker).
fn headings(theme: &Theme, wide: bool) -> String {
    let blank = " ".repeat(unicode_width::UnicodeWidthStr::width(theme.marker_blank));
    let mut cols = format!("{blank}{} {} {} ", fit("SEV", 5), fit("STATUS", 11), fit("STARTED", 12));
    if wide {
        cols.push_str(&format!("{} ", fit("DURATION", 9)));
    }
    cols.push_str(&format!("{:>4}  {:>4}  ", "OPEN", "LATE"));
    cols.push_str(if wide { "TITLE · CONFIRMED CAUSES" } else { "TITLE" });
    cols
}

/// The new-incident form: creates the incident and opens it.
pub fn apply_new_incident<P>(form: &Form<P>, ctx: &Ctx) -> Result<Vec<Effect>, Failure> {
    use crate::model::Severity;
    use crate::model::time::{self, TimeContext};
    use crate::store::NewIncident;
    let zone = form.value("Zone");
    let tz = time::parse_zone(&zone).map_err(msg)?;
    let started = form.value("Started");
    let started = if started.is_empty() {
        None
    } else {
        Some(
            time::parse_time(
                &started,
                &TimeContext {
                    zone: tz,
                    now: ctx.now,
                    anchor: None,
                    span: None,
                },
            )
            .map_err(msg)?,
        )
    };
    let severity = form.value("Severity").parse::<Severity>().unwrap_or(Severity::Sev2);
    let id = ctx
        .store
        .create_incident(&NewIncident {
            title: form.value("Title"),
            severity,
            zone,
            started_at: started,
        })
        .map_err(msg)?;
    Ok(vec![Effect::OpenIncident(id)])
}

/// The new-incident form, its zone filled in.
pub fn new_incident_form(zone: &str) -> Form<HomeForm> {
    Form::new(
        "New incident",
        HomeForm::NewIncident,
        vec![
            Field::line("Title", ""),
            Field::choice("Severity", &["SEV1", "SEV2", "SEV3", "SEV4"], "SEV2").with_hint("←/→"),
            Field::line("Zone", zone).with_hint("IANA name, e.g. Europe/Berlin"),
            Field::line("Started", "").with_hint("when impact started: 14:32, -2h … (optional)"),
        ],
    )
}

/// The first screen on an empty database.
pub fn render_welcome(area: Rect, buf: &mut Buffer, theme: &Theme, keys: &[(String, &str)]) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus_border)
        .title(Span::styled(" debrief ", theme.title));
    let inner = block.inner(area);
    block.render(area, buf);
    let mut lines = vec![
        Line::from(Span::styled("Welcome to debrief", theme.title)),
        Line::from(""),
        Line::from(Span::styled(
            "The console for the review after a critical outage: the timeline of what happened, \
             the causes examined, and the actions that make sure it does not happen again.",
            theme.base,
        )),
        Line::from(""),
        Line::from(Span::styled("There is no incident in this database yet.", theme.muted)),
        Line::from(""),
    ];
    for (key, what) in keys {
        lines.push(Line::from(vec![
            Span::styled(format!("  {key:>6}  "), theme.key_hint),
            Span::styled(what.to_string(), theme.base),
        ]));
    }
    let w = inner.width.min(72);
    let x = inner.x + (inner.width - w) / 2;
    let h = inner.height.min(lines.len() as u16 + 4);
    let y = inner.y + (inner.height - h) / 2;
    crate::tui::view::render_wrapped(
        Paragraph::new(lines).wrap(Wrap { trim: true }),
        Rect {
            x,
            y,
            width: w,
            height: h,
        },
        buf,
    );
}

/// What "yes" to a question on the list of incidents does.
pub fn confirmed(what: HomeConfirm, ctx: &Ctx) -> Vec<Effect> {
    match what {
        HomeConfirm::Delete { id, version, title } => match ctx.store.delete_incident(id, version) {
            Ok(()) => vec![Effect::Reload, Effect::Flash(format!("Deleted #{id} {title}."))],
            Err(e) => vec![Effect::Reload, Effect::Error(e.to_string())],
        },
    }
}
