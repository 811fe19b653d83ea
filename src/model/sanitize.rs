//! Cleaning of text that comes from outside (imports, pasted chat, logs, typing).
//!
//! Escape sequences are recognised by the `vte` parser (the same state machine terminals use), so
//! a CSI, OSC, DCS, APC, PM or SOS sequence is dropped whole, whatever terminates it. What remains
//! is filtered per character: C0 and C1 controls go (newline and tab stay), and so do the bidi
//! controls that can make text read differently from how it is stored, and every other
//! invisible format character (Unicode category Cf: the soft hyphen, zero-width spaces and
//! joiners, the BOM, tags…), which terminals draw in 0 or 1 columns while layout counts 1 or 0,
//! so a row that holds one no longer lines up. The line and paragraph separators (U+2028,
//! U+2029) become newlines.
//!
//! JSON output escapes rather than strips: [`escape_json`] and [`to_json_pretty`].

use vte::{Parser, Perform};

struct Collector {
    out: String,
}

impl Perform for Collector {
    fn print(&mut self, c: char) {
        if is_allowed(c) {
            self.out.push(c);
        } else if is_line_separator(c) {
            self.out.push('\n');
        }
    }
    fn execute(&mut self, byte: u8) {
        if byte == b'\n' || byte == b'\t' {
            self.out.push(byte as char);
        }
    }
}

fn is_allowed(c: char) -> bool {
    // Most text is ASCII: printable, newline and tab pass; other C0 controls and DEL do not.
    if c.is_ascii() {
        return matches!(c, ' '..='~' | '\n' | '\t');
    }
    let control = c.is_control();
    !control && !is_bidi_control(c) && !is_invisible_format(c) && !is_line_separator(c)
}

/// U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: line breaks no terminal agrees on.
fn is_line_separator(c: char) -> bool {
    matches!(c, '\u{2028}' | '\u{2029}')
}

/// Invisible format characters (Unicode general category Cf, as of Unicode 16), the bidi
/// controls among them: a soft hyphen, zero-width space, non-joiner and joiner, word joiner,
/// invisible operators, the byte order mark, interlinear annotation marks, tag characters…
/// Terminals draw them in 0 or 1 columns; `unicode-width` counts some as 1 (U+00AD), so a row
/// holding one would not line up.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{600}'..='\u{605}'
            | '\u{61C}'
            | '\u{6DD}'
            | '\u{70F}'
            | '\u{890}'..='\u{891}'
            | '\u{8E2}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{110BD}'
            | '\u{110CD}'
            | '\u{13430}'..='\u{1343F}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0001}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Characters a JSON document escapes as `\uXXXX` beyond what JSON itself requires (the C0
/// controls, which serde_json escapes in strings; outside them, a C0 character is the
/// document's own layout): DEL and the C1 controls, bidi controls, the other invisible format
/// characters and the line and paragraph separators. Escaped, they survive a round trip.
fn needs_json_escape(c: char) -> bool {
    (c.is_control() && c >= '\u{7f}') || is_invisible_format(c) || is_line_separator(c)
}

/// Escapes, in JSON text, every character that [`needs_json_escape`] (as `\uXXXX`, a surrogate
/// pair above U+FFFF). Outside its strings JSON is ASCII, so the whole text can be scanned.
pub fn escape_json(json: &str) -> String {
    if !json.chars().any(needs_json_escape) {
        return json.to_string();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if needs_json_escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `serde_json::to_string_pretty`, with [`escape_json`]: what every JSON the CLI prints or
/// exports goes through.
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(|s| escape_json(&s))
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

/// Whether cleaning keeps this character as it is.
pub fn is_clean_char(c: char) -> bool {
    is_allowed(c)
}

pub fn is_clean(input: &str) -> bool {
    // Printable ASCII, newlines and tabs first, a byte at a time (most log text is only that).
    input.bytes().all(|b| matches!(b, b' '..=b'~' | b'\n' | b'\t'))
        || input.chars().all(|c| is_allowed(c) && c != '\u{1b}')
}

/// [`clean`] of an owned string: kept as it is, without a copy, when it is already clean.
pub fn clean_owned(input: String) -> String {
    if is_clean(&input) {
        return input;
    }
    clean_bytes(input.as_bytes())
}

/// [`clean_line`] of an owned string: kept as it is, without a copy, when it is already one
/// clean line with nothing to trim.
pub fn clean_line_owned(input: String) -> String {
    let plain = is_clean(&input) && !input.contains(['\n', '\t']) && input.trim().len() == input.len();
    if plain { input } else { clean_line(&input) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Owned text already clean is kept without a copy (an import cleans a million lines);
    /// anything else is cleaned as `clean` and `clean_line` would.
    #[test]
    fn owned_text_is_kept_when_clean_and_cleaned_when_not() {
        let plain = String::from("upstream timeout after 3000ms — café");
        let at = plain.as_ptr();
        let kept = clean_owned(plain);
        assert_eq!(kept.as_ptr(), at, "no copy");
        let line = String::from("payments");
        let at = line.as_ptr();
        let kept = clean_line_owned(line);
        assert_eq!(kept.as_ptr(), at, "no copy");
        for dirty in [
            "a\u{1b}[31mred\u{1b}[0m",
            "x\ry",
            "bidi\u{202e}txt",
            "tab\there",
            " padded ",
            "two\nlines",
        ] {
            assert_eq!(clean_owned(dirty.to_string()), clean(dirty), "{dirty:?}");
            assert_eq!(clean_line_owned(dirty.to_string()), clean_line(dirty), "{dirty:?}");
        }
        assert!(is_clean("plain ascii\twith tab\n"));
        assert!(!is_clean("del\u{7f}"));
        assert!(!is_clean("esc\u{1b}"));
        assert!(is_clean("日本語 ok"));
    }

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
    fn invisible_format_characters_go_and_separators_become_newlines() {
        let cases: &[(&str, &str)] = &[
            ("soft\u{ad}hyphen", "softhyphen"),
            ("zero\u{200b}width\u{200c}\u{200d}\u{2060}\u{feff}", "zerowidth"),
            ("tag\u{e0001}\u{e0041}", "tag"),
            ("a\u{2028}b\u{2029}c", "a\nb\nc"),
        ];
        for (input, want) in cases {
            assert_eq!(&clean(input), want, "input {input:?}");
            assert!(!is_clean(input), "{input:?}");
            assert!(is_clean(want));
        }
        assert_eq!(clean_line("a\u{2028}b"), "a b");
    }

    #[test]
    fn json_escapes_c1_bidi_and_invisible_characters_and_round_trips() {
        let text = "csi\u{9b}2J rlo\u{202e}x soft\u{ad} del\u{7f} ls\u{2028} tag\u{e0041} ok ü 漢 😀";
        let json = to_json_pretty(&serde_json::json!({ "text": text, "esc": "\u{1b}[2J" })).unwrap();
        assert!(!json.chars().any(needs_json_escape), "{json}");
        for want in [
            "\\u009b",
            "\\u202e",
            "\\u00ad",
            "\\u007f",
            "\\u2028",
            "\\udb40\\udc41",
            "\\u001b",
        ] {
            assert!(json.contains(want), "{want} in {json}");
        }
        assert!(json.contains("ü 漢 😀"), "printable text stays as it is: {json}");
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["text"], text);
        assert_eq!(escape_json("plain"), "plain");
    }

    #[test]
    fn one_line_fields_lose_line_breaks() {
        assert_eq!(clean_line("  a\nb\tc \x1b[1m "), "a b c");
    }
}
