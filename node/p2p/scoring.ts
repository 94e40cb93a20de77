import { createTopicScoreParams, type TopicScoreParams } from "@libp2p/gossipsub/score";
import type { PeerScoreThresholds } from "@libp2p/gossipsub/score";

/**
 * Gossipsub peer scoring for Hexcover topics. We rely mainly on P4 (invalid messages): every
 * message a topic validator REJECTs costs its sender the square of its decaying invalid count
 * times this weight, so a few garbage messages push a peer below the gossip threshold and a
 * sustained flood below the graylist threshold, after which its RPCs are ignored.
 */
export const GOSSIP_TOPIC_SCORE_PARAMS: TopicScoreParams = createTopicScoreParams({
  topicWeight: 1,
  // P1/P2/P3 rewards and delivery requirements are off: hotspots publish rarely by design, so a
  // quiet mesh peer is normal, and rewards for activity would only help a spammer's score.
  timeInMeshWeight: 0,
  timeInMeshQuantum: 1000,
  timeInMeshCap: 1,
  firstMessageDeliveriesWeight: 0,
  firstMessageDeliveriesDecay: 0.5,
  firstMessageDeliveriesCap: 1,
  meshMessageDeliveriesWeight: 0,
  meshMessageDeliveriesDecay: 0.5,
  meshMessageDeliveriesCap: 1,
  meshMessageDeliveriesThreshold: 1,
  meshMessageDeliveriesWindow: 10,
  meshMessageDeliveriesActivation: 1000,
  meshFailurePenaltyWeight: 0,
  meshFailurePenaltyDecay: 0.5,
  // One invalid message costs 10; five cost 250 (square of the counter). Decays by ~0.99 per
  // decay interval (1 s by default), so a peer recovers in minutes once it stops.
  invalidMessageDeliveriesWeight: -10,
  invalidMessageDeliveriesDecay: 0.99,
});

/**
 * Thresholds in the ratios gossipsub's spec suggests (gossip > publish > graylist). A peer with
 * 2 invalid messages (score -40) is no longer gossiped with; with 5 (-250) we stop publishing to
 * it; with 10 (-1000) its traffic is dropped unread.
 */
export const GOSSIP_SCORE_THRESHOLDS: Partial<PeerScoreThresholds> = {
  gossipThreshold: -30,
  publishThreshold: -200,
  graylistThreshold: -800,
  acceptPXThreshold: 10,
  opportunisticGraftThreshold: 5,
};
