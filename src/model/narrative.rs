//! The narrative sections every postmortem template carries: what went well, what went wrong,
//! where we got lucky, the impact per service, the decisions taken (who and when) and the
//! contributing factors, each linked to a cause of the checklist (the five causes stay the
//! frame). None of them is a gap (`coverage::gaps`): a review can be complete without them.
//!
//! In the store a cause is named by its id; in the JSON document by its `ref`.

use serde::{Deserialize, Serialize};

fn is_false(b: &bool) -> bool {
    !*b
}

/// One affected service: who or what was affected, and for how long.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    pub service: String,
    /// Customers or requests affected, as the team counts them ("~4,000 checkouts").
    #[serde(default)]
    pub affected: String,
    /// How long the service was affected ("47m").
    #[serde(default)]
    pub duration: String,
}

/// A decision taken during the incident or the review.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    pub text: String,
    /// Who decided.
    #[serde(default)]
    pub who: String,
    /// When, as the team says it ("14:40", "in the review").
    #[serde(default)]
    pub when: String,
    /// Left out of exports for outsiders and hidden from observers.
    #[serde(default, skip_serializing_if = "is_false")]
    pub internal: bool,
    /// The number of the review meeting it was taken in (1 the first, 2 … the follow-ups);
    /// `None` when it was not taken in one (during the incident) or that was not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting: Option<i64>,
}

impl Decision {
    /// Who decided and when, as one text ("Priya, 14:40"), when either is known.
    pub fn by(&self) -> Option<String> {
        let by: Vec<&str> = [self.who.trim(), self.when.trim()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect();
        (!by.is_empty()).then(|| by.join(", "))
    }
}

/// A contributing factor, linked to a cause of the checklist (or to none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factor {
    pub text: String,
    /// The cause it belongs to: its id in the store, its `ref` in a document.
    #[serde(default)]
    pub cause: Option<i64>,
}

/// The narrative of one incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Narrative {
    #[serde(default)]
    pub went_well: String,
    #[serde(default)]
    pub went_wrong: String,
    /// Where we got lucky.
    #[serde(default)]
    pub lucky: String,
    /// The checklist cause the root cause statement belongs to.
    #[serde(default)]
    pub root_cause_cause: Option<i64>,
    /// The checklist cause the trigger belongs to.
    #[serde(default)]
    pub trigger_cause: Option<i64>,
    #[serde(default)]
    pub impacts: Vec<Impact>,
    #[serde(default)]
    pub decisions: Vec<Decision>,
    #[serde(default)]
    pub factors: Vec<Factor>,
    /// The stored row's version (0: none stored yet); not part of a document.
    #[serde(skip)]
    pub version: i64,
}

impl Narrative {
    /// Nothing written: the document leaves it out.
    pub fn is_empty(&self) -> bool {
        let blank = Narrative {
            version: self.version,
            ..Narrative::default()
        };
        *self == blank
    }
}

/// The marker of an internal decision in the form's lines.
pub const INTERNAL_MARK: &str = "(internal)";

/// The marker of a decision taken in review meeting N, in the form's lines: `(meeting 2)`.
pub fn meeting_mark(number: i64) -> String {
    format!("(meeting {number})")
}

/// The line's `(internal)` and `(meeting N)` markers, in either order, and the rest of it.
fn markers(n: usize, mut line: &str) -> Result<(bool, Option<i64>, &str), String> {
    let (mut internal, mut meeting) = (false, None);
    loop {
        if let Some(rest) = line.strip_prefix(INTERNAL_MARK) {
            internal = true;
            line = rest.trim_start();
        } else if let Some(rest) = line.strip_prefix("(meeting ") {
            let (number, rest) = rest
                .split_once(')')
                .ok_or_else(|| format!("decision line {n}: \"(meeting\" needs its number and \")\""))?;
            let number = number
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|k| (1..=MAX_MEETINGS).contains(k))
                .ok_or_else(|| {
                    format!(
                        "decision line {n}: \"{}\" is no meeting number (1 to {MAX_MEETINGS})",
                        number.trim()
                    )
                })?;
            meeting = Some(number);
            line = rest.trim_start();
        } else {
            return Ok((internal, meeting, line));
        }
    }
}

/// The most meetings one review holds (a follow-up beyond is refused).
pub const MAX_MEETINGS: i64 = 999;

/// `service | affected | duration`, one a line (blank lines skipped).
pub fn parse_impacts(text: &str) -> Result<Vec<Impact>, String> {
    lines(text)
        .map(|(n, line)| {
            let mut parts = line.splitn(3, '|').map(str::trim);
            let service = parts.next().unwrap_or_default().to_string();
            if service.is_empty() {
                return Err(format!(
                    "impact line {n}: the service is empty (service | affected | duration)"
                ));
            }
            Ok(Impact {
                service,
                affected: parts.next().unwrap_or_default().to_string(),
                duration: parts.next().unwrap_or_default().to_string(),
            })
        })
        .collect()
}

pub fn format_impacts(impacts: &[Impact]) -> String {
    impacts
        .iter()
        .map(|i| join(&[&i.service, &i.affected, &i.duration]))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `[(internal)] text | who | when`, one a line; the text may hold `|`, who and when may not.
pub fn parse_decisions(text: &str) -> Result<Vec<Decision>, String> {
    lines(text)
        .map(|(n, line)| {
            let (internal, meeting, line) = markers(n, line)?;
            let mut parts: Vec<&str> = line.rsplitn(3, '|').map(str::trim).collect();
            parts.reverse();
            let (text, who, when) = match parts.as_slice() {
                [t] => (*t, "", ""),
                [t, w] => (*t, *w, ""),
                [t, w, x] => (*t, *w, *x),
                _ => ("", "", ""),
            };
            if text.is_empty() {
                return Err(format!("decision line {n}: the decision is empty (text | who | when)"));
            }
            Ok(Decision {
                text: text.into(),
                who: who.into(),
                when: when.into(),
                internal,
                meeting,
            })
        })
        .collect()
}

pub fn format_decisions(decisions: &[Decision]) -> String {
    decisions
        .iter()
        .map(|d| {
            let mut line = join(&[&d.text, &d.who, &d.when]);
            if let Some(m) = d.meeting {
                line = format!("{} {line}", meeting_mark(m));
            }
            if d.internal {
                line = format!("{INTERNAL_MARK} {line}");
            }
            line
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `cause | factor`, one a line: the cause by its label (as `causes` gives them, with their
/// ids), or `-` for none. An unknown cause names the accepted ones.
pub fn parse_factors(text: &str, causes: &[(i64, String)]) -> Result<Vec<Factor>, String> {
    lines(text)
        .map(|(n, line)| {
            let (cause, text) = match line.split_once('|') {
                Some((c, t)) => (c.trim(), t.trim()),
                None => ("-", line),
            };
            if text.is_empty() {
                return Err(format!("factor line {n}: the factor is empty (cause | factor)"));
            }
            Ok(Factor {
                text: text.into(),
                cause: find_cause(cause, causes).map_err(|e| format!("factor line {n}: {e}"))?,
            })
        })
        .collect()
}

pub fn format_factors(factors: &[Factor], causes: &[(i64, String)]) -> String {
    factors
        .iter()
        .map(|f| format!("{} | {}", cause_name(f.cause, causes), f.text))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A cause typed by its label (any case, or a unique beginning of it); `-` or nothing is none.
pub fn find_cause(typed: &str, causes: &[(i64, String)]) -> Result<Option<i64>, String> {
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() || typed == "-" {
        return Ok(None);
    }
    if let Some((id, _)) = causes.iter().find(|(_, l)| l.to_lowercase() == typed) {
        return Ok(Some(*id));
    }
    let matching: Vec<&(i64, String)> = causes
        .iter()
        .filter(|(_, l)| l.to_lowercase().starts_with(&typed))
        .collect();
    match matching.as_slice() {
        [(id, _)] => Ok(Some(*id)),
        _ => Err(format!(
            "no single cause \"{typed}\" on the checklist (accepted: {}, or -)",
            causes.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The label of a cause, `-` for none.
pub fn cause_name(cause: Option<i64>, causes: &[(i64, String)]) -> String {
    cause
        .and_then(|c| causes.iter().find(|(id, _)| *id == c))
        .map(|(_, l)| l.clone())
        .unwrap_or_else(|| "-".into())
}

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
}

/// Joins the parts with ` | `, leaving out empty trailing ones.
fn join(parts: &[&str]) -> String {
    let used = parts.iter().rposition(|p| !p.is_empty()).map_or(1, |i| i + 1);
    parts[..used].join(" | ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_names_the_meeting_it_was_taken_in() {
        let d = parse_decisions("(meeting 2) (internal) Keep the cap | Tomasz | review\n(internal)(meeting 1) Page")
            .unwrap();
        assert_eq!(
            (d[0].meeting, d[0].internal, d[0].text.as_str()),
            (Some(2), true, "Keep the cap")
        );
        assert_eq!(
            (d[1].meeting, d[1].internal, d[1].text.as_str()),
            (Some(1), true, "Page")
        );
        assert_eq!(
            format_decisions(&d),
            "(internal) (meeting 2) Keep the cap | Tomasz | review\n(internal) (meeting 1) Page"
        );
        assert_eq!(parse_decisions(&format_decisions(&d)).unwrap(), d);
        let e = parse_decisions("ok\n(meeting two) Cap it").unwrap_err();
        assert!(
            e.contains("decision line 2") && e.contains("\"two\" is no meeting number"),
            "{e}"
        );
        let e = parse_decisions("(meeting 0) Cap it").unwrap_err();
        assert!(e.contains("\"0\" is no meeting number (1 to 999)"), "{e}");
        assert!(
            parse_decisions("(meeting 3 Cap it")
                .unwrap_err()
                .contains("needs its number")
        );
    }

    #[test]
    fn lines_round_trip() {
        let impacts = parse_impacts("checkout | ~4,000 orders | 47m\n\nsearch\n").unwrap();
        assert_eq!(impacts.len(), 2);
        assert_eq!(impacts[0].affected, "~4,000 orders");
        assert_eq!(format_impacts(&impacts), "checkout | ~4,000 orders | 47m\nsearch");
        let decisions = parse_decisions("Roll back | a|b | Ana | 14:40\n(internal) Page legal").unwrap();
        assert_eq!(decisions[0].text, "Roll back | a|b");
        assert_eq!(
            (decisions[0].who.as_str(), decisions[0].when.as_str()),
            ("Ana", "14:40")
        );
        assert!(decisions[1].internal && decisions[1].text == "Page legal");
        assert_eq!(parse_decisions(&format_decisions(&decisions)).unwrap(), decisions);
        let causes = vec![(7, "Infrastructure".to_string()), (8, "Software update".to_string())];
        let factors = parse_factors("infra | TLS expiry not alerted\n- | no runbook", &causes).unwrap();
        assert_eq!(factors[0].cause, Some(7));
        assert_eq!(factors[1].cause, None);
        assert_eq!(
            parse_factors(&format_factors(&factors, &causes), &causes).unwrap(),
            factors
        );
        let err = parse_factors("weather | rain", &causes).unwrap_err();
        assert!(err.contains("line 1") && err.contains("Infrastructure"), "{err}");
        assert!(parse_impacts(" | 3 | 4").unwrap_err().contains("impact line 1"));
    }
}
