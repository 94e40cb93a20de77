import { createHash } from "node:crypto";

/**
 * The cumulative-rewards Merkle tree, byte for byte as programs/coverage-rewards/src/merkle.rs
 * verifies it (DESIGN.md §5, docs/PROGRAM.md):
 * - leaf = sha256(0x00 ‖ device key (32) ‖ cumulative amount u64 LE)
 * - node = sha256(0x01 ‖ left ‖ right)
 * - leaves sorted by device key (ascending bytes); the leaf index is the position in that order;
 * - levels are paired left to right; an odd last node is promoted unchanged (no proof element);
 * - the empty tree has the all-zero root.
 */
export const LEAF_PREFIX = 0x00;
export const NODE_PREFIX = 0x01;
export const U64_MAX = (1n << 64n) - 1n;

export class MerkleInputError extends Error {
  readonly code = "ERR_MERKLE_INPUT";
  constructor(message: string) {
    super(message);
    this.name = "MerkleInputError";
  }
}

export interface RewardLeaf {
  /** 32-byte device key of the hotspot. */
  readonly hotspot: Uint8Array;
  /** Cumulative reward through the epoch, in token base units (u64). */
  readonly cumulativeAmount: bigint;
}

export function leafHash(hotspot: Uint8Array, cumulativeAmount: bigint): Uint8Array {
  if (hotspot.length !== 32) throw new MerkleInputError("device key must be 32 bytes");
  if (cumulativeAmount < 0n || cumulativeAmount > U64_MAX) throw new MerkleInputError(`amount ${cumulativeAmount} is not a u64`);
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64LE(cumulativeAmount);
  return new Uint8Array(createHash("sha256").update(Uint8Array.of(LEAF_PREFIX)).update(hotspot).update(amount).digest());
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(Uint8Array.of(NODE_PREFIX)).update(left).update(right).digest());
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** A built tree: every level kept so proofs are O(log n) lookups. */
export class RewardMerkleTree {
  readonly leaves: readonly RewardLeaf[];
  readonly #levels: Uint8Array[][];
  readonly #indexByKey: Map<string, number>;

  /** Sorts the leaves by device key; a key appearing twice is an error. */
  constructor(leaves: Iterable<RewardLeaf>) {
    const sorted = [...leaves].sort((a, b) => compareBytes(a.hotspot, b.hotspot));
    for (let i = 1; i < sorted.length; i++) {
      if (compareBytes(sorted[i - 1]!.hotspot, sorted[i]!.hotspot) === 0) {
        throw new MerkleInputError(`duplicate leaf for hotspot ${Buffer.from(sorted[i]!.hotspot).toString("hex")}`);
      }
    }
    this.leaves = sorted;
    this.#indexByKey = new Map(sorted.map((leaf, i) => [Buffer.from(leaf.hotspot).toString("hex"), i]));
    let level = sorted.map((leaf) => leafHash(leaf.hotspot, leaf.cumulativeAmount));
    this.#levels = [level];
    while (level.length > 1) {
      const next: Uint8Array[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
      this.#levels.push(next);
      level = next;
    }
  }

  get leafCount(): number {
    return this.leaves.length;
  }

  get root(): Uint8Array {
    return this.leaves.length === 0 ? new Uint8Array(32) : this.#levels[this.#levels.length - 1]![0]!;
  }

  indexOf(hotspot: Uint8Array): number | undefined {
    return this.#indexByKey.get(Buffer.from(hotspot).toString("hex"));
  }

  /** Sibling hashes from the leaf level up; levels where the node is promoted contribute none. */
  proof(leafIndex: number): Uint8Array[] {
    if (!Number.isInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.leaves.length) {
      throw new MerkleInputError(`leaf index ${leafIndex} out of range (0..${this.leaves.length - 1})`);
    }
    const proof: Uint8Array[] = [];
    let index = leafIndex;
    for (let depth = 0; depth < this.#levels.length - 1; depth++) {
      const level = this.#levels[depth]!;
      const sibling = index ^ 1;
      if (sibling < level.length) proof.push(level[sibling]!);
      index >>= 1;
    }
    return proof;
  }
}

/** Recomputes the root from a leaf and its proof, exactly as the program's compute_root does. */
export function rootFromProof(leaf: Uint8Array, leafIndex: number, leafCount: number, proof: readonly Uint8Array[]): Uint8Array | undefined {
  if (leafIndex < 0 || leafIndex >= leafCount) return undefined;
  let node = leaf;
  let index = leafIndex;
  let width = leafCount;
  let used = 0;
  while (width > 1) {
    const hasSibling = (index & 1) === 1 || index + 1 < width;
    if (hasSibling) {
      const sibling = proof[used++];
      if (sibling === undefined) return undefined;
      node = (index & 1) === 1 ? nodeHash(sibling, node) : nodeHash(node, sibling);
    }
    index = Math.floor(index / 2);
    width = Math.ceil(width / 2);
  }
  return used === proof.length ? node : undefined;
}
