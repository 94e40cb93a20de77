import { expect } from "chai";
import fc from "fast-check";
import {
  decodeSimFrame,
  encodeSimFrame,
  RadioError,
  type SimFrame,
  SimFrameReader,
  SimFrameTooLargeError,
  SimMediumBroker,
  SimRadio,
} from "../../../node/radio/index.js";
import { createServer, type Socket } from "node:net";
import { framed, nextPacket, RawSimClient } from "./helpers.js";

const FRAMES: SimFrame[] = [
  { type: "hello", name: "7Xk…hotspot", latMicrodeg: -33_868_820, lngMicrodeg: 151_209_296, antennaGainDeciDbi: -15, elevationM: 120 },
  { type: "welcome", radioId: 4_000_000_000 },
  { type: "transmit", seq: 7, frequencyHz: 5_825_000_000, dataRateCode: 32, txPowerDeciDbm: -35, payload: new Uint8Array(21).fill(9) },
  { type: "ack", seq: 0xffff_ffff },
  { type: "deliver", frequencyHz: 868_100_000, dataRateCode: 6, rssiDeciDbm: -1375, snrDeciDb: -201, payload: new Uint8Array(51).fill(1) },
  { type: "error", seq: 3, code: "ERR_SIM_RATE_LIMITED" },
];

/** A valid HELLO body (without length prefix) to mutate. */
const HELLO_BODY = encodeSimFrame(FRAMES[0]!).slice(2);
const TRANSMIT_BODY = encodeSimFrame(FRAMES[2]!).slice(2);

describe("node/radio: sim medium framing", () => {
  it("round-trips every frame type exactly through encode, the stream reader and decode", () => {
    for (const frame of FRAMES) {
      const bytes = encodeSimFrame(frame);
      const bodies = new SimFrameReader().push(bytes);
      expect(bodies).to.have.length(1);
      expect(decodeSimFrame(bodies[0]!)).to.deep.equal(frame);
    }
  });

  it("reassembles frames split at every byte and frames coalesced into one chunk", () => {
    const stream = new Uint8Array(FRAMES.flatMap((f) => [...encodeSimFrame(f)]));
    const reader = new SimFrameReader();
    const oneByOne = [...stream].flatMap((byte) => reader.push(Uint8Array.of(byte)));
    expect(oneByOne.map(decodeSimFrame)).to.deep.equal(FRAMES);
    expect(new SimFrameReader().push(stream).map(decodeSimFrame)).to.deep.equal(FRAMES);
  });

  it("rejects each malformed body with its own typed error", () => {
    const cases: [string, Uint8Array, string][] = [
      ["empty body", new Uint8Array(0), "ERR_SIM_FRAME_LENGTH"],
      ["version only", Uint8Array.of(1), "ERR_SIM_FRAME_LENGTH"],
      ["version 2", Uint8Array.of(2, ...HELLO_BODY.slice(1)), "ERR_SIM_FRAME_VERSION"],
      ["version 0", Uint8Array.of(0, ...HELLO_BODY.slice(1)), "ERR_SIM_FRAME_VERSION"],
      ["unknown type 9", Uint8Array.of(1, 9, 0, 0), "ERR_SIM_FRAME_TYPE"],
      ["truncated hello", HELLO_BODY.slice(0, HELLO_BODY.length - 1), "ERR_SIM_FRAME_LENGTH"],
      ["trailing byte", Uint8Array.of(...HELLO_BODY, 0), "ERR_SIM_FRAME_LENGTH"],
      ["name length beyond body", Uint8Array.of(1, 1, 200, 65), "ERR_SIM_FRAME_LENGTH"],
      ["name not UTF-8", Uint8Array.of(1, 1, 1, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), "ERR_SIM_FRAME_FIELD"],
      ["latitude 91°", Uint8Array.of(1, 1, 0, ...i32(91_000_000), ...i32(0), 0, 0, 0, 0), "ERR_SIM_FRAME_FIELD"],
      ["longitude -181°", Uint8Array.of(1, 1, 0, ...i32(0), ...i32(-181_000_000), 0, 0, 0, 0), "ERR_SIM_FRAME_FIELD"],
      ["unknown data rate", patch(TRANSMIT_BODY, 14, 99), "ERR_SIM_FRAME_FIELD"],
      ["zero frequency", patchRange(TRANSMIT_BODY, 6, new Uint8Array(8)), "ERR_SIM_FRAME_FIELD"],
      ["empty payload", Uint8Array.of(...TRANSMIT_BODY.slice(0, 17), 0), "ERR_SIM_FRAME_FIELD"],
      ["52-byte payload", Uint8Array.of(...TRANSMIT_BODY.slice(0, 17), 52, ...new Uint8Array(52)), "ERR_SIM_FRAME_FIELD"],
      ["frequency above 2^53", patchRange(TRANSMIT_BODY, 6, new Uint8Array(8).fill(0xff)), "ERR_SIM_FRAME_FIELD"],
    ];
    for (const [label, body, code] of cases) {
      expect(() => decodeSimFrame(body), label).to.throw(RadioError).with.property("code", code);
    }
  });

  it("treats a length prefix above the limit as fatal for the stream", () => {
    const reader = new SimFrameReader();
    expect(() => reader.push(Uint8Array.of(0x02, 0x01, 1, 1))).to.throw(SimFrameTooLargeError);
  });

  it("refuses to encode values that do not fit their fields instead of wrapping them", () => {
    const base = FRAMES[2] as Extract<SimFrame, { type: "transmit" }>;
    expect(() => encodeSimFrame({ ...base, txPowerDeciDbm: 40_000 })).to.throw(/16-bit/);
    expect(() => encodeSimFrame({ ...base, seq: -1 })).to.throw(/32-bit/);
    expect(() => encodeSimFrame({ ...base, payload: new Uint8Array(52) })).to.throw(/payload/);
  });

  it("never throws anything but a RadioError on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (bytes) => {
        for (const body of [bytes, Uint8Array.of(1, ...bytes), Uint8Array.of(1, (bytes[0] ?? 0) % 7, ...bytes)]) {
          try {
            decodeSimFrame(body);
          } catch (error) {
            if (!(error instanceof RadioError)) throw error;
          }
        }
      }),
      { numRuns: 2_000 },
    );
  });

  describe("the broker, fed broken frames over a real socket", () => {
    let broker: SimMediumBroker;
    const dropped: Error[] = [];
    beforeEach(async () => {
      dropped.length = 0;
      broker = new SimMediumBroker({ onDrop: (e) => dropped.push(e) });
      await broker.start();
    });
    afterEach(async () => broker.stop());

    it("answers each malformed frame with an ERROR frame, counts it, and keeps the connection usable", async () => {
      const client = await RawSimClient.open(broker.port);
      const broken: [Uint8Array, string][] = [
        [framed([]), "ERR_SIM_FRAME_LENGTH"],
        [framed([2, ...HELLO_BODY.slice(1)]), "ERR_SIM_FRAME_VERSION"],
        [framed([1, 42]), "ERR_SIM_FRAME_TYPE"],
        [framed(HELLO_BODY.slice(0, 5)), "ERR_SIM_FRAME_LENGTH"],
        [framed([...HELLO_BODY, 7]), "ERR_SIM_FRAME_LENGTH"],
        [encodeSimFrame({ type: "ack", seq: 1 }), "ERR_SIM_FRAME_TYPE"], // broker-to-radio frame sent to the broker
        [framed(TRANSMIT_BODY), "ERR_SIM_NOT_REGISTERED"], // TRANSMIT before HELLO
      ];
      for (const [bytes, code] of broken) {
        client.write(bytes);
        expect(await client.next()).to.deep.include({ type: "error", code });
      }
      client.write(framed(HELLO_BODY));
      expect(await client.next()).to.deep.include({ type: "welcome" });
      client.write(framed(TRANSMIT_BODY));
      expect(await client.next()).to.deep.equal({ type: "ack", seq: 7 });
      expect(broker.stats().dropped).to.deep.equal({
        ERR_SIM_FRAME_LENGTH: 3,
        ERR_SIM_FRAME_VERSION: 1,
        ERR_SIM_FRAME_TYPE: 2,
        ERR_SIM_NOT_REGISTERED: 1,
      });
      expect(dropped.every((e) => e instanceof RadioError)).to.equal(true);
      await client.close();
    });

    it("ties an ERROR to the transmit's seq when the TRANSMIT itself was malformed", async () => {
      const client = await RawSimClient.open(broker.port);
      client.write(framed(HELLO_BODY));
      await client.next();
      client.write(framed(patch(TRANSMIT_BODY, 14, 99)));
      expect(await client.next()).to.deep.equal({ type: "error", seq: 7, code: "ERR_SIM_FRAME_FIELD" });
      await client.close();
    });

    it("closes only the connection that sends an oversized length prefix; other radios keep working", async () => {
      const a = new SimRadio({ brokerPort: broker.port, name: "a", site: { position: { lat: 1, lng: 1 }, antennaGainDbi: 0, elevationM: 0 } });
      const b = new SimRadio({ brokerPort: broker.port, name: "b", site: { position: { lat: 1.001, lng: 1 }, antennaGainDbi: 0, elevationM: 0 } });
      await a.start();
      await b.start();
      const attacker = await RawSimClient.open(broker.port);
      attacker.write(Uint8Array.of(0xff, 0xff, 1, 1, 2, 3));
      expect(await attacker.next()).to.equal(undefined);
      expect(attacker.closed).to.equal(true);
      expect(broker.stats().dropped).to.deep.equal({ ERR_SIM_FRAME_TOO_LARGE: 1 });
      const heard = nextPacket(b);
      await a.transmit({ payload: Uint8Array.of(1, 2, 3), frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 });
      expect((await heard).payload).to.deep.equal(Uint8Array.of(1, 2, 3));
      await a.stop();
      await b.stop();
    });

    it("survives random garbage from many connections", async () => {
      const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 80 }), { numRuns: 60, seed: 42 });
      const clients = await Promise.all(samples.map(() => RawSimClient.open(broker.port)));
      for (const [i, bytes] of samples.entries()) clients[i]!.write(framed(bytes));
      for (const client of clients) await client.next();
      for (const client of clients) await client.close();
      const total = Object.values(broker.stats().dropped).reduce((s, n) => s + n, 0);
      expect(total).to.be.at.least(55); // a random body is valid only by rare accident
      const probe = await RawSimClient.open(broker.port);
      probe.write(framed(HELLO_BODY));
      expect(await probe.next()).to.deep.include({ type: "welcome" });
      await probe.close();
    });
  });
});

function i32(value: number): number[] {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, value);
  return [...b];
}
function patch(body: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = body.slice();
  copy[offset] = value;
  return copy;
}
function patchRange(body: Uint8Array, offset: number, bytes: Uint8Array): Uint8Array {
  const copy = body.slice();
  copy.set(bytes, offset);
  return copy;
}

describe("node/radio: sim radio fed broken frames by a misbehaving broker", () => {
  it("counts each bad frame from the broker, still delivers good ones, and disconnects on an oversized length", async () => {
    let brokerSide: Socket | undefined;
    const server = createServer((socket) => {
      brokerSide = socket;
      socket.on("data", () => {
        // Answer the HELLO, then misbehave.
        socket.write(encodeSimFrame({ type: "welcome", radioId: 9 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const radio = new SimRadio({ brokerPort: port, name: "victim", site: { position: { lat: 0, lng: 0 }, antennaGainDbi: 0, elevationM: 0 } });
    await radio.start();
    expect(radio.id).to.equal(9);
    const heard = nextPacket(radio);
    const deliver = encodeSimFrame({ type: "deliver", frequencyHz: 868_100_000, dataRateCode: 1, rssiDeciDbm: -1000, snrDeciDb: 55, payload: Uint8Array.of(4, 2) });
    brokerSide!.write(framed([9, 5])); // wrong version
    brokerSide!.write(encodeSimFrame(FRAMES[0]!)); // HELLO travels radio -> broker only
    brokerSide!.write(encodeSimFrame({ type: "error", seq: 0, code: "ERR_SIM_FRAME_VERSION" })); // not tied to a transmit
    brokerSide!.write(deliver);
    const packet = await heard;
    expect(packet).to.deep.include({ rssiDbm: -100, snrDb: 5.5, dataRate: "SF7BW125" });
    expect(radio.stats().dropped).to.deep.equal({ ERR_SIM_FRAME_VERSION: 1, ERR_SIM_FRAME_TYPE: 1, ERR_SIM_TRANSMIT_REJECTED: 1 });
    const closed = new Promise<void>((resolve) => brokerSide!.once("close", () => resolve()));
    brokerSide!.write(Uint8Array.of(0xff, 0xff));
    await closed;
    const error = await radio
      .transmit({ payload: Uint8Array.of(1), frequencyHz: 868_100_000, dataRate: "SF7BW125", txPowerDbm: 14 })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(RadioError);
    expect(radio.stats().dropped).to.include({ ERR_SIM_FRAME_TOO_LARGE: 1 });
    await radio.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
