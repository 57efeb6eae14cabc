package org.disruptor.job;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The job store of coordinator tests: plain maps, answered at once. */
final class InMemoryJobStore implements JobStore {

  final Map<String, String> directory = new LinkedHashMap<>();
  final Map<String, Durable> durables = new HashMap<>();
  final Map<String, String> owners = new HashMap<>();
  final Map<String, StoredPart> parts = new HashMap<>();
  final Map<String, byte[]> finals = new HashMap<>();
  final Map<String, String> keys = new HashMap<>();
  final List<String> published = new ArrayList<>();

  @Override
  public void publish(Entry entry) {
    directory.put(entry.id(), entry.summary().encode());
    published.add(entry.id() + ":" + entry.status());
  }

  @Override
  public void publishDurable(Entry entry, String owner) {
    if (owner.equals(owners.get(entry.id()))) {
      publish(entry);
    }
  }

  @Override
  public void finishDurable(Entry entry, byte[] view, String owner, int count) {
    if (owner.equals(owners.get(entry.id()))) {
      publish(entry);
      finals.put(entry.id(), view);
      durables.remove(entry.id());
      owners.remove(entry.id());
      for (int i = 0; i < count; i++) {
        parts.remove(entry.id() + "/" + i);
      }
    }
  }

  @Override
  public Future<Boolean> replace(Entry expected, Entry next) {
    String now = directory.get(expected.id());
    String old = expected.raw() != null ? expected.raw() : expected.summary().encode();
    if (old.equals(now)) {
      directory.put(next.id(), next.summary().encode());
      return Future.succeededFuture(true);
    }
    return Future.succeededFuture(false);
  }

  @Override
  public Future<Entry> lookup(String id) {
    String raw = directory.get(id);
    return Future.succeededFuture(raw == null ? null : Entry.parse(raw));
  }

  @Override
  public Future<List<Entry>> entries() {
    return Future.succeededFuture(directory.values().stream().map(Entry::parse).toList());
  }

  @Override
  public void remove(String id) {
    directory.remove(id);
  }

  @Override
  public Future<Void> saveDurable(Durable job, String owner) {
    durables.put(job.id(), job);
    owners.put(job.id(), owner);
    return Future.succeededFuture();
  }

  @Override
  public Future<Durable> durable(String id) {
    return Future.succeededFuture(durables.get(id));
  }

  @Override
  public Future<List<String>> ownedBy(String owner) {
    return Future.succeededFuture(owners.entrySet().stream().filter(e -> e.getValue().equals(owner))
        .map(Map.Entry::getKey).toList());
  }

  @Override
  public Future<Boolean> claim(String id, String from, String to) {
    if (from.equals(owners.get(id))) {
      owners.put(id, to);
      return Future.succeededFuture(true);
    }
    return Future.succeededFuture(false);
  }

  @Override
  public void savePart(String id, int index, String node, byte[] result) {
    parts.putIfAbsent(id + "/" + index, new StoredPart(node, result));
  }

  @Override
  public Future<Map<Integer, StoredPart>> parts(String id, int count) {
    Map<Integer, StoredPart> found = new HashMap<>();
    for (int i = 0; i < count; i++) {
      StoredPart part = parts.get(id + "/" + i);
      if (part != null) {
        found.put(i, part);
      }
    }
    return Future.succeededFuture(found);
  }

  @Override
  public Future<byte[]> finalView(String id) {
    return Future.succeededFuture(finals.get(id));
  }

  @Override
  public Future<Binding> bindKey(String key, String jobId, String node) {
    return Future.succeededFuture(Binding.parse(keys.putIfAbsent(key, new Binding(jobId, node).encode())));
  }

  @Override
  public Future<Boolean> rebindKey(String key, Binding stale, String jobId, String node) {
    return Future.succeededFuture(keys.replace(key, stale.encode(), new Binding(jobId, node).encode()));
  }

  @Override
  public void unbindKey(String key, String jobId, String node) {
    keys.remove(key, new Binding(jobId, node).encode());
  }

  @Override
  public Future<java.util.Set<String>> owners() {
    return Future.succeededFuture(new java.util.TreeSet<>(owners.values()));
  }

  @Override
  public void disown(String id, String owner) {
    owners.remove(id, owner);
  }
}
