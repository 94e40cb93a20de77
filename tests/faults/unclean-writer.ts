/**
 * Child process for tests/faults/store-unclean.test.ts: does what a validator does to its disk,
 * as fast as it can, until it is killed with SIGKILL. Per epoch: puts messages (32 in flight),
 * freezes the epoch while puts are still racing it, bumps a durable counter and persists a
 * scored result. Prints one line per acknowledged (resolved) write:
 *   put <epoch> <id hex> | frozen <epoch> <digest hex> <count> | number <n> | score <epoch> <root hex>
 * Usage: node --import tsx unclean-writer.ts <messages dir> <results dir> <genesis s> <epoch s> <first epoch>
 */
import { randomBytes } from "node:crypto";
import { RewardMerkleTree, type RewardLeaf } from "../../chain/merkle.js";
import { Ed25519Keypair, signMessage } from "../../protocol/index.js";
import { ResultsStore } from "../../validator/results/index.js";
import { BEACON_OUTCOMES, emptyCounts, WITNESS_OUTCOMES } from "../../validator/scoring/index.js";
import { EpochStore, LateEpochError } from "../../validator/store/index.js";

const [messagesPath, resultsPath, genesis, length, first] = process.argv.slice(2);
const store = EpochStore.open({ path: messagesPath!, genesisSeconds: Number(genesis), epochSeconds: Number(length) });
const results = ResultsStore.open(resultsPath!);
const keypair = Ed25519Keypair.generate();
const IN_FLIGHT = 32;
/** Messages per epoch; the freeze starts after FREEZE_AFTER of them were acknowledged. */
const PER_EPOCH = 240;
const FREEZE_AFTER = 200;
/** Leaves per scored epoch: enough that a torn write would show in the tree. */
const LEAVES = 64;
const say = (line: string) => process.stdout.write(`${line}\n`);
let seq = 0;

async function epochRound(epoch: number): Promise<void> {
  const startMs = (Number(genesis) + epoch * Number(length)) * 1000;
  let acked = 0;
  let next = 0;
  let freezing: Promise<void> | undefined;
  const writer = async () => {
    while (next < PER_EPOCH) {
      next++;
      const n = seq++;
      const signed = signMessage({ kind: "entropy", validator: keypair.publicKey, seq: n, timestampMs: startMs + (n % 1000), value: new Uint8Array(randomBytes(32)) }, keypair);
      try {
        await store.put(signed);
      } catch (err) {
        if (err instanceof LateEpochError) continue; // lost the race with the freeze: never acknowledged
        throw err;
      }
      say(`put ${epoch} ${Buffer.from(signed.id).toString("hex")}`);
      if (++acked === FREEZE_AFTER) {
        // Freeze while the other writers still have puts in flight for this epoch.
        freezing = store.freeze(epoch).then((f) => {
          say(`frozen ${epoch} ${Buffer.from(f.digest).toString("hex")} ${f.count}`);
        });
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, writer));
  await freezing;
  await store.putNumber("unclean-counter", epoch);
  say(`number ${epoch}`);
  const cumulative: RewardLeaf[] = Array.from({ length: LEAVES }, () => ({ hotspot: new Uint8Array(randomBytes(32)), cumulativeAmount: BigInt(1 + Math.floor(Math.random() * 1e9)) }));
  const tree = new RewardMerkleTree(cumulative);
  const cumulativeTotal = cumulative.reduce((a, l) => a + l.cumulativeAmount, 0n);
  await results.putScore(
    {
      epoch,
      beaconOutcomes: emptyCounts(BEACON_OUTCOMES),
      witnessOutcomes: emptyCounts(WITNESS_OUTCOMES),
      outcomeDigest: new Uint8Array(32),
      rewards: [],
      emitted: 0n,
      cumulative: tree.leaves,
      cumulativeTotal,
      root: tree.root,
      leafCount: tree.leaves.length,
    },
    { messageCount: PER_EPOCH, activity: new Map(), coverage: { epoch } },
  );
  say(`score ${epoch} ${Buffer.from(tree.root).toString("hex")}`);
}

for (let epoch = Number(first); ; epoch++) await epochRound(epoch);
