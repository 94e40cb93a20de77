import { type HexcoverHost, HexcoverGossip } from "../../node/index.js";
import type { MessageKindName, SignedMessage } from "../../protocol/index.js";

/**
 * Gossip for a misbehaving hotspot: the daemon runs unchanged, but only the listed kinds of what
 * it publishes reach the network (a hotspot that never reveals publishes only its commits).
 */
export class FilteringGossip extends HexcoverGossip {
  readonly dropped: Record<string, number> = {};
  constructor(
    host: HexcoverHost,
    readonly sends: ReadonlySet<MessageKindName>,
  ) {
    super(host);
  }
  override publish(signed: SignedMessage): void {
    if (this.sends.has(signed.message.kind)) {
      super.publish(signed);
      return;
    }
    this.dropped[signed.message.kind] = (this.dropped[signed.message.kind] ?? 0) + 1;
  }
}
