package org.disruptor.e2e;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * When a test fails, every node process still alive is asked for a thread dump (next to its log in
 * target/e2e-logs/), before the class's teardown stops the nodes: a job that hung, or a node that stopped
 * answering, shows where its threads were. Registered for all test classes by JUnit's extension
 * auto-detection (src/test/resources/junit-platform.properties).
 */
public final class NodeThreadDumps implements TestWatcher {

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    NodeProcess.dumpThreads(context.getRequiredTestClass().getSimpleName() + " " + context.getDisplayName());
  }
}
