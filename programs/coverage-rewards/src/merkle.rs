//! Merkle tree of cumulative rewards (DESIGN.md §5), as verified by `claim`.
//!
//! * leaf  = sha256(0x00 ‖ hotspot device key (32) ‖ cumulative amount (u64 LE))
//! * node  = sha256(0x01 ‖ left (32) ‖ right (32))
//! * Leaves are ordered by device key (ascending bytes); the leaf index is the position in that
//!   order. The prefixes keep leaves and interior nodes in separate domains, so a node can never
//!   be passed off as a leaf.
//! * Levels are built left to right in pairs. When a level has an odd number of nodes, the last
//!   node is **promoted unchanged** to the next level (it is not hashed with itself), and the
//!   proof has no element for that level.
//! * A proof lists the sibling of each level, leaf level first. Whether the sibling is on the left
//!   or right, and which levels have no sibling, follow from `(leaf index, leaf count)`; the leaf
//!   count is part of the finalized epoch, so a proof is only valid for one position in one tree.
//! * The empty tree (leaf count 0) has the all-zero root and no valid proof.

use crate::error::{Error, ProgramResult};
use crate::syscalls::hashv;
use crate::Pubkey;

/// Domain prefix of leaves.
pub const LEAF_PREFIX: u8 = 0x00;
/// Domain prefix of interior nodes.
pub const NODE_PREFIX: u8 = 0x01;
/// A tree indexed by u64 has at most 64 levels above the leaves.
pub const MAX_PROOF_NODES: usize = 64;
/// Size of one proof element.
pub const NODE_LEN: usize = 32;

/// `out` = leaf hash of a hotspot's cumulative amount.
#[inline]
pub fn leaf_hash(device_key: &Pubkey, cumulative_amount: u64, out: &mut [u8; 32]) {
    let amount = cumulative_amount.to_le_bytes();
    hashv(&[&[LEAF_PREFIX], device_key, &amount], out);
}

/// `out` = interior node over `left` and `right`.
#[inline]
pub fn node_hash(left: &[u8; 32], right: &[u8; 32], out: &mut [u8; 32]) {
    hashv(&[&[NODE_PREFIX], left, right], out);
}

/// Walks from the leaf hash in `node` to the root, in place. `proof` is the concatenation of
/// the sibling hashes (its length a multiple of 32, checked by the instruction parser).
/// Fails with `LeafIndexOutOfRange` or, when the proof has too few or too many elements,
/// `InvalidProof`. The caller compares the result with the root.
pub fn compute_root(node: &mut [u8; 32], leaf_index: u64, leaf_count: u64, proof: &[u8]) -> ProgramResult {
    if leaf_index >= leaf_count {
        return Err(Error::LeafIndexOutOfRange);
    }
    let mut index = leaf_index;
    let mut width = leaf_count;
    let mut used = 0usize;
    let mut next = [0u8; 32];
    while width > 1 {
        let has_sibling = index & 1 == 1 || index + 1 < width;
        if has_sibling {
            if used + NODE_LEN > proof.len() {
                return Err(Error::InvalidProof);
            }
            let mut sibling = [0u8; 32];
            sibling.copy_from_slice(&proof[used..used + NODE_LEN]);
            used += NODE_LEN;
            if index & 1 == 1 {
                node_hash(&sibling, node, &mut next);
            } else {
                node_hash(node, &sibling, &mut next);
            }
            *node = next;
        }
        index >>= 1;
        // ceil(width / 2) without overflowing at u64::MAX.
        width = (width >> 1) + (width & 1);
    }
    if used != proof.len() {
        return Err(Error::InvalidProof);
    }
    Ok(())
}

/// Number of proof elements for `leaf_index` in a tree of `leaf_count` leaves (for clients and
/// tests; the program derives it implicitly in [`compute_root`]).
pub fn proof_len(leaf_index: u64, leaf_count: u64) -> usize {
    let (mut index, mut width, mut n) = (leaf_index, leaf_count, 0);
    while width > 1 {
        if index & 1 == 1 || index + 1 < width {
            n += 1;
        }
        index >>= 1;
        width = (width >> 1) + (width & 1);
    }
    n
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use crate::keys::key_eq;

    /// Reference tree builder with the documented rules: all levels, leaf level first.
    pub fn build_levels(leaves: &[[u8; 32]]) -> Vec<Vec<[u8; 32]>> {
        let mut levels = vec![leaves.to_vec()];
        while levels.last().unwrap().len() > 1 {
            let prev = levels.last().unwrap();
            let mut next = Vec::new();
            for pair in prev.chunks(2) {
                if pair.len() == 2 {
                    let mut h = [0u8; 32];
                    node_hash(&pair[0], &pair[1], &mut h);
                    next.push(h);
                } else {
                    next.push(pair[0]);
                }
            }
            levels.push(next);
        }
        levels
    }

    pub fn root_of(levels: &[Vec<[u8; 32]>]) -> [u8; 32] {
        levels.last().and_then(|l| l.first().copied()).unwrap_or([0; 32])
    }

    pub fn proof_for(levels: &[Vec<[u8; 32]>], mut index: usize) -> Vec<u8> {
        let mut proof = Vec::new();
        for level in &levels[..levels.len() - 1] {
            let sibling = index ^ 1;
            if sibling < level.len() {
                proof.extend_from_slice(&level[sibling]);
            }
            index >>= 1;
        }
        proof
    }

    fn key(i: u32) -> Pubkey {
        let mut k = [0u8; 32];
        k[..4].copy_from_slice(&i.to_be_bytes());
        k[31] = 0xa5;
        k
    }

    fn leaves(n: u32) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| {
                let mut h = [0u8; 32];
                leaf_hash(&key(i), 1000 + i as u64, &mut h);
                h
            })
            .collect()
    }

    fn verify(leaf: [u8; 32], index: u64, count: u64, proof: &[u8], root: &[u8; 32]) -> ProgramResult {
        let mut node = leaf;
        compute_root(&mut node, index, count, proof)?;
        if key_eq(&node, root) {
            Ok(())
        } else {
            Err(Error::InvalidProof)
        }
    }

    #[test]
    fn leaf_and_node_hashes_follow_the_documented_preimages() {
        let mut leaf = [0u8; 32];
        leaf_hash(&key(1), 0x0102030405060708, &mut leaf);
        let mut pre = vec![0u8];
        pre.extend_from_slice(&key(1));
        pre.extend_from_slice(&[8, 7, 6, 5, 4, 3, 2, 1]);
        assert_eq!(leaf, crate::sha256_soft::hashv(&[&pre]));
        let mut node = [0u8; 32];
        node_hash(&[1; 32], &[2; 32], &mut node);
        let mut pre = vec![1u8];
        pre.extend_from_slice(&[1; 32]);
        pre.extend_from_slice(&[2; 32]);
        assert_eq!(node, crate::sha256_soft::hashv(&[&pre]));
    }

    #[test]
    fn every_leaf_of_trees_up_to_40_leaves_verifies() {
        for n in 1..=40u32 {
            let ls = leaves(n);
            let levels = build_levels(&ls);
            let root = root_of(&levels);
            for i in 0..n as usize {
                let proof = proof_for(&levels, i);
                assert_eq!(proof.len() / 32, proof_len(i as u64, n as u64));
                assert_eq!(verify(ls[i], i as u64, n as u64, &proof, &root), Ok(()), "n={} i={}", n, i);
            }
        }
    }

    #[test]
    fn single_leaf_tree_root_is_the_leaf() {
        let ls = leaves(1);
        assert_eq!(verify(ls[0], 0, 1, &[], &ls[0]), Ok(()));
    }

    #[test]
    fn rejects_wrong_amount_index_count_and_tampered_proofs() {
        let n = 13u32;
        let ls = leaves(n);
        let levels = build_levels(&ls);
        let root = root_of(&levels);
        let proof = proof_for(&levels, 5);
        // Another amount for the same hotspot.
        let mut forged = [0u8; 32];
        leaf_hash(&key(5), 1006, &mut forged);
        assert_eq!(verify(forged, 5, 13, &proof, &root), Err(Error::InvalidProof));
        // Right leaf, wrong position.
        assert_eq!(verify(ls[5], 4, 13, &proof, &root), Err(Error::InvalidProof));
        // The last leaf of 13 is promoted at level 0; claiming a 14-leaf tree expects a sibling
        // there, so the same proof no longer fits.
        let last = proof_for(&levels, 12);
        assert_eq!(verify(ls[12], 12, 13, &last, &root), Ok(()));
        assert_eq!(verify(ls[12], 12, 14, &last, &root), Err(Error::InvalidProof));
        // Every flipped bit of the proof.
        for byte in 0..proof.len() {
            let mut p = proof.clone();
            p[byte] ^= 0x80;
            assert_eq!(verify(ls[5], 5, 13, &p, &root), Err(Error::InvalidProof));
        }
        // Too short and too long.
        assert_eq!(verify(ls[5], 5, 13, &proof[..proof.len() - 32], &root), Err(Error::InvalidProof));
        let mut long = proof.clone();
        long.extend_from_slice(&[0; 32]);
        assert_eq!(verify(ls[5], 5, 13, &long, &root), Err(Error::InvalidProof));
        // Index past the end.
        assert_eq!(verify(ls[5], 13, 13, &proof, &root), Err(Error::LeafIndexOutOfRange));
        // The empty tree has no leaves to prove.
        assert_eq!(verify(ls[0], 0, 0, &[], &[0; 32]), Err(Error::LeafIndexOutOfRange));
    }

    #[test]
    fn leaf_and_node_domains_differ_for_the_same_bytes() {
        // A 64-byte (key ‖ amount-ish) preimage hashed as a leaf and as a node must differ, so
        // an interior node can never be presented as a leaf (claims always hash the leaf).
        let mut as_leaf = [0u8; 32];
        leaf_hash(&[1; 32], 0x0101010101010101, &mut as_leaf);
        let mut as_node = [0u8; 32];
        let mut right = [0u8; 32];
        right[..8].copy_from_slice(&[1; 8]);
        node_hash(&[1; 32], &right, &mut as_node);
        assert_ne!(as_leaf, as_node);
    }

    #[test]
    fn proof_len_is_at_most_64_even_for_u64_max_leaves() {
        assert!(proof_len(u64::MAX - 1, u64::MAX) <= MAX_PROOF_NODES);
        assert_eq!(proof_len(0, 500_000), 19);
    }
}
