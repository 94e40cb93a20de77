import type { Provider } from "@coral-xyz/anchor";
import {
  createAssociatedTokenAccountIdempotentInstruction,
  createInitializeMint2Instruction,
  getAssociatedTokenAddressSync,
  MINT_SIZE,
  TOKEN_PROGRAM_ID,
} from "@solana/spl-token";
import { Keypair, type PublicKey, SystemProgram, Transaction } from "@solana/web3.js";

/** Reward tokens have 6 decimals, like Helium's IOT token. */
export const REWARD_MINT_DECIMALS = 6;

function payerOf(provider: Provider): PublicKey {
  if (provider.publicKey === undefined) throw new Error("the provider has no wallet to pay with");
  return provider.publicKey;
}

async function send(provider: Provider, tx: Transaction, signers: Keypair[] = []): Promise<string> {
  if (provider.sendAndConfirm === undefined) throw new Error("the provider cannot send transactions");
  return provider.sendAndConfirm(tx, signers);
}

/**
 * Creates the reward mint with `authority` (the program's mint-authority PDA) as its only mint
 * authority and no freeze authority: after this, only the program can mint.
 */
export async function createRewardMint(provider: Provider, authority: PublicKey, decimals = REWARD_MINT_DECIMALS): Promise<PublicKey> {
  const mint = Keypair.generate();
  const rent = await provider.connection.getMinimumBalanceForRentExemption(MINT_SIZE);
  const tx = new Transaction().add(
    SystemProgram.createAccount({ fromPubkey: payerOf(provider), newAccountPubkey: mint.publicKey, lamports: rent, space: MINT_SIZE, programId: TOKEN_PROGRAM_ID }),
    createInitializeMint2Instruction(mint.publicKey, decimals, authority, null),
  );
  await send(provider, tx, [mint]);
  return mint.publicKey;
}

/** Creates the owner's associated token account for the mint if it does not exist (claims pay into it). */
export async function ensureRewardAccount(provider: Provider, owner: PublicKey, mint: PublicKey): Promise<PublicKey> {
  const ata = getAssociatedTokenAddressSync(mint, owner, true);
  await send(provider, new Transaction().add(createAssociatedTokenAccountIdempotentInstruction(payerOf(provider), ata, owner, mint)));
  return ata;
}
