import { expect } from "chai";
import { type EpochCoverageFeed, parseEpochCoverageFeed } from "../../coverage/index.js";
import { SF, cityFeed, keyOf } from "./fixtures.js";

const valid = (): EpochCoverageFeed => cityFeed({ epoch: 5, centre: SF, hotspots: 6, spreadDeg: 0.02, seed: 2 });

/** A deep copy edited by `edit`, as JSON would arrive from a validator. */
// biome-ignore lint/suspicious/noExplicitAny: the edits deliberately break the typed shape
function edited(edit: (feed: Record<string, any>) => void): unknown {
  const copy = JSON.parse(JSON.stringify(valid()));
  edit(copy);
  return copy;
}

function expectCode(input: unknown, code: string, field?: string): void {
  try {
    parseEpochCoverageFeed(input);
  } catch (err) {
    expect((err as { code?: string }).code, (err as Error).message).to.equal(code);
    if (field !== undefined) expect((err as Error).message).to.contain(field);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("coverage feed: the EpochCoverageFeed contract", () => {
  it("accepts a well-formed feed and returns the same content", () => {
    const feed = valid();
    expect(parseEpochCoverageFeed(JSON.parse(JSON.stringify(feed)))).to.deep.equal(feed);
  });

  it("rejects non-objects and unknown top-level fields", () => {
    expectCode(null, "ERR_INVALID_FEED", "$");
    expectCode([], "ERR_INVALID_FEED", "$");
    expectCode(edited((f) => (f.extra = 1)), "ERR_INVALID_FEED", "extra");
  });

  it("rejects an epoch or finalizedAt that is not a non-negative integer", () => {
    expectCode(edited((f) => (f.epoch = -1)), "ERR_INVALID_FEED", "epoch");
    expectCode(edited((f) => (f.epoch = 1.5)), "ERR_INVALID_FEED", "epoch");
    expectCode(edited((f) => (f.epoch = 2 ** 32)), "ERR_INVALID_FEED", "epoch");
    expectCode(edited((f) => (f.finalizedAt = "yesterday")), "ERR_INVALID_FEED", "finalizedAt");
  });

  it("rejects lists that are not arrays", () => {
    expectCode(edited((f) => (f.hotspots = {})), "ERR_INVALID_FEED", "hotspots");
    expectCode(edited((f) => delete f.beacons), "ERR_INVALID_FEED", "beacons");
    expectCode(edited((f) => (f.witnesses = "none")), "ERR_INVALID_FEED", "witnesses");
  });

  it("rejects a hotspot with a bad key, a location that is not a res-12 cell, or a non-integer gain", () => {
    expectCode(edited((f) => (f.hotspots[0].key = "not-base58-0OIl")), "ERR_INVALID_FEED", "hotspots[0].key");
    expectCode(edited((f) => (f.hotspots[0].key = "2NEpo7TZRRrLZSi2U")), "ERR_INVALID_FEED", "hotspots[0].key"); // base58, not 32 bytes
    expectCode(edited((f) => (f.hotspots[1].location = "8828308281fffff")), "ERR_INVALID_FEED", "hotspots[1].location"); // res 8
    expectCode(edited((f) => (f.hotspots[1].location = "zzz")), "ERR_INVALID_FEED", "hotspots[1].location");
    expectCode(edited((f) => (f.hotspots[2].gainDeciDbi = 3.5)), "ERR_INVALID_FEED", "hotspots[2].gainDeciDbi");
    expectCode(edited((f) => (f.hotspots[2] = 7)), "ERR_INVALID_FEED", "hotspots[2]");
  });

  it("rejects a hotspot listed twice", () => {
    expectCode(edited((f) => f.hotspots.push({ ...f.hotspots[0] })), "ERR_DUPLICATE_FEED_HOTSPOT");
  });

  it("rejects beacons and witnesses that name hotspots missing from the list", () => {
    expectCode(edited((f) => (f.beacons[0].beaconer = keyOf("stranger"))), "ERR_UNKNOWN_FEED_HOTSPOT", "beacons[0].beaconer");
    expectCode(edited((f) => (f.witnesses[0].witness = keyOf("stranger"))), "ERR_UNKNOWN_FEED_HOTSPOT", "witnesses[0].witness");
    expectCode(edited((f) => (f.witnesses[0].beaconer = 42)), "ERR_INVALID_FEED", "witnesses[0].beaconer");
    expectCode(edited((f) => (f.witnesses[0].beaconer = "bad key")), "ERR_INVALID_FEED", "witnesses[0].beaconer");
  });

  it("rejects a self witness and out-of-range radio fields", () => {
    expectCode(edited((f) => (f.witnesses[0].witness = f.witnesses[0].beaconer)), "ERR_INVALID_FEED", "witnesses[0].witness");
    expectCode(edited((f) => (f.witnesses[0].rssiDeciDbm = -40000)), "ERR_INVALID_FEED", "witnesses[0].rssiDeciDbm");
    expectCode(edited((f) => (f.witnesses[0].snrDeciDb = null)), "ERR_INVALID_FEED", "witnesses[0].snrDeciDb");
    expectCode(edited((f) => (f.witnesses[0].distanceM = -1)), "ERR_INVALID_FEED", "witnesses[0].distanceM");
    expectCode(edited((f) => (f.beacons[0].validWitnesses = -2)), "ERR_INVALID_FEED", "beacons[0].validWitnesses");
  });
});
