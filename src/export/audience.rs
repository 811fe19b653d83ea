//! Who an export is for. For outsiders (`--audience external`) the internal items (events and
//! decisions marked internal) are left out, and e-mail addresses, IP addresses and what looks
//! like a token or key are masked everywhere (`model::redact`); what was left out is counted so
//! that the user is told.

use crate::model::Action;
use crate::model::document::{DocEvent, Document};
use crate::model::redact::mask;
use std::collections::HashSet;

/// Who reads the export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Audience {
    /// The team: everything.
    #[default]
    Internal,
    /// Vendors and other teams: no internal items, identifying values masked.
    External,
}

impl Audience {
    pub const NAMES: [&'static str; 2] = ["internal", "external"];

    pub fn parse(s: &str) -> Result<Audience, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "internal" | "team" => Ok(Audience::Internal),
            "external" | "outside" => Ok(Audience::External),
            other => Err(format!("unknown audience \"{other}\" (accepted: internal, external)")),
        }
    }

    pub fn key(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// What an export for outsiders left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LeftOut {
    /// Internal events and decisions.
    pub items: usize,
    /// Masked values (e-mail addresses, IP addresses, tokens and keys).
    pub values: usize,
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        write!(
            f,
            "for an external audience: left out {} and masked {} (e-mail, IP, token)",
            plural(self.items, "internal item", "internal items"),
            plural(self.values, "value", "values")
        )
    }
}

fn masked(text: &mut String, left: &mut LeftOut) {
    let (out, n) = mask(text);
    if n > 0 {
        *text = out;
        left.values += n;
    }
}

/// The document as outsiders may read it.
pub fn external(doc: &mut Document) -> LeftOut {
    let internal: HashSet<i64> = doc.events.iter().filter(|e| e.internal).map(|e| e.reference).collect();
    let mut events = std::mem::take(&mut doc.events);
    let mut left = external_head(doc, &internal);
    events.retain_mut(|e| external_event(e, &mut left));
    doc.events = events;
    left
}

/// An event as outsiders may read it: `false` when it is left out (internal), else masked.
pub fn external_event(e: &mut DocEvent, left: &mut LeftOut) -> bool {
    if e.internal {
        left.items += 1;
        return false;
    }
    masked(&mut e.text, left);
    masked(&mut e.author, left);
    e.import_key = None;
    true
}

/// [`external`] for everything but the events (see [`external_event`]); `internal` holds the
/// refs of the internal events, which leave the causes' evidence.
pub fn external_head(doc: &mut Document, internal: &HashSet<i64>) -> LeftOut {
    let mut left = LeftOut::default();
    let decisions = doc.narrative.decisions.len();
    doc.narrative.decisions.retain(|d| !d.internal);
    left.items = decisions - doc.narrative.decisions.len();
    let m = &mut left;
    let inc = &mut doc.incident;
    for t in [
        &mut inc.title,
        &mut inc.summary,
        &mut inc.impact,
        &mut inc.root_cause,
        &mut inc.trigger,
    ] {
        masked(t, m);
    }
    for c in &mut doc.causes {
        c.evidence.retain(|r| !internal.contains(r));
        masked(&mut c.notes, m);
        masked(&mut c.reason, m);
    }
    for a in &mut doc.actions {
        for t in [&mut a.title, &mut a.details, &mut a.owner, &mut a.ticket, &mut a.reason] {
            masked(t, m);
        }
    }
    for p in &mut doc.participants {
        masked(&mut p.name, m);
    }
    for meeting in doc.meeting.iter_mut().chain(doc.meetings.iter_mut()) {
        masked(&mut meeting.agreement, m);
        masked(&mut meeting.decisions, m);
        for name in meeting.attended.iter_mut().flatten() {
            masked(name, m);
        }
    }
    let n = &mut doc.narrative;
    for t in [&mut n.went_well, &mut n.went_wrong, &mut n.lucky] {
        masked(t, m);
    }
    for i in &mut n.impacts {
        for t in [&mut i.service, &mut i.affected, &mut i.duration] {
            masked(t, m);
        }
    }
    for d in &mut n.decisions {
        for t in [&mut d.text, &mut d.who, &mut d.when] {
            masked(t, m);
        }
    }
    for f in &mut n.factors {
        masked(&mut f.text, m);
    }
    left
}

/// The actions (for the CSV) as outsiders may read them.
pub fn external_actions(actions: &mut [Action]) -> LeftOut {
    let mut left = LeftOut::default();
    for a in actions {
        for t in [&mut a.title, &mut a.details, &mut a.owner, &mut a.ticket, &mut a.reason] {
            masked(t, &mut left);
        }
    }
    left
}
