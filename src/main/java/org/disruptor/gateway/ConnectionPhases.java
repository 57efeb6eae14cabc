package org.disruptor.gateway;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Where each HTTP/1.1 connection stands between requests, and which ones have waited too long. A request
 * head that has begun (the connection just opened, or a byte arrived after the last answer) must be complete
 * within {@code headMs}; a connection with no request in progress and no byte of a next one is idle, and may
 * stay so for {@code idleMs}. A request in progress has no limit here (the body timeout and the job deadline
 * bound it). Plain state driven by the caller's clock, so it is tested without a server; one thread uses it.
 *
 * @param <C> the connection type
 */
final class ConnectionPhases<C> {

  /** Why a connection is expired: its head was too slow (answer 408), or it idled too long (just close). */
  enum Expiry { HEAD_TIMEOUT, IDLE_TIMEOUT }

  /** A connection to close, and why. */
  record Expired<C>(C connection, Expiry why) {
  }

  private enum Phase { HEAD, REQUEST, IDLE }

  private static final class State {
    Phase phase = Phase.HEAD;
    long since;
    BooleanSupplier answered;
    BooleanSupplier upgraded;

    State(long since) {
      this.since = since;
    }
  }

  private final long headMs;
  private final long idleMs;
  private final Map<C, State> states = new HashMap<>();

  ConnectionPhases(long headMs, long idleMs) {
    this.headMs = headMs;
    this.idleMs = idleMs;
  }

  /** A client connects to send a request: its first head is due from now. */
  void opened(C connection, long now) {
    states.put(connection, new State(now));
  }

  /** Bytes arrived: on an idle connection they begin the next request's head. */
  void bytesArrived(C connection, long now) {
    State state = states.get(connection);
    if (state != null && state.phase == Phase.IDLE) {
      state.phase = Phase.HEAD;
      state.since = now;
    }
  }

  /**
   * A request's head is complete; the connection is busy until {@code answered} says its response has ended.
   * Then it is idle, unless {@code upgraded} says it became a WebSocket, which has limits of its own.
   */
  void headComplete(C connection, BooleanSupplier answered, BooleanSupplier upgraded) {
    State state = states.get(connection);
    if (state != null) {
      state.phase = Phase.REQUEST;
      state.answered = answered;
      state.upgraded = upgraded;
    }
  }

  /** The connection closed. */
  void forget(C connection) {
    states.remove(connection);
  }

  int size() {
    return states.size();
  }

  /**
   * Moves answered requests to idle (as of {@code now}: a caller that checks every tick sees an answer at most one
   * tick late) and removes and returns every connection past its limit.
   */
  List<Expired<C>> expire(long now) {
    List<Expired<C>> expired = new ArrayList<>();
    for (Iterator<Map.Entry<C, State>> it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<C, State> entry = it.next();
      State state = entry.getValue();
      if (state.phase == Phase.REQUEST && state.answered.getAsBoolean()) {
        if (state.upgraded.getAsBoolean()) {
          it.remove();
          continue;
        }
        state.phase = Phase.IDLE;
        state.since = now;
      }
      if (state.phase == Phase.HEAD && now - state.since >= headMs) {
        it.remove();
        expired.add(new Expired<>(entry.getKey(), Expiry.HEAD_TIMEOUT));
      } else if (state.phase == Phase.IDLE && now - state.since >= idleMs) {
        it.remove();
        expired.add(new Expired<>(entry.getKey(), Expiry.IDLE_TIMEOUT));
      }
    }
    return expired;
  }
}
