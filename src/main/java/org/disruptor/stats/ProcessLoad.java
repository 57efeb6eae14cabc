package org.disruptor.stats;

import java.lang.management.ManagementFactory;

/** This JVM's heap use and process CPU load, as a node's stats report them. */
final class ProcessLoad {

  private final com.sun.management.OperatingSystemMXBean os;

  ProcessLoad() {
    this.os = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean bean
        ? bean : null;
  }

  long heapUsed() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.totalMemory() - runtime.freeMemory();
  }

  long heapMax() {
    return Runtime.getRuntime().maxMemory();
  }

  /** The process's recent CPU load over all cores, 0..1; -1 when the JVM cannot tell. */
  double cpu() {
    if (os == null) {
      return -1;
    }
    double load = os.getProcessCpuLoad();
    return load < 0 ? -1 : Math.round(load * 1000) / 1000.0;
  }
}
