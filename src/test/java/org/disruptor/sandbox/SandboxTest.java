package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The sandbox")
class SandboxTest {

  private static Sandbox sandbox;

  @BeforeAll
  static void start() {
    sandbox = new Sandbox(new SandboxLimits(2_000, 64, 1_000_000, 200));
  }

  @AfterAll
  static void stop() {
    sandbox.close();
  }

  private static PartResult run(String code, String input) {
    return sandbox.run(sandbox.source(code), input, "{\"jobId\":\"j\",\"node\":\"n:1\",\"partition\":2,\"partitions\":5}",
        5_000, 2_000, new RunHandle());
  }

  private static SandboxException fail(String code, String input) {
    return assertThrows(SandboxException.class, () -> run(code, input));
  }

  @Test
  @DisplayName("maps JSON input through the function and returns JSON text")
  void maps() {
    assertEquals("[1,4,9]", run("(xs) => xs.map(x => x * x)", "[1,2,3]").json());
  }

  @Test
  @DisplayName("passes ctx with the partition index and count")
  void passesContext() {
    assertEquals("[2,5,\"n:1\",\"j\"]", run("(x, ctx) => [ctx.partition, ctx.partitions, ctx.node, ctx.jobId]", "null").json());
  }

  @Test
  @DisplayName("awaits async functions and returned promises")
  void awaitsPromises() {
    assertEquals("6", run("async (xs) => { const a = await Promise.resolve(xs.length); return a * 2; }", "[1,2,3]").json());
    assertEquals("\"ok\"", run("(x) => Promise.resolve('ok')", "1").json());
  }

  @Test
  @DisplayName("runs a reduce over the parts' results, in part order, as the coordinator does")
  void reduce() {
    org.disruptor.job.Job job = new org.disruptor.job.Job("j", new org.disruptor.job.JobSpec("(x) => x", null,
        org.disruptor.job.JobSpec.Mode.MAP, 3, "(parts) => parts.flat()", 1000, null), List.of(new byte[0], new byte[0], new byte[0]));
    job.complete(2, "n", "[5,6]".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, List.of());
    job.complete(0, "n", "[1,2]".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, List.of());
    job.complete(1, "n", "[3,4]".getBytes(java.nio.charset.StandardCharsets.UTF_8), 1, List.of());
    assertEquals("[1,2,3,4,5,6]", run("(parts) => parts.flat()", new String(job.resultsArray(), java.nio.charset.StandardCharsets.UTF_8)).json());
    assertEquals("21", run("(parts) => parts.flat().reduce((a, b) => a + b, 0)", new String(job.resultsArray(), java.nio.charset.StandardCharsets.UTF_8)).json());
  }

  @Test
  @DisplayName("every part gets a fresh context: globals, prototype changes and console lines do not carry over")
  void freshContextPerPart() {
    PartResult first = run("(x) => { globalThis.leak = 42; Array.prototype.evil = 1; JSON.parse = () => 'x';"
        + " console.log('first'); return 1; }", "[]");
    assertEquals(List.of("first"), first.logs());
    PartResult second = run("(x) => [typeof leak, typeof [].evil, JSON.parse('[7]')[0]]", "[]");
    assertEquals("[\"undefined\",\"undefined\",7]", second.json());
    assertEquals(List.of(), second.logs());
  }

  @Test
  @DisplayName("parts on several threads at once each see only their own input and globals")
  void concurrentPartsIsolated() throws Exception {
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<String>> results = new java.util.ArrayList<>();
      for (int i = 0; i < 60; i++) {
        int n = i;
        results.add(pool.submit(() -> run("(x) => { if (globalThis.mine !== undefined) throw new Error('shared');"
            + " globalThis.mine = x[0]; console.log(x[0]); return x[0] * 2; }", "[" + n + "]").json()));
      }
      for (int i = 0; i < 60; i++) {
        assertEquals(String.valueOf(i * 2), results.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("the same code is one Source, so the engine keeps its compiled code between jobs")
  void sourceShared() {
    assertSame(sandbox.source("(x) => x + 1"), sandbox.source("(x) => x + 1"));
  }

  @Test
  @DisplayName("turns undefined into null")
  void undefinedIsNull() {
    assertEquals("null", run("(x) => undefined", "1").json());
  }

  @Test
  @DisplayName("captures console.log and console.error per part, bounded")
  void capturesLogs() {
    PartResult result = run("(x) => { console.log('hello', x); console.error('oops'); return 1; }", "7");
    assertEquals(List.of("hello 7", "oops"), result.logs());
    PartResult flood = run("(x) => { for (let i = 0; i < 1000; i++) console.log('line ' + i); return 1; }", "1");
    assertEquals(BoundedLog.TRUNCATED, flood.logs().getLast());
    assertTrue(flood.logs().size() < 40);
  }

  @Test
  @DisplayName("reports a syntax error with its line and column")
  void syntaxError() {
    SandboxException e = fail("(x) => {\n  return x +* 2;\n}", "1");
    assertEquals("compile_error", e.code());
    assertEquals(2, e.line());
  }

  @Test
  @DisplayName("reports a throw with its message and line")
  void throwsWithLine() {
    SandboxException e = fail("(x) => {\n\n  throw new Error('boom ' + x);\n}", "3");
    assertEquals("job_error", e.code());
    assertTrue(e.getMessage().contains("boom 3"), e.getMessage());
    assertEquals(3, e.line());
  }

  @Test
  @DisplayName("reports an async rejection with its line")
  void asyncRejection() {
    SandboxException e = fail("async (x) => {\n  await null;\n  throw new TypeError('late');\n}", "1");
    assertEquals("job_error", e.code());
    assertTrue(e.getMessage().contains("late"), e.getMessage());
    assertEquals(3, e.line());
  }

  @Test
  @DisplayName("refuses code that is not a function")
  void notAFunction() {
    assertEquals("not_a_function", fail("42", "1").code());
  }

  @Test
  @DisplayName("stops a busy loop at the time limit and keeps working")
  void timeLimit() {
    long start = System.nanoTime();
    SandboxException e = assertThrows(SandboxException.class, () -> sandbox.run(sandbox.source("(x) => { while (true) {} }"),
        "1", "{}", 5_000, 300, new RunHandle()));
    assertEquals("time_limit", e.code());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
    assertEquals("2", run("(x) => x + 1", "1").json());
  }

  @Test
  @DisplayName("stops a busy loop at the job deadline with timed_out")
  void deadline() {
    SandboxException e = assertThrows(SandboxException.class, () -> sandbox.run(sandbox.source("(x) => { while (true) {} }"),
        "1", "{}", 200, 5_000, new RunHandle()));
    assertEquals("timed_out", e.code());
  }

  @Test
  @DisplayName("a handle stopped from another thread ends the part with its reason")
  void stopFromOutside() throws Exception {
    RunHandle handle = new RunHandle();
    var pool = Executors.newSingleThreadScheduledExecutor();
    pool.schedule(() -> handle.stop("cancelled"), 200, TimeUnit.MILLISECONDS);
    SandboxException e = assertThrows(SandboxException.class, () -> sandbox.run(sandbox.source("(x) => { while (true) {} }"),
        "1", "{}", 5_000, 5_000, handle));
    assertEquals("cancelled", e.code());
    pool.shutdown();
  }

  @Test
  @DisplayName("stops a memory bomb with memory_limit, and the host lives on")
  void memoryBomb() {
    SandboxException e = fail("(x) => { const a = []; while (true) { a.push(new Array(100000).fill(1.5)); } }", "1");
    assertEquals("memory_limit", e.code(), e.getMessage());
    assertEquals("[1,2]", run("(x) => [1, 2]", "1").json());
  }

  @Test
  @DisplayName("stops deep recursion with stack_limit")
  void deepRecursion() {
    assertEquals("stack_limit", fail("(x) => { const f = (n) => f(n + 1) + 1; return f(0); }", "1").code());
  }

  @Test
  @DisplayName("refuses a result over the size limit")
  void outputLimit() {
    assertEquals("output_limit", fail("(x) => 'x'.repeat(2000000)", "1").code());
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
      "(x) => globalThis.constructor.constructor('return Java')().type('java.io.File')",
  })
  void hostAccessRefused(String code) {
    SandboxException e = fail(code, "1");
    assertEquals("job_error", e.code(), e.getMessage());
  }
}
