import { Connection, LAMPORTS_PER_SOL, type PublicKey } from "@solana/web3.js";
import { type RunningProcess, spawnHexcover } from "./processes.js";

export interface LedgerProcess {
  proc: RunningProcess;
  rpcUrl: string;
  wsUrl: string;
  connection: Connection;
  airdrop(to: PublicKey, sol: number): Promise<void>;
}

/** Starts `hexcover ledger` on free ports as a separate process and waits for its URLs. */
export async function startLedgerProcess(extraArgs: string[] = ["--in-memory"]): Promise<LedgerProcess> {
  const proc = spawnHexcover(["ledger", "--port", "0", "--ws-port", "0", ...extraArgs]);
  const rpcUrl = (await proc.waitForLine(/JSON-RPC\s+http/)).split(/\s+/).pop()!;
  const wsUrl = (await proc.waitForLine(/websocket\s+ws/)).split(/\s+/).pop()!;
  const connection = new Connection(rpcUrl, { commitment: "confirmed", wsEndpoint: wsUrl });
  return {
    proc,
    rpcUrl,
    wsUrl,
    connection,
    async airdrop(to, sol) {
      const signature = await connection.requestAirdrop(to, sol * LAMPORTS_PER_SOL);
      await connection.confirmTransaction({ signature, ...(await connection.getLatestBlockhash()) });
    },
  };
}
