//! The first meeting's timer: seconds per agenda step, kept as "what is banked" plus "since when
//! the current step runs", so that any session (or a restart) computes the same clock from the row.

use super::{AgendaStep, Meeting};
use chrono::{DateTime, Utc};

impl AgendaStep {
    /// 0 to 3, the position in the agenda (and in `Meeting::step_seconds`).
    pub fn index(self) -> usize {
        self as usize
    }

    /// 1 to 4, as people count the steps.
    pub fn number(self) -> usize {
        self.index() + 1
    }

    pub fn next(self) -> Option<AgendaStep> {
        AgendaStep::ALL.get(self.index() + 1).copied()
    }

    pub fn previous(self) -> Option<AgendaStep> {
        self.index().checked_sub(1).map(|i| AgendaStep::ALL[i])
    }

    /// One word, for narrow screens.
    pub fn short(self) -> &'static str {
        match self {
            AgendaStep::Document => "Document",
            AgendaStep::Agree => "Agree",
            AgendaStep::Delegate => "Delegate",
            AgendaStep::WrapUp => "Wrap-up",
        }
    }
}

/// Seconds from `from` to `to`, never negative (another host's clock may be a little ahead).
fn seconds_between(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).num_seconds().max(0)
}

impl Meeting {
    /// "Meeting 1", "Follow-up meeting 2".
    pub fn title(&self) -> String {
        title(self.number)
    }

    pub fn has_started(&self) -> bool {
        self.started_at.is_some()
    }

    pub fn has_ended(&self) -> bool {
        self.ended_at.is_some()
    }

    /// Started and not yet ended: the current step's clock is running.
    pub fn is_running(&self) -> bool {
        self.has_started() && !self.has_ended()
    }

    /// Starts the clock on the current step; a meeting that has started already is left alone.
    pub fn start(&mut self, now: DateTime<Utc>) {
        if self.has_started() {
            return;
        }
        self.started_at = Some(now);
        self.ended_at = None;
        self.step_started_at = Some(now);
    }

    /// Seconds spent on `step`: what is banked, plus the running stretch if it is the current step.
    pub fn step_elapsed(&self, step: AgendaStep, now: DateTime<Utc>) -> i64 {
        let banked = self.step_seconds[step.index()];
        let running = match self.step_started_at {
            Some(since) if self.is_running() && step == self.step => seconds_between(since, now),
            _ => 0,
        };
        banked.saturating_add(running)
    }

    /// Seconds spent on the agenda in all.
    pub fn total_elapsed(&self, now: DateTime<Utc>) -> i64 {
        AgendaStep::ALL
            .iter()
            .fold(0i64, |total, s| total.saturating_add(self.step_elapsed(*s, now)))
    }

    /// Banks the running stretch into the current step and restarts its clock at `now`.
    fn bank(&mut self, now: DateTime<Utc>) {
        if let Some(since) = self.step_started_at
            && self.is_running()
        {
            let banked = &mut self.step_seconds[self.step.index()];
            *banked = banked.saturating_add(seconds_between(since, now));
            self.step_started_at = Some(now);
        }
    }

    /// Moves the agenda to `step`; while the meeting runs, the time so far stays with the old step.
    pub fn go_to(&mut self, step: AgendaStep, now: DateTime<Utc>) {
        self.bank(now);
        self.step = step;
    }

    /// Ends the meeting at `now`: the clock stops and every step keeps its time.
    pub fn end(&mut self, now: DateTime<Utc>) {
        self.bank(now);
        if self.is_running() {
            self.ended_at = Some(now);
        }
        self.step_started_at = None;
    }
}

/// "Meeting 1" for the first review meeting, "Follow-up meeting 2" and on for the others.
pub fn title(number: i64) -> String {
    if number <= 1 {
        "Meeting 1".to_string()
    } else {
        format!("Follow-up meeting {number}")
    }
}

/// `12:40`, `62:05`: minutes and seconds, as a meeting clock reads (minutes are not folded into hours).
pub fn clock(seconds: i64) -> String {
    let s = seconds.max(0);
    format!("{}:{:02}", s / 60, s % 60)
}

/// How a step (or the meeting) stands against its time box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// Seconds left.
    Left(i64),
    /// Seconds over the time box.
    Over(i64),
}

impl Budget {
    pub fn of(elapsed: i64, timebox: i64) -> Budget {
        if elapsed > timebox {
            Budget::Over(elapsed.saturating_sub(timebox))
        } else {
            Budget::Left(timebox.saturating_sub(elapsed))
        }
    }

    pub fn is_over(self) -> bool {
        matches!(self, Budget::Over(_))
    }
}

impl std::fmt::Display for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Budget::Left(s) => write!(f, "{} left", clock(*s)),
            Budget::Over(s) => write!(f, "OVER by {}", clock(*s)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(minute: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 9, 0, 0).unwrap() + Duration::minutes(minute)
    }

    fn fresh() -> Meeting {
        Meeting {
            id: 1,
            incident_id: 1,
            number: 1,
            step: AgendaStep::Document,
            started_at: None,
            ended_at: None,
            step_seconds: [0; 4],
            step_started_at: None,
            agreement: String::new(),
            decisions: String::new(),
            attended: None,
            version: 1,
        }
    }

    #[test]
    fn steps_count_and_move() {
        assert_eq!(AgendaStep::Document.next(), Some(AgendaStep::Agree));
        assert_eq!(AgendaStep::WrapUp.next(), None);
        assert_eq!(AgendaStep::Document.previous(), None);
        assert_eq!(AgendaStep::WrapUp.previous(), Some(AgendaStep::Delegate));
        assert_eq!(AgendaStep::Delegate.number(), 3);
    }

    #[test]
    fn a_meeting_banks_each_step_and_stops_at_the_end() {
        let mut m = fresh();
        assert_eq!(m.total_elapsed(t(5)), 0, "not started: no clock");
        m.start(t(0));
        assert_eq!(m.step_elapsed(AgendaStep::Document, t(18)), 18 * 60);
        m.go_to(AgendaStep::Agree, t(18));
        assert_eq!(m.step_seconds, [18 * 60, 0, 0, 0]);
        assert_eq!(m.step_elapsed(AgendaStep::Agree, t(30)), 12 * 60);
        m.go_to(AgendaStep::Document, t(31));
        m.go_to(AgendaStep::Agree, t(33));
        assert_eq!(
            m.step_seconds,
            [20 * 60, 13 * 60, 0, 0],
            "going back adds to the old step"
        );
        m.end(t(40));
        assert_eq!(m.ended_at, Some(t(40)));
        assert_eq!(m.step_started_at, None);
        assert_eq!(m.total_elapsed(t(90)), 40 * 60, "the clock has stopped");
        m.start(t(95));
        assert_eq!(m.started_at, Some(t(0)), "an ended meeting does not restart");
    }

    #[test]
    fn a_clock_behind_ours_never_counts_backwards() {
        let mut m = fresh();
        m.start(t(10));
        assert_eq!(m.step_elapsed(AgendaStep::Document, t(9)), 0);
    }

    #[test]
    fn budgets_read_plainly() {
        assert_eq!(clock(12 * 60 + 40), "12:40");
        assert_eq!(clock(62 * 60 + 5), "62:05");
        assert_eq!(Budget::of(760, 600).to_string(), "OVER by 2:40");
        assert_eq!(Budget::of(300, 600).to_string(), "5:00 left");
        assert!(!Budget::of(600, 600).is_over());
    }
}
