use crate::error::Error;
use crate::instructions::Reader;
use crate::merkle::MAX_PROOF_NODES;

/// Arguments of `claim` (Borsh: u64, u64, u64, Vec<[u8; 32]>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClaimArgs<'a> {
    /// The finalized epoch whose root the proof is for.
    pub epoch: u64,
    /// The hotspot's cumulative reward through that epoch (the leaf's amount).
    pub cumulative_amount: u64,
    /// Position of the leaf in the tree (leaves sorted by device key).
    pub leaf_index: u64,
    /// Sibling hashes, leaf level first, concatenated (a multiple of 32 bytes, ≤ 64 nodes).
    pub proof: &'a [u8],
}

impl<'a> ClaimArgs<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let epoch = r.u64()?;
        let cumulative_amount = r.u64()?;
        let leaf_index = r.u64()?;
        let proof = r.vec32(MAX_PROOF_NODES, Error::ProofTooLong)?;
        r.finish()?;
        Ok(ClaimArgs { epoch, cumulative_amount, leaf_index, proof })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(nodes: u32, actual: usize) -> Vec<u8> {
        let mut v = 9u64.to_le_bytes().to_vec();
        v.extend_from_slice(&500u64.to_le_bytes());
        v.extend_from_slice(&3u64.to_le_bytes());
        v.extend_from_slice(&nodes.to_le_bytes());
        v.extend(core::iter::repeat(0xab).take(actual * 32));
        v
    }

    #[test]
    fn parses_fields_and_proof() {
        let b = bytes(2, 2);
        let a = ClaimArgs::parse(&b).unwrap();
        assert_eq!((a.epoch, a.cumulative_amount, a.leaf_index, a.proof.len()), (9, 500, 3, 64));
        assert_eq!(ClaimArgs::parse(&bytes(0, 0)).unwrap().proof.len(), 0);
    }

    #[test]
    fn rejects_declared_length_mismatch_and_long_proofs() {
        assert_eq!(ClaimArgs::parse(&bytes(3, 2)).err(), Some(Error::InvalidInstructionData));
        assert_eq!(ClaimArgs::parse(&bytes(1, 2)).err(), Some(Error::InvalidInstructionData));
        assert_eq!(ClaimArgs::parse(&bytes(65, 65)).err(), Some(Error::ProofTooLong));
        assert_eq!(ClaimArgs::parse(&bytes(64, 64)).map(|a| a.proof.len()), Ok(64 * 32));
        assert_eq!(ClaimArgs::parse(&bytes(0, 0)[..27]).err(), Some(Error::InvalidInstructionData));
    }
}
