import BN from "bn.js";
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, type PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { toCoverageRewardsError } from "../../chain/client/index.js";
import { expect } from "chai";
import { RewardMerkleTree } from "../../chain/merkle.js";
import { cellToU64, latLngToCell } from "../../geo/index.js";
import { createMint, ensureTokenAccount, loadProgramEnv, type ProgramEnv, programErrorOf, tokenBalance } from "../support/program-env.js";

const EPOCH_LENGTH = 60n;
const GENESIS = 1_800_000_000n;
const EMISSION = 1_000_000n;

interface TestHotspot {
  owner: Keypair;
  device: Keypair;
  ata: PublicKey;
}

describe("programs: coverage_rewards on litesvm through the Anchor client", function () {
  this.timeout(60_000);
  let env: ProgramEnv;
  let validators: Keypair[];
  let hotspots: TestHotspot[];

  async function setup(): Promise<void> {
    env = await loadProgramEnv();
    const { client, admin, mint, provider } = env;
    provider.setUnixTime(GENESIS);
    await client.initialize(admin, mint, { epochLengthSeconds: EPOCH_LENGTH, genesisUnixTime: GENESIS, emissionPerEpoch: EMISSION });
    validators = Array.from({ length: 4 }, () => Keypair.generate());
    for (const v of validators) provider.airdrop(v.publicKey, 1_000_000_000n);
    await client.setValidators(admin, validators.map((v) => v.publicKey), 3);
    hotspots = [];
    for (let i = 0; i < 3; i++) {
      const owner = Keypair.generate();
      const device = Keypair.generate();
      provider.airdrop(owner.publicKey, 1_000_000_000n);
      const location = cellToU64(latLngToCell(37.77 + i * 0.01, -122.42, 12));
      await client.registerHotspot(owner, device, { location, gainDeciDbi: 30, elevationM: 10 });
      hotspots.push({ owner, device, ata: await ensureTokenAccount(provider, owner.publicKey, mint) });
    }
  }

  function tree(amounts: bigint[]): RewardMerkleTree {
    return new RewardMerkleTree(hotspots.map((h, i) => ({ hotspot: h.device.publicKey.toBytes(), cumulativeAmount: amounts[i]! })));
  }

  async function finalize(epoch: bigint, t: RewardMerkleTree, voters = validators.slice(0, 3)): Promise<void> {
    env.provider.setUnixTime(GENESIS + (epoch + 1n) * EPOCH_LENGTH);
    const total = t.leaves.reduce((s, l) => s + l.cumulativeAmount, 0n);
    for (const v of voters) await env.client.submitEpoch(v, { epoch, root: t.root, cumulativeTotal: total, leafCount: BigInt(t.leafCount) });
  }

  async function claim(epoch: bigint, t: RewardMerkleTree, h: TestHotspot): Promise<string> {
    const index = t.indexOf(h.device.publicKey.toBytes())!;
    return env.client.claim(env.provider.payer, {
      epoch,
      deviceKey: h.device.publicKey,
      cumulativeAmount: t.leaves[index]!.cumulativeAmount,
      leafIndex: BigInt(index),
      proof: t.proof(index),
    });
  }

  describe("happy path", () => {
    before(setup);

    it("stores config, validators and hotspots as the client reads them back", async () => {
      const config = await env.client.fetchConfig();
      expect(config.admin.equals(env.admin.publicKey)).to.equal(true);
      expect(config.mint.equals(env.mint)).to.equal(true);
      expect(config.quorum).to.equal(3);
      expect(config.validators.map(String)).to.deep.equal(validators.map((v) => v.publicKey.toBase58()));
      expect(config.emissionPerEpoch).to.equal(EMISSION);
      expect(config.nextEpoch).to.equal(0n);
      const all = await env.client.allHotspots();
      expect(all).to.have.length(3);
      const first = (await env.client.fetchHotspot(hotspots[0]!.device.publicKey))!;
      expect(first.owner.equals(hotspots[0]!.owner.publicKey)).to.equal(true);
      expect(first.location).to.equal(cellToU64(latLngToCell(37.77, -122.42, 12)));
      expect(first.rewardAccount.equals(hotspots[0]!.ata)).to.equal(true);
      expect(first.claimed).to.equal(0n);
    });

    it("finalizes an epoch when 3 of 4 validators submit the same root, and claims mint exact amounts", async () => {
      const t0 = tree([500_000n, 300_000n, 200_000n]);
      await finalize(0n, t0, validators.slice(0, 2));
      expect((await env.client.fetchEpoch(0n))!.status).to.equal("voting");
      await finalize(0n, t0, validators.slice(2, 3));
      const epoch = (await env.client.fetchEpoch(0n))!;
      expect(epoch.status).to.equal("finalized");
      expect(epoch.finalizedRoot).to.deep.equal(t0.root);
      expect(epoch.finalizedCumulativeTotal).to.equal(1_000_000n);
      expect((await env.client.fetchConfig()).nextEpoch).to.equal(1n);
      for (const [i, h] of hotspots.entries()) {
        await claim(0n, t0, h);
        expect(await tokenBalance(env.provider, h.ata)).to.equal(t0.leaves[t0.indexOf(h.device.publicKey.toBytes())!]!.cumulativeAmount);
        expect((await env.client.fetchHotspot(h.device.publicKey))!.claimed).to.equal([500_000n, 300_000n, 200_000n][i]);
      }
      expect((await env.client.fetchConfig()).totalMinted).to.equal(1_000_000n);
    });

    it("pays only the difference with a later epoch's cumulative root", async () => {
      const t1 = tree([900_000n, 700_000n, 400_000n]);
      await finalize(1n, t1);
      await claim(1n, t1, hotspots[0]!);
      expect(await tokenBalance(env.provider, hotspots[0]!.ata)).to.equal(900_000n);
      expect(await programErrorOf(claim(1n, t1, hotspots[0]!))).to.equal("NothingToClaim");
      expect((await env.client.fetchConfig()).totalMinted).to.equal(1_400_000n);
    });
  });

  describe("every check rejects with its exact error", () => {
    beforeEach(setup);
    const U64_MAX = (1n << 64n) - 1n;

    /** Builds an instruction through the Anchor client, lets the test edit it, and sends it. */
    async function sendEdited(
      build: () => Promise<TransactionInstruction>,
      edit: (ix: TransactionInstruction) => void,
      signers: Keypair[],
    ): Promise<string> {
      const ix = await build();
      edit(ix);
      try {
        return env.provider.execute(new Transaction().add(ix), signers).signature;
      } catch (err) {
        throw toCoverageRewardsError(err);
      }
    }

    /** Copies an account to a new address, owned by another program (a look-alike). */
    function lookAlike(address: PublicKey): PublicKey {
      const account = env.svm.getAccount(address.toBase58() as Address);
      if (!account.exists) throw new Error("no such account");
      const fake = Keypair.generate().publicKey;
      env.svm.setAccount({ ...account, address: fake.toBase58() as Address, programAddress: SystemProgram.programId.toBase58() as Address });
      return fake;
    }

    function replaceKey(ix: TransactionInstruction, from: PublicKey, to: PublicKey): void {
      const meta = ix.keys.find((k) => k.pubkey.equals(from));
      if (!meta) throw new Error(`account ${from.toBase58()} not in instruction`);
      meta.pubkey = to;
    }

    it("submit_epoch: a key outside the validator set -> NotAValidator", async () => {
      const outsider = Keypair.generate();
      env.provider.airdrop(outsider.publicKey, 1_000_000_000n);
      env.provider.setUnixTime(GENESIS + EPOCH_LENGTH);
      const t = tree([1n, 2n, 3n]);
      expect(await programErrorOf(env.client.submitEpoch(outsider, { epoch: 0n, root: t.root, cumulativeTotal: 6n, leafCount: 3n }))).to.equal("NotAValidator");
    });

    it("submit_epoch: the same validator twice -> DoubleVote", async () => {
      env.provider.setUnixTime(GENESIS + EPOCH_LENGTH);
      const t = tree([1n, 2n, 3n]);
      const vote = { epoch: 0n, root: t.root, cumulativeTotal: 6n, leafCount: 3n };
      await env.client.submitEpoch(validators[0]!, vote);
      expect(await programErrorOf(env.client.submitEpoch(validators[0]!, vote))).to.equal("DoubleVote");
    });

    it("submit_epoch: a disagreeing minority cannot finalize, nor block the honest quorum", async () => {
      env.provider.setUnixTime(GENESIS + EPOCH_LENGTH);
      const honest = tree([1n, 2n, 3n]);
      const forged = tree([1n, 2n, 999n]);
      await env.client.submitEpoch(validators[3]!, { epoch: 0n, root: forged.root, cumulativeTotal: 1002n, leafCount: 3n });
      await env.client.submitEpoch(validators[0]!, { epoch: 0n, root: honest.root, cumulativeTotal: 6n, leafCount: 3n });
      await env.client.submitEpoch(validators[1]!, { epoch: 0n, root: honest.root, cumulativeTotal: 6n, leafCount: 3n });
      expect((await env.client.fetchEpoch(0n))!.status).to.equal("voting");
      await env.client.submitEpoch(validators[2]!, { epoch: 0n, root: honest.root, cumulativeTotal: 6n, leafCount: 3n });
      const epoch = (await env.client.fetchEpoch(0n))!;
      expect(epoch.status).to.equal("finalized");
      expect(epoch.finalizedRoot).to.deep.equal(honest.root);
      // The forged leaf cannot be claimed against the finalized root.
      const index = forged.indexOf(hotspots[2]!.device.publicKey.toBytes())!;
      const forgedClaim = env.client.claim(env.provider.payer, {
        epoch: 0n,
        deviceKey: hotspots[2]!.device.publicKey,
        cumulativeAmount: 999n,
        leafIndex: BigInt(index),
        proof: forged.proof(index),
      });
      expect(await programErrorOf(forgedClaim)).to.equal("InvalidProof");
    });

    it("submit_epoch: before the epoch has ended by the Clock -> EpochNotEnded", async () => {
      env.provider.setUnixTime(GENESIS + EPOCH_LENGTH - 1n);
      const t = tree([1n, 2n, 3n]);
      expect(await programErrorOf(env.client.submitEpoch(validators[0]!, { epoch: 0n, root: t.root, cumulativeTotal: 6n, leafCount: 3n }))).to.equal(
        "EpochNotEnded",
      );
    });

    it("submit_epoch: skipping an epoch -> EpochOutOfOrder", async () => {
      env.provider.setUnixTime(GENESIS + 5n * EPOCH_LENGTH);
      const t = tree([1n, 2n, 3n]);
      expect(await programErrorOf(env.client.submitEpoch(validators[0]!, { epoch: 1n, root: t.root, cumulativeTotal: 6n, leafCount: 3n }))).to.equal(
        "EpochOutOfOrder",
      );
    });

    it("submit_epoch: a cumulative total above previous + emission -> EmissionExceeded", async () => {
      env.provider.setUnixTime(GENESIS + EPOCH_LENGTH);
      const t = tree([EMISSION, 1n, 0n].map((v) => v));
      expect(
        await programErrorOf(env.client.submitEpoch(validators[0]!, { epoch: 0n, root: t.root, cumulativeTotal: EMISSION + 1n, leafCount: 3n })),
      ).to.equal("EmissionExceeded");
    });

    it("submit_epoch: previous total + emission beyond u64 -> ArithmeticOverflow", async () => {
      // A fresh program whose emission is almost u64::MAX: epoch 0 uses it all, epoch 1 overflows.
      env = await loadProgramEnv();
      env.provider.setUnixTime(GENESIS);
      await env.client.initialize(env.admin, env.mint, { epochLengthSeconds: EPOCH_LENGTH, genesisUnixTime: GENESIS, emissionPerEpoch: U64_MAX - 1n });
      const v = Keypair.generate();
      env.provider.airdrop(v.publicKey, 1_000_000_000n);
      await env.client.setValidators(env.admin, [v.publicKey], 1);
      env.provider.setUnixTime(GENESIS + 2n * EPOCH_LENGTH);
      const root = new Uint8Array(32).fill(1);
      await env.client.submitEpoch(v, { epoch: 0n, root, cumulativeTotal: U64_MAX - 1n, leafCount: 1n });
      expect(await programErrorOf(env.client.submitEpoch(v, { epoch: 1n, root, cumulativeTotal: U64_MAX, leafCount: 1n }))).to.equal("ArithmeticOverflow");
    });

    it("claim: a wrong proof, a wrong leaf amount and a replayed claim are rejected", async () => {
      const t = tree([500n, 300n, 200n]);
      await finalize(0n, t);
      const h = hotspots[1]!;
      const index = t.indexOf(h.device.publicKey.toBytes())!;
      const base = { epoch: 0n, deviceKey: h.device.publicKey, cumulativeAmount: 300n, leafIndex: BigInt(index), proof: t.proof(index) };
      const wrongProof = t.proof(index).map((p, i) => (i === 0 ? new Uint8Array(32).fill(7) : p));
      expect(await programErrorOf(env.client.claim(env.provider.payer, { ...base, proof: wrongProof }))).to.equal("InvalidProof");
      expect(await programErrorOf(env.client.claim(env.provider.payer, { ...base, cumulativeAmount: 301n }))).to.equal("InvalidProof");
      await env.client.claim(env.provider.payer, base);
      expect(await programErrorOf(env.client.claim(env.provider.payer, base))).to.equal("NothingToClaim");
      expect(await tokenBalance(env.provider, h.ata)).to.equal(300n);
    });

    it("claim: a token account other than the owner's -> rejected; the wrong mint -> rejected", async () => {
      const t = tree([500n, 300n, 200n]);
      await finalize(0n, t);
      const h = hotspots[0]!;
      const index = t.indexOf(h.device.publicKey.toBytes())!;
      const args = { epoch: 0n, deviceKey: h.device.publicKey, cumulativeAmount: 500n, leafIndex: BigInt(index), proof: t.proof(index) };
      const thief = await ensureTokenAccount(env.provider, Keypair.generate().publicKey, env.mint);
      expect(await programErrorOf(env.client.claim(env.provider.payer, args, { destination: thief }))).to.equal("TokenAccountOwnerMismatch");
      const otherMint = await createMint(env.provider, env.client.mintAuthority);
      const otherAta = await ensureTokenAccount(env.provider, h.owner.publicKey, otherMint);
      expect(await programErrorOf(env.client.claim(env.provider.payer, args, { mint: otherMint, destination: otherAta }))).to.equal("InvalidMint");
      expect(await programErrorOf(env.client.claim(env.provider.payer, args, { mint: otherMint }))).to.equal("InvalidMint");
    });

    it("claim: a look-alike Config or Hotspot not owned by the program -> InvalidAccountOwner", async () => {
      const t = tree([500n, 300n, 200n]);
      await finalize(0n, t);
      const h = hotspots[0]!;
      const index = t.indexOf(h.device.publicKey.toBytes())!;
      const build = () =>
        env.client.program.methods
          .claim!(new BN(0), new BN(500), new BN(index), t.proof(index).map((p) => Array.from(p)))
          .accountsStrict({
            config: env.client.configAddress,
            hotspot: env.client.hotspotAddress(h.device.publicKey),
            epochAccount: env.client.epochAddress(0n),
            mint: env.mint,
            destination: h.ata,
            mintAuthority: env.client.mintAuthority,
            tokenProgram: TOKEN_PROGRAM_ID,
          })
          .instruction();
      const fakeConfig = lookAlike(env.client.configAddress);
      expect(await programErrorOf(sendEdited(build, (ix) => replaceKey(ix, env.client.configAddress, fakeConfig), []))).to.equal("InvalidAccountOwner");
      const hotspotAddress = env.client.hotspotAddress(h.device.publicKey);
      const fakeHotspot = lookAlike(hotspotAddress);
      expect(await programErrorOf(sendEdited(build, (ix) => replaceKey(ix, hotspotAddress, fakeHotspot), []))).to.equal("InvalidAccountOwner");
    });

    it("register_hotspot: without the device key's signature -> MissingSigner", async () => {
      const owner = Keypair.generate();
      const device = Keypair.generate();
      env.provider.airdrop(owner.publicKey, 1_000_000_000n);
      const build = () =>
        env.client.program.methods
          .registerHotspot!(new BN(cellToU64(latLngToCell(37.7, -122.4, 12)).toString()), 30, 10)
          .accountsStrict({
            owner: owner.publicKey,
            device: device.publicKey,
            hotspot: env.client.hotspotAddress(device.publicKey),
            config: env.client.configAddress,
            systemProgram: SystemProgram.programId,
          })
          .instruction();
      const unsign = (ix: TransactionInstruction) => {
        ix.keys.find((k) => k.pubkey.equals(device.publicKey))!.isSigner = false;
      };
      expect(await programErrorOf(sendEdited(build, unsign, [owner]))).to.equal("MissingSigner");
    });

    it("register_hotspot: a location that is not a resolution-12 cell -> InvalidLocation", async () => {
      const owner = Keypair.generate();
      env.provider.airdrop(owner.publicKey, 1_000_000_000n);
      const res8 = cellToU64(latLngToCell(37.7, -122.4, 8));
      expect(await programErrorOf(env.client.registerHotspot(owner, Keypair.generate(), { location: res8, gainDeciDbi: 30, elevationM: 10 }))).to.equal(
        "InvalidLocation",
      );
    });

    it("update_location and set_validators: only the owner / the admin -> NotHotspotOwner / Unauthorized", async () => {
      const stranger = Keypair.generate();
      env.provider.airdrop(stranger.publicKey, 1_000_000_000n);
      const location = cellToU64(latLngToCell(37.8, -122.3, 12));
      expect(await programErrorOf(env.client.updateLocation(stranger, hotspots[0]!.device.publicKey, { location, gainDeciDbi: 30, elevationM: 5 }))).to.equal(
        "NotHotspotOwner",
      );
      expect(await programErrorOf(env.client.setValidators(stranger, [stranger.publicKey], 1))).to.equal("Unauthorized");
      await env.client.updateLocation(hotspots[0]!.owner, hotspots[0]!.device.publicKey, { location, gainDeciDbi: 40, elevationM: 5 });
      const updated = (await env.client.fetchHotspot(hotspots[0]!.device.publicKey))!;
      expect(updated.location).to.equal(location);
      expect(updated.gainDeciDbi).to.equal(40);
    });
  });
});
