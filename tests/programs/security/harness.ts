/**
 * Shared harness for the on-chain security tests: a litesvm VM running the compiled
 * coverage_rewards program (target/deploy/coverage_rewards.so) at its own id and, for
 * cross-deployment attacks, at other ids too; raw transaction sending with exact error
 * classification (program error by IDL name, runtime instruction error, transaction error);
 * and account snapshots to prove that a rejected transaction changed nothing.
 */
import { createHash, createPrivateKey, sign as ed25519Sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInitializeAccount3Instruction, getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { type Address, getTransactionDecoder, lamports as toLamports } from "@solana/kit";
import { Keypair, type PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import {
  COVERAGE_REWARDS_IDL,
  COVERAGE_REWARDS_PROGRAM_ID,
  CoverageRewardsClient,
  createRewardMint,
  ensureRewardAccount,
  LiteSvmProvider,
  RewardMerkleTree,
} from "../../../chain/index.js";
import { cellToU64, latLngToCell } from "../../../geo/index.js";
import { PROGRAM_SO } from "../../support/program-env.js";

/**
 * The program under test: the committed build, or HEXCOVER_SECURITY_PROGRAM_SO (a deliberately
 * weakened build, to check that these tests catch a missing check: mutation testing).
 */
const PROGRAM_UNDER_TEST = process.env.HEXCOVER_SECURITY_PROGRAM_SO || PROGRAM_SO;

/** Chain parameters of every test deployment (the same as tests/programs/coverage-rewards.test.ts). */
export const EPOCH_LENGTH = 60n;
export const GENESIS = 1_800_000_000n;
/** Largest growth of the cumulative total per epoch: 1 token at the mint's 6 decimals. */
export const EMISSION = 1_000_000n;
/** Lamports given to every test wallet: enough rent for any number of accounts it pays for. */
export const WALLET_LAMPORTS = 100_000_000_000n;

/** The program's errors from the IDL, by code. */
const IDL_ERRORS = new Map<number, string>((COVERAGE_REWARDS_IDL.errors as Array<{ code: number; name: string }>).map((e) => [e.code, e.name]));
export const IDL_ERROR_NAMES: ReadonlySet<string> = new Set(IDL_ERRORS.values());

/** A key derived from a label, so every run attacks the same addresses (reproducible output). */
export function fixedKeypair(label: string): Keypair {
  return Keypair.fromSeed(createHash("sha256").update(`hexcover-security:${label}`).digest());
}

/**
 * Names of litesvm's error enums. The napi binding exports them as `const enum`s, which exist
 * only in its type declarations, so they are read from there once.
 */
function litesvmEnum(name: string): Map<number, string> {
  const declarations = readFileSync(join(createRequire(import.meta.url).resolve("litesvm"), "..", "internal.d.ts"), "utf8");
  const body = new RegExp(`enum ${name} \\{([^}]*)\\}`).exec(declarations)?.[1] ?? "";
  return new Map([...body.matchAll(/(\w+) = (\d+)/g)].map((m) => [Number(m[2]), m[1]!]));
}
const INSTRUCTION_ERRORS = litesvmEnum("InstructionErrorFieldless");
const TRANSACTION_ERRORS = litesvmEnum("TransactionErrorFieldless");

/**
 * The outcome of a transaction as one stable string: "ok", a program error by its IDL name
 * (e.g. "NotAValidator"), "runtime:<InstructionError>" for an error the runtime raised while
 * executing an instruction, "tx:<TransactionError>" for a transaction refused before execution,
 * or "custom:<n>" for another program's custom error (e.g. inside a CPI).
 */
export type Outcome = string;

function classify(result: unknown): Outcome {
  if (!(result instanceof FailedTransactionMetadata)) return "ok";
  const err: unknown = result.err();
  if (typeof err === "number") return `tx:${TRANSACTION_ERRORS.get(err) ?? err}`;
  const instructionError = err as { index?: number; err?: () => unknown };
  if (typeof instructionError.err === "function" && typeof instructionError.index === "number") {
    const inner = instructionError.err();
    if (typeof inner === "number") return `runtime:${INSTRUCTION_ERRORS.get(inner) ?? inner}`;
    const code = (inner as { code?: unknown }).code;
    if (typeof code === "number") return IDL_ERRORS.get(code) ?? `custom:${code}`;
    return `runtime:${String(inner)}`;
  }
  return `tx:${String(err)}`;
}

/** A deployment of the program: its id, an Anchor client for it and its reward mint. */
export interface Deployment {
  readonly programId: PublicKey;
  readonly client: CoverageRewardsClient;
  readonly mint: PublicKey;
}

/** A litesvm VM with the compiled program and helpers to deploy, fund, send and snapshot. */
export class Chain {
  readonly svm: LiteSVM;
  readonly provider: LiteSvmProvider;
  readonly #decoder = getTransactionDecoder();

  constructor() {
    this.svm = new LiteSVM();
    this.provider = new LiteSvmProvider(this.svm);
    this.provider.setUnixTime(GENESIS);
  }

  /** The fee payer of every transaction sent through this chain (never part of a fixture). */
  get payer(): Keypair {
    return this.provider.payer;
  }

  /** Loads the program at `programId` and creates a reward mint minted by its PDA. */
  async deploy(programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID): Promise<Deployment> {
    this.svm.addProgramFromFile(programId.toBase58() as Address, PROGRAM_UNDER_TEST);
    const client = new CoverageRewardsClient(this.provider, programId);
    const mint = await createRewardMint(this.provider, client.mintAuthority);
    return { programId, client, mint };
  }

  wallet(): Keypair {
    const k = Keypair.generate();
    this.provider.airdrop(k.publicKey, WALLET_LAMPORTS);
    return k;
  }

  async ata(owner: PublicKey, mint: PublicKey): Promise<PublicKey> {
    return ensureRewardAccount(this.provider, owner, mint);
  }

  /** A second token account of `owner` for `mint` at a random address (not the ATA). */
  async plainTokenAccount(owner: PublicKey, mint: PublicKey): Promise<PublicKey> {
    const account = Keypair.generate();
    const space = 165;
    const lamports = Number(this.svm.minimumBalanceForRentExemption(BigInt(space)));
    const tx = new Transaction().add(
      SystemProgram.createAccount({ fromPubkey: this.payer.publicKey, newAccountPubkey: account.publicKey, lamports, space, programId: TOKEN_PROGRAM_ID }),
      createInitializeAccount3Instruction(account.publicKey, mint, owner),
    );
    this.provider.execute(tx, [account]);
    return account.publicKey;
  }

  /**
   * Sends one instruction, paid by the chain's payer, signed by `signers` where the message
   * requires them. `forge` replaces the signature of `forge.key` with one made by another key
   * over the same message (the runtime must refuse it). Never throws for a failed transaction.
   */
  send(ix: TransactionInstruction, signers: readonly Keypair[], forge?: { key: PublicKey; by: Keypair }): Outcome {
    // A fresh blockhash per transaction: a retried identical transaction must not be a duplicate.
    this.svm.expireBlockhash();
    const tx = new Transaction().add(ix);
    tx.feePayer = this.payer.publicKey;
    tx.recentBlockhash = this.svm.latestBlockhash();
    const message = tx.compileMessage();
    const required = message.accountKeys.slice(0, message.header.numRequiredSignatures);
    const keys = [this.payer, ...signers].filter(
      (s, i, all) => all.findIndex((o) => o.publicKey.equals(s.publicKey)) === i && required.some((r) => r.equals(s.publicKey)) && !(forge?.key.equals(s.publicKey) ?? false),
    );
    tx.partialSign(...keys);
    if (forge !== undefined) tx.addSignature(forge.key, signWith(forge.by, tx.serializeMessage()));
    const bytes = tx.serialize({ requireAllSignatures: true, verifySignatures: false });
    return classify(this.svm.sendTransaction(this.#decoder.decode(bytes)));
  }

  /** A copy of the account at `address` (its data and lamports) at a new address, owned by `owner`. */
  lookAlike(address: PublicKey, owner: PublicKey): PublicKey {
    const fake = Keypair.generate().publicKey;
    const account = this.svm.getAccount(address.toBase58() as Address);
    const lamports = account.exists ? account.lamports : toLamports(this.svm.minimumBalanceForRentExemption(0n));
    const data = account.exists ? account.data : new Uint8Array(0);
    this.svm.setAccount({
      address: fake.toBase58() as Address,
      lamports,
      data,
      programAddress: owner.toBase58() as Address,
      // Not executable: litesvm (like the runtime) refuses an executable account whose owner is
      // not a loader, so a copied program account becomes plain data at another address.
      executable: false,
      space: BigInt(data.length),
    });
    return fake;
  }

  /** Every account of the given owners plus `extra`, as comparable strings (the payer excluded). */
  snapshot(owners: readonly PublicKey[], extra: readonly PublicKey[]): Map<string, string> {
    const out = new Map<string, string>();
    const put = (address: string, a: { lamports: bigint; programAddress: string; executable: boolean; data: ArrayLike<number> }) =>
      out.set(address, `${a.lamports}|${a.programAddress}|${a.executable}|${Buffer.from(Uint8Array.from(a.data)).toString("hex")}`);
    for (const owner of owners) for (const a of this.svm.getProgramAccounts(owner.toBase58() as Address)) put(a.address, a);
    for (const key of extra) {
      const a = this.svm.getAccount(key.toBase58() as Address);
      put(key.toBase58(), a.exists ? a : { lamports: 0n, programAddress: "-", executable: false, data: new Uint8Array(0) });
    }
    out.delete(this.payer.publicKey.toBase58());
    return out;
  }

  /** SPL mint supply (u64 at offset 36 of the 82-byte mint). */
  mintSupply(mint: PublicKey): bigint {
    const a = this.svm.getAccount(mint.toBase58() as Address);
    if (!a.exists) throw new Error(`mint ${mint.toBase58()} does not exist`);
    return Buffer.from(a.data).readBigUInt64LE(36);
  }

  /** SPL token account balance (u64 at offset 64), 0 for a missing account. */
  tokenBalance(account: PublicKey): bigint {
    const a = this.svm.getAccount(account.toBase58() as Address);
    return a.exists ? Buffer.from(a.data).readBigUInt64LE(64) : 0n;
  }
}

/** Differences between two snapshots, for assertion messages. */
export function snapshotDiff(before: Map<string, string>, after: Map<string, string>): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys].filter((k) => before.get(k) !== after.get(k)).map((k) => `${k}: ${summary(before.get(k))} -> ${summary(after.get(k))}`);
}

function summary(value: string | undefined): string {
  if (value === undefined) return "absent";
  const [lamports, owner, , data] = value.split("|");
  return `${lamports} lamports, owner ${owner}, ${(data ?? "").length / 2} bytes`;
}

/** PKCS#8 DER header of an Ed25519 private key (RFC 8410), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

function signWith(key: Keypair, message: Uint8Array): Buffer {
  const privateKey = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, key.secretKey.subarray(0, 32)]), format: "der", type: "pkcs8" });
  return ed25519Sign(null, message, privateKey);
}

export interface HotspotFixture {
  readonly owner: Keypair;
  readonly device: Keypair;
  readonly location: bigint;
}

/** A resolution-12 cell near San Francisco, a different one per index. */
export function testLocation(i: number): bigint {
  return cellToU64(latLngToCell(37.7 + i * 0.01, -122.42 + (i % 7) * 0.01, 12));
}

/** Initializes a deployment with `admin` and the chain's parameters. */
export async function initialize(d: Deployment, admin: Keypair): Promise<void> {
  await d.client.initialize(admin, d.mint, { epochLengthSeconds: EPOCH_LENGTH, genesisUnixTime: GENESIS, emissionPerEpoch: EMISSION });
}

/** A reward tree over the hotspots' device keys. */
export function rewardTree(hotspots: readonly HotspotFixture[], amounts: readonly bigint[]): RewardMerkleTree {
  return new RewardMerkleTree(hotspots.map((h, i) => ({ hotspot: h.device.publicKey.toBytes(), cumulativeAmount: amounts[i] ?? 0n })));
}

export function treeTotal(tree: RewardMerkleTree): bigint {
  return tree.leaves.reduce((sum, leaf) => sum + leaf.cumulativeAmount, 0n);
}

/** Sets the Clock to the end of `epoch`, when votes for it are accepted. */
export function clockAtEndOf(chain: Chain, epoch: bigint): void {
  chain.provider.setUnixTime(GENESIS + (epoch + 1n) * EPOCH_LENGTH);
}

/** The owner's associated token account for `mint` (where claims pay out). */
export function ataOf(owner: PublicKey, mint: PublicKey): PublicKey {
  return getAssociatedTokenAddressSync(mint, owner, true);
}

/** Builds an instruction through Anchor's Program from the IDL, accounts by their IDL (snake_case) names. */
export async function anchorIx(client: CoverageRewardsClient, name: string, args: unknown[], accounts: Record<string, PublicKey>): Promise<TransactionInstruction> {
  const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  type Builder = { accountsStrict(a: Record<string, PublicKey>): { instruction(): Promise<TransactionInstruction> } };
  const method = (client.program.methods as unknown as Record<string, ((...a: unknown[]) => Builder) | undefined>)[camel(name)];
  if (method === undefined) throw new Error(`the Anchor client has no method for ${name}`);
  return method(...args).accountsStrict(Object.fromEntries(Object.entries(accounts).map(([k, v]) => [camel(k), v]))).instruction();
}
