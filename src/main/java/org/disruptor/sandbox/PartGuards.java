package org.disruptor.sandbox;

import java.util.List;

/**
 * The limits of one part, checked together by a watchdog. A stop has exactly one reason: the first guard
 * found crossed is reported, and the part's {@link RunHandle} keeps the first reason it is given, so a
 * later crossing (or a cancel) never relabels a stop.
 */
public final class PartGuards {

  private final List<Guard> guards;

  public PartGuards(Guard... guards) {
    this.guards = List.of(guards);
  }

  /** The reason of the first guard crossed, or null when the part is within all its limits. */
  public String crossed() {
    for (Guard guard : guards) {
      if (guard.crossed()) {
        return guard.reason();
      }
    }
    return null;
  }
}
