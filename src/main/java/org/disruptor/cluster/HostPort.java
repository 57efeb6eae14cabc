package org.disruptor.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** A node's one user-facing address, {@code host:port}. */
public record HostPort(String host, int port) {

  /** Parses {@code host:port}; throws {@link IllegalArgumentException} with a message fit for a user. */
  public static HostPort parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty address (expected HOST:PORT, e.g. 127.0.0.1:8080)");
    }
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("malformed address '" + text + "' (expected HOST:PORT, e.g. 127.0.0.1:8080)");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("malformed port in '" + text + "' (expected a number 1-65535)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port out of range in '" + text + "' (expected 1-65535)");
    }
    if (!host.matches("[A-Za-z0-9.\\-:]+")) {
      throw new IllegalArgumentException("malformed host in '" + text + "'");
    }
    return new HostPort(host, port);
  }

  /** The host as a literal IP address (Hazelcast interfaces and bind addresses need one). */
  public String ip() {
    try {
      return InetAddress.getByName(host).getHostAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("unknown host '" + host + "'");
    }
  }

  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
