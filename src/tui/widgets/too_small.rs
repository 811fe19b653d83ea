//! What the console shows instead of its panes when the terminal is below the minimum.

use crate::tui::theme::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect, Size};
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Widget};

/// True when `area` is narrower or lower than `min`.
pub fn too_small(area: Rect, min: Size) -> bool {
    area.width < min.width || area.height < min.height
}

/// "terminal too small: need 60x16, have 40x10", centred, wrapped to whatever width there is.
pub struct TooSmall<'a> {
    min: Size,
    theme: &'a Theme,
}

impl<'a> TooSmall<'a> {
    pub fn new(min: Size, theme: &'a Theme) -> TooSmall<'a> {
        TooSmall { min, theme }
    }

    pub fn message(&self, have: Size) -> String {
        format!(
            "terminal too small: need {}x{}, have {}x{}",
            self.min.width, self.min.height, have.width, have.height
        )
    }
}

impl Widget for TooSmall<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        if area.is_empty() {
            return;
        }
        buf.set_style(area, self.theme.base);
        let width = usize::from(area.width);
        let mut lines: Vec<Line<'_>> = wrap(&self.message(area.as_size()), width)
            .into_iter()
            .map(|l| Line::styled(l, self.theme.warning))
            .collect();
        lines.extend(
            wrap("enlarge the window or use a smaller font", width)
                .into_iter()
                .map(|l| Line::styled(l, self.theme.muted)),
        );
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).min(area.height);
        let area = area.centered_vertically(Constraint::Length(height));
        Paragraph::new(Text::from(lines).centered()).render(area, buf);
    }
}

/// Greedy word wrap; a word longer than the width is cut, as there is nothing better to do.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word: String = word.chars().take(width).collect();
        if line.is_empty() {
            std::mem::swap(&mut line, &mut word);
        } else if line.chars().count() + 1 + word.chars().count() <= width {
            line.push(' ');
            line.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut line, word));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::{MIN_HEIGHT, MIN_WIDTH};
    use ratatui::{Terminal, backend::TestBackend};

    const MIN: Size = Size::new(MIN_WIDTH, MIN_HEIGHT);

    fn draw(width: u16, height: u16) -> Terminal<TestBackend> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
        let theme = Theme::dark();
        terminal
            .draw(|f| f.render_widget(TooSmall::new(MIN, &theme), f.area()))
            .unwrap();
        terminal
    }

    #[test]
    fn the_minimum_leaves_80x24_comfortable() {
        assert!(!too_small(Rect::new(0, 0, 80, 24), MIN));
        assert!(!too_small(Rect::new(0, 0, MIN_WIDTH, MIN_HEIGHT), MIN));
        assert!(too_small(Rect::new(0, 0, MIN_WIDTH - 1, 24), MIN));
        assert!(too_small(Rect::new(0, 0, 200, MIN_HEIGHT - 1), MIN));
    }

    #[test]
    fn says_what_it_needs_and_has() {
        insta::assert_snapshot!(draw(50, 7).backend());
        insta::assert_snapshot!("too_small_narrow", draw(18, 9).backend());
    }

    #[test]
    fn tiny_sizes_do_not_panic() {
        for (w, h) in [(0, 0), (1, 1), (3, 3), (0, 5), (5, 0), (1, 40)] {
            draw(w, h);
        }
    }
}
