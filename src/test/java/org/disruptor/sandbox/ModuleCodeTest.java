package org.disruptor.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** ES-module syntax found and rewritten line for line; expression code left as it is. */
class ModuleCodeTest {

  @Test
  void expressionCodeIsNotAModule() {
    for (String code : List.of("(xs) => xs", "(xs) => { const important = 1; return xs; }",
        "(xs) => xs.map((x) => x.export)", "// import x from 'y' in a comment\n(xs) => xs")) {
      assertFalse(ModuleCode.isModule(code), code);
      ModuleCode.Program p = ModuleCode.job(code);
      assertEquals(code, p.script());
      assertFalse(p.module());
    }
  }

  @Test
  void importsAreFoundInOrderAndLinesStayWhereTheyWere() {
    String code = "import _ from \"lodash\";\nimport {\n  a,\n  b as c\n} from 'mine@1.2';\nimport * as ns from 'x';\n"
        + "import 'side';\nimport d, { e } from \"lodash\";\nexport default (xs) => [_, c, ns, d, e];\n";
    ModuleCode.Program p = ModuleCode.job(code);
    assertTrue(p.module());
    assertEquals(List.of("lodash", "mine@1.2", "x", "side"), p.imports());
    assertEquals(code.split("\n", -1).length + 1, p.script().split("\n", -1).length, p.script());
    String[] lines = p.script().split("\n", -1);
    assertTrue(lines[0].endsWith("const _ = __import(\"lodash\").default;"), lines[0]);
    assertTrue(lines[1].contains("const {") && lines[1].contains("b: c") && lines[1].contains("__import(\"mine@1.2\")"),
        String.join("|", lines[1], lines[2], lines[3], lines[4]));
    assertTrue(lines[8].startsWith("__default = (xs) =>"), lines[8]);
  }

  @Test
  void aStoreModuleExportsItsNamesAndACommonJsOneRunsAsItIs() {
    ModuleCode.Factory es = ModuleCode.factory("import h from 'helper';\nexport const a = 1;\nexport function f() {}\n"
        + "const g = 2;\nexport { g as gee };\nexport default class K {}\n");
    assertTrue(es.es());
    assertEquals(List.of("helper"), es.imports());
    assertTrue(es.script().contains("exports['a'] = a;") && es.script().contains("exports['gee'] = g;")
        && es.script().contains("exports.default = K;"), es.script());
    ModuleCode.Factory cjs = ModuleCode.factory("module.exports = 1;");
    assertFalse(cjs.es());
    assertTrue(cjs.script().startsWith(ModuleCode.CJS_PREFIX + "module.exports = 1;"), cjs.script());
  }

  @Test
  void reExportsAreRefusedAsACompileErrorWithTheirLine() {
    SandboxException e = assertThrows(SandboxException.class,
        () -> ModuleCode.factory("export const a = 1;\nexport { b } from 'other';\n"));
    assertEquals("compile_error", e.code());
    assertEquals(2, e.line());
  }

  @Test
  void aColumnOnTheFirstLineLosesTheWrappersPrefix() {
    ModuleCode.Program p = ModuleCode.job("export default (xs) => xs;");
    SandboxException moved = p.relocate(new SandboxException("compile_error", "x", 1,
        ModuleCode.JOB_PREFIX.length() + 16, List.of()));
    assertEquals(16, moved.column());
    assertEquals(7, p.relocate(new SandboxException("job_error", "x", 2, 7, List.of())).column());
  }
}
