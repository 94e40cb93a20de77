import { expect } from "chai";
import * as h3 from "h3-js";
import { BASE_RESOLUTION, CoverageIndex, type EpochCoverageFeed } from "../../coverage/index.js";
import { cellChildRange } from "../../geo/index.js";
import { SF, cityFeed, tempDir } from "./fixtures.js";

const city = (epoch: number, seed = 1): EpochCoverageFeed => cityFeed({ epoch, centre: SF, hotspots: 25, spreadDeg: 0.06, seed });
const quiet = (epoch: number): EpochCoverageFeed => ({ epoch, finalizedAt: epoch, hotspots: [], beacons: [], witnesses: [] });

describe("coverage index: LMDB snapshots", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let index: CoverageIndex;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await index?.close();
    await dir.remove();
  });

  it("indexes a feed and answers cell lookups at every resolution from 8 to 4", async () => {
    index = CoverageIndex.open({ dataDir: dir.path });
    const summary = await index.ingest(city(1));
    expect(summary.epoch).to.equal(1);
    expect(summary.hotspots).to.equal(25);
    expect(Object.keys(summary.cellsByResolution)).to.have.members(["4", "5", "6", "7", "8"]);
    const location = city(1).hotspots[0]!.location;
    for (let res = 8; res >= 4; res--) {
      const cell = h3.cellToParent(location, res);
      const record = index.getCell(1, BigInt(`0x${cell}`));
      expect(record?.cell).to.equal(cell);
      expect(record?.activeHotspots).to.be.greaterThan(0);
    }
    expect(index.getHotspot(city(1).hotspots[0]!.key)?.location).to.equal(location);
  });

  it("stores cells so that the descendants of a cell at one resolution are one contiguous, sorted key range", async () => {
    index = CoverageIndex.open({ dataDir: dir.path });
    await index.ingest(city(1));
    const parent = h3.cellToParent(city(1).hotspots[0]!.location, 5);
    const range = cellChildRange(parent, BASE_RESOLUTION);
    const scanned = [...index.scan(1, range.firstU64, range.lastU64)].map((r) => r.cell);
    const expected = [...index.scan(1, 0n, (1n << 64n) - 2n)]
      .filter((r) => r.resolution === BASE_RESOLUTION && h3.cellToParent(r.cell, 5) === parent)
      .map((r) => r.cell);
    expect(scanned).to.deep.equal(expected);
    expect(scanned.length).to.be.greaterThan(1);
    const sorted = [...scanned].sort((a, b) => (BigInt(`0x${a}`) < BigInt(`0x${b}`) ? -1 : 1));
    expect(scanned).to.deep.equal(sorted);
    // Resuming after a cell continues with the next one.
    const resumed = [...index.scan(1, range.firstU64, range.lastU64, BigInt(`0x${scanned[0]}`))].map((r) => r.cell);
    expect(resumed).to.deep.equal(scanned.slice(1));
  });

  it("rejects an epoch that is not newer than the latest with EpochOutOfOrderError and keeps the index unchanged", async () => {
    index = CoverageIndex.open({ dataDir: dir.path });
    await index.ingest(city(4));
    for (const epoch of [4, 3]) {
      try {
        await index.ingest(city(epoch));
        expect.fail("expected ERR_EPOCH_OUT_OF_ORDER");
      } catch (err) {
        expect((err as { code?: string }).code).to.equal("ERR_EPOCH_OUT_OF_ORDER");
      }
    }
    expect(index.epochs().map((e) => e.epoch)).to.deep.equal([4]);
  });

  it("rejects an invalid feed before writing anything", async () => {
    index = CoverageIndex.open({ dataDir: dir.path });
    try {
      await index.ingest({ ...city(1), epoch: -3 });
      expect.fail("expected ERR_INVALID_FEED");
    } catch (err) {
      expect((err as { code?: string }).code).to.equal("ERR_INVALID_FEED");
    }
    expect(index.latestEpoch()).to.equal(null);
    await index.ingest(city(1)); // the queue keeps working after a failed ingest
    expect(index.latestEpoch()).to.equal(1);
  });

  it("keeps only the last retainEpochs snapshots and deletes the cells of older ones", async () => {
    index = CoverageIndex.open({ dataDir: dir.path, retainEpochs: 2, windowEpochs: 1 });
    for (const epoch of [1, 2, 3]) await index.ingest(city(epoch, epoch));
    expect(index.epochs().map((e) => e.epoch)).to.deep.equal([2, 3]);
    expect([...index.scan(1, 0n, (1n << 64n) - 2n)]).to.have.length(0);
    expect([...index.scan(2, 0n, (1n << 64n) - 2n)].length).to.be.greaterThan(0);
    try {
      index.resolveEpoch(1);
      expect.fail("expected ERR_EPOCH_NOT_FOUND");
    } catch (err) {
      expect((err as { code?: string }).code).to.equal("ERR_EPOCH_NOT_FOUND");
      expect((err as Error).message).to.contain("2..3");
    }
  });

  it("merges the last windowEpochs feeds into each snapshot, so a quiet epoch keeps the map until the window passes", async () => {
    index = CoverageIndex.open({ dataDir: dir.path, windowEpochs: 2 });
    await index.ingest(city(1));
    await index.ingest(quiet(2));
    await index.ingest(quiet(3));
    const [one, two, three] = index.epochs();
    expect(one!.validWitnesses).to.equal(city(1).witnesses.length);
    expect(two!.validWitnesses).to.equal(city(1).witnesses.length);
    expect(two!.windowFromEpoch).to.equal(1);
    expect(three!.validWitnesses).to.equal(0);
    expect(three!.cellsByResolution["8"] ?? 0).to.equal(0);
    // The older snapshot is still there for the epoch selector.
    const location = city(1).hotspots[0]!.location;
    expect(index.getCell(2, BigInt(`0x${h3.cellToParent(location, 8)}`))?.lastSeenEpoch).to.equal(1);
  });

  it("survives a restart: a reopened index serves the same snapshots and continues after the latest epoch", async () => {
    index = CoverageIndex.open({ dataDir: dir.path, windowEpochs: 2 });
    await index.ingest(city(1));
    const before = index.epochs();
    await index.close();
    index = CoverageIndex.open({ dataDir: dir.path, windowEpochs: 2 });
    expect(index.epochs()).to.deep.equal(before);
    const summary = await index.ingest(quiet(2));
    expect(summary.validWitnesses).to.equal(city(1).witnesses.length); // the window came from disk
  });

  it("keeps a hotspot's last active epoch when later windows list it without activity", async () => {
    index = CoverageIndex.open({ dataDir: dir.path, windowEpochs: 1 });
    const first = city(1);
    await index.ingest(first);
    const silent = { epoch: 2, finalizedAt: 2, hotspots: first.hotspots, beacons: [], witnesses: [] };
    await index.ingest(silent);
    const record = index.getHotspot(first.hotspots[0]!.key)!;
    expect(record.snapshotEpoch).to.equal(2);
    expect(record.active).to.equal(false);
    expect(record.lastActiveEpoch).to.equal(1);
    expect(index.epochs().at(-1)!.activeHotspots).to.equal(0);
    expect(index.epochs().at(-1)!.cellsByResolution["8"] ?? 0).to.equal(0);
  });

  it("rejects nonsensical options with a typed error", () => {
    for (const bad of [{ retainEpochs: 0 }, { windowEpochs: 1.5 }, { retainEpochs: -4 }]) {
      try {
        CoverageIndex.open({ dataDir: dir.path, ...bad });
        expect.fail("expected ERR_INVALID_INDEX_OPTIONS");
      } catch (err) {
        expect((err as { code?: string }).code).to.equal("ERR_INVALID_INDEX_OPTIONS");
      }
    }
    index = CoverageIndex.open({ dataDir: dir.path });
  });
});
