package org.disruptor.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ES-module job code and store modules, turned into plain scripts both engines run the same way. Job code
 * with top-level {@code import}/{@code export} statements becomes a function of the importer that returns
 * its default export; a store module becomes a factory {@code (module, exports, require)}: an ES module's
 * exports land on {@code exports} (marked {@code __esModule}), a CommonJS or UMD build runs as it is, so it
 * sets {@code module.exports} as under node. Lines stay where they were: only the first line gains the
 * wrapper's prefix, and {@link #relocate} takes it out of a reported column again. Nothing else is
 * importable: a specifier is only ever looked up among the modules the job resolved from the store.
 *
 * <p>Supported forms: {@code import x from "m"}, {@code import * as ns from "m"}, {@code import {a, b as c}
 * from "m"}, {@code import x, {a} from "m"}, {@code import "m"}; {@code export default ...}, {@code export
 * const|let|var|function|class name}, {@code export {a, b as c}}. Re-exports ({@code export ... from}) and
 * dynamic {@code import()} are refused.
 */
public final class ModuleCode {

  /** The prefix of a job program's first line; errors on line 1 are moved left by its length. */
  static final String JOB_PREFIX = "(function (__import) {'use strict'; let __default; ";
  /** The prefix of an ES store module's factory. */
  static final String ES_PREFIX = "(function (module, exports, __import) {'use strict'; ";
  /** The prefix of a CommonJS store module's factory (sloppy, as node runs it). */
  static final String CJS_PREFIX = "(function (module, exports, require) {";

  /** Builds the importer of one part: {@code define(specifier, factory)}, then {@code importer}. */
  static final String LINKER = """
      (function () {
        'use strict';
        const factories = new Map();
        const namespaces = new Map();
        const importer = (spec) => {
          let ns = namespaces.get(spec);
          if (ns !== undefined) {
            return ns;
          }
          const factory = factories.get(spec);
          if (factory === undefined) {
            throw new Error('module "' + spec + '" is not one this job resolved from the module store');
          }
          const module = { exports: {} };
          namespaces.set(spec, module.exports);
          const require = (s) => {
            const m = importer(s);
            return m.__esModule === true ? m : m.default;
          };
          factory.call(module.exports, module, module.exports, factory.length === 3 ? require : importer);
          const ex = module.exports;
          const objectLike = ex !== null && (typeof ex === 'object' || typeof ex === 'function');
          if (objectLike && ex.__esModule === true) {
            ns = ex;
          } else {
            ns = Object.create(null);
            if (objectLike) {
              for (const key of Object.keys(ex)) {
                ns[key] = ex[key];
              }
            }
            ns.default = ex;
          }
          namespaces.set(spec, ns);
          return ns;
        };
        return { define: (spec, factory) => { factories.set(spec, factory); }, importer };
      })""";

  private static final Pattern MODULE_SYNTAX = Pattern.compile(
      "(?m)^[ \\t]*(?:import\\s*(?:[\\w$]+\\s*(?:,|from)|\\{|\\*|[\"'])|export\\s+(?:default\\b|const\\b|let\\b|var\\b"
          + "|function\\b|async\\b|class\\b|\\{))");
  private static final Pattern IMPORT = Pattern.compile(
      "(?m)^([ \\t]*)import\\s*(?:([\\w$]+)\\s*,?\\s*)?(\\{[^}]*\\}|\\*\\s*as\\s+[\\w$]+)?\\s*from\\s*([\"'])([^\"'\\n]+)\\4[ \\t]*;?");
  private static final Pattern BARE_IMPORT = Pattern.compile("(?m)^([ \\t]*)import\\s*([\"'])([^\"'\\n]+)\\2[ \\t]*;?");
  private static final Pattern EXPORT_DEFAULT_DECL = Pattern.compile(
      "(?m)^([ \\t]*)export\\s+default\\s+((?:async\\s+)?function\\s*\\*?\\s*([\\w$]+)|class\\s+([\\w$]+))");
  private static final Pattern EXPORT_DEFAULT = Pattern.compile("(?m)^([ \\t]*)export\\s+default\\s+");
  private static final Pattern EXPORT_DECL = Pattern.compile(
      "(?m)^([ \\t]*)export\\s+((?:const|let|var)\\s+([\\w$]+)|(?:async\\s+)?function\\s*\\*?\\s*([\\w$]+)|class\\s+([\\w$]+))");
  private static final Pattern EXPORT_LIST = Pattern.compile("(?m)^([ \\t]*)export\\s*\\{([^}]*)\\}[ \\t]*(from\\b)?[ \\t]*;?");
  private static final Pattern DESTRUCTURED = Pattern.compile("(?:const|let|var)\\s+([\\w$]+)");

  private static final int KEPT = 128;
  /** Longer code is transformed again when it comes back (cheap next to running it), never kept here. */
  private static final int KEPT_CHARS = 256 * 1024;
  private static final Map<String, Program> JOBS = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Program> eldest) {
      return size() > KEPT;
    }
  };

  private ModuleCode() {
  }

  /**
   * What an engine runs for some job code: {@code script}, and whether it is a module (then the script
   * evaluates to a function of the importer, which returns the job's function). {@code imports}: the
   * specifiers it imports, in order.
   */
  public record Program(String script, boolean module, List<String> imports) {

    /** A failure of this program, with its line 1 column as the user wrote it. */
    public SandboxException relocate(SandboxException e) {
      return module ? ModuleCode.relocate(e, JOB_PREFIX.length()) : e;
    }
  }

  /** A store module as a factory script, and the store specifiers it imports itself. */
  public record Factory(String script, boolean es, List<String> imports) {

    public SandboxException relocate(SandboxException e) {
      return ModuleCode.relocate(e, (es ? ES_PREFIX : CJS_PREFIX).length());
    }
  }

  /** Whether {@code code} has top-level import or export statements (an ES module). */
  public static boolean isModule(String code) {
    return MODULE_SYNTAX.matcher(code).find();
  }

  /** The program of job (or reduce) code, kept for recent code that is not big. */
  public static Program job(String code) {
    synchronized (JOBS) {
      Program known = JOBS.get(code);
      if (known != null) {
        return known;
      }
    }
    Program program;
    if (!isModule(code)) {
      program = new Program(code, false, List.of());
    } else {
      Rewrite r = rewrite(code, "__default = ");
      StringBuilder tail = new StringBuilder("\n;");
      for (String name : r.defaultNames) {
        tail.append(" __default = ").append(name).append(';');
      }
      r.named.forEach((exported, local) -> {
        if (exported.equals("default")) {
          tail.append(" __default = ").append(local).append(';');
        }
      });
      tail.append(" return __default; })");
      program = new Program(JOB_PREFIX + r.body + tail, true, List.copyOf(r.imports));
    }
    if (code.length() <= KEPT_CHARS) {
      synchronized (JOBS) {
        JOBS.put(code, program);
      }
    }
    return program;
  }

  /** The factory of a store module's source (ES or CommonJS/UMD). */
  public static Factory factory(String source) {
    if (!isModule(source)) {
      return new Factory(CJS_PREFIX + source + "\n})", false, List.of());
    }
    Rewrite r = rewrite(source, "exports.default = ");
    StringBuilder tail = new StringBuilder("\n;");
    for (String name : r.defaultNames) {
      tail.append(" exports.default = ").append(name).append(';');
    }
    r.named.forEach((exported, local) -> tail.append(" exports").append(property(exported)).append(" = ")
        .append(local).append(';'));
    tail.append(" Object.defineProperty(exports, '__esModule', { value: true }); })");
    return new Factory(ES_PREFIX + r.body + tail, true, List.copyOf(r.imports));
  }

  private static String property(String name) {
    return "['" + name + "']";
  }

  private record Rewrite(String body, LinkedHashSet<String> imports, List<String> defaultNames,
      Map<String, String> named) {
  }

  private static Rewrite rewrite(String code, String defaultAssign) {
    Matcher reexport = EXPORT_LIST.matcher(code);
    while (reexport.find()) {
      if (reexport.group(3) != null) {
        throw new SandboxException("compile_error", "re-exports (export ... from) are not supported: import, then"
            + " export", line(code, reexport.start()), 1, List.of());
      }
    }
    LinkedHashSet<String> imports = new LinkedHashSet<>();
    List<String> defaultNames = new ArrayList<>();
    Map<String, String> named = new LinkedHashMap<>();
    String body = replace(code, IMPORT, m -> {
      String spec = m.group(5);
      imports.add(spec);
      String call = "__import(" + quote(spec) + ")";
      List<String> bindings = new ArrayList<>();
      if (m.group(2) != null && !(m.group(2).equals("from") && m.group(3) == null)) {
        bindings.add(m.group(2) + " = " + call + ".default");
      }
      String rest = m.group(3);
      if (rest != null && rest.startsWith("*")) {
        bindings.add(rest.substring(rest.indexOf("as") + 2).trim() + " = " + call);
      } else if (rest != null) {
        String inner = rest.substring(1, rest.length() - 1).replaceAll("\\s+as\\s+", ": ");
        bindings.add("{" + inner + "} = " + call);
      }
      return m.group(1) + (bindings.isEmpty() ? call + ";" : "const " + String.join(", ", bindings) + ";");
    });
    body = replace(body, BARE_IMPORT, m -> {
      imports.add(m.group(3));
      return m.group(1) + "__import(" + quote(m.group(3)) + ");";
    });
    body = replace(body, EXPORT_DEFAULT_DECL, m -> {
      defaultNames.add(m.group(3) != null ? m.group(3) : m.group(4));
      return m.group(1) + m.group(2);
    });
    body = replace(body, EXPORT_DEFAULT, m -> m.group(1) + defaultAssign);
    body = replace(body, EXPORT_DECL, m -> {
      String name = m.group(3) != null ? m.group(3) : m.group(4) != null ? m.group(4) : m.group(5);
      named.put(name, name);
      return m.group(1) + m.group(2);
    });
    body = replace(body, EXPORT_LIST, m -> {
      for (String item : m.group(2).split(",")) {
        String[] parts = item.trim().split("\\s+as\\s+");
        if (!parts[0].isEmpty()) {
          named.put(parts.length > 1 ? parts[1].trim() : parts[0], parts[0]);
        }
      }
      return m.group(1);
    });
    return new Rewrite(body, imports, defaultNames, named);
  }

  private static int line(String code, int at) {
    int line = 1;
    for (int i = 0; i < at; i++) {
      if (code.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** Replaces each match, keeping the newlines the match spanned so later lines keep their numbers. */
  private static String replace(String text, Pattern pattern, java.util.function.Function<Matcher, String> with) {
    Matcher m = pattern.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 64);
    int last = 0;
    while (m.find()) {
      out.append(text, last, m.start());
      out.append(with.apply(m).replace('\n', ' ')); // a rewrite is one line: the newlines follow
      String matched = m.group();
      for (int i = 0; i < matched.length(); i++) {
        if (matched.charAt(i) == '\n') {
          out.append('\n');
        }
      }
      last = m.end();
    }
    out.append(text, last, text.length());
    return out.toString();
  }

  private static String quote(String spec) {
    return "\"" + spec.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static SandboxException relocate(SandboxException e, int prefix) {
    if (e.line() == null || e.line() != 1 || e.column() == null || e.column() <= prefix) {
      return e;
    }
    return new SandboxException(e.code(), e.getMessage(), e.line(), e.column() - prefix, e.logs());
  }
}
