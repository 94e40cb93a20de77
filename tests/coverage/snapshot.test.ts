import { expect } from "chai";
import fc from "fast-check";
import * as h3 from "h3-js";
import {
  BASE_RESOLUTION,
  type CellRecord,
  type EpochCoverageFeed,
  MAX_COVERING_HOTSPOTS,
  MIN_INDEX_RESOLUTION,
  buildSnapshot,
  coverageScore,
  histogramMedianDbm,
  rssiBinDbm,
} from "../../coverage/index.js";
import { SF, cityFeed, hotspotOf, keyOf } from "./fixtures.js";

// Three hotspots in San Francisco, each ~2 km from the others: A beacons, B and C witness it.
const A = { label: "a", lat: 37.7749, lng: -122.4194 };
const B = { label: "b", lat: 37.7929, lng: -122.4194 };
const C = { label: "c", lat: 37.7749, lng: -122.3964 };
const baseCell = (p: { lat: number; lng: number }) => h3.latLngToCell(p.lat, p.lng, BASE_RESOLUTION);

function threeHotspotFeed(epoch: number): EpochCoverageFeed {
  return {
    epoch,
    finalizedAt: 1_000 + epoch,
    hotspots: [hotspotOf(A), hotspotOf(B), hotspotOf(C)],
    beacons: [{ beaconer: keyOf("a"), validWitnesses: 2 }],
    witnesses: [
      { beaconer: keyOf("a"), witness: keyOf("b"), rssiDeciDbm: -905, snrDeciDb: 40, distanceM: 2000 },
      { beaconer: keyOf("a"), witness: keyOf("c"), rssiDeciDbm: -1012, snrDeciDb: 20, distanceM: 2020 },
    ],
  };
}

function cellOf(snapshot: ReturnType<typeof buildSnapshot>, cell: string): CellRecord {
  const res = h3.getResolution(cell);
  const found = snapshot.cells.get(res)?.find((r) => r.cell === cell);
  if (found === undefined) throw new Error(`cell ${cell} not in snapshot`);
  return found;
}

describe("coverage snapshot: attribution, statistics and score", () => {
  it("attributes a witness report to the beaconer's cell: one valid witness, an RSSI sample and the witness as covering hotspot", () => {
    const s = buildSnapshot([threeHotspotFeed(7)]);
    const a = cellOf(s, baseCell(A));
    expect(a.validBeacons).to.equal(1);
    expect(a.validWitnesses).to.equal(2);
    expect(a.rssiSamples).to.equal(2);
    expect(a.bestRssiDeciDbm).to.equal(-905);
    expect(a.coveringHotspotCount).to.equal(2);
    expect(a.coveringHotspots.map((h) => h.key)).to.deep.equal([keyOf("b"), keyOf("c")]); // best RSSI first
    expect(a.activeHotspots).to.equal(1);
    expect(a.locatedHotspots).to.deep.equal([{ key: keyOf("a"), location: hotspotOf(A).location }]);
    expect(a.lastSeenEpoch).to.equal(7);
  });

  it("gives the witness's own cell only witnessReportsMade, not coverage evidence", () => {
    const s = buildSnapshot([threeHotspotFeed(7)]);
    const b = cellOf(s, baseCell(B));
    expect(b.witnessReportsMade).to.equal(1);
    expect(b.validWitnesses).to.equal(0);
    expect(b.rssiSamples).to.equal(0);
    expect(b.coveringHotspots).to.deep.equal([]);
    expect(b.score).to.equal(20); // presence only
  });

  it("scores presence + 10 per distinct witness + signal from the median, as documented", () => {
    // Median of [-102, -91] dBm (lower median) is -102: floor((-102 + 130) * 40 / 60) = 18.
    const s = buildSnapshot([threeHotspotFeed(7)]);
    expect(cellOf(s, baseCell(A)).medianRssiDbm).to.equal(-102);
    expect(cellOf(s, baseCell(A)).score).to.equal(20 + 20 + 18);
    expect(coverageScore({ activeHotspots: 0, distinctWitnesses: 0, medianRssiDbm: null })).to.equal(0);
    expect(coverageScore({ activeHotspots: 3, distinctWitnesses: 9, medianRssiDbm: -40 })).to.equal(100);
    expect(coverageScore({ activeHotspots: 0, distinctWitnesses: 1, medianRssiDbm: -140 })).to.equal(10);
  });

  it("bins RSSI by flooring to whole dBm and clamps to -150..0", () => {
    expect(rssiBinDbm(-905)).to.equal(-91);
    expect(rssiBinDbm(-900)).to.equal(-90);
    expect(rssiBinDbm(-3000)).to.equal(-150);
    expect(rssiBinDbm(55)).to.equal(0);
  });

  it("computes the lower median of a histogram whatever the sample order", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -150, max: 0 }), { minLength: 1, maxLength: 60 }), (samples) => {
        const counts = new Map<number, number>();
        for (const v of samples) counts.set(v, (counts.get(v) ?? 0) + 1);
        const hist = [...counts.keys()].sort((x, y) => x - y).flatMap((bin) => [bin, counts.get(bin)!]);
        const sorted = [...samples].sort((x, y) => x - y);
        expect(histogramMedianDbm(hist)).to.equal(sorted[Math.ceil(sorted.length / 2) - 1]);
      }),
      { numRuns: 200 },
    );
    expect(histogramMedianDbm([])).to.equal(null);
  });

  it("rolls every base cell up into parents at each resolution down to 4 with summed counts and mean score", () => {
    const feed = cityFeed({ epoch: 3, centre: SF, hotspots: 40, spreadDeg: 0.08, seed: 11 });
    const s = buildSnapshot([feed]);
    const base = s.cells.get(BASE_RESOLUTION)!;
    for (let res = BASE_RESOLUTION - 1; res >= MIN_INDEX_RESOLUTION; res--) {
      const parents = s.cells.get(res)!;
      expect(parents.reduce((n, r) => n + r.validWitnesses, 0)).to.equal(feed.witnesses.length);
      expect(parents.reduce((n, r) => n + r.activeHotspots, 0)).to.equal(40);
      expect(parents.reduce((n, r) => n + r.baseCells, 0)).to.equal(base.length);
      for (const p of parents) {
        const children = base.filter((b) => h3.cellToParent(b.cell, res) === p.cell);
        expect(p.baseCells).to.equal(children.length);
        expect(p.score).to.equal(Math.floor(children.reduce((n, c) => n + c.score, 0) / children.length));
        expect(p.rssiSamples).to.equal(children.reduce((n, c) => n + c.rssiSamples, 0));
        expect(p.lastSeenEpoch).to.equal(3);
      }
    }
    expect(s.cells.has(MIN_INDEX_RESOLUTION - 1)).to.equal(false);
  });

  it("is deterministic: shuffling the entries of a feed yields identical records", () => {
    const feed = cityFeed({ epoch: 4, centre: SF, hotspots: 30, spreadDeg: 0.05, seed: 5 });
    const reference = buildSnapshot([feed]);
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const shuffle = <T>(items: readonly T[]): T[] => {
          const out = [...items];
          let x = seed >>> 0;
          for (let i = out.length - 1; i > 0; i--) {
            x = (Math.imul(x, 1_103_515_245) + 12_345) >>> 0;
            const j = x % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const shuffled = { ...feed, hotspots: shuffle(feed.hotspots), beacons: shuffle(feed.beacons), witnesses: shuffle(feed.witnesses) };
        const again = buildSnapshot([shuffled]);
        expect([...again.cells.entries()]).to.deep.equal([...reference.cells.entries()]);
        expect(again.hotspots).to.deep.equal(reference.hotspots);
      }),
      { numRuns: 10 },
    );
  });

  it("bounds the covering list and keeps the exact distinct count at the base resolution", () => {
    const witnesses = Array.from({ length: 25 }, (_, i) => ({ label: `w${i}`, lat: 37.80 + i * 0.001, lng: -122.40 }));
    const feed: EpochCoverageFeed = {
      epoch: 1,
      finalizedAt: 1,
      hotspots: [hotspotOf(A), ...witnesses.map((w) => hotspotOf(w))],
      beacons: [{ beaconer: keyOf("a"), validWitnesses: 25 }],
      witnesses: witnesses.map((w, i) => ({ beaconer: keyOf("a"), witness: keyOf(w.label), rssiDeciDbm: -1000 + i, snrDeciDb: 0, distanceM: 3000 })),
    };
    const a = cellOf(buildSnapshot([feed]), baseCell(A));
    expect(a.coveringHotspotCount).to.equal(25);
    expect(a.coveringHotspots).to.have.length(MAX_COVERING_HOTSPOTS);
    expect(a.coveringHotspots[0]!.key).to.equal(keyOf("w24")); // strongest first
  });

  it("merges a window of epochs: counts add up, a moved hotspot counts where it is now, lastSeenEpoch is the newest activity", () => {
    const moved = { label: "a", lat: 37.70, lng: -122.47 };
    // Epoch 9 lists A at a new location and B, but neither beacons nor witnesses.
    const later: EpochCoverageFeed = { epoch: 9, finalizedAt: 2, hotspots: [hotspotOf(moved), hotspotOf(B)], beacons: [], witnesses: [] };
    const s = buildSnapshot([threeHotspotFeed(8), later]);
    expect(s.epoch).to.equal(9);
    expect(s.windowFromEpoch).to.equal(8);
    const oldCell = cellOf(s, baseCell(A));
    expect(oldCell.validWitnesses).to.equal(2); // proven in epoch 8 at the old location
    expect(oldCell.activeHotspots).to.equal(0);
    expect(oldCell.lastSeenEpoch).to.equal(8);
    const newCell = cellOf(s, baseCell(moved));
    expect(newCell.activeHotspots).to.equal(1); // active in the window (epoch 8), located where it is now
    expect(newCell.lastSeenEpoch).to.equal(8);
    const record = s.hotspots.find((h) => h.key === keyOf("a"))!;
    expect(record.location).to.equal(hotspotOf(moved).location);
    expect(record.validBeacons).to.equal(1);
    expect(record.witnessesOfBeacons).to.equal(2);
    expect(record.lastActiveEpoch).to.equal(8);
    expect(cellOf(s, baseCell(B)).lastSeenEpoch).to.equal(8);
  });

  it("lists a registered but silent hotspot as a record only: not active, no presence, no cell", () => {
    const silent = { label: "silent", lat: 37.60, lng: -122.30 };
    const feed = threeHotspotFeed(7);
    const s = buildSnapshot([{ ...feed, hotspots: [...feed.hotspots, hotspotOf(silent)] }]);
    const record = s.hotspots.find((h) => h.key === keyOf("silent"))!;
    expect(record.active).to.equal(false);
    expect(record.lastActiveEpoch).to.equal(null);
    expect(s.cells.get(BASE_RESOLUTION)!.some((r) => r.cell === baseCell(silent))).to.equal(false);
    expect(s.totals.hotspots).to.equal(4);
    expect(s.totals.activeHotspots).to.equal(3);
  });
});
