import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { CoverageIndex, type EpochCoverageFeed, ValidatorPoller } from "../../coverage/index.js";
import { SF, cityFeed, tempDir } from "./fixtures.js";

/**
 * A small real validator stand-in: serves GET /epochs?status=finalized and GET /epochs/:e/coverage
 * from fixtures, exactly the contract the poller is written against, and records the requests.
 */
class FixtureValidator {
  finalized: number[] = [];
  feeds = new Map<number, unknown>();
  /** Raw bodies to serve instead of JSON, per path (to test broken answers). */
  overrides = new Map<string, { status: number; body: string }>();
  requests: string[] = [];
  #server: Server | null = null;
  url = "";

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const path = req.url ?? "/";
      this.requests.push(path);
      const override = this.overrides.get(path);
      if (override !== undefined) {
        res.writeHead(override.status, { "content-type": "application/json" }).end(override.body);
        return;
      }
      if (path === "/epochs?status=finalized") {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(this.finalized));
        return;
      }
      const match = /^\/epochs\/(\d+)\/coverage$/.exec(path);
      const feed = match === null ? undefined : this.feeds.get(Number(match[1]));
      if (feed === undefined) {
        res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(feed));
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }
}

const feed = (epoch: number): EpochCoverageFeed => cityFeed({ epoch, centre: SF, hotspots: 8, spreadDeg: 0.03, seed: epoch });

async function expectRejects(promise: Promise<unknown>, code: string): Promise<void> {
  try {
    await promise;
  } catch (err) {
    expect((err as { code?: string }).code, (err as Error).message).to.equal(code);
    return;
  }
  expect.fail(`expected ${code}`);
}

describe("coverage poller: follows a validator's finalized epochs over HTTP", () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let index: CoverageIndex;
  let validator: FixtureValidator;
  beforeEach(async () => {
    dir = await tempDir();
    index = CoverageIndex.open({ dataDir: dir.path });
    validator = new FixtureValidator();
    await validator.start();
  });
  afterEach(async () => {
    await validator.stop();
    await index.close();
    await dir.remove();
  });

  it("indexes every finalized epoch in ascending order and then only newer ones", async () => {
    for (const e of [1, 2, 3]) validator.feeds.set(e, feed(e));
    validator.finalized = [3, 1, 2];
    const poller = new ValidatorPoller({ index, validatorUrl: `${validator.url}/` });
    expect((await poller.pollOnce()).map((s) => s.epoch)).to.deep.equal([1, 2, 3]);
    expect(validator.requests).to.deep.equal(["/epochs?status=finalized", "/epochs/1/coverage", "/epochs/2/coverage", "/epochs/3/coverage"]);
    validator.requests = [];
    expect(await poller.pollOnce()).to.deep.equal([]);
    expect(validator.requests).to.deep.equal(["/epochs?status=finalized"]);
    validator.feeds.set(5, feed(5));
    validator.finalized = [1, 2, 3, 5];
    expect((await poller.pollOnce()).map((s) => s.epoch)).to.deep.equal([5]);
    expect(index.latestEpoch()).to.equal(5);
  });

  it("skips finalized epochs that would fall out of the retention at once when catching up", async () => {
    await index.close();
    index = CoverageIndex.open({ dataDir: `${dir.path}/small`, retainEpochs: 2, windowEpochs: 2 });
    for (let e = 1; e <= 10; e++) validator.feeds.set(e, feed(e));
    validator.finalized = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const poller = new ValidatorPoller({ index, validatorUrl: validator.url });
    // Snapshots 9 and 10 are kept; snapshot 9's window needs epoch 8.
    expect((await poller.pollOnce()).map((s) => s.epoch)).to.deep.equal([8, 9, 10]);
    expect(index.epochs().map((e) => e.epoch)).to.deep.equal([9, 10]);
    expect(index.epochs()[0]!.windowFromEpoch).to.equal(8);
  });

  it("also reads validator/api's {epochs: [{epoch, status}]} list and skips entries that are not finalized", async () => {
    for (const e of [1, 2, 3]) validator.feeds.set(e, feed(e));
    const body = { epochs: [{ epoch: 1, status: "finalized" }, { epoch: 2, status: "submitted" }, 3] };
    validator.overrides.set("/epochs?status=finalized", { status: 200, body: JSON.stringify(body) });
    const poller = new ValidatorPoller({ index, validatorUrl: validator.url });
    expect((await poller.pollOnce()).map((s) => s.epoch)).to.deep.equal([1, 3]);
  });

  it("runs on a timer after start() and reports each indexed epoch", async () => {
    validator.feeds.set(7, feed(7));
    validator.finalized = [7];
    const indexed: number[] = [];
    const done = new Promise<void>((resolve) => {
      const poller = new ValidatorPoller({
        index,
        validatorUrl: validator.url,
        intervalMs: 20,
        onIndexed: (s) => {
          indexed.push(s.epoch);
          if (s.epoch === 8) void poller.stop().then(resolve);
        },
      });
      poller.start();
      // The second epoch appears after the first tick.
      setTimeout(() => {
        validator.feeds.set(8, feed(8));
        validator.finalized = [7, 8];
      }, 50);
    });
    await done;
    expect(indexed).to.deep.equal([7, 8]);
  });

  it("fails the tick with ERR_VALIDATOR_FETCH on HTTP errors, bad JSON or a wrong epoch list, indexing nothing", async () => {
    const poller = new ValidatorPoller({ index, validatorUrl: validator.url });
    validator.overrides.set("/epochs?status=finalized", { status: 500, body: "{}" });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
    validator.overrides.set("/epochs?status=finalized", { status: 200, body: "not json" });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
    validator.overrides.set("/epochs?status=finalized", { status: 200, body: '{"list":[1]}' });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
    validator.overrides.set("/epochs?status=finalized", { status: 200, body: '{"epochs":[{"number":1}]}' });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
    validator.overrides.set("/epochs?status=finalized", { status: 200, body: "[1.5]" });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
    validator.overrides.clear();
    validator.finalized = [1];
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH"); // listed but its feed is a 404
    expect(index.latestEpoch()).to.equal(null);
  });

  it("stops at an invalid feed with its validation error and picks up once the validator serves a valid one", async () => {
    const poller = new ValidatorPoller({ index, validatorUrl: validator.url });
    validator.feeds.set(1, { ...feed(1), epoch: "one" });
    validator.feeds.set(2, feed(2));
    validator.finalized = [1, 2];
    await expectRejects(poller.pollOnce(), "ERR_INVALID_FEED");
    expect(index.latestEpoch()).to.equal(null);
    validator.feeds.set(1, feed(1));
    expect((await poller.pollOnce()).map((s) => s.epoch)).to.deep.equal([1, 2]);
  });

  it("reports an unreachable validator as ERR_VALIDATOR_FETCH", async () => {
    await validator.stop();
    const poller = new ValidatorPoller({ index, validatorUrl: validator.url, fetchTimeoutMs: 2000 });
    await expectRejects(poller.pollOnce(), "ERR_VALIDATOR_FETCH");
  });
});
