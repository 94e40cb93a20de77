/**
 * The command-line driver as CI and `npm run build:program` use it: exit codes and messages.
 * Builds programs/hello (the sysroot is cached after the first build of the test run).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "chai";
import { checkToolchain, defaultToolchain } from "../../../programs/build/index.js";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DRIVER = join(REPO_ROOT, "programs", "build", "build-program.ts");
const HELLO_CRATE = join(REPO_ROOT, "programs", "hello");
const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

function driver(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(TSX, [DRIVER, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("build pipeline: build-program.ts command line", function () {
  this.timeout(180_000);
  let scratch = "";
  let soPath = "";

  before(() => {
    checkToolchain(defaultToolchain());
    scratch = mkdtempSync(join(tmpdir(), "hexcover-cli-"));
    soPath = join(scratch, "hello.so");
  });
  after(() => {
    if (scratch !== "") rmSync(scratch, { recursive: true, force: true });
  });

  it("builds a crate into the given .so and exits 0", () => {
    const result = driver([HELLO_CRATE, soPath]);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.match(/^built .*hello\.so: \d+ bytes/);
    expect(readFileSync(soPath).subarray(0, 4).toString("latin1")).to.equal("\x7fELF");
  });

  it("--check passes when the committed file equals the rebuild", () => {
    const result = driver(["--check", HELLO_CRATE, soPath]);
    expect(result.status, result.stderr).to.equal(0);
    expect(result.stdout).to.contain("reproducible");
  });

  it("--check exits 1 naming the first differing byte when the committed file differs", () => {
    const tampered = join(scratch, "tampered.so");
    const bytes = readFileSync(soPath);
    bytes[bytes.length - 1] = bytes.at(-1)! ^ 0xff;
    writeFileSync(tampered, bytes);
    const result = driver(["--check", HELLO_CRATE, tampered]);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("NotReproducibleError");
    expect(result.stderr).to.contain(`first difference at byte 0x${(bytes.length - 1).toString(16)}`);
  });

  it("--check exits 1 when there is no committed file, and does not create it", () => {
    const missing = join(scratch, "missing.so");
    const result = driver(["--check", HELLO_CRATE, missing]);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("does not exist");
    expect(existsSync(missing)).to.equal(false);
  });

  it("exits 1 with the apt-get command when the toolchain is missing", () => {
    const result = driver([HELLO_CRATE, join(scratch, "x.so")], { HEXCOVER_LLVM_BIN: join(scratch, "no-llvm") });
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("ToolchainMissingError");
    expect(result.stderr).to.contain("apt-get install -y rustc cargo rust-src llvm-22 clang-22");
  });

  it("exits 1 for a directory that is not a crate, 2 for bad usage", () => {
    expect(driver([scratch, join(scratch, "x.so")]).stderr).to.contain("CrateNotFoundError");
    expect(driver([scratch, join(scratch, "x.so")]).status).to.equal(1);
    expect(driver([HELLO_CRATE]).status).to.equal(2);
    expect(driver(["--verbose"]).status).to.equal(2);
  });

  it("reports a compile error with rustc's own message", () => {
    const broken = join(scratch, "broken");
    const src = join(broken, "src");
    mkdirSync(src, { recursive: true });
    writeFileSync(join(broken, "Cargo.toml"), '[package]\nname = "broken"\nversion = "0.1.0"\nedition = "2021"\n');
    writeFileSync(join(src, "lib.rs"), "#![no_std]\npub fn f() -> u64 { undefined_name }\n");
    const result = driver([broken, join(scratch, "broken.so")]);
    expect(result.status).to.equal(1);
    expect(result.stderr).to.contain("ToolFailedError");
    expect(result.stderr).to.contain("cannot find value `undefined_name`");
    rmSync(join(REPO_ROOT, "target", "sbf-build", "broken"), { recursive: true, force: true });
  });
});
