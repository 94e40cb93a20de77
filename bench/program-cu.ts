/**
 * Compute units of every coverage_rewards instruction on litesvm (the real Solana VM), of claim
 * as a function of the reward tree's size up to 500,000 leaves, and of the first vote of each
 * epoch (which creates the Epoch account) as a function of its PDA bump.
 *
 *   npx tsx bench/program-cu.ts [--max-leaves 500000]
 *
 * CU are deterministic for a given program and input, so one run is enough. PDA bumps vary
 * with random keys (each extra bump tried costs ~300 CU), so the register figure is printed with
 * its two bumps (hotspot PDA, owner's associated token account); Epoch bumps depend only on the
 * epoch number and the program id (epochs 0-6 of HPbnip2V... have bumps 254, 255, 253, 251, 255,
 * 255, 255).
 */
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { ASSOCIATED_TOKEN_PROGRAM_ID, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, PublicKey } from "@solana/web3.js";
import { ensureRewardAccount, epochPda, hotspotPda } from "../chain/client/index.js";
import { RewardMerkleTree } from "../chain/merkle.js";
import { cellToU64, latLngToCell } from "../geo/index.js";
import { loadProgramEnv } from "../tests/support/program-env.js";
import { machineLine } from "./machine.js";

const { values } = parseArgs({ options: { "max-leaves": { type: "string", default: "500000" } } });
const maxLeaves = Number(values["max-leaves"]);

const env = await loadProgramEnv();
const { client, admin, mint, provider } = env;
const cu = () => provider.lastTransaction!.computeUnits;
const rows: Array<[string, bigint | string]> = [];

const GENESIS = 1_800_000_000n;
provider.setUnixTime(GENESIS);
await client.initialize(admin, mint, { epochLengthSeconds: 60n, genesisUnixTime: GENESIS, emissionPerEpoch: 1_000_000_000_000_000n });
rows.push(["initialize", cu()]);
const validators = Array.from({ length: 4 }, () => Keypair.generate());
for (const v of validators) provider.airdrop(v.publicKey, 1_000_000_000n);
await client.setValidators(admin, validators.map((v) => v.publicKey), 3);
rows.push(["set_validators (4 validators)", cu()]);
const owner = Keypair.generate();
const device = Keypair.generate();
provider.airdrop(owner.publicKey, 10_000_000_000n);
const location = cellToU64(latLngToCell(37.77, -122.42, 12));
await client.registerHotspot(owner, device, { location, gainDeciDbi: 30, elevationM: 10 });
const ataBump = PublicKey.findProgramAddressSync([owner.publicKey.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()], ASSOCIATED_TOKEN_PROGRAM_ID)[1];
rows.push([`register_hotspot (hotspot bump ${hotspotPda(device.publicKey)[1]}, ATA bump ${ataBump})`, cu()]);
// update_location is allowed two epochs after the registration (LocationUpdateTooSoon before).
provider.setUnixTime(GENESIS + 2n * 60n);
await client.updateLocation(owner, device.publicKey, { location, gainDeciDbi: 40, elevationM: 12 });
rows.push(["update_location", cu()]);
await ensureRewardAccount(provider, owner.publicKey, mint);

let epoch = 0n;
const claimRows: Array<[number, number, bigint]> = [];
const firstVoteRows: Array<[bigint, number, bigint]> = [];
let hotspotAmount = 0n;
for (const size of [1, 10, 100, 1_000, 10_000, 100_000, 500_000].filter((n) => n <= maxLeaves)) {
  hotspotAmount += 1_000n;
  const leaves = [{ hotspot: device.publicKey.toBytes(), cumulativeAmount: hotspotAmount }];
  for (let i = 1; i < size; i++) leaves.push({ hotspot: new Uint8Array(randomBytes(32)), cumulativeAmount: 1n });
  const tree = new RewardMerkleTree(leaves);
  const total = tree.leaves.reduce((s, l) => s + l.cumulativeAmount, 0n);
  provider.setUnixTime(GENESIS + (epoch + 1n) * 60n);
  const vote = { epoch, root: tree.root, cumulativeTotal: total, leafCount: BigInt(tree.leafCount) };
  for (const [i, v] of validators.slice(0, 3).entries()) {
    await client.submitEpoch(v, vote);
    if (i === 0) firstVoteRows.push([epoch, epochPda(epoch)[1], cu()]);
    if (epoch === 0n) rows.push([i === 0 ? `submit_epoch, first vote (creates Epoch, bump ${epochPda(epoch)[1]})` : i === 1 ? "submit_epoch, ordinary vote" : "submit_epoch, finalizing vote", cu()]);
  }
  const index = tree.indexOf(device.publicKey.toBytes())!;
  const proof = tree.proof(index);
  await client.claim(provider.payer, { epoch, deviceKey: device.publicKey, cumulativeAmount: hotspotAmount, leafIndex: BigInt(index), proof });
  claimRows.push([size, proof.length, cu()]);
  epoch++;
}
rows.push(["claim (Merkle proof + SPL MintTo CPI), 1 leaf", claimRows[0]![2]]);

console.log(`coverage_rewards compute units on litesvm 1.5 (${machineLine()})`);
console.log("| instruction | CU |\n|---|---:|");
for (const [name, value] of rows) console.log(`| ${name} | ${value.toLocaleString("en-US")} |`);
console.log("\n| reward tree leaves | proof nodes | claim CU |\n|---:|---:|---:|");
for (const [size, nodes, units] of claimRows) console.log(`| ${size.toLocaleString("en-US")} | ${nodes} | ${units.toLocaleString("en-US")} |`);
console.log("\n| epoch | Epoch PDA bump | submit_epoch first vote CU |\n|---:|---:|---:|");
for (const [e, bump, units] of firstVoteRows) console.log(`| ${e} | ${bump} | ${units.toLocaleString("en-US")} |`);
console.log(`\nreproduce: npx tsx bench/program-cu.ts --max-leaves ${maxLeaves}`);
