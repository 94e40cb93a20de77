import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { type ReceivedPacket, SimRadio } from "../../../node/radio/index.js";
import { nextPacket } from "./helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BROKER_MAIN = fileURLToPath(new URL("../../../node/radio/sim-broker-main.ts", import.meta.url));
const CHILD_RADIO = fileURLToPath(new URL("./fixtures/sim-radio-child.ts", import.meta.url));

/** A child process speaking JSON lines on stdout; `next(pred)` waits for a matching line. */
class JsonLineChild {
  private readonly lines: Record<string, unknown>[] = [];
  private waiters: (() => void)[] = [];
  private exited = false;
  readonly proc: ChildProcessWithoutNullStreams;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: ROOT, stdio: "pipe" });
    createInterface({ input: this.proc.stdout }).on("line", (line) => {
      this.lines.push(JSON.parse(line) as Record<string, unknown>);
      this.wake();
    });
    this.proc.on("exit", () => {
      this.exited = true;
      this.wake();
    });
  }

  async next(event: string): Promise<Record<string, unknown>> {
    for (;;) {
      const index = this.lines.findIndex((l) => l.event === event);
      if (index >= 0) return this.lines.splice(index, 1)[0]!;
      if (this.exited) throw new Error(`child exited before printing ${event}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  send(command: object): void {
    this.proc.stdin.write(`${JSON.stringify(command)}\n`);
  }

  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.proc.once("exit", () => resolve()));
    this.proc.kill("SIGTERM");
    await exited;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

describe("node/radio: one sim medium shared by separate processes", function () {
  this.timeout(60_000);
  const children: JsonLineChild[] = [];
  let parentRadio: SimRadio | undefined;
  after(async () => {
    await parentRadio?.stop();
    for (const child of children) await child.kill();
  });

  it("relays between a radio in this process and one in a child process, through the runnable broker in a third", async () => {
    const broker = new JsonLineChild([BROKER_MAIN, "--port", "0"]);
    children.push(broker);
    const listening = await broker.next("listening");
    const port = Number(listening.port);
    expect(port).to.be.greaterThan(0);

    const child = new JsonLineChild([CHILD_RADIO, String(port), "child-radio", "37.7749", "-122.4194"]);
    children.push(child);
    const ready = await child.next("ready");
    expect(ready.pid).to.not.equal(process.pid);

    parentRadio = new SimRadio({
      brokerPort: port,
      name: "parent-radio",
      site: { position: { lat: 37.779, lng: -122.414 }, antennaGainDbi: 2, elevationM: 15 },
    });
    await parentRadio.start();

    // Parent -> child.
    const payload = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
    await parentRadio.transmit({ payload, frequencyHz: 904_300_000, dataRate: "SF10BW125", txPowerDbm: 27 });
    const received = await child.next("received");
    expect(received.payloadHex).to.equal(Buffer.from(payload).toString("hex"));
    expect(received.dataRate).to.equal("SF10BW125");
    expect(received.rssiDbm).to.be.a("number").below(-40);

    // Child -> parent.
    const heard: Promise<ReceivedPacket> = nextPacket(parentRadio);
    child.send({ cmd: "transmit", payloadHex: "c0ffee00112233445566778899aabbcc" });
    expect(await child.next("transmitted")).to.deep.equal({ event: "transmitted" });
    const packet = await heard;
    expect(Buffer.from(packet.payload).toString("hex")).to.equal("c0ffee00112233445566778899aabbcc");

    // The broker process logged both relays with their receivers.
    const first = await broker.next("transmission");
    const second = await broker.next("transmission");
    expect([first.from, second.from]).to.deep.equal(["parent-radio", "child-radio"]);
    expect((first.deliveredTo as { name: string }[]).map((d) => d.name)).to.deep.equal(["child-radio"]);

    child.send({ cmd: "stop" });
    await broker.kill();
    const stopped = broker;
    expect(stopped.proc.exitCode).to.equal(0);
  });
});
