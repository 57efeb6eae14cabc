package org.disruptor.job;

import java.util.ArrayList;
import java.util.List;
import org.disruptor.cluster.Peer;

/**
 * Turns a validated job into its parts: map mode slices the data array (one part per live node unless the
 * job says how many), broadcast gives every live node the whole data. Pure CPU work on the request's
 * bytes, safe on any thread (large jobs are planned on a worker thread, never on an event loop).
 */
public final class Planner {

  private Planner() {
  }

  /**
   * A job ready to start: its spec without the data (history must not pin it), each part's input, and for
   * broadcast the node of each part (empty for map: placement decides as parts are sent).
   */
  public record Plan(JobSpec spec, List<byte[]> inputs, List<Peer> placement) {
    public Plan withSpec(JobSpec changed) {
      return new Plan(changed, inputs, placement);
    }
  }

  /**
   * Fails with {@code no_nodes} when no live node can take the job (none, or none with the job's labels).
   * A job limited to {@code nodes} N gets N parts by default (map) or runs on N nodes (broadcast); for
   * broadcast the placement lists every eligible node and the coordinator picks the least loaded.
   */
  public static Plan plan(JobSpec spec, List<Peer> live) {
    if (live.isEmpty()) {
      throw new JobError("no_nodes", "no live node can take the job");
    }
    List<Peer> peers = live.stream().filter(p -> p.has(spec.labels())).toList();
    if (peers.isEmpty()) {
      throw new JobError("no_nodes", "no live node has the labels " + spec.labels() + " (a node's labels are its "
          + "'labels' config key)");
    }
    int width = spec.nodes() == null ? peers.size() : Math.min(spec.nodes(), peers.size());
    List<byte[]> inputs = new ArrayList<>();
    List<Peer> placement = new ArrayList<>();
    if (spec.mode() == JobSpec.Mode.BROADCAST) {
      byte[] whole = spec.data().text();
      for (int i = 0; i < width; i++) {
        inputs.add(whole);
      }
      placement.addAll(peers);
    } else {
      JobSpec.Data data = spec.data();
      int parts = spec.partitions() != null ? spec.partitions() : width;
      for (Slicer.Slice slice : Slicer.slices(data.size(), parts)) {
        inputs.add(data.slice(slice.from(), slice.to()));
      }
    }
    return new Plan(spec.withoutData(), inputs, placement);
  }
}
