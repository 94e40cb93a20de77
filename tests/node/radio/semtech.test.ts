import { createSocket, type Socket } from "node:dgram";
import { expect } from "chai";
import fc from "fast-check";
import {
  decodeSemtechPacket,
  encodeSemtechPacket,
  RadioError,
  RadioNotStartedError,
  RadioStoppedError,
  type ReceivedPacket,
  type SemtechPacket,
  SemtechForwarderSim,
  SemtechNoGatewayError,
  SemtechRadio,
  SemtechTxAckTimeoutError,
  SemtechTxRejectedError,
  UnsupportedDataRateError,
  type Txpk,
} from "../../../node/radio/index.js";
import { nextPacket } from "./helpers.js";

const EUI = "AA555A0000000101";
const EUI2 = "AA555A0000000202";
const BEACON = Uint8Array.from({ length: 32 }, (_, i) => (i * 7) & 0xff);

/** A bare UDP socket posing as a gateway, for datagrams no well-behaved forwarder sends. */
class RawGateway {
  private readonly inbox: SemtechPacket[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly socket: Socket,
    private readonly serverPort: number,
  ) {
    socket.on("message", (msg) => {
      this.inbox.push(decodeSemtechPacket(new Uint8Array(msg)));
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }
  static async open(serverPort: number): Promise<RawGateway> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    return new RawGateway(socket, serverPort);
  }
  send(bytes: Uint8Array): void {
    this.socket.send(bytes, this.serverPort, "127.0.0.1");
  }
  async next(): Promise<SemtechPacket> {
    while (this.inbox.length === 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.inbox.shift()!;
  }
  /** A PULL_DATA and its PULL_ACK: every datagram this socket sent before has been processed. */
  async barrier(eui = EUI): Promise<void> {
    this.send(encodeSemtechPacket({ id: "PULL_DATA", token: 0x4242, eui }));
    expect(await this.next()).to.deep.equal({ id: "PULL_ACK", token: 0x4242 });
  }
  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

describe("node/radio: Semtech packet-forwarder protocol codec", () => {
  it("round-trips every packet type", () => {
    const packets: SemtechPacket[] = [
      { id: "PUSH_DATA", token: 0x1234, eui: EUI, json: { rxpk: [SemtechForwarderSim.rxpk(BEACON)] } },
      { id: "PUSH_ACK", token: 0x1234 },
      { id: "PULL_DATA", token: 0xffff, eui: EUI },
      { id: "PULL_ACK", token: 0 },
      { id: "PULL_RESP", token: 7, json: { txpk: { imme: true, freq: 868.1 } } },
      { id: "TX_ACK", token: 7, eui: EUI, json: { txpk_ack: { error: "NONE" } } },
      { id: "TX_ACK", token: 8, eui: EUI, json: undefined },
    ];
    for (const packet of packets) expect(decodeSemtechPacket(encodeSemtechPacket(packet))).to.deep.equal(packet);
    // Header layout per PROTOCOL.TXT: version 2, token big-endian, id, then the EUI.
    expect([...encodeSemtechPacket({ id: "PULL_DATA", token: 0xbeef, eui: EUI })]).to.deep.equal([
      2, 0xbe, 0xef, 0x02, 0xaa, 0x55, 0x5a, 0, 0, 0, 0x01, 0x01,
    ]);
  });

  it("accepts a TX_ACK whose JSON ends in the C string's NUL", () => {
    const json = Buffer.from('{"txpk_ack":{"error":"NONE"}}\0');
    const bytes = Uint8Array.from([2, 0, 1, 5, ...Buffer.from(EUI, "hex"), ...json]);
    expect(decodeSemtechPacket(bytes)).to.deep.include({ id: "TX_ACK", json: { txpk_ack: { error: "NONE" } } });
  });

  it("rejects each framing defect with its own typed error", () => {
    const eui = [...Buffer.from(EUI, "hex")];
    const cases: [string, number[], string][] = [
      ["empty", [], "ERR_SEMTECH_TRUNCATED"],
      ["3 bytes", [2, 0, 0], "ERR_SEMTECH_TRUNCATED"],
      ["version 1", [1, 0, 0, 2, ...eui], "ERR_SEMTECH_VERSION"],
      ["version 3", [3, 0, 0, 2, ...eui], "ERR_SEMTECH_VERSION"],
      ["unknown id 0x06", [2, 0, 0, 6, ...eui], "ERR_SEMTECH_UNKNOWN_ID"],
      ["unknown id 0xff", [2, 0, 0, 0xff], "ERR_SEMTECH_UNKNOWN_ID"],
      ["PULL_DATA with half an EUI", [2, 0, 0, 2, 1, 2, 3, 4], "ERR_SEMTECH_TRUNCATED"],
      ["PULL_DATA with trailing bytes", [2, 0, 0, 2, ...eui, 0x7b], "ERR_SEMTECH_JSON"],
      ["PUSH_DATA without JSON", [2, 0, 0, 0, ...eui], "ERR_SEMTECH_JSON"],
      ["PUSH_DATA with broken JSON", [2, 0, 0, 0, ...eui, ...Buffer.from('{"rxpk":[')], "ERR_SEMTECH_JSON"],
      ["PUSH_DATA with a JSON array", [2, 0, 0, 0, ...eui, ...Buffer.from("[1,2]")], "ERR_SEMTECH_JSON"],
      ["PUSH_DATA with non-UTF-8", [2, 0, 0, 0, ...eui, 0x7b, 0xff, 0x7d], "ERR_SEMTECH_JSON"],
      ["PUSH_ACK with a body", [2, 0, 0, 1, 0], "ERR_SEMTECH_JSON"],
      ["oversized", [2, 0, 0, 0, ...eui, ...new Uint8Array(4_100).fill(0x20)], "ERR_SEMTECH_OVERSIZE"],
    ];
    for (const [label, bytes, code] of cases) {
      expect(() => decodeSemtechPacket(Uint8Array.from(bytes)), label).to.throw(RadioError).with.property("code", code);
    }
  });

  it("never throws anything but a RadioError on arbitrary datagrams", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat(5), (bytes, id) => {
        for (const datagram of [bytes, Uint8Array.of(2, 0, 0, id, ...bytes)]) {
          try {
            decodeSemtechPacket(datagram);
          } catch (error) {
            if (!(error instanceof RadioError)) throw error;
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("node/radio: Semtech radio against a forwarder simulator over UDP", () => {
  let radio: SemtechRadio;
  const sims: SemtechForwarderSim[] = [];
  const raws: RawGateway[] = [];
  async function forwarder(options: Partial<ConstructorParameters<typeof SemtechForwarderSim>[0]> = {}): Promise<SemtechForwarderSim> {
    const sim = new SemtechForwarderSim({ serverPort: radio.port, eui: EUI, ...options });
    await sim.start();
    sims.push(sim);
    return sim;
  }
  async function raw(): Promise<RawGateway> {
    const gateway = await RawGateway.open(radio.port);
    raws.push(gateway);
    return gateway;
  }
  beforeEach(async () => {
    radio = new SemtechRadio({ port: 0 });
    await radio.start();
  });
  afterEach(async () => {
    for (const sim of sims.splice(0)) await sim.stop();
    for (const gateway of raws.splice(0)) await gateway.close();
    await radio.stop();
  });

  it("turns an rxpk into a received packet and acknowledges the PUSH_DATA", async () => {
    const sim = await forwarder();
    const heard = nextPacket(radio);
    const before = Date.now();
    await sim.push([SemtechForwarderSim.rxpk(BEACON, { freq: 868.3, datr: "SF12BW125", rssi: -118, lsnr: -14.25 })]);
    const packet = await heard;
    expect(packet).to.deep.include({ frequencyHz: 868_300_000, dataRate: "SF12BW125", rssiDbm: -118, snrDb: -14.25 });
    expect(packet.payload).to.deep.equal(BEACON);
    expect(packet.rxTimeMs).to.be.at.least(before);
    expect(radio.stats()).to.include({ received: 1, pushData: 1, pullData: 1 });
  });

  it("takes RSSI and SNR from rsig when an SX1302 forwarder leaves out the top-level fields", async () => {
    const sim = await forwarder();
    const heard = nextPacket(radio);
    const { rssi: _r, lsnr: _l, ...rest } = SemtechForwarderSim.rxpk(BEACON);
    await sim.push([{ ...rest, rsig: [{ ant: 0, chan: 2, rssic: -103, lsnr: 4.2 }] }]);
    expect(await heard).to.deep.include({ rssiDbm: -103, snrDb: 4.2 });
  });

  it("delivers the good rxpk of a batch and counts each bad one by reason", async () => {
    const sim = await forwarder();
    const heard: ReceivedPacket[] = [];
    radio.onReceive((p) => heard.push(p));
    const ok = SemtechForwarderSim.rxpk(BEACON);
    await sim.push([
      { ...ok, stat: -1 }, // CRC error
      { ...ok, stat: 0 }, // no CRC
      { ...ok, size: 31 }, // size disagrees with data
      { ...ok, data: "not base64!" },
      { ...ok, datr: "SF7BW812" },
      { ...ok, modu: "GFSK" },
      { ...ok, freq: "868.1" as unknown as number },
      { ...ok, freq: 50 }, // 50 MHz: no LoRa band
      { ...ok, rssi: undefined },
      { ...ok, lsnr: Number.NaN }, // serialises as null
      { ...ok, modu: "FSK", datr: 50_000 }, // valid but not a LoRa beacon: ignored, not an error
      SemtechForwarderSim.rxpk(new Uint8Array(60).fill(3)), // longer than any beacon: ignored
      ok,
    ]);
    await sim.push([], { stat: { rxnb: 13 } });
    expect(heard).to.have.length(1);
    expect(radio.stats()).to.deep.include({
      received: 1,
      ignored: 2,
      dropped: { ERR_SEMTECH_CRC: 2, ERR_SEMTECH_RXPK: 8 },
    });
    await sim.push([], { rxpk: "not an array" });
    expect(radio.stats().dropped).to.deep.include({ ERR_SEMTECH_RXPK: 9 });
  });

  it("transmits as PULL_RESP with an immediate, non-inverted txpk and resolves on TX_ACK", async () => {
    const sim = await forwarder();
    const tokens: number[] = [];
    sim.onTransmit((_txpk, token) => tokens.push(token));
    await radio.transmit({ payload: BEACON, frequencyHz: 904_300_000, dataRate: "SF9BW125", txPowerDbm: 27 });
    expect(sim.transmitted).to.have.length(1);
    const txpk: Txpk = sim.transmitted[0]!;
    expect(txpk).to.deep.equal({
      imme: true,
      freq: 904.3,
      rfch: 0,
      powe: 27,
      modu: "LORA",
      datr: "SF9BW125",
      codr: "4/5",
      ipol: false,
      size: 32,
      data: Buffer.from(BEACON).toString("base64"),
    });
    expect(radio.stats().txAck).to.equal(1);
    expect(sim.errors).to.have.length(0);
  });

  it("accepts a TX_ACK without JSON and rejects with the gateway's error code otherwise", async () => {
    const bare = await forwarder({ bareTxAck: true });
    await radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 });
    expect(bare.transmitted).to.have.length(1);
    await bare.stop();
    sims.length = 0;
    await forwarder({ eui: EUI2, txAckError: (txpk) => (txpk.powe > 20 ? "TX_POWER" : "TOO_LATE") });
    const high = await radio
      .transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 30 })
      .catch((e: unknown) => e);
    expect(high).to.be.instanceOf(SemtechTxRejectedError).with.property("gatewayError", "TX_POWER");
    const late = await radio
      .transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 })
      .catch((e: unknown) => e);
    expect(late).to.have.property("gatewayError", "TOO_LATE");
  });

  it("sends to the gateway that sent PULL_DATA last", async () => {
    const first = await forwarder();
    const second = await forwarder({ eui: EUI2 });
    expect(radio.currentGateway?.eui).to.equal(EUI2);
    await radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 });
    await first.pullDataNow();
    await radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 });
    expect([first.transmitted.length, second.transmitted.length]).to.deep.equal([1, 1]);
  });

  it("refuses to transmit with no gateway, with a stale gateway, or with a non-LoRa request", async () => {
    const request = { payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 };
    expect(await radio.transmit(request).catch((e: unknown) => e)).to.be.instanceOf(SemtechNoGatewayError);
    await radio.stop();
    let nowMs = 1_780_000_000_000;
    radio = new SemtechRadio({ port: 0, now: () => nowMs, gatewayStaleMs: 30_000 });
    await radio.start();
    await forwarder({ keepaliveMs: 3_600_000 });
    nowMs += 30_001;
    expect(await radio.transmit(request).catch((e: unknown) => e)).to.be.instanceOf(SemtechNoGatewayError);
    nowMs -= 2;
    expect(await radio.transmit({ ...request, dataRate: "WIFI20" }).catch((e: unknown) => e)).to.be.instanceOf(
      UnsupportedDataRateError,
    );
    await radio.transmit(request);
  });

  it("rejects a transmit the gateway never acknowledges", async () => {
    await radio.stop();
    radio = new SemtechRadio({ port: 0, txAckTimeoutMs: 200 });
    await radio.start();
    const mute = await raw();
    await mute.barrier();
    const error = await radio
      .transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SemtechTxAckTimeoutError);
    expect(await mute.next()).to.have.property("id", "PULL_RESP");
  });

  it("rejects a waiting transmit when the radio stops", async () => {
    const mute = await raw();
    await mute.barrier();
    const pending = radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 }).catch((e: unknown) => e);
    expect(await mute.next()).to.have.property("id", "PULL_RESP"); // on the wire, unanswered
    await radio.stop();
    expect(await pending).to.be.instanceOf(RadioStoppedError);
    expect(await radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 }).catch((e: unknown) => e)).to.be.instanceOf(
      RadioNotStartedError,
    );
  });

  it("counts malformed, wrong-version, oversized, bad-JSON, unexpected and unmatched datagrams and keeps serving", async () => {
    const gateway = await raw();
    const eui = [...Buffer.from(EUI, "hex")];
    const bad: number[][] = [
      [],
      [2, 1],
      [1, 0, 1, 2, ...eui],
      [0xff, 0, 1, 0, ...eui, ...Buffer.from("{}")],
      [2, 0, 1, 0x09, ...eui],
      [2, 0, 1, 0, ...eui, ...Buffer.from("{rxpk:")],
      [2, 0, 1, 0, ...eui, ...Buffer.from('"just a string"')],
      [2, 0, 1, 0, ...eui, ...new Uint8Array(5_000).fill(0x20)],
      [2, 0, 1, 4], // PULL_ACK is server-to-gateway
      [2, 0, 1, 3, ...Buffer.from('{"txpk":{}}')], // so is PULL_RESP
      [2, 0x99, 0x99, 5, ...eui], // TX_ACK for a PULL_RESP never sent
    ];
    for (const bytes of bad) gateway.send(Uint8Array.from(bytes));
    await gateway.barrier();
    expect(radio.stats().dropped).to.deep.equal({
      ERR_SEMTECH_TRUNCATED: 2,
      ERR_SEMTECH_VERSION: 2,
      ERR_SEMTECH_UNKNOWN_ID: 1,
      ERR_SEMTECH_JSON: 2,
      ERR_SEMTECH_OVERSIZE: 1,
      ERR_SEMTECH_UNEXPECTED_PACKET: 2,
      ERR_SEMTECH_UNMATCHED_ACK: 1,
    });
    // Still a working radio.
    const sim = await forwarder();
    const heard = nextPacket(radio);
    await sim.push([SemtechForwarderSim.rxpk(BEACON)]);
    expect((await heard).payload).to.deep.equal(BEACON);
    await radio.transmit({ payload: BEACON, frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 });
  });

  it("ignores gateways outside the allow-list", async () => {
    await radio.stop();
    radio = new SemtechRadio({ port: 0, gateways: [EUI.toLowerCase()] });
    await radio.start();
    const stranger = await raw();
    stranger.send(encodeSemtechPacket({ id: "PULL_DATA", token: 1, eui: EUI2 }));
    stranger.send(encodeSemtechPacket({ id: "PUSH_DATA", token: 2, eui: EUI2, json: { rxpk: [SemtechForwarderSim.rxpk(BEACON)] } }));
    await stranger.barrier(EUI); // the allowed EUI from the same socket answers
    expect(radio.stats()).to.deep.include({ received: 0, dropped: { ERR_SEMTECH_UNKNOWN_GATEWAY: 2 } });
    expect(radio.currentGateway?.eui).to.equal(EUI);
  });
});
