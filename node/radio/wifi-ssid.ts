/**
 * Beacon payloads in Wi-Fi SSIDs. An SSID is at most 32 octets and travels through scan tools
 * as text, so the payload is encoded as ASCII:
 *
 *   SSID = "HXC" + base64url(payload), unpadded     (1..21 payload bytes -> 5..31 characters, <= 32)
 *
 * base64url (RFC 4648 §5) needs no escaping in nmcli terse output (no ':' or '\'), survives
 * node-wifi's parser, and packs 6 bits per character: the 29 characters after the prefix hold
 * 21 bytes. Decoding is strict: only the canonical encoding of a byte string is accepted.
 */
import { WIFI_BEACON_MAX_PAYLOAD_BYTES, WIFI_BEACON_PREFIX, WIFI_SSID_MAX_BYTES } from "./constants.js";
import { PayloadSizeError, WifiBeaconSsidError } from "./errors.js";

const BASE64URL = /^[A-Za-z0-9_-]*$/;

/** The SSID that carries this payload. Throws PayloadSizeError outside 1..21 bytes. */
export function encodeBeaconSsid(payload: Uint8Array): string {
  if (payload.length === 0 || payload.length > WIFI_BEACON_MAX_PAYLOAD_BYTES) {
    throw new PayloadSizeError(payload.length, WIFI_BEACON_MAX_PAYLOAD_BYTES);
  }
  const ssid = WIFI_BEACON_PREFIX + Buffer.from(payload).toString("base64url");
  // Holds by construction (3 + ceil(21*4/3) = 31); kept as a guard should the constants change.
  if (Buffer.byteLength(ssid) > WIFI_SSID_MAX_BYTES) throw new PayloadSizeError(payload.length, WIFI_BEACON_MAX_PAYLOAD_BYTES);
  return ssid;
}

/** True when the SSID claims to be a beacon (starts with the prefix). */
export function isBeaconSsid(ssid: string): boolean {
  return ssid.startsWith(WIFI_BEACON_PREFIX);
}

/**
 * The payload carried by a beacon SSID. Throws WifiBeaconSsidError when the SSID has the prefix
 * but is not the canonical encoding of 1..21 bytes. Callers check isBeaconSsid first; other
 * networks' SSIDs are not errors.
 */
export function decodeBeaconSsid(ssid: string): Uint8Array {
  if (!isBeaconSsid(ssid)) throw new WifiBeaconSsidError("missing prefix");
  if (Buffer.byteLength(ssid) > WIFI_SSID_MAX_BYTES) throw new WifiBeaconSsidError(`longer than ${WIFI_SSID_MAX_BYTES} bytes`);
  const body = ssid.slice(WIFI_BEACON_PREFIX.length);
  if (!BASE64URL.test(body)) throw new WifiBeaconSsidError("characters outside base64url");
  // A length of 1 mod 4 carries only 6 bits: no byte string encodes to it.
  if (body.length === 0 || body.length % 4 === 1) throw new WifiBeaconSsidError(`impossible base64url length ${body.length}`);
  const payload = new Uint8Array(Buffer.from(body, "base64url"));
  // Non-zero unused trailing bits would let several SSIDs carry one payload; only canonical form is a beacon.
  if (Buffer.from(payload).toString("base64url") !== body) throw new WifiBeaconSsidError("non-canonical base64url");
  if (payload.length > WIFI_BEACON_MAX_PAYLOAD_BYTES) {
    throw new WifiBeaconSsidError(`${payload.length} payload bytes, more than ${WIFI_BEACON_MAX_PAYLOAD_BYTES}`);
  }
  return payload;
}
