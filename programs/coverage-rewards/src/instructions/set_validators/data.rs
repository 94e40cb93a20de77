use crate::error::{Error, ProgramResult};
use crate::instructions::Reader;
use crate::keys::key_eq;
use crate::state::config::{default_quorum, MAX_VALIDATORS};
use crate::Pubkey;

/// Arguments of `set_validators` (Borsh: Vec<Pubkey> = u32 n ‖ n × 32, then quorum u8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetValidatorsArgs<'a> {
    /// The keys, concatenated (n × 32 bytes, straight from the instruction data).
    pub validators: &'a [u8],
    /// Requested quorum; 0 = default.
    pub quorum: u8,
}

impl<'a> SetValidatorsArgs<'a> {
    pub fn parse(data: &'a [u8]) -> Result<Self, Error> {
        let mut r = Reader::new(data);
        let validators = r.vec32(MAX_VALIDATORS, Error::InvalidValidatorCount)?;
        let quorum = r.u8()?;
        r.finish()?;
        Ok(SetValidatorsArgs { validators, quorum })
    }

    pub fn count(&self) -> usize {
        self.validators.len() / 32
    }

    /// Copies validator `i` into `out`.
    pub fn validator(&self, i: usize, out: &mut Pubkey) {
        out.copy_from_slice(&self.validators[i * 32..i * 32 + 32]);
    }

    /// 1..=16 distinct keys; quorum 0 (default) or 1..=n. Writes the effective quorum.
    pub fn validate(&self, quorum: &mut u8) -> ProgramResult {
        let n = self.count();
        if n == 0 || n > MAX_VALIDATORS {
            return Err(Error::InvalidValidatorCount);
        }
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        for i in 0..n {
            self.validator(i, &mut a);
            for j in 0..i {
                self.validator(j, &mut b);
                if key_eq(&a, &b) {
                    return Err(Error::DuplicateValidator);
                }
            }
        }
        *quorum = if self.quorum == 0 { default_quorum(n as u8) } else { self.quorum };
        if *quorum == 0 || *quorum as usize > n {
            return Err(Error::InvalidQuorum);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(keys: &[[u8; 32]], quorum: u8) -> Vec<u8> {
        let mut v = (keys.len() as u32).to_le_bytes().to_vec();
        for k in keys {
            v.extend_from_slice(k);
        }
        v.push(quorum);
        v
    }

    #[test]
    fn parses_keys_and_quorum_with_exact_length() {
        let b = bytes(&[[1; 32], [2; 32]], 2);
        let a = SetValidatorsArgs::parse(&b).unwrap();
        assert_eq!(a.count(), 2);
        assert_eq!(a.quorum, 2);
        assert_eq!(SetValidatorsArgs::parse(&b[..b.len() - 1]).err(), Some(Error::InvalidInstructionData));
        assert_eq!(SetValidatorsArgs::parse(&[b.clone(), vec![0]].concat()).err(), Some(Error::InvalidInstructionData));
    }

    #[test]
    fn rejects_more_than_16_validators_while_parsing() {
        let keys: Vec<[u8; 32]> = (0..17u8).map(|i| [i; 32]).collect();
        assert_eq!(SetValidatorsArgs::parse(&bytes(&keys, 0)).err(), Some(Error::InvalidValidatorCount));
    }

    #[test]
    fn default_quorum_and_bounds() {
        let keys: Vec<[u8; 32]> = (1..=4u8).map(|i| [i; 32]).collect();
        let mut q = 0;
        let b = bytes(&keys, 0);
        SetValidatorsArgs::parse(&b).unwrap().validate(&mut q).unwrap();
        assert_eq!(q, 3, "ceil(2*4/3)");
        let b = bytes(&keys, 4);
        SetValidatorsArgs::parse(&b).unwrap().validate(&mut q).unwrap();
        assert_eq!(q, 4);
        let b = bytes(&keys, 5);
        assert_eq!(SetValidatorsArgs::parse(&b).unwrap().validate(&mut q), Err(Error::InvalidQuorum));
        let b = bytes(&[], 0);
        assert_eq!(SetValidatorsArgs::parse(&b).unwrap().validate(&mut q), Err(Error::InvalidValidatorCount));
    }

    #[test]
    fn rejects_duplicate_keys() {
        let b = bytes(&[[1; 32], [2; 32], [1; 32]], 0);
        let mut q = 0;
        assert_eq!(SetValidatorsArgs::parse(&b).unwrap().validate(&mut q), Err(Error::DuplicateValidator));
    }
}
