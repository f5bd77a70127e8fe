//! Text helpers: ASCII folding for e-mail addresses and URLs, and the small, realistic
//! corruptions (typos, case noise, lost diacritics) that the source files carry on purpose.

use crate::rng::Rng;

/// The ASCII spelling of one character as it would appear in an e-mail address or URL.
/// German umlauts become two letters only when `german` is set (Müller → mueller), as German
/// companies write them; elsewhere the accent is simply dropped (José → jose).
fn fold_char(c: char, german: bool) -> Option<&'static str> {
    Some(match c {
        'ä' if german => "ae",
        'ö' if german => "oe",
        'ü' if german => "ue",
        'Ä' if german => "Ae",
        'Ö' if german => "Oe",
        'Ü' if german => "Ue",
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => "a",
        'Á' | 'À' | 'Â' | 'Ä' | 'Ã' | 'Å' | 'Ą' => "A",
        'é' | 'è' | 'ê' | 'ë' | 'ę' => "e",
        'É' | 'È' | 'Ê' | 'Ë' | 'Ę' => "E",
        'í' | 'ì' | 'î' | 'ï' | 'ı' => "i",
        'Í' | 'Ì' | 'Î' | 'Ï' | 'İ' => "I",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ő' => "o",
        'Ó' | 'Ò' | 'Ô' | 'Ö' | 'Õ' | 'Ø' | 'Ő' => "O",
        'ú' | 'ù' | 'û' | 'ü' | 'ű' => "u",
        'Ú' | 'Ù' | 'Û' | 'Ü' | 'Ű' => "U",
        'ý' | 'ÿ' => "y",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ç' | 'ć' | 'č' => "c",
        'Ç' | 'Ć' | 'Č' => "C",
        'ś' | 'š' | 'ş' => "s",
        'Ś' | 'Š' | 'Ş' => "S",
        'ź' | 'ż' | 'ž' => "z",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ł' => "l",
        'Ł' => "L",
        'ğ' => "g",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "Ae",
        'œ' => "oe",
        _ => return None,
    })
}

/// Replaces accented letters by their ASCII spelling and keeps everything else.
pub(crate) fn ascii_fold(s: &str, german: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match fold_char(c, german) {
            Some(f) => out.push_str(f),
            None => out.push(c),
        }
    }
    out
}

/// The lowercase ASCII letters and digits of a name, for e-mail local parts and URL slugs
/// ("O'Brien" → "obrien", "van den Berg" → "vandenberg").
pub(crate) fn handle(s: &str, german: bool) -> String {
    ascii_fold(s, german)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A URL slug: lowercase ASCII words joined by hyphens ("Harper & Lowe" → "harper-lowe").
pub(crate) fn slug(s: &str) -> String {
    let folded = ascii_fold(s, false);
    let mut out = String::with_capacity(folded.len());
    for word in folded.split(|c: char| !c.is_ascii_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
    }
    out
}

/// One keyboard slip in a name or word: two neighbouring letters swapped, a letter dropped,
/// or a letter doubled. Words shorter than four letters are left alone, as people rarely
/// mistype them and the result would be another name rather than a typo.
pub(crate) fn typo(s: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    if letters.len() < 4 {
        return s.to_string();
    }
    // Never touch the first letter: initials survive typos in practice.
    let pos = letters[1 + rng.index(letters.len() - 1)];
    let mut out = chars.clone();
    match rng.below(3) {
        0 if pos + 1 < out.len() && out[pos + 1].is_alphabetic() && out[pos] != out[pos + 1] => {
            out.swap(pos, pos + 1);
        }
        1 => {
            out.remove(pos);
        }
        _ => out.insert(pos, chars[pos]),
    }
    out.into_iter().collect()
}

/// Case noise of the kind found in hand-typed or badly imported records.
pub(crate) fn case_noise(s: &str, rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => s.to_uppercase(),
        1 => s.to_lowercase(),
        _ => {
            // Title case per word, which breaks "McCarthy" and "de Vries" as real imports do.
            s.split(' ')
                .map(|w| {
                    let mut cs = w.chars();
                    match cs.next() {
                        Some(f) => f
                            .to_uppercase()
                            .chain(cs.flat_map(char::to_lowercase))
                            .collect(),
                        None => String::new(),
                    }
                })
                .collect::<Vec<String>>()
                .join(" ")
        }
    }
}

/// Random case on the letters of an e-mail address ("Jose.Garcia@BrightLoop.io").
pub(crate) fn email_case_noise(email: &str, rng: &mut Rng) -> String {
    if rng.chance(0.5) {
        // Capitalised words, the common form when someone types their own address.
        let mut out = String::with_capacity(email.len());
        let mut start = true;
        for c in email.chars() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            start = matches!(c, '.' | '@' | '_' | '-');
        }
        out
    } else {
        email.to_uppercase()
    }
}

/// `1234567` → `"1,234,567"`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Lowercase hexadecimal of the low `digits` nibbles of `v`.
pub(crate) fn hex(v: u64, digits: usize) -> String {
    format!(
        "{:0width$x}",
        v & (u64::MAX >> (64 - 4 * digits)),
        width = digits
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_keeps_the_letters_people_expect() {
        assert_eq!(handle("José", false), "jose");
        assert_eq!(handle("Müller", true), "mueller");
        assert_eq!(handle("Müller", false), "muller");
        assert_eq!(handle("O'Brien", false), "obrien");
        assert_eq!(handle("Søren", false), "soren");
        assert_eq!(handle("van den Berg", false), "vandenberg");
        assert_eq!(handle("Łukasz", false), "lukasz");
    }

    #[test]
    fn slugs_join_words_with_hyphens() {
        assert_eq!(slug("Harper & Lowe Consulting"), "harper-lowe-consulting");
        assert_eq!(slug("Zoë Åberg"), "zoe-aberg");
    }

    #[test]
    fn a_typo_changes_a_long_word_by_one_edit() {
        let mut rng = Rng::new(3);
        for _ in 0..200 {
            let t = typo("Katharina", &mut rng);
            assert_ne!(t, "Katharina");
            assert!(t.starts_with('K'));
            let diff = t.chars().count() as i64 - 9;
            assert!(diff.abs() <= 1);
        }
        assert_eq!(typo("Li", &mut rng), "Li");
    }

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(2143), "2,143");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn hex_is_fixed_width() {
        assert_eq!(hex(0xab, 6), "0000ab");
        assert_eq!(hex(u64::MAX, 4), "ffff");
    }
}
