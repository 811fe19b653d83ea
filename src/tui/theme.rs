//! Colours as semantic roles. Panes ask for `theme.warning`, never for `Color::Yellow`, so a
//! theme can change how a role looks — or, in mono, show it without colour at all.

use crate::model::{ActionStatus, CauseState, Severity};
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, BorderType, Borders};

crate::model::name_table! {
    /// The themes, in the cycling order of `T`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ThemeName: name, label {
        Dark => "dark", "dark";
        Light => "light", "light";
        HighContrast => "high_contrast", "high contrast";
        Mono => "mono", "mono";
    }
}

/// How each role looks. Dark, light and high contrast use only the 16 ANSI colours (many SSH
/// terminals have no more); mono uses none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: ThemeName,
    pub base: Style,
    pub muted: Style,
    pub title: Style,
    pub focus_border: Style,
    pub unfocused_border: Style,
    /// Focus is also told by the border's shape, so it never rests on colour alone.
    pub focus_border_type: BorderType,
    pub unfocused_border_type: BorderType,
    pub selection: Style,
    /// Put before the selected row; `marker_blank` (as wide) before the others.
    pub marker: &'static str,
    pub marker_blank: &'static str,
    pub header: Style,
    pub key_hint: Style,
    pub warning: Style,
    pub error: Style,
    pub ok: Style,
    pub milestone: Style,
    /// SEV1 to SEV4.
    pub severities: [Style; 4],
    pub cause_unexamined: Style,
    pub cause_suspected: Style,
    pub cause_ruled_out: Style,
    pub cause_confirmed: Style,
    pub status_todo: Style,
    pub status_doing: Style,
    pub status_done: Style,
    pub overdue: Style,
    pub search_match: Style,
    /// A gap between timeline events.
    pub gap: Style,
}

fn fg(color: Color) -> Style {
    Style::new().fg(color)
}

const BOLD: Modifier = Modifier::BOLD;

impl Theme {
    /// A list row's style and marker: highlighted when selected in the focused pane; the
    /// marker shows the selection in any pane (and without colour).
    pub fn row(&self, selected: bool, focused: bool) -> (Style, &'static str) {
        let style = if selected && focused { self.selection } else { self.base };
        let marker = if selected { self.marker } else { self.marker_blank };
        (style, marker)
    }

    /// For dark backgrounds; the terminal's own foreground and background stay the base.
    pub fn dark() -> Theme {
        Theme {
            name: ThemeName::Dark,
            base: Style::new(),
            muted: fg(Color::DarkGray),
            title: fg(Color::Cyan).add_modifier(BOLD),
            focus_border: fg(Color::Cyan).add_modifier(BOLD),
            unfocused_border: fg(Color::DarkGray),
            focus_border_type: BorderType::Thick,
            unfocused_border_type: BorderType::Plain,
            selection: Style::new().fg(Color::Black).bg(Color::Cyan).add_modifier(BOLD),
            marker: "▶ ",
            marker_blank: "  ",
            header: fg(Color::Yellow).add_modifier(BOLD),
            key_hint: fg(Color::Cyan).add_modifier(BOLD),
            warning: fg(Color::Yellow),
            error: fg(Color::LightRed).add_modifier(BOLD),
            ok: fg(Color::Green),
            milestone: fg(Color::LightMagenta).add_modifier(BOLD),
            severities: [
                Style::new().fg(Color::White).bg(Color::Red).add_modifier(BOLD),
                fg(Color::LightRed).add_modifier(BOLD),
                fg(Color::Yellow),
                fg(Color::Gray),
            ],
            cause_unexamined: fg(Color::DarkGray),
            cause_suspected: fg(Color::Yellow).add_modifier(BOLD),
            cause_ruled_out: fg(Color::Green),
            cause_confirmed: fg(Color::LightRed).add_modifier(BOLD),
            status_todo: Style::new(),
            status_doing: fg(Color::Cyan),
            status_done: fg(Color::Green),
            overdue: fg(Color::LightRed).add_modifier(BOLD),
            search_match: Style::new().fg(Color::Black).bg(Color::Yellow),
            gap: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
        }
    }

    /// For light backgrounds: no yellow or cyan text, which fades on white.
    pub fn light() -> Theme {
        Theme {
            name: ThemeName::Light,
            base: Style::new(),
            muted: fg(Color::DarkGray),
            title: fg(Color::Blue).add_modifier(BOLD),
            focus_border: fg(Color::Blue).add_modifier(BOLD),
            unfocused_border: fg(Color::DarkGray),
            focus_border_type: BorderType::Thick,
            unfocused_border_type: BorderType::Plain,
            selection: Style::new().fg(Color::White).bg(Color::Blue).add_modifier(BOLD),
            header: fg(Color::Magenta).add_modifier(BOLD),
            key_hint: fg(Color::Blue).add_modifier(BOLD),
            warning: fg(Color::Magenta).add_modifier(BOLD),
            error: fg(Color::Red).add_modifier(BOLD),
            ok: fg(Color::Green),
            milestone: fg(Color::Magenta).add_modifier(BOLD),
            severities: [
                Style::new().fg(Color::White).bg(Color::Red).add_modifier(BOLD),
                fg(Color::Red).add_modifier(BOLD),
                fg(Color::Magenta),
                fg(Color::DarkGray),
            ],
            cause_unexamined: fg(Color::DarkGray),
            cause_suspected: fg(Color::Magenta).add_modifier(BOLD),
            cause_ruled_out: fg(Color::Green),
            cause_confirmed: fg(Color::Red).add_modifier(BOLD),
            status_todo: Style::new(),
            status_doing: fg(Color::Blue),
            status_done: fg(Color::Green),
            overdue: fg(Color::Red).add_modifier(BOLD),
            search_match: Style::new().fg(Color::Black).bg(Color::LightYellow),
            gap: fg(Color::DarkGray).add_modifier(Modifier::ITALIC),
            ..Theme::dark()
        }
    }

    /// For a screen shared on a video call: black background, bright bold colours, no dark
    /// grey (video compression smears it into the background).
    pub fn high_contrast() -> Theme {
        let b = |c: Color| fg(c).add_modifier(BOLD);
        Theme {
            name: ThemeName::HighContrast,
            base: Style::new().fg(Color::White).bg(Color::Black),
            muted: fg(Color::Gray),
            title: b(Color::LightCyan),
            focus_border: b(Color::LightYellow),
            unfocused_border: fg(Color::Gray),
            focus_border_type: BorderType::Double,
            unfocused_border_type: BorderType::Plain,
            selection: Style::new().fg(Color::Black).bg(Color::LightYellow).add_modifier(BOLD),
            header: b(Color::White).add_modifier(Modifier::UNDERLINED),
            key_hint: b(Color::LightCyan),
            warning: b(Color::LightYellow),
            error: b(Color::LightRed),
            ok: b(Color::LightGreen),
            milestone: b(Color::LightMagenta),
            severities: [
                Style::new().fg(Color::White).bg(Color::Red).add_modifier(BOLD),
                b(Color::LightRed),
                b(Color::LightYellow),
                b(Color::White),
            ],
            cause_unexamined: fg(Color::Gray),
            cause_suspected: b(Color::LightYellow),
            cause_ruled_out: b(Color::LightGreen),
            cause_confirmed: b(Color::LightRed),
            status_todo: b(Color::White),
            status_doing: b(Color::LightCyan),
            status_done: b(Color::LightGreen),
            overdue: b(Color::LightRed).add_modifier(Modifier::UNDERLINED),
            search_match: Style::new().fg(Color::Black).bg(Color::LightCyan).add_modifier(BOLD),
            gap: fg(Color::Gray).add_modifier(Modifier::ITALIC),
            ..Theme::dark()
        }
    }

    /// No colour at all (`NO_COLOR`): every style resets both colours, and what matters is
    /// told by bold, reverse and underline, the `▶` marker and the border shape.
    pub fn mono() -> Theme {
        let m = |modifier: Modifier| Style::new().fg(Color::Reset).bg(Color::Reset).add_modifier(modifier);
        let plain = m(Modifier::empty());
        Theme {
            name: ThemeName::Mono,
            base: plain,
            muted: plain,
            title: m(BOLD),
            focus_border: m(BOLD),
            unfocused_border: plain,
            focus_border_type: BorderType::Double,
            unfocused_border_type: BorderType::Plain,
            selection: m(Modifier::REVERSED | BOLD),
            marker: "▶ ",
            marker_blank: "  ",
            header: m(BOLD | Modifier::UNDERLINED),
            key_hint: m(BOLD),
            warning: m(BOLD | Modifier::UNDERLINED),
            error: m(BOLD | Modifier::REVERSED),
            ok: plain,
            milestone: m(BOLD),
            severities: [m(BOLD | Modifier::REVERSED), m(BOLD), plain, plain],
            cause_unexamined: plain,
            cause_suspected: m(BOLD),
            cause_ruled_out: plain,
            cause_confirmed: m(BOLD | Modifier::UNDERLINED),
            status_todo: plain,
            status_doing: m(BOLD),
            status_done: plain,
            overdue: m(BOLD | Modifier::UNDERLINED),
            search_match: m(Modifier::REVERSED),
            gap: plain,
        }
    }

    pub fn named(name: ThemeName) -> Theme {
        match name {
            ThemeName::Dark => Theme::dark(),
            ThemeName::Light => Theme::light(),
            ThemeName::HighContrast => Theme::high_contrast(),
            ThemeName::Mono => Theme::mono(),
        }
    }

    /// `dark`, `light`, `mono`, `high_contrast` (also `high-contrast`, `hc`), any case.
    pub fn by_name(name: &str) -> Option<Theme> {
        let wanted = name.trim().to_ascii_lowercase().replace('-', "_");
        let wanted = if wanted == "hc" { "high_contrast" } else { &wanted };
        ThemeName::ALL
            .iter()
            .find(|n| n.name() == wanted)
            .map(|n| Theme::named(*n))
    }

    /// The next theme in `ThemeName::ALL` order, for the `T` key.
    pub fn next(&self) -> Theme {
        let all = ThemeName::ALL;
        let i = all.iter().position(|n| *n == self.name).unwrap_or(0);
        Theme::named(all[(i + 1) % all.len()])
    }

    /// The theme a console starts with: mono when its `NO_COLOR` is set to anything but the
    /// empty string (no-color.org), else dark.
    pub fn for_env(env: &crate::tui::config::ConsoleEnv) -> Theme {
        Theme::from_no_color(env.no_color.as_deref())
    }

    pub fn from_no_color(no_color: Option<&std::ffi::OsStr>) -> Theme {
        match no_color {
            Some(v) if !v.is_empty() => Theme::mono(),
            _ => Theme::dark(),
        }
    }

    pub fn severity(&self, severity: Severity) -> Style {
        self.severities[usize::from(severity.number() - 1)]
    }

    pub fn cause_state(&self, state: CauseState) -> Style {
        match state {
            CauseState::Unexamined => self.cause_unexamined,
            CauseState::Suspected => self.cause_suspected,
            CauseState::RuledOut => self.cause_ruled_out,
            CauseState::Confirmed | CauseState::AcceptedRisk => self.cause_confirmed,
        }
    }

    pub fn action_status(&self, status: ActionStatus) -> Style {
        match status {
            ActionStatus::Todo => self.status_todo,
            ActionStatus::Doing => self.status_doing,
            ActionStatus::Done | ActionStatus::NotDoing => self.status_done,
        }
    }

    /// The marker for a row: `▶ ` when selected, blanks of the same width otherwise.
    pub fn marker_for(&self, selected: bool) -> &'static str {
        if selected { self.marker } else { self.marker_blank }
    }

    /// A bordered pane whose border says whether it has the focus.
    pub fn pane_block<'a>(&self, title: impl Into<ratatui::text::Line<'a>>, focused: bool) -> Block<'a> {
        let (style, border_type) = if focused {
            (self.focus_border, self.focus_border_type)
        } else {
            (self.unfocused_border, self.unfocused_border_type)
        };
        Block::new()
            .borders(Borders::ALL)
            .border_type(border_type)
            .border_style(style)
            .title(title)
            .title_style(if focused { self.title } else { self.muted })
            .style(self.base)
    }
}

impl Default for Theme {
    fn default() -> Self {
        Theme::dark()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A console's theme follows its own NO_COLOR, not the process's.
    #[test]
    fn each_console_s_no_color_chooses_its_theme() {
        use crate::tui::config::ConsoleEnv;
        let with = |v: Option<&str>| ConsoleEnv {
            no_color: v.map(Into::into),
            ..ConsoleEnv::default()
        };
        assert_eq!(Theme::for_env(&with(Some("1"))), Theme::mono());
        assert_eq!(Theme::for_env(&with(Some(""))), Theme::dark());
        assert_eq!(Theme::for_env(&with(None)), Theme::dark());
    }

    fn all_styles(t: &Theme) -> Vec<Style> {
        let mut styles = vec![
            t.base,
            t.muted,
            t.title,
            t.focus_border,
            t.unfocused_border,
            t.selection,
            t.header,
            t.key_hint,
            t.warning,
            t.error,
            t.ok,
            t.milestone,
            t.cause_unexamined,
            t.cause_suspected,
            t.cause_ruled_out,
            t.cause_confirmed,
            t.status_todo,
            t.status_doing,
            t.status_done,
            t.overdue,
            t.search_match,
            t.gap,
        ];
        styles.extend(t.severities);
        styles
    }

    #[test]
    fn mono_has_no_colour_and_marks_by_modifiers() {
        let t = Theme::mono();
        for style in all_styles(&t) {
            assert_eq!((style.fg, style.bg), (Some(Color::Reset), Some(Color::Reset)));
        }
        for style in [t.focus_border, t.selection, t.warning, t.error, t.overdue] {
            assert!(!style.add_modifier.is_empty(), "{style:?}");
        }
        assert!(t.selection.add_modifier.contains(Modifier::REVERSED));
        assert_ne!(t.focus_border_type, t.unfocused_border_type);
        assert_eq!(t.marker, "▶ ");
    }

    #[test]
    fn colour_themes_stay_within_the_16_ansi_colours() {
        let ansi16 = |c: Option<Color>| !matches!(c, Some(Color::Rgb(..) | Color::Indexed(_)));
        for name in ThemeName::ALL {
            for style in all_styles(&Theme::named(*name)) {
                assert!(ansi16(style.fg) && ansi16(style.bg), "{name:?}: {style:?}");
            }
        }
    }

    #[test]
    fn markers_have_the_same_width() {
        use unicode_width::UnicodeWidthStr;
        for name in ThemeName::ALL {
            let t = Theme::named(*name);
            assert_eq!(t.marker.width(), t.marker_blank.width());
        }
    }

    #[test]
    fn names_cycle_and_no_color_means_mono() {
        assert_eq!(Theme::by_name("High-Contrast").unwrap().name, ThemeName::HighContrast);
        assert_eq!(Theme::by_name("hc").unwrap().name, ThemeName::HighContrast);
        assert_eq!(Theme::by_name("solarized"), None);
        let mut t = Theme::dark();
        let mut seen = vec![];
        for _ in ThemeName::ALL {
            seen.push(t.name);
            t = t.next();
        }
        assert_eq!(seen, ThemeName::ALL);
        assert_eq!(t.name, ThemeName::Dark);
        assert_eq!(Theme::from_no_color(Some("1".as_ref())).name, ThemeName::Mono);
        assert_eq!(Theme::from_no_color(Some("".as_ref())).name, ThemeName::Dark);
        assert_eq!(Theme::from_no_color(None).name, ThemeName::Dark);
    }

    #[test]
    fn roles_by_domain_value() {
        let t = Theme::dark();
        assert_eq!(t.severity(Severity::Sev1), t.severities[0]);
        assert_eq!(t.severity(Severity::Sev4), t.severities[3]);
        assert_eq!(t.cause_state(CauseState::Confirmed), t.cause_confirmed);
        assert_eq!(t.action_status(ActionStatus::Done), t.status_done);
        assert_eq!(t.marker_for(false), "  ");
    }
}
