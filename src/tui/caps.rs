//! What the terminal in front of a console can show, guessed from `TERM` and the locale (given
//! as values, never read from the process here: a remote session has its own), and the two
//! fallbacks that follow from it: a frame's symbols made ASCII ([`to_ascii`]) and its colour
//! codes written for 16-colour or mono terminals ([`SgrFilter`]).

use ratatui::buffer::Buffer;
use std::io::{self, Write};

/// The characters a console may draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// Box drawing, arrows, `▶`, `·`, `…`.
    Unicode,
    /// ASCII only: `+-|` borders, `>` markers; other characters become `?`.
    Ascii,
}

/// How colours are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colors {
    /// As crossterm writes them (`ESC[38;5;Nm`): terminals that know 256 colours.
    Full,
    /// The classic SGR codes (`ESC[36m`, `ESC[96m`): the Linux console and other 16-colour ones.
    Sixteen,
    /// None at all (a VT100): bold, underline and reverse only.
    Mono,
}

/// What the terminal can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    pub charset: Charset,
    pub colors: Colors,
    /// Whether mouse reporting is worth turning on (a VT100 or the Linux console has none).
    pub mouse: bool,
}

impl Default for Caps {
    fn default() -> Caps {
        Caps {
            charset: Charset::Unicode,
            colors: Colors::Full,
            mouse: true,
        }
    }
}

/// The terminal and locale as the environment names them: `TERM`, `LC_ALL`, `LC_CTYPE`, `LANG`.
#[derive(Debug, Clone, Default)]
pub struct TermEnv {
    pub term: Option<String>,
    pub lc_all: Option<String>,
    pub lc_ctype: Option<String>,
    pub lang: Option<String>,
}

impl TermEnv {
    /// The locale that decides the character set: the first set of `LC_ALL`, `LC_CTYPE`, `LANG`
    /// (POSIX's order); none means the C locale.
    pub fn ctype(&self) -> &str {
        [&self.lc_all, &self.lc_ctype, &self.lang]
            .into_iter()
            .flatten()
            .map(|s| s.as_str())
            .find(|s| !s.is_empty())
            .unwrap_or("C")
    }
}

/// Why the console cannot run on this terminal at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the console needs a full-screen terminal, and {what} is not one. From this shell: \
     `debrief list`, `debrief show ID`, `debrief log TEXT`, `debrief import FILE`, `debrief export ID`"
)]
pub struct NotFullScreen {
    /// `TERM=dumb`, or `TERM is not set`.
    pub what: String,
}

/// The terminal families that draw no box characters, know 16 colours at most and report no
/// mouse: the VT100 line (mono) and the Linux console (16 colours).
fn legacy(term: &str) -> Option<Colors> {
    let t = term.to_ascii_lowercase();
    if t.starts_with("vt") {
        Some(Colors::Mono)
    } else if t == "linux" || t.starts_with("linux-") || t == "ansi" || t.starts_with("cons") {
        Some(Colors::Sixteen)
    } else {
        None
    }
}

/// Whether a locale name says UTF-8 (`C.UTF-8`, `en_US.utf8`).
pub fn utf8_locale(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.contains("utf-8") || n.contains("utf8")
}

/// What a terminal of this `TERM` and locale can show; `charset` (the `--ascii` / `--unicode`
/// flags or the config's `charset`) overrides the guess of the character set.
pub fn detect(env: &TermEnv, charset: Option<Charset>) -> Result<Caps, NotFullScreen> {
    let term = env.term.as_deref().unwrap_or("").trim();
    if term.is_empty() {
        return Err(NotFullScreen {
            what: "a terminal without TERM".into(),
        });
    }
    if term.eq_ignore_ascii_case("dumb") {
        return Err(NotFullScreen {
            what: "TERM=dumb".into(),
        });
    }
    let old = legacy(term);
    let guess = if old.is_some() || !utf8_locale(env.ctype()) {
        Charset::Ascii
    } else {
        Charset::Unicode
    };
    Ok(Caps {
        charset: charset.unwrap_or(guess),
        colors: old.unwrap_or(Colors::Full),
        mouse: old.is_none(),
    })
}

/// The ASCII stand-in for one cell's symbol (always one column wide, as the original was).
fn ascii_symbol(symbol: &str) -> Option<&'static str> {
    let mut chars = symbol.chars();
    let c = chars.next()?;
    if c.is_ascii() && chars.next().is_none() {
        return None;
    }
    Some(match c {
        '·' | '•' | '●' | '◆' | '∙' | '★' => "*",
        '→' | '▶' | '▸' | '►' | '›' | '»' | '⇥' => ">",
        '←' | '◂' | '◀' | '‹' | '«' | '↵' | '⏎' => "<",
        '↑' | '▲' | '▴' => "^",
        '↓' | '▼' | '▾' => "v",
        '…' => "~",
        '—' | '–' | '‐' | '−' | '┄' | '┈' | '╌' | '─' | '━' | '═' | '╍' => "-",
        '│' | '┃' | '║' | '┆' | '┊' | '╎' | '▏' | '▕' => "|",
        '✓' | '✔' | '✕' | '✗' | '✘' | '×' => "x",
        '○' | '◯' | '◦' => "o",
        '◐' | '◑' => "%",
        '⚑' | '⚠' => "!",
        '█' | '▓' | '▒' | '▇' | '▆' | '▅' | '▄' | '▃' | '▂' | '▁' | '▀' => "#",
        '░' => ".",
        '\u{2500}'..='\u{257f}' => "+",
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{3000}' => " ",
        _ => "?",
    })
}

/// Replaces every symbol outside ASCII in a drawn frame by one that a terminal in the C locale
/// shows: borders become `+-|`, markers `>` and `*`, anything else (text in other scripts) `?`.
/// Columns stay where they were: a wide character's second cell is already blank.
pub fn to_ascii(buf: &mut Buffer) {
    for cell in &mut buf.content {
        if let Some(ascii) = ascii_symbol(cell.symbol()) {
            cell.set_symbol(ascii);
        }
    }
}

/// Writes what a console draws to `W`, rewriting colour codes for a 16-colour or mono terminal
/// (crossterm writes even the 16 basic colours as `ESC[38;5;Nm`). Everything else passes as it
/// is; an escape sequence split across writes is put together first.
pub struct SgrFilter<W: Write> {
    inner: W,
    colors: Colors,
    /// An escape sequence begun but not finished.
    pending: Vec<u8>,
}

impl<W: Write> SgrFilter<W> {
    pub fn new(inner: W, colors: Colors) -> SgrFilter<W> {
        SgrFilter {
            inner,
            colors,
            pending: Vec::new(),
        }
    }

    pub fn get_ref(&self) -> &W {
        &self.inner
    }

    /// A whole escape sequence: an SGR (`ESC [ … m`) rewritten, anything else as it was.
    fn sequence(&mut self) -> io::Result<()> {
        let seq = std::mem::take(&mut self.pending);
        let sgr = seq.len() >= 3 && seq[1] == b'[' && seq.ends_with(b"m");
        if !sgr {
            return self.inner.write_all(&seq);
        }
        let params = String::from_utf8_lossy(&seq[2..seq.len() - 1]).into_owned();
        match rewrite_sgr(&params, self.colors) {
            Some(kept) => write!(self.inner, "\x1b[{kept}m"),
            None => Ok(()),
        }
    }
}

/// The SGR parameters a 16-colour or mono terminal gets instead of `params`; `None` when
/// nothing is left (an empty `ESC[m` would reset every attribute).
fn rewrite_sgr(params: &str, colors: Colors) -> Option<String> {
    if colors == Colors::Full || params.is_empty() {
        return Some(params.to_string());
    }
    let nums: Vec<&str> = params.split(';').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < nums.len() {
        let p = nums[i];
        let extended = matches!(p, "38" | "48" | "58");
        if extended {
            let (color, used) = match nums.get(i + 1).copied() {
                Some("5") => (nums.get(i + 2).and_then(|n| n.parse::<u8>().ok()), 3),
                Some("2") => {
                    let rgb: Vec<u8> = nums.iter().skip(i + 2).take(3).filter_map(|n| n.parse().ok()).collect();
                    (rgb.get(..3).map(|c| nearest16(c[0], c[1], c[2])), 5)
                }
                _ => (None, 1),
            };
            i += used;
            if colors == Colors::Sixteen
                && p != "58"
                && let Some(n) = color.map(|c| if c >= 16 { reduce256(c) } else { c })
            {
                let base = if p == "38" { 30 } else { 40 };
                out.push(if n < 8 { base + n } else { base + 60 + n - 8 }.to_string());
            }
            continue;
        }
        let colour_reset = matches!(p, "39" | "49");
        let colour_code = matches!(p.parse::<u16>(), Ok(30..=37 | 40..=47 | 90..=97 | 100..=107));
        let keep = match colors {
            Colors::Mono => !(colour_reset || colour_code || p == "59"),
            _ => p != "59",
        };
        if keep {
            out.push(p.to_string());
        }
        i += 1;
    }
    (!out.is_empty()).then(|| out.join(";"))
}

/// One of the 16 colours for an RGB value: the nearest of their usual xterm values.
fn nearest16(r: u8, g: u8, b: u8) -> u8 {
    const PALETTE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let d = |(pr, pg, pb): (u8, u8, u8)| {
        let sq = |a: u8, b: u8| (i32::from(a) - i32::from(b)).pow(2);
        sq(r, pr) + sq(g, pg) + sq(b, pb)
    };
    (0..16u8).min_by_key(|i| d(PALETTE[usize::from(*i)])).unwrap_or(7)
}

/// One of the 16 colours for a colour of the 256-colour cube or grey ramp.
fn reduce256(n: u8) -> u8 {
    if n >= 232 {
        let v = 8 + (n - 232) * 10;
        return nearest16(v, v, v);
    }
    let n = n - 16;
    let level = |x: u8| if x == 0 { 0 } else { 55 + x * 40 };
    nearest16(level(n / 36), level((n / 6) % 6), level(n % 6))
}

impl<W: Write> Write for SgrFilter<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if self.colors == Colors::Full {
            return self.inner.write(bytes);
        }
        let mut plain_from = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if self.pending.is_empty() {
                if b == 0x1b {
                    self.inner.write_all(&bytes[plain_from..i])?;
                    self.pending.push(b);
                }
                continue;
            }
            self.pending.push(b);
            plain_from = i + 1;
            // ESC [ params… final byte (0x40–0x7e); any other escape ends after its second byte.
            let done = match self.pending.len() {
                2 => b != b'[',
                _ => (0x40..=0x7e).contains(&b),
            };
            if done || self.pending.len() > 64 {
                self.sequence()?;
            }
        }
        if self.pending.is_empty() {
            self.inner.write_all(&bytes[plain_from..])?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(term: Option<&str>, lang: Option<&str>) -> TermEnv {
        TermEnv {
            term: term.map(str::to_string),
            lang: lang.map(str::to_string),
            ..TermEnv::default()
        }
    }

    #[test]
    fn dumb_or_no_term_is_refused_naming_the_shell_commands() {
        for term in [None, Some(""), Some("dumb"), Some("DUMB")] {
            let err = detect(&env(term, Some("C.UTF-8")), None).unwrap_err();
            assert!(err.to_string().contains("full-screen terminal"), "{err}");
            assert!(err.to_string().contains("`debrief show ID`"), "{err}");
        }
    }

    #[test]
    fn legacy_terminals_and_c_locales_get_ascii() {
        let utf8 = Some("en_US.UTF-8");
        let caps = detect(&env(Some("xterm-256color"), utf8), None).unwrap();
        assert_eq!(caps, Caps::default());
        let vt = detect(&env(Some("vt100"), utf8), None).unwrap();
        assert_eq!((vt.charset, vt.colors, vt.mouse), (Charset::Ascii, Colors::Mono, false));
        let linux = detect(&env(Some("linux"), utf8), None).unwrap();
        assert_eq!(
            (linux.charset, linux.colors, linux.mouse),
            (Charset::Ascii, Colors::Sixteen, false)
        );
        for lang in [Some("POSIX"), Some("C"), None, Some("de_DE.ISO-8859-1")] {
            let caps = detect(&env(Some("xterm"), lang), None).unwrap();
            assert_eq!((caps.charset, caps.mouse), (Charset::Ascii, true), "{lang:?}");
        }
        // LC_ALL wins over LANG; an empty one does not count.
        let mut e = env(Some("xterm"), Some("C.UTF-8"));
        e.lc_all = Some("POSIX".into());
        assert_eq!(detect(&e, None).unwrap().charset, Charset::Ascii);
        e.lc_all = Some(String::new());
        e.lc_ctype = Some("en_GB.utf8".into());
        e.lang = Some("C".into());
        assert_eq!(detect(&e, None).unwrap().charset, Charset::Unicode);
        // The flags and the setting override the guess, both ways.
        let posix = env(Some("xterm"), Some("POSIX"));
        assert_eq!(
            detect(&posix, Some(Charset::Unicode)).unwrap().charset,
            Charset::Unicode
        );
        let vt = env(Some("vt220"), Some("C.UTF-8"));
        assert_eq!(detect(&vt, Some(Charset::Unicode)).unwrap().colors, Colors::Mono);
        assert_eq!(
            detect(&env(Some("xterm"), Some("C.UTF-8")), Some(Charset::Ascii))
                .unwrap()
                .charset,
            Charset::Ascii
        );
    }

    #[test]
    fn ascii_keeps_columns() {
        use ratatui::layout::Rect;
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "┏━▶·…✓漢x", ratatui::style::Style::new());
        to_ascii(&mut buf);
        let row: String = (0..12).map(|x| buf[(x, 0)].symbol().to_string()).collect();
        assert_eq!(row, "+->*~x? x   ");
        assert!(row.is_ascii());
    }

    fn filtered(colors: Colors, chunks: &[&[u8]]) -> String {
        let mut f = SgrFilter::new(Vec::new(), colors);
        for chunk in chunks {
            f.write_all(chunk).unwrap();
        }
        String::from_utf8(f.get_ref().clone()).unwrap()
    }

    #[test]
    fn sixteen_colours_get_the_classic_codes_even_split_across_writes() {
        let out = filtered(
            Colors::Sixteen,
            &[
                b"a\x1b[38;5;6m",
                b"b\x1b[",
                b"48;5;",
                b"14mc\x1b[1;38;2;255;0;0m",
                b"\x1b[59m\x1b[39m\x1b[2J",
            ],
        );
        assert_eq!(out, "a\x1b[36mb\x1b[106mc\x1b[1;91m\x1b[39m\x1b[2J");
        assert_eq!(filtered(Colors::Full, &[b"\x1b[38;5;6m"]), "\x1b[38;5;6m");
    }

    #[test]
    fn mono_drops_every_colour_but_keeps_the_rest() {
        let out = filtered(
            Colors::Mono,
            &[b"\x1b[38;5;6m\x1b[48;5;1mx\x1b[39m\x1b[49m\x1b[59m\x1b[0m\x1b[1;7m\x1b[?25l\x1b[31;4m"],
        );
        assert_eq!(out, "x\x1b[0m\x1b[1;7m\x1b[?25l\x1b[4m");
        assert_eq!(reduce256(196), 9);
        assert_eq!(reduce256(16), 0);
    }
}
