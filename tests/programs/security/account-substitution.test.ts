/**
 * Account substitution, driven by the IDL: for every instruction and every account of it, start
 * from a valid transaction (a fixture builds the state), swap that one account (a look-alike
 * owned by another program, a valid account of the same kind for other seeds or another
 * deployment, a missing or forged or unauthorised signature, a read-only meta, a fake program
 * id) and assert the exact error and that no account changed. Then the untouched transaction
 * must succeed in the same state, so every failure is due to the substitution alone.
 *
 * An instruction or account the IDL gains without a fixture entry fails the test; a
 * substitution that does not apply must say why (`na`), which the table shows.
 *
 * The table is in docs/PROGRAM.md ("Account substitution"); the last test checks it is current.
 * Print it with HEXCOVER_PRINT_SUBSTITUTION_TABLE=1.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Idl } from "@coral-xyz/anchor";
import BN from "bn.js";
import { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_2022_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, PublicKey, SystemProgram, TransactionInstruction } from "@solana/web3.js";
import { expect } from "chai";
import {
  CONFIG_SEED,
  COVERAGE_REWARDS_IDL,
  EPOCH_SEED,
  HOTSPOT_SEED,
  type RewardMerkleTree,
  u64Le,
} from "../../../chain/index.js";
import {
  anchorIx,
  ataOf,
  Chain,
  clockAtEndOf,
  type Deployment,
  EMISSION,
  EPOCH_LENGTH,
  fixedKeypair,
  GENESIS,
  type HotspotFixture,
  IDL_ERROR_NAMES,
  initialize,
  type Outcome,
  rewardTree,
  snapshotDiff,
  testLocation,
  treeTotal,
} from "./harness.js";

const IDL = COVERAGE_REWARDS_IDL as unknown as Idl;
const DOC = fileURLToPath(new URL("../../../docs/PROGRAM.md", import.meta.url));

/** A second and a third deployment of the same .so: configs, PDAs and mints "from another program id". */
const TWIN_PROGRAM_ID = fixedKeypair("twin-program").publicKey;
const FRESH_PROGRAM_ID = fixedKeypair("uninitialized-program").publicKey;
/** The owner of look-alikes: a program that is not ours (nothing is deployed there). */
const FOREIGN_OWNER = fixedKeypair("foreign-owner").publicKey;

/** What a substitution must end in: an outcome string (see harness `Outcome`), or why it does not apply. */
type Expect = Outcome | { na: string };

interface WrongAccount {
  /** What the substitute is, for the table. */
  readonly label: string;
  readonly address: PublicKey;
  readonly expect: Outcome;
}

/** Substitutions for one account; which ones are required follows from the IDL (see KINDS). */
interface AccountPlan {
  lookAlike?: Expect;
  wrong?: readonly WrongAccount[] | { na: string };
  unsigned?: Expect;
  forgedSignature?: Expect;
  otherSigner?: Expect;
  readOnly?: Expect;
  fakeProgram?: Expect;
}

interface IdlAccount {
  name: string;
  signer?: boolean;
  writable?: boolean;
  address?: string;
}

type Kind = keyof AccountPlan;

/** Every substitution kind and the IDL accounts it applies to. */
const KINDS: ReadonlyArray<{ kind: Kind; label: string; applies: (a: IdlAccount) => boolean }> = [
  { kind: "lookAlike", label: "look-alike (same bytes and lamports, owned by another program)", applies: (a) => !a.signer },
  { kind: "wrong", label: "wrong account of the same kind", applies: (a) => !a.signer && a.address === undefined },
  { kind: "unsigned", label: "not signing", applies: (a) => a.signer === true },
  { kind: "forgedSignature", label: "signature made by another key", applies: (a) => a.signer === true },
  { kind: "otherSigner", label: "another key that signs", applies: (a) => a.signer === true },
  { kind: "readOnly", label: "passed read-only", applies: (a) => a.writable === true },
  { kind: "fakeProgram", label: "fake program id", applies: (a) => a.address !== undefined },
];

interface Prepared {
  readonly chain: Chain;
  readonly ix: TransactionInstruction;
  readonly signers: readonly Keypair[];
  /** Owners whose every account is compared before and after (programs and SPL Token). */
  readonly watchOwners: readonly PublicKey[];
  readonly accounts: Readonly<Record<string, AccountPlan>>;
}

interface Fixture {
  readonly instruction: string;
  readonly scenario?: string;
  prepare(): Promise<Prepared>;
}

/** The state every fixture starts from. */
interface World {
  chain: Chain;
  main: Deployment;
  twin: Deployment;
  admin: Keypair;
  validators: Keypair[];
  /** H0 owned by A, H1 by B, H2 by A again (a second hotspot of the same owner). */
  hotspots: HotspotFixture[];
  a: Keypair;
  b: Keypair;
  /** Honest trees of epochs 0 and 1 (finalized in both deployments). */
  trees: RewardMerkleTree[];
}

/**
 * Both deployments initialized by the same admin with the same four validators (quorum 3), H0..H2
 * registered with the main program and H0 also with the twin, epochs 0 and 1 finalized in both
 * with the same trees, and the Clock at the end of epoch 2 (votes for it are accepted).
 */
async function buildWorld(): Promise<World> {
  const chain = new Chain();
  const main = await chain.deploy();
  const twin = await chain.deploy(TWIN_PROGRAM_ID);
  const admin = chain.wallet();
  const validators = Array.from({ length: 4 }, () => chain.wallet());
  const a = chain.wallet();
  const b = chain.wallet();
  const hotspots: HotspotFixture[] = [a, b, a].map((owner, i) => ({ owner, device: Keypair.generate(), location: testLocation(i) }));
  for (const d of [main, twin]) {
    await initialize(d, admin);
    await d.client.setValidators(admin, validators.map((v) => v.publicKey), 3);
  }
  for (const h of hotspots) await main.client.registerHotspot(h.owner, h.device, { location: h.location, gainDeciDbi: 30, elevationM: 10 });
  const h0 = hotspots[0]!;
  await twin.client.registerHotspot(h0.owner, h0.device, { location: h0.location, gainDeciDbi: 30, elevationM: 10 });
  for (const owner of [a, b]) await chain.ata(owner.publicKey, main.mint);
  await chain.ata(a.publicKey, twin.mint);
  const trees = [rewardTree(hotspots, [500n, 300n, 200n]), rewardTree(hotspots, [900n, 700n, 400n])];
  for (const [epoch, tree] of trees.entries()) {
    clockAtEndOf(chain, BigInt(epoch));
    for (const d of [main, twin]) {
      for (const v of validators.slice(0, 3)) {
        await d.client.submitEpoch(v, { epoch: BigInt(epoch), root: tree.root, cumulativeTotal: treeTotal(tree), leafCount: BigInt(tree.leafCount) });
      }
    }
  }
  clockAtEndOf(chain, 2n);
  return { chain, main, twin, admin, validators, hotspots, a, b, trees };
}

const epoch2Tree = (w: World) => rewardTree(w.hotspots, [1_000n, 900n, 600n]);

function vote2(w: World) {
  const t = epoch2Tree(w);
  return { epoch: 2n, root: t.root, cumulativeTotal: treeTotal(t), leafCount: BigInt(t.leafCount) };
}

/** A valid PDA of the seeds at a bump below the canonical one (the first lower bump off the curve). */
function nonCanonicalPda(seeds: Buffer[], programId: PublicKey): PublicKey {
  const [, bump] = PublicKey.findProgramAddressSync(seeds, programId);
  for (let b = bump - 1; b >= 0; b--) {
    try {
      return PublicKey.createProgramAddressSync([...seeds, Buffer.from([b])], programId);
    } catch {
      // on the curve: not a PDA, try the next bump
    }
  }
  throw new Error("no lower bump is off the curve");
}

const MAIN = (w: World) => [w.main.programId, w.twin.programId, TOKEN_PROGRAM_ID];

const configPlan = (w: World, writable: boolean, others: WrongAccount[]): AccountPlan => ({
  lookAlike: "InvalidAccountOwner",
  wrong: [{ label: "the twin deployment's Config (same admin, same validators)", address: w.twin.client.configAddress, expect: "InvalidAccountOwner" }, ...others],
  ...(writable ? { readOnly: "AccountNotWritable" } : {}),
});

const SYSTEM_PLAN: AccountPlan = { lookAlike: "InvalidProgramAccount", fakeProgram: "InvalidProgramAccount" };

const FIXTURES: Fixture[] = [
  {
    instruction: "initialize",
    async prepare() {
      const w = await buildWorld();
      const fresh = await w.chain.deploy(FRESH_PROGRAM_ID);
      const admin = w.chain.wallet();
      const adminsMint = await w.chain.deploy(fixedKeypair("admins-mint-program").publicKey);
      const plainAccount = await w.chain.plainTokenAccount(w.a.publicKey, w.main.mint);
      const ix = await anchorIx(fresh.client, "initialize", [new BN(EPOCH_LENGTH.toString()), new BN(GENESIS.toString()), new BN(EMISSION.toString())], {
        admin: admin.publicKey,
        config: fresh.client.configAddress,
        mint: fresh.mint,
        mint_authority: fresh.client.mintAuthority,
        system_program: SystemProgram.programId,
      });
      return {
        chain: w.chain,
        ix,
        signers: [admin],
        watchOwners: [...MAIN(w), FRESH_PROGRAM_ID],
        accounts: {
          admin: {
            unsigned: "MissingSigner",
            forgedSignature: "tx:SignatureFailure",
            otherSigner: { na: "no prior authority: the first caller of initialize becomes the admin (finding 1)" },
            readOnly: "AccountNotWritable",
          },
          config: {
            lookAlike: "InvalidPda",
            wrong: [
              { label: "the main deployment's Config (another program id)", address: w.main.client.configAddress, expect: "InvalidPda" },
              { label: "this program's mint-authority PDA", address: fresh.client.mintAuthority, expect: "InvalidPda" },
              { label: '["config"] at a non-canonical bump', address: nonCanonicalPda([CONFIG_SEED], FRESH_PROGRAM_ID), expect: "InvalidPda" },
            ],
            readOnly: "AccountNotWritable",
          },
          mint: {
            lookAlike: "InvalidMint",
            wrong: [
              { label: "another program's reward mint (minted by its PDA)", address: w.main.mint, expect: "InvalidMintAuthority" },
              { label: "a mint minted by a third program's PDA", address: adminsMint.mint, expect: "InvalidMintAuthority" },
              { label: "an SPL token account (not a mint)", address: plainAccount, expect: "InvalidMint" },
            ],
          },
          mint_authority: {
            lookAlike: "InvalidPda",
            wrong: [
              { label: "the main deployment's mint-authority PDA", address: w.main.client.mintAuthority, expect: "InvalidPda" },
              { label: "this program's Config PDA", address: fresh.client.configAddress, expect: "InvalidPda" },
            ],
          },
          system_program: SYSTEM_PLAN,
        },
      };
    },
  },
  {
    instruction: "set_validators",
    async prepare() {
      const w = await buildWorld();
      const ix = await anchorIx(w.main.client, "set_validators", [w.validators.slice(0, 3).map((v) => v.publicKey), 0], {
        admin: w.admin.publicKey,
        config: w.main.client.configAddress,
      });
      return {
        chain: w.chain,
        ix,
        signers: [w.admin],
        watchOwners: MAIN(w),
        accounts: {
          admin: { unsigned: "MissingSigner", forgedSignature: "tx:SignatureFailure", otherSigner: "Unauthorized" },
          config: configPlan(w, true, [
            { label: "a Hotspot account", address: w.main.client.hotspotAddress(w.hotspots[0]!.device.publicKey), expect: "InvalidAccountData" },
            { label: "an Epoch account", address: w.main.client.epochAddress(0n), expect: "InvalidAccountData" },
          ]),
        },
      };
    },
  },
  {
    instruction: "register_hotspot",
    async prepare() {
      const w = await buildWorld();
      const owner = w.chain.wallet();
      const device = Keypair.generate();
      const ix = await anchorIx(w.main.client, "register_hotspot", [new BN(testLocation(9).toString()), 30, 10], {
        owner: owner.publicKey,
        device: device.publicKey,
        hotspot: w.main.client.hotspotAddress(device.publicKey),
        config: w.main.client.configAddress,
        system_program: SystemProgram.programId,
      });
      return {
        chain: w.chain,
        ix,
        signers: [owner, device],
        watchOwners: MAIN(w),
        accounts: {
          owner: {
            unsigned: "MissingSigner",
            forgedSignature: "tx:SignatureFailure",
            otherSigner: { na: "any wallet may own a hotspot: the owner signs to pay and be recorded, there is no stored authority" },
            readOnly: "AccountNotWritable",
          },
          device: {
            unsigned: "MissingSigner",
            forgedSignature: "tx:SignatureFailure",
            otherSigner: "InvalidPda",
          },
          hotspot: {
            lookAlike: "InvalidPda",
            wrong: [
              { label: "another device's Hotspot (registered)", address: w.main.client.hotspotAddress(w.hotspots[0]!.device.publicKey), expect: "InvalidPda" },
              { label: "this device's Hotspot PDA of the twin program id", address: w.twin.client.hotspotAddress(device.publicKey), expect: "InvalidPda" },
              { label: "this device's Hotspot PDA at a non-canonical bump", address: nonCanonicalPda([HOTSPOT_SEED, device.publicKey.toBuffer()], w.main.programId), expect: "InvalidPda" },
            ],
            readOnly: "AccountNotWritable",
          },
          config: configPlan(w, false, [
            { label: "a Hotspot account", address: w.main.client.hotspotAddress(w.hotspots[0]!.device.publicKey), expect: "InvalidAccountData" },
          ]),
          system_program: SYSTEM_PLAN,
        },
      };
    },
  },
  {
    instruction: "update_location",
    async prepare() {
      const w = await buildWorld();
      const [h0, h1] = [w.hotspots[0]!, w.hotspots[1]!];
      const ix = await anchorIx(w.main.client, "update_location", [new BN(testLocation(20).toString()), 40, 12], {
        owner: w.a.publicKey,
        hotspot: w.main.client.hotspotAddress(h0.device.publicKey),
        config: w.main.client.configAddress,
      });
      return {
        chain: w.chain,
        ix,
        signers: [w.a],
        watchOwners: MAIN(w),
        accounts: {
          owner: { unsigned: "MissingSigner", forgedSignature: "tx:SignatureFailure", otherSigner: "NotHotspotOwner" },
          hotspot: {
            lookAlike: "InvalidAccountOwner",
            wrong: [
              { label: "another owner's Hotspot", address: w.main.client.hotspotAddress(h1.device.publicKey), expect: "NotHotspotOwner" },
              { label: "the same device's Hotspot in the twin deployment (same owner)", address: w.twin.client.hotspotAddress(h0.device.publicKey), expect: "InvalidAccountOwner" },
              { label: "the Config", address: w.main.client.configAddress, expect: "InvalidAccountData" },
            ],
            readOnly: "AccountNotWritable",
          },
          config: configPlan(w, false, [
            { label: "another Hotspot account", address: w.main.client.hotspotAddress(h1.device.publicKey), expect: "InvalidAccountData" },
            { label: "an Epoch account", address: w.main.client.epochAddress(0n), expect: "InvalidAccountData" },
          ]),
        },
      };
    },
  },
  ...(["first vote, creates the Epoch", "later vote, the Epoch exists"] as const).map(
    (scenario): Fixture => ({
      instruction: "submit_epoch",
      scenario,
      async prepare() {
        const w = await buildWorld();
        const later = scenario.startsWith("later");
        if (later) for (const d of [w.main, w.twin]) await d.client.submitEpoch(w.validators[1]!, vote2(w));
        const v = vote2(w);
        const ix = await anchorIx(w.main.client, "submit_epoch", [new BN(2), Array.from(v.root), new BN(v.cumulativeTotal.toString()), new BN(v.leafCount.toString())], {
          validator: w.validators[0]!.publicKey,
          config: w.main.client.configAddress,
          epoch_account: w.main.client.epochAddress(2n),
          system_program: SystemProgram.programId,
        });
        const epochWrong: WrongAccount[] = [
          { label: "the finalized Epoch 1", address: w.main.client.epochAddress(1n), expect: "EpochMismatch" },
          { label: "the twin deployment's Epoch 1", address: w.twin.client.epochAddress(1n), expect: "InvalidAccountOwner" },
          { label: "the (uncreated) Epoch 3 PDA", address: w.main.client.epochAddress(3n), expect: "InvalidPda" },
          { label: "the Epoch 2 PDA at a non-canonical bump", address: nonCanonicalPda([EPOCH_SEED, u64Le(2n)], w.main.programId), expect: "InvalidPda" },
          later
            ? { label: "the twin deployment's Epoch 2 (same votes)", address: w.twin.client.epochAddress(2n), expect: "InvalidAccountOwner" }
            : { label: "the twin deployment's (uncreated) Epoch 2 PDA", address: w.twin.client.epochAddress(2n), expect: "InvalidPda" },
          { label: "a Hotspot account", address: w.main.client.hotspotAddress(w.hotspots[0]!.device.publicKey), expect: "InvalidAccountData" },
        ];
        return {
          chain: w.chain,
          ix,
          signers: [w.validators[0]!],
          watchOwners: MAIN(w),
          accounts: {
            validator: { unsigned: "MissingSigner", forgedSignature: "tx:SignatureFailure", otherSigner: "NotAValidator", readOnly: "AccountNotWritable" },
            config: configPlan(w, true, [{ label: "a Hotspot account", address: w.main.client.hotspotAddress(w.hotspots[0]!.device.publicKey), expect: "InvalidAccountData" }]),
            // Before the first vote the Epoch does not exist: its look-alike is an empty account
            // at another address, refused by the PDA check; afterwards, by the owner check.
            epoch_account: { lookAlike: later ? "InvalidAccountOwner" : "InvalidPda", wrong: epochWrong, readOnly: "AccountNotWritable" },
            system_program: SYSTEM_PLAN,
          },
        };
      },
    }),
  ),
  {
    instruction: "claim",
    async prepare() {
      const w = await buildWorld();
      for (const d of [w.main, w.twin]) await d.client.submitEpoch(w.validators[1]!, vote2(w));
      const [h0, h1, h2] = [w.hotspots[0]!, w.hotspots[1]!, w.hotspots[2]!];
      const t1 = w.trees[1]!;
      const index = t1.indexOf(h0.device.publicKey.toBytes())!;
      const plainAccount = await w.chain.plainTokenAccount(w.a.publicKey, w.main.mint);
      const ix = await anchorIx(w.main.client, "claim", [new BN(1), new BN(900), new BN(index), t1.proof(index).map((p) => Array.from(p))], {
        config: w.main.client.configAddress,
        hotspot: w.main.client.hotspotAddress(h0.device.publicKey),
        epoch_account: w.main.client.epochAddress(1n),
        mint: w.main.mint,
        destination: ataOf(w.a.publicKey, w.main.mint),
        mint_authority: w.main.client.mintAuthority,
        token_program: TOKEN_PROGRAM_ID,
      });
      const hotspotOf = (h: HotspotFixture) => w.main.client.hotspotAddress(h.device.publicKey);
      return {
        chain: w.chain,
        ix,
        signers: [],
        watchOwners: MAIN(w),
        accounts: {
          config: configPlan(w, true, [{ label: "a Hotspot account", address: hotspotOf(h1), expect: "InvalidAccountData" }]),
          hotspot: {
            lookAlike: "InvalidAccountOwner",
            wrong: [
              { label: "the same owner's other Hotspot (same destination)", address: hotspotOf(h2), expect: "InvalidProof" },
              { label: "another owner's Hotspot", address: hotspotOf(h1), expect: "TokenAccountOwnerMismatch" },
              { label: "the same device's Hotspot in the twin deployment", address: w.twin.client.hotspotAddress(h0.device.publicKey), expect: "InvalidAccountOwner" },
              { label: "an Epoch account", address: w.main.client.epochAddress(0n), expect: "InvalidAccountData" },
            ],
            readOnly: "AccountNotWritable",
          },
          epoch_account: {
            lookAlike: "InvalidAccountOwner",
            wrong: [
              { label: "the finalized Epoch 0", address: w.main.client.epochAddress(0n), expect: "EpochMismatch" },
              { label: "Epoch 2, still voting", address: w.main.client.epochAddress(2n), expect: "EpochMismatch" },
              { label: "the twin deployment's Epoch 1 (same root)", address: w.twin.client.epochAddress(1n), expect: "InvalidAccountOwner" },
              { label: "the Config", address: w.main.client.configAddress, expect: "InvalidAccountData" },
            ],
          },
          mint: {
            lookAlike: "InvalidMint",
            wrong: [{ label: "the twin deployment's reward mint", address: w.twin.mint, expect: "InvalidMint" }],
            readOnly: "AccountNotWritable",
          },
          destination: {
            lookAlike: "InvalidTokenAccount",
            wrong: [
              { label: "another owner's associated token account", address: ataOf(w.b.publicKey, w.main.mint), expect: "TokenAccountOwnerMismatch" },
              { label: "the owner's token account that is not the ATA", address: plainAccount, expect: "NotAssociatedTokenAccount" },
              { label: "the owner's ATA for the twin deployment's mint", address: ataOf(w.a.publicKey, w.twin.mint), expect: "TokenAccountMintMismatch" },
              { label: "the mint", address: w.main.mint, expect: "InvalidTokenAccount" },
            ],
            readOnly: "AccountNotWritable",
          },
          mint_authority: {
            lookAlike: "InvalidMintAuthority",
            wrong: [
              { label: "the twin deployment's mint-authority PDA", address: w.twin.client.mintAuthority, expect: "InvalidMintAuthority" },
              { label: "the Config", address: w.main.client.configAddress, expect: "InvalidMintAuthority" },
            ],
          },
          token_program: SYSTEM_PLAN,
        },
      };
    },
  },
];

/** Fake program ids tried for every fixed program account: real programs that are not the expected one, and a plain key. */
function fakePrograms(expected: PublicKey): Array<{ label: string; address: PublicKey }> {
  const candidates = [
    { label: "System program", address: SystemProgram.programId },
    { label: "SPL Token", address: TOKEN_PROGRAM_ID },
    { label: "Token-2022", address: TOKEN_2022_PROGRAM_ID },
    { label: "Associated Token program", address: ASSOCIATED_TOKEN_PROGRAM_ID },
    { label: "this program deployed at another id", address: TWIN_PROGRAM_ID },
    { label: "a key with no program", address: fixedKeypair("no-program").publicKey },
  ];
  return candidates.filter((c) => !c.address.equals(expected));
}

interface Row {
  instruction: string;
  account: string;
  substitution: string;
  expected: string;
  actual: string;
  changed: string[];
  /** Attacked transactions behind the row (0 for n/a). */
  attacks: number;
}

function cloneIx(ix: TransactionInstruction, index: number, edit: (meta: TransactionInstruction["keys"][number]) => void): TransactionInstruction {
  const keys = ix.keys.map((k) => ({ ...k }));
  edit(keys[index]!);
  return new TransactionInstruction({ programId: ix.programId, data: ix.data, keys });
}

function idlInstruction(name: string): { accounts: IdlAccount[] } {
  const found = (IDL.instructions as unknown as Array<{ name: string; accounts: IdlAccount[] }>).find((i) => i.name === name);
  if (found === undefined) throw new Error(`fixture for ${name}, which the IDL does not have`);
  return found;
}

/** Runs every substitution of a prepared fixture; returns the table rows (failing ones included). */
async function attack(fixture: Fixture, prepared: Prepared): Promise<Row[]> {
  const { chain, ix, signers, accounts } = prepared;
  const idlAccounts = idlInstruction(fixture.instruction).accounts;
  const title = fixture.scenario === undefined ? fixture.instruction : `${fixture.instruction} (${fixture.scenario})`;
  const rows: Row[] = [];
  const run = (account: string, substitution: string, expected: string, attacked: TransactionInstruction, extraSigners: Keypair[] = [], forge?: { key: PublicKey; by: Keypair }): Row => {
    const extra = [...new Set([...ix.keys, ...attacked.keys].map((k) => k.pubkey.toBase58()))].map((k) => new PublicKey(k));
    const before = chain.snapshot(prepared.watchOwners, extra);
    const actual = chain.send(attacked, [...signers, ...extraSigners], forge);
    const changed = snapshotDiff(before, chain.snapshot(prepared.watchOwners, extra));
    const row = { instruction: title, account, substitution, expected, actual, changed, attacks: 1 };
    rows.push(row);
    return row;
  };
  for (const [i, meta] of idlAccounts.entries()) {
    const plan = accounts[meta.name];
    const original = ix.keys[i]!.pubkey;
    if (plan === undefined) continue; // reported by planProblems
    for (const { kind, label } of KINDS) {
      const expectation = plan[kind];
      if (expectation === undefined) continue;
      if (typeof expectation === "object" && "na" in expectation) {
        rows.push({ instruction: title, account: meta.name, substitution: label, expected: `n/a: ${expectation.na}`, actual: `n/a: ${expectation.na}`, changed: [], attacks: 0 });
        continue;
      }
      switch (kind) {
        case "lookAlike": {
          const fake = chain.lookAlike(original, FOREIGN_OWNER);
          run(meta.name, label, expectation as string, cloneIx(ix, i, (m) => (m.pubkey = fake)));
          break;
        }
        case "wrong":
          for (const w of expectation as readonly WrongAccount[]) run(meta.name, w.label, w.expect, cloneIx(ix, i, (m) => (m.pubkey = w.address)));
          break;
        case "unsigned":
          run(meta.name, label, expectation as string, cloneIx(ix, i, (m) => (m.isSigner = false)));
          break;
        case "forgedSignature":
          run(meta.name, label, expectation as string, ix, [], { key: original, by: Keypair.generate() });
          break;
        case "otherSigner": {
          const other = chain.wallet();
          run(meta.name, label, expectation as string, cloneIx(ix, i, (m) => (m.pubkey = other.publicKey)), [other]);
          break;
        }
        case "readOnly":
          run(meta.name, label, expectation as string, cloneIx(ix, i, (m) => (m.isWritable = false)));
          break;
        case "fakeProgram": {
          // One table row for all fake ids (they share the expectation); each is its own transaction.
          const fakes = fakePrograms(original);
          const each = fakes.map((fake) => run(meta.name, fake.label, expectation as string, cloneIx(ix, i, (m) => (m.pubkey = fake.address))));
          rows.splice(rows.length - each.length, each.length, {
            instruction: title,
            account: meta.name,
            substitution: `${label}: ${fakes.map((f) => f.label).join(", ")}`,
            expected: expectation as string,
            actual: [...new Set(each.map((r) => r.actual))].join(" / "),
            changed: each.flatMap((r) => r.changed),
            attacks: each.length,
          });
          break;
        }
      }
    }
  }
  return rows;
}

/** Where a fixture does not match the IDL: accounts, meta flags, substitutions required by the flags, error names. */
function planProblems(fixture: Fixture, prepared: Prepared): string[] {
  const problems: string[] = [];
  const idlAccounts = idlInstruction(fixture.instruction).accounts;
  if (prepared.ix.keys.length !== idlAccounts.length) problems.push(`${prepared.ix.keys.length} metas, the IDL lists ${idlAccounts.length}`);
  for (const [i, account] of idlAccounts.entries()) {
    const meta = prepared.ix.keys[i];
    if (meta !== undefined && (meta.isSigner !== (account.signer === true) || meta.isWritable !== (account.writable === true))) {
      problems.push(`${account.name}: meta flags differ from the IDL`);
    }
    const plan = prepared.accounts[account.name];
    if (plan === undefined) {
      problems.push(`${account.name}: no substitution plan`);
      continue;
    }
    for (const { kind, applies } of KINDS) {
      const e = plan[kind];
      if (applies(account) && e === undefined) problems.push(`${account.name}: no expectation for "${kind}"`);
      if (!applies(account) && e !== undefined) problems.push(`${account.name}: "${kind}" does not apply to this account`);
      const outcomes = Array.isArray(e) ? e.map((x: WrongAccount) => x.expect) : typeof e === "string" ? [e] : [];
      for (const o of outcomes) if (!o.includes(":") && !IDL_ERROR_NAMES.has(o)) problems.push(`${account.name}.${kind}: ${o} is not an IDL error`);
      if (Array.isArray(e) && e.length === 0) problems.push(`${account.name}: empty "wrong" list (use na with a reason)`);
    }
  }
  for (const name of Object.keys(prepared.accounts)) if (!idlAccounts.some((a) => a.name === name)) problems.push(`plan for ${name}, which the IDL does not list`);
  return problems;
}

function markdownTable(rows: readonly Row[]): string {
  const lines = ["| instruction | account | substitution | rejected with |", "|---|---|---|---|"];
  let last = "";
  for (const r of rows) {
    const instruction = r.instruction === last ? "" : `\`${r.instruction}\``;
    last = r.instruction;
    lines.push(`| ${instruction} | ${r.account} | ${r.substitution} | ${r.expected.startsWith("n/a") ? r.expected : `\`${r.expected}\``} |`);
  }
  return lines.join("\n");
}

describe("programs/security: account substitution for every account of every instruction (IDL-driven)", function () {
  // Seven fixtures of ≈ 40 setup transactions and ≈ 20 attacks each, on a loaded 2-core machine.
  this.timeout(300_000);
  const allRows: Row[] = [];

  it("has a fixture for every instruction of the IDL", () => {
    const names = (IDL.instructions as unknown as Array<{ name: string }>).map((i) => i.name);
    expect(names.filter((name) => !FIXTURES.some((f) => f.instruction === name))).to.deep.equal([]);
    expect(names).to.have.length.greaterThan(0);
  });

  for (const fixture of FIXTURES) {
    const title = fixture.scenario === undefined ? fixture.instruction : `${fixture.instruction} (${fixture.scenario})`;
    it(`${title}: every substitution fails with its exact error and changes no account, and the untouched transaction then succeeds`, async () => {
      const prepared = await fixture.prepare();
      expect(planProblems(fixture, prepared), "the fixture must plan every applicable substitution of every IDL account").to.deep.equal([]);
      const rows = await attack(fixture, prepared);
      allRows.push(...rows);
      const wrong = rows.filter((r) => r.actual !== r.expected || r.changed.length > 0);
      expect(
        wrong.map((r) => `${r.account} / ${r.substitution}: expected ${r.expected}, got ${r.actual}${r.changed.length ? `; changed ${r.changed.join(", ")}` : ""}`),
      ).to.deep.equal([]);
      expect(rows.filter((r) => !r.expected.startsWith("n/a")).length).to.be.greaterThan(0);
      // The same transaction, unmodified, in the same state: it must succeed and change state.
      const before = prepared.chain.snapshot(prepared.watchOwners, prepared.ix.keys.map((k) => k.pubkey));
      expect(prepared.chain.send(prepared.ix, prepared.signers)).to.equal("ok");
      expect(snapshotDiff(before, prepared.chain.snapshot(prepared.watchOwners, prepared.ix.keys.map((k) => k.pubkey)))).to.not.deep.equal([]);
    });
  }

  it("docs/PROGRAM.md lists the current substitution table", function () {
    if (allRows.length === 0) this.skip();
    const table = markdownTable(allRows);
    const attacks = allRows.reduce((n, r) => n + r.attacks, 0);
    const na = allRows.filter((r) => r.attacks === 0).length;
    const summary = `${FIXTURES.length} fixtures over ${new Set(allRows.map((r) => r.instruction.split(" ")[0])).size} instructions, ${allRows.length - na} rows, ${attacks} attacked transactions, ${na} substitutions not applicable`;
    if (process.env.HEXCOVER_PRINT_SUBSTITUTION_TABLE === "1") console.log(`${summary}\n\n${table}`);
    expect(readFileSync(DOC, "utf8"), `docs/PROGRAM.md is out of date: run with HEXCOVER_PRINT_SUBSTITUTION_TABLE=1 and paste the table (${summary})`).to.include(table);
  });
});
