//! The one-line key-hint bar, made from the same key map as the keys themselves:
//! `a add · e edit · d delete · ? help · q back`.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Context, KeyMap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthStr;

const SEPARATOR: &str = " · ";
const ELLIPSIS: &str = "…";

/// One hint: the first key of an action and a word or two.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub key: String,
    pub label: &'static str,
}

impl Hint {
    pub fn new(key: String, label: &'static str) -> Hint {
        Hint { key, label }
    }

    fn width(&self) -> usize {
        self.key.width() + 1 + self.label.width()
    }
}

/// The hints of a context: its own non-navigation actions in `Command::ALL` order, then the
/// pinned ones (help, back), which truncation keeps longest. Returns (hints, pinned count).
pub fn hints_for(keymap: &KeyMap, ctx: Context) -> (Vec<Hint>, usize) {
    hints_with_layer(keymap, ctx, None)
}

/// [`hints_for`] with a layer's own keys (the meeting agenda). On a pane the layer's keys come
/// first: in a meeting they matter most, so truncation keeps them. On the meeting's own screens
/// (attendance, wrap-up) that screen's keys come first.
pub fn hints_with_layer(keymap: &KeyMap, ctx: Context, layer: Option<Context>) -> (Vec<Hint>, usize) {
    hints_except(keymap, ctx, layer, &[])
}

/// The hints, leaving out `hidden` commands: those that do nothing where the user is (an ended
/// meeting's `end meeting`).
pub fn hints_except(keymap: &KeyMap, ctx: Context, layer: Option<Context>, hidden: &[Command]) -> (Vec<Hint>, usize) {
    const PINNED: [Command; 2] = [Command::Help, Command::Back];
    let hint = |command: Command| {
        keymap.keys_for(ctx, command).into_iter().next().map(|key| Hint {
            key,
            label: command.short_in(ctx),
        })
    };
    let own: Vec<Hint> = keymap
        .bindings(ctx)
        .iter()
        .filter(|b| b.from == ctx && !b.command.is_navigation())
        .filter(|b| b.command != Command::Quit && !PINNED.contains(&b.command))
        .filter(|b| !hidden.contains(&b.command))
        .filter_map(|b| hint(b.command))
        .collect();
    let layered: Vec<Hint> = layer
        .map(|layer| keymap.layer_bindings(ctx, layer))
        .unwrap_or_default()
        .into_iter()
        .filter(|b| !b.command.is_navigation() && !hidden.contains(&b.command))
        // Where the context has its own key for the same action, that one is shown.
        .filter(|b| {
            keymap
                .bindings(ctx)
                .iter()
                .all(|own| own.command != b.command || own.from != ctx)
        })
        .filter_map(|b| {
            b.keys.into_iter().next().map(|key| Hint {
                key,
                label: b.command.short_in(ctx),
            })
        })
        .collect();
    let mut hints = if matches!(ctx, Context::Meeting | Context::WrapUp) {
        [own, layered].concat()
    } else {
        [layered, own].concat()
    };
    if matches!(ctx, Context::Popup | Context::Menu) {
        hints.extend(hint(Command::Select));
    }
    let pinned: Vec<Hint> = PINNED.into_iter().filter_map(hint).collect();
    let count = pinned.len();
    hints.extend(pinned);
    (hints, count)
}

enum Piece<'a> {
    Hint(&'a Hint),
    Ellipsis,
}

fn width_of(pieces: &[Piece<'_>]) -> usize {
    let items: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Hint(h) => h.width(),
            Piece::Ellipsis => ELLIPSIS.width(),
        })
        .sum();
    items + SEPARATOR.width() * pieces.len().saturating_sub(1)
}

/// Chooses what fits in `width` columns: everything; else the first hints, `…`, and the
/// pinned ones; else as many pinned ones as fit, then `…`. A hint is never cut in half.
fn fit(hints: &[Hint], pinned: usize, width: usize) -> Vec<Piece<'_>> {
    let all: Vec<Piece<'_>> = hints.iter().map(Piece::Hint).collect();
    if width_of(&all) <= width {
        return all;
    }
    let (own, pinned) = hints.split_at(hints.len() - pinned.min(hints.len()));
    for keep in (0..own.len()).rev() {
        let mut pieces: Vec<Piece<'_>> = own[..keep].iter().map(Piece::Hint).collect();
        pieces.push(Piece::Ellipsis);
        pieces.extend(pinned.iter().map(Piece::Hint));
        if width_of(&pieces) <= width {
            return pieces;
        }
    }
    for keep in (0..pinned.len()).rev() {
        let mut pieces: Vec<Piece<'_>> = pinned[..keep].iter().map(Piece::Hint).collect();
        pieces.push(Piece::Ellipsis);
        if width_of(&pieces) <= width {
            return pieces;
        }
    }
    Vec::new()
}

/// The styled hint line for `width` columns.
pub fn hint_line(hints: &[Hint], pinned: usize, width: u16, theme: &Theme) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, piece) in fit(hints, pinned, usize::from(width)).iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(SEPARATOR, theme.muted));
        }
        match piece {
            Piece::Hint(hint) => {
                spans.push(Span::styled(hint.key.clone(), theme.key_hint));
                spans.push(Span::styled(format!(" {}", hint.label), theme.base));
            }
            Piece::Ellipsis => spans.push(Span::styled(ELLIPSIS, theme.muted)),
        }
    }
    Line::from(spans).style(theme.base)
}

/// The hint bar of a context, one line high.
pub struct HintBar<'a> {
    keymap: &'a KeyMap,
    ctx: Context,
    layer: Option<Context>,
    hidden: Vec<Command>,
    theme: &'a Theme,
}

impl<'a> HintBar<'a> {
    pub fn new(keymap: &'a KeyMap, ctx: Context, theme: &'a Theme) -> HintBar<'a> {
        HintBar {
            keymap,
            ctx,
            layer: None,
            hidden: Vec::new(),
            theme,
        }
    }

    /// Shows a layer's keys (the meeting agenda) first.
    pub fn with_layer(self, layer: Option<Context>) -> HintBar<'a> {
        HintBar { layer, ..self }
    }

    /// Leaves out commands that do nothing here.
    pub fn hiding(self, hidden: Vec<Command>) -> HintBar<'a> {
        HintBar { hidden, ..self }
    }
}

impl Widget for HintBar<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        let (hints, pinned) = hints_except(self.keymap, self.ctx, self.layer, &self.hidden);
        let area = Rect { height: 1, ..area };
        hint_line(&hints, pinned, area.width, self.theme).render(area, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Modifier;

    fn text(ctx: Context, width: u16) -> String {
        let (hints, pinned) = hints_for(&KeyMap::default_map(), ctx);
        let line = hint_line(&hints, pinned, width, &Theme::dark());
        assert!(line.width() <= usize::from(width), "{line} at {width}");
        line.to_string()
    }

    #[test]
    fn hints_per_context() {
        assert_eq!(
            text(Context::Causes, 200),
            "a add · e edit · d delete · s suspected · c confirmed · r ruled out · u unexamined · R accept risk · ? help · q back"
        );
        assert_eq!(
            text(Context::Home, 200),
            "d delete · / filter · n new incident · D demo · X archive · v archived · I insights · ? help · q quit"
        );
        assert_eq!(text(Context::Popup, 200), "Enter confirm · F1 help · Esc close");
    }

    #[test]
    fn meeting_mode_puts_the_agenda_keys_first() {
        let (hints, pinned) = hints_with_layer(&KeyMap::default_map(), Context::Timeline, Some(Context::Agenda));
        let line = hint_line(&hints, pinned, 200, &Theme::dark()).to_string();
        assert!(
            line.starts_with("] next step · [ prev step · D decisions · F end meeting · a add"),
            "{line}"
        );
        let (hints, pinned) = hints_with_layer(&KeyMap::default_map(), Context::Meeting, Some(Context::Agenda));
        let line = hint_line(&hints, pinned, 100, &Theme::dark()).to_string();
        assert!(
            line.starts_with("a add · e edit · d delete · w agreement · Space present · ] next step"),
            "{line}"
        );
    }

    #[test]
    fn truncation_at_widths() {
        let mut out = String::new();
        for width in [120, 80, 60, 40, 24, 16, 8, 2, 1, 0] {
            out.push_str(&format!("{width:>3} |{}|\n", text(Context::Timeline, width)));
        }
        insta::assert_snapshot!(out);
    }

    #[test]
    fn keys_and_labels_are_styled_apart() {
        let theme = Theme::mono();
        let (hints, pinned) = hints_for(&KeyMap::default_map(), Context::Timeline);
        let line = hint_line(&hints, pinned, 80, &theme);
        assert_eq!(line.spans[0].content, "a");
        assert!(line.spans[0].style.add_modifier.contains(Modifier::BOLD));
        assert_eq!(line.spans[1].content, " add");
        assert_eq!(line.spans[1].style, theme.base);
    }

    #[test]
    fn a_rebound_key_shows_in_the_hints() {
        let map = KeyMap::from_toml_patch("[timeline]\nadd = [\"i\"]\n[global]\nhelp = []").unwrap();
        let (hints, _) = hints_for(&map, Context::Timeline);
        assert_eq!(
            hints[0],
            Hint {
                key: "i".into(),
                label: "add"
            }
        );
        assert!(hints.iter().all(|h| h.label != "help"));
    }
}
