package org.disruptor.config;

/** Bad configuration or command line: the launcher prints the message with usage and exits 2. */
public class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
