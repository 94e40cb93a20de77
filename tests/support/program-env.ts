import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getAccount } from "@solana/spl-token";
import { Keypair, type PublicKey } from "@solana/web3.js";
import type { Address } from "@solana/kit";
import { LiteSVM } from "litesvm";
import {
  COVERAGE_REWARDS_PROGRAM_ID,
  CoverageRewardsClient,
  CoverageRewardsError,
  createRewardMint,
  ensureRewardAccount,
  LiteSvmProvider,
} from "../../chain/client/index.js";

export const PROGRAM_SO = fileURLToPath(new URL("../../target/deploy/coverage_rewards.so", import.meta.url));

/** A litesvm VM with the compiled coverage_rewards program and an Anchor client on it. */
export interface ProgramEnv {
  svm: LiteSVM;
  provider: LiteSvmProvider;
  client: CoverageRewardsClient;
  admin: Keypair;
  mint: PublicKey;
}

export async function loadProgramEnv(): Promise<ProgramEnv> {
  if (!existsSync(PROGRAM_SO)) {
    throw new Error(`${PROGRAM_SO} is missing: run "npm run build:program" (CI builds it and checks it matches the committed bytes)`);
  }
  const svm = new LiteSVM();
  svm.addProgramFromFile(COVERAGE_REWARDS_PROGRAM_ID.toBase58() as Address, PROGRAM_SO);
  const provider = new LiteSvmProvider(svm);
  const client = new CoverageRewardsClient(provider);
  const admin = Keypair.generate();
  provider.airdrop(admin.publicKey, 10_000_000_000n);
  const mint = await createRewardMint(provider, client.mintAuthority);
  return { svm, provider, client, admin, mint };
}

/** An SPL mint whose mint authority is `authority`. */
export function createMint(provider: LiteSvmProvider, authority: PublicKey): Promise<PublicKey> {
  return createRewardMint(provider, authority);
}

/** Creates (idempotently) the owner's associated token account for the mint. */
export function ensureTokenAccount(provider: LiteSvmProvider, owner: PublicKey, mint: PublicKey): Promise<PublicKey> {
  return ensureRewardAccount(provider, owner, mint);
}

export async function tokenBalance(provider: LiteSvmProvider, account: PublicKey): Promise<bigint> {
  return (await getAccount(provider.connection, account)).amount;
}

/** Awaits a failing call and returns the program error's IDL name. */
export async function programErrorOf(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    if (err instanceof CoverageRewardsError) return err.errorName;
    throw err;
  }
  throw new Error("expected the transaction to fail, but it succeeded");
}
