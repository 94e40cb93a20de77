/**
 * WifiRadio: beacons as Wi-Fi SSIDs. Receiving = scanning for SSIDs that carry a payload
 * (wifi-ssid.ts); transmitting = setting this hotspot's own access point's SSID through a
 * configurable command (e.g. hostapd_cli), run with execFile — never a shell.
 *
 * Scanning uses node-wifi (which runs `nmcli ... device wifi list`) by default, or our own
 * nmcli parser ("nmcli", robust to escaped colons in foreign SSIDs), or an injected function.
 */
import { execFile } from "node:child_process";
import { RadioEvents, validatePacket, validateTxPower } from "./common.js";
import {
  WIFI_BEACON_MAX_PAYLOAD_BYTES,
  WIFI_DATA_RATE,
  WIFI_DEFAULT_SCAN_INTERVAL_MS,
  WIFI_NOISE_FLOOR_DBM,
  WIFI_SCAN_TIMEOUT_MS,
  WIFI_SEEN_MAX_ENTRIES,
  WIFI_SEEN_TTL_MS,
  WIFI_TX_COMMAND_TIMEOUT_MS,
} from "./constants.js";
import {
  asRadioError,
  InvalidTransmitParameterError,
  RadioError,
  RadioNotStartedError,
  WifiScanEntryError,
  WifiScanFailedError,
  WifiTxCommandError,
  WifiTxTemplateError,
} from "./errors.js";
import {
  nmcliScanArgs,
  nmSignalPercentToDbm,
  parseNmcliScan,
  type WifiScanEntry,
  wifiChannelToFrequencyMhz,
} from "./nmcli.js";
import type { DropHandler, Radio, ReceiveHandler, TransmitRequest } from "./types.js";
import { decodeBeaconSsid, encodeBeaconSsid, isBeaconSsid } from "./wifi-ssid.js";

export type WifiScanner = () => Promise<WifiScanEntry[]>;

/** Placeholders a transmit command template may use, substituted inside each argument. */
export const WIFI_TX_PLACEHOLDERS = ["{ssid}", "{txPowerDbm}", "{txPowerMbm}", "{frequencyMhz}", "{channel}"] as const;

export interface WifiRadioOptions {
  /**
   * Transmit command: steps run in order with execFile, each an argv array with placeholders,
   * e.g. [["hostapd_cli", "-i", "wlan1", "set", "ssid", "{ssid}"], ["hostapd_cli", "-i", "wlan1", "reload"]].
   * At least one step must use {ssid}. Omit for a receive-only radio.
   */
  txCommand?: readonly (readonly string[])[];
  /** "node-wifi" (default), "nmcli" (our parser), or a function returning scan entries. */
  scanner?: "node-wifi" | "nmcli" | WifiScanner;
  /** Interface to scan on (node-wifi's and nmcli's `ifname`); default: all. */
  iface?: string;
  /** Path of the nmcli binary for the "nmcli" scanner; default "nmcli" from PATH. */
  nmcliPath?: string;
  /** nmcli --rescan for the "nmcli" scanner: "auto" (default) lets NetworkManager reuse a recent scan. */
  rescan?: "auto" | "yes" | "no";
  scanIntervalMs?: number;
  /** Scan on a timer after start() (default true); false leaves scanning to scanOnce(). */
  autoScan?: boolean;
  /** Clock for rxTimeMs and the seen-SSID memory. */
  now?: () => number;
  onDrop?: DropHandler;
}

export class WifiRadio implements Radio {
  readonly kind = "wifi" as const;
  readonly maxPayloadBytes = WIFI_BEACON_MAX_PAYLOAD_BYTES;
  private readonly options: WifiRadioOptions;
  private readonly events: RadioEvents;
  private readonly now: () => number;
  /** `${bssid} ${ssid}` -> when first reported; a beacon is reported once while it stays on air. */
  private readonly seen = new Map<string, number>();
  private scanner: WifiScanner | undefined;
  private started = false;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<number> | undefined;
  /** The SSID we put on air last, so our own beacon heard by our own scan is not a reception. */
  private ownSsid: string | undefined;

  constructor(options: WifiRadioOptions = {}) {
    this.options = options;
    this.events = new RadioEvents(options.onDrop);
    this.now = options.now ?? Date.now;
    if (options.txCommand !== undefined) checkTemplate(options.txCommand);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.scanner = await this.makeScanner();
    this.started = true;
    if (this.options.autoScan ?? true) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight?.catch(() => undefined);
  }

  onReceive(handler: ReceiveHandler): () => void {
    return this.events.onReceive(handler);
  }

  stats(): { received: number; dropped: Record<string, number> } {
    return this.events.stats();
  }

  /**
   * Runs one scan and reports every beacon SSID not reported within WIFI_SEEN_TTL_MS; resolves
   * with the number reported. A failed scan is counted as a drop and resolves with 0.
   */
  scanOnce(): Promise<number> {
    if (!this.started || this.scanner === undefined) return Promise.reject(new RadioNotStartedError(this.kind));
    const scanner = this.scanner;
    const run = (this.inFlight ?? Promise.resolve(0)).catch(() => 0).then(() => this.scanAndReport(scanner));
    this.inFlight = run;
    return run;
  }

  async transmit(request: TransmitRequest): Promise<void> {
    validatePacket(request, this.kind, this.maxPayloadBytes, ["wifi"]);
    validateTxPower(request.txPowerDbm);
    if (!this.started) throw new RadioNotStartedError(this.kind);
    const template = this.options.txCommand;
    if (template === undefined) throw new WifiTxTemplateError("no txCommand configured: this Wi-Fi radio is receive-only");
    const frequencyMhz = request.frequencyHz / 1e6;
    const channel = channelOf(frequencyMhz);
    if (channel === undefined) {
      throw new InvalidTransmitParameterError("frequencyHz", `${request.frequencyHz} is not a 2.4/5 GHz Wi-Fi channel centre`);
    }
    const ssid = encodeBeaconSsid(request.payload);
    const values: Record<(typeof WIFI_TX_PLACEHOLDERS)[number], string> = {
      "{ssid}": ssid,
      "{txPowerDbm}": String(Math.round(request.txPowerDbm)),
      // iw takes mBm (hundredths of a dBm)
      "{txPowerMbm}": String(Math.round(request.txPowerDbm * 100)),
      "{frequencyMhz}": String(frequencyMhz),
      "{channel}": String(channel),
    };
    this.ownSsid = ssid;
    for (const step of template) {
      const argv = step.map((arg) => arg.replace(/\{[A-Za-z]+\}/g, (p) => values[p as keyof typeof values] ?? p));
      await run(argv);
    }
  }

  private async makeScanner(): Promise<WifiScanner> {
    const choice = this.options.scanner ?? "node-wifi";
    if (typeof choice === "function") return choice;
    if (choice === "nmcli") {
      const binary = this.options.nmcliPath ?? "nmcli";
      const args = nmcliScanArgs(this.options.iface, this.options.rescan ?? "auto");
      return async () => {
        const stdout = await new Promise<string>((resolve, reject) => {
          execFile(binary, args, { timeout: WIFI_SCAN_TIMEOUT_MS, env: { ...process.env, LC_ALL: "C.UTF-8" } }, (error, out, err) => {
            if (error) reject(new WifiScanFailedError(`${error.message} ${String(err).slice(0, 200)}`.trim()));
            else resolve(out);
          });
        });
        const { entries, errors } = parseNmcliScan(stdout);
        for (const error of errors) this.events.drop(error);
        return entries;
      };
    }
    // Loaded only when used: importing node-wifi sets LANG/LC_ALL on process.env (its src/env.js).
    const wifi = (await import("node-wifi")).default;
    wifi.init({ iface: this.options.iface ?? null });
    return async () => {
      const networks = await wifi.scan();
      // node-wifi's parser keeps nmcli's raw percentage as `quality`; see nmSignalPercentToDbm for why not signal_level.
      return networks.map((n) => ({
        ssid: n.ssid,
        bssid: n.bssid.toUpperCase(),
        channel: n.channel,
        frequencyMhz: Number.isFinite(n.frequency) ? n.frequency : 0,
        signalPercent: n.quality,
      }));
    };
  }

  private schedule(delayMs: number): void {
    if (!this.started) return;
    this.timer = setTimeout(() => {
      this.scanOnce()
        .catch(() => 0)
        .finally(() => this.schedule(this.options.scanIntervalMs ?? WIFI_DEFAULT_SCAN_INTERVAL_MS));
    }, delayMs);
  }

  private async scanAndReport(scanner: WifiScanner): Promise<number> {
    let entries: WifiScanEntry[];
    try {
      entries = await scanner();
    } catch (error) {
      this.events.drop(error instanceof RadioError ? error : new WifiScanFailedError(error instanceof Error ? error.message : String(error)));
      return 0;
    }
    const nowMs = this.now();
    this.forgetOld(nowMs);
    let reported = 0;
    for (const entry of entries) {
      if (typeof entry.ssid !== "string" || !isBeaconSsid(entry.ssid) || entry.ssid === this.ownSsid) continue;
      const key = `${entry.bssid} ${entry.ssid}`;
      if (this.seen.has(key)) continue;
      try {
        const payload = decodeBeaconSsid(entry.ssid);
        const frequencyMhz = entry.frequencyMhz > 0 ? entry.frequencyMhz : wifiChannelToFrequencyMhz(entry.channel);
        if (frequencyMhz === undefined || !Number.isInteger(frequencyMhz)) {
          throw new WifiScanEntryError(`no frequency for channel ${entry.channel}`);
        }
        if (!Number.isInteger(entry.signalPercent) || entry.signalPercent < 0 || entry.signalPercent > 100) {
          throw new WifiScanEntryError(`signal ${entry.signalPercent} is not a 0..100 percentage`);
        }
        this.remember(key, nowMs);
        const rssiDbm = nmSignalPercentToDbm(entry.signalPercent);
        this.events.emit({
          payload,
          frequencyHz: frequencyMhz * 1_000_000,
          dataRate: WIFI_DATA_RATE,
          rssiDbm,
          snrDb: rssiDbm - WIFI_NOISE_FLOOR_DBM,
          rxTimeMs: nowMs,
        });
        reported += 1;
      } catch (error) {
        this.remember(key, nowMs); // count a malformed beacon once, not on every scan
        this.events.drop(asRadioError(error));
      }
    }
    return reported;
  }

  private remember(key: string, nowMs: number): void {
    if (this.seen.size >= WIFI_SEEN_MAX_ENTRIES) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, nowMs);
  }

  private forgetOld(nowMs: number): void {
    // Map iteration is insertion order, i.e. oldest first.
    for (const [key, at] of this.seen) {
      if (nowMs - at < WIFI_SEEN_TTL_MS) break;
      this.seen.delete(key);
    }
  }
}

function channelOf(frequencyMhz: number): number | undefined {
  if (frequencyMhz === 2484) return 14;
  if (frequencyMhz >= 2412 && frequencyMhz <= 2472 && (frequencyMhz - 2407) % 5 === 0) return (frequencyMhz - 2407) / 5;
  if (frequencyMhz >= 5160 && frequencyMhz <= 5885 && (frequencyMhz - 5000) % 5 === 0) return (frequencyMhz - 5000) / 5;
  return undefined;
}

function checkTemplate(template: readonly (readonly string[])[]): void {
  if (template.length === 0) throw new WifiTxTemplateError("no steps");
  for (const step of template) {
    if (step.length === 0 || step[0] === "") throw new WifiTxTemplateError("a step has no program");
    for (const arg of step) {
      for (const placeholder of arg.match(/\{[A-Za-z]+\}/g) ?? []) {
        if (!(WIFI_TX_PLACEHOLDERS as readonly string[]).includes(placeholder)) {
          throw new WifiTxTemplateError(`unknown placeholder ${placeholder}`);
        }
      }
    }
  }
  if (!template.some((step) => step.some((arg) => arg.includes("{ssid}")))) {
    throw new WifiTxTemplateError("no step uses {ssid}");
  }
}

function run(argv: readonly string[]): Promise<void> {
  const [file, ...args] = argv as [string, ...string[]];
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: WIFI_TX_COMMAND_TIMEOUT_MS }, (error, _stdout, stderr) => {
      if (error === null) {
        resolve();
        return;
      }
      const how = error.killed ? `killed after ${WIFI_TX_COMMAND_TIMEOUT_MS} ms` : `exit ${String(error.code)}`;
      reject(new WifiTxCommandError(argv, `${how}: ${String(stderr).trim().slice(0, 200)}`));
    });
  });
}
