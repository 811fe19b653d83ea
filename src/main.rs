#![warn(clippy::too_many_lines)]
use clap::Parser;
use debrief::cli::{self, Cli, Command};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        // The reader went away (`debrief show 1 | head -1`): nobody wants the rest, and that is
        // no error — exit quietly, as Unix tools do (ripgrep's choice: status 0).
        Err(e) if broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Not eprintln!: it panics when stderr is a terminal that has hung up.
            let _ = writeln!(std::io::stderr(), "debrief: {}", one_line(&e));
            ExitCode::from(1)
        }
    }
}

/// Help and version are our own text: clap prints them (in colour on a terminal). A usage error
/// quotes the bad argument, which may be pasted from a hostile log: it goes to stderr as plain
/// text cleaned of terminal controls.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    let code = e.exit_code();
    let own_text = matches!(
        e.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    );
    if own_text {
        // Not much to do when the terminal is gone; the exit status still says what happened.
        let _ = e.print();
    } else {
        let text = debrief::model::sanitize::clean(&e.render().to_string());
        let _ = write!(std::io::stderr(), "{text}");
    }
    ExitCode::from(code.clamp(0, 255) as u8)
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    // These two need no database.
    match &cli.command {
        Some(Command::Completions { shell }) => return cli::completions(*shell, &mut std::io::stdout().lock()),
        Some(Command::Man { command }) => return cli::man(command.as_deref(), &mut std::io::stdout().lock()),
        _ => {}
    }
    use debrief::tui::caps::Charset;
    if matches!(cli.command, None | Some(Command::Open { .. })) {
        // A terminal that cannot show the console is told so before anything is opened.
        debrief::tui::caps::detect(&debrief::tui::host::run::term_env(), None)?;
    }
    let store = cli::open_store(&cli)?;
    let charset = match (cli.ascii, cli.unicode) {
        (true, _) => Some(Charset::Ascii),
        (_, true) => Some(Charset::Unicode),
        _ => None,
    };
    match cli.command {
        None => {
            debrief::tui::run::run(store, None, false, charset)?;
            Ok(0)
        }
        Some(Command::Open { id, meeting }) => {
            debrief::tui::run::run(store, Some(id), meeting, charset)?;
            Ok(0)
        }
        Some(Command::Serve(args)) => {
            let options = debrief::serve::Options {
                listen: args.listen,
                host_key: args.host_key,
                max_sessions: args.max_sessions,
            };
            debrief::serve::run(store, options, &mut std::io::stdout())?;
            Ok(0)
        }
        Some(_) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            cli::run(cli, &store, &mut out).map_err(|e| cli::explain(e, &store))
        }
    }
}

/// Whether writing to standard output failed because its reader closed the pipe. Rust ignores
/// SIGPIPE, so every command that writes to stdout sees EPIPE as an error somewhere in the chain.
fn broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, each said once (some messages already quote their cause),
/// cleaned of terminal controls: messages quote what was wrong, and that may be hostile text.
fn one_line(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    debrief::model::sanitize::clean_line(&msg)
}
