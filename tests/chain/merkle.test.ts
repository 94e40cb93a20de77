import { createHash, randomBytes } from "node:crypto";
import { expect } from "chai";
import fc from "fast-check";
import { leafHash, MerkleInputError, nodeHash, RewardMerkleTree, rootFromProof } from "../../chain/merkle.js";

const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const key = (byte: number) => new Uint8Array(32).fill(byte);

describe("chain: cumulative-rewards Merkle tree", () => {
  it("hashes leaves and nodes with their domain prefixes (worked example)", () => {
    const amount = Buffer.alloc(8);
    amount.writeBigUInt64LE(1_000n);
    expect(leafHash(key(1), 1_000n)).to.deep.equal(sha(Uint8Array.of(0), key(1), amount));
    expect(nodeHash(key(2), key(3))).to.deep.equal(sha(Uint8Array.of(1), key(2), key(3)));
  });

  it("builds the documented shape for three leaves: the odd leaf is promoted unchanged", () => {
    // Given out of order; sorted by key: 1, 2, 3.
    const tree = new RewardMerkleTree([
      { hotspot: key(3), cumulativeAmount: 30n },
      { hotspot: key(1), cumulativeAmount: 10n },
      { hotspot: key(2), cumulativeAmount: 20n },
    ]);
    const [l1, l2, l3] = [leafHash(key(1), 10n), leafHash(key(2), 20n), leafHash(key(3), 30n)];
    expect(tree.root).to.deep.equal(nodeHash(nodeHash(l1, l2), l3));
    expect(tree.proof(2)).to.deep.equal([nodeHash(l1, l2)]);
    expect(tree.proof(0)).to.deep.equal([l2, l3]);
    expect(tree.indexOf(key(3))).to.equal(2);
  });

  it("proves every leaf of random trees, and rejects wrong amounts, indices and proofs", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, pick) => {
        const leaves = Array.from({ length: n }, (_, i) => ({ hotspot: new Uint8Array(randomBytes(32)), cumulativeAmount: BigInt(i * 7 + 1) }));
        const tree = new RewardMerkleTree(leaves);
        const i = pick % n;
        const leaf = tree.leaves[i]!;
        const proof = tree.proof(i);
        expect(rootFromProof(leafHash(leaf.hotspot, leaf.cumulativeAmount), i, n, proof)).to.deep.equal(tree.root);
        expect(rootFromProof(leafHash(leaf.hotspot, leaf.cumulativeAmount + 1n), i, n, proof)).not.to.deep.equal(tree.root);
        if (n > 1) {
          const other = (i + 1) % n;
          const result = rootFromProof(leafHash(leaf.hotspot, leaf.cumulativeAmount), other, n, proof);
          expect(result === undefined || Buffer.compare(result, tree.root) !== 0).to.equal(true);
          expect(rootFromProof(leafHash(leaf.hotspot, leaf.cumulativeAmount), i, n, [...proof, new Uint8Array(32)])).to.equal(undefined);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("has the all-zero root when empty and rejects duplicate keys and non-u64 amounts", () => {
    expect(new RewardMerkleTree([]).root).to.deep.equal(new Uint8Array(32));
    expect(() => new RewardMerkleTree([{ hotspot: key(1), cumulativeAmount: 1n }, { hotspot: key(1), cumulativeAmount: 2n }])).to.throw(MerkleInputError);
    expect(() => leafHash(key(1), 1n << 64n)).to.throw(MerkleInputError);
    expect(() => leafHash(key(1), -1n)).to.throw(MerkleInputError);
    expect(() => new RewardMerkleTree([{ hotspot: key(1), cumulativeAmount: 1n }]).proof(1)).to.throw(MerkleInputError);
  });
});
