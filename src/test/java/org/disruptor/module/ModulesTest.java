package org.disruptor.module;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.disruptor.job.JobError;
import org.disruptor.job.JobSpec;
import org.disruptor.sandbox.PartTask;
import org.disruptor.sandbox.SandboxException;
import org.junit.jupiter.api.Test;

/** Uploads refused or kept, and a job's modules pinned at submit, against an in-memory store. */
class ModulesTest {

  final InMemoryModuleStore store = new InMemoryModuleStore();
  final Modules modules = new Modules(store, new Modules.Limits(1000, 1500), source -> {
    if (source.contains("@@")) {
      throw new SandboxException("compile_error", "Unexpected token '@'", 2, 5, List.of());
    }
  }, () -> 42L, 10_000);

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static JobSpec job(String json) {
    return JobSpec.parse(utf8(json), new JobSpec.Limits(65536, 16, 1000, 1000));
  }

  int status(Runnable call) {
    return assertThrows(JobError.class, call::run).status();
  }

  @Test
  void badUploadsAreRefusedWithTheirStatus() {
    assertEquals(400, status(() -> modules.add("../etc", null, utf8("1"))));
    assertEquals(400, status(() -> modules.add("a/b", null, utf8("1"))));
    assertEquals(400, status(() -> modules.add("lodash", null, new byte[0])));
    assertEquals(400, status(() -> modules.add("lodash", null, new byte[] {(byte) 0xff, (byte) 0xfe})));
    assertEquals(413, status(() -> modules.add("big", null, new byte[1001])));
    JobError compile = assertThrows(JobError.class, () -> modules.add("broken", null, utf8("x\n @@")));
    assertEquals(422, compile.status());
    assertEquals(2, compile.toJson().getInteger("line"));
    assertEquals(5, compile.toJson().getInteger("column"));
    modules.add("a", null, new byte[900]);
    assertEquals(507, status(() -> modules.add("b", null, new byte[700])));
    assertTrue(store.infos.keySet().equals(java.util.Set.of("a")));
  }

  @Test
  void anUploadIsKeptUnderItsNameAndHash() {
    ModuleInfo info = modules.add("lib", "1.0.0", utf8("module.exports = 1;"));
    assertEquals(Modules.sha256(utf8("module.exports = 1;")), info.hash());
    assertEquals(19, info.size());
    assertEquals(42L, info.when());
    assertEquals("module.exports = 1;", modules.get("lib").getValue());
    modules.remove("lib");
    assertEquals(404, status(() -> modules.get("lib")));
    assertTrue(store.sources.isEmpty(), "the source goes with the last name holding it");
  }

  @Test
  void jobsPinTheirModulesAndUnknownOnesAre422NamingThem() {
    ModuleInfo lib = modules.add("lib", "2.1", utf8("module.exports = { k: 1 };"));
    modules.add("es", null, utf8("import lib from 'lib';\nexport default lib.k;\n"));
    JobSpec spec = job("{\"code\": \"import e from 'es';\\nexport default (x) => e\", \"data\": [1], \"modules\": [\"lib@2.1\"]}");
    assertTrue(Modules.uses(spec));
    List<String> resolved = modules.resolve(spec);
    assertEquals(List.of("script:lib@2.1=" + lib.hash(), "import:es=" + store.infos.get("es").hash(),
        "import:lib=" + lib.hash()), resolved);
    assertEquals(List.of("script:lib@" + lib.hash().substring(0, 8) + "=" + lib.hash()), modules.resolve(
        job("{\"code\": \"(x) => x\", \"data\": [1], \"modules\": [\"lib@" + lib.hash().substring(0, 8) + "\"]}")));
    JobError unknown = assertThrows(JobError.class, () -> modules.resolve(job("{\"code\": \"import x from 'nope';\\n"
        + "export default x\", \"data\": [1]}")));
    assertEquals(422, unknown.status());
    assertEquals("nope", unknown.toJson().getString("module"));
    assertEquals(422, status(() -> modules.resolve(job("{\"code\": \"(x) => x\", \"data\": [1], \"modules\": [\"lib@9.9\"]}"))));
    assertEquals(422, status(() -> modules.resolve(job("{\"code\": \"import x from './file.js';\\nexport default x\", \"data\": [1]}"))));
    assertTrue(!Modules.uses(job("{\"code\": \"(x) => x\", \"data\": [1]}")));
  }

  @Test
  void aNodeFetchesASourceOnceAndAPartOfADeletedModuleFails() {
    ModuleInfo lib = modules.add("lib", null, utf8("module.exports = 2;"));
    Modules other = new Modules(store, modules.limits(), s -> { }, () -> 0L, 10_000);
    List<String> resolved = List.of("import:lib=" + lib.hash(), "script:lib=" + lib.hash());
    List<PartTask.Module> parts = other.forPart(resolved);
    other.forPart(resolved);
    assertEquals(1, store.sourceReads);
    assertTrue(parts.get(0).text().contains("module.exports = 2;") && !parts.get(0).script());
    assertEquals("module.exports = 2;", parts.get(1).text());
    modules.remove("lib");
    Modules fresh = new Modules(store, modules.limits(), s -> { }, () -> 0L, 10_000);
    assertEquals("unknown_module", assertThrows(SandboxException.class, () -> fresh.forPart(resolved)).code());
  }
}
