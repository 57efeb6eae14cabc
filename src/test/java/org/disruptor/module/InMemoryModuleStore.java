package org.disruptor.module;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.disruptor.job.JobError;

/** The module store's contract in memory, for unit tests. */
final class InMemoryModuleStore implements ModuleStore {

  final Map<String, ModuleInfo> infos = new HashMap<>();
  final Map<String, String> sources = new HashMap<>();
  int sourceReads;

  @Override
  public synchronized ModuleInfo info(String name) {
    return infos.get(name);
  }

  @Override
  public synchronized List<ModuleInfo> list() {
    List<ModuleInfo> all = new ArrayList<>(infos.values());
    all.sort(Comparator.comparing(ModuleInfo::name));
    return all;
  }

  @Override
  public synchronized String source(String hash) {
    sourceReads++;
    return sources.get(hash);
  }

  @Override
  public synchronized ModuleInfo put(ModuleInfo info, String source, long budgetBytes) {
    long used = infos.values().stream().filter(m -> !m.name().equals(info.name())).mapToLong(ModuleInfo::size).sum();
    if (used + info.size() > budgetBytes) {
      throw new JobError("insufficient_storage", "the module store is full (moduleStoreBytes)");
    }
    ModuleInfo old = infos.put(info.name(), info);
    sources.put(info.hash(), source);
    if (old != null && infos.values().stream().noneMatch(m -> m.hash().equals(old.hash()))) {
      sources.remove(old.hash());
    }
    return info;
  }

  @Override
  public synchronized boolean remove(String name) {
    ModuleInfo old = infos.remove(name);
    if (old != null && infos.values().stream().noneMatch(m -> m.hash().equals(old.hash()))) {
      sources.remove(old.hash());
    }
    return old != null;
  }
}
