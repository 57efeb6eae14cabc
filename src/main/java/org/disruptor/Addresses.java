package org.disruptor;

/**
 * Every event-bus address in one place. Per-node addresses carry the Vert.x node id: a plain send to a
 * shared address is round-robin to ONE consumer, so scatter/gather needs one address per node.
 */
public final class Addresses {

  /** Prefix the browser bridge may forward outbound; nothing is permitted inbound. */
  public static final String UI_PREFIX = "disruptor.ui.";
  /** Local-only publications of this node's peer view, for the page. */
  public static final String UI_PEERS = UI_PREFIX + "peers";
  /** Batches of job summaries every coordinator publishes to every node, for their pages (JobFeed). */
  public static final String JOB_FEED = "disruptor.jobs.feed";
  /** Local-only publications of job events (this node's, and the others' from their feed), for the page. */
  public static final String UI_JOBS = UI_PREFIX + "jobs";
  /** Local-only publications of the latest stats of every live node, about once a second, for the page. */
  public static final String UI_STATS = UI_PREFIX + "stats";
  /** Cluster-wide publications: each node's own stats record, once per {@code statsIntervalMs}. */
  public static final String STATS = "disruptor.stats";

  private Addresses() {
  }

  /** Runs one part of a job on the node. */
  public static String parts(String nodeId) {
    return "disruptor.node." + nodeId + ".parts";
  }

  /** Stops a job's parts on the node. */
  public static String cancel(String nodeId) {
    return "disruptor.node." + nodeId + ".cancel";
  }

  /** Answers the node's load counters. */
  public static String stats(String nodeId) {
    return "disruptor.node." + nodeId + ".stats";
  }

  /** Asks the node about a job it coordinates: view, cancel, watch, unwatch (any node may ask). */
  public static String jobs(String nodeId) {
    return "disruptor.node." + nodeId + ".jobs";
  }

  /** Events of jobs that clients of the node watch, sent by those jobs' coordinators. */
  public static String jobEvents(String nodeId) {
    return "disruptor.node." + nodeId + ".job-events";
  }
}
