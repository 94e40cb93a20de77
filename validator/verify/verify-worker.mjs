// Signature-verification worker for WorkerPoolVerifier (validator/verify/pool.ts).
// Plain JavaScript using only node:crypto, so a worker starts without the TypeScript loader.
//
// Request:  { jobId, count, publicKeys: Uint8Array(32 n), signatures: Uint8Array(64 n),
//             offsets: Uint32Array(n + 1), data: Uint8Array }   (buffers transferred)
// Response: { jobId, result: { code: "success", verdicts: Uint8Array(n) } |
//                            { code: "error", error: { name, code, message } } }
// verdicts[i] is 1 when signature i is a valid ed25519 signature by public key i over
// data[offsets[i] .. offsets[i + 1]], else 0. A bad key or signature is a 0, never an error.
import { createPublicKey, verify } from "node:crypto";
import { parentPort } from "node:worker_threads";

// DER prefix of an SPKI ed25519 public key (RFC 8410); node:crypto takes raw keys only wrapped.
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");
// Signers repeat (validators, busy hotspots): caching KeyObjects saves a DER parse per message.
const KEY_CACHE_LIMIT = 4096;
const keyCache = new Map();

function keyObject(publicKey) {
  const cacheKey = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString("latin1");
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    key = createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, publicKey]), format: "der", type: "spki" });
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

function verifyOne(publicKey, data, signature) {
  try {
    return verify(null, data, keyObject(publicKey), signature) ? 1 : 0;
  } catch {
    // Not every 32-byte string is a curve point; importing such a key throws.
    return 0;
  }
}

function run(job) {
  const { count, publicKeys, signatures, offsets, data } = job;
  if (!Number.isInteger(count) || count < 0 || publicKeys.length !== count * 32 || signatures.length !== count * 64 || offsets.length !== count + 1) {
    throw Object.assign(new Error("malformed verify job"), { name: "MalformedVerifyJobError", code: "ERR_MALFORMED_VERIFY_JOB" });
  }
  const verdicts = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    verdicts[i] = verifyOne(
      publicKeys.subarray(i * 32, i * 32 + 32),
      data.subarray(offsets[i], offsets[i + 1]),
      signatures.subarray(i * 64, i * 64 + 64),
    );
  }
  return verdicts;
}

parentPort.on("message", (job) => {
  let response;
  try {
    const verdicts = run(job);
    response = { jobId: job.jobId, result: { code: "success", verdicts } };
    parentPort.postMessage(response, [verdicts.buffer]);
  } catch (err) {
    const error = { name: String(err?.name ?? "Error"), code: String(err?.code ?? "ERR_VERIFY_WORKER"), message: String(err?.message ?? err) };
    parentPort.postMessage({ jobId: job?.jobId, result: { code: "error", error } });
  }
});
