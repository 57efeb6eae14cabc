package org.disruptor.sandbox;

import com.caoccao.javet.enums.JSRuntimeType;
import com.caoccao.javet.exceptions.BaseJavetScriptingException;
import com.caoccao.javet.exceptions.JavetCompilationException;
import com.caoccao.javet.exceptions.JavetException;
import com.caoccao.javet.exceptions.JavetScriptingError;
import com.caoccao.javet.exceptions.JavetTerminatedException;
import com.caoccao.javet.interop.V8Host;
import com.caoccao.javet.interop.V8Runtime;
import com.caoccao.javet.interop.callback.IJavetDirectCallable;
import com.caoccao.javet.interop.callback.JavetCallbackContext;
import com.caoccao.javet.interop.callback.JavetCallbackType;
import com.caoccao.javet.interop.loader.IJavetLibLoadingListener;
import com.caoccao.javet.interop.loader.JavetLibLoader;
import com.caoccao.javet.interop.monitoring.V8HeapStatistics;
import com.caoccao.javet.interop.options.V8RuntimeOptions;
import com.caoccao.javet.values.V8Value;
import com.caoccao.javet.values.primitive.V8ValueString;
import com.caoccao.javet.values.reference.V8Script;
import com.caoccao.javet.values.reference.V8ValueArrayBuffer;
import com.caoccao.javet.values.reference.V8ValueFunction;
import com.caoccao.javet.values.reference.V8ValueObject;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code disruptor runner}: a child process of a node that owns one V8 isolate (Javet) and runs the parts
 * its node sends over stdin, answering on stdout (see {@link Frames}). No Vert.x, no Hazelcast: only this
 * package's plain classes and Javet. Three threads: the control thread reads frames and stops the running
 * part ({@code terminateExecution}, ~1 ms); the JS thread (with a stack sized for V8's stack limit) runs
 * parts, each in a fresh context prepared ahead; the watchdog checks the part's deadline, CPU time and heap
 * (used heap plus external memory: ArrayBuffers) every 2 ms. The process caps its own data segment
 * ({@link OsLimits}), so what the watchdog cannot stop in time fails or aborts this process, never the node.
 */
public final class V8Runner {

  /** Above this much live heap after a part, the isolate is asked to give memory back, or replaced. */
  private static final long RECYCLE_BYTES = 64L << 20;
  private final DataInputStream in;
  private final OutputStream out;
  private final int heapMb;
  private final long dataHeadroomBytes;
  private final int stackKb;
  private final LinkedBlockingQueue<Request> requests = new LinkedBlockingQueue<>();
  /** STOPs that arrived before their part started, by part id. */
  private final Map<Long, String> earlyStops = new ConcurrentHashMap<>();
  private final AtomicLong heap = new AtomicLong();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  /**
   * True while a context is made or reset (the prelude run included): a GC then must not ask V8 for its heap
   * figures, which aborts the whole runner. No part runs meanwhile, so no reading is missed.
   */
  private volatile boolean bootstrapping;
  private final com.caoccao.javet.interop.callback.IJavetGCCallback onGc = (types, flags) -> refreshHeap();

  /** Held while a heap reading is asked for, and while {@link #bootstrapping} is set. */
  private final Object heapAsk = new Object();
  private final Watchdog watchdog = new Watchdog("disruptor-runner-watchdog", 2, this::refreshHeap);
  private volatile Running current;
  private volatile V8Runtime runtime;
  /** A reading pending longer than this was lost (see {@link HeapReading}): the next round asks again. */
  private static final long STALE_READING_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  private final HeapReading<V8HeapStatistics> reading = new HeapReading<>(System::nanoTime, STALE_READING_NANOS);
  private volatile BoundedLog log;
  private V8ValueFunction runner;
  private JavetCallbackContext sinkContext;
  private long dataLimit = -1;

  /** Characters of store-module text a runner keeps (and the node mirrors: {@link ModuleTexts}). */
  static final long MODULE_TEXT_CHARS = 32L << 20;

  /** One request from the node. */
  private record Request(byte type, long id, String code, byte[] input, String ctx, long deadlineMs, long cpuMs,
      long memoryBytes, int maxResultBytes, int maxLogBytes, boolean module, List<Used> modules) {
  }

  /** A store module a part uses, with the text this runner holds for it. */
  private record Used(boolean script, String specifier, String key, ModuleTexts.Entry entry) {
  }

  private final ModuleTexts modules = new ModuleTexts(MODULE_TEXT_CHARS);

  private record Running(long id, RunHandle handle, PartGuards guards) {
  }

  private V8Runner(DataInputStream in, OutputStream out, int heapMb, int memoryMb, int stackKb) {
    this.in = in;
    this.out = out;
    this.heapMb = heapMb;
    this.dataHeadroomBytes = (long) memoryMb << 20;
    this.stackKb = stackKb;
  }

  /** {@code runner HEAP_MB MEMORY_MB STACK_KB}; the library directory comes as -Ddisruptor.javet.lib. */
  public static int main(List<String> args) {
    // frames own stdout; anything else printed by Java in this process goes to stderr
    OutputStream frames = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 65536);
    System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
    int heapMb = Integer.parseInt(args.get(0));
    int memoryMb = Integer.parseInt(args.get(1));
    int stackKb = Integer.parseInt(args.get(2));
    V8Runner self = new V8Runner(Frames.input(System.in), frames, heapMb, memoryMb, stackKb);
    return self.serve();
  }

  private int serve() {
    String lib = System.getProperty("disruptor.javet.lib");
    if (lib != null) {
      JavetLibLoader.setLibLoadingListener(new IJavetLibLoadingListener() {
        @Override
        public File getLibPath(JSRuntimeType type) {
          return new File(lib);
        }

        @Override
        public boolean isDeploy(JSRuntimeType type) {
          return false; // the node unpacked it once for all its runners
        }
      });
    }
    V8RuntimeOptions.V8_FLAGS.setUseStrict(false).setMaxOldSpaceSize(heapMb).setExposeGC(false)
        .setCustomFlags("--stack-size=" + stackKb);
    // V8 stops JS at --stack-size; the thread's real stack has room beyond that for V8's own C++ frames
    Thread js = new Thread(null, this::jsLoop, "disruptor-v8-js", (2L * stackKb + 8192) * 1024);
    js.setDaemon(true);
    js.start();
    try {
      Frames.Frame frame;
      while ((frame = Frames.read(in)) != null) {
        DataInputStream body = frame.body();
        switch (frame.type()) {
          case Frames.RUN -> requests.add(new Request(Frames.RUN, body.readLong(), Frames.getString(body),
              Frames.getBytes(body), Frames.getString(body), body.readLong(), body.readLong(), body.readLong(),
              body.readInt(), body.readInt(), body.readBoolean(), readModules(body)));
          case Frames.CHECK -> requests.add(new Request(Frames.CHECK, body.readLong(), Frames.getString(body), null,
              null, 0, 0, 0, 0, 0, false, List.of()));
          case Frames.STOP -> stop(body.readLong(), Frames.getString(body));
          case Frames.SHUTDOWN -> {
            return halt(0);
          }
          default -> throw new IOException("unknown frame type " + frame.type());
        }
      }
    } catch (IOException | RuntimeException e) {
      System.err.println("disruptor runner: " + e);
      return halt(1);
    }
    return halt(0); // the node closed the pipe: it is gone
  }

  /**
   * The modules of a part request, in the order the node wrote them: a text comes along the first time
   * (the node mirrors this runner's {@link ModuleTexts}), then only its key.
   */
  private List<Used> readModules(DataInputStream body) throws IOException {
    int count = body.readInt();
    List<Used> used = new java.util.ArrayList<>(count);
    List<String> keys = new java.util.ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      boolean script = body.readBoolean();
      String specifier = Frames.getString(body);
      String key = Frames.getString(body);
      boolean sent = body.readBoolean();
      String text = sent ? Frames.getString(body) : null;
      ModuleTexts.Entry entry = modules.get(key);
      if (entry == null && text == null) {
        throw new IOException("the node did not send module " + specifier + " and this runner does not hold it");
      }
      entry = modules.put(key, text, text != null ? text.length() : entry.size);
      used.add(new Used(script, specifier, key, entry));
      keys.add(key);
    }
    modules.trim(keys);
    return used;
  }

  /** Exits without running V8's or the JVM's clean-up, which a dying isolate could hang. */
  private static int halt(int status) {
    Runtime.getRuntime().halt(status);
    return status;
  }

  private void stop(long id, String reason) {
    Running running = current;
    if (running != null && running.id() == id) {
      running.handle().stop(reason);
    } else {
      earlyStops.put(id, reason);
    }
  }

  private void jsLoop() {
    try {
      startBootstrap();
      runtime = newRuntime();
      prepare();
      bootstrapping = false;
      dataLimit = OsLimits.limitData(dataHeadroomBytes);
      heap.set(heapNow());
      send(new Frames.Builder(Frames.READY).putLong(heap.get()).putLong(dataLimit).putLong(ProcessHandle.current().pid()));
      while (true) {
        Request request = requests.take();
        if (request.type() == Frames.CHECK) {
          check(request);
        } else {
          run(request);
        }
      }
    } catch (Throwable e) {
      System.err.println("disruptor runner: the JS thread ended: " + e);
      e.printStackTrace();
      System.err.flush();
      halt(3);
    }
  }

  /** Lets go of the values that belong to the current context: they die with it. */
  private void release() {
    try {
      if (runner != null) {
        runner.close();
      }
    } catch (JavetException | RuntimeException e) {
      // already gone with its context
    }
    runner = null;
    if (sinkContext != null) {
      runtime.removeCallbackContext(sinkContext.getHandle());
      sinkContext = null;
    }
  }

  /** Prepares the current (fresh) context: the prelude run, the console wired to the current part's log. */
  private void prepare() throws JavetException {
    sinkContext = new JavetCallbackContext("sink", JavetCallbackType.DirectCallNoThisAndNoResult,
        (IJavetDirectCallable.NoThisAndNoResult<Exception>) this::sink);
    try (V8ValueFunction sink = runtime.createV8ValueFunction(sinkContext);
        V8ValueFunction setup = runtime.getExecutor(Prelude.TEXT).setResourceName(Prelude.NAME).execute()) {
      runner = setup.call(null, sink);
    }
  }

  private void sink(V8Value... args) {
    BoundedLog target = log;
    if (target != null && args.length > 0 && args[0] instanceof V8ValueString line) {
      target.append(line.getValue());
    }
  }

  private void check(Request request) throws IOException {
    Frames.Builder reply = new Frames.Builder(Frames.CHECKED).putLong(request.id());
    try {
      runtime.getExecutor(request.code()).setResourceName(Outcomes.SOURCE_NAME).compileV8Script().close();
      reply.putBoolean(true);
    } catch (JavetCompilationException e) {
      SandboxException failure = compileError(e.getScriptingError());
      reply.putBoolean(false).putString(failure.code()).putString(failure.getMessage())
          .putInt(failure.line() == null ? -1 : failure.line()).putInt(failure.column() == null ? -1 : failure.column());
    } catch (JavetException e) {
      reply.putBoolean(true); // not a compile error: the part itself will say what is wrong
    }
    send(reply);
  }

  private void run(Request request) throws Exception {
    long start = System.nanoTime();
    RunHandle handle = new RunHandle();
    String early = earlyStops.remove(request.id());
    earlyStops.keySet().removeIf(id -> id < request.id());
    if (early != null) {
      handle.stop(early);
    }
    BoundedLog partLog = new BoundedLog(request.maxLogBytes());
    log = partLog;
    long memoryMb = request.memoryBytes() >> 20;
    long thread = Thread.currentThread().threadId();
    heap.set(heapNow());
    PartGuards guards = new PartGuards(
        Guard.deadline(System::nanoTime, request.deadlineMs()),
        Guard.cpu(() -> threads.getThreadCpuTime(thread), request.cpuMs()),
        Guard.memory(heap::get, request.memoryBytes()));
    current = new Running(request.id(), handle, guards);
    V8Runtime rt = runtime;
    // heap readings after each GC only while the part runs: V8 calls a GC callback while it bootstraps a
    // context too, and a callback then (even one that returns at once) can abort the runner
    rt.addGCEpilogueCallback(onGc);
    // the node kills a runner that does not honour a stop, so nothing is left to reclaim here
    handle.attach(() -> terminate(request.id()), () -> true, 60_000);
    watchdog.watch(handle, guards);
    Frames.Builder reply;
    try {
      byte[] json = execute(request, handle, partLog, memoryMb);
      reply = new Frames.Builder(Frames.RESULT).putLong(request.id()).putBytes(json).putStrings(partLog.lines())
          .putDouble(Math.round((System.nanoTime() - start) / 1e3) / 1e3);
    } catch (SandboxException e) {
      reply = new Frames.Builder(Frames.FAILURE).putLong(request.id()).putString(e.code()).putString(e.getMessage())
          .putInt(e.line() == null ? -1 : e.line()).putInt(e.column() == null ? -1 : e.column())
          .putStrings(e.logs());
    } finally {
      rt.removeGCEpilogueCallback(onGc);
      watchdog.forget(handle);
      handle.detach();
      synchronized (heapAsk) {
        // from here no termination reaches this isolate: one asked for before came with a stop, and a
        // stopped part's isolate is replaced below
        current = null;
        bootstrapping = true;
      }
      log = null;
    }
    reply.putLong(heap.get());
    send(reply);
    recover(handle.stopped());
  }

  private byte[] execute(Request request, RunHandle handle, BoundedLog partLog, long memoryMb) {
    if (handle.stopped()) {
      throw Outcomes.stopped(handle.stopReason(), memoryMb, List.of());
    }
    byte[] data = request.input();
    boolean typed = TypedData.isTyped(data);
    try (V8Value fn = function(request);
        V8Value input = typed ? arrayBuffer(data) : runtime.createV8ValueString(new String(data, StandardCharsets.UTF_8));
        V8ValueString ctx = runtime.createV8ValueString(request.ctx());
        V8ValueString type = typed ? runtime.createV8ValueString(TypedData.dtype(data).js()) : null;
        V8ValueFunction take = typed ? runner.call(null, fn, input, ctx, type) : runner.call(null, fn, input, ctx)) {
      String outcome = take.callString(null);
      if (outcome.startsWith("p")) {
        runtime.await();
        outcome = take.callString(null);
      }
      if (handle.stopped()) {
        throw Outcomes.stopped(handle.stopReason(), memoryMb, partLog.lines());
      }
      if (outcome.startsWith("b")) {
        try (V8ValueArrayBuffer bytes = take.call(null, true)) {
          java.nio.ByteBuffer view = bytes.getByteBuffer();
          return Outcomes.typed(outcome, view.remaining(), request.maxResultBytes(), partLog.lines(),
              out -> view.get(out, TypedData.HEADER, out.length - TypedData.HEADER));
        }
      }
      return Outcomes.result(outcome, request.maxResultBytes(), memoryMb, partLog.lines());
    } catch (JavetCompilationException e) {
      SandboxException failure = compileError(e.getScriptingError());
      throw new SandboxException(failure.code(), failure.getMessage(), failure.line(), failure.column(), partLog.lines());
    } catch (JavetTerminatedException e) {
      throw Outcomes.stopped(handle.stopped() ? handle.stopReason() : "cancelled", memoryMb, partLog.lines());
    } catch (BaseJavetScriptingException e) {
      if (handle.stopped()) {
        throw Outcomes.stopped(handle.stopReason(), memoryMb, partLog.lines());
      }
      // thrown while the code itself was evaluated (top level), before the runner could catch it
      JavetScriptingError error = e.getScriptingError();
      String detailed = String.valueOf(error.getDetailedMessage());
      int colon = detailed.indexOf(": ");
      String name = colon > 0 && detailed.substring(0, colon).matches("[A-Za-z]*Error") ? detailed.substring(0, colon) : "";
      SandboxException thrown = Outcomes.thrown(name, String.valueOf(error.getMessage()), "", memoryMb, partLog.lines());
      throw new SandboxException(thrown.code(), thrown.getMessage(), error.getLineNumber(), error.getStartColumn() + 1,
          partLog.lines());
    } catch (JavetException e) {
      if (handle.stopped()) {
        throw Outcomes.stopped(handle.stopReason(), memoryMb, partLog.lines());
      }
      System.err.println("disruptor runner: " + e);
      throw new SandboxException("job_error", "internal error while running the part", null, null, partLog.lines());
    }
  }

  /**
   * The job's function: the part's classic scripts run first, in order; module code is called with an
   * importer that reaches only the part's imports. Each module text is compiled with the code cache V8 made
   * of it the first time (kept with the text), so neither a fresh context nor a new isolate parses it again.
   */
  private V8Value function(Request request) throws JavetException {
    V8ValueObject linker = null;
    try {
      for (Used module : request.modules()) {
        if (module.script()) {
          runModule(module).close();
        } else {
          if (linker == null) {
            linker = newLinker();
          }
          try (V8Value factory = runModule(module)) {
            linker.invokeVoid("define", module.specifier(), factory);
          }
        }
      }
      V8Value fn = runtime.getExecutor(request.code()).setResourceName(Outcomes.SOURCE_NAME).execute();
      if (!request.module()) {
        return fn;
      }
      if (linker == null) {
        linker = newLinker();
      }
      try (V8Value wrapper = fn; V8Value importer = linker.get("importer")) {
        return ((V8ValueFunction) wrapper).call(null, importer);
      }
    } finally {
      if (linker != null) {
        linker.close();
      }
    }
  }

  private V8ValueObject newLinker() throws JavetException {
    try (V8ValueFunction make = runtime.getExecutor(ModuleCode.LINKER).setResourceName("disruptor-linker").execute()) {
      return make.call(null);
    }
  }

  private V8Value runModule(Used module) throws JavetException {
    ModuleTexts.Entry entry = module.entry();
    byte[] cache = entry.codeCache;
    try (V8Script script = runtime.getExecutor(entry.text, cache).setResourceName("module:" + module.specifier())
        .compileV8Script()) {
      V8Value value = script.execute();
      if (cache == null) {
        entry.codeCache = script.getCachedData(); // after running: the functions it compiled are in the cache
      }
      return value;
    }
  }

  /** A part's typed input as an ArrayBuffer of the isolate (its elements copied in once). */
  private V8ValueArrayBuffer arrayBuffer(byte[] typed) throws JavetException {
    V8ValueArrayBuffer buffer = runtime.createV8ValueArrayBuffer(typed.length - TypedData.HEADER);
    buffer.getByteBuffer().put(typed, TypedData.HEADER, typed.length - TypedData.HEADER);
    return buffer;
  }

  private static SandboxException compileError(JavetScriptingError error) {
    return new SandboxException("compile_error", Outcomes.syntaxMessage(String.valueOf(error.getDetailedMessage())),
        error.getLineNumber(), error.getStartColumn() + 1, List.of());
  }

  /**
   * After a part, the next context is prepared before the next request. A stopped part gets a new isolate:
   * a termination can land just as the part returns and would end the next script, and V8 keeps the
   * isolate's pending promise jobs across contexts (a microtask flood would resume). A big heap is given
   * back, or the isolate replaced.
   */
  private void recover(boolean stopped) throws JavetException {
    startBootstrap();
    drainHeapReading();
    release();
    if (stopped) {
      recycle();
    } else {
      runtime.resetContext();
      if (heapNow() > RECYCLE_BYTES) {
        runtime.lowMemoryNotification();
        if (heapNow() > RECYCLE_BYTES) {
          recycle();
        }
      }
    }
    prepare();
    bootstrapping = false;
    heap.set(heapNow());
  }

  /**
   * Lets a heap reading asked for during the part (V8 answers it at its next interrupt check) be answered
   * now, in a script of its own: answered while the next context bootstraps, it aborts the runner. One
   * still pending after that is given up at once: no JS runs while this thread waits, so waiting cannot
   * bring its answer (it did wait 200 ms for a lost one after every part that outlived a watchdog round).
   */
  private void drainHeapReading() {
    if (!reading.outstanding() || runtime == null || runtime.isClosed()) {
      return;
    }
    try {
      runtime.getExecutor("void 0").executeVoid();
    } catch (Exception e) {
      // the isolate is replaced below only if the part was stopped; nothing more to do
    }
    reading.abandon();
  }

  /** A new isolate (about 1 ms); the old one goes first, so the two never hold memory at once. */
  private void recycle() throws JavetException {
    runtime.close(true);
    runtime = newRuntime();
  }

  /**
   * A new isolate. While a part runs it also reads its heap after every collection (see {@link #run}): a
   * fast-growing part makes V8 collect often, and the reading is taken and judged on the JS thread itself,
   * so a loaded machine that is slow to schedule the watchdog does not let the part run on to V8's own
   * (fatal) heap limit.
   */
  private V8Runtime newRuntime() throws JavetException {
    return V8Host.getV8Instance().createV8Runtime();
  }

  private long heapNow() {
    try {
      return used(runtime.getV8HeapStatistics().get(1, TimeUnit.SECONDS));
    } catch (Exception e) {
      return heap.get();
    }
  }

  private static long used(V8HeapStatistics stats) {
    return stats.getUsedHeapSize() + stats.getExternalMemory();
  }

  /** Asks the isolate for its heap figures; the answer lands in {@link #heap} when V8 gets to it. */
  private void refreshHeap() {
    synchronized (heapAsk) {
      if (bootstrapping) {
        return; // answered while V8 bootstraps a context, it aborts the process ("Fatal error in v8::ToLocalChecked")
      }
      if (!reading.mayAsk()) {
        return;
      }
      V8Runtime rt = runtime;
      if (rt != null && !rt.isClosed()) {
        CompletableFuture<V8HeapStatistics> asked = rt.getV8HeapStatistics();
        reading.asked(asked); // before the callback: an idle isolate answers at once, on this thread
        asked.whenComplete((stats, e) -> {
          if (stats != null && reading.current(asked)) {
            heap.set(used(stats));
            judge(rt);
          }
        });
      }
    }
  }

  /**
   * Terminates the JS of part {@code id} if it still runs. Never once the part has ended: a termination that
   * lands while the next context bootstraps aborts the runner ("Exception thrown during bootstrapping").
   */
  private void terminate(long id) {
    synchronized (heapAsk) {
      Running running = current;
      V8Runtime rt = runtime;
      if (running != null && running.id() == id && !bootstrapping && rt != null && !rt.isClosed()) {
        rt.terminateExecution();
      }
    }
  }

  /** From here on no heap reading is asked for until {@link #bootstrapping} is cleared. */
  private void startBootstrap() {
    synchronized (heapAsk) {
      bootstrapping = true;
    }
  }

  /** Stops the running part at once when a fresh reading puts it past a limit (the watchdog would, later). */
  private void judge(V8Runtime rt) {
    Running running = current;
    if (running == null || running.handle().stopped()) {
      return;
    }
    String reason = running.guards().crossed();
    if (reason != null) {
      running.handle().stop(reason);
      terminate(running.id());
    }
  }

  private void send(Frames.Builder frame) throws IOException {
    frame.writeTo(out);
  }
}
