//! The enrichment waterfall as the engine drives it: begin a subject, ask for the next
//! call, hand back the answer or the failure, finish. No network: answers are made up here.

use jiff::{SignedDuration, Timestamp};
use leadgate_core::enrichment::{
    Answer, Cache, Credits, EnrichField, Fact, Failure, FailureKind, PastMiss, Plan, ProviderPlan,
    Run, SkipReason, Subject,
};
use proptest::prelude::*;
use serde_json::{Value, json};

use EnrichField::{FundingStage, Headcount, Seniority, TechStack};

fn now() -> Timestamp {
    "2026-12-01T09:00:00Z".parse().unwrap()
}

fn days_ago(days: i64) -> Timestamp {
    now() - SignedDuration::from_hours(24 * days)
}

fn provider(name: &str, fields: &[EnrichField], cost: u64) -> ProviderPlan {
    ProviderPlan {
        name: name.to_string(),
        fields: fields.to_vec(),
        cost: Credits::whole(cost),
    }
}

fn fact(field: EnrichField, value: Value, source: &str, at: Timestamp) -> Fact {
    Fact {
        field,
        value,
        source: source.to_string(),
        observed_at: at,
    }
}

fn answer(source: &str, facts: &[(EnrichField, Value)], cost: u64) -> Answer {
    let facts = facts
        .iter()
        .map(|(f, v)| fact(*f, v.clone(), source, now()))
        .collect();
    Answer::new(facts, Credits::whole(cost))
}

/// The providers asked for a subject, in order, each answering with `respond`.
fn drive(
    run: &mut Run,
    subject: &mut Subject,
    mut respond: impl FnMut(&str, &[EnrichField]) -> Result<Answer, Failure>,
) -> Vec<String> {
    let mut asked = Vec::new();
    while let Some(call) = run.next_call(subject) {
        asked.push(call.provider.clone());
        let result = respond(&call.provider, &call.fields);
        run.record(subject, call, result);
    }
    asked
}

#[test]
fn the_first_provider_with_a_value_wins_and_later_ones_are_not_asked() {
    // Arrange
    let plan = Plan::new(
        vec![
            provider("file", &[Headcount], 0),
            provider("apollo", &[Headcount], 1),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, None);
    let mut subject = run.begin("company:acme.com", &[Headcount], &Cache::default(), now());

    // Act
    let asked = drive(&mut run, &mut subject, |p, _| {
        Ok(answer(p, &[(Headcount, json!(120))], 0))
    });
    let outcome = run.finish(subject);

    // Assert
    assert_eq!(asked, ["file"]);
    assert_eq!(outcome.values.len(), 1);
    assert_eq!(outcome.values[0].fact.source, "file");
    assert!(!outcome.values[0].from_cache);
    assert_eq!(run.ledger().providers[1].calls, 0);
}

#[test]
fn each_field_goes_down_its_own_list_and_a_call_asks_only_for_open_fields() {
    let plan = Plan::new(
        vec![
            provider("file", &[Headcount], 0),
            provider("apollo", &[Headcount, FundingStage, TechStack], 1),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, None);
    let mut subject = run.begin(
        "company:acme.com",
        &[Headcount, FundingStage],
        &Cache::default(),
        now(),
    );
    let mut calls = Vec::new();

    drive(&mut run, &mut subject, |p, fields| {
        calls.push((p.to_string(), fields.to_vec()));
        match p {
            "file" => Ok(answer(p, &[(Headcount, json!(120))], 0)),
            _ => Ok(answer(
                p,
                &[(Headcount, json!(999)), (FundingStage, json!("Series B"))],
                1,
            )),
        }
    });
    let outcome = run.finish(subject);

    assert_eq!(
        calls,
        [
            ("file".to_string(), vec![Headcount]),
            ("apollo".to_string(), vec![FundingStage]),
        ]
    );
    let chosen: Vec<(EnrichField, &str)> = outcome
        .values
        .iter()
        .map(|v| (v.field, v.fact.source.as_str()))
        .collect();
    assert_eq!(chosen, [(Headcount, "file"), (FundingStage, "apollo")]);
    assert_eq!(
        outcome.values[0].fact.value,
        json!(120),
        "the first value stays"
    );
    assert_eq!(
        outcome.facts.len(),
        3,
        "every fact answered is kept to store"
    );
}

#[test]
fn a_fresh_cached_value_costs_no_call() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let mut run = Run::new(plan, Some(Credits::whole(10)));
    let cache = Cache {
        facts: vec![fact(Headcount, json!(80), "apollo", days_ago(30))],
        misses: vec![],
    };
    let mut subject = run.begin("company:acme.com", &[Headcount], &cache, now());

    let call = run.next_call(&mut subject);
    let outcome = run.finish(subject);

    assert_eq!(call, None);
    assert!(outcome.values[0].from_cache);
    assert_eq!(run.ledger().fields_from_cache, 1);
    assert_eq!(run.ledger().spent, Credits::ZERO);
    assert_eq!(run.ledger().providers[0].calls, 0);
}

#[test]
fn a_cached_value_is_used_on_day_90_and_refreshed_on_day_91() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let cache_at = |at: Timestamp| Cache {
        facts: vec![fact(Headcount, json!(80), "apollo", at)],
        misses: vec![],
    };
    let mut run = Run::new(plan, None);

    let mut day_90 = run.begin(
        "a",
        &[Headcount],
        &cache_at(now() - SignedDuration::from_secs(91 * 86_400 - 1)),
        now(),
    );
    let mut day_91 = run.begin("b", &[Headcount], &cache_at(days_ago(91)), now());

    assert_eq!(run.next_call(&mut day_90), None);
    let call = run
        .next_call(&mut day_91)
        .expect("a stale value is fetched again");
    assert_eq!(call.provider, "apollo");
}

#[test]
fn the_cache_prefers_the_provider_higher_in_the_order() {
    let plan = Plan::new(
        vec![
            provider("file", &[Headcount], 0),
            provider("apollo", &[Headcount], 1),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, None);
    let cache = Cache {
        facts: vec![
            fact(Headcount, json!(95), "apollo", days_ago(1)),
            fact(Headcount, json!(90), "file", days_ago(20)),
        ],
        misses: vec![],
    };

    let subject = run.begin("a", &[Headcount], &cache, now());
    let outcome = run.finish(subject);

    assert_eq!(outcome.values[0].fact.source, "file");
}

#[test]
fn a_timeout_is_recorded_and_the_next_provider_is_asked() {
    let plan = Plan::new(
        vec![
            provider("slow", &[Seniority], 1),
            provider("file", &[Seniority], 0),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, None);
    let mut subject = run.begin(
        "contact:jane@acme.com",
        &[Seniority],
        &Cache::default(),
        now(),
    );

    let asked = drive(&mut run, &mut subject, |p, _| match p {
        "slow" => Err(Failure::new(FailureKind::Timeout, "no answer within 50 ms")),
        _ => Ok(answer(p, &[(Seniority, json!("vp"))], 0)),
    });
    let outcome = run.finish(subject);

    assert_eq!(asked, ["slow", "file"]);
    assert_eq!(outcome.failures.len(), 1);
    assert_eq!(outcome.failures[0].failure.kind, FailureKind::Timeout);
    assert_eq!(outcome.values[0].fact.source, "file");
    let slow = &run.ledger().providers[0];
    assert_eq!((slow.calls, slow.hits, slow.misses), (1, 0, 0));
    assert_eq!(slow.failures.get(&FailureKind::Timeout), Some(&1));
}

#[test]
fn an_unfilled_field_says_what_happened_at_each_provider() {
    let plan = Plan::new(
        vec![
            provider("apollo", &[Headcount], 1),
            provider("file", &[Headcount], 0),
            provider("pdl", &[Headcount], 1),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, None);
    let mut subject = run.begin(
        "company:acme.com",
        &[Headcount, FundingStage],
        &Cache::default(),
        now(),
    );

    drive(&mut run, &mut subject, |p, _| match p {
        "apollo" => Err(
            Failure::new(FailureKind::Unparseable, "the answer is not JSON")
                .charged(Credits::whole(1)),
        ),
        "file" => Err(Failure::new(
            FailureKind::NotFound,
            "acme.com is not in the file",
        )),
        _ => {
            let mut a = answer(p, &[], 1);
            a.push_value(Headcount, &json!("lots"), p, now());
            Ok(a)
        }
    });
    let outcome = run.finish(subject);

    let reasons = &outcome.unfilled[0].reasons;
    assert_eq!(outcome.unfilled[0].field, Headcount);
    assert_eq!(
        reasons[0],
        "apollo: unreadable answer: the answer is not JSON"
    );
    assert_eq!(reasons[1], "file: not found: acme.com is not in the file");
    assert_eq!(
        reasons[2],
        "pdl: value \"lots\" refused: \"lots\" is not a whole number"
    );
    assert_eq!(
        outcome.unfilled[1].reasons,
        ["no provider gives this field"],
        "funding stage"
    );
    assert_eq!(
        run.ledger().spent,
        Credits::whole(2),
        "garbage may still cost"
    );
    assert_eq!(run.ledger().providers[1].misses, 1, "not found is a miss");
    assert_eq!(run.ledger().providers[2].values_rejected, 1);
    assert_eq!(outcome.misses.len(), 2, "file and pdl had nothing");
}

#[test]
fn a_refused_key_is_not_tried_again_in_the_run() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let mut run = Run::new(plan, None);
    let refused =
        || Err(Failure::new(FailureKind::HttpStatus, "HTTP 401: invalid API key").with_status(401));

    let mut first = run.begin("a", &[Headcount], &Cache::default(), now());
    let asked_first = drive(&mut run, &mut first, |_, _| refused());
    let mut second = run.begin("b", &[Headcount], &Cache::default(), now());
    let asked_second = drive(&mut run, &mut second, |_, _| refused());
    let outcome = run.finish(second);

    assert_eq!(asked_first, ["apollo"]);
    assert!(asked_second.is_empty());
    assert_eq!(outcome.skipped[0].reason, SkipReason::Refused);
    let line = &run.ledger().providers[0];
    assert_eq!((line.calls, line.skipped_refused), (1, 1));
    assert_eq!(line.refused.as_deref(), Some("HTTP 401: invalid API key"));
}

#[test]
fn a_call_over_the_budget_is_not_made_and_a_cheaper_provider_is_still_asked() {
    let plan = Plan::new(
        vec![
            provider("apollo", &[Headcount], 2),
            provider("file", &[Headcount], 0),
        ],
        90,
    )
    .unwrap();
    let mut run = Run::new(plan, Some(Credits::whole(3)));

    let mut first = run.begin("a", &[Headcount], &Cache::default(), now());
    let asked_first = drive(&mut run, &mut first, |p, _| {
        Ok(answer(
            p,
            &[(Headcount, json!(10))],
            if p == "apollo" { 2 } else { 0 },
        ))
    });
    let mut second = run.begin("b", &[Headcount], &Cache::default(), now());
    let asked_second = drive(&mut run, &mut second, |p, _| {
        Ok(answer(p, &[(Headcount, json!(20))], 0))
    });
    let outcome = run.finish(second);

    assert_eq!(asked_first, ["apollo"]);
    assert_eq!(asked_second, ["file"]);
    let skipped = &outcome.skipped[0];
    assert_eq!(skipped.reason, SkipReason::Budget);
    assert_eq!(
        (skipped.cost, skipped.left),
        (Credits::whole(2), Some(Credits::whole(1)))
    );
    assert_eq!(run.ledger().providers[0].skipped_for_budget, 1);
    assert_eq!(run.ledger().left(), Some(Credits::whole(1)));
}

#[test]
fn a_provider_that_had_nothing_recently_is_not_asked_again() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let mut run = Run::new(plan, None);
    let cache = Cache {
        facts: vec![],
        misses: vec![PastMiss {
            provider: "apollo".into(),
            fields: vec![Headcount],
            observed_at: days_ago(10),
        }],
    };
    let mut subject = run.begin("a", &[Headcount], &cache, now());

    assert_eq!(run.next_call(&mut subject), None);
    let outcome = run.finish(subject);
    assert_eq!(
        outcome.unfilled[0].reasons,
        ["apollo: not asked: it had nothing on 2026-11-21"]
    );
    assert_eq!(run.ledger().providers[0].skipped_recent_miss, 1);
}

#[test]
fn a_field_a_provider_left_out_of_its_answer_is_a_miss_not_bought_again() {
    // Arrange: a provider that gives headcount and funding stage has only the headcount.
    let plan = Plan::new(vec![provider("apollo", &[Headcount, FundingStage], 1)], 90).unwrap();
    let mut run = Run::new(plan.clone(), None);
    let mut subject = run.begin("a", &[Headcount, FundingStage], &Cache::default(), now());
    drive(&mut run, &mut subject, |p, _| {
        Ok(answer(p, &[(Headcount, json!(120))], 1))
    });
    let first = run.finish(subject);

    // Act: the next run, with what the first one learnt as its cache.
    let cache = Cache {
        facts: first.facts.clone(),
        misses: first.misses.clone(),
    };
    let mut again = Run::new(plan, None);
    let mut subject = again.begin("a", &[Headcount, FundingStage], &cache, days_ago(-10));
    let call = again.next_call(&mut subject);

    // Assert
    assert_eq!(first.misses.len(), 1);
    assert_eq!(first.misses[0].fields, [FundingStage]);
    assert_eq!(call, None, "the funding stage is not bought again");
    assert_eq!(again.ledger().providers[0].skipped_recent_miss, 1);
}

#[test]
fn a_lookup_without_the_input_a_provider_needs_is_not_a_call() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let mut run = Run::new(plan, None);
    let mut subject = run.begin("a", &[Headcount], &Cache::default(), now());

    drive(&mut run, &mut subject, |_, _| {
        Err(Failure::new(
            FailureKind::MissingInput,
            "no domain to look up",
        ))
    });

    let line = &run.ledger().providers[0];
    assert_eq!((line.calls, line.requests, line.not_asked), (0, 0, 1));
}

#[test]
fn the_ledger_and_the_outcome_serialise_for_the_store() {
    let plan = Plan::new(vec![provider("apollo", &[Headcount], 1)], 90).unwrap();
    let mut run = Run::new(plan, Some(Credits::from_thousandths(2500)));
    let mut subject = run.begin("a", &[Headcount], &Cache::default(), now());
    drive(&mut run, &mut subject, |_, _| {
        Err(
            Failure::new(FailureKind::RateLimited, "still 429 after 3 retries")
                .with_status(429)
                .after(4),
        )
    });
    let outcome = run.finish(subject);

    let ledger = serde_json::to_value(run.ledger()).unwrap();
    let record = serde_json::to_value(&outcome.failures[0]).unwrap();

    assert_eq!(ledger["budget"], json!(2.5));
    assert_eq!(
        ledger["providers"][0]["failures"],
        json!({"rate_limited": 1})
    );
    assert_eq!(ledger["providers"][0]["requests"], json!(4));
    assert_eq!(record["kind"], "rate_limited");
    assert_eq!(record["status"], 429);
    assert_eq!(record["provider"], "apollo");
}

// ---------------------------------------------------------------------------------------------
// The budget, whatever happens

#[derive(Debug, Clone)]
enum Reply {
    Hit,
    Miss,
    Fail(usize),
}

fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        Just(Reply::Hit),
        Just(Reply::Miss),
        (0usize..FailureKind::ALL.len()).prop_map(Reply::Fail)
    ]
}

proptest! {
    #[test]
    fn the_budget_is_never_exceeded(
        costs in prop::collection::vec(0u64..3_000, 1..5),
        budget in 0u64..20_000,
        replies in prop::collection::vec((reply(), 0u64..=1_000), 1..200),
        subjects in 1usize..40,
    ) {
        let fields = [Headcount, FundingStage, TechStack];
        let providers = costs
            .iter()
            .enumerate()
            .map(|(i, &c)| ProviderPlan {
                name: format!("p{i}"),
                fields: fields[..=(i % fields.len())].to_vec(),
                cost: Credits::from_thousandths(c),
            })
            .collect();
        let plan = Plan::new(providers, 90).unwrap();
        let budget = Credits::from_thousandths(budget);
        let mut run = Run::new(plan, Some(budget));
        let mut replies = replies.into_iter().cycle();
        for s in 0..subjects {
            let mut subject = run.begin(format!("s{s}"), &fields, &Cache::default(), now());
            while let Some(call) = run.next_call(&mut subject) {
                prop_assert!(call.max_cost <= run.ledger().left().unwrap());
                let (reply, share) = replies.next().unwrap();
                // A provider charges at most its declared cost.
                let charged = Credits::from_thousandths(call.max_cost.thousandths() * share / 1_000);
                let result = match reply {
                    Reply::Hit => Ok(answer(&call.provider, &[(call.fields[0], json!("x"))], 0)),
                    Reply::Miss => Ok(answer(&call.provider, &[], 0)),
                    Reply::Fail(k) => Err(Failure::new(FailureKind::ALL[k], "made up")),
                };
                let result = result
                    .map(|mut a| { a.cost = charged; a })
                    .map_err(|f| f.charged(charged));
                run.record(&mut subject, call, result);
                prop_assert!(run.ledger().spent <= budget);
            }
            run.finish(subject);
        }
        let ledger = run.ledger();
        let by_provider: Credits = ledger.providers.iter().map(|p| p.credits).sum();
        prop_assert_eq!(by_provider, ledger.spent);
        prop_assert!(ledger.spent <= budget);
        prop_assert_eq!(
            ledger.fields_wanted,
            ledger.fields_from_cache + ledger.fields_from_providers + ledger.fields_unfilled
        );
    }
}
