import { createHash } from "node:crypto";

/** SHA-256 over the concatenation of the given parts. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

const encoder = new TextEncoder();

/** A domain tag: ASCII text then a zero byte, so no tag is a prefix of another tag's input. */
export function domainTag(label: string): Uint8Array {
  const text = encoder.encode(label);
  const tag = new Uint8Array(text.length + 1);
  tag.set(text, 0);
  return tag;
}
