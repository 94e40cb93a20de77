import { PublicKey } from "@solana/web3.js";
import idlJson from "../../programs/coverage-rewards/idl/coverage_rewards.json" with { type: "json" };

/** The program's Anchor IDL (programs/coverage-rewards/idl/coverage_rewards.json). */
export const COVERAGE_REWARDS_IDL = idlJson;

/** Program id as deployed by `hexcover ledger` and recorded in Anchor.toml. */
export const COVERAGE_REWARDS_PROGRAM_ID = new PublicKey(idlJson.address);

/** PDA seeds, byte for byte as programs/coverage-rewards/src/keys.rs uses them. */
export const CONFIG_SEED = Buffer.from("config");
export const MINT_AUTHORITY_SEED = Buffer.from("mint_authority");
export const HOTSPOT_SEED = Buffer.from("hotspot");
export const EPOCH_SEED = Buffer.from("epoch");

/** Most validators the Config account holds (its fixed-size array). */
export const MAX_VALIDATORS = 16;

/**
 * update_location is refused until this many epochs (x config.epochLengthSeconds) have passed
 * since the last update or the registration (EPOCHS_BETWEEN_UPDATES in
 * programs/coverage-rewards/src/instructions/update_location/data.rs).
 */
export const EPOCHS_BETWEEN_LOCATION_UPDATES = 2n;
