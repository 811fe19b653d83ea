//! One scale for the levels logs write, in words (`warn`, `ERROR`, `SEVERE`, `notice`), in
//! letters (klog's `I W E F`, logcat's `V D I W E F A`) and in numbers (syslog priorities 0–7,
//! bunyan and pino's 10–60).

crate::model::name_table! {
    /// How severe a log line says it is, least to most (`Ord` follows severity). The names are
    /// syslog's, plus `trace` below `debug`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum Level: name, label {
        Trace => "trace", "trace";
        Debug => "debug", "debug";
        Info => "info", "info";
        Notice => "notice", "notice";
        Warning => "warning", "warning";
        Error => "error", "error";
        Critical => "critical", "critical";
        Alert => "alert", "alert";
        Emergency => "emergency", "emergency";
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Level {
    type Err = String;
    /// A level word (any case, any of the spellings [`Level::word`] reads) or a number.
    fn from_str(s: &str) -> Result<Level, String> {
        Level::word(s)
            .or_else(|| s.trim().parse::<i64>().ok().and_then(Level::number))
            .ok_or_else(|| {
                let names: Vec<&str> = Level::ALL.iter().map(|l| l.name()).collect();
                format!("unknown level \"{}\" (accepted: {})", s.trim(), names.join(", "))
            })
    }
}

impl Level {
    /// A level written as a word or a letter, in any case: `warn`, `WARNING`, `W`, `err`, `fatal`,
    /// `SEVERE`, `dpanic`, Google Cloud's `DEFAULT` (none), slog's `ERROR+2` (the word).
    pub fn word(s: &str) -> Option<Level> {
        let s = s.trim();
        let s = s.split(['+', '-']).next().unwrap_or(s);
        let lower = s.to_ascii_lowercase();
        Some(match lower.as_str() {
            "trace" | "trc" | "finest" | "finer" | "verbose" | "v" => Level::Trace,
            "debug" | "dbg" | "fine" | "d" => Level::Debug,
            "info" | "inf" | "information" | "informational" | "i" | "config" => Level::Info,
            "notice" | "n" => Level::Notice,
            "warn" | "warning" | "wrn" | "w" => Level::Warning,
            "error" | "err" | "eror" | "severe" | "e" => Level::Error,
            "critical" | "crit" | "fatal" | "ftl" | "f" | "panic" | "dpanic" | "c" => Level::Critical,
            "alert" | "a" => Level::Alert,
            "emergency" | "emerg" => Level::Emergency,
            _ => return None,
        })
    }

    /// A level written as a number: syslog priorities 0 (emergency) to 7 (debug), bunyan and
    /// pino's 10 (trace) to 60 (fatal) in steps of ten.
    pub fn number(n: i64) -> Option<Level> {
        Some(match n {
            0 => Level::Emergency,
            1 => Level::Alert,
            2 => Level::Critical,
            3 => Level::Error,
            4 => Level::Warning,
            5 => Level::Notice,
            6 => Level::Info,
            7 => Level::Debug,
            10 => Level::Trace,
            20 => Level::Debug,
            30 => Level::Info,
            40 => Level::Warning,
            50 => Level::Error,
            60 => Level::Critical,
            _ => return None,
        })
    }

    /// The level of a syslog priority value (`<11>` is facility 1, severity 3: error).
    pub fn of_priority(pri: u32) -> Level {
        Level::number(i64::from(pri % 8)).unwrap_or(Level::Info)
    }

    /// The level of an HTTP status: 5xx error, 4xx warning, anything else info.
    pub fn of_status(status: &str) -> Option<Level> {
        let code: u16 = status.parse().ok()?;
        Some(match code {
            500..=599 => Level::Error,
            400..=499 => Level::Warning,
            100..=399 => Level::Info,
            _ => return None,
        })
    }

    /// The first level word among the first words of a log line's text (`WARN  [paygate] …`,
    /// `148 INFO dfs.DataNode: …`, `[error] 12#0: …`): only full-word spellings, so that a
    /// word like `E` or `a` in prose is not taken for one.
    pub fn in_text(text: &str) -> Option<Level> {
        text.split(|c: char| c.is_whitespace() || "[]():|<>,;".contains(c))
            .filter(|w| !w.is_empty())
            .take(6)
            .find_map(|w| {
                let upper = w.len() >= 3 && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
                let lower = [
                    "error", "warn", "warning", "info", "debug", "notice", "fatal", "crit", "emerg", "trace",
                ];
                (upper || lower.contains(&w)).then(|| Level::word(w)).flatten()
            })
    }
}

#[cfg(test)]
mod tests {
    use super::Level;

    #[test]
    fn words_letters_and_numbers_share_one_scale() {
        let cases: &[(&str, Level)] = &[
            ("warn", Level::Warning),
            ("WARNING", Level::Warning),
            ("W", Level::Warning),
            ("err", Level::Error),
            ("ERROR+2", Level::Error),
            ("SEVERE", Level::Error),
            ("fatal", Level::Critical),
            ("dpanic", Level::Critical),
            ("NOTICE", Level::Notice),
            ("V", Level::Trace),
            ("emerg", Level::Emergency),
            ("3", Level::Error),
            ("0", Level::Emergency),
            ("7", Level::Debug),
            ("30", Level::Info),
            ("50", Level::Error),
            ("60", Level::Critical),
        ];
        for (s, want) in cases {
            assert_eq!(s.parse::<Level>(), Ok(*want), "{s}");
        }
        assert!("8".parse::<Level>().is_err());
        assert!("35".parse::<Level>().is_err());
        assert!("DEFAULT".parse::<Level>().is_err());
        assert!(Level::Debug < Level::Info && Level::Warning < Level::Error && Level::Error < Level::Emergency);
        assert_eq!(Level::of_priority(11), Level::Error);
        assert_eq!(Level::of_priority(165), Level::Notice);
        assert_eq!(Level::of_status("503"), Some(Level::Error));
        assert_eq!(Level::of_status("404"), Some(Level::Warning));
    }

    #[test]
    fn a_level_word_is_found_near_the_start_of_a_text_but_not_a_letter() {
        assert_eq!(Level::in_text("WARN  [paygate-client] POST …"), Some(Level::Warning));
        assert_eq!(Level::in_text("148 INFO dfs.DataNode: x"), Some(Level::Info));
        assert_eq!(Level::in_text("[error] 12#0: upstream"), Some(Level::Error));
        assert_eq!(Level::in_text("a cat sat on E"), None);
        assert_eq!(Level::in_text("the deploy went fine"), None);
        assert_eq!(Level::in_text("one two three four five six seven error"), None);
    }
}
