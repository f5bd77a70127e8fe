//! Job titles to seniority and department, the two facts ICP personas are written in.
//! Titles are free text ("VP, Revenue Ops", "Head of Customer Success @ Acme", "Sr. SWE |
//! Building things"), so the rules read words: a headline after `|`, `@`, ` at ` or ` - ` is
//! dropped, the rest is folded to lower-case words and looked up in the lists below.

use super::fold::fold_words;
use crate::icp::{Department, Seniority};

/// Reads seniority and department from a title; `None` for a title with no words.
pub fn classify_title(title: &str) -> Option<(Seniority, Department)> {
    let words = title_words(title);
    if words.is_empty() {
        return None;
    }
    Some((seniority_in(&words), department_in(&words)))
}

/// The seniority a title states; `None` for an empty title.
pub fn seniority_of(title: &str) -> Option<Seniority> {
    classify_title(title).map(|(s, _)| s)
}

/// The department a title names; `None` for an empty title.
pub fn department_of(title: &str) -> Option<Department> {
    classify_title(title).map(|(_, d)| d)
}

/// The role part of a title as padded lower-case words: " vp revenue operations ".
fn title_words(title: &str) -> String {
    let lower = title.to_lowercase();
    let mut role = lower.as_str();
    for cut in [" | ", "|", " @ ", "@", " at ", " - ", " – ", " · ", "•"] {
        if let Some((head, _)) = role.split_once(cut)
            && head.chars().any(char::is_alphanumeric)
        {
            role = head;
        }
    }
    let words = fold_words(&role.replace('&', " and "));
    if words.is_empty() {
        return String::new();
    }
    format!(" {words} ")
}

fn has_any(words: &str, needles: &[&str]) -> bool {
    needles.iter().any(|n| has_word(words, n))
}

/// `words.contains(&format!(" {needle} "))` without making the pattern: the classifier
/// tries a few hundred needles on a title, and titles rarely repeat in some exports.
fn has_word(words: &str, needle: &str) -> bool {
    let bytes = words.as_bytes();
    let mut from = 0;
    while let Some(at) = words[from..].find(needle) {
        let start = from + at;
        let end = start + needle.len();
        if start > 0 && bytes[start - 1] == b' ' && bytes.get(end) == Some(&b' ') {
            return true;
        }
        // Matches may overlap: try again one character on.
        from = start + words[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The first rule that matches wins, from the top:
/// - c_level: chief …, the C-suite acronyms, founder, owner, president (not vice), partner,
///   managing director, general manager of a company, Geschäftsführer;
/// - vp: vice president, VP, SVP, EVP, AVP;
/// - director: director, head of, dir;
/// - manager: manager, mgr, team lead, supervisor;
/// - senior: senior, sr, principal, staff, lead, III and above;
/// - entry: everything else (individual contributors, associates, interns, juniors).
fn seniority_in(w: &str) -> Seniority {
    let vp = has_any(
        w,
        &["vp", "svp", "evp", "avp", "vice president", "vicepresident"],
    );
    if !vp
        && (has_any(
            w,
            &[
                "ceo",
                "cto",
                "cfo",
                "coo",
                "cmo",
                "cro",
                "cio",
                "ciso",
                "cpo",
                "cco",
                "cdo",
                "cso",
                "chief",
                "c level",
                "founder",
                "cofounder",
                "co founder",
                "owner",
                "president",
                "partner",
                "managing director",
                "geschaftsfuhrer",
                "directeur general",
                "executive director",
            ],
        ))
    {
        return Seniority::CLevel;
    }
    if vp {
        return Seniority::Vp;
    }
    if has_any(
        w,
        &["director", "head", "dir", "directeur", "direktor", "leiter"],
    ) {
        return Seniority::Director;
    }
    if has_any(
        w,
        &["manager", "mgr", "team lead", "supervisor", "teamleiter"],
    ) {
        return Seniority::Manager;
    }
    if has_any(
        w,
        &[
            "senior",
            "sr",
            "principal",
            "staff",
            "lead",
            "iii",
            "iv",
            "expert",
        ],
    ) {
        return Seniority::Senior;
    }
    Seniority::Entry
}

/// Departments by their words, tried in this order (the first that matches wins):
/// executive roles (CEO, founder, president, managing director), legal, finance, HR, IT,
/// customer success, marketing, product, engineering, operations, sales; else other.
/// C-suite acronyms go to their function (CTO → engineering, CFO → finance, CMO →
/// marketing, CRO → sales, COO → operations, CIO and CISO → IT).
const DEPARTMENT_WORDS: &[(Department, &[&str])] = &[
    (
        Department::Executive,
        &[
            "ceo",
            "chief executive",
            "founder",
            "cofounder",
            "co founder",
            "owner",
            "president",
            "managing director",
            "geschaftsfuhrer",
            "general manager",
        ],
    ),
    (
        Department::Legal,
        &[
            "legal",
            "counsel",
            "attorney",
            "lawyer",
            "paralegal",
            "compliance",
            "clo",
        ],
    ),
    (
        Department::Finance,
        &[
            "cfo",
            "finance",
            "financial",
            "accounting",
            "accountant",
            "controller",
            "treasury",
            "fp and a",
            "fpa",
            "tax",
            "audit",
            "payroll",
        ],
    ),
    (
        Department::Hr,
        &[
            "chro",
            "hr",
            "human resources",
            "people",
            "talent",
            "recruiter",
            "recruiting",
            "recruitment",
            "personnel",
        ],
    ),
    (
        Department::It,
        &[
            "cio",
            "ciso",
            "it",
            "information technology",
            "security",
            "systems administrator",
            "sysadmin",
            "helpdesk",
            "help desk",
            "network",
            "infrastructure",
        ],
    ),
    (
        Department::CustomerSuccess,
        &[
            "customer success",
            "csm",
            "customer experience",
            "cx",
            "support",
            "customer care",
            "onboarding",
            "implementation",
            "account management",
        ],
    ),
    (
        Department::Marketing,
        &[
            "cmo",
            "marketing",
            "demand generation",
            "demand gen",
            "growth",
            "brand",
            "content",
            "seo",
            "communications",
            "pr",
            "social media",
            "campaign",
            "events",
        ],
    ),
    (
        Department::Product,
        &[
            "cpo", "product", "ux", "ui", "designer", "design", "research",
        ],
    ),
    (
        Department::Engineering,
        &[
            "cto",
            "engineer",
            "engineering",
            "developer",
            "software",
            "swe",
            "devops",
            "sre",
            "architect",
            "qa",
            "data scientist",
            "programmer",
            "technical",
            "machine learning",
        ],
    ),
    (
        Department::Operations,
        &[
            "coo",
            "operations",
            "ops",
            "revops",
            "supply chain",
            "logistics",
            "procurement",
            "facilities",
            "enablement",
        ],
    ),
    (
        Department::Sales,
        &[
            "cro",
            "sales",
            "account executive",
            "ae",
            "sdr",
            "bdr",
            "business development",
            "account manager",
            "revenue",
            "partnerships",
            "channel",
            "inside sales",
        ],
    ),
];

/// The department of a title's folded words, by [`DEPARTMENT_WORDS`].
fn department_in(w: &str) -> Department {
    // A vice president is not the president: keep the executive rule for the latter.
    let w = &w.replace(" vice president ", " vp ");
    // Revenue and sales operations are operations roles inside sales: the title says both,
    // and teams file them under operations.
    DEPARTMENT_WORDS
        .iter()
        .find(|(_, words)| has_any(w, words))
        .map_or(Department::Other, |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use proptest::test_runner::{RngAlgorithm, RngSeed};

    use super::*;

    #[test]
    fn titles_give_seniority_and_department() {
        use Department as D;
        use Seniority as S;
        for (title, seniority, department) in [
            ("Chief Revenue Officer", S::CLevel, D::Sales),
            ("CRO", S::CLevel, D::Sales),
            ("Co-Founder & CEO", S::CLevel, D::Executive),
            ("CTO", S::CLevel, D::Engineering),
            ("VP Revenue Operations", S::Vp, D::Operations),
            ("SVP, Sales", S::Vp, D::Sales),
            ("Vice President of Marketing", S::Vp, D::Marketing),
            (
                "Director of Customer Success",
                S::Director,
                D::CustomerSuccess,
            ),
            (
                "Head of Customer Success @ Juniperspring Contractors",
                S::Director,
                D::CustomerSuccess,
            ),
            ("Marketing Operations Manager", S::Manager, D::Marketing),
            ("Marketing Mgr", S::Manager, D::Marketing),
            ("Senior Software Engineer", S::Senior, D::Engineering),
            (
                "Software Engineer III | Building revenue engines",
                S::Senior,
                D::Engineering,
            ),
            ("Account Executive", S::Entry, D::Sales),
            ("AE", S::Entry, D::Sales),
            ("HR Generalist", S::Entry, D::Hr),
            ("General Counsel", S::Entry, D::Legal),
            ("Barista", S::Entry, D::Other),
        ] {
            assert_eq!(
                classify_title(title),
                Some((seniority, department)),
                "{title}"
            );
        }
        assert_eq!(classify_title(" -- "), None);
    }

    proptest! {
        // One seed, so that a run finds what every run finds; PROPTEST_CASES sets how many.
        #![proptest_config(ProptestConfig {
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(0x1EAD_6A7E),
            ..ProptestConfig::default()
        })]

        #[test]
        fn a_word_is_found_where_the_padded_pattern_is(
            words in "[ ab]{0,12}|[ a-zé]{0,20}",
            needle in "[ab]{1,2}( [ab]{1,2})?|[a-zé]{1,3}",
        ) {
            prop_assert_eq!(has_word(&words, &needle), words.contains(&format!(" {needle} ")));
        }

        #[test]
        fn case_and_diacritics_do_not_matter(title in "[a-zA-Z ]{0,30}") {
            prop_assert_eq!(classify_title(&title.to_uppercase()), classify_title(&title.to_lowercase()));
        }
    }
}
