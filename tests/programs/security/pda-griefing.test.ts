/**
 * Anyone can send lamports to an address, including a PDA the program has not created yet. With
 * a plain CreateAccount that would fail forever ("already in use") and could block an epoch, a
 * registration or the deployment; the program falls back to Transfer + Allocate + Assign
 * (docs/PROGRAM.md, "Pre-funded PDAs"). These tests pre-fund each PDA through the real System
 * program in litesvm, below and above the rent-exempt minimum, and the creation must still work.
 */
import type { Address } from "@solana/kit";
import { type PublicKey, SystemProgram, Transaction } from "@solana/web3.js";
import { expect } from "chai";
import { Chain, clockAtEndOf, initialize, rewardTree, testLocation, treeTotal } from "./harness.js";

/**
 * Below and above the rent-exempt minimum of every account the program creates. The smallest
 * transfer the runtime accepts to a new address is the rent-exempt minimum of 0 bytes
 * (890,880 lamports at the default rent): below that it refuses the transaction
 * (InsufficientFundsForRent), so a 1-lamport grief is impossible anyway.
 */
const PREFUNDS = [890_880n, 10_000_000_000n];

function prefund(chain: Chain, to: PublicKey, lamports: bigint): void {
  chain.provider.execute(new Transaction().add(SystemProgram.transfer({ fromPubkey: chain.payer.publicKey, toPubkey: to, lamports })));
}

function programAccount(chain: Chain, address: PublicKey): { owner: string; size: number; lamports: bigint } {
  const a = chain.svm.getAccount(address.toBase58() as Address);
  if (!a.exists) throw new Error(`${address.toBase58()} does not exist`);
  return { owner: a.programAddress, size: a.data.length, lamports: a.lamports };
}

describe("programs/security: lamports sent to a PDA before it exists do not block its creation", function () {
  this.timeout(120_000);

  for (const lamports of PREFUNDS) {
    it(`initialize, register_hotspot and the first vote of an epoch succeed at PDAs pre-funded with ${lamports} lamports`, async () => {
      const chain = new Chain();
      expect(lamports >= chain.svm.minimumBalanceForRentExemption(0n)).to.equal(true);
      const d = await chain.deploy();
      const admin = chain.wallet();
      prefund(chain, d.client.configAddress, lamports);
      await initialize(d, admin);
      expect(programAccount(chain, d.client.configAddress)).to.include({ owner: d.programId.toBase58(), size: 673 });

      const owner = chain.wallet();
      const device = chain.wallet();
      prefund(chain, d.client.hotspotAddress(device.publicKey), lamports);
      await d.client.registerHotspot(owner, device, { location: testLocation(0), gainDeciDbi: 30, elevationM: 10 });
      expect(programAccount(chain, d.client.hotspotAddress(device.publicKey))).to.include({ owner: d.programId.toBase58(), size: 158 });

      const validator = chain.wallet();
      await d.client.setValidators(admin, [validator.publicKey], 1);
      const epochAccount = d.client.epochAddress(0n);
      prefund(chain, epochAccount, lamports);
      clockAtEndOf(chain, 0n);
      const tree = rewardTree([{ owner, device, location: testLocation(0) }], [5n]);
      await d.client.submitEpoch(validator, { epoch: 0n, root: tree.root, cumulativeTotal: treeTotal(tree), leafCount: 1n });
      const created = programAccount(chain, epochAccount);
      expect(created).to.include({ owner: d.programId.toBase58(), size: 864 });
      // Rent-exempt whatever was sent before: topped up when short, kept when above.
      expect(created.lamports >= chain.svm.minimumBalanceForRentExemption(864n)).to.equal(true);
      expect((await d.client.fetchEpoch(0n))!.status).to.equal("finalized");
    });
  }
});
