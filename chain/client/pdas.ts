import { PublicKey } from "@solana/web3.js";
import { COVERAGE_REWARDS_PROGRAM_ID, CONFIG_SEED, EPOCH_SEED, HOTSPOT_SEED, MINT_AUTHORITY_SEED } from "./constants.js";

export function u64Le(value: bigint | number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(value));
  return out;
}

export function configPda(programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([CONFIG_SEED], programId);
}

export function mintAuthorityPda(programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([MINT_AUTHORITY_SEED], programId);
}

export function hotspotPda(deviceKey: PublicKey, programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([HOTSPOT_SEED, deviceKey.toBuffer()], programId);
}

export function epochPda(epoch: bigint | number, programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID): [PublicKey, number] {
  return PublicKey.findProgramAddressSync([EPOCH_SEED, u64Le(epoch)], programId);
}
