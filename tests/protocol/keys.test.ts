import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair, PublicKey } from "@solana/web3.js";
import { expect } from "chai";
import {
  decodeAddress,
  Ed25519Keypair,
  encodeAddress,
  InvalidAddressError,
  InvalidKeypairError,
  loadKeypairFile,
  saveKeypairFile,
  verifyEd25519,
} from "../../protocol/index.js";

describe("protocol: keys and Solana keypair files", () => {
  it("saves a Solana CLI keypair file that @solana/web3.js reads as the same key, owner-only", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-keys-"));
    const path = join(dir, "device.json");
    const keypair = Ed25519Keypair.generate();
    await saveKeypairFile(path, keypair);
    const array = JSON.parse(await readFile(path, "utf8")) as number[];
    expect(array).to.have.length(64);
    const solana = Keypair.fromSecretKey(Uint8Array.from(array));
    expect(solana.publicKey.toBase58()).to.equal(keypair.address);
    expect((await stat(path)).mode & 0o777).to.equal(0o600);
    const loaded = await loadKeypairFile(path);
    expect(loaded.publicKey).to.deep.equal(keypair.publicKey);
  });

  it("loads a keypair written by @solana/web3.js and signs verifiably", async () => {
    const solana = Keypair.generate();
    const dir = await mkdtemp(join(tmpdir(), "hexcover-keys-"));
    const path = join(dir, "wallet.json");
    await writeFile(path, JSON.stringify(Array.from(solana.secretKey)));
    const keypair = await loadKeypairFile(path);
    expect(keypair.address).to.equal(solana.publicKey.toBase58());
    const data = new TextEncoder().encode("hello hexcover");
    const signature = keypair.sign(data);
    expect(verifyEd25519(keypair.publicKey, data, signature)).to.equal(true);
    expect(verifyEd25519(keypair.publicKey, new TextEncoder().encode("hello hexcoveR"), signature)).to.equal(false);
  });

  it("rejects malformed keypair files with a typed error", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hexcover-keys-"));
    const good = Ed25519Keypair.generate().secretKey;
    const mismatched = Uint8Array.from(good);
    mismatched[40]! ^= 1;
    const cases: Record<string, string> = {
      "not-json": "{{",
      "short": JSON.stringify(Array.from(good.subarray(0, 63))),
      "not-bytes": JSON.stringify([...Array.from(good.subarray(0, 63)), 256]),
      "object": JSON.stringify({ secretKey: Array.from(good) }),
      "mismatched-halves": JSON.stringify(Array.from(mismatched)),
    };
    for (const [name, text] of Object.entries(cases)) {
      const path = join(dir, `${name}.json`);
      await writeFile(path, text);
      let error: unknown;
      try {
        await loadKeypairFile(path);
      } catch (err) {
        error = err;
      }
      expect(error, name).to.be.instanceOf(InvalidKeypairError);
    }
    let missing: unknown;
    try {
      await loadKeypairFile(join(dir, "absent.json"));
    } catch (err) {
      missing = err;
    }
    expect(missing).to.be.instanceOf(InvalidKeypairError);
  });

  it("encodes addresses as base58 compatible with Solana PublicKey", () => {
    const keypair = Ed25519Keypair.generate();
    expect(new PublicKey(keypair.address).toBytes()).to.deep.equal(keypair.publicKey);
    expect(decodeAddress(encodeAddress(keypair.publicKey))).to.deep.equal(keypair.publicKey);
    for (const bad of ["", "0OIl", "abc", encodeAddress(new Uint8Array(31)), "x".repeat(100)]) {
      expect(() => decodeAddress(bad), bad).to.throw(InvalidAddressError);
    }
  });

  it("never throws when verifying malformed keys or signatures", () => {
    const data = new Uint8Array([1, 2, 3]);
    expect(verifyEd25519(new Uint8Array(31), data, new Uint8Array(64))).to.equal(false);
    expect(verifyEd25519(new Uint8Array(32).fill(0xff), data, new Uint8Array(64))).to.equal(false);
    expect(verifyEd25519(Ed25519Keypair.generate().publicKey, data, new Uint8Array(63))).to.equal(false);
  });
});
