//! A regex-free reading of the phone numbers exports hold, equal to `phonenumber::parse`
//! wherever it answers.
//!
//! `phonenumber` compiles its metadata's regexes lazily into one shared cache of 100
//! entries behind a mutex. A file with numbers of many countries evicts and recompiles them
//! for nearly every number (about 90 µs a number on the HubSpot demo export), and even
//! without evictions a number costs a dozen regex searches. Most exported numbers are plain:
//! digits, spaces, `-`, `.`, parentheses and at most one leading `+`. For those this module
//! replays the library's `parse` step by step (the RFC 3966 and natural readings, the
//! international prefix, the country code, the national prefix, the length check) using
//! only the parts of the metadata that are plain digit strings and lengths. Where a step
//! would need a regex it cannot read as digits (a country whose national prefix for
//! parsing is a pattern, an input beginning with what an international prefix pattern
//! could match), it answers `None` and the caller asks the library. The property tests in
//! this file hold it to the library on generated numbers of every region.

use std::collections::HashMap;
use std::sync::LazyLock;

use phonenumber::country;
use phonenumber::metadata::{DATABASE, Metadata};

/// National significant numbers the library accepts: `MIN_LENGTH_FOR_NSN` to
/// `MAX_LENGTH_FOR_NSN` digits.
const NSN_LENGTHS: std::ops::RangeInclusive<usize> = 2..=17;

/// How a region takes its national prefix off a number, read from its metadata.
#[derive(Debug)]
struct Strip {
    /// `national_prefix_for_parsing`, and whether it has a transform rule.
    for_parsing: Option<(Vec<Alt>, bool)>,
    national_prefix: Option<Box<[u8]>>,
    /// The general descriptor's shortest possible length (`None`: it lists none).
    min_length: Option<usize>,
    local_lengths: Vec<usize>,
}

/// What the fast path knows of a region.
#[derive(Debug)]
struct Rules {
    code: u16,
    code_digits: Box<[u8]>,
    /// The digits every international-prefix match begins with; `None` when the pattern
    /// has an alternative this reading does not follow.
    idd: Option<Vec<Box<[u8]>>>,
    /// `None` when the national prefix for parsing has an alternative this reading does
    /// not follow, or the national prefix is not digits.
    strip: Option<Strip>,
}

struct Tables {
    by_id: HashMap<String, Rules>,
    /// The ids of the regions of each country calling code (index: the code).
    by_code: Vec<Vec<String>>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(build_tables);

fn build_tables() -> Tables {
    let mut by_id = HashMap::new();
    let mut by_code = vec![Vec::new(); 1000];
    for code in 1..1000u16 {
        let Some(metas) = DATABASE.by_code(&code) else {
            continue;
        };
        for meta in metas {
            by_code[usize::from(code)].push(meta.id().to_string());
            by_id.insert(meta.id().to_string(), rules_of(meta));
        }
    }
    Tables { by_id, by_code }
}

fn rules_of(meta: &Metadata) -> Rules {
    let general = meta.descriptors().general();
    let for_parsing = match meta.national_prefix_for_parsing() {
        None => Some(None),
        Some(pattern) => alternatives(pattern.as_str())
            .map(|alts| Some((alts, meta.national_prefix_transform_rule().is_some()))),
    };
    let national_prefix = meta.national_prefix().map(str::as_bytes);
    let strip = match (for_parsing, national_prefix) {
        (Some(_), Some(p)) if !is_digits(p) => None,
        (Some(for_parsing), national_prefix) => Some(Strip {
            for_parsing,
            national_prefix: national_prefix.map(Into::into),
            min_length: general.possible_length().first().map(|&l| usize::from(l)),
            local_lengths: general
                .possible_local_length()
                .iter()
                .map(|&l| usize::from(l))
                .collect(),
        }),
        (None, _) => None,
    };
    Rules {
        code: meta.country_code(),
        code_digits: meta.country_code().to_string().into_bytes().into(),
        idd: match meta.international_prefix() {
            None => Some(Vec::new()),
            Some(pattern) => alternatives(pattern.as_str()).and_then(|alts| guards(&alts)),
        },
        strip,
    }
}

fn is_digits(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
}

/// One top-level alternative of a metadata pattern, as far as a match at the start of a
/// number goes.
#[derive(Debug)]
enum Alt {
    /// Plain digits: matches exactly when the number begins with them.
    Literal(Box<[u8]>),
    /// Some pattern whose every match begins with these digits.
    Guarded(Box<[u8]>),
    /// `([…]\d{k})$`: can match at the start only a number of exactly k + 1 digits.
    WholeNumber(usize),
}

/// What the alternatives of a pattern do at the start of a number.
enum AtStart {
    /// The first alternative that matches there is plain digits, this many.
    Literal(usize),
    NoMatch,
    /// Telling would take the regex.
    Unknown,
}

fn at_start(alternatives: &[Alt], number: &[u8]) -> AtStart {
    // Leftmost-first: at a given position the alternatives are tried in order.
    for alt in alternatives {
        match alt {
            Alt::Literal(digits) if number.starts_with(digits) => {
                return AtStart::Literal(digits.len());
            }
            Alt::Guarded(digits) if number.starts_with(digits) => return AtStart::Unknown,
            Alt::WholeNumber(len) if number.len() == *len => return AtStart::Unknown,
            _ => {}
        }
    }
    AtStart::NoMatch
}

/// The top-level alternatives of a metadata pattern (which the library compiles with
/// whitespace ignored), or `None` when one of them is of a form this reading does not
/// follow.
fn alternatives(pattern: &str) -> Option<Vec<Alt>> {
    if pattern.contains('#') {
        return None;
    }
    let text: Vec<u8> = pattern
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let mut parts = Vec::new();
    let (mut depth, mut in_class, mut escaped, mut start) = (0i32, false, false, 0);
    for (i, &b) in text.iter().enumerate() {
        if escaped {
            escaped = false;
            continue;
        }
        match b {
            b'\\' => escaped = true,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'(' if !in_class => depth += 1,
            b')' if !in_class => depth -= 1,
            b'|' if !in_class && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    let alternatives: Option<Vec<Vec<Alt>>> = parts.into_iter().map(alternative).collect();
    Some(alternatives?.into_iter().flatten().collect())
}

/// One top-level alternative; a leading group of plain-digit alternatives (`(?:0|90)…`)
/// gives one guard for each, in order.
fn alternative(alt: &[u8]) -> Option<Vec<Alt>> {
    if is_digits(alt) {
        return Some(vec![Alt::Literal(alt.into())]);
    }
    if let Some(len) = whole_number(alt) {
        return Some(vec![Alt::WholeNumber(len)]);
    }
    let body = match alt.first() {
        Some(b'(') => {
            // A leading group that must match.
            let inner = alt
                .strip_prefix(b"(?:")
                .or_else(|| alt.strip_prefix(b"("))?;
            let close = inner.iter().position(|&b| b == b')')?;
            let group = &inner[..close];
            if group.contains(&b'(') || matches!(inner.get(close + 1), Some(b'?' | b'*' | b'{')) {
                return None;
            }
            if group.contains(&b'|') {
                return group
                    .split(|&b| b == b'|')
                    .map(|part| is_digits(part).then(|| Alt::Guarded(part.into())))
                    .collect();
            }
            group
        }
        _ => alt,
    };
    let mut run = body.iter().take_while(|b| b.is_ascii_digit()).count();
    // A quantifier after the run makes its last digit optional.
    if matches!(body.get(run), Some(b'?' | b'*' | b'{' | b'+')) {
        run = run.saturating_sub(1);
    }
    (run > 0).then(|| vec![Alt::Guarded(body[..run].into())])
}

/// `([…]\d{k})$` or `(5\d{k})$`: the one length it can match at the start of, k + 1.
fn whole_number(alt: &[u8]) -> Option<usize> {
    let rest = alt.strip_prefix(b"(")?;
    let rest = match rest.split_first()? {
        (b'[', class) => {
            let close = class.iter().position(|&b| b == b']')?;
            if class[..close]
                .iter()
                .any(|&b| !(b.is_ascii_digit() || b == b'-'))
            {
                return None;
            }
            &class[close + 1..]
        }
        (d, rest) if d.is_ascii_digit() => rest,
        _ => return None,
    };
    let rest = rest.strip_prefix(br"\d{")?;
    let digits = rest.strip_suffix(b"})$")?;
    if !is_digits(digits) || digits.len() > 2 {
        return None;
    }
    Some(number(digits)? as usize + 1)
}

/// What a pattern's matches can begin with: a number beginning with none of them has no
/// match at its start.
fn guards(alternatives: &[Alt]) -> Option<Vec<Box<[u8]>>> {
    alternatives
        .iter()
        .map(|alt| match alt {
            Alt::Literal(d) | Alt::Guarded(d) => Some(d.clone()),
            Alt::WholeNumber(_) => None,
        })
        .collect()
}

fn starts_with_any(digits: &[u8], guards: &[Box<[u8]>]) -> bool {
    guards.iter().any(|g| digits.starts_with(g))
}

/// The E.164 form of `input` as `phonenumber::parse(region, input)` followed by E.164
/// formatting gives it, or `None` when the input is not one of the plain shapes or a step
/// would need the library's regexes. `input` is what `Phone::parse` hands the library.
pub(super) fn parse(input: &str, region: Option<country::Id>) -> Option<String> {
    // An extension is split off before anything else is read; the text has a space then,
    // so the RFC 3966 reading does not apply.
    let (input, extension) = match split_extension(input) {
        Some(number) => (number, true),
        None => (input, false),
    };
    let bytes = input.as_bytes();
    let (plus, body) = match bytes.split_first() {
        Some((b'+', rest)) => (true, rest),
        _ => (false, bytes),
    };
    let mut digits = [0u8; 24];
    let mut len = 0;
    let mut space = extension;
    // Where the first of RFC 3966's separators is, and the digits before it.
    let mut first_separator: Option<(usize, usize)> = None;
    for (i, &b) in body.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                if len == digits.len() {
                    return None;
                }
                digits[len] = b;
                len += 1;
            }
            b' ' => space = true,
            b'-' | b'.' | b'(' | b')' => {
                first_separator.get_or_insert((i, len));
            }
            _ => return None,
        }
    }
    let digits = &digits[..len];
    if digits.len() < 3 {
        return None;
    }
    let tables = &*TABLES;
    let default = match region {
        Some(id) => Some(tables.by_id.get(id.as_ref())?),
        None => None,
    };
    let known_code = |code: u64| {
        tables
            .by_code
            .get(code as usize)
            .is_some_and(|ids| !ids.is_empty())
    };

    // The RFC 3966 reading comes first for text without spaces: the digits from `+` to
    // the first separator are the country code as written, with no international prefix.
    let rfc_prefix = match first_separator {
        Some((at, before)) if plus && !space && at > 0 => Some(before),
        _ => None,
    };
    let (code, national): (u16, &[u8]) = if let Some(before) = rfc_prefix {
        let (prefix, national) = digits.split_at(before);
        if prefix.len() > 3 || prefix[0] == b'0' {
            return None;
        }
        let code = number(prefix)?;
        if !known_code(code) {
            return None;
        }
        (code as u16, national)
    } else if plus {
        if let Some(rules) = default
            && starts_with_any(digits, rules.idd.as_deref()?)
        {
            return None;
        }
        if digits[0] == b'0' {
            return None;
        }
        let len = (1..=3).find(|&l| number(&digits[..l]).is_some_and(known_code))?;
        (number(&digits[..len])? as u16, &digits[len..])
    } else {
        let rules = default?;
        if starts_with_any(digits, rules.idd.as_deref()?) || digits.starts_with(&rules.code_digits)
        {
            return None;
        }
        (rules.code, digits)
    };
    if plus && national.len() <= 2 {
        return None;
    }

    let national = match default {
        Some(rules) => strip(rules.strip.as_ref()?, national)?,
        None => {
            // The library picks the region by the number's leading digits (or none); when
            // no region of the code changes the number, which one it picks does not matter.
            for id in &tables.by_code[usize::from(code)] {
                let rules = tables.by_id.get(id)?.strip.as_ref()?;
                if strip(rules, national)? != national {
                    return None;
                }
            }
            national
        }
    };

    if !NSN_LENGTHS.contains(&national.len()) {
        return None;
    }
    let zeros = national.iter().take_while(|&&b| b == b'0').count();
    if number(&national[zeros..])? >= 1 << 56 {
        return None;
    }
    let mut e164 = String::with_capacity(national.len() + 4);
    e164.push('+');
    e164.push_str(&code.to_string());
    e164.push_str(std::str::from_utf8(national).ok()?);
    Some(e164)
}

/// The number before an extension written ` ext. 12`, ` ext 12` or ` x12` (any case) at
/// the end, where the library's extension pattern takes it off whole; `None` without one.
fn split_extension(input: &str) -> Option<&str> {
    let digits = input.bytes().rev().take_while(u8::is_ascii_digit).count();
    if !(1..=7).contains(&digits) {
        return None;
    }
    let rest = input[..input.len() - digits].trim_end_matches(' ');
    let lower = rest.len().checked_sub(4).map(|i| &rest[i..]);
    let keyword = match lower {
        Some(k) if k.eq_ignore_ascii_case("ext.") => 4,
        _ if rest.len() >= 3 && rest[rest.len() - 3..].eq_ignore_ascii_case("ext") => 3,
        _ if rest.ends_with(['x', 'X']) => 1,
        _ => return None,
    };
    let number = &rest[..rest.len() - keyword];
    let trimmed = number.trim_end_matches(' ');
    // At least one space before the keyword, and a digit ending the number, so that the
    // pattern's match can only begin at those spaces.
    if trimmed.len() == number.len() || !trimmed.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(trimmed)
}

/// The national number after the region's national prefix is taken off, as the library's
/// `national_number` and the second prefix check in `parse` do it (bug for bug: the
/// region is the caller's default, not the number's); `None` when telling would take a
/// regex.
fn strip<'a>(rules: &Strip, national: &'a [u8]) -> Option<&'a [u8]> {
    let mut potential = national;
    match &rules.for_parsing {
        Some((alternatives, transform)) => match at_start(alternatives, national) {
            AtStart::Unknown => return None,
            AtStart::NoMatch => {}
            // With a transform rule the match is rewritten, not cut off.
            AtStart::Literal(_) if *transform => return None,
            AtStart::Literal(len) => potential = &national[len..],
        },
        None => {
            if let Some(prefix) = &rules.national_prefix
                && let Some(rest) = potential.strip_prefix(&prefix[..])
            {
                potential = rest;
            }
        }
    }
    if let Some(prefix) = &rules.national_prefix
        && let Some(rest) = potential.strip_prefix(&prefix[..])
    {
        potential = rest;
    }
    let length = potential.len();
    let too_short =
        !rules.local_lengths.contains(&length) && rules.min_length.is_some_and(|min| length < min);
    Some(if too_short { national } else { potential })
}

/// The value of a run of ASCII digits; `None` when empty or too long for a `u64`.
fn number(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    Some(
        digits
            .iter()
            .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
    )
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use phonenumber::Mode;
    use proptest::prelude::*;

    use super::*;

    /// What `Phone::parse` gets from the library for the same input.
    fn library(input: &str, region: Option<country::Id>) -> Option<String> {
        let number = phonenumber::parse(region, input).ok()?;
        Some(number.format().mode(Mode::E164).to_string())
    }

    fn id(region: &str) -> Option<country::Id> {
        country::Id::from_str(region).ok()
    }

    /// Every region the library knows by an ISO code, sorted.
    fn regions() -> Vec<String> {
        let mut ids: Vec<String> = TABLES
            .by_id
            .keys()
            .filter(|k| id(k).is_some())
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// Asserts the fast path agrees with the library whenever it answers; true when it did.
    fn agrees(input: &str, region: Option<country::Id>) -> bool {
        let Some(fast) = parse(input, region) else {
            return false;
        };
        assert_eq!(
            Some(&fast),
            library(input, region).as_ref(),
            "{input:?} in {region:?}"
        );
        true
    }

    /// The library's example numbers of every region and type, written the ways exports
    /// write them, read with no default region, the number's own, and three others.
    #[test]
    fn equals_the_library_on_every_regions_example_numbers() {
        let mut answered = 0;
        let mut total = 0;
        for region in regions() {
            let meta = DATABASE.by_id(region.as_str()).unwrap();
            let d = meta.descriptors();
            let examples = [
                d.fixed_line(),
                d.mobile(),
                d.toll_free(),
                d.voip(),
                d.uan(),
                d.personal_number(),
            ]
            .into_iter()
            .flatten()
            .filter_map(|desc| desc.example());
            let cc = meta.country_code();
            let np = meta.national_prefix().unwrap_or("");
            for example in examples {
                let (head, tail) = example.split_at(example.len().min(3));
                let shapes = [
                    format!("+{cc}{example}"),
                    format!("+{cc} {head} {tail}"),
                    format!("+{cc}-{head}-{tail}"),
                    format!("+{cc} ({np}){head} {tail}"),
                    format!("{np}{head} {tail}"),
                    format!("({np}{head}) {tail}"),
                    format!("{np}{head}.{tail}"),
                    example.to_string(),
                    format!("+{cc}-{head}-{tail} ext. 12"),
                    format!("{np}{head} {tail} x9"),
                ];
                for shape in &shapes {
                    for default in [
                        Some(region.as_str()),
                        None,
                        Some("US"),
                        Some("GB"),
                        Some("DE"),
                    ] {
                        total += 1;
                        if agrees(shape, default.and_then(id)) {
                            answered += 1;
                        }
                    }
                }
            }
        }
        // The fast path must pay: most plain shapes are its own.
        println!("the fast path answered {answered} of {total}");
        assert!(answered * 2 > total, "answered {answered} of {total}");
    }

    /// The shapes of the demo exports and of the regions that dominate B2B data take the
    /// fast path (so the speed is real), and agree with the library.
    #[test]
    fn the_common_shapes_take_the_fast_path() {
        for (input, region) in [
            ("+1 512-555-0143", Some("US")),
            ("+15125550143", None),
            ("(512) 555-0143", Some("US")),
            ("512.555.0143", Some("US")),
            ("+1 416-555-0171", Some("CA")),
            ("+44 20 7946 0123", Some("GB")),
            ("020 7946 0123", Some("GB")),
            ("+442079460123", None),
            ("+49 30 1234567", Some("DE")),
            ("030 1234567", Some("DE")),
            ("+33 1 42 68 53 00", Some("FR")),
            ("01 42 68 53 00", Some("FR")),
            ("+31 20 123 4567", Some("NL")),
            ("+34 935 660 108", Some("ES")),
            ("93 566 0108", Some("ES")),
            ("+39 06 1234 5678", Some("IT")),
            ("06 1234 5678", Some("IT")),
            ("+46 8 123 456 78", Some("SE")),
            ("+45 32 12 34 56", Some("DK")),
            ("+48 22 123 45 67", Some("PL")),
            ("+353 1 234 5678", Some("IE")),
            ("+91 22 2345 6789", Some("IN")),
            ("+65 6123 4567", Some("SG")),
            ("+55 11 2345 6789", Some("BR")),
            ("+61 2 9876 5432", Some("AU")),
            ("512.555.0143 ext. 12", Some("US")),
            ("+1512-555-0143 x7", Some("US")),
            ("+44 20 7946 0123 EXT 301", None),
        ] {
            assert!(
                agrees(input, region.and_then(id)),
                "{input:?} in {region:?}"
            );
        }
    }

    /// Realistic numbers (a real country code, random national digits, the separators
    /// and prefixes people type) in random default regions: the fast path answers most of
    /// them, and every answer is the library's.
    #[test]
    fn equals_the_library_on_random_numbers_of_every_country() {
        let regions = regions();
        let codes: Vec<u16> = (1..1000u16)
            .filter(|&c| !TABLES.by_code[usize::from(c)].is_empty())
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut answered, total) = (0, 10_000);
        for _ in 0..total {
            let code = codes[next(codes.len())];
            let mut national: String = (0..4 + next(9))
                .map(|_| char::from(b'0' + next(10) as u8))
                .collect();
            if next(4) == 0 {
                national.insert(0, '0');
            }
            let mut grouped = String::new();
            let sep = [" ", "-", ".", "", " "][next(5)];
            for (i, c) in national.chars().enumerate() {
                if i > 0 && i % (2 + next(3)) == 0 {
                    grouped.push_str(sep);
                }
                grouped.push(c);
            }
            let extension = [
                "",
                " ext. 12",
                " EXT 7",
                " x310",
                " ext.1234567",
                " x12345678",
            ][next(6)];
            let text = match next(6) {
                0 => format!("+{code}{national}"),
                1 => format!("+{code} {grouped}"),
                2 => format!("+{code}{sep}{grouped}"),
                3 => format!("+{code} (0){grouped}"),
                4 => format!("({}) {}", &national[..3], &national[3..]),
                _ => grouped,
            } + extension;
            let region = match next(3) {
                0 => None,
                _ => id(&regions[next(regions.len())]),
            };
            if agrees(&text, region) {
                answered += 1;
            }
        }
        println!("the fast path answered {answered} of {total}");
        assert!(answered * 3 > total, "answered {answered} of {total}");
    }

    fn shape() -> impl Strategy<Value = String> {
        let lead = prop_oneof![
            Just(String::new()),
            Just("+".to_string()),
            Just("00".to_string()),
            Just("0".to_string()),
            Just("1".to_string()),
            Just("+0".to_string()),
            (1u16..1000).prop_map(|cc| format!("+{cc}")),
        ];
        let group = ("[0-9]{1,4}", "[ ().-]{0,2}").prop_map(|(d, s)| format!("{d}{s}"));
        (lead, prop::collection::vec(group, 1..6)).prop_map(|(l, g)| format!("{l}{}", g.concat()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn never_disagrees_with_the_library(
            text in shape(),
            region in prop::sample::select(regions()),
            use_region in any::<bool>(),
        ) {
            agrees(&text, if use_region { id(&region) } else { None });
        }

        #[test]
        fn never_disagrees_on_any_text(text in "[+0-9 ().x#a-]{0,24}( ?(ext|x|EXT)[. ]*[0-9]{0,9})?", region in prop::sample::select(regions())) {
            agrees(&text, id(&region));
        }
    }
}
