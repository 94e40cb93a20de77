/**
 * Parsing of `nmcli --terse --fields <FIELDS> device wifi list` output, the scan that node-wifi
 * also runs. In terse mode nmcli separates fields with ':' and escapes ':' and '\' inside values
 * with a backslash (nmcli(1), "--escape yes" is the default), so BSSIDs appear as
 * `AA\:BB\:...` and an SSID "Café:Guest" as `Café\:Guest`.
 */
import { NmcliParseError } from "./errors.js";

/** The fields node-wifi requests, in its order; our scanner asks for the same so fixtures serve both. */
export const NMCLI_SCAN_FIELDS = [
  "active",
  "ssid",
  "bssid",
  "mode",
  "chan",
  "freq",
  "signal",
  "security",
  "wpa-flags",
  "rsn-flags",
] as const;

/** One access point seen by a scan. */
export interface WifiScanEntry {
  readonly ssid: string;
  /** Upper-case colon-separated MAC. */
  readonly bssid: string;
  readonly channel: number;
  /** Centre frequency in MHz (0 when the scan did not report it; the channel is used instead). */
  readonly frequencyMhz: number;
  /** NetworkManager's signal strength, 0..100 %. */
  readonly signalPercent: number;
}

/** argv (after "nmcli") for a scan. `rescan` is nmcli's --rescan: auto uses a recent cached scan. */
export function nmcliScanArgs(iface?: string, rescan: "auto" | "yes" | "no" = "auto"): string[] {
  const args = ["--terse", "--fields", NMCLI_SCAN_FIELDS.join(","), "device", "wifi", "list"];
  if (iface !== undefined) args.push("ifname", iface);
  args.push("--rescan", rescan);
  return args;
}

/** Splits one terse line on unescaped ':' and removes the escapes. */
export function splitNmcliTerseLine(line: string): string[] {
  const fields: string[] = [];
  let current = "";
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "\\" && i + 1 < line.length) {
      current += line[i + 1]!;
      i += 1;
    } else if (ch === ":") {
      fields.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  fields.push(current);
  return fields;
}

const BSSID = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;

/**
 * Parses a whole scan. Lines that do not fit are returned as errors (counted by the radio),
 * never thrown: one odd access point must not hide the beacons next to it.
 */
export function parseNmcliScan(stdout: string): { entries: WifiScanEntry[]; errors: NmcliParseError[] } {
  const entries: WifiScanEntry[] = [];
  const errors: NmcliParseError[] = [];
  for (const raw of stdout.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") continue;
    const fields = splitNmcliTerseLine(line);
    if (fields.length !== NMCLI_SCAN_FIELDS.length) {
      errors.push(new NmcliParseError(line, `${fields.length} fields, expected ${NMCLI_SCAN_FIELDS.length}`));
      continue;
    }
    const [, ssid, bssid, , chan, freq, signal] = fields as [string, string, string, string, string, string, string];
    const bssidUpper = bssid.toUpperCase();
    if (!BSSID.test(bssidUpper)) {
      errors.push(new NmcliParseError(line, `bssid ${JSON.stringify(bssid)}`));
      continue;
    }
    const channel = /^\d+$/.test(chan) ? Number(chan) : Number.NaN;
    const freqMatch = /^(\d+)( MHz)?$/.exec(freq);
    const signalPercent = /^\d+$/.test(signal) ? Number(signal) : Number.NaN;
    if (Number.isNaN(channel) || signalPercent > 100 || Number.isNaN(signalPercent)) {
      errors.push(new NmcliParseError(line, "channel or signal is not a number (signal 0..100)"));
      continue;
    }
    entries.push({
      // nmcli prints "--" for a hidden network in pretty mode; terse mode leaves it empty.
      ssid: ssid === "--" ? "" : ssid,
      bssid: bssidUpper,
      channel,
      frequencyMhz: freqMatch ? Number(freqMatch[1]) : 0,
      signalPercent,
    });
  }
  return { entries, errors };
}

/**
 * Inverse of NetworkManager's nl80211 mapping (nm-wifi-utils-nl80211.c, nl80211_xbm_to_percent):
 * percent = 100 - 70 * (-20 - dBm) / 70 with dBm clamped to -90..-20, i.e. percent = dBm + 120.
 * So 100 % means -20 dBm or stronger and 30 % means -90 dBm or weaker; the scan's resolution is 1 dB.
 * (node-wifi's own signal_level uses percent/2 - 100, which does not invert NetworkManager's
 * mapping and is off by up to 30 dB, so we convert from the raw percentage instead.)
 */
export function nmSignalPercentToDbm(percent: number): number {
  return percent - NM_PERCENT_TO_DBM_OFFSET;
}
const NM_PERCENT_TO_DBM_OFFSET = 120;

/** Wi-Fi channel centre frequency in MHz (IEEE 802.11 2.4 and 5 GHz bands); undefined if unknown. */
export function wifiChannelToFrequencyMhz(channel: number): number | undefined {
  if (channel >= 1 && channel <= 13) return 2407 + 5 * channel;
  if (channel === 14) return 2484; // Japan only, off the 5 MHz raster
  if (channel >= 32 && channel <= 177) return 5000 + 5 * channel;
  return undefined; // 6 GHz channel numbers overlap these; they need the scan's frequency field
}
