//! The reply's own text against what it quotes: `>` lines, attributions ("On … wrote:"),
//! separators, Outlook's header block and signatures cut off, and HTML read as plain text
//! with its entities decoded.

use mail_parser::{Message, PartType};

use super::collapse;

/// The body a person wrote: the first text/plain part, else the first HTML part as text,
/// without what it quotes and without the signature.
pub(super) fn own_text(message: &Message<'_>) -> String {
    let body = message
        .text_part(0)
        .or_else(|| message.html_part(0))
        .map(|part| match &part.body {
            PartType::Text(text) => text.to_string(),
            PartType::Html(html) => html_to_text(&html[..html_quote_start(html)]),
            _ => String::new(),
        })
        .unwrap_or_default();
    without_quotes(&body)
}

/// Every text part of a message, HTML as text: what a mail server's notice says.
pub(super) fn full_text(message: &Message<'_>) -> String {
    message
        .parts
        .iter()
        .filter_map(|part| match &part.body {
            PartType::Text(text) => Some(text.to_string()),
            PartType::Html(html) => Some(html_to_text(html)),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The lines a person wrote: `>` lines dropped, and all from the first quote header or
/// signature separator on. An "On … wrote:" line followed by `>` lines is dropped with them
/// and the reading goes on, for a reply written below or between the quoted lines.
pub(super) fn without_quotes(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        if is_signature(line) {
            break;
        }
        match quote_begins(&lines[i..]) {
            Quote::None => {
                if !line.trim_start().starts_with('>') {
                    kept.push(line.trim_end());
                }
                i += 1;
            }
            Quote::Attribution(len) if quoted_next(&lines[i + len..]) => i += len,
            Quote::Attribution(_) | Quote::Rest => break,
        }
    }
    kept.join("\n").trim().to_string()
}

/// Whether the next line that is not empty is a `>` line.
fn quoted_next(lines: &[&str]) -> bool {
    lines
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with('>'))
}

/// What a line begins.
enum Quote {
    /// Nothing: a line of the reply, or one `>` line.
    None,
    /// An "On … wrote:" line (up to 3 lines long).
    Attribution(usize),
    /// A separator or header block after which all is quoted.
    Rest,
}

/// `-- ` alone on a line (RFC 3676 §4.3), or `--` where a client trimmed the space.
fn is_signature(line: &str) -> bool {
    matches!(line.trim_end(), "--" | "-- ")
}

/// The words between dashes of a line that separates a forwarded or original message.
const SEPARATORS: &[&str] = &[
    "original message",
    "forwarded message",
    "ursprüngliche nachricht",
    "originalnachricht",
    "weitergeleitete nachricht",
    "message d'origine",
    "message transféré",
    "mensaje original",
    "mensaje reenviado",
    "oorspronkelijk bericht",
    "doorgestuurd bericht",
];

/// How the line that introduces a quote starts, and its verb: "On … wrote:", "Am … schrieb
/// …:", "Le … a écrit :", "El … escribió:", "Op … schreef …:", "Il … ha scritto:".
const ATTRIBUTIONS: &[(&str, &str)] = &[
    ("on ", " wrote"),
    ("am ", " schrieb"),
    ("le ", " a écrit"),
    ("el ", " escribió"),
    ("op ", " schreef"),
    ("il ", " ha scritto"),
];

/// Field names that open and follow the header block Outlook writes above a quoted
/// message ("From: … Sent: … To: … Subject: …"), in the same languages.
const OUTLOOK_FROM: &[&str] = &["from:", "von:", "de :", "de:", "van:"];
const OUTLOOK_NEXT: &[&str] = &[
    "sent:",
    "date:",
    "to:",
    "subject:",
    "gesendet:",
    "datum:",
    "an:",
    "betreff:",
    "envoyé :",
    "envoyé:",
    "date :",
    "à :",
    "objet :",
    "enviado:",
    "fecha:",
    "para:",
    "asunto:",
    "verzonden:",
    "aan:",
    "onderwerp:",
];

/// Whether `lines[0]` begins the quoted part of a reply, and how.
fn quote_begins(lines: &[&str]) -> Quote {
    let Some(first) = lines.first() else {
        return Quote::None;
    };
    let lower = first.trim().trim_matches('*').trim().to_lowercase();
    if lower.is_empty() || lower.starts_with('>') {
        return Quote::None;
    }
    // "-----Original Message-----", "---------- Forwarded message ---------"
    let between = lower.trim_matches(|c: char| c == '-' || c == '_' || c.is_whitespace());
    let separator =
        (lower.starts_with("--") || lower.starts_with("__")) && SEPARATORS.contains(&between);
    // Outlook's rule above its header block.
    let rule = lower.len() >= 10 && lower.chars().all(|c| c == '_');
    let forwarded = lower.starts_with("begin forwarded message")
        || lower.starts_with("anfang der weitergeleiteten");
    if separator || rule || forwarded {
        return Quote::Rest;
    }
    // "On Tue, 3 Jun 2025 at 10:02, Sam <sam@x.example>\nwrote:" may take up to 3 lines;
    // a line that only ends "… <sam@x.example> wrote:" is one too.
    let dated = |l: &str| l.contains('@') || l.chars().any(|c| c.is_ascii_digit());
    if dated(&lower) && (lower.ends_with(" wrote:") || lower.ends_with(" schrieb:")) {
        return Quote::Attribution(1);
    }
    if let Some((_, verb)) = ATTRIBUTIONS
        .iter()
        .find(|(start, _)| lower.starts_with(start))
    {
        let mut joined = String::new();
        for (n, line) in lines.iter().take(3).enumerate() {
            joined.push(' ');
            joined.push_str(&line.trim().to_lowercase());
            if dated(&joined) && joined.contains(verb) && joined.ends_with(':') {
                return Quote::Attribution(n + 1);
            }
        }
    }
    // Outlook's "From: … / Sent: …" block.
    let outlook = OUTLOOK_FROM.iter().any(|f| lower.starts_with(f))
        && lines.iter().skip(1).take(4).any(|l| {
            let l = l.trim().trim_start_matches('*').to_lowercase();
            OUTLOOK_NEXT.iter().any(|n| l.starts_with(n))
        });
    if outlook { Quote::Rest } else { Quote::None }
}

/// Where the quoted part of an HTML reply begins (its length when none does): Gmail's
/// `gmail_quote`, Outlook's `divRplyFwdMsg`, Thunderbird's `moz-cite-prefix`, Apple's and
/// everyone's `<blockquote>`.
fn html_quote_start(html: &str) -> usize {
    const MARKERS: &[&str] = &[
        "<blockquote",
        "gmail_quote",
        "divrplyfwdmsg",
        "appendonsend",
        "moz-cite-prefix",
        "yahoo_quoted",
        "protonmail_quote",
    ];
    let lower = html.to_ascii_lowercase();
    MARKERS
        .iter()
        .filter_map(|m| lower.find(m))
        .min()
        // An attribute marker cuts at the start of its tag.
        .map_or(html.len(), |at| lower[..=at].rfind('<').unwrap_or(at))
}

/// Tags after which text starts on a new line.
const BLOCK_TAGS: &[&str] = &[
    "br",
    "p",
    "div",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "hr",
    "pre",
    "ul",
    "ol",
];

/// HTML as plain text: tags dropped, block tags as line breaks (source line breaks only
/// inside `<pre>`), the common entities decoded, `<head>`, `<style>` and `<script>` skipped,
/// and empty lines run together.
fn html_to_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    let mut skipping: Option<&str> = None;
    let mut pre = false;
    let flow = |text: &str, pre: bool| {
        if pre {
            text.replace('\r', "")
        } else {
            text.replace(['\r', '\n', '\t'], " ")
        }
    };
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&flow(&rest[..lt], pre));
        }
        let after = &rest[lt + 1..];
        if let Some(comment) = after.strip_prefix("!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(gt) = after.find('>') else {
            rest = "";
            break;
        };
        let tag = &after[..gt];
        rest = &after[gt + 1..];
        let closing = tag.starts_with('/');
        let name = tag
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match skipping {
            Some(skipped) => {
                if closing && name == skipped {
                    skipping = None;
                }
            }
            None => {
                if !closing {
                    skipping = ["head", "style", "script", "title"]
                        .into_iter()
                        .find(|s| *s == name);
                }
                if name == "pre" {
                    pre = !closing;
                }
                if BLOCK_TAGS.contains(&name.as_str()) {
                    out.push('\n');
                }
            }
        }
    }
    if skipping.is_none() {
        out.push_str(&flow(rest, pre));
    }
    let text = decode_entities(&out);
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines().map(collapse) {
        if !(line.is_empty() && lines.last().is_some_and(String::is_empty)) {
            lines.push(line);
        }
    }
    lines.join("\n").trim().to_string()
}

fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let entity = after
            .find(';')
            .filter(|&end| end <= 8)
            .and_then(|end| entity(&after[..end]).map(|c| (c, end)));
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    match name {
        "nbsp" => Some(' '),
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "rsquo" | "lsquo" => Some('\''),
        "mdash" => Some('—'),
        "ndash" => Some('–'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}
