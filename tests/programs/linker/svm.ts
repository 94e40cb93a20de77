/**
 * Test support: run one instruction of a program in litesvm (the real Agave runtime) and
 * return what the tests look at.
 */
import {
  type AccountRole,
  type Address,
  appendTransactionMessageInstructions,
  createTransactionMessage,
  type Instruction,
  generateKeyPairSigner,
  type KeyPairSigner,
  lamports,
  pipe,
  setTransactionMessageFeePayerSigner,
  signTransactionMessageWithSigners,
} from "@solana/kit";
import { LiteSVM } from "litesvm";

export interface InstructionOutcome {
  readonly ok: boolean;
  readonly logs: readonly string[];
  readonly computeUnits: bigint;
  readonly returnData: Uint8Array;
  /** The transaction error as litesvm prints it ("" on success). */
  readonly error: string;
}

export interface AccountUse {
  readonly address: Address;
  readonly role: AccountRole;
}

/** A fresh litesvm with a funded payer. */
export async function freshSvm(): Promise<{ svm: LiteSVM; payer: KeyPairSigner }> {
  const svm = new LiteSVM();
  const payer = await generateKeyPairSigner();
  svm.airdrop(payer.address, lamports(10_000_000_000n));
  return { svm, payer };
}

export function runInstruction(
  svm: LiteSVM,
  payer: KeyPairSigner,
  programAddress: Address,
  data: Uint8Array,
  accounts: readonly AccountUse[] = [],
): Promise<InstructionOutcome> {
  return sendInstructions(svm, payer, [{ programAddress, accounts: [...accounts], data }]);
}

/** One transaction with these instructions; signers attached to account metas sign too. */
export async function sendInstructions(
  svm: LiteSVM,
  payer: KeyPairSigner,
  instructions: readonly Instruction[],
): Promise<InstructionOutcome> {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(payer, m),
    (m) => svm.setTransactionMessageLifetimeUsingLatestBlockhash(m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  const transaction = await signTransactionMessageWithSigners(message);
  const result = svm.sendTransaction(transaction);
  // Each test sends distinct transactions; expiring the blockhash keeps identical ones legal.
  svm.expireBlockhash();
  if ("err" in result) {
    const meta = result.meta();
    return {
      ok: false,
      logs: meta.logs(),
      computeUnits: meta.computeUnitsConsumed(),
      returnData: meta.returnData().data(),
      error: result.err().toString(),
    };
  }
  return {
    ok: true,
    logs: result.logs(),
    computeUnits: result.computeUnitsConsumed(),
    returnData: result.returnData().data(),
    error: "",
  };
}

/** The "Program log: ..." lines, without the prefix. */
export function programLogs(outcome: InstructionOutcome): string[] {
  const prefix = "Program log: ";
  return outcome.logs.filter((l) => l.startsWith(prefix)).map((l) => l.slice(prefix.length));
}
