//! Cleaning of text that comes from outside (imports, pasted chat, logs, typing).
//!
//! Escape sequences are recognised by the `vte` parser (the same state machine terminals use), so
//! a CSI, OSC, DCS, APC, PM or SOS sequence is dropped whole, whatever terminates it. What remains
//! is filtered per character: C0 and C1 controls go (newline and tab stay), and so do the bidi
//! controls that can make text read differently from how it is stored.

use vte::{Parser, Perform};

struct Collector {
    out: String,
}

impl Perform for Collector {
    fn print(&mut self, c: char) {
        if is_allowed(c) {
            self.out.push(c);
        }
    }
    fn execute(&mut self, byte: u8) {
        if byte == b'\n' || byte == b'\t' {
            self.out.push(byte as char);
        }
    }
}

fn is_allowed(c: char) -> bool {
    let control = c.is_control() && c != '\n' && c != '\t';
    !control && !is_bidi_control(c)
}

/// Characters that reorder or hide text in a terminal: embeddings, overrides, isolates and marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Cleans raw bytes (invalid UTF-8 becomes U+FFFD).
pub fn clean_bytes(input: &[u8]) -> String {
    // A lone carriage return would let a line overwrite what came before it; CRLF is a line end.
    let mut bytes = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'\r' {
            if input.get(i + 1) != Some(&b'\n') {
                bytes.push(b'\n');
            }
        } else {
            bytes.push(input[i]);
        }
        i += 1;
    }
    let mut parser = Parser::new();
    let mut collector = Collector {
        out: String::with_capacity(bytes.len()),
    };
    parser.advance(&mut collector, &bytes);
    collector.out
}

/// Cleans text; returns it unchanged (and without allocating a parser) when it is already clean.
pub fn clean(input: &str) -> String {
    if is_clean(input) {
        return input.to_string();
    }
    clean_bytes(input.as_bytes())
}

/// Cleans a one-line field (a title, an owner): line breaks and tabs become spaces.
pub fn clean_line(input: &str) -> String {
    clean(input)
        .chars()
        .map(|c| if c == '\n' || c == '\t' { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_string()
}

pub fn is_clean(input: &str) -> bool {
    input.chars().all(|c| is_allowed(c) && c != '\u{1b}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_plain_text_newlines_tabs_and_unicode() {
        let s = "rolled back\tv2.3\nthen 😀 café 漢字 עברית";
        assert_eq!(clean(s), s);
    }

    #[test]
    fn strips_escape_sequences_whole() {
        let cases: &[(&str, &str)] = &[
            ("a\x1b[2Jb", "ab"),
            ("a\x1b[31mred\x1b[0m", "ared"),
            ("\x1b]0;pwned\x07title", "title"),
            ("\x1b]52;c;ZXZpbA==\x1b\\clip", "clip"),
            ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
            ("\x1bPq#0;2;0;0;0\x1b\\dcs", "dcs"),
            ("\x1b_apc payload\x1b\\apc", "apc"),
            ("bell\x07", "bell"),
            ("secret\rshown", "secret\nshown"),
            ("win\r\nline", "win\nline"),
            ("a\u{202E}evil", "aevil"),
            ("c1\u{9b}2J", "c12J"),
            ("c1\u{9d}0;x\u{9c}", "c10;x"),
        ];
        for (input, want) in cases {
            assert_eq!(&clean(input), want, "input {input:?}");
        }
    }

    #[test]
    fn invalid_utf8_becomes_replacement_characters() {
        let out = clean_bytes(b"ok \xff\x9b2J done");
        assert!(out.starts_with("ok "));
        assert!(out.ends_with("done"));
        assert!(is_clean(&out));
    }

    #[test]
    fn one_line_fields_lose_line_breaks() {
        assert_eq!(clean_line("  a\nb\tc \x1b[1m "), "a b c");
    }
}
