//! What a review still lacks: confirmed causes without a fix or monitoring, actions not delegated.

use super::{Action, ActionKind, ActionStatus, Cause, CauseState};
use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    NoFix { cause: String },
    NoMonitoring { cause: String },
    NoOwner { count: usize },
    NoDueDate { count: usize },
}

impl std::fmt::Display for Gap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let actions = |n: &usize| {
            if *n == 1 {
                "1 action has".to_string()
            } else {
                format!("{n} actions have")
            }
        };
        match self {
            Gap::NoFix { cause } => write!(f, "{cause} is confirmed but has no fix action"),
            Gap::NoMonitoring { cause } => {
                write!(f, "{cause} is confirmed but has no monitoring action")
            }
            Gap::NoOwner { count } => write!(f, "{} no owner", actions(count)),
            Gap::NoDueDate { count } => write!(f, "{} no due date", actions(count)),
        }
    }
}

/// Every confirmed cause needs a fix and a monitoring action linked to it; every action needs an
/// owner and a due date.
///
/// Linear in causes plus actions: the kinds of action each cause has are gathered once.
pub fn gaps(causes: &[Cause], actions: &[Action]) -> Vec<Gap> {
    let mut linked: HashSet<(i64, ActionKind)> = HashSet::new();
    // An action decided against ("not doing") does not cover its cause.
    for a in actions.iter().filter(|a| a.status != ActionStatus::NotDoing) {
        if let Some(cause) = a.cause_id {
            linked.insert((cause, a.kind));
        }
    }
    let mut out = Vec::new();
    // A cause whose risk is accepted (with a reason) needs no fix or monitoring.
    for cause in causes.iter().filter(|c| c.state == CauseState::Confirmed) {
        let has = |kind| linked.contains(&(cause.id, kind));
        if !has(ActionKind::Fix) {
            out.push(Gap::NoFix {
                cause: cause.category.label(),
            });
        }
        if !has(ActionKind::Monitoring) {
            out.push(Gap::NoMonitoring {
                cause: cause.category.label(),
            });
        }
    }
    // Only what is still to be done needs an owner and a date.
    let open = || actions.iter().filter(|a| a.status.is_open());
    let no_owner = open().filter(|a| a.owner.trim().is_empty()).count();
    if no_owner > 0 {
        out.push(Gap::NoOwner { count: no_owner });
    }
    let no_due = open().filter(|a| a.due.is_none()).count();
    if no_due > 0 {
        out.push(Gap::NoDueDate { count: no_due });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CauseCategory, StandardCause};
    use chrono::NaiveDate;

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

    fn with_status(mut a: Action, status: ActionStatus) -> Action {
        a.status = status;
        a
    }

    #[test]
    fn table_of_coverage_rules() {
        let fix = action(ActionKind::Fix, Some(7), "Ana", true);
        let mon = action(ActionKind::Monitoring, Some(7), "Ben", true);
        let unrelated_fix = action(ActionKind::Fix, Some(8), "Ana", true);
        let confirmed = [cause(7, CauseState::Confirmed)];
        type Case<'a> = (&'a str, Vec<Cause>, Vec<Action>, Vec<&'a str>);
        let cases: Vec<Case> = vec![
            ("both", confirmed.to_vec(), vec![fix.clone(), mon.clone()], vec![]),
            (
                "fix only",
                confirmed.to_vec(),
                vec![fix.clone()],
                vec!["Overload is confirmed but has no monitoring action"],
            ),
            (
                "monitoring only",
                confirmed.to_vec(),
                vec![mon.clone()],
                vec!["Overload is confirmed but has no fix action"],
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
                "suspected needs nothing",
                vec![cause(7, CauseState::Suspected)],
                vec![],
                vec![],
            ),
            (
                "not delegated",
                vec![],
                vec![
                    action(ActionKind::Process, None, "", true),
                    action(ActionKind::Process, None, " ", false),
                    action(ActionKind::Process, None, "Cy", false),
                ],
                vec!["2 actions have no owner", "2 actions have no due date"],
            ),
            (
                "one without owner",
                vec![],
                vec![action(ActionKind::Fix, None, "", true)],
                vec!["1 action has no owner"],
            ),
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
        ];
        for (name, causes, actions, want) in cases {
            let got: Vec<String> = gaps(&causes, &actions).iter().map(|g| g.to_string()).collect();
            assert_eq!(got, want, "case {name}");
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
        let got = gaps(&causes, &actions);
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
