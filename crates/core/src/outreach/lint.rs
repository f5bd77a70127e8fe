//! The copy linter: what a careful reviewer would flag in a rendered message before it goes
//! to a prospect, each finding with its rule, severity and place (subject or body, byte
//! offsets), so the gate can underline it.
//!
//! | rule | severity |
//! |---|---|
//! | `unrendered` — a template token or placeholder left in the text (`{{`, `[First Name]`) | block |
//! | `fake_thread` — a subject starting `Re:` or `Fwd:` when the message replies to nothing | block |
//! | `shouting` — a subject in capitals | block |
//! | `urgency` — a subject with false urgency ("urgent", "last chance") | block |
//! | `spam_phrase` — a phrase a spam filter scores (derived from SpamAssassin's rules) | warn |
//! | `filler` — a phrase that reads as machine-written or as filler | warn |
//! | `length` — a body over 150 words (warn) or 250 (block); a subject over 60 characters (warn) | warn / block |
//! | `reading_ease` — Flesch reading ease under 50 (hard to read) | warn |
//! | `links` — more than 2 links | warn |
//! | `exclamations` — more than one `!` | warn |
//! | `no_personalisation` — no claim rests on a fact of the lead | warn |
//!
//! A `block` finding stops the message; a `warn` is shown to the approver, who decides.
//! The word counts follow common cold-e-mail advice (short messages get more replies); the
//! phrase lists and their sources are in [`super::phrases`].

use serde::{Deserialize, Serialize};

use super::phrases::{FILLER, SPAM, URGENCY};

crate::values! {
    /// How much a finding matters.
    pub enum Severity("severity") {
        /// Shown to the approver.
        Warn = "warn" / "warning",
        /// The message is not sent as it is.
        Block = "block" / "blocks the send",
    }
}

crate::values! {
    /// What a finding is about.
    pub enum Rule("lint rule") {
        Unrendered = "unrendered" / "unrendered placeholder",
        FakeThread = "fake_thread" / "reply or forward without a thread",
        Shouting = "shouting" / "subject in capitals",
        Urgency = "urgency" / "false urgency",
        SpamPhrase = "spam_phrase" / "spam phrase",
        Filler = "filler" / "machine-written or filler phrase",
        Length = "length" / "length",
        ReadingEase = "reading_ease" / "hard to read",
        Links = "links" / "too many links",
        Exclamations = "exclamations" / "exclamation marks",
        NoPersonalisation = "no_personalisation" / "no personalisation",
        /// Compliance ([`super::compliance`]): the contact may not be e-mailed.
        NotMailable = "not_mailable" / "may not be e-mailed",
        PostalAddress = "postal_address" / "sender's postal address missing",
        OptOut = "opt_out" / "opt-out missing",
        SourceNotice = "source_notice" / "notice of where the data came from missing",
    }
}

crate::values! {
    /// Which part of the message a finding is in.
    pub enum Part("message part") {
        Subject = "subject" / "subject",
        Body = "body" / "body",
    }
}

/// One thing the linter flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: Rule,
    pub severity: Severity,
    pub part: Part,
    /// Byte offsets into the part; a finding about the whole part spans all of it.
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// What the linter needs to know beyond the text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// The message answers one the prospect sent (then `Re:` is honest).
    pub in_thread: bool,
    /// How many claims of the message rest on facts of the lead.
    pub claims: usize,
}

/// Words over which a body is long, and over which it is too long.
pub const LONG_BODY_WORDS: usize = 150;
pub const TOO_LONG_BODY_WORDS: usize = 250;
/// Characters over which a subject is cut off on a phone.
pub const LONG_SUBJECT_CHARS: usize = 60;
/// Flesch reading ease under which a message is hard to read.
pub const HARD_TO_READ: f64 = 50.0;
/// Links over which a cold message looks like a newsletter.
pub const MAX_LINKS: usize = 2;

/// Every finding of a message, in order of part and place.
pub fn lint(subject: Option<&str>, body: &str, context: Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(subject) = subject {
        lint_subject(subject, context, &mut findings);
    }
    lint_body(body, context, &mut findings);
    findings.sort_by_key(|f| (f.part, f.start, f.rule));
    findings
}

/// Whether any finding blocks the message.
pub fn blocks(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Block)
}

fn lint_subject(subject: &str, context: Context, out: &mut Vec<Finding>) {
    let whole = |rule, severity, message: String| Finding {
        rule,
        severity,
        part: Part::Subject,
        start: 0,
        end: subject.len(),
        message,
    };
    let trimmed = subject.trim_start();
    let lower = trimmed.to_lowercase();
    if !context.in_thread
        && ["re:", "fwd:", "fw:", "aw:", "wg:"]
            .iter()
            .any(|p| lower.starts_with(p))
    {
        out.push(whole(
            Rule::FakeThread,
            Severity::Block,
            "the subject says this replies to or forwards a message the prospect never sent"
                .to_string(),
        ));
    }
    let letters: Vec<char> = subject.chars().filter(|c| c.is_alphabetic()).collect();
    if letters.len() >= 4 && letters.iter().all(|c| c.is_uppercase()) {
        out.push(whole(
            Rule::Shouting,
            Severity::Block,
            "the subject is in capitals".to_string(),
        ));
    }
    for (start, end, phrase) in find_phrases(subject, URGENCY.iter().copied()) {
        out.push(Finding {
            rule: Rule::Urgency,
            severity: Severity::Block,
            part: Part::Subject,
            start,
            end,
            message: format!("\"{phrase}\" puts a deadline on someone who asked for none"),
        });
    }
    let chars = subject.chars().count();
    if chars > LONG_SUBJECT_CHARS {
        out.push(whole(
            Rule::Length,
            Severity::Warn,
            format!("{chars} characters: a phone shows about {LONG_SUBJECT_CHARS}"),
        ));
    }
    common(subject, Part::Subject, out);
}

fn lint_body(body: &str, context: Context, out: &mut Vec<Finding>) {
    let whole = |rule, severity, message: String| Finding {
        rule,
        severity,
        part: Part::Body,
        start: 0,
        end: body.len(),
        message,
    };
    common(body, Part::Body, out);
    let words = words(body).count();
    if words > TOO_LONG_BODY_WORDS {
        out.push(whole(
            Rule::Length,
            Severity::Block,
            format!(
                "{words} words: a first message of more than {TOO_LONG_BODY_WORDS} is not read"
            ),
        ));
    } else if words > LONG_BODY_WORDS {
        out.push(whole(
            Rule::Length,
            Severity::Warn,
            format!(
                "{words} words: short messages get more replies (aim for under {LONG_BODY_WORDS})"
            ),
        ));
    }
    if let Some(ease) = reading_ease(body).filter(|e| *e < HARD_TO_READ) {
        out.push(whole(
            Rule::ReadingEase,
            Severity::Warn,
            format!(
                "Flesch reading ease {ease:.0} ({}): shorter sentences and words read easier",
                reading_band(ease)
            ),
        ));
    }
    let links = links(body);
    if links.len() > MAX_LINKS {
        let (start, end) = links[MAX_LINKS];
        out.push(Finding {
            rule: Rule::Links,
            severity: Severity::Warn,
            part: Part::Body,
            start,
            end,
            message: format!(
                "{} links: more than {MAX_LINKS} makes a first message look like a newsletter",
                links.len()
            ),
        });
    }
    if context.claims == 0 {
        out.push(whole(
            Rule::NoPersonalisation,
            Severity::Warn,
            "nothing in the message rests on a fact of this lead".to_string(),
        ));
    }
}

/// The rules of both parts: placeholders, spam and filler phrases, exclamation marks.
fn common(text: &str, part: Part, out: &mut Vec<Finding>) {
    for (start, end) in unrendered(text) {
        out.push(Finding {
            rule: Rule::Unrendered,
            severity: Severity::Block,
            part,
            start,
            end,
            message: format!("`{}` was meant to be replaced", &text[start..end]),
        });
    }
    for (start, end, phrase) in find_phrases(text, SPAM.iter().map(|(p, _)| *p)) {
        let rule = SPAM
            .iter()
            .find(|(p, _)| *p == phrase)
            .map_or("", |(_, r)| r);
        out.push(Finding {
            rule: Rule::SpamPhrase,
            severity: Severity::Warn,
            part,
            start,
            end,
            message: format!("\"{phrase}\" is scored by spam filters (SpamAssassin {rule})"),
        });
    }
    for (start, end, phrase) in find_phrases(text, FILLER.iter().copied()) {
        out.push(Finding {
            rule: Rule::Filler,
            severity: Severity::Warn,
            part,
            start,
            end,
            message: format!("\"{phrase}\" reads as a template or a machine; say it plainly"),
        });
    }
    let bangs: Vec<usize> = text.match_indices('!').map(|(i, _)| i).collect();
    if bangs.len() > 1 {
        out.push(Finding {
            rule: Rule::Exclamations,
            severity: Severity::Warn,
            part,
            start: bangs[1],
            end: bangs[1] + 1,
            message: format!("{} exclamation marks; one is plenty", bangs.len()),
        });
    }
}

/// Where `phrases` occur in `text`, case-insensitively and on word boundaries, longest
/// first where two overlap: (start, end, phrase).
fn find_phrases<'p>(
    text: &str,
    phrases: impl Iterator<Item = &'p str>,
) -> Vec<(usize, usize, &'p str)> {
    let lower = text.to_lowercase();
    // Lowercasing can change lengths outside ASCII; offsets are only kept when it did not.
    let same_offsets = lower.len() == text.len();
    let mut found: Vec<(usize, usize, &str)> = Vec::new();
    for phrase in phrases {
        let mut from = 0;
        while let Some(at) = lower[from..].find(phrase) {
            let start = from + at;
            let end = start + phrase.len();
            let before = lower[..start].chars().next_back();
            let after = lower[end..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
            let edge_ok = |c: Option<char>, phrase_edge: Option<char>| {
                // A phrase ending in punctuation ("guaranteed!") needs no boundary there.
                phrase_edge.is_some_and(|p| !p.is_alphanumeric()) || boundary(c)
            };
            if edge_ok(before, phrase.chars().next()) && edge_ok(after, phrase.chars().next_back())
            {
                found.push((start, end, phrase));
            }
            from = end.min(lower.len());
            if from >= lower.len() {
                break;
            }
        }
    }
    found.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut kept: Vec<(usize, usize, &str)> = Vec::new();
    for f in found {
        if kept.last().is_none_or(|k| f.0 >= k.1) {
            kept.push(f);
        }
    }
    if !same_offsets {
        return kept
            .into_iter()
            .map(|(_, _, p)| (0, text.len(), p))
            .collect();
    }
    kept
}

/// Template tokens and placeholders left in a text: `{{ … }}`, `{% … %}`, `[First Name]`,
/// `{first_name}`, `%FIRSTNAME%`, `<<name>>`.
fn unrendered(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (open, close) in [("{{", "}}"), ("{%", "%}"), ("<<", ">>")] {
        let mut from = 0;
        while let Some(at) = text[from..].find(open) {
            let start = from + at;
            let end = text[start..]
                .find(close)
                .map_or(start + open.len(), |e| start + e + close.len());
            spans.push((start, end));
            from = end;
        }
    }
    // `[First Name]`, `{first_name}`, `%FIRSTNAME%`: a bracketed word or two that names a
    // field.
    for (open, close) in [('[', ']'), ('{', '}'), ('%', '%')] {
        let mut from = 0;
        while let Some(at) = text[from..].find(open) {
            let start = from + at;
            let inner_start = start + open.len_utf8();
            let Some(len) = text[inner_start..].find(close) else {
                break;
            };
            let inner = &text[inner_start..inner_start + len];
            let end = inner_start + len + close.len_utf8();
            if is_placeholder(inner) && !spans.iter().any(|&(s, e)| start >= s && start < e) {
                spans.push((start, end));
            }
            from = end;
        }
    }
    spans.sort_unstable();
    spans
}

/// Whether the text between brackets names a field: `First Name`, `first_name`,
/// `COMPANY`, `company.name`.
fn is_placeholder(inner: &str) -> bool {
    let inner = inner.trim();
    let key = inner.to_lowercase().replace([' ', '.', '-'], "_");
    const FIELDS: &[&str] = &[
        "first_name",
        "firstname",
        "last_name",
        "lastname",
        "name",
        "full_name",
        "company",
        "company_name",
        "companyname",
        "title",
        "job_title",
        "city",
        "industry",
        "sender",
        "sender_name",
        "your_name",
        "my_name",
        "prospect",
        "contact",
    ];
    !inner.is_empty() && inner.len() <= 30 && FIELDS.contains(&key.as_str())
}

/// The links of a text: `http://` and `https://` up to the next white space.
pub fn links(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = ["http://", "https://"]
        .iter()
        .filter_map(|p| lower[from..].find(p))
        .min()
    {
        let start = from + at;
        let end = text[start..]
            .find(char::is_whitespace)
            .map_or(text.len(), |e| start + e);
        out.push((start, end));
        from = end;
    }
    out
}

/// The words of a text: runs of letters, digits and apostrophes.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .filter(|w| w.chars().any(char::is_alphabetic))
}

/// Flesch reading ease (206.835 − 1.015 × words per sentence − 84.6 × syllables per word),
/// or none for a text of fewer than 10 words, where it means nothing.
pub fn reading_ease(text: &str) -> Option<f64> {
    let words: Vec<&str> = words(text).collect();
    if words.len() < 10 {
        return None;
    }
    let sentences = text
        .split(['.', '!', '?', '\n'])
        .filter(|s| words_in(s) > 0)
        .count()
        .max(1);
    let syllables: usize = words.iter().map(|w| syllables(w)).sum();
    let (w, s, y) = (words.len() as f64, sentences as f64, syllables as f64);
    Some(206.835 - 1.015 * (w / s) - 84.6 * (y / w))
}

fn words_in(text: &str) -> usize {
    words(text).count()
}

/// The band of a reading ease score, in Flesch's words.
pub fn reading_band(ease: f64) -> &'static str {
    match ease {
        e if e >= 90.0 => "very easy",
        e if e >= 80.0 => "easy",
        e if e >= 70.0 => "fairly easy",
        e if e >= 60.0 => "plain English",
        e if e >= 50.0 => "fairly difficult",
        e if e >= 30.0 => "difficult",
        _ => "very difficult",
    }
}

/// Syllables of an English word, by groups of vowels (a silent final `e` not counted): the
/// usual estimate, right for most words and never under one.
fn syllables(word: &str) -> usize {
    let word = word.to_lowercase();
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let vowel = |c: char| "aeiouy".contains(c);
    let mut groups = 0;
    let mut previous = false;
    for &c in &letters {
        let v = vowel(c);
        if v && !previous {
            groups += 1;
        }
        previous = v;
    }
    // "make" has one syllable; "table" keeps its "-le" as one.
    let n = letters.len();
    let silent_e = n > 2
        && letters[n - 1] == 'e'
        && !vowel(letters[n - 2])
        && (letters[n - 2] != 'l' || vowel(letters[n - 3]));
    if silent_e && groups > 1 {
        groups -= 1;
    }
    groups.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(findings: &[Finding]) -> Vec<(Rule, Severity)> {
        findings.iter().map(|f| (f.rule, f.severity)).collect()
    }

    const PLAIN: &str = "Hi Ada,\n\nFluroa has 29 open roles. New reps often wait weeks for a good \
                         lead. We send each one to the right rep in minutes.\n\nWorth a call next \
                         week?\n\nSam";

    #[test]
    fn a_plain_personal_message_passes() {
        let findings = lint(
            Some("29 open roles at Fluroa"),
            PLAIN,
            Context {
                in_thread: false,
                claims: 2,
            },
        );

        assert_eq!(findings, []);
        assert!(reading_ease(PLAIN).unwrap() > 60.0);
    }

    #[test]
    fn a_spammy_message_is_flagged_and_blocked_with_places() {
        let subject = "RE: URGENT RESPONSE NEEDED";
        let body = "Dear Friend,\n\nI hope this email finds you well! This is a one time offer, \
                    100% guaranteed! Act now: https://a.example https://b.example https://c.example \
                    Hi {{ first_name }} and [Company].";

        let findings = lint(Some(subject), body, Context::default());

        let found = rules(&findings);
        for expected in [
            (Rule::FakeThread, Severity::Block),
            (Rule::Shouting, Severity::Block),
            (Rule::Urgency, Severity::Block),
            (Rule::SpamPhrase, Severity::Warn),
            (Rule::Filler, Severity::Warn),
            (Rule::Links, Severity::Warn),
            (Rule::Exclamations, Severity::Warn),
            (Rule::Unrendered, Severity::Block),
            (Rule::NoPersonalisation, Severity::Warn),
        ] {
            assert!(found.contains(&expected), "{expected:?} in {found:?}");
        }
        assert!(blocks(&findings));
        let at = |text: &str, f: &Finding| text[f.start..f.end].to_string();
        let spam: Vec<String> = findings
            .iter()
            .filter(|f| f.rule == Rule::SpamPhrase && f.part == Part::Body)
            .map(|f| at(body, f))
            .collect();
        assert_eq!(
            spam,
            [
                "Dear Friend",
                "one time offer",
                "100% guaranteed",
                "Act now"
            ]
        );
        let unrendered: Vec<String> = findings
            .iter()
            .filter(|f| f.rule == Rule::Unrendered)
            .map(|f| at(body, f))
            .collect();
        assert_eq!(unrendered, ["{{ first_name }}", "[Company]"]);
    }

    #[test]
    fn a_reply_in_a_thread_may_say_re_and_phrases_match_whole_words() {
        let reply = lint(
            Some("Re: your question"),
            PLAIN,
            Context {
                in_thread: true,
                claims: 1,
            },
        );
        // "leveraged" is not "leverage", "realms" not "realm"; "Realm" is.
        let words = find_phrases("They leveraged two realms. Realm.", FILLER.iter().copied());

        assert_eq!(reply, []);
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].2, "realm");
    }

    #[test]
    fn length_and_reading_ease_are_measured() {
        let long = "We help teams route leads. ".repeat(60);
        let hard = "Organisational interoperability considerations necessitate comprehensive \
                    infrastructural harmonisation methodologies notwithstanding implementation \
                    complexities across heterogeneous institutional environments.";

        let long_findings = lint(
            None,
            &long,
            Context {
                in_thread: false,
                claims: 1,
            },
        );
        let hard_findings = lint(
            None,
            hard,
            Context {
                in_thread: false,
                claims: 1,
            },
        );

        assert_eq!(rules(&long_findings), [(Rule::Length, Severity::Block)]);
        assert!(
            rules(&hard_findings).contains(&(Rule::ReadingEase, Severity::Warn)),
            "{hard_findings:?}"
        );
        assert_eq!(syllables("table"), 2);
        assert_eq!(syllables("make"), 1);
        assert_eq!(syllables("organisation"), 5);
    }
}
