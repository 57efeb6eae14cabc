package org.disruptor.sandbox;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The node's side of one V8 runner process: sends it requests, reads its answers on a reader thread, keeps
 * the tail of its stderr (V8 prints why it aborted there), and notices its death. One request at a time.
 */
final class RunnerProcess {

  private static final Logger LOG = Logger.getLogger("org.disruptor.sandbox");
  private static final AtomicLong IDS = new AtomicLong();
  private static final int TAIL = 4096;

  private final int slot;
  /** The module texts this runner holds (mirrored: see {@link ModuleTexts}); used by one part at a time. */
  final ModuleTexts modules = new ModuleTexts(V8Runner.MODULE_TEXT_CHARS);
  private final Process process;
  private final OutputStream out;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final CompletableFuture<Died> death = new CompletableFuture<>();
  private final StringBuilder tail = new StringBuilder();
  private volatile Call call;
  private volatile long heapUsed;
  private volatile long dataLimit = -1;
  private Thread errors;

  /** The runner died: its exit status and the end of what it printed. */
  static final class Died extends Exception {
    final int exit;
    final String output;

    Died(int exit, String output) {
      super("the runner exited with " + exit, null, false, false);
      this.exit = exit;
      this.output = output;
    }

    /** V8 printed that it ran out of memory: the part itself is the cause. */
    boolean outOfMemory() {
      return output.contains("out of memory") || output.contains("Last few GCs") || output.contains("OOM");
    }
  }

  private record Call(long id, CompletableFuture<Frames.Frame> answer) {
  }

  private RunnerProcess(int slot, Process process) {
    this.slot = slot;
    this.process = process;
    this.out = new java.io.BufferedOutputStream(process.getOutputStream(), 65536);
  }

  static RunnerProcess start(int slot, List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).start();
    RunnerProcess runner = new RunnerProcess(slot, process);
    runner.errors = Thread.ofPlatform().daemon().name("disruptor-runner-" + slot + "-err").start(runner::readErrors);
    Thread.ofPlatform().daemon().name("disruptor-runner-" + slot + "-out").start(runner::readAnswers);
    return runner;
  }

  int slot() {
    return slot;
  }

  long pid() {
    return process.pid();
  }

  long heapUsed() {
    return heapUsed;
  }

  /** The OS data limit the runner set on itself (bytes), or -1 where the OS would not. */
  long dataLimit() {
    return dataLimit;
  }

  boolean alive() {
    return process.isAlive() && !death.isDone();
  }

  /** Waits until the runner has its isolate and first context ready. */
  void awaitReady(long timeoutMs) throws IOException {
    try {
      CompletableFuture.anyOf(ready, death).get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while a runner started");
    } catch (ExecutionException | TimeoutException e) {
      kill();
      throw new IOException("the runner did not start within " + timeoutMs + " ms");
    }
    if (!ready.isDone()) {
      throw new IOException("the runner exited while starting: " + death.getNow(null).output.strip());
    }
  }

  /** Sends {@code request} (built with {@link #newId}) and returns the future of its answer. */
  CompletableFuture<Frames.Frame> send(long id, Frames.Builder request) throws Died {
    CompletableFuture<Frames.Frame> answer = new CompletableFuture<>();
    call = new Call(id, answer);
    if (death.isDone()) {
      throw death.join();
    }
    try {
      request.writeTo(out);
    } catch (IOException e) {
      throw awaitDeath();
    }
    return answer;
  }

  static long newId() {
    return IDS.incrementAndGet();
  }

  /** Asks the runner to stop part {@code id}: a small frame on a pipe the runner always reads. */
  void stop(long id, String reason) {
    try {
      new Frames.Builder(Frames.STOP).putLong(id).putString(reason).writeTo(out);
    } catch (IOException e) {
      // the runner is dying: its death ends the part
    }
  }

  /** The death, once the process has gone (after a kill it follows at once). */
  Died awaitDeath() {
    try {
      return death.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return new Died(-1, tail());
    }
  }

  /** Runs {@code action} once the process has died (on the thread that noticed). */
  void onDeath(Runnable action) {
    death.thenRun(action);
  }

  void kill() {
    process.destroyForcibly();
  }

  /** Asks the runner to exit; kills it if it has not within {@code graceMs}. */
  void shutdown(long graceMs) {
    try {
      new Frames.Builder(Frames.SHUTDOWN).writeTo(out);
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(graceMs, TimeUnit.MILLISECONDS)) {
        kill();
      }
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
    }
  }

  private void readAnswers() {
    DataInputStream in = Frames.input(process.getInputStream());
    try {
      Frames.Frame frame;
      while ((frame = Frames.read(in)) != null) {
        if (frame.type() == Frames.READY) {
          heapUsed = frame.body().readLong();
          dataLimit = frame.body().readLong();
          ready.complete(null);
          continue;
        }
        long id = frame.body().readLong();
        Call current = call;
        if (current != null && current.id() == id) {
          current.answer().complete(frame);
        }
      }
    } catch (IOException | RuntimeException e) {
      // a broken frame: V8 printed to stdout as it aborted, or the pipe broke
      LOG.fine("runner " + slot + ": " + e);
    }
    int exit;
    try {
      process.getInputStream().transferTo(OutputStream.nullOutputStream());
      exit = process.waitFor();
      errors.join(2000); // what V8 printed as it died, to the end
    } catch (IOException | InterruptedException e) {
      process.destroyForcibly();
      exit = -1;
    }
    Died died = new Died(exit, tail());
    death.complete(died);
    Call current = call;
    if (current != null) {
      current.answer().completeExceptionally(died);
    }
  }

  private void readErrors() {
    try (InputStream err = process.getErrorStream()) {
      byte[] buffer = new byte[4096];
      int n;
      while ((n = err.read(buffer)) > 0) {
        String text = new String(buffer, 0, n, java.nio.charset.StandardCharsets.UTF_8);
        synchronized (tail) {
          tail.append(text);
          if (tail.length() > TAIL) {
            tail.delete(0, tail.length() - TAIL);
          }
        }
        LOG.fine(() -> "runner " + slot + ": " + text.strip());
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  String tail() {
    synchronized (tail) {
      return tail.toString();
    }
  }

  /** Records the heap reading an answer carried (its last field). */
  void heapUsed(long bytes) {
    heapUsed = bytes;
  }

  @Override
  public String toString() {
    return "runner " + slot + " (pid " + process.pid() + ")";
  }
}
