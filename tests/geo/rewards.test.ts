import { expect } from "chai";
import fc from "fast-check";
import {
  beaconRewardUnits,
  HIP15_REWARD_CONFIG,
  scaledBeaconRewardUnits,
  scaleRewardUnits,
  UNIT,
} from "../../geo/index.js";
import { expectGeoError } from "./helpers.js";

/**
 * Worked HIP-15 examples with N = 4, r = 0.8, by hand (units × 10^9, floored):
 * w ≤ 4: beaconer w/4, each witness 1.
 * w = 5: beaconer 2 − 0.8 = 1.2; witness (3 + 0.8)/5 = 0.76.
 * w = 6: 2 − 0.64 = 1.36; (3 + 0.64)/6 = 0.60666…
 * w = 7: 2 − 0.512 = 1.488; 3.512/7 = 0.501714285…
 * w = 8: 2 − 0.4096 = 1.5904; 3.4096/8 = 0.4262.
 * w = 14: r^10 = 0.1073741824; 2 − r^10 = 1.8926258176; 3.1073741824/14 = 0.22195529874…
 */
const HAND_EXAMPLES: ReadonlyArray<readonly [number, bigint, bigint]> = [
  [0, 0n, 0n],
  [1, 250_000_000n, 1_000_000_000n],
  [2, 500_000_000n, 1_000_000_000n],
  [3, 750_000_000n, 1_000_000_000n],
  [4, 1_000_000_000n, 1_000_000_000n],
  [5, 1_200_000_000n, 760_000_000n],
  [6, 1_360_000_000n, 606_666_666n],
  [7, 1_488_000_000n, 501_714_285n],
  [8, 1_590_400_000n, 426_200_000n],
  [14, 1_892_625_817n, 221_955_298n],
];

describe("geo rewards: HIP-15 reward units", () => {
  it("matches the hand-computed examples", () => {
    for (const [w, beaconer, perWitness] of HAND_EXAMPLES) {
      expect(beaconRewardUnits(w), `w=${w}`).to.deep.equal({ beaconer, perWitness });
    }
  });

  it("for w = 0..20 equals the exact formula with r = 4/5, floored once", () => {
    // Independent derivation: r^k = 4^k / 5^k, so every value is a ratio of small-base powers.
    for (let w = 0; w <= 20; w++) {
      const units = beaconRewardUnits(w);
      if (w === 0) {
        expect(units).to.deep.equal({ beaconer: 0n, perWitness: 0n });
      } else if (w <= 4) {
        expect(units.beaconer).to.equal((UNIT * BigInt(w)) / 4n);
        expect(units.perWitness).to.equal(UNIT);
      } else {
        const k = BigInt(w - 4);
        const num = 4n ** k;
        const den = 5n ** k;
        expect(units.beaconer, `w=${w}`).to.equal((UNIT * (2n * den - num)) / den);
        expect(units.perWitness, `w=${w}`).to.equal((UNIT * (3n * den + num)) / (BigInt(w) * den));
      }
    }
  });

  it("beaconer units grow with every extra witness and stay below 2 units", () => {
    let previous = -1n;
    for (let w = 0; w <= 60; w++) {
      const { beaconer } = beaconRewardUnits(w);
      expect(beaconer > previous, `w=${w}`).to.equal(true);
      expect(beaconer < 2n * UNIT).to.equal(true);
      previous = beaconer;
    }
  });

  it("total witness units never exceed N − 1 + r^(w−N) ≤ N and per-witness units never rise with w", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), (w) => {
        const { perWitness } = beaconRewardUnits(w);
        expect(perWitness * BigInt(w) <= 4n * UNIT).to.equal(true);
        expect(perWitness <= beaconRewardUnits(w - 1 || 1).perWitness).to.equal(true);
      }),
    );
  });

  it("with r = 1 the units stay at their w = N values beyond N; with r = 0 the beaconer jumps to 2 units", () => {
    expect(beaconRewardUnits(9, { witnessRedundancy: 4, decayPpb: 1_000_000_000 })).to.deep.equal({
      beaconer: UNIT,
      perWitness: UNIT * 4n / 9n,
    });
    expect(beaconRewardUnits(1, { witnessRedundancy: 1, decayPpb: 0 })).to.deep.equal({ beaconer: UNIT, perWitness: UNIT });
    expect(beaconRewardUnits(2, { witnessRedundancy: 1, decayPpb: 0 })).to.deep.equal({ beaconer: 2n * UNIT, perWitness: 0n });
  });

  it("density scaling floors units × ppm / 10^6", () => {
    expect(scaleRewardUnits(1_200_000_000n, 500_000)).to.equal(600_000_000n);
    expect(scaleRewardUnits(760_000_000n, 6_493)).to.equal(4_934_680n);
    expect(scaleRewardUnits(3n, 333_333)).to.equal(0n);
    expect(scaledBeaconRewardUnits(5, 1_000_000)).to.deep.equal(beaconRewardUnits(5));
    expect(scaledBeaconRewardUnits(5, 0)).to.deep.equal({ beaconer: 0n, perWitness: 0n });
    expect(HIP15_REWARD_CONFIG).to.deep.equal({ witnessRedundancy: 4, decayPpb: 800_000_000 });
  });

  describe("rejects bad input with typed errors", () => {
    it("rejects negative, fractional and unsafe witness counts", () => {
      for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) {
        expectGeoError(() => beaconRewardUnits(bad), "InvalidWitnessCountError", "ERR_INVALID_WITNESS_COUNT");
      }
    });

    it("rejects N < 1 and r outside [0, 1]", () => {
      const name = "InvalidRewardConfigError";
      const code = "ERR_INVALID_REWARD_CONFIG";
      expectGeoError(() => beaconRewardUnits(3, { witnessRedundancy: 0, decayPpb: 800_000_000 }), name, code);
      expectGeoError(() => beaconRewardUnits(3, { witnessRedundancy: 2.5, decayPpb: 800_000_000 }), name, code);
      expectGeoError(() => beaconRewardUnits(3, { witnessRedundancy: 4, decayPpb: -1 }), name, code);
      expectGeoError(() => beaconRewardUnits(3, { witnessRedundancy: 4, decayPpb: 1_000_000_001 }), name, code);
    });

    it("rejects scales outside [0, 10^6] ppm and negative units", () => {
      for (const bad of [-1, 1_000_001, 0.5]) {
        expectGeoError(() => scaleRewardUnits(10n, bad), "InvalidScaleError", "ERR_INVALID_SCALE");
      }
      expectGeoError(() => scaleRewardUnits(-1n, 10), "InvalidScaleError", "ERR_INVALID_SCALE");
    });
  });
});
