//! Click tracking: each link of a message's own text goes through the server's redirect, so
//! that a click becomes engagement (an `email_click` for scoring, routing and the steps that
//! wait for clicks). Only the message's text is rewritten — never the footer's unsubscribe
//! link or the notice — and a link keeps the punctuation that ends its sentence outside it.
//! Open tracking (a pixel) is not done: it harms deliverability and counts machines.

use super::lint::links;

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
