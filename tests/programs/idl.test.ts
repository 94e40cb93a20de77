import { createHash } from "node:crypto";
import { BorshInstructionCoder } from "@coral-xyz/anchor";
import BN from "bn.js";
import { expect } from "chai";
import { COVERAGE_REWARDS_IDL } from "../../chain/client/index.js";

const discriminator = (preimage: string) => Array.from(createHash("sha256").update(preimage).digest().subarray(0, 8));
const idl = COVERAGE_REWARDS_IDL as unknown as {
  instructions: Array<{ name: string; discriminator: number[] }>;
  accounts: Array<{ name: string; discriminator: number[] }>;
  events: Array<{ name: string; discriminator: number[] }>;
  errors: Array<{ code: number; name: string }>;
};

describe("programs: the Anchor IDL", () => {
  it("has sha256(\"global:<name>\")[..8] as every instruction discriminator", () => {
    expect(idl.instructions.map((i) => i.name).sort()).to.deep.equal(
      ["claim", "initialize", "register_hotspot", "set_validators", "submit_epoch", "update_location"],
    );
    for (const ix of idl.instructions) expect(ix.discriminator, ix.name).to.deep.equal(discriminator(`global:${ix.name}`));
  });

  it("has sha256(\"account:<Name>\")[..8] for accounts and sha256(\"event:<Name>\")[..8] for events", () => {
    expect(idl.accounts.map((a) => a.name).sort()).to.deep.equal(["Config", "Epoch", "Hotspot"]);
    for (const account of idl.accounts) expect(account.discriminator, account.name).to.deep.equal(discriminator(`account:${account.name}`));
    expect(idl.events.length).to.be.greaterThan(5);
    for (const event of idl.events) expect(event.discriminator, event.name).to.deep.equal(discriminator(`event:${event.name}`));
  });

  it("numbers errors from 6000 without gaps or duplicates", () => {
    const codes = idl.errors.map((e) => e.code);
    expect(codes[0]).to.equal(6000);
    expect(codes).to.deep.equal(codes.map((_, i) => 6000 + i));
    expect(new Set(idl.errors.map((e) => e.name)).size).to.equal(codes.length);
  });

  it("is accepted by anchor's coder, which encodes exactly the discriminator the program dispatches on", () => {
    const coder = new BorshInstructionCoder(COVERAGE_REWARDS_IDL as never);
    const data = coder.encode("update_location", { location: new BN(5), gain_dbi_x10: 30, elevation_m: 2 });
    expect(Array.from(data.subarray(0, 8))).to.deep.equal(discriminator("global:update_location"));
    expect(data.length).to.equal(8 + 8 + 2 + 4);
  });
});
