//! The CRM's deal history: past leads with their company's firmographics, the contact's
//! persona, the engagement and intent seen before the deal closed, and the outcome.
//!
//! Outcomes are drawn from a documented latent logistic model (see [`conversion`]), so that a
//! scorer trained on this history has something real to learn: fit and behaviour raise the
//! odds, and the noise keeps the best possible ranking well short of perfect.

use jiff::Timestamp;
use serde::Serialize;

use crate::catalog::{self, Persona, Title};
use crate::rng::{Rng, sigmoid};
use crate::time::{self, DAY};
use crate::world::{Company, CompanyFactory, CompanyId};

const STREAM_DEALS: u64 = 20;

/// Deals per scale unit; past accounts (outside the discovery world) number 700 per scale
/// unit, so an account has about two deals on average.
pub(crate) const DEALS_PER_SCALE: u32 = 1_600;
const ACCOUNTS_PER_SCALE: u32 = 700;
/// Share of deals whose account is also one of the discovery world's companies.
const WORLD_SHARE: f64 = 0.2;

/// The latent model behind deal outcomes. For a deal with features
///
/// | feature | coefficient |
/// |---|---|
/// | intercept | −5.0 |
/// | company fits the ICP (0/1) | +1.6 |
/// | contact is c-level, VP or director (0/1) | +0.45 |
/// | contact matches an ICP persona (0/1) | +0.55 |
/// | pricing-page visits, capped at 3 | +0.35 each |
/// | attended a webinar (0/1) | +0.40 |
/// | meetings held, capped at 4 | +0.30 each |
/// | "lead routing" intent score / 100 | +1.20 |
/// | lead source was a demo request (0/1) | +0.60 |
/// | e-mails opened, capped at 20, / 10 | +0.10 |
///
/// the log-odds of winning are `z = β·x + ε` with `ε ~ N(0, 0.5²)` for everything the CRM
/// did not record, and the outcome is won with probability `1 / (1 + e^-z)`.
pub mod conversion {
    use super::Deal;

    pub const INTERCEPT: f64 = -5.0;
    pub const FIT: f64 = 1.6;
    pub const SENIOR: f64 = 0.45;
    pub const PERSONA: f64 = 0.55;
    pub const PRICING_VISIT: f64 = 0.35;
    pub const WEBINAR: f64 = 0.40;
    pub const MEETING: f64 = 0.30;
    pub const INTENT: f64 = 1.20;
    pub const DEMO_REQUEST: f64 = 0.60;
    pub const EMAILS_OPENED_PER_10: f64 = 0.10;
    /// Standard deviation of the unobserved part of the log-odds.
    pub const NOISE_SD: f64 = 0.5;

    /// `β·x`: the log-odds of winning without the unobserved noise; the best score any
    /// model can learn from the history.
    pub fn logit(deal: &Deal) -> f64 {
        let senior = matches!(deal.seniority, "c_level" | "vp" | "director");
        INTERCEPT
            + FIT * f64::from(u8::from(deal.fits_icp))
            + SENIOR * f64::from(u8::from(senior))
            + PERSONA * f64::from(u8::from(deal.persona.is_some()))
            + PRICING_VISIT * f64::from(deal.pricing_page_visits.min(3))
            + WEBINAR * f64::from(u8::from(deal.webinars_attended > 0))
            + MEETING * f64::from(deal.meetings.min(4))
            + INTENT * f64::from(deal.intent_lead_routing) / 100.0
            + DEMO_REQUEST * f64::from(u8::from(deal.lead_source == "Demo request"))
            + EMAILS_OPENED_PER_10 * f64::from(deal.emails_opened.min(20)) / 10.0
    }
}

/// One past lead and how it ended.
#[derive(Debug, Clone, Serialize)]
pub struct Deal {
    /// Shown as `D000042`.
    pub id: u32,
    /// A discovery-world company or one of the CRM's past accounts (see
    /// [`crate::DemoWorld::company`]).
    pub company_id: CompanyId,
    pub contact_title: &'static str,
    pub seniority: &'static str,
    pub department: &'static str,
    pub persona: Option<Persona>,
    pub lead_source: &'static str,
    pub created_at: Timestamp,
    pub closed_at: Timestamp,
    pub won: bool,
    pub amount_usd: u64,
    pub emails_opened: u32,
    pub emails_clicked: u32,
    pub meetings: u32,
    pub pricing_page_visits: u32,
    pub webinars_attended: u32,
    /// Third-party intent at the time the deal was created, 0–100.
    pub intent_lead_routing: u8,
    pub intent_sales_automation: u8,
    /// The account's ICP fit (truth; not a column of the export).
    pub fits_icp: bool,
}

impl Deal {
    pub fn display_id(&self) -> String {
        format!("D{:06}", self.id)
    }
}

/// The CRM's past accounts and their deals. Marks world companies with a won deal as
/// customers.
pub(crate) fn generate(
    seed: u64,
    scale: u32,
    factory: &mut CompanyFactory,
    world: &mut [Company],
    now: Timestamp,
) -> (Vec<Company>, Vec<Deal>) {
    let first_id = world.len() as u32;
    let account_count = ACCOUNTS_PER_SCALE * scale;
    let accounts: Vec<Company> = (0..account_count)
        .map(|i| {
            let id = CompanyId(first_id + i);
            factory.company(id, u64::from(id.0))
        })
        .collect();
    let ordinary: Vec<usize> = (0..world.len())
        .filter(|&i| !world[i].is_competitor)
        .collect();
    let titles: Vec<(&'static Title, u32)> = catalog::TITLES
        .iter()
        .map(|t| {
            (
                t,
                if t.persona.is_some() {
                    t.weight * 3
                } else {
                    t.weight
                },
            )
        })
        .collect();
    let base = time::base_second(now);

    let deal_count = DEALS_PER_SCALE * scale;
    let mut deals = Vec::with_capacity(deal_count as usize);
    for i in 0..deal_count {
        let mut rng = Rng::derive(seed, STREAM_DEALS, u64::from(i));
        let company = if rng.chance(WORLD_SHARE) && !ordinary.is_empty() {
            &world[ordinary[rng.index(ordinary.len())]]
        } else {
            &accounts[rng.index(accounts.len())]
        };
        let title = *rng.weighted(&titles);
        let fit = company.fits_icp;
        let interest = rng.normal() + if fit { 0.6 } else { 0.0 };
        let mean = |base: f64, slope: f64| (base + slope * interest).max(0.0);
        let emails_opened = rng.count(mean(3.0, 2.5)).min(40);
        let emails_clicked = rng.count(f64::from(emails_opened) * 0.2);
        let meetings = rng.count(mean(0.8, 0.6));
        let pricing_page_visits = rng.count(mean(0.5, 0.8));
        let webinars_attended = rng.count(mean(0.25, 0.25)).min(3);
        let score = |rng: &mut Rng, base: f64, slope: f64| {
            (base + slope * interest + 10.0 * rng.normal())
                .clamp(0.0, 100.0)
                .round() as u8
        };
        let intent_lead_routing = score(&mut rng, 40.0, 15.0);
        let intent_sales_automation = score(&mut rng, 35.0, 10.0);
        let lead_source = if interest > 1.0 && rng.chance(0.3) {
            "Demo request"
        } else {
            *rng.weighted(catalog::LEAD_SOURCES)
        };

        let age_days = rng.range(30, 730);
        let cycle_days = rng.range(14, 150).min(age_days - 1);
        let created = base - i64::from(age_days) * DAY - i64::from(rng.range(0, 86_399));
        let closed = created + i64::from(cycle_days) * DAY + i64::from(rng.range(0, 36_000));
        let amount = 12_000 + u64::from(company.employees.min(5000)) * 40;
        let amount = (amount as f64 * (0.7 + 0.6 * rng.unit())) as u64 / 500 * 500;

        let mut deal = Deal {
            id: i,
            company_id: company.id,
            contact_title: title.title,
            seniority: title.seniority,
            department: title.department,
            persona: title.persona,
            lead_source,
            created_at: time::at(created),
            closed_at: time::at(closed),
            won: false,
            amount_usd: amount,
            emails_opened,
            emails_clicked,
            meetings,
            pricing_page_visits,
            webinars_attended,
            intent_lead_routing,
            intent_sales_automation,
            fits_icp: fit,
        };
        let z = conversion::logit(&deal) + conversion::NOISE_SD * rng.normal();
        deal.won = rng.unit() < sigmoid(z);
        deals.push(deal);
    }
    for deal in deals.iter().filter(|d| d.won) {
        if let Some(c) = world.get_mut(deal.company_id.0 as usize) {
            c.is_customer = true;
        }
    }
    (accounts, deals)
}
