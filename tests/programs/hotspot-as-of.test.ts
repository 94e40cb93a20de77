import { expect } from "chai";
import fc from "fast-check";
import { type HotspotHistory, hotspotAsOf } from "../../chain/client/index.js";

const REGISTERED = 1_800_000_000n;
const EPOCH = 60n;
const initial = { location: 0x8c283082800b3ffn, gainDeciDbi: 30, elevationM: 10 };
const moved = { location: 0x8cbe0e35c0521ffn, gainDeciDbi: -20, elevationM: 300 };

/** An account as register_hotspot leaves it. */
function registered(at: bigint): HotspotHistory {
  return {
    registeredAt: at,
    locationUpdatedAt: at,
    ...initial,
    previousLocation: initial.location,
    previousGainDeciDbi: initial.gainDeciDbi,
    previousElevationM: initial.elevationM,
  };
}

/** The account after update_location at `at`: the current values move to previous. */
function updated(account: HotspotHistory, at: bigint, to: typeof initial): HotspotHistory {
  return {
    ...account,
    locationUpdatedAt: at,
    ...to,
    previousLocation: account.location,
    previousGainDeciDbi: account.gainDeciDbi,
    previousElevationM: account.elevationM,
  };
}

describe("chain/client: hotspotAsOf reconstructs the registry at a past time", () => {
  it("is null before the registration and the registered values from its second on", () => {
    const account = registered(REGISTERED);
    expect(hotspotAsOf(account, REGISTERED - 1n)).to.equal(null);
    expect(hotspotAsOf(account, REGISTERED)).to.deep.equal(initial);
    expect(hotspotAsOf(account, REGISTERED + 10n * EPOCH)).to.deep.equal(initial);
  });

  it("gives the previous values before an update and the new ones from its second on", () => {
    const at = REGISTERED + 2n * EPOCH;
    const account = updated(registered(REGISTERED), at, moved);
    expect(hotspotAsOf(account, at - 1n)).to.deep.equal(initial);
    expect(hotspotAsOf(account, at)).to.deep.equal(moved);
    expect(hotspotAsOf(account, REGISTERED - 1n)).to.equal(null);
  });

  it("answers like the full update history for any read from T to T + 2 epochs", () => {
    // A random history that obeys the program's spacing rule, a time T, and a read time R in
    // [T, T + 2 epochs): the account as of R must give what the history says held at T.
    // Gaps at and near the minimum spacing, T on or next to a change, and reads at the edges of
    // the window make the boundaries likely, not just possible. The window is closed: with
    // updates at least 2 epochs apart, a second update after T lands after T + 2 epochs.
    const LAST_LAG = 2n * EPOCH;
    const gap = fc.oneof(fc.constantFrom(2n * EPOCH, 2n * EPOCH + 1n), fc.bigInt({ min: 2n * EPOCH, max: 5n * EPOCH }));
    const lag = fc.oneof(fc.constantFrom(0n, 1n, LAST_LAG), fc.bigInt({ min: 0n, max: LAST_LAG }));
    const when = fc.record({ change: fc.nat(6), delta: fc.oneof(fc.constantFrom(-1n, 0n, 1n), fc.bigInt({ min: -3n * EPOCH, max: 3n * EPOCH })) });
    fc.assert(
      fc.property(fc.array(gap, { maxLength: 6 }), when, lag, (gaps, { change, delta }, readLag) => {
        const values = [initial, moved];
        const changes: Array<{ at: bigint; value: typeof initial }> = [{ at: REGISTERED, value: initial }];
        let at = REGISTERED;
        for (const [i, g] of gaps.entries()) {
          at += g;
          changes.push({ at, value: values[(i + 1) % 2]! });
        }
        const t = changes[change % changes.length]!.at + delta;
        const readAt = t + readLag;
        let account = registered(REGISTERED);
        for (const c of changes.slice(1)) if (c.at <= readAt) account = updated(account, c.at, c.value);
        const inForce = changes.filter((c) => c.at <= t).at(-1);
        expect(hotspotAsOf(account, t)).to.deep.equal(inForce === undefined ? null : inForce.value);
      }),
      { numRuns: 3000 },
    );
  });
});
