/**
 * The fuzz helpers themselves: a mutator that changed a value shared between cases would make
 * later cases (and later properties) depend on earlier ones and grow without bound, which is how
 * the ledger fuzz once ran out of heap in CI.
 */
import { expect } from "chai";
import fc from "fast-check";
import { hostileJsonValue, mutatedJson, RUNS, SEED, sharedNestedInstances, toJsonText } from "./support.js";

/** A shallow fingerprint: the top level of a shared instance is what an "add" would grow. */
function topLevel(v: unknown): string {
  return Array.isArray(v) ? `array of ${v.length}` : `object with keys ${Object.keys(v as object).join(",")}`;
}

describe("fuzz support: mutators never change what cases share", () => {
  it(`leaves the shared deep instances as built after ${RUNS} mutated values, and each value serializes to a bounded text`, () => {
    const template = [[1, { a: [2, "x"] }, []], { mentions: ["11111111111111111111111111111111"] }, {}];
    // Every shared instance exists once the arbitrary is defined; mutations pick them as values.
    const before = sharedNestedInstances().map(topLevel);
    expect(before.length).to.be.greaterThan(0);
    const values = fc.sample(fc.oneof(mutatedJson(template), fc.array(hostileJsonValue, { maxLength: 3 })), { numRuns: RUNS, seed: SEED });
    let largest = 0;
    for (const v of values) largest = Math.max(largest, toJsonText(v).length);
    expect(sharedNestedInstances().map(topLevel)).to.deep.equal(before);
    for (const v of sharedNestedInstances()) expect(Object.isFrozen(v)).to.equal(true);
    // Bound: the largest hostile shapes (70,000-char strings, 20,000-deep nesting) a few times over.
    expect(largest).to.be.below(1_000_000);
  });
});
