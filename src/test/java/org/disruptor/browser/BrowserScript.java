package org.disruptor.browser;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One run of a headless-Chromium check from src/test/browser ({@code node SCRIPT.mjs args...}), started in
 * the project directory. Its output (stdout and stderr together) is read line by line, so a test can react
 * to the lines a script prints to ask for a cluster change, and can show all of it when the check fails.
 */
final class BrowserScript implements AutoCloseable {

  private static final Path HOME = Path.of(System.getProperty("disruptor.home", ".")).toAbsolutePath();
  private static final String EOF = "\u0000eof";

  private final String name;
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final StringBuffer output = new StringBuffer();

  private BrowserScript(String name, Process process) {
    this.name = name;
    this.process = process;
    Thread.ofPlatform().daemon().name("browser-" + name).start(this::pump);
  }

  /** Fails at once, with what to do, when node or the npm packages are missing. */
  static void requireTools() {
    Path modules = HOME.resolve("src/test/browser/node_modules/playwright-core");
    if (!Files.isDirectory(modules)) {
      throw new AssertionError("playwright-core is not installed: run scripts/test-deps.sh (npm ci in src/test/browser)");
    }
    try {
      if (new ProcessBuilder("node", "--version").start().waitFor() != 0) {
        throw new AssertionError("`node --version` failed: the browser checks need Node.js 18 or later on PATH");
      }
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("the browser checks need Node.js 18 or later on PATH: " + e.getMessage());
    }
  }

  static BrowserScript start(String script, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("node", "src/test/browser/" + script));
    command.addAll(args);
    Process process = new ProcessBuilder(command).directory(HOME.toFile()).redirectErrorStream(true).start();
    return new BrowserScript(script, process);
  }

  private void pump() {
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        output.append(line).append('\n');
        lines.add(line);
      }
    } catch (IOException e) {
      output.append("(output lost: ").append(e.getMessage()).append(")\n");
    } finally {
      lines.add(EOF);
    }
  }

  /**
   * Waits for the next line that starts with {@code prefix} and returns the rest of it; null when the
   * script ended first (its exit code and output then say why).
   */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    for (;;) {
      String line = lines.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError(name + " printed no '" + prefix + "' line within " + timeout + ":\n" + output);
      }
      if (line.equals(EOF)) {
        lines.add(EOF);
        return null;
      }
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
  }

  /** Waits for the script to end and returns its exit code; kills it past {@code timeout}. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError(name + " did not end within " + timeout + ":\n" + output());
    }
    return process.exitValue();
  }

  /** Everything the script printed so far (all of it once {@link #awaitExit} returned). */
  String output() throws InterruptedException {
    if (!process.isAlive()) {
      // the pump thread may still be draining the pipe
      for (int i = 0; i < 50 && !lines.contains(EOF); i++) {
        Thread.sleep(20);
      }
    }
    return output.toString();
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
