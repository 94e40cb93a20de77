/**
 * `hexcover admin init|set-validators|show`: the program admin's commands (network bootstrap).
 * The admin key signs initialize and set_validators; it does not hold any reward power.
 */
import { PublicKey } from "@solana/web3.js";
import { createRewardMint } from "../chain/client/index.js";
import { loadKeypairFile } from "../protocol/index.js";
import { listFlag, numberFlag, parseFlags, UsageError } from "./args.js";
import { clientFor, resolveRpcUrl, toWeb3Keypair } from "./cluster.js";

const USAGE = `usage: hexcover admin <init|set-validators|show> --admin <keypair.json> [--rpc <url>] [--ws <url>]

  init            create the reward mint (authority: the program's mint-authority PDA) and Config
                  --epoch-seconds <n> (default 86400)  --emission <base units per epoch> (default 1000000000000)
                  --genesis <unix seconds> (default: now)
  set-validators  --validators <address>,... [--quorum <n>] (default ceil(2n/3))
  show            print Config`;

const FLAGS = {
  admin: { type: "string" },
  rpc: { type: "string" },
  ws: { type: "string" },
  "epoch-seconds": { type: "string" },
  emission: { type: "string" },
  genesis: { type: "string" },
  validators: { type: "string", multiple: true },
  quorum: { type: "string" },
} as const;

function parseU64(name: string, text: string | undefined, fallback: bigint): bigint {
  if (text === undefined) return fallback;
  if (!/^\d{1,20}$/.test(text) || BigInt(text) >= 1n << 64n) throw new UsageError(`--${name} must be an unsigned 64-bit integer`);
  return BigInt(text);
}

export async function runAdminCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE);
  const sub = positionals[0];
  if (values.help || sub === undefined) {
    console.log(USAGE);
    return;
  }
  if (values.admin === undefined) throw new UsageError(`--admin <keypair.json> is required\n\n${USAGE}`);
  const admin = await loadKeypairFile(values.admin);
  const rpcUrl = await resolveRpcUrl(values.rpc);
  const client = clientFor(rpcUrl, admin, values.ws);
  switch (sub) {
    case "init": {
      const epochSeconds = parseU64("epoch-seconds", values["epoch-seconds"], 86_400n);
      const emission = parseU64("emission", values.emission, 1_000_000_000_000n);
      const genesis = parseU64("genesis", values.genesis, BigInt(Math.floor(Date.now() / 1000)));
      const mint = await createRewardMint(client.provider, client.mintAuthority);
      const signature = await client.initialize(toWeb3Keypair(admin), mint, { epochLengthSeconds: epochSeconds, genesisUnixTime: genesis, emissionPerEpoch: emission });
      console.log(JSON.stringify({ config: client.configAddress.toBase58(), mint: mint.toBase58(), epochSeconds: Number(epochSeconds), genesis: Number(genesis), emission: emission.toString(), signature }));
      return;
    }
    case "set-validators": {
      const validators = listFlag(values.validators).map((a) => new PublicKey(a));
      if (validators.length === 0) throw new UsageError("--validators needs at least one address");
      const quorum = numberFlag("quorum", values.quorum, Math.ceil((2 * validators.length) / 3), 1, validators.length);
      const signature = await client.setValidators(toWeb3Keypair(admin), validators, quorum);
      console.log(JSON.stringify({ validators: validators.map(String), quorum, signature }));
      return;
    }
    case "show": {
      const config = await client.fetchConfig();
      console.log(
        JSON.stringify(
          config,
          (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof PublicKey ? v.toBase58() : v),
          2,
        ),
      );
      return;
    }
    default:
      throw new UsageError(`unknown admin command ${JSON.stringify(sub)}\n\n${USAGE}`);
  }
}
