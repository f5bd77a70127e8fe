//! `leadgate leads rescore-bench` (hidden): how long rescoring one lead after one event
//! takes, for `bench/rescore_one.sh`. Each run stores one pricing-page view of the lead
//! (not timed: that is the import's cost), then times the path an import takes to its
//! score — `rescore_import`: finding the leads the import touched, the live card, reading
//! and computing the lead's features, writing its score row and audit entry, committing —
//! and, apart, the same by the lead's id (`rescore`, without finding whom the import
//! touched), the read-and-compute part alone (`features_at`), and finding the live card
//! (`live_card`: one query once the card is parsed and kept). Figures are printed as JSON,
//! in microseconds.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use leadgate_core::audit::Actor;
use leadgate_core::engagement::KindChoice;
use serde::Serialize;

use super::print_json;
use crate::engine::{engagement, scoring};
use crate::workspace::Workspace;

/// Median, 90th percentile and slowest of some runs, in microseconds.
#[derive(Debug, Serialize)]
struct Spread {
    median_us: u128,
    p90_us: u128,
    max_us: u128,
}

impl Spread {
    fn of(mut runs: Vec<Duration>) -> Spread {
        runs.sort_unstable();
        let at = |q: f64| runs[((runs.len() - 1) as f64 * q).round() as usize].as_micros();
        Spread {
            median_us: at(0.5),
            p90_us: at(0.9),
            max_us: at(1.0),
        }
    }
}

#[derive(Debug, Serialize)]
struct Timing {
    contact: i64,
    runs: usize,
    /// `rescore_import` after one stored event: everything from the import's id to the
    /// committed score.
    rescore_after_event: Spread,
    /// `rescore` of the lead by id: as above without finding whom the import touched.
    rescore_by_id: Spread,
    /// `features_at` for the one lead: its reads and the computation, nothing written.
    read_and_compute: Spread,
    /// `live_card`: finding the live version, whose card was parsed at its first use and
    /// is kept; `rescore_import` asks once.
    live_card: Spread,
}

pub async fn run(
    workspace: &Workspace,
    contact: i64,
    runs: usize,
    now: Timestamp,
) -> anyhow::Result<ExitCode> {
    let runs = runs.max(1);
    let config = &workspace.config;
    let pages = &config.discovery.pages;
    let email = {
        let mut conn = workspace.store.conn().await?;
        let leads = scoring::features_at(&mut conn, pages, Some(&[contact]), now).await?;
        match leads.first() {
            Some((p, _)) if !p.columns.email.is_empty() => p.columns.email.clone(),
            _ => {
                eprintln!("error: --contact {contact}: not a lead with an e-mail address");
                return Ok(ExitCode::from(2));
            }
        }
    };
    let mut rescores = Vec::with_capacity(runs);
    let mut by_id = Vec::with_capacity(runs);
    let mut reads = Vec::with_capacity(runs);
    let mut cards = Vec::with_capacity(runs);
    for i in 0..runs {
        // Each event a second apart, all in the past, so none is a duplicate of another.
        let at = now - SignedDuration::from_secs((runs - i) as i64);
        let item = engagement::Item {
            kind: Some("page_view".into()),
            at: Some(at.to_string()),
            email: Some(email.clone()),
            url: Some("https://example.com/pricing".into()),
            ..engagement::Item::default()
        };
        let checked = match engagement::check_items(&workspace.store, &[item], now).await? {
            Ok(checked) => checked,
            Err(e) => anyhow::bail!("the benchmark's event was refused: {e}"),
        };
        let report = engagement::store_rows(
            &workspace.store,
            "bench",
            KindChoice::Auto,
            checked,
            &Actor::System,
            None,
            now,
        )
        .await?;
        let start = Instant::now();
        let run = scoring::rescore_import(
            &workspace.store,
            &config.scoring,
            pages,
            report.import_id,
            now,
        )
        .await?;
        rescores.push(start.elapsed());
        anyhow::ensure!(
            run.is_some_and(|r| r.scored == 1),
            "the event did not rescore exactly lead {contact}"
        );
        let start = Instant::now();
        scoring::rescore(&workspace.store, &config.scoring, pages, &[contact], now).await?;
        by_id.push(start.elapsed());
        let mut conn = workspace.store.conn().await?;
        let start = Instant::now();
        scoring::features_at(&mut conn, pages, Some(&[contact]), now).await?;
        reads.push(start.elapsed());
        let start = Instant::now();
        scoring::live_card(&workspace.store, &mut conn).await?;
        cards.push(start.elapsed());
    }
    print_json(&Timing {
        contact,
        runs,
        rescore_after_event: Spread::of(rescores),
        rescore_by_id: Spread::of(by_id),
        read_and_compute: Spread::of(reads),
        live_card: Spread::of(cards),
    })?;
    Ok(ExitCode::SUCCESS)
}
