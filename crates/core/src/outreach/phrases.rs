//! The phrase lists the copy linter reads ([`super::lint`]).
//!
//! **Spam phrases** are derived from Apache SpamAssassin's rule files (`20_phrases.cf`,
//! `20_head_tests.cf`; Apache License 2.0, © The Apache Software Foundation): each rule's
//! regular expression written out as the plain phrases it matches that a B2B message could
//! plausibly contain, with the rule's name, so a finding can say which rule a spam filter
//! would fire. They are not the rules themselves: SpamAssassin scores combinations, and the
//! offline check of a whole message (`spamassassin -L -t`) is the measure of record.
//!
//! **Machine-written and filler phrases** are leadgate's own list, from two sources: words
//! whose frequency in writing rose sharply once language models became common — Kobak et
//! al., "Delving into ChatGPT usage in academic writing through excess vocabulary" (2024,
//! arXiv:2406.07016) and Liang et al., "Mapping the Increasing Use of LLMs in Scientific
//! Papers" (2024, arXiv:2404.01268) — and the openers and jargon that make a cold e-mail
//! read as a template rather than a person (the sales-writing advice collected in the
//! outreach docs). Matching is case-insensitive and on word boundaries.

/// (phrase, SpamAssassin rule it is derived from).
pub const SPAM: &[(&str, &str)] = &[
    ("100% guaranteed", "GUARANTEED_100_PERCENT"),
    ("dear friend", "DEAR_FRIEND"),
    ("dear sir", "DEAR_SOMETHING"),
    ("dear sirs", "DEAR_SOMETHING"),
    ("dear madam", "DEAR_SOMETHING"),
    ("dear investor", "DEAR_SOMETHING"),
    ("dear candidate", "DEAR_SOMETHING"),
    ("to be removed, please", "EXCUSE_4"),
    ("to be removed please", "EXCUSE_4"),
    ("to be removed from our mailings", "EXCUSE_REMOVE"),
    ("strong buy", "STRONG_BUY"),
    ("stock alert", "STOCK_ALERT"),
    ("urgent assistance", "__URG_BIZ"),
    ("urgent business", "__URG_BIZ"),
    ("urgent notice", "__URG_BIZ"),
    ("urgent proposal", "__URG_BIZ"),
    ("urgent reply", "__URG_BIZ"),
    ("urgent request", "__URG_BIZ"),
    ("urgent response", "__URG_BIZ"),
    ("money back guarantee", "MONEY_BACK"),
    ("free instant quote", "FREE_QUOTE_INSTANT"),
    ("free online quote", "FREE_QUOTE_INSTANT"),
    ("free no obligation quote", "FREE_QUOTE_INSTANT"),
    ("financially free", "FIN_FREE"),
    ("financial independence", "FIN_FREE"),
    ("one time offer", "ONE_TIME"),
    ("one-time offer", "ONE_TIME"),
    ("one time investment", "ONE_TIME"),
    ("one time promotion", "ONE_TIME"),
    ("join millions", "JOIN_MILLIONS"),
    ("join thousands", "JOIN_MILLIONS"),
    ("marketing partner", "MARKETING_PARTNERS"),
    ("marketing partners", "MARKETING_PARTNERS"),
    ("network partner", "MARKETING_PARTNERS"),
    ("low price", "LOW_PRICE"),
    ("unclaimed funds", "UNCLAIMED_MONEY"),
    ("unclaimed money", "UNCLAIMED_MONEY"),
    ("act now", "ACT_NOW_CAPS"),
    ("guaranteed!", "BANG_GUAR"),
    ("guarantee!", "BANG_GUAR"),
    ("investment advice", "INVESTMENT_ADVICE"),
    ("affordable prices", "PRICES_ARE_AFFORDABLE"),
    ("as seen on", "SUBJ_AS_SEEN"),
    ("billion dollar", "BILLION_DOLLARS"),
    ("million dollar", "BILLION_DOLLARS"),
];

/// Phrases that make a message read as written by a machine or by nobody in particular.
pub const FILLER: &[&str] = &[
    // Openers and closers that say nothing about the reader.
    "i hope this email finds you well",
    "i hope this message finds you well",
    "i hope this finds you well",
    "i hope you are doing well",
    "i hope you're doing well",
    "i wanted to reach out",
    "i am reaching out",
    "i'm reaching out",
    "just checking in",
    "just following up",
    "just wanted to follow up",
    "touching base",
    "touch base",
    "circle back",
    "i came across your profile",
    "looking forward to hearing from you",
    "don't hesitate to reach out",
    "feel free to reach out",
    // Words and phrases whose frequency rose with language models (Kobak et al. 2024;
    // Liang et al. 2024).
    "delve",
    "delves",
    "delving",
    "showcase",
    "showcasing",
    "underscore",
    "underscores",
    "intricate",
    "pivotal",
    "realm",
    "tapestry",
    "meticulous",
    "meticulously",
    "commendable",
    "in today's fast-paced",
    "ever-evolving",
    "navigate the complexities",
    "in the ever-changing landscape",
    // Sales jargon.
    "game-changer",
    "game changer",
    "unlock the potential",
    "unlock the power",
    "take it to the next level",
    "revolutionize",
    "revolutionise",
    "cutting-edge",
    "best-in-class",
    "world-class",
    "synergy",
    "synergies",
    "seamless",
    "seamlessly",
    "leverage",
];

/// Words that put a deadline on a reader who asked for none.
pub const URGENCY: &[&str] = &[
    "urgent",
    "urgently",
    "act now",
    "last chance",
    "final notice",
    "final reminder",
    "expires today",
    "expiring",
    "immediately",
    "asap",
    "don't miss out",
    "limited time",
    "only today",
];
