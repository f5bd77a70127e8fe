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
    if !serving {
        print_until_the_reader_leaves();
    }
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
        // Colours only for a person at a terminal: a log file or a pipe gets plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match leadgate::commands::run(cli).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// A command's output piped into `head` (or any reader that stops early) ends the command
/// quietly, as it does any Unix tool, instead of failing on the closed pipe with a panic.
/// Rust ignores SIGPIPE so that a write returns an error instead; for a command that only
/// prints, the default — end the process — is what a user expects. Not for the server,
/// which writes to sockets that clients close.
fn print_until_the_reader_leaves() {
    #[cfg(unix)]
    // SAFETY: signal() only sets the process's disposition for SIGPIPE (the runtime's
    // threads are idle and handle no signals); SIG_DFL is a valid disposition for it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
