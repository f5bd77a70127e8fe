//! From record links to contact merges. Clustering ([`super::cluster`]) joins *records*;
//! the store keeps *contacts*, each a group of records that earlier runs and people made.
//! A link between records of two contacts merges the contacts: the older (smaller id) keeps
//! its id and takes the other's records, unless a person undid a merge between the two
//! before (a kept-apart pair, which also holds for every contact merged into either later).
//! Pure: the engine loads the records and the undo pairs and stores the plan.

use std::collections::{HashMap, HashSet};

use super::Link;

/// One contact merged into another by a link.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactMerge {
    /// The contact that keeps its id.
    pub into: i64,
    /// The contact merged into it.
    pub from: i64,
    /// The records that move, as indices into the records the plan was made from.
    pub records: Vec<usize>,
    /// The link that made the merge, as an index into the links.
    pub link: usize,
}

/// The merges a run makes, in the order the links were accepted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergePlan {
    pub merges: Vec<ContactMerge>,
    /// Links refused because a person undid a merge of the two contacts before.
    pub refused_by_undo: usize,
    /// Each contact that was merged, and the contact it is part of now.
    merged_into: HashMap<i64, i64>,
}

impl MergePlan {
    /// The contact that `contact` is part of after the plan.
    pub fn contact_after(&self, contact: i64) -> i64 {
        self.merged_into.get(&contact).copied().unwrap_or(contact)
    }
}

/// Plans the contact merges that `links` (between records, strongest first) make, where
/// record `i` belongs to contact `contact_of[i]` and `kept_apart` holds the pairs of
/// contacts a person said are different.
pub fn plan_merges(contact_of: &[i64], links: &[Link], kept_apart: &[(i64, i64)]) -> MergePlan {
    let mut groups = Groups::default();
    for (i, &c) in contact_of.iter().enumerate() {
        groups.parent.entry(c).or_insert(c);
        groups.members.entry(c).or_default().push(i);
    }
    for &(a, b) in kept_apart {
        groups.apart.entry(a).or_default().insert(b);
        groups.apart.entry(b).or_default().insert(a);
    }
    let mut plan = MergePlan::default();
    for (index, link) in links.iter().enumerate() {
        let (Some(&ca), Some(&cb)) = (
            contact_of.get(link.a as usize),
            contact_of.get(link.b as usize),
        ) else {
            continue;
        };
        let (ra, rb) = (groups.find(ca), groups.find(cb));
        if ra == rb {
            continue;
        }
        if groups.kept_apart(ra, rb) {
            plan.refused_by_undo += 1;
            continue;
        }
        let (into, from) = (ra.min(rb), ra.max(rb));
        let records = groups.members.get(&from).cloned().unwrap_or_default();
        groups.join(into, from);
        plan.merges.push(ContactMerge {
            into,
            from,
            records,
            link: index,
        });
    }
    let contacts: Vec<i64> = groups.parent.keys().copied().collect();
    for c in contacts {
        let root = groups.find(c);
        if root != c {
            plan.merged_into.insert(c, root);
        }
    }
    plan
}

/// Contacts in groups (a union-find keyed by contact id whose root is the group's smallest
/// id), with the pairs people said are different.
#[derive(Default)]
struct Groups {
    parent: HashMap<i64, i64>,
    members: HashMap<i64, Vec<usize>>,
    apart: HashMap<i64, HashSet<i64>>,
}

impl Groups {
    fn find(&mut self, c: i64) -> i64 {
        let mut root = c;
        while let Some(&p) = self.parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        let mut x = c;
        while x != root {
            let next = self.parent.get(&x).copied().unwrap_or(root);
            self.parent.insert(x, root);
            x = next;
        }
        root
    }

    fn kept_apart(&mut self, a: i64, b: i64) -> bool {
        let (sa, sb) = (
            self.apart.get(&a).cloned().unwrap_or_default(),
            self.apart.get(&b).cloned().unwrap_or_default(),
        );
        sa.iter().any(|&x| self.find(x) == b) || sb.iter().any(|&x| self.find(x) == a)
    }

    /// Joins `from` into `into` (both roots).
    fn join(&mut self, into: i64, from: i64) {
        self.parent.insert(from, into);
        let moved = self.members.remove(&from).unwrap_or_default();
        self.members.entry(into).or_default().extend(moved);
        let apart = self.apart.remove(&from).unwrap_or_default();
        self.apart.entry(into).or_default().extend(apart);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: u32, b: u32) -> Link {
        Link {
            a,
            b,
            weight: 10.0,
            probability: 0.99,
            identified: false,
        }
    }

    #[test]
    fn the_older_contact_keeps_its_id_and_takes_the_records_of_the_other() {
        // Arrange: records 0 and 1 are contact 7, record 2 is contact 3, record 3 is contact 9.
        let contact_of = [7, 7, 3, 9];

        // Act
        let plan = plan_merges(&contact_of, &[link(1, 2), link(0, 3)], &[]);

        // Assert
        assert_eq!(
            plan.merges,
            [
                ContactMerge {
                    into: 3,
                    from: 7,
                    records: vec![0, 1],
                    link: 0
                },
                ContactMerge {
                    into: 3,
                    from: 9,
                    records: vec![3],
                    link: 1
                },
            ]
        );
        assert_eq!(contact_of.map(|c| plan.contact_after(c)), [3, 3, 3, 3]);
    }

    #[test]
    fn an_undone_merge_is_not_made_again_not_even_through_a_third_contact() {
        // Arrange: a person kept contacts 1 and 2 apart; contact 3 links to both.
        let contact_of = [1, 2, 3];

        // Act
        let plan = plan_merges(&contact_of, &[link(0, 2), link(1, 2)], &[(1, 2)]);

        // Assert
        assert_eq!(plan.merges.len(), 1);
        assert_eq!(plan.refused_by_undo, 1);
        assert_eq!(contact_of.map(|c| plan.contact_after(c)), [1, 2, 1]);
    }
}
