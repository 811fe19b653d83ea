//! Milestones and the durations a review asks for.

use super::{Event, Milestone};
use chrono::{DateTime, Duration, Utc};

/// The first time each milestone was reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Milestones {
    pub at: [Option<DateTime<Utc>>; 5],
}

impl Milestones {
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Event>) -> Milestones {
        Milestones::from_pairs(events.into_iter().filter_map(|e| e.milestone.map(|m| (m, e.at))))
    }

    pub fn from_pairs(pairs: impl IntoIterator<Item = (Milestone, DateTime<Utc>)>) -> Milestones {
        let mut out = Milestones::default();
        for (m, at) in pairs {
            let slot = &mut out.at[m as usize];
            if slot.is_none_or(|t| at < t) {
                *slot = Some(at);
            }
        }
        out
    }

    pub fn get(&self, m: Milestone) -> Option<DateTime<Utc>> {
        self.at[m as usize]
    }

    /// Time to detect, acknowledge, mitigate and resolve, each counted from the start of impact.
    pub fn durations(&self) -> Durations {
        let since_start = |m| Some(self.get(m)? - self.get(Milestone::ImpactStarted)?);
        Durations {
            detect: since_start(Milestone::Detected),
            acknowledge: since_start(Milestone::Acknowledged),
            mitigate: since_start(Milestone::Mitigated),
            resolve: since_start(Milestone::Resolved),
        }
    }

    /// Plain-words warnings: missing milestones and milestones out of order.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        let missing: Vec<&str> = Milestone::ALL
            .iter()
            .filter(|m| self.get(**m).is_none())
            .map(|m| m.label())
            .collect();
        if !missing.is_empty() {
            out.push(format!(
                "Missing milestone{}: {}",
                plural(missing.len()),
                missing.join(", ")
            ));
        }
        out.extend(self.out_of_order());
        out
    }

    /// Milestones marked in an order that cannot be (not a gap of the review: a mistake on its
    /// timeline), e.g. "Out of order: Detected is before impact started".
    pub fn out_of_order(&self) -> Vec<String> {
        let mut out = Vec::new();
        let present: Vec<(Milestone, DateTime<Utc>)> = Milestone::ALL
            .iter()
            .filter_map(|m| Some((*m, self.get(*m)?)))
            .collect();
        for (i, (later, later_at)) in present.iter().enumerate() {
            if let Some((earlier, _)) = present[..i].iter().find(|(_, at)| at > later_at) {
                out.push(format!(
                    "Out of order: {} is before {}",
                    capital(later.label()),
                    earlier.label()
                ));
            }
        }
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn capital(s: &str) -> String {
    super::capitalize(s)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Durations {
    pub detect: Option<Duration>,
    pub acknowledge: Option<Duration>,
    pub mitigate: Option<Duration>,
    pub resolve: Option<Duration>,
}

impl Durations {
    /// (short label, long label, value) in agenda order.
    pub fn rows(&self) -> [(&'static str, &'static str, Option<Duration>); 4] {
        [
            ("TTD", "time to detect", self.detect),
            ("TTA", "time to acknowledge", self.acknowledge),
            ("TTM", "time to mitigate", self.mitigate),
            ("TTR", "time to resolve", self.resolve),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + min * 60, 0).unwrap()
    }

    #[test]
    fn durations_count_from_impact_start() {
        let m = Milestones::from_pairs([
            (Milestone::ImpactStarted, at(0)),
            (Milestone::Detected, at(12)),
            (Milestone::Acknowledged, at(15)),
            (Milestone::Mitigated, at(50)),
            (Milestone::Resolved, at(130)),
            (Milestone::Detected, at(20)), // a later duplicate does not move it
        ]);
        let d = m.durations();
        assert_eq!(d.detect, Some(Duration::minutes(12)));
        assert_eq!(d.acknowledge, Some(Duration::minutes(15)));
        assert_eq!(d.mitigate, Some(Duration::minutes(50)));
        assert_eq!(d.resolve, Some(Duration::minutes(130)));
        assert!(m.warnings().is_empty(), "{:?}", m.warnings());
    }

    #[test]
    fn missing_and_out_of_order_milestones_are_named() {
        let m = Milestones::from_pairs([
            (Milestone::ImpactStarted, at(10)),
            (Milestone::Detected, at(5)),
            (Milestone::Resolved, at(60)),
        ]);
        assert_eq!(m.durations().detect, Some(Duration::minutes(-5)));
        assert_eq!(m.durations().mitigate, None);
        assert_eq!(
            m.warnings(),
            vec![
                "Missing milestones: acknowledged, mitigated".to_string(),
                "Out of order: Detected is before impact started".to_string(),
            ]
        );
        assert_eq!(Milestones::default().durations(), Durations::default());
    }
}
