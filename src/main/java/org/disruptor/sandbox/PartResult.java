package org.disruptor.sandbox;

import java.util.List;

/** A part's successful outcome: its return value as JSON text, what it logged and how long it ran (ms, microsecond precision). */
public record PartResult(String json, List<String> logs, double elapsedMs) {
}
