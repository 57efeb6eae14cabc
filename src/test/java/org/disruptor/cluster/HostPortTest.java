package org.disruptor.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Node addresses")
class HostPortTest {

  @Test
  @DisplayName("parse host:port and print it back")
  void parses() {
    HostPort address = HostPort.parse("127.0.0.1:8080");
    assertEquals("127.0.0.1", address.host());
    assertEquals(8080, address.port());
    assertEquals("127.0.0.1:8080", address.toString());
    assertEquals("127.0.0.1", HostPort.parse("localhost:1").ip());
  }

  @ParameterizedTest(name = "refuses ''{0}''")
  @ValueSource(strings = {"", "8080", "127.0.0.1", "127.0.0.1:", ":8080", "127.0.0.1:http", "127.0.0.1:0",
      "127.0.0.1:70000", "bad host:1"})
  void refuses(String text) {
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse(text));
  }
}
