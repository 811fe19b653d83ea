//! Follow-through: how long a new action has by default, by the incident's severity.

use crate::model::Severity;
use chrono::{Days, NaiveDate};
use serde::Deserialize;

/// Days from an action's creation to its default due date, per severity (`[follow_through]
/// due_days` in config.toml). The defaults follow the handbooks teams use: PagerDuty's 15 days
/// for SEV1 and 30 for SEV2, then 60 and 90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DueDays {
    pub sev1: u32,
    pub sev2: u32,
    pub sev3: u32,
    pub sev4: u32,
}

impl Default for DueDays {
    fn default() -> Self {
        DueDays {
            sev1: 15,
            sev2: 30,
            sev3: 60,
            sev4: 90,
        }
    }
}

/// The longest default (five years): more is a typo.
pub const MAX_DUE_DAYS: u32 = 5 * 366;

impl DueDays {
    pub fn days(&self, severity: Severity) -> u32 {
        match severity {
            Severity::Sev1 => self.sev1,
            Severity::Sev2 => self.sev2,
            Severity::Sev3 => self.sev3,
            Severity::Sev4 => self.sev4,
        }
    }

    /// The default due date of an action created on `today` for an incident of `severity`.
    pub fn due(&self, severity: Severity, today: NaiveDate) -> NaiveDate {
        today
            .checked_add_days(Days::new(u64::from(self.days(severity))))
            .unwrap_or(today)
    }

    /// A setting outside 1 to [`MAX_DUE_DAYS`], named.
    pub fn check(&self) -> Result<(), String> {
        for s in Severity::ALL {
            let d = self.days(*s);
            if d == 0 || d > MAX_DUE_DAYS {
                return Err(format!(
                    "[follow_through] due_days: {} needs 1 to {MAX_DUE_DAYS} days, not {d}",
                    s.key()
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_by_severity_and_checks() {
        let d = DueDays::default();
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            d.due(Severity::Sev1, day),
            NaiveDate::from_ymd_opt(2026, 12, 15).unwrap()
        );
        assert_eq!(
            d.due(Severity::Sev2, day),
            NaiveDate::from_ymd_opt(2026, 12, 30).unwrap()
        );
        assert_eq!(
            d.due(Severity::Sev4, day),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
        assert!(d.check().is_ok());
        let bad = DueDays { sev3: 0, ..d };
        assert!(bad.check().unwrap_err().contains("sev3 needs 1 to"));
    }
}
