//! Case and diacritic folding shared by the match keys: two spellings of one name that a
//! person would call the same ("Müller", "MULLER", "muller") fold to one key.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower case, compatibility-normalised (NFKC: "ﬁ" is "fi", full-width letters are ASCII),
/// without diacritics ("é" → "e", "ß" → "ss", "ø" → "o", "ł" → "l"). ASCII input takes a
/// fast path that only lowercases.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'æ' | 'Æ' => out.push_str("ae"),
            'œ' | 'Œ' => out.push_str("oe"),
            'ø' | 'Ø' => out.push('o'),
            'đ' | 'Đ' | 'ð' | 'Ð' => out.push('d'),
            'ł' | 'Ł' => out.push('l'),
            'þ' | 'Þ' => out.push_str("th"),
            'ı' => out.push('i'),
            c => out.extend(c.to_lowercase()),
        }
    }
    // NFKD then recomposition is what NFKC means; after dropping the marks only
    // compatibility characters are left to compose, and there are none in the output.
    out
}

/// `fold`, then every run of characters that are not letters or digits becomes one space,
/// trimmed. "O'Brien-Smith, Jr." → "o brien smith jr".
pub(crate) fn fold_words(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Trims and collapses every run of whitespace to one space.
pub(crate) fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_diacritics_and_compatibility_forms() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("STRAßE"), "strasse");
        assert_eq!(fold("Łódź"), "lodz");
        assert_eq!(fold("Søren Ærø"), "soren aero");
        assert_eq!(fold("ﬁnance"), "finance");
        assert_eq!(fold("ＡＢＣ"), "abc");
        assert_eq!(fold("Oisín"), "oisin");
    }

    #[test]
    fn words_lose_punctuation() {
        assert_eq!(fold_words("O'Brien-Smith, Jr."), "o brien smith jr");
        assert_eq!(fold_words("  "), "");
    }
}
