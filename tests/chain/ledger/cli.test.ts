import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { expect } from "chai";
import { type Ledger, LedgerOptionError } from "../../../chain/ledger/index.js";
import { parseSol, programsFromAnchorToml, runLedgerCommand } from "../../../cli/ledger.js";
import { rpc } from "./support.js";

async function expectOptionError(run: () => unknown): Promise<LedgerOptionError> {
  let caught: unknown;
  try {
    await run();
  } catch (err) {
    caught = err;
  }
  expect(caught).to.be.instanceOf(LedgerOptionError);
  return caught as LedgerOptionError;
}

describe("hexcover ledger command", () => {
  let dir: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "hexcover-ledger-cli-"));
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it("converts SOL amounts to lamports exactly", () => {
    expect(parseSol("2")).to.equal(2_000_000_000n);
    expect(parseSol("1.5")).to.equal(1_500_000_000n);
    expect(parseSol("0.000000001")).to.equal(1n);
  });

  it("rejects SOL amounts finer than a lamport or not numbers", async () => {
    for (const bad of ["1.0000000001", "-1", "abc", "1e9", ""]) {
      const err = await expectOptionError(() => parseSol(bad));
      expect(err.code).to.equal("ERR_LEDGER_OPTION");
    }
  });

  it("takes programs from Anchor.toml only when their id is set and their .so is built", () => {
    const id = Keypair.generate().publicKey.toBase58();
    const toml = join(dir, "Anchor.toml");
    writeFileSync(
      toml,
      `[programs.localnet]\ncoverage_rewards = "${id}" # built\nother = "PENDING"\nmissing = "${Keypair.generate().publicKey.toBase58()}"\n\n[provider]\ncluster = "x"\n`,
    );
    mkdirSync(join(dir, "target", "deploy"), { recursive: true });
    writeFileSync(join(dir, "target", "deploy", "coverage_rewards.so"), "elf");
    writeFileSync(join(dir, "target", "deploy", "other.so"), "elf");
    expect(programsFromAnchorToml(toml)).to.deep.equal([
      { programId: id, soPath: join(dir, "target", "deploy", "coverage_rewards.so") },
    ]);
    expect(programsFromAnchorToml(join(dir, "absent.toml"))).to.deep.equal([]);
  });

  it("prints its usage for --help", async () => {
    const lines: string[] = [];
    await runLedgerCommand(["--help"], { print: (l) => lines.push(l) });
    expect(lines.join("\n")).to.contain("--airdrop <pubkey>=<sol>");
  });

  it("rejects unknown flags, bad numbers and malformed pairs with LedgerOptionError", async () => {
    await expectOptionError(() => runLedgerCommand(["--bogus"]));
    await expectOptionError(() => runLedgerCommand(["--port", "eighty"]));
    await expectOptionError(() => runLedgerCommand(["--program", "no-equals-sign"]));
    await expectOptionError(() => runLedgerCommand(["--airdrop", "=5"]));
  });

  it("serves, funds --airdrop accounts, prints its URLs and stops when asked", async () => {
    const who = Keypair.generate().publicKey.toBase58();
    const lines: string[] = [];
    let stop!: () => void;
    const stopSignal = new Promise<void>((resolve) => {
      stop = resolve;
    });
    let started!: (ledger: Ledger) => void;
    const startedPromise = new Promise<Ledger>((resolve) => {
      started = resolve;
    });
    const done = runLedgerCommand(
      ["--port", "0", "--ws-port", "0", "--in-memory", "--airdrop", `${who}=2.5`, "--anchor-toml", join(dir, "absent.toml")],
      { print: (l) => lines.push(l), stopSignal, onStarted: started },
    );
    const ledger = await startedPromise;
    expect((await rpc(ledger, "getBalance", [who])).result).to.deep.include({ value: 2_500_000_000 });
    expect(lines.join("\n")).to.contain(ledger.rpcUrl).and.to.contain(ledger.wsUrl);
    stop();
    await done;
    expect(lines.at(-1)).to.equal("ledger: stopped");
  });
});
