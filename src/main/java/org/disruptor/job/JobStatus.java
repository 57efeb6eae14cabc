package org.disruptor.job;

/** A job's state; every job ends in exactly one of the four final states. */
public enum JobStatus {
  RUNNING, COMPLETED, FAILED, TIMED_OUT, CANCELLED;

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public boolean isFinal() {
    return this != RUNNING;
  }
}
