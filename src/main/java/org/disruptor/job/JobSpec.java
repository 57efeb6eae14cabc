package org.disruptor.job;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.disruptor.sandbox.TypedData;

/**
 * A validated job request. {@link #parse} reads the request's JSON text in one streaming pass: the small
 * fields are decoded, while {@code data} stays UTF-8 text whose top-level elements are only located, never
 * turned into Java objects (a million numbers would be a million boxed objects, then re-encoded per
 * slice). Every malformed request becomes a 400 or 413 {@link JobError}.
 */
public record JobSpec(String code, Data data, Mode mode, Integer partitions, String reduce, long timeoutMs,
    String refJson, String key, Integer nodes, java.util.List<String> labels, java.util.List<String> modules) {

  /** A job with no idempotency key, node limit, labels or modules. */
  public JobSpec(String code, Data data, Mode mode, Integer partitions, String reduce, long timeoutMs, String refJson) {
    this(code, data, mode, partitions, reduce, timeoutMs, refJson, null, null, java.util.List.of(), java.util.List.of());
  }

  public enum Mode { MAP, BROADCAST }

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Set<String> FIELDS = Set.of("code", "data", "mode", "partitions", "reduce", "timeoutMs",
      "type", "ref", "key", "nodes", "labels", "modules");
  private static final int MAX_KEY_CHARS = 200;
  private static final int MAX_NAMES = 64;
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  /** The spec without its data: what a job keeps once its parts are planned (history must not pin data). */
  public JobSpec withoutData() {
    return new JobSpec(code, null, mode, partitions, reduce, timeoutMs, refJson, key, nodes, labels, modules);
  }

  /** The same job under an idempotency key (the HTTP header gives it outside the body). */
  public JobSpec withKey(String idempotencyKey) {
    return new JobSpec(code, data, mode, partitions, reduce, timeoutMs, refJson, checkKey(idempotencyKey), nodes, labels,
        modules);
  }

  /** This job with its {@code modules} replaced (at submit: pinned to the store's hashes). */
  public JobSpec withModules(java.util.List<String> resolved) {
    return new JobSpec(code, data, mode, partitions, reduce, timeoutMs, refJson, key, nodes, labels,
        java.util.List.copyOf(resolved));
  }

  /** Whether the cluster keeps this job durably (its spec and part results survive its coordinator). */
  public boolean durable(boolean async) {
    return async || key != null;
  }

  /** Limits that validation needs, from the node configuration. */
  public record Limits(int maxCodeBytes, int maxPartitions, long defaultTimeoutMs, long maxTimeoutMs) {
    public static Limits from(JsonObject conf) {
      return new Limits(conf.getInteger("maxCodeBytes"), conf.getInteger("maxPartitions"),
          conf.getLong("jobTimeoutMs"), conf.getLong("maxJobTimeoutMs"));
    }
  }

  /**
   * A job's {@code data} as the client sent it: the UTF-8 text {@code [start, end)} of the request, and for
   * an array the start of each top-level element. Slices are cut from the text, so a part's input is
   * byte for byte what the client sent.
   */
  public static final class Data {
    private final byte[] text;
    private final int start;
    private final int end;
    private final int[] elements;
    private final int size;
    private final TypedData.Dtype dtype;

    Data(byte[] text, int start, int end, int[] elements, int size) {
      this(text, start, end, elements, size, null);
    }

    private Data(byte[] text, int start, int end, int[] elements, int size, TypedData.Dtype dtype) {
      this.text = text;
      this.start = start;
      this.end = end;
      this.elements = elements;
      this.size = size;
      this.dtype = dtype;
    }

    /** A typed array: {@code size} elements of {@code dtype} from {@code start} of {@code bytes}. */
    static Data typed(byte[] bytes, int start, TypedData.Dtype dtype) {
      return new Data(bytes, start, bytes.length, null, (bytes.length - start) / dtype.size(), dtype);
    }

    public boolean isArray() {
      return elements != null || dtype != null;
    }

    /** The element type of typed (binary) data; null for JSON. */
    public TypedData.Dtype dtype() {
      return dtype;
    }

    /** Number of elements of an array. */
    public int size() {
      return size;
    }

    /** The whole value as UTF-8 JSON text (typed data: tagged, see {@link TypedData}). */
    public byte[] text() {
      return dtype != null ? TypedData.tag(dtype, text, start, 0, size) : Arrays.copyOfRange(text, start, end);
    }

    /** Elements {@code [from, to)} of an array, as a UTF-8 JSON array text (typed data: tagged). */
    public byte[] slice(int from, int to) {
      if (dtype != null) {
        return TypedData.tag(dtype, text, start, from, to);
      }
      if (from >= to) {
        return new byte[] {'[', ']'};
      }
      int first = elements[from];
      int last = to < size ? elements[to] : end - 1; // the next element, or the array's closing bracket
      last = trimBack(last);
      if (last > first && text[last - 1] == ',') {
        last = trimBack(last - 1);
      }
      byte[] out = new byte[last - first + 2];
      out[0] = '[';
      System.arraycopy(text, first, out, 1, last - first);
      out[out.length - 1] = ']';
      return out;
    }

    private int trimBack(int at) {
      while (at > start && isSpace(text[at - 1])) {
        at--;
      }
      return at;
    }
  }

  /**
   * Parses a binary job request ({@code application/octet-stream}): one line of JSON, the job without its
   * {@code data} and with {@code "dtype"} (the element type: float64, int32, ...), a newline, then the
   * elements, little-endian. Its parts get typed arrays of that type; with no {@code reduce} given, the
   * parts' results are joined end to end ({@code "flat"}).
   */
  public static JobSpec parseBinary(byte[] body, Limits limits) {
    int newline = -1;
    for (int i = 0; i < body.length; i++) {
      if (body[i] == '\n') {
        newline = i;
        break;
      }
    }
    if (newline < 0) {
      throw JobError.badRequest("a binary job starts with one line of JSON (the job, with \"dtype\" and without "
          + "\"data\"), then a newline, then the elements");
    }
    byte[] header = Arrays.copyOf(body, newline);
    String dtypeName;
    byte[] job;
    try {
      JsonObject json = new JsonObject(io.vertx.core.buffer.Buffer.buffer(header));
      if (json.containsKey("data")) {
        throw JobError.badRequest("a binary job's data is the bytes after its first line, not a \"data\" field");
      }
      Object dtype = json.remove("dtype");
      if (!(dtype instanceof String name) || TypedData.Dtype.named(name) == null) {
        throw JobError.badRequest("a binary job needs \"dtype\", the element type: one of " + TypedData.Dtype.names());
      }
      dtypeName = name;
      job = json.put("data", new io.vertx.core.json.JsonArray()).encode().getBytes(StandardCharsets.UTF_8);
    } catch (io.vertx.core.json.DecodeException e) {
      throw JobError.badRequest("the first line of a binary job must be a JSON object (the job without its data)");
    }
    TypedData.Dtype dtype = TypedData.Dtype.named(dtypeName);
    int bytes = body.length - newline - 1;
    if (bytes % dtype.size() != 0) {
      throw JobError.badRequest("the binary data is " + bytes + " bytes, not a whole number of " + dtype.wire()
          + " elements of " + dtype.size() + " bytes");
    }
    JobSpec spec = parseTokens(job, limits, Data.typed(body, newline + 1, dtype));
    return new JobSpec(spec.code, spec.data, spec.mode, spec.partitions, spec.reduce == null ? "flat" : spec.reduce,
        spec.timeoutMs, spec.refJson, spec.key, spec.nodes, spec.labels, spec.modules);
  }

  /** Bodies from this size on have their data located by {@link JsonScanner} instead of the tokenizer. */
  private static final int SCAN_FROM_BYTES = 16 * 1024;

  /** Parses a job request from its UTF-8 JSON text. */
  public static JobSpec parse(byte[] text, Limits limits) {
    if (text.length >= SCAN_FROM_BYTES) {
      JobSpec fast = parseScanned(text, limits);
      if (fast != null) {
        return fast;
      }
    }
    return parseTokens(text, limits, null);
  }

  private static final byte[] DATA_KEY = "\"data\"".getBytes(StandardCharsets.US_ASCII);

  /**
   * The fast path for large bodies: one validating pass over the request locates the top-level {@code data}
   * array and its elements without tokenizing them; the tokenizer then reads the small rest (the request with
   * its data replaced by null). Null when the request is not that simple shape (or is malformed anywhere):
   * the tokenizer then reads it all and reports what is wrong.
   */
  private static JobSpec parseScanned(byte[] text, Limits limits) {
    JsonScanner.Located data;
    try {
      data = JsonScanner.field(text, DATA_KEY, MAX_NESTING, MAX_NUMBER_CHARS);
    } catch (JsonScanner.Malformed e) {
      return null;
    }
    if (data == null) {
      return null;
    }
    byte[] rest = new byte[text.length - (data.end() - data.start()) + NULL.length];
    System.arraycopy(text, 0, rest, 0, data.start());
    System.arraycopy(NULL, 0, rest, data.start(), NULL.length);
    System.arraycopy(text, data.end(), rest, data.start() + NULL.length, text.length - data.end());
    return parseTokens(rest, limits, new Data(text, data.start(), data.end(), data.elements(), data.elements().length));
  }

  /** Parses a job request with the tokenizer; {@code located}: its data, when already located (else null). */
  private static JobSpec parseTokens(byte[] text, Limits limits, Data located) {
    if (isBlank(text)) {
      throw JobError.badRequest("the request body must be a JSON job object");
    }
    String code = null;
    String reduce = null;
    String mode = null;
    Data data = null;
    Long partitions = null;
    Long timeout = null;
    String ref = null;
    String key = null;
    Long nodes = null;
    java.util.List<String> labels = java.util.List.of();
    java.util.List<String> modules = java.util.List.of();
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw JobError.badRequest("the request body must be a JSON object, not " + kind(first));
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
        String field = p.currentName();
        if (!FIELDS.contains(field)) {
          throw JobError.badRequest("unknown field '" + field
              + "' (expected code, data, mode, partitions, reduce, timeoutMs, key, nodes, labels, modules)");
        }
        JsonToken value = p.nextToken();
        switch (field) {
          case "code" -> code = string(p, value, field);
          case "reduce" -> reduce = string(p, value, field);
          case "mode" -> mode = string(p, value, field);
          case "partitions" -> partitions = integer(p, value, field);
          case "timeoutMs" -> timeout = integer(p, value, field);
          case "data" -> data = located != null ? located : value == JsonToken.VALUE_NULL ? null : data(p, value, text);
          case "ref" -> ref = raw(p, value, text);
          case "key" -> key = string(p, value, field);
          case "nodes" -> nodes = integer(p, value, field);
          case "labels" -> labels = strings(p, value, field);
          case "modules" -> modules = strings(p, value, field);
          default -> { } // "type": a WebSocket message kind, not part of the job
        }
        p.skipChildren(); // past a value no case read (an object where a number belongs, say); else a no-op
      }
      if (p.nextToken() != null) {
        throw JobError.badRequest("invalid JSON: unexpected content after the job object");
      }
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw JobError.badRequest(constraint(e.getMessage()));
    } catch (StreamReadException e) {
      throw JobError.badRequest("invalid JSON: " + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw JobError.badRequest("invalid JSON: " + firstLine(e.getMessage()));
    }
    JobSpec spec = validate(code, data, mode, partitions, reduce, timeout, ref, limits);
    Integer nodeLimit = range("nodes", nodes, 1, Integer.MAX_VALUE);
    return new JobSpec(spec.code, spec.data, spec.mode, spec.partitions, spec.reduce, spec.timeoutMs, spec.refJson,
        key == null ? null : checkKey(key), nodeLimit, labels, modules);
  }

  private static String checkKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_CHARS) {
      throw JobError.badRequest("an idempotency key must be 1 to " + MAX_KEY_CHARS + " characters");
    }
    return key;
  }

  /** An array of short non-empty strings (labels, module names), or a 400. */
  private static java.util.List<String> strings(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return java.util.List.of();
    }
    if (value != JsonToken.START_ARRAY) {
      throw JobError.badRequest("'" + field + "' must be an array of strings");
    }
    java.util.List<String> out = new java.util.ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t != JsonToken.VALUE_STRING || p.getText().isEmpty() || p.getText().length() > MAX_KEY_CHARS) {
        throw JobError.badRequest("'" + field + "' must be an array of non-empty strings of at most "
            + MAX_KEY_CHARS + " characters");
      }
      if (out.size() == MAX_NAMES) {
        throw JobError.badRequest("'" + field + "' may hold at most " + MAX_NAMES + " names");
      }
      out.add(p.getText());
    }
    return java.util.List.copyOf(out);
  }

  private static JobSpec validate(String code, Data data, String modeName, Long partitions, String reduce,
      Long timeout, String ref, Limits limits) {
    if (code == null || code.isBlank()) {
      throw JobError.badRequest("'code' is required: JavaScript that evaluates to a function (input, ctx) => ...");
    }
    checkCodeSize("code", code, limits);
    if (reduce != null) {
      checkCodeSize("reduce", reduce, limits);
    }
    Mode mode = switch (modeName == null ? "map" : modeName) {
      case "map" -> Mode.MAP;
      case "broadcast" -> Mode.BROADCAST;
      default -> throw JobError.badRequest("'mode' must be \"map\" or \"broadcast\"");
    };
    if (mode == Mode.MAP && (data == null || !data.isArray())) {
      throw JobError.badRequest("map mode needs 'data' to be an array" + (data == null ? " (it is missing)" : ""));
    }
    Integer parts = range("partitions", partitions, 1, limits.maxPartitions(), " (maxPartitions)");
    if (parts != null && mode == Mode.BROADCAST) {
      throw JobError.badRequest("'partitions' applies to map mode only; broadcast runs once on every node");
    }
    Integer time = range("timeoutMs", timeout, 1, (int) Math.min(Integer.MAX_VALUE, limits.maxTimeoutMs()),
        " (maxJobTimeoutMs)");
    return new JobSpec(code, data == null ? new Data(NULL, 0, NULL.length, null, 0) : data, mode, parts, reduce,
        time == null ? limits.defaultTimeoutMs() : time, ref);
  }

  /** Locates {@code data}: for an array, the start of each top-level element (nested values are skipped). */
  private static Data data(JsonParser p, JsonToken value, byte[] text) throws IOException {
    int start = offset(p);
    if (value != JsonToken.START_ARRAY) {
      p.skipChildren();
      return new Data(text, start, end(p, text), null, 0);
    }
    int[] elements = new int[16];
    int size = 0;
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (size == elements.length) {
        elements = Arrays.copyOf(elements, size * 2);
      }
      elements[size++] = offset(p);
      if (t.isStructStart()) {
        p.skipChildren();
      }
    }
    return new Data(text, start, offset(p) + 1, elements, size);
  }

  /** The raw JSON text of a value (the WebSocket {@code ref}, echoed back verbatim). */
  private static String raw(JsonParser p, JsonToken value, byte[] text) throws IOException {
    int start = offset(p);
    p.skipChildren();
    return new String(text, start, end(p, text) - start, StandardCharsets.UTF_8);
  }

  /** The end of the value just read: after its closing bracket, or after its last character for a scalar. */
  private static int end(JsonParser p, byte[] text) {
    int at = offset(p);
    JsonToken t = p.currentToken();
    if (t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
      return at + 1;
    }
    if (t == JsonToken.VALUE_STRING) {
      // scan to the closing quote, past escapes
      int i = at + 1;
      while (i < text.length && text[i] != '"') {
        i += text[i] == '\\' ? 2 : 1;
      }
      if (i >= text.length) {
        throw JobError.badRequest("invalid JSON: a string that never ends");
      }
      return i + 1;
    }
    int i = at;
    while (i < text.length && !isSpace(text[i]) && text[i] != ',' && text[i] != '}' && text[i] != ']') {
      i++;
    }
    return i;
  }

  private static int offset(JsonParser p) {
    long offset = p.currentTokenLocation().getByteOffset();
    if (offset < 0) {
      // Jackson detected UTF-16 or UTF-32 and reads characters, not bytes
      throw JobError.badRequest("the request must be UTF-8 JSON");
    }
    return (int) offset;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static boolean isBlank(byte[] text) {
    for (byte b : text) {
      if (!isSpace(b)) {
        return false;
      }
    }
    return true;
  }

  private static void checkCodeSize(String field, String code, Limits limits) {
    if (code.getBytes(StandardCharsets.UTF_8).length > limits.maxCodeBytes()) {
      throw new JobError("payload_too_large", "'" + field + "' is over the limit of " + limits.maxCodeBytes()
          + " bytes (maxCodeBytes)");
    }
  }

  private static String string(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw JobError.badRequest("'" + field + "' must be a string");
    }
    return p.getText();
  }

  /** An integer token, or {@code Long.MIN_VALUE} for any other value (refused by {@link #range}). */
  private static Long integer(JsonParser p, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      return Long.MIN_VALUE;
    }
    return p.getLongValue();
  }

  private static Integer range(String field, Long value, int min, int max) {
    return range(field, value, min, max, "");
  }

  /** {@code key}: the config key that sets {@code max}, named in the message. */
  private static Integer range(String field, Long value, int min, int max, String key) {
    if (value == null) {
      return null;
    }
    if (value < min || value > max) {
      throw JobError.badRequest("'" + field + "' must be an integer from " + min + " to " + max + key);
    }
    return value.intValue();
  }

  private static String kind(JsonToken token) {
    return token == JsonToken.START_ARRAY ? "an array" : token == JsonToken.VALUE_STRING ? "a string"
        : token == JsonToken.VALUE_NULL ? "null" : token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE
        ? "a boolean" : "a number";
  }

  /** The parser's structural limits, in plain words (its own text names its configuration classes). */
  private static String constraint(String text) {
    String t = String.valueOf(text);
    if (t.contains("nesting depth")) {
      return "the JSON is nested too deeply: at most " + MAX_NESTING + " levels of arrays and objects are accepted";
    }
    if (t.contains("Number value length") || t.contains("number length")) {
      return "a number in the JSON is too long: at most " + MAX_NUMBER_CHARS + " characters";
    }
    if (t.contains("String value length") || t.contains("string length")) {
      return "a string in the JSON is too long";
    }
    return "the JSON is over a size limit of the parser";
  }

  /** Jackson's defaults, which the parser keeps: stated here for the messages and the README. */
  public static final int MAX_NESTING = com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_DEPTH;
  private static final int MAX_NUMBER_CHARS = com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_NUM_LEN;

  private static String firstLine(String text) {
    String line = String.valueOf(text).lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
