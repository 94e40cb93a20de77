import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyFromRaw } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { createHexcoverHost, HexcoverGossip } from "../../node/index.js";
import { Ed25519Keypair, saveKeypairFile, signMessage, type SignedMessage, witnessProof } from "../../protocol/index.js";
import { EpochStore } from "../../validator/index.js";
import { startLedgerProcess, type LedgerProcess } from "../support/ledger-process.js";
import { runHexcover, spawnHexcover } from "../support/processes.js";
import { waitFor } from "../support/wait.js";

const EPOCH_SECONDS = 600;

describe("validator: kill -9 of a validator process loses no accepted message", function () {
  this.timeout(180_000);
  let ledger: LedgerProcess;

  before(async () => {
    ledger = await startLedgerProcess();
  });
  after(async () => {
    await ledger?.proc.stop();
  });

  it("every message the validator counted as accepted is in its store after kill -9 and restart", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-crash-"));
    const admin = Ed25519Keypair.generate();
    await saveKeypairFile(join(dir, "admin.json"), admin);
    await ledger.airdrop(Keypair.fromSecretKey(admin.secretKey).publicKey, 10);
    const validatorDir = join(dir, "validator");
    expect((await runHexcover(["validator", "init", "--dir", validatorDir])).code).to.equal(0);
    const { loadKeypairFile } = await import("../../protocol/index.js");
    const identity = await loadKeypairFile(join(validatorDir, "identity.json"));
    const rpc = ["--rpc", ledger.rpcUrl, "--ws", ledger.wsUrl];
    const genesis = Math.floor(Date.now() / 1000) - 5;
    expect((await runHexcover(["admin", "init", "--admin", join(dir, "admin.json"), ...rpc, "--epoch-seconds", String(EPOCH_SECONDS), "--genesis", String(genesis)])).code).to.equal(0);
    expect((await runHexcover(["admin", "set-validators", "--admin", join(dir, "admin.json"), ...rpc, "--validators", identity.address])).code).to.equal(0);

    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const args = ["validator", "run", "--dir", validatorDir, ...rpc, "--listen", `/ip4/127.0.0.1/tcp/${port}`, "--api-port", "0"];
    const validatorAddr = `/ip4/127.0.0.1/tcp/${port}/p2p/${peerIdFromPrivateKey(privateKeyFromRaw(identity.secretKey)).toString()}`;
    let proc = spawnHexcover(args);
    const ready = JSON.parse(await proc.waitForLine(/validator ready/, 60_000)) as { api: string };

    // A hotspot-like peer gossips witness reports at the validator, without pause.
    const sender = Ed25519Keypair.generate();
    const host = await createHexcoverHost({ keypair: sender, bootstrap: [validatorAddr] });
    const gossip = new HexcoverGossip(host, { publishRatePerSecond: 200 });
    gossip.start();
    const sent: SignedMessage[] = [];
    try {
      await waitFor(() => gossip.topicPeers("witnessReport") >= 1, "the validator in the witness topic", 30_000);
      const publishing = setInterval(() => {
        const payload = new Uint8Array(32).fill(sent.length & 0xff);
        const report = signMessage(
          {
            kind: "witnessReport",
            witness: sender.publicKey,
            payloadHash: new Uint8Array(32).fill((sent.length >> 8) & 0xff),
            proof: witnessProof(payload, sender.publicKey),
            rssiDeciDbm: -1000 - (sent.length % 200),
            snrDeciDb: 0,
            frequencyHz: 904_300_000,
            dataRate: 1,
            rxTimeMs: Date.now() - (sent.length % 1000),
          },
          sender,
        );
        sent.push(report);
        gossip.publish(report);
      }, 5);
      // Kill -9 while messages are arriving, once a good number were acknowledged.
      let acceptedBeforeKill = 0;
      await waitFor(
        async () => {
          const status = (await (await fetch(`${ready.api}/status`)).json()) as { ingest: { accepted: { witnessReport: number } } };
          acceptedBeforeKill = status.ingest.accepted.witnessReport;
          return acceptedBeforeKill >= 200;
        },
        "200 accepted witness reports",
        60_000,
        100,
      );
      proc.child.kill("SIGKILL");
      await new Promise((r) => proc.child.once("exit", r));
      clearInterval(publishing);

      // Restart with the same data directory, then stop it cleanly and read its store.
      proc = spawnHexcover(args);
      await proc.waitForLine(/validator ready/, 60_000);
      expect(await proc.stop("SIGTERM")).to.equal(0);
      const store = EpochStore.open({ path: join(validatorDir, "data", "messages"), genesisSeconds: genesis, epochSeconds: EPOCH_SECONDS });
      try {
        const stored = new Set(store.ids(0).map((id) => Buffer.from(id).toString("hex")));
        const storedReports = sent.filter((m) => stored.has(Buffer.from(m.id).toString("hex"))).length;
        // The validator counts a message only after its durable write: all of those survived.
        expect(storedReports).to.be.at.least(acceptedBeforeKill);
      } finally {
        await store.close();
      }
    } finally {
      gossip.stop();
      await host.stop();
      if (proc.child.exitCode === null) await proc.stop("SIGKILL");
    }
  });
});
