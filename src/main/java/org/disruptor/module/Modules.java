package org.disruptor.module;

import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.disruptor.job.BuiltinReduce;
import org.disruptor.job.JobError;
import org.disruptor.job.JobSpec;
import org.disruptor.sandbox.ModuleCode;
import org.disruptor.sandbox.PartTask;
import org.disruptor.sandbox.SandboxException;

/**
 * The module store as the node uses it: uploads checked (name, size, encoding, compiles), a job's
 * modules resolved at submit into pinned entries ({@code script:SPEC=HASH} for a classic script listed in
 * {@code "modules"}, {@code import:SPEC=HASH} for what the code, the reduce and the imported modules import),
 * and the sources a part needs, fetched by hash once and kept per node. Plain and blocking: the gateway and
 * the job service call it off the event loop, a worker from its JS thread.
 */
public final class Modules {

  /** A name: letters, digits, {@code . _ -}; no path characters, no {@code @} (it starts a pin). */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+-]{1,64}");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{4,64}");
  private static final String SCRIPT = "script:";
  private static final String IMPORT = "import:";

  public record Limits(long maxModuleBytes, long storeBytes) {
    public static Limits from(JsonObject conf) {
      return new Limits(conf.getLong("maxModuleBytes"), conf.getLong("moduleStoreBytes"));
    }
  }

  /** A source this node holds, with its factory made on first use. */
  private static final class Loaded {
    final String source;
    volatile ModuleCode.Factory factory;

    Loaded(String source) {
      this.source = source;
    }

    ModuleCode.Factory factory() {
      ModuleCode.Factory made = factory;
      if (made == null) {
        made = ModuleCode.factory(source);
        factory = made;
      }
      return made;
    }
  }

  private final ModuleStore store;
  private final Limits limits;
  private final Consumer<String> compile;
  private final LongSupplier clock;
  private final long cacheChars;
  private long cachedChars;
  private final LinkedHashMap<String, Loaded> cache = new LinkedHashMap<>(16, 0.75f, true);

  /** {@code compile} throws {@link SandboxException} when a module's source does not compile. */
  public Modules(ModuleStore store, Limits limits, Consumer<String> compile, LongSupplier clock, long cacheChars) {
    this.store = store;
    this.limits = limits;
    this.compile = compile;
    this.clock = clock;
    this.cacheChars = cacheChars;
  }

  public Limits limits() {
    return limits;
  }

  /** Refuses a name with path characters (or none): 400. */
  public static String checkName(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw JobError.badRequest("a module name is 1 to 128 letters, digits, '.', '_' or '-' (no '/', '@' or"
          + " spaces), not '" + (name == null ? "" : name) + "'");
    }
    return name;
  }

  /** Stores an upload: 400 (name, empty, not UTF-8, version), 413 (size), 422 (compile, with line and column), 507. */
  public ModuleInfo add(String name, String version, byte[] body) {
    checkName(name);
    if (version != null && !VERSION.matcher(version).matches()) {
      throw JobError.badRequest("a module version is 1 to 64 letters, digits, '.', '_', '+' or '-', not '" + version + "'");
    }
    if (body == null || body.length == 0) {
      throw JobError.badRequest("the module's source is empty: send it as the request body");
    }
    if (body.length > limits.maxModuleBytes()) {
      throw new JobError("payload_too_large", "the module is " + body.length + " bytes, over the limit of "
          + limits.maxModuleBytes() + " bytes (maxModuleBytes)");
    }
    String source;
    try {
      source = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
    } catch (CharacterCodingException e) {
      throw JobError.badRequest("the module's source is not UTF-8 text");
    }
    try {
      compile.accept(source);
    } catch (SandboxException e) {
      if (!e.code().equals("compile_error")) {
        throw e;
      }
      JsonObject details = new JsonObject().put("module", name);
      if (e.line() != null) {
        details.put("line", e.line()).put("column", e.column());
      }
      throw new JobError("compile_error", "module '" + name + "' does not compile: " + e.getMessage(), details);
    }
    ModuleInfo info = new ModuleInfo(name, version, sha256(body), body.length, clock.getAsLong());
    ModuleInfo stored = store.put(info, source, limits.storeBytes());
    keep(stored.hash(), source);
    return stored;
  }

  public List<ModuleInfo> list() {
    return store.list();
  }

  /** The module under {@code name}: its info and source; not_found when there is none. */
  public Map.Entry<ModuleInfo, String> get(String name) {
    checkName(name);
    ModuleInfo info = store.info(name);
    String source = info == null ? null : load(info.hash());
    if (source == null) {
      throw new JobError("not_found", "no module '" + name + "' in the module store");
    }
    return Map.entry(info, source);
  }

  public void remove(String name) {
    checkName(name);
    if (!store.remove(name)) {
      throw new JobError("not_found", "no module '" + name + "' in the module store");
    }
  }

  /** Whether a job touches the store at all (lists modules, or its code or reduce is an ES module). */
  public static boolean uses(JobSpec spec) {
    return !spec.modules().isEmpty() || ModuleCode.job(spec.code()).module()
        || (spec.reduce() != null && !BuiltinReduce.isBuiltin(spec.reduce()) && ModuleCode.job(spec.reduce()).module());
  }

  /**
   * A job's modules pinned to hashes: its {@code "modules"} as classic scripts, then every import of its code,
   * its reduce and (transitively) the ES modules it imports. An unknown name or pin is 422 naming it.
   */
  public List<String> resolve(JobSpec spec) {
    List<String> resolved = new ArrayList<>();
    for (String wanted : spec.modules()) {
      resolved.add(SCRIPT + wanted + "=" + lookup(wanted).hash());
    }
    ArrayDeque<String> queue = new ArrayDeque<>(ModuleCode.job(spec.code()).imports());
    if (spec.reduce() != null && !BuiltinReduce.isBuiltin(spec.reduce())) {
      queue.addAll(ModuleCode.job(spec.reduce()).imports());
    }
    Set<String> seen = new LinkedHashSet<>();
    while (!queue.isEmpty()) {
      String wanted = queue.poll();
      if (!seen.add(wanted)) {
        continue;
      }
      ModuleInfo info = lookup(wanted);
      String source = load(info.hash());
      if (source == null) {
        throw unknown(wanted, "it was removed from the module store");
      }
      resolved.add(IMPORT + wanted + "=" + info.hash());
      queue.addAll(loaded(info.hash()).factory().imports());
    }
    return resolved;
  }

  private ModuleInfo lookup(String wanted) {
    int at = wanted.lastIndexOf('@');
    String name = at > 0 ? wanted.substring(0, at) : wanted;
    String pin = at > 0 ? wanted.substring(at + 1) : null;
    if (!NAME.matcher(name).matches()) {
      throw unknown(wanted, "only modules of the module store can be imported (no paths or URLs)");
    }
    ModuleInfo info = store.info(name);
    if (info == null) {
      throw unknown(wanted, "upload it first: PUT /api/modules/" + name);
    }
    if (pin != null && !pin.equals(info.version()) && !(HEX.matcher(pin).matches() && info.hash().startsWith(pin))) {
      throw unknown(wanted, "the store holds '" + name + "' " + (info.version() == null ? "" : "version "
          + info.version() + ", ") + "hash " + info.hash().substring(0, 12));
    }
    return info;
  }

  private static JobError unknown(String wanted, String why) {
    return new JobError("unknown_module", "unknown module '" + wanted + "': " + why,
        new JsonObject().put("module", wanted));
  }

  /** The modules of a part, as the engine takes them; a source gone from the store fails the part with 422. */
  public List<PartTask.Module> forPart(List<String> resolved) {
    if (resolved.isEmpty()) {
      return List.of();
    }
    List<PartTask.Module> modules = new ArrayList<>(resolved.size());
    for (String entry : resolved) {
      boolean script = entry.startsWith(SCRIPT);
      int eq = entry.lastIndexOf('=');
      String specifier = entry.substring(script ? SCRIPT.length() : IMPORT.length(), eq);
      String hash = entry.substring(eq + 1);
      Loaded loaded = loaded(hash);
      if (loaded == null) {
        throw new SandboxException("unknown_module", "module '" + specifier + "' was removed from the module store"
            + " while the job ran", null, null, List.of());
      }
      modules.add(new PartTask.Module(script, specifier, hash, script ? loaded.source : loaded.factory().script()));
    }
    return modules;
  }

  private String load(String hash) {
    Loaded loaded = loaded(hash);
    return loaded == null ? null : loaded.source;
  }

  /** The source of {@code hash}, from this node's cache or else the store (then kept), or null. */
  private Loaded loaded(String hash) {
    synchronized (cache) {
      Loaded known = cache.get(hash);
      if (known != null) {
        return known;
      }
    }
    String source = store.source(hash);
    return source == null ? null : keep(hash, source);
  }

  private Loaded keep(String hash, String source) {
    synchronized (cache) {
      Loaded known = cache.get(hash);
      if (known != null) {
        return known;
      }
      Loaded loaded = new Loaded(source);
      cache.put(hash, loaded);
      cachedChars += source.length();
      var it = cache.entrySet().iterator();
      while (cachedChars > cacheChars && cache.size() > 1 && it.hasNext()) {
        var eldest = it.next();
        if (eldest.getKey().equals(hash)) {
          continue;
        }
        cachedChars -= eldest.getValue().source.length();
        it.remove();
      }
      return loaded;
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Entries as {@link #resolve} makes them (tests, and the job views). */
  static Map<String, String> entries(List<String> resolved) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String entry : resolved) {
      int eq = entry.lastIndexOf('=');
      out.put(entry.substring(0, eq), entry.substring(eq + 1));
    }
    return out;
  }
}
