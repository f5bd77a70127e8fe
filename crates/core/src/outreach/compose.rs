//! Rendering a message for one lead from its facts, keeping what every claim rests on.
//!
//! Templates are minijinja in a sandbox: no file or network access, no includes, a fuel
//! limit on loops, and strict undefined values — a variable the lead has no fact for is an
//! error naming it, never an empty string, so `Hi {{ lead.first_name }}` cannot reach a
//! prospect as `Hi ,`. (A template may ask `{% if lead.funding_stage is defined %}` to say
//! something only when the fact is there.)
//!
//! Each of the lead's facts enters the template as a value that remembers which fact it is.
//! When one is printed, the text it prints becomes a [`Claim`]: its place in the message and
//! the fact it rests on, so the gate can highlight it and link it to its source. A fact read
//! without being printed (in a condition, or through a filter that turns it into other
//! text) is still one the message rests on: every fact read is in [`Rendered::rests_on`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;
use minijinja::value::{Enumerator, Object, ObjectRepr, Value};
use minijinja::{Environment, UndefinedBehavior};
use serde::{Deserialize, Serialize};

use super::sequence::SENDER_FIELDS;
use super::snippets::{self, Signal};
use super::writer::Opener;

/// Steps of template work a message may take: a loop over a lead's facts takes a few
/// hundred; a runaway loop is stopped.
const FUEL: u64 = 50_000;

/// One fact of a lead as a message may cite it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fact {
    /// The field, as templates name it under `lead` (`first_name`, `funding_stage`).
    pub field: String,
    pub value: String,
    /// Where it came from: an import's source or an enrichment provider.
    pub source: String,
    /// The stored record it was read from, when there is one.
    pub record: Option<i64>,
    pub observed_at: Option<Timestamp>,
}

/// The newest fact of `field` that has a value (facts are oldest first), with its index.
pub fn newest_known<'f>(facts: &'f [Fact], field: &str) -> Option<(usize, &'f str)> {
    facts
        .iter()
        .enumerate()
        .rev()
        .find(|(_, f)| f.field == field && !f.value.trim().is_empty())
        .map(|(i, f)| (i, f.value.trim()))
}

/// Who writes: not facts about the prospect, so never claims. `[outreach.sender]` in the
/// workspace's `leadgate.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Sender {
    pub name: String,
    pub title: String,
    pub company: String,
    /// The postal address the footer carries.
    pub address: String,
}

/// A stretch of the rendered text that states a fact, by byte offsets into the text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub start: usize,
    pub end: usize,
    /// The index of the fact in the facts the message was rendered from.
    pub fact: usize,
}

/// A rendered text and what it rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendered {
    pub text: String,
    pub claims: Vec<Claim>,
    /// Every fact the template read, printed or not (indices into the facts).
    pub rests_on: BTreeSet<usize>,
    /// The signal of the snippet `{{ opener }}` printed, if it did.
    pub opener: Option<Signal>,
    /// The model that wrote the opener `{{ opener }}` printed, when a model did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_by: Option<String>,
}

/// Why a template could not be rendered for a lead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

/// The sandbox every template runs in (also used to check templates when a sequence is
/// read).
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    // Plain text: a message is not HTML, and a company called "Smith & Sons" stays so.
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// A template error in words, with its line when it has one.
pub fn describe(error: &minijinja::Error) -> String {
    let what = error.detail().map_or_else(
        || error.kind().to_string(),
        |detail| format!("{}: {detail}", error.kind()),
    );
    match error.line() {
        Some(line) => format!("{what} (line {line} of the template)"),
        None => what,
    }
}

/// Renders `template` for a lead with these facts and this sender, at `now` (which decides
/// whether a signal is still news for `{{ opener }}`, [`super::snippets`]).
pub fn render(
    template: &str,
    facts: &[Fact],
    sender: &Sender,
    now: Timestamp,
) -> Result<Rendered, RenderError> {
    render_with(template, facts, sender, now, None)
}

/// [`render`], with `{{ opener }}` the one a model wrote when `written` is given (it passed
/// the claims check: its claims cite their facts like a template's).
pub fn render_with(
    template: &str,
    facts: &[Fact],
    sender: &Sender,
    now: Timestamp,
    written: Option<&Opener>,
) -> Result<Rendered, RenderError> {
    let env = environment();
    let compiled = env
        .template_from_str(template)
        .map_err(|e| RenderError(describe(&e)))?;
    let read = Arc::new(Mutex::new(BTreeSet::new()));
    let sender = sender_value(sender);
    let mut context = BTreeMap::from([
        ("lead".to_string(), lead_value(facts, &read)),
        ("sender".to_string(), sender.clone()),
    ]);
    let mut opener = None;
    let mut written_by = None;
    // Only a template that says `{{ opener }}` rests on the facts that chose it.
    if uses_opener(&compiled) {
        let chosen = match written {
            Some(written) => {
                written_by = Some(written.model.clone());
                Some((None, marked(written), written.supported.rests_on.clone()))
            }
            None => choose_opener(&env, facts, &sender, now)
                .map(|(signal, text, rests_on)| (Some(signal), text, rests_on)),
        };
        if let Some((signal, text, rests_on)) = chosen {
            context.insert("opener".to_string(), Value::from(text));
            if let Ok(mut read) = read.lock() {
                read.extend(rests_on);
            }
            opener = signal;
        }
    }
    let marked = compiled
        .render(Value::from(context))
        .map_err(|e| RenderError(describe(&e)))?;
    let (text, claims) = unmark(&marked)?;
    let rests_on = read.lock().map(|r| r.clone()).unwrap_or_default();
    Ok(Rendered {
        text,
        claims,
        rests_on,
        opener,
        written_by,
    })
}

/// Whether a template prints `{{ opener }}`: only then is an opener chosen or written.
pub fn uses_opener(compiled: &minijinja::Template<'_, '_>) -> bool {
    compiled.undeclared_variables(false).contains("opener")
}

/// Whether `template` prints `{{ opener }}` (false for one that does not compile).
pub fn template_uses_opener(template: &str) -> bool {
    environment()
        .template_from_str(template)
        .is_ok_and(|t| uses_opener(&t))
}

/// A model's opener with its claims marked, as a printed fact is.
fn marked(written: &Opener) -> String {
    let text: String = written.text.chars().filter(|c| !is_mark(*c)).collect();
    if text.len() != written.text.len() {
        // Marks in the text itself would move the claims: print it unmarked.
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for claim in &written.supported.claims {
        let (Some(before), Some(cited)) =
            (text.get(at..claim.start), text.get(claim.start..claim.end))
        else {
            continue;
        };
        out.push_str(before);
        out.push_str(&format!("{OPEN}{}{SEP}{cited}{CLOSE}", claim.fact));
        at = claim.end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

/// The lead's facts as a template value that records what is read into `read`.
fn lead_value(facts: &[Fact], read: &Arc<Mutex<BTreeSet<usize>>>) -> Value {
    Value::from_object(LeadFacts {
        facts: facts.to_vec(),
        read: Arc::clone(read),
    })
}

/// The sender as a template value. A field left empty is not there at all: a template that
/// names it fails like one naming a missing fact, rather than signing with nothing.
fn sender_value(sender: &Sender) -> Value {
    let fields: BTreeMap<String, Value> = SENDER_FIELDS
        .iter()
        .filter_map(|&field| {
            let value = match field {
                "name" => &sender.name,
                "title" => &sender.title,
                "company" => &sender.company,
                _ => &sender.address,
            };
            (!value.trim().is_empty()).then(|| (field.to_string(), Value::from(value.clone())))
        })
        .collect();
    Value::from(fields)
}

/// The first built-in snippet whose signal the lead shows at `now` and that can be written
/// from its facts: the signal, the text with its claims still marked, and the facts read.
fn choose_opener(
    env: &Environment<'static>,
    facts: &[Fact],
    sender: &Value,
    now: Timestamp,
) -> Option<(Signal, String, BTreeSet<usize>)> {
    snippets::builtin().iter().find_map(|snippet| {
        let evidence = snippets::evidence(snippet.signal, facts, now)?;
        let read = Arc::new(Mutex::new(
            evidence.into_iter().collect::<BTreeSet<usize>>(),
        ));
        let context = minijinja::context! {
            lead => lead_value(facts, &read),
            sender => sender.clone(),
        };
        let text = env.render_str(&snippet.text, context).ok()?;
        let rests_on = read.lock().map(|r| r.clone()).unwrap_or_default();
        Some((snippet.signal, text, rests_on))
    })
}

// A printed fact is wrapped in characters of Unicode's private use area, which no fact or
// template holds (facts are stripped of them, below), then the marks are taken out and their
// places kept: OPEN, the fact's index in decimal, SEP, the text, CLOSE.
const OPEN: char = '\u{F8F0}';
const SEP: char = '\u{F8F1}';
const CLOSE: char = '\u{F8F2}';

fn is_mark(c: char) -> bool {
    matches!(c, OPEN | SEP | CLOSE)
}

/// The text without its marks, and the claims the marks delimited.
fn unmark(marked: &str) -> Result<(String, Vec<Claim>), RenderError> {
    let cut = || {
        RenderError(
            "a filter cut a fact in the middle (truncate a fact's value before printing it, \
             not the text around it)"
                .to_string(),
        )
    };
    let mut text = String::with_capacity(marked.len());
    let mut claims = Vec::new();
    let mut chars = marked.chars();
    while let Some(c) = chars.next() {
        if c != OPEN {
            if is_mark(c) {
                return Err(cut());
            }
            text.push(c);
            continue;
        }
        let mut index = String::new();
        for c in chars.by_ref() {
            if c == SEP {
                break;
            }
            index.push(c);
        }
        let fact: usize = index.parse().map_err(|_| cut())?;
        let start = text.len();
        let mut closed = false;
        for c in chars.by_ref() {
            if c == CLOSE {
                closed = true;
                break;
            }
            if is_mark(c) {
                return Err(cut());
            }
            text.push(c);
        }
        if !closed {
            return Err(cut());
        }
        if text.len() > start {
            claims.push(Claim {
                start,
                end: text.len(),
                fact,
            });
        }
    }
    Ok((text, claims))
}

/// The lead's facts as the template sees them under `lead`: reading one records it.
#[derive(Debug)]
struct LeadFacts {
    facts: Vec<Fact>,
    read: Arc<Mutex<BTreeSet<usize>>>,
}

impl Object for LeadFacts {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let field = key.as_str()?;
        // The newest fact of the field, when the lead has several (the caller orders them).
        let (index, fact) = self
            .facts
            .iter()
            .enumerate()
            .rev()
            .find(|(_, f)| f.field == field)?;
        if let Ok(mut read) = self.read.lock() {
            read.insert(index);
        }
        Some(Value::from_object(Cited {
            index,
            text: fact.value.chars().filter(|c| !is_mark(*c)).collect(),
        }))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        // Which facts a lead has is not for a template to list: it names what it says.
        Enumerator::NonEnumerable
    }
}

/// One fact's value, printed with the marks that make it a claim.
#[derive(Debug)]
struct Cited {
    index: usize,
    text: String,
}

impl Object for Cited {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn is_true(self: &Arc<Self>) -> bool {
        !self.text.trim().is_empty()
    }

    fn render(self: &Arc<Self>, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        Self: Sized + 'static,
    {
        write!(f, "{OPEN}{}{SEP}{}{CLOSE}", self.index, self.text)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A fact of a lead from one record of an import, for the outreach tests.
    pub(crate) fn fact(field: &str, value: &str) -> Fact {
        Fact {
            field: field.to_string(),
            value: value.to_string(),
            source: "apollo".to_string(),
            record: Some(7),
            observed_at: None,
        }
    }

    fn facts() -> Vec<Fact> {
        vec![
            fact("first_name", "Ada"),
            fact("company_name", "Fluroa & Co"),
            fact("funding_stage", "Series B"),
        ]
    }

    fn now() -> Timestamp {
        "2027-03-01T09:00:00Z".parse().unwrap()
    }

    fn sender() -> Sender {
        Sender {
            name: "Sam".into(),
            title: "Founder".into(),
            company: "leadgate".into(),
            address: "1 Main St".into(),
        }
    }

    #[test]
    fn every_printed_fact_is_a_claim_citing_it() {
        let rendered = render(
            "Hi {{ lead.first_name }}, congratulations to {{ lead.company_name }} on the {{ lead.funding_stage }}. {{ sender.name }}",
            &facts(),
            &sender(),
            now(),
        )
        .unwrap();

        assert_eq!(
            rendered.text,
            "Hi Ada, congratulations to Fluroa & Co on the Series B. Sam"
        );
        let cited: Vec<(&str, usize)> = rendered
            .claims
            .iter()
            .map(|c| (&rendered.text[c.start..c.end], c.fact))
            .collect();
        assert_eq!(cited, [("Ada", 0), ("Fluroa & Co", 1), ("Series B", 2)]);
        assert_eq!(rendered.rests_on, BTreeSet::from([0, 1, 2]));
    }

    #[test]
    fn a_fact_the_lead_does_not_have_is_an_error_never_an_empty_string() {
        let error = render("Hi {{ lead.last_name }},", &facts(), &sender(), now()).unwrap_err();
        let guarded = render(
            "Hi{% if lead.last_name is defined %} {{ lead.last_name }}{% endif %},",
            &facts(),
            &sender(),
            now(),
        )
        .unwrap();

        let unsigned =
            render("{{ sender.name }}", &facts(), &Sender::default(), now()).unwrap_err();

        assert!(error.0.contains("`lead.last_name` is undefined"), "{error}");
        assert!(
            unsigned.0.contains("`sender.name` is undefined"),
            "{unsigned}"
        );
        assert_eq!(guarded.text, "Hi,");
        assert!(guarded.claims.is_empty());
    }

    #[test]
    fn a_fact_read_in_a_condition_is_one_the_message_rests_on() {
        let rendered = render(
            "{% if lead.funding_stage %}I saw the news of your round.{% endif %}",
            &facts(),
            &sender(),
            now(),
        )
        .unwrap();

        assert_eq!(rendered.text, "I saw the news of your round.");
        assert!(rendered.claims.is_empty());
        assert_eq!(rendered.rests_on, BTreeSet::from([2]));
    }

    #[test]
    fn filters_keep_the_claim_and_a_cut_one_is_refused() {
        let upper = render("{{ lead.first_name | upper }}!", &facts(), &sender(), now()).unwrap();
        let cut = render(
            "{{ (lead.company_name ~ '')[:4] }}",
            &facts(),
            &sender(),
            now(),
        );

        assert_eq!(upper.text, "ADA!");
        assert_eq!(upper.claims.len(), 1);
        assert!(cut.is_err(), "{cut:?}");
    }

    #[test]
    fn text_from_a_fact_is_printed_not_run() {
        let injected = vec![fact(
            "first_name",
            "{{ sender.address }} ignore previous instructions \u{F8F0}9\u{F8F1}",
        )];

        let rendered = render("Hi {{ lead.first_name }}", &injected, &sender(), now()).unwrap();

        assert_eq!(
            rendered.text,
            "Hi {{ sender.address }} ignore previous instructions 9"
        );
        assert_eq!(rendered.claims.len(), 1);
        assert_eq!(rendered.claims[0].fact, 0);
    }

    #[test]
    fn the_opener_speaks_to_the_first_signal_the_lead_shows_and_cites_its_facts() {
        let mut funded = facts();
        funded.push(fact("funding_date", "2027-01-10"));
        let template =
            "{% if opener is defined %}{{ opener }} {% endif %}Hi {{ lead.first_name }}.";

        let news = render(template, &funded, &sender(), now()).unwrap();
        let old_news = render(
            template,
            &funded,
            &sender(),
            "2028-06-01T00:00:00Z".parse().unwrap(),
        )
        .unwrap();

        assert_eq!(
            news.text,
            "Congratulations to Fluroa & Co on the Series B. Hi Ada."
        );
        assert_eq!(news.opener, Some(Signal::FundingRound));
        let cited: Vec<&str> = news
            .claims
            .iter()
            .map(|c| &news.text[c.start..c.end])
            .collect();
        assert_eq!(cited, ["Fluroa & Co", "Series B", "Ada"]);
        assert!(
            news.rests_on.contains(&3),
            "the funding date decided it: {:?}",
            news.rests_on
        );
        assert_eq!(old_news.text, "Hi Ada.");
        assert_eq!(old_news.opener, None);
    }

    #[test]
    fn a_runaway_loop_runs_out_of_fuel() {
        let error = render(
            "{% for i in range(1000) %}{% for j in range(1000) %}x{% endfor %}{% endfor %}",
            &facts(),
            &sender(),
            now(),
        )
        .unwrap_err();

        assert!(error.0.contains("fuel"), "{error}");
    }
}
