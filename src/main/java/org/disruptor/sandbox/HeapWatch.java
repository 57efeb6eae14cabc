package org.disruptor.sandbox;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * Keeps in-process parts (GraalJS) from filling the node's own heap. The per-part memory budget counts one
 * part's allocations; several parts at once, each within its budget, can still hold more than the heap, and
 * an {@link OutOfMemoryError} may then land on any thread of the node (the event bus, Hazelcast). After every
 * collection the JVM reports what the heap still holds; above {@code ratio} of the maximum, the running part
 * that allocated the most since it began (at least {@code minBytes}) is the one to stop, and the next
 * collection judges again. The decision ({@link #culprit}) is plain logic; {@link #listen} wires it to the
 * JVM's collection notifications.
 *
 * <p>Notifications alone come too late for a part that holds large arrays: G1 puts them straight into the
 * old generation, no young collection runs while they pile up, and the first collection that sees a full heap
 * is the one right before the {@link OutOfMemoryError}. So the engine's watchdog also reads the old
 * generation as it is now ({@link #tenuredBytes}, a cheap read) on every round, and when it is above the ratio
 * while a part could be the one to blame, asks for a full collection ({@link #collectNow} says when) and
 * judges the heap it leaves.
 */
final class HeapWatch implements AutoCloseable {

  private final List<NotificationEmitter> emitters = new ArrayList<>();
  private final NotificationListener listener;

  private HeapWatch(LongConsumer afterCollection) {
    Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
    this.listener = (notification, handback) -> {
      if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
        return;
      }
      var info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
      long held = 0;
      for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
        if (heapPools.contains(pool.getKey())) {
          held += pool.getValue().getUsed();
        }
      }
      afterCollection.accept(held);
    };
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      if (collector instanceof NotificationEmitter emitter) {
        emitter.addNotificationListener(listener, null, null);
        emitters.add(emitter);
      }
    }
  }

  /**
   * The bytes the heap's old-generation pools use now (collected or not), or all heap pools where the
   * collector names no young pools: what a part's long-held data fills, without the young garbage.
   */
  static long tenuredBytes() {
    long young = 0;
    long all = 0;
    for (MemoryPoolMXBean pool : TENURED_OR_ALL) {
      long used = pool.getUsage().getUsed();
      all += used;
      if (isYoung(pool.getName())) {
        young += used;
      }
    }
    return all - young;
  }

  private static final List<MemoryPoolMXBean> TENURED_OR_ALL = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(p -> p.getType() == MemoryType.HEAP).toList();

  private static boolean isYoung(String pool) {
    String name = pool.toLowerCase(java.util.Locale.ROOT);
    return name.contains("eden") || name.contains("survivor") || name.contains("young") || name.contains("nursery");
  }

  /**
   * Whether the watchdog should ask for a full collection now: the old generation holds more than
   * {@code ratio} of {@code maxBytes}, some part could be blamed for it ({@code suspect}), and it grew by at
   * least {@code stepBytes} since the last collection judged the heap (it held {@code lastHeldBytes} then):
   * an old generation that stays full of the node's own data, or of garbage already judged, is not collected
   * again and again.
   */
  static boolean collectNow(long tenuredBytes, long maxBytes, double ratio, boolean suspect, long lastHeldBytes,
      long stepBytes) {
    return suspect && maxBytes > 0 && tenuredBytes > ratio * maxBytes && tenuredBytes - lastHeldBytes >= stepBytes;
  }

  /** Calls {@code afterCollection} with the heap's used bytes after each collection, until closed. */
  static HeapWatch listen(LongConsumer afterCollection) {
    return new HeapWatch(afterCollection);
  }

  /**
   * The parts to stop: none while {@code heldBytes} is at most {@code ratio} of {@code maxBytes}; above it,
   * the one {@link #blamed} (the part that allocated the most, at least {@code minBytes}, passing over parts
   * already {@code stopping}: a heap still full after one was stopped blames the next, since a part that
   * allocates without end can hold its memory for a while after its stop); above {@code critical}, every part
   * that allocated at least {@code minBytes}: a heap that full is moments from collections that leave no
   * time to run anything, the stops included. None when no part allocated {@code minBytes} (what fills the
   * heap then is not a part's).
   */
  static <K> List<K> toStop(long heldBytes, long maxBytes, double ratio, double critical, long minBytes,
      Map<K, Long> allocated, java.util.function.Predicate<K> stopping) {
    if (maxBytes <= 0 || heldBytes <= ratio * maxBytes) {
      return List.of();
    }
    if (heldBytes <= critical * maxBytes) {
      K worst = blamed(minBytes, allocated, stopping);
      return worst == null ? List.of() : List.of(worst);
    }
    return allocated.entrySet().stream().filter(p -> p.getValue() >= minBytes && !stopping.test(p.getKey()))
        .sorted(Map.Entry.<K, Long>comparingByValue().reversed()).map(Map.Entry::getKey).toList();
  }

  /**
   * The part a full heap would be blamed on, whatever the heap holds: of the parts of {@code allocated} not
   * already {@code stopping}, the one with the most, if at least {@code minBytes}; else null.
   */
  static <K> K blamed(long minBytes, Map<K, Long> allocated, java.util.function.Predicate<K> stopping) {
    K worst = null;
    long most = minBytes - 1;
    for (Map.Entry<K, Long> part : allocated.entrySet()) {
      if (part.getValue() > most && !stopping.test(part.getKey())) {
        most = part.getValue();
        worst = part.getKey();
      }
    }
    return worst;
  }

  @Override
  public void close() {
    for (NotificationEmitter emitter : emitters) {
      try {
        emitter.removeNotificationListener(listener);
      } catch (ListenerNotFoundException ignored) {
        // already gone
      }
    }
  }
}
