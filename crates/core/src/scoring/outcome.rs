//! What happened to a lead after it was scored: a meeting, an opportunity, a deal won or
//! lost, a disqualification. Outcomes are what a model review measures the scores against
//! ([`super::review`]) and what the next training set learns from, so they are typed here,
//! once: a recorded outcome exists only through [`NewOutcome::parse`], which refuses a lost
//! deal without a reason or an amount on a meeting.
//!
//! Outcomes arrive from a person (the CLI, the API, later the handoff stage) or from a CRM
//! export re-imported by e-mail address ([`read_crm_export`]). CRMs name their stages in
//! their own words — HubSpot's lifecycle and deal stages, Salesforce's opportunity stages —
//! and [`StageWords`] maps those words onto [`OutcomeKind`]; a team extends the mapping with
//! its own stage names.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

crate::values! {
    /// What happened to a lead.
    pub enum OutcomeKind("outcome", read as loose) {
        MeetingBooked = "meeting_booked" / "meeting booked",
        OpportunityOpened = "opportunity_opened" / "opportunity opened",
        Won = "won" / "won",
        Lost = "lost" / "lost",
        Disqualified = "disqualified" / "disqualified",
    }
}

fn loose(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

impl OutcomeKind {
    /// Whether an amount belongs to this outcome: a deal's value, won, lost or in play.
    pub fn takes_amount(self) -> bool {
        matches!(
            self,
            OutcomeKind::OpportunityOpened | OutcomeKind::Won | OutcomeKind::Lost
        )
    }

    /// Whether the outcome needs a written reason: why a deal was lost, why a lead was
    /// disqualified — the words the next ICP and model revision learn from.
    pub fn needs_reason(self) -> bool {
        matches!(self, OutcomeKind::Lost | OutcomeKind::Disqualified)
    }
}

/// The outcomes that count as a conversion unless `[scoring] conversion` says otherwise: an
/// opportunity opened or a deal won — what the CRM history's `converted` column means, so
/// a review measures the score against the same event the card was trained to predict.
pub const DEFAULT_CONVERSION: [OutcomeKind; 2] = [OutcomeKind::OpportunityOpened, OutcomeKind::Won];

/// An amount in minor units of its currency (cents for EUR and USD): `12500.50` is 1250050.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub minor: i64,
    pub currency: Currency,
}

impl std::fmt::Display for Amount {
    /// `12500.50 EUR`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", format_minor_units(self.minor), self.currency)
    }
}

/// An ISO 4217 currency code: three capital letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(text: &str) -> Result<Currency, String> {
        let t = text.trim().to_ascii_uppercase();
        match t.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(format!(
                "`{text}` is not a currency code (three letters, like EUR)"
            )),
        }
    }
}

impl AsRef<str> for Currency {
    fn as_ref(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl std::fmt::Display for Currency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_ref())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_ref())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Currency::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Reads a decimal amount as people and CRMs write it — `12500`, `12,500.50`, `12500.5` —
/// into minor units (two decimal places; more are refused rather than rounded).
pub fn parse_minor_units(text: &str) -> Result<i64, String> {
    let bad = || format!("`{text}` is not an amount (like 12500 or 12500.50)");
    let cleaned: String = text.trim().chars().filter(|c| *c != ',').collect();
    let (whole, fraction) = cleaned.split_once('.').unwrap_or((&cleaned, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 2 {
        return Err(bad());
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let whole: i64 = whole.parse().map_err(|_| bad())?;
    let cents: i64 = format!("{fraction:0<2}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(cents))
        .ok_or_else(bad)
}

/// Formats minor units back as a decimal: 1250050 → `12500.50`.
pub fn format_minor_units(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, (minor % 100).abs())
}

/// An outcome as it is handed in, checked: the only way to have one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewOutcome {
    pub kind: OutcomeKind,
    pub on: Date,
    pub amount: Option<Amount>,
    pub reason: String,
}

/// Which part of a handed-in outcome is wrong: the field and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct OutcomeError {
    pub field: &'static str,
    pub message: String,
}

fn wrong(field: &'static str, message: impl Into<String>) -> OutcomeError {
    OutcomeError {
        field,
        message: message.into(),
    }
}

impl NewOutcome {
    /// Checks an outcome: an amount only on an opportunity, a win or a loss, and then with
    /// its currency; a reason on a loss and a disqualification.
    pub fn parse(
        kind: OutcomeKind,
        on: Date,
        amount: Option<&str>,
        currency: Option<&str>,
        reason: Option<&str>,
    ) -> Result<NewOutcome, OutcomeError> {
        let amount = amount.map(str::trim).filter(|a| !a.is_empty());
        let currency = currency.map(str::trim).filter(|c| !c.is_empty());
        let reason = reason.map(str::trim).unwrap_or_default().to_string();
        let amount = match (amount, currency) {
            (None, None) => None,
            (Some(_), _) | (_, Some(_)) if !kind.takes_amount() => {
                return Err(wrong(
                    "amount",
                    format!(
                        "a {} carries no amount (only an opportunity, a win or a loss)",
                        kind.label()
                    ),
                ));
            }
            (Some(_), None) => {
                return Err(wrong("currency", "an amount needs its currency (like EUR)"));
            }
            (None, Some(_)) => return Err(wrong("amount", "a currency without an amount")),
            (Some(a), Some(c)) => Some(Amount {
                minor: parse_minor_units(a).map_err(|m| wrong("amount", m))?,
                currency: Currency::parse(c).map_err(|m| wrong("currency", m))?,
            }),
        };
        if kind.needs_reason() && reason.is_empty() {
            return Err(wrong(
                "reason",
                format!("a lead {} needs a reason, in words", kind.label()),
            ));
        }
        Ok(NewOutcome {
            kind,
            on,
            amount,
            reason,
        })
    }
}

/// CRM stage words and the outcome each means. A word maps to `None` when it is a stage
/// before any outcome (a HubSpot `lead` or `marketingqualifiedlead`): such a row is counted
/// as "no outcome", not refused.
#[derive(Debug, Clone, PartialEq)]
pub struct StageWords(BTreeMap<String, Option<OutcomeKind>>);

/// A stage as CRMs spell it, compared without case, spaces or punctuation: `Closed Won`,
/// `closedwon` and `closed_won` are one word.
pub fn stage_key(text: &str) -> String {
    text.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The built-in mapping: leadgate's own names; HubSpot lifecycle stages and default deal
/// stages; Salesforce's default opportunity stages and lead statuses.
const BUILT_IN: &[(&str, Option<OutcomeKind>)] = &[
    ("meeting_booked", Some(OutcomeKind::MeetingBooked)),
    ("meeting", Some(OutcomeKind::MeetingBooked)),
    ("opportunity_opened", Some(OutcomeKind::OpportunityOpened)),
    ("won", Some(OutcomeKind::Won)),
    ("lost", Some(OutcomeKind::Lost)),
    ("disqualified", Some(OutcomeKind::Disqualified)),
    // HubSpot lifecycle stages.
    ("subscriber", None),
    ("lead", None),
    ("marketingqualifiedlead", None),
    ("salesqualifiedlead", None),
    ("opportunity", Some(OutcomeKind::OpportunityOpened)),
    ("customer", Some(OutcomeKind::Won)),
    ("evangelist", Some(OutcomeKind::Won)),
    ("other", None),
    // HubSpot's default sales pipeline deal stages.
    ("appointmentscheduled", Some(OutcomeKind::MeetingBooked)),
    ("qualifiedtobuy", Some(OutcomeKind::OpportunityOpened)),
    (
        "presentationscheduled",
        Some(OutcomeKind::OpportunityOpened),
    ),
    (
        "decisionmakerboughtin",
        Some(OutcomeKind::OpportunityOpened),
    ),
    ("contractsent", Some(OutcomeKind::OpportunityOpened)),
    ("closedwon", Some(OutcomeKind::Won)),
    ("closedlost", Some(OutcomeKind::Lost)),
    // Salesforce's default opportunity stages.
    ("prospecting", None),
    ("qualification", Some(OutcomeKind::OpportunityOpened)),
    ("needsanalysis", Some(OutcomeKind::OpportunityOpened)),
    ("valueproposition", Some(OutcomeKind::OpportunityOpened)),
    ("iddecisionmakers", Some(OutcomeKind::OpportunityOpened)),
    ("perceptionanalysis", Some(OutcomeKind::OpportunityOpened)),
    ("proposalpricequote", Some(OutcomeKind::OpportunityOpened)),
    ("negotiationreview", Some(OutcomeKind::OpportunityOpened)),
    // Salesforce lead statuses.
    ("open", None),
    ("opennotcontacted", None),
    ("workingcontacted", None),
    ("closedconverted", Some(OutcomeKind::OpportunityOpened)),
    ("closednotconverted", Some(OutcomeKind::Disqualified)),
    ("unqualified", Some(OutcomeKind::Disqualified)),
];

impl Default for StageWords {
    fn default() -> Self {
        StageWords(
            BUILT_IN
                .iter()
                .map(|(word, kind)| (stage_key(word), *kind))
                .collect(),
        )
    }
}

impl StageWords {
    /// Adds or replaces one word; a later word wins over the built-in one.
    pub fn extend(&mut self, word: &str, kind: OutcomeKind) {
        self.0.insert(stage_key(word), Some(kind));
    }

    /// What a stage word means: `Ok(None)` for a stage before any outcome; an error for a
    /// word the mapping does not know.
    pub fn read(&self, word: &str) -> Result<Option<OutcomeKind>, String> {
        self.0.get(&stage_key(word)).copied().ok_or_else(|| {
            format!(
                "stage `{}` is not a known outcome (map it with --map '{}=won' or \
                 [scoring] crm_stages)",
                word.trim(),
                word.trim()
            )
        })
    }
}

/// One row of a CRM export, read.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportRow {
    /// An outcome for the lead with this address.
    Outcome { email: String, outcome: NewOutcome },
    /// A stage before any outcome (a lead, an MQL): nothing to record.
    NoOutcome { email: String, stage: String },
    /// A row that cannot be read, with the column at fault.
    Bad { column: String, message: String },
}

/// A CRM export read row by row; `rows[i]` is the file's row `i + 2` (after the header).
#[derive(Debug, Clone, PartialEq)]
pub struct CrmExport {
    pub rows: Vec<ExportRow>,
}

/// The header names each column may go by, compared as [`stage_key`]s; the first found wins.
const EMAIL: &[&str] = &["email", "e-mail", "email address", "contact email"];
const STAGE: &[&str] = &[
    "outcome",
    "stage",
    "deal stage",
    "lifecycle stage",
    "stagename",
    "opportunity stage",
    "lead status",
    "status",
];
const DATE: &[&str] = &[
    "date",
    "outcome date",
    "close date",
    "closedate",
    "closed date",
    "last modified date",
];
const AMOUNT: &[&str] = &["amount", "deal amount", "value"];
const CURRENCY: &[&str] = &[
    "currency",
    "currencyisocode",
    "deal currency code",
    "currency code",
];
const REASON: &[&str] = &[
    "reason",
    "closed lost reason",
    "loss reason",
    "disqualification reason",
    "unqualified reason",
];

/// The reason an imported loss or disqualification carries when its row gives none: CRMs
/// rarely require one, and a loss is still a loss for the review to count.
pub const NO_REASON_IN_EXPORT: &str = "(no reason in the CRM export)";

/// How an export is read beyond its header: the words of its stages, and the currency of
/// amounts on rows with no currency of their own (a HubSpot portal with one currency exports
/// none).
#[derive(Debug, Clone, Default)]
pub struct ExportReading {
    pub words: StageWords,
    pub currency: Option<Currency>,
}

/// Reads a CRM export: a CSV with a header naming at least the e-mail, the stage and the
/// date columns. A file that lacks one of them, or is no CSV, is an error naming the file;
/// a row that cannot be read is kept as [`ExportRow::Bad`] with its column, so that every
/// row is accounted for. A loss or disqualification without a reason is recorded with
/// [`NO_REASON_IN_EXPORT`]; an amount without a currency takes the reading's currency, and
/// without one it is a bad row.
pub fn read_crm_export(
    text: &str,
    origin: &str,
    reading: &ExportReading,
) -> Result<CrmExport, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| format!("{origin}: not a CSV file: {e}"))?
        .iter()
        .map(String::from)
        .collect();
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            header
                .iter()
                .position(|h| stage_key(h) == stage_key(n))
                .map(|i| (i, header[i].clone()))
        })
    };
    let required = |names: &[&str], what: &str| {
        find(names).ok_or_else(|| {
            format!(
                "{origin}: no {what} column (one of {}); the header is: {}",
                names.join(", "),
                header.join(", ")
            )
        })
    };
    let email = required(EMAIL, "e-mail")?;
    let stage = required(STAGE, "stage or outcome")?;
    let date = required(DATE, "date")?;
    let (amount, currency, reason) = (find(AMOUNT), find(CURRENCY), find(REASON));
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                rows.push(ExportRow::Bad {
                    column: String::new(),
                    message: format!("not a CSV row: {e}"),
                });
                continue;
            }
        };
        let cell = |c: &Option<(usize, String)>| {
            c.as_ref()
                .and_then(|(i, _)| record.get(*i))
                .filter(|v| !v.is_empty())
        };
        let default_currency = reading.currency.map(|c| c.to_string());
        rows.push(read_row(
            &record,
            (&email, &stage, &date),
            cell(&amount),
            cell(&currency).or(default_currency.as_deref()),
            cell(&reason),
            (&amount, &currency, &reason),
            &reading.words,
        ));
    }
    Ok(CrmExport { rows })
}

type Column = (usize, String);

fn read_row(
    record: &csv::StringRecord,
    (email, stage, date): (&Column, &Column, &Column),
    amount: Option<&str>,
    currency: Option<&str>,
    reason: Option<&str>,
    names: (&Option<Column>, &Option<Column>, &Option<Column>),
    words: &StageWords,
) -> ExportRow {
    let bad = |column: &str, message: String| ExportRow::Bad {
        column: column.to_string(),
        message,
    };
    let get = |c: &Column| record.get(c.0).unwrap_or_default();
    let address = get(email).to_ascii_lowercase();
    if !address.contains('@') {
        return bad(
            &email.1,
            format!("`{}` is not an e-mail address", get(email)),
        );
    }
    let word = get(stage);
    let kind = match words.read(word) {
        Ok(Some(kind)) => kind,
        Ok(None) => {
            return ExportRow::NoOutcome {
                email: address,
                stage: word.to_string(),
            };
        }
        Err(message) => return bad(&stage.1, message),
    };
    let on = match super::table::parse_date(get(date)) {
        Some(on) => on,
        None => {
            return bad(
                &date.1,
                format!("`{}` is not a date (like 2026-11-30)", get(date)),
            );
        }
    };
    // A CRM exports an amount on every deal row, meetings included: it is kept where it
    // belongs and ignored where it does not.
    let (amount, currency) = if kind.takes_amount() {
        (amount, currency)
    } else {
        (None, None)
    };
    let reason = reason.or(kind.needs_reason().then_some(NO_REASON_IN_EXPORT));
    match NewOutcome::parse(kind, on, amount, currency, reason) {
        Ok(outcome) => ExportRow::Outcome {
            email: address,
            outcome,
        },
        Err(e) if e.field == "currency" && names.1.is_none() => bad(
            "currency",
            format!(
                "{}: the export has no currency column; give the import one (--currency EUR)",
                e.message
            ),
        ),
        Err(e) => {
            let column = match e.field {
                "amount" => names.0.as_ref().map(|c| c.1.clone()),
                "currency" => names.1.as_ref().map(|c| c.1.clone()),
                _ => names.2.as_ref().map(|c| c.1.clone()),
            }
            .unwrap_or_else(|| e.field.to_string());
            bad(&column, e.message)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_loss_needs_a_reason_and_a_meeting_no_amount() {
        let lost = NewOutcome::parse(OutcomeKind::Lost, day("2026-11-02"), None, None, None);
        assert_eq!(lost.unwrap_err().field, "reason");
        let meeting = NewOutcome::parse(
            OutcomeKind::MeetingBooked,
            day("2026-11-02"),
            Some("100"),
            Some("EUR"),
            None,
        );
        assert_eq!(meeting.unwrap_err().field, "amount");
        let won = NewOutcome::parse(
            OutcomeKind::Won,
            day("2026-11-02"),
            Some("12,500.5"),
            Some("eur"),
            None,
        )
        .unwrap();
        let amount = won.amount.unwrap();
        assert_eq!(
            (amount.minor, amount.currency.to_string()),
            (1_250_050, "EUR".to_string())
        );
    }

    #[test]
    fn amounts_read_to_minor_units_and_refuse_fractions_of_a_cent() {
        assert_eq!(parse_minor_units("12500"), Ok(1_250_000));
        assert_eq!(parse_minor_units("0.07"), Ok(7));
        assert!(parse_minor_units("1.005").is_err());
        assert!(parse_minor_units("-5").is_err());
        assert!(parse_minor_units("ten").is_err());
        assert_eq!(format_minor_units(1_250_050), "12500.50");
    }

    #[test]
    fn crm_words_map_across_vendors_and_a_team_adds_its_own() {
        let mut words = StageWords::default();
        assert_eq!(words.read("Closed Won"), Ok(Some(OutcomeKind::Won)));
        assert_eq!(words.read("closedlost"), Ok(Some(OutcomeKind::Lost)));
        assert_eq!(
            words.read("Proposal/Price Quote"),
            Ok(Some(OutcomeKind::OpportunityOpened))
        );
        assert_eq!(words.read("marketingqualifiedlead"), Ok(None));
        assert!(words.read("Verbal Commit").is_err());
        words.extend("Verbal Commit", OutcomeKind::OpportunityOpened);
        assert_eq!(
            words.read("verbal-commit"),
            Ok(Some(OutcomeKind::OpportunityOpened))
        );
    }

    #[test]
    fn an_export_keeps_every_row_and_names_the_column_of_a_bad_one() {
        let text = "Email,Deal Stage,Close Date,Amount,Currency,Closed Lost Reason
ann@small.io,Closed Won,2026-11-02,5000,EUR,
bo@big.io,closedlost,2026-11-03,,,
cy@mid.io,lead,2026-11-03,,,
dee@tiny.io,Closed Won,yesterday,,,
";
        let export = read_crm_export(text, "crm.csv", &ExportReading::default()).unwrap();
        assert_eq!(export.rows.len(), 4);
        assert!(
            matches!(&export.rows[0], ExportRow::Outcome { outcome, .. } if outcome.kind == OutcomeKind::Won)
        );
        assert!(
            matches!(&export.rows[1], ExportRow::Outcome { outcome, .. } if outcome.reason == NO_REASON_IN_EXPORT)
        );
        assert!(matches!(&export.rows[2], ExportRow::NoOutcome { .. }));
        assert!(matches!(&export.rows[3], ExportRow::Bad { column, .. } if column == "Close Date"));
    }

    #[test]
    fn amounts_without_a_currency_take_the_readings_or_are_bad() {
        let text = "email,stage,date,amount\nann@small.io,won,2026-11-02,5000\n";
        let euros = ExportReading {
            currency: Some(Currency::parse("EUR").unwrap()),
            ..ExportReading::default()
        };

        let with = read_crm_export(text, "crm.csv", &euros).unwrap();
        let without = read_crm_export(text, "crm.csv", &ExportReading::default()).unwrap();

        assert!(matches!(
            &with.rows[0],
            ExportRow::Outcome { outcome, .. }
                if outcome.amount.is_some_and(|a| a.minor == 500_000 && a.currency.to_string() == "EUR")
        ));
        assert!(
            matches!(&without.rows[0], ExportRow::Bad { column, message } if column == "currency" && message.contains("--currency")),
            "{:?}",
            without.rows[0]
        );
    }

    #[test]
    fn an_export_without_a_date_column_is_refused_whole() {
        let e = read_crm_export(
            "email,stage\nann@small.io,won\n",
            "crm.csv",
            &ExportReading::default(),
        )
        .unwrap_err();
        assert!(e.contains("crm.csv: no date column"), "{e}");
    }
}
