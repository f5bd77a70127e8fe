//! Click tracking: each link of a message's own text goes through the server's redirect, so
//! that a click becomes engagement (an `email_click` for scoring, routing and the steps that
//! wait for clicks). Only the message's text is rewritten — never the footer's unsubscribe
//! link or the notice — and a link keeps the punctuation that ends its sentence outside it.
//! Open tracking (a pixel) is not done: it harms deliverability and counts machines.
//!
//! Clicks count machines too: mail security gateways (Microsoft Defender's Safe Links,
//! Proofpoint, Mimecast, Barracuda and others) fetch every link of a message as it arrives,
//! and link previews fetch them as it is shown. A click counted as a person's would rescore
//! the lead and take a step that waits for clicks, so [`machine_click`] tells them apart:
//! a click is a machine's when it carries no browser (no `User-Agent`, or one naming a bot,
//! a preview, a scanner or an HTTP library), when it only asks whether the link is there
//! (`HEAD`), or when it comes within [`HUMAN_DELAY_SECS`] of the message being sent — before
//! anyone could have read it.

use jiff::Timestamp;

use super::lint::links;

/// No person reads a message and clicks its link this soon after it was sent, in seconds;
/// a scanner fetching links on delivery does.
pub const HUMAN_DELAY_SECS: i64 = 30;

/// Words in a `User-Agent` that name a machine, not a person's browser (lowercase).
const MACHINE_AGENTS: &[&str] = &[
    "bot",
    "crawler",
    "spider",
    "preview",
    "scanner",
    "safelinks",
    "proofpoint",
    "mimecast",
    "barracuda",
    "urldefense",
    "microsoft office existence discovery",
    "headlesschrome",
    "python-requests",
    "python-urllib",
    "aiohttp",
    "curl/",
    "wget/",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww",
    "apache-httpclient",
    "node-fetch",
    "axios/",
];

/// One request for a tracked link, as the redirect saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClickRequest<'a> {
    pub user_agent: Option<&'a str>,
    /// A `HEAD` request: it asks whether the link is there, nobody follows it.
    pub head: bool,
    /// When the message carrying the link was sent, if known.
    pub sent_at: Option<Timestamp>,
    pub at: Timestamp,
}

/// Why a click is a machine's, or `None` for one that may be a person's.
pub fn machine_click(click: &ClickRequest<'_>) -> Option<String> {
    if click.head {
        return Some("a HEAD request: it checks the link, nobody follows it".to_string());
    }
    let agent = click.user_agent.map(str::trim).unwrap_or_default();
    if agent.is_empty() {
        return Some("no User-Agent: no browser asked".to_string());
    }
    let lower = agent.to_lowercase();
    if let Some(word) = MACHINE_AGENTS.iter().find(|w| lower.contains(*w)) {
        return Some(format!(
            "its User-Agent names a machine (\"{}\")",
            word.trim_end_matches('/')
        ));
    }
    if let Some(sent) = click.sent_at {
        let seconds = click.at.duration_since(sent).as_secs();
        if (0..HUMAN_DELAY_SECS).contains(&seconds) {
            return Some(format!(
                "{seconds} s after the message was sent: a scanner fetching links on delivery"
            ));
        }
    }
    None
}

/// `text` with each link replaced by what `track` makes of it (the redirect URL).
pub fn rewrite_links(text: &str, mut track: impl FnMut(&str) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end) in links(text) {
        let link = &text[start..end];
        let kept = link.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '"', '\'']);
        if kept.len() <= "https://".len() {
            continue;
        }
        out.push_str(&text[at..start]);
        out.push_str(&track(kept));
        at = start + kept.len();
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn click<'a>(agent: Option<&'a str>, head: bool, after_secs: i64) -> ClickRequest<'a> {
        let sent: Timestamp = "2027-03-01T10:00:00Z".parse().unwrap();
        ClickRequest {
            user_agent: agent,
            head,
            sent_at: Some(sent),
            at: sent + jiff::SignedDuration::from_secs(after_secs),
        }
    }

    const FIREFOX: &str =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

    #[test]
    fn a_browser_after_a_while_is_a_person_and_scanners_are_machines() {
        assert_eq!(machine_click(&click(Some(FIREFOX), false, 3600)), None);
        for (agent, head, after, why) in [
            (None, false, 3600, "no User-Agent"),
            (Some(FIREFOX), true, 3600, "HEAD"),
            (Some(FIREFOX), false, 4, "4 s after"),
            (Some("python-requests/2.31"), false, 3600, "python-requests"),
            (
                Some("Mozilla/5.0 (compatible; Barracuda Sentinel)"),
                false,
                3600,
                "barracuda",
            ),
            (
                Some("Microsoft Office Existence Discovery"),
                false,
                3600,
                "existence discovery",
            ),
            (
                Some("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)"),
                false,
                3600,
                "bot",
            ),
        ] {
            let reason = machine_click(&click(agent, head, after));
            assert!(
                reason.as_deref().is_some_and(|r| r.contains(why)),
                "{agent:?}: {reason:?}"
            );
        }
    }

    #[test]
    fn each_link_goes_through_the_redirect_and_keeps_its_sentence() {
        let text =
            "See https://routewise.example/guide. Or http://routewise.example/p?a=1, then reply.";
        let mut seen = Vec::new();
        let out = rewrite_links(text, |url| {
            seen.push(url.to_string());
            format!("https://t.example/r/{}", seen.len())
        });
        assert_eq!(
            out,
            "See https://t.example/r/1. Or https://t.example/r/2, then reply."
        );
        assert_eq!(
            seen,
            [
                "https://routewise.example/guide",
                "http://routewise.example/p?a=1"
            ]
        );
        assert_eq!(
            rewrite_links("no links here", |_| unreachable!()),
            "no links here"
        );
    }
}
