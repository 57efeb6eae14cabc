package org.disruptor.job;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.disruptor.cluster.Peer;
import org.disruptor.sandbox.JsEngine;
import org.disruptor.sandbox.PartTask;
import org.disruptor.sandbox.RunHandle;

/**
 * A node's first data job should not pay for compiling its own data path: at start, off every event loop
 * and before any job arrives, a data-shaped job is run through it once - a request body located and sliced,
 * a part over a hundred thousand numbers in the engine, the results spliced by a built-in reduce. Nothing of
 * it is counted, published or kept.
 */
final class DataWarmup {

  private static final int ELEMENTS = 100_000;
  private static final int ROUNDS = 3;

  private DataWarmup() {
  }

  static void run(JsEngine engine) {
    StringBuilder body = new StringBuilder(ELEMENTS * 7 + 200)
        .append("{\"code\":\"(xs) => xs.map(x => x * x)\",\"partitions\":4,\"reduce\":\"flat\",\"data\":[");
    for (int i = 0; i < ELEMENTS; i++) {
      body.append(i == 0 ? "" : ",").append(i);
    }
    byte[] text = body.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    JobSpec.Limits limits = new JobSpec.Limits(1 << 20, 1024, 60_000, 60_000);
    List<Peer> peers = List.of(new Peer("warm-up", "warm-up:0", 0));
    for (int round = 0; round < ROUNDS; round++) {
      Planner.Plan plan = Planner.plan(JobSpec.parse(text, limits), peers);
      List<byte[]> results = new ArrayList<>();
      for (byte[] input : plan.inputs()) {
        results.add(engine.run(new PartTask(plan.spec().code(), input, "{}", 30_000, 30_000), new RunHandle()).json());
      }
      BuiltinReduce.apply("flat", results);
      PartMessages.RequestCodec codec = new PartMessages.RequestCodec();
      io.vertx.core.buffer.Buffer wire = io.vertx.core.buffer.Buffer.buffer();
      codec.encodeToWire(wire, new PartMessages.PartRequest("w", "w", 0, 1, 1, plan.spec().code(),
          plan.inputs().getFirst(), 1));
      codec.decodeFromWire(0, wire);
    }
  }
}
