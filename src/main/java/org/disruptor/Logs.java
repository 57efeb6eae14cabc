package org.disruptor;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Operator logging: one line per event on stderr; disruptor at the configured level, Hazelcast, Vert.x
 * and Netty at WARNING (their routine chatter and banner stay out).
 */
public final class Logs {

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  /** Loggers kept so their levels are not garbage-collected away. */
  private static final Logger[] KEPT = new Logger[5];

  private Logs() {
  }

  public static void configure(String level, String format) {
    System.setProperty("hazelcast.logging.type", "jdk");
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.JULLogDelegateFactory");
    Logger rootLogger = Logger.getLogger("");
    for (java.util.logging.Handler existing : rootLogger.getHandlers()) {
      rootLogger.removeHandler(existing);
    }
    Level ours = parse(level);
    ConsoleHandler handler = new ConsoleHandler();
    handler.setLevel(Level.ALL);
    handler.setFormatter("json".equalsIgnoreCase(format) ? new JsonLine() : new OneLine());
    Logger root = Logger.getLogger("");
    root.addHandler(handler);
    root.setLevel(Level.WARNING);
    KEPT[0] = root;
    KEPT[1] = Logger.getLogger("org.disruptor");
    KEPT[1].setLevel(ours);
    boolean debug = ours.intValue() <= Level.FINE.intValue();
    KEPT[2] = Logger.getLogger("com.hazelcast");
    KEPT[2].setLevel(debug ? Level.INFO : Level.SEVERE);
    KEPT[3] = Logger.getLogger("io.vertx.core.impl.BlockedThreadChecker");
    KEPT[3].setLevel(Level.WARNING);
    // Micrometer warns once per node about a Vert.x gauge registered twice: routine, not for operators
    KEPT[4] = Logger.getLogger("io.micrometer");
    KEPT[4].setLevel(debug ? Level.INFO : Level.SEVERE);
  }

  /**
   * Keeps log handlers through JVM shutdown (the default manager resets them in its own shutdown hook, which
   * would swallow the node's "stopping"/"stopped" lines). Installed by {@link org.disruptor.Main}.
   */
  public static final class Manager extends LogManager {
    @Override
    public void reset() {
      // deliberately empty: see the class comment
    }
  }

  private static Level parse(String level) {
    return switch (level == null ? "info" : level.toLowerCase(java.util.Locale.ROOT)) {
      case "debug" -> Level.FINE;
      case "warn", "warning" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      default -> Level.INFO;
    };
  }

  /** One JSON object per line, for log shippers: time, level, logger, message (and error). */
  private static final class JsonLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      io.vertx.core.json.JsonObject line = new io.vertx.core.json.JsonObject()
          .put("time", record.getInstant().toString()).put("level", level(record.getLevel()))
          .put("logger", record.getLoggerName()).put("message", formatMessage(record));
      if (record.getThrown() != null) {
        line.put("error", describe(record.getThrown()));
      }
      return line.encode() + System.lineSeparator();
    }
  }

  /** An exception in one line: itself and where it was thrown, so a repeated error can be traced. */
  private static String describe(Throwable thrown) {
    StackTraceElement[] trace = thrown.getStackTrace();
    return thrown + (trace.length > 0 ? " at " + trace[0] : "");
  }

  private static String level(Level level) {
    return level == Level.SEVERE ? "ERROR" : level == Level.WARNING ? "WARN" : level.getName();
  }

  private static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
      String name = logger.substring(logger.lastIndexOf('.') + 1);
      String level = level(record.getLevel());
      String message = formatMessage(record).replace('\n', ' ');
      String thrown = record.getThrown() == null ? "" : " (" + describe(record.getThrown()) + ")";
      return LocalTime.now().format(TIME) + " " + level + " [" + name + "] " + message + thrown + System.lineSeparator();
    }
  }
}
