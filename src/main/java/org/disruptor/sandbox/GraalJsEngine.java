package org.disruptor.sandbox;

import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Runs parts with GraalJS inside the node's JVM. One {@link Engine} per node keeps compiled code across
 * parts; every part gets a fresh {@link Context} under {@link SandboxPolicy#CONSTRAINED} (no host access,
 * class lookup, IO, threads, processes, environment or polyglot), made ahead of time with the prelude already
 * run. A watchdog checks each part's deadline, CPU time and memory: GraalJS community has no per-context
 * heap measure, so the memory guard counts the bytes the part's thread allocates while it runs (garbage
 * included: a deterministic upper bound of what the part can hold). A stop is a context interrupt, repeated
 * while the part ignores it (GraalJS delivers each once, at the next safepoint). Code that catches its own
 * stack overflow and recurses again cannot be interrupted (the interrupt lands at the deepest frame, where
 * raising it overflows again and the job catches a {@code RangeError}): its handle turns stuck and the worker
 * pool abandons and replaces its thread. (An execution listener that throws on the part's every function
 * entry does unwind such a part, but attaching one while other parts recurse deeply can leave Truffle's
 * instrumentation lock held by a thread that overflowed inside it, which then blocks every thread of the
 * engine: not used.) Loaded only on a node whose engine is {@code graaljs}, with the GraalJS layer on its
 * class path.
 */
final class GraalJsEngine implements JsEngine {

  private static final Logger LOG = Logger.getLogger("org.disruptor.sandbox");
  private static final Source PRELUDE = Source.newBuilder("js", Prelude.TEXT, Prelude.NAME).cached(true)
      .buildLiteral();
  private static final Source LINKER = Source.newBuilder("js", ModuleCode.LINKER, "disruptor-linker").cached(true)
      .buildLiteral();
  private static final int SOURCES = 64;

  private final Engine engine;
  private final boolean jit;
  private final SandboxLimits limits;
  private final long graceMs;
  private final Watchdog watchdog;
  private final Set<RunHandle> running = ConcurrentHashMap.newKeySet();
  /** Each running part's allocation meter, for the heap watch's choice of the part to stop. */
  private final Map<RunHandle, Guard> allocations = new ConcurrentHashMap<>();
  /** Stops the part that allocated the most when the node's heap stays nearly full after a collection. */
  private final HeapWatch heapWatch;
  /** Parts stopped because the node's heap was nearly full (not their own budget). */
  private final java.util.concurrent.atomic.AtomicLong heapStops = new java.util.concurrent.atomic.AtomicLong();
  /** Parts that ignored their first interrupt (each then interrupted again until it ends or the grace passes). */
  private final java.util.concurrent.atomic.AtomicLong forced = new java.util.concurrent.atomic.AtomicLong();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  /** Fresh contexts made ahead of time, so a part does not wait for one: never reused, never shared. */
  private final ConcurrentLinkedQueue<Prepared> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger readyCount = new AtomicInteger();
  private final int readyTarget;
  /** Closes used contexts and makes the next ones; its thread is replaced when a close never returns. */
  private final Housekeeper housekeeper;
  /** How long a close (or the making of a context) may take before its housekeeping thread is given up. */
  static final long HOUSEKEEPING_WEDGED_MS = 10_000;
  /**
   * Every context made here until its close has returned: a context is never left for the garbage collector.
   * GraalJS closes a collected context from whichever thread makes the next context on the engine, and one
   * left in a broken state by a part that caught its own stack overflow never finishes closing, so every
   * later context creation on the node spun forever (seen as a reduce that never ran).
   */
  private final Set<Context> open = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicLong unclosed = new java.util.concurrent.atomic.AtomicLong();
  private final Map<String, Source> sources = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
      return size() > SOURCES;
    }
  };
  private final Map<String, Source> moduleSources = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Source> eldest) {
      return size() > SOURCES;
    }
  };

  /** A context built and given its console and runner before any part was assigned to it. */
  private record Prepared(Context context, BoundedLog log, Value runner) {
  }

  GraalJsEngine(SandboxLimits limits, long graceMs, int ready) {
    this.limits = limits;
    this.graceMs = graceMs;
    this.jit = jitAvailable();
    this.engine = Engine.newBuilder("js")
        .sandbox(SandboxPolicy.CONSTRAINED)
        .out(OutputStream.nullOutputStream())
        .err(OutputStream.nullOutputStream())
        .logHandler(OutputStream.nullOutputStream())
        .option("engine.WarnInterpreterOnly", "false")
        // shell builtins a job has no use for: never defined, and the prelude removes the rest
        .option("js.load", "false")
        .option("js.print", "false")
        .option("js.graal-builtin", "false")
        .build();
    threads.setThreadAllocatedMemoryEnabled(true);
    this.watchdog = new Watchdog("disruptor-graaljs-watchdog", 5, this::watchHeap);
    this.heapWatch = HeapWatch.listen(this::afterCollection);
    this.readyTarget = Math.max(1, ready);
    this.housekeeper = new Housekeeper("disruptor-graaljs-contexts", HOUSEKEEPING_WEDGED_MS, System::nanoTime);
    warmStackWalk();
  }

  /**
   * Catches an error once at start, on a shallow stack: Truffle initialises the classes it walks stacks with
   * on first use, and a first use at the bottom of an overflowing stack (a job that catches its own stack
   * overflow) fails their initialisation for good, after which every part that catches an error fails.
   */
  private void warmStackWalk() {
    Prepared prepared = prepare();
    try {
      prepared.context().eval("js", "(() => { try { null.f() } catch (e) { return String(e.stack) } })()");
    } finally {
      prepared.context().close(true);
      open.remove(prepared.context());
    }
  }

  /** Above this share of the maximum heap after a collection, the part that allocated the most is stopped. */
  static final double HEAP_RATIO = 0.75;
  /** Above this share, every part that allocated at least its share of the heap is stopped. */
  static final double HEAP_CRITICAL = 0.9;
  /** A part that allocated less than this share of the heap is never the one to blame for a full heap. */
  static final int HEAP_MIN_SHARE = 16;

  /** The old generation's growth (a share of the heap) since the last judgement that earns a new collection. */
  static final int HEAP_STEP_SHARE = 16;
  /** What the heap held after the last collection judged (from a notification or the watchdog). */
  private volatile long lastHeld;

  /**
   * Each watchdog round: when the old generation is nearly full now, grew since the last judgement, and a
   * running part could be the cause, a full collection (the JVM would run one before an OutOfMemoryError
   * anyway, and while it runs no part allocates), then the judgement of the heap it left.
   */
  private void watchHeap() {
    if (housekeeper.checkWedged()) {
      LOG.warning("closing a used GraalJS context has not returned for " + HOUSEKEEPING_WEDGED_MS / 1000
          + " s: its thread is left to it and a fresh one takes the engine's housekeeping (" + housekeeper.replaced()
          + " so far)");
    }
    long max = Runtime.getRuntime().maxMemory();
    boolean suspect = HeapWatch.blamed(max / HEAP_MIN_SHARE, allocated(), RunHandle::stopped) != null;
    if (HeapWatch.collectNow(HeapWatch.tenuredBytes(), max, HEAP_RATIO, suspect, lastHeld,
        max / HEAP_STEP_SHARE)) {
      System.gc();
      afterCollection(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
  }

  private Map<RunHandle, Long> allocated() {
    Map<RunHandle, Long> used = new java.util.HashMap<>();
    allocations.forEach((handle, guard) -> used.put(handle, guard.used()));
    return used;
  }

  /** From the collection notifications and the watchdog: one judgement at a time, so a stop counts once. */
  private synchronized void afterCollection(long heldBytes) {
    lastHeld = heldBytes;
    long max = Runtime.getRuntime().maxMemory();
    Map<RunHandle, Long> used = allocated();
    for (RunHandle part : HeapWatch.toStop(heldBytes, max, HEAP_RATIO, HEAP_CRITICAL, max / HEAP_MIN_SHARE, used,
        RunHandle::stopped)) {
      heapStops.incrementAndGet();
      LOG.warning("the node's heap held " + (heldBytes >> 20) + " of " + (max >> 20) + " MiB after a collection: "
          + "stopping a part that allocated " + (used.get(part) >> 20) + " MiB with memory_limit");
      part.stop("memory_limit");
    }
  }

  /** Whether the optimizing Truffle runtime (Graal JIT through JVMCI) is on the module path. */
  static boolean jitAvailable() {
    return ModuleLayer.boot().findModule("jdk.graal.compiler").isPresent()
        && ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+EnableJVMCI");
  }

  @Override
  public String name() {
    return "graaljs";
  }

  @Override
  public boolean jit() {
    return jit;
  }

  @Override
  public SandboxLimits limits() {
    return limits;
  }

  private Prepared prepare() {
    BoundedLog log = new BoundedLog(limits.maxLogBytes());
    Context context = Context.newBuilder("js")
        .engine(engine)
        .sandbox(SandboxPolicy.CONSTRAINED)
        .allowAllAccess(false)
        .out(log)
        .err(log)
        .allowHostAccess(HostAccess.CONSTRAINED)
        .allowIO(IOAccess.NONE)
        .allowCreateThread(false)
        .allowCreateProcess(false)
        .allowNativeAccess(false)
        .allowEnvironmentAccess(EnvironmentAccess.NONE)
        .allowPolyglotAccess(PolyglotAccess.NONE)
        .allowHostClassLookup(name -> false)
        .allowHostClassLoading(false)
        .allowValueSharing(false)
        .allowInnerContextOptions(false)
        .allowExperimentalOptions(false)
        .build();
    open.add(context);
    try {
      return new Prepared(context, log, context.eval(PRELUDE).execute());
    } catch (RuntimeException | Error e) {
      retire(context, true, 1, 0, false);
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

  /** Closes a used context and makes the next one off the part's critical path (the reply goes first). */
  private void retire(Context context, boolean cancel) {
    retire(context, cancel, 1, 0, true);
  }

  /**
   * A close that fails with an Error (an OutOfMemoryError while parts fill the heap) is tried again later:
   * until it is closed, a context holds everything its part allocated.
   */
  private void retire(Context context, boolean cancel, long delayMs, int tries, boolean refillAfter) {
    Runnable close = () -> {
      try {
        context.close(cancel);
        open.remove(context);
      } catch (RuntimeException | Error e) {
        // a context stopped by a limit throws its interruption again on its first close (the next one, on a
        // closed context, returns); an Error (an OutOfMemoryError while parts fill the heap) is tried again
        if (tries < 100) {
          retire(context, cancel, e instanceof Error ? 50 : 1, tries + 1, refillAfter);
          return;
        }
        // kept in {@code open} for good: collected unclosed, it would wedge the engine (see open)
        unclosed.incrementAndGet();
        LOG.warning("a used context could not be closed (" + e.getClass().getSimpleName() + "): it is kept");
      }
      if (!refillAfter) {
        return;
      }
      try {
        refill();
      } catch (Error e) {
        // the next part makes its own context (take() never waits for the ready ones)
      }
    };
    housekeeper.schedule(close, delayMs);
  }

  /**
   * The source of {@code code}, shared by every part and job that runs the same code: the engine keeps a
   * source's parse and compiled code only while the Source object is reachable.
   */
  private Source source(String code) {
    synchronized (sources) {
      return sources.computeIfAbsent(code, c -> Source.newBuilder("js", c, Outcomes.SOURCE_NAME).cached(true)
          .buildLiteral());
    }
  }

  /** A store module's compiled text, shared by every part that uses it (keyed by its content hash). */
  private Source moduleSource(PartTask.Module module) {
    synchronized (moduleSources) {
      return moduleSources.computeIfAbsent(module.key(), k -> Source.newBuilder("js", module.text(),
          module.sourceName()).cached(true).buildLiteral());
    }
  }

  @Override
  public void check(String code) {
    ModuleCode.Program program = ModuleCode.job(code);
    try {
      checkScript(source(program.script()));
    } catch (SandboxException e) {
      throw program.relocate(e);
    }
  }

  @Override
  public void checkModule(String source) {
    ModuleCode.Factory factory = ModuleCode.factory(source);
    try {
      checkScript(Source.newBuilder("js", factory.script(), Outcomes.SOURCE_NAME).buildLiteral());
    } catch (SandboxException e) {
      throw factory.relocate(e);
    }
  }

  private void checkScript(Source script) {
    Prepared prepared = take();
    try {
      prepared.context().parse(script);
    } catch (PolyglotException e) {
      throw translate(e, new RunHandle(), List.of());
    } finally {
      retire(prepared.context(), false);
    }
  }

  /**
   * The job's function: the task's classic scripts run first, in order; module code is called with an
   * importer that reaches only the task's imports (each evaluated once per part, compiled once per node).
   */
  private Value function(Context context, PartTask task, ModuleCode.Program program) {
    Value define = null;
    Value importer = null;
    for (PartTask.Module module : task.modules()) {
      if (module.script()) {
        context.eval(moduleSource(module));
      } else {
        if (define == null) {
          Value linker = context.eval(LINKER).execute();
          define = linker.getMember("define");
          importer = linker.getMember("importer");
        }
        define.execute(module.specifier(), context.eval(moduleSource(module)));
      }
    }
    Value fn = context.eval(source(program.script()));
    if (!program.module()) {
      return fn;
    }
    if (importer == null) {
      importer = context.eval(LINKER).execute().getMember("importer");
    }
    return fn.execute(importer);
  }

  /** A part's typed input as an ArrayBuffer of the context, its elements written in eight bytes at a time. */
  private static Value arrayBuffer(Value runner, byte[] typed) {
    int length = typed.length - TypedData.HEADER;
    Value buffer = runner.getMember("alloc").execute(length);
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(typed).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int at = 0;
    for (; at + 8 <= length; at += 8) {
      buffer.writeBufferLong(java.nio.ByteOrder.LITTLE_ENDIAN, at, in.getLong(TypedData.HEADER + at));
    }
    for (; at < length; at++) {
      buffer.writeBufferByte(at, typed[TypedData.HEADER + at]);
    }
    return buffer;
  }

  @Override
  public PartResult run(PartTask task, RunHandle handle) {
    long start = System.nanoTime();
    if (handle.stopped()) {
      throw Outcomes.stopped(handle.stopReason(), limits.partMemoryLimitMb(), List.of());
    }
    ModuleCode.Program program = ModuleCode.job(task.code());
    Prepared prepared = take();
    Context context = prepared.context();
    BoundedLog log = prepared.log();
    long thread = Thread.currentThread().threadId();
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    Guard allocated = Guard.memory(() -> threads.getThreadAllocatedBytes(thread),
        limits.partMemoryLimitMb() * 1024L * 1024L);
    PartGuards guards = new PartGuards(
        Guard.deadline(System::nanoTime, task.deadlineMs()),
        Guard.cpu(() -> threads.getThreadCpuTime(thread), task.cpuLimitMs()),
        allocated);
    running.add(handle);
    allocations.put(handle, allocated);
    handle.attach(() -> interrupt(context, ended), () -> awaitEnd(ended), graceMs);
    watchdog.watch(handle, guards);
    try {
      Value fn = function(context, task, program);
      byte[] data = task.input();
      Value take = TypedData.isTyped(data)
          ? prepared.runner().execute(fn, arrayBuffer(prepared.runner(), data), task.ctxJson(), TypedData.dtype(data).js())
          : prepared.runner().execute(fn, new String(data, StandardCharsets.UTF_8), task.ctxJson());
      String outcome = take.execute().asString();
      if (handle.stopped()) {
        throw Outcomes.stopped(handle.stopReason(), limits.partMemoryLimitMb(), log.lines());
      }
      byte[] json;
      if (outcome.startsWith("b")) {
        Value bytes = take.execute(true);
        json = Outcomes.typed(outcome, (int) bytes.getBufferSize(), limits.maxResultBytes(), log.lines(),
            out -> bytes.readBuffer(0, out, TypedData.HEADER, out.length - TypedData.HEADER));
      } else {
        json = Outcomes.result(outcome, limits.maxResultBytes(), limits.partMemoryLimitMb(), log.lines());
      }
      return new PartResult(json, log.lines(), Math.round((System.nanoTime() - start) / 1e3) / 1e3);
    } catch (PolyglotException e) {
      throw program.relocate(translate(e, handle, log.lines()));
    } catch (StackOverflowError e) {
      // the host stack ran out outside guest code (e.g. while GraalJS unwound): the same limit for the user
      throw new SandboxException("stack_limit", "the part exceeded the stack depth limit", null, null, log.lines());
    } finally {
      ended.countDown();
      watchdog.forget(handle);
      allocations.remove(handle);
      handle.detach();
      running.remove(handle);
      retire(context, handle.stopped());
    }
  }

  /**
   * Interrupts the guest until the part ends or the grace passes, waiting 20 ms for the first interrupt and
   * twice as long for each next one. GraalJS delivers each interrupt once, and one can be lost: raised where
   * the stack is nearly exhausted it turns into a RangeError the job catches (a loop in a catch handler of the
   * deepest frame); the next, a moment later and a frame or more further up, may end the part. The
   * waits start short because a part that fills the heap must end before its neighbours run out of it; they
   * grow because a part slowed by collections reaches its next check late.
   */
  private void interrupt(Context context, java.util.concurrent.CountDownLatch ended) {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(1, graceMs));
    long waitMs = 20;
    boolean first = true;
    while (ended.getCount() > 0 && System.nanoTime() < end) {
      try {
        context.interrupt(Duration.ofMillis(Math.max(1, Math.min(waitMs,
            TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())))));
        return;
      } catch (TimeoutException e) {
        if (first && ended.getCount() > 0) {
          forced.incrementAndGet();
        }
      } catch (IllegalStateException e) {
        return; // the context is closing or closed: nothing left to stop
      } catch (RuntimeException | OutOfMemoryError e) {
        // the interrupt itself failed (an OutOfMemoryError while the heap is full of the very part being
        // stopped, or one GraalJS wraps): the part still runs and still holds its memory, so try again
        if (first) {
          LOG.warning("interrupting a part failed (" + e.getClass().getSimpleName() + "): trying again");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
      }
      first = false;
      waitMs *= 2;
    }
  }

  /** Whether the part ends within half the grace (after the repeated interrupts, or on its own). */
  private boolean awaitEnd(java.util.concurrent.CountDownLatch ended) {
    try {
      if (ended.await(Math.max(1, graceMs / 2), TimeUnit.MILLISECONDS)) {
        return true;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.warning("a part did not stop within " + graceMs + " ms of its stop: its thread is lost to the pool");
    return false;
  }

  private SandboxException translate(PolyglotException e, RunHandle handle, List<String> logs) {
    long memoryMb = limits.partMemoryLimitMb();
    // a stopped part ends with the stop's reason, however GraalJS ended it (interrupt, cancel, a RangeError raised by the interrupt)
    if (handle.stopped()) {
      return Outcomes.stopped(handle.stopReason(), memoryMb, logs);
    }
    Integer line = null;
    Integer column = null;
    for (PolyglotException.StackFrame frame : e.getPolyglotStackTrace()) {
      var location = frame.getSourceLocation();
      if (frame.isGuestFrame() && location != null && Outcomes.SOURCE_NAME.equals(location.getSource().getName())) {
        line = location.getStartLine();
        column = location.getStartColumn();
        break;
      }
    }
    var location = e.getSourceLocation();
    if (location != null && Outcomes.SOURCE_NAME.equals(location.getSource().getName()) && (line == null || e.isSyntaxError())) {
      line = location.getStartLine();
      column = location.getStartColumn();
    }
    String text = String.valueOf(e.getMessage());
    if (e.isSyntaxError()) {
      return new SandboxException("compile_error", Outcomes.syntaxMessage(text), line, column, logs);
    }
    if (e.isResourceExhausted() || text.contains("OutOfMemoryError") || text.contains("Java heap space")) {
      return text.contains("stack") || text.contains("Stack")
          ? new SandboxException("stack_limit", "the part exceeded the stack depth limit", line, column, logs)
          : new SandboxException("memory_limit", Outcomes.stopMessage("memory_limit", memoryMb), line, column, logs);
    }
    if (e.isCancelled() || e.isInterrupted()) {
      return Outcomes.stopped("cancelled", memoryMb, logs);
    }
    if (e.isHostException() || e.isInternalError()) {
      LOG.warning("graaljs internal error: " + text);
      return new SandboxException("job_error", "internal error while running the part", line, column, logs);
    }
    if (e.isGuestException() && !e.isSyntaxError()) {
      // thrown while the code itself was evaluated (top level), before the runner could catch it
      Value guest = e.getGuestObject();
      String name = "";
      String message = text;
      if (guest != null && guest.hasMembers() && guest.getMember("message") != null && guest.getMember("message").isString()) {
        Value n = guest.getMember("name");
        name = n != null && n.isString() ? n.asString() : "";
        message = guest.getMember("message").asString();
      }
      SandboxException classified = Outcomes.thrown(name, message, "", memoryMb, logs);
      return new SandboxException(classified.code(), classified.getMessage(), line, column, logs);
    }
    return new SandboxException("job_error", text, line, column, logs);
  }

  @Override
  public JsonObject stats() {
    long stuck = running.stream().filter(RunHandle::stuck).count();
    return new JsonObject().put("engine", name()).put("jit", jit).put("running", running.size())
        .put("stuck", stuck).put("reinterrupted", forced.get()).put("readyContexts", readyCount.get())
        .put("heapStops", heapStops.get()).put("housekeepingReplaced", housekeeper.replaced())
        .put("unclosedContexts", unclosed.get());
  }

  /**
   * Closes the engine without waiting on parts GraalJS cannot stop: a stuck part would hold a plain
   * {@code engine.close(true)} forever, so the close runs on its own thread and is given a bounded wait.
   */
  @Override
  public void close() {
    watchdog.close();
    heapWatch.close();
    housekeeper.close();
    running.forEach(h -> h.stop("cancelled"));
    Thread closer = Thread.ofPlatform().daemon().name("disruptor-graaljs-close").start(() -> {
      try {
        engine.close(true);
      } catch (RuntimeException ignored) {
        // engine already closing
      }
    });
    try {
      closer.join(Math.max(1000, 2 * graceMs));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
