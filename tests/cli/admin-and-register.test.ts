import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getAccount } from "@solana/spl-token";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import type { CoverageRewardsClient } from "../../chain/client/index.js";
import { RewardMerkleTree } from "../../chain/merkle.js";
import { cellFromU64 } from "../../geo/index.js";
import { Ed25519Keypair, saveKeypairFile } from "../../protocol/index.js";
import { clientFor } from "../../cli/cluster.js";
import { startLedgerProcess, type LedgerProcess } from "../support/ledger-process.js";
import { runHexcover } from "../support/processes.js";

describe("cli: admin bootstrap and hotspot registration against a hexcover ledger process", function () {
  this.timeout(120_000);
  let ledger: LedgerProcess;
  let dir: string;
  const admin = Ed25519Keypair.generate();
  const validator = Ed25519Keypair.generate();

  before(async () => {
    ledger = await startLedgerProcess();
    dir = await mkdtemp(join(tmpdir(), "hexcover-admin-"));
    await saveKeypairFile(join(dir, "admin.json"), admin);
    await ledger.airdrop(Keypair.fromSecretKey(admin.secretKey).publicKey, 10);
    await ledger.airdrop(Keypair.fromSecretKey(validator.secretKey).publicKey, 10);
  });
  after(async () => {
    await ledger?.proc.stop();
  });

  it("initializes the program, sets validators, registers a hotspot and pays a claim, all over JSON-RPC + websocket", async () => {
    const rpc = ["--rpc", ledger.rpcUrl, "--ws", ledger.wsUrl];
    const genesis = Math.floor(Date.now() / 1000) - 100;
    const init = await runHexcover(["admin", "init", "--admin", join(dir, "admin.json"), ...rpc, "--epoch-seconds", "10", "--emission", "5000", "--genesis", String(genesis)]);
    expect(init.code, init.output).to.equal(0);
    const initOut = JSON.parse(init.output.trim().split("\n").pop()!) as { mint: string };
    const set = await runHexcover(["admin", "set-validators", "--admin", join(dir, "admin.json"), ...rpc, "--validators", validator.address]);
    expect(set.code, set.output).to.equal(0);
    expect(JSON.parse(set.output.trim().split("\n").pop()!).quorum).to.equal(1);
    const show = JSON.parse((await runHexcover(["admin", "show", "--admin", join(dir, "admin.json"), ...rpc])).output) as { mint: string; quorum: number };
    expect(show.mint).to.equal(initOut.mint);

    const hotspotDir = join(dir, "hotspot");
    expect((await runHexcover(["hotspot", "init", "--dir", hotspotDir])).code).to.equal(0);
    const owner = JSON.parse(await readFile(join(hotspotDir, "owner.json"), "utf8")) as number[];
    const ownerKey = Keypair.fromSecretKey(Uint8Array.from(owner)).publicKey;
    await ledger.airdrop(ownerKey, 2);
    const register = await runHexcover(["hotspot", "register", "--dir", hotspotDir, ...rpc, "--lat", "37.7749", "--lng", "-122.4194", "--gain-dbi", "5.8"]);
    expect(register.code, register.output).to.equal(0);
    const registered = JSON.parse(register.output.trim().split("\n").pop()!) as { hotspot: string; location: string };
    const again = await runHexcover(["hotspot", "register", "--dir", hotspotDir, ...rpc, "--lat", "37.7749", "--lng", "-122.4194"]);
    expect(again.output).to.match(/already registered/);

    // The same Anchor client the validators use, over the ledger's RPC, sees the hotspot...
    const client: CoverageRewardsClient = clientFor(ledger.rpcUrl, validator, ledger.wsUrl);
    const device = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(await readFile(join(hotspotDir, "device.json"), "utf8")) as number[]));
    const hotspot = (await client.fetchHotspot(device.publicKey))!;
    expect(device.publicKey.toBase58()).to.equal(registered.hotspot);
    expect(cellFromU64(hotspot.location)).to.equal(registered.location);
    expect(hotspot.gainDeciDbi).to.equal(58);
    // ...finalizes an epoch (quorum 1) and a claim mints into the owner's token account.
    const tree = new RewardMerkleTree([{ hotspot: device.publicKey.toBytes(), cumulativeAmount: 4_000n }]);
    await client.submitEpoch(Keypair.fromSecretKey(validator.secretKey), { epoch: 0n, root: tree.root, cumulativeTotal: 4_000n, leafCount: 1n });
    expect((await client.fetchEpoch(0n))!.status).to.equal("finalized");
    await client.claim(Keypair.fromSecretKey(validator.secretKey), { epoch: 0n, deviceKey: device.publicKey, cumulativeAmount: 4_000n, leafIndex: 0n, proof: [] });
    expect((await getAccount(ledger.connection, hotspot.rewardAccount)).amount).to.equal(4_000n);
  });

  it("rejects bad admin flags with usage errors", async () => {
    const noAdmin = await runHexcover(["admin", "init", "--rpc", ledger.rpcUrl]);
    expect(noAdmin.code).to.equal(2);
    expect(noAdmin.output).to.match(/--admin <keypair.json> is required/);
    const badEmission = await runHexcover(["admin", "init", "--admin", join(dir, "admin.json"), "--rpc", ledger.rpcUrl, "--emission", "-5"]);
    expect(badEmission.code).to.equal(2);
    expect(badEmission.output).to.match(/--emission must be an unsigned 64-bit integer/);
  });
});
