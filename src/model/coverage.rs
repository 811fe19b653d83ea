//! What a review still lacks: the one list that `check`, `show` (text and JSON), the review's
//! header, the meeting's wrap-up and the Markdown postmortem all show, in one stable order.
//!
//! Narrative sections (summary, impact, trigger, decisions) are not gaps: a review can be
//! complete without them.

use super::document::Document;
use super::durations::Milestones;
use super::{Action, ActionKind, ActionStatus, Cause, CauseCategory, CauseState, Milestone};
use serde::Serialize;
use std::collections::HashSet;

/// One thing the review still lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Gap {
    /// A milestone not marked on the timeline.
    MissingMilestone { milestone: Milestone },
    /// A cause nobody looked at.
    #[serde(rename = "unexamined_cause")]
    Unexamined { cause: String },
    /// A suspected cause, neither confirmed nor ruled out.
    #[serde(rename = "undecided_cause")]
    Undecided { cause: String },
    /// No root-cause statement.
    NoRootCause,
    /// A confirmed cause with no fix action linked to it (of any status).
    NoFix { cause: String },
    /// A confirmed cause with no monitoring action linked to it (of any status).
    NoMonitoring { cause: String },
    /// An open action (to do or doing) without an owner.
    NoOwner { action: String },
    /// An open action (to do or doing) without a due date.
    NoDueDate { action: String },
}

/// The kinds of gap, in the order the list gives them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GapKind {
    MissingMilestone,
    Unexamined,
    Undecided,
    NoRootCause,
    NoFix,
    NoMonitoring,
    NoOwner,
    NoDueDate,
}

impl GapKind {
    pub const ALL: [GapKind; 8] = [
        GapKind::MissingMilestone,
        GapKind::Unexamined,
        GapKind::Undecided,
        GapKind::NoRootCause,
        GapKind::NoFix,
        GapKind::NoMonitoring,
        GapKind::NoOwner,
        GapKind::NoDueDate,
    ];

    /// The name in `show --json`'s `missing` (its `kind` field).
    pub fn key(self) -> &'static str {
        match self {
            GapKind::MissingMilestone => "missing_milestone",
            GapKind::Unexamined => "unexamined_cause",
            GapKind::Undecided => "undecided_cause",
            GapKind::NoRootCause => "no_root_cause",
            GapKind::NoFix => "no_fix",
            GapKind::NoMonitoring => "no_monitoring",
            GapKind::NoOwner => "no_owner",
            GapKind::NoDueDate => "no_due_date",
        }
    }

    /// Whether the action board warns about this kind (it is about actions).
    pub fn is_about_actions(self) -> bool {
        matches!(
            self,
            GapKind::NoFix | GapKind::NoMonitoring | GapKind::NoOwner | GapKind::NoDueDate
        )
    }
}

impl Gap {
    pub fn kind(&self) -> GapKind {
        match self {
            Gap::MissingMilestone { .. } => GapKind::MissingMilestone,
            Gap::Unexamined { .. } => GapKind::Unexamined,
            Gap::Undecided { .. } => GapKind::Undecided,
            Gap::NoRootCause => GapKind::NoRootCause,
            Gap::NoFix { .. } => GapKind::NoFix,
            Gap::NoMonitoring { .. } => GapKind::NoMonitoring,
            Gap::NoOwner { .. } => GapKind::NoOwner,
            Gap::NoDueDate { .. } => GapKind::NoDueDate,
        }
    }
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Gap::MissingMilestone { milestone } => {
                write!(
                    f,
                    "{} is not marked on the timeline",
                    super::capitalize(milestone.label())
                )
            }
            Gap::Unexamined { cause } => write!(f, "{cause} is not examined yet"),
            Gap::Undecided { cause } => write!(f, "{cause} is suspected but neither confirmed nor ruled out"),
            Gap::NoRootCause => f.write_str("No root cause is written down"),
            Gap::NoFix { cause } => write!(f, "{cause} is confirmed but has no fix action"),
            Gap::NoMonitoring { cause } => write!(f, "{cause} is confirmed but has no monitoring action"),
            Gap::NoOwner { action } => write!(f, "Open action “{action}” has no owner"),
            Gap::NoDueDate { action } => write!(f, "Open action “{action}” has no due date"),
        }
    }
}

/// What the gap list is computed from: a stored incident's rows or a document's.
#[derive(Debug, Clone, Copy)]
pub struct Review<'a> {
    /// In checklist order.
    pub causes: &'a [Cause],
    /// In any order: the list names them in the order they were created (by id).
    pub actions: &'a [Action],
    pub milestones: &'a Milestones,
    pub root_cause: &'a str,
}

/// Everything the review still lacks, in a stable order: by kind ([`GapKind::ALL`]), and
/// within a kind milestones in milestone order, causes in checklist order, actions by id
/// (the order they were created in).
///
/// Linear in causes plus actions (and a sort of the actions): the kinds of action each cause
/// has are gathered once.
pub fn gaps(review: &Review) -> Vec<Gap> {
    let mut out: Vec<Gap> = Milestone::ALL
        .iter()
        .filter(|m| review.milestones.get(**m).is_none())
        .map(|m| Gap::MissingMilestone { milestone: *m })
        .collect();
    let of_state = |state: CauseState| review.causes.iter().filter(move |c| c.state == state);
    out.extend(of_state(CauseState::Unexamined).map(|c| Gap::Unexamined {
        cause: c.category.label(),
    }));
    out.extend(of_state(CauseState::Suspected).map(|c| Gap::Undecided {
        cause: c.category.label(),
    }));
    if review.root_cause.trim().is_empty() {
        out.push(Gap::NoRootCause);
    }
    let mut linked: HashSet<(i64, ActionKind)> = HashSet::new();
    // An action decided against ("not doing") does not cover its cause.
    for a in review.actions.iter().filter(|a| a.status != ActionStatus::NotDoing) {
        if let Some(cause) = a.cause_id {
            linked.insert((cause, a.kind));
        }
    }
    let linked = &linked;
    // Only a confirmed cause: one whose risk is accepted (with a reason) needs no fix or monitoring.
    let lacking = |kind| {
        of_state(CauseState::Confirmed)
            .filter(move |c| !linked.contains(&(c.id, kind)))
            .map(|c| c.category.label())
    };
    out.extend(lacking(ActionKind::Fix).map(|cause| Gap::NoFix { cause }));
    out.extend(lacking(ActionKind::Monitoring).map(|cause| Gap::NoMonitoring { cause }));
    let mut open: Vec<&Action> = review.actions.iter().filter(|a| a.status.is_open()).collect();
    open.sort_by_key(|a| a.id);
    out.extend(open.iter().filter(|a| a.owner.trim().is_empty()).map(|a| Gap::NoOwner {
        action: a.title.clone(),
    }));
    out.extend(open.iter().filter(|a| a.due.is_none()).map(|a| Gap::NoDueDate {
        action: a.title.clone(),
    }));
    out
}

/// The gaps of a document, exactly as [`gaps`] finds them for the incident it was exported
/// from (document refs stand in for database ids; actions are listed by id).
pub fn document_gaps(doc: &Document) -> Vec<Gap> {
    let causes: Vec<Cause> = doc
        .causes
        .iter()
        .map(|c| Cause {
            id: c.reference,
            incident_id: 0,
            category: CauseCategory::from_db(&c.category),
            state: c.state,
            notes: String::new(),
            evidence: Vec::new(),
            reason: c.reason.clone(),
            version: 0,
        })
        .collect();
    let actions: Vec<Action> = doc
        .actions
        .iter()
        .enumerate()
        .map(|(i, a)| Action {
            id: i as i64 + 1,
            incident_id: 0,
            title: a.title.clone(),
            details: String::new(),
            kind: a.kind,
            status: a.status,
            owner: a.owner.clone(),
            owner_role: a.owner_role,
            due: a.due,
            cause_id: a.cause,
            ticket: String::new(),
            priority: a.priority,
            reason: a.reason.clone(),
            version: 0,
        })
        .collect();
    let milestones = Milestones::from_pairs(doc.events.iter().filter_map(|e| e.milestone.map(|m| (m, e.at))));
    gaps(&Review {
        causes: &causes,
        actions: &actions,
        milestones: &milestones,
        root_cause: &doc.incident.root_cause,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StandardCause, capitalize};
    use chrono::{DateTime, NaiveDate, Utc};

    fn cause(id: i64, state: CauseState) -> Cause {
        Cause {
            id,
            incident_id: 1,
            category: CauseCategory::Standard(StandardCause::Overload),
            state,
            notes: String::new(),
            evidence: vec![],
            reason: String::new(),
            version: 1,
        }
    }

    fn action(kind: ActionKind, cause: Option<i64>, owner: &str, due: bool) -> Action {
        Action {
            id: 1,
            incident_id: 1,
            title: "x".into(),
            details: String::new(),
            kind,
            status: ActionStatus::Todo,
            owner: owner.into(),
            owner_role: None,
            due: due.then(|| NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            cause_id: cause,
            ticket: String::new(),
            priority: 0,
            reason: String::new(),
            version: 1,
        }
    }

    fn all_milestones() -> Milestones {
        let t = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).unwrap();
        Milestones::from_pairs(Milestone::ALL.iter().map(|m| (*m, t)))
    }

    fn texts(causes: &[Cause], actions: &[Action]) -> Vec<String> {
        gaps(&Review {
            causes,
            actions,
            milestones: &all_milestones(),
            root_cause: "a root cause",
        })
        .iter()
        .map(|g| g.to_string())
        .collect()
    }

    fn with_status(mut a: Action, status: ActionStatus) -> Action {
        a.status = status;
        a
    }

    /// Follow-through: "not doing" covers no cause, a done fix does; only open actions need an
    /// owner and a date; a cause whose risk is accepted needs neither fix nor monitoring.
    #[test]
    fn not_doing_done_and_accepted_risk() {
        let fix = action(ActionKind::Fix, Some(7), "Ana", true);
        let mon = action(ActionKind::Monitoring, Some(7), "Ben", true);
        let confirmed = [cause(7, CauseState::Confirmed)];
        type Case<'a> = (&'a str, Vec<Cause>, Vec<Action>, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            (
                "a fix not being done does not cover its cause",
                confirmed.to_vec(),
                vec![with_status(fix.clone(), ActionStatus::NotDoing), mon.clone()],
                vec!["Overload is confirmed but has no fix action"],
            ),
            (
                "a done fix covers it",
                confirmed.to_vec(),
                vec![with_status(fix.clone(), ActionStatus::Done), mon.clone()],
                vec![],
            ),
            (
                "only open actions need an owner and a date",
                vec![],
                vec![
                    with_status(action(ActionKind::Fix, None, "", false), ActionStatus::NotDoing),
                    with_status(action(ActionKind::Fix, None, "", false), ActionStatus::Done),
                ],
                vec![],
            ),
            (
                "an accepted risk needs no fix or monitoring",
                vec![cause(7, CauseState::AcceptedRisk)],
                vec![with_status(fix.clone(), ActionStatus::NotDoing)],
                vec![],
            ),
        ];
        for (name, causes, actions, want) in cases {
            assert_eq!(texts(&causes, &actions), want, "case {name}");
        }
    }

    #[test]
    fn table_of_coverage_rules() {
        let fix = action(ActionKind::Fix, Some(7), "Ana", true);
        let mon = action(ActionKind::Monitoring, Some(7), "Ben", true);
        let done_mon = Action {
            status: ActionStatus::Done,
            ..mon.clone()
        };
        let unrelated_fix = action(ActionKind::Fix, Some(8), "Ana", true);
        let confirmed = [cause(7, CauseState::Confirmed)];
        type Case<'a> = (&'a str, Vec<Cause>, Vec<Action>, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            ("both", confirmed.to_vec(), vec![fix.clone(), mon.clone()], vec![]),
            (
                "a done action counts",
                confirmed.to_vec(),
                vec![fix.clone(), done_mon],
                vec![],
            ),
            (
                "fix only",
                confirmed.to_vec(),
                vec![fix.clone()],
                vec!["Overload is confirmed but has no monitoring action"],
            ),
            (
                "none",
                confirmed.to_vec(),
                vec![unrelated_fix.clone()],
                vec![
                    "Overload is confirmed but has no fix action",
                    "Overload is confirmed but has no monitoring action",
                ],
            ),
            (
                "suspected is undecided",
                vec![cause(7, CauseState::Suspected)],
                vec![],
                vec!["Overload is suspected but neither confirmed nor ruled out"],
            ),
            (
                "ruled out is a result",
                vec![cause(7, CauseState::RuledOut)],
                vec![],
                vec![],
            ),
            (
                "unexamined",
                vec![cause(7, CauseState::Unexamined)],
                vec![],
                vec!["Overload is not examined yet"],
            ),
            (
                "open actions not delegated, by id",
                vec![],
                vec![
                    Action {
                        id: 3,
                        title: "c".into(),
                        ..action(ActionKind::Process, None, "Cy", false)
                    },
                    Action {
                        id: 2,
                        title: "b".into(),
                        ..action(ActionKind::Process, None, " ", false)
                    },
                    Action {
                        id: 4,
                        status: ActionStatus::Done,
                        ..action(ActionKind::Process, None, "", false)
                    },
                ],
                vec![
                    "Open action “b” has no owner",
                    "Open action “b” has no due date",
                    "Open action “c” has no due date",
                ],
            ),
        ];
        for (name, causes, actions, want) in cases {
            assert_eq!(texts(&causes, &actions), want, "case {name}");
        }
    }

    /// A brand-new incident (five unexamined causes, no milestones, no root cause, no
    /// actions) is not complete.
    #[test]
    fn a_new_review_lacks_milestones_causes_and_a_root_cause() {
        let causes: Vec<Cause> = StandardCause::ALL
            .iter()
            .enumerate()
            .map(|(i, s)| Cause {
                category: CauseCategory::Standard(*s),
                ..cause(i as i64 + 1, CauseState::Unexamined)
            })
            .collect();
        let got = gaps(&Review {
            causes: &causes,
            actions: &[],
            milestones: &Milestones::default(),
            root_cause: " ",
        });
        let want: Vec<Gap> = Milestone::ALL
            .iter()
            .map(|m| Gap::MissingMilestone { milestone: *m })
            .chain(StandardCause::ALL.iter().map(|s| Gap::Unexamined {
                cause: capitalize(s.label()),
            }))
            .chain([Gap::NoRootCause])
            .collect();
        assert_eq!(got, want);
        let kinds: Vec<GapKind> = got.iter().map(Gap::kind).collect();
        assert!(kinds.is_sorted(), "{kinds:?}");
    }

    #[test]
    fn json_names_the_kind_and_its_subject() {
        let json = |g: &Gap| serde_json::to_string(g).unwrap();
        assert_eq!(
            json(&Gap::MissingMilestone {
                milestone: Milestone::ImpactStarted
            }),
            r#"{"kind":"missing_milestone","milestone":"impact_started"}"#
        );
        assert_eq!(json(&Gap::NoRootCause), r#"{"kind":"no_root_cause"}"#);
        for (gap, kind) in [
            (Gap::Unexamined { cause: "X".into() }, GapKind::Unexamined),
            (Gap::Undecided { cause: "X".into() }, GapKind::Undecided),
            (Gap::NoFix { cause: "X".into() }, GapKind::NoFix),
            (Gap::NoMonitoring { cause: "X".into() }, GapKind::NoMonitoring),
            (Gap::NoOwner { action: "X".into() }, GapKind::NoOwner),
            (Gap::NoDueDate { action: "X".into() }, GapKind::NoDueDate),
        ] {
            assert_eq!(gap.kind(), kind);
            assert!(
                json(&gap).starts_with(&format!(r#"{{"kind":"{}","#, kind.key())),
                "{}",
                json(&gap)
            );
        }
    }

    /// 100k confirmed causes and 50k actions (the shape that took 40 s in `check`): every cause
    /// is checked against the actions linked to it, and no other. Timing lives in benches/scale.rs.
    #[test]
    fn a_large_review_gets_exactly_its_gaps() {
        let causes: Vec<Cause> = (1..=100_000)
            .map(|id| Cause {
                category: CauseCategory::Custom(format!("c{id}")),
                ..cause(id, CauseState::Confirmed)
            })
            .collect();
        // Fixes for causes 1..=25_000, monitoring for 12_501..=37_500: 50k actions.
        let actions: Vec<Action> = (1..=25_000)
            .map(|i| action(ActionKind::Fix, Some(i), "Ana", true))
            .chain((12_501..=37_500).map(|i| action(ActionKind::Monitoring, Some(i), "Ana", true)))
            .collect();
        let got = gaps(&Review {
            causes: &causes,
            actions: &actions,
            milestones: &all_milestones(),
            root_cause: "x",
        });
        let names =
            |want: fn(&Gap) -> Option<&String>| -> Vec<String> { got.iter().filter_map(want).cloned().collect() };
        let no_fix = names(|g| match g {
            Gap::NoFix { cause } => Some(cause),
            _ => None,
        });
        let no_monitoring = names(|g| match g {
            Gap::NoMonitoring { cause } => Some(cause),
            _ => None,
        });
        let label = |id: i64| format!("c{id}");
        assert_eq!(no_fix, (25_001..=100_000).map(label).collect::<Vec<_>>());
        let want_monitoring: Vec<String> = (1..=12_500).chain(37_501..=100_000).map(label).collect();
        assert_eq!(no_monitoring, want_monitoring);
        assert_eq!(got.len(), 75_000 + 75_000);
    }
}
