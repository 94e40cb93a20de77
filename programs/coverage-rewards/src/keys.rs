//! Well-known addresses and PDA seeds. The seeds are mirrored byte for byte by the TypeScript
//! client (chain/) and by the IDL's `pda.seeds`.

use crate::Pubkey;

/// This program's id: the public key of `programs/coverage-rewards/program-keypair.json`,
/// HPbnip2Vy7NGH73cHkrbwwABAW72h7cWxvZsPLXZaH5n. The program never relies on it (the runtime
/// passes the id in the input), it is here for documentation and tests.
pub const PROGRAM_ID: Pubkey = [
    243, 133, 26, 151, 11, 205, 55, 211, 241, 77, 114, 137, 78, 208, 92, 150, 151, 86, 118, 226, 70, 209, 227, 238,
    127, 116, 65, 233, 233, 177, 232, 253,
];

/// The System program, 11111111111111111111111111111111.
pub const SYSTEM_PROGRAM_ID: Pubkey = [0; 32];

/// SPL Token, TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA.
pub const TOKEN_PROGRAM_ID: Pubkey = [
    6, 221, 246, 225, 215, 101, 161, 147, 217, 203, 225, 70, 206, 235, 121, 172, 28, 180, 133, 237, 95, 91, 55, 145, 58,
    140, 245, 133, 126, 255, 0, 169,
];

/// SPL Associated Token Account program, ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL.
pub const ASSOCIATED_TOKEN_PROGRAM_ID: Pubkey = [
    140, 151, 37, 143, 78, 36, 137, 241, 187, 61, 16, 41, 20, 142, 13, 131, 11, 90, 19, 153, 218, 255, 16, 132, 4, 142,
    123, 216, 219, 233, 248, 89,
];

/// PDA seed of the single Config account: `["config"]`.
pub const CONFIG_SEED: &[u8] = b"config";
/// PDA seed prefix of Hotspot accounts: `["hotspot", device key]`.
pub const HOTSPOT_SEED: &[u8] = b"hotspot";
/// PDA seed prefix of Epoch accounts: `["epoch", epoch as u64 LE]`.
pub const EPOCH_SEED: &[u8] = b"epoch";
/// PDA seed of the mint authority: `["mint_authority"]`. It owns no data; it only signs MintTo.
pub const MINT_AUTHORITY_SEED: &[u8] = b"mint_authority";

/// Compares two keys as four u64 words: `[u8; 32] == [u8; 32]` would call `memcmp`, which the
/// BPF backend can only reach as a syscall; four loads and compares are cheaper anyway.
#[inline(always)]
pub fn key_eq(a: &Pubkey, b: &Pubkey) -> bool {
    let w = |k: &Pubkey, i: usize| {
        u64::from_le_bytes([k[i], k[i + 1], k[i + 2], k[i + 3], k[i + 4], k[i + 5], k[i + 6], k[i + 7]])
    };
    w(a, 0) == w(b, 0) && w(a, 8) == w(b, 8) && w(a, 16) == w(b, 16) && w(a, 24) == w(b, 24)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_eq_compares_every_byte() {
        let a = [7u8; 32];
        assert!(key_eq(&a, &a));
        for i in 0..32 {
            let mut b = a;
            b[i] ^= 1;
            assert!(!key_eq(&a, &b), "byte {} ignored", i);
        }
    }
}
