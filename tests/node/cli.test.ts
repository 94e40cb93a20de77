import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { SimMediumBroker } from "../../node/index.js";
import { runHexcover, spawnHexcover } from "../support/processes.js";

describe("node: hexcover hotspot CLI", function () {
  this.timeout(90_000);
  let broker: SimMediumBroker;
  before(async () => {
    broker = new SimMediumBroker();
    await broker.start();
  });
  after(() => broker.stop());

  it("init writes Solana-style keys and a config; run serves status and metrics; a restart keeps the identity", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-hotspot-"));
    const init = await runHexcover(["hotspot", "init", "--dir", dir]);
    expect(init.code, init.output).to.equal(0);
    const device = JSON.parse(await readFile(join(dir, "device.json"), "utf8")) as number[];
    expect(device).to.have.length(64);
    const config = JSON.parse(await readFile(join(dir, "hotspot.json"), "utf8")) as Record<string, unknown>;
    expect(config.radio).to.equal("sim");
    // A second init keeps the existing keys.
    const again = await runHexcover(["hotspot", "init", "--dir", dir]);
    expect(again.output).to.match(/device key exists, kept/);
    expect(JSON.parse(await readFile(join(dir, "device.json"), "utf8"))).to.deep.equal(device);

    const args = ["hotspot", "run", "--dir", dir, "--sim-broker", `127.0.0.1:${broker.port}`, "--lat", "37.77", "--lng", "-122.42", "--metrics-port", "0", "--listen", "/ip4/127.0.0.1/tcp/0"];
    const peerIds: string[] = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const daemon = spawnHexcover(args);
      try {
        const line = JSON.parse(await daemon.waitForLine(/hotspot running/)) as { status: string; metrics: string; peerId: string };
        peerIds.push(line.peerId);
        const status = (await (await fetch(line.status)).json()) as { peerId: string; radio: string; counters: { beaconsSent: number } };
        expect(status.peerId).to.equal(line.peerId);
        expect(status.radio).to.equal("sim");
        expect(status.counters.beaconsSent).to.equal(0);
        const metrics = await (await fetch(line.metrics)).text();
        expect(metrics).to.match(/^hexcover_hotspot_beacons_sent_total 0$/m);
        expect(metrics).to.match(/^hexcover_peers 0$/m);
        expect(metrics).to.match(/^hexcover_gossip_publish_expired_total 0$/m);
        expect(metrics).to.match(/^hexcover_gossip_held_for_subscribers 0$/m);
        const cliStatus = await runHexcover(["hotspot", "status", "--url", line.status.replace(/\/status$/, "")]);
        expect(JSON.parse(cliStatus.output).peerId).to.equal(line.peerId);
        expect(broker.stats().radios).to.equal(1);
      } finally {
        expect(await daemon.stop("SIGINT")).to.equal(0);
      }
    }
    expect(peerIds[1]).to.equal(peerIds[0]);
  });

  it("runs with the semtech packet-forwarder radio bound to a UDP port", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-hotspot-"));
    await runHexcover(["hotspot", "init", "--dir", dir]);
    const daemon = spawnHexcover(["hotspot", "run", "--dir", dir, "--radio", "semtech", "--semtech-bind", "127.0.0.1:0", "--metrics-port", "0", "--listen", "/ip4/127.0.0.1/tcp/0"]);
    try {
      const line = JSON.parse(await daemon.waitForLine(/hotspot running/)) as { status: string };
      const status = (await (await fetch(line.status)).json()) as { radio: string };
      expect(status.radio).to.equal("semtech");
    } finally {
      expect(await daemon.stop("SIGTERM")).to.equal(0);
    }
  });

  it("fails with a usage error (exit 2) on bad flags, an unknown radio or a missing position", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-hotspot-"));
    await runHexcover(["hotspot", "init", "--dir", dir]);
    const cases: Array<[string[], RegExp]> = [
      [["hotspot", "run", "--dir", dir, "--no-such-flag"], /Unknown option/],
      [["hotspot", "run", "--dir", dir, "--radio", "carrier-pigeon"], /unknown --radio/],
      [["hotspot", "run", "--dir", dir, "--radio", "sim"], /needs --lat and --lng/],
      [["hotspot", "run", "--dir", dir, "--lat", "99", "--lng", "0"], /--lat must be a number in \[-90, 90\]/],
      [["hotspot", "frobnicate"], /unknown hotspot command/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runHexcover(args);
      expect(result.code, args.join(" ")).to.equal(2);
      expect(result.output).to.match(pattern);
    }
    const missingKey = await runHexcover(["hotspot", "run", "--dir", join(dir, "absent"), "--lat", "1", "--lng", "1"]);
    expect(missingKey.code).to.equal(1);
    expect(missingKey.output).to.match(/invalid keypair: cannot read/);
  });
});
