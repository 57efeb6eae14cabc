package org.disruptor.cluster;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A live, ready node: its Vert.x node id, its user-facing address, when it joined, and its labels (the
 * {@code labels} config key, e.g. {@code gpu} or {@code zone=eu}: jobs may ask to run only where they are).
 */
public record Peer(String id, String address, long since, List<String> labels) {

  public Peer(String id, String address, long since) {
    this(id, address, since, List.of());
  }

  /** Whether this node has every one of {@code wanted}. */
  public boolean has(List<String> wanted) {
    return labels.containsAll(wanted);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("address", address).put("id", id).put("since", since);
    if (!labels.isEmpty()) {
      json.put("labels", new JsonArray(new ArrayList<>(labels)));
    }
    return json;
  }

  public static Peer fromJson(JsonObject json) {
    List<String> labels = new ArrayList<>();
    JsonArray array = json.getJsonArray("labels");
    if (array != null) {
      array.forEach(l -> labels.add(String.valueOf(l)));
    }
    return new Peer(json.getString("id"), json.getString("address"), json.getLong("since"), List.copyOf(labels));
  }

  /** Labels from the config's comma-separated {@code labels} value (blank or null: none). */
  public static List<String> parseLabels(String config) {
    if (config == null || config.isBlank()) {
      return List.of();
    }
    return java.util.Arrays.stream(config.split(",")).map(String::trim).filter(l -> !l.isEmpty()).distinct().toList();
  }
}
