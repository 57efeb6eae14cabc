package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.disruptor.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine contract, run against both engines: each nested class runs every test of {@link Contract} on
 * its engine; V8-only tests (runner supervision, memory attacks) follow. Outcomes only: a limit test waits
 * for the part's outcome and checks its code, never how long it took.
 */
@DisplayName("The sandbox")
class SandboxTest {

  static final int MEMORY_MB = 64;
  static final long FAR = 60_000;
  static final String CTX = "{\"jobId\":\"j\",\"node\":\"n:1\",\"partition\":2,\"partitions\":5}";
  private static JsEngine v8;
  private static JsEngine graal;
  /** Worker threads as the node makes them: a stack of workerStackKb. */
  private static ExecutorService workers;

  static JsonObject conf(String engine) {
    return Config.defaults().put("engine", engine).put("partTimeLimitMs", 5_000).put("partMemoryLimitMb", MEMORY_MB)
        .put("maxResultBytes", 1_000_000).put("maxLogBytes", 200).put("runnerHeapMb", 512).put("runnerMemoryMb", 768);
  }

  @BeforeAll
  static void start() {
    long stack = Config.defaults().getLong("workerStackKb") * 1024;
    workers = Executors.newFixedThreadPool(4, r -> new Thread(null, r, "test-js-worker", stack));
    v8 = JsEngine.create(conf("v8"), 2);
    graal = JsEngine.create(conf("graaljs"), 2);
  }

  @AfterAll
  static void stop() {
    v8.close();
    graal.close();
    workers.shutdownNow();
  }

  static <T> T onWorker(Callable<T> call) throws Exception {
    try {
      return workers.submit(call).get(120, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what + " not reached within 60 s");
      }
      Thread.sleep(20);
    }
  }

  @Nested
  @DisplayName("on v8")
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnV8 extends Contract {
    @Override
    JsEngine engine() {
      return v8;
    }
  }

  @Nested
  @DisplayName("on graaljs")
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnGraalJs extends Contract {
    @Override
    JsEngine engine() {
      return graal;
    }
  }

  /** What both engines must do alike. */
  abstract static class Contract {

    abstract JsEngine engine();

    PartResult run(String code, String input) throws Exception {
      return run(code, input, FAR, 5_000, new RunHandle());
    }

    PartResult run(String code, String input, long deadlineMs, long cpuMs, RunHandle handle) throws Exception {
      return onWorker(() -> engine().run(new PartTask(code, input.getBytes(StandardCharsets.UTF_8), CTX, deadlineMs,
          cpuMs), handle));
    }

    String json(String code, String input) throws Exception {
      return new String(run(code, input).json(), StandardCharsets.UTF_8);
    }

    SandboxException fail(String code, String input) {
      return assertThrows(SandboxException.class, () -> run(code, input));
    }

    SandboxException fail(String code, long deadlineMs, long cpuMs, RunHandle handle) {
      return assertThrows(SandboxException.class, () -> run(code, "1", deadlineMs, cpuMs, handle));
    }

    /** Messages speak the user's language: no host, engine or internal file names (but the user's own words). */
    static void plainWords(SandboxException e) {
      plainWords(e, "");
    }

    static void plainWords(SandboxException e, String code) {
      String text = e.getMessage();
      for (String internal : List.of("java.", "Value.", "asString", "polyglot", "Polyglot", "job.js", "prelude",
          "disruptor", "Exception", "graalvm", "javet", "Javet")) {
        if (code.contains(internal)) {
          continue;
        }
        assertFalse(text.contains(internal), "'" + internal + "' in: " + text);
      }
    }

    void healthy() throws Exception {
      assertEquals("[1,2]", json("(x) => [1, 2]", "1"));
    }

    @Test
    @DisplayName("sixty garbage-heavy parts in a row all complete, and no V8 runner dies between them")
    void garbageBetweenParts() throws Exception {
      // a runner an earlier test killed may still be restarting: start from a settled engine (every runner
      // alive and idle), so only deaths during these parts count
      eventually(() -> {
        JsonObject stats = engine().stats();
        return !stats.containsKey("runners")
            || stats.getInteger("alive").equals(stats.getInteger("runners")) && stats.getInteger("idle").equals(stats.getInteger("runners"));
      }, "every runner alive and idle");
      long before = engine().stats().getLong("restarts", 0L);
      for (int i = 0; i < 60; i++) {
        assertEquals("100000", json("(n) => { const junk = []; for (let i = 0; i < n; i++) junk.push({ i, s: 'x' + i }); "
            + "return junk.length }", "100000"), "part " + i);
      }
      // a GC while the next context bootstraps must not ask V8 for heap figures: that aborted the runner
      assertEquals(before, engine().stats().getLong("restarts", 0L), "runner restarts");
    }

    PartResult runTyped(String code, byte[] typed) throws Exception {
      return onWorker(() -> engine().run(new PartTask(code, typed, CTX, FAR, 5_000), new RunHandle()));
    }

    @Test
    @DisplayName("a typed array in is a Float64Array, and a typed array out comes back as its bytes")
    void typedArraysInAndOut() throws Exception {
      java.nio.ByteBuffer in = java.nio.ByteBuffer.allocate(5 * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      for (double d : new double[] {1.5, -2, 3, 0.1, 1e300}) {
        in.putDouble(d);
      }
      byte[] input = TypedData.tag(TypedData.Dtype.FLOAT64, in.array());
      PartResult squared = runTyped("(xs) => xs instanceof Float64Array ? xs.map(x => x * x) : 'not typed'", input);
      assertTrue(TypedData.isTyped(squared.json()), "a typed result");
      assertEquals(TypedData.Dtype.FLOAT64, TypedData.dtype(squared.json()));
      assertEquals("[2.25,4,9,0.010000000000000002,null]", new String(TypedData.json(squared.json()), StandardCharsets.UTF_8));
      // a view into part of a larger buffer gives exactly its own elements; another type is kept
      PartResult view = runTyped("(xs) => new Int32Array(xs.length + 4).fill(7).subarray(2, 4)", input);
      assertEquals(TypedData.Dtype.INT32, TypedData.dtype(view.json()));
      assertEquals("[7,7]", new String(TypedData.json(view.json()), StandardCharsets.UTF_8));
      // from JSON input too, and a typed array whose getters job code replaced still reads as its bytes
      assertEquals("[1,2]", new String(TypedData.json(run("(xs) => { const a = Uint8Array.from(xs); "
          + "Object.defineProperty(a, 'buffer', { get() { throw new Error('no') } }); return a }", "[1,2]").json()),
          StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("maps JSON input through the function and returns JSON bytes")
    void maps() throws Exception {
      assertEquals("[1,4,9]", json("(xs) => xs.map(x => x * x)", "[1,2,3]"));
    }

    @Test
    @DisplayName("passes ctx with the partition index and count")
    void passesContext() throws Exception {
      assertEquals("[2,5,\"n:1\",\"j\"]", json("(x, ctx) => [ctx.partition, ctx.partitions, ctx.node, ctx.jobId]", "null"));
    }

    @Test
    @DisplayName("awaits async functions and returned promises and thenables")
    void awaitsPromises() throws Exception {
      assertEquals("6", json("async (xs) => { const a = await Promise.resolve(xs.length); return a * 2; }", "[1,2,3]"));
      assertEquals("\"ok\"", json("(x) => Promise.resolve('ok')", "1"));
      assertEquals("7", json("(x) => ({ then(ok) { ok(7); } })", "1"));
    }

    @Test
    @DisplayName("runs a reduce over the parts' results, as the coordinator does")
    void reduce() throws Exception {
      assertEquals("[1,2,3,4,5,6]", json("(parts) => parts.flat()", "[[1,2],[3,4],[5,6]]"));
      assertEquals("21", json("(parts) => parts.flat().reduce((a, b) => a + b, 0)", "[[1,2],[3,4],[5,6]]"));
    }

    @Test
    @DisplayName("every part gets a fresh context: globals, prototype changes and console lines do not carry over")
    void freshContextPerPart() throws Exception {
      PartResult first = run("(x) => { globalThis.leak = 42; Array.prototype.evil = 1; JSON.parse = () => 'x';"
          + " console.log('first'); return 1; }", "[]");
      assertEquals(List.of("first"), first.logs());
      PartResult second = run("(x) => [typeof leak, typeof [].evil, JSON.parse('[7]')[0]]", "[]");
      assertEquals("[\"undefined\",\"undefined\",7]", new String(second.json(), StandardCharsets.UTF_8));
      assertEquals(List.of(), second.logs());
    }

    @Test
    @DisplayName("parts on several threads at once each see only their own input and globals")
    void concurrentPartsIsolated() throws Exception {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        String input = "[" + i + "]";
        results.add(workers.submit(() -> new String(engine().run(new PartTask("(x) => { if (globalThis.mine !== undefined)"
            + " throw new Error('shared'); globalThis.mine = x[0]; console.log(x[0]); return x[0] * 2; }",
            input.getBytes(StandardCharsets.UTF_8), CTX, FAR, 5_000), new RunHandle()).json(), StandardCharsets.UTF_8)));
      }
      for (int i = 0; i < 40; i++) {
        assertEquals(String.valueOf(i * 2), results.get(i).get(60, TimeUnit.SECONDS));
      }
    }

    @Test
    @DisplayName("turns undefined into null")
    void undefinedIsNull() throws Exception {
      assertEquals("null", json("(x) => undefined", "1"));
    }

    @Test
    @DisplayName("runs scripts in sloppy mode, as node does")
    void sloppyMode() throws Exception {
      assertEquals("[5,true,1]", json("(x) => { undeclared = 5; with ({ a: 1 }) { return [undeclared,"
          + " (function () { return typeof this === 'object'; })(), a]; } }", "1"));
    }

    @Test
    @DisplayName("captures console.log and console.error per part, bounded")
    void capturesLogs() throws Exception {
      PartResult result = run("(x) => { console.log('hello', x, {a: 1}); console.error('oops'); return 1; }", "7");
      assertEquals(List.of("hello 7 {\"a\":1}", "oops"), result.logs());
      PartResult flood = run("(x) => { for (let i = 0; i < 1000; i++) console.log('line ' + i); return 1; }", "1");
      assertEquals(BoundedLog.TRUNCATED, flood.logs().getLast());
      assertTrue(flood.logs().size() < 40);
    }

    @Test
    @DisplayName("keeps lone surrogates in logs, results and error messages")
    void loneSurrogates() throws Exception {
      PartResult result = run("(x) => { console.log('a\\ud800b'); return '\\udc00'; }", "1");
      assertEquals(List.of("a\ud800b"), result.logs());
      assertEquals("\"\\udc00\"", new String(result.json(), StandardCharsets.UTF_8));
      SandboxException e = fail("(x) => { throw new Error('bad \\ud800'); }", "1");
      assertTrue(e.getMessage().contains("bad \ud800"), e.getMessage());
    }

    @Test
    @DisplayName("reports a syntax error with its line and column, in plain words, without running")
    void syntaxError() {
      SandboxException e = fail("(x) => {\n  return x +* 2;\n}", "1");
      assertEquals("compile_error", e.code());
      assertEquals(2, e.line());
      assertNotNull(e.column());
      assertTrue(e.getMessage().startsWith("SyntaxError"), e.getMessage());
      plainWords(e);
      SandboxException checked = assertThrows(SandboxException.class, () -> engine().check("(x) => {\n  return x +* 2;\n}"));
      assertEquals("compile_error", checked.code());
      assertEquals(2, checked.line());
      assertEquals(e.column(), checked.column());
      engine().check("(x) => { while (true) {} }"); // compiles, and check never runs it
    }

    @Test
    @DisplayName("reports a throw with its message, line and column")
    void throwsWithLine() {
      SandboxException e = fail("(x) => {\n\n  throw new Error('boom ' + x);\n}", "3");
      assertEquals("job_error", e.code());
      assertEquals("Error: boom 3", e.getMessage());
      assertEquals(3, e.line());
      assertEquals(9, e.column());
      assertEquals("the part threw 42", fail("(x) => { throw 42; }", "1").getMessage());
    }

    @Test
    @DisplayName("reports an async rejection with its line")
    void asyncRejection() {
      SandboxException e = fail("async (x) => {\n  await null;\n  throw new TypeError('late');\n}", "1");
      assertEquals("job_error", e.code());
      assertEquals("TypeError: late", e.getMessage());
      assertEquals(3, e.line());
    }

    @Test
    @DisplayName("refuses code that is not a function, in plain words")
    void notAFunction() {
      SandboxException e = fail("42", "1");
      assertEquals("not_a_function", e.code());
      assertTrue(e.getMessage().endsWith("a number"), e.getMessage());
    }

    @Test
    @DisplayName("answers with its own serializer: a replaced JSON.stringify changes nothing")
    void ownSerializer() throws Exception {
      assertEquals("[1,2,3]", json("(xs) => { JSON.stringify = () => '1],\"status\":\"hacked\",\"x\":[2'; return xs; }", "[1,2,3]"));
      assertEquals("[1,2,3]", json("(xs) => { JSON.stringify = () => 42; return xs; }", "[1,2,3]"));
      assertEquals("{\"a\":\"1],\\\"status\\\":\\\"hacked\"}", json("(x) => ({ a: { toJSON() { return '1],\"status\":\"hacked'; } } })", "1"));
      SandboxException e = fail("(x) => ({ toJSON() { return 10n; } })", "1");
      assertEquals("job_error", e.code());
      plainWords(e);
    }

    @Test
    @DisplayName("a value that cannot be serialized fails in plain words")
    void unserializable() {
      SandboxException cyclic = fail("(x) => { const a = {}; a.self = a; return a; }", "1");
      assertEquals("job_error", cyclic.code());
      assertTrue(cyclic.getMessage().startsWith("TypeError"), cyclic.getMessage());
      plainWords(cyclic);
    }

    @Test
    @DisplayName("recurses 10,000 frames deep, and stops unbounded recursion with stack_limit")
    void recursion() throws Exception {
      assertEquals("10000", json("(x) => { const f = (n) => n === 0 ? 0 : 1 + f(n - 1); return f(10000); }", "1"));
      assertEquals("stack_limit", fail("(x) => { const f = (n) => f(n + 1) + 1; return f(0); }", "1").code());
      healthy();
    }

    @Test
    @DisplayName("refuses a result over the size limit")
    void outputLimit() {
      assertEquals("output_limit", fail("(x) => 'x'.repeat(2000000)", "1").code());
    }

    @Test
    @DisplayName("stops a busy loop at the CPU limit (deadline and memory far away) and keeps working")
    void timeLimit() throws Exception {
      assertEquals("time_limit", fail("(x) => { while (true) {} }", FAR, 300, new RunHandle()).code());
      healthy();
    }

    @Test
    @DisplayName("stops a busy loop at the job deadline (CPU limit and memory far away) with timed_out")
    void deadline() throws Exception {
      assertEquals("timed_out", fail("(x) => { while (true) {} }", 300, FAR, new RunHandle()).code());
      healthy();
    }

    @Test
    @DisplayName("stops a memory bomb with memory_limit (CPU limit and deadline far away), and lives on")
    void memoryBomb() throws Exception {
      SandboxException e = fail("(x) => { const a = []; while (true) { a.push(new Array(100000).fill(1.5)); } }",
          FAR, FAR, new RunHandle());
      assertEquals("memory_limit", e.code(), e.getMessage());
      healthy();
    }

    @Test
    @DisplayName("a handle stopped from another thread ends the part with its reason; a stopped part never starts")
    void stopFromOutside() throws Exception {
      RunHandle handle = new RunHandle();
      Future<SandboxException> outcome = workers.submit(() -> fail("(x) => { while (true) {} }", FAR, FAR, handle));
      Thread.sleep(200); // let it start: the outcome is the same if it has not
      handle.stop("cancelled");
      assertEquals("cancelled", outcome.get(60, TimeUnit.SECONDS).code());
      RunHandle early = new RunHandle();
      early.stop("timed_out");
      assertEquals("timed_out", fail("(x) => 1", FAR, FAR, early).code());
    }

    @ParameterizedTest(name = "a stop ends code that resists it: {0}")
    @ValueSource(strings = {
        "(x) => { while (true) { try { while (true) {} } finally { continue; } } }",
        "(x) => { for (;;) { try { for (;;) {} } catch (e) { } } }",
        "(x) => ({ toJSON() { while (true) {} } })",
        "(x) => ({ get a() { while (true) {} } })",
        "(x) => new Proxy({}, { ownKeys() { while (true) {} } })",
    })
    void resistantCode(String code) throws Exception {
      assertEquals("time_limit", fail(code, FAR, 500, new RunHandle()).code());
      healthy();
    }

    @ParameterizedTest(name = "a limit ends a promise flood: {0}")
    @ValueSource(strings = {
        "(x) => { const f = () => Promise.resolve().then(f); f(); return new Promise(() => {}); }",
        "async (x) => { for (;;) { await null; } }",
        "(x) => { const f = () => typeof queueMicrotask === 'function' ? queueMicrotask(f) : Promise.resolve().then(f); f(); return 1; }",
    })
    void promiseFloods(String code) throws Exception {
      // a flood allocates as fast as it runs: whichever of CPU time and memory it crosses first is the reason
      String reason = fail(code, FAR, 500, new RunHandle()).code();
      assertTrue(reason.equals("time_limit") || reason.equals("memory_limit"), reason);
      healthy();
    }

    @ParameterizedTest(name = "a stop ends a part that catches its own stack overflows ({0}), or on graaljs its handle "
        + "says it is stuck")
    @ValueSource(strings = {"cancelled", "timed_out", "time_limit"})
    void catchesItsOwnErrors(String reason) throws Exception {
      // GraalJS cannot interrupt this (the interrupt lands at the deepest frame and overflows again), so there it
      // is bounded (5 s), for the test's worker thread to come back
      boolean v8 = engine().name().equals("v8");
      String code = "(x) => { const end = Date.now() + " + (v8 ? "1e12" : "5000") + "; const f = (n) => { try { return "
          + "f(n + 1) } catch (e) { if (Date.now() > end) return 0; return f(n + 1) } }; return f(0) }";
      RunHandle handle = new RunHandle();
      Future<SandboxException> outcome = switch (reason) {
        case "timed_out" -> workers.submit(() -> fail(code, 500, FAR, handle));
        case "time_limit" -> workers.submit(() -> fail(code, FAR, 500, handle));
        default -> workers.submit(() -> fail(code, FAR, FAR, handle));
      };
      if (reason.equals("cancelled")) {
        Thread.sleep(300); // let it start: a stop before the start ends it the same way
        handle.stop("cancelled");
      }
      if (v8) {
        assertEquals(reason, outcome.get(60, TimeUnit.SECONDS).code());
        assertFalse(handle.stuck(), "the part ended: its handle is not stuck");
      } else {
        eventually(() -> outcome.isDone() || handle.stuck(), "an end of the part or a stuck handle");
        assertEquals(reason, outcome.get(60, TimeUnit.SECONDS).code(), "the stop's reason, once it ends");
      }
      healthy();
    }

    @ParameterizedTest(name = "a stop ends code that resists it in finally blocks and catch-all loops: {0}")
    @ValueSource(strings = {
        "(x) => { const f = (n) => { try { return f(n + 1) } finally { f(n + 1) } }; return f(0) }",
        "(x) => { for (;;) { try { const f = (n) => f(n + 1); f(0) } catch (e) { } } }",
        "(x) => { const f = (n) => { try { return f(n + 1) } catch (e) { while (true) {} } }; return f(0) }",
    })
    void resistsWithRecursion(String code) throws Exception {
      // bounded (5 s) on graaljs, where an interrupt raised at the deepest frame can be caught as a RangeError:
      // recursion in finally and a loop in the deepest catch handler stay stuck until they end by themselves
      String bounded = engine().name().equals("v8") ? code : code.replace("(x) => {", "(x) => { const end = Date.now() + "
          + "5000;").replace("while (true) {}", "while (Date.now() < end) {}").replace("for (;;) {", "while (Date.now() < end) {")
          .replace("finally { f(n + 1) }", "finally { if (Date.now() < end) f(n + 1) }");
      RunHandle handle = new RunHandle();
      String reason = fail(bounded, FAR, 500, handle).code();
      if (engine().name().equals("v8")) {
        assertEquals("time_limit", reason);
        assertFalse(handle.stuck(), "stopped within the grace, not stuck: " + code);
      } else {
        // the bounded loop allocates (Date.now()): whichever limit it crosses first is the reason
        assertTrue(reason.equals("time_limit") || reason.equals("memory_limit"), reason);
      }
      healthy();
    }

    @ParameterizedTest(name = "host access is refused: {0}")
    @ValueSource(strings = {
        "(x) => Java.type('java.lang.System').exit(1)",
        "(x) => load('/etc/passwd')",
        "(x) => require('fs').readFileSync('/etc/passwd')",
        "(x) => process.env",
        "(x) => Polyglot.eval('js', '1')",
        "(x) => java.lang.System.getenv()",
        "(x) => Packages.java.io.File",
        "(x) => loadWithNewGlobal({script: '1', name: 'x'})",
        "(x) => Graal.versionJS",
        "(x) => new Worker('x')",
        "(x) => fetch('http://127.0.0.1:1')",
        "(x) => import('fs')",
        "(x) => read('/etc/passwd')",
        "(x) => new WebAssembly.Module(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))",
        "(x) => globalThis.constructor.constructor('return Java')().type('java.io.File')",
    })
    void hostAccessRefused(String code) {
      SandboxException e = fail(code, "1");
      assertEquals("job_error", e.code(), e.getMessage());
      plainWords(e, code);
    }

    @Test
    @DisplayName("exposes nothing of the host in its globals")
    void globals() throws Exception {
      assertEquals("[\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"undefined\",\"object\"]",
          json("(x) => [typeof Java, typeof Polyglot, typeof WebAssembly, typeof require, typeof process,"
              + " typeof load, typeof console]", "1"));
    }

    @Test
    @DisplayName("reports its engine and resources")
    void stats() {
      assertEquals(engine().name(), engine().stats().getString("engine"));
    }
  }

  @Test
  @DisplayName("a stop reason is the first limit crossed, with injected meters")
  void guards() {
    long[] clock = {0};
    long[] cpu = {0};
    long[] heap = {100};
    PartGuards guards = new PartGuards(Guard.deadline(() -> clock[0], 1_000), Guard.cpu(() -> cpu[0], 500),
        Guard.memory(() -> heap[0], 1_000));
    assertNull(guards.crossed());
    heap[0] = 1_100;
    assertNull(guards.crossed(), "the memory guard counts growth since the part began");
    heap[0] = 1_101;
    assertEquals("memory_limit", guards.crossed());
    PartGuards cpuOnly = new PartGuards(Guard.deadline(() -> clock[0], 1_000), Guard.cpu(() -> cpu[0], 500));
    cpu[0] = TimeUnit.MILLISECONDS.toNanos(501);
    assertEquals("time_limit", cpuOnly.crossed());
    PartGuards deadlineOnly = new PartGuards(Guard.deadline(() -> clock[0], 1_000));
    clock[0] = TimeUnit.MILLISECONDS.toNanos(1_001);
    assertEquals("timed_out", deadlineOnly.crossed());
  }

  @Test
  @DisplayName("a handle keeps the first stop reason it is given")
  void firstReasonWins() {
    RunHandle handle = new RunHandle();
    handle.stop("memory_limit");
    handle.stop("time_limit");
    handle.stop("cancelled");
    assertEquals("memory_limit", handle.stopReason());
    assertFalse(handle.stuck());
  }

  @Test
  @DisplayName("JsonCheck accepts exactly one JSON value")
  void jsonCheck() {
    for (String ok : List.of("1", " [1, 2] ", "{\"a\":[true,false,null]}", "\"\\ud800\"", "-0.5e+3", "\"é\"", "[]", "{}")) {
      assertTrue(JsonCheck.isOneValue(ok), ok);
    }
    for (String bad : List.of("", "1]", "1],\"status\":\"hacked\",\"x\":[2", "[1,]", "{\"a\":1,}", "01", "\"a", "1 2",
        "{\"a\" 1}", "[1}", "NaN", "\"\u0001\"", "tru", "{1:2}")) {
      assertFalse(JsonCheck.isOneValue(bad), bad);
    }
    assertFalse(JsonCheck.isOneValue(new byte[] {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'}), "an encoded surrogate");
    assertTrue(JsonCheck.isOneValue("[".repeat(100_000) + "]".repeat(100_000)), "deep nesting, no recursion");
    assertEquals("\"a\\ud800b\\\"\\n\"", JsonCheck.quote("a\ud800b\"\n"));
    assertEquals("a\ud800b\"\n", JsonCheck.unquote(JsonCheck.quote("a\ud800b\"\n")));
    assertEquals("😀", JsonCheck.unquote(JsonCheck.quote("😀")));
  }

  /** What only the V8 engine has: runner processes that can die, and the OS limits they run under. */
  @Nested
  @DisplayName("on v8, with runner processes")
  class V8Runners {

    @Test
    @DisplayName("a part whose runner is killed with kill -9 is run again and gives the exact result; the runner is replaced")
    void killedRunner() throws Exception {
      try (V8Engine engine = (V8Engine) JsEngine.create(conf("v8"), 1)) {
        long victim = engine.pids().getFirst();
        Future<PartResult> part = workers.submit(() -> engine.run(new PartTask(
            "(xs) => { const end = Date.now() + 1500; while (Date.now() < end) {} return xs.map(x => x * 2); }",
            "[1,2,3]".getBytes(StandardCharsets.UTF_8), CTX, FAR, FAR), new RunHandle()));
        eventually(() -> engine.stats().getInteger("idle") == 0, "the part running");
        ProcessHandle.of(victim).orElseThrow().destroyForcibly();
        assertEquals("[2,4,6]", new String(part.get(60, TimeUnit.SECONDS).json(), StandardCharsets.UTF_8));
        assertEquals(1, engine.stats().getLong("reruns"));
        eventually(() -> engine.stats().getInteger("alive") == 1 && !engine.pids().contains(victim), "a new runner");
        assertTrue(engine.stats().getLong("restarts") >= 1);
      }
    }

    @Test
    @DisplayName("a part whose runner dies twice fails with memory_limit")
    void twoDeaths() throws Exception {
      try (V8Engine engine = (V8Engine) JsEngine.create(conf("v8"), 1)) {
        Future<SandboxException> part = workers.submit(() -> assertThrows(SandboxException.class,
            () -> engine.run(new PartTask("(x) => { while (true) {} }", "1".getBytes(StandardCharsets.UTF_8), CTX, FAR,
                FAR), new RunHandle())));
        for (int death = 0; death < 2; death++) {
          int reruns = death;
          eventually(() -> engine.stats().getInteger("idle") == 0 && engine.stats().getLong("reruns") == reruns
              && engine.stats().getInteger("alive") == 1, "the part running (" + death + " deaths so far)");
          ProcessHandle.of(engine.pids().getFirst()).orElseThrow().destroyForcibly();
        }
        assertEquals("memory_limit", part.get(60, TimeUnit.SECONDS).code());
        eventually(() -> engine.stats().getInteger("alive") == 1, "a new runner");
        assertEquals("2", new String(engine.run(new PartTask("(x) => x + 1", "1".getBytes(StandardCharsets.UTF_8), CTX,
            FAR, FAR), new RunHandle()).json(), StandardCharsets.UTF_8));
      }
    }

    @ParameterizedTest(name = "a memory attack ends memory_limit and the engine lives on: {0}")
    @ValueSource(strings = {
        "(x) => { const a = []; while (true) a.push(new Array(100000).fill(1.5)); }",
        "(x) => new Array(2e8).fill(1).length",
        "(x) => new ArrayBuffer(2 * 1024 ** 3).byteLength",
        "(x) => { const b = []; for (;;) b.push(new Uint8Array(64 * 1024 * 1024).fill(1)); }",
        "(x) => { const s = []; for (;;) s.push('y'.repeat(1 << 24) + s.length); }",
        "(x) => { let s = 'x'; for (;;) s += s; }",
    })
    void memoryAttacks(String code) throws Exception {
      SandboxException e = assertThrows(SandboxException.class, () -> onWorker(() -> v8.run(new PartTask(code,
          "1".getBytes(StandardCharsets.UTF_8), CTX, FAR, FAR), new RunHandle())));
      assertEquals("memory_limit", e.code(), e.getMessage());
      assertEquals("3", new String(onWorker(() -> v8.run(new PartTask("(x) => x + 2", "1".getBytes(StandardCharsets.UTF_8),
          CTX, FAR, FAR), new RunHandle())).json(), StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("six memory bombs at once all end memory_limit, and the engine lives on")
    void concurrentBombs() throws Exception {
      List<Future<SandboxException>> bombs = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        String code = i % 2 == 0 ? "(x) => { const a = []; while (true) a.push(new Array(100000).fill(1.5)); }"
            : "(x) => new Array(2e8).fill(1).length";
        // six bombs queue for two runners, each restarted after its bomb: a loaded machine needs minutes,
        // so the parts' deadline is far beyond that (the outcome, not the time, is what is checked)
        bombs.add(Executors.newVirtualThreadPerTaskExecutor().submit(() -> assertThrows(SandboxException.class,
            () -> v8.run(new PartTask(code, "1".getBytes(StandardCharsets.UTF_8), CTX, 300_000, FAR), new RunHandle()))));
      }
      for (Future<SandboxException> bomb : bombs) {
        assertEquals("memory_limit", bomb.get(360, TimeUnit.SECONDS).code());
      }
      eventually(() -> v8.stats().getInteger("alive") == 2, "both runners back");
      assertEquals("[1,2]", new String(onWorker(() -> v8.run(new PartTask("(x) => [1, 2]", "1".getBytes(StandardCharsets.UTF_8),
          CTX, FAR, FAR), new RunHandle())).json(), StandardCharsets.UTF_8));
    }
  }

  @Test
  @DisplayName("a runner loads no Vert.x or Hazelcast class")
  void runnerIsSmall() throws Exception {
    java.nio.file.Path log = java.nio.file.Files.createTempFile("runner-classes", ".log");
    try {
      List<String> command = new ArrayList<>(V8Engine.command(RunnerSettings.from(conf("v8"))));
      command.add(1, "-Xlog:class+load=info:file=" + log);
      Process runner = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      assertNotNull(Frames.read(new java.io.DataInputStream(runner.getInputStream())), "a READY frame");
      runner.getOutputStream().close(); // the node is gone: the runner exits
      assertTrue(runner.waitFor(60, TimeUnit.SECONDS));
      String classes = java.nio.file.Files.readString(log);
      assertTrue(classes.contains("com.caoccao.javet.interop.V8Runtime"), "the log lists loaded classes");
      assertFalse(classes.contains("io.vertx"), "a Vert.x class was loaded");
      assertFalse(classes.contains("com.hazelcast"), "a Hazelcast class was loaded");
    } finally {
      java.nio.file.Files.deleteIfExists(log);
    }
  }
}
