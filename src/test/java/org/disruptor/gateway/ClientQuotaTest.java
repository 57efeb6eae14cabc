package org.disruptor.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Per-client quota")
class ClientQuotaTest {

  @Test
  @DisplayName("a client gets up to max, is refused beyond it without taking one, and gets one again after a release")
  void upToMax() {
    ClientQuota quota = new ClientQuota(2);
    assertTrue(quota.acquire("10.0.0.1"));
    assertTrue(quota.acquire("10.0.0.1"));
    assertFalse(quota.acquire("10.0.0.1"));
    assertEquals(2, quota.held("10.0.0.1"));
    quota.release("10.0.0.1");
    assertTrue(quota.acquire("10.0.0.1"));
  }

  @Test
  @DisplayName("clients are counted apart, and a release of nothing held takes nothing below zero")
  void apart() {
    ClientQuota quota = new ClientQuota(1);
    assertTrue(quota.acquire("a"));
    assertTrue(quota.acquire("b"));
    quota.release("c");
    quota.release("a");
    quota.release("a");
    assertEquals(0, quota.held("a"));
    assertTrue(quota.acquire("a"));
    assertFalse(quota.acquire("a"));
  }
}
