//! Domain types and pure logic: no I/O, no terminal.

pub mod coverage;
pub mod document;
pub mod durations;
pub mod follow;
pub mod meeting;
pub mod narrative;
pub mod redact;
pub mod sanitize;
pub mod time;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The one way an enum's values are named in debrief: each value with its stable name and the
/// label people read, written once. Gives `ALL` (in the order written), the two names under the
/// method names the caller chooses, and `named(name)` (the exact stable name back to the value).
/// The caller writes the derives. The model's own enums use it through [`named_enum!`]; the
/// key map's sections, the themes and the import formats directly.
macro_rules! name_table {
    ($(#[$m:meta])* $vis:vis enum $name:ident : $key_fn:ident, $label_fn:ident {
        $($(#[$vm:meta])* $variant:ident => $key:literal, $label:literal;)+
    }) => {
        $(#[$m])*
        $vis enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            /// Every value, in the order written.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable name (files, the database, JSON, the command line).
            pub fn $key_fn(self) -> &'static str { match self { $($name::$variant => $key),+ } }
            /// The name shown to people.
            #[allow(dead_code)]
            pub fn $label_fn(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            /// The value with this exact stable name.
            #[allow(dead_code)]
            pub fn named(name: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.$key_fn() == name)
            }
        }
    };
}
pub(crate) use name_table;

/// A small enum of the model whose values have one stable storage name and one human label
/// (see [`name_table!`]), shown by its label and parsed from either, in any case.
macro_rules! named_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $key:literal, $label:literal;)+ }) => {
        name_table! {
            $(#[$m])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
            #[serde(rename_all = "snake_case")]
            pub enum $name: key, label { $($variant => $key, $label;)+ }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.label()) }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                let wanted = normalize_name(s);
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| normalize_name(v.key()) == wanted || normalize_name(v.label()) == wanted)
                    .ok_or_else(|| UnknownName {
                        what: stringify!($name),
                        given: s.to_string(),
                        accepted: $name::ALL.iter().map(|v| v.key()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

fn normalize_name(s: &str) -> String {
    s.trim()
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A name that matches none of an enum's values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {} \"{given}\" (accepted: {accepted})", what_words(what))]
pub struct UnknownName {
    pub what: &'static str,
    pub given: String,
    pub accepted: String,
}

fn what_words(what: &str) -> String {
    let mut out = String::new();
    for (i, c) in what.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

named_enum!(
    /// How bad the outage was; SEV1 is the worst.
    Severity {
        Sev1 => "sev1", "SEV1";
        Sev2 => "sev2", "SEV2";
        Sev3 => "sev3", "SEV3";
        Sev4 => "sev4", "SEV4";
    }
);

impl Severity {
    pub fn from_number(n: u8) -> Option<Severity> {
        match n {
            1 => Some(Severity::Sev1),
            2 => Some(Severity::Sev2),
            3 => Some(Severity::Sev3),
            4 => Some(Severity::Sev4),
            _ => None,
        }
    }
    pub fn number(self) -> u8 {
        self as u8 + 1
    }
}

named_enum!(
    IncidentStatus {
        Open => "open", "open";
        Mitigated => "mitigated", "mitigated";
        Resolved => "resolved", "resolved";
        InReview => "in_review", "in review";
        Closed => "closed", "closed";
    }
);

named_enum!(
    EventKind {
        Alert => "alert", "alert";
        Deploy => "deploy", "deploy";
        Action => "action", "action";
        Communication => "communication", "communication";
        Observation => "observation", "observation";
        Note => "note", "note";
    }
);

named_enum!(
    /// The points of an incident from which the durations people ask for are measured.
    Milestone {
        ImpactStarted => "impact_started", "impact started";
        Detected => "detected", "detected";
        Acknowledged => "acknowledged", "acknowledged";
        Mitigated => "mitigated", "mitigated";
        Resolved => "resolved", "resolved";
    }
);

named_enum!(
    CauseState {
        Unexamined => "unexamined", "unexamined";
        Suspected => "suspected", "suspected";
        RuledOut => "ruled_out", "ruled out";
        Confirmed => "confirmed", "confirmed";
        AcceptedRisk => "accepted_risk", "accepted risk";
    }
);

impl CauseState {
    /// Found to be a cause: confirmed, or confirmed with its risk accepted.
    pub fn is_confirmed(self) -> bool {
        matches!(self, CauseState::Confirmed | CauseState::AcceptedRisk)
    }
}

named_enum!(
    /// The five places a root cause usually lives.
    StandardCause {
        ThirdParty => "third_party", "third-party system";
        SoftwareUpdate => "software_update", "software update";
        RareEdgeCase => "rare_edge_case", "rare edge case";
        Infrastructure => "infrastructure", "infrastructure";
        Overload => "overload", "overload";
    }
);

named_enum!(
    ActionKind {
        Fix => "fix", "fix";
        Monitoring => "monitoring", "monitoring";
        Process => "process", "process";
    }
);

named_enum!(
    ActionStatus {
        Todo => "todo", "todo";
        Doing => "doing", "doing";
        Done => "done", "done";
        NotDoing => "not_doing", "not doing";
    }
);

impl ActionStatus {
    /// Still to be done: todo or doing.
    pub fn is_open(self) -> bool {
        matches!(self, ActionStatus::Todo | ActionStatus::Doing)
    }
}

named_enum!(
    Role {
        Developer => "developer", "developer";
        Operator => "operator", "operator";
        Architect => "architect", "IT architect";
        ExternalProvider => "external_provider", "external provider";
        Facilitator => "facilitator", "facilitator";
        Other => "other", "other";
    }
);

named_enum!(
    /// The agenda of the first review meeting.
    AgendaStep {
        Document => "document", "Document the events";
        Agree => "agree", "Agree how to work";
        Delegate => "delegate", "Define and delegate tasks";
        WrapUp => "wrap_up", "Wrap-up";
    }
);

impl ActionStatus {
    pub fn next(self) -> Option<ActionStatus> {
        match self {
            ActionStatus::Todo => Some(ActionStatus::Doing),
            ActionStatus::Doing => Some(ActionStatus::Done),
            ActionStatus::Done | ActionStatus::NotDoing => None,
        }
    }
    pub fn previous(self) -> Option<ActionStatus> {
        match self {
            ActionStatus::Todo => None,
            ActionStatus::Doing => Some(ActionStatus::Todo),
            ActionStatus::Done => Some(ActionStatus::Doing),
            // Taken up again: back to the start.
            ActionStatus::NotDoing => Some(ActionStatus::Todo),
        }
    }
}

/// Where a timeline event came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "file", rename_all = "snake_case")]
pub enum Source {
    Typed,
    Logged,
    Imported(String),
}

impl Source {
    /// As stored; a file name (from an import, or a loaded document) cleaned to one line.
    pub fn to_db(&self) -> String {
        match self {
            Source::Typed => "typed".into(),
            Source::Logged => "logged".into(),
            Source::Imported(f) => format!("imported:{}", sanitize::clean_line(f)),
        }
    }
    /// As read back; cleaned again, for a database written before sources were cleaned.
    pub fn from_db(s: &str) -> Source {
        match s {
            "typed" => Source::Typed,
            "logged" => Source::Logged,
            other => Source::Imported(sanitize::clean_line(other.strip_prefix("imported:").unwrap_or(other))),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Typed => f.write_str("typed"),
            Source::Logged => f.write_str("logged from the shell"),
            Source::Imported(file) => write!(f, "imported from {file}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub severity: Severity,
    pub status: IncidentStatus,
    pub summary: String,
    pub impact: String,
    /// IANA zone name, e.g. `Europe/Berlin`.
    pub zone: String,
    pub root_cause: String,
    pub trigger: String,
    pub started_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl Incident {
    /// The incident's zone. The store's `incident` refuses an
    /// incident whose zone cannot be read, so only a row of a list may fall back to UTC here.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.zone_tz().unwrap_or(chrono_tz::UTC)
    }

    /// The incident's zone, or why it cannot be read.
    pub fn zone_tz(&self) -> Result<chrono_tz::Tz, time::TimeError> {
        time::parse_zone(&self.zone)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: i64,
    pub incident_id: i64,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub text: String,
    pub author: String,
    pub source: Source,
    pub milestone: Option<Milestone>,
    /// A key event of the story (`*`): the curated timeline and the postmortem's Timeline show it.
    pub key: bool,
    /// Where an imported line came from (its service, unit, logger or host, else the file),
    /// apart from who imported it (the author).
    pub origin: Option<String>,
    pub version: i64,
    /// Left out of exports for outsiders and hidden from observers.
    pub internal: bool,
    /// How many times an import saw this line (same instant, same text): 1, or the repeats
    /// it folded into this one event (shown `×80`).
    pub count: i64,
}

/// A cause's category: one of the five standard ones or a name the team chose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseCategory {
    Standard(StandardCause),
    Custom(String),
}

impl CauseCategory {
    pub fn label(&self) -> String {
        match self {
            CauseCategory::Standard(s) => capitalize(s.label()),
            CauseCategory::Custom(name) => name.clone(),
        }
    }
    pub fn to_db(&self) -> String {
        match self {
            CauseCategory::Standard(s) => s.key().to_string(),
            CauseCategory::Custom(name) => format!("custom:{name}"),
        }
    }
    pub fn from_db(s: &str) -> CauseCategory {
        match s.strip_prefix("custom:") {
            Some(name) => CauseCategory::Custom(name.to_string()),
            None => s
                .parse()
                .map(CauseCategory::Standard)
                .unwrap_or_else(|_| CauseCategory::Custom(s.to_string())),
        }
    }
}

pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cause {
    pub id: i64,
    pub incident_id: i64,
    pub category: CauseCategory,
    pub state: CauseState,
    pub notes: String,
    /// Ids of the timeline events that are this cause's evidence.
    pub evidence: Vec<i64>,
    /// Why its risk is accepted (state "accepted risk"); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub id: i64,
    pub incident_id: i64,
    pub title: String,
    pub details: String,
    pub kind: ActionKind,
    pub status: ActionStatus,
    pub owner: String,
    pub owner_role: Option<Role>,
    pub due: Option<NaiveDate>,
    pub cause_id: Option<i64>,
    pub ticket: String,
    /// 1 is the highest; 0 means not set.
    pub priority: u8,
    /// Why it is not being done (status "not doing"); empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
    pub version: i64,
}

impl Action {
    /// Open (todo or doing) and past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.is_open() && self.due.is_some_and(|d| d < today)
    }
    pub fn is_delegated(&self) -> bool {
        !self.owner.trim().is_empty() && self.due.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Participant {
    pub id: i64,
    pub incident_id: i64,
    pub name: String,
    pub role: Role,
    pub present: bool,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Meeting {
    pub id: i64,
    pub incident_id: i64,
    /// 1 for the first review meeting, 2, 3 … for the follow-ups.
    pub number: i64,
    pub step: AgendaStep,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds spent on each agenda step so far, in agenda order.
    pub step_seconds: [i64; 4],
    /// When the current step was entered (while the meeting runs).
    pub step_started_at: Option<DateTime<Utc>>,
    pub agreement: String,
    pub decisions: String,
    /// Who was present, recorded when the meeting ended (`None`: not recorded).
    pub attended: Option<Vec<String>>,
    pub version: i64,
}

/// A change recorded in the history table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub author: String,
    pub incident_id: Option<i64>,
    pub entity: String,
    pub entity_id: i64,
    pub op: String,
    pub detail: String,
}

impl Event {
    /// `×80` for an event an import saw 80 times (same instant, same text); none for one seen once.
    pub fn times(&self) -> Option<String> {
        repeat_badge(self.count)
    }
}

/// `×80` for a count above one: how the timeline, `show` and the exports mark a repeated line.
pub fn repeat_badge(count: i64) -> Option<String> {
    (count > 1).then(|| format!("×{count}"))
}

/// `1 event`, `2 events`: a count and its noun, for messages (the number as it is, so that
/// scripts reading it keep working; the console groups thousands, see `tui::view::plural`).
pub fn counted(n: usize, noun: &str) -> String {
    let ending = match n {
        1 => "",
        _ if noun.ends_with("ch") || noun.ends_with('s') || noun.ends_with('x') => "es",
        _ => "s",
    };
    format!("{n} {noun}{ending}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_by_key_or_label_in_any_case() {
        assert_eq!("Impact Started".parse::<Milestone>().unwrap(), Milestone::ImpactStarted);
        assert_eq!("impact_started".parse::<Milestone>().unwrap(), Milestone::ImpactStarted);
        assert_eq!("IT architect".parse::<Role>().unwrap(), Role::Architect);
        assert_eq!(
            "third-party".parse::<StandardCause>().unwrap(),
            StandardCause::ThirdParty
        );
        assert_eq!("third".parse::<StandardCause>().unwrap_err().what, "StandardCause");
        let err = "bogus".parse::<EventKind>().unwrap_err().to_string();
        assert!(err.contains("unknown event kind \"bogus\""), "{err}");
        assert!(err.contains("alert, deploy"), "{err}");
    }

    #[test]
    fn custom_cause_categories_round_trip_through_storage() {
        for c in [
            CauseCategory::Standard(StandardCause::Overload),
            CauseCategory::Custom("DNS".into()),
            CauseCategory::Custom("overload".into()),
        ] {
            assert_eq!(CauseCategory::from_db(&c.to_db()), c);
        }
    }

    #[test]
    fn counted_says_one_event_and_two_events() {
        assert_eq!(counted(1, "event"), "1 event");
        assert_eq!(counted(0, "event"), "0 events");
        assert_eq!(counted(100000, "event"), "100000 events");
        assert_eq!(counted(2, "match"), "2 matches");
    }

    #[test]
    fn overdue_and_delegated() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let mut a = Action {
            id: 1,
            incident_id: 1,
            title: "t".into(),
            details: String::new(),
            kind: ActionKind::Fix,
            status: ActionStatus::Todo,
            owner: String::new(),
            owner_role: None,
            due: NaiveDate::from_ymd_opt(2026, 11, 25),
            cause_id: None,
            ticket: String::new(),
            priority: 0,
            reason: String::new(),
            version: 1,
        };
        assert!(a.is_overdue(today));
        assert!(!a.is_delegated());
        a.owner = "Ana".into();
        assert!(a.is_delegated());
        a.status = ActionStatus::Done;
        assert!(!a.is_overdue(today));
        a.status = ActionStatus::NotDoing;
        assert!(!a.is_overdue(today), "a decision not to do it is not late");
    }
}
