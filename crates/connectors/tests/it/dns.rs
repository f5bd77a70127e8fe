//! The sending domain's DNS, asked of a real name server on loopback: dnslib serving a small
//! zone of TXT records from `LEADGATE_PYTHON`, as `.ci/run` sets it. Each test publishes one
//! zone and reads what `dns::check` says about it.

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use leadgate_connectors::dns::{DnsError, DomainCheck, Expected, Finding, Resolver, check};
use leadgate_connectors::mail::DkimKey;

use crate::loopback::{ZoneServer, free_udp_port, python};

const DOMAIN: &str = "routewise.example";
const SELECTOR: &str = "leadgate1";
const RELAY: &str = "127.0.0.2";

/// The key leadgate signs with, and another one: RSA generation is the slow part.
fn keys() -> &'static (DkimKey, DkimKey) {
    static KEYS: OnceLock<(DkimKey, DkimKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        (
            DkimKey::generate(SELECTOR, DOMAIN).unwrap(),
            DkimKey::generate(SELECTOR, DOMAIN).unwrap(),
        )
    })
}

fn ours() -> &'static DkimKey {
    &keys().0
}

fn expected(sending_ip: Option<&str>) -> Expected<'static> {
    Expected {
        domain: DOMAIN,
        selector: SELECTOR,
        public_b64: &ours().public_b64,
        sending_ip: sending_ip.map(|ip| ip.parse::<IpAddr>().unwrap()),
    }
}

const SPF: &str = "v=spf1 ip4:127.0.0.2 -all";
const DMARC: &str = "v=DMARC1; p=quarantine; rua=mailto:dmarc@routewise.example";
const SPF_NAME: &str = "routewise.example";
const DKIM_NAME: &str = "leadgate1._domainkey.routewise.example";
const DMARC_NAME: &str = "_dmarc.routewise.example";

/// A zone that publishes all three records right, with the DKIM record as
/// `DkimKey::dns_record` gives it to people to publish.
fn good_zone() -> Vec<(String, Vec<String>)> {
    let (name, record) = ours().dns_record();
    vec![
        (
            SPF_NAME.to_string(),
            vec![
                "google-site-verification=4f2a9c".to_string(),
                SPF.to_string(),
            ],
        ),
        (name, vec![record]),
        (DMARC_NAME.to_string(), vec![DMARC.to_string()]),
    ]
}

/// `zone` with the records at `name` replaced (none: the name does not exist).
fn with(
    mut zone: Vec<(String, Vec<String>)>,
    name: &str,
    records: &[&str],
) -> Vec<(String, Vec<String>)> {
    zone.retain(|(n, _)| n != name);
    if !records.is_empty() {
        zone.push((
            name.to_string(),
            records.iter().map(|r| r.to_string()).collect(),
        ));
    }
    zone
}

fn finding<'c>(check: &'c DomainCheck, record: &str) -> &'c Finding {
    check
        .findings
        .iter()
        .find(|f| f.record == record)
        .unwrap_or_else(|| panic!("no {record} finding in {check:#?}"))
}

/// The one problem of `check`, which must be about `record`.
fn only_problem<'c>(check: &'c DomainCheck, record: &str) -> &'c Finding {
    assert!(!check.passes(), "{check:#?}");
    let problems = check.problems();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].record, record, "{problems:#?}");
    problems[0]
}

#[tokio::test]
async fn a_domain_that_publishes_all_three_records_passes() {
    let Some(python) = python() else { return };
    let server = ZoneServer::start(&python, &good_zone());

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    assert!(check.passes(), "{check:#?}");
    assert!(check.problems().is_empty());
    assert_eq!(check.domain, DOMAIN);
    let asked: Vec<(&str, &str)> = check
        .findings
        .iter()
        .map(|f| (f.record, f.name.as_str()))
        .collect();
    assert_eq!(
        asked,
        [
            ("SPF", SPF_NAME),
            ("DKIM", DKIM_NAME),
            ("DMARC", DMARC_NAME)
        ]
    );
    assert!(finding(&check, "SPF").said.contains("lets 127.0.0.2 send"));
    assert_eq!(finding(&check, "DMARC").said, "publishes p=quarantine");
}

#[tokio::test]
async fn whitespace_inside_the_published_key_does_not_matter() {
    let Some(python) = python() else { return };
    let key = &ours().public_b64;
    let spaced = format!(
        "v=DKIM1; k=rsa;\tp={} {} {}",
        &key[..60],
        &key[60..200],
        &key[200..]
    );
    let server = ZoneServer::start(&python, &with(good_zone(), DKIM_NAME, &[&spaced]));

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    assert!(check.passes(), "{check:#?}");
}

#[tokio::test]
async fn a_missing_dkim_record_fails_and_says_what_to_publish() {
    let Some(python) = python() else { return };
    let server = ZoneServer::start(&python, &with(good_zone(), DKIM_NAME, &[]));

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let dkim = only_problem(&check, "DKIM");
    assert_eq!(dkim.name, DKIM_NAME);
    let (name, record) = ours().dns_record();
    assert!(dkim.said.starts_with("no DKIM key at"), "{}", dkim.said);
    assert!(
        dkim.said
            .contains(&format!("publish \"{record}\" at {name}")),
        "{}",
        dkim.said
    );
}

#[tokio::test]
async fn a_dkim_record_with_another_key_fails_and_names_the_key_to_publish() {
    let Some(python) = python() else { return };
    let (_, other) = keys().1.dns_record();
    let server = ZoneServer::start(&python, &with(good_zone(), DKIM_NAME, &[&other]));

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let dkim = only_problem(&check, "DKIM");
    let theirs = &keys().1.public_b64;
    assert!(
        dkim.said.starts_with(&format!(
            "publishes another key (p=…{}) than the one leadgate signs with: publish",
            &theirs[theirs.len() - 16..]
        )),
        "{}",
        dkim.said
    );
    assert!(dkim.said.contains(&ours().public_b64), "{}", dkim.said);
    assert!(!dkim.said.contains(&keys().1.public_b64), "{}", dkim.said);
}

#[tokio::test]
async fn two_spf_records_fail_as_rfc_7208_says() {
    let Some(python) = python() else { return };
    let zone = with(
        good_zone(),
        SPF_NAME,
        &[SPF, "v=spf1 include:_spf.mailer.example ~all"],
    );
    let server = ZoneServer::start(&python, &zone);

    let check = check(&expected(None), &server.resolver()).await.unwrap();

    let spf = only_problem(&check, "SPF");
    assert_eq!(spf.name, SPF_NAME);
    assert!(spf.said.starts_with("2 SPF records at"), "{}", spf.said);
    assert!(spf.said.contains("merge them into one"), "{}", spf.said);
}

#[tokio::test]
async fn spf_passes_for_the_listed_relay_and_fails_for_another_ip() {
    let Some(python) = python() else { return };
    let server = ZoneServer::start(&python, &good_zone());

    let listed = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();
    let unlisted = check(&expected(Some("127.0.0.9")), &server.resolver())
        .await
        .unwrap();
    let unknown = check(&expected(None), &server.resolver()).await.unwrap();

    assert!(finding(&listed, "SPF").ok, "{listed:#?}");
    let spf = only_problem(&unlisted, "SPF");
    assert!(
        spf.said
            .contains("does not let the relay 127.0.0.9 send (SPF fail): add ip4:127.0.0.9"),
        "{}",
        spf.said
    );
    assert!(unknown.passes(), "{unknown:#?}");
    assert!(
        finding(&unknown, "SPF")
            .said
            .contains("only the record was checked"),
        "{unknown:#?}"
    );
}

#[tokio::test]
async fn spf_follows_an_include_and_an_include_that_does_not_answer_is_a_dns_error() {
    let Some(python) = python() else { return };
    let relay = "v=spf1 include:_spf.relay.example -all";
    let answered = with(
        with(good_zone(), SPF_NAME, &[relay]),
        "_spf.relay.example",
        &[SPF],
    );
    let broken = with(answered.clone(), "_spf.relay.example", &["SERVFAIL"]);
    let answered = ZoneServer::start(&python, &answered);
    let broken = ZoneServer::start(&python, &broken);

    let through_include = check(&expected(Some(RELAY)), &answered.resolver())
        .await
        .unwrap();
    let unanswered = check(&expected(Some(RELAY)), &broken.resolver()).await;

    assert!(through_include.passes(), "{through_include:#?}");
    let error = unanswered.expect_err("a temperror is not a finding");
    assert!(error.is_transient(), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("could not ask DNS about routewise.example: a name the SPF record"),
        "{error}"
    );
}

#[tokio::test]
async fn a_missing_spf_record_fails_and_suggests_one_for_the_relay() {
    let Some(python) = python() else { return };
    let zone = with(good_zone(), SPF_NAME, &["google-site-verification=4f2a9c"]);
    let server = ZoneServer::start(&python, &zone);

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let spf = only_problem(&check, "SPF");
    assert_eq!(
        spf.said,
        "no SPF record at routewise.example: publish a TXT record \"v=spf1 ip4:127.0.0.2 ~all\""
    );
}

#[tokio::test]
async fn a_missing_dmarc_record_fails_and_says_what_to_publish() {
    let Some(python) = python() else { return };
    let server = ZoneServer::start(&python, &with(good_zone(), DMARC_NAME, &[]));

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let dmarc = only_problem(&check, "DMARC");
    assert_eq!(dmarc.name, DMARC_NAME);
    assert!(
        dmarc.said.starts_with(
            "no DMARC record at _dmarc.routewise.example: publish a TXT record \"v=DMARC1; p=none\""
        ),
        "{}",
        dmarc.said
    );
}

#[tokio::test]
async fn dmarc_p_none_passes_with_a_note() {
    let Some(python) = python() else { return };
    let zone = with(good_zone(), DMARC_NAME, &["v=DMARC1; p=none"]);
    let server = ZoneServer::start(&python, &zone);

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    assert!(check.passes(), "{check:#?}");
    let dmarc = finding(&check, "DMARC");
    assert!(
        dmarc
            .said
            .starts_with("publishes p=none: receivers only report")
            && dmarc.said.contains("move to p=quarantine"),
        "{}",
        dmarc.said
    );
}

#[tokio::test]
async fn a_domain_that_does_not_exist_fails_all_three_records() {
    let Some(python) = python() else { return };
    let server = ZoneServer::start(&python, &[]);

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let failed: Vec<&str> = check.problems().iter().map(|f| f.record).collect();
    assert_eq!(failed, ["SPF", "DKIM", "DMARC"]);
}

#[tokio::test]
async fn odd_records_are_failed_findings_not_panics() {
    let Some(python) = python() else { return };
    let zone = vec![
        (
            SPF_NAME.to_string(),
            vec!["v=spf1 include -all".to_string()],
        ),
        (
            DKIM_NAME.to_string(),
            vec!["v=DKIM1; k=rsa; p=!!not-base64\n".to_string()],
        ),
        (
            DMARC_NAME.to_string(),
            vec!["v=DMARC1; p=sometimes".to_string()],
        ),
    ];
    let server = ZoneServer::start(&python, &zone);

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let failed: Vec<&str> = check.problems().iter().map(|f| f.record).collect();
    assert_eq!(failed, ["SPF", "DKIM", "DMARC"], "{check:#?}");
    let said = |record| finding(&check, record).said.as_str();
    assert!(
        said("SPF").starts_with(r#"the SPF record "v=spf1 include -all" is not valid SPF"#),
        "{check:#?}"
    );
    assert!(
        said("DKIM").starts_with(
            r#"the record "v=DKIM1; k=rsa; p=!!not-base64\n" is not a usable DKIM key, as its p= is not a public key in base64"#
        ),
        "{check:#?}"
    );
    assert!(
        said("DMARC").starts_with(r#"the DMARC record "v=DMARC1; p=sometimes" is not valid DMARC"#),
        "{check:#?}"
    );
    for problem in check.problems() {
        assert!(!problem.said.contains('\n'), "{problem:#?}");
    }
}

#[tokio::test]
async fn a_dmarc_record_without_a_policy_counts_only_when_it_asks_for_reports() {
    let Some(python) = python() else { return };
    let ignored = ZoneServer::start(&python, &with(good_zone(), DMARC_NAME, &["v=DMARC1"]));
    let reporting = ZoneServer::start(
        &python,
        &with(
            good_zone(),
            DMARC_NAME,
            &["v=DMARC1; rua=mailto:dmarc@routewise.example"],
        ),
    );

    let ignored = check(&expected(Some(RELAY)), &ignored.resolver())
        .await
        .unwrap();
    let reporting = check(&expected(Some(RELAY)), &reporting.resolver())
        .await
        .unwrap();

    let dmarc = only_problem(&ignored, "DMARC");
    assert!(
        dmarc.said.contains("receivers ignore it: add p=none"),
        "{}",
        dmarc.said
    );
    assert!(reporting.passes(), "{reporting:#?}");
    assert!(
        finding(&reporting, "DMARC")
            .said
            .contains("receivers treat it as p=none"),
        "{reporting:#?}"
    );
}

#[tokio::test]
async fn a_revoked_dkim_key_fails() {
    let Some(python) = python() else { return };
    let zone = with(good_zone(), DKIM_NAME, &["v=DKIM1; k=rsa; p="]);
    let server = ZoneServer::start(&python, &zone);

    let check = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .unwrap();

    let dkim = only_problem(&check, "DKIM");
    assert!(
        dkim.said.contains("its p= is empty, which revokes the key"),
        "{}",
        dkim.said
    );
}

#[tokio::test]
async fn a_server_that_does_not_answer_is_a_dns_error_not_a_failed_finding() {
    let nothing_listens = free_udp_port();

    let started = Instant::now();
    let result = check(
        &expected(Some(RELAY)),
        &Resolver::At(SocketAddr::from(([127, 0, 0, 1], nothing_listens))),
    )
    .await;

    let error = result.expect_err("no answer is not a finding");
    assert!(matches!(error, DnsError::Unanswered { .. }), "{error:?}");
    assert!(error.is_transient());
    assert!(
        error.to_string().starts_with("could not ask DNS about "),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn a_server_that_swallows_questions_is_a_dns_error_after_a_short_wait() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();

    let started = Instant::now();
    let result = check(
        &expected(Some(RELAY)),
        &Resolver::At(silent.local_addr().unwrap()),
    )
    .await;

    let error = result.expect_err("no answer is not a finding");
    assert!(error.is_transient(), "{error:?}");
    assert!(
        error.to_string().starts_with("could not ask DNS about "),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn servfail_is_a_dns_error_naming_the_name_asked() {
    let Some(python) = python() else { return };
    let zone = with(good_zone(), DMARC_NAME, &["SERVFAIL"]);
    let server = ZoneServer::start(&python, &zone);

    let error = check(&expected(Some(RELAY)), &server.resolver())
        .await
        .expect_err("SERVFAIL is not a missing record");

    assert!(error.is_transient(), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("could not ask DNS about _dmarc.routewise.example: "),
        "{error}"
    );
}
