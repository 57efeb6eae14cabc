package org.disruptor.sandbox;

import com.caoccao.javet.enums.JSRuntimeType;
import com.caoccao.javet.interop.loader.JavetLibLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Runs parts with V8 in runner processes ({@link V8Runner}), one per JS worker, supervised by the node: the
 * runners start before the node announces itself, a runner that dies is replaced, and a part that was in
 * flight on it is run once more on another runner (a second death fails it with {@code memory_limit}). A
 * runner that does not honour a stop within the grace is killed. So a V8 heap abort, a crash or a kill -9
 * of a runner costs at most the part it held, never the node.
 */
final class V8Engine implements JsEngine {

  private static final Logger LOG = Logger.getLogger("org.disruptor.sandbox");
  private static final Set<String> STOPS = Set.of("time_limit", "memory_limit", "timed_out", "cancelled");
  private static final long START_TIMEOUT_MS = 60_000;

  private final SandboxLimits limits;
  private final long graceMs;
  private final List<String> command;
  private final LinkedBlockingQueue<RunnerProcess> idle = new LinkedBlockingQueue<>();
  private final Set<RunnerProcess> runners = ConcurrentHashMap.newKeySet();
  private final AtomicLong restarts = new AtomicLong();
  private final AtomicLong killed = new AtomicLong();
  private final AtomicLong reruns = new AtomicLong();
  private final int size;
  private volatile boolean closed;

  private V8Engine(SandboxLimits limits, List<String> command, long graceMs, int size) {
    this.limits = limits;
    this.command = command;
    this.graceMs = graceMs;
    this.size = size;
  }

  /** Starts {@code workers} runners and waits until all are ready. */
  static V8Engine start(SandboxLimits limits, RunnerSettings settings, long graceMs, int workers) {
    V8Engine engine = new V8Engine(limits, command(settings), graceMs, Math.max(1, workers));
    List<RunnerProcess> started = new ArrayList<>();
    try {
      for (int slot = 0; slot < engine.size; slot++) {
        started.add(RunnerProcess.start(slot, engine.command));
      }
      for (RunnerProcess runner : started) {
        runner.awaitReady(START_TIMEOUT_MS);
        engine.adopt(runner);
      }
      if (started.getFirst().dataLimit() < 0) {
        LOG.warning("the OS set no data limit (RLIMIT_DATA) for the V8 runners: ArrayBuffers are bounded by"
            + " the memory watchdog alone");
      }
    } catch (IOException e) {
      started.forEach(RunnerProcess::kill);
      throw new IllegalStateException("the V8 runners did not start: " + e.getMessage(), e);
    }
    return engine;
  }

  /** The runner's command line: this JVM's java and class path, a small heap, no Vert.x or Hazelcast loaded. */
  static List<String> command(RunnerSettings settings) {
    Path lib;
    try {
      lib = deployLibrary();
    } catch (IOException | com.caoccao.javet.exceptions.JavetException e) {
      throw new IllegalStateException("cannot unpack V8's native library: " + e.getMessage(), e);
    }
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xms16m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
        "-XX:+DisplayVMOutputToStderr", "--enable-native-access=ALL-UNNAMED",
        "-Ddisruptor.javet.lib=" + lib, "-cp", System.getProperty("java.class.path"),
        "org.disruptor.Main", "runner", String.valueOf(settings.heapMb()), String.valueOf(settings.memoryMb()),
        String.valueOf(settings.stackKb()));
  }

  /**
   * Unpacks V8's native library once per machine and user into {@code java.io.tmpdir}, shared by every runner
   * (Javet's default is a copy per process under /tmp/javet/PID, which a killed runner would leave behind).
   * Written to a temporary name and moved into place, so concurrent nodes never load a half-written file.
   */
  static Path deployLibrary() throws IOException, com.caoccao.javet.exceptions.JavetException {
    JavetLibLoader loader = new JavetLibLoader(JSRuntimeType.V8);
    String resource = loader.getResourceFileName();
    Path dir = Path.of(System.getProperty("java.io.tmpdir"), "disruptor-javet-" + System.getProperty("user.name"));
    Files.createDirectories(dir);
    Path target = dir.resolve(loader.getLibFileName());
    long expected = JavetLibLoader.class.getResource(resource).openConnection().getContentLengthLong();
    if (Files.isRegularFile(target) && Files.size(target) == expected) {
      return dir;
    }
    Path temporary = Files.createTempFile(dir, "javet-", ".so.part");
    try (InputStream in = JavetLibLoader.class.getResourceAsStream(resource)) {
      Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(temporary);
    }
    return dir;
  }

  private void adopt(RunnerProcess runner) {
    runners.add(runner);
    runner.onDeath(() -> replace(runner));
    idle.offer(runner);
  }

  /** A runner died: forget it and start another in its slot (retrying while starts fail). */
  private void replace(RunnerProcess dead) {
    runners.remove(dead);
    idle.remove(dead);
    if (closed) {
      return;
    }
    restarts.incrementAndGet();
    RunnerProcess.Died died = dead.awaitDeath();
    // V8's fatal errors come framed in lines of '#', before a native stack trace: the error's own lines
    List<String> said = died.output.lines().filter(l -> l.startsWith("#")).map(l -> l.substring(1).strip())
        .filter(l -> !l.isEmpty()).toList();
    String last = said.isEmpty() ? died.output.strip().lines().reduce((a, b) -> b).orElse("") : String.join(" / ", said);
    LOG.info("V8 " + dead + " died (exit " + died.exit + (last.isEmpty() ? "" : ": " + last) + "): starting another");
    LOG.fine(() -> "V8 " + dead + " printed before it died:\n" + died.output);
    Thread.ofVirtual().name("disruptor-runner-restart").start(() -> {
      while (!closed) {
        try {
          RunnerProcess fresh = RunnerProcess.start(dead.slot(), command);
          fresh.awaitReady(START_TIMEOUT_MS);
          adopt(fresh);
          return;
        } catch (IOException e) {
          LOG.warning("V8 runner " + dead.slot() + " did not start: " + e.getMessage() + "; retrying in 1 s");
          try {
            Thread.sleep(1000);
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    });
  }

  @Override
  public String name() {
    return "v8";
  }

  @Override
  public boolean jit() {
    return true;
  }

  @Override
  public SandboxLimits limits() {
    return limits;
  }

  @Override
  public PartResult run(PartTask task, RunHandle handle) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(task.deadlineMs());
    RunnerProcess.Died last = null;
    for (int attempt = 0; attempt < 2; attempt++) {
      RunnerProcess runner = acquire(handle, deadline);
      try {
        return runOn(runner, task, handle, deadline);
      } catch (RunnerProcess.Died died) {
        last = died;
        if (handle.stopped()) {
          throw Outcomes.stopped(handle.stopReason(), limits.partMemoryLimitMb(), List.of());
        }
        if (died.outOfMemory()) {
          throw new SandboxException("memory_limit", Outcomes.stopMessage("memory_limit", limits.partMemoryLimitMb())
              + " (V8 ran out of memory)", null, null, List.of());
        }
        if (attempt == 0) {
          reruns.incrementAndGet();
          LOG.info("a part's V8 runner died (exit " + died.exit + "): running the part once more on another");
        }
      } finally {
        if (runner.alive()) {
          idle.offer(runner);
        }
      }
    }
    if (last != null && (last.exit == 134 || last.exit == 139)) {
      throw new SandboxException("job_error", "the part crashed the JavaScript engine twice", null, null, List.of());
    }
    throw new SandboxException("memory_limit", Outcomes.stopMessage("memory_limit", limits.partMemoryLimitMb())
        + " (two runners died while running it)", null, null, List.of());
  }

  /** An idle runner; waits while runners restart, but never past the deadline or a stop. */
  private RunnerProcess acquire(RunHandle handle, long deadline) {
    while (true) {
      if (handle.stopped()) {
        throw Outcomes.stopped(handle.stopReason(), limits.partMemoryLimitMb(), List.of());
      }
      if (closed) {
        throw Outcomes.stopped("cancelled", limits.partMemoryLimitMb(), List.of());
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        handle.stop("timed_out");
        continue;
      }
      try {
        RunnerProcess runner = idle.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS);
        if (runner != null && runner.alive()) {
          return runner;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Outcomes.stopped("cancelled", limits.partMemoryLimitMb(), List.of());
      }
    }
  }

  private PartResult runOn(RunnerProcess runner, PartTask task, RunHandle handle, long deadline)
      throws RunnerProcess.Died {
    long id = RunnerProcess.newId();
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    Frames.Frame answer;
    handle.attach(() -> runner.stop(id, handle.stopReason()), () -> {
      killed.incrementAndGet();
      LOG.info("V8 " + runner + " did not stop a part within " + graceMs + " ms: killing it");
      runner.kill();
      return true;
    }, graceMs);
    try {
      Frames.Builder request = new Frames.Builder(Frames.RUN).putLong(id).putString(task.code()).putBytes(task.input())
          .putString(task.ctxJson()).putLong(left).putLong(task.cpuLimitMs())
          .putLong(limits.partMemoryLimitMb() * 1024L * 1024L).putInt(limits.maxResultBytes())
          .putInt(limits.maxLogBytes());
      answer = await(runner, runner.send(id, request), handle, left);
    } catch (IOException e) {
      throw runner.awaitDeath();
    } finally {
      handle.detach();
    }
    try {
      return decode(runner, answer, handle);
    } catch (IOException e) {
      runner.kill();
      throw runner.awaitDeath();
    }
  }

  /**
   * The runner's answer. It enforces the part's limits itself; the node only backs it up: past the deadline
   * plus the grace it stops the part, and the handle's grace check kills a runner that still does not answer.
   */
  private Frames.Frame await(RunnerProcess runner, CompletableFuture<Frames.Frame> answer, RunHandle handle, long leftMs)
      throws RunnerProcess.Died {
    try {
      try {
        return answer.get(leftMs + graceMs, TimeUnit.MILLISECONDS);
      } catch (TimeoutException late) {
        handle.stop("timed_out");
        try {
          return answer.get(3 * graceMs + 5000, TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillLate) {
          runner.kill();
          throw runner.awaitDeath();
        }
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RunnerProcess.Died died ? died : runner.awaitDeath();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runner.kill();
      throw runner.awaitDeath();
    }
  }

  private PartResult decode(RunnerProcess runner, Frames.Frame frame, RunHandle handle) throws IOException {
    var body = frame.body();
    if (frame.type() == Frames.RESULT) {
      byte[] json = Frames.getBytes(body);
      List<String> logs = Frames.getStrings(body);
      double elapsed = body.readDouble();
      runner.heapUsed(body.readLong());
      return new PartResult(json, logs, elapsed);
    }
    if (frame.type() != Frames.FAILURE) {
      throw new IOException("unexpected answer type " + frame.type());
    }
    String code = Frames.getString(body);
    String message = Frames.getString(body);
    int line = body.readInt();
    int column = body.readInt();
    List<String> logs = Frames.getStrings(body);
    runner.heapUsed(body.readLong());
    if (STOPS.contains(code)) {
      handle.stop(code); // the first reason stays: a cancel that came first is what the part reports
      if (!code.equals(handle.stopReason()) || message == null) {
        code = handle.stopReason();
        message = Outcomes.stopMessage(code, limits.partMemoryLimitMb());
      }
    }
    throw new SandboxException(code, message, line < 0 ? null : line, column < 0 ? null : column, logs);
  }

  /** How long a compile check waits for an idle runner. */
  private static final long CHECK_WAIT_MS = 250;

  @Override
  public void check(String code) {
    RunHandle handle = new RunHandle();
    RunnerProcess runner;
    try {
      // a check must not wait behind parts: with every runner busy there is no verdict, and the parts tell
      runner = acquire(handle, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CHECK_WAIT_MS));
    } catch (SandboxException busy) {
      return;
    }
    try {
      long id = RunnerProcess.newId();
      Frames.Frame frame = runner.send(id, new Frames.Builder(Frames.CHECK).putLong(id).putString(code))
          .get(10, TimeUnit.SECONDS);
      var body = frame.body();
      if (!body.readBoolean()) {
        String error = Frames.getString(body);
        String message = Frames.getString(body);
        int line = body.readInt();
        int column = body.readInt();
        throw new SandboxException(error, message, line < 0 ? null : line, column < 0 ? null : column, List.of());
      }
    } catch (RunnerProcess.Died | ExecutionException | TimeoutException | IOException e) {
      // no verdict: the parts will report what is wrong with the code
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (runner.alive()) {
        idle.offer(runner);
      }
    }
  }

  @Override
  public JsonObject stats() {
    JsonArray heaps = new JsonArray();
    runners.forEach(r -> heaps.add(Math.round(r.heapUsed() / 1048576.0 * 10) / 10.0));
    return new JsonObject().put("engine", name()).put("runners", size).put("alive", runners.size())
        .put("idle", idle.size()).put("restarts", restarts.get()).put("killed", killed.get())
        .put("reruns", reruns.get()).put("heapUsedMb", heaps);
  }

  /** The runners' process ids (tests strike them). */
  List<Long> pids() {
    return runners.stream().map(RunnerProcess::pid).toList();
  }

  @Override
  public void close() {
    closed = true;
    List<Thread> stopping = new ArrayList<>();
    for (RunnerProcess runner : runners) {
      stopping.add(Thread.ofVirtual().start(() -> runner.shutdown(1000)));
    }
    for (Thread t : stopping) {
      try {
        t.join(3000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
