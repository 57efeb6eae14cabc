package org.disruptor.sandbox;

import java.util.List;

/**
 * A part's successful outcome: its return value as UTF-8 JSON text (exactly one JSON value, produced by the
 * node's own serializer), what it logged, and how long it ran (ms, microsecond precision).
 */
public record PartResult(byte[] json, List<String> logs, double elapsedMs) {
}
