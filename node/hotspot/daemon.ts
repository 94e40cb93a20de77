import { randomBytes, randomInt } from "node:crypto";
import { EventEmitter } from "node:events";
import {
  type BeaconCommitMessage,
  beaconPayloadHash,
  bytesEqual,
  dataRateByName,
  deriveBeaconPayload,
  type Ed25519Keypair,
  type EntropyMessage,
  MAX_PAYLOAD_BYTES,
  type MessageKindName,
  MIN_PAYLOAD_BYTES,
  NONCE_BYTES,
  type SignedMessage,
  signMessage,
  witnessProof,
} from "../../protocol/index.js";
import type { HexcoverGossip } from "../p2p/index.js";
import type { Radio, ReceivedPacket } from "../radio/index.js";
import { RoundObserver } from "./round-observer.js";

/** Helium's iot_verifier accepted entropy for 180 s; a beacon must use entropy at most this old. */
export const DEFAULT_ENTROPY_MAX_AGE_MS = 180_000;
/** DESIGN.md §3.4: the beaconer reveals once the 2-minute witness window has closed. */
export const DEFAULT_WITNESS_WINDOW_MS = 120_000;
/** Helium allowed one beacon per hotspot per 6 h; the local network overrides this to minutes. */
export const DEFAULT_BEACON_INTERVAL_MS = 6 * 3_600_000;
/** US915 sub-band 2 uplink channel 8 (903.9 MHz), the first channel Helium hotspots used. */
export const DEFAULT_FREQUENCY_HZ = 903_900_000;
/** 27 dBm conducted: a typical US915 LoRa gateway's maximum. */
export const DEFAULT_TX_POWER_DBM = 27;
export const DEFAULT_DATA_RATE = "SF7BW125";

/**
 * The gossip topics a hotspot subscribes to (and so relays): entropy, commits and reveals, two
 * messages per beacon. It publishes its witness reports without subscribing to that topic:
 * gossipsub sends them straight to the connected peers that do (the validators it bootstraps
 * to), which relay them among themselves. Relaying every report through every hotspot would
 * cost each hotspot ~15 messages per beacon in the network for reports only validators read: at
 * the scale of Helium's IoT network (~24 M reports a day) that is ~280 messages/s to verify and
 * forward on every hotspot, and in the gossip benchmark the bursts of reports were what delayed
 * the witnesses' radios (docs/BENCHMARKS.md, "## gossip"). `hexcover hotspot run
 * --relay-witness-reports` subscribes to every topic (a relay, or an owner watching all rounds).
 */
export const HOTSPOT_GOSSIP_KINDS: readonly MessageKindName[] = ["entropy", "beaconCommit", "beaconReveal"];

export interface HotspotOptions {
  readonly keypair: Ed25519Keypair;
  readonly radio: Radio;
  readonly gossip: HexcoverGossip;
  readonly beaconIntervalMs?: number;
  /** A beacon fires at a random offset in [0, jitter) after its window opens; default half the interval. */
  readonly beaconJitterMs?: number;
  readonly witnessWindowMs?: number;
  readonly entropyMaxAgeMs?: number;
  readonly frequencyHz?: number;
  readonly dataRate?: string;
  readonly txPowerDbm?: number;
  /** Validators whose entropy we use; empty accepts entropy from any signer that gossip accepted. */
  readonly trustedValidators?: readonly Uint8Array[];
  readonly now?: () => number;
}

export type BeaconSkipReason = "no_entropy" | "stale_entropy" | "transmit_failed" | "publish_failed";

export interface HotspotCounters {
  beaconsSent: number;
  beaconsSkipped: Record<BeaconSkipReason, number>;
  witnessesSent: number;
  witnessDuplicates: number;
  witnessInvalidPacket: number;
  revealsSent: number;
}

export interface HotspotEvents {
  beacon: [commit: SignedMessage<BeaconCommitMessage>];
  witness: [packet: ReceivedPacket];
  reveal: [beaconId: Uint8Array];
  skip: [reason: BeaconSkipReason];
}

/** Witnesses remembered to drop a packet heard twice (one report per beacon). */
const HEARD_PAYLOADS_LIMIT = 10_000;

/**
 * The hotspot side of DESIGN.md §3: beacons once per window from fresh entropy (commit on
 * gossip, transmit on the radio, reveal after the witness window) and turns every beacon packet
 * its radio hears into a signed WitnessReport.
 */
export class HotspotDaemon extends EventEmitter<HotspotEvents> {
  readonly counters: HotspotCounters = {
    beaconsSent: 0,
    beaconsSkipped: { no_entropy: 0, stale_entropy: 0, transmit_failed: 0, publish_failed: 0 },
    witnessesSent: 0,
    witnessDuplicates: 0,
    witnessInvalidPacket: 0,
    revealsSent: 0,
  };
  readonly observer = new RoundObserver();
  readonly #o: Required<Omit<HotspotOptions, "trustedValidators">> & { trustedValidators: readonly Uint8Array[] };
  #entropy: SignedMessage<EntropyMessage> | undefined;
  readonly #heard = new Set<string>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #unsubscribeRadio: (() => void) | undefined;
  #running = false;

  constructor(options: HotspotOptions) {
    super();
    const interval = options.beaconIntervalMs ?? DEFAULT_BEACON_INTERVAL_MS;
    this.#o = {
      keypair: options.keypair,
      radio: options.radio,
      gossip: options.gossip,
      beaconIntervalMs: interval,
      beaconJitterMs: options.beaconJitterMs ?? Math.floor(interval / 2),
      witnessWindowMs: options.witnessWindowMs ?? DEFAULT_WITNESS_WINDOW_MS,
      entropyMaxAgeMs: options.entropyMaxAgeMs ?? DEFAULT_ENTROPY_MAX_AGE_MS,
      frequencyHz: options.frequencyHz ?? DEFAULT_FREQUENCY_HZ,
      dataRate: options.dataRate ?? DEFAULT_DATA_RATE,
      txPowerDbm: options.txPowerDbm ?? DEFAULT_TX_POWER_DBM,
      trustedValidators: options.trustedValidators ?? [],
      now: options.now ?? Date.now,
    };
    if (dataRateByName(this.#o.dataRate) === undefined) throw new Error(`unknown data rate ${this.#o.dataRate}`);
    if (this.payloadBytes < MIN_PAYLOAD_BYTES) {
      throw new Error(`radio ${options.radio.kind} carries ${options.radio.maxPayloadBytes} bytes, fewer than ${MIN_PAYLOAD_BYTES}`);
    }
  }

  /** Payload length: the whole digest if the radio carries it, else the longest prefix that fits. */
  get payloadBytes(): number {
    return Math.min(MAX_PAYLOAD_BYTES, this.#o.radio.maxPayloadBytes);
  }

  get publicKey(): Uint8Array {
    return this.#o.keypair.publicKey;
  }

  get latestEntropy(): SignedMessage<EntropyMessage> | undefined {
    return this.#entropy;
  }

  async start(options: { scheduleBeacons?: boolean } = {}): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#o.gossip.on("message", this.#onGossip);
    await this.#o.radio.start();
    this.#unsubscribeRadio = this.#o.radio.onReceive((packet) => this.#onPacket(packet));
    if (options.scheduleBeacons !== false) this.#scheduleNextWindow();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#o.gossip.off("message", this.#onGossip);
    this.#unsubscribeRadio?.();
    await this.#o.radio.stop();
  }

  /**
   * Sends one beacon now: commit on gossip, transmit, and schedule the reveal. Returns the
   * commit, or undefined with the reason counted when there is no fresh entropy or the radio fails.
   */
  async beacon(): Promise<SignedMessage<BeaconCommitMessage> | undefined> {
    const now = this.#o.now();
    const entropy = this.#entropy;
    if (entropy === undefined) return this.#skip("no_entropy");
    if (now - entropy.message.timestampMs > this.#o.entropyMaxAgeMs) return this.#skip("stale_entropy");
    const nonce = new Uint8Array(randomBytes(NONCE_BYTES));
    const hotspot = this.#o.keypair.publicKey;
    const payload = deriveBeaconPayload(entropy.id, hotspot, nonce, this.payloadBytes);
    const commit = signMessage(
      {
        kind: "beaconCommit",
        hotspot,
        entropyId: entropy.id,
        payloadHash: beaconPayloadHash(payload),
        txTimeMs: now,
        frequencyHz: this.#o.frequencyHz,
        dataRate: dataRateByName(this.#o.dataRate)!.code,
        txPowerDeciDbm: Math.round(this.#o.txPowerDbm * 10),
      },
      this.#o.keypair,
    );
    // Commit before transmitting: a witness's report must never precede the commit it refers to.
    try {
      this.#o.gossip.publish(commit);
    } catch {
      return this.#skip("publish_failed");
    }
    this.observer.observe(commit);
    try {
      await this.#o.radio.transmit({
        payload,
        frequencyHz: this.#o.frequencyHz,
        dataRate: this.#o.dataRate,
        txPowerDbm: this.#o.txPowerDbm,
      });
    } catch {
      return this.#skip("transmit_failed");
    }
    this.counters.beaconsSent++;
    this.emit("beacon", commit);
    this.#after(this.#o.witnessWindowMs, () => this.#reveal(commit, nonce, payload));
    return commit;
  }

  #reveal(commit: SignedMessage<BeaconCommitMessage>, nonce: Uint8Array, payload: Uint8Array): void {
    const reveal = signMessage(
      { kind: "beaconReveal", hotspot: this.#o.keypair.publicKey, beaconId: commit.id, nonce, payload, revealTimeMs: this.#o.now() },
      this.#o.keypair,
    );
    try {
      this.#o.gossip.publish(reveal);
    } catch {
      return;
    }
    this.observer.observe(reveal);
    this.counters.revealsSent++;
    this.emit("reveal", commit.id);
  }

  #onPacket(packet: ReceivedPacket): void {
    const rate = dataRateByName(packet.dataRate);
    if (packet.payload.length < MIN_PAYLOAD_BYTES || packet.payload.length > MAX_PAYLOAD_BYTES || rate === undefined) {
      // Not a Hexcover beacon (other LoRa traffic, other SSIDs): not ours to witness.
      this.counters.witnessInvalidPacket++;
      return;
    }
    const key = Buffer.from(packet.payload).toString("hex");
    if (this.#heard.has(key)) {
      this.counters.witnessDuplicates++;
      return;
    }
    if (this.#heard.size >= HEARD_PAYLOADS_LIMIT) this.#heard.clear();
    this.#heard.add(key);
    const witness = this.#o.keypair.publicKey;
    const report = signMessage(
      {
        kind: "witnessReport",
        witness,
        payloadHash: beaconPayloadHash(packet.payload),
        proof: witnessProof(packet.payload, witness),
        rssiDeciDbm: clamp(Math.round(packet.rssiDbm * 10), -2000, 300),
        snrDeciDb: clamp(Math.round(packet.snrDb * 10), -500, 500),
        frequencyHz: Math.round(packet.frequencyHz),
        dataRate: rate.code,
        rxTimeMs: Math.round(packet.rxTimeMs),
      },
      this.#o.keypair,
    );
    try {
      this.#o.gossip.publish(report);
    } catch {
      return;
    }
    this.observer.observe(report);
    this.counters.witnessesSent++;
    this.emit("witness", packet);
  }

  #onGossip = (signed: SignedMessage): void => {
    const m = signed.message;
    if (m.kind === "entropy") {
      const trusted = this.#o.trustedValidators;
      if (trusted.length > 0 && !trusted.some((key) => bytesEqual(key, m.validator))) return;
      if (this.#entropy === undefined || m.timestampMs > this.#entropy.message.timestampMs) {
        this.#entropy = signed as SignedMessage<EntropyMessage>;
      }
      return;
    }
    this.observer.observe(signed);
  };

  #scheduleNextWindow(): void {
    const interval = this.#o.beaconIntervalMs;
    const now = this.#o.now();
    const windowStart = Math.floor(now / interval) * interval;
    const nextWindow = windowStart + interval;
    // One beacon per window at a random offset, so hotspots do not all fire at window start.
    const offset = this.#o.beaconJitterMs > 0 ? randomInt(0, this.#o.beaconJitterMs) : 0;
    const fireAt = windowStart + offset >= now ? windowStart + offset : nextWindow + offset;
    this.#after(fireAt - now, () => {
      void this.beacon().finally(() => {
        if (!this.#running) return;
        // Re-arm for the window after the one we just used.
        this.#after(Math.max(0, Math.floor(this.#o.now() / interval) * interval + interval - this.#o.now()), () =>
          this.#scheduleNextWindow(),
        );
      });
    });
  }

  #after(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      if (this.#running) fn();
    }, ms);
    this.#timers.add(timer);
  }

  #skip(reason: BeaconSkipReason): undefined {
    this.counters.beaconsSkipped[reason]++;
    this.emit("skip", reason);
    return undefined;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
