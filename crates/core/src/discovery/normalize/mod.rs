//! Normalisation: the raw strings of an export become typed values. Each type has a
//! `parse(&str) -> Result<Self, ParseError>`; once a value has its type it is known to be
//! well formed, and its text is read through `as_str()` / `AsRef<str>`. The types that take
//! part in matching also give a `match_key()`: the folded form two spellings of the same
//! thing share (case, diacritics, punctuation and legal forms removed).

mod company;
pub mod country;
mod email;
mod fold;
mod linkedin;
mod person;
mod phone;
mod phone_fast;
mod title;

pub use company::CompanyName;
pub(crate) use company::company_key as company_key_of;
pub use country::CountryCode;
pub use email::{Email, PERSONAL_PROVIDERS, ROLE_ACCOUNTS};
pub use fold::fold;
pub(crate) use fold::fold_words;
pub use linkedin::LinkedInUrl;
pub use person::PersonName;
pub use phone::Phone;
pub use title::{classify_title, department_of, seniority_of};

pub use email::Domain;

/// A raw value that is not a well-formed value of the wanted kind.
///
/// Its `Display` names the kind, quotes the input and gives the reason:
/// `not a valid e-mail address "jane@": nothing after @`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid {kind} {input:?}: {reason}")]
pub struct ParseError {
    /// What was wanted: `e-mail address`, `domain`, `phone number`, …
    pub kind: &'static str,
    /// The input as given, cut to 200 characters.
    pub input: String,
    pub reason: &'static str,
}

impl ParseError {
    pub(crate) fn new(kind: &'static str, input: &str, reason: &'static str) -> Self {
        ParseError {
            kind,
            input: input.chars().take(200).collect(),
            reason,
        }
    }
}
