//! Which page views are signals of their own: a visit of the pricing page is
//! `pricing_page_visit`, because the URL matches one of that signal's patterns.
//!
//! Sites differ (`/pricing`, `/plans`, `/de/preise`), so the patterns are configuration
//! (`[[engagement.pages]]` in `leadgate.toml`), with the pricing page's usual addresses as
//! the default. A pattern is compared with the URL's path (scheme, host, query and fragment
//! left out, lower case, no trailing `/`); `*` stands for any run of characters. It matches
//! the whole path or the path up to a `/`, so `/pricing` matches `/pricing` and
//! `/pricing/enterprise` but not `/pricing-faq`, and `*/pricing` matches `/de/pricing`. A
//! pattern that starts with neither `/` nor `*` names a host too (`shop.example.com/plans`).

use serde::{Deserialize, Serialize};

use crate::icp::is_snake_case;

/// One named page signal and the URL patterns that make a page view one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawRule")]
pub struct PageRule {
    /// The signal an ICP's `[[signals]] kind` names: snake_case (`pricing_page_visit`).
    pub signal: String,
    /// At least one.
    pub patterns: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    signal: String,
    patterns: Vec<String>,
}

impl TryFrom<RawRule> for PageRule {
    type Error = String;

    fn try_from(raw: RawRule) -> Result<Self, Self::Error> {
        if !is_snake_case(&raw.signal) {
            return Err(format!(
                "signal `{}` is not snake_case (like `pricing_page_visit`)",
                raw.signal
            ));
        }
        let patterns: Vec<String> = raw
            .patterns
            .iter()
            .map(|p| p.trim().to_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        if patterns.is_empty() {
            return Err(format!(
                "signal `{}` needs at least one pattern",
                raw.signal
            ));
        }
        Ok(PageRule {
            signal: raw.signal,
            patterns,
        })
    }
}

/// The page signals a site defines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PagePolicy(pub Vec<PageRule>);

impl Default for PagePolicy {
    /// `pricing_page_visit`: `/pricing`, `/plans`, and either under a language or region
    /// prefix.
    fn default() -> Self {
        PagePolicy(vec![PageRule {
            signal: "pricing_page_visit".to_string(),
            patterns: ["/pricing", "/plans", "*/pricing", "*/plans"]
                .map(String::from)
                .to_vec(),
        }])
    }
}

impl PagePolicy {
    /// The signals a page view of `url` is, in the order of the rules.
    pub fn signals_of<'p>(&'p self, url: &str) -> impl Iterator<Item = &'p str> {
        let (host, path) = page_path(url);
        self.0
            .iter()
            .filter(move |rule| rule.patterns.iter().any(|p| matches(p, &host, &path)))
            .map(|rule| rule.signal.as_str())
    }
}

/// A URL's host (lower case, without `www.`; empty for a bare path) and path (lower case,
/// without query, fragment and trailing `/`; `/` at least).
pub fn page_path(url: &str) -> (String, String) {
    let url = url.trim().to_lowercase();
    let url = url.split(['?', '#']).next().unwrap_or_default();
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p)),
        None if url.starts_with('/') => ("", &url[1..]),
        None => url.split_once('/').map_or((url, ""), |(h, p)| (h, p)),
    };
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let host = host.split(':').next().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = format!("/{}", path.trim_end_matches('/'));
    (host.to_string(), path)
}

fn matches(pattern: &str, host: &str, path: &str) -> bool {
    let subject = if pattern.starts_with(['/', '*']) {
        path.to_string()
    } else {
        let pattern_host = pattern.split('/').next().unwrap_or_default();
        let pattern_host = pattern_host.strip_prefix("www.").unwrap_or(pattern_host);
        if pattern_host != host && !pattern_host.contains('*') {
            return false;
        }
        format!("{host}{path}")
    };
    let pattern = pattern.strip_prefix("www.").unwrap_or(pattern);
    let pattern = pattern.trim_end_matches('/');
    glob(pattern.as_bytes(), subject.as_bytes())
        || subject
            .bytes()
            .enumerate()
            .skip(1)
            .any(|(i, b)| b == b'/' && glob(pattern.as_bytes(), &subject.as_bytes()[..i]))
}

/// `*` matches any run of bytes; everything else itself.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => (0..=text.len()).any(|i| glob(rest, &text[i..])),
        Some((c, rest)) => text.first() == Some(c) && glob(rest, &text[1..]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pricing(url: &str) -> bool {
        PagePolicy::default()
            .signals_of(url)
            .any(|s| s == "pricing_page_visit")
    }

    #[test]
    fn the_pricing_page_is_recognised_wherever_it_is_written() {
        for url in [
            "https://routewise.example/pricing",
            "https://www.routewise.example/Pricing/?utm_source=x",
            "/pricing",
            "/pricing/enterprise",
            "routewise.example/de/pricing#faq",
            "/plans",
        ] {
            assert!(pricing(url), "{url}");
        }
    }

    #[test]
    fn a_page_that_only_starts_like_pricing_is_not_it() {
        for url in [
            "/pricing-faq",
            "/blog/why-pricing-matters",
            "/",
            "https://routewise.example",
        ] {
            assert!(!pricing(url), "{url}");
        }
    }

    #[test]
    fn a_pattern_with_a_host_matches_that_host_only() {
        let policy: PagePolicy = toml::from_str::<Wrapper>(
            "pages = [{ signal = \"careers_visit\", patterns = [\"jobs.acme.com/\", \"acme.com/careers\"] }]",
        )
        .unwrap()
        .pages;
        let hit = |url: &str| policy.signals_of(url).count() == 1;
        assert!(hit("https://jobs.acme.com/open/42"));
        assert!(hit("https://www.acme.com/careers"));
        assert!(!hit("https://other.com/careers"));
        assert!(!hit("/careers"));
    }

    #[derive(Debug, Deserialize)]
    struct Wrapper {
        pages: PagePolicy,
    }

    #[test]
    fn a_rule_is_refused_with_its_fault() {
        let error = |text: &str| toml::from_str::<Wrapper>(text).unwrap_err().to_string();
        assert!(
            error("pages = [{ signal = \"Pricing\", patterns = [\"/p\"] }]")
                .contains("not snake_case")
        );
        assert!(
            error("pages = [{ signal = \"p\", patterns = [] }]").contains("at least one pattern")
        );
        assert!(
            error("pages = [{ signal = \"p\", patterns = [\"/p\"], url = 1 }]")
                .contains("unknown field")
        );
    }
}
