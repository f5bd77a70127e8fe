//! Clustering scored pairs into entities without chaining.
//!
//! Plain connected components over the links above the threshold let one bad link join two
//! people, and through them everyone linked to either: in B2B data a shared switchboard
//! number or a typo'd e-mail is enough. Here links are taken strongest first (greedy,
//! like single-linkage), but two clusters are never joined when any scored pair across them
//! is a contradiction, a pair whose weight is at or below the setup's `veto_weight`
//! (different e-mail, employer and name: clear evidence of two people). The candidate pairs
//! are exactly the pairs close enough to be confused, so they are the ones whose evidence
//! counts. This is a constrained single-linkage; it keeps the transitivity that finds a
//! person through a record that has only the e-mail and another that has only the name,
//! and cuts where the records themselves say "not the same".
//!
//! People's names hold the same way, over the whole cluster: two clusters are never joined
//! when a record of one and a record of the other have names that contradict ("Chloe
//! Kirby" and "Elisa Clark", see [`super::names`]), however strong the link between two
//! other records of theirs, unless the link itself is made on an identifier both records
//! hold (a LinkedIn profile): A–B–C never joins A and C on company, phone, city or title
//! evidence when A and C are two people.
//!
//! Each link that joined two clusters is kept as a merge, for explanation and undo.

use serde::{Deserialize, Serialize};

use super::blocking::Pair;
use super::table::FxMap;

/// A scored candidate pair at or above the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Link {
    pub a: u32,
    pub b: u32,
    /// Total match weight (log2 Bayes factor).
    pub weight: f64,
    pub probability: f64,
    /// The two records agree on an identifier ([`super::ComparisonSpec::identifier`]):
    /// the link may join names that contradict.
    #[serde(default)]
    pub identified: bool,
}

/// Person names, for clustering: each record's name (0: none) and whether two names
/// contradict.
pub trait RecordNames {
    fn name_of(&self, record: u32) -> u32;
    fn contradict(&self, x: u32, y: u32) -> bool;
}

/// What clustering must respect besides the links.
#[derive(Clone, Copy, Default)]
pub struct Constraints<'a> {
    /// Pairs at or below the veto weight: never in one cluster.
    pub contradictions: &'a [Pair],
    /// In link mode (data sets that each hold no duplicates), the data set of each record:
    /// a cluster holds at most one record of each.
    pub datasets: Option<&'a [u8]>,
    /// The records' person names: names that contradict are never in one cluster but
    /// through an identified link.
    pub names: Option<&'a dyn RecordNames>,
}

/// Records in clusters and the merges that formed them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    /// Per record, its cluster: clusters are numbered from 0 in the order of their first
    /// record.
    pub cluster_of: Vec<u32>,
    /// The links that joined two clusters, in the order they were applied.
    pub merges: Vec<Link>,
    /// Links refused because a contradiction lay across the two clusters (a pair at the
    /// veto weight, or in link mode two records of one data set).
    pub refused: usize,
    /// Links refused because names across the two clusters contradict.
    pub refused_by_name: usize,
}

impl Clustering {
    /// How many clusters there are.
    pub fn cluster_count(&self) -> usize {
        self.cluster_of
            .iter()
            .map(|&c| c as usize + 1)
            .max()
            .unwrap_or(0)
    }
}

struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per root: the records outside the cluster that a member contradicts.
    vetoes: Vec<Vec<u32>>,
    /// Per root, in link mode: the data sets its records come from, one bit each.
    sides: Vec<u64>,
    /// Per root: the distinct person names of its records.
    names: Vec<Vec<u32>>,
}

impl UnionFind {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// Whether a contradiction lies between the clusters of roots `ra` and `rb`.
    fn contradicts(&mut self, ra: u32, rb: u32) -> bool {
        let (small, other) = if self.vetoes[ra as usize].len() <= self.vetoes[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let partners = std::mem::take(&mut self.vetoes[small as usize]);
        let found = partners.iter().any(|&p| self.find(p) == other);
        self.vetoes[small as usize] = partners;
        found
    }

    fn union(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.size[ra as usize] >= self.size[rb as usize] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        let moved = std::mem::take(&mut self.vetoes[small as usize]);
        self.vetoes[big as usize].extend(moved);
        self.sides[big as usize] |= self.sides[small as usize];
        let moved = std::mem::take(&mut self.names[small as usize]);
        for name in moved {
            if !self.names[big as usize].contains(&name) {
                self.names[big as usize].push(name);
            }
        }
    }

    /// Whether a name in the cluster of root `ra` contradicts one in that of `rb`; each
    /// two names are tested once.
    fn names_contradict(
        &self,
        ra: u32,
        rb: u32,
        names: &dyn RecordNames,
        known: &mut FxMap<(u32, u32), bool>,
    ) -> bool {
        let (xs, ys) = (&self.names[ra as usize], &self.names[rb as usize]);
        xs.iter().any(|&x| {
            ys.iter().any(|&y| {
                *known
                    .entry((x.min(y), x.max(y)))
                    .or_insert_with(|| names.contradict(x, y))
            })
        })
    }
}

/// Clusters `n` records from their `links` (pairs at or above the threshold), strongest
/// first, within the [`Constraints`].
pub fn cluster(n: usize, links: &[Link], constraints: &Constraints<'_>) -> Clustering {
    let mut uf = UnionFind {
        parent: (0..n as u32).collect(),
        size: vec![1; n],
        vetoes: vec![Vec::new(); n],
        sides: (0..n)
            .map(|r| {
                constraints
                    .datasets
                    .map_or(0, |d| 1u64 << (d.get(r).copied().unwrap_or(0) % 64))
            })
            .collect(),
        names: (0..n as u32)
            .map(
                |r| match constraints.names.map_or(0, |names| names.name_of(r)) {
                    0 => Vec::new(),
                    name => vec![name],
                },
            )
            .collect(),
    };
    for &(a, b) in constraints.contradictions {
        if (a as usize) < n && (b as usize) < n {
            uf.vetoes[a as usize].push(b);
            uf.vetoes[b as usize].push(a);
        }
    }
    let mut order: Vec<&Link> = links
        .iter()
        .filter(|l| (l.a as usize) < n && (l.b as usize) < n)
        .collect();
    order.sort_by(|x, y| {
        y.weight
            .total_cmp(&x.weight)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    let mut merges = Vec::new();
    let (mut refused, mut refused_by_name) = (0, 0);
    let mut known = FxMap::default();
    for link in order {
        let (ra, rb) = (uf.find(link.a), uf.find(link.b));
        if ra == rb {
            continue;
        }
        if uf.sides[ra as usize] & uf.sides[rb as usize] != 0 || uf.contradicts(ra, rb) {
            refused += 1;
            continue;
        }
        if let Some(names) = constraints.names
            && !link.identified
            && uf.names_contradict(ra, rb, names, &mut known)
        {
            refused_by_name += 1;
            continue;
        }
        uf.union(ra, rb);
        merges.push(*link);
    }
    let mut number = vec![u32::MAX; n];
    let mut next = 0;
    let mut cluster_of = Vec::with_capacity(n);
    for r in 0..n as u32 {
        let root = uf.find(r) as usize;
        if number[root] == u32::MAX {
            number[root] = next;
            next += 1;
        }
        cluster_of.push(number[root]);
    }
    Clustering {
        cluster_of,
        merges,
        refused,
        refused_by_name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: u32, b: u32, weight: f64) -> Link {
        Link {
            a,
            b,
            weight,
            probability: 0.99,
            identified: false,
        }
    }

    fn vetoes(pairs: &[Pair]) -> Constraints<'_> {
        Constraints {
            contradictions: pairs,
            ..Constraints::default()
        }
    }

    /// Names by record: equal numbers are one name, and names 1 and 2 contradict.
    struct Names(Vec<u32>);

    impl RecordNames for Names {
        fn name_of(&self, record: u32) -> u32 {
            self.0[record as usize]
        }
        fn contradict(&self, x: u32, y: u32) -> bool {
            (x.min(y), x.max(y)) == (1, 2)
        }
    }

    #[test]
    fn links_join_records_transitively() {
        let c = cluster(4, &[link(0, 1, 20.0), link(1, 2, 15.0)], &vetoes(&[]));
        assert_eq!(c.cluster_of, vec![0, 0, 0, 1]);
        assert_eq!(c.merges.len(), 2);
    }

    #[test]
    fn one_bad_link_does_not_chain_two_people() {
        // Arrange: 0–1 and 2–3 are two people; 1–2 is a weak, wrong link; 0 and 3 were
        // compared and clearly differ.
        let links = [link(0, 1, 30.0), link(2, 3, 30.0), link(1, 2, 5.0)];

        // Act
        let c = cluster(4, &links, &vetoes(&[(0, 3)]));

        // Assert
        assert_eq!(c.cluster_of, vec![0, 0, 1, 1]);
        assert_eq!(c.refused, 1);
    }

    #[test]
    fn in_link_mode_a_cluster_holds_one_record_per_data_set() {
        let links = [link(0, 1, 30.0), link(1, 2, 20.0)];
        let constraints = Constraints {
            datasets: Some(&[0, 1, 0]),
            ..Constraints::default()
        };
        let c = cluster(3, &links, &constraints);
        assert_eq!(c.cluster_of, vec![0, 0, 1]);
    }

    #[test]
    fn names_that_contradict_are_never_chained_into_one_cluster() {
        // Arrange: 0 is Chloe Kirby (name 1), 2 is Elisa Clark (name 2); 1 has no name (an
        // address-only row) and links strongly to both, on the shared company evidence.
        let links = [link(0, 1, 12.0), link(1, 2, 11.0)];
        let names = Names(vec![1, 0, 2]);
        let constraints = Constraints {
            names: Some(&names),
            ..Constraints::default()
        };

        // Act
        let c = cluster(3, &links, &constraints);

        // Assert
        assert_eq!(c.cluster_of, vec![0, 0, 1]);
        assert_eq!(c.refused_by_name, 1);
    }

    #[test]
    fn an_identified_link_may_join_names_that_contradict() {
        let mut profile = link(0, 1, 20.0);
        profile.identified = true;
        let names = Names(vec![1, 2]);
        let constraints = Constraints {
            names: Some(&names),
            ..Constraints::default()
        };
        let c = cluster(2, &[profile], &constraints);
        assert_eq!(c.cluster_of, vec![0, 0]);
    }
}
