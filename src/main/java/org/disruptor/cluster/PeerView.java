package org.disruptor.cluster;

import java.util.List;

/**
 * What the coordinator and the workers need to know about the cluster: this node, the live ready peers
 * and their user-facing addresses. {@link PeerRegistry} is the real one; unit tests use an in-memory one.
 */
public interface PeerView {

  /** This node. */
  Peer self();

  /** The live ready peers, this node included, in join order. */
  List<Peer> peers();

  /** The user-facing address of a node id, or the id itself when the node is unknown (gone). */
  String addressOf(String nodeId);

  /**
   * Whether a node id is still a member of the cluster (ready or not yet): what can own work. A node that
   * is not may be taken over; the real view asks Hazelcast, a fake counts its peers.
   */
  default boolean member(String nodeId) {
    return peers().stream().anyMatch(p -> p.id().equals(nodeId));
  }
}
