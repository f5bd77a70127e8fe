//! LinkedIn profile URLs in one canonical form, so that the same profile exported by three
//! tools (`http://www.linkedin.com/in/Jane-Doe`, `https://de.linkedin.com/in/jane-doe/`,
//! `linkedin.com/in/jane-doe?trk=x`) is one value.

use std::fmt;

use super::ParseError;

/// A public LinkedIn profile: `https://www.linkedin.com/in/<slug>`, slug lower case, without
/// query, fragment or trailing slash. Country subdomains (`de.linkedin.com`) and the mobile
/// host are read as `www`. Old public URLs `/pub/<name>/<a>/<b>/<c>` are rewritten to the
/// `/in/<name>-<c><b><a>` form LinkedIn redirects them to (the middle groups zero-padded to
/// three characters), which is best effort: LinkedIn does not document the mapping.
/// Company pages and Sales Navigator lead URLs are not profiles and are refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LinkedInUrl(String);

const PREFIX: &str = "https://www.linkedin.com/in/";

impl LinkedInUrl {
    pub fn parse(text: &str) -> Result<LinkedInUrl, ParseError> {
        let err = |reason| ParseError::new("LinkedIn profile URL", text, reason);
        let lower = text.trim().to_lowercase();
        let rest = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.split(':').next().unwrap_or_default();
        let on_linkedin = host == "linkedin.com"
            || host
                .strip_suffix(".linkedin.com")
                .is_some_and(|sub| !sub.is_empty() && !sub.contains('.'));
        if !on_linkedin {
            return Err(err("not a linkedin.com address"));
        }
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let slug = match segments.as_slice() {
            ["in", slug, ..] => slug.to_string(),
            ["pub", name, a, b, c, ..] => format!("{name}-{c}{b:0>3}{a:0>3}"),
            ["pub", name] | ["pub", name, ..] => name.to_string(),
            _ => return Err(err("not a profile (/in/…) address")),
        };
        let slug = percent_decode(&slug);
        if slug.is_empty() || slug.len() > 200 || slug.chars().any(|c| c.is_whitespace()) {
            return Err(err("not a profile name"));
        }
        Ok(LinkedInUrl(format!("{PREFIX}{slug}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The profile's public name (`jane-doe-8926188e`).
    pub fn slug(&self) -> &str {
        self.0.strip_prefix(PREFIX).unwrap_or(&self.0)
    }
}

/// Decodes `%xx` escapes that form valid UTF-8 ("m%C3%BCller" → "müller"); anything else
/// is kept as written.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_string();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).map_or_else(|_| text.to_string(), |s| s.to_lowercase())
}

impl AsRef<str> for LinkedInUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for LinkedInUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn profile_urls_become_canonical() {
        for input in [
            "http://www.linkedin.com/in/Jane-Doe-8926188e",
            "https://www.linkedin.com/in/jane-doe-8926188e/",
            "https://de.linkedin.com/in/jane-doe-8926188e?trk=public",
            "linkedin.com/in/jane-doe-8926188e#about",
            "www.linkedin.com/in/jane-doe-8926188e/details/",
        ] {
            let url = LinkedInUrl::parse(input).unwrap();
            assert_eq!(
                url.as_str(),
                "https://www.linkedin.com/in/jane-doe-8926188e",
                "{input}"
            );
            assert_eq!(url.slug(), "jane-doe-8926188e");
        }
        assert_eq!(
            LinkedInUrl::parse("https://www.linkedin.com/pub/jane-doe/1a/2b/3c")
                .unwrap()
                .slug(),
            "jane-doe-3c02b01a"
        );
        assert_eq!(
            LinkedInUrl::parse("https://www.linkedin.com/in/j%C3%BCrgen-m")
                .unwrap()
                .slug(),
            "jürgen-m"
        );
    }

    #[test]
    fn other_pages_are_refused() {
        for bad in [
            "https://www.linkedin.com/company/acme",
            "https://www.linkedin.com/sales/lead/ACwAA123,NAME_SEARCH,x",
            "https://example.com/in/jane",
            "https://notlinkedin.com/in/jane",
            "",
        ] {
            assert!(LinkedInUrl::parse(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn normalising_twice_changes_nothing(slug in "[a-zA-Z0-9-]{1,30}") {
            let url = LinkedInUrl::parse(&format!("http://uk.linkedin.com/in/{slug}/")).unwrap();
            prop_assert_eq!(LinkedInUrl::parse(url.as_str()).unwrap(), url);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,40}") {
            let _ = LinkedInUrl::parse(&text);
        }
    }
}
