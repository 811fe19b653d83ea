//! What a console last put on its screen (see `console::draw`), kept by its `App`.

use ratatui::buffer::Buffer;

/// What a console last put on its screen, so that a frame equal to it is not sent again.
#[derive(Debug, Default)]
pub struct Painted {
    pub(crate) last: Option<Buffer>,
    /// The next frame clears the screen and draws everything (Ctrl-L).
    pub(crate) repaint: bool,
    /// Frames sent so far (a test reads it).
    pub(crate) frames: u64,
}

impl Painted {
    /// Asks for the next frame to clear the screen and draw everything again: whatever another
    /// program wrote over the console goes.
    pub fn repaint(&mut self) {
        self.repaint = true;
    }

    /// How many frames reached the terminal.
    pub fn frames(&self) -> u64 {
        self.frames
    }
}
