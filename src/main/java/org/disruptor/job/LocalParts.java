package org.disruptor.job;

import io.vertx.core.Future;
import org.disruptor.job.PartMessages.PartOutcome;
import org.disruptor.job.PartMessages.PartRequest;
import org.disruptor.job.PartMessages.StopParts;

/** The worker of this node, reached without the event bus (the coordinator's own share and its reduces). */
public interface LocalParts {

  Future<PartOutcome> run(PartRequest part);

  void stop(StopParts stop);
}
