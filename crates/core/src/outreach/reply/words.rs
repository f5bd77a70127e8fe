//! The reply's words: the phrase lists, the text as tokens, whole-word phrase matching with
//! negation, and the reading that turns them into an opt-out, a referral, a no or a yes.

use mail_parser::Message;

use super::{Decision, ReplyKind, addresses};
use crate::discovery::normalize::Email;

/// Asking to hear no more, or for the data to be deleted (GDPR Art. 17, 21(3)). Honoured
/// before anything else the reply says.
pub const OPT_OUT: &[&str] = &[
    "unsubscribe me",
    "unsubscribe us",
    "please unsubscribe",
    "want to unsubscribe",
    "like to unsubscribe",
    "wish to unsubscribe",
    "please remove me",
    "please remove us",
    "remove me",
    "remove us",
    "remove my email",
    "remove my address",
    "remove my details",
    "remove my name",
    "take me off",
    "take us off",
    "off your list",
    "off your mailing list",
    "opt me out",
    "opt out",
    "opt-out",
    "stop emailing",
    "stop emails",
    "stop sending",
    "stop contacting",
    "stop writing",
    "stop messaging",
    "stop spamming",
    "stop following up",
    "do not contact",
    "don't contact",
    "do not email",
    "don't email",
    "do not write",
    "don't write",
    "do not follow up",
    "don't follow up",
    "never contact",
    "no more emails",
    "delete my data",
    "delete my details",
    "delete my information",
    "delete my contact",
    "erase my data",
    // German.
    "austragen",
    "abmelden",
    "aus dem verteiler",
    "von ihrer liste",
    "keine weiteren emails",
    "nicht mehr kontaktieren",
    "nicht mehr anschreiben",
    // French.
    "désabonner",
    "désinscrire",
    "ne plus me contacter",
    "retirez-moi",
    // Spanish.
    "darme de baja",
    "dar de baja",
    "no me contacten",
    // Dutch.
    "afmelden",
    "verwijder mij",
    "verwijder me",
];

/// A clause that is only one of these (with "please" or "thanks" around it) asks to hear no
/// more: our footer tells people to reply "stop". In a sentence the words mean other things
/// ("don't stop", "non-stop").
pub const OPT_OUT_ALONE: &[&str] = &[
    "stop",
    "stopp",
    "unsubscribe",
    "unsubscribe me",
    "remove",
    "remove me",
    "opt out",
    "opt-out",
    "optout",
    "abmelden",
    "austragen",
    "désabonner",
    "désinscription",
    "baja",
    "afmelden",
];

/// Words that may stand around a lone opt-out word.
const POLITE: &[&str] = &[
    "please", "pls", "plz", "thanks", "thx", "bitte", "danke", "merci", "svp", "gracias",
];

/// Saying the writer is the wrong person, or gone: enough on their own.
pub const REFERRAL: &[&str] = &[
    "not the right person",
    "not the best person",
    "not the right contact",
    "not the correct person",
    "wrong person",
    "wrong contact",
    "no longer with",
    "no longer at",
    "no longer work",
    "no longer working",
    "no longer employed",
    "i've left",
    "i have left",
    "has left the company",
    "left the company",
    "left the business",
    "left the organisation",
    "left the organization",
    "no longer in this role",
    "the right person is",
    "the best person is",
    "the person you want",
    "better person to",
    "better placed to",
    // German.
    "nicht mehr im unternehmen",
    "nicht mehr bei",
    "nicht der richtige ansprechpartner",
    "nicht die richtige ansprechpartnerin",
    // French.
    "ne fait plus partie",
    "ne travaille plus",
    // Spanish.
    "ya no trabajo",
    "ya no trabaja",
    // Dutch.
    "werkt niet meer",
    "werk niet meer",
];

/// Sending us on to someone: a referral only when the reply names that someone's address
/// or copies them in ("please contact me" is not one).
pub const REFERRAL_TO: &[&str] = &[
    "please contact",
    "please reach out to",
    "please get in touch with",
    "please email",
    "please write to",
    "please talk to",
    "you should contact",
    "you should reach out to",
    "you should talk to",
    "contact my",
    "reach out to my",
    "talk to my",
    "speak to my",
    "speak with my",
    "get in touch with my",
    "i've forwarded",
    "i have forwarded",
    "forwarded your",
    "forwarding your",
    "forwarding this",
    "cc'ing",
    "cc'd",
    "copying in",
    "i've copied",
    "looping in",
    "looped in",
    // German, French, Spanish, Dutch.
    "wenden sie sich an",
    "veuillez contacter",
    "contactez",
    "póngase en contacto con",
    "neem contact op met",
];

/// Saying no. A negated interest word ("not currently interested") says it too.
pub const NOT_INTERESTED: &[&str] = &[
    "not interested",
    "no interest",
    "not a fit",
    "not a good fit",
    "not the right fit",
    "not a priority",
    "not for us",
    "not relevant",
    "not needed",
    "no need",
    "no thanks",
    "no thank you",
    "we're all set",
    "we are all set",
    "already have a",
    "already have an",
    "already use",
    "already using",
    "already work with",
    "already working with",
    "not looking",
    "not at this time",
    "not right now",
    "not now",
    "we'll pass",
    "we will pass",
    "i'll pass",
    "i will pass",
    "pass on this",
    "no budget",
    "not in the market",
    // German.
    "kein interesse",
    "nicht interessiert",
    "kein bedarf",
    // French.
    "pas intéressé",
    "pas intéressés",
    "pas intéressée",
    "pas besoin",
    // Spanish.
    "no nos interesa",
    "no me interesa",
    "no estoy interesado",
    "no estamos interesados",
    // Dutch.
    "geen interesse",
    "niet geïnteresseerd",
    "geen behoefte",
];

/// Wanting to talk: interest, agreement, a request for times or a meeting.
pub const POSITIVE: &[&str] = &[
    "i'm interested",
    "i am interested",
    "we're interested",
    "we are interested",
    "interested",
    "sounds good",
    "sounds great",
    "sounds interesting",
    "sounds like a plan",
    "let's talk",
    "lets talk",
    "let's chat",
    "let's connect",
    "let's meet",
    "let's set up",
    "let's schedule",
    "let's find a time",
    "happy to chat",
    "happy to talk",
    "happy to connect",
    "happy to meet",
    "happy to hop on",
    "happy to jump on",
    "happy to learn more",
    "glad to chat",
    "glad to talk",
    "keen to chat",
    "keen to learn",
    "keen to hear",
    "would love to",
    "i'd love to",
    "we'd love to",
    "love to learn more",
    "tell me more",
    "send me times",
    "send me some times",
    "send me a few times",
    "send over some times",
    "send some times",
    "send me your availability",
    "send me an invite",
    "send an invite",
    "send a calendar invite",
    "send me a calendar invite",
    "send me more info",
    "send me more information",
    "book a call",
    "book a time",
    "book a meeting",
    "book a demo",
    "schedule a call",
    "schedule a demo",
    "set up a call",
    "set up a meeting",
    "set up a time",
    "hop on a call",
    "jump on a call",
    "what times work",
    "what time works",
    "when are you free",
    "when are you available",
    "works for me",
    // German.
    "klingt gut",
    "klingt interessant",
    "interessiert",
    // French.
    "m'intéresse",
    "intéressé",
    "intéressée",
    "avec plaisir",
    // Spanish.
    "me interesa",
    "interesado",
    "interesada",
    "suena bien",
    "hablemos",
    // Dutch.
    "klinkt goed",
    "geïnteresseerd",
];

/// Interest words: negated, they say no.
const INTEREST: &[&str] = &[
    "interested",
    "interessiert",
    "intéressé",
    "interesado",
    "geïnteresseerd",
];

/// Words that, in the three words before a phrase in the same clause, negate it. Words
/// ending in "n't" negate too.
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nor", "neither", "without", "hardly", "cannot", "dont", "nicht", "kein",
    "keine", "pas", "jamais", "nunca", "niet", "geen",
];

/// Words that end the reach of a negation: "not now, but happy to chat".
const CONTRASTS: &[&str] = &[
    "but", "however", "though", "although", "yet", "aber", "mais", "pero", "maar",
];

/// How many words before a phrase a negation reaches.
const NEGATION_REACH: usize = 3;

/// A word, an address or a break of a text, with its byte offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Token {
    /// The word lower-cased (`’` as `'`, `e-mail` as `email`); empty for a break or address.
    word: String,
    /// An e-mail address in the text.
    pub(super) address: Option<Email>,
    /// Punctuation or an empty line: phrases do not span it and negations do not reach
    /// over it. A single line break is none, since mail is wrapped at 72 characters.
    stop: bool,
    /// The first token on its line.
    line_start: bool,
    start: usize,
    end: usize,
}

impl Token {
    fn is_word(&self) -> bool {
        !self.word.is_empty()
    }

    fn stop(start: usize, end: usize) -> Self {
        Token {
            word: String::new(),
            address: None,
            stop: true,
            line_start: false,
            start,
            end,
        }
    }
}

/// The words, addresses and breaks of a text, with byte offsets into it.
pub(super) fn tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let joins = |c: char| c.is_alphanumeric() || "'’-_.@+".contains(c);
    let mut new_lines = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !joins(c) {
            let end = start + c.len_utf8();
            if c == '\n' {
                new_lines += 1;
                if new_lines == 2 {
                    out.push(Token::stop(start, end));
                }
            } else if ".!?,;:()[]—–\"“”".contains(c) {
                out.push(Token::stop(start, end));
            }
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !joins(c) {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        let first = out.len();
        run(text, start, end, &mut out);
        if let Some(token) = out.get_mut(first) {
            token.line_start = new_lines > 0 || first == 0;
        }
        new_lines = 0;
    }
    out
}

/// One run of word characters: an address, or words split at dots (which end sentences).
fn run(text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let edge = |c: char| "'’-_.+".contains(c);
    let piece = &text[start..end];
    if piece.contains('@') {
        let trimmed = piece.trim_end_matches(edge);
        if let Ok(address) = Email::parse(trimmed) {
            let end_of = start + trimmed.len();
            out.push(Token {
                address: Some(address),
                stop: false,
                ..Token::stop(start, end_of)
            });
            if piece[trimmed.len()..].contains('.') {
                out.push(Token::stop(end_of, end));
            }
            return;
        }
    }
    let mut offset = start;
    for (n, part) in piece.split('.').enumerate() {
        if n > 0 {
            out.push(Token::stop(offset - 1, offset));
        }
        let lead = part.len() - part.trim_start_matches(edge).len();
        let word = part.trim_matches(edge);
        if !word.is_empty() {
            let lower = word.to_lowercase().replace('’', "'");
            let lower = match lower.as_str() {
                "e-mail" => "email".to_string(),
                "e-mails" => "emails".to_string(),
                "e-mailing" => "emailing".to_string(),
                _ => lower,
            };
            let word_start = offset + lead;
            out.push(Token {
                word: lower,
                stop: false,
                ..Token::stop(word_start, word_start + word.len())
            });
        }
        offset += part.len() + 1;
    }
}

/// A phrase found: its first and last token.
struct Hit {
    first: usize,
    last: usize,
}

impl Hit {
    fn quote<'t>(&self, text: &'t str, tokens: &[Token]) -> &'t str {
        &text[tokens[self.first].start..tokens[self.last].end]
    }
}

/// The first place one of `phrases` occurs on whole words, not negated, longest first where
/// two start together.
fn find(tokens: &[Token], phrases: &[&str]) -> Option<Hit> {
    (0..tokens.len()).find_map(|at| {
        phrases
            .iter()
            .filter_map(|phrase| {
                let len = matches_at(tokens, at, phrase)?;
                Some(Hit {
                    first: at,
                    last: at + len - 1,
                })
            })
            .filter(|hit| negation(tokens, hit.first).is_none())
            .max_by_key(|hit| hit.last)
    })
}

/// How many tokens `phrase` covers when it starts at `at`.
fn matches_at(tokens: &[Token], at: usize, phrase: &str) -> Option<usize> {
    let words: Vec<&str> = phrase.split(' ').collect();
    let window = tokens.get(at..at + words.len())?;
    window
        .iter()
        .zip(&words)
        .all(|(t, w)| t.word == *w)
        .then_some(words.len())
}

/// The token that negates the phrase starting at `at`, if one does.
fn negation(tokens: &[Token], at: usize) -> Option<usize> {
    let mut seen = 0;
    for i in (0..at).rev() {
        let t = &tokens[i];
        if t.stop || CONTRASTS.contains(&t.word.as_str()) {
            return None;
        }
        if !t.is_word() {
            continue;
        }
        if NEGATIONS.contains(&t.word.as_str()) || t.word.ends_with("n't") {
            return Some(i);
        }
        seen += 1;
        if seen == NEGATION_REACH {
            return None;
        }
    }
    None
}

/// A clause or line that is nothing but an opt-out word and politeness.
fn alone(tokens: &[Token]) -> Option<Hit> {
    let mut clause: Vec<usize> = Vec::new();
    for i in 0..=tokens.len() {
        let ends = tokens.get(i).is_none_or(|t| t.stop || t.line_start);
        if !ends {
            if tokens[i].is_word() {
                clause.push(i);
            }
            continue;
        }
        let mut words: Vec<usize> = clause
            .drain(..)
            .filter(|&w| !POLITE.contains(&tokens[w].word.as_str()))
            .collect();
        // "thank you" is politeness too.
        if let [.., thank, you] = words[..]
            && tokens[thank].word == "thank"
            && tokens[you].word == "you"
        {
            words.truncate(words.len() - 2);
        }
        let said: Vec<&str> = words.iter().map(|&w| tokens[w].word.as_str()).collect();
        if OPT_OUT_ALONE
            .iter()
            .any(|p| p.split(' ').eq(said.iter().copied()))
            && let (Some(&first), Some(&last)) = (words.first(), words.last())
        {
            return Some(Hit { first, last });
        }
        // A word that starts a line starts the next clause.
        if tokens.get(i).is_some_and(Token::is_word) {
            clause.push(i);
        }
    }
    None
}

/// A negated interest word, from its negation on: "not currently interested".
fn negated_interest(tokens: &[Token]) -> Option<Hit> {
    tokens.iter().enumerate().find_map(|(at, t)| {
        if !INTEREST.contains(&t.word.as_str()) {
            return None;
        }
        let first = negation(tokens, at)?;
        Some(Hit { first, last: at })
    })
}

pub(super) fn read_words(
    message: &Message<'_>,
    text: &str,
    tokens: &[Token],
    from: Option<&Email>,
    ours: &[Email],
) -> Decision {
    if !tokens.iter().any(Token::is_word) {
        return Decision::new(
            ReplyKind::Unclassified,
            "the reply has no words of its own beyond what it quotes",
        );
    }
    let says = |hit: &Hit| format!("the reply says \"{}\"", hit.quote(text, tokens));

    if let Some(hit) = alone(tokens) {
        return Decision::new(
            ReplyKind::OptOut,
            format!("the reply says \"{}\" on its own", hit.quote(text, tokens)),
        );
    }
    if let Some(hit) = find(tokens, OPT_OUT) {
        return Decision::new(ReplyKind::OptOut, says(&hit));
    }

    let mut named: Vec<Email> = Vec::new();
    let copied = addresses(message.cc());
    for address in tokens
        .iter()
        .filter_map(|t| t.address.clone())
        .chain(copied)
    {
        if Some(&address) != from && !ours.contains(&address) && !named.contains(&address) {
            named.push(address);
        }
    }
    let referral =
        find(tokens, REFERRAL).or_else(|| find(tokens, REFERRAL_TO).filter(|_| !named.is_empty()));
    if let Some(hit) = referral {
        return Decision {
            referrals: named,
            ..Decision::new(ReplyKind::Referral, says(&hit))
        };
    }

    let no = find(tokens, NOT_INTERESTED).or_else(|| negated_interest(tokens));
    let yes = find(tokens, POSITIVE);
    match (no, yes) {
        (Some(no), Some(yes)) => Decision::new(
            ReplyKind::Unclassified,
            format!(
                "the reply says both \"{}\" and \"{}\"",
                no.quote(text, tokens),
                yes.quote(text, tokens)
            ),
        ),
        (Some(no), None) => Decision::new(ReplyKind::NotInterested, says(&no)),
        (None, Some(yes)) => Decision::new(ReplyKind::Positive, says(&yes)),
        (None, None) => Decision::new(
            ReplyKind::Unclassified,
            "no header or phrase decides what the reply means",
        ),
    }
}
