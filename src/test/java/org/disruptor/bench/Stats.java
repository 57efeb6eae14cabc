package org.disruptor.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Median, p99, min and max of a sample. */
record Stats(int n, double median, double p99, double min, double max) {

  static Stats of(List<Double> samples) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    if (sorted.isEmpty()) {
      return new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Stats(sorted.size(), percentile(sorted, 50), percentile(sorted, 99), sorted.getFirst(), sorted.getLast());
  }

  static double percentile(List<Double> sorted, double p) {
    int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
  }

  String row(String label, String unit, String extra) {
    return String.format("| %s | %s | %s | %s | %s–%s | %d | %s |", label, unit, fmt(median), fmt(p99), fmt(min), fmt(max), n, extra);
  }

  static String header() {
    return "| measure | unit | median | p99 | min–max | n | note |\n|---|---|---|---|---|---|---|";
  }

  static String fmt(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return v >= 100 ? String.format("%.0f", v) : v >= 10 ? String.format("%.1f", v) : String.format("%.2f", v);
  }
}
