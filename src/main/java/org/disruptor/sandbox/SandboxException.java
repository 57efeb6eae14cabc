package org.disruptor.sandbox;

/**
 * A part that did not produce a result: its code failed or a limit stopped it. {@code code} is one of the
 * error codes of the API ({@code compile_error}, {@code job_error}, {@code time_limit}, ...).
 */
public class SandboxException extends RuntimeException {

  private final String code;
  private final Integer line;
  private final Integer column;
  private final java.util.List<String> logs;

  public SandboxException(String code, String message) {
    this(code, message, null, null, java.util.List.of());
  }

  public SandboxException(String code, String message, Integer line, Integer column, java.util.List<String> logs) {
    super(message, null, false, false);
    this.code = code;
    this.line = line;
    this.column = column;
    this.logs = logs;
  }

  public String code() {
    return code;
  }

  public Integer line() {
    return line;
  }

  public Integer column() {
    return column;
  }

  public java.util.List<String> logs() {
    return logs;
  }
}
