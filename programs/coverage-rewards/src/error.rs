//! Program errors. The numbers are ABI: clients (and the IDL's `errors`) match on them, so a
//! variant is never renumbered or reused; new errors are appended.
//!
//! Anchor reserves codes below 6000 for its own framework errors and starts user errors at 6000;
//! we follow that so `@coral-xyz/anchor` maps `custom program error: 0x1770` to a named error.

/// First custom error code, Anchor's `ERROR_CODE_OFFSET`.
pub const ERROR_CODE_OFFSET: u32 = 6000;

macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $name:ident = $code:literal, $msg:literal; )*) => {
        /// Every failure of the program. `#[repr(u32)]` with explicit discriminants: the number
        /// returned to the runtime is `ERROR_CODE_OFFSET + discriminant`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[repr(u32)]
        pub enum Error {
            $( $(#[doc = $doc])* $name = $code, )*
        }

        impl Error {
            /// Every variant, in code order (used by tests and to check the IDL).
            pub const ALL: &'static [Error] = &[$(Error::$name,)*];

            /// Human readable message (the IDL's `msg`).
            pub fn message(self) -> &'static str {
                match self { $( Error::$name => $msg, )* }
            }

            /// Variant name as it appears in the IDL (`errors[].name`).
            pub fn name(self) -> &'static str {
                match self { $( Error::$name => stringify!($name), )* }
            }
        }
    };
}

error_codes! {
    /// Instruction data has the wrong length or an unknown discriminator.
    InvalidInstructionData = 0, "Instruction data is malformed";
    /// Fewer accounts than the instruction needs.
    NotEnoughAccounts = 1, "Not enough accounts";
    /// A required signature is missing.
    MissingSigner = 2, "A required signer did not sign";
    /// An account that is written to was passed read-only.
    AccountNotWritable = 3, "An account that must be writable is read-only";
    /// An account is not owned by the expected program.
    InvalidAccountOwner = 4, "Account owner is not the expected program";
    /// An account address is not the PDA derived from the expected seeds.
    InvalidPda = 5, "Account address does not match its PDA seeds";
    /// Account data has a wrong size, discriminator or version.
    InvalidAccountData = 6, "Account data has the wrong size, discriminator or version";
    /// The account to create already holds data or belongs to a program.
    AccountAlreadyInitialized = 7, "Account is already initialized";
    /// The System / SPL Token program account is not the real one.
    InvalidProgramAccount = 8, "Wrong program account";
    /// Signer is not the configured admin.
    Unauthorized = 9, "Signer is not the admin";
    /// The mint is not an initialized SPL Token mint, or not the configured mint.
    InvalidMint = 10, "Invalid reward mint";
    /// The mint's mint authority is not the program's mint-authority PDA.
    InvalidMintAuthority = 11, "Mint authority is not the program's PDA";
    /// Epoch length must be at least one second.
    InvalidEpochLength = 12, "Epoch length must be positive";
    /// Emission per epoch must be positive.
    InvalidEmission = 13, "Emission per epoch must be positive";
    /// The validator set is empty or larger than 16.
    InvalidValidatorCount = 14, "Validator set must hold 1 to 16 keys";
    /// The same validator key appears twice.
    DuplicateValidator = 15, "Duplicate validator key";
    /// Quorum outside 1..=n.
    InvalidQuorum = 16, "Quorum must be between 1 and the number of validators";
    /// The location is not a valid H3 cell at resolution 12.
    InvalidLocation = 17, "Location is not a valid resolution-12 H3 cell";
    /// Antenna gain outside the accepted range.
    InvalidGain = 18, "Antenna gain out of range";
    /// Elevation outside the accepted range.
    InvalidElevation = 19, "Elevation out of range";
    /// Signer is not the hotspot's owner.
    NotHotspotOwner = 20, "Signer is not the hotspot owner";
    /// Signer is not in the validator set.
    NotAValidator = 21, "Signer is not a validator";
    /// The epoch has not ended yet by the Clock sysvar.
    EpochNotEnded = 22, "Epoch has not ended yet";
    /// Only the epoch after the last finalized one accepts votes.
    EpochOutOfOrder = 23, "Epochs finalize in order; this epoch is not next";
    /// The epoch is already finalized.
    EpochAlreadyFinalized = 24, "Epoch is already finalized";
    /// This validator already voted for this epoch.
    DoubleVote = 25, "Validator already voted for this epoch";
    /// The cumulative total grows by more than the emission per epoch.
    EmissionExceeded = 26, "Cumulative total exceeds previous total plus emission";
    /// The cumulative total is below the last finalized total.
    CumulativeTotalDecreased = 27, "Cumulative total is below the finalized total";
    /// An empty tree must have a zero root and a zero total.
    InvalidEpochSummary = 28, "Empty leaf set needs zero root and zero total";
    /// Claim against an epoch that is not finalized.
    EpochNotFinalized = 29, "Epoch is not finalized";
    /// The Merkle proof does not lead to the epoch's root.
    InvalidProof = 30, "Merkle proof does not match the epoch root";
    /// Leaf index is not below the epoch's leaf count.
    LeafIndexOutOfRange = 31, "Leaf index out of range";
    /// The proven cumulative amount is not above the amount already claimed.
    NothingToClaim = 32, "Nothing to claim";
    /// The token account is not an initialized SPL Token account.
    InvalidTokenAccount = 33, "Invalid token account";
    /// The token account belongs to someone else than the hotspot owner.
    TokenAccountOwnerMismatch = 34, "Token account is not owned by the hotspot owner";
    /// The token account holds another mint.
    TokenAccountMintMismatch = 35, "Token account holds a different mint";
    /// The token account is not the owner's associated token account.
    NotAssociatedTokenAccount = 36, "Token account is not the owner's associated token account";
    /// A checked arithmetic operation overflowed.
    ArithmeticOverflow = 37, "Arithmetic overflow";
    /// Minting would exceed the finalized cumulative total.
    MintCapExceeded = 38, "Total minted would exceed the finalized cumulative total";
    /// The epoch account does not hold the requested epoch number.
    EpochMismatch = 39, "Epoch account does not match the epoch argument";
    /// A syscall (sysvar read, PDA derivation, CPI) reported failure.
    SyscallFailed = 40, "A runtime syscall failed";
    /// The Rent sysvar's exemption threshold cannot be applied with integer math.
    UnsupportedRent = 41, "Unsupported rent parameters";
    /// The proof has more nodes than a u64-indexed tree can have levels.
    ProofTooLong = 42, "Merkle proof too long";
    /// update_location within two epochs of the previous update (or of the registration).
    LocationUpdateTooSoon = 43, "Location was updated less than two epochs ago";
}

impl Error {
    /// The custom error code seen by clients (`Custom(code)`).
    #[inline(always)]
    pub fn code(self) -> u32 {
        ERROR_CODE_OFFSET + self as u32
    }
}

/// Result type of every fallible function in the program. `Result<(), Error>` is 4 bytes, which
/// matters on BPF where functions may return at most 64 bits unless inlined.
pub type ProgramResult = Result<(), Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_start_at_6000_and_are_dense() {
        for (i, e) in Error::ALL.iter().enumerate() {
            assert_eq!(e.code(), 6000 + i as u32, "{} out of order", e.name());
        }
        assert_eq!(Error::InvalidInstructionData.code(), 6000);
    }

    #[test]
    fn abi_numbers_are_stable() {
        // Pinned: changing any of these breaks deployed clients.
        assert_eq!(Error::NotAValidator.code(), 6021);
        assert_eq!(Error::DoubleVote.code(), 6025);
        assert_eq!(Error::InvalidProof.code(), 6030);
        assert_eq!(Error::NothingToClaim.code(), 6032);
        assert_eq!(Error::ArithmeticOverflow.code(), 6037);
        assert_eq!(Error::ProofTooLong.code(), 6042);
        assert_eq!(Error::LocationUpdateTooSoon.code(), 6043);
    }

    #[test]
    fn result_fits_in_a_register() {
        assert!(core::mem::size_of::<ProgramResult>() <= 8);
    }
}
