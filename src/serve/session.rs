//! One SSH connection: public-key authentication against the access list, one session channel
//! with a pty whose console runs on a thread of its own, and a refusal for everything else
//! (shell commands, subsystems such as SFTP, forwarding of ports, agents and X11).

use super::Shared;
use super::console::{FRAMES_QUEUED, Start};
use super::input::ToConsole;
use crate::model::sanitize::clean_line;
use crate::store::access::{Access, Spend, code_sha256};
use russh::keys::HashAlg;
use russh::server::{Auth, Handler, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelOpenFailure, ChannelWriteHalf, Pty};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Duration;

/// Bytes and window changes waiting for a console: a client typing faster than its console
/// reads waits (TCP pushes back), it loses nothing.
const INPUT_QUEUED: usize = 256;

pub struct Connection {
    pub shared: Arc<Shared>,
    pub peer: Option<SocketAddr>,
    /// The user name the client sent: only ever reported, never trusted.
    claimed: String,
    who: Option<Access>,
    channel: Option<ChannelState>,
    /// Set once a key got in (see `serve::LOGIN_GRACE`).
    pub authenticated: Arc<AtomicBool>,
}

struct ChannelState {
    id: ChannelId,
    writer: Option<ChannelWriteHalf<Msg>>,
    pty: Option<(String, u16, u16)>,
    no_color: Option<String>,
    /// LANG, LC_ALL and LC_CTYPE as the client sent them (they decide the character set).
    locale: crate::tui::caps::TermEnv,
    input: Option<SyncSender<ToConsole>>,
}

impl Connection {
    pub fn new(shared: Arc<Shared>, peer: Option<SocketAddr>) -> Connection {
        Connection {
            shared,
            peer,
            claimed: String::new(),
            who: None,
            channel: None,
            authenticated: Arc::new(AtomicBool::new(false)),
        }
    }

    fn address(&self) -> String {
        self.peer.map_or("an unknown address".into(), |p| p.ip().to_string())
    }

    fn refuse_key(&mut self, user: &str, fingerprint: &str, why: &str) -> Auth {
        self.shared.failed(self.peer);
        let detail = format!(
            "{why}: key {fingerprint} from {} (user name {:?})",
            self.address(),
            clean_line(user)
        );
        // Off the runtime's threads: the write may wait for another process's lock.
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || shared.record(None, "refused", &detail));
        Auth::reject()
    }

    /// Says why the request is refused on the channel's stderr, then closes it (exit status 1).
    fn refuse_request(&mut self, channel: ChannelId, text: &str, session: &mut Session) -> Result<(), anyhow::Error> {
        // The request is answered (a bare failure would leave OpenSSH saying only "exec
        // request failed"), then refused in words on stderr, with status 1, and closed.
        session.channel_success(channel)?;
        let line = format!("debrief: {text}\r\n");
        session.extended_data(channel, 1, line.into_bytes())?;
        session.exit_status_request(channel, 1)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }

    fn to_console(&self, message: ToConsole) -> Option<(SyncSender<ToConsole>, ToConsole)> {
        let tx = self.channel.as_ref()?.input.clone()?;
        Some((tx, message))
    }
}

/// Hands input to a console, waiting (without blocking the runtime) while its queue is full.
async fn deliver(target: Option<(SyncSender<ToConsole>, ToConsole)>) {
    let Some((tx, mut message)) = target else {
        return;
    };
    loop {
        match tx.try_send(message) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => return,
            Err(TrySendError::Full(back)) => {
                message = back;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

fn fingerprint(key: &russh::keys::PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// A window dimension the client reports: 0 means it did not say; more than [`MAX_CELLS`] is
/// taken as that many (the console's buffers grow with the window).
fn cells(n: u32, default: u16) -> u16 {
    if n == 0 { default } else { n.min(MAX_CELLS) as u16 }
}

/// The widest or tallest window a session is drawn for.
const MAX_CELLS: u32 = 500;

impl Handler for Connection {
    type Error = anyhow::Error;

    async fn auth_none(&mut self, _user: &str) -> Result<Auth, Self::Error> {
        Ok(Auth::Reject {
            proceed_with_methods: Some(russh::MethodSet::from(&[russh::MethodKind::PublicKey][..])),
            partial_success: false,
        })
    }

    async fn auth_publickey_offered(&mut self, user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        let fp = fingerprint(offer.public_key);
        if self.shared.rate_limited(self.peer) {
            return Ok(Auth::reject());
        }
        if let Some(code) = invitation_code(user) {
            // Any key may come with a code that can still be spent; the key is checked (its
            // signature) before the code is spent, in `auth_publickey`.
            return Ok(match self.shared.invitation_usable(&code_sha256(code)) {
                true => Auth::Accept,
                false => self.refuse_key("invite-…", &fp, "an invitation code spent, expired or unknown"),
            });
        }
        match self.shared.lookup(&fp) {
            Some(_) => Ok(Auth::Accept),
            None => Ok(self.refuse_key(user, &fp, "unknown key")),
        }
    }

    async fn auth_publickey(&mut self, user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        let fp = fingerprint(key.public_key);
        if let Some(code) = invitation_code(user) {
            return Ok(self.spend(code, key.public_key, &fp));
        }
        match self.shared.lookup(&fp) {
            Some(access) => {
                self.claimed = clean_line(user);
                self.who = Some(access);
                self.authenticated.store(true, Ordering::SeqCst);
                Ok(Auth::Accept)
            }
            None => Ok(self.refuse_key(user, &fp, "unknown key")),
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channel.is_some() || self.who.is_none() {
            reply.reject(ChannelOpenFailure::AdministrativelyProhibited).await;
            return Ok(());
        }
        // What the client types arrives through `data` below; the channel's own reader is
        // not kept, so that nothing queues there unread.
        let (_reader, writer) = channel.split();
        self.channel = Some(ChannelState {
            id: writer.id(),
            writer: Some(writer),
            pty: None,
            no_color: None,
            locale: crate::tui::caps::TermEnv::default(),
            input: None,
        });
        reply.accept().await;
        Ok(())
    }

    async fn channel_open_direct_tcpip(
        &mut self,
        _channel: Channel<Msg>,
        _host: &str,
        _port: u32,
        _from: &str,
        _from_port: u32,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.reject(ChannelOpenFailure::AdministrativelyProhibited).await;
        Ok(())
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        term: &str,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channel.as_mut() {
            Some(state) if state.id == channel && state.input.is_none() => {
                let term: String = clean_line(term).chars().take(64).collect();
                state.pty = Some((term, cells(cols, 80), cells(rows, 24)));
                session.channel_success(channel)?;
            }
            _ => session.channel_failure(channel)?,
        }
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Only the language and colour wishes of the client's terminal are taken: LANG, LC_ALL
        // and LC_CTYPE decide the character set (a non-UTF-8 locale gets ASCII), NO_COLOR turns
        // colour off; the other LC_* change nothing (the console speaks English).
        let accepted = name == "LANG" || name.starts_with("LC_") || name == "NO_COLOR";
        match self.channel.as_mut() {
            Some(state) if accepted && state.id == channel && value.len() <= 256 => {
                let value = Some(value.to_string());
                match name {
                    "NO_COLOR" => state.no_color = value,
                    "LANG" => state.locale.lang = value,
                    "LC_ALL" => state.locale.lc_all = value,
                    "LC_CTYPE" => state.locale.lc_ctype = value,
                    _ => {}
                }
                session.channel_success(channel)?;
            }
            _ => session.channel_failure(channel)?,
        }
        Ok(())
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        let Some(who) = self.who.clone() else {
            return self.refuse_request(channel, "not authenticated", session);
        };
        let Some(state) = self.channel.as_mut().filter(|s| s.id == channel && s.input.is_none()) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        let Some((term, cols, rows)) = state.pty.clone() else {
            let text = "the review console needs a terminal: connect with `ssh -t`";
            return self.refuse_request(channel, text, session);
        };
        if !self.shared.take_seat() {
            let text = format!(
                "the review is full ({} sessions): try again later",
                self.shared.max_sessions
            );
            return self.refuse_request(channel, &text, session);
        }
        let Some(writer) = state.writer.take() else {
            self.shared.leave_seat();
            session.channel_failure(channel)?;
            return Ok(());
        };
        let (input_tx, input_rx) = std::sync::mpsc::sync_channel(INPUT_QUEUED);
        state.input = Some(input_tx);
        let (frames_tx, frames_rx) = tokio::sync::mpsc::channel(FRAMES_QUEUED);
        let start = Start {
            db: self.shared.db.clone(),
            who: who.clone(),
            size: (cols, rows),
            no_color: state.no_color.clone(),
            term: session_term(&term, &state.locale),
            input: input_rx,
            frames: frames_tx,
            stop: self.shared.stop.clone(),
            access: self.shared.watch_access(&who),
            test_panic: self.shared.test_panic.as_deref() == Some(who.name.as_str()),
        };
        let detail = format!(
            "{} ({}) {} from {}, TERM {:?}, user name {:?}",
            who.name,
            who.role,
            who.fingerprint,
            self.address(),
            term,
            self.claimed
        );
        session.channel_success(channel)?;
        super::run_session(self.shared.clone(), start, writer, frames_rx, detail);
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let text = "this server runs no commands, only the review console: connect with `ssh -t` and no command";
        self.refuse_request(channel, text, session)
    }

    async fn subsystem_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let text = format!(
            "no subsystem is served ({:?} refused): no SFTP, no file transfer",
            clean_line(name)
        );
        self.refuse_request(channel, &text, session)
    }

    async fn x11_request(
        &mut self,
        channel: ChannelId,
        _single: bool,
        _protocol: &str,
        _cookie: &str,
        _screen: u32,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn data(&mut self, _channel: ChannelId, data: &[u8], _session: &mut Session) -> Result<(), Self::Error> {
        deliver(self.to_console(ToConsole::Bytes(data.to_vec()))).await;
        Ok(())
    }

    async fn window_change_request(
        &mut self,
        _channel: ChannelId,
        cols: u32,
        rows: u32,
        _pix_width: u32,
        _pix_height: u32,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (cols, rows) = (cells(cols, 80), cells(rows, 24));
        if let Some(state) = self.channel.as_mut()
            && state.input.is_none()
            && let Some(pty) = state.pty.as_mut()
        {
            (pty.1, pty.2) = (cols, rows);
        }
        deliver(self.to_console(ToConsole::Resize(cols, rows))).await;
        Ok(())
    }

    async fn channel_eof(&mut self, _channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.end_input();
        Ok(())
    }

    async fn channel_close(&mut self, _channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.end_input();
        Ok(())
    }
}

/// The code of a user name `invite-CODE`.
fn invitation_code(user: &str) -> Option<&str> {
    user.strip_prefix("invite-")
        .filter(|code| !code.is_empty() && code.len() <= 128)
}

impl Connection {
    /// Spends an invitation for a verified key: the key joins under the invitation's name.
    fn spend(&mut self, code: &str, key: &russh::keys::PublicKey, fp: &str) -> Auth {
        let bare = russh::keys::PublicKey::new(key.key_data().clone(), "");
        let Ok(text) = bare.to_openssh() else {
            return self.refuse_key("invite-…", fp, "a key that cannot be written down");
        };
        let spent = self.shared.store().spend_invitation(&code_sha256(code), &text, fp, "");
        match spent {
            Ok(Spend::Joined(access)) => {
                self.claimed = "invite-…".into();
                self.who = Some(access);
                self.authenticated.store(true, Ordering::SeqCst);
                Auth::Accept
            }
            Ok(Spend::Unusable) => self.refuse_key("invite-…", fp, "an invitation code spent, expired or unknown"),
            Err(e) => {
                let why = format!("an invitation not spent ({e})");
                self.refuse_key("invite-…", fp, &why)
            }
        }
    }

    /// The client is gone or closed its side: the console ends on its next wait.
    fn end_input(&mut self) {
        if let Some(state) = self.channel.as_mut() {
            state.input = None;
        }
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.end_input();
    }
}

/// The terminal a session's console draws for: the client's TERM, and its locale when it sent
/// one; a client that sent none (ssh sends LANG only when configured to) is taken to be UTF-8,
/// as terminals today are.
fn session_term(term: &str, locale: &crate::tui::caps::TermEnv) -> crate::tui::caps::TermEnv {
    let sent = locale.lang.is_some() || locale.lc_all.is_some() || locale.lc_ctype.is_some();
    crate::tui::caps::TermEnv {
        term: Some(term.to_string()),
        lang: if sent {
            locale.lang.clone()
        } else {
            Some("C.UTF-8".into())
        },
        ..locale.clone()
    }
}
