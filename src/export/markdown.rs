//! The postmortem as a Markdown document, rendered from the lossless export [`Document`] so that
//! it needs no database: `debrief export ID --format md`.

pub mod escape;

pub use escape::{escape_block, escape_cell, escape_inline};

use crate::model::coverage::{self, Gap};
use crate::model::document::{DocAction, DocCause, DocEvent, Document};
use crate::model::durations::Milestones;
use crate::model::time::{format_seconds, format_span};
use crate::model::{ActionStatus, CauseCategory, CauseState, Milestone, capitalize};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;
use std::fmt::Write;

/// Renders the whole postmortem; `today` decides which actions are overdue. What is still
/// missing is the document's gap list ([`coverage::document_gaps`]), the one `check` prints.
pub fn render(doc: &Document, today: NaiveDate) -> String {
    let list = |each: &mut dyn FnMut(&DocEvent)| {
        let mut events: Vec<&DocEvent> = doc.events.iter().collect();
        events.sort_by_key(|e| (e.at, e.reference));
        for e in events {
            each(e);
        }
    };
    let mut out = String::new();
    let overview = Overview::of(doc.events.iter(), zone_of(doc));
    Renderer::new(doc, today, overview, &list, &|_| {}).write(&mut out);
    out
}

/// What the postmortem needs to know of all the events before it lists them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overview {
    any: bool,
    /// Whether the team marked key events (see [`Renderer::curated`]).
    curated: bool,
    first: Option<NaiveDate>,
    last: Option<NaiveDate>,
}

impl Overview {
    pub fn of<'e>(events: impl Iterator<Item = &'e DocEvent>, tz: Tz) -> Overview {
        let mut o = Overview::default();
        for e in events {
            o.add(e, tz);
        }
        o
    }

    pub fn add(&mut self, e: &DocEvent, tz: Tz) {
        let day = e.at.with_timezone(&tz).date_naive();
        self.any = true;
        self.curated |= e.key;
        self.first = Some(self.first.map_or(day, |d| d.min(day)));
        self.last = Some(self.last.map_or(day, |d| d.max(day)));
    }
}

/// The zone the postmortem shows times in: the incident's.
pub fn zone_of(doc: &Document) -> Tz {
    doc.incident.zone.parse().unwrap_or(chrono_tz::UTC)
}

/// The incident's events one at a time in time order, to the function given (every list of
/// the postmortem is one pass).
pub type EventList<'a> = &'a dyn Fn(&mut dyn FnMut(&DocEvent));

/// Renders the postmortem of `doc` whose events are listed by `list` (`doc.events` needs hold
/// only the milestones, the key events and the causes' evidence), handing the text to `flush`
/// a section at a time, and within a long list every 64 KiB: a postmortem of a million events
/// is written without holding it.
pub fn write_streamed(
    doc: &Document,
    today: NaiveDate,
    overview: Overview,
    list: EventList,
    flush: &dyn Fn(&mut String),
) {
    let mut out = String::new();
    Renderer::new(doc, today, overview, list, flush).write(&mut out);
    flush(&mut out);
}

struct Renderer<'a> {
    doc: &'a Document,
    today: NaiveDate,
    tz: Tz,
    milestones: Milestones,
    overview: Overview,
    /// Whether the timeline spans more than one local day, so lone times need their date.
    multi_day: bool,
    events_by_ref: HashMap<i64, &'a DocEvent>,
    /// Each action names its cause by ref: looked up here, not by a scan of every cause.
    causes_by_ref: HashMap<i64, &'a DocCause>,
    list: EventList<'a>,
    flush: &'a dyn Fn(&mut String),
}

impl<'a> Renderer<'a> {
    fn new(
        doc: &'a Document,
        today: NaiveDate,
        overview: Overview,
        list: EventList<'a>,
        flush: &'a dyn Fn(&mut String),
    ) -> Renderer<'a> {
        let tz = zone_of(doc);
        let milestones = Milestones::from_pairs(doc.events.iter().filter_map(|e| e.milestone.map(|m| (m, e.at))));
        Renderer {
            doc,
            today,
            tz,
            milestones,
            overview,
            multi_day: overview.first != overview.last,
            events_by_ref: doc.events.iter().map(|e| (e.reference, e)).collect(),
            causes_by_ref: doc.causes.iter().rev().map(|c| (c.reference, c)).collect(),
            list,
            flush,
        }
    }

    /// Every section in order, handed to `flush` one at a time.
    fn write(&self, out: &mut String) {
        let sections: [&dyn Fn(&mut String); 10] = [
            &|o| self.header(o),
            &|o| self.summary(o),
            &|o| self.durations(o),
            &|o| self.timeline(o),
            &|o| self.causes(o),
            &|o| self.narrative(o),
            &|o| self.actions(o),
            &|o| self.decisions(o),
            &|o| self.missing(o, &coverage::document_gaps(self.doc)),
            &|o| self.meeting(o),
        ];
        for section in sections {
            section(out);
            (self.flush)(out);
        }
        self.appendix(out);
        let _ = writeln!(out, "---\n\n*Written by debrief on {}.*", self.today);
    }

    fn full_time(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d %H:%M %Z").to_string()
    }

    /// A time on the timeline: with its date only when the incident spans several days.
    fn short_time(&self, t: DateTime<Utc>) -> String {
        let local = t.with_timezone(&self.tz);
        let clock = if local.format("%S").to_string() == "00" {
            "%H:%M"
        } else {
            "%H:%M:%S"
        };
        if self.multi_day {
            local.format(&format!("%Y-%m-%d {clock}")).to_string()
        } else {
            local.format(clock).to_string()
        }
    }

    fn header(&self, out: &mut String) {
        let inc = &self.doc.incident;
        let _ = writeln!(out, "# {}\n", escape_inline(&inc.title));
        let _ = writeln!(out, "- **Severity:** {}", inc.severity.label());
        let _ = writeln!(out, "- **Status:** {}", inc.status.label());
        let started = self.milestones.get(Milestone::ImpactStarted).or(inc.started_at);
        if let Some(t) = started {
            let _ = writeln!(out, "- **Impact started:** {}", self.full_time(t));
        }
        if let Some(t) = self.milestones.get(Milestone::Resolved) {
            let _ = writeln!(out, "- **Resolved:** {}", self.full_time(t));
        }
        let _ = writeln!(out, "- **Times shown in:** {}\n", escape_inline(self.tz.name()));
    }

    fn summary(&self, out: &mut String) {
        let inc = &self.doc.incident;
        section(out, "Summary", &inc.summary, "No summary written yet.");
        let impacts = &self.doc.narrative.impacts;
        if impacts.is_empty() || !inc.impact.trim().is_empty() {
            section(out, "Impact", &inc.impact, "No impact described yet.");
        } else {
            let _ = writeln!(out, "## Impact\n");
        }
        if !impacts.is_empty() {
            let _ = writeln!(out, "| Service | Affected | Duration |");
            let _ = writeln!(out, "|---|---|---|");
            for i in impacts {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    escape_cell(&i.service),
                    escape_cell(&i.affected),
                    escape_cell(&i.duration)
                );
            }
            out.push('\n');
        }
    }

    /// The label of the cause with this ref, for "(checklist: …)".
    fn cause_of(&self, r: Option<i64>) -> Option<String> {
        r.and_then(|r| self.causes_by_ref.get(&r)).map(|c| cause_label(c))
    }

    /// Contributing factors and the lessons: what went well, what went wrong, where we got lucky
    /// (each only when written).
    fn narrative(&self, out: &mut String) {
        let n = &self.doc.narrative;
        if !n.factors.is_empty() {
            let _ = writeln!(out, "## Contributing factors\n");
            for f in &n.factors {
                let cause = self
                    .cause_of(f.cause)
                    .map(|c| format!(" *({})*", escape_inline(&c)))
                    .unwrap_or_default();
                let _ = writeln!(out, "- {}{cause}", escape_block(&f.text, "  "));
            }
            out.push('\n');
        }
        for (title, text) in [
            ("What went well", &n.went_well),
            ("What went wrong", &n.went_wrong),
            ("Where we got lucky", &n.lucky),
        ] {
            if !text.trim().is_empty() {
                section(out, title, text, "");
            }
        }
    }

    /// The decisions, each with who decided and when.
    fn decisions(&self, out: &mut String) {
        let decisions = &self.doc.narrative.decisions;
        if decisions.is_empty() {
            return;
        }
        let _ = writeln!(out, "## Decisions\n");
        for d in decisions {
            let by = decided_by(d)
                .map(|by| format!(" — *{}*", escape_inline(&by)))
                .unwrap_or_default();
            let internal = if d.internal { " *(internal)*" } else { "" };
            let _ = writeln!(out, "- {}{by}{internal}", escape_block(&d.text, "  "));
        }
        out.push('\n');
    }

    fn durations(&self, out: &mut String) {
        let _ = writeln!(out, "## Durations\n");
        let _ = writeln!(out, "Counted from the start of impact.\n");
        let _ = writeln!(out, "| Measure | Duration | Reached at |");
        let _ = writeln!(out, "|---|--:|---|");
        let reached = [
            Milestone::Detected,
            Milestone::Acknowledged,
            Milestone::Mitigated,
            Milestone::Resolved,
        ];
        for ((short, long, value), m) in self.milestones.durations().rows().into_iter().zip(reached) {
            let value = value.map(format_span).unwrap_or_else(|| "—".into());
            let at = self
                .milestones
                .get(m)
                .map(|t| self.short_time(t))
                .unwrap_or_else(|| "—".into());
            let _ = writeln!(out, "| {} ({short}) | {value} | {at} |", capitalize(long));
        }
        out.push('\n');
        let warnings = self.milestones.out_of_order();
        for w in &warnings {
            let _ = writeln!(out, "> **Warning:** {}", escape_inline(w));
            let _ = writeln!(out, ">");
        }
        if !warnings.is_empty() {
            out.truncate(out.len() - 2);
            out.push('\n');
        }
    }

    /// Whether the team marked key events: then the Timeline holds those and the milestones,
    /// and the whole timeline goes to the appendix.
    fn curated(&self) -> bool {
        self.overview.curated
    }

    /// "## Timeline": the key events and milestones, or every event when none is marked key.
    fn timeline(&self, out: &mut String) {
        let _ = writeln!(out, "## Timeline\n");
        if !self.overview.any {
            let _ = writeln!(out, "*No events recorded.*\n");
            return;
        }
        let curated = self.curated();
        let what = if curated {
            "the key events and the **bold** milestones (every event is in the appendix at the end)"
        } else {
            "**bold** entries are milestones"
        };
        let _ = writeln!(out, "Times in {}; {what}.\n", escape_inline(self.tz.name()));
        self.events(out, &|e| !curated || e.key || e.milestone.is_some(), false);
    }

    /// "## Appendix: full timeline", when the Timeline left events out.
    fn appendix(&self, out: &mut String) {
        if !self.curated() {
            return;
        }
        let _ = writeln!(out, "## Appendix: full timeline\n");
        let _ = writeln!(
            out,
            "Times in {}; **bold** entries are milestones, ★ marks key events.\n",
            escape_inline(self.tz.name())
        );
        self.events(out, &|_| true, true);
    }

    /// The events as a list in time order, under a heading per day when they span several.
    fn events(&self, out: &mut String, keep: &dyn Fn(&DocEvent) -> bool, star: bool) {
        let mut day = None;
        (self.list)(&mut |e| {
            if !keep(e) {
                return;
            }
            let local = e.at.with_timezone(&self.tz);
            if self.multi_day && day != Some(local.date_naive()) {
                if day.is_some() {
                    out.push('\n');
                }
                day = Some(local.date_naive());
                let _ = writeln!(out, "### {}\n", local.format("%A %Y-%m-%d"));
            }
            let clock = {
                let t = self.short_time(e.at);
                if self.multi_day {
                    t.split_once(' ').map(|(_, c)| c.to_string()).unwrap_or(t)
                } else {
                    t
                }
            };
            let mut head = match e.milestone {
                Some(m) => format!("**{clock} · {}**", capitalize(m.label())),
                None => clock,
            };
            if star && e.key {
                head = format!("★ {head}");
            }
            let by = match (e.author.trim(), e.origin.as_deref()) {
                ("", None) => String::new(),
                (author, None) => format!(" *({})*", escape_inline(author)),
                ("", Some(origin)) => format!(" *(from {})*", escape_inline(origin)),
                (author, Some(origin)) => format!(" *({} · from {})*", escape_inline(author), escape_inline(origin)),
            };
            let times = crate::model::repeat_badge(e.count)
                .map(|t| format!(" · {t}"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- {head} · {}{times} · {}{by}",
                e.kind.label(),
                escape_block(&e.text, "  ")
            );
            if out.len() >= 64 * 1024 {
                (self.flush)(out);
            }
        });
        out.push('\n');
    }

    fn causes(&self, out: &mut String) {
        let _ = writeln!(out, "## Causes examined\n");
        if self.doc.causes.is_empty() {
            let _ = writeln!(out, "*No causes listed.*\n");
        } else {
            let _ = writeln!(out, "| Cause | State | Evidence |");
            let _ = writeln!(out, "|---|---|--:|");
            for c in &self.doc.causes {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    escape_cell(&cause_label(c)),
                    state_text(c.state),
                    c.evidence.len()
                );
            }
            out.push('\n');
            for c in &self.doc.causes {
                self.cause(out, c);
            }
        }
        let inc = &self.doc.incident;
        let _ = writeln!(out, "## Root cause and trigger\n");
        let n = &self.doc.narrative;
        for (label, text, cause) in [
            ("Root cause", &inc.root_cause, n.root_cause_cause),
            ("Trigger", &inc.trigger, n.trigger_cause),
        ] {
            let text = if text.trim().is_empty() {
                "*not yet agreed*".to_string()
            } else {
                escape_block(text, "")
            };
            let cause = self
                .cause_of(cause)
                .map(|c| format!(" *(checklist: {})*", escape_inline(&c)))
                .unwrap_or_default();
            let _ = writeln!(out, "**{label}:** {text}{cause}\n");
        }
    }

    fn cause(&self, out: &mut String, c: &DocCause) {
        let _ = writeln!(out, "### {} — {}\n", escape_inline(&cause_label(c)), c.state.label());
        if !c.notes.trim().is_empty() {
            let _ = writeln!(out, "{}\n", escape_block(&c.notes, ""));
        } else if c.state == CauseState::Unexamined {
            let _ = writeln!(out, "*Not examined yet.*\n");
        }
        let evidence: Vec<&DocEvent> = c
            .evidence
            .iter()
            .filter_map(|r| self.events_by_ref.get(r).copied())
            .collect();
        if !evidence.is_empty() {
            let _ = writeln!(out, "Evidence:\n");
            for e in evidence {
                let _ = writeln!(out, "- {} · {}", self.short_time(e.at), escape_block(&e.text, "  "));
            }
            out.push('\n');
        }
    }

    fn actions(&self, out: &mut String) {
        let _ = writeln!(out, "## Actions\n");
        let mut actions: Vec<&DocAction> = self.doc.actions.iter().collect();
        // The board's order: by priority (unset last), then due date (none last).
        actions.sort_by_key(|a| (if a.priority == 0 { 99 } else { a.priority }, a.due.is_none(), a.due));
        if actions.is_empty() {
            let _ = writeln!(out, "*No actions defined yet.*\n");
        } else {
            let count = |s| actions.iter().filter(|a| a.status == s).count();
            let overdue = actions.iter().filter(|a| is_overdue(a, self.today)).count();
            let _ = write!(
                out,
                "{} action{}: {} to do, {} in progress, {} done",
                actions.len(),
                if actions.len() == 1 { "" } else { "s" },
                count(ActionStatus::Todo),
                count(ActionStatus::Doing),
                count(ActionStatus::Done)
            );
            let not_doing = count(ActionStatus::NotDoing);
            if not_doing > 0 {
                let _ = write!(out, ", {not_doing} not doing");
            }
            if overdue > 0 {
                let _ = write!(out, "; **{overdue} overdue** on {}", self.today);
            }
            let _ = writeln!(out, ".\n");
            let _ = writeln!(
                out,
                "| Priority | Kind | Action | Cause | Owner | Role | Due | Status | Ticket |"
            );
            let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|");
            for a in actions {
                self.action_row(out, a);
            }
            out.push('\n');
        }
    }

    /// Everything the review still lacks, or that it lacks nothing.
    fn missing(&self, out: &mut String, gaps: &[Gap]) {
        let _ = writeln!(out, "## Still missing\n");
        if gaps.is_empty() {
            let _ = writeln!(out, "*Nothing: the review is complete.*\n");
            return;
        }
        for g in gaps {
            let _ = writeln!(out, "- {}", escape_inline(&g.to_string()));
        }
        out.push('\n');
    }

    fn action_row(&self, out: &mut String, a: &DocAction) {
        let priority = if a.priority == 0 {
            String::new()
        } else {
            format!("P{}", a.priority)
        };
        let mut title = format!("**{}**", escape_cell(&a.title));
        if !a.details.trim().is_empty() {
            let _ = write!(title, "<br>{}", escape_cell(&a.details));
        }
        let cause = a
            .cause
            .and_then(|r| self.causes_by_ref.get(&r).copied())
            .map(|c| escape_cell(&cause_label(c)))
            .unwrap_or_default();
        let owner = if a.owner.trim().is_empty() {
            "*no owner*".to_string()
        } else {
            escape_cell(&a.owner)
        };
        let role = a.owner_role.map(|r| r.label()).unwrap_or("");
        let due = match a.due {
            None => "*no date*".to_string(),
            Some(d) if is_overdue(a, self.today) => format!("**{d} overdue**"),
            Some(d) => d.to_string(),
        };
        let _ = writeln!(
            out,
            "| {priority} | {} | {title} | {cause} | {owner} | {role} | {due} | {} | {} |",
            a.kind.label(),
            status_cell(a),
            escape_cell(&a.ticket)
        );
    }

    /// `## Meetings`: the review meeting and its follow-ups, each with when it was held, who
    /// attended (if recorded), the time per step, its working agreement and its decisions; then
    /// the participants.
    fn meeting(&self, out: &mut String) {
        let _ = writeln!(out, "## Meetings\n");
        let meetings = self.doc.all_meetings();
        if meetings.is_empty() {
            let _ = writeln!(out, "*No meeting held yet.*\n");
        }
        for (number, _, m) in &meetings {
            self.one_meeting(out, *number, m);
        }
        let _ = writeln!(out, "### Participants\n");
        if self.doc.participants.is_empty() {
            let _ = writeln!(out, "*No participants recorded.*\n");
        } else {
            let _ = writeln!(out, "| Name | Role |");
            let _ = writeln!(out, "|---|---|");
            for p in &self.doc.participants {
                let _ = writeln!(out, "| {} | {} |", escape_cell(&p.name), p.role.label());
            }
            out.push('\n');
        }
    }

    fn one_meeting(&self, out: &mut String, number: i64, m: &crate::model::document::DocMeeting) {
        let _ = writeln!(out, "### {}\n", crate::model::meeting::title(number));
        match (m.started_at, m.ended_at) {
            (Some(s), Some(e)) => {
                let _ = writeln!(
                    out,
                    "Held {} to {} ({}).\n",
                    self.full_time(s),
                    e.with_timezone(&self.tz).format("%H:%M"),
                    format_span(e - s)
                );
            }
            (Some(s), None) => {
                let _ = writeln!(out, "Started {}; not ended yet.\n", self.full_time(s));
            }
            _ => {
                let _ = writeln!(out, "*Not held yet.*\n");
            }
        }
        let names = |names: &[String]| names.iter().map(|n| escape_inline(n)).collect::<Vec<_>>().join(", ");
        match &m.attended {
            Some(a) if a.is_empty() => {
                let _ = writeln!(out, "Attended: *nobody was marked present.*\n");
            }
            Some(a) => {
                let _ = writeln!(out, "Attended: {}.\n", names(a));
            }
            None if m.started_at.is_some() && m.ended_at.is_none() => {
                let present: Vec<String> = self
                    .doc
                    .participants
                    .iter()
                    .filter(|p| p.present)
                    .map(|p| p.name.clone())
                    .collect();
                if !present.is_empty() {
                    let _ = writeln!(out, "Present so far: {}.\n", names(&present));
                }
            }
            None => {}
        }
        if m.step_seconds.iter().any(|s| *s > 0) {
            let _ = writeln!(out, "| Agenda step | Time spent |");
            let _ = writeln!(out, "|---|--:|");
            for (step, secs) in crate::model::AgendaStep::ALL.iter().zip(m.step_seconds) {
                let _ = writeln!(out, "| {} | {} |", step.label(), format_seconds(secs));
            }
            out.push('\n');
        }
        if !m.agreement.trim().is_empty() {
            let _ = writeln!(out, "Working agreement:\n\n{}\n", escape_block(&m.agreement, ""));
        }
        let decisions: Vec<_> = self
            .doc
            .narrative
            .decisions
            .iter()
            .filter(|d| d.meeting == Some(number))
            .collect();
        if !decisions.is_empty() {
            let _ = writeln!(out, "Decisions taken:\n");
            for d in decisions {
                let _ = writeln!(out, "- {}", escape_block(&d.text, "  "));
            }
            out.push('\n');
        }
    }
}

fn section(out: &mut String, title: &str, text: &str, empty: &str) {
    let _ = writeln!(out, "## {title}\n\n{}\n", block_or(text, empty));
}

fn block_or(text: &str, empty: &str) -> String {
    let block = escape_block(text, "");
    if block.is_empty() { format!("*{empty}*") } else { block }
}

fn cause_label(c: &DocCause) -> String {
    CauseCategory::from_db(&c.category).label()
}

fn state_text(state: CauseState) -> String {
    match state {
        CauseState::Confirmed => "**confirmed**".into(),
        CauseState::AcceptedRisk => "**confirmed, risk accepted**".into(),
        other => other.label().into(),
    }
}

fn is_overdue(a: &DocAction, today: NaiveDate) -> bool {
    a.status.is_open() && a.due.is_some_and(|d| d < today)
}

/// The status column: "not doing" carries its reason.
fn status_cell(a: &DocAction) -> String {
    match a.status {
        ActionStatus::NotDoing => format!("not doing: {}", escape_cell(&a.reason)),
        s => s.label().to_string(),
    }
}

/// Who decided and when, the meeting named once: "Priya, in meeting 1" where the team wrote
/// "in the review" (a place, not a time), "Priya, 14:40, in meeting 1" where they wrote a time.
fn decided_by(d: &crate::model::narrative::Decision) -> Option<String> {
    let Some(n) = d.meeting else { return d.by() };
    let meeting = format!("in {}", crate::model::meeting::title(n).to_lowercase());
    let when = d.when.trim();
    let when = if when.is_empty() || when.starts_with("in ") {
        ""
    } else {
        when
    };
    let by: Vec<&str> = [d.who.trim(), when, &meeting]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    Some(by.join(", "))
}
