/**
 * JSON output with exact u64 values. Solana RPC sends u64 fields (lamports, rent epoch, slots)
 * as bare JSON numbers; JSON.stringify cannot emit a bigint, and converting to a double would
 * round values above 2^53 (rentEpoch u64::MAX, for one). Clients that parse big numbers exactly
 * (@solana/kit) then see the true value.
 */
export function stringifyJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join("");
}

function write(value: unknown, out: string[]): void {
  switch (typeof value) {
    case "bigint":
      out.push(value.toString());
      return;
    case "number":
      out.push(Number.isFinite(value) ? String(value) : "null");
      return;
    case "string":
      out.push(JSON.stringify(value));
      return;
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "object":
      break;
    default:
      // undefined, functions and symbols: as JSON.stringify does inside arrays.
      out.push("null");
      return;
  }
  if (value === null) {
    out.push("null");
    return;
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      write(item, out);
    });
    out.push("]");
    return;
  }
  out.push("{");
  let first = true;
  for (const [key, item] of Object.entries(value)) {
    // Like JSON.stringify: properties holding undefined are left out.
    if (item === undefined) continue;
    if (!first) out.push(",");
    first = false;
    out.push(JSON.stringify(key), ":");
    write(item, out);
  }
  out.push("}");
}
