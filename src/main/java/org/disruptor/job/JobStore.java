package org.disruptor.job;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/**
 * What the cluster keeps about jobs beyond their coordinator's memory, so that no node is a job's single
 * point of failure: a directory of every job (its summary, which any node can list and read), and for
 * durable jobs (async, or submitted with an idempotency key) their spec, each finished part's result, who
 * owns them now and their final state. In a node it is a set of Hazelcast maps with one synchronous backup
 * ({@link HazelcastJobStore}); unit tests use an in-memory one.
 */
public interface JobStore {

  /**
   * The directory entry of a job: its summary plus who coordinates it; {@code raw} is the text as stored
   * (null for an entry made here), which {@link #replace} compares.
   */
  record Entry(JsonObject summary, String raw) {
    public Entry(JsonObject summary) {
      this(summary, null);
    }

    public static Entry parse(String raw) {
      return new Entry(new JsonObject(raw), raw);
    }

    public String id() {
      return summary.getString("id");
    }

    public String status() {
      return summary.getString("status");
    }

    public String coordinatorId() {
      return summary.getString("coordinatorId");
    }

    public boolean durable() {
      return summary.getBoolean("durable", false);
    }

    public boolean ended() {
      return !"running".equals(status());
    }
  }

  /** A durable job as stored: its spec (without data) and each part's input. */
  record Durable(String id, JobSpec spec, List<byte[]> inputs, long createdAt, String key) {
  }

  /** Writes (or replaces) a job's directory entry; fire and forget. */
  void publish(Entry entry);

  /**
   * Writes a durable job's entry, but only while {@code owner} still owns the job: a coordinator that was
   * wrongly declared dead (frozen, cut off) and whose job was adopted meanwhile does not overwrite the
   * adopter's entry. Fire and forget.
   */
  void publishDurable(Entry entry, String owner);

  /**
   * A durable job ended on {@code owner}: if it still owns the job, its final entry and view are written and
   * its spec, part results and ownership let go; otherwise (adopted elsewhere meanwhile) nothing is written.
   */
  void finishDurable(Entry entry, byte[] view, String owner, int parts);

  /** Replaces the entry only if it is still {@code expected} (exactly one of several racing writers wins). */
  Future<Boolean> replace(Entry expected, Entry next);

  Future<Entry> lookup(String id);

  /** Every entry of the directory (bounded by each coordinator's history and the durable jobs). */
  Future<List<Entry>> entries();

  void remove(String id);

  /** Stores a durable job's spec and inputs, owned by {@code owner}; fails when the store's budget is spent. */
  Future<Void> saveDurable(Durable job, String owner);

  Future<Durable> durable(String id);

  /** Ids of the durable jobs {@code owner} holds. */
  Future<List<String>> ownedBy(String owner);

  /** Hands a durable job from {@code from} to {@code to}; true for exactly one caller when several race. */
  Future<Boolean> claim(String id, String from, String to);

  /** A finished part of a durable job as stored: where it ran and its result (JSON text). */
  record StoredPart(String node, byte[] result) {
  }

  /** Keeps a finished part's result; the first one stored for a part stays. Fire and forget. */
  void savePart(String id, int index, String node, byte[] result);

  /** The stored results of a durable job's parts, by index. */
  Future<Map<Integer, StoredPart>> parts(String id, int count);

  /** The final view of an ended durable job (with its result), kept after its spec is let go. */
  Future<byte[]> finalView(String id);

  /**
   * An idempotency key's binding: the job it names and the node that bound it ({@code node} is null for a
   * binding that does not say).
   */
  record Binding(String jobId, String node) {
    static final String SEPARATOR = " ";

    String encode() {
      return jobId + SEPARATOR + node;
    }

    static Binding parse(String stored) {
      if (stored == null) {
        return null;
      }
      int at = stored.indexOf(SEPARATOR);
      return at < 0 ? new Binding(stored, null) : new Binding(stored.substring(0, at), stored.substring(at + 1));
    }
  }

  /** Binds an idempotency key to a job id for {@code node}; the binding already there when another job has it, else null. */
  Future<Binding> bindKey(String key, String jobId, String node);

  /** Moves a key from a stale binding to a new job; true for exactly one caller when several race. */
  Future<Boolean> rebindKey(String key, Binding stale, String jobId, String node);

  /** Lets go of a key bound to a job that did not start after all. */
  void unbindKey(String key, String jobId, String node);

  /** The nodes that own at least one durable job. */
  Future<java.util.Set<String>> owners();

  /** Drops {@code owner}'s claim on a job whose spec was never stored (its submitter died between the two). */
  void disown(String id, String owner);
}
