import type { AccountClient, Idl, Provider } from "@coral-xyz/anchor";
import { Program } from "@coral-xyz/anchor";
import BN from "bn.js";
import { getAssociatedTokenAddressSync, TOKEN_PROGRAM_ID } from "@solana/spl-token";
import { type Keypair, type PublicKey, type Signer, SystemProgram } from "@solana/web3.js";
import { COVERAGE_REWARDS_IDL, COVERAGE_REWARDS_PROGRAM_ID } from "./constants.js";
import { toCoverageRewardsError } from "./errors.js";
import { configPda, epochPda, hotspotPda, mintAuthorityPda } from "./pdas.js";

export interface ConfigAccount {
  readonly admin: PublicKey;
  readonly mint: PublicKey;
  readonly mintAuthority: PublicKey;
  readonly epochLengthSeconds: bigint;
  readonly genesisUnixTime: bigint;
  readonly emissionPerEpoch: bigint;
  readonly quorum: number;
  readonly validators: PublicKey[];
  readonly validatorsVersion: number;
  /** Epochs below this are finalized; votes go to this epoch. */
  readonly nextEpoch: bigint;
  readonly totalMinted: bigint;
  readonly finalizedCumulativeTotal: bigint;
}

export interface HotspotAccount {
  readonly address: PublicKey;
  readonly owner: PublicKey;
  readonly deviceKey: PublicKey;
  /** H3 cell (resolution 12) as the on-chain u64. */
  readonly location: bigint;
  readonly gainDeciDbi: number;
  readonly elevationM: number;
  readonly claimed: bigint;
  readonly rewardAccount: PublicKey;
  /** Clock unix time of register_hotspot. */
  readonly registeredAt: bigint;
  /** Unix time the current location/gain/elevation took effect (= registeredAt until the first update). */
  readonly locationUpdatedAt: bigint;
  /** The values in force before locationUpdatedAt (= the current ones until the first update). */
  readonly previousLocation: bigint;
  readonly previousGainDeciDbi: number;
  readonly previousElevationM: number;
}

export interface EpochVote {
  readonly validatorIndex: number;
  readonly root: Uint8Array;
  readonly cumulativeTotal: bigint;
  readonly leafCount: bigint;
}

export interface EpochAccount {
  readonly epoch: bigint;
  readonly status: "voting" | "finalized";
  readonly votes: EpochVote[];
  readonly finalizedRoot: Uint8Array;
  readonly finalizedCumulativeTotal: bigint;
  readonly finalizedLeafCount: bigint;
  readonly finalizedAt: bigint;
}

type AnyAccount = Record<string, unknown>;
type Method = (...args: unknown[]) => MethodsBuilder;
interface ProgramMethods {
  initialize: Method;
  setValidators: Method;
  registerHotspot: Method;
  updateLocation: Method;
  submitEpoch: Method;
  claim: Method;
}
interface MethodsBuilder {
  accountsStrict(accounts: Record<string, PublicKey>): MethodsBuilder;
  signers(signers: Signer[]): MethodsBuilder;
  rpc(): Promise<string>;
}
const big = (value: unknown): bigint => BigInt((value as BN).toString());
const bytes = (value: unknown): Uint8Array => Uint8Array.from(value as number[]);

/**
 * Typed client for the coverage_rewards program over @coral-xyz/anchor's Program. Works with any
 * Anchor Provider: an AnchorProvider on a real cluster or `hexcover ledger`, or the in-process
 * litesvm provider used by tests. Program errors come back as CoverageRewardsError (code + name).
 */
export class CoverageRewardsClient {
  readonly program: Program<Idl>;
  readonly programId: PublicKey;

  constructor(
    readonly provider: Provider,
    programId: PublicKey = COVERAGE_REWARDS_PROGRAM_ID,
  ) {
    this.programId = programId;
    this.program = new Program({ ...(COVERAGE_REWARDS_IDL as Idl), address: programId.toBase58() }, provider);
  }

  // The IDL is loaded at run time, so Program's generic typing cannot name its methods/accounts.
  get #methods(): ProgramMethods {
    return this.program.methods as unknown as ProgramMethods;
  }

  get #accounts(): { config: AccountClient; hotspot: AccountClient; epoch: AccountClient } {
    return this.program.account as unknown as { config: AccountClient; hotspot: AccountClient; epoch: AccountClient };
  }

  get configAddress(): PublicKey {
    return configPda(this.programId)[0];
  }

  get mintAuthority(): PublicKey {
    return mintAuthorityPda(this.programId)[0];
  }

  hotspotAddress(deviceKey: PublicKey): PublicKey {
    return hotspotPda(deviceKey, this.programId)[0];
  }

  epochAddress(epoch: bigint | number): PublicKey {
    return epochPda(epoch, this.programId)[0];
  }

  /** Creates Config; the mint's authority must already be the mint-authority PDA. */
  async initialize(admin: Keypair, mint: PublicKey, args: { epochLengthSeconds: bigint; genesisUnixTime: bigint; emissionPerEpoch: bigint }): Promise<string> {
    return this.#send(
      this.#methods.initialize(new BN(args.epochLengthSeconds.toString()), new BN(args.genesisUnixTime.toString()), new BN(args.emissionPerEpoch.toString()))
        .accountsStrict({
          admin: admin.publicKey,
          config: this.configAddress,
          mint,
          mintAuthority: this.mintAuthority,
          systemProgram: SystemProgram.programId,
        }),
      [admin],
    );
  }

  async setValidators(admin: Keypair, validators: readonly PublicKey[], quorum: number): Promise<string> {
    return this.#send(
      this.#methods.setValidators([...validators], quorum).accountsStrict({ admin: admin.publicKey, config: this.configAddress }),
      [admin],
    );
  }

  /** Onboards a hotspot: the owner pays and both the owner and the device key sign. */
  async registerHotspot(owner: Keypair, device: Signer, args: { location: bigint; gainDeciDbi: number; elevationM: number }): Promise<string> {
    return this.#send(
      this.#methods.registerHotspot(new BN(args.location.toString()), args.gainDeciDbi, args.elevationM).accountsStrict({
        owner: owner.publicKey,
        device: device.publicKey,
        hotspot: this.hotspotAddress(device.publicKey),
        config: this.configAddress,
        systemProgram: SystemProgram.programId,
      }),
      [owner, device],
    );
  }

  /**
   * Moves a hotspot (the owner signs). The program keeps the replaced values as previous* and
   * refuses another update within 2 epochs of the last one or of the registration
   * (LocationUpdateTooSoon), so the registry as of a recent time stays readable (hotspotAsOf).
   */
  async updateLocation(owner: Keypair, deviceKey: PublicKey, args: { location: bigint; gainDeciDbi: number; elevationM: number }): Promise<string> {
    return this.#send(
      this.#methods.updateLocation(new BN(args.location.toString()), args.gainDeciDbi, args.elevationM)
        .accountsStrict({ owner: owner.publicKey, hotspot: this.hotspotAddress(deviceKey), config: this.configAddress }),
      [owner],
    );
  }

  async submitEpoch(validator: Keypair, args: { epoch: bigint; root: Uint8Array; cumulativeTotal: bigint; leafCount: bigint }): Promise<string> {
    return this.#send(
      this.#methods.submitEpoch(new BN(args.epoch.toString()), Array.from(args.root), new BN(args.cumulativeTotal.toString()), new BN(args.leafCount.toString()))
        .accountsStrict({
          validator: validator.publicKey,
          config: this.configAddress,
          epochAccount: this.epochAddress(args.epoch),
          systemProgram: SystemProgram.programId,
        }),
      [validator],
    );
  }

  /**
   * Claims for a hotspot against a finalized epoch's root. Anyone may send (the payer signs);
   * tokens go to the hotspot's recorded reward account.
   */
  async claim(
    payer: Keypair,
    args: { epoch: bigint; deviceKey: PublicKey; cumulativeAmount: bigint; leafIndex: bigint; proof: readonly Uint8Array[] },
    overrides: { destination?: PublicKey; mint?: PublicKey } = {},
  ): Promise<string> {
    const config = await this.fetchConfig();
    const hotspot = await this.fetchHotspot(args.deviceKey);
    if (hotspot === null) throw new Error(`hotspot ${args.deviceKey.toBase58()} is not registered`);
    const builder = this.#methods
      .claim(new BN(args.epoch.toString()), new BN(args.cumulativeAmount.toString()), new BN(args.leafIndex.toString()), args.proof.map((p) => Array.from(p)))
      .accountsStrict({
        config: this.configAddress,
        hotspot: hotspot.address,
        epochAccount: this.epochAddress(args.epoch),
        mint: overrides.mint ?? config.mint,
        destination: overrides.destination ?? hotspot.rewardAccount,
        mintAuthority: this.mintAuthority,
        tokenProgram: TOKEN_PROGRAM_ID,
      });
    return this.#send(builder, [payer]);
  }

  async fetchConfig(): Promise<ConfigAccount> {
    const raw = (await this.#accounts.config.fetch(this.configAddress)) as AnyAccount;
    const count = raw.validatorCount as number;
    return {
      admin: raw.admin as PublicKey,
      mint: raw.mint as PublicKey,
      mintAuthority: raw.mintAuthority as PublicKey,
      epochLengthSeconds: big(raw.epochLengthSeconds),
      genesisUnixTime: big(raw.genesisUnixTime),
      emissionPerEpoch: big(raw.emissionPerEpoch),
      quorum: raw.quorum as number,
      validators: (raw.validators as PublicKey[]).slice(0, count),
      validatorsVersion: raw.validatorsVersion as number,
      nextEpoch: big(raw.nextEpoch),
      totalMinted: big(raw.totalMinted),
      finalizedCumulativeTotal: big(raw.finalizedCumulativeTotal),
    };
  }

  async fetchHotspot(deviceKey: PublicKey): Promise<HotspotAccount | null> {
    const address = this.hotspotAddress(deviceKey);
    const raw = (await this.#accounts.hotspot.fetchNullable(address)) as AnyAccount | null;
    return raw === null ? null : hotspotFromRaw(address, raw);
  }

  /** Every registered hotspot (getProgramAccounts filtered by the Hotspot discriminator). */
  async allHotspots(): Promise<HotspotAccount[]> {
    const all = await this.#accounts.hotspot.all();
    return all.map((entry: { publicKey: PublicKey; account: unknown }) => hotspotFromRaw(entry.publicKey, entry.account as AnyAccount));
  }

  async fetchEpoch(epoch: bigint | number): Promise<EpochAccount | null> {
    const raw = (await this.#accounts.epoch.fetchNullable(this.epochAddress(epoch))) as AnyAccount | null;
    if (raw === null) return null;
    const voteCount = raw.voteCount as number;
    return {
      epoch: big(raw.epoch),
      status: "finalized" in (raw.status as object) ? "finalized" : "voting",
      votes: (raw.votes as AnyAccount[]).slice(0, voteCount).map((v) => ({
        validatorIndex: v.validatorIndex as number,
        root: bytes(v.root),
        cumulativeTotal: big(v.cumulativeTotal),
        leafCount: big(v.leafCount),
      })),
      finalizedRoot: bytes(raw.finalizedRoot),
      finalizedCumulativeTotal: big(raw.finalizedCumulativeTotal),
      finalizedLeafCount: big(raw.finalizedLeafCount),
      finalizedAt: big(raw.finalizedAt),
    };
  }

  /** The owner's associated token account for the reward mint (where claims pay out). */
  static rewardAccountFor(owner: PublicKey, mint: PublicKey): PublicKey {
    return getAssociatedTokenAddressSync(mint, owner, true);
  }

  async #send(builder: MethodsBuilder, signers: Signer[]): Promise<string> {
    try {
      return await builder.signers(signers).rpc();
    } catch (err) {
      throw toCoverageRewardsError(err);
    }
  }
}

function hotspotFromRaw(address: PublicKey, raw: AnyAccount): HotspotAccount {
  return {
    address,
    owner: raw.owner as PublicKey,
    deviceKey: raw.deviceKey as PublicKey,
    location: big(raw.location),
    gainDeciDbi: raw.gainDbiX10 as number,
    elevationM: raw.elevationM as number,
    claimed: big(raw.claimed),
    rewardAccount: raw.rewardAccount as PublicKey,
    registeredAt: big(raw.registeredAt),
    locationUpdatedAt: big(raw.locationUpdatedAt),
    previousLocation: big(raw.previousLocation),
    previousGainDeciDbi: raw.previousGainDbiX10 as number,
    previousElevationM: raw.previousElevationM as number,
  };
}
