package org.disruptor.sandbox;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store-module texts a V8 runner holds, least recently used first, bounded by total characters. The
 * node keeps one per runner (sizes only) and the runner the same one (the texts): both see the same part
 * requests in the same order and apply the same rule, so the node sends a module's text only when the
 * runner does not hold it, and never needs an answer to know.
 */
final class ModuleTexts {

  /** What the runner keeps of one module: its text and the code cache V8 made of it (null until made). */
  static final class Entry {
    final String text;
    final int size;
    volatile byte[] codeCache;

    Entry(String text, int size) {
      this.text = text;
      this.size = size;
    }
  }

  private final long capChars;
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
  private long chars;

  ModuleTexts(long capChars) {
    this.capChars = capChars;
  }

  /** The entry under {@code key} (marking it used), or null. */
  synchronized Entry get(String key) {
    return entries.get(key);
  }

  synchronized boolean has(String key) {
    return entries.get(key) != null;
  }

  /** Adds (or refreshes) an entry; {@code text} may be null on the node's side, which keeps sizes only. */
  synchronized Entry put(String key, String text, int size) {
    Entry known = entries.get(key);
    if (known != null) {
      return known;
    }
    Entry entry = new Entry(text, size);
    entries.put(key, entry);
    chars += size;
    return entry;
  }

  /** After a request: drops the least recently used entries above the cap, keeping those {@code inUse}. */
  synchronized void trim(List<String> inUse) {
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (chars > capChars && it.hasNext()) {
      Map.Entry<String, Entry> eldest = it.next();
      if (inUse.contains(eldest.getKey())) {
        continue;
      }
      chars -= eldest.getValue().size;
      it.remove();
    }
  }
}
