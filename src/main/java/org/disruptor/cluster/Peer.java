package org.disruptor.cluster;

import io.vertx.core.json.JsonObject;

/** A live, ready node: its Vert.x node id, its user-facing address and when it joined. */
public record Peer(String id, String address, long since) {

  public JsonObject toJson() {
    return new JsonObject().put("address", address).put("id", id).put("since", since);
  }

  public static Peer fromJson(JsonObject json) {
    return new Peer(json.getString("id"), json.getString("address"), json.getLong("since"));
  }
}
