package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.disruptor.config.Config;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * ES-module job code, imports of store modules and classic scripts, alike on both engines: results, errors
 * with the user's line and column, and the sandbox kept (a module sees the same stripped global as job code).
 */
@DisplayName("Modules in the sandbox")
class ModulesSandboxTest {

  static final String CTX = "{\"jobId\":\"j\",\"node\":\"n:1\",\"partition\":0,\"partitions\":1}";
  private static JsEngine v8;
  private static JsEngine graal;
  private static ExecutorService workers;

  @BeforeAll
  static void start() {
    long stack = Config.defaults().getLong("workerStackKb") * 1024;
    workers = Executors.newFixedThreadPool(2, r -> new Thread(null, r, "test-js-worker", stack));
    v8 = JsEngine.create(SandboxTest.conf("v8"), 1);
    graal = JsEngine.create(SandboxTest.conf("graaljs"), 1);
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

  static PartTask.Module imported(String specifier, String source) {
    return new PartTask.Module(false, specifier, Integer.toHexString(source.hashCode()),
        ModuleCode.factory(source).script());
  }

  static PartTask.Module script(String name, String source) {
    return new PartTask.Module(true, name, Integer.toHexString(source.hashCode()), source);
  }

  /** lodash from target/test-modules (scripts/test-deps.sh), or null when it is not installed. */
  static String npm(String file) throws Exception {
    Path path = Path.of("target/test-modules/node_modules").resolve(file);
    return Files.isRegularFile(path) ? Files.readString(path) : null;
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

  @Test
  @DisplayName("a V8 runner survives many parts importing lodash (its code cache reused, no crash)")
  void runnersSurviveRepeatedImports() throws Exception {
    String lodash = npm("lodash/lodash.min.js");
    org.junit.jupiter.api.Assumptions.assumeTrue(lodash != null, "run scripts/test-deps.sh to install lodash");
    PartTask.Module module = imported("lodash", lodash);
    long before = v8.stats().getLong("restarts");
    for (int i = 0; i < 60; i++) {
      assertEquals("2", new String(onWorker(() -> v8.run(new PartTask("import _ from 'lodash';\nexport default (xs) =>"
          + " _.chunk(xs, 2).length;", "[1,2,3]".getBytes(StandardCharsets.UTF_8), CTX, 60_000, 5_000,
          List.of(module)), new RunHandle())).json(), StandardCharsets.UTF_8));
    }
    assertEquals(before, v8.stats().getLong("restarts"), "runner restarts: " + v8.stats());
  }

  abstract static class Contract {

    abstract JsEngine engine();

    String json(String code, String input, PartTask.Module... modules) throws Exception {
      return new String(onWorker(() -> engine().run(new PartTask(code, input.getBytes(StandardCharsets.UTF_8), CTX,
          60_000, 5_000, List.of(modules)), new RunHandle())).json(), StandardCharsets.UTF_8);
    }

    SandboxException fail(String code, PartTask.Module... modules) {
      return assertThrows(SandboxException.class, () -> json(code, "[1,2,3]", modules));
    }

    static final PartTask.Module CJS = imported("twice", "module.exports = { twice: (xs) => xs.map((x) => 2 * x) };\n");
    static final PartTask.Module ES = imported("mine", "export const k = 3;\nexport function add(a, b) { return a + b + k; }\n"
        + "export default (xs) => xs.length;\n");

    @Test
    void anEsModuleImportsCommonJsAndEsModules() throws Exception {
      assertEquals("[2,4,6]", json("import t from \"twice\";\nexport default (xs) => t.twice(xs);\n", "[1,2,3]", CJS));
      assertEquals("[[2,4,6],5,3]", json("""
          import { twice } from 'twice';
          import count, { add as plus } from "mine";
          import * as all from "mine";
          export default function job(xs) { return [twice(xs), plus(1, 1), all.default(xs)]; }
          """, "[1,2,3]", CJS, ES));
    }

    @Test
    void theExpressionFormStillWorksAndSeesClassicScripts() throws Exception {
      PartTask.Module lib = script("lib", "var helpers = { inc: function (x) { return x + 1; } };");
      assertEquals("[2,3,4]", json("(xs) => xs.map(helpers.inc)", "[1,2,3]", lib));
      assertEquals("[2,3,4]", json("export default (xs) => xs.map(helpers.inc);", "[1,2,3]", lib));
    }

    @Test
    void compileErrorsCarryTheUsersLineAndColumn() {
      SandboxException second = fail("import t from \"twice\";\nexport default (xs) => { xs.map(; };\n", CJS);
      assertEquals("compile_error", second.code());
      assertEquals(2, second.line());
      SandboxException first = fail("export default (xs) => ) ;", CJS);
      assertEquals("compile_error", first.code());
      assertEquals(1, first.line());
      assertTrue(first.column() < 30, "column " + first.column() + " is the user's, not the wrapper's");
      SandboxException check = assertThrows(SandboxException.class, () -> onWorker(() -> {
        engine().checkModule("export const a = 1;\nexport const b = ;\n");
        return null;
      }));
      assertEquals(2, check.line());
    }

    @Test
    void aSpecifierTheJobDidNotResolveIsNotImportable() {
      SandboxException e = fail("import fs from \"fs\";\nexport default (xs) => fs;\n");
      assertEquals("job_error", e.code());
      assertTrue(e.getMessage().contains("\"fs\""), e.getMessage());
    }

    @Test
    void modulesSeeTheSandboxedGlobalAndAFreshCopyPerPart() throws Exception {
      PartTask.Module probe = imported("probe", "module.exports = { host: [typeof Java, typeof Polyglot, typeof globalThis.require,"
          + " typeof process, typeof WebAssembly].join(), state: [] };");
      String code = "import p from 'probe';\nexport default (xs) => { p.state.push(1); return [p.host, p.state.length]; };";
      assertEquals("[\"undefined,undefined,undefined,undefined,undefined\",1]", json(code, "0", probe));
      assertEquals("[\"undefined,undefined,undefined,undefined,undefined\",1]", json(code, "0", probe));
    }

    @Test
    void realLodashImportsLikeNodeAndRunsAsAClassicScript() throws Exception {
      String lodash = npm("lodash/lodash.js");
      String min = npm("lodash/lodash.min.js");
      org.junit.jupiter.api.Assumptions.assumeTrue(lodash != null, "run scripts/test-deps.sh to install lodash");
      assertEquals("[[1,2],[3]]", json("import _ from 'lodash';\nexport default (xs) => _.chunk(xs, 2);", "[1,2,3]",
          imported("lodash", lodash)));
      assertEquals("[[1,2],[3]]", json("(xs) => _.chunk(xs, 2)", "[1,2,3]", script("lodash", min)));
    }
  }
}
