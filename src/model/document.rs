//! The lossless JSON form of one incident: what `export --format json` writes and `load` reads.
//! Rows refer to each other by their position-based `ref` (1, 2, …), never by database ids, so an
//! export, a load into another database and a second export give the same document.

use super::{
    ActionKind, ActionStatus, AgendaStep, CauseState, EventKind, IncidentStatus, Milestone, Role, Severity, Source,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "debrief-incident";
/// The version this debrief writes. `load` reads this one and every older one:
/// - 1: the first;
/// - 2: events carry their `import_key`, so that re-importing a file after `load` adds nothing;
/// - 3: the `narrative` (what went well or wrong, luck, impact per service, decisions with who
///   and when, contributing factors and the causes root cause and trigger belong to; the
///   meeting's one `decisions` paragraph of older documents loads as the first decision), and
///   events marked `internal` (and, written by later debriefs of the same version, events'
///   `key`, `origin` and `count`: absent means not key, no origin, seen once);
/// - 4: `meetings`, the review meeting and its follow-ups (numbered 1, 2, …, each with who
///   `attended`), in place of the one `meeting` (which loads as meeting 1); a decision names the
///   `meeting` it was taken in.
pub const FORMAT_VERSION: u32 = 4;

/// The de-duplication key of an imported event: `<unix ms>:<FNV-1a 64 of the text>`. It is the
/// same on every platform and Rust version, so it can be stored (and recomputed for documents of
/// version 1, which did not carry it).
pub fn import_key(at: DateTime<Utc>, text: &str) -> String {
    let (ms, hash) = import_key_parts(at, text);
    format!("{ms}:{hash:016x}")
}

/// The two numbers of [`import_key`]: unix milliseconds and the FNV-1a 64 of the text.
pub fn import_key_parts(at: DateTime<Utc>, text: &str) -> (i64, u64) {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (at.timestamp_millis(), hash)
}

/// The longest import key a document may carry (the keys debrief makes are about 30 characters).
pub const MAX_IMPORT_KEY: usize = 200;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub format: String,
    pub version: u32,
    pub incident: DocIncident,
    #[serde(default)]
    pub events: Vec<DocEvent>,
    #[serde(default)]
    pub causes: Vec<DocCause>,
    #[serde(default)]
    pub actions: Vec<DocAction>,
    #[serde(default)]
    pub participants: Vec<DocParticipant>,
    /// The one meeting of documents older than version 4 (loaded as meeting 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<DocMeeting>,
    /// The review meetings, meeting 1 first, then the follow-ups (since version 4).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meetings: Vec<DocMeeting>,
    /// The narrative sections; causes are named by their `ref` (since version 3).
    #[serde(default, skip_serializing_if = "super::narrative::Narrative::is_empty")]
    pub narrative: super::narrative::Narrative,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocIncident {
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub impact: String,
    pub zone: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocEvent {
    #[serde(rename = "ref")]
    pub reference: i64,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub text: String,
    #[serde(default)]
    pub author: String,
    #[serde(default = "typed")]
    pub source: Source,
    #[serde(default)]
    pub milestone: Option<Milestone>,
    /// How an import recognises the event when the same file is imported again (imported
    /// events only; since version 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub import_key: Option<String>,
    /// Left out for outsiders (since version 3).
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    /// A key event of the story (`*`); absent means not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub key: bool,
    /// Where an imported line came from (its service, unit, logger or host, else the file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// How many times an import saw the line (same instant, same text); absent means once.
    #[serde(default = "once", skip_serializing_if = "is_once")]
    pub count: i64,
}

fn once() -> i64 {
    1
}

fn is_once(n: &i64) -> bool {
    *n == 1
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn typed() -> Source {
    Source::Typed
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocCause {
    #[serde(rename = "ref")]
    pub reference: i64,
    /// A standard key (`third_party`, `software_update`, `rare_edge_case`, `infrastructure`,
    /// `overload`) or `custom:NAME`.
    pub category: String,
    pub state: CauseState,
    #[serde(default)]
    pub notes: String,
    /// Refs of the events that are evidence.
    #[serde(default)]
    pub evidence: Vec<i64>,
    /// Why its risk is accepted (state "accepted_risk").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocAction {
    pub title: String,
    #[serde(default)]
    pub details: String,
    pub kind: ActionKind,
    pub status: ActionStatus,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub owner_role: Option<Role>,
    #[serde(default)]
    pub due: Option<NaiveDate>,
    /// Ref of the cause it addresses.
    #[serde(default)]
    pub cause: Option<i64>,
    #[serde(default)]
    pub ticket: String,
    #[serde(default)]
    pub priority: u8,
    /// Why it is not being done (status "not doing").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocParticipant {
    pub name: String,
    pub role: Role,
    #[serde(default)]
    pub present: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocMeeting {
    /// 1, 2, … in order (since version 4; absent in the one `meeting` of older documents).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    pub step: AgendaStep,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub step_seconds: [i64; 4],
    #[serde(default)]
    pub agreement: String,
    /// The meeting's decisions as one paragraph (documents older than version 3; loaded as the
    /// narrative's first decision).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub decisions: String,
    /// Who was present, as recorded when the meeting ended (since version 4; absent: not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attended: Option<Vec<String>>,
}

/// The most seconds a meeting step may hold: a year (what is loaded is checked against it).
pub const MAX_STEP_SECONDS: i64 = 366 * 24 * 3600;

use super::time::STORED_YEARS as YEARS;

impl Document {
    /// Checks every field against the ranges debrief stores and computes with, before anything
    /// is written. The error names the field by its JSON path: `meeting.step_seconds[0]: …`.
    pub fn validate(&self) -> Result<(), String> {
        let time = |path: String, t: DateTime<Utc>| -> Result<(), String> {
            if YEARS.contains(&t.year()) {
                Ok(())
            } else {
                Err(format!(
                    "{path}: {} is out of range (years {} to {})",
                    t.to_rfc3339(),
                    YEARS.start(),
                    YEARS.end()
                ))
            }
        };
        if let Some(t) = self.incident.started_at {
            time("incident.started_at".into(), t)?;
        }
        let mut keys: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for (i, e) in self.events.iter().enumerate() {
            time(format!("events[{i}].at"), e.at)?;
            if let Some(key) = &e.import_key {
                if key.is_empty() || key.len() > MAX_IMPORT_KEY || super::sanitize::clean_line(key) != *key {
                    return Err(format!(
                        "events[{i}].import_key: not a key (1 to {MAX_IMPORT_KEY} characters of one clean line)"
                    ));
                }
                if let Some(first) = keys.insert(key, i) {
                    return Err(format!(
                        "events[{first}] and events[{i}] have the same import_key \"{key}\""
                    ));
                }
            }
        }
        for (i, a) in self.actions.iter().enumerate() {
            if let Some(due) = a.due
                && !YEARS.contains(&due.year())
            {
                return Err(format!(
                    "actions[{i}].due: {due} is out of range (years {} to {})",
                    YEARS.start(),
                    YEARS.end()
                ));
            }
        }
        self.validate_meetings(&time)?;
        // Names are stored cleaned, and a name is one participant: two names that clean to the
        // same text would silently become one.
        let mut names: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for (i, p) in self.participants.iter().enumerate() {
            let name = super::sanitize::clean_line(&p.name);
            if name.is_empty() {
                return Err(format!("participants[{i}].name is empty"));
            }
            if let Some(first) = names.insert(name.clone(), i) {
                return Err(format!(
                    "participants[{first}] and participants[{i}] are both named \"{name}\" once cleaned; \
                     rename one of them"
                ));
            }
        }
        Ok(())
    }

    /// The meetings with their numbers and the JSON path they are named by: `meetings`, or the
    /// one `meeting` of an older document as meeting 1.
    pub fn all_meetings(&self) -> Vec<(i64, String, &DocMeeting)> {
        match &self.meeting {
            Some(m) if self.meetings.is_empty() => vec![(1, "meeting".to_string(), m)],
            _ => self
                .meetings
                .iter()
                .enumerate()
                .map(|(i, m)| (i as i64 + 1, format!("meetings[{i}]"), m))
                .collect(),
        }
    }

    fn validate_meetings(&self, time: &dyn Fn(String, DateTime<Utc>) -> Result<(), String>) -> Result<(), String> {
        if self.meeting.is_some() && !self.meetings.is_empty() {
            return Err("meeting and meetings: a document holds one or the other (meetings since version 4)".into());
        }
        let all = self.all_meetings();
        if all.len() as i64 > super::narrative::MAX_MEETINGS {
            return Err(format!(
                "meetings: {} meetings, at most {} a review",
                all.len(),
                super::narrative::MAX_MEETINGS
            ));
        }
        for (k, (number, path, m)) in all.iter().enumerate() {
            if let Some(given) = m.number
                && given != *number
            {
                return Err(format!(
                    "{path}.number: {given}, expected {number} (meetings are numbered 1, 2, … in order)"
                ));
            }
            if let Some(t) = m.started_at {
                time(format!("{path}.started_at"), t)?;
            }
            if let Some(t) = m.ended_at {
                time(format!("{path}.ended_at"), t)?;
            }
            if k + 1 < all.len() && (m.started_at.is_none() || m.ended_at.is_none()) {
                return Err(format!(
                    "{path}: meeting {number} has not ended, but a follow-up comes after it (only the last may be open)"
                ));
            }
            for (i, secs) in m.step_seconds.iter().enumerate() {
                if !(0..=MAX_STEP_SECONDS).contains(secs) {
                    return Err(format!(
                        "{path}.step_seconds[{i}]: {secs} is out of range (0..={MAX_STEP_SECONDS})"
                    ));
                }
            }
        }
        for (i, d) in self.narrative.decisions.iter().enumerate() {
            if let Some(n) = d.meeting
                && !(1..=all.len() as i64).contains(&n)
            {
                return Err(format!(
                    "narrative.decisions[{i}].meeting: {n}, but the document holds {} meeting(s)",
                    all.len()
                ));
            }
        }
        Ok(())
    }

    /// Moves every instant and date by `by` (the demo incident is always "yesterday").
    pub fn shift(&mut self, by: chrono::Duration) {
        let days = chrono::Duration::days(by.num_days());
        if let Some(t) = &mut self.incident.started_at {
            *t += by;
        }
        for e in &mut self.events {
            e.at += by;
        }
        for a in &mut self.actions {
            if let Some(d) = &mut a.due {
                *d += days;
            }
        }
        for m in self.meeting.iter_mut().chain(self.meetings.iter_mut()) {
            for t in [&mut m.started_at, &mut m.ended_at].into_iter().flatten() {
                *t += by;
            }
        }
    }
}
