package org.disruptor.job;

/** What the coordinator counts: parts moved (by reason) and jobs ended (by status, with their duration). */
public interface CoordinatorMetrics {

  void retry(String reason);

  void jobEnded(JobStatus status, long elapsedMs);

  CoordinatorMetrics NONE = new CoordinatorMetrics() {
    @Override
    public void retry(String reason) {
    }

    @Override
    public void jobEnded(JobStatus status, long elapsedMs) {
    }
  };
}
