package org.disruptor.job;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.disruptor.job.PartMessages.PartFailed;
import org.disruptor.job.PartMessages.PartRefused;

/**
 * What a part's failure means for its job. A part whose own code failed, or that a limit stopped, fails
 * the job (running it elsewhere would fail the same way). A part that could not run (its node left, did not
 * answer, refused it) runs again elsewhere, up to {@code maxAttempts} tries, after a short backoff when
 * the node was saturated.
 */
final class Failover {

  /** Retry reasons. */
  static final String NODE_LEFT = "node_left";
  static final String NODE_UNRESPONSIVE = "node_unresponsive";
  static final String SATURATED = "saturated";
  static final String REFUSED = "node_refused";

  /** What to do with a part that could not run. */
  sealed interface Next {
  }

  /** Place it again after {@code delayMs}. */
  record Again(long delayMs) implements Next {
  }

  /** Give up: the job fails with this error. */
  record GiveUp(JobError error) implements Next {
  }

  private final int maxAttempts;

  Failover(int maxAttempts) {
    this.maxAttempts = maxAttempts;
  }

  /** A part that could not run for {@code reason} after {@code attempts} tries. */
  Next retry(int index, int attempts, String reason) {
    if (attempts >= maxAttempts) {
      String code = reason.equals(SATURATED) ? "saturated" : "no_nodes";
      String what = index == PartMessages.REDUCE ? "the reduce" : "part " + index;
      return new GiveUp(new JobError(code, what + " could not run after " + attempts + " attempts (last: "
          + reason + ")", index == PartMessages.REDUCE ? new JsonObject().put("stage", "reduce")
          : new JsonObject().put("partition", index)));
    }
    // a refusal is worth a short wait (a full queue drains, a peer view catches up); a lost node is not
    return new Again(reason.equals(SATURATED) || reason.equals(REFUSED) ? 50L * attempts : 0);
  }

  /** The retry reason a refusal is reported under. */
  static String reasonOf(PartRefused refused) {
    return switch (refused.reason()) {
      case PartRefused.SATURATED -> SATURATED;
      case PartRefused.STOPPING -> "node_stopping";
      default -> REFUSED;
    };
  }

  /** The job status a failed part ends its job with. */
  static JobStatus statusOf(String code) {
    return switch (code) {
      case "timed_out" -> JobStatus.TIMED_OUT;
      case "cancelled" -> JobStatus.CANCELLED;
      default -> JobStatus.FAILED;
    };
  }

  /** The client-facing error of a failed part (or reduce): where it failed, and what it logged. */
  static JobError errorOf(PartFailed failed) {
    boolean reduce = failed.index() == PartMessages.REDUCE;
    JsonObject details = new JsonObject();
    if (reduce) {
      details.put("stage", "reduce");
    } else {
      details.put("partition", failed.index());
    }
    details.put("node", failed.node());
    if (failed.line() > 0) {
      details.put("line", failed.line()).put("column", failed.column());
    }
    if (!failed.logs().isEmpty()) {
      details.put("logs", new JsonArray(new java.util.ArrayList<>(failed.logs())));
    }
    return new JobError(failed.code(), (reduce ? "reduce: " : "") + failed.message(), details);
  }
}
