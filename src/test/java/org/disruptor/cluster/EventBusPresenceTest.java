package org.disruptor.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.spi.cluster.RegistrationInfo;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Reading a node's own registrations back from the cluster")
class EventBusPresenceTest {

  @Test
  @DisplayName("a clustered registration of the node counts; none, another node's or a local-only one does not")
  void listsNode() {
    assertTrue(EventBusPresence.listsNode(List.of(new RegistrationInfo("b", 1, false), new RegistrationInfo("a", 7, false)), "a"));
    assertFalse(EventBusPresence.listsNode(List.of(), "a"));
    assertFalse(EventBusPresence.listsNode(List.of(new RegistrationInfo("b", 1, false)), "a"));
    assertFalse(EventBusPresence.listsNode(List.of(new RegistrationInfo("a", 1, true)), "a"));
  }
}
