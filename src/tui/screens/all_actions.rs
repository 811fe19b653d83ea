//! Actions across incidents (`A`): "what do I owe, and what is overdue". By default the
//! current author's open actions; `o` picks another owner or everyone, `/` the statuses and
//! "overdue only"; Enter opens the incident with the action selected on its board.

use crate::model::ActionStatus;
use crate::store::{ActionFilter, ActionRow, Store};
use crate::tui::effect::{Ctx, Show};
use crate::tui::keymap::command::Command;
use crate::tui::screens::review::board::kind_tag;
use crate::tui::theme::Theme;
use crate::tui::view::{fit, truncate};
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::list_cursor::ListCursor;
use chrono::NaiveDate;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// What the list of every incident's actions's forms are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrossForm {
    Owner,
    Filter,
}

/// A popup the list of every incident's actions opens.
pub type CrossPopup = Show<CrossForm>;
/// What the list of every incident's actions asks `App` to do.
pub type Effect = crate::tui::effect::Effect<CrossPopup>;

/// The statuses shown; "open" is what is still owed.
pub const STATUS_CHOICES: [&str; 5] = ["open", "all", "todo", "doing", "done"];

pub struct CrossState {
    /// Whose actions, matched without regard to case; `None` is everyone's.
    pub owner: Option<String>,
    /// One of [`STATUS_CHOICES`].
    pub statuses: &'static str,
    pub overdue_only: bool,
    pub rows: Vec<ActionRow>,
    pub cursor: ListCursor,
}

impl CrossState {
    pub fn new(owner: Option<String>) -> CrossState {
        CrossState {
            owner,
            statuses: "open",
            overdue_only: false,
            rows: Vec::new(),
            cursor: ListCursor::default(),
        }
    }

    pub fn filter(&self, today: NaiveDate) -> ActionFilter {
        ActionFilter {
            owner: self.owner.clone(),
            statuses: statuses_of(self.statuses),
            overdue_on: self.overdue_only.then_some(today),
            incident_id: None,
        }
    }

    /// Re-reads the list, keeping the selection on the same action when it is still there.
    pub fn reload(&mut self, store: &Store, today: NaiveDate) -> crate::store::Result<()> {
        let current = self.selected_row().map(|r| r.action.id);
        self.rows = store.actions_across(&self.filter(today))?;
        let at = current
            .and_then(|id| self.rows.iter().position(|r| r.action.id == id))
            .unwrap_or(self.cursor.selected());
        self.cursor.select(at, self.rows.len());
        Ok(())
    }

    pub fn selected_row(&self) -> Option<&ActionRow> {
        self.rows.get(self.cursor.selected())
    }

    fn who(&self) -> String {
        match &self.owner {
            Some(o) => o.clone(),
            None => "everyone".into(),
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme, today: NaiveDate) {
        let mut title = format!(" Actions across incidents · {} · {}", self.who(), self.statuses);
        if self.overdue_only {
            title.push_str(" · overdue only");
        }
        title.push_str(&format!(" ({}) ", self.rows.len()));
        let block = theme.pane_block(title, true);
        let inner = block.inner(area);
        block.render(area, buf);
        if inner.height < 3 || inner.width < 20 {
            return;
        }
        let [summary, head, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(0)]).areas(inner);
        let w = inner.width as usize;
        if self.rows.is_empty() {
            let lines = [
                Line::from(Span::styled(
                    format!("No {} actions for {} here.", self.statuses, self.who()),
                    theme.base,
                )),
                Line::from(Span::styled(
                    "o: another owner (empty: everyone) · /: statuses and overdue only",
                    theme.muted,
                )),
            ];
            for (i, line) in lines.into_iter().enumerate() {
                line.render(row(inner, i as u16), buf);
            }
            return;
        }
        let overdue = self.rows.iter().filter(|r| r.action.is_overdue(today)).count();
        let undated = self
            .rows
            .iter()
            .filter(|r| r.action.due.is_none() && r.action.status.is_open())
            .count();
        let mut spans = vec![Span::styled(
            crate::tui::view::plural(self.rows.len(), "action"),
            theme.base,
        )];
        if overdue > 0 {
            spans.push(Span::styled(" · ", theme.muted));
            spans.push(Span::styled(format!("{overdue} overdue"), theme.overdue));
        }
        if undated > 0 {
            spans.push(Span::styled(format!(" · {undated} without a date"), theme.warning));
        }
        if w >= 100 {
            spans.push(Span::styled(format!(" · today {today}"), theme.muted));
        }
        spans.push(Span::styled(" · Enter opens the incident", theme.muted));
        Line::from(spans).render(summary, buf);

        let cols = Columns::for_width(w);
        Line::from(Span::styled(truncate(&cols.header(), w), theme.header)).render(head, buf);
        let list = match self.selected_row() {
            Some(r) if list.height as usize >= self.rows.len() + 6 => {
                let [list, details] = Layout::vertical([Constraint::Min(0), Constraint::Length(4)]).areas(list);
                render_details(r, details, buf, theme);
                list
            }
            _ => list,
        };
        let h = list.height as usize;
        let skip = self.cursor.offset(h, self.rows.len());
        for (y, (i, r)) in self.rows.iter().enumerate().skip(skip).take(h).enumerate() {
            let line = cols.line(r, i == self.cursor.selected(), today, theme);
            line.render(row(list, y as u16), buf);
        }
    }
}

/// The selected action in full: title, kind and status, owner and role, ticket, priority, due
/// date, incident, and the first line of its details.
fn render_details(r: &ActionRow, area: Rect, buf: &mut Buffer, theme: &Theme) {
    let a = &r.action;
    let w = area.width as usize;
    Line::from(Span::styled("─".repeat(w), theme.muted)).render(row(area, 0), buf);
    Line::from(Span::styled(truncate(&a.title, w), theme.title)).render(row(area, 1), buf);
    let mut facts = vec![format!("{} · {}", a.kind.label(), a.status.label())];
    if !a.owner.trim().is_empty() {
        let role = a.owner_role.map(|r| format!(" ({})", r.label())).unwrap_or_default();
        facts.push(format!("{}{role}", a.owner));
    }
    if !a.ticket.is_empty() {
        facts.push(a.ticket.clone());
    }
    if a.priority > 0 {
        facts.push(format!("P{}", a.priority));
    }
    if let Some(d) = a.due {
        facts.push(format!("due {d}"));
    }
    facts.push(format!("#{} {}", a.incident_id, r.incident_title));
    Line::from(Span::styled(truncate(&facts.join(" · "), w), theme.muted)).render(row(area, 2), buf);
    let details = a.details.lines().next().unwrap_or("");
    Line::from(Span::styled(truncate(details, w), theme.base)).render(row(area, 3), buf);
}

fn row(area: Rect, y: u16) -> Rect {
    Rect {
        y: area.y + y,
        height: 1,
        ..area
    }
}

/// Column widths for a screen width: due, status, kind, owner, title, incident.
struct Columns {
    owner: usize,
    title: usize,
    incident: usize,
}

const MARKER: usize = 2;
const DUE: usize = 12;
const STATUS: usize = 7;
const KIND: usize = 5;

impl Columns {
    fn for_width(w: usize) -> Columns {
        let owner = if w >= 120 { 20 } else { 13 };
        let rest = w.saturating_sub(MARKER + DUE + STATUS + KIND + owner + 1);
        let incident = (rest * 2 / 5).clamp(8, 48).min(rest);
        Columns {
            owner,
            title: rest.saturating_sub(incident + 1),
            incident,
        }
    }

    fn header(&self) -> String {
        format!(
            "{}{}{}{}{} {} {}",
            " ".repeat(MARKER),
            fit("DUE", DUE),
            fit("STATUS", STATUS),
            fit("KIND", KIND),
            fit("OWNER", self.owner),
            fit("TITLE", self.title),
            "INCIDENT"
        )
    }

    fn line(&self, r: &ActionRow, selected: bool, today: NaiveDate, theme: &Theme) -> Line<'static> {
        let a = &r.action;
        let base = if selected { theme.selection } else { theme.base };
        let overdue = a.is_overdue(today);
        let due = match a.due {
            Some(d) if overdue => format!("{d}!"),
            Some(d) => d.to_string(),
            None => "no date".into(),
        };
        let due_style = if overdue {
            base.patch(theme.overdue)
        } else if a.due.is_none() && a.status.is_open() {
            base.patch(theme.warning)
        } else {
            base
        };
        let (owner, owner_style) = if a.owner.trim().is_empty() {
            ("no owner".to_string(), base.patch(theme.warning))
        } else {
            (a.owner.clone(), base)
        };
        let title_style = if overdue { base.patch(theme.overdue) } else { base };
        let incident = format!("#{} {}", a.incident_id, r.incident_title);
        Line::from(vec![
            Span::styled(theme.marker_for(selected), base),
            Span::styled(fit(&due, DUE), due_style),
            Span::styled(fit(a.status.label(), STATUS), base.patch(theme.action_status(a.status))),
            Span::styled(fit(kind_tag(a.kind), KIND), base.patch(theme.header)),
            Span::styled(fit(&owner, self.owner), owner_style),
            Span::styled(" ", base),
            Span::styled(fit(&a.title, self.title), title_style),
            Span::styled(" ", base),
            Span::styled(fit(&incident, self.incident), base.patch(theme.muted)),
        ])
    }
}

/// What a typed owner name means, given the owners that exist: an exact name (any case), a
/// part of exactly one name, or "me". Empty is everyone.
pub fn resolve_owner(typed: &str, owners: &[String], me: &str) -> Result<Option<String>, String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(None);
    }
    if typed.eq_ignore_ascii_case("me") || typed.to_lowercase() == me.to_lowercase() {
        return Ok(Some(me.to_string()));
    }
    if let Some(o) = owners.iter().find(|o| o.to_lowercase() == typed.to_lowercase()) {
        return Ok(Some(o.clone()));
    }
    let part: Vec<&String> = owners
        .iter()
        .filter(|o| o.to_lowercase().contains(&typed.to_lowercase()))
        .collect();
    match part.as_slice() {
        [one] => Ok(Some((*one).clone())),
        [] => Err(format!(
            "No action is owned by \"{typed}\". Owners: {}",
            if owners.is_empty() {
                "none yet".to_string()
            } else {
                owners.join(", ")
            }
        )),
        many => Err(format!(
            "\"{typed}\" could be {}; type more of the name",
            many.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ")
        )),
    }
}

/// The owners of any action, each once (the first spelling met), sorted without regard to case.
pub fn known_owners(store: &Store) -> crate::store::Result<Vec<String>> {
    let rows = store.actions_across(&ActionFilter::default())?;
    Ok(distinct_names(rows.iter().map(|r| r.action.owner.as_str())))
}

/// Names each once (the first spelling met, blanks left out), sorted without regard to case.
pub fn distinct_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    for o in names {
        let o = o.trim();
        if !o.is_empty() && !owners.iter().any(|k| k.to_lowercase() == o.to_lowercase()) {
            owners.push(o.to_string());
        }
    }
    owners.sort_by_key(|o| o.to_lowercase());
    owners
}

/// The statuses a choice of [`STATUS_CHOICES`] stands for; none is every status.
pub fn statuses_of(choice: &str) -> Vec<ActionStatus> {
    match choice {
        "open" => vec![ActionStatus::Todo, ActionStatus::Doing],
        "all" => Vec::new(),
        one => one.parse().map(|s| vec![s]).unwrap_or_default(),
    }
}

/// The owner field of an owner form: the owners offered in the hint and by →.
pub fn owner_field(current: &str, owners: &[String]) -> Field {
    let hint = if owners.is_empty() {
        "empty: everyone · me: yours".to_string()
    } else {
        format!("empty: everyone · me: yours · {}", owners.join(", "))
    };
    Field::line("Owner", current)
        .with_hint(hint)
        .with_suggestions(owners.to_vec())
}

/// The "Status" and "Overdue only" fields of a filter form.
pub fn status_fields(statuses: &str, overdue_only: bool) -> [Field; 2] {
    let overdue = if overdue_only { "yes" } else { "no" };
    [
        Field::choice("Status", &STATUS_CHOICES, statuses).with_hint("open: todo and doing · ←/→"),
        Field::choice("Overdue only", &["no", "yes"], overdue).with_hint("past the due date and not done · ←/→"),
    ]
}

/// What [`status_fields`] were set to: one of [`STATUS_CHOICES`] (`default` if none), and overdue only.
pub fn chosen_status<P>(form: &Form<P>, default: &'static str) -> (&'static str, bool) {
    let status = form.value("Status");
    let status = STATUS_CHOICES
        .iter()
        .find(|s| **s == status)
        .copied()
        .unwrap_or(default);
    (status, form.value("Overdue only") == "yes")
}

impl CrossState {
    /// The list of every incident's actions, showing the current author's (in the owners' own
    /// spelling when the author is one of them).
    pub fn open(ctx: &Ctx) -> crate::store::Result<CrossState> {
        let me = ctx.store.author().to_string();
        let me = known_owners(ctx.store)
            .unwrap_or_default()
            .into_iter()
            .find(|o| o.to_lowercase() == me.to_lowercase())
            .unwrap_or(me);
        let mut state = CrossState::new(Some(me));
        state.reload(ctx.store, ctx.today())?;
        Ok(state)
    }

    /// What a key does on the list.
    pub fn update(&mut self, action: Command, ctx: &Ctx) -> Vec<Effect> {
        if self.cursor.on_command(action, self.rows.len()) {
            return Vec::new();
        }
        match action {
            Command::Back => vec![Effect::Back],
            Command::Select => self
                .selected_row()
                .map(|r| Effect::OpenAction {
                    incident: r.action.incident_id,
                    action: r.action.id,
                })
                .into_iter()
                .collect(),
            Command::OwnerFilter => {
                let current = self.owner.clone().unwrap_or_default();
                let owners = known_owners(ctx.store).unwrap_or_default();
                vec![Effect::popup(CrossPopup::Form(Form::new(
                    "Whose actions?",
                    CrossForm::Owner,
                    vec![owner_field(&current, &owners)],
                )))]
            }
            Command::Filter => {
                let fields = status_fields(self.statuses, self.overdue_only).into();
                vec![Effect::popup(CrossPopup::Form(Form::new(
                    "Filter the actions",
                    CrossForm::Filter,
                    fields,
                )))]
            }
            _ => vec![Effect::Unavailable(action)],
        }
    }

    /// The owner form: who, resolved against the owners that exist.
    pub fn apply_owner<P>(&mut self, form: &Form<P>, ctx: &Ctx) -> Result<(), String> {
        let owners = known_owners(ctx.store).map_err(|e| e.to_string())?;
        let owner = resolve_owner(&form.value("Owner"), &owners, ctx.store.author())?;
        self.change(ctx, |c| c.owner = owner)
    }

    /// The filter form: which statuses, and overdue only.
    pub fn apply_filter<P>(&mut self, form: &Form<P>, ctx: &Ctx) -> Result<(), String> {
        let (status, overdue) = chosen_status(form, "open");
        self.change(ctx, |c| {
            c.statuses = status;
            c.overdue_only = overdue;
        })
    }

    fn change(&mut self, ctx: &Ctx, change: impl FnOnce(&mut CrossState)) -> Result<(), String> {
        change(self);
        self.cursor = ListCursor::default();
        self.reload(ctx.store, ctx.today()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_resolve_by_name_part_or_me() {
        let owners = vec!["Marco Rossi".to_string(), "Maria Lopez".into(), "Tomasz Nowak".into()];
        assert_eq!(resolve_owner("", &owners, "ana"), Ok(None));
        assert_eq!(resolve_owner("me", &owners, "ana"), Ok(Some("ana".into())));
        assert_eq!(resolve_owner("ANA", &owners, "ana"), Ok(Some("ana".into())));
        assert_eq!(resolve_owner("tomasz", &owners, "ana"), Ok(Some("Tomasz Nowak".into())));
        assert_eq!(
            resolve_owner("marco rossi", &owners, "ana"),
            Ok(Some("Marco Rossi".into()))
        );
        let err = resolve_owner("mar", &owners, "ana").unwrap_err();
        assert!(err.contains("Marco Rossi or Maria Lopez"), "{err}");
        let err = resolve_owner("zed", &owners, "ana").unwrap_err();
        assert!(err.contains("No action is owned by \"zed\""), "{err}");
    }

    #[test]
    fn columns_fill_the_width() {
        for w in [58usize, 78, 158] {
            let c = Columns::for_width(w);
            assert_eq!(
                MARKER + DUE + STATUS + KIND + c.owner + 1 + c.title + 1 + c.incident,
                w,
                "{w}"
            );
        }
    }
}
