/**
 * Model-based test of the reward program: random interleavings of submit_epoch votes (honest,
 * conflicting, with a bad total, late, early, duplicate, from non-validators), claims (valid,
 * stale, forged, inflated, repeated, with another hotspot's leaf, against an unfinalized epoch),
 * update_location and set_validators, each one transaction against the real program in litesvm.
 *
 * A model predicts every transaction's exact outcome, and after EVERY transaction the chain must
 * satisfy:
 *   - mint supply == config.total_minted == Σ hotspot.claimed == Σ owners' token balances;
 *   - total minted ≤ config.finalized_cumulative_total == the latest finalized vote's total
 *     ≤ Σ leaves of that tree (equal when the quorum is honest; one sequence in three has a
 *     quorum whose trees commit more than they declare, so the mint cap is what stops claims);
 *   - every hotspot's claimed ≤ its cumulative amount in the latest finalized tree;
 *   - epochs 0..next_epoch-1, and only they, are finalized, each with the honest tree, and an
 *     epoch becomes finalized only by a validator's vote that brings ≥ quorum agreeing votes of
 *     distinct validators.
 *
 * Sequences: 100 of 30-45 transactions in CI; HEXCOVER_FUZZ_RUNS=<n> runs n/100 (one sequence
 * per 100 fuzz cases, as tests/fuzz counts them); HEXCOVER_FUZZ_SEED=<seed> replays a run.
 */
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { type Keypair, PublicKey, SystemProgram } from "@solana/web3.js";
import BN from "bn.js";
import { expect } from "chai";
import fc from "fast-check";
import type { RewardMerkleTree } from "../../../chain/index.js";
import {
  anchorIx,
  ataOf,
  Chain,
  type Deployment,
  EMISSION,
  EPOCH_LENGTH,
  GENESIS,
  type HotspotFixture,
  initialize,
  type Outcome,
  rewardTree,
  testLocation,
  treeTotal,
} from "./harness.js";

/** One sequence of ≥ 30 transactions per 100 fuzz cases (the unit of HEXCOVER_FUZZ_RUNS). */
const CASES_PER_SEQUENCE = 100;
const DEFAULT_SEQUENCES = 100;
const SEQUENCES = (() => {
  const text = process.env.HEXCOVER_FUZZ_RUNS;
  if (text === undefined || text === "") return DEFAULT_SEQUENCES;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`HEXCOVER_FUZZ_RUNS must be a positive integer, got ${JSON.stringify(text)}`);
  return Math.max(1, Math.floor(n / CASES_PER_SEQUENCE));
})();
const SEED = process.env.HEXCOVER_FUZZ_SEED === undefined ? undefined : Number(process.env.HEXCOVER_FUZZ_SEED);
const MIN_TRANSACTIONS = 30;
const MAX_TRANSACTIONS = 45;

/** Validator candidates (the set is any 2..6 of them) and hotspots (5, three owners). */
const POOL = 6;
const HOTSPOTS = 5;
const OWNER_OF = [0, 1, 2, 0, 1];
/** Initial set: the first 4 candidates, quorum 3. */
const INITIAL_VALIDATORS = 4;
const INITIAL_QUORUM = 3;
/** Honest growth per hotspot per epoch: at most EMISSION / HOTSPOTS, so an epoch never exceeds the emission. */
const MAX_INCREMENT = EMISSION / BigInt(HOTSPOTS);
/** update_location spacing (EPOCHS_BETWEEN_LOCATION_UPDATES × epoch length, docs/PROGRAM.md). */
const LOCATION_SPACING = 2n * EPOCH_LENGTH;

/** Layout offsets from docs/PROGRAM.md ("Accounts"). */
const CONFIG_SIZE = 673;
const HOTSPOT_SIZE = 158;
const EPOCH_SIZE = 864;
const CONFIG = { quorum: 131, validatorCount: 132, validators: 137, nextEpoch: 649, totalMinted: 657, finalizedTotal: 665 } as const;
const HOTSPOT = { deviceKey: 42, claimed: 88 } as const;
const EPOCH = { epoch: 10, status: 18, voteCount: 23, votes: 24, voteSize: 49, root: 808, total: 840, leafCount: 848 } as const;
const EPOCH_FINALIZED = 1;

type VoteVariant = "honest" | "conflicting" | "badTotal" | "late" | "early";
type ClaimVariant = "latest" | "stale" | "forged" | "inflated" | "repeat" | "otherHotspot" | "unfinalized";
type Command =
  | { kind: "vote"; dt: number; fromSet: boolean; pick: number; variant: VoteVariant }
  | { kind: "claim"; dt: number; hotspot: number; pick: number; variant: ClaimVariant }
  | { kind: "updateLocation"; dt: number; hotspot: number; byOwner: boolean }
  | { kind: "setValidators"; dt: number; mask: number; quorum: number; byAdmin: boolean };

const dtArb = fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 70 }) });
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 9,
    arbitrary: fc.record({
      kind: fc.constant("vote" as const),
      dt: dtArb,
      // Mostly a member of the current set; otherwise any candidate or an outsider.
      fromSet: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      pick: fc.nat(64),
      variant: fc.oneof(
        { weight: 6, arbitrary: fc.constant<VoteVariant>("honest") },
        { weight: 1, arbitrary: fc.constantFrom<VoteVariant>("conflicting", "badTotal", "late", "early") },
      ),
    }),
  },
  {
    weight: 7,
    arbitrary: fc.record({
      kind: fc.constant("claim" as const),
      dt: dtArb,
      hotspot: fc.nat(HOTSPOTS - 1),
      pick: fc.nat(64),
      variant: fc.oneof(
        { weight: 3, arbitrary: fc.constant<ClaimVariant>("latest") },
        { weight: 2, arbitrary: fc.constantFrom<ClaimVariant>("stale", "forged", "inflated", "repeat", "otherHotspot", "unfinalized") },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("updateLocation" as const), dt: dtArb, hotspot: fc.nat(HOTSPOTS - 1), byOwner: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("setValidators" as const), dt: dtArb, mask: fc.nat(63), quorum: fc.nat(6), byAdmin: fc.boolean() }),
  },
);

/** Deterministic increments per (epoch, hotspot) from the run's seed (xorshift32). */
function increments(seed: number, epoch: number): bigint[] {
  let x = (seed ^ Math.imul(epoch + 1, 0x9e3779b1)) >>> 0 || 1;
  return Array.from({ length: HOTSPOTS }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    // One hotspot in four earns nothing this epoch.
    return x % 4 === 0 ? 0n : BigInt(x) % (MAX_INCREMENT + 1n);
  });
}

interface Tuple {
  root: Uint8Array;
  total: bigint;
  leafCount: bigint;
}
const sameTuple = (a: Tuple, b: Tuple) => a.total === b.total && a.leafCount === b.leafCount && Buffer.from(a.root).equals(Buffer.from(b.root));

/** What the program should hold, and the honest reward trees. */
class Model {
  readonly trees: RewardMerkleTree[] = [];
  readonly earned: bigint[][] = [];
  readonly bonus: bigint[][] = [];
  /** One sequence in three: the quorum's trees commit more than their declared totals. */
  readonly overcommits: boolean;
  validators: number[] = Array.from({ length: INITIAL_VALIDATORS }, (_, i) => i);
  quorum = INITIAL_QUORUM;
  version = 1;
  next = 0;
  finalizedTotal = 0n;
  totalMinted = 0n;
  readonly claimed: bigint[] = Array(HOTSPOTS).fill(0n);
  readonly lastClaim: Array<{ epoch: number } | undefined> = Array(HOTSPOTS).fill(undefined);
  readonly locationUpdatedAt: bigint[] = Array(HOTSPOTS).fill(GENESIS);
  readonly epochs = new Map<number, { version: number; votes: Array<{ index: number; tuple: Tuple }>; finalized: boolean }>();
  forgeries = 0;

  constructor(
    readonly seed: number,
    readonly hotspots: readonly HotspotFixture[],
  ) {
    this.overcommits = seed % 3 === 0;
  }

  /**
   * The tree the validators agree on for `epoch`: what each hotspot earned, plus, in an
   * over-committing sequence, a bonus that the declared total leaves out (a scorer bug shared by
   * the whole quorum). Bonuses only grow, like the amounts, so leaves stay cumulative.
   */
  honest(epoch: number): RewardMerkleTree {
    for (let e = this.trees.length; e <= epoch; e++) {
      const inc = increments(this.seed, e);
      const earned = inc.map((x, i) => (this.earned[e - 1]?.[i] ?? 0n) + x);
      const bonus = earned.map((_, i) => (this.bonus[e - 1]?.[i] ?? 0n) + (this.overcommits && i === e % HOTSPOTS ? MAX_INCREMENT : 0n));
      this.earned.push(earned);
      this.bonus.push(bonus);
      this.trees.push(rewardTree(this.hotspots, earned.map((x, i) => x + bonus[i]!)));
    }
    return this.trees[epoch]!;
  }

  /** The cumulative total the votes for `epoch` declare: what was earned, without any bonus. */
  declared(epoch: number): bigint {
    this.honest(epoch);
    return this.earned[epoch]!.reduce((sum, x) => sum + x, 0n);
  }

  /** The tuple honest validators vote for `epoch`. */
  committed(epoch: number): Tuple {
    const tree = this.honest(epoch);
    return { root: tree.root, total: this.declared(epoch), leafCount: BigInt(tree.leafCount) };
  }

  amountIn(tree: RewardMerkleTree, h: HotspotFixture): bigint {
    const i = tree.indexOf(h.device.publicKey.toBytes());
    return i === undefined ? 0n : tree.leaves[i]!.cumulativeAmount;
  }

  /** A tree that disagrees with the honest one (one hotspot paid more), different on every call. */
  forged(epoch: number, hotspot: number): RewardMerkleTree {
    const honest = this.honest(epoch);
    this.forgeries += 1;
    return rewardTree(
      this.hotspots,
      this.hotspots.map((h, i) => this.amountIn(honest, h) + (i === hotspot ? BigInt(this.forgeries) : 0n)),
    );
  }

  /** submit_epoch, rule by rule in the program's order (docs/PROGRAM.md). */
  vote(candidate: number | undefined, epoch: number, tuple: Tuple, now: bigint): Outcome {
    const index = candidate === undefined ? -1 : this.validators.indexOf(candidate);
    if (index < 0) return "NotAValidator";
    if (epoch < this.next) return "EpochAlreadyFinalized";
    if (epoch > this.next) return "EpochOutOfOrder";
    if (now < GENESIS + BigInt(epoch + 1) * EPOCH_LENGTH) return "EpochNotEnded";
    if (tuple.total < this.finalizedTotal) return "CumulativeTotalDecreased";
    if (tuple.total > this.finalizedTotal + EMISSION) return "EmissionExceeded";
    let account = this.epochs.get(epoch);
    if (account === undefined) {
      account = { version: this.version, votes: [], finalized: false };
      this.epochs.set(epoch, account);
    }
    if (account.version !== this.version) {
      account.votes = [];
      account.version = this.version;
    }
    if (account.votes.some((v) => v.index === index)) return "DoubleVote";
    account.votes.push({ index, tuple });
    if (account.votes.filter((v) => sameTuple(v.tuple, tuple)).length >= this.quorum) {
      account.finalized = true;
      this.next = epoch + 1;
      this.finalizedTotal = tuple.total;
    }
    return "ok";
  }

  /** claim, rule by rule; `valid` says whether the proof leads to the epoch's finalized root. */
  claim(hotspot: number, epoch: number, amount: bigint, valid: boolean): Outcome {
    const account = this.epochs.get(epoch);
    if (account === undefined) return "InvalidAccountOwner"; // no Epoch account: owned by the System program
    if (!account.finalized) return "EpochNotFinalized";
    if (!valid) return "InvalidProof";
    if (amount <= this.claimed[hotspot]!) return "NothingToClaim";
    const total = this.totalMinted + amount - this.claimed[hotspot]!;
    if (total > this.finalizedTotal) return "MintCapExceeded";
    this.totalMinted = total;
    this.claimed[hotspot] = amount;
    this.lastClaim[hotspot] = { epoch };
    return "ok";
  }
}

interface Sequence {
  chain: Chain;
  d: Deployment;
  admin: Keypair;
  pool: Keypair[];
  outsider: Keypair;
  owners: Keypair[];
  hotspots: HotspotFixture[];
  model: Model;
  now: bigint;
}

async function startSequence(seed: number): Promise<Sequence> {
  const chain = new Chain();
  const d = await chain.deploy();
  const admin = chain.wallet();
  const pool = Array.from({ length: POOL }, () => chain.wallet());
  const outsider = chain.wallet();
  const owners = Array.from({ length: 3 }, () => chain.wallet());
  await initialize(d, admin);
  await d.client.setValidators(admin, pool.slice(0, INITIAL_VALIDATORS).map((v) => v.publicKey), INITIAL_QUORUM);
  const hotspots: HotspotFixture[] = OWNER_OF.map((o, i) => ({ owner: owners[o]!, device: chain.wallet(), location: testLocation(i) }));
  for (const h of hotspots) await d.client.registerHotspot(h.owner, h.device, { location: h.location, gainDeciDbi: 30, elevationM: 10 });
  for (const o of owners) await chain.ata(o.publicKey, d.mint);
  return { chain, d, admin, pool, outsider, owners, hotspots, model: new Model(seed, hotspots), now: GENESIS };
}

/** Counts over all sequences, so the suite proves it exercised every path (see the last test). */
const seen = new Map<string, number>();
const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);

async function execute(s: Sequence, c: Command): Promise<{ label: string; predicted: Outcome; actual: Outcome; signer?: PublicKey }> {
  const { chain, d, model } = s;
  if (c.dt > 0) {
    s.now += BigInt(c.dt);
    chain.provider.setUnixTime(s.now);
  }
  switch (c.kind) {
    case "vote": {
      const candidate = c.fromSet ? model.validators[c.pick % model.validators.length] : c.pick % (POOL + 1);
      const signer = candidate === undefined || candidate >= POOL ? s.outsider : s.pool[candidate]!;
      const epoch = c.variant === "late" ? Math.max(0, model.next - 1 - (c.pick % 2)) : c.variant === "early" ? model.next + 1 + (c.pick % 2) : model.next;
      let tuple = model.committed(epoch);
      if (c.variant === "conflicting") {
        const forged = model.forged(epoch, c.pick % HOTSPOTS);
        tuple = { root: forged.root, total: treeTotal(forged), leafCount: BigInt(forged.leafCount) };
      }
      if (c.variant === "badTotal") {
        const total = c.pick % 2 === 0 || model.finalizedTotal === 0n ? model.finalizedTotal + EMISSION + 1n : model.finalizedTotal - 1n;
        tuple = { ...tuple, total };
      }
      const ix = await anchorIx(d.client, "submit_epoch", [new BN(epoch), Array.from(tuple.root), new BN(tuple.total.toString()), new BN(tuple.leafCount.toString())], {
        validator: signer.publicKey,
        config: d.client.configAddress,
        epoch_account: d.client.epochAddress(BigInt(epoch)),
        system_program: SystemProgram.programId,
      });
      const predicted = model.vote(candidate !== undefined && candidate < POOL ? candidate : undefined, epoch, tuple, s.now);
      return { label: `vote ${c.variant} epoch ${epoch}`, predicted, actual: chain.send(ix, [signer]), signer: signer.publicKey };
    }
    case "claim": {
      const h = c.hotspot;
      const latest = model.next - 1;
      let epoch: number;
      if (c.variant === "unfinalized") epoch = model.next;
      else if (c.variant === "stale") epoch = latest <= 0 ? Math.max(latest, 0) : c.pick % latest;
      else if (c.variant === "repeat") epoch = model.lastClaim[h]?.epoch ?? Math.max(latest, 0);
      else epoch = Math.max(latest, 0);
      // The leaf and proof: this hotspot's honest one, or another hotspot's, or a forged tree's.
      const other = (h + 1 + (c.pick % (HOTSPOTS - 1))) % HOTSPOTS;
      const source = c.variant === "forged" ? model.forged(epoch, h) : model.honest(epoch);
      const leafOf = c.variant === "otherHotspot" ? s.hotspots[other]! : s.hotspots[h]!;
      const index = source.indexOf(leafOf.device.publicKey.toBytes())!;
      const amount = source.leaves[index]!.cumulativeAmount + (c.variant === "inflated" ? 1n : 0n);
      const valid = c.variant !== "forged" && c.variant !== "inflated" && c.variant !== "otherHotspot";
      const owner = s.hotspots[h]!.owner.publicKey;
      const ix = await anchorIx(d.client, "claim", [new BN(epoch), new BN(amount.toString()), new BN(index), source.proof(index).map((p) => Array.from(p))], {
        config: d.client.configAddress,
        hotspot: d.client.hotspotAddress(s.hotspots[h]!.device.publicKey),
        epoch_account: d.client.epochAddress(BigInt(epoch)),
        mint: d.mint,
        destination: ataOf(owner, d.mint),
        mint_authority: d.client.mintAuthority,
        token_program: TOKEN_PROGRAM_ID,
      });
      const predicted = model.claim(h, epoch, amount, valid);
      return { label: `claim ${c.variant} epoch ${epoch}`, predicted, actual: chain.send(ix, []) };
    }
    case "updateLocation": {
      const h = s.hotspots[c.hotspot]!;
      const signer = c.byOwner ? h.owner : s.outsider;
      const ix = await anchorIx(d.client, "update_location", [new BN(testLocation(10 + (Number(s.now) % 50)).toString()), 30, 10], {
        owner: signer.publicKey,
        hotspot: d.client.hotspotAddress(h.device.publicKey),
        config: d.client.configAddress,
      });
      let predicted: Outcome = "NotHotspotOwner";
      if (c.byOwner) {
        predicted = s.now - model.locationUpdatedAt[c.hotspot]! >= LOCATION_SPACING ? "ok" : "LocationUpdateTooSoon";
        if (predicted === "ok") model.locationUpdatedAt[c.hotspot] = s.now;
      }
      return { label: "update_location", predicted, actual: chain.send(ix, [signer]) };
    }
    case "setValidators": {
      // At least two validators, and a quorum of at least two, so that one dishonest validator
      // never finalizes alone (a forged root is then never the only one to reach quorum).
      let members = Array.from({ length: POOL }, (_, i) => i).filter((i) => (c.mask >> i) & 1);
      if (members.length < 2) members = [...new Set([...members, c.mask % POOL, (c.mask + 1) % POOL])];
      const n = members.length;
      const quorum = c.quorum < 2 || c.quorum > n ? 0 : c.quorum;
      const signer = c.byAdmin ? s.admin : s.outsider;
      const ix = await anchorIx(d.client, "set_validators", [members.map((m) => s.pool[m]!.publicKey), quorum], {
        admin: signer.publicKey,
        config: d.client.configAddress,
      });
      let predicted: Outcome = "Unauthorized";
      if (c.byAdmin) {
        predicted = "ok";
        model.validators = members;
        model.quorum = quorum === 0 ? Math.floor((2 * n + 2) / 3) : quorum;
        model.version += 1;
      }
      return { label: `set_validators n=${n}`, predicted, actual: chain.send(ix, [signer]) };
    }
  }
}

const u64 = (data: Buffer, at: number) => data.readBigUInt64LE(at);

/** Reads the chain and checks every invariant; `finalizedBefore` tracks epochs already seen finalized. */
function checkInvariants(s: Sequence, finalizedBefore: Set<number>, lastTx: { label: string; signerWasValidator: boolean }): string[] {
  const { chain, d, model } = s;
  const problems: string[] = [];
  const accounts = chain.svm.getProgramAccounts(d.programId.toBase58() as Address).map((a) => ({ address: a.address, data: Buffer.from(Uint8Array.from(a.data)) }));
  const config = accounts.find((a) => a.data.length === CONFIG_SIZE)!.data;
  const hotspots = accounts.filter((a) => a.data.length === HOTSPOT_SIZE).map((a) => a.data);
  const epochs = accounts.filter((a) => a.data.length === EPOCH_SIZE).map((a) => a.data);
  const supply = chain.mintSupply(d.mint);
  const totalMinted = u64(config, CONFIG.totalMinted);
  const finalizedTotal = u64(config, CONFIG.finalizedTotal);
  const next = Number(u64(config, CONFIG.nextEpoch));
  const quorum = config[CONFIG.quorum]!;
  const claimedSum = hotspots.reduce((sum, h) => sum + u64(h, HOTSPOT.claimed), 0n);
  const balances = s.owners.reduce((sum, o) => sum + chain.tokenBalance(ataOf(o.publicKey, d.mint)), 0n);
  if (!(supply === totalMinted && totalMinted === claimedSum && claimedSum === balances)) {
    problems.push(`supply ${supply}, total_minted ${totalMinted}, Σ claimed ${claimedSum}, Σ balances ${balances} differ`);
  }
  const latest = next > 0 ? model.honest(next - 1) : undefined;
  const declared = next > 0 ? model.declared(next - 1) : 0n;
  const leavesTotal = latest === undefined ? 0n : treeTotal(latest);
  if (finalizedTotal !== declared) problems.push(`finalized_cumulative_total ${finalizedTotal} ≠ the latest finalized vote's total ${declared}`);
  if (declared > leavesTotal) problems.push(`the latest finalized total ${declared} exceeds the sum of its tree's leaves ${leavesTotal}`);
  if (supply > declared) problems.push(`minted ${supply} exceeds the finalized cumulative total ${declared}`);
  for (const h of hotspots) {
    const device = new PublicKey(h.subarray(HOTSPOT.deviceKey, HOTSPOT.deviceKey + 32));
    const fixture = s.hotspots.find((f) => f.device.publicKey.equals(device))!;
    const cap = latest === undefined ? 0n : model.amountIn(latest, fixture);
    if (u64(h, HOTSPOT.claimed) > cap) problems.push(`hotspot ${device.toBase58()} claimed ${u64(h, HOTSPOT.claimed)} > its cumulative ${cap}`);
  }
  let finalizedCount = 0;
  for (const e of epochs) {
    const epoch = Number(u64(e, EPOCH.epoch));
    if (e[EPOCH.status] !== EPOCH_FINALIZED) {
      if (epoch < next) problems.push(`epoch ${epoch} < next_epoch ${next} is not finalized`);
      continue;
    }
    finalizedCount += 1;
    if (epoch >= next) problems.push(`epoch ${epoch} is finalized but next_epoch is ${next}`);
    const tuple = { root: e.subarray(EPOCH.root, EPOCH.root + 32), total: u64(e, EPOCH.total), leafCount: u64(e, EPOCH.leafCount) };
    if (!sameTuple(tuple, model.committed(epoch))) problems.push(`epoch ${epoch} finalized a tree other than the honest one`);
    if (!finalizedBefore.has(epoch)) {
      // Newly finalized by the last transaction: it must be a validator's vote reaching quorum.
      const votes = Array.from({ length: e[EPOCH.voteCount]! }, (_, i) => {
        const at = EPOCH.votes + i * EPOCH.voteSize;
        return { index: e[at]!, tuple: { root: e.subarray(at + 1, at + 33), total: u64(e, at + 33), leafCount: u64(e, at + 41) } };
      });
      const agreeing = votes.filter((v) => sameTuple(v.tuple, tuple));
      if (new Set(agreeing.map((v) => v.index)).size < quorum) problems.push(`epoch ${epoch} finalized with ${agreeing.length} distinct agreeing votes, quorum ${quorum}`);
      if (!lastTx.label.startsWith("vote") || !lastTx.signerWasValidator) problems.push(`epoch ${epoch} finalized by "${lastTx.label}"`);
      finalizedBefore.add(epoch);
      count("finalized epochs");
    }
  }
  if (finalizedCount !== next) problems.push(`${finalizedCount} finalized epochs, next_epoch ${next}`);
  return problems;
}

describe("programs/security: minted never exceeds the finalized cumulative total (model-based, after every transaction)", function () {
  // 100 sequences of ≈ 40 transactions plus ≈ 12 setup transactions each.
  this.timeout(600_000);

  it(`holds over ${SEQUENCES} random sequences of ${MIN_TRANSACTIONS}-${MAX_TRANSACTIONS} transactions, and every outcome is the model's`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 0x7fffffff }), fc.array(commandArb, { minLength: MIN_TRANSACTIONS, maxLength: MAX_TRANSACTIONS }), async (seed, commands) => {
        const s = await startSequence(seed);
        const finalized = new Set<number>();
        for (const [i, c] of commands.entries()) {
          const validatorsBefore = s.model.validators.map((v) => s.pool[v]!.publicKey);
          const { label, predicted, actual, signer } = await execute(s, c);
          count(`${c.kind}: ${actual}`);
          if (actual !== predicted) throw new Error(`transaction ${i} (${label}): expected ${predicted}, got ${actual}`);
          const signerWasValidator = signer !== undefined && validatorsBefore.some((v) => v.equals(signer));
          const problems = checkInvariants(s, finalized, { label, signerWasValidator });
          if (problems.length > 0) throw new Error(`after transaction ${i} (${label}): ${problems.join("; ")}`);
        }
      }),
      { numRuns: SEQUENCES, seed: SEED, endOnFailure: true },
    );
  });

  it("the invariant check itself reports a supply above the finalized total, an over-claimed hotspot and a rewritten root", async () => {
    const s = await startSequence(7);
    const finalized = new Set<number>();
    const run = async (c: Command) => {
      const { label, predicted, actual, signer } = await execute(s, c);
      expect(actual, label).to.equal(predicted);
      return checkInvariants(s, finalized, { label, signerWasValidator: signer !== undefined });
    };
    for (const pick of [0, 1, 2]) expect(await run({ kind: "vote", dt: pick === 0 ? 60 : 0, fromSet: true, pick, variant: "honest" })).to.deep.equal([]);
    expect(finalized.has(0)).to.equal(true);
    expect(await run({ kind: "claim", dt: 0, hotspot: 0, pick: 0, variant: "latest" })).to.deep.equal([]);
    const context = { label: "tampering", signerWasValidator: false };
    /** Rewrites bytes of an account (as only a broken program could), checks, and restores it. */
    const tampered = (address: PublicKey, at: number, bytes: Buffer): string[] => {
      const account = s.chain.svm.getAccount(address.toBase58() as Address);
      if (!account.exists) throw new Error("no such account");
      const data = Buffer.from(Uint8Array.from(account.data));
      bytes.copy(data, at);
      s.chain.svm.setAccount({ ...account, data });
      const problems = checkInvariants(s, finalized, context);
      s.chain.svm.setAccount(account);
      return problems;
    };
    const le = (v: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigUInt64LE(v);
      return b;
    };
    const supply = s.chain.mintSupply(s.d.mint);
    expect(supply > 0n, "the claim minted").to.equal(true);
    const treeTotal0 = s.model.declared(0);
    const mintSupplyOffset = 36;
    expect(tampered(s.d.mint, mintSupplyOffset, le(treeTotal0 + 1n)).join()).to.match(/exceeds the finalized cumulative total/);
    const hotspot = s.d.client.hotspotAddress(s.hotspots[1]!.device.publicKey);
    expect(tampered(hotspot, HOTSPOT.claimed, le(treeTotal0 + 1n)).join()).to.match(/claimed .* > its cumulative/);
    expect(tampered(s.d.client.epochAddress(0n), EPOCH.root, Buffer.alloc(32, 9)).join()).to.match(/other than the honest one/);
    expect(checkInvariants(s, finalized, context)).to.deep.equal([]);
  });

  it("exercised every kind of transaction and rejection across the sequences", function () {
    // A quick run (HEXCOVER_FUZZ_RUNS below the CI default) is too short to meet every path.
    if (seen.size === 0 || SEQUENCES < DEFAULT_SEQUENCES) this.skip();
    const required = [
      "finalized epochs",
      "vote: ok",
      "vote: NotAValidator",
      "vote: DoubleVote",
      "vote: EpochNotEnded",
      "vote: EpochOutOfOrder",
      "vote: EpochAlreadyFinalized",
      "vote: EmissionExceeded",
      "vote: CumulativeTotalDecreased",
      "claim: ok",
      "claim: NothingToClaim",
      "claim: InvalidProof",
      "claim: EpochNotFinalized",
      "claim: MintCapExceeded",
      "updateLocation: ok",
      "updateLocation: NotHotspotOwner",
      "updateLocation: LocationUpdateTooSoon",
      "setValidators: ok",
      "setValidators: Unauthorized",
    ];
    if (process.env.HEXCOVER_PRINT_FUZZ_STATS === "1") console.log([...seen.entries()].sort().map(([k, v]) => `${k}: ${v}`).join("\n"));
    expect(required.filter((k) => !seen.has(k))).to.deep.equal([]);
  });
});
