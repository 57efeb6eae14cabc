package org.disruptor.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free ports on 127.0.0.1, for the nodes a training run or a test starts on this machine. */
public final class LoopbackPorts {

  private LoopbackPorts() {
  }

  /** Whether {@code port} on 127.0.0.1 can be listened on now. */
  public static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress("127.0.0.1", port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
