/**
 * The JSON-RPC 2.0 envelope: parsing, request validation, batches, and turning any failure into
 * an error object. Nothing a client sends can make this throw: unexpected exceptions become
 * -32603 and are reported to `onInternalError`.
 */
import {
  RpcError,
  RpcInternalError,
  RpcInvalidParamsError,
  RpcInvalidRequestError,
  RpcMethodNotFoundError,
  RpcParseError,
} from "./errors.js";
import { MAX_BATCH_REQUESTS } from "./constants.js";
import { stringifyJson } from "./json.js";
import { positional } from "./params.js";
import type { RpcHandler } from "./rpc.js";

type Id = string | number | null;

export interface JsonRpcErrorBody {
  code: number;
  message: string;
  data?: unknown;
}

export type JsonRpcResponse =
  | { jsonrpc: "2.0"; result: unknown; id: Id }
  | { jsonrpc: "2.0"; error: JsonRpcErrorBody; id: Id };

export function errorResponse(error: RpcError, id: Id): JsonRpcResponse {
  const body: JsonRpcErrorBody = { code: error.rpcCode, message: error.message };
  if (error.data !== undefined) body.data = error.data;
  return { jsonrpc: "2.0", error: body, id };
}

export interface ParsedRequest {
  id: Id;
  /** Requests without an id are notifications: processed, never answered. */
  notification: boolean;
  method: string;
  params: unknown;
}

/** Validates one request object; returns the error response if it is not a valid request. */
export function validateRequest(value: unknown): ParsedRequest | JsonRpcResponse {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return errorResponse(new RpcInvalidRequestError(), null);
  }
  const request = value as Record<string, unknown>;
  const rawId = request.id;
  const idValid = rawId === undefined || rawId === null || typeof rawId === "string" || (typeof rawId === "number" && Number.isFinite(rawId));
  const id: Id = idValid && rawId !== undefined ? (rawId as Id) : null;
  if (!idValid) return errorResponse(new RpcInvalidRequestError("invalid id"), null);
  if (request.jsonrpc !== "2.0") return errorResponse(new RpcInvalidRequestError('jsonrpc must be "2.0"'), id);
  if (typeof request.method !== "string") return errorResponse(new RpcInvalidRequestError("method must be a string"), id);
  // null params are tolerated as "no params" (web3.js sends them with its "ping" notification).
  const params = request.params ?? undefined;
  if (params !== undefined && typeof params !== "object") {
    return errorResponse(new RpcInvalidRequestError("params must be an array or object"), id);
  }
  return { id, notification: !("id" in request), method: request.method, params };
}

export function isResponse(value: ParsedRequest | JsonRpcResponse): value is JsonRpcResponse {
  return "jsonrpc" in value;
}

export class JsonRpcDispatcher {
  constructor(
    private readonly methods: ReadonlyMap<string, RpcHandler>,
    private readonly onInternalError: (err: unknown, method: string) => void,
  ) {}

  /** Runs one validated request; always resolves. */
  async call(request: ParsedRequest): Promise<JsonRpcResponse> {
    const handler = this.methods.get(request.method);
    if (handler === undefined) return errorResponse(new RpcMethodNotFoundError(request.method), request.id);
    try {
      const result = await handler(positional(request.params));
      return { jsonrpc: "2.0", result: result === undefined ? null : result, id: request.id };
    } catch (err) {
      if (err instanceof RpcError) return errorResponse(err, request.id);
      this.onInternalError(err, request.method);
      return errorResponse(new RpcInternalError("Internal error"), request.id);
    }
  }

  /** Handles a raw HTTP body; returns the response text, or null when nothing is to be sent. */
  async handleBody(text: string): Promise<string | null> {
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch {
      return stringifyJson(errorResponse(new RpcParseError(), null));
    }
    if (Array.isArray(payload)) {
      if (payload.length === 0) return stringifyJson(errorResponse(new RpcInvalidRequestError("empty batch"), null));
      if (payload.length > MAX_BATCH_REQUESTS) {
        return stringifyJson(
          errorResponse(new RpcInvalidParamsError(`batch of ${payload.length} requests exceeds ${MAX_BATCH_REQUESTS}`), null),
        );
      }
      const responses: JsonRpcResponse[] = [];
      // Sequential on purpose: a batch observes its own writes in order, as on one leader.
      for (const item of payload) {
        const request = validateRequest(item);
        if (isResponse(request)) {
          responses.push(request);
          continue;
        }
        const response = await this.call(request);
        if (!request.notification) responses.push(response);
      }
      return responses.length === 0 ? null : stringifyJson(responses);
    }
    const request = validateRequest(payload);
    if (isResponse(request)) return stringifyJson(request);
    const response = await this.call(request);
    return request.notification ? null : stringifyJson(response);
  }
}
