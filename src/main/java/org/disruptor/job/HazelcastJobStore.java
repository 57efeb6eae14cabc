package org.disruptor.job;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The {@link JobStore} of a node: Hazelcast maps, each entry with one synchronous backup on another member
 * (Hazelcast's default), so what is stored survives any one node. Every Hazelcast call runs on the store's
 * own thread, never on an event loop (a call may wait while partitions move after a member leaves), in
 * the order the calls were made (a job's "running" entry never lands after its final one); answers come
 * back on the caller's Vert.x context.
 */
public final class HazelcastJobStore implements JobStore {

  public static final String DIRECTORY = "disruptor.jobs";
  public static final String DURABLE = "disruptor.durable.specs";
  public static final String OWNERS = "disruptor.durable.owners";
  public static final String PARTS = "disruptor.durable.parts";
  public static final String FINAL = "disruptor.durable.final";
  public static final String KEYS = "disruptor.keys";
  private static final Logger LOG = Logger.getLogger("org.disruptor.job");

  private final Vertx vertx;
  private final IMap<String, String> directory;
  private final IMap<String, byte[]> durable;
  private final IMap<String, String> owners;
  private final IMap<String, byte[]> parts;
  private final IMap<String, byte[]> finals;
  private final IMap<String, String> keys;
  private final long budgetBytes;
  private final long keyTtlSeconds;
  private final ExecutorService io = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().daemon()
      .name("disruptor-job-store").unstarted(r));
  /** Bytes of durable specs this node stored and has not let go of yet (its share of the budget). */
  private final AtomicLong storedBytes = new AtomicLong();
  private final Map<String, Integer> storedSizes = new java.util.concurrent.ConcurrentHashMap<>();

  public HazelcastJobStore(Vertx vertx, HazelcastInstance hazelcast, long budgetBytes, long keyTtlSeconds) {
    this.vertx = vertx;
    this.directory = hazelcast.getMap(DIRECTORY);
    this.durable = hazelcast.getMap(DURABLE);
    this.owners = hazelcast.getMap(OWNERS);
    this.parts = hazelcast.getMap(PARTS);
    this.finals = hazelcast.getMap(FINAL);
    this.keys = hazelcast.getMap(KEYS);
    this.budgetBytes = budgetBytes;
    this.keyTtlSeconds = keyTtlSeconds;
  }

  /** Runs {@code call} on the store's thread; the future completes on the caller's context. */
  private <T> Future<T> call(Callable<T> call) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    io.execute(() -> {
      try {
        T value = call.call();
        context.runOnContext(v -> promise.complete(value));
      } catch (Exception | Error e) {
        context.runOnContext(v -> promise.fail(e));
      }
    });
    return promise.future();
  }

  /** Runs {@code write} on the store's thread; a failure is only logged (at debug: the node may be stopping). */
  private void write(String what, Runnable write) {
    try {
      io.execute(() -> {
        try {
          write.run();
        } catch (RuntimeException e) {
          LOG.fine(() -> what + " failed: " + e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      // the node is stopping
    }
  }

  @Override
  public void publish(Entry entry) {
    String json = entry.summary().encode();
    write("directory write", () -> directory.setAsync(entry.id(), json));
  }

  @Override
  public void publishDurable(Entry entry, String owner) {
    String json = entry.summary().encode();
    write("directory write", () -> {
      if (owner.equals(owners.get(entry.id()))) {
        directory.setAsync(entry.id(), json);
      }
    });
  }

  @Override
  public void finishDurable(Entry entry, byte[] view, String owner, int count) {
    String json = entry.summary().encode();
    write("final write", () -> {
      if (!owner.equals(owners.get(entry.id()))) {
        LOG.info("job " + entry.id() + " ended here as " + entry.status() + ", but another node had taken it over "
            + "meanwhile: its end is the other node's to record");
        return;
      }
      finals.set(entry.id(), view);
      directory.set(entry.id(), json);
      release(entry.id());
      durable.removeAsync(entry.id());
      owners.removeAsync(entry.id());
      for (int i = 0; i < count; i++) {
        parts.removeAsync(partKey(entry.id(), i));
      }
    });
  }

  @Override
  public Future<Boolean> replace(Entry expected, Entry next) {
    String old = expected.raw() != null ? expected.raw() : expected.summary().encode();
    return call(() -> directory.replace(expected.id(), old, next.summary().encode()));
  }

  @Override
  public Future<Entry> lookup(String id) {
    return call(() -> directory.get(id)).map(json -> json == null ? null : Entry.parse(json));
  }

  @Override
  public Future<List<Entry>> entries() {
    return call(() -> {
      List<Entry> list = new ArrayList<>();
      for (String json : directory.values()) {
        list.add(Entry.parse(json));
      }
      return list;
    });
  }

  @Override
  public void remove(String id) {
    write("directory removal", () -> directory.removeAsync(id));
  }

  @Override
  public Future<Void> saveDurable(Durable job, String owner) {
    byte[] bytes = encode(job);
    if (storedBytes.addAndGet(bytes.length) > budgetBytes) {
      storedBytes.addAndGet(-bytes.length);
      return Future.failedFuture(new JobError("insufficient_storage", "the store for async and keyed jobs is full: "
          + "this node keeps at most " + budgetBytes + " bytes of their specs and data (durableBytes); this job needs "
          + bytes.length + ". Retry when earlier jobs have ended, or raise durableBytes"));
    }
    storedSizes.put(job.id(), bytes.length);
    // the owner first: a job whose spec is stored always has someone responsible for it
    return call(() -> {
      owners.set(job.id(), owner);
      durable.set(job.id(), bytes);
      return (Void) null;
    }).onFailure(e -> release(job.id()));
  }

  private void release(String id) {
    Integer size = storedSizes.remove(id);
    if (size != null) {
      storedBytes.addAndGet(-size);
    }
  }

  @Override
  public Future<Durable> durable(String id) {
    return call(() -> durable.get(id)).map(bytes -> bytes == null ? null : decode(id, bytes));
  }

  @Override
  public Future<List<String>> ownedBy(String owner) {
    return call(() -> {
      List<String> ids = new ArrayList<>();
      owners.forEach((id, who) -> {
        if (owner.equals(who)) {
          ids.add(id);
        }
      });
      return ids;
    });
  }

  @Override
  public Future<Boolean> claim(String id, String from, String to) {
    return call(() -> owners.replace(id, from, to));
  }

  @Override
  public void savePart(String id, int index, String node, byte[] result) {
    byte[] where = node.getBytes(StandardCharsets.UTF_8);
    byte[] stored = ByteBuffer.allocate(4 + where.length + result.length).putInt(where.length).put(where).put(result)
        .array();
    write("part result write", () -> parts.putIfAbsent(partKey(id, index), stored));
  }

  @Override
  public Future<Map<Integer, StoredPart>> parts(String id, int count) {
    Set<String> wanted = new HashSet<>();
    for (int i = 0; i < count; i++) {
      wanted.add(partKey(id, i));
    }
    return call(() -> {
      Map<Integer, StoredPart> found = new HashMap<>();
      parts.getAll(wanted).forEach((key, bytes) -> {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        byte[] where = new byte[in.getInt()];
        in.get(where);
        byte[] result = new byte[in.remaining()];
        in.get(result);
        found.put(Integer.parseInt(key.substring(key.lastIndexOf('/') + 1)),
            new StoredPart(new String(where, StandardCharsets.UTF_8), result));
      });
      return found;
    });
  }

  @Override
  public Future<byte[]> finalView(String id) {
    return call(() -> finals.get(id));
  }

  @Override
  public Future<Binding> bindKey(String key, String jobId, String node) {
    return call(() -> Binding.parse(keys.putIfAbsent(key, new Binding(jobId, node).encode(), keyTtlSeconds,
        TimeUnit.SECONDS)));
  }

  @Override
  public Future<Boolean> rebindKey(String key, Binding stale, String jobId, String node) {
    // replace() keeps the entry's time to live: the key lives as long as the first binding said
    return call(() -> keys.replace(key, stale.encode(), new Binding(jobId, node).encode()));
  }

  @Override
  public void unbindKey(String key, String jobId, String node) {
    write("key removal", () -> keys.remove(key, new Binding(jobId, node).encode()));
  }

  @Override
  public Future<java.util.Set<String>> owners() {
    return call(() -> new java.util.TreeSet<>(owners.values()));
  }

  @Override
  public void disown(String id, String owner) {
    write("ownership removal", () -> owners.remove(id, owner));
  }

  /** Stops the store's thread (the node is stopping). */
  public void close() {
    io.shutdown();
  }

  private static String partKey(String id, int index) {
    return id + "/" + index;
  }

  /** A durable job as bytes: its spec as a JSON header, then each part's input. */
  static byte[] encode(Durable job) {
    JobSpec spec = job.spec();
    JsonObject header = new JsonObject().put("code", spec.code()).put("mode", spec.mode().name())
        .put("partitions", spec.partitions()).put("reduce", spec.reduce()).put("timeoutMs", spec.timeoutMs())
        .put("key", job.key()).put("nodes", spec.nodes()).put("labels", new JsonArray(spec.labels()))
        .put("modules", new JsonArray(spec.modules())).put("createdAt", job.createdAt());
    byte[] head = JsonText.utf8(header.encode());
    int size = 8 + head.length;
    for (byte[] input : job.inputs()) {
      size += 4 + input.length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(head.length).put(head).putInt(job.inputs().size());
    for (byte[] input : job.inputs()) {
      out.putInt(input.length).put(input);
    }
    return out.array();
  }

  static Durable decode(String id, byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    byte[] head = new byte[in.getInt()];
    in.get(head);
    JsonObject h = new JsonObject(new String(head, StandardCharsets.UTF_8));
    int count = in.getInt();
    List<byte[]> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] input = new byte[in.getInt()];
      in.get(input);
      inputs.add(input);
    }
    JobSpec spec = new JobSpec(h.getString("code"), null, JobSpec.Mode.valueOf(h.getString("mode")),
        h.getInteger("partitions"), h.getString("reduce"), h.getLong("timeoutMs"), null, h.getString("key"),
        h.getInteger("nodes"), strings(h.getJsonArray("labels")), strings(h.getJsonArray("modules")));
    return new Durable(id, spec, inputs, h.getLong("createdAt"), h.getString("key"));
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(v -> out.add((String) v));
    }
    return List.copyOf(out);
  }
}
