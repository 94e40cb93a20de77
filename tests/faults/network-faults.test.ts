import { join } from "node:path";
import { PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import type { Stream } from "@libp2p/interface";
import { beaconPayloadHash, bytesEqual, SYNC_PROTOCOL, type BeaconCommitMessage, type SignedMessage } from "../../protocol/index.js";
import { EpochStore, FrameReader, sendFrame } from "../../validator/index.js";
import type { ValidatorNode } from "../../validator/node.js";
import { type EpochSummary, type HotspotActivity, ResultsStore } from "../../validator/results/index.js";
import { FAST_ROUNDS } from "../support/local-network.js";
import { sleep, waitFor } from "../support/wait.js";
import { FaultNetwork, peerIdOf, SITES } from "./harness.js";

/**
 * Issue 11 item 3, faults with real processes: one network (a `hexcover ledger` process, three
 * in-process validators, one `hexcover validator run` process, eight hotspots on the sim radio)
 * shared by the cases below, which run in order and each leave the network healthy.
 * kill -9 of a validator during ingest is tests/validator/crash.test.ts.
 */
describe("faults: a 4-validator network survives crashes, partitions, a ledger restart, offline hotspots and a Byzantine validator", function () {
  this.timeout(300_000);
  const net = new FaultNetwork();
  /** Hold the process validator's scoring step this long, so the kill lands inside it. */
  const SCORING_HOLD_MS = 8_000;
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  /** Bounds a wait for an event, so a broken system fails the test with `what` instead of hanging it. */
  const within = <T>(ms: number, what: string, promise: Promise<T>): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
    });
    return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
  };
  const inProcess = () => net.validators.filter((v): v is ValidatorNode => v !== undefined);

  before(async function () {
    this.timeout(240_000);
    await net.startLedger();
    await net.initChain(4, 3);
    for (let i = 0; i < 3; i++) await net.startValidator(i);
    await net.startProcessValidator(3, { HEXCOVER_TEST_SCORING_HOLD_MS: String(SCORING_HOLD_MS) });
    for (const site of SITES) await net.addHotspot(site);
  });
  after(async function () {
    this.timeout(60_000);
    await net.stop();
  });

  /** Every validator's (in-process store and the process's API) result for `epoch` once it is finalized. */
  async function expectAllAgree(epoch: number, timeoutMs: number): Promise<string> {
    await net.finalizedThrough(epoch, timeoutMs);
    const onChain = (await net.client.fetchEpoch(epoch))!;
    const finalizedRoot = hex(onChain.finalizedRoot);
    for (const [i, v] of inProcess().entries()) {
      await waitFor(() => v.results.summary(epoch)?.status === "finalized" || v.results.summary(epoch)?.status === "disagreed", `validator ${i} to compare epoch ${epoch}`, 60_000, 250);
      expect(v.results.summary(epoch)!.root, `validator ${i} root of epoch ${epoch}`).to.equal(finalizedRoot);
      expect(v.results.summary(epoch)!.status).to.equal("finalized");
    }
    await waitFor(
      async () => ["finalized", "disagreed"].includes((await net.processApi<EpochSummary>(`/epochs/${epoch}`).catch(() => undefined))?.status ?? ""),
      `the process validator to compare epoch ${epoch}`,
      90_000,
      500,
    );
    const theirs = await net.processApi<EpochSummary>(`/epochs/${epoch}`);
    expect(theirs.root, `process validator root of epoch ${epoch}`).to.equal(finalizedRoot);
    expect(theirs.status).to.equal("finalized");
    return finalizedRoot;
  }

  it("kill -9 of a validator while it scores an epoch: restarted, it has lost no accepted message and its root is the finalized one", async () => {
    const pv = net.processValidator!;
    // The node logs "scoring epoch" after reading the frozen input and before scoring; the test
    // hook holds that step open, so the kill lands mid-scoring. Wait for an epoch with hotspot traffic.
    const line = await pv.proc.waitForLine(/"epoch":([1-9]\d*),"messages":[1-9]\d*,"msg":"scoring epoch"/, 120_000);
    const epoch = Number(/"epoch":(\d+)/.exec(line)![1]);
    const status = (await net.processApi<{ ingest: { accepted: Record<string, number> } }>("/status"));
    const acceptedBeforeKill = Object.values(status.ingest.accepted).reduce((a, b) => a + b, 0);
    expect(await pv.proc.stop("SIGKILL")).to.equal(null);

    // The killed process's disk: the epoch frozen, its result not persisted (the kill was mid-scoring),
    // and every message it had accepted present.
    const storePath = join(pv.dir, "data", "messages");
    const genesisSeconds = net.genesisSeconds();
    const store = EpochStore.open({ path: storePath, genesisSeconds, epochSeconds: FAST_ROUNDS.epochSeconds });
    const results = ResultsStore.open(join(pv.dir, "data", "results"));
    let frozenDigest: string;
    let frozenCount: number;
    try {
      expect(results.summary(epoch), "the killed validator had not persisted its score").to.equal(undefined);
      const frozen = store.frozenEpoch(epoch);
      expect(frozen, `epoch ${epoch} frozen before scoring`).to.not.equal(undefined);
      frozenDigest = hex(frozen!.digest);
      frozenCount = frozen!.count;
      let stored = 0;
      for (let e = 0; e <= net.epochNow() + 1; e++) stored += store.counts(e).total;
      expect(stored, "messages on disk ≥ messages acknowledged before kill -9").to.be.at.least(acceptedBeforeKill);
    } finally {
      await store.close();
      await results.close();
    }
    // Its frozen set is the agreed one: the same as the in-process validators froze.
    await waitFor(() => inProcess().every((v) => v.store.isFrozen(epoch)), `every validator froze epoch ${epoch}`, 60_000, 250);
    for (const v of inProcess()) {
      expect(hex(v.store.frozenEpoch(epoch)!.digest)).to.equal(frozenDigest);
      expect(v.store.frozenEpoch(epoch)!.count).to.equal(frozenCount);
    }

    // Restart on the same directory (without the hold): it scores the frozen epoch again and its
    // result is the one the chain finalized.
    await net.startProcessValidator(3);
    const root = await expectAllAgree(epoch, 120_000);
    const rescored = await net.processApi<EpochSummary>(`/epochs/${epoch}`);
    expect(rescored.root).to.equal(root);
    const metrics = await (await fetch(`${pv.api}/metrics`)).text();
    expect(metrics).to.match(/hexcover_validator_disagreements_total 0/);
  });

  it("a hotspot that goes offline after its commit and a witness that goes offline after reporting: named outcomes, nothing crashes, both count again after rejoining", async () => {
    const v0 = net.validators[0]!;
    const beaconer = net.hotspots[1]!;
    const witness = net.hotspots[6]!;

    // The beaconer stops right after committing and transmitting: its reveal never goes out.
    const commit = await within(60_000, "the beaconer's next beacon", new Promise<SignedMessage<BeaconCommitMessage>>((resolve) => {
      beaconer.daemon.once("beacon", (c) => {
        void beaconer.daemon.stop();
        resolve(c);
      });
    }));
    const commitEpoch = v0.store.schedule.epochOf(commit.message.txTimeMs);
    await waitFor(() => inProcess().every((v) => v.store.has(commitEpoch, commit.id)), "the commit stored by the validators", 30_000, 100);
    await net.takeOffline(beaconer);

    // The witness reports a beacon of another hotspot, then goes offline.
    const heard = await within(60_000, "the witness to report a beacon", new Promise<Uint8Array>((resolve) => {
      const onWitness = (packet: { payload: Uint8Array }) => {
        const hash = beaconPayloadHash(packet.payload);
        if (bytesEqual(hash, commit.message.payloadHash)) return;
        witness.daemon.off("witness", onWitness);
        resolve(hash);
      };
      witness.daemon.on("witness", onWitness);
    }));
    let reportId = "";
    let reportEpoch = 0;
    await waitFor(
      () => {
        for (const e of [net.epochNow() - 1, net.epochNow()]) {
          const found = v0.store
            .messages(e)
            .find((m) => m.message.kind === "witnessReport" && bytesEqual(m.message.witness, witness.keypair.publicKey) && bytesEqual(m.message.payloadHash, heard));
          if (found) {
            reportId = hex(found.id);
            reportEpoch = e;
            return true;
          }
        }
        return false;
      },
      "the witness report stored",
      30_000,
      100,
    );
    await net.takeOffline(witness);

    // The beacon: no reveal → named outcome; every report on it judged beacon_invalid (earns nothing).
    const activityOf = (key: { address: string }) => v0.results.activity(key.address, 20);
    await waitFor(() => activityOf(beaconer.keypair).some((a) => a.messageId === hex(commit.id)), "the silent beacon scored", 90_000, 500);
    const outcome = activityOf(beaconer.keypair).find((a) => a.messageId === hex(commit.id))!;
    expect(outcome.outcome).to.equal("no_reveal");
    const scoredIn = outcome.epoch;
    const reveals = [scoredIn - 1, scoredIn].flatMap((e) => v0.store.messages(e)).filter((m) => m.message.kind === "beaconReveal" && bytesEqual(m.message.beaconId, commit.id));
    expect(reveals, "a reveal of the beacon whose hotspot went offline").to.deep.equal([]);
    const reportsOnIt = [scoredIn - 1, scoredIn].flatMap((e) =>
      v0.store.messages(e).filter((m) => m.message.kind === "witnessReport" && bytesEqual(m.message.payloadHash, commit.message.payloadHash)),
    );
    for (const report of reportsOnIt) {
      const w = net.hotspots.find((h) => report.message.kind === "witnessReport" && bytesEqual(h.keypair.publicKey, report.message.witness))!;
      const judged = activityOf(w.keypair).find((a) => a.messageId === hex(report.id));
      expect(judged?.outcome, "a report on the unrevealed beacon").to.equal("beacon_invalid");
    }

    // The offline witness's report still counts: its beacon was revealed and valid.
    await waitFor(() => activityOf(witness.keypair).some((a) => a.messageId === reportId), "the offline witness's report scored", 90_000, 500);
    const report = activityOf(witness.keypair).find((a) => a.messageId === reportId)!;
    expect(report.epoch).to.be.at.least(reportEpoch);
    expect(report.outcome).to.be.oneOf(["valid", "not_selected"]);
    const beaconOfReport = v0.store
      .messages(report.epoch - 1)
      .concat(v0.store.messages(report.epoch))
      .find((m) => m.message.kind === "beaconCommit" && bytesEqual(m.message.payloadHash, heard))!;
    const beaconOutcome = activityOf({ address: new PublicKey(beaconOfReport.signer).toBase58() }).find((a) => a.messageId === hex(beaconOfReport.id));
    expect(beaconOutcome?.outcome).to.equal("valid");

    // Nothing crashed: every validator is still scoring; the process validator is alive.
    expect(net.processValidator!.proc.child.exitCode).to.equal(null);

    // Both rejoin with the same keys; later rounds count them again.
    await net.bringOnline(beaconer);
    await net.bringOnline(witness);
    const rejoinedAt = net.epochNow();
    const later = (a: HotspotActivity) => a.epoch > rejoinedAt && a.outcome === "valid";
    await waitFor(() => activityOf(beaconer.keypair).some((a) => a.role === "beaconer" && later(a)), "a valid beacon of the rejoined hotspot", 120_000, 500);
    await waitFor(() => activityOf(witness.keypair).some((a) => a.role === "witness" && later(a)), "a valid report of the rejoined witness", 120_000, 500);
  });

  it("a 2|2 partition that outlasts the freeze time and then heals: sets differ while cut, sync reconciles them and all four finalize the same root", async () => {
    const [v0, v1, v2] = net.validators as [ValidatorNode, ValidatorNode, ValidatorNode];
    net.partition.assign(v0.host.peerId, "a");
    net.partition.assign(v1.host.peerId, "a");
    net.partition.assign(v2.host.peerId, "b");
    net.partition.assign(peerIdOf(net.processValidator!.keypair), "b");
    for (const [i, h] of net.hotspots.entries()) net.partition.assign(h.host.peerId, i < 4 ? "a" : "b");

    // Cut early in an epoch, so both sides gossip different messages for most of it.
    if (net.endOf(net.epochNow()) - Date.now() < 10_000) await sleep(net.endOf(net.epochNow()) - Date.now() + 500);
    const epoch = net.epochNow();
    await net.partition.cut();
    const idsOf = (v: ValidatorNode) => new Set(v.store.ids(epoch).map(hex));
    await waitFor(
      () => {
        const a = idsOf(v0);
        const b = idsOf(v2);
        return [...a].some((id) => !b.has(id)) && [...b].some((id) => !a.has(id));
      },
      "each side to hold messages the other lacks",
      30_000,
      250,
    );
    // Hold the cut past the freeze time: each side reconciles with its own half only, which is
    // below the quorum of 3, so neither may freeze yet.
    const freezeAt = v0.store.schedule.freezeAtMs(epoch);
    await sleep(Math.max(0, freezeAt + 6_000 - Date.now()));
    expect(v0.store.isFrozen(epoch), "a side below the quorum froze during the partition").to.equal(false);
    expect(v2.store.isFrozen(epoch), "a side below the quorum froze during the partition").to.equal(false);
    const sideA = idsOf(v0);
    const sideB = idsOf(v2);
    expect([...sideB].some((id) => !sideA.has(id))).to.equal(true);

    net.partition.heal();
    // Reconnect at once (libp2p would redial on its own, more slowly): every peer dials the validators.
    const validatorPeers = net.validatorKeys.map(peerIdOf);
    for (const host of [...inProcess().map((v) => v.host), ...net.hotspots.map((h) => h.host)]) {
      for (const peer of validatorPeers) if (!peer.equals(host.peerId)) await host.dial(peer).catch(() => {});
    }
    // After healing, the union: everything either side had, and the same root everywhere.
    const root = await expectAllAgree(epoch, 150_000);
    expect(root).to.match(/^[0-9a-f]{64}$/);
    const frozen = inProcess().map((v) => v.store.frozenEpoch(epoch)!);
    expect(new Set(frozen.map((f) => hex(f.digest))).size).to.equal(1);
    const union = idsOf(v0);
    for (const id of [...sideA, ...sideB]) expect(union.has(id), "a message from one side is missing after healing").to.equal(true);
    await expectAllAgree(epoch + 1, 90_000);
  });

  it("the ledger killed with SIGKILL while validators submit, restarted on its data dir: no acknowledged transaction lost, submissions retried, epochs finalize, claims work", async () => {
    const v0 = net.validators[0]!;
    // A claim acknowledged before the crash.
    const claimFor = async (epoch: number) => {
      const tree = v0.results.tree(epoch)!;
      const index = tree.leaves.findIndex((l) => l.cumulativeAmount > 0n);
      const leaf = tree.leaves[index]!;
      const hotspot = net.hotspots.find((h) => bytesEqual(h.keypair.publicKey, leaf.hotspot))!;
      const signature = await net.client.claim(net.admin, { epoch: BigInt(epoch), deviceKey: new PublicKey(leaf.hotspot), cumulativeAmount: leaf.cumulativeAmount, leafIndex: BigInt(index), proof: tree.proof(index) });
      return { signature, hotspot, amount: leaf.cumulativeAmount };
    };
    const lastFinalized = Number((await net.client.fetchConfig()).nextEpoch) - 1;
    await waitFor(() => v0.results.summary(lastFinalized)?.status === "finalized", `validator 0 agrees on epoch ${lastFinalized}`, 60_000, 250);
    const before = await claimFor(lastFinalized);
    net.acknowledged.push({ what: `claim for epoch ${lastFinalized}`, signature: before.signature });

    // Kill as soon as a validator's vote on the open epoch is acknowledged, while the others submit.
    // (A quorum of 3 of 4 needs at least two of the in-process validators, so one of them votes.)
    const epoch = Number((await net.client.fetchConfig()).nextEpoch);
    const voted = () => inProcess().findIndex((v) => v.results.summary(epoch)?.submission?.signature !== undefined);
    await waitFor(() => voted() >= 0, `a validator's vote on epoch ${epoch}`, 90_000, 20);
    await net.killLedger();
    const voter = voted();
    const vote = inProcess()[voter]!.results.summary(epoch)!;
    // Every vote an in-process validator had acknowledged so far, this one included.
    for (const [i, v] of inProcess().entries()) {
      for (const e of v.results.epochs()) {
        const signature = v.results.summary(e)!.submission?.signature;
        if (signature !== undefined) net.acknowledged.push({ what: `validator ${i} vote on epoch ${e}`, signature });
      }
    }
    // While it is down, web3.js logs every failed websocket reconnect ("ws error: ..."): expected here.
    const consoleError = console.error;
    console.error = (...args: unknown[]) => {
      if (typeof args[0] === "string" && args[0].startsWith("ws error")) return;
      consoleError(...args);
    };
    try {
      // Down across the next epoch's freeze: every validator fails to score or submit it and must retry.
      await sleep(Math.max(0, v0.store.schedule.freezeAtMs(epoch + 1) + 2_000 - Date.now()));
      expect(inProcess().every((v) => v.results.summary(epoch + 1)?.status !== "finalized")).to.equal(true);
      await net.startLedger();
    } finally {
      console.error = consoleError;
    }

    // Nothing acknowledged was lost: every signature the ledger returned is still known and succeeded.
    for (let i = 0; i < net.acknowledged.length; i += 200) {
      const batch = net.acknowledged.slice(i, i + 200);
      const statuses = (await net.connection.getSignatureStatuses(batch.map((a) => a.signature), { searchTransactionHistory: true })).value;
      statuses.forEach((s, j) => {
        expect(s, `${batch[j]!.what} after the ledger restart`).to.not.equal(null);
        expect(s!.err).to.equal(null);
      });
    }
    const votes = (await net.client.fetchEpoch(epoch))!.votes;
    const voterIndex = net.validators.indexOf(inProcess()[voter]);
    expect(votes.some((v) => v.validatorIndex === voterIndex && hex(v.root) === vote.root), "the acknowledged vote is on chain").to.equal(true);

    // Submissions are retried: both epochs finalize, every validator agreeing.
    await expectAllAgree(epoch, 120_000);
    await expectAllAgree(epoch + 1, 120_000);

    // Claims still work: the earlier claim's tokens are there, and a new claim pays the proven amount.
    const after = await claimFor(epoch + 1);
    const balance = await net.connection.getTokenAccountBalance((await net.client.fetchHotspot(new PublicKey(after.hotspot.keypair.publicKey)))!.rewardAccount);
    expect(BigInt(balance.value.amount)).to.equal(after.amount);
    const earlier = await net.client.fetchHotspot(new PublicKey(before.hotspot.keypair.publicKey));
    expect(earlier!.claimed >= before.amount).to.equal(true);
  });

  it("one Byzantine validator of four serving garbage sync answers and voting wrong roots: the honest three finalize the right root, it is dropped and flagged, nothing crashes", async () => {
    const [v0, v1, v2] = net.validators as [ValidatorNode, ValidatorNode, ValidatorNode];
    const MALFORMED = "ERR_SYNC_MALFORMED_MESSAGE";
    const faultsBefore = [v0, v1].map((v) => v.sync.counters.peerFaults[MALFORMED] ?? 0);
    // Validator 2 turns Byzantine: its sync server answers every request with garbage, and it
    // submits a root with a flipped byte (a valid-looking tuple: same total and leaf count).
    await v2.sync.stop();
    await v2.host.handle(SYNC_PROTOCOL, async (stream: Stream) => {
      const reader = new FrameReader(stream);
      try {
        while ((await reader.next()) !== null) await sendFrame(stream, Uint8Array.of(0x81, 0xde, 0xad, 0xbe, 0xef));
      } catch {
        stream.abort(new Error("garbage server done"));
      }
    });
    net.scorers[2]!.on = true;
    const epoch = Math.max(net.epochNow(), (v2.results.latestEpoch() ?? 0) + 1);

    await net.finalizedThrough(epoch, 120_000);
    const onChain = (await net.client.fetchEpoch(epoch))!;
    const finalizedRoot = hex(onChain.finalizedRoot);
    for (const v of [v0, v1]) {
      await waitFor(() => v.results.summary(epoch)?.status === "finalized", "honest validators agree", 60_000, 250);
      expect(v.results.summary(epoch)!.root).to.equal(finalizedRoot);
    }
    await waitFor(async () => (await net.processApi<EpochSummary>(`/epochs/${epoch}`).catch(() => undefined))?.status === "finalized", "the process validator agrees", 60_000, 500);
    expect((await net.processApi<EpochSummary>(`/epochs/${epoch}`)).root).to.equal(finalizedRoot);
    // The liar: its root differs, it is flagged as disagreeing, and any vote it got in is outvoted.
    await waitFor(() => v2.results.summary(epoch)?.status === "disagreed", "the Byzantine validator flagged", 60_000, 250);
    expect(v2.results.summary(epoch)!.root).to.not.equal(finalizedRoot);
    expect(v2.submitter.counters.disagreements).to.be.at.least(1);
    for (const vote of onChain.votes.filter((v) => v.validatorIndex === 2)) expect(hex(vote.root)).to.not.equal(finalizedRoot);
    expect(onChain.votes.filter((v) => hex(v.root) === finalizedRoot).length).to.be.at.least(3);
    // The honest ones dropped it from reconciliation for its garbage answers.
    [v0, v1].forEach((v, i) => {
      expect(v.sync.counters.peerFaults[MALFORMED] ?? 0, `validator ${i} dropped the garbage peer`).to.be.greaterThan(faultsBefore[i]!);
    });
    expect(net.processValidator!.proc.child.exitCode).to.equal(null);
  });
});
