//! A budget for alias expansion, as yaml.v3 (which SOPS reads YAML with) keeps one: a
//! 340-byte "billion laughs" file (`b: &b [*a, *a, …]` nine levels deep) would otherwise
//! expand to billions of nodes. yaml.v3 counts the nodes it decodes and those decoded inside
//! an alias, and fails with "document contains excessive aliasing" once more than 100 come
//! from aliases among more than 1,000 and their share passes a ratio that falls from 99% (up
//! to 400,000 nodes) to 10% (from 4,000,000 nodes). The same rule is applied here, counting
//! an alias as the size of what it copies, before the copy is made.

use std::collections::HashMap;

const RATIO_LOW: usize = 400_000;
const RATIO_HIGH: usize = 4_000_000;

/// The share of nodes that may come from alias expansion in a document of `decoded` nodes.
fn allowed_ratio(decoded: usize) -> f64 {
    if decoded <= RATIO_LOW {
        0.99
    } else if decoded >= RATIO_HIGH {
        0.10
    } else {
        0.99 - 0.89 * ((decoded - RATIO_LOW) as f64 / (RATIO_HIGH - RATIO_LOW) as f64)
    }
}

#[derive(Default)]
pub(super) struct Budget {
    /// Nodes made so far, alias copies included.
    decoded: usize,
    /// Nodes made by alias copies.
    aliased: usize,
    /// The size (in nodes, expansions included) of what each anchor names.
    sizes: HashMap<usize, usize>,
}

impl Budget {
    /// A node was read from the text.
    pub fn node(&mut self) {
        self.decoded += 1;
    }

    /// How many nodes have been made: a collection's size is the difference between this at
    /// its end and at its start, plus one.
    pub fn mark(&self) -> usize {
        self.decoded
    }

    /// An anchor was defined on a node of `size` nodes.
    pub fn anchor(&mut self, id: usize, size: usize) {
        self.sizes.insert(id, size);
    }

    /// An alias of anchor `id` is about to be copied: `Err` when that takes the document past
    /// the budget.
    pub fn alias(&mut self, id: usize) -> Result<(), ()> {
        let n = self.sizes.get(&id).copied().unwrap_or(1);
        self.decoded = self.decoded.saturating_add(n);
        self.aliased = self.aliased.saturating_add(n);
        let excessive = self.aliased > 100
            && self.decoded > 1000
            && self.aliased as f64 / self.decoded as f64 > allowed_ratio(self.decoded);
        if excessive {
            Err(())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_aliases_are_refused_before_they_are_copied() {
        let mut b = Budget::default();
        // a: &a [9 scalars]; b..i: &x [9 aliases of the previous].
        for _ in 0..9 {
            b.node();
        }
        b.node();
        b.anchor(1, 10);
        let mut failed_at = None;
        'levels: for level in 2..=9 {
            let start = b.mark();
            for _ in 0..9 {
                if b.alias(level - 1).is_err() {
                    failed_at = Some(level);
                    break 'levels;
                }
            }
            b.node();
            let size = b.mark() - start + 1;
            b.anchor(level, size);
        }
        // Refused at the fourth level, after a few thousand values, not 387 million.
        assert_eq!(failed_at, Some(4));
        assert!(b.decoded < 100_000, "refused early: {}", b.decoded);
    }

    #[test]
    fn ordinary_reuse_is_allowed() {
        // 200 aliases of a 3-node map in a document of 2,000 nodes.
        let mut b = Budget::default();
        for _ in 0..3 {
            b.node();
        }
        b.anchor(1, 3);
        for _ in 0..1400 {
            b.node();
        }
        for _ in 0..200 {
            assert!(b.alias(1).is_ok());
        }
    }
}
