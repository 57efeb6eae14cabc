package org.disruptor.module;

import io.vertx.core.json.JsonObject;

/** What the store keeps about a module besides its source: name, optional version, sha-256, size, upload time. */
public record ModuleInfo(String name, String version, String hash, long size, long when) {

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("version", version).put("hash", hash).put("size", size)
        .put("when", when);
  }

  public static ModuleInfo fromJson(JsonObject json) {
    return new ModuleInfo(json.getString("name"), json.getString("version"), json.getString("hash"),
        json.getLong("size"), json.getLong("when"));
  }
}
