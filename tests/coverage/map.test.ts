/**
 * The web map in a real browser: Debian's Chromium driven by playwright-core (no downloaded
 * browser). Loads the map from a real coverage server on 127.0.0.1, checks hexes are drawn,
 * that their colour follows the score, that a click shows the cell's details and that the page
 * fetched nothing from any other origin. Saves artifacts/coverage-map.png.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import * as h3 from "h3-js";
import { type BrowserContext, chromium } from "playwright-core";
import { CoverageIndex, CoverageServer } from "../../coverage/index.js";
import { SF, cityFeed, tempDir } from "./fixtures.js";

/**
 * The callbacks passed to page.evaluate run in the page (and must be functions, not strings: the
 * map's CSP forbids eval). The project compiles without the DOM lib, so name the one global used.
 */
// biome-ignore lint/suspicious/noExplicitAny: browser global, typed by the page not by Node
declare const document: any;

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARTIFACTS = fileURLToPath(new URL("../../artifacts/", import.meta.url));
const VIEWPORT = { width: 1280, height: 800 };

describe("coverage web map in Chromium", function () {
  this.timeout(120_000);
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let profile: string;
  let index: CoverageIndex;
  let server: CoverageServer;
  let base: string;
  let browser: BrowserContext;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
    }
    dir = await tempDir();
    profile = await mkdtemp(join(tmpdir(), "hexcover-chromium-"));
    index = CoverageIndex.open({ dataDir: dir.path });
    // Epoch 1: a dense core. Epoch 2 adds sparse outskirts (short range, few witnesses) so the
    // map shows the whole score range and the older epoch has fewer hexes.
    const core = cityFeed({ epoch: 1, centre: SF, hotspots: 60, spreadDeg: 0.08, seed: 21, prefix: "core" });
    await index.ingest(core);
    const outskirts = cityFeed({ epoch: 2, centre: SF, hotspots: 45, spreadDeg: 0.3, seed: 22, prefix: "out", rangeM: 3500, maxWitnesses: 2 });
    await index.ingest({ ...outskirts, witnesses: outskirts.witnesses.map((w, i) => ({ ...w, rssiDeciDbm: w.rssiDeciDbm - (i % 4) * 80 })) });
    server = new CoverageServer({ index, port: 0 });
    base = await server.start();
    // A fresh profile per run (--user-data-dir, which playwright passes for a persistent context).
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: VIEWPORT,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        // Containers often have a tiny /dev/shm; Chromium then crashes tabs without this.
        "--disable-dev-shm-usage",
      ],
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await index?.close();
    await dir?.remove();
    if (profile !== undefined) await rm(profile, { recursive: true, force: true });
  });

  it("draws coverage hexes over the offline basemap, shows a cell's details on click, and needs no other origin", async () => {
    const page = await browser.newPage();
    const foreign: string[] = [];
    const failed: string[] = [];
    page.on("request", (req) => {
      if (!req.url().startsWith(base) && !req.url().startsWith("data:")) foreign.push(req.url());
    });
    page.on("requestfailed", (req) => failed.push(req.url()));
    const errors: string[] = [];
    page.on("pageerror", (err) => errors.push(err.message));

    await page.goto(`${base}/`);
    await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, { timeout: 60_000 });
    const hexes = Number(await page.evaluate(() => document.body.dataset.hexes));
    expect(hexes).to.be.greaterThan(10);
    // Leaflet draws each hex as an SVG path with our class name; one per feature.
    const paths = await page.locator("path.hex").count();
    expect(paths).to.equal(hexes);

    // The basemap canvas has land drawn (the fixture city is on land: not all pixels are ocean).
    const basemapPainted = await page.evaluate(() => {
      const canvas = document.querySelector(".leaflet-basemap-pane canvas");
      if (canvas === null) return false;
      const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 3; i < data.length; i += 4 * 97) if (data[i] > 0) return true;
      return false;
    });
    expect(basemapPainted).to.equal(true);
    // Zoomed in to a city: the 1:10m Natural Earth detail.
    expect(await page.evaluate(() => document.body.dataset.basemap)).to.equal("/basemap/countries-10m.json");

    // Hex fill colours follow the legend classes of their scores.
    const fills = await page.locator("path.hex").evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute("fill")))]);
    expect(fills.length).to.be.greaterThan(0);
    for (const fill of fills) expect(["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"]).to.include(fill);

    // Legend and epoch selector are there; the selector lists both epochs.
    expect(await page.locator("#legend").textContent()).to.contain("Coverage score");
    const options = await page.locator("#epoch-select option").allTextContents();
    expect(options[0]).to.equal("latest");
    expect(options.length).to.equal(3);

    // Click a visible point of a hex (not covered by a hotspot marker): the details panel shows it.
    const point = (await page.evaluate(() => {
      for (const path of document.querySelectorAll("path.hex")) {
        const r = path.getBoundingClientRect();
        for (const [fx, fy] of [[0.5, 0.5], [0.3, 0.5], [0.7, 0.5], [0.5, 0.3], [0.5, 0.7]] as const) {
          const x = r.left + r.width * fx;
          const y = r.top + r.height * fy;
          if (document.elementFromPoint(x, y) === path) return { x, y };
        }
      }
      return null;
    })) as { x: number; y: number } | null;
    expect(point, "a clickable hex").to.not.equal(null);
    const res = Number(await page.evaluate(() => document.body.dataset.res));
    await page.mouse.click(point!.x, point!.y);
    await page.waitForSelector("#details-cell", { timeout: 10_000 });
    const title = (await page.locator("#details-cell").textContent())!;
    const cell = title.replace("Cell ", "").trim();
    expect(h3.isValidCell(cell)).to.equal(true);
    expect(h3.getResolution(cell)).to.equal(res);
    const score = Number(await page.locator("#details-score").textContent());
    const api = (await (await fetch(`${base}/v1/cells/${cell}`)).json()) as { score: number };
    expect(score).to.equal(api.score);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, "coverage-map.png") });

    // Switching to the older epoch reloads fewer hexes (epoch 1 has fewer hotspots).
    await page.selectOption("#epoch-select", "1");
    await page.waitForFunction(() => document.body.dataset.state === "ready" && document.querySelector("#status").textContent.startsWith("epoch 1"));
    const older = Number(await page.evaluate(() => document.body.dataset.hexes));
    expect(older).to.be.greaterThan(0);
    expect(older).to.be.lessThan(hexes);

    // The initial view is zoomed in to the city: base resolution with hotspot markers. Zooming out
    // switches to a coarser resolution and drops the markers.
    await page.selectOption("#epoch-select", "latest");
    await page.waitForFunction(() => document.body.dataset.state === "ready" && document.querySelector("#status").textContent.startsWith("epoch latest"));
    expect(res).to.equal(8);
    expect(await page.locator("path.hotspot-marker").count()).to.be.greaterThan(0);
    await page.evaluate(() => {
      document.body.dataset.state = "zooming";
    });
    await page.click(".leaflet-control-zoom-out");
    await page.waitForFunction(() => document.body.dataset.state === "ready");
    await page.evaluate(() => {
      document.body.dataset.state = "zooming";
    });
    await page.click(".leaflet-control-zoom-out");
    await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, { timeout: 30_000 });
    expect(Number(await page.evaluate(() => document.body.dataset.res))).to.be.lessThan(8);
    expect(await page.locator("path.hotspot-marker").count()).to.equal(0);
    expect(await page.locator("path.hex").count()).to.be.greaterThan(0);

    expect(errors, "page errors").to.deep.equal([]);
    expect(foreign, "requests to other origins").to.deep.equal([]);
    expect(failed, "failed requests").to.deep.equal([]);
    await page.close();
  });

  it("waits for the first epoch on an empty index and shows it once indexed", async () => {
    const emptyDir = await tempDir();
    const emptyIndex = CoverageIndex.open({ dataDir: emptyDir.path });
    const emptyServer = new CoverageServer({ index: emptyIndex, port: 0 });
    const emptyBase = await emptyServer.start();
    const page = await browser.newPage();
    try {
      await page.goto(`${emptyBase}/?pollMs=300`);
      await page.waitForFunction(() => document.body.dataset.state === "empty");
      expect(await page.locator("#status").textContent()).to.contain("no epoch indexed yet");
      expect(await page.locator("path.hex").count()).to.equal(0);
      await emptyIndex.ingest(cityFeed({ epoch: 5, centre: SF, hotspots: 30, spreadDeg: 0.08, seed: 23 }));
      await page.waitForFunction(() => document.body.dataset.state === "ready", undefined, { timeout: 30_000 });
      expect(await page.locator("path.hex").count()).to.be.greaterThan(5);
      expect(await page.locator("#epoch-select option").allTextContents()).to.have.length(2);
    } finally {
      await page.close();
      await emptyServer.stop();
      await emptyIndex.close();
      await emptyDir.remove();
    }
  });
});
