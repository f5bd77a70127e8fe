//! When two person names clearly belong to two people.
//!
//! In B2B data colleagues share everything a company gives its people: the switchboard
//! number, the domain, the company name, the city, often a title. Counting that as evidence
//! merged colleagues ("Chloe Kirby" and "Elisa Clark" at Cloudflow, one phone number), and
//! survivorship then wrote one person's facts onto the other. A person's name is the
//! evidence a company does not share, so this module decides when two names contradict:
//! the given names are not the same name (not equal, not one typo apart, not an initial of
//! the other, not a nickname of each other — [`super::nicknames`] — not a transliteration),
//! **and** the family names differ beyond a typo or a transliteration. A name entered the
//! wrong way round ("Kirby Chloe") or given as one full name is read as the same name.
//!
//! Two uses, one rule: clustering never joins records whose names contradict on other
//! evidence than an identifier ([`super::cluster`]), and a phone number or address held by
//! records whose names contradict is a shared line or inbox, evidence for the company and
//! never for the person ([`super::Table`]'s shared values).
//!
//! Names are the folded match keys (`fold_words`: lower case, no diacritics, words
//! separated by one space).

use super::compare::{edit_distance_at_most, osa_distance};
use super::nicknames::groups_of;
use super::table::{Column, FxMap};
use crate::discovery::normalize::Email;

/// Family-name particles that say nothing alone ("van", "de").
const PARTICLES: &[&str] = &[
    "de", "del", "della", "der", "den", "di", "da", "du", "la", "le", "van", "von", "y", "zu",
    "dos", "das", "bin", "ben", "al", "el",
];

/// Whether two given names (single words) are in one nickname group: "bob" and "robert".
pub fn nicknames(a: &str, b: &str) -> bool {
    let (ga, gb) = (groups_of(a), groups_of(b));
    ga.iter().any(|g| gb.contains(g))
}

/// A spelling key that folds the usual transliteration differences: German umlauts
/// written out (`mueller`, `muller`), `ph`/`f`, `kh`/`h`, `ck`/`k`, `x`/`ks`, `w`/`v`,
/// `y`/`j`/`i`, `ou`/`u` and doubled letters (`mohammed`, `mohamed`). Written into `out`;
/// its length, or `None` when it does not fit. (This runs for millions of pairs of names:
/// nothing is allocated.)
fn spelling_key(word: &str, out: &mut [u8; 48]) -> Option<usize> {
    let b = word.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < b.len() {
        let (c, next) = (b[i], b.get(i + 1).copied());
        let (push, skip): (&[u8], usize) = match (c, next) {
            (b'p', Some(b'h')) => (b"f", 2),
            (b'k', Some(b'h')) => (b"h", 2),
            (b'c', Some(b'k')) => (b"k", 2),
            (b'a' | b'o' | b'u', Some(b'e')) => (&b[i..i + 1], 2),
            (b'o', Some(b'u')) => (b"u", 2),
            (b'x', _) => (b"ks", 1),
            (b'w', _) => (b"v", 1),
            (b'y' | b'j', _) => (b"i", 1),
            _ => (&b[i..i + 1], 1),
        };
        for &p in push {
            if n > 0 && out[n - 1] == p {
                continue;
            }
            *out.get_mut(n)? = p;
            n += 1;
        }
        i += skip;
    }
    Some(n)
}

/// Whether `b` is `a` with two neighbouring letters swapped.
fn one_swap(a: &[u8], b: &[u8]) -> bool {
    let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return false;
    };
    a.len() == b.len()
        && i + 1 < a.len()
        && a[i] == b[i + 1]
        && a[i + 1] == b[i]
        && a[i + 2..] == b[i + 2..]
}

/// Whether two words are one spelling apart: equal after [`spelling_key`], or a typo
/// apart (one edit from five letters, two from eight; shorter words only by two
/// neighbouring letters swapped, since one changed letter turns "mark" into "mary").
fn spelled_alike(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    // No spelling rule bridges more than a few letters: most pairs stop here.
    if a.len().abs_diff(b.len()) > 4 {
        return false;
    }
    let (mut ka, mut kb) = ([0u8; 48], [0u8; 48]);
    let (Some(na), Some(nb)) = (spelling_key(a, &mut ka), spelling_key(b, &mut kb)) else {
        return false;
    };
    let (ka, kb) = (&ka[..na], &kb[..nb]);
    let shorter = if a.is_ascii() && b.is_ascii() {
        a.len().min(b.len())
    } else {
        a.chars().count().min(b.chars().count())
    };
    // Short names are whole names, not spellings: "jun" and "yun", "lee" and "li".
    if ka == kb && shorter >= 4 {
        return true;
    }
    let edits = match shorter {
        0..=3 => return one_swap(a.as_bytes(), b.as_bytes()),
        // "rjas" and "rojas": a letter dropped from a longer name; a letter changed in a
        // four-letter one makes another name ("mark", "mary").
        4 => {
            return one_swap(a.as_bytes(), b.as_bytes())
                || (a.len() != b.len() && within(a.as_bytes(), b.as_bytes(), 1));
        }
        5..=7 => 1,
        _ => 2,
    };
    within(ka, kb, edits) || within(a.as_bytes(), b.as_bytes(), edits)
}

fn within(a: &[u8], b: &[u8], edits: usize) -> bool {
    a.len().abs_diff(b.len()) <= edits && osa_distance(a, b, edits) <= edits
}

/// Whether two one-word given names can be one person's: the same name or a spelling of
/// it, an initial of it, its first letters ("chris", "christopher"), or a nickname.
fn given_words_agree(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return false;
    }
    if short.len() == 1 {
        return long.starts_with(short);
    }
    (short.len() >= 3 && long.starts_with(short)) || nicknames(a, b) || spelled_alike(a, b)
}

/// Whether two given names can be one person's. The first words are the names people go
/// by and must agree; the further words of the shorter name must agree, in order, with
/// further words of the longer ("mary ann" and "mary", "j r" and "john", but not
/// "young jun" and "young yun", "jean pierre" and "jean luc"). A one-word name may be the
/// other's middle name, which some people go by.
pub fn given_names_agree(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if !a.contains(' ') && !b.contains(' ') {
        return given_words_agree(a, b);
    }
    let (wa, wb): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    let (short, long) = if wa.len() <= wb.len() {
        (wa, wb)
    } else {
        (wb, wa)
    };
    if !given_words_agree(short[0], long[0]) {
        return short.len() == 1
            && short[0].len() > 1
            && long[1..].iter().any(|w| given_words_agree(short[0], w));
    }
    let mut rest = long[1..].iter();
    short[1..]
        .iter()
        .all(|x| rest.any(|y| given_words_agree(x, y)))
}

/// The words of a family name that identify it: not a particle, two letters or more.
fn family_words(name: &str) -> impl Iterator<Item = &str> {
    name.split(' ')
        .filter(|w| w.len() >= 2 && !PARTICLES.contains(w))
}

/// Whether two family names can be one person's: the same name or a spelling of it, a
/// double name and one of its parts ("garcia lopez" and "garcia"), with or without its
/// particles run together ("van den berg", "vandenberg"), or an initial of it ("s",
/// "smith"). Every word of the shorter name must be in the longer: "lopes ferreira" and
/// "ferreira freitas" are two families that share a name, as colleagues in Brazil do.
pub fn family_names_agree(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.len() == 1 {
        return long.starts_with(short);
    }
    if !a.contains(' ') && !b.contains(' ') {
        return spelled_alike(a, b);
    }
    let (words_a, words_b) = (family_words(a).count(), family_words(b).count());
    let (fewer, more) = if words_a <= words_b { (a, b) } else { (b, a) };
    if words_a.min(words_b) > 0
        && family_words(fewer).all(|x| family_words(more).any(|y| spelled_alike(x, y)))
    {
        return true;
    }
    let joined = |s: &str| s.split(' ').collect::<String>();
    a.contains(' ') != b.contains(' ') && spelled_alike(&joined(a), &joined(b))
}

/// Whether some word of one name agrees with some word of the other as a given name
/// would (three letters or more: no initials): a name entered the wrong way round meets
/// itself ("kirby chloe", "alworth theodore" and "teddy alworth").
fn words_cross(a: &str, b: &str) -> bool {
    a.split(' ').filter(|w| w.len() >= 3).any(|x| {
        b.split(' ')
            .filter(|w| w.len() >= 3)
            .any(|y| given_words_agree(x, y))
    })
}

/// Whether two names, each a (given, family) pair of folded keys, clearly belong to two
/// people: the given names disagree and the family names disagree, also when one of them
/// was entered the wrong way round. A name with a part missing contradicts nothing.
pub fn names_contradict(a: (&str, &str), b: (&str, &str)) -> bool {
    let ((ga, fa), (gb, fb)) = (a, b);
    if [ga, fa, gb, fb].iter().any(|p| p.is_empty()) {
        return false;
    }
    !(given_names_agree(ga, gb)
        || family_names_agree(fa, fb)
        || words_cross(ga, fb)
        || words_cross(fa, gb))
}

/// Whether two names are one name written with a nickname, an initial or another
/// transliteration of the given name, with family names that agree: the name
/// comparison's `nickname` level ("bob smith" and "robert smith").
pub fn same_person_name(a: (&str, &str), b: (&str, &str)) -> bool {
    let ((ga, fa), (gb, fb)) = (a, b);
    if [ga, fa, gb, fb].iter().any(|p| p.is_empty()) {
        return false;
    }
    // The family names first: they differ in nearly every pair, and are cheaper to compare.
    let straight = family_names_agree(fa, fb) && given_names_agree(ga, gb);
    let swapped = || given_names_agree(ga, fb) && family_names_agree(fa, gb);
    straight || swapped()
}

/// The person name of every record of a table, as ids of distinct (given, family) pairs,
/// so that clustering compares each two names once however many records hold them.
#[derive(Debug, Clone, Default)]
pub struct PersonNames {
    /// Per record: 0 without both parts, else 1 + the index of its pair.
    pub of: Vec<u32>,
    /// The distinct (given value id, family value id) pairs.
    pairs: Vec<(u32, u32)>,
    /// The columns of the given and the family name.
    columns: (usize, usize),
}

impl PersonNames {
    /// The names of the records of `columns`, from the given and family name columns.
    pub(crate) fn build(columns: &[Column], given: usize, family: usize) -> PersonNames {
        let (g, f) = (&columns[given], &columns[family]);
        let mut index: FxMap<(u32, u32), u32> = FxMap::default();
        let mut pairs = Vec::new();
        let of = g
            .ids
            .iter()
            .zip(&f.ids)
            .map(|(&gi, &fi)| {
                if gi == 0 || fi == 0 {
                    return 0;
                }
                *index.entry((gi, fi)).or_insert_with(|| {
                    pairs.push((gi, fi));
                    pairs.len() as u32
                })
            })
            .collect();
        PersonNames {
            of,
            pairs,
            columns: (given, family),
        }
    }

    /// Whether names `x` and `y` (ids from [`PersonNames::of`]) contradict.
    pub fn contradict(&self, columns: &[Column], x: u32, y: u32) -> bool {
        if x == 0 || y == 0 || x == y {
            return false;
        }
        let name = |id: u32| {
            let (gi, fi) = self.pairs[id as usize - 1];
            let g = columns[self.columns.0].values[gi as usize - 1].as_ref();
            let f = columns[self.columns.1].values[fi as usize - 1].as_ref();
            (g, f)
        };
        names_contradict(name(x), name(y))
    }

    /// The given and family name of record `r`, if it has both.
    pub fn name_of<'c>(&self, columns: &'c [Column], r: usize) -> Option<(&'c str, &'c str)> {
        match self.of.get(r).copied().unwrap_or(0) {
            0 => None,
            id => {
                let (gi, fi) = self.pairs[id as usize - 1];
                Some((
                    columns[self.columns.0].values[gi as usize - 1].as_ref(),
                    columns[self.columns.1].values[fi as usize - 1].as_ref(),
                ))
            }
        }
    }

    /// Per value of `column`: whether records whose names contradict hold it (a company's
    /// switchboard, a team inbox), or it is an address of a shared mailbox by its local
    /// part (`info@`, `sales@`: [`Email::is_role_account`]). Each value's holders are
    /// compared by their distinct names until two contradict; a value held by hundreds of
    /// records of one name is checked against its first names only.
    pub(crate) fn shared_values(&self, columns: &[Column], column: usize) -> Vec<u64> {
        const CHECKED: usize = 64;
        let col = &columns[column];
        let mut start = vec![0usize; col.values.len() + 1];
        for (i, &count) in col.counts.iter().enumerate() {
            start[i + 1] = start[i] + count as usize;
        }
        let mut fill = start.clone();
        let mut holders = vec![0u32; start[col.values.len()]];
        for (r, &id) in col.ids.iter().enumerate() {
            if id != 0 {
                let slot = &mut fill[id as usize - 1];
                holders[*slot] = r as u32;
                *slot += 1;
            }
        }
        let mut names: Vec<u32> = Vec::new();
        let shared = (0..col.values.len()).map(|v| {
            let value = &col.values[v];
            if value.contains('@') && Email::parse(value).is_ok_and(|e| e.is_role_account()) {
                return true;
            }
            if col.counts[v] < 2 {
                return false;
            }
            names.clear();
            for &r in &holders[start[v]..start[v + 1]] {
                let n = self.of[r as usize];
                if n != 0 && !names.contains(&n) {
                    names.push(n);
                    if names.len() > CHECKED {
                        break;
                    }
                }
            }
            names
                .iter()
                .enumerate()
                .any(|(i, &x)| names[..i].iter().any(|&y| self.contradict(columns, x, y)))
        });
        let mut bits = vec![0u64; col.values.len().div_ceil(64)];
        for (v, is) in shared.enumerate() {
            if is {
                bits[v / 64] |= 1 << (v % 64);
            }
        }
        bits
    }
}

/// Whether one part of two names is equal and the other one edit off, also with one of
/// them entered the wrong way round: "gry black" and "gary black".
pub fn near_name(a: (&str, &str), b: (&str, &str)) -> bool {
    let ((ga, fa), (gb, fb)) = (a, b);
    if [ga, fa, gb, fb].iter().any(|p| p.is_empty()) {
        return false;
    }
    let near = |(x1, y1): (&str, &str), (x2, y2): (&str, &str)| {
        (x1 == x2 && edit_distance_at_most(y1, y2, 1))
            || (y1 == y2 && edit_distance_at_most(x1, x2, 1))
    };
    near((ga, fa), (gb, fb)) || near((ga, fa), (fb, gb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colleagues_with_different_names_contradict() {
        assert!(names_contradict(("chloe", "kirby"), ("elisa", "clark")));
        assert!(names_contradict(("camilla", "nori"), ("maureen", "howard")));
        assert!(names_contradict(("leonie", "torres"), ("brian", "kent")));
        assert!(names_contradict(("mark", "evans"), ("mary", "jones")));
        assert!(!family_names_agree("lopes ferreira", "ferreira freitas"));
        assert!(!family_names_agree(
            "dos santos freitas",
            "dos santos pereira"
        ));
    }

    #[test]
    fn one_person_written_differently_does_not_contradict() {
        // A nickname, an initial, a typo, a transliteration, a swapped order, a married
        // name, a double family name, a middle name.
        let same = [
            (("bob", "smith"), ("robert", "smith")),
            (("bob", "smyth"), ("robert", "smith")),
            (("j", "doe"), ("jane", "doe")),
            (("jnae", "doe"), ("jane", "doe")),
            (("juergen", "mueller"), ("jurgen", "muller")),
            (("aleksandr", "petrov"), ("alexander", "petrov")),
            (("sergey", "ivanov"), ("sergei", "ivanov")),
            (("muhammad", "khan"), ("mohammed", "khan")),
            (("kirby", "chloe"), ("chloe", "kirby")),
            (("jane", "doe"), ("jane", "smith")),
            (("maria", "garcia lopez"), ("maria", "garcia")),
            (("mary ann", "jones"), ("mary", "jones")),
            (("chris", "wong"), ("christopher", "wong")),
            (("sasha", "volkova"), ("alexandra", "volkova")),
            (("pieter", "van den berg"), ("pieter", "vandenberg")),
            (("lola", "rjas"), ("doloes", "rojas")),
            (("henry", "maddie"), ("madison", "hery")),
            (("asia", "witiak"), ("joanna", "witiakk")),
        ];
        for (a, b) in same {
            assert!(!names_contradict(a, b), "{a:?} and {b:?}");
            assert!(!names_contradict(b, a), "{b:?} and {a:?}");
        }
    }

    #[test]
    fn a_name_with_a_part_missing_contradicts_nothing() {
        assert!(!names_contradict(("chloe", ""), ("elisa", "clark")));
        assert!(!names_contradict(("", "kirby"), ("elisa", "clark")));
    }

    #[test]
    fn a_nickname_with_the_same_family_name_is_the_same_name() {
        assert!(same_person_name(("bob", "smith"), ("robert", "smith")));
        assert!(same_person_name(("liz", "taylor"), ("elizabeth", "taylor")));
        assert!(same_person_name(
            ("teddy", "alworth"),
            ("alworth", "theodore")
        ));
        assert!(!same_person_name(("bob", "smith"), ("robert", "jones")));
        assert!(!same_person_name(
            ("young jun", "park"),
            ("young yun", "park")
        ));
        assert!(!same_person_name(("anna", "smith"), ("robert", "smith")));
    }

    #[test]
    fn a_name_part_one_letter_off_is_near() {
        assert!(near_name(("gry", "black"), ("gary", "black")));
        assert!(near_name(("dung", "tran"), ("dung", "tan")));
        assert!(near_name(("black", "gry"), ("gary", "black")));
        assert!(!near_name(("gry", "blake"), ("gary", "black")));
        assert!(!near_name(("anna", "black"), ("gary", "black")));
    }

    #[test]
    fn short_names_one_letter_apart_are_different_names() {
        assert!(!given_names_agree("mark", "mary"));
        assert!(!given_names_agree("young jun", "young yun"));
        assert!(!given_names_agree("jean pierre", "jean luc"));
        assert!(given_names_agree("mary ann", "mary"));
        assert!(given_names_agree("j r", "john"));
        assert!(!given_names_agree("jan", "jon"));
        assert!(given_names_agree("jhon", "john"));
        assert!(given_names_agree("micheal", "michael"));
    }

    #[test]
    fn given_names_agree_through_nicknames_initials_and_spellings() {
        for (a, b) in [
            ("bob", "robert"),
            ("j", "jane"),
            ("aleksandr", "alexander"),
            ("chris", "christopher"),
            ("mohammed", "muhammad"),
            ("yelena", "elena"),
            ("dmitry", "dmitri"),
        ] {
            assert!(given_names_agree(a, b), "{a} and {b}");
        }
        assert!(!given_names_agree("chloe", "elisa"));
        assert!(!given_names_agree("j", "elisa"));
    }
}
