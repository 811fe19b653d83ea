//! An import running on its own thread, drawn as a popup with its progress.

use super::import_preview::{ImportPreview, Outcome, run_watched};
use crate::import::Watch;
use crate::store::Store;
use crate::tui::theme::Theme;
use crate::tui::view::{count, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};

/// The import thread's name; the panic hook leaves the terminal to the main thread.
pub const IMPORT_THREAD: &str = "debrief-import";
/// How long the import's connection waits for another process's write lock at a time.
const BUSY_STEP: std::time::Duration = std::time::Duration::from_millis(200);
/// How long quitting waits for a cancelled import to roll back.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// An import running on its own thread, with its own connection to the database file, so that
/// the console keeps drawing its progress and Esc can stop it (rolled back: nothing written).
pub struct RunningImport {
    pub shown: ImportPreview,
    pub watch: Arc<Watch>,
    result: mpsc::Receiver<Result<Outcome, String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RunningImport {
    /// Starts the import of what `shown` previewed into the database `store` has open, on a
    /// connection of its own to that very file (never one that has since taken its name).
    pub fn spawn(store: &Store, shown: ImportPreview) -> RunningImport {
        let watch = Arc::new(Watch {
            retry_busy: true,
            ..Watch::default()
        });
        let (tx, rx) = mpsc::channel();
        let (job, thread_watch) = (shown.clone(), watch.clone());
        let own = store.reopen(store.author());
        let thread = std::thread::Builder::new().name(IMPORT_THREAD.into()).spawn(move || {
            let result = own
                .and_then(|store| store.set_busy_timeout(BUSY_STEP).map(|()| store))
                .map_err(|e| e.to_string())
                .and_then(|store| run_watched(&store, &job, &thread_watch));
            let _ = tx.send(result);
        });
        let (rx, thread) = match thread {
            Ok(thread) => (rx, Some(thread)),
            Err(e) => {
                let (tx, rx) = mpsc::channel();
                let _ = tx.send(Err(format!("cannot start the import: {e}; nothing was imported")));
                (rx, None)
            }
        };
        RunningImport {
            shown,
            watch,
            result: rx,
            thread,
        }
    }

    /// The outcome, once the thread is done.
    pub fn poll(&mut self) -> Option<Result<Outcome, String>> {
        let outcome = match self.result.try_recv() {
            Ok(outcome) => outcome,
            Err(mpsc::TryRecvError::Empty) => return None,
            // The thread ended without a word: it panicked (the panic hook leaves the terminal
            // alone on this thread); its connection is gone, so the transaction rolled back.
            Err(mpsc::TryRecvError::Disconnected) => {
                let why = match self.thread.take().map(|t| t.join()) {
                    Some(Err(payload)) => payload
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| payload.downcast_ref::<String>().cloned())
                        .unwrap_or_default(),
                    _ => String::new(),
                };
                let why = crate::model::sanitize::clean_line(&why);
                Err(format!("the import stopped unexpectedly ({why}); nothing was imported"))
            }
        };
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        Some(outcome)
    }

    pub fn cancel(&self) {
        self.watch.cancel.store(true, Ordering::Relaxed);
    }

    pub fn cancelling(&self) -> bool {
        self.watch.cancel.load(Ordering::Relaxed)
    }

    /// Stops the import on the way out of the console: waits a moment for the thread to roll
    /// back, then leaves it (the process ends, and SQLite discards a transaction not committed).
    pub fn stop(&mut self) {
        self.cancel();
        if self.result.recv_timeout(STOP_WAIT).is_ok()
            && let Some(thread) = self.thread.take()
        {
            let _ = thread.join();
        }
    }

    pub fn render(&self, area: Rect, buf: &mut Buffer, theme: &Theme) {
        let total = self.shown.preview.summary.events.max(1);
        let done = self.watch.done.load(Ordering::Relaxed).min(total);
        let label = &self.shown.request.job.label;
        let (what, keys) = if self.cancelling() {
            ("Cancelling: rolling back…".to_string(), "")
        } else if done >= total {
            // Every line is in: what is left is the search index and the commit.
            (
                format!(
                    "Importing {label}: indexing {} for search…",
                    crate::tui::view::plural(total, "event")
                ),
                " Esc  cancel (nothing is written)",
            )
        } else {
            (
                format!(
                    "Importing {label}: {} of {}",
                    count(done),
                    crate::tui::view::plural(total, "event")
                ),
                " Esc  cancel (nothing is written)",
            )
        };
        let width = area.width.saturating_sub(4).min(70);
        let inner = crate::tui::widgets::menu::frame(area, buf, theme, "Import", width, 6);
        let rows = ratatui::layout::Layout::vertical([
            ratatui::layout::Constraint::Length(1),
            ratatui::layout::Constraint::Length(1),
            ratatui::layout::Constraint::Length(1),
            ratatui::layout::Constraint::Length(1),
        ])
        .split(inner);
        Line::from(Span::styled(truncate(&what, inner.width as usize), theme.base)).render(rows[0], buf);
        ratatui::widgets::LineGauge::default()
            .filled_style(theme.title)
            .unfilled_style(theme.muted)
            .ratio(done as f64 / total as f64)
            .render(rows[1], buf);
        Line::from(Span::styled(keys, theme.key_hint)).render(rows[3], buf);
    }
}
