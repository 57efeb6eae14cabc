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

  /** Calls {@code afterCollection} with the heap's used bytes after each collection, until closed. */
  static HeapWatch listen(LongConsumer afterCollection) {
    return new HeapWatch(afterCollection);
  }

  /**
   * The part to stop, or null: when {@code heldBytes} is above {@code ratio} of {@code maxBytes}, the one of
   * {@code allocated} (bytes each running part allocated since it began) with the most, if at least
   * {@code minBytes}; else none (what fills the heap then is not a part's). None either when that part is
   * already {@code stopping}: its memory is let go as it unwinds, and the next collection judges again
   * (another part is not to blame for it).
   */
  static <K> K culprit(long heldBytes, long maxBytes, double ratio, long minBytes, Map<K, Long> allocated,
      java.util.function.Predicate<K> stopping) {
    if (maxBytes <= 0 || heldBytes <= ratio * maxBytes) {
      return null;
    }
    K worst = null;
    long most = minBytes - 1;
    for (Map.Entry<K, Long> part : allocated.entrySet()) {
      if (part.getValue() > most) {
        most = part.getValue();
        worst = part.getKey();
      }
    }
    return worst == null || stopping.test(worst) ? null : worst;
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
