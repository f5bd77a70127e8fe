//! Given names that one person goes by: a formal name, its diminutives and its common
//! transliterations ("Robert", "Bob", "Rob"; "Aleksandr", "Alexander", "Sasha"). Entity
//! resolution reads two given names in one group as the same name, so that "Bob Smith" and
//! "Robert Smith" are not a contradiction and meet at the name comparison's `nickname`
//! level. The list and its source are in `nicknames.txt`, one group a line.

use std::sync::OnceLock;

use super::table::FxMap;

const GROUPS: &str = include_str!("nicknames.txt");

/// The groups of the list: each a line's names.
fn groups() -> impl Iterator<Item = Vec<&'static str>> {
    GROUPS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().collect())
}

/// The groups a folded given name stands in, by number.
pub(crate) fn groups_of(name: &str) -> &'static [u16] {
    static INDEX: OnceLock<FxMap<&'static str, Vec<u16>>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index: FxMap<&'static str, Vec<u16>> = FxMap::default();
        for (g, group) in groups().enumerate() {
            for name in group {
                index.entry(name).or_default().push(g as u16);
            }
        }
        index
    });
    index.get(name).map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_folded_and_groups_have_two_names_or_more() {
        let groups: Vec<_> = groups().collect();
        assert!(groups.len() > 100);
        for group in groups {
            assert!(group.len() >= 2, "{group:?}");
            for name in &group {
                assert!(
                    name.bytes().all(|b| b.is_ascii_lowercase()),
                    "{name} in {group:?} is not a folded key"
                );
            }
        }
        assert!(
            groups_of("bob")
                .iter()
                .any(|g| groups_of("robert").contains(g))
        );
    }
}
