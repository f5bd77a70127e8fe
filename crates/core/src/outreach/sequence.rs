//! A sequence as a team writes it, in TOML: 3 to 5 touches over e-mail, LinkedIn and the
//! phone, each after a delay in business days, each with its subject and body templates and
//! optional A/B variants, and each optionally waiting for what the prospect did since the
//! touch before (opened and not replied, clicked, visited pricing).
//!
//! ```toml
//! name = "Series B founders"
//! description = "Founders of companies that raised in the last six months"
//!
//! [[steps]]
//! channel = "email"
//! delay_days = 0
//! subject = "{{ lead.company_name }} after the round"
//! body = """
//! Hi {{ lead.first_name }},
//! ...
//! """
//!
//! [[steps.variants]]
//! name = "short"
//! subject = "Quick question, {{ lead.first_name }}"
//! body = "..."
//!
//! [[steps]]
//! channel = "call"
//! delay_days = 2
//! when = { event = "clicked", at_least = 2 }
//! body = "Talking points: ..."
//! ```
//!
//! leadgate never automates LinkedIn or the phone: those steps become tasks for the rep, with
//! the rendered text to send or say. Every template is checked when the file is read: it
//! must parse, and it may name only the lead's facts (`lead.<field>`, fields of
//! [`crate::discovery::field::Field`] and [`crate::enrichment::EnrichField`]) and the sender
//! (`sender.name`, `sender.title`, `sender.company`, `sender.address`), so a misspelt
//! variable is an error naming the step and line before any lead is in sight. Whether a
//! lead *has* a fact is known only when rendering ([`super::compose`]).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::discovery::field::Field;
use crate::enrichment::EnrichField;
use crate::toml_error::{KeyPath, TomlError};

crate::values! {
    /// How a touch reaches the prospect.
    pub enum Channel("channel") {
        Email = "email" / "e-mail",
        /// A connection request with a note: a task for the rep.
        LinkedinConnect = "linkedin_connect" / "LinkedIn connection request",
        /// A message to a connection: a task for the rep.
        LinkedinMessage = "linkedin_message" / "LinkedIn message",
        /// A call with talking points: a task for the rep.
        Call = "call" / "call",
    }
}

impl Channel {
    /// Whether leadgate sends the touch itself (e-mail), or a rep does it from a task.
    pub fn is_sent(self) -> bool {
        self == Channel::Email
    }

    /// The longest body the channel takes, in characters: LinkedIn caps a connection
    /// request's note at 300 and a message at 8,000.
    pub fn max_body_chars(self) -> Option<usize> {
        match self {
            Channel::LinkedinConnect => Some(300),
            Channel::LinkedinMessage => Some(8_000),
            Channel::Email | Channel::Call => None,
        }
    }
}

crate::values! {
    /// What the prospect did since the touch before, that a step can wait for.
    pub enum Engagement("engagement") {
        /// Opened the last e-mail and did not reply.
        OpenedNotReplied = "opened_not_replied" / "opened and did not reply",
        /// Clicked a link in an e-mail.
        Clicked = "clicked" / "clicked a link",
        /// Visited the pricing page.
        VisitedPricing = "visited_pricing" / "visited the pricing page",
    }
}

/// A step's condition: taken only when the prospect did this at least so many times since
/// the step before; otherwise the step is passed over and the sequence goes on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub event: Engagement,
    #[serde(default = "one")]
    pub at_least: u32,
}

fn one() -> u32 {
    1
}

/// One way of writing a step: the step's own text is variant `A`, each of `variants` is
/// another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub name: String,
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
}

/// One touch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub channel: Channel,
    /// Business days after the step before (after the start, for the first step).
    pub delay_days: u32,
    #[serde(default)]
    pub subject: Option<String>,
    pub body: String,
    #[serde(default)]
    pub when: Option<When>,
    #[serde(default)]
    pub variants: Vec<Variant>,
}

impl Step {
    /// Every variant of the step, the step's own text first as `A`.
    pub fn all_variants(&self) -> Vec<Variant> {
        let mut all = vec![Variant {
            name: "A".to_string(),
            subject: self.subject.clone(),
            body: self.body.clone(),
        }];
        all.extend(self.variants.iter().cloned());
        all
    }
}

/// A sequence as read from its TOML file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub steps: Vec<Step>,
}

/// One step as a variant sends it: the step's own text (`A`) unless the step has a text of
/// the variant's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariantStep<'a> {
    /// From 0.
    pub index: usize,
    pub step: &'a Step,
    pub variant: Variant,
}

impl Sequence {
    /// The sequence's variants: `A`, then every other name a step gives a text, in the order
    /// they first appear. A variant runs through the whole sequence: where a step has no text
    /// of its name, it sends the step's own.
    pub fn variant_names(&self) -> Vec<String> {
        let mut names = vec!["A".to_string()];
        for step in &self.steps {
            for variant in &step.variants {
                if !names.contains(&variant.name) {
                    names.push(variant.name.clone());
                }
            }
        }
        names
    }

    /// Every step as variant `name` sends it.
    pub fn as_variant(&self, name: &str) -> Vec<VariantStep<'_>> {
        self.steps
            .iter()
            .enumerate()
            .map(|(index, step)| {
                let variant = step
                    .all_variants()
                    .into_iter()
                    .find(|v| v.name == name)
                    .unwrap_or_else(|| Variant {
                        name: "A".to_string(),
                        subject: step.subject.clone(),
                        body: step.body.clone(),
                    });
                VariantStep {
                    index,
                    step,
                    variant,
                }
            })
            .collect()
    }

    /// The digest of everything variant `name` would send: each step's channel, delay,
    /// condition and templates, in order (SHA-256, hex). The first-variant gate approves this
    /// digest; a message whose variant digests differently is not the one approved and is
    /// not sent. Renaming the sequence or editing its description changes nothing sent, so
    /// neither is in it.
    pub fn variant_digest(&self, name: &str) -> String {
        let steps: Vec<_> = self
            .as_variant(name)
            .into_iter()
            .map(|v| {
                serde_json::json!({
                    "channel": v.step.channel,
                    "delay_days": v.step.delay_days,
                    "when": v.step.when,
                    "subject": v.variant.subject,
                    "body": v.variant.body,
                })
            })
            .collect();
        let canonical = serde_json::Value::Array(steps).to_string();
        hex::encode(Sha256::digest(canonical.as_bytes()))
    }
}

/// The fewest and most touches a sequence has.
pub const STEPS: std::ops::RangeInclusive<usize> = 3..=5;

/// What a template may name under `sender`.
pub const SENDER_FIELDS: &[&str] = &["name", "title", "company", "address"];

/// Whether `field` is a fact a lead can have: what a template may name under `lead`.
pub fn is_lead_field(field: &str) -> bool {
    field.parse::<Field>().is_ok()
        || field.parse::<EnrichField>().is_ok()
        || PROFILE_ONLY_FIELDS.contains(&field)
}

/// Fields a resolved profile carries that no import column is named after.
const PROFILE_ONLY_FIELDS: &[&str] = &["department"];

impl Sequence {
    /// Reads and checks a sequence file; errors name the file, line and key.
    pub fn parse(text: &str, origin: &str) -> Result<Sequence, TomlError> {
        let sequence: Sequence =
            toml::from_str(text).map_err(|error| TomlError::from_de(&error, text, origin))?;
        match sequence.problem() {
            None => Ok(sequence),
            Some((path, message)) => Err(TomlError::at(text, origin, &path, message)),
        }
    }

    /// The first thing wrong with a sequence read, and where.
    fn problem(&self) -> Option<(KeyPath, String)> {
        let root = KeyPath::default();
        if self.name.trim().is_empty() {
            return Some((root.key("name"), "a sequence needs a name".to_string()));
        }
        if !STEPS.contains(&self.steps.len()) {
            return Some((
                root.key("steps"),
                format!(
                    "a sequence has {} to {} steps; this one has {}",
                    STEPS.start(),
                    STEPS.end(),
                    self.steps.len()
                ),
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            let at = root.key("steps").index(i);
            if i == 0 && step.when.is_some() {
                return Some((
                    at.key("when"),
                    "the first step has no step before it to wait on".to_string(),
                ));
            }
            if i > 0 && step.delay_days == 0 {
                return Some((
                    at.key("delay_days"),
                    "a follow-up needs at least one business day after the step before".to_string(),
                ));
            }
            let mut names = BTreeSet::from(["A".to_string()]);
            for (v, variant) in step.variants.iter().enumerate() {
                if !names.insert(variant.name.trim().to_string()) || variant.name.trim().is_empty()
                {
                    return Some((
                        at.key("variants").index(v).key("name"),
                        format!(
                            "each variant needs a name of its own (`A` is the step's own text); \
                             `{}` is taken or empty",
                            variant.name
                        ),
                    ));
                }
            }
            let texts = std::iter::once((at.clone(), &step.subject, &step.body)).chain(
                step.variants.iter().enumerate().map(|(v, variant)| {
                    (at.key("variants").index(v), &variant.subject, &variant.body)
                }),
            );
            for (where_, subject, body) in texts {
                if let Some(problem) = text_problem(step.channel, &where_, subject, body) {
                    return Some(problem);
                }
            }
        }
        None
    }
}

/// What is wrong with one variant's subject and body for its channel.
fn text_problem(
    channel: Channel,
    at: &KeyPath,
    subject: &Option<String>,
    body: &str,
) -> Option<(KeyPath, String)> {
    match (channel, subject) {
        (Channel::Email, None) => {
            return Some((
                at.key("subject"),
                "an e-mail step needs a subject".to_string(),
            ));
        }
        (Channel::Email, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Some((
                at.key("subject"),
                format!("a {} has no subject", channel.label()),
            ));
        }
    }
    if body.trim().is_empty() {
        return Some((at.key("body"), "the body is empty".to_string()));
    }
    for (key, text) in [("subject", subject.as_deref()), ("body", Some(body))] {
        let Some(text) = text else { continue };
        if let Err(message) = check_template(text) {
            return Some((at.key(key), message));
        }
    }
    None
}

/// Whether a template parses and names only what a template may name.
pub fn check_template(text: &str) -> Result<(), String> {
    let env = super::compose::environment();
    let template = env
        .template_from_str(text)
        .map_err(|e| format!("not a template: {}", super::compose::describe(&e)))?;
    let mut unknown: Vec<String> = template
        .undeclared_variables(true)
        .into_iter()
        .filter(|name| !is_known_variable(name))
        .collect();
    unknown.sort();
    match unknown.first() {
        None => Ok(()),
        Some(name) => Err(format!(
            "`{name}` is not something a message can say: use `lead.<field>` for a fact of the \
             lead (like `lead.first_name` or `lead.funding_stage`), `sender.<field>` ({}), or `opener`",
            SENDER_FIELDS.join(", ")
        )),
    }
}

/// `lead.<a fact's field>`, `sender.<one of SENDER_FIELDS>`, or `opener`.
fn is_known_variable(name: &str) -> bool {
    match name.split_once('.') {
        Some(("lead", field)) => is_lead_field(field),
        Some(("sender", field)) => SENDER_FIELDS.contains(&field),
        Some(_) => false,
        None => name == "opener",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(steps: &str) -> String {
        format!("name = \"Founders\"\n{steps}")
    }

    const EMAIL: &str = "[[steps]]\nchannel = \"email\"\ndelay_days = DAYS\nsubject = \"Hi\"\nbody = \"Hello {{ lead.first_name }}\"\n";

    fn emails(count: usize) -> String {
        (0..count)
            .map(|i| EMAIL.replace("DAYS", &(if i == 0 { 0 } else { 2 }).to_string()))
            .collect()
    }

    #[test]
    fn a_variant_runs_through_the_sequence_and_its_digest_covers_only_what_it_sends() {
        let text = format!(
            "{}[[steps.variants]]\nname = \"B\"\nsubject = \"Hey\"\nbody = \"Yo {{{{ lead.first_name }}}}\"\n{}",
            sequence(&emails(1)),
            EMAIL.replace("DAYS", "2").repeat(2)
        );
        let parsed = Sequence::parse(&text, "seq.toml").unwrap();

        assert_eq!(parsed.variant_names(), ["A", "B"]);
        let b = parsed.as_variant("B");
        assert_eq!(b[0].variant.name, "B");
        assert_eq!(
            b[1].variant.name, "A",
            "a step without a B text sends its own"
        );
        assert_ne!(parsed.variant_digest("A"), parsed.variant_digest("B"));

        // Renaming changes nothing sent; editing a later step's text changes both variants.
        let renamed = Sequence::parse(&text.replace("Founders", "CEOs"), "seq.toml").unwrap();
        assert_eq!(renamed.variant_digest("B"), parsed.variant_digest("B"));
        let mut edited = parsed.clone();
        edited.steps[2].body.push('!');
        assert_ne!(edited.variant_digest("A"), parsed.variant_digest("A"));
        assert_ne!(edited.variant_digest("B"), parsed.variant_digest("B"));
        // Editing B's own text leaves A's digest alone.
        let mut b_only = parsed.clone();
        b_only.steps[0].variants[0].body.push('!');
        assert_eq!(b_only.variant_digest("A"), parsed.variant_digest("A"));
        assert_ne!(b_only.variant_digest("B"), parsed.variant_digest("B"));
    }

    #[test]
    fn a_sequence_of_three_to_five_steps_reads() {
        for count in 3..=5 {
            let parsed = Sequence::parse(&sequence(&emails(count)), "seq.toml").unwrap();
            assert_eq!(parsed.steps.len(), count);
        }
        for count in [2, 6] {
            let error = Sequence::parse(&sequence(&emails(count)), "seq.toml").unwrap_err();
            assert!(
                error.to_string().contains(&format!("this one has {count}")),
                "{error}"
            );
        }
    }

    #[test]
    fn a_misspelt_variable_is_named_with_its_step_and_line() {
        let text = sequence(&emails(3).replacen("lead.first_name", "lead.firstname", 2));

        let error = Sequence::parse(&text, "seq.toml").unwrap_err();

        assert_eq!(error.key.as_deref(), Some("steps[0].body"));
        assert_eq!(error.line, Some(6));
        assert!(error.message.contains("`lead.firstname`"), "{error}");
    }

    #[test]
    fn channels_take_what_they_take() {
        let connect = "[[steps]]\nchannel = \"linkedin_connect\"\ndelay_days = 2\nsubject = \"x\"\nbody = \"Hi\"\n";
        let text = sequence(&format!(
            "{}{connect}{}",
            emails(1),
            emails(2).replace("= 0", "= 3")
        ));

        let error = Sequence::parse(&text, "seq.toml").unwrap_err();

        assert_eq!(error.key.as_deref(), Some("steps[1].subject"));
        assert!(error.message.contains("has no subject"), "{error}");
        let no_subject = sequence(&emails(3).replacen("subject = \"Hi\"\n", "", 1));
        assert_eq!(
            Sequence::parse(&no_subject, "seq.toml")
                .unwrap_err()
                .key
                .as_deref(),
            Some("steps[0].subject")
        );
    }

    #[test]
    fn follow_ups_wait_and_variants_have_names_of_their_own() {
        let same_day = sequence(&emails(3).replace("delay_days = 2", "delay_days = 0"));
        let variant = |name: &str| {
            sequence(&format!(
                "{}[[steps.variants]]\nname = \"{name}\"\nsubject = \"Yo\"\nbody = \"Hey {{{{ sender.name }}}}\"\n{}",
                emails(1),
                emails(2).replace("= 0", "= 1")
            ))
        };

        assert_eq!(
            Sequence::parse(&same_day, "seq.toml")
                .unwrap_err()
                .key
                .as_deref(),
            Some("steps[1].delay_days")
        );
        let parsed = Sequence::parse(&variant("B"), "seq.toml").unwrap();
        let names: Vec<String> = parsed.steps[0]
            .all_variants()
            .into_iter()
            .map(|v| v.name)
            .collect();
        assert_eq!(names, ["A", "B"]);
        assert_eq!(
            Sequence::parse(&variant("A"), "seq.toml")
                .unwrap_err()
                .key
                .as_deref(),
            Some("steps[0].variants[0].name")
        );
    }

    #[test]
    fn a_step_can_wait_for_what_the_prospect_did() {
        let call = "[[steps]]\nchannel = \"call\"\ndelay_days = 2\nwhen = { event = \"clicked\", at_least = 2 }\nbody = \"Ask about {{ lead.tech_stack }}\"\n";
        let text = sequence(&format!("{}{call}", emails(2)));
        let first = sequence(&format!(
            "{}{}",
            call.replace("delay_days = 2", "delay_days = 0"),
            emails(2).replace("= 0", "= 1")
        ));

        let parsed = Sequence::parse(&text, "seq.toml").unwrap();

        assert_eq!(
            parsed.steps[2].when,
            Some(When {
                event: Engagement::Clicked,
                at_least: 2
            })
        );
        assert!(!parsed.steps[2].channel.is_sent());
        assert_eq!(
            Sequence::parse(&first, "seq.toml")
                .unwrap_err()
                .key
                .as_deref(),
            Some("steps[0].when")
        );
    }

    #[test]
    fn a_template_that_does_not_parse_is_an_error_not_a_message() {
        let text = sequence(&emails(3).replacen("{{ lead.first_name }}", "{{ lead.first_name", 1));

        let error = Sequence::parse(&text, "seq.toml").unwrap_err();

        assert!(error.message.starts_with("not a template"), "{error}");
    }
}
