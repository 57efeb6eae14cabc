package org.disruptor.sandbox;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.Engine;
import org.graalvm.polyglot.EnvironmentAccess;
import org.graalvm.polyglot.HostAccess;
import org.graalvm.polyglot.PolyglotAccess;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.SandboxPolicy;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.Value;
import org.graalvm.polyglot.io.IOAccess;

/**
 * Evaluates job code with GraalJS. One {@link Engine} per node keeps compiled code across parts; every
 * part gets a fresh {@link Context} under {@link SandboxPolicy#CONSTRAINED}: no host access, no class
 * lookup, no IO, no threads, no processes, no environment, no polyglot. Data crosses as JSON text and is
 * parsed inside the context. A watchdog stops parts past their time limit or memory budget.
 * {@link #run} blocks: call it from a worker thread, never an event loop.
 */
public final class Sandbox implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger("org.disruptor.sandbox");
  /** Runs the job function on parsed input, awaits a returned promise, and serializes the value. */
  private static final Source RUNNER = Source.newBuilder("js", """
      (function (fn, input, ctx) {
        const state = { settled: false, json: 'null', error: undefined, failed: false };
        const done = (v) => { const s = JSON.stringify(v); state.json = s === undefined ? 'null' : s; state.settled = true; };
        const fail = (e) => { state.error = e; state.failed = true; state.settled = true; };
        const r = fn(JSON.parse(input), JSON.parse(ctx));
        if (r !== null && typeof r === 'object' && typeof r.then === 'function') {
          r.then((v) => { try { done(v); } catch (e) { fail(e); } }, fail);
        } else {
          done(r);
        }
        return state;
      })
      """, "disruptor-runner.js").cached(true).buildLiteral();
  private static final Source RETHROW = Source.newBuilder("js", "(e) => { throw e; }", "disruptor-rethrow.js")
      .cached(true).buildLiteral();
  /** Names a host could be reached through in a default GraalJS context; removed before job code runs. */
  private static final Source HARDEN = Source.newBuilder("js", """
      for (const name of ['load', 'loadWithNewGlobal', 'print', 'printErr', 'Graal', 'Java', 'Polyglot', 'quit', 'read', 'readbuffer', 'readline']) {
        try { delete globalThis[name]; } catch (e) { }
      }
      """, "disruptor-harden.js").cached(true).buildLiteral();
  public static final String JOB_SOURCE_NAME = "job.js";

  private final Engine engine;
  private final boolean jit;
  private final SandboxLimits limits;
  private final ScheduledExecutorService watchdog;
  private final Set<RunHandle> running = ConcurrentHashMap.newKeySet();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
      .collect(java.util.stream.Collectors.toSet());
  private volatile long collectionsAtLastStop = -1;
  /** Fresh contexts made ahead of time, so a part does not wait ~0.1 ms for one: never reused, never shared. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Prepared> ready = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger readyCount = new java.util.concurrent.atomic.AtomicInteger();
  private final int readyTarget;
  private final ScheduledExecutorService housekeeper;

  /** A context built, hardened and given its console, before any part was assigned to it. */
  private record Prepared(Context context, BoundedLog log, Value runner) {
  }

  public Sandbox(SandboxLimits limits) {
    this(limits, Runtime.getRuntime().availableProcessors());
  }

  /** {@code ready} contexts are kept prepared: as many as parts can run at once. */
  public Sandbox(SandboxLimits limits, int ready) {
    this.limits = limits;
    this.jit = jitAvailable();
    this.engine = Engine.newBuilder("js")
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(OutputStream.nullOutputStream())
        .err(OutputStream.nullOutputStream())
        .logHandler(OutputStream.nullOutputStream())
        .option("engine.WarnInterpreterOnly", "false")
        // shell builtins a job has no use for (load, print, Graal): never defined, and HARDEN removes the rest
        .option("js.load", "false")
        .option("js.print", "false")
        .option("js.graal-builtin", "false")
        .build();
    this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "disruptor-sandbox-watchdog");
      t.setDaemon(true);
      return t;
    });
    threads.setThreadAllocatedMemoryEnabled(true);
    watchdog.scheduleWithFixedDelay(this::watch, 50, 50, TimeUnit.MILLISECONDS);
    this.readyTarget = Math.max(1, ready);
    this.housekeeper = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "disruptor-sandbox-contexts");
      t.setDaemon(true);
      return t;
    });
  }

  private Prepared prepare() {
    BoundedLog log = new BoundedLog(limits.maxLogBytes());
    Context context = Context.newBuilder("js")
        .engine(engine)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(log)
        .err(log)
        .allowHostAccess(HostAccess.CONSTRAINED)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE)
        .build();
    try {
      context.eval(HARDEN);
      return new Prepared(context, log, context.eval(RUNNER));
    } catch (RuntimeException e) {
      context.close(true);
      throw e;
    }
  }

  /** A prepared context if one is ready (the usual case), else one built now; the pool is topped up behind. */
  private Prepared take() {
    Prepared prepared = ready.poll();
    if (prepared != null) {
      readyCount.decrementAndGet();
      return prepared;
    }
    return prepare();
  }

  private void refill() {
    while (readyCount.get() < readyTarget) {
      try {
        ready.add(prepare());
        readyCount.incrementAndGet();
      } catch (RuntimeException e) {
        return; // the engine is closing
      }
    }
  }

  /**
   * Closes a used context and makes the next one off the part's critical path: the reply need not wait for
   * either, and on a busy machine they follow it rather than compete with it.
   */
  private void retire(Context context, boolean cancel) {
    Runnable close = () -> {
      try {
        context.close(cancel);
      } catch (RuntimeException ignored) {
        // a context closed by cancel or a limit throws its cancellation again on close
      }
      refill();
    };
    try {
      // a millisecond later: the part's thread sends its reply first
      housekeeper.schedule(close, 1, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closing) {
      close.run();
    }
  }

  /** Whether the optimizing Truffle runtime (Graal JIT through JVMCI) is on the module path. */
  public static boolean jitAvailable() {
    return ModuleLayer.boot().findModule("jdk.graal.compiler").isPresent()
        && ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+EnableJVMCI");
  }

  public boolean jit() {
    return jit;
  }

  public SandboxLimits limits() {
    return limits;
  }

  public int runningParts() {
    return running.size();
  }

  /**
   * The source of {@code code}, shared by every part and job that runs the same code. The engine keeps a
   * source's parse and compiled code only while the Source object is reachable: a new Source per part lets
   * a collection drop them, and the next job with the same code is parsed, profiled and compiled again.
   * So the most recent {@value #SOURCES} codes are held here.
   */
  public Source source(String code) {
    synchronized (sources) {
      return sources.computeIfAbsent(code, c -> Source.newBuilder("js", c, JOB_SOURCE_NAME).cached(true).buildLiteral());
    }
  }

  private static final int SOURCES = 64;
  private final java.util.Map<String, Source> sources = new java.util.LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, Source> eldest) {
      return size() > SOURCES;
    }
  };

  /**
   * Runs {@code (input, ctx) => ...} once. Past {@code deadlineMs} of wall time (the job's deadline) the part
   * fails with {@code timed_out}; past {@code cpuLimitMs} of CPU time on its thread, with {@code time_limit}.
   */
  public PartResult run(Source code, String inputJson, String ctxJson, long deadlineMs, long cpuLimitMs,
      RunHandle handle) {
    long start = System.nanoTime();
    if (handle.stopped()) {
      throw new SandboxException(handle.stopReason(), message(handle.stopReason()));
    }
    Prepared prepared = take();
    Context context = prepared.context();
    BoundedLog log = prepared.log();
    Thread self = Thread.currentThread();
    handle.attach(context, self, threads.getThreadAllocatedBytes(self.threadId()),
        threads.getThreadCpuTime(self.threadId()), TimeUnit.MILLISECONDS.toNanos(cpuLimitMs));
    running.add(handle);
    ScheduledFuture<?> timer = watchdog.schedule(() -> handle.stop("timed_out"),
        Math.max(1, deadlineMs), TimeUnit.MILLISECONDS);
    try {
      Value fn = context.eval(code);
      if (!fn.canExecute()) {
        throw new SandboxException("not_a_function",
            "the job's code must evaluate to a function (input, ctx) => ..., but it evaluated to "
                + describe(fn));
      }
      Value state = prepared.runner().execute(fn, inputJson, ctxJson);
      if (!state.getMember("settled").asBoolean()) {
        throw new SandboxException("job_error", "the job's promise never settled");
      }
      if (state.getMember("failed").asBoolean()) {
        context.eval(RETHROW).execute(state.getMember("error"));
      }
      String json = state.getMember("json").asString();
      if (json.length() > limits.maxResultBytes()) {
        throw new SandboxException("output_limit", "the part's result is " + json.length()
            + " characters of JSON, over the limit of " + limits.maxResultBytes());
      }
      return new PartResult(json, log.lines(), Math.round((System.nanoTime() - start) / 1e3) / 1e3);
    } catch (PolyglotException e) {
      throw translate(e, handle, log.lines());
    } catch (SandboxException e) {
      throw new SandboxException(e.code(), e.getMessage(), e.line(), e.column(), log.lines());
    } finally {
      timer.cancel(false);
      running.remove(handle);
      handle.detach();
      retire(context, handle.stopped());
    }
  }

  private SandboxException translate(PolyglotException e, RunHandle handle, List<String> logs) {
    if (handle.stopped() && (e.isCancelled() || e.isInterrupted() || e.isResourceExhausted())) {
      return new SandboxException(handle.stopReason(), message(handle.stopReason()), null, null, logs);
    }
    Integer line = null;
    Integer column = null;
    for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
      var location = frame.getSourceLocation();
      if (frame.isGuestFrame() && location != null && JOB_SOURCE_NAME.equals(location.getSource().getName())) {
        line = location.getStartLine();
        column = location.getStartColumn();
        break;
      }
    }
    if (e.getSourceLocation() != null && JOB_SOURCE_NAME.equals(e.getSourceLocation().getSource().getName())
        && (line == null || e.isSyntaxError())) {
      line = e.getSourceLocation().getStartLine();
      column = e.getSourceLocation().getStartColumn();
    }
    String text = String.valueOf(e.getMessage());
    if (e.isSyntaxError() && line != null) {
      return new SandboxException("compile_error", text, line, column, logs);
    }
    if (e.isResourceExhausted() || text.contains("OutOfMemoryError") || text.contains("Java heap space")) {
      return text.contains("stack") || text.contains("Stack")
          ? new SandboxException("stack_limit", "the part exceeded the stack depth limit", line, column, logs)
          : new SandboxException("memory_limit", message("memory_limit"), line, column, logs);
    }
    if (text.contains("Maximum call stack size exceeded")) {
      return new SandboxException("stack_limit", "the part exceeded the stack depth limit: " + text,
          line, column, logs);
    }
    if (e.isCancelled() || e.isInterrupted()) {
      return new SandboxException("cancelled", message("cancelled"), line, column, logs);
    }
    if (e.isHostException() || e.isInternalError()) {
      LOG.warning("sandbox internal error: " + text);
      return new SandboxException("job_error", "internal error while running the part", line, column, logs);
    }
    return new SandboxException("job_error", text, line, column, logs);
  }

  private String message(String reason) {
    return switch (reason) {
      case "time_limit" -> "the part exceeded its CPU time limit";
      case "memory_limit" -> "the part exceeded its memory budget of " + limits.partMemoryLimitMb() + " MiB";
      case "timed_out" -> "the job's deadline passed while the part ran";
      default -> "the part was stopped (" + reason + ")";
    };
  }

  private static String describe(Value v) {
    if (v.isNull()) {
      return v.toString();
    }
    return v.isString() ? "a string" : v.isNumber() ? "a number" : v.isBoolean() ? "a boolean" : "an object";
  }

  /**
   * Stops parts past their CPU time, and guards the heap. GraalJS community has no per-context heap limit:
   * when live data after the latest collection is over 60 % of the heap, a part that has allocated more
   * than its budget since it started is stopped; over 90 %, the biggest allocator is stopped if it has
   * allocated at least half its budget. After a memory stop nothing more is judged until a collection has
   * run, so the stopped part's garbage is not blamed on the parts that run next.
   */
  private void watch() {
    if (running.isEmpty()) {
      return;
    }
    for (RunHandle handle : running) {
      Thread thread = handle.thread();
      if (thread != null && threads.getThreadCpuTime(thread.threadId()) - handle.cpuAtStart() > handle.cpuLimitNanos()) {
        handle.stop("time_limit");
      }
    }
    long collections = collections();
    if (collections == collectionsAtLastStop) {
      return;
    }
    double pressure = pressure();
    if (pressure < 0.6) {
      return;
    }
    long budget = limits.partMemoryLimitMb() * 1024L * 1024L;
    RunHandle biggest = null;
    long biggestBytes = budget / 2;
    boolean stopped = false;
    for (RunHandle handle : running) {
      Thread thread = handle.thread();
      if (thread == null || handle.stopped()) {
        continue;
      }
      long allocated = threads.getThreadAllocatedBytes(thread.threadId()) - handle.allocatedAtStart();
      if (allocated > budget) {
        handle.stop("memory_limit");
        stopped = true;
      } else if (allocated > biggestBytes) {
        biggest = handle;
        biggestBytes = allocated;
      }
    }
    if (!stopped && pressure > 0.9 && biggest != null) {
      biggest.stop("memory_limit");
      stopped = true;
    }
    if (stopped) {
      collectionsAtLastStop = collections;
    }
  }

  /** Heap in use right after the latest collection (live data, not garbage), as a share of the maximum. */
  private double pressure() {
    com.sun.management.GcInfo latest = null;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (gc instanceof com.sun.management.GarbageCollectorMXBean sun) {
        com.sun.management.GcInfo info = sun.getLastGcInfo();
        if (info != null && (latest == null || info.getEndTime() > latest.getEndTime())) {
          latest = info;
        }
      }
    }
    if (latest == null) {
      return 0;
    }
    long used = 0;
    for (var pool : latest.getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    return (double) used / Runtime.getRuntime().maxMemory();
  }

  private static long collections() {
    long count = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
    }
    return count;
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    housekeeper.shutdownNow();
    running.forEach(h -> h.stop("cancelled"));
    try {
      engine.close(true);
    } catch (RuntimeException ignored) {
      // engine already closing
    }
  }
}
