import { mkdtemp } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import fc from "fast-check";
import { ensureRewardAccount } from "../../chain/client/index.js";
import { cellToU64 } from "../../geo/index.js";
import { encodeAddress } from "../../protocol/index.js";
import { createRewardsApi, listen } from "../../validator/api/index.js";
import { ResultsStore, summarizeEpoch } from "../../validator/results/index.js";
import { scoreEpochReference } from "../../validator/scoring/index.js";
import { EpochSubmitter } from "../../validator/submit/index.js";
import { EpochBuilder } from "../support/epoch-builder.js";
import { loadProgramEnv, type ProgramEnv, tokenBalance } from "../support/program-env.js";

const GENESIS = 1_800_000_000n;
const EPOCH = 10;

describe("validator: submission to the program and the rewards API", function () {
  this.timeout(60_000);
  let env: ProgramEnv;
  const validators = Array.from({ length: 4 }, () => Keypair.generate());
  /** Real device keypairs, so the rewarded hotspots can be registered on chain and claim. */
  const devices = Array.from({ length: 3 }, () => Keypair.generate());
  const stores: ResultsStore[] = [];
  const submitters: EpochSubmitter[] = [];
  let server: Server;
  let api: string;
  let builder: EpochBuilder;

  before(async () => {
    env = await loadProgramEnv();
    env.provider.setUnixTime(GENESIS);
    await env.client.initialize(env.admin, env.mint, { epochLengthSeconds: 60n, genesisUnixTime: GENESIS, emissionPerEpoch: 1_000_000n });
    for (const v of validators) env.provider.airdrop(v.publicKey, 1_000_000_000n);
    await env.client.setValidators(env.admin, validators.map((v) => v.publicKey), 3);

    // One honest epoch (scored as chain epoch 0) and a Byzantine variant that drops a witness.
    builder = new EpochBuilder();
    const beaconer = builder.hotspot(37.7749, -122.4194, 30, true, devices[0]!.publicKey.toBytes());
    const witnesses = [builder.hotspot(37.79, -122.40, 30, true, devices[1]!.publicKey.toBytes()), builder.hotspot(37.76, -122.44, 30, true, devices[2]!.publicKey.toBytes())];
    const tx = builder.txTimeIn(EPOCH);
    const beacon = builder.beacon(beaconer, builder.entropy(tx - 1000), tx);
    builder.reveal(beacon);
    for (const w of witnesses) builder.witness(beacon, w);
    const honestInput = { ...builder.input(EPOCH), epoch: EPOCH };
    const honest = { ...scoreEpochReference(honestInput), epoch: 0 };
    const byzantineInput = { ...honestInput, messages: honestInput.messages.slice(0, -1) };
    const byzantine = { ...scoreEpochReference(byzantineInput), epoch: 0 };
    expect(byzantine.root).not.to.deep.equal(honest.root);

    for (const [i, v] of validators.entries()) {
      const store = ResultsStore.open(await mkdtemp(join(tmpdir(), "hexcover-results-")));
      const [input, score] = i === 3 ? [byzantineInput, byzantine] : [honestInput, honest];
      const details = summarizeEpoch(input, score, Date.now());
      await store.putScore(score, { messageCount: input.messages.length, activity: details.activity, coverage: details.coverage });
      stores.push(store);
      submitters.push(new EpochSubmitter(env.client, v, store));
    }
    server = createRewardsApi({ results: stores[0]! });
    api = await listen(server, 0);
  });

  after(async () => {
    server?.close();
    for (const store of stores) await store.close();
  });

  it("waits while the epoch has not ended on chain", async () => {
    env.provider.setUnixTime(GENESIS + 30n);
    expect(await submitters[0]!.advance(0)).to.equal("scored");
    expect(await env.client.fetchEpoch(0n)).to.equal(null);
  });

  it("finalizes with the honest quorum; the Byzantine vote changes nothing and is flagged as disagreeing", async () => {
    env.provider.setUnixTime(GENESIS + 60n);
    expect(await submitters[3]!.advance(0)).to.equal("submitted");
    expect(await submitters[0]!.advance(0)).to.equal("submitted");
    expect(await submitters[1]!.advance(0)).to.equal("submitted");
    expect(await submitters[2]!.advance(0)).to.equal("finalized");
    const epoch = (await env.client.fetchEpoch(0n))!;
    expect(Buffer.from(epoch.finalizedRoot).toString("hex")).to.equal(stores[0]!.summary(0)!.root);
    expect(await submitters[0]!.advance(0)).to.equal("finalized");
    expect(await submitters[3]!.advance(0)).to.equal("disagreed");
    expect(submitters[3]!.counters.disagreements).to.equal(1);
    expect(stores[3]!.summary(0)!.status).to.equal("disagreed");
  });

  it("is idempotent: advancing again sends nothing", async () => {
    const before = { ...submitters[1]!.counters };
    expect(await submitters[1]!.advance(0)).to.equal("finalized");
    expect(submitters[1]!.counters.submitted).to.equal(before.submitted);
  });

  it("serves summaries and Merkle proofs that the program accepts for a claim", async () => {
    const summary = (await (await fetch(`${api}/epochs/0`)).json()) as { status: string; root: string; witnessOutcomes: { valid: number } };
    expect(summary.status).to.equal("finalized");
    expect(summary.witnessOutcomes.valid).to.equal(2);
    const list = (await (await fetch(`${api}/epochs?status=finalized`)).json()) as { epochs: Array<{ epoch: number }> };
    expect(list.epochs.map((e) => e.epoch)).to.deep.equal([0]);

    const leaves = stores[0]!.leaves(0);
    expect(leaves.length).to.equal(3);
    const target = leaves[0]!;
    const address = encodeAddress(target.hotspot);
    const reward = (await (await fetch(`${api}/epochs/0/rewards/${address}`)).json()) as {
      cumulativeAmount: string;
      leafIndex: number;
      proof: string[];
    };
    expect(BigInt(reward.cumulativeAmount)).to.equal(target.cumulativeAmount);
    // Register the rewarded hotspot on chain with its device key, then claim with the API's proof.
    const device = devices.find((d) => d.publicKey.toBase58() === address)!;
    const owner = Keypair.generate();
    env.provider.airdrop(owner.publicKey, 1_000_000_000n);
    const location = cellToU64(builder.hotspots.find((h) => encodeAddress(h.key) === address)!.location);
    await env.client.registerHotspot(owner, device, { location, gainDeciDbi: 30, elevationM: 10 });
    const ata = await ensureRewardAccount(env.provider, owner.publicKey, env.mint);
    await env.client.claim(env.provider.payer, {
      epoch: 0n,
      deviceKey: device.publicKey,
      cumulativeAmount: BigInt(reward.cumulativeAmount),
      leafIndex: BigInt(reward.leafIndex),
      proof: reward.proof.map((p) => Buffer.from(p, "hex")),
    });
    expect(await tokenBalance(env.provider, ata)).to.equal(target.cumulativeAmount);
  });

  it("serves hotspot activity and the coverage feed", async () => {
    const leaves = stores[0]!.leaves(0);
    const beaconerActivity = await Promise.all(
      leaves.map(async (l) => (await (await fetch(`${api}/hotspots/${encodeAddress(l.hotspot)}`)).json()) as { activity: Array<{ role: string; outcome: string }> }),
    );
    const roles = beaconerActivity.flatMap((a) => a.activity.map((e) => `${e.role}:${e.outcome}`)).sort();
    expect(roles).to.deep.equal(["beaconer:valid", "witness:valid", "witness:valid"]);
    const feed = (await (await fetch(`${api}/epochs/0/coverage`)).json()) as { beacons: unknown[]; witnesses: Array<{ distanceM: number }> };
    expect(feed.beacons).to.have.length(1);
    expect(feed.witnesses).to.have.length(2);
    for (const w of feed.witnesses) expect(w.distanceM).to.be.greaterThan(1000);
  });

  it("answers bad requests with 400/404/405 and never 500", async () => {
    const cases: Array<[string, number, string]> = [
      ["/epochs/abc", 400, "ERR_BAD_EPOCH"],
      ["/epochs/99999999999", 400, "ERR_BAD_EPOCH"],
      ["/epochs/7", 404, "ERR_NOT_FOUND"],
      ["/epochs/0/rewards/notbase58!", 400, "ERR_BAD_HOTSPOT"],
      [`/epochs/0/rewards/${Keypair.generate().publicKey.toBase58()}`, 404, "ERR_NOT_FOUND"],
      ["/epochs?status=bogus", 400, "ERR_BAD_STATUS"],
      ["/nope", 404, "ERR_NOT_FOUND"],
    ];
    for (const [path, status, code] of cases) {
      const res = await fetch(`${api}${path}`);
      expect(res.status, path).to.equal(status);
      expect(((await res.json()) as { code: string }).code).to.equal(code);
    }
    expect((await fetch(`${api}/epochs/0`, { method: "POST" })).status).to.equal(405);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (tail) => {
        const res = await fetch(`${api}/epochs/${encodeURIComponent(tail)}/rewards/${encodeURIComponent(tail)}`);
        expect(res.status).to.be.oneOf([400, 404]);
      }),
      { numRuns: 300 },
    );
  });
});
