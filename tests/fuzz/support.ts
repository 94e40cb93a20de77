/**
 * Shared pieces of the fuzz suite (tests/fuzz): the case count, byte and JSON mutators that start
 * from a valid input, a keep-alive HTTP client that sends requests concurrently and reports
 * dropped connections, and a heap probe with a forced GC.
 */
import { Agent, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";

/**
 * Cases per property: 10,000 in CI; `HEXCOVER_FUZZ_RUNS=<n>` for a long (or a quick) run.
 * Every property in tests/fuzz checks at least this many inputs.
 */
export const RUNS = (() => {
  const text = process.env.HEXCOVER_FUZZ_RUNS;
  if (text === undefined || text === "") return 10_000;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`HEXCOVER_FUZZ_RUNS must be a positive integer, got ${JSON.stringify(text)}`);
  return n;
})();

/** A large string of the kind attackers send (1 MiB would be refused by size limits anyway). */
export const HUGE_STRING_CHARS = 70_000;

/**
 * The seed of every property in this process: HEXCOVER_FUZZ_SEED, or a fresh one per run (so CI
 * keeps exploring). It is printed first, so that a run that dies without a report (a crash, an
 * abort) can still be replayed with HEXCOVER_FUZZ_SEED=<seed>.
 */
export const SEED = (() => {
  const text = process.env.HEXCOVER_FUZZ_SEED;
  if (text === undefined || text === "") return (Math.random() * 0x7fffffff) | 0;
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new Error(`HEXCOVER_FUZZ_SEED must be an integer, got ${JSON.stringify(text)}`);
  return n;
})();
process.stderr.write(`fuzz: seed ${SEED} (replay with HEXCOVER_FUZZ_SEED=${SEED})\n`);

/**
 * fast-check's own failure report stringifies the counterexample recursively, which overflows the
 * stack on the deeply nested inputs this suite sends; this reporter prints a bounded rendering.
 */
function reporter(details: fc.RunDetails<unknown>): void {
  if (!details.failed) return;
  let example: string;
  try {
    example = fc.stringify(details.counterexample).slice(0, 2_000);
  } catch {
    example = toJsonText(details.counterexample).slice(0, 2_000);
  }
  const cause = details.errorInstance as Error | undefined;
  throw new Error(
    `property failed after ${details.numRuns} runs (seed ${details.seed}, path "${details.counterexamplePath}"): ` +
      `${cause?.message ?? "unknown"}\ncounterexample (first 2000 chars): ${example}`,
    { cause },
  );
}

/**
 * No shrinking by default: counterexamples here are batches holding 70 KB strings and 20,000-level
 * nestings, and shrinking them costs minutes and gigabytes. The report gives the seed and path to
 * replay; HEXCOVER_FUZZ_SHRINK=1 shrinks anyway.
 */
const SHRINK = process.env.HEXCOVER_FUZZ_SHRINK === "1";

export function fcParams(numRuns: number): fc.Parameters<unknown> {
  return { numRuns, reporter, endOnFailure: !SHRINK, seed: SEED };
}

// ---------------------------------------------------------------- bytes

type ByteEdit =
  | { op: "xor"; at: number; mask: number }
  | { op: "set"; at: number; value: number }
  | { op: "truncate"; at: number }
  | { op: "extend"; tail: Uint8Array }
  | { op: "insert"; at: number; bytes: Uint8Array }
  | { op: "delete"; at: number; count: number }
  | { op: "duplicate"; from: number; count: number; at: number }
  | { op: "swap"; a: number; b: number; count: number }
  | { op: "fill"; at: number; count: number; value: number };

const byteEdit: fc.Arbitrary<ByteEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("xor" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }) },
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 1) }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("extend" as const), tail: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant("delete" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ op: fc.constant("duplicate" as const), from: fc.nat(), count: fc.integer({ min: 1, max: 40 }), at: fc.nat() }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat(), count: fc.integer({ min: 1, max: 32 }) }),
  fc.record({ op: fc.constant("fill" as const), at: fc.nat(), count: fc.integer({ min: 1, max: 64 }), value: fc.constantFrom(0, 0xff) }),
);

function applyByteEdit(input: Uint8Array, edit: ByteEdit): Uint8Array {
  const n = input.length;
  const pos = (at: number) => (n === 0 ? 0 : at % n);
  const out = Array.from(input);
  switch (edit.op) {
    case "xor":
      if (n > 0) out[pos(edit.at)]! ^= edit.mask;
      break;
    case "set":
      if (n > 0) out[pos(edit.at)] = edit.value;
      break;
    case "truncate":
      out.length = pos(edit.at);
      break;
    case "extend":
      out.push(...edit.tail);
      break;
    case "insert":
      out.splice(pos(edit.at), 0, ...edit.bytes);
      break;
    case "delete":
      out.splice(pos(edit.at), edit.count);
      break;
    case "duplicate":
      out.splice(pos(edit.at), 0, ...out.slice(pos(edit.from), pos(edit.from) + edit.count));
      break;
    case "swap": {
      const a = pos(edit.a);
      const b = pos(edit.b);
      const count = Math.min(edit.count, n - Math.max(a, b));
      for (let i = 0; i < count; i++) [out[a + i], out[b + i]] = [out[b + i]!, out[a + i]!];
      break;
    }
    case "fill":
      for (let i = 0; i < edit.count && pos(edit.at) + i < n; i++) out[pos(edit.at) + i] = edit.value;
      break;
  }
  return Uint8Array.from(out);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Mutations of one of `valid`: 1..6 edits (flips, truncation, extension, insertion, deletion,
 * duplicated and swapped ranges, zero/0xff fills). Never the unchanged input.
 */
export function mutatedBytes(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(fc.nat({ max: valid.length - 1 }), fc.array(byteEdit, { minLength: 1, maxLength: 6 }))
    .map(([which, edits]) => {
      const original = valid[which]!;
      return { original, bytes: edits.reduce(applyByteEdit, original) };
    })
    .filter(({ original, bytes }) => !sameBytes(original, bytes))
    .map(({ bytes }) => bytes);
}

/** Random bytes, mutated valid ones and a few pathological shapes, mixed. */
export function hostileBytes(valid: readonly Uint8Array[], maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 3, arbitrary: mutatedBytes(valid) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength }) },
    { weight: 1, arbitrary: fc.tuple(fc.nat({ max: valid.length - 1 }), fc.uint8Array({ maxLength: 16 })).map(([i, tail]) => concat(valid[i]!, tail)) },
  );
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

// ---------------------------------------------------------------- JSON

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Paths into a value, breadth first, at most 2,000 of them and 32 levels deep (inputs nest deeper). */
function pathsOf(value: unknown): Path[] {
  const out: Path[] = [];
  const queue: Array<[unknown, Path]> = [[value, []]];
  while (queue.length > 0 && out.length < 2_000) {
    const [v, path] = queue.shift()!;
    out.push(path);
    // Frozen values are shared between cases (nested()): they are leaves here, so never edited.
    if (path.length >= 32 || (v !== null && typeof v === "object" && Object.isFrozen(v))) continue;
    if (Array.isArray(v)) for (const [i, x] of v.slice(0, 50).entries()) queue.push([x, [...path, i]]);
    else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) queue.push([x, [...path, k]]);
  }
  return out;
}

/**
 * `depth` nested arrays (or objects) around a 1: parsers must not recurse without bound.
 * Every level is frozen: hostileJsonValue hands out the same instances to every case, and a
 * mutation that grew one (an "add" into it) would carry over to every later case and property;
 * in CI such a grown instance, retyped into an object, took the ledger fuzz past V8's heap limit.
 */
export function nested(depth: number, objects = depth % 2 === 1): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = Object.freeze(objects ? { a: v } : [v]);
  NESTED_TEXT.set(v as object, objects ? `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}` : `${"[".repeat(depth)}1${"]".repeat(depth)}`);
  return v;
}

/** The JSON text of each value built by nested(), so serializing it costs no deep traversal. */
const NESTED_TEXT = new WeakMap<object, string>();
const NESTED_CACHE = new Map<string, unknown>();

/** The shared deep instances handed out so far (for the check that no case mutates them). */
export function sharedNestedInstances(): unknown[] {
  return [...NESTED_CACHE.values()];
}

function nestedOnce(depth: number, objects: boolean): unknown {
  const key = `${depth}/${objects}`;
  let v = NESTED_CACHE.get(key);
  if (v === undefined) {
    v = nested(depth, objects);
    NESTED_CACHE.set(key, v);
  }
  return v;
}

/**
 * Values that break parsers: wrong types, huge and odd numbers, huge strings, deep nesting.
 * The large shapes are rare (about 1 in 30 each): they matter once per request path, and every
 * one costs tens of kilobytes to build, send and parse.
 */
export const hostileJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 40, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      -0,
      0.5,
      1e308,
      -1e308,
      2 ** 53,
      2 ** 64,
      Number.MAX_SAFE_INTEGER + 2,
      4_294_967_296,
      -2_147_483_649,
      "",
      "0",
      "-1",
      "NaN",
      "Infinity",
      "1e400",
      "latest",
      "__proto__",
      "constructor",
      "\u0000",
      "\ud800",
      "%",
      "../../etc/passwd",
      [],
      {},
    ).map((v) => structuredClone(v)), // fresh objects: a shared [] mutated in place would grow (or nest in itself) across cases
  },
  // Shared instances (built once; mutations never descend into them, see pathsOf).
  { weight: 4, arbitrary: fc.constantFrom(...[700, 1_500, 3_000, 6_000, 12_000, 20_000].flatMap((d) => [nestedOnce(d, false), nestedOnce(d, true)])) },
  { weight: 2, arbitrary: fc.constantFrom("a", "1", "\u00e9", "%41", "Z").map((c) => c.repeat(HUGE_STRING_CHARS)) },
  { weight: 2, arbitrary: fc.integer({ min: 16, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
);

type JsonEdit =
  | { op: "replace"; path: number; value: unknown }
  | { op: "delete"; path: number }
  | { op: "add"; path: number; key: string; value: unknown }
  | { op: "swap"; a: number; b: number }
  | { op: "retype"; path: number };

const jsonEdit: fc.Arbitrary<JsonEdit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant("replace" as const), path: fc.nat(), value: hostileJsonValue }) },
  fc.record({ op: fc.constant("delete" as const), path: fc.nat() }),
  fc.record({ op: fc.constant("add" as const), path: fc.nat(), key: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom("__proto__", "constructor", "x")), value: hostileJsonValue }),
  fc.record({ op: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  { weight: 2, arbitrary: fc.record({ op: fc.constant("retype" as const), path: fc.nat() }) },
);

function retype(v: unknown): unknown {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return Number.isNaN(Number(v)) ? [v] : Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v === null) return {};
  if (Array.isArray(v)) return Object.fromEntries(v.map((x, i) => [String(i), x]));
  return Object.values(v as object);
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** Returns the new root (the root itself may be replaced). */
function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  Object.defineProperty(parent, path[path.length - 1]!, { value, enumerable: true, writable: true, configurable: true });
  return root;
}

function applyJsonEdit(root: unknown, edit: JsonEdit): unknown {
  const paths = pathsOf(root);
  const at = (i: number) => paths[i % paths.length]!;
  switch (edit.op) {
    case "replace":
      return setAt(root, at(edit.path), edit.value);
    case "retype": {
      const p = at(edit.path);
      return setAt(root, p, retype(getAt(root, p)));
    }
    case "delete": {
      const p = at(edit.path);
      if (p.length === 0) return undefined;
      const parent = getAt(root, p.slice(0, -1));
      const key = p[p.length - 1]!;
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete (parent as Record<string, unknown>)[key];
      return root;
    }
    case "add": {
      const target = getAt(root, at(edit.path));
      if (Object.isFrozen(target)) return root; // a shared instance (nested()): never grow it
      if (Array.isArray(target)) target.push(edit.value);
      else if (target !== null && typeof target === "object") {
        Object.defineProperty(target, edit.key, { value: edit.value, enumerable: true, writable: true, configurable: true });
      }
      return root;
    }
    case "swap": {
      const a = at(edit.a);
      const b = at(edit.b);
      // A path inside the other would make a cycle.
      if (a.length === 0 || b.length === 0 || isPrefix(a, b) || isPrefix(b, a)) return root;
      const va = getAt(root, a);
      const vb = getAt(root, b);
      setAt(root, a, vb);
      return setAt(root, b, va);
    }
  }
}

function isPrefix(a: Path, b: Path): boolean {
  return a.length <= b.length && a.every((p, i) => p === b[i]);
}

/** 1..4 structural mutations of a deep copy of one of `valid` (JSON-compatible values). */
export function mutatedJson(valid: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.tuple(fc.nat({ max: valid.length - 1 }), fc.array(jsonEdit, { minLength: 1, maxLength: 4 })).map(([which, edits]) => {
    let root: unknown = structuredClone(valid[which]);
    for (const edit of edits) {
      if (root === undefined) break;
      root = applyJsonEdit(root, edit);
    }
    return root;
  });
}

/** Serializes a value that may be too deep for JSON.stringify's recursion (iteratively then). */
export function toJsonText(value: unknown): string {
  const out: string[] = [];
  const stack: Array<{ v: unknown } | { raw: string }> = [{ v: value }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if ("raw" in item) {
      out.push(item.raw);
      continue;
    }
    const v = item.v;
    const known = v !== null && typeof v === "object" ? NESTED_TEXT.get(v) : undefined;
    if (known !== undefined) {
      out.push(known);
    } else if (Array.isArray(v)) {
      stack.push({ raw: "]" });
      for (let i = v.length - 1; i >= 0; i--) {
        stack.push({ v: v[i] });
        if (i > 0) stack.push({ raw: "," });
      }
      stack.push({ raw: "[" });
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      stack.push({ raw: "}" });
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push({ v: entries[i]![1] });
        stack.push({ raw: `${JSON.stringify(entries[i]![0])}:` });
        if (i > 0) stack.push({ raw: "," });
      }
      stack.push({ raw: "{" });
    } else {
      out.push(v === undefined ? "null" : JSON.stringify(v));
    }
  }
  return out.join("");
}

export type { Json };

// ---------------------------------------------------------------- HTTP

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * A keep-alive HTTP/1.1 client for fuzzing real servers on 127.0.0.1: raw paths (no URL
 * normalisation, so hostile paths reach the server as sent), any method and body. A dropped
 * connection or a socket error rejects, which the properties treat as a failure.
 */
export class FuzzHttpClient {
  readonly agent = new Agent({ keepAlive: true, maxSockets: 16 });
  constructor(readonly baseUrl: string) {}

  send(path: string, init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
    const url = new URL(this.baseUrl);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: url.hostname,
          port: url.port,
          method: init.method ?? "GET",
          path,
          // An explicit length: node sends GET/HEAD bodies unframed otherwise, which the server
          // rightly reads as the start of a malformed next request.
          headers: {
            ...(init.body === undefined ? {} : { "content-type": "application/json", "content-length": String(Buffer.byteLength(init.body)) }),
            ...init.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", reject);
        },
      );
      req.on("error", (err) => reject(new Error(`connection failed for ${init.method ?? "GET"} ${path.slice(0, 200)}: ${err.message}`)));
      req.end(init.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `concurrency` in flight; rejects on the first failure. */
export async function inParallel<T>(items: readonly T[], concurrency: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  });
  await Promise.all(workers);
}

/** Characters that are legal in a request target but mean something to routers and decoders. */
export const PATH_SEGMENT: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 24 }).map(encodeURIComponent) },
  fc.constantFrom("", ".", "..", "%", "%zz", "%00", "%2e%2e", "%2F", "//", "\\", "~", "*", "?", "#", "%ff", "%c0%ae", "a%20b"),
  fc.integer({ min: 10, max: 3_000 }).map((n) => "z".repeat(n)),
  fc.stringMatching(/^[0-9a-f]{1,20}$/),
  fc.stringMatching(/^[1-9A-HJ-NP-Za-km-z]{30,60}$/),
  fc.oneof(fc.integer(), fc.double({ noNaN: false })).map((n) => encodeURIComponent(String(n))),
);

// ---------------------------------------------------------------- memory

let gcFunction: (() => void) | undefined;

/** Forces a full GC: mocha runs without --expose-gc, so the flag is set at run time. */
export function forceGc(): boolean {
  if (gcFunction === undefined) {
    try {
      const exposed = (globalThis as { gc?: () => void }).gc;
      if (exposed !== undefined) gcFunction = exposed;
      else {
        setFlagsFromString("--expose-gc");
        gcFunction = runInNewContext("gc") as () => void;
      }
    } catch {
      return false;
    }
  }
  gcFunction?.();
  gcFunction?.();
  return gcFunction !== undefined;
}

/** heapUsed after a forced GC, in bytes. */
export function heapUsedAfterGc(): number {
  forceGc();
  return process.memoryUsage().heapUsed;
}

/**
 * Heap growth a fuzz file may leave behind: 64 MiB. Everything the servers keep per request is
 * bounded (seen-id caches, LMDB outside the heap, ledger history of 5,000 transactions); 64 MiB is
 * several times the sum of those bounds at the sizes these tests use, and far below what a leak
 * of 10,000 cases × even 10 KiB (~100 MiB) would leave.
 */
export const MAX_HEAP_GROWTH_BYTES = 64 * 1024 * 1024;
