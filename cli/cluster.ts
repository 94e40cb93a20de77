import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { AnchorProvider, Wallet } from "@coral-xyz/anchor";
import { Connection, Keypair } from "@solana/web3.js";
import { CoverageRewardsClient } from "../chain/client/index.js";
import type { Ed25519Keypair } from "../protocol/index.js";

const ANCHOR_TOML = fileURLToPath(new URL("../Anchor.toml", import.meta.url));
export const DEFAULT_RPC_URL = "http://127.0.0.1:8899";

/**
 * The cluster RPC URL: the --rpc flag, else Anchor.toml's [provider] cluster, else the local
 * ledger's default. Switching cluster is this one setting.
 */
export async function resolveRpcUrl(flag: string | undefined): Promise<string> {
  if (flag !== undefined) return flag;
  try {
    const toml = await readFile(ANCHOR_TOML, "utf8");
    const section = /\[provider\]([\s\S]*?)(?:\n\[|$)/.exec(toml)?.[1] ?? "";
    const cluster = /^\s*cluster\s*=\s*"([^"]+)"/m.exec(section)?.[1];
    if (cluster === undefined) return DEFAULT_RPC_URL;
    const named: Record<string, string> = {
      localnet: DEFAULT_RPC_URL,
      devnet: "https://api.devnet.solana.com",
      mainnet: "https://api.mainnet-beta.solana.com",
      "mainnet-beta": "https://api.mainnet-beta.solana.com",
    };
    return named[cluster] ?? cluster;
  } catch {
    return DEFAULT_RPC_URL;
  }
}

/**
 * An Anchor client on `rpcUrl` paying with (and signing as) `payer`. `wsUrl` defaults to web3.js's
 * rule (the RPC port + 1, as solana-test-validator and `hexcover ledger` use by default).
 */
export function clientFor(rpcUrl: string, payer: Ed25519Keypair | Keypair, wsUrl?: string): CoverageRewardsClient {
  const keypair = payer instanceof Keypair ? payer : Keypair.fromSecretKey(payer.secretKey);
  const connection = new Connection(rpcUrl, { commitment: "confirmed", ...(wsUrl !== undefined ? { wsEndpoint: wsUrl } : {}) });
  const provider = new AnchorProvider(connection, new Wallet(keypair), { commitment: "confirmed" });
  return new CoverageRewardsClient(provider);
}

export function toWeb3Keypair(keypair: Ed25519Keypair): Keypair {
  return Keypair.fromSecretKey(keypair.secretKey);
}
