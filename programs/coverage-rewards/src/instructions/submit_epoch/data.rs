use crate::error::{Error, ProgramResult};
use crate::instructions::Reader;
use crate::math::{add, mul};

/// Arguments of `submit_epoch` (Borsh: u64, [u8; 32], u64, u64 = 56 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubmitEpochArgs {
    pub epoch: u64,
    pub root: [u8; 32],
    pub cumulative_total: u64,
    pub leaf_count: u64,
}

impl SubmitEpochArgs {
    pub fn parse(data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let epoch = r.u64()?;
        let mut root = [0u8; 32];
        r.bytes32(&mut root)?;
        let a = SubmitEpochArgs { epoch, root, cumulative_total: r.u64()?, leaf_count: r.u64()? };
        r.finish()?;
        Ok(a)
    }

    /// Rule 5: an empty tree has the zero root and nothing to distribute.
    pub fn check_summary(&self) -> ProgramResult {
        if self.leaf_count == 0 && (self.cumulative_total != 0 || self.root.iter().any(|&b| b != 0)) {
            return Err(Error::InvalidEpochSummary);
        }
        Ok(())
    }
}

/// Rule 3: writes the unix time at which `epoch` ends, `genesis + (epoch + 1) × length`.
pub fn epoch_end(genesis: i64, epoch_length: u64, epoch: u64, out: &mut i64) -> ProgramResult {
    let offset = mul(add(epoch, 1)?, epoch_length)?;
    if offset > i64::MAX as u64 {
        return Err(Error::ArithmeticOverflow);
    }
    *out = genesis.checked_add(offset as i64).ok_or(Error::ArithmeticOverflow)?;
    Ok(())
}

/// Rule 4: `previous ≤ total ≤ previous + emission`.
pub fn check_growth(previous: u64, emission: u64, total: u64) -> ProgramResult {
    if total < previous {
        return Err(Error::CumulativeTotalDecreased);
    }
    if total > add(previous, emission)? {
        return Err(Error::EmissionExceeded);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(epoch: u64, root: [u8; 32], total: u64, leaves: u64) -> Vec<u8> {
        let mut v = epoch.to_le_bytes().to_vec();
        v.extend_from_slice(&root);
        v.extend_from_slice(&total.to_le_bytes());
        v.extend_from_slice(&leaves.to_le_bytes());
        v
    }

    #[test]
    fn parses_exactly_56_bytes() {
        let b = bytes(3, [7; 32], 100, 4);
        assert_eq!(b.len(), 56);
        assert_eq!(
            SubmitEpochArgs::parse(&b),
            Ok(SubmitEpochArgs { epoch: 3, root: [7; 32], cumulative_total: 100, leaf_count: 4 })
        );
        assert_eq!(SubmitEpochArgs::parse(&b[..55]), Err(Error::InvalidInstructionData));
        assert_eq!(SubmitEpochArgs::parse(&[b.clone(), vec![1]].concat()), Err(Error::InvalidInstructionData));
    }

    #[test]
    fn epoch_end_is_genesis_plus_epochs_times_length_and_overflow_is_an_error() {
        let mut end = 0;
        epoch_end(1_000, 60, 0, &mut end).unwrap();
        assert_eq!(end, 1_060);
        epoch_end(-100, 60, 9, &mut end).unwrap();
        assert_eq!(end, 500);
        assert_eq!(epoch_end(0, 2, u64::MAX, &mut end), Err(Error::ArithmeticOverflow));
        assert_eq!(epoch_end(0, u64::MAX / 2, 2, &mut end), Err(Error::ArithmeticOverflow));
        assert_eq!(epoch_end(i64::MAX, 1, 0, &mut end), Err(Error::ArithmeticOverflow));
        assert_eq!(epoch_end(0, 1, i64::MAX as u64, &mut end), Err(Error::ArithmeticOverflow));
    }

    #[test]
    fn cumulative_total_grows_by_at_most_the_emission() {
        assert_eq!(check_growth(100, 50, 150), Ok(()));
        assert_eq!(check_growth(100, 50, 100), Ok(()));
        assert_eq!(check_growth(100, 50, 151), Err(Error::EmissionExceeded));
        assert_eq!(check_growth(100, 50, 99), Err(Error::CumulativeTotalDecreased));
        assert_eq!(check_growth(u64::MAX - 1, 5, u64::MAX), Err(Error::ArithmeticOverflow));
    }

    #[test]
    fn empty_tree_must_be_all_zero() {
        let ok = SubmitEpochArgs { epoch: 0, root: [0; 32], cumulative_total: 0, leaf_count: 0 };
        assert_eq!(ok.check_summary(), Ok(()));
        assert_eq!(SubmitEpochArgs { root: [1; 32], ..ok }.check_summary(), Err(Error::InvalidEpochSummary));
        assert_eq!(SubmitEpochArgs { cumulative_total: 1, ..ok }.check_summary(), Err(Error::InvalidEpochSummary));
        assert_eq!(SubmitEpochArgs { root: [1; 32], leaf_count: 1, ..ok }.check_summary(), Ok(()));
    }
}
