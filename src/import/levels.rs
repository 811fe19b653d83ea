//! Log levels in imported lines: the level word a line carries (`ERROR`, `[warn]`,
//! `level=info`), the kind it gives the event, and where the line came from (its service,
//! unit, logger or host) when the line says.
//!
//! Levels, lowest first: debug < info < notice < warn < error < critical (fatal). The kinds:
//! error and critical (and fatal, crit, alert, emerg, panic) → alert; warn → observation;
//! notice, info and debug → note (background the facilitator rarely needs on the timeline).

use crate::model::EventKind;
use crate::model::sanitize;

crate::model::name_table! {
    /// How severe a log line says it is, lowest first.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
    pub enum Level: name, label {
        Debug => "debug", "debug";
        Info => "info", "info";
        Notice => "notice", "notice";
        Warn => "warn", "warning";
        Error => "error", "error";
        Critical => "critical", "critical";
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Level, String> {
        level_word(s).ok_or_else(|| {
            format!(
                "unknown level \"{}\" (accepted: debug, info, notice, warn, error, critical)",
                sanitize::clean_line(s)
            )
        })
    }
}

/// The level a word names, in any case: `warning`, `ERR`, `fatal`, `trace` (as debug) …
pub fn level_word(word: &str) -> Option<Level> {
    Some(match word.trim().to_ascii_lowercase().as_str() {
        "trace" | "debug" | "dbg" | "verbose" => Level::Debug,
        "info" | "information" | "informational" => Level::Info,
        "notice" => Level::Notice,
        "warn" | "warning" => Level::Warn,
        "error" | "err" => Level::Error,
        "critical" | "crit" | "fatal" | "alert" | "emerg" | "emergency" | "panic" => Level::Critical,
        _ => return None,
    })
}

/// The kind an event of this level gets (when its file does not say): the one mapping from a
/// level word to a kind.
pub fn kind_for_level(word: &str) -> Option<EventKind> {
    Some(match level_word(word)? {
        Level::Error | Level::Critical => EventKind::Alert,
        Level::Warn => EventKind::Observation,
        Level::Notice | Level::Info | Level::Debug => EventKind::Note,
    })
}

/// Which kind each level's lines get (when their file does not say): [`kind_for_level`]'s
/// mapping, changed per import (`--kinds warn=alert,info=observation`, the import form's field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelKinds([EventKind; 6]);

impl Default for LevelKinds {
    fn default() -> LevelKinds {
        let mut kinds = [EventKind::Note; 6];
        for (kind, level) in kinds.iter_mut().zip(Level::ALL) {
            *kind = kind_for_level(level.name()).unwrap_or(EventKind::Note);
        }
        LevelKinds(kinds)
    }
}

impl LevelKinds {
    /// The kind of a line of this level.
    pub fn kind(&self, level: Level) -> EventKind {
        self.0[level as usize]
    }

    /// This mapping with `spec` applied over it: `LEVEL=KIND` entries separated by commas (or
    /// spaces), a level in any spelling `level_word` reads (`fatal`, `WARNING`). An error names
    /// the entry and what is wrong with it; an empty spec changes nothing.
    pub fn with(mut self, spec: &str) -> Result<LevelKinds, String> {
        for entry in spec
            .split([',', ' ', '\t', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let shown = sanitize::clean_line(entry);
            let (level, kind) = entry
                .split_once('=')
                .ok_or_else(|| format!("\"{shown}\": each entry is LEVEL=KIND (warn=alert)"))?;
            let level = level_word(level).ok_or_else(|| {
                format!(
                    "\"{shown}\": unknown level \"{}\" (accepted: debug, info, notice, warn, error, critical)",
                    sanitize::clean_line(level.trim())
                )
            })?;
            let kind: EventKind = kind.trim().parse().map_err(|e| format!("\"{shown}\": {e}"))?;
            self.0[level as usize] = kind;
        }
        Ok(self)
    }

    /// The entries that differ from the default (`warn=alert`), empty when none do.
    pub fn changes(&self) -> String {
        let default = LevelKinds::default();
        Level::ALL
            .iter()
            .filter(|l| self.kind(**l) != default.kind(**l))
            .map(|l| format!("{}={}", l.name(), self.kind(*l).key()))
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The mapping in a few words for a hint: the levels of each kind, highest first, the kind
    /// most levels get last as "others" (`error,critical→alert, warn→observation, others→note`).
    pub fn summary(&self) -> String {
        let mut groups: Vec<(EventKind, Vec<&str>)> = Vec::new();
        for level in Level::ALL.iter().rev() {
            let kind = self.kind(*level);
            match groups.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, levels)) => levels.insert(0, level.name()),
                None => groups.push((kind, vec![level.name()])),
            }
        }
        let most = groups.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
        let others = groups
            .iter()
            .rposition(|(_, l)| l.len() == most)
            .filter(|_| groups.len() > 1);
        let mut parts: Vec<String> = Vec::new();
        for (i, (kind, levels)) in groups.iter().enumerate() {
            if Some(i) != others {
                parts.push(format!("{}→{}", levels.join(","), kind.key()));
            }
        }
        if let Some(i) = others {
            parts.push(format!("others→{}", groups[i].0.key()));
        }
        parts.join(", ")
    }

    /// `debug=note,info=note,…,critical=alert`: what [`LevelKinds::with`] reads back.
    pub fn describe(&self) -> String {
        Level::ALL
            .iter()
            .map(|l| format!("{}={}", l.name(), self.kind(*l).key()))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// The level word of a line, where log lines put it: its first word (`ERROR …`, `[warn] …`),
/// the word after a `program:` prefix (`host app[1]: ERROR …`), or a `level=` field. A level
/// word further into the message (`error rate rises`) is not the line's level.
pub fn level_in(text: &str) -> Option<&str> {
    let first = text.lines().next().unwrap_or("");
    let words: Vec<&str> = first.split_whitespace().take(8).collect();
    let strip = |w: &str| -> String {
        w.trim_matches(|c: char| matches!(c, '[' | ']' | '(' | ')' | '<' | '>' | ':' | ',' | '"'))
            .to_string()
    };
    for (i, w) in words.iter().enumerate() {
        let field = ["level=", "lvl=", "severity="].iter().find_map(|k| w.strip_prefix(k));
        if let Some(v) = field {
            let v = v.trim_matches('"');
            if level_word(v).is_some() {
                return Some(v);
            }
        }
        let after_prefix = i > 0 && i < 4 && words[i - 1].ends_with(':');
        if (i == 0 || after_prefix) && level_word(&strip(w)).is_some() {
            let s = strip(w);
            let start = w.find(s.as_str()).unwrap_or(0);
            return Some(&w[start..start + s.len()]);
        }
    }
    None
}

/// Where a line came from, when it says: a `service=`, `unit=`, `logger=` or `host=` field;
/// a syslog program (`host api[211]: …` → `api`); or a name followed by a colon after the
/// level (`ERROR payment-api: …`).
pub fn origin_in(text: &str) -> Option<String> {
    let first = text.lines().next().unwrap_or("");
    let words: Vec<&str> = first.split_whitespace().take(6).collect();
    for key in ["service=", "unit=", "_systemd_unit=", "logger=", "app=", "host="] {
        if let Some(v) = words.iter().find_map(|w| w.strip_prefix(key)) {
            return name(v.trim_matches('"'));
        }
    }
    // `WARN [paygate-client] …`: a logger in brackets after the level.
    if let [level, logger, ..] = words.as_slice()
        && level_word(level.trim_matches(['[', ']'])).is_some()
        && let Some(inner) = logger.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
    {
        return name(inner);
    }
    for (i, w) in words.iter().enumerate().take(4) {
        if let Some(head) = w.strip_suffix(':') {
            // `api[211]:` — a syslog program with its pid.
            let program = head.split('[').next().unwrap_or(head);
            if level_word(program.trim_matches(['[', ']'])).is_some() || i > 2 {
                continue;
            }
            return name(program.trim_matches(['[', ']']));
        }
    }
    None
}

/// A plausible source name: a short word of letters, digits and `-_./@`.
fn name(s: &str) -> Option<String> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.chars().any(|c| c.is_alphabetic())
        && s.chars().all(|c| c.is_alphanumeric() || "-_./@".contains(c));
    ok.then(|| sanitize::clean_line(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_each_kind_s_levels_and_the_most_common_as_others() {
        let d = LevelKinds::default();
        assert_eq!(d.summary(), "error,critical→alert, warn→observation, others→note");
        let changed = d.with("warn=alert").unwrap();
        assert_eq!(changed.summary(), "warn,error,critical→alert, others→note");
        let one = d.with("debug=alert,info=alert,notice=alert,warn=alert").unwrap();
        assert_eq!(one.summary(), "debug,info,notice,warn,error,critical→alert");
    }

    #[test]
    fn levels_are_ordered_and_read_in_any_spelling() {
        assert!(Level::Debug < Level::Info && Level::Info < Level::Notice && Level::Notice < Level::Warn);
        assert!(Level::Warn < Level::Error && Level::Error < Level::Critical);
        assert_eq!(level_word("WARNING"), Some(Level::Warn));
        assert_eq!(level_word("fatal"), Some(Level::Critical));
        assert_eq!(level_word("Crit"), Some(Level::Critical));
        assert_eq!(level_word("payment"), None);
        assert!("loud".parse::<Level>().unwrap_err().contains("unknown level \"loud\""));
    }

    #[test]
    fn a_level_gives_the_kind() {
        assert_eq!(kind_for_level("error"), Some(EventKind::Alert));
        assert_eq!(kind_for_level("FATAL"), Some(EventKind::Alert));
        assert_eq!(kind_for_level("crit"), Some(EventKind::Alert));
        assert_eq!(kind_for_level("warn"), Some(EventKind::Observation));
        assert_eq!(kind_for_level("info"), Some(EventKind::Note));
        assert_eq!(kind_for_level("debug"), Some(EventKind::Note));
        assert_eq!(kind_for_level("hello"), None);
    }

    #[test]
    fn the_kinds_of_levels_change_per_import_and_bad_entries_are_named() {
        let default = LevelKinds::default();
        assert_eq!(
            default.describe(),
            "debug=note,info=note,notice=note,warn=observation,error=alert,critical=alert"
        );
        assert_eq!(LevelKinds::default().with(&default.describe()), Ok(default));
        let k = default.with("warn=alert, INFO=observation fatal=action").unwrap();
        assert_eq!(k.kind(Level::Warn), EventKind::Alert);
        assert_eq!(k.kind(Level::Info), EventKind::Observation);
        assert_eq!(k.kind(Level::Critical), EventKind::Action);
        assert_eq!(k.kind(Level::Error), EventKind::Alert, "the others as they were");
        assert_eq!(k.changes(), "info=observation,warn=alert,critical=action");
        assert_eq!(default.changes(), "");
        assert_eq!(default.with("  "), Ok(default));
        let e = default.with("warn=alert,loud=alert").unwrap_err();
        assert!(e.contains("\"loud=alert\": unknown level \"loud\""), "{e}");
        let e = default.with("warn=bogus").unwrap_err();
        assert!(
            e.starts_with("\"warn=bogus\": ") && e.contains("bogus") && e.contains("alert"),
            "{e}"
        );
        assert!(default.with("warn").unwrap_err().contains("each entry is LEVEL=KIND"));
    }

    #[test]
    fn the_level_and_origin_of_a_line() {
        assert_eq!(level_in("ERROR payment-api: timeout"), Some("ERROR"));
        assert_eq!(level_in("[warn] 12#0: upstream slow"), Some("warn"));
        assert_eq!(level_in("level=info msg=ok"), Some("info"));
        assert_eq!(
            level_in("pay-api-1 payment-api[2211]: ERROR pool exhausted"),
            Some("ERROR")
        );
        assert_eq!(level_in("retries stopped"), None);
        assert_eq!(
            level_in("payment provider error rate rises"),
            None,
            "not the line's level"
        );
        assert_eq!(origin_in("ERROR payment-api: timeout").as_deref(), Some("payment-api"));
        assert_eq!(
            origin_in("pay-api-1 payment-api[2211]: pool exhausted").as_deref(),
            Some("payment-api")
        );
        assert_eq!(
            origin_in("level=warn service=checkout msg=slow").as_deref(),
            Some("checkout")
        );
        assert_eq!(origin_in("retries stopped, no level here"), None);
        assert_eq!(
            origin_in("WARN  [paygate-client] POST -> 503").as_deref(),
            Some("paygate-client")
        );
        assert_eq!(origin_in("ERROR: no name"), None);
        assert_eq!(origin_in("\u{1b}[31mx: y"), None);
    }
}
