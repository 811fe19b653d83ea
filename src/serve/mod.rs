//! `debrief serve`: the review over SSH. Each key on the access list (`debrief access`) joins
//! under its own name, with its role and scope; each session with a pty runs its own console
//! (`tui::console`) on a thread of its own, on its own connection to the database. Nothing else
//! is served: no shell, no commands, no forwarding, no SFTP.
//!
//! The security model: only public keys on the access list get in (no passwords, no
//! keyboard-interactive); the author of every change is the key's name, never the user name the
//! client sends; roles and scope are checked before each command runs (`policy`); a session never
//! touches the server's files (import and export are off); revoking a key ends its sessions.

mod console;
mod input;
mod policy;
mod session;

use crate::store::Store;
use crate::store::access::Access;
use anyhow::{Context, Result, anyhow};
use russh::ChannelWriteHalf;
use russh::keys::{HashAlg, PrivateKey};
use russh::server::Msg;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The host key's file name, next to the database unless `--host-key` says otherwise.
pub const HOST_KEY_FILE: &str = "ssh_host_ed25519_key";
/// A client that answers nothing (frozen, its link dropped) is asked this often…
const KEEPALIVE_EVERY: Duration = Duration::from_secs(6);
/// …and its connection ends after this many unanswered asks: within 24 s.
const KEEPALIVE_MAX: usize = 3;
/// Failed authentications allowed per address in [`FAILURE_WINDOW`].
const MAX_FAILURES: u32 = 20;
const FAILURE_WINDOW: Duration = Duration::from_secs(60);
/// How often the access list is read for the keys of live sessions (revoked: the session ends).
const ACCESS_CHECK: Duration = Duration::from_millis(400);
/// After SIGTERM, how long sessions get to say goodbye before the server exits.
const GOODBYE_WAIT: Duration = Duration::from_millis(1200);
/// A connection that has not authenticated within this is closed (OpenSSH's LoginGraceTime).
pub const LOGIN_GRACE: Duration = Duration::from_secs(20);
/// Connections at once, authenticated or not, per session allowed (and at least 64): past it,
/// a new one is closed at once.
const CONNECTIONS_PER_SESSION: usize = 4;

/// What `debrief serve` was asked.
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: SocketAddr,
    pub host_key: Option<PathBuf>,
    pub max_sessions: usize,
}

/// What every connection shares.
pub struct Shared {
    db: PathBuf,
    /// The server's own connection: the access list, and the history of joins and refusals.
    store: Mutex<Store>,
    stop: Arc<AtomicBool>,
    live: AtomicUsize,
    /// Open connections, authenticated or not.
    connections: AtomicUsize,
    max_sessions: usize,
    failures: Mutex<HashMap<IpAddr, (u32, Instant)>>,
    /// See [`console::TEST_PANIC_ENV`].
    test_panic: Option<String>,
    /// The keys of live sessions, and where to say that one was revoked or changed.
    watched: Mutex<Vec<(Access, std::sync::Weak<AtomicU8>)>>,
}

impl Shared {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lookup(&self, fingerprint: &str) -> Option<Access> {
        self.store().access_by_fingerprint(fingerprint).ok().flatten()
    }

    /// Where a session started now learns that its key was revoked or changed.
    fn watch_access(&self, who: &Access) -> Arc<AtomicU8> {
        let flag = Arc::new(AtomicU8::new(console::AccessChange::NONE));
        let mut watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
        watched.push((who.clone(), Arc::downgrade(&flag)));
        flag
    }

    /// Reads the access list once and tells each live session whose key is gone or changed.
    fn check_access(&self) {
        let Ok(list) = self.store().access_list() else {
            return; // busy or gone: asked again next time
        };
        let mut watched = self.watched.lock().unwrap_or_else(|p| p.into_inner());
        watched.retain(|(who, flag)| {
            let Some(flag) = flag.upgrade() else {
                return false; // the session has ended
            };
            let change = match list.iter().find(|a| a.fingerprint == who.fingerprint) {
                None => console::AccessChange::REVOKED,
                Some(now) if now != who => console::AccessChange::CHANGED,
                Some(_) => console::AccessChange::NONE,
            };
            flag.store(change, Ordering::Relaxed);
            true
        });
    }

    fn invitation_usable(&self, code_sha256: &str) -> bool {
        self.store().invitation_usable(code_sha256).unwrap_or(false)
    }

    /// Writes a join, a leave or a refusal into the history; a failure only goes to stderr.
    fn record(&self, incident: Option<i64>, op: &str, detail: &str) {
        let line = crate::model::sanitize::clean_line(detail);
        if let Err(e) = self.store().record_session(incident, op, &line) {
            let _ = writeln!(std::io::stderr(), "debrief serve: cannot record {op} ({line}): {e}");
        }
        let _ = writeln!(std::io::stderr(), "debrief serve: {op}: {line}");
    }

    fn failed(&self, peer: Option<SocketAddr>) {
        let Some(ip) = peer.map(|p| p.ip()) else { return };
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() > FAILURE_WINDOW {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    fn rate_limited(&self, peer: Option<SocketAddr>) -> bool {
        let Some(ip) = peer.map(|p| p.ip()) else { return false };
        let failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        failures
            .get(&ip)
            .is_some_and(|(n, since)| *n >= MAX_FAILURES && since.elapsed() <= FAILURE_WINDOW)
    }

    fn take_seat(&self) -> bool {
        self.live
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                (n < self.max_sessions).then_some(n + 1)
            })
            .is_ok()
    }

    fn leave_seat(&self) {
        self.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Gives the seat back however the session's thread ends (a panic included).
struct Seat(Arc<Shared>);

impl Drop for Seat {
    fn drop(&mut self) {
        self.0.leave_seat();
    }
}

/// Counts a connection while it is open.
struct Open(Arc<Shared>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The host key at `path`, created (ed25519, mode 0600) when there is none.
pub fn host_key(path: &Path) -> Result<(PrivateKey, bool)> {
    use std::os::unix::fs::OpenOptionsExt;
    match std::fs::read_to_string(path) {
        Ok(text) => {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(anyhow!(
                    "{} can be read by others (mode {mode:o}): anyone who reads it can pose as this server; \
                     `chmod 600` it, or remove it for a new one",
                    path.display()
                ));
            }
            let key = PrivateKey::from_openssh(text.as_bytes())
                .map_err(|e| anyhow!("{} is not an OpenSSH private key: {e}", path.display()))?;
            if key.is_encrypted() {
                return Err(anyhow!(
                    "{} is encrypted: the server needs a key without a passphrase",
                    path.display()
                ));
            }
            Ok((key, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            std::fs::File::open("/dev/urandom")
                .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut seed))
                .context("cannot read /dev/urandom for a new host key")?;
            let keypair = russh::keys::ssh_key::private::Ed25519Keypair::from_seed(&seed);
            let key = PrivateKey::from(keypair);
            let text = key
                .to_openssh(russh::keys::ssh_key::LineEnding::LF)
                .map_err(|e| anyhow!("cannot write the host key: {e}"))?;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("cannot create the host key {}", path.display()))?;
            file.write_all(text.as_bytes())
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write the host key {}", path.display()))?;
            Ok((key, true))
        }
        Err(e) => Err(anyhow!(e).context(format!("cannot read the host key {}", path.display()))),
    }
}

fn config(key: PrivateKey) -> russh::server::Config {
    russh::server::Config {
        keys: vec![key],
        methods: russh::MethodSet::from(&[russh::MethodKind::PublicKey][..]),
        auth_rejection_time: Duration::from_millis(500),
        auth_rejection_time_initial: Some(Duration::ZERO),
        max_auth_attempts: 6,
        // A quiet observer is no reason to end a session; a client that stopped answering is.
        inactivity_timeout: None,
        keepalive_interval: Some(KEEPALIVE_EVERY),
        keepalive_max: KEEPALIVE_MAX,
        nodelay: true,
        ..Default::default()
    }
}

/// Runs the server until SIGTERM, SIGINT or SIGHUP; then every session is told the review is
/// closing, ended, and the process exits (within 2 s).
pub fn run(store: Store, options: Options, out: &mut dyn Write) -> Result<()> {
    let db = store.path().to_path_buf();
    let key_path = match options.host_key.clone() {
        Some(p) => p,
        None => db.parent().unwrap_or(Path::new(".")).join(HOST_KEY_FILE),
    };
    let (key, created) = host_key(&key_path)?;
    let fingerprint = key.public_key().fingerprint(HashAlg::Sha256).to_string();
    let shared = Arc::new(Shared {
        db,
        store: Mutex::new(store),
        stop: Arc::new(AtomicBool::new(false)),
        live: AtomicUsize::new(0),
        connections: AtomicUsize::new(0),
        max_sessions: options.max_sessions.max(1),
        failures: Mutex::new(HashMap::new()),
        test_panic: std::env::var(console::TEST_PANIC_ENV).ok(),
        watched: Mutex::new(Vec::new()),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    let result = runtime.block_on(serve(shared, options.listen, key, |addr| {
        let made = if created { "created" } else { "kept" };
        writeln!(out, "debrief serve: listening on {addr}")?;
        writeln!(out, "host key {} ({made})", key_path.display())?;
        writeln!(out, "host key fingerprint {fingerprint}")?;
        writeln!(
            out,
            "join with: ssh -t -p {} NAME@HOST   (keys: debrief access add)",
            addr.port()
        )?;
        out.flush()
    }));
    runtime.shutdown_timeout(Duration::from_millis(300));
    result
}

async fn serve(
    shared: Arc<Shared>,
    listen: SocketAddr,
    key: PrivateKey,
    announce: impl FnOnce(SocketAddr) -> std::io::Result<()>,
) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("cannot listen on {listen}"))?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let mut hup = signal(SignalKind::hangup())?;
    announce(listener.local_addr()?)?;
    let config = Arc::new(config(key));
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    let max_connections = (shared.max_sessions * CONNECTIONS_PER_SESSION).max(64);
    let watcher = shared.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(ACCESS_CHECK);
        loop {
            every.tick().await;
            let shared = watcher.clone();
            let _ = tokio::task::spawn_blocking(move || shared.check_access()).await;
        }
    });
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((socket, peer)) = accepted else {
                    // Out of descriptors, say: try again a little later, not in a busy loop.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let open = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
                let guard = Open(shared.clone());
                if open > max_connections || shared.rate_limited(Some(peer)) {
                    continue; // the socket and the count go here
                }
                let _ = socket.set_nodelay(true);
                tokio::spawn(connection(shared.clone(), config.clone(), socket, peer, closing.clone(), guard));
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
            _ = hup.recv() => break,
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    let deadline = Instant::now() + GOODBYE_WAIT;
    while shared.live.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Each goodbye is on its way; then every connection is closed.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = closing_tx.send(true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    Ok(())
}

/// One connection: the SSH handshake and the session, closed if it has not authenticated within
/// [`LOGIN_GRACE`], or when the server closes.
async fn connection(
    shared: Arc<Shared>,
    config: Arc<russh::server::Config>,
    socket: tokio::net::TcpStream,
    peer: SocketAddr,
    mut closing: tokio::sync::watch::Receiver<bool>,
    _open: Open,
) {
    let grace = tokio::time::sleep(LOGIN_GRACE);
    tokio::pin!(grace);
    let handler = session::Connection::new(shared, Some(peer));
    let authenticated = handler.authenticated.clone();
    let session = tokio::select! {
        started = russh::server::run_stream(config, socket, handler) => match started {
            Ok(session) => session,
            Err(_) => return,
        },
        // A client that never says which SSH it speaks.
        _ = &mut grace => return,
        _ = closing.changed() => return,
    };
    let handle = session.handle();
    tokio::pin!(session);
    let mut graced = false;
    loop {
        tokio::select! {
            _ = &mut session => return,
            _ = &mut grace, if !graced => {
                graced = true;
                if !authenticated.load(Ordering::SeqCst) {
                    let why = "authentication took too long".to_string();
                    let _ = handle.disconnect(russh::Disconnect::ByApplication, why, String::new()).await;
                    return;
                }
            }
            _ = closing.changed() => {
                let why = "the review is closing".to_string();
                let _ = handle.disconnect(russh::Disconnect::ByApplication, why, String::new()).await;
                return;
            }
        }
    }
}

/// Starts a session's console on a thread of its own, and the task that sends its frames.
fn run_session(
    shared: Arc<Shared>,
    start: console::Start,
    writer: ChannelWriteHalf<Msg>,
    mut frames: tokio::sync::mpsc::Receiver<Vec<u8>>,
    detail: String,
) {
    let (done_tx, mut done_rx) = tokio::sync::oneshot::channel::<String>();
    tokio::spawn(async move {
        let mut ended = None;
        loop {
            tokio::select! {
                frame = frames.recv() => match frame {
                    Some(frame) => {
                        if writer.data_bytes(frame).await.is_err() {
                            return;
                        }
                    }
                    None => break,
                },
                message = &mut done_rx => {
                    ended = Some(message);
                    break;
                }
            }
        }
        // The console has ended (or is ending): what it drew last, then the goodbye.
        while let Ok(frame) = frames.try_recv() {
            let _ = tokio::time::timeout(Duration::from_millis(300), writer.data_bytes(frame)).await;
        }
        let message = match ended {
            Some(message) => message,
            None => done_rx.await,
        };
        let message = message.unwrap_or_else(|_| "The session has ended.".into());
        let bye = console::goodbye(&message);
        let _ = tokio::time::timeout(Duration::from_millis(500), writer.data_bytes(bye)).await;
        let _ = writer.exit_status(0).await;
        let _ = writer.eof().await;
        let _ = writer.close().await;
    });
    let incident = start.who.incident_id;
    let seat = Seat(shared.clone());
    let spawned = std::thread::Builder::new()
        .name("debrief-session".into())
        .spawn(move || {
            let _seat = seat;
            shared.record(incident, "join", &detail);
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| console::run(start)));
            let message = match outcome {
                Ok(Ok(message)) => message,
                Ok(Err(e)) => format!("The session ended: {e}"),
                Err(_) => "The session ended after an internal error; nothing else was affected.".into(),
            };
            shared.record(incident, "leave", &detail);
            let _ = done_tx.send(message);
        });
    if let Err(e) = spawned {
        let _ = writeln!(std::io::stderr(), "debrief serve: cannot start a session: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_authentications_are_limited_per_address() {
        let shared = Shared {
            db: PathBuf::new(),
            store: Mutex::new(Store::open_in_memory("server").unwrap()),
            stop: Arc::new(AtomicBool::new(false)),
            live: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            max_sessions: 2,
            failures: Mutex::new(HashMap::new()),
            test_panic: None,
            watched: Mutex::new(Vec::new()),
        };
        let (bad, good): (SocketAddr, SocketAddr) =
            ("10.0.0.1:5000".parse().unwrap(), "10.0.0.2:5000".parse().unwrap());
        for _ in 0..MAX_FAILURES {
            assert!(!shared.rate_limited(Some(bad)));
            shared.failed(Some(bad));
        }
        assert!(shared.rate_limited(Some(bad)), "the address that failed, from any port");
        assert!(!shared.rate_limited(Some(good)), "another address is not held up");
        assert!(shared.take_seat() && shared.take_seat());
        assert!(!shared.take_seat(), "no more sessions than the maximum");
        shared.leave_seat();
        assert!(shared.take_seat());
    }

    #[test]
    fn a_revoked_or_changed_key_is_told_to_its_live_sessions() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("review.db");
        let store = Store::open(&db, "server").unwrap();
        let add = |name: &str, fingerprint: &str| {
            store
                .add_access(&crate::store::access::NewAccess {
                    name: name.into(),
                    key: format!("ssh-ed25519 {name}"),
                    fingerprint: fingerprint.into(),
                    role: crate::store::access::AccessRole::Participant,
                    incident_id: None,
                    comment: String::new(),
                })
                .unwrap();
            store.access_by_fingerprint(fingerprint).unwrap().unwrap()
        };
        let (ana, ben) = (add("ana", "SHA256:a"), add("ben", "SHA256:b"));
        let shared = Shared {
            db,
            store: Mutex::new(Store::open(&dir.path().join("review.db"), "server").unwrap()),
            stop: Arc::new(AtomicBool::new(false)),
            live: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
            max_sessions: 2,
            failures: Mutex::new(HashMap::new()),
            test_panic: None,
            watched: Mutex::new(Vec::new()),
        };
        let (ana_flag, ben_flag) = (shared.watch_access(&ana), shared.watch_access(&ben));
        shared.check_access();
        assert_eq!(ana_flag.load(Ordering::Relaxed), console::AccessChange::NONE);
        store.revoke_access("ana").unwrap();
        store.revoke_access("ben").unwrap();
        add("ben", "SHA256:b-new");
        add("bob", "SHA256:b");
        shared.check_access();
        assert_eq!(ana_flag.load(Ordering::Relaxed), console::AccessChange::REVOKED);
        assert_eq!(
            ben_flag.load(Ordering::Relaxed),
            console::AccessChange::CHANGED,
            "same key, new name"
        );
        drop(ana_flag);
        shared.check_access();
        assert_eq!(shared.watched.lock().unwrap().len(), 1, "an ended session is forgotten");
    }

    #[test]
    fn a_host_key_is_created_once_with_mode_0600_and_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HOST_KEY_FILE);
        let (first, created) = host_key(&path).unwrap();
        assert!(created);
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let (again, created) = host_key(&path).unwrap();
        assert!(!created);
        assert_eq!(first.public_key(), again.public_key());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = host_key(&path).unwrap_err().to_string();
        assert!(e.contains("can be read by others (mode 644)"), "{e}");
        std::fs::write(&path, "not a key").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let e = host_key(&path).unwrap_err().to_string();
        assert!(e.contains("is not an OpenSSH private key"), "{e}");
    }
}
