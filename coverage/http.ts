/**
 * The coverage HTTP server (node:http, no framework): the JSON/GeoJSON API under /v1 (docs/API.md,
 * docs/openapi.yaml) and the offline web map at / (coverage/web, Leaflet and Natural Earth
 * countries from npm, served from node_modules). Read-only; CORS open; every parameter is validated
 * before the index is touched; any failure becomes a JSON error, never a crash.
 */
import { readFileSync, readdirSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as h3 from "h3-js";
import {
  BASE_RESOLUTION,
  DEFAULT_HTTP_HOST,
  DEFAULT_HTTP_PORT,
  DEFAULT_PAGE_LIMIT,
  MAX_PAGE_LIMIT,
  MAX_URL_LENGTH,
  MIN_INDEX_RESOLUTION,
} from "./constants.js";
import {
  BadRequestError,
  CellNotFoundError,
  CoverageError,
  HotspotNotFoundError,
  InvalidHotspotKeyParamError,
  InvalidResolutionParamError,
  MethodNotAllowedError,
  RouteNotFoundError,
  UnknownParamError,
} from "./errors.js";
import {
  checkBboxSize,
  parseBbox,
  parseCursor,
  parseEpochSelector,
  parseIndexedCell,
  parseLimit,
  parseResolution,
  queryBbox,
  queryBboxFeatures,
} from "./query.js";
import type { CellRecord } from "./snapshot.js";
import type { CoverageIndex, EpochSummary } from "./store.js";
import { cellChildRange } from "../geo/index.js";
import { decodeAddress } from "../protocol/index.js";

export interface CoverageServerOptions {
  readonly index: CoverageIndex;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 8088; 0 picks a free port. */
  readonly port?: number;
  /** Serve the web map at / (default true). */
  readonly web?: boolean;
  /** Called for unexpected (500) errors; default writes to stderr. */
  readonly onError?: (err: unknown) => void;
}

interface Reply {
  status: number;
  type: string;
  body: Buffer | string;
  headers?: Record<string, string>;
}

const JSON_TYPE = "application/json; charset=utf-8";
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]}");
const GEOJSON_TYPE = "application/geo+json; charset=utf-8";
/** Everything the map needs comes from this server: the CSP makes any other origin fail loudly. */
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
const CORS_HEADERS: Record<string, string> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD, OPTIONS",
  "access-control-allow-headers": "content-type",
  "access-control-max-age": "86400",
};
/** Snapshots of a named epoch never change (until dropped); "latest" moves with every epoch. */
const IMMUTABLE_CACHE = "public, max-age=3600";
const LATEST_CACHE = "no-cache";

const MIME: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".yaml": "application/yaml; charset=utf-8",
};

function mimeOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return MIME[path.slice(dot)] ?? "application/octet-stream";
}

/** The static files, read once at start: a fixed whitelist, so no path ever reaches the filesystem. */
function loadStaticFiles(): Map<string, Reply> {
  const here = dirname(fileURLToPath(import.meta.url));
  const require = createRequire(import.meta.url);
  const leafletDist = dirname(require.resolve("leaflet/dist/leaflet.js"));
  const topojson = require.resolve("topojson-client/dist/topojson-client.min.js");
  const atlas = dirname(require.resolve("world-atlas/countries-50m.json"));
  const files: Array<[string, string]> = [
    ["/", join(here, "web", "index.html")],
    ["/app.js", join(here, "web", "app.js")],
    ["/style.css", join(here, "web", "style.css")],
    ["/vendor/leaflet/leaflet.js", join(leafletDist, "leaflet.js")],
    ["/vendor/leaflet/leaflet.css", join(leafletDist, "leaflet.css")],
    ["/vendor/topojson-client.min.js", topojson],
    ["/basemap/countries-110m.json", join(atlas, "countries-110m.json")],
    ["/basemap/countries-50m.json", join(atlas, "countries-50m.json")],
    ["/basemap/countries-10m.json", join(atlas, "countries-10m.json")],
    ["/v1/openapi.yaml", join(here, "..", "docs", "openapi.yaml")],
  ];
  for (const name of readdirSync(join(leafletDist, "images"))) files.push([`/vendor/leaflet/images/${name}`, join(leafletDist, "images", name)]);
  const out = new Map<string, Reply>();
  for (const [route, path] of files) {
    let body: Buffer;
    try {
      body = readFileSync(path);
    } catch {
      continue; // e.g. docs/ missing in a trimmed deployment: that route is simply a 404
    }
    const headers: Record<string, string> = { "cache-control": "public, max-age=300" };
    if (route === "/") headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
    out.set(route, { status: 200, type: mimeOf(path), body, headers });
  }
  return out;
}

/** A cell record as the API shows it (histogram as objects, plus the snapshot it came from). */
export function cellView(record: CellRecord, summary: EpochSummary) {
  const { rssiHistogram, scoreSum: _scoreSum, ...rest } = record;
  const [lat, lng] = h3.cellToLatLng(record.cell);
  const histogram: Array<{ dbm: number; count: number }> = [];
  for (let i = 0; i + 1 < rssiHistogram.length; i += 2) histogram.push({ dbm: rssiHistogram[i]!, count: rssiHistogram[i + 1]! });
  return { ...rest, centre: { lat, lng }, rssiHistogram: histogram, epoch: summary.epoch, windowFromEpoch: summary.windowFromEpoch };
}

type Query = Map<string, string>;

function parseQuery(search: string, allowed: readonly string[]): Query {
  const query: Query = new Map();
  for (const [name, value] of new URLSearchParams(search)) {
    if (!allowed.includes(name)) throw new UnknownParamError(name, allowed);
    if (query.has(name)) throw new BadRequestError(`query parameter ${JSON.stringify(name)} given more than once`);
    query.set(name, value);
  }
  return query;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequestError("malformed percent-encoding in the path");
  }
}

export class CoverageServer {
  readonly #index: CoverageIndex;
  readonly #host: string;
  readonly #port: number;
  readonly #onError: (err: unknown) => void;
  readonly #static: Map<string, Reply>;
  #server: Server | null = null;
  #url = "";

  constructor(options: CoverageServerOptions) {
    this.#index = options.index;
    this.#host = options.host ?? DEFAULT_HTTP_HOST;
    this.#port = options.port ?? DEFAULT_HTTP_PORT;
    this.#onError = options.onError ?? ((err) => console.error("coverage http: unexpected error", err));
    this.#static = options.web === false ? new Map() : loadStaticFiles();
  }

  /** Base URL once started, e.g. http://127.0.0.1:8088. */
  get url(): string {
    return this.#url;
  }

  async start(): Promise<string> {
    if (this.#server !== null) return this.#url;
    const server = createServer((req, res) => this.#handle(req, res));
    // Malformed HTTP never reaches the handler: answer with the same JSON error shape as every
    // other 4xx (431 for headers over node's limit, 400 otherwise) and close instead of throwing.
    server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) {
        socket.destroy();
        return;
      }
      const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
      const body = JSON.stringify({
        error: tooLarge
          ? { code: "ERR_HEADERS_TOO_LARGE", message: "request line and headers exceed the server's limit" }
          : { code: "ERR_BAD_REQUEST", message: "malformed HTTP request" },
      });
      const status = tooLarge ? "431 Request Header Fields Too Large" : "400 Bad Request";
      socket.end(
        `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: ${JSON_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, this.#host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.#server = server;
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.#url = `http://${host}:${address.port}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    let reply: Reply;
    try {
      reply = this.#route(req);
    } catch (err) {
      if (err instanceof CoverageError) reply = errorReply(err.status, err.code, err.message);
      else {
        this.#onError(err);
        reply = errorReply(500, "ERR_INTERNAL", "internal error");
      }
    }
    try {
      const body = typeof reply.body === "string" ? Buffer.from(reply.body) : reply.body;
      res.writeHead(reply.status, {
        ...CORS_HEADERS,
        "content-type": reply.type,
        "content-length": String(body.length),
        "x-content-type-options": "nosniff",
        ...reply.headers,
      });
      res.end(req.method === "HEAD" ? undefined : body);
    } catch (err) {
      this.#onError(err);
      res.destroy();
    }
  }

  #route(req: IncomingMessage): Reply {
    const method = req.method ?? "GET";
    if (method === "OPTIONS") return { status: 204, type: "text/plain", body: "" };
    if (method !== "GET" && method !== "HEAD") throw new MethodNotAllowedError(method);
    const raw = req.url ?? "/";
    if (raw.length > MAX_URL_LENGTH) throw new BadRequestError(`URL longer than ${MAX_URL_LENGTH} characters`);
    const q = raw.indexOf("?");
    const path = q === -1 ? raw : raw.slice(0, q);
    const search = q === -1 ? "" : raw.slice(q + 1);
    const file = this.#static.get(path);
    if (file !== undefined) return file;
    const parts = path.split("/").filter((p) => p.length > 0).map(decodeSegment);
    if (parts[0] !== "v1") throw new RouteNotFoundError(path);
    const [, resource, id, sub, ...extra] = parts;
    if (extra.length > 0) throw new RouteNotFoundError(path);
    switch (resource) {
      case "cells":
        if (id === undefined) break;
        if (sub === undefined) return this.#cell(id, parseQuery(search, ["epoch"]));
        if (sub === "children") return this.#children(id, parseQuery(search, ["epoch", "res"]));
        break;
      case "coverage":
        if (id === undefined) return this.#coverage(parseQuery(search, ["bbox", "res", "epoch", "limit", "cursor"]));
        break;
      case "hotspots":
        if (id === undefined) return this.#hotspotsInBbox(parseQuery(search, ["bbox", "epoch", "limit", "cursor"]));
        if (sub === undefined) return this.#hotspot(id, parseQuery(search, []));
        break;
      case "stats":
        if (id === undefined) return this.#stats(parseQuery(search, []));
        break;
      case "epochs":
        if (id === undefined) return this.#epochs(parseQuery(search, []));
        break;
    }
    throw new RouteNotFoundError(path);
  }

  #cell(id: string, query: Query): Reply {
    const cell = parseIndexedCell(id);
    const selector = parseEpochSelector(query.get("epoch"));
    const summary = this.#index.resolveEpoch(selector);
    const record = this.#index.getCell(summary.epoch, BigInt(`0x${cell}`));
    if (record === undefined) throw new CellNotFoundError(cell, summary.epoch);
    return json(cellView(record, summary), selector);
  }

  #children(id: string, query: Query): Reply {
    const cell = parseIndexedCell(id);
    const own = h3.getResolution(cell);
    if (own >= BASE_RESOLUTION) {
      throw new InvalidResolutionParamError(`cell ${cell} is at the base resolution ${BASE_RESOLUTION}: the index holds no finer cells`);
    }
    const resText = query.get("res");
    const res = resText === undefined ? own + 1 : parseResolution(resText, own + 1, BASE_RESOLUTION);
    const selector = parseEpochSelector(query.get("epoch"));
    const summary = this.#index.resolveEpoch(selector);
    const range = cellChildRange(cell, res);
    const children = [...this.#index.scan(summary.epoch, range.firstU64, range.lastU64)].map((r) => cellView(r, summary));
    return json({ cell, resolution: res, epoch: summary.epoch, count: children.length, children }, selector);
  }

  #coverage(query: Query): Reply {
    const bbox = parseBbox(query.get("bbox"));
    const resText = query.get("res");
    const res = resText === undefined ? BASE_RESOLUTION : parseResolution(resText, MIN_INDEX_RESOLUTION, BASE_RESOLUTION);
    checkBboxSize(bbox, res);
    const limit = parseLimit(query.get("limit"), DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
    const after = parseCursor(query.get("cursor"), res);
    const selector = parseEpochSelector(query.get("epoch"));
    const summary = this.#index.resolveEpoch(selector);
    const page = queryBboxFeatures(this.#index, summary.epoch, bbox, res, limit, after);
    // The features are stored serialized; only the envelope is built here.
    const head = JSON.stringify({ type: "FeatureCollection", epoch: summary.epoch, resolution: res, limit, next: page.next });
    const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"features":[`)];
    page.features.forEach((feature, i) => {
      if (i > 0) parts.push(COMMA);
      parts.push(feature);
    });
    parts.push(CLOSE);
    return { status: 200, type: GEOJSON_TYPE, body: Buffer.concat(parts), headers: cacheHeaders(selector) };
  }

  #hotspotsInBbox(query: Query): Reply {
    const bbox = parseBbox(query.get("bbox"));
    checkBboxSize(bbox, BASE_RESOLUTION);
    const limit = parseLimit(query.get("limit"), DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT);
    const after = parseCursor(query.get("cursor"), BASE_RESOLUTION);
    const selector = parseEpochSelector(query.get("epoch"));
    const summary = this.#index.resolveEpoch(selector);
    // Paginated by base cell: a page holds the located hotspots of up to `limit` occupied cells.
    const page = queryBbox(this.#index, summary.epoch, bbox, BASE_RESOLUTION, limit, after, (r) => r.activeHotspots > 0);
    const features = page.records.flatMap((record) =>
      record.locatedHotspots.map((h) => {
        const [lat, lng] = h3.cellToLatLng(h.location);
        return {
          type: "Feature",
          geometry: { type: "Point", coordinates: [lng, lat] },
          properties: { key: h.key, location: h.location, cell: record.cell, cellScore: record.score },
        };
      }),
    );
    const body = { type: "FeatureCollection", epoch: summary.epoch, limit, next: page.next, features };
    return { ...json(body, selector), type: GEOJSON_TYPE };
  }

  #hotspot(id: string, _query: Query): Reply {
    try {
      decodeAddress(id);
    } catch {
      throw new InvalidHotspotKeyParamError(id);
    }
    const record = this.#index.getHotspot(id);
    if (record === undefined) throw new HotspotNotFoundError(id);
    return json(record, "latest");
  }

  #stats(_query: Query): Reply {
    const epochs = this.#index.epochs();
    const latest = epochs[epochs.length - 1] ?? null;
    return json(
      {
        latestEpoch: latest?.epoch ?? null,
        retainedEpochs: epochs.map((e) => e.epoch),
        retainEpochs: this.#index.retainEpochs,
        windowEpochs: this.#index.windowEpochs,
        baseResolution: BASE_RESOLUTION,
        minResolution: MIN_INDEX_RESOLUTION,
        hotspotsKnown: this.#index.hotspotCount(),
        latest,
      },
      "latest",
    );
  }

  #epochs(_query: Query): Reply {
    const epochs = this.#index.epochs();
    return json({ latest: epochs[epochs.length - 1]?.epoch ?? null, epochs: [...epochs].reverse() }, "latest");
  }
}

function cacheHeaders(selector: number | "latest"): Record<string, string> {
  return { "cache-control": selector === "latest" ? LATEST_CACHE : IMMUTABLE_CACHE };
}

function json(body: unknown, selector: number | "latest"): Reply {
  return { status: 200, type: JSON_TYPE, body: JSON.stringify(body), headers: cacheHeaders(selector) };
}

function errorReply(status: number, code: string, message: string): Reply {
  return { status, type: JSON_TYPE, body: JSON.stringify({ error: { code, message } }), headers: { "cache-control": "no-store" } };
}
