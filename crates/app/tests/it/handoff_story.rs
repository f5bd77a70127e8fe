//! Stage 5's clock from the command line: `leadgate sla explain` gives the deadline of a lead
//! on a rep's calendar from `[[handoff.reps]]` — hours, zone, public holidays, days off, the
//! class's policy — with each step of the computation; a calendar can be tried before anyone
//! is configured with it; a mistake in the configuration names its line and key.

use crate::support::{Backend, TestWorkspace};

const REPS: &str = r#"
[handoff.sla]
warm = "4h"

[[handoff.reps]]
name = "rosa"
time_zone = "America/New_York"
hours = "Mo-Fr 09:00-17:00; PH off"
public_holidays = "US"

[[handoff.reps]]
name = "jonas"
time_zone = "Europe/Berlin"
hours = "Mo-Th 08:00-12:00,13:00-17:00; Fr 08:00-14:00; PH off"
public_holidays = "DE-BY"
days_off = ["2027-06-07..2027-06-11"]
"#;

#[tokio::test]
async fn sla_explain_gives_each_rep_s_deadline_and_how_it_was_reached() {
    let Some(ws) = TestWorkspace::new(Backend::Sqlite).await else {
        return;
    };
    ws.write("leadgate.toml", REPS);
    let explain = |args: &[&str]| {
        let mut all = vec!["sla", "explain"];
        all.extend_from_slice(args);
        all.push("--json");
        ws.leadgate(&all).ok().json()
    };

    // Rosa: an MQL on the eve of Thanksgiving at 16:00 is due at 17:00 that day; a warm lead
    // has 4 business hours, which run over Thanksgiving into Friday.
    let mql = explain(&["--rep", "rosa", "--at", "2027-11-24T21:00:00Z"]);
    let warm = explain(&[
        "--rep",
        "rosa",
        "--at",
        "2027-11-24T21:00:00Z",
        "--class",
        "warm",
    ]);
    assert_eq!(mql["deadline"], "2027-11-24T17:00:00-05:00");
    assert_eq!(warm["deadline"], "2027-11-26T12:00:00-05:00");
    assert_eq!(warm["business_minutes"], 240);
    let steps = warm["steps"].to_string();
    assert!(steps.contains("Thanksgiving, a public holiday"), "{steps}");

    // Jonas, in Bavaria: Fronleichnam, a lunch break, a short Friday, a week off.
    let corpus_christi = explain(&["--rep", "jonas", "--at", "2027-05-27T09:00:00+02:00"]);
    assert_eq!(corpus_christi["deadline"], "2027-05-28T14:00:00+02:00");
    let lunch = explain(&[
        "--rep",
        "jonas",
        "--at",
        "2027-05-25T11:00:00+02:00",
        "--class",
        "warm",
    ]);
    assert_eq!(
        lunch["deadline"], "2027-05-25T16:00:00+02:00",
        "an hour before lunch, three after"
    );
    let away = explain(&["--rep", "jonas", "--at", "2027-06-07T10:00:00+02:00"]);
    assert_eq!(away["starts"], "2027-06-14T08:00:00+02:00");
    assert!(away["steps"].to_string().contains("a day off"), "{away}");

    // A local time is read in the rep's zone.
    let local = explain(&["--rep", "rosa", "--at", "2027-11-24T16:00"]);
    assert_eq!(local["arrived"], "2027-11-24T16:00:00-05:00");

    // For people: the deadline and the steps.
    let shown = ws
        .leadgate(&[
            "sla",
            "explain",
            "--rep",
            "rosa",
            "--at",
            "2027-11-24T21:00:00Z",
            "--class",
            "warm",
        ])
        .ok()
        .stdout();
    assert!(
        shown.starts_with("Deadline 2027-11-26T12:00:00-05:00 (warm lead: acknowledge within 4 h of business time)."),
        "{shown}"
    );

    // A calendar tried before anyone has it, across New York's change of clocks.
    let tried = explain(&[
        "--calendar",
        "Mo-Su 00:00-24:00",
        "--tz",
        "America/New_York",
        "--at",
        "2027-03-13T12:00:00-05:00",
        "--class",
        "warm",
    ]);
    assert_eq!(tried["deadline"], "2027-03-13T16:00:00-05:00");
    let scotland = explain(&[
        "--calendar",
        "Mo-Fr 09:00-17:00; PH off",
        "--tz",
        "Europe/London",
        "--country",
        "GB",
        "--region",
        "SCT",
        "--at",
        "2027-11-30T10:00:00Z",
    ]);
    assert_eq!(
        scotland["deadline"], "2027-12-01T17:00:00+00:00",
        "St Andrew's Day"
    );

    // Mistakes are named.
    ws.leadgate(&["sla", "explain", "--rep", "nobody"])
        .fails_with("no rep \"nobody\" in [[handoff.reps]] (there are: rosa, jonas)");
    ws.leadgate(&[
        "sla",
        "explain",
        "--calendar",
        "Mo-Fx 09:00-17:00",
        "--tz",
        "Europe/Berlin",
    ])
    .fails_with("`Fx` is not a day");
    ws.leadgate(&[
        "sla",
        "explain",
        "--calendar",
        "Mo-Fr 09:00-17:00",
        "--tz",
        "Europe/Berlin",
        "--country",
        "DE",
        "--region",
        "XX",
    ])
    .fails_with("\"XX\" is not a region of Germany");
    ws.write(
        "leadgate.toml",
        &REPS.replace("Mo-Fr 09:00-17:00; PH off", "Mo-Fr 9-17"),
    );
    ws.leadgate(&["sla", "explain", "--rep", "rosa"])
        .fails_with(
            "leadgate.toml:8:9: key `handoff.reps[0].hours`: \"Mo-Fr 9-17\": `9` is not a time",
        );
}
