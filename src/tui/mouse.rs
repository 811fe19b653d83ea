//! The mouse: what the console asks the terminal to report, and what it does with it.
//!
//! Only button events are reported (`?1000h`: press, release and the wheel, which terminals send
//! as buttons 4 and 5), in SGR encoding (`?1006h`). Never motion (`?1002h` drag, `?1003h` any
//! motion): every movement would cross a thin link, and a dropped link would leave the user's
//! terminal reporting every movement. Shift with a drag is the terminal's own selection in
//! xterm, GNOME Terminal, Konsole, kitty, iTerm2 and Windows Terminal.

/// Turns reporting on: button events, SGR encoding.
pub const REPORTING_ON: &str = "\x1b[?1000h\x1b[?1006h";
/// Turns off what [`REPORTING_ON`] turned on.
pub const REPORTING_OFF: &str = "\x1b[?1006l\x1b[?1000l";

/// The Mouse section of KEYS.md.
pub const MARKDOWN: &str = "### Mouse

The console asks the terminal for clicks and the wheel only, never for movements. Turn it off in
`config.toml` (`[console] mouse = false`); it is off on terminals without mouse reporting
(`TERM=vt100`, `linux`).

| Mouse | What it does |
|---|---|
| click a pane | focus it |
| click a row of the timeline or the cause checklist | select it |
| wheel over a pane | focus it and move up or down its list |
| wheel over the help or a menu | scroll it |
| `Shift` + drag | the terminal's own text selection (copy as usual) |
";
