//! `debrief serve` with the real OpenSSH client (`ssh`, installed by .ci/run when missing): the
//! server on 127.0.0.1 at a free port the system picks (`--listen 127.0.0.1:0`, the port read
//! from what it prints), clients in pseudo-terminals of their own.

use crate::support::pty::{Console, Workspace, bin, find};
use portable_pty::CommandBuilder;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Child,
    port: u16,
    fingerprint: String,
}

impl Server {
    fn start(ws: &Workspace) -> Server {
        Server::start_with(ws, &[], &[])
    }

    fn start_with(ws: &Workspace, args: &[&str], env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(bin())
            .arg("--db")
            .arg(&ws.db)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .envs(env.iter().copied())
            .env_remove("DEBRIEF_DB")
            .env("DEBRIEF_AUTHOR", "server")
            .env("DEBRIEF_CONFIG", ws.config())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(ws.dir.path().join("server.log")).unwrap())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let (mut port, mut fingerprint) = (None, None);
        while port.is_none() || fingerprint.is_none() {
            let line = lines.next().expect("the server prints where it listens").unwrap();
            if let Some(addr) = line.strip_prefix("debrief serve: listening on ") {
                port = Some(addr.rsplit(':').next().unwrap().parse().unwrap());
            }
            if let Some(fp) = line.strip_prefix("host key fingerprint ") {
                fingerprint = Some(fp.to_string());
            }
        }
        // Whatever else it prints is read and dropped, so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server {
            child,
            port: port.unwrap(),
            fingerprint: fingerprint.unwrap(),
        }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: a plain kill(2) of our own child.
        unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require_ssh() {
    let found = Command::new("ssh").arg("-V").output().is_ok();
    assert!(
        found,
        "these tests need the OpenSSH client: apt-get install -y openssh-client"
    );
}

/// A new ed25519 key pair in the workspace: its private key file, and its public key's text.
fn new_key(ws: &Workspace, name: &str) -> (PathBuf, String) {
    let path = ws.dir.path().join(format!("key-{name}"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C"])
        .arg(format!("{name}@laptop"))
        .arg("-f")
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, public.trim().to_string())
}

fn allow(ws: &Workspace, name: &str, role: &str, incident: Option<i64>) -> PathBuf {
    let (key, public) = new_key(ws, name);
    let mut args = vec!["access", "add", name, "--key", &public, "--role", role];
    let id = incident.map(|i| i.to_string());
    if let Some(id) = &id {
        args.extend(["--incident", id]);
    }
    ws.run_ok("admin", &args);
    key
}

/// The options every client gets: this key only, no agent, no personal config, the host key
/// learnt on first use into the workspace's own known_hosts.
fn ssh_options(ws: &Workspace, server: &Server, key: &Path) -> Vec<String> {
    let known = ws.dir.path().join("known_hosts");
    [
        "-F",
        "/dev/null",
        "-p",
        &server.port.to_string(),
        "-i",
        &key.display().to_string(),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "IdentityAgent=none",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        &format!("UserKnownHostsFile={}", known.display()),
        "-o",
        "ConnectTimeout=10",
    ]
    .map(String::from)
    .to_vec()
}

/// `ssh -tt … USER@127.0.0.1` in a pty of its own: the review console, as a person would see it.
fn join(ws: &Workspace, server: &Server, key: &Path, user: &str) -> Console {
    join_as(ws, server, key, user, "xterm-256color")
}

/// [`join`] from a terminal of type `term`.
fn join_as(ws: &Workspace, server: &Server, key: &Path, user: &str, term: &str) -> Console {
    let mut cmd = CommandBuilder::new("ssh");
    cmd.arg("-tt");
    for o in ssh_options(ws, server, key) {
        cmd.arg(o);
    }
    cmd.arg(format!("{user}@127.0.0.1"));
    cmd.env("TERM", term);
    cmd.env_remove("NO_COLOR");
    Console::spawn(cmd)
}

/// `ssh … ARGS` without a terminal, to the end: its status and what it said on stderr.
fn ssh_plain(ws: &Workspace, server: &Server, key: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new("ssh");
    cmd.args(ssh_options(ws, server, key)).args(args);
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    let mut text = String::from_utf8_lossy(&out.stderr).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stdout));
    (out.status.code(), text)
}

fn incident(ws: &Workspace, title: &str) -> i64 {
    ws.run_ok("admin", &["new", title, "--zone", "UTC"])
        .trim()
        .parse()
        .unwrap()
}

fn query(ws: &Workspace, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Types an event into the open review: `a`, the text, Enter; waits until it is on the screen.
fn add_event(console: &mut Console, text: &str) {
    console.send("a");
    console.wait_for("Add event");
    console.send(&format!("10:00 {text}\r"));
    console.wait_for(text);
}

#[test]
fn an_allowed_key_joins_and_writes_under_its_name_whatever_user_name_the_client_sends() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let key = allow(&ws, "ana", "participant", None);
    let server = Server::start(&ws);
    assert!(server.fingerprint.starts_with("SHA256:"), "{}", server.fingerprint);
    let host_key = ws.dir.path().join("ssh_host_ed25519_key");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&host_key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the host key is the server's alone");

    let mut console = join(&ws, &server, &key, "mallory");
    console.wait_for("Payments outage");
    console.send("\r");
    console.wait_for(&format!("#{id} Payments outage"));
    add_event(&mut console, "typed over ssh");
    let authors = query(&ws, "SELECT author FROM events WHERE text LIKE '%typed over ssh%'");
    assert_eq!(
        authors,
        ["ana"],
        "the key's name, never the user name the client claimed"
    );
    let joins = query(
        &ws,
        "SELECT detail FROM history WHERE entity = 'session' AND op = 'join'",
    );
    assert!(
        joins.iter().any(|d| d.contains("ana") && d.contains("\"mallory\"")),
        "{joins:?}"
    );

    // Ctrl-C quits; the client's terminal is given back (main screen) and ssh ends.
    console.send("\x03");
    let exit = console.wait_exit(Duration::from_secs(10));
    assert_eq!(exit.and_then(|e| e.code()), Some(0), "ssh ends when the console does");
    assert!(
        !console.alternate_screen(),
        "the client's terminal is back on its main screen"
    );
}

#[test]
fn unknown_and_revoked_keys_are_refused_and_revoking_ends_a_live_session() {
    require_ssh();
    let ws = Workspace::new();
    incident(&ws, "Payments outage");
    let ben = allow(&ws, "ben", "facilitator", None);
    let (stranger, _) = new_key(&ws, "stranger");
    let server = Server::start(&ws);

    let (code, said) = ssh_plain(&ws, &server, &stranger, &["ana@127.0.0.1"]);
    assert_eq!(code, Some(255), "{said}");
    assert!(said.contains("Permission denied (publickey)"), "{said}");
    let refused = query(&ws, "SELECT detail FROM history WHERE op = 'refused'");
    assert!(
        refused
            .iter()
            .any(|d| d.contains("unknown key") && d.contains("127.0.0.1")),
        "{refused:?}"
    );

    let console = join(&ws, &server, &ben, "ben");
    console.wait_for("Payments outage");
    ws.run_ok("admin", &["access", "revoke", "ben"]);
    let started = Instant::now();
    console.wait_until("the session ended by revoking", |s| s.contains("Your key was revoked"));
    let took = started.elapsed();
    eprintln!("a revoked key's session ended {took:?} after `access revoke` returned");
    assert!(took < Duration::from_secs(5), "ended within seconds, took {took:?}");

    let (code, said) = ssh_plain(&ws, &server, &ben, &["ben@127.0.0.1"]);
    assert_eq!(
        code,
        Some(255),
        "a revoked key is refused at its next connection: {said}"
    );
    assert!(said.contains("Permission denied (publickey)"), "{said}");
}

#[test]
fn an_observer_looks_but_every_write_is_refused_and_nothing_is_stored() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let key = allow(&ws, "olga", "observer", Some(id));
    let server = Server::start(&ws);
    let history_before = query(&ws, "SELECT count(*) || '' FROM history WHERE entity <> 'session'");

    let mut console = join(&ws, &server, &key, "olga");
    console.wait_for(&format!("#{id} Payments outage"));
    console.send("a");
    console.wait_for("observer");
    // The form never opened: what follows is not an event either.
    console.send("10:00 should not be stored\r");
    std::thread::sleep(Duration::from_millis(500));
    assert!(!console.screen_text().contains("Add event"));
    assert_eq!(query(&ws, "SELECT text FROM events"), Vec::<String>::new());
    assert_eq!(
        query(&ws, "SELECT count(*) || '' FROM history WHERE entity <> 'session'"),
        history_before
    );
    console.send("x");
    let log = std::fs::read_to_string(ws.dir.path().join("server.log")).unwrap();
    console
        .wait_until_within(Duration::from_secs(10), "", |s| s.contains("Import and export are off"))
        .unwrap_or_else(|screen| panic!("{screen}\n{log}"));
}

#[test]
fn a_scoped_key_sees_its_incident_only() {
    require_ssh();
    let ws = Workspace::new();
    incident(&ws, "Secret other outage");
    let mine = incident(&ws, "Payments outage");
    let key = allow(&ws, "vendor", "participant", Some(mine));
    let server = Server::start(&ws);
    let mut console = join(&ws, &server, &key, "vendor");
    console.wait_for(&format!("#{mine} Payments outage"));
    console.send("A");
    console.wait_for(&format!("This key sees incident #{mine} only"));
    // Back from the review would be the list of every incident: the session ends instead.
    console.send("q");
    let exit = console.wait_exit(Duration::from_secs(10));
    assert!(exit.is_some(), "the session ended");
    let everything = String::from_utf8_lossy(&console.raw()).into_owned();
    assert!(
        !everything.contains("Secret other outage"),
        "another incident reached the client"
    );
}

#[test]
fn commands_subsystems_and_forwarding_are_refused() {
    require_ssh();
    let ws = Workspace::new();
    incident(&ws, "Payments outage");
    let key = allow(&ws, "ana", "facilitator", None);
    let server = Server::start(&ws);

    let (code, said) = ssh_plain(&ws, &server, &key, &["ana@127.0.0.1", "cat", "/etc/passwd"]);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("runs no commands"), "{said}");
    assert!(!said.contains("root:"), "{said}");

    let (code, said) = ssh_plain(&ws, &server, &key, &["-s", "ana@127.0.0.1", "sftp"]);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("no subsystem is served"), "{said}");

    let remote = [
        "-o",
        "ExitOnForwardFailure=yes",
        "-N",
        "-R",
        "0:127.0.0.1:9",
        "ana@127.0.0.1",
    ];
    let (code, said) = ssh_plain(&ws, &server, &key, &remote);
    assert_ne!(code, Some(0), "{said}");
    assert!(said.contains("forwarding failed"), "{said}");

    // -L: the client listens; each connection to it asks the server for a channel, refused.
    let local_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut forward = Command::new("ssh")
        .args(ssh_options(&ws, &server, &key))
        .args([
            "-N",
            "-L",
            &format!("{local_port}:127.0.0.1:{}", server.port),
            "ana@127.0.0.1",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let stream = loop {
        match std::net::TcpStream::connect(("127.0.0.1", local_port)) {
            Ok(s) => break s,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the forwarding client never listened: {e}"),
        }
    };
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 64];
    let got = std::io::Read::read(&mut &stream, &mut buf);
    assert!(
        matches!(got, Ok(0) | Err(_)),
        "nothing comes through a refused channel: {got:?}"
    );
    let _ = forward.kill();
    let out = forward.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("open failed"), "{said}");
}

#[test]
fn two_sessions_see_each_others_change_within_a_second() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let ana_key = allow(&ws, "ana", "facilitator", Some(id));
    let ben_key = allow(&ws, "ben", "participant", Some(id));
    let server = Server::start(&ws);
    let ana = join(&ws, &server, &ana_key, "ana");
    let ben = join(&ws, &server, &ben_key, "ben");
    ana.wait_for(&format!("#{id} Payments outage"));
    ben.wait_for(&format!("#{id} Payments outage"));
    let mut consoles = [ana, ben];
    for (from, text) in [(0, "seen by ben"), (1, "seen by ana")] {
        add_event(&mut consoles[from], text);
        let written = Instant::now();
        consoles[1 - from].wait_for(text);
        let took = written.elapsed();
        eprintln!("{text}: on the other screen {took:?} after the writer's");
        assert!(took <= Duration::from_secs(1), "{text}: {took:?}");
    }
}

#[test]
fn sigterm_tells_every_session_and_the_server_exits_within_two_seconds() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let key = allow(&ws, "ana", "facilitator", Some(id));
    let mut server = Server::start(&ws);
    let mut console = join(&ws, &server, &key, "ana");
    console.wait_for(&format!("#{id} Payments outage"));
    let sent = Instant::now();
    server.signal(libc::SIGTERM);
    let deadline = sent + Duration::from_secs(5);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not exit");
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = sent.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(took <= Duration::from_secs(2), "exited after {took:?}");
    console.wait_for("The review is closing");
    console.wait_exit(Duration::from_secs(10));
    assert!(!console.alternate_screen(), "the client's terminal is given back");
    let leaves = query(
        &ws,
        "SELECT author FROM history WHERE entity = 'session' AND op = 'leave'",
    );
    assert_eq!(leaves.len(), 1, "{leaves:?}");
}

#[test]
fn access_commands_check_what_they_are_given() {
    let ws = Workspace::new();
    let (_, public) = new_key(&ws, "ana");
    let run = |args: &[&str]| {
        Command::new(bin())
            .arg("--db")
            .arg(&ws.db)
            .args(args)
            .env_remove("DEBRIEF_DB")
            .output()
            .unwrap()
    };
    let bad = run(&["access", "add", "ana", "--key", "ssh-ed25519 notakey"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not an OpenSSH public key"));
    let bad = run(&["access", "add", "ana", "--key", &public, "--role", "admin"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("facilitator, participant or observer"));
    let bad = run(&["access", "add", "ana", "--key", &public, "--incident", "7"]);
    assert!(!bad.status.success(), "an incident that does not exist");
    assert!(ws.run_ok("admin", &["access", "list"]).contains("No keys yet"));

    let added = ws.run_ok("admin", &["access", "add", "ana", "--key", &public]);
    assert!(added.contains("as participant on every incident"), "{added}");
    let twice = run(&["access", "add", "ana2", "--key", &public]);
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already on the access list as \"ana\""));
    let list = ws.run_ok("admin", &["access", "list"]);
    assert!(
        list.contains("ana  participant  all incidents  SHA256:") && list.contains("ana@laptop"),
        "{list}"
    );
    let fingerprint = list
        .split_whitespace()
        .find(|w| w.starts_with("SHA256:"))
        .unwrap()
        .to_string();
    let revoked = ws.run_ok("admin", &["access", "revoke", &fingerprint]);
    assert!(revoked.contains("Revoked ana"), "{revoked}");
    let again = run(&["access", "revoke", "ana"]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("no key named"));
    let history = query(
        &ws,
        "SELECT op || ' by ' || author FROM history WHERE entity = 'access'",
    );
    assert_eq!(history, ["add by admin", "revoke by admin"]);
}

/// The history's session lines of one kind (join, leave, refused).
fn sessions(ws: &Workspace, op: &str) -> Vec<String> {
    query(
        ws,
        &format!("SELECT detail FROM history WHERE entity = 'session' AND op = '{op}' ORDER BY id"),
    )
}

fn wait_for_leave(ws: &Workspace, name: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if sessions(ws, "leave").iter().any(|d| d.starts_with(&format!("{name} "))) {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{name}'s session still runs after {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_frozen_client_is_ended_by_keepalives_and_a_killed_one_at_once() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let frozen_key = allow(&ws, "frozen", "participant", Some(id));
    let killed_key = allow(&ws, "killed", "participant", Some(id));
    let server = Server::start(&ws);
    let frozen = join(&ws, &server, &frozen_key, "frozen");
    let mut killed = join(&ws, &server, &killed_key, "killed");
    frozen.wait_for(&format!("#{id} Payments outage"));
    killed.wait_for(&format!("#{id} Payments outage"));
    let here = || query(&ws, "SELECT author FROM presence ORDER BY author");
    let deadline = Instant::now() + Duration::from_secs(10);
    while here() != ["frozen", "killed"] {
        assert!(Instant::now() < deadline, "both in presence: {:?}", here());
        std::thread::sleep(Duration::from_millis(100));
    }

    // SIGSTOP: the TCP connection stays open, nothing answers.
    frozen.signal(libc::SIGSTOP);
    killed.signal(libc::SIGKILL);
    killed.wait_exit(Duration::from_secs(10));
    let took = wait_for_leave(&ws, "killed", Duration::from_secs(10));
    eprintln!("a killed client's session ended {took:?} after");
    let took = wait_for_leave(&ws, "frozen", Duration::from_secs(45));
    eprintln!("a frozen client's session ended {took:?} after");
    assert!(
        took <= Duration::from_secs(30),
        "keepalives end it within 30 s, took {took:?}"
    );
    assert_eq!(here(), Vec::<String>::new(), "neither is shown as here any more");
    frozen.signal(libc::SIGCONT);
    assert_eq!(query(&ws, "PRAGMA integrity_check"), ["ok"]);
}

#[test]
fn a_panic_in_one_session_ends_that_session_only() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let ana_key = allow(&ws, "ana", "participant", Some(id));
    let bob_key = allow(&ws, "bob", "participant", Some(id));
    let server = Server::start_with(&ws, &[], &[("DEBRIEF_TEST_SESSION_PANIC", "bob")]);
    let mut ana = join(&ws, &server, &ana_key, "ana");
    ana.wait_for(&format!("#{id} Payments outage"));
    let mut bob = join(&ws, &server, &bob_key, "bob");
    bob.wait_for("internal error");
    bob.wait_exit(Duration::from_secs(10));
    assert!(!bob.alternate_screen(), "bob's terminal is given back");
    let raw = String::from_utf8_lossy(&bob.raw()).into_owned();
    assert!(
        raw.contains("\x1b[?1000l") && raw.contains("\x1b[?25h"),
        "mouse off, cursor shown"
    );
    // Ana goes on as before, and the server still takes new sessions.
    add_event(&mut ana, "still here after bob's crash");
    let mut again = join(&ws, &server, &ana_key, "ana");
    again.wait_for("still here after bob's crash");
    again.send("\x03");
    again.wait_exit(Duration::from_secs(10));
}

#[test]
fn one_session_more_than_the_maximum_is_refused_with_a_message() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let key = allow(&ws, "ana", "participant", Some(id));
    let server = Server::start_with(&ws, &["--max-sessions", "1"], &[]);
    let first = join(&ws, &server, &key, "ana");
    first.wait_for(&format!("#{id} Payments outage"));
    let mut second = join(&ws, &server, &key, "ana");
    second.wait_for("the review is full (1 sessions)");
    let exit = second.wait_exit(Duration::from_secs(10));
    assert_eq!(exit.and_then(|e| e.code()), Some(1));
}

/// `debrief invite ID NAME ARGS… --host 127.0.0.1 --port PORT`: the user name in the command it
/// prints (`invite-CODE`).
fn invite(ws: &Workspace, server: &Server, id: i64, name: &str, args: &[&str]) -> String {
    let port = server.port.to_string();
    let id = id.to_string();
    let mut all = vec!["invite", &id, name, "--host", "127.0.0.1", "--port", &port];
    all.extend(args);
    let line = ws.run_ok("admin", &all);
    let expected = format!("ssh -t -p {port} invite-");
    assert!(
        line.starts_with(&expected) && line.trim_end().ends_with("@127.0.0.1"),
        "{line}"
    );
    line.split_whitespace()
        .last()
        .unwrap()
        .trim_end_matches("@127.0.0.1")
        .to_string()
}

#[test]
fn an_invitation_works_once_and_not_after_it_expires() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let server = Server::start(&ws);
    let user = invite(&ws, &server, id, "vendor", &["--role", "observer"]);
    let (maria_key, _) = new_key(&ws, "maria");
    let mut console = join(&ws, &server, &maria_key, &user);
    console.wait_for(&format!("#{id} Payments outage"));
    console.send("a");
    console.wait_for("observer");
    console.send("\x03");
    console.wait_exit(Duration::from_secs(10));
    let list = ws.run_ok("admin", &["access", "list"]);
    assert!(
        list.contains(&format!("vendor  observer  incident #{id}  SHA256:")),
        "{list}"
    );
    // The code is spent: another key cannot use it, and the invited key no longer needs it.
    let (other, _) = new_key(&ws, "other");
    let (code, said) = ssh_plain(&ws, &server, &other, &[&format!("{user}@127.0.0.1")]);
    assert_eq!(code, Some(255), "{said}");
    let again = join(&ws, &server, &maria_key, "anything");
    again.wait_for(&format!("#{id} Payments outage"));
    let codes = query(&ws, "SELECT detail FROM history");
    let secret = user.trim_start_matches("invite-");
    assert!(
        codes.iter().all(|d| !d.contains(secret)),
        "the code is never written down"
    );

    let expired = invite(&ws, &server, id, "late", &["--for", "1s"]);
    std::thread::sleep(Duration::from_millis(1500));
    let (late_key, _) = new_key(&ws, "late");
    let (code, said) = ssh_plain(&ws, &server, &late_key, &[&format!("{expired}@127.0.0.1")]);
    assert_eq!(code, Some(255), "an expired code is refused: {said}");
    assert!(!ws.run_ok("admin", &["access", "list"]).contains("late"));
}

#[test]
fn one_invitation_presented_by_two_clients_at_once_lets_exactly_one_in() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let server = Server::start(&ws);
    let user = invite(&ws, &server, id, "guest", &[]);
    let (a, _) = new_key(&ws, "a");
    let (b, _) = new_key(&ws, "b");
    let mut first = join(&ws, &server, &a, &user);
    let mut second = join(&ws, &server, &b, &user);
    let deadline = Instant::now() + Duration::from_secs(15);
    let (mut in_a, mut in_b) = (false, false);
    let (mut gone_a, mut gone_b) = (None, None);
    while Instant::now() < deadline && !((in_a || gone_a.is_some()) && (in_b || gone_b.is_some())) {
        in_a |= first.screen_text().contains("Payments outage");
        in_b |= second.screen_text().contains("Payments outage");
        if gone_a.is_none() {
            gone_a = first.wait_exit(Duration::from_millis(20));
        }
        if gone_b.is_none() {
            gone_b = second.wait_exit(Duration::from_millis(20));
        }
    }
    assert!(in_a != in_b, "exactly one joins: a {in_a}, b {in_b}");
    let refused = if in_a { gone_b } else { gone_a };
    assert_eq!(refused.and_then(|e| e.code()), Some(255), "the other is refused");
    assert_eq!(query(&ws, "SELECT name FROM access"), ["guest"]);
}

#[test]
fn invite_checks_what_it_is_given() {
    let ws = Workspace::new();
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .arg("--db")
            .arg(&ws.db)
            .args(args)
            .env_remove("DEBRIEF_DB")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(run(&["invite", "1", "ana"]).contains("unknown incident 1"));
    let id = incident(&ws, "Payments outage").to_string();
    assert!(run(&["invite", &id, "ana", "--role", "facilitator"]).contains("participant or an observer"));
    assert!(run(&["invite", &id, "ana", "--for", "soon"]).contains("not a duration"));
    assert!(run(&["invite", &id, "ana", "--for", "1000d"]).contains("at most 90 days"));
    assert_eq!(query(&ws, "SELECT count(*) || '' FROM invitations"), ["0"]);
    let line = ws.run_ok("admin", &["invite", &id, "ana"]);
    assert!(line.starts_with("ssh -t -p 2222 invite-"), "{line}");
}

#[test]
fn twenty_sessions_see_a_change_within_a_second_and_a_frozen_one_slows_nobody() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let writer_key = allow(&ws, "ana", "facilitator", Some(id));
    let watcher_key = allow(&ws, "watchers", "observer", Some(id));
    let server = Server::start(&ws);
    let mut writer = join(&ws, &server, &writer_key, "ana");
    let watchers: Vec<Console> = (0..19).map(|_| join(&ws, &server, &watcher_key, "w")).collect();
    writer.wait_for(&format!("#{id} Payments outage"));
    for w in &watchers {
        w.wait_for_long(&format!("#{id} Payments outage"));
    }
    // One of them stops reading (its TCP connection stays open).
    watchers[0].signal(libc::SIGSTOP);
    for round in 0..3 {
        let text = format!("change number {round} for everyone");
        add_event(&mut writer, &text);
        let written = Instant::now();
        // Every screen is looked at in turn (no settling): when did the last one show it?
        let mut waiting: Vec<&Console> = watchers[1..].iter().collect();
        while !waiting.is_empty() {
            waiting.retain(|w| !w.screen_text().contains(&text));
            assert!(
                written.elapsed() < Duration::from_secs(30),
                "{} screens never showed {text:?}",
                waiting.len()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        let slowest = written.elapsed();
        eprintln!("{text}: on all 18 reading screens after {slowest:?}");
        assert!(
            slowest <= Duration::from_secs(1),
            "{text}: the slowest screen took {slowest:?}"
        );
    }
    watchers[0].signal(libc::SIGCONT);
}

#[test]
fn import_and_export_are_off_even_for_a_facilitator() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let key = allow(&ws, "ana", "facilitator", None);
    let server = Server::start(&ws);
    let files = || -> Vec<_> {
        let mut names: Vec<_> = std::fs::read_dir(ws.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let mut console = join(&ws, &server, &key, "ana");
    console.wait_for("Payments outage");
    console.send("\r");
    console.wait_for(&format!("#{id} Payments outage"));
    let before = files();
    for key in ["i", "x"] {
        console.send(key);
        console.wait_for("Import and export are off over SSH");
        // Had a form opened, this would be its file name.
        console.send("../../../root/.ssh/id_ed25519\r");
        std::thread::sleep(Duration::from_millis(300));
        let screen = console.screen_text();
        assert!(
            !screen.contains("Import events") && !screen.contains("Export to"),
            "{screen}"
        );
    }
    console.send("\x03");
    console.wait_exit(Duration::from_secs(10));
    assert_eq!(before, files(), "no file written beside the database");
}

#[test]
fn a_connection_that_never_authenticates_is_closed_after_the_login_grace() {
    use std::io::Read;
    let ws = Workspace::new();
    let server = Server::start(&ws);
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    silent.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let started = Instant::now();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    loop {
        match silent.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
        }
    }
    let took = started.elapsed();
    assert!(String::from_utf8_lossy(&seen).starts_with("SSH-2.0-"), "{seen:?}");
    assert!(took <= Duration::from_secs(40), "closed after {took:?}");
    assert!(took >= Duration::from_secs(10), "not before the grace: {took:?}");
}

/// The client's TERM decides what its session is sent, as for a local console: button-only mouse
/// reporting (never any-motion) on an xterm, ASCII and no mouse on a VT100, and a dumb terminal
/// is told why it cannot join, with its screen left alone.
#[test]
fn a_sessions_terminal_decides_what_it_is_sent() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments down");
    let key = allow(&ws, "ana", "participant", Some(id));
    let server = Server::start(&ws);
    let xterm = join_as(&ws, &server, &key, "ana", "xterm-256color");
    xterm.wait_for("Payments down");
    let raw = xterm.raw();
    assert!(
        find(&raw, b"\x1b[?1000h").is_some(),
        "clicks and the wheel are asked for"
    );
    assert!(
        find(&raw, b"\x1b[?1003h").is_none() && find(&raw, b"\x1b[?1002h").is_none(),
        "no motion reporting"
    );
    assert!(
        xterm.screen_text().contains('┏') || xterm.screen_text().contains('┌'),
        "box drawing on an xterm"
    );
    let vt100 = join_as(&ws, &server, &key, "ana", "vt100");
    let screen = vt100.wait_for("Payments down");
    assert!(find(&vt100.raw(), b"\x1b[?1000h").is_none(), "no mouse on a VT100");
    assert!(
        !screen.contains('┏') && !screen.contains('┌') && !screen.contains('━'),
        "ASCII on a VT100:\n{screen}"
    );
    let mut dumb = join_as(&ws, &server, &key, "ana", "dumb");
    let said = dumb.wait_for("full-screen terminal");
    assert!(said.contains("dumb"), "{said}");
    assert!(dumb.wait_exit(Duration::from_secs(10)).is_some(), "the session ends");
    assert!(find(&dumb.raw(), b"\x1b[?1049h").is_none(), "the screen was left alone");
}

#[test]
fn an_observer_does_not_see_internal_events() {
    require_ssh();
    let ws = Workspace::new();
    let id = incident(&ws, "Payments outage");
    let id_s = id.to_string();
    ws.run_ok("admin", &["log", "-i", &id_s, "09:58 shared with everyone"]);
    ws.run_ok("admin", &["log", "-i", &id_s, "--internal", "09:59 legal was paged"]);
    let observer = allow(&ws, "olga", "observer", Some(id));
    let member = allow(&ws, "ana", "participant", Some(id));
    let server = Server::start(&ws);

    let team = join(&ws, &server, &member, "ana");
    team.wait_for("legal was paged");
    let console = join(&ws, &server, &observer, "olga");
    console.wait_for("shared with everyone");
    std::thread::sleep(Duration::from_millis(300));
    let text = console.screen_text();
    assert!(
        !text.contains("legal was paged"),
        "an observer sees no internal event:\n{text}"
    );
}
