import { createHexcoverHost, type HexcoverHost, type SignatureVerifier } from "../../../node/index.js";
import { Ed25519Keypair } from "../../../protocol/index.js";
import { EpochStore, Ingest, SyncService } from "../../../validator/index.js";
import { EPOCH_SECONDS, GENESIS_SECONDS, type TempDirs } from "../store/helpers.js";

/** One validator on loopback: libp2p host, LMDB store in a temp dir, ingest and sync. */
export interface TestValidator {
  keypair: Ed25519Keypair;
  host: HexcoverHost;
  store: EpochStore;
  ingest: Ingest;
  sync: SyncService;
}

export interface NetworkOptions {
  readonly count: number;
  readonly dirs: TempDirs;
  readonly verifier: SignatureVerifier;
  /** The receiver clock every validator uses. */
  readonly now: () => number;
  /** Start gossip ingest on these validators (indices). */
  readonly gossip?: readonly number[];
  readonly requestTimeoutMs?: number;
}

export async function startValidators(options: NetworkOptions): Promise<TestValidator[]> {
  const keypairs = Array.from({ length: options.count }, () => Ed25519Keypair.generate());
  const validators: TestValidator[] = [];
  for (const keypair of keypairs) {
    const host = await createHexcoverHost({ keypair });
    const store = EpochStore.open({ path: await options.dirs.make("hexcover-validator-"), genesisSeconds: GENESIS_SECONDS, epochSeconds: EPOCH_SECONDS });
    const ingest = new Ingest(host, { store, verifier: options.verifier, validators: keypairs.map((k) => k.publicKey), now: options.now });
    const sync = new SyncService(host, {
      store,
      ingest,
      roundIntervalMs: 100,
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    });
    await sync.start();
    validators.push({ keypair, host, store, ingest, sync });
  }
  for (const index of options.gossip ?? []) validators[index]!.ingest.start();
  await connectAll(validators.map((v) => v.host));
  return validators;
}

export async function connectAll(hosts: readonly HexcoverHost[]): Promise<void> {
  for (let i = 0; i < hosts.length; i++) {
    for (let j = i + 1; j < hosts.length; j++) await hosts[i]!.dial(hosts[j]!.getMultiaddrs()[0]!);
  }
}

export async function stopValidators(validators: readonly TestValidator[]): Promise<void> {
  for (const v of validators) {
    v.ingest.stop();
    await v.sync.stop().catch(() => {});
    await v.host.stop();
    await v.store.close();
  }
}
