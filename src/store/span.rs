//! What a typed time of day is read against: the incident's zone and span
//! ([`crate::model::time::Span`]), one rule for every entry path.

use super::{Result, Store};
use crate::model::time::{Span, TimeContext};
use crate::model::{Incident, IncidentStatus, Milestone};
use chrono::{DateTime, Utc};

impl Store {
    /// The incident's span: from impact start (else its start time, else its first event) to its
    /// last event, or open-ended while it is unresolved (open or mitigated, and no "resolved"
    /// milestone). `None` when it has no start and no events.
    pub fn time_span(&self, incident: &Incident) -> Result<Option<Span>> {
        let milestones = self.milestones(incident.id)?;
        let start = match milestones.get(Milestone::ImpactStarted).or(incident.started_at) {
            Some(at) => at,
            None => match self.first_event_time(incident.id)? {
                Some(at) => at,
                None => return Ok(None),
            },
        };
        let running = matches!(incident.status, IncidentStatus::Open | IncidentStatus::Mitigated)
            && milestones.get(Milestone::Resolved).is_none();
        let end = if running {
            None
        } else {
            Some(self.last_event_time(incident.id)?.unwrap_or(start))
        };
        Ok(Some(Span { start, end }))
    }

    /// What a time typed for `incident` is read against: its zone, its span, `now`, and what
    /// `+3m` counts from.
    pub fn time_context(
        &self,
        incident: &Incident,
        now: DateTime<Utc>,
        anchor: Option<DateTime<Utc>>,
    ) -> Result<TimeContext> {
        Ok(TimeContext {
            zone: incident.tz(),
            now,
            anchor,
            span: self.time_span(incident)?,
        })
    }
}
