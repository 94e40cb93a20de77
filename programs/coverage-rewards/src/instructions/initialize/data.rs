use crate::error::{Error, ProgramResult};
use crate::instructions::Reader;

/// Arguments of `initialize` (Borsh: u64, i64, u64 = 24 bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InitializeArgs {
    /// Length of a reward epoch in seconds (≥ 1).
    pub epoch_length_seconds: u64,
    /// Unix time at which epoch 0 starts.
    pub genesis_unix_time: i64,
    /// Tokens (base units) that may be emitted per epoch (≥ 1).
    pub emission_per_epoch: u64,
}

impl InitializeArgs {
    pub fn parse(data: &[u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let a = InitializeArgs { epoch_length_seconds: r.u64()?, genesis_unix_time: r.i64()?, emission_per_epoch: r.u64()? };
        r.finish()?;
        Ok(a)
    }

    pub fn validate(&self) -> ProgramResult {
        if self.epoch_length_seconds == 0 || self.epoch_length_seconds > i64::MAX as u64 {
            return Err(Error::InvalidEpochLength);
        }
        if self.emission_per_epoch == 0 {
            return Err(Error::InvalidEmission);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(len: u64, genesis: i64, emission: u64) -> Vec<u8> {
        let mut v = len.to_le_bytes().to_vec();
        v.extend_from_slice(&genesis.to_le_bytes());
        v.extend_from_slice(&emission.to_le_bytes());
        v
    }

    #[test]
    fn parses_exactly_24_bytes() {
        let b = bytes(3600, -1, 5);
        assert_eq!(
            InitializeArgs::parse(&b),
            Ok(InitializeArgs { epoch_length_seconds: 3600, genesis_unix_time: -1, emission_per_epoch: 5 })
        );
        assert_eq!(InitializeArgs::parse(&b[..23]), Err(Error::InvalidInstructionData));
        assert_eq!(InitializeArgs::parse(&[b.clone(), vec![0]].concat()), Err(Error::InvalidInstructionData));
    }

    #[test]
    fn rejects_zero_epoch_length_and_zero_emission() {
        let ok = InitializeArgs { epoch_length_seconds: 60, genesis_unix_time: 0, emission_per_epoch: 1 };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(InitializeArgs { epoch_length_seconds: 0, ..ok }.validate(), Err(Error::InvalidEpochLength));
        assert_eq!(InitializeArgs { epoch_length_seconds: u64::MAX, ..ok }.validate(), Err(Error::InvalidEpochLength));
        assert_eq!(InitializeArgs { emission_per_epoch: 0, ..ok }.validate(), Err(Error::InvalidEmission));
    }
}
