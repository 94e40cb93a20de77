import type { Keypair } from "@solana/web3.js";
import type { Logger } from "pino";
import { type CoverageRewardsClient, CoverageRewardsError } from "../../chain/client/index.js";
import type { ResultsStore, SubmissionStatus } from "../results/index.js";

export interface SubmitterCounters {
  submitted: number;
  alreadyVoted: number;
  finalizedAgreeing: number;
  /** Finalized on chain with a tuple other than ours: this validator is wrong or outvoted. */
  disagreements: number;
  retries: number;
}

/** Errors that mean "not yet": the epoch has not ended on chain, or earlier epochs are still open. */
const WAIT_ERRORS = new Set(["EpochNotEnded", "EpochOutOfOrder"]);

/**
 * Puts this validator's scored epochs on chain with submit_epoch (DESIGN.md §6), idempotently:
 * an epoch already voted on is not voted again, a finalized one is compared with our result, and
 * one that cannot be voted yet stays "scored" for the next attempt. Transient failures throw, so
 * the caller retries with backoff; nothing here changes what was scored.
 */
export class EpochSubmitter {
  readonly counters: SubmitterCounters = { submitted: 0, alreadyVoted: 0, finalizedAgreeing: 0, disagreements: 0, retries: 0 };

  constructor(
    readonly client: CoverageRewardsClient,
    readonly validator: Keypair,
    readonly results: ResultsStore,
    readonly log: Logger | undefined = undefined,
  ) {}

  /** Advances one epoch as far as the chain allows and returns its new status. */
  async advance(epoch: number): Promise<SubmissionStatus> {
    const summary = this.results.summary(epoch);
    if (summary === undefined) throw new Error(`epoch ${epoch} has not been scored`);
    if (summary.status === "finalized" || summary.status === "disagreed") return summary.status;
    const ours = { root: summary.root, cumulativeTotal: BigInt(summary.cumulativeTotal), leafCount: BigInt(summary.leafCount) };

    const config = await this.client.fetchConfig();
    const index = config.validators.findIndex((v) => v.equals(this.validator.publicKey));
    if (BigInt(epoch) < config.nextEpoch) return this.#compareFinalized(epoch, ours);
    if (BigInt(epoch) > config.nextEpoch) return summary.status; // earlier epochs first
    if (index < 0) {
      this.log?.error({ epoch, validator: this.validator.publicKey.toBase58() }, "not in the on-chain validator set: cannot submit");
      return summary.status;
    }
    const account = await this.client.fetchEpoch(epoch);
    if (account?.votes.some((v) => v.validatorIndex === index)) {
      this.counters.alreadyVoted++;
      await this.results.setStatus(epoch, "submitted");
      return account.status === "finalized" ? this.#compareFinalized(epoch, ours) : "submitted";
    }
    try {
      const signature = await this.client.submitEpoch(this.validator, {
        epoch: BigInt(epoch),
        root: Buffer.from(ours.root, "hex"),
        cumulativeTotal: ours.cumulativeTotal,
        leafCount: ours.leafCount,
      });
      this.counters.submitted++;
      await this.results.setStatus(epoch, "submitted", { signature });
      this.log?.info({ epoch, root: ours.root, signature }, "epoch submitted");
    } catch (err) {
      if (err instanceof CoverageRewardsError && WAIT_ERRORS.has(err.errorName)) return summary.status;
      if (err instanceof CoverageRewardsError && err.errorName === "DoubleVote") {
        this.counters.alreadyVoted++;
        await this.results.setStatus(epoch, "submitted");
      } else if (err instanceof CoverageRewardsError && err.errorName === "EpochAlreadyFinalized") {
        return this.#compareFinalized(epoch, ours);
      } else {
        this.counters.retries++;
        throw err;
      }
    }
    const after = await this.client.fetchEpoch(epoch);
    return after?.status === "finalized" ? this.#compareFinalized(epoch, ours) : "submitted";
  }

  async #compareFinalized(epoch: number, ours: { root: string; cumulativeTotal: bigint; leafCount: bigint }): Promise<SubmissionStatus> {
    const account = await this.client.fetchEpoch(epoch);
    if (account === null || account.status !== "finalized") return "submitted";
    const finalizedRoot = Buffer.from(account.finalizedRoot).toString("hex");
    const agrees = finalizedRoot === ours.root && account.finalizedCumulativeTotal === ours.cumulativeTotal && account.finalizedLeafCount === ours.leafCount;
    if (agrees) {
      this.counters.finalizedAgreeing++;
      await this.results.setStatus(epoch, "finalized", { finalizedRoot });
      return "finalized";
    }
    this.counters.disagreements++;
    // Loud on purpose: a validator that disagrees with the quorum computes different rewards
    // from now on (cumulative leaves build on this epoch) and needs an operator.
    this.log?.error(
      { epoch, ourRoot: ours.root, finalizedRoot, ourTotal: ours.cumulativeTotal.toString(), finalizedTotal: account.finalizedCumulativeTotal.toString() },
      "DISAGREEMENT: the finalized epoch differs from this validator's result",
    );
    await this.results.setStatus(epoch, "disagreed", { finalizedRoot });
    return "disagreed";
  }
}
