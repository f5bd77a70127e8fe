//! The `leadgate` binary: parses the command line, runs it, and prints any error as one line.

use std::process::ExitCode;

use clap::Parser;
use leadgate::cli::Cli;

/// mimalloc rather than the system allocator: an import or a dedupe run allocates and frees
/// a few small strings per field of every row, and glibc's malloc was a fifth of an import's
/// time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // The server logs each request at info: that is its record of what it answered.
    let serving = matches!(cli.command, leadgate::cli::Command::Serve { .. })
        || matches!(&cli.command, leadgate::cli::Command::Demo(args) if !args.no_serve);
    let level = match cli.verbose {
        0 if serving => "info",
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEADGATE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level)),
        )
        .with_writer(std::io::stderr)
        .init();
    match leadgate::commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
