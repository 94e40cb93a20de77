/**
 * Child process for the kill -9 durability test: writes entropy messages into an EpochStore as
 * fast as it can (32 puts in flight) and prints "stored <id hex>" after each put resolves, until
 * it is killed. Usage: node --import tsx crash-writer.ts <store dir> <genesis seconds> <epoch seconds>
 */
import { Ed25519Keypair, signMessage } from "../../../protocol/index.js";
import { EpochStore } from "../../../validator/store/index.js";

const [path, genesis, length] = process.argv.slice(2);
const store = EpochStore.open({ path: path!, genesisSeconds: Number(genesis), epochSeconds: Number(length) });
const keypair = Ed25519Keypair.generate();
const startMs = Number(genesis) * 1000;
const IN_FLIGHT = 32;
let seq = 0;

async function writer(): Promise<never> {
  for (;;) {
    const n = seq++;
    const signed = signMessage(
      { kind: "entropy", validator: keypair.publicKey, seq: n, timestampMs: startMs + (n % 1000), value: new Uint8Array(32).fill(n & 0xff) },
      keypair,
    );
    await store.put(signed);
    process.stdout.write(`stored ${Buffer.from(signed.id).toString("hex")}\n`);
  }
}

for (let i = 0; i < IN_FLIGHT; i++) void writer();
