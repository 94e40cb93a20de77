import type { HotspotAccount } from "./client.js";

/** A hotspot's radio parameters as they were at some time. */
export interface HotspotSnapshot {
  /** H3 cell (resolution 12) as the on-chain u64. */
  readonly location: bigint;
  readonly gainDeciDbi: number;
  readonly elevationM: number;
}

/** The fields of a Hotspot account that hotspotAsOf reads. */
export type HotspotHistory = Pick<
  HotspotAccount,
  "registeredAt" | "locationUpdatedAt" | "location" | "gainDeciDbi" | "elevationM" | "previousLocation" | "previousGainDeciDbi" | "previousElevationM"
>;

/**
 * The hotspot's location, gain and elevation in force at `unixTime` T, or null if it was not yet
 * registered at T (docs/PROGRAM.md, "Registry as of time T"):
 *
 * - registeredAt > T: not registered at T -> null;
 * - locationUpdatedAt <= T: the current values;
 * - otherwise: the previous values.
 *
 * Exact for an account read at any time R with T <= R <= T + 2 x epoch_length_seconds: the
 * program spaces location updates at least two epochs apart, so at most one update can have
 * happened in (T, R], and the values it replaced are the previous* fields. Values changed at
 * exactly T count as in force at T.
 */
export function hotspotAsOf(account: HotspotHistory, unixTime: bigint): HotspotSnapshot | null {
  if (account.registeredAt > unixTime) return null;
  if (account.locationUpdatedAt <= unixTime) {
    return { location: account.location, gainDeciDbi: account.gainDeciDbi, elevationM: account.elevationM };
  }
  return { location: account.previousLocation, gainDeciDbi: account.previousGainDeciDbi, elevationM: account.previousElevationM };
}
