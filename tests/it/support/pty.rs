//! A harness for the real binary in a pseudo-terminal: spawn it at 80x24, feed what it writes
//! to a `vt100::Parser` (and keep the raw bytes), type keys, and wait for text on the screen.
//!
//! The master side is read and written through our own duplicates of its descriptor, polled
//! with a timeout, so that [`Console::hang_up`] can really close every master descriptor while
//! the child runs (portable-pty's reader would keep one open in a blocked read, and its writer
//! types Enter and ^D when dropped). The child is reaped with wait4(2), which also gives its CPU
//! time.

use portable_pty::{CommandBuilder, MasterPty, PtySize, native_pty_system};
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

pub const ROWS: u16 = 24;
pub const COLS: u16 = 80;
/// How long `wait_for` waits for text before it fails the test.
pub const WAIT: Duration = Duration::from_secs(10);
/// How long [`Console::wait_for_long`] waits: for work that grows with the input and slows with
/// the machine's load (a 100,000-event import while the other tests run beside it), a deadline,
/// never a speed requirement.
pub const LONG_WAIT: Duration = Duration::from_secs(120);
/// How long the output must be quiet before a matching screen counts as a whole frame.
pub const SETTLE: Duration = Duration::from_millis(30);

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_debrief")
}

/// A temporary directory with the database path and an empty config directory (so no
/// personal key map of whoever runs the tests is loaded).
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("review.db");
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        Workspace { dir, db }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("config")
    }

    /// The console (or any subcommand) in a pty: `debrief --db DB ARGS`.
    pub fn debrief(&self, author: &str, args: &[&str]) -> CommandBuilder {
        let mut cmd = CommandBuilder::new(bin());
        cmd.arg("--db");
        cmd.arg(&self.db);
        for a in args {
            cmd.arg(a);
        }
        self.env(&mut cmd, author);
        cmd
    }

    /// `sh -c SCRIPT debrief --db DB ARGS`: the script runs debrief as `"$0" "$@"`.
    pub fn shell(&self, author: &str, script: &str, args: &[&str]) -> CommandBuilder {
        let mut cmd = CommandBuilder::new("sh");
        cmd.arg("-c");
        cmd.arg(script);
        cmd.arg(bin());
        cmd.arg("--db");
        cmd.arg(&self.db);
        for a in args {
            cmd.arg(a);
        }
        self.env(&mut cmd, author);
        cmd
    }

    fn env(&self, cmd: &mut CommandBuilder, author: &str) {
        cmd.cwd(self.dir.path());
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("NO_COLOR");
        cmd.env_remove("DEBRIEF_DB");
        cmd.env_remove("DEBRIEF_TEST_PANIC");
        cmd.env("DEBRIEF_AUTHOR", author);
        cmd.env("DEBRIEF_CONFIG", self.config());
        cmd.env("TZ", "Europe/Berlin");
        cmd.env("LANG", "C.UTF-8");
        // The console reads the character set from the locale: whatever the test runner has.
        cmd.env_remove("LC_ALL");
        cmd.env_remove("LC_CTYPE");
    }

    /// A subcommand run plainly (no pty), e.g. `debrief log`; panics on failure.
    pub fn run_ok(&self, author: &str, args: &[&str]) -> String {
        let out = std::process::Command::new(bin())
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("DEBRIEF_DB")
            .env("DEBRIEF_AUTHOR", author)
            .env("DEBRIEF_CONFIG", self.config())
            .env("TZ", "Europe/Berlin")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "debrief {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// How the child ended, from wait4(2).
#[derive(Debug, Clone, Copy)]
pub struct Exit {
    pub status: libc::c_int,
    /// User plus system CPU time over the child's whole life.
    pub cpu: Duration,
    /// When the harness saw it (within its 10 ms polling).
    pub seen: Instant,
}

impl Exit {
    pub fn code(&self) -> Option<i32> {
        libc::WIFEXITED(self.status).then(|| libc::WEXITSTATUS(self.status))
    }
    pub fn signal(&self) -> Option<i32> {
        libc::WIFSIGNALED(self.status).then(|| libc::WTERMSIG(self.status))
    }
}

/// One process in a pseudo-terminal, its screen and everything it wrote.
pub struct Console {
    pub pid: libc::pid_t,
    master: Option<Box<dyn MasterPty + Send>>,
    writer: Option<File>,
    stop: Arc<AtomicBool>,
    reader: Option<JoinHandle<()>>,
    parser: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    exit: Option<Exit>,
}

fn dup(fd: std::os::fd::RawFd) -> File {
    // SAFETY: dup of a descriptor we hold open; the new one is ours alone.
    let new = unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) };
    assert!(new >= 0, "dup: {}", std::io::Error::last_os_error());
    // SAFETY: a fresh descriptor owned by nobody else.
    File::from(unsafe { OwnedFd::from_raw_fd(new) })
}

impl Console {
    pub fn spawn(cmd: CommandBuilder) -> Console {
        Console::spawn_sized(cmd, ROWS, COLS)
    }

    /// [`Console::spawn`] in a terminal of `rows` x `cols`.
    pub fn spawn_sized(cmd: CommandBuilder, rows: u16, cols: u16) -> Console {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let child = pair.slave.spawn_command(cmd).expect("spawn in the pty");
        // Only the child holds the slave side, so its exit (or our hang-up) is seen.
        drop(pair.slave);
        let pid = child.process_id().expect("a pid") as libc::pid_t;
        // Reaped with wait4 below; std's Child does nothing on drop.
        drop(child);
        let fd = pair.master.as_raw_fd().expect("a master fd");
        let writer = dup(fd);
        let mut reading = dup(fd);
        let parser = Arc::new(Mutex::new(vt100::Parser::new(rows, cols, 0)));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let reader = {
            let (parser, raw, stop) = (Arc::clone(&parser), Arc::clone(&raw), Arc::clone(&stop));
            std::thread::spawn(move || {
                use std::os::fd::AsRawFd;
                let mut buf = [0u8; 8192];
                while !stop.load(Ordering::SeqCst) {
                    let mut pfd = libc::pollfd {
                        fd: reading.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: one valid pollfd.
                    let n = unsafe { libc::poll(&mut pfd, 1, 20) };
                    if n <= 0 {
                        continue;
                    }
                    match reading.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            raw.lock().unwrap().extend_from_slice(&buf[..n]);
                            parser.lock().unwrap().process(&buf[..n]);
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        // EIO: nobody holds the slave side any more.
                        Err(_) => break,
                    }
                }
            })
        };
        Console {
            pid,
            master: Some(pair.master),
            writer: Some(writer),
            stop,
            reader: Some(reader),
            parser,
            raw,
            exit: None,
        }
    }

    /// Types keys (bytes as a terminal sends them: "\r" Enter, "\t" Tab, "\x1b" Esc).
    pub fn send(&mut self, keys: &str) {
        let w = self.writer.as_mut().expect("not hung up");
        w.write_all(keys.as_bytes()).unwrap();
        w.flush().unwrap();
    }

    pub fn screen_text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    pub fn raw(&self) -> Vec<u8> {
        self.raw.lock().unwrap().clone()
    }

    /// How many bytes the child has written so far.
    pub fn written(&self) -> usize {
        self.raw.lock().unwrap().len()
    }

    /// Waits until the output has been quiet for `quiet` (at most `limit`); how many bytes the
    /// child wrote by then.
    pub fn settle(&self, quiet: Duration, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        let mut len = self.written();
        let mut since = Instant::now();
        while Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            let now = self.written();
            if now != len {
                len = now;
                since = Instant::now();
            } else if since.elapsed() >= quiet {
                break;
            }
        }
        len
    }

    /// Whether the emulated terminal is on the alternate screen now.
    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    /// Waits until the screen shows `text`; returns the screen. Fails with the screen shown.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on the screen"), |s| s.contains(text))
    }

    /// [`Console::wait_for`] up to [`LONG_WAIT`].
    pub fn wait_for_long(&self, text: &str) -> String {
        let what = format!("{text:?} on the screen");
        self.wait_until_within(LONG_WAIT, &what, |s| s.contains(text))
            .unwrap_or_else(|screen| panic!("timed out waiting for {what}; the screen:\n{screen}"))
    }

    /// Waits until `ok(screen)`; fails the test after [`WAIT`], showing the screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_until_within(WAIT, what, ok)
            .unwrap_or_else(|screen| panic!("timed out waiting for {what}; the screen:\n{screen}"))
    }

    /// Waits up to `limit` for `ok(screen)`: the screen when it came, else the last screen.
    ///
    /// A frame can reach the emulator in several reads (more than one pty buffer, or a write cut
    /// short on a loaded machine), so a screen that matches is returned once the output has been
    /// quiet for [`SETTLE`]: the caller reads a whole frame, not the top of a new one over the
    /// bottom of the last. If the next frame no longer matches, the match is returned as it was
    /// (a passing state is still seen).
    pub fn wait_until_within(&self, limit: Duration, _what: &str, ok: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen_text();
            if ok(&screen) {
                let len = self.raw.lock().unwrap().len();
                std::thread::sleep(SETTLE);
                let later = self.screen_text();
                let quiet = self.raw.lock().unwrap().len() == len;
                if !ok(&later) {
                    return Ok(screen);
                }
                if quiet || Instant::now() >= deadline {
                    return Ok(later);
                }
                continue;
            }
            if Instant::now() >= deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Closes every master descriptor we hold: the terminal goes away under the child, as when
    /// an SSH link drops or the window is closed. The screen stops updating.
    pub fn hang_up(&mut self) {
        self.stop_reader();
        self.writer = None;
        self.master = None;
    }

    fn stop_reader(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(r) = self.reader.take() {
            r.join().expect("the reader thread");
        }
    }

    /// Waits for the reader to see the end of output (the child and its children exited), so
    /// `raw()` is complete.
    pub fn drain(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.reader.as_ref().is_some_and(|r| !r.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.stop_reader();
    }

    pub fn signal(&self, signal: libc::c_int) {
        assert!(self.exit.is_none(), "the child was already reaped");
        // SAFETY: our own child, not yet reaped, so the pid is still its.
        let rc = unsafe { libc::kill(self.pid, signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    /// Reaps the child if it has exited within `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<Exit> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(exit) = self.try_wait() {
                return Some(exit);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn try_wait(&mut self) -> Option<Exit> {
        if self.exit.is_none() {
            self.exit = reap(self.pid, libc::WNOHANG);
        }
        self.exit
    }

    /// User plus system CPU time so far, from /proc/PID/stat (clock ticks, so ±10 ms).
    pub fn cpu_so_far(&self) -> Duration {
        cpu_of(self.pid)
    }
}

fn reap(pid: libc::pid_t, flags: libc::c_int) -> Option<Exit> {
    let mut status = 0;
    // SAFETY: zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: our own child; valid out-pointers.
    let rc = unsafe { libc::wait4(pid, &mut status, flags, &mut usage) };
    if rc != pid {
        return None;
    }
    let tv = |t: libc::timeval| Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64);
    Some(Exit {
        status,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        seen: Instant::now(),
    })
}

/// utime + stime of a live process, from /proc/PID/stat.
pub fn cpu_of(pid: libc::pid_t) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The command name may hold spaces; fields are counted after its closing parenthesis.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // Fields 14 and 15 of the man page; `rest` starts at field 3.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

impl Drop for Console {
    fn drop(&mut self) {
        if self.exit.is_none() {
            // SAFETY: our own child, not yet reaped.
            unsafe { libc::kill(self.pid, libc::SIGKILL) };
            reap(self.pid, 0);
        }
        self.stop_reader();
    }
}

/// Where `needle` first occurs in `hay`.
pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Where `needle` last occurs in `hay`.
pub fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// The terminal was given back: each mode turned on was turned off again, after the last time
/// it was turned on (alternate screen, mouse capture, bracketed paste, hidden cursor).
pub fn assert_restored(raw: &[u8]) {
    assert!(rfind(raw, b"\x1b[?1000h").is_some(), "mouse capture was never entered");
    assert_restored_but_mouse(raw);
}

/// [`assert_restored`] for a console that may not have turned the mouse on at all (off in the
/// settings, or a terminal without it); if it did, it turned it off again.
pub fn assert_restored_but_mouse(raw: &[u8]) {
    let pairs: [(&str, &[u8], &[u8]); 4] = [
        ("the alternate screen", b"\x1b[?1049h", b"\x1b[?1049l"),
        ("mouse capture", b"\x1b[?1000h", b"\x1b[?1000l"),
        ("bracketed paste", b"\x1b[?2004h", b"\x1b[?2004l"),
        ("the hidden cursor", b"\x1b[?25l", b"\x1b[?25h"),
    ];
    let tail = String::from_utf8_lossy(&raw[raw.len().saturating_sub(400)..]).into_owned();
    for (what, on, off) in pairs {
        if on == b"\x1b[?1000h" && rfind(raw, on).is_none() {
            continue;
        }
        let entered = rfind(raw, on).unwrap_or_else(|| panic!("{what} was never entered; output ends {tail:?}"));
        let left = rfind(raw, off).unwrap_or_else(|| panic!("{what} was never left; output ends {tail:?}"));
        assert!(
            left > entered,
            "{what} was entered again after it was left; output ends {tail:?}"
        );
    }
    // Any-event and SGR mouse modes, which crossterm also turns on, are off too.
    for mode in ["1000", "1002", "1003", "1006"] {
        let on = format!("\x1b[?{mode}h");
        let off = format!("\x1b[?{mode}l");
        if let Some(entered) = rfind(raw, on.as_bytes()) {
            let left = rfind(raw, off.as_bytes()).unwrap_or(0);
            assert!(left > entered, "mouse mode {mode} left on; output ends {tail:?}");
        }
    }
}

/// `PRAGMA integrity_check` says ok.
pub fn assert_integrity(db: &Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let result: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(result, "ok", "integrity check of {}", db.display());
}
