package org.disruptor.job;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs this node coordinates, running and recent, in submission order. Bounded twice: at most
 * {@code size} finished jobs, and at most {@code resultBytes} of their results (past that budget the
 * oldest finished jobs let go of their result; their state stays listed).
 */
final class JobHistory {

  private final int size;
  private final long resultBudget;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final java.util.function.Consumer<Job> removed;
  private long resultBytes;
  private int running;

  /** {@code removed} hears of each finished job the history lets go of. */
  JobHistory(int size, long resultBudget, java.util.function.Consumer<Job> removed) {
    this.size = size;
    this.resultBudget = resultBudget;
    this.removed = removed;
  }

  void add(Job job) {
    jobs.put(job.id(), job);
    running++;
    trim();
  }

  Job get(String id) {
    return jobs.get(id);
  }

  /** The most recent jobs first. */
  List<Job> recent() {
    List<Job> list = new ArrayList<>(jobs.values());
    Collections.reverse(list);
    return list;
  }

  int running() {
    return running;
  }

  /** A job of this history ended: its result now counts against the budget. */
  void ended(Job job) {
    running--;
    resultBytes += job.resultBytes();
    trim();
  }

  private void trim() {
    Iterator<Job> it = jobs.values().iterator();
    int excess = jobs.size() - running - size;
    while (excess > 0 && it.hasNext()) {
      Job job = it.next();
      if (job.status().isFinal()) {
        resultBytes -= job.resultBytes();
        it.remove();
        removed.accept(job);
        excess--;
      }
    }
    for (Iterator<Job> older = jobs.values().iterator(); resultBytes > resultBudget && older.hasNext(); ) {
      Job job = older.next();
      if (job.status().isFinal() && job.resultBytes() > 0) {
        resultBytes -= job.resultBytes();
        job.dropResult();
      }
    }
  }
}
