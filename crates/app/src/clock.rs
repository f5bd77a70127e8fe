//! The one place leadgate reads the clock. Everything below the CLI and the server takes
//! `now` as a parameter.
//!
//! `LEADGATE_NOW` (an RFC 3339 time) pins the clock, so that a rehearsal or a test can run
//! "ninety days later" through the real binary — the quarterly review, for instance.

use anyhow::Context;
use jiff::Timestamp;

pub const NOW_VAR: &str = "LEADGATE_NOW";

#[allow(clippy::disallowed_methods)] // The edge where the clock is read.
pub fn now() -> anyhow::Result<Timestamp> {
    match std::env::var(NOW_VAR) {
        Ok(pinned) => pinned.parse().with_context(|| {
            format!("{NOW_VAR}=`{pinned}` is not an RFC 3339 time such as 2027-03-01T09:00:00Z")
        }),
        Err(_) => Ok(Timestamp::now()),
    }
}

/// Where a long-running process (the server, its worker) reads the time. Real servers read
/// the system clock (or `LEADGATE_NOW`) through [`system`]; tests pass a clock they control.
pub type Clock = std::sync::Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The server's clock: `LEADGATE_NOW` when it is set (checked once, here), else the system
/// clock read at every call.
pub fn system() -> anyhow::Result<Clock> {
    let pinned = std::env::var(NOW_VAR).is_ok().then(now).transpose()?;
    Ok(match pinned {
        Some(at) => std::sync::Arc::new(move || at),
        None => std::sync::Arc::new(read_system_clock),
    })
}

#[allow(clippy::disallowed_methods)] // The edge where the clock is read.
fn read_system_clock() -> Timestamp {
    Timestamp::now()
}
