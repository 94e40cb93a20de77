import { mkdtemp, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import fc from "fast-check";
import {
  decodeBeaconSsid,
  encodeBeaconSsid,
  InvalidTransmitParameterError,
  nmcliScanArgs,
  nmSignalPercentToDbm,
  PayloadSizeError,
  parseNmcliScan,
  type ReceivedPacket,
  RadioNotStartedError,
  UnsupportedDataRateError,
  type WifiScanEntry,
  WifiRadio,
  WifiTxCommandError,
  WifiTxTemplateError,
} from "../../../node/radio/index.js";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const scan1 = () => readFile(join(FIXTURES, "nmcli-scan-1.txt"), "utf8");
const scan2 = () => readFile(join(FIXTURES, "nmcli-scan-2.txt"), "utf8");
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// The payloads behind the beacon SSIDs in the fixtures.
const P21 = "0b30557a9fc4e90e33587da2c7ec11365b80a5caef";
const P16 = "c8bfb6ada49b928980776e655c534a41";
const P16B = "a1b2c3d4e5f60718293a4b5c6d7e8f90";

/** A scanner replaying recorded nmcli output through our parser, one recording per scan. */
function replay(...outputs: string[]): () => Promise<WifiScanEntry[]> {
  let i = 0;
  return async () => parseNmcliScan(outputs[Math.min(i++, outputs.length - 1)]!).entries;
}

describe("node/radio: Wi-Fi beacon SSIDs", () => {
  it("round-trips every payload length 1..21 and fits the 32-byte SSID limit at 21 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 21 }), (payload) => {
        const ssid = encodeBeaconSsid(payload);
        expect(Buffer.byteLength(ssid)).to.be.at.most(32);
        expect(decodeBeaconSsid(ssid)).to.deep.equal(payload);
      }),
    );
    expect(encodeBeaconSsid(new Uint8Array(21).fill(0xff))).to.have.length(31);
    expect(() => encodeBeaconSsid(new Uint8Array(22))).to.throw(PayloadSizeError);
    expect(() => encodeBeaconSsid(new Uint8Array(0))).to.throw(PayloadSizeError);
  });

  it("accepts only the canonical encoding of a beacon payload", () => {
    const cases: [string, RegExp][] = [
      ["Linksys01777", /prefix/],
      ["HXC", /length 0/],
      ["HXCA", /length 1/],
      ["HXCAAAAA", /length 5/],
      ["HXCAB==", /base64url/], // padding is not used
      ["HXCab+/", /base64url/], // base64, not base64url
      ["HXC!!not-base64", /base64url/],
      ["HXCAB", /non-canonical/], // "AB" has non-zero unused bits; "AA" is the canonical 1-byte form
      [`HXC${"A".repeat(30)}`, /longer than 32/],
      [`HXC${"A".repeat(29)}`, /length 29/],
    ];
    for (const [ssid, message] of cases) {
      expect(() => decodeBeaconSsid(ssid), ssid).to.throw(message).with.property("code", "ERR_WIFI_BEACON_SSID");
    }
    expect(hex(decodeBeaconSsid("HXCAA"))).to.equal("00");
  });
});

describe("node/radio: nmcli terse scan parsing", () => {
  it("splits on unescaped colons, keeping SSIDs with escaped colons and backslashes intact", async () => {
    const { entries, errors } = parseNmcliScan(await scan1());
    expect(errors).to.have.length(0);
    expect(entries.map((e) => e.ssid)).to.deep.equal([
      "HomeNet-5G",
      "HXCCzBVep_E6Q4zWH2ix-wRNluApcrv",
      "Café:Guest",
      "Back\\slash:lab",
      "",
      "HXCyL-2raSbkomAd25lXFNKQQ",
      "HXC!!not-base64",
      "HXCA",
      "Vodafone-6E",
    ]);
    expect(entries[2]).to.deep.equal({ ssid: "Café:Guest", bssid: "A4:2B:B0:77:10:5C", channel: 1, frequencyMhz: 2412, signalPercent: 54 });
    expect(entries[8]).to.include({ channel: 37, frequencyMhz: 6135 });
  });

  it("reports lines that are not scan entries as typed errors and keeps the others", async () => {
    const { entries, errors } = parseNmcliScan(
      `${await scan2()}no:X:02\\:11\\:32\\:AB\\:CD:Infra:1:2412 MHz:50:WPA2:(none):(none)\nno:Y:02\\:11\\:32\\:AB\\:CD\\:09:Infra:one:2412 MHz:50:WPA2:(none):(none)\nno:Z:02\\:11\\:32\\:AB\\:CD\\:09:Infra:1:2412 MHz:101:WPA2:(none):(none)\n`,
    );
    expect(entries.map((e) => e.ssid)).to.deep.equal(["HomeNet-5G", "HXCCzBVep_E6Q4zWH2ix-wRNluApcrv", "HXCobLD1OX2BxgpOktcbX6PkA", "Café:Guest"]);
    expect(errors.map((e) => e.code)).to.deep.equal(["ERR_NMCLI_PARSE", "ERR_NMCLI_PARSE", "ERR_NMCLI_PARSE", "ERR_NMCLI_PARSE"]);
    expect(errors[1]!.message).to.match(/bssid/);
  });

  it("agrees with node-wifi's own parser on every beacon line of the recording", async () => {
    const require = createRequire(import.meta.url);
    const nodeWifiParse = require("node-wifi/src/linux/scan/parser.js") as (s: string) => { ssid: string; bssid: string; frequency: number; quality: number }[];
    const stdout = await scan1();
    const theirs = nodeWifiParse(stdout).filter((n) => n.ssid.startsWith("HXC"));
    const ours = parseNmcliScan(stdout).entries.filter((e) => e.ssid.startsWith("HXC"));
    expect(theirs.map((n) => [n.ssid, n.bssid, n.frequency, n.quality])).to.deep.equal(
      ours.map((e) => [e.ssid, e.bssid, e.frequencyMhz, e.signalPercent]),
    );
  });

  it("maps NetworkManager's signal percentage back to dBm (30 % = -90 dBm, 100 % = -20 dBm)", () => {
    expect(nmSignalPercentToDbm(30)).to.equal(-90);
    expect(nmSignalPercentToDbm(67)).to.equal(-53);
    expect(nmSignalPercentToDbm(100)).to.equal(-20);
  });
});

describe("node/radio: Wi-Fi radio", () => {
  const radios: WifiRadio[] = [];
  afterEach(async () => {
    for (const r of radios.splice(0)) await r.stop();
  });
  async function started(options: ConstructorParameters<typeof WifiRadio>[0]): Promise<WifiRadio> {
    const radio = new WifiRadio({ autoScan: false, ...options });
    await radio.start();
    radios.push(radio);
    return radio;
  }

  it("turns beacon SSIDs of a recorded scan into packets with RSSI, SNR and frequency, once per beacon", async () => {
    let nowMs = 1_780_000_000_000;
    const heard: ReceivedPacket[] = [];
    const radio = await started({ scanner: replay(await scan1(), await scan2()), now: () => nowMs });
    radio.onReceive((p) => heard.push(p));
    expect(await radio.scanOnce()).to.equal(2);
    expect(heard.map((p) => [hex(p.payload), p.frequencyHz, p.rssiDbm, p.snrDb, p.dataRate, p.rxTimeMs])).to.deep.equal([
      [P21, 2_437_000_000, -53, 42, "WIFI20", nowMs],
      [P16, 5_745_000_000, -88, 7, "WIFI20", nowMs],
    ]);
    // The two malformed beacon SSIDs are counted once each, not on every scan.
    expect(radio.stats().dropped).to.deep.equal({ ERR_WIFI_BEACON_SSID: 2 });
    nowMs += 10_000;
    expect(await radio.scanOnce()).to.equal(1); // P21 still on air: not again; P16B is new
    expect(hex(heard[2]!.payload)).to.equal(P16B);
    expect(heard[2]!.frequencyHz).to.equal(2_472_000_000);
    expect(radio.stats().dropped).to.deep.equal({ ERR_WIFI_BEACON_SSID: 2 });
  });

  it("scans on its own timer after start()", async () => {
    const radio = new WifiRadio({ scanner: replay(await scan2()), scanIntervalMs: 50 });
    radios.push(radio);
    const heard = new Promise<ReceivedPacket>((resolve) => radio.onReceive(resolve));
    await radio.start();
    expect(hex((await heard).payload)).to.be.oneOf([P21, P16B]);
  });

  it("reports a beacon again once it is older than the seen-memory", async () => {
    let nowMs = 1_780_000_000_000;
    const stdout = await scan2();
    const radio = await started({ scanner: replay(stdout), now: () => nowMs });
    expect(await radio.scanOnce()).to.equal(2);
    nowMs += 9 * 60_000;
    expect(await radio.scanOnce()).to.equal(0);
    nowMs += 2 * 60_000;
    expect(await radio.scanOnce()).to.equal(2);
  });

  it("uses the channel when a scan reports no frequency, and drops entries with neither", async () => {
    const entry = { ssid: encodeBeaconSsid(new Uint8Array(16).fill(7)), bssid: "02:00:00:00:00:01", channel: 11, frequencyMhz: 0, signalPercent: 50 };
    const bad = { ...entry, ssid: encodeBeaconSsid(new Uint8Array(16).fill(8)), channel: 0 };
    const radio = await started({ scanner: async () => [entry, bad] });
    const heard: ReceivedPacket[] = [];
    radio.onReceive((p) => heard.push(p));
    expect(await radio.scanOnce()).to.equal(1);
    expect(heard[0]!.frequencyHz).to.equal(2_462_000_000);
    expect(radio.stats().dropped).to.deep.equal({ ERR_WIFI_SCAN_ENTRY: 1 });
  });

  it("counts a failing scan and keeps going", async () => {
    let calls = 0;
    const radio = await started({
      scanner: async () => {
        calls += 1;
        if (calls === 1) throw new Error("nmcli: Error: NetworkManager is not running.");
        return parseNmcliScan(await scan2()).entries;
      },
    });
    expect(await radio.scanOnce()).to.equal(0);
    expect(await radio.scanOnce()).to.equal(2);
    expect(radio.stats().dropped).to.deep.equal({ ERR_WIFI_SCAN_FAILED: 1 });
  });

  it("scans through node-wifi, which runs nmcli from PATH (here a stand-in printing the recording)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-nmcli-"));
    const saved = { PATH: process.env.PATH, out: process.env.FAKE_NMCLI_OUTPUT, argv: process.env.FAKE_NMCLI_ARGV };
    process.env.PATH = `${join(FIXTURES, "bin")}${delimiter}${process.env.PATH}`;
    process.env.FAKE_NMCLI_OUTPUT = join(FIXTURES, "nmcli-scan-1.txt");
    process.env.FAKE_NMCLI_ARGV = join(dir, "argv");
    try {
      const radio = await started({ scanner: "node-wifi", iface: "wlan0" });
      const heard: ReceivedPacket[] = [];
      radio.onReceive((p) => heard.push(p));
      expect(await radio.scanOnce()).to.equal(2);
      expect(heard.map((p) => [hex(p.payload), p.rssiDbm])).to.deep.equal([
        [P21, -53],
        [P16, -88],
      ]);
      const argv = (await readFile(join(dir, "argv"), "utf8")).trim().split("\n");
      expect(argv).to.include.members(["--terse", "device", "wifi", "list", "ifname", "wlan0"]);
    } finally {
      restoreEnv("PATH", saved.PATH);
      restoreEnv("FAKE_NMCLI_OUTPUT", saved.out);
      restoreEnv("FAKE_NMCLI_ARGV", saved.argv);
    }
  });

  it("scans with our own nmcli invocation and parser when asked to", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-nmcli-"));
    const saved = { out: process.env.FAKE_NMCLI_OUTPUT, argv: process.env.FAKE_NMCLI_ARGV };
    process.env.FAKE_NMCLI_OUTPUT = join(FIXTURES, "nmcli-scan-2.txt");
    process.env.FAKE_NMCLI_ARGV = join(dir, "argv");
    try {
      const radio = await started({ scanner: "nmcli", nmcliPath: join(FIXTURES, "bin", "nmcli"), iface: "wlan1", rescan: "yes" });
      expect(await radio.scanOnce()).to.equal(2);
      expect(radio.stats().dropped).to.deep.equal({ ERR_NMCLI_PARSE: 1 }); // the junk line in the recording
      const argv = (await readFile(join(dir, "argv"), "utf8")).trim().split("\n");
      expect(argv).to.deep.equal(nmcliScanArgs("wlan1", "yes"));
    } finally {
      restoreEnv("FAKE_NMCLI_OUTPUT", saved.out);
      restoreEnv("FAKE_NMCLI_ARGV", saved.argv);
    }
  });

  it("transmits by running each command step with execFile, substituting the beacon SSID verbatim", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-tx-"));
    const record = join(dir, "argv");
    const script = join(FIXTURES, "record-argv.sh");
    const radio = await started({
      scanner: async () => [],
      txCommand: [
        [script, record, "-i", "wlan1", "set", "ssid", "{ssid}"],
        // Shell metacharacters stay literal: there is no shell to interpret them.
        [script, record, "-i", "wlan1", "reload", "$(touch pwned); {channel} {txPowerMbm}"],
      ],
    });
    const payload = Buffer.from(P21, "hex");
    await radio.transmit({ payload, frequencyHz: 2_437_000_000, dataRate: "WIFI20", txPowerDbm: 17 });
    const invocations = (await readFile(record, "utf8"))
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => l.split("\0").slice(0, -1));
    expect(invocations).to.deep.equal([
      ["-i", "wlan1", "set", "ssid", "HXCCzBVep_E6Q4zWH2ix-wRNluApcrv"],
      ["-i", "wlan1", "reload", "$(touch pwned); 6 1700"],
    ]);
  });

  it("does not report its own beacon heard by its own scan", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-tx-"));
    const radio = await started({
      scanner: replay(await scan1()),
      txCommand: [[join(FIXTURES, "record-argv.sh"), join(dir, "argv"), "{ssid}"]],
    });
    await radio.transmit({ payload: Buffer.from(P21, "hex"), frequencyHz: 2_437_000_000, dataRate: "WIFI20", txPowerDbm: 17 });
    const heard: ReceivedPacket[] = [];
    radio.onReceive((p) => heard.push(p));
    expect(await radio.scanOnce()).to.equal(1);
    expect(hex(heard[0]!.payload)).to.equal(P16);
  });

  it("rejects with a typed error when a command step fails, and skips the later steps", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-tx-"));
    const record = join(dir, "argv");
    const radio = await started({
      scanner: async () => [],
      txCommand: [[join(FIXTURES, "fail.sh"), "{ssid}"], [join(FIXTURES, "record-argv.sh"), record, "reload"]],
    });
    const error = await radio
      .transmit({ payload: new Uint8Array(16), frequencyHz: 2_412_000_000, dataRate: "WIFI20", txPowerDbm: 10 })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(WifiTxCommandError);
    expect((error as Error).message).to.match(/exit 3: Failed to connect to hostapd/);
    expect(await readFile(record, "utf8").catch(() => "absent")).to.equal("absent");
    const missing = new WifiRadio({ scanner: async () => [], autoScan: false, txCommand: [["/nonexistent/hostapd_cli", "{ssid}"]] });
    await missing.start();
    radios.push(missing);
    const enoent = await missing
      .transmit({ payload: new Uint8Array(16), frequencyHz: 2_412_000_000, dataRate: "WIFI20", txPowerDbm: 10 })
      .catch((e: unknown) => e);
    expect(enoent).to.be.instanceOf(WifiTxCommandError);
  });

  it("refuses unusable templates and transmit requests with typed errors", async () => {
    expect(() => new WifiRadio({ txCommand: [] })).to.throw(WifiTxTemplateError);
    expect(() => new WifiRadio({ txCommand: [[]] })).to.throw(WifiTxTemplateError);
    expect(() => new WifiRadio({ txCommand: [["hostapd_cli", "reload"]] })).to.throw(/no step uses \{ssid\}/);
    expect(() => new WifiRadio({ txCommand: [["hostapd_cli", "{sid}"]] })).to.throw(/unknown placeholder \{sid\}/);
    const receiveOnly = await started({ scanner: async () => [] });
    const ok = { payload: new Uint8Array(16), frequencyHz: 2_412_000_000, dataRate: "WIFI20", txPowerDbm: 10 };
    expect(await receiveOnly.transmit(ok).catch((e: unknown) => e)).to.be.instanceOf(WifiTxTemplateError);
    const radio = await started({ scanner: async () => [], txCommand: [["true", "{ssid}"]] });
    const cases: [object, new (...a: never[]) => Error][] = [
      [{ ...ok, payload: new Uint8Array(22) }, PayloadSizeError],
      [{ ...ok, dataRate: "SF7BW125" }, UnsupportedDataRateError],
      [{ ...ok, frequencyHz: 2_413_000_000 }, InvalidTransmitParameterError],
      [{ ...ok, frequencyHz: 868_100_000 }, InvalidTransmitParameterError],
    ];
    for (const [request, type] of cases) {
      expect(await radio.transmit(request as typeof ok).catch((e: unknown) => e)).to.be.instanceOf(type);
    }
    await radio.transmit(ok);
    const stopped = new WifiRadio({ scanner: async () => [], txCommand: [["true", "{ssid}"]] });
    expect(await stopped.transmit(ok).catch((e: unknown) => e)).to.be.instanceOf(RadioNotStartedError);
    expect(await stopped.scanOnce().catch((e: unknown) => e)).to.be.instanceOf(RadioNotStartedError);
  });
});

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
