package org.disruptor;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Makes every test JVM log as a node does ({@link Logs#configure}: disruptor at info, Hazelcast and the
 * rest at their quiet levels), so in-JVM cluster tests do not bury a failure's cause under Hazelcast's
 * INFO lines. Registered for all test classes by JUnit's extension auto-detection
 * (src/test/resources/junit-platform.properties); {@code -Ddisruptor.logLevel=debug} brings the chatter back.
 */
public final class NodeLogLevels implements BeforeAllCallback {

  private static final AtomicBoolean CONFIGURED = new AtomicBoolean();

  @Override
  public void beforeAll(ExtensionContext context) {
    if (CONFIGURED.compareAndSet(false, true)) {
      Logs.configure(System.getProperty("disruptor.logLevel", "info"), "text");
    }
  }
}
