import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { CrateNotFoundError, readCrate } from "../../../programs/build/index.js";

describe("build pipeline: reading a crate's Cargo.toml", () => {
  let scratch = "";
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), "hexcover-crate-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  const crate = (manifest: string, files: string[] = ["src/lib.rs"]) => {
    writeFileSync(join(scratch, "Cargo.toml"), manifest);
    for (const file of files) {
      mkdirSync(join(scratch, file, ".."), { recursive: true });
      writeFileSync(join(scratch, file), "#![no_std]\n");
    }
    return readCrate(scratch);
  };

  it("takes the [lib] name, path, edition and release overflow checks", () => {
    const info = crate(
      [
        "[package]",
        'name = "coverage-rewards" # comment',
        'edition = "2021"',
        "[lib]",
        'name = "coverage_rewards"',
        'path = "src/main_lib.rs"',
        "[profile.release]",
        "overflow-checks = true",
      ].join("\n"),
      ["src/main_lib.rs"],
    );
    expect(info).to.include({
      libName: "coverage_rewards",
      libPath: "src/main_lib.rs",
      edition: "2021",
      overflowChecks: true,
    });
  });

  it("derives the crate name from the package name and defaults to src/lib.rs, no overflow checks", () => {
    const info = crate('[package]\nname = "hexcover-hello"\nedition = "2018"\n');
    expect(info).to.include({ libName: "hexcover_hello", libPath: "src/lib.rs", edition: "2018", overflowChecks: false });
  });

  it("refuses a directory without Cargo.toml, a missing source and an edition rustc 1.63 lacks", () => {
    expect(() => readCrate(scratch)).to.throw(CrateNotFoundError, /no Cargo.toml/);
    expect(() => crate('[package]\nname = "x"\n', [])).to.throw(CrateNotFoundError, /src\/lib.rs is missing/);
    expect(() => crate('[package]\nname = "x"\nedition = "2024"\n'))
      .to.throw(CrateNotFoundError, /edition 2024/)
      .with.property("code", "ERR_CRATE_NOT_FOUND");
    expect(() => crate("[dependencies]\n")).to.throw(CrateNotFoundError, /names no package/);
  });
});
