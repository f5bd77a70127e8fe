//! The one way a test says it cannot run here (no PostgreSQL, no Chromium, no validator, no
//! shared data). Shared by the test binaries of every crate (`#[path]`-included).
//!
//! Under `CI=true` nothing skips: the test fails, naming what is missing. Elsewhere the test
//! returns early, and says so where a developer sees it: libtest's capture only takes what
//! `print!` and `eprint!` write, so the line goes straight to the process's standard error
//! and shows in the middle of the run's output, on every run, passing or not. `.ci/run`
//! fails on any such line.

use std::io::Write;

/// True under `CI=true` (or `CI=1`).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Reports that the current test cannot run because `missing`, and what would make it run.
/// Panics under CI; elsewhere prints `SKIPPED <test>: …` past the capture and returns, so the
/// caller returns early.
#[track_caller]
pub fn skip(missing: &str, remedy: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    assert!(
        !in_ci(),
        "{test} cannot run: {missing}. Under CI=true nothing skips ({remedy})."
    );
    let line = format!(
        "\n!!! SKIPPED {test}: {missing}. It reports ok without having run; {remedy}. \
         Under CI=true this is a failure.\n"
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}
