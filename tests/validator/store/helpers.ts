import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Ed25519Keypair, type SignedMessage, signMessage } from "../../../protocol/index.js";

/** 2026-01-01T00:00:00Z. */
export const GENESIS_SECONDS = 1_767_225_600;
export const EPOCH_SECONDS = 3600;
export const GENESIS_MS = GENESIS_SECONDS * 1000;
export const EPOCH_MS = EPOCH_SECONDS * 1000;

/** Temporary directories removed by cleanup(). */
export class TempDirs {
  readonly #dirs: string[] = [];
  async make(prefix = "hexcover-store-"): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    this.#dirs.push(dir);
    return dir;
  }
  async cleanup(): Promise<void> {
    await Promise.all(this.#dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}


const HOTSPOTS = Array.from({ length: 4 }, () => Ed25519Keypair.generate());

/**
 * `count` valid signed messages of all four kinds, all stamped `timestampMs` + i ms (so they fall
 * in the epoch of `timestampMs` when it leaves room), entropy signed by `validator`.
 */
export function makeMessages(count: number, timestampMs: number, validator: Ed25519Keypair): SignedMessage[] {
  const out: SignedMessage[] = [];
  for (let i = 0; i < count; i++) {
    const t = timestampMs + i;
    const hotspot = HOTSPOTS[i % HOTSPOTS.length]!;
    const random = () => new Uint8Array(randomBytes(32));
    switch (i % 4) {
      case 0:
        out.push(signMessage({ kind: "entropy", validator: validator.publicKey, seq: i, timestampMs: t, value: random() }, validator));
        break;
      case 1:
        out.push(
          signMessage(
            { kind: "beaconCommit", hotspot: hotspot.publicKey, entropyId: random(), payloadHash: random(), txTimeMs: t, frequencyHz: 904_300_000, dataRate: 1, txPowerDeciDbm: 270 },
            hotspot,
          ),
        );
        break;
      case 2:
        out.push(
          signMessage(
            {
              kind: "witnessReport",
              witness: hotspot.publicKey,
              payloadHash: random(),
              proof: random(),
              rssiDeciDbm: -1000,
              snrDeciDb: 50,
              frequencyHz: 904_300_000,
              dataRate: 1,
              rxTimeMs: t,
            },
            hotspot,
          ),
        );
        break;
      default:
        out.push(
          signMessage(
            { kind: "beaconReveal", hotspot: hotspot.publicKey, beaconId: random(), nonce: new Uint8Array(randomBytes(8)), payload: random().subarray(0, 24), revealTimeMs: t },
            hotspot,
          ),
        );
    }
  }
  return out;
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}
