import BN from "bn.js";
import type { Address } from "@solana/kit";
import { TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, PublicKey, SystemProgram, Transaction, type TransactionInstruction } from "@solana/web3.js";
import { CoverageRewardsClient, epochPda, HOTSPOT_SEED, hotspotAsOf, hotspotPda, toCoverageRewardsError } from "../../chain/client/index.js";
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
    const sendEdited = (build: () => Promise<TransactionInstruction>, edit: (ix: TransactionInstruction) => void, signers: Keypair[]) =>
      sendEditedWith(env, build, edit, signers);

    /** Copies an account to a new address, owned by another program (a look-alike). */
    function lookAlike(address: PublicKey): PublicKey {
      const account = env.svm.getAccount(address.toBase58() as Address);
      if (!account.exists) throw new Error("no such account");
      const fake = Keypair.generate().publicKey;
      env.svm.setAccount({ ...account, address: fake.toBase58() as Address, programAddress: SystemProgram.programId.toBase58() as Address });
      return fake;
    }

    const replaceKey = replaceKeyIn;

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
      env.provider.setUnixTime(GENESIS + 2n * EPOCH_LENGTH);
      await env.client.updateLocation(hotspots[0]!.owner, hotspots[0]!.device.publicKey, { location, gainDeciDbi: 40, elevationM: 5 });
      const updated = (await env.client.fetchHotspot(hotspots[0]!.device.publicKey))!;
      expect(updated.location).to.equal(location);
      expect(updated.gainDeciDbi).to.equal(40);
    });

    it("update_location: within two epochs of the registration or the last update -> LocationUpdateTooSoon", async () => {
      const h = hotspots[0]!;
      const moved = { location: cellToU64(latLngToCell(37.8, -122.3, 12)), gainDeciDbi: 40, elevationM: 5 };
      // Registered at GENESIS by setup().
      env.provider.setUnixTime(GENESIS + 2n * EPOCH_LENGTH - 1n);
      expect(await programErrorOf(env.client.updateLocation(h.owner, h.device.publicKey, moved))).to.equal("LocationUpdateTooSoon");
      env.provider.setUnixTime(GENESIS + 2n * EPOCH_LENGTH);
      await env.client.updateLocation(h.owner, h.device.publicKey, moved);
      const back = { location: cellToU64(latLngToCell(37.77, -122.42, 12)), gainDeciDbi: 30, elevationM: 10 };
      env.provider.setUnixTime(GENESIS + 4n * EPOCH_LENGTH - 1n);
      expect(await programErrorOf(env.client.updateLocation(h.owner, h.device.publicKey, back))).to.equal("LocationUpdateTooSoon");
      env.provider.setUnixTime(GENESIS + 4n * EPOCH_LENGTH);
      await env.client.updateLocation(h.owner, h.device.publicKey, back);
      expect((await env.client.fetchHotspot(h.device.publicKey))!.locationUpdatedAt).to.equal(GENESIS + 4n * EPOCH_LENGTH);
    });

    it("update_location: a look-alike Config not owned by the program -> InvalidAccountOwner", async () => {
      const h = hotspots[0]!;
      env.provider.setUnixTime(GENESIS + 2n * EPOCH_LENGTH);
      const build = () =>
        env.client.program.methods
          .updateLocation!(new BN(cellToU64(latLngToCell(37.8, -122.3, 12)).toString()), 30, 10)
          .accountsStrict({ owner: h.owner.publicKey, hotspot: env.client.hotspotAddress(h.device.publicKey), config: env.client.configAddress })
          .instruction();
      const fakeConfig = lookAlike(env.client.configAddress);
      expect(await programErrorOf(sendEdited(build, (ix) => replaceKey(ix, env.client.configAddress, fakeConfig), [h.owner]))).to.equal("InvalidAccountOwner");
    });
  });

  describe("registry as of a past time", () => {
    before(setup);

    it("records the registration time and keeps the replaced values on update_location", async () => {
      const h = hotspots[1]!;
      const registered = (await env.client.fetchHotspot(h.device.publicKey))!;
      expect(registered.registeredAt).to.equal(GENESIS);
      expect(registered.locationUpdatedAt).to.equal(GENESIS);
      expect([registered.previousLocation, registered.previousGainDeciDbi, registered.previousElevationM]).to.deep.equal([
        registered.location,
        registered.gainDeciDbi,
        registered.elevationM,
      ]);
      const moved = { location: cellToU64(latLngToCell(37.9, -122.2, 12)), gainDeciDbi: -15, elevationM: 250 };
      const at = GENESIS + 3n * EPOCH_LENGTH + 7n;
      env.provider.setUnixTime(at);
      await env.client.updateLocation(h.owner, h.device.publicKey, moved);
      const updated = (await env.client.fetchHotspot(h.device.publicKey))!;
      expect([updated.location, updated.gainDeciDbi, updated.elevationM]).to.deep.equal([moved.location, moved.gainDeciDbi, moved.elevationM]);
      expect([updated.previousLocation, updated.previousGainDeciDbi, updated.previousElevationM]).to.deep.equal([
        registered.location,
        registered.gainDeciDbi,
        registered.elevationM,
      ]);
      expect(updated.registeredAt).to.equal(GENESIS);
      expect(updated.locationUpdatedAt).to.equal(at);
    });

    it("hotspotAsOf on the fetched account gives the values in force before and after the update", async () => {
      const h = hotspots[1]!;
      const account = (await env.client.fetchHotspot(h.device.publicKey))!;
      const at = account.locationUpdatedAt;
      const original = { location: cellToU64(latLngToCell(37.78, -122.42, 12)), gainDeciDbi: 30, elevationM: 10 };
      expect(hotspotAsOf(account, GENESIS - 1n)).to.equal(null);
      expect(hotspotAsOf(account, GENESIS)).to.deep.equal(original);
      expect(hotspotAsOf(account, at - 1n)).to.deep.equal(original);
      expect(hotspotAsOf(account, at)).to.deep.equal({ location: account.location, gainDeciDbi: -15, elevationM: 250 });
      // Every validator reading the registry between T and T + 2 epochs gets the same snapshot.
      const snapshot = (await env.client.allHotspots()).map((a) => hotspotAsOf(a, at - 1n));
      expect(snapshot.map((s) => s?.location)).to.have.members(hotspots.map((_, i) => cellToU64(latLngToCell(37.77 + i * 0.01, -122.42, 12))));
    });
  });

  describe("PDA derivation at bumps below 255 (sha256 + curve check, not the find syscall)", () => {
    before(setup);

    /** A fresh device key whose hotspot PDA has at most `maxBump` as its canonical bump. */
    function deviceWithBump(maxBump: number): Keypair {
      for (;;) {
        const device = Keypair.generate();
        if (hotspotPda(device.publicKey)[1] <= maxBump) return device;
      }
    }

    it("registers hotspots whose canonical bump is 253 or lower at exactly that address", async () => {
      for (let i = 0; i < 3; i++) {
        const owner = Keypair.generate();
        env.provider.airdrop(owner.publicKey, 1_000_000_000n);
        const device = deviceWithBump(253);
        await env.client.registerHotspot(owner, device, { location: cellToU64(latLngToCell(37.7, -122.4 + i * 0.01, 12)), gainDeciDbi: 30, elevationM: 10 });
        const account = (await env.client.fetchHotspot(device.publicKey))!;
        expect(account.deviceKey.equals(device.publicKey)).to.equal(true);
        expect(account.rewardAccount.equals(CoverageRewardsClient.rewardAccountFor(owner.publicKey, env.mint))).to.equal(true);
      }
    });

    it("rejects a hotspot account at a non-canonical bump -> InvalidPda", async () => {
      const owner = Keypair.generate();
      env.provider.airdrop(owner.publicKey, 1_000_000_000n);
      const device = deviceWithBump(254);
      const [canonical, bump] = hotspotPda(device.publicKey);
      let other: PublicKey | undefined;
      for (let b = bump - 1; b >= 0 && other === undefined; b--) {
        try {
          other = PublicKey.createProgramAddressSync([HOTSPOT_SEED, device.publicKey.toBuffer(), Buffer.from([b])], env.client.programId);
        } catch {
          // on the curve: try the next bump
        }
      }
      const build = () =>
        env.client.program.methods
          .registerHotspot!(new BN(cellToU64(latLngToCell(37.7, -122.4, 12)).toString()), 30, 10)
          .accountsStrict({ owner: owner.publicKey, device: device.publicKey, hotspot: canonical, config: env.client.configAddress, systemProgram: SystemProgram.programId })
          .instruction();
      expect(await programErrorOf(sendEditedWith(env, build, (ix) => replaceKeyIn(ix, canonical, other!), [owner, device]))).to.equal("InvalidPda");
    });

    it("creates Epoch accounts at their canonical PDA whatever the bump", async () => {
      const bumps = new Set<number>();
      for (let epoch = 0n; epoch < 6n; epoch++) {
        bumps.add(epochPda(epoch)[1]);
        await finalize(epoch, tree([epoch + 1n, 2n, 3n]));
        expect((await env.client.fetchEpoch(epoch))!.status).to.equal("finalized");
      }
      // Epochs 0..5 of this program id have canonical bumps below 255 among them.
      expect([...bumps].some((b) => b < 255)).to.equal(true);
    });
  });
});

/** Builds an instruction through the Anchor client, lets the test edit it, sends it and maps program errors. */
async function sendEditedWith(
  env: ProgramEnv,
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

/** Points the instruction's account `from` at `to`. */
function replaceKeyIn(ix: TransactionInstruction, from: PublicKey, to: PublicKey): void {
  const meta = ix.keys.find((k) => k.pubkey.equals(from));
  if (!meta) throw new Error(`account ${from.toBase58()} not in instruction`);
  meta.pubkey = to;
}
