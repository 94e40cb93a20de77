/**
 * The JSON-RPC HTTP endpoint: POST a JSON-RPC request or batch to any path; GET /health answers
 * "ok" like Agave's health check. Bodies above MAX_REQUEST_BODY_BYTES get 413 before they are
 * buffered; CORS is open because browsers (the coverage map) read the chain directly.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, MAX_REQUEST_BODY_BYTES } from "./constants.js";
import type { JsonRpcDispatcher } from "./jsonrpc.js";

const CORS_HEADERS = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "POST, GET, OPTIONS",
  "access-control-allow-headers": "content-type, solana-client",
  "access-control-max-age": "86400",
};

export function createRpcHttpServer(
  dispatcher: JsonRpcDispatcher,
  onError: (err: unknown) => void,
): Server {
  const server = createServer((req, res) => {
    handle(dispatcher, req, res).catch((err: unknown) => {
      onError(err);
      if (!res.headersSent) res.writeHead(500, CORS_HEADERS);
      res.end();
    });
  });
  // Slow or stuck clients must not pin sockets forever.
  server.requestTimeout = HTTP_REQUEST_TIMEOUT_MS;
  server.headersTimeout = HTTP_HEADERS_TIMEOUT_MS;
  return server;
}

function reply(res: ServerResponse, status: number, body: string, contentType = "text/plain"): void {
  res.writeHead(status, { ...CORS_HEADERS, "content-type": contentType, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

async function handle(dispatcher: JsonRpcDispatcher, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method === "OPTIONS") {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return;
  }
  if (req.method === "GET" && (req.url === "/health" || req.url?.startsWith("/health?"))) {
    reply(res, 200, "ok");
    return;
  }
  if (req.method !== "POST") {
    reply(res, 405, "Used HTTP Method is not allowed. POST or OPTIONS is required");
    return;
  }
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > MAX_REQUEST_BODY_BYTES) {
    rejectTooLarge(req, res);
    return;
  }
  const body = await readBody(req);
  if (body === null) {
    rejectTooLarge(req, res);
    return;
  }
  const answer = await dispatcher.handleBody(body.toString("utf8"));
  if (answer === null) {
    res.writeHead(204, CORS_HEADERS);
    res.end();
    return;
  }
  reply(res, 200, answer, "application/json");
}

/** The request body, or null as soon as it exceeds MAX_REQUEST_BODY_BYTES (reading stops there). */
function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BODY_BYTES) {
        req.off("data", onData);
        req.pause();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", reject);
  });
}

function rejectTooLarge(req: IncomingMessage, res: ServerResponse): void {
  // Answer, then drop the connection so the rest of the oversized body is never read.
  res.setHeader("connection", "close");
  res.once("finish", () => req.destroy());
  reply(res, 413, `request body exceeds ${MAX_REQUEST_BODY_BYTES} bytes`);
}
