//! The lossless JSON form of one incident: what `export --format json` writes and `load` reads.
//! Rows refer to each other by their position-based `ref` (1, 2, …), never by database ids, so an
//! export, a load into another database and a second export give the same document.

use super::{
    ActionKind, ActionStatus, AgendaStep, CauseState, EventKind, IncidentStatus, Milestone, Role, Severity, Source,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "debrief-incident";
pub const FORMAT_VERSION: u32 = 1;

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
    #[serde(default)]
    pub meeting: Option<DocMeeting>,
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
    pub step: AgendaStep,
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub step_seconds: [i64; 4],
    #[serde(default)]
    pub agreement: String,
    #[serde(default)]
    pub decisions: String,
}

impl Document {
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
        if let Some(m) = &mut self.meeting {
            for t in [&mut m.started_at, &mut m.ended_at].into_iter().flatten() {
                *t += by;
            }
        }
    }
}
