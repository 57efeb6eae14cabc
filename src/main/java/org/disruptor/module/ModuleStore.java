package org.disruptor.module;

import java.util.List;

/**
 * What the cluster keeps of its modules: each name's {@link ModuleInfo}, each source under its content hash.
 * Calls block (Hazelcast round trips): make them from a worker thread, never an event loop.
 */
public interface ModuleStore {

  /** The module under {@code name}, or null. */
  ModuleInfo info(String name);

  List<ModuleInfo> list();

  /** The source whose sha-256 is {@code hash}, or null when no module holds it any more. */
  String source(String hash);

  /**
   * Stores {@code source} under its hash and {@code info} under its name, replacing that name's module; the
   * replaced module's source goes when no other name holds it. Fails with {@code insufficient_storage}
   * when all modules' sources together would be over {@code budgetBytes}.
   */
  ModuleInfo put(ModuleInfo info, String source, long budgetBytes);

  /** Removes the module under {@code name} (and its source, when no other name holds it); false if none. */
  boolean remove(String name);
}
