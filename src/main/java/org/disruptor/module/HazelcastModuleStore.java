package org.disruptor.module;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.disruptor.job.JobError;

/**
 * The module store in two Hazelcast maps (partitioned with the cluster's default backup, so a module
 * survives the node that received it, and a node that joins later reads it like any other): names to
 * their info as JSON, content hashes to sources. Changes of one name are serialised under that name's lock.
 */
public final class HazelcastModuleStore implements ModuleStore {

  public static final String INFOS = "disruptor.modules";
  public static final String SOURCES = "disruptor.module.sources";

  private final IMap<String, String> infos;
  private final IMap<String, String> sources;

  public HazelcastModuleStore(HazelcastInstance hazelcast) {
    this.infos = hazelcast.getMap(INFOS);
    this.sources = hazelcast.getMap(SOURCES);
  }

  @Override
  public ModuleInfo info(String name) {
    String json = infos.get(name);
    return json == null ? null : ModuleInfo.fromJson(new JsonObject(json));
  }

  @Override
  public List<ModuleInfo> list() {
    List<ModuleInfo> all = new ArrayList<>();
    for (String json : infos.values()) {
      all.add(ModuleInfo.fromJson(new JsonObject(json)));
    }
    all.sort(Comparator.comparing(ModuleInfo::name));
    return all;
  }

  @Override
  public String source(String hash) {
    return sources.get(hash);
  }

  @Override
  public ModuleInfo put(ModuleInfo info, String source, long budgetBytes) {
    infos.lock(info.name());
    try {
      ModuleInfo old = info(info.name());
      long used = 0;
      for (ModuleInfo m : list()) {
        used += m.name().equals(info.name()) ? 0 : m.size();
      }
      if (used + info.size() > budgetBytes) {
        throw new JobError("insufficient_storage", "the module store is full: " + used + " bytes of modules are"
            + " stored and this one is " + info.size() + ", over the budget of " + budgetBytes + " (moduleStoreBytes);"
            + " remove modules first");
      }
      sources.set(info.hash(), source);
      infos.set(info.name(), info.toJson().encode());
      if (old != null && !old.hash().equals(info.hash())) {
        dropIfUnused(old.hash());
      }
      return info;
    } finally {
      infos.unlock(info.name());
    }
  }

  @Override
  public boolean remove(String name) {
    infos.lock(name);
    try {
      String json = infos.remove(name);
      if (json == null) {
        return false;
      }
      dropIfUnused(ModuleInfo.fromJson(new JsonObject(json)).hash());
      return true;
    } finally {
      infos.unlock(name);
    }
  }

  private void dropIfUnused(String hash) {
    if (list().stream().noneMatch(m -> m.hash().equals(hash))) {
      sources.delete(hash);
    }
  }
}
