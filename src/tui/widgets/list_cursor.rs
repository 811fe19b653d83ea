//! The selection in a list and the window that shows it: one way for every list of rows (the
//! incidents, the actions across incidents, the meeting's participants) to move and scroll.

use crate::tui::keymap::command::Command;

/// How far page up and page down move.
pub const PAGE: usize = 10;

/// The selected row of a list. Moves stay inside the list; the window drawn starts at
/// [`ListCursor::offset`], so the selection is always on screen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    selected: usize,
}

impl ListCursor {
    /// The selected row (it may be past the end of a list that shrank since; see [`clamp`]).
    ///
    /// [`clamp`]: ListCursor::clamp
    pub fn selected(self) -> usize {
        self.selected
    }

    /// Selects row `index` of a list of `len` rows (the last one when past the end).
    pub fn select(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }

    /// Keeps the selection inside a list of `len` rows.
    pub fn clamp(&mut self, len: usize) {
        self.select(self.selected, len);
    }

    /// Moves for up, down, page up, page down, top and bottom in a list of `len` rows; false
    /// (and no move) for any other command.
    pub fn on_command(&mut self, command: Command, len: usize) -> bool {
        let last = len.saturating_sub(1);
        self.selected = match command {
            Command::Up => self.selected.saturating_sub(1),
            Command::Down => self.selected.saturating_add(1).min(last),
            Command::PageUp => self.selected.saturating_sub(PAGE),
            Command::PageDown => self.selected.saturating_add(PAGE).min(last),
            Command::Top => 0,
            Command::Bottom => last,
            _ => return false,
        };
        true
    }

    /// The first row of a window of `height` rows that shows the selection (of a list of
    /// `len` rows).
    pub fn offset(self, height: usize, len: usize) -> usize {
        let selected = self.selected.min(len.saturating_sub(1));
        (selected + 1).saturating_sub(height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn moved(from: usize, command: Command, len: usize) -> usize {
        let mut c = ListCursor::default();
        c.select(from, len);
        assert!(c.on_command(command, len), "{command} moves");
        c.selected()
    }

    #[test]
    fn moves_stay_inside_the_list() {
        assert_eq!(moved(0, Command::Up, 5), 0);
        assert_eq!(moved(0, Command::Down, 5), 1);
        assert_eq!(moved(4, Command::Down, 5), 4);
        assert_eq!(moved(3, Command::PageUp, 50), 0);
        assert_eq!(moved(15, Command::PageUp, 50), 5);
        assert_eq!(moved(3, Command::PageDown, 50), 13);
        assert_eq!(moved(45, Command::PageDown, 50), 49);
        assert_eq!(moved(7, Command::Top, 50), 0);
        assert_eq!(moved(7, Command::Bottom, 50), 49);
        // An empty list: everything stays at 0.
        for command in [Command::Up, Command::Down, Command::PageDown, Command::Bottom] {
            assert_eq!(moved(0, command, 0), 0, "{command}");
        }
    }

    #[test]
    fn other_commands_do_not_move() {
        let mut c = ListCursor::default();
        c.select(2, 5);
        assert!(!c.on_command(Command::Select, 5));
        assert!(!c.on_command(Command::Add, 5));
        assert_eq!(c.selected(), 2);
    }

    #[test]
    fn the_window_follows_the_selection() {
        let mut c = ListCursor::default();
        assert_eq!(c.offset(3, 10), 0);
        c.select(2, 10);
        assert_eq!(c.offset(3, 10), 0, "still in the first window");
        c.select(3, 10);
        assert_eq!(c.offset(3, 10), 1);
        c.select(9, 10);
        assert_eq!(c.offset(3, 10), 7, "the last row at the bottom");
        assert_eq!(c.offset(0, 10), 10, "no room: past the selection");
    }

    #[test]
    fn a_list_that_shrank_is_clamped() {
        let mut c = ListCursor::default();
        c.select(8, 10);
        assert_eq!(c.offset(3, 4), 1, "drawn as if on the last row");
        c.clamp(4);
        assert_eq!(c.selected(), 3);
        c.clamp(0);
        assert_eq!(c.selected(), 0);
    }
}
