//! The deal history: outcomes depend on fit and behaviour, enough for a model to learn.

use leadgate_demo::conversion;

use crate::support::{auc, now, path, read_csv, world};

#[test]
fn the_win_rate_is_between_ten_and_twenty_percent() {
    let deals = &world().deals;
    let rate = deals.iter().filter(|d| d.won).count() as f64 / deals.len() as f64;
    assert!((0.10..=0.20).contains(&rate), "win rate {rate}");
}

#[test]
fn icp_fit_deals_win_far_more_often() {
    let deals = &world().deals;
    let rate = |fit: bool| {
        let group: Vec<_> = deals.iter().filter(|d| d.fits_icp == fit).collect();
        group.iter().filter(|d| d.won).count() as f64 / group.len() as f64
    };
    let (fit, misfit) = (rate(true), rate(false));
    assert!(fit > 2.5 * misfit, "fit {fit}, misfit {misfit}");
}

#[test]
fn the_latent_model_ranks_well_but_not_perfectly() {
    let deals = &world().deals;
    let scores: Vec<f64> = deals.iter().map(conversion::logit).collect();
    let labels: Vec<bool> = deals.iter().map(|d| d.won).collect();
    let auc = auc(&scores, &labels);
    assert!((0.75..=0.90).contains(&auc), "oracle AUC {auc}");
}

/// The ICP's firmographic and technographic rules, read from one deal_history row.
fn fits_icp(row: &[String], col: impl Fn(&str) -> usize) -> bool {
    let employees: u32 = row[col("employees")].parse().unwrap();
    let revenue: u64 = row[col("revenue_usd")].parse().unwrap();
    let growth: f64 = row[col("headcount_growth_pct")].parse().unwrap();
    let tech: Vec<&str> = row[col("technologies")].split(';').collect();
    [
        "Computer Software",
        "Internet",
        "Information Technology and Services",
    ]
    .contains(&row[col("industry")].as_str())
        && ["US", "CA", "GB", "IE", "DE", "NL", "FR", "SE", "DK"]
            .contains(&row[col("country")].as_str())
        && (50..=1000).contains(&employees)
        && (5_000_000..=250_000_000).contains(&revenue)
        && growth >= 5.0
        && tech.iter().any(|t| *t == "Salesforce" || *t == "HubSpot")
        && !tech.iter().any(|t| *t == "LeanData" || *t == "Chili Piper")
}

/// Plain logistic regression by gradient descent on standardised features.
fn train(x: &[Vec<f64>], y: &[bool]) -> Vec<f64> {
    let k = x[0].len();
    let mut w = vec![0.0; k + 1];
    for _ in 0..400 {
        let mut grad = vec![0.0; k + 1];
        for (xi, &yi) in x.iter().zip(y) {
            let z = w[0] + xi.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f64>();
            let err = 1.0 / (1.0 + (-z).exp()) - f64::from(u8::from(yi));
            grad[0] += err;
            for j in 0..k {
                grad[j + 1] += err * xi[j];
            }
        }
        for j in 0..=k {
            w[j] -= 0.5 * grad[j] / x.len() as f64;
        }
    }
    w
}

#[test]
fn a_scorer_trained_on_the_csv_beats_chance_clearly() {
    // Arrange: features from the exported columns only.
    let records = read_csv(&path("crm/deal_history.csv"), ',');
    let header = records[0].clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let num = |r: &Vec<String>, name: &str| r[col(name)].parse::<f64>().unwrap();
    let mut x = Vec::new();
    let mut y = Vec::new();
    for (r, deal) in records[1..].iter().zip(&world().deals) {
        let fit = fits_icp(r, col);
        assert_eq!(fit, deal.fits_icp, "the CSV's columns agree with the truth");
        let senior = ["c_level", "vp", "director"].contains(&r[col("seniority")].as_str());
        x.push(vec![
            f64::from(u8::from(fit)),
            f64::from(u8::from(senior)),
            f64::from(u8::from(!r[col("persona")].is_empty())),
            num(r, "pricing_page_visits").min(3.0),
            num(r, "webinars_attended").min(1.0),
            num(r, "meetings").min(4.0),
            num(r, "intent_lead_routing") / 100.0,
            f64::from(u8::from(r[col("lead_source")] == "Demo request")),
            num(r, "emails_opened").min(20.0) / 10.0,
        ]);
        y.push(r[col("outcome")] == "closed_won");
    }

    // Act: train on the first 1,000 deals, score the rest.
    let w = train(&x[..1000], &y[..1000]);
    let scores: Vec<f64> = x[1000..]
        .iter()
        .map(|xi| w[0] + xi.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f64>())
        .collect();

    // Assert
    let holdout_auc = auc(&scores, &y[1000..]);
    assert!(
        (0.72..=0.90).contains(&holdout_auc),
        "hold-out AUC {holdout_auc}"
    );
}

#[test]
fn deals_span_two_years_before_now() {
    let now = now().as_second();
    for d in &world().deals {
        let created = d.created_at.as_second();
        assert!(created >= now - 731 * 86_400 && created < now);
        assert!(d.closed_at > d.created_at && d.closed_at.as_second() < now);
    }
}
