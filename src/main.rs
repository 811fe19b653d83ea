use clap::Parser;
use debrief::cli::{self, Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("debrief: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    let store = cli::open_store(&cli)?;
    match cli.command {
        None => anyhow::bail!("the console is not built yet; see `debrief --help`"),
        Some(Command::Open { .. }) => {
            anyhow::bail!("the console is not built yet; see `debrief --help`")
        }
        Some(_) => {
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            cli::run(cli, &store, &mut out).map_err(|e| cli::explain(e, &store))
        }
    }
}
