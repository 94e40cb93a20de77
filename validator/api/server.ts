import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { leafHash } from "../../chain/merkle.js";
import { decodeAddress, encodeAddress, ProtocolError } from "../../protocol/index.js";
import type { ResultsStore, SubmissionStatus } from "../results/index.js";

const STATUSES: readonly SubmissionStatus[] = ["scored", "submitted", "finalized", "disagreed"];
/** Epoch numbers are u32 in the message store (validator/store), so the API accepts the same. */
const MAX_EPOCH = 0xffff_ffff;
/**
 * Longest request target served: the longest legitimate one (/epochs/<u32>/rewards/<44-char key>)
 * is under 80 characters; 2048 matches the coverage API (coverage/constants.ts MAX_URL_LENGTH).
 */
export const MAX_API_URL_LENGTH = 2048;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

function parseEpoch(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > MAX_EPOCH) throw new HttpError(400, "ERR_BAD_EPOCH", `epoch must be an integer in [0, ${MAX_EPOCH}], got ${JSON.stringify(text.slice(0, 40))}`);
  return Number(text);
}

function parseHotspot(text: string): Uint8Array {
  try {
    return decodeAddress(decodeURIComponent(text));
  } catch (err) {
    if (err instanceof ProtocolError || err instanceof URIError) throw new HttpError(400, "ERR_BAD_HOTSPOT", `hotspot must be a base58 public key (32 bytes)`);
    throw err;
  }
}

export interface RewardsApiOptions {
  readonly results: ResultsStore;
  readonly metrics?: Registry;
  /** Extra status for GET /status (validator identity, peers, current epoch...). */
  readonly status?: () => unknown;
}

/**
 * The validator's rewards API (DESIGN.md §6): epoch summaries, cumulative amounts with Merkle
 * proofs for claims, per-hotspot recent activity, the coverage feed and Prometheus metrics.
 * Every parameter is validated before any lookup; unknown paths are 404, other methods 405.
 */
export function createRewardsApi(options: RewardsApiOptions): Server {
  const { results } = options;
  const routes: Array<[RegExp, (match: RegExpExecArray, url: URL) => unknown | Promise<unknown>]> = [
    [/^\/health$/, () => ({ ok: true })],
    [/^\/status$/, () => options.status?.() ?? {}],
    [
      /^\/epochs$/,
      (_, url) => {
        const status = url.searchParams.get("status");
        if (status !== null && !STATUSES.includes(status as SubmissionStatus)) {
          throw new HttpError(400, "ERR_BAD_STATUS", `status must be one of ${STATUSES.join(", ")}`);
        }
        const epochs = results.epochs((status ?? undefined) as SubmissionStatus | undefined);
        return { epochs: epochs.map((epoch) => ({ epoch, status: results.summary(epoch)!.status })) };
      },
    ],
    [
      /^\/epochs\/([^/]+)$/,
      (m) => {
        const epoch = parseEpoch(m[1]!);
        const summary = results.summary(epoch);
        if (summary === undefined) throw new HttpError(404, "ERR_NOT_FOUND", `epoch ${epoch} has not been scored by this validator`);
        return summary;
      },
    ],
    [
      /^\/epochs\/([^/]+)\/coverage$/,
      (m) => {
        const epoch = parseEpoch(m[1]!);
        const feed = results.coverage(epoch);
        if (feed === undefined) throw new HttpError(404, "ERR_NOT_FOUND", `no coverage for epoch ${epoch}`);
        return feed;
      },
    ],
    [
      /^\/epochs\/([^/]+)\/rewards\/([^/]+)$/,
      (m) => {
        const epoch = parseEpoch(m[1]!);
        const hotspot = parseHotspot(m[2]!);
        const summary = results.summary(epoch);
        const tree = results.tree(epoch);
        if (summary === undefined || tree === undefined) throw new HttpError(404, "ERR_NOT_FOUND", `epoch ${epoch} has not been scored by this validator`);
        const index = tree.indexOf(hotspot);
        if (index === undefined) throw new HttpError(404, "ERR_NOT_FOUND", `hotspot ${encodeAddress(hotspot)} has no rewards through epoch ${epoch}`);
        const leaf = tree.leaves[index]!;
        return {
          epoch,
          status: summary.status,
          hotspot: encodeAddress(hotspot),
          cumulativeAmount: leaf.cumulativeAmount.toString(),
          leafIndex: index,
          leafCount: tree.leafCount,
          leaf: Buffer.from(leafHash(leaf.hotspot, leaf.cumulativeAmount)).toString("hex"),
          proof: tree.proof(index).map((node) => Buffer.from(node).toString("hex")),
          root: Buffer.from(tree.root).toString("hex"),
        };
      },
    ],
    [
      /^\/hotspots\/([^/]+)$/,
      (m) => {
        const hotspot = encodeAddress(parseHotspot(m[1]!));
        return { hotspot, activity: results.activity(hotspot) };
      },
    ],
  ];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? "/";
    if (target.length > MAX_API_URL_LENGTH) throw new HttpError(414, "ERR_URL_TOO_LONG", `request target longer than ${MAX_API_URL_LENGTH} characters`);
    let url: URL;
    try {
      // WHATWG parsing: "//[" or "/\\" (a backslash is a slash) would name an invalid host.
      url = new URL(target, "http://localhost");
    } catch {
      throw new HttpError(400, "ERR_BAD_REQUEST", "the request target is not a valid URL path");
    }
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, "ERR_METHOD", "only GET is supported");
    if (url.pathname === "/metrics" && options.metrics) {
      const text = await options.metrics.metrics();
      res.writeHead(200, { "content-type": options.metrics.contentType }).end(text);
      return;
    }
    for (const [pattern, handler] of routes) {
      const match = pattern.exec(url.pathname);
      if (match === null) continue;
      const body = JSON.stringify(await handler(match, url));
      res.writeHead(200, { "content-type": "application/json", "access-control-allow-origin": "*" }).end(body);
      return;
    }
    throw new HttpError(404, "ERR_NOT_FOUND", `no route for ${url.pathname.slice(0, 100)}`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      const code = err instanceof HttpError ? err.code : "ERR_INTERNAL";
      const message = err instanceof HttpError ? err.message : "internal error";
      if (!res.headersSent) res.writeHead(status, { "content-type": "application/json", "access-control-allow-origin": "*" });
      res.end(JSON.stringify({ error: message, code }));
    });
  });
  // Malformed HTTP never reaches the handler: answer with the API's JSON error shape and close.
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
    const body = JSON.stringify(
      tooLarge ? { error: "request line and headers exceed the server's limit", code: "ERR_HEADERS_TOO_LARGE" } : { error: "malformed HTTP request", code: "ERR_BAD_REQUEST" },
    );
    const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  return server;
}

export async function listen(server: Server, port: number, host = "127.0.0.1"): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}
