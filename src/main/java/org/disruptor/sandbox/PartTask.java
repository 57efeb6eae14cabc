package org.disruptor.sandbox;

/**
 * One part to run: the job's code, its input as UTF-8 JSON text, the {@code ctx} object as JSON text, the
 * wall time left before the job's deadline and the CPU time the part may use. Data stays bytes end to end:
 * an engine parses it inside the sandbox. (A later {@code modules} field, issue 13, goes here.)
 */
public record PartTask(String code, byte[] input, String ctxJson, long deadlineMs, long cpuLimitMs) {
}
