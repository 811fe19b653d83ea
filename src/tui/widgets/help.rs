//! The `?` overlay: every key that works where the user is, from the same key map that
//! handles the keys, grouped "This pane" / "Global" / "Navigation" and filterable by typing.

use crate::tui::keymap::command::Command;
use crate::tui::keymap::{Binding, Context, KeyMap};
use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, StatefulWidget, Widget};
use unicode_width::UnicodeWidthStr;

/// The overlay's state: what is typed into the filter, and how far the list is scrolled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelpOverlay {
    pub filter: String,
    pub scroll: u16,
    /// A layer of keys under the context's own (the meeting agenda), listed as its own group.
    pub layer: Option<Context>,
    /// Lines visible at the last render, for PageUp/PageDown.
    page: u16,
}

impl HelpOverlay {
    pub fn new() -> HelpOverlay {
        HelpOverlay::default()
    }

    pub fn with_layer(self, layer: Option<Context>) -> HelpOverlay {
        HelpOverlay { layer, ..self }
    }

    /// Scrolls for the movement actions; false for any other action (Esc is the app's).
    pub fn on_command(&mut self, command: Command) -> bool {
        let page = self.page.max(1);
        self.scroll = match command {
            Command::Up => self.scroll.saturating_sub(1),
            Command::Down => self.scroll.saturating_add(1),
            Command::PageUp => self.scroll.saturating_sub(page),
            Command::PageDown => self.scroll.saturating_add(page),
            Command::Top => 0,
            // Clamped to the real end at the next render.
            Command::Bottom => u16::MAX,
            _ => return false,
        };
        true
    }

    /// Typing edits the filter; false for keys that are not typing.
    pub fn on_key(&mut self, key: &KeyEvent) -> bool {
        if key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) {
            return false;
        }
        match key.code {
            KeyCode::Char(c) => self.filter.push(c),
            KeyCode::Backspace => {
                self.filter.pop();
            }
            _ => return false,
        }
        self.scroll = 0;
        true
    }
}

/// Draws the overlay, centred over whatever is below, for the keys of `context`.
pub struct HelpView<'a> {
    keymap: &'a KeyMap,
    context: Context,
    layer: Option<Context>,
    theme: &'a Theme,
}

impl<'a> HelpView<'a> {
    pub fn new(keymap: &'a KeyMap, context: Context, theme: &'a Theme) -> HelpView<'a> {
        HelpView {
            keymap,
            context,
            layer: None,
            theme,
        }
    }

    /// Lists a layer's keys (the meeting agenda) as a group of their own.
    pub fn with_layer(self, layer: Option<Context>) -> HelpView<'a> {
        HelpView { layer, ..self }
    }

    /// The groups as shown, empty ones left out.
    fn groups(&self) -> Vec<(String, Vec<Binding>)> {
        let ctx = self.context;
        let bindings = self.keymap.bindings(ctx);
        let pick = |keep: &dyn Fn(&Binding) -> bool| -> Vec<Binding> {
            bindings
                .iter()
                .filter(|b| keep(b) && works_in(ctx, b.command))
                .cloned()
                .collect()
        };
        let this_pane = pick(&|b| b.from == ctx && ctx != Context::Global && !b.command.is_navigation());
        let global = pick(&|b| b.from == Context::Global && !b.command.is_navigation());
        let navigation = pick(&|b| b.command.is_navigation());
        let layer = self
            .layer
            .map(|l| (l.title().to_string(), self.keymap.layer_bindings(ctx, l)));
        [
            (format!("This pane — {}", ctx.title()), this_pane),
            layer.unwrap_or_default(),
            ("Global".to_string(), global),
            ("Navigation".to_string(), navigation),
        ]
        .into_iter()
        .filter(|(_, rows)| !rows.is_empty())
        .collect()
    }

    fn lines(&self, filter: &str) -> Vec<Line<'static>> {
        let groups = self.groups();
        let key_width = groups
            .iter()
            .flat_map(|(_, rows)| rows)
            .map(|b| b.keys.join(", ").width())
            .max()
            .unwrap_or(0)
            .min(16);
        let mut lines = Vec::new();
        for (title, rows) in groups {
            let rows: Vec<&Binding> = rows.iter().filter(|b| matches(b, filter)).collect();
            if rows.is_empty() {
                continue;
            }
            if !lines.is_empty() {
                lines.push(Line::default());
            }
            lines.push(Line::styled(title, self.theme.header));
            for binding in rows {
                let keys = binding.keys.join(", ");
                let pad = key_width.saturating_sub(keys.width()) + 2;
                let mut spans = vec![
                    Span::raw("  "),
                    Span::styled(keys, self.theme.key_hint),
                    Span::raw(" ".repeat(pad)),
                ];
                spans.extend(highlight(binding.description, filter, self.theme));
                lines.push(Line::from(spans));
            }
        }
        if lines.is_empty() {
            lines.push(Line::styled(format!("no key matches \"{filter}\""), self.theme.muted));
        }
        lines
    }

    fn filter_line(&self, filter: &str) -> Line<'static> {
        let close = self.keymap.keys_for(Context::Popup, Command::Back);
        let close = close.first().map_or("Esc", String::as_str);
        if filter.is_empty() {
            return Line::styled(format!("type to filter · {close} close"), self.theme.muted);
        }
        Line::from(vec![
            Span::styled("filter: ", self.theme.muted),
            Span::styled(filter.to_string(), self.theme.base),
            Span::styled("▏", self.theme.key_hint),
        ])
    }
}

/// Case-insensitive on the words, exact on the keys (so `G` finds "last item", `g` "first").
/// Whether a key bound in `ctx` (its own or inherited from [global]) does something there: the
/// incident list and the welcome screen have no incident open, so the keys that act on one
/// (meeting, export, history, edit, panes, zones) are not listed there; the welcome screen
/// has no list to move in either.
fn works_in(ctx: Context, command: Command) -> bool {
    use Command::*;
    let list = match ctx {
        Context::Home => true,
        Context::Welcome => false,
        _ => return true,
    };
    match command {
        Meeting | Export | History | EditIncident | CycleZone | Zoom | NextPane | PrevPane | FocusTimeline
        | FocusCauses | FocusActions | FocusMeeting | Left | Right => false,
        Up | Down | PageUp | PageDown | Top | Bottom | Select => list,
        _ => true,
    }
}

fn matches(binding: &Binding, filter: &str) -> bool {
    let needle = filter.trim().to_lowercase();
    needle.is_empty()
        || binding.description.to_lowercase().contains(&needle)
        || binding.command.name().replace('_', " ").contains(&needle)
        || binding.keys.iter().any(|k| k == filter.trim())
}

/// The description with the filter's match in the search-match style.
fn highlight(description: &'static str, filter: &str, theme: &Theme) -> Vec<Span<'static>> {
    let needle = filter.trim().to_ascii_lowercase();
    // ASCII lowercasing keeps byte offsets, so the match slices the original text.
    match description.to_ascii_lowercase().find(&needle) {
        Some(start) if !needle.is_empty() => {
            let end = start + needle.len();
            vec![
                Span::styled(&description[..start], theme.base),
                Span::styled(&description[start..end], theme.search_match),
                Span::styled(&description[end..], theme.base),
            ]
        }
        _ => vec![Span::styled(description, theme.base)],
    }
}

impl StatefulWidget for HelpView<'_> {
    type State = HelpOverlay;

    fn render(self, area: Rect, buf: &mut Buffer, state: &mut HelpOverlay) {
        if area.is_empty() {
            return;
        }
        // Sized for the unfiltered list, so the overlay keeps still while the user types.
        let all = self.lines("");
        let content_width = all.iter().map(Line::width).max().unwrap_or(0);
        let wanted_width = u16::try_from(content_width + 4).unwrap_or(u16::MAX).max(44);
        let wanted_height = u16::try_from(all.len() + 4).unwrap_or(u16::MAX);
        let lines = if state.filter.is_empty() {
            all
        } else {
            self.lines(&state.filter)
        };
        // Leave a margin so the overlay reads as a popup, when there is room for one.
        let room = if area.width >= 20 && area.height >= 10 {
            area.inner(ratatui::layout::Margin::new(2, 1))
        } else {
            area
        };
        let popup = area.centered(
            Constraint::Length(wanted_width.min(room.width)),
            Constraint::Length(wanted_height.min(room.height)),
        );
        Clear.render(popup, buf);

        let title = match self.context {
            Context::Global => " Keys ".to_string(),
            ctx => format!(" Keys — {} ", ctx.title()),
        };
        let block = self.theme.pane_block(title, true);
        let inner = block.inner(popup);
        let [filter_area, _, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Fill(1)]).areas(inner);

        let total = u16::try_from(lines.len()).unwrap_or(u16::MAX);
        state.page = body.height;
        state.scroll = state.scroll.min(total.saturating_sub(body.height));
        let block = if total > body.height && body.height > 0 {
            let first = state.scroll + 1;
            let last = (state.scroll + body.height).min(total);
            block.title_bottom(Line::from(format!(" {first}–{last} of {total} ")).right_aligned())
        } else {
            block
        };
        block.render(popup, buf);
        let filter_line = self.filter_line(&state.filter);
        Paragraph::new(filter_line).render(filter_area.inner(ratatui::layout::Margin::new(1, 0)), buf);
        Paragraph::new(lines)
            .scroll((state.scroll, 0))
            .render(body.inner(ratatui::layout::Margin::new(1, 0)), buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::{Color, Modifier};
    use ratatui::{Terminal, backend::TestBackend};

    /// Draws the overlay over a screen full of dots, so the snapshot shows what it covers.
    fn draw(size: (u16, u16), ctx: Context, theme: &Theme, state: &mut HelpOverlay) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
        let keymap = KeyMap::default_map();
        terminal
            .draw(|f| {
                let area = f.area();
                let dots = ".".repeat(usize::from(area.width));
                let below: Vec<Line<'_>> = (0..area.height).map(|_| Line::raw(dots.clone())).collect();
                f.render_widget(Paragraph::new(below), area);
                f.render_stateful_widget(HelpView::new(&keymap, ctx, theme), area, state);
            })
            .unwrap();
        terminal
    }

    fn find(terminal: &Terminal<TestBackend>, text: &str) -> (u16, u16) {
        let buf = terminal.backend().buffer();
        for y in 0..buf.area.height {
            let row: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            if let Some(byte) = row.find(text) {
                return (u16::try_from(row[..byte].chars().count()).unwrap(), y);
            }
        }
        panic!("{text:?} not on screen");
    }

    #[test]
    fn timeline_help_at_80x24() {
        let mut state = HelpOverlay::new();
        let terminal = draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        insta::assert_snapshot!("dark_timeline_80x24", terminal.backend());
        assert_eq!(state.scroll, 0);
    }

    #[test]
    fn timeline_help_at_160x45() {
        let mut state = HelpOverlay::new();
        let terminal = draw((160, 45), Context::Timeline, &Theme::dark(), &mut state);
        insta::assert_snapshot!("dark_timeline_160x45", terminal.backend());
    }

    #[test]
    fn mono_help_shows_focus_and_matches_without_colour() {
        let theme = Theme::mono();
        let mut state = HelpOverlay::new();
        let terminal = draw((80, 24), Context::Causes, &theme, &mut state);
        insta::assert_snapshot!("mono_causes_80x24", terminal.backend());
        let mut state = HelpOverlay::new();
        let terminal = draw((160, 45), Context::Causes, &theme, &mut state);
        insta::assert_snapshot!("mono_causes_160x45", terminal.backend());

        let buf = terminal.backend().buffer();
        let (x, y) = find(&terminal, "╔");
        assert_eq!(buf[(x, y)].fg, Color::Reset);
        assert!(buf[(x, y)].modifier.contains(Modifier::BOLD), "focused border is bold");
        let (x, y) = find(&terminal, "This pane");
        assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), (Color::Reset, Color::Reset));
        assert!(buf[(x, y)].modifier.contains(Modifier::BOLD | Modifier::UNDERLINED));

        let mut state = HelpOverlay {
            filter: "ruled".into(),
            ..HelpOverlay::new()
        };
        let terminal = draw((80, 24), Context::Causes, &theme, &mut state);
        let buf = terminal.backend().buffer();
        let (x, y) = find(&terminal, "ruled out");
        assert!(
            buf[(x, y)].modifier.contains(Modifier::REVERSED),
            "the match is reversed"
        );
        assert_eq!((buf[(x, y)].fg, buf[(x, y)].bg), (Color::Reset, Color::Reset));
        assert!(!buf[(x + 6, y)].modifier.contains(Modifier::REVERSED), "only the match");
    }

    #[test]
    fn typing_filters_and_shows_the_filter() {
        let mut state = HelpOverlay::new();
        for c in "add".chars() {
            assert!(state.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
        }
        let terminal = draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        insta::assert_snapshot!("dark_timeline_filtered", terminal.backend());
        state.on_key(&KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert_eq!(state.filter, "ad");
        state.filter = "zzz".into();
        let terminal = draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        find(&terminal, "no key matches \"zzz\"");
        state.filter = "G".into();
        let terminal = draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        find(&terminal, "last item");
        let ctrl = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert!(!state.on_key(&ctrl), "ctrl-c is not typing");
    }

    #[test]
    fn scrolls_within_the_list() {
        let mut state = HelpOverlay::new();
        draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        assert!(state.on_command(Command::Bottom));
        let terminal = draw((80, 24), Context::Timeline, &Theme::dark(), &mut state);
        insta::assert_snapshot!("dark_timeline_scrolled_to_end", terminal.backend());
        let bottom = state.scroll;
        assert!(bottom > 0 && bottom < 40, "clamped to the end: {bottom}");
        state.on_command(Command::PageUp);
        assert_eq!(state.scroll, bottom.saturating_sub(state.page));
        state.on_command(Command::Top);
        assert_eq!(state.scroll, 0);
        assert!(!state.on_command(Command::Add));
    }

    #[test]
    fn tiny_sizes_do_not_panic() {
        for size in [(0, 0), (1, 1), (3, 3), (2, 9), (9, 2), (80, 3), (12, 24)] {
            let mut state = HelpOverlay {
                scroll: 500,
                ..HelpOverlay::new()
            };
            draw(size, Context::Actions, &Theme::dark(), &mut state);
        }
    }
}
