import { expect } from "chai";
import {
  type AntennaSite,
  createRadio,
  defaultPropagation,
  encodeSimFrame,
  type PropagationEndpoint,
  type PropagationFunction,
  type PropagationTx,
  propagationFromModel,
  PayloadSizeError,
  InvalidTransmitParameterError,
  RadioNotStartedError,
  SimBrokerUnavailableError,
  SimMediumBroker,
  SimRadio,
  type SimTransmissionEvent,
  SimTransmitRejectedError,
  UnsupportedDataRateError,
} from "../../../node/radio/index.js";
import { LogDistancePropagationModel, LORA_US915_PROFILE } from "../../../geo/index.js";
import { collect, nextPacket } from "./helpers.js";

// Zürich-ish; 0.009° of latitude is ~1 km, 0.45° ~50 km.
const ORIGIN = { lat: 47.37, lng: 8.54 };
const site = (dLat: number, gain = 3, elevationM = 10): AntennaSite => ({
  position: { lat: ORIGIN.lat + dLat, lng: ORIGIN.lng },
  antennaGainDbi: gain,
  elevationM,
});
const BEACON = {
  payload: Uint8Array.from({ length: 24 }, (_, i) => i + 1),
  frequencyHz: 868_100_000,
  dataRate: "SF9BW125",
  txPowerDbm: 14,
};

describe("node/radio: sim medium", () => {
  const brokers: SimMediumBroker[] = [];
  const radios: SimRadio[] = [];
  async function broker(options: ConstructorParameters<typeof SimMediumBroker>[0] = {}): Promise<SimMediumBroker> {
    const b = new SimMediumBroker(options);
    await b.start();
    brokers.push(b);
    return b;
  }
  async function radio(b: SimMediumBroker, name: string, at: AntennaSite): Promise<SimRadio> {
    const r = new SimRadio({ brokerPort: b.port, name, site: at });
    await r.start();
    radios.push(r);
    return r;
  }
  afterEach(async () => {
    for (const r of radios.splice(0)) await r.stop();
    for (const b of brokers.splice(0)) await b.stop();
  });

  it("delivers a transmission to an in-range radio with the model's RSSI/SNR and not to a radio 50 km away", async () => {
    const events: SimTransmissionEvent[] = [];
    const b = await broker({ onTransmission: (event) => events.push(event) });
    const a = await radio(b, "a", site(0));
    const near = await radio(b, "near", site(0.009));
    const far = await radio(b, "far", site(0.45));
    const farHeard = collect(far);
    const heard = nextPacket(near);
    const before = Date.now();
    await a.transmit(BEACON);
    const packet = await heard;
    expect(packet.payload).to.deep.equal(BEACON.payload);
    expect(packet.frequencyHz).to.equal(BEACON.frequencyHz);
    expect(packet.dataRate).to.equal("SF9BW125");
    expect(packet.rxTimeMs).to.be.at.least(before);
    const expected = defaultPropagation()(
      { id: "a", ...site(0), txPowerDbm: 14, frequencyHz: BEACON.frequencyHz, dataRate: "SF9BW125" },
      { id: "near", ...site(0.009) },
    );
    expect(packet.rssiDbm).to.be.closeTo(expected.rssiDbm, 0.05);
    expect(packet.snrDb).to.be.closeTo(expected.snrDb, 0.05);
    // Far's own transmit is a barrier: the broker's ACK to it follows any earlier DELIVER on its socket.
    await far.transmit(BEACON);
    expect(farHeard).to.have.length(0);
    expect(events[0]!.deliveredTo.map((d) => d.name)).to.deep.equal(["near"]);
    expect(b.stats()).to.include({ radios: 3, transmissions: 2 });
  });

  it("passes each antenna's site and the transmit parameters to an injected propagation function", async () => {
    const calls: [PropagationTx, PropagationEndpoint][] = [];
    const propagation: PropagationFunction = (tx, rx) => {
      calls.push([tx, rx]);
      return { rssiDbm: rx.id === "loud" ? -40.04 : -150, snrDb: 9.96, received: rx.id === "loud" };
    };
    const b = await broker({ propagation });
    const tx = await radio(b, "tx", site(0, 5.5, 30));
    const loud = await radio(b, "loud", site(2, -1.2, 4));
    const quiet = await radio(b, "quiet", site(0.001));
    const quietHeard = collect(quiet);
    const heard = nextPacket(loud);
    await tx.transmit({ ...BEACON, txPowerDbm: 20.5, dataRate: "SF12BW125", frequencyHz: 915_200_000 });
    const packet = await heard;
    await quiet.transmit(BEACON);
    expect(packet.rssiDbm).to.equal(-40);
    expect(packet.snrDb).to.equal(10);
    expect(quietHeard).to.have.length(0);
    const [txSide, rxSide] = calls.find(([, rx]) => rx.id === "loud")!;
    expect(txSide).to.deep.include({ id: "tx", antennaGainDbi: 5.5, elevationM: 30, txPowerDbm: 20.5 });
    expect(txSide).to.deep.include({ frequencyHz: 915_200_000, dataRate: "SF12BW125" });
    expect(txSide.position.lat).to.be.closeTo(ORIGIN.lat, 1e-6);
    expect(rxSide).to.deep.include({ id: "loud", antennaGainDbi: -1.2, elevationM: 4 });
    expect(rxSide.position.lat).to.be.closeTo(ORIGIN.lat + 2, 1e-6);
    expect(calls.filter(([t]) => t.id === "tx")).to.have.length(2); // never to itself
  });

  it("uses geo/'s seeded, reciprocal shadowing by default: same seed same RSSI, other seed other RSSI", async () => {
    const rssi = async (propagation: PropagationFunction | undefined, from: string, to: string): Promise<number> => {
      const b = await broker(propagation === undefined ? {} : { propagation });
      const sites: Record<string, AntennaSite> = { x: site(0), y: site(0.018) };
      const tx = await radio(b, from, sites[from]!);
      const rx = await radio(b, to, sites[to]!);
      const heard = nextPacket(rx);
      await tx.transmit(BEACON);
      return (await heard).rssiDbm;
    };
    const base = await rssi(undefined, "x", "y");
    expect(await rssi(defaultPropagation("hexcover"), "x", "y")).to.equal(base);
    expect(await rssi(undefined, "y", "x")).to.equal(base); // the same path both ways
    const other = await rssi(defaultPropagation("another world"), "x", "y");
    expect(other).to.not.equal(base);
  });

  it("stops delivering to a radio that moves out of range", async () => {
    const b = await broker();
    const a = await radio(b, "a", site(0));
    const mover = await radio(b, "mover", site(0.009));
    const heard = collect(mover);
    await a.transmit(BEACON);
    await mover.transmit(BEACON); // barrier
    expect(heard).to.have.length(1);
    mover.setSite(site(0.45));
    await mover.transmit(BEACON); // the broker handles HELLO before this TRANSMIT
    await a.transmit(BEACON);
    await mover.transmit(BEACON);
    expect(heard).to.have.length(1);
  });

  it("hears stronger signals from nearer transmitters when shadowing is off", async () => {
    const noShadowing = new LogDistancePropagationModel({ profiles: { lora: { ...LORA_US915_PROFILE, shadowingSigmaDb: 0 } } });
    const b = await broker({ propagation: propagationFromModel(noShadowing) });
    const rx = await radio(b, "rx", site(0));
    const near = await radio(b, "near", site(0.005));
    const farther = await radio(b, "farther", site(0.02));
    const heard = collect(rx);
    await near.transmit(BEACON);
    await farther.transmit(BEACON);
    await rx.transmit(BEACON);
    expect(heard).to.have.length(2);
    expect(heard[0]!.rssiDbm).to.be.greaterThan(heard[1]!.rssiDbm);
  });

  it("rejects invalid transmit requests with typed errors before anything reaches the broker", async () => {
    const b = await broker();
    const a = await radio(b, "a", site(0));
    const cases: [object, string][] = [
      [{ ...BEACON, payload: new Uint8Array(52) }, PayloadSizeError.name],
      [{ ...BEACON, payload: new Uint8Array(0) }, PayloadSizeError.name],
      [{ ...BEACON, dataRate: "SF13BW125" }, UnsupportedDataRateError.name],
      [{ ...BEACON, frequencyHz: 868.1 }, InvalidTransmitParameterError.name],
      [{ ...BEACON, frequencyHz: 50_000_000 }, InvalidTransmitParameterError.name],
      [{ ...BEACON, txPowerDbm: 40 }, InvalidTransmitParameterError.name],
      [{ ...BEACON, txPowerDbm: Number.NaN }, InvalidTransmitParameterError.name],
    ];
    for (const [request, name] of cases) {
      const error = await a.transmit(request as typeof BEACON).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(request, (_k, v) => (v instanceof Uint8Array ? v.length : v))).to.have.property("name", name);
    }
    expect(b.stats().transmissions).to.equal(0);
    const idle = new SimRadio({ brokerPort: b.port, name: "idle", site: site(0) });
    const notStarted = await idle.transmit(BEACON).catch((e: unknown) => e);
    expect(notStarted).to.be.instanceOf(RadioNotStartedError);
  });

  it("limits a Wi-Fi-modulation sim radio to the 21-byte SSID payload", async () => {
    const b = await broker();
    const wifiLike = new SimRadio({ brokerPort: b.port, name: "w", site: site(0), modulation: "wifi" });
    await wifiLike.start();
    radios.push(wifiLike);
    expect(wifiLike.maxPayloadBytes).to.equal(21);
    const error = await wifiLike
      .transmit({ payload: new Uint8Array(22), frequencyHz: 2_437_000_000, dataRate: "WIFI20", txPowerDbm: 20 })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(PayloadSizeError);
    await wifiLike.transmit({ payload: new Uint8Array(21), frequencyHz: 2_437_000_000, dataRate: "WIFI20", txPowerDbm: 20 });
  });

  it("refuses transmissions above the per-radio rate limit, and allows them again in the next second", async () => {
    let nowMs = 1_000_000;
    const b = await broker({ maxTxPerSecond: 2, now: () => nowMs });
    const a = await radio(b, "a", site(0));
    await a.transmit(BEACON);
    await a.transmit(BEACON);
    const error = await a.transmit(BEACON).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(SimTransmitRejectedError);
    expect(error).to.have.property("brokerCode", "ERR_SIM_RATE_LIMITED");
    nowMs += 1_000;
    await a.transmit(BEACON);
    expect(b.stats().dropped).to.deep.equal({ ERR_SIM_RATE_LIMITED: 1 });
  });

  it("keeps relaying when the propagation function throws, counting the failed link", async () => {
    const b = await broker({
      propagation: (_tx, rx) => {
        if (rx.id === "cursed") throw new Error("terrain tile missing");
        return { rssiDbm: -80, snrDb: 5, received: true };
      },
    });
    const a = await radio(b, "a", site(0));
    const ok = await radio(b, "ok", site(0.001));
    await radio(b, "cursed", site(0.002));
    const heard = nextPacket(ok);
    await a.transmit(BEACON);
    expect((await heard).rssiDbm).to.equal(-80);
    expect(b.stats().dropped).to.deep.equal({ ERR_SIM_PROPAGATION: 1 });
  });

  it("counts a throwing receive handler as a drop and still calls the other handlers; unsubscribing works", async () => {
    const b = await broker();
    const a = await radio(b, "a", site(0));
    const rx = await radio(b, "rx", site(0.001));
    rx.onReceive(() => {
      throw new Error("daemon bug");
    });
    const removed: unknown[] = [];
    const off = rx.onReceive((p) => removed.push(p));
    off();
    const heard = nextPacket(rx);
    await a.transmit(BEACON);
    await heard;
    expect(removed).to.have.length(0);
    expect(rx.stats()).to.deep.equal({ received: 1, dropped: { ERR_RADIO_RECEIVE_HANDLER: 1 } });
  });

  it("rejects a pending transmit and fails start() with typed errors when the broker goes away", async () => {
    const b = await broker();
    const a = await radio(b, "a", site(0));
    const port = b.port;
    await b.stop();
    brokers.length = 0;
    const error = await a.transmit(BEACON).catch((e: unknown) => e);
    expect(error).to.have.property("code").that.is.oneOf(["ERR_SIM_BROKER_UNAVAILABLE", "ERR_RADIO_NOT_STARTED"]);
    const late = new SimRadio({ brokerPort: port, name: "late", site: site(0) });
    expect(await late.start().catch((e: unknown) => e)).to.be.instanceOf(SimBrokerUnavailableError);
  });

  it("refuses a site outside the globe when the radio is built", () => {
    expect(() => new SimRadio({ brokerPort: 1, name: "x", site: { ...site(0), position: { lat: 91, lng: 0 } } })).to.throw(
      /lat/,
    );
    expect(() => encodeSimFrame({ type: "hello", name: "x".repeat(65), latMicrodeg: 0, lngMicrodeg: 0, antennaGainDeciDbi: 0, elevationM: 0 })).to.throw(
      /name/,
    );
  });
});

describe("node/radio: createRadio", () => {
  it("builds the adapter each config kind names, with that adapter's payload limit", async () => {
    const sim = createRadio({ kind: "sim", brokerPort: 1, name: "n", site: { position: { lat: 0, lng: 0 }, antennaGainDbi: 0, elevationM: 0 } });
    const wifi = createRadio({ kind: "wifi", scanner: async () => [] });
    const semtech = createRadio({ kind: "semtech", port: 0 });
    expect([sim, wifi, semtech].map((r) => [r.kind, r.maxPayloadBytes])).to.deep.equal([
      ["sim", 51],
      ["wifi", 21],
      ["semtech", 51],
    ]);
    expect(sim).to.be.instanceOf(SimRadio);
    await semtech.start();
    await semtech.stop();
  });
});
