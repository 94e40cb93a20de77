import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "chai";
import { runCoverageCommand } from "../../cli/coverage.js";
import { type RunningProcess, runHexcover, spawnHexcover } from "../support/processes.js";
import { SF, cityFeed, tempDir } from "./fixtures.js";

async function expectUsageError(argv: string[], part: string): Promise<void> {
  try {
    await runCoverageCommand(argv);
  } catch (err) {
    expect((err as { code?: string }).code).to.equal("ERR_USAGE");
    expect((err as Error).message).to.contain(part);
    return;
  }
  expect.fail("expected a usage error");
}

describe("hexcover coverage run (CLI)", () => {
  it("rejects bad flags with a usage error before opening anything", async () => {
    await expectUsageError(["run", "--port", "http"], "--port");
    await expectUsageError(["run", "--port", "70000"], "--port");
    await expectUsageError(["run", "--retain-epochs", "0"], "--retain-epochs");
    await expectUsageError(["run", "--window-epochs", "1.5"], "--window-epochs");
    await expectUsageError(["run", "--validator-url", "not a url"], "--validator-url");
    await expectUsageError(["run", "--validator-url", "ftp://x"], "http");
    await expectUsageError(["run", "--colour", "red"], "colour");
    await expectUsageError(["serve"], "unknown coverage subcommand");
  });

  it("hexcover coverage run indexes feed files, serves the API and the map, and exits cleanly on SIGTERM", async function () {
    this.timeout(60_000);
    const dir = await tempDir();
    let proc: RunningProcess | null = null;
    try {
      const feedFile = join(dir.path, "epoch-3.json");
      await writeFile(feedFile, JSON.stringify(cityFeed({ epoch: 3, centre: SF, hotspots: 10, spreadDeg: 0.03, seed: 9 })));
      proc = spawnHexcover(["coverage", "run", "--port", "0", "--data-dir", join(dir.path, "index"), "--feed", feedFile]);
      const line = await proc.waitForLine(/coverage: map at http:\/\/127\.0\.0\.1:\d+\//, 45_000);
      const url = /(http:\/\/127\.0\.0\.1:\d+)/.exec(line)![1]!;
      const stats = (await (await fetch(`${url}/v1/stats`)).json()) as { latestEpoch: number; hotspotsKnown: number };
      expect(stats.latestEpoch).to.equal(3);
      expect(stats.hotspotsKnown).to.equal(10);
      expect((await fetch(`${url}/`)).status).to.equal(200);
      expect(await proc.stop("SIGTERM")).to.equal(0);
    } finally {
      await proc?.stop("SIGKILL");
      await dir.remove();
    }
  });

  it("hexcover coverage with a bad flag exits with status 2 and says which flag", async () => {
    const { code, output } = await runHexcover(["coverage", "run", "--port", "http"]);
    expect(code).to.equal(2);
    expect(output).to.contain("--port");
  });
});
