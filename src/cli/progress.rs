//! Progress of a long import on stderr when stderr is a terminal (#15): events so far, their
//! rate, the share of the file read and the time left. Nothing when stderr is not a terminal
//! (a pipe, a file, a script's capture): there the output is the result lines only.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{BufRead, IsTerminal, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A reader that counts the bytes taken from it (the bar's position in the file).
pub(super) struct Counted<R> {
    inner: R,
    taken: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.taken.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.inner.consume(amount);
        self.taken.fetch_add(amount as u64, Ordering::Relaxed);
    }
}

/// Runs `work` on `reader` (of `total` bytes, when known), showing its progress on stderr while
/// it runs if stderr is a terminal; `events` counts what `work` has read so far. The bar is
/// cleared when `work` ends, whatever its result.
pub(super) fn shown<R: BufRead + Send, T>(
    reader: R,
    total: Option<u64>,
    events: Option<&AtomicUsize>,
    work: impl FnOnce(Counted<R>) -> T,
) -> T {
    let taken = Arc::new(AtomicU64::new(0));
    let counted = Counted {
        inner: reader,
        taken: Arc::clone(&taken),
    };
    if !std::io::stderr().is_terminal() {
        return work(counted);
    }
    let bar = bar(total);
    let finished = AtomicBool::new(false);
    let start = Instant::now();
    let result = std::thread::scope(|scope| {
        let ticker = scope.spawn(|| {
            while !finished.load(Ordering::Relaxed) {
                let at = taken.load(Ordering::Relaxed);
                bar.set_position(at);
                let events = events.map(|e| e.load(Ordering::Relaxed));
                match (total, events) {
                    // All read: what is left is the search index and the commit.
                    (Some(len), Some(n)) if at >= len => {
                        bar.set_message(format!("{}, indexing and saving", crate::model::counted(n, "event")))
                    }
                    _ => bar.set_message(message(events, start.elapsed())),
                }
                std::thread::park_timeout(Duration::from_millis(100));
            }
        });
        let result = work(counted);
        finished.store(true, Ordering::Relaxed);
        ticker.thread().unpark();
        result
    });
    bar.finish_and_clear();
    result
}

/// The bar: a share of the file and the time left when its size is known, else a count.
fn bar(total: Option<u64>) -> ProgressBar {
    let target = ProgressDrawTarget::stderr_with_hz(10);
    let (bar, template) = match total {
        Some(len) => (
            ProgressBar::with_draw_target(Some(len), target),
            "{spinner} {msg}  [{wide_bar}] {percent:>3}%  {eta} left",
        ),
        None => (
            ProgressBar::with_draw_target(None, target),
            "{spinner} {msg}  {elapsed}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        // ASCII only: the command line may run where the locale is not UTF-8.
        bar.set_style(style.progress_chars("=> ").tick_chars("-\\|/ "));
    }
    bar.set_message(message(Some(0), Duration::ZERO));
    // Drawn once at the start, so that even a short import says what it is doing.
    bar.tick();
    bar
}

/// "12000 events, 98000/s": the count so far and its rate.
fn message(events: Option<usize>, elapsed: Duration) -> String {
    match events {
        Some(n) => {
            let secs = elapsed.as_secs_f64();
            let rate = if secs > 0.0 {
                (n as f64 / secs).round() as u64
            } else {
                0
            };
            format!("{}, {rate}/s", crate::model::counted(n, "event"))
        }
        None => "reading".to_string(),
    }
}
