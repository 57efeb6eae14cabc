package org.disruptor.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.disruptor.e2e.NodeProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI description the node serves, checked against the real handlers: every documented operation
 * is exercised, every answer's status is documented for its operation, and JSON answers carry the fields
 * their schema requires.
 */
@DisplayName("The OpenAPI description")
class OpenApiIT {

  private static final String TOKEN = "api-" + UUID.randomUUID();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static NodeProcess node;
  private static JsonObject spec;
  private static final Set<String> probed = new HashSet<>();

  @BeforeAll
  static void start() throws Exception {
    node = NodeProcess.start(NodeProcess.freeAddress(), "--cluster", "openapi-" + UUID.randomUUID(), "--token", TOKEN,
        "--max-body-bytes", "10000", "--module-store-bytes", "13000000");
    node.awaitUp(Duration.ofSeconds(60));
    spec = new JsonObject(node.get("/openapi.json").body());
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  @Test
  @DisplayName("matches what every handler answers, and every documented operation is exercised")
  void matchesHandlers() throws Exception {
    String job = "{\"code\":\"(xs) => xs\",\"data\":[1,2]}";
    String spin = "{\"code\":\"(x) => { while (true) {} }\",\"data\":[1],\"timeoutMs\":5000}";
    check("post", "/api/jobs", "/api/jobs", job, true, 200);
    check("post", "/api/jobs", "/api/jobs?async=true", job, true, 202);
    check("post", "/api/jobs", "/api/jobs", "{not json", true, 400);
    check("post", "/api/jobs", "/api/jobs", job, false, 401);
    check("post", "/api/jobs", "/api/jobs", "{\"code\":\"x\",\"data\":[\"" + "y".repeat(20000) + "\"]}", true, 413);
    check("post", "/api/jobs", "/api/jobs", "{\"code\":\"(x) => { throw new Error('e') }\",\"data\":[1]}", true, 422);
    check("post", "/api/jobs", "/api/jobs", "{\"code\":\"(x) => { while (true) {} }\",\"data\":[1],\"timeoutMs\":200}", true, 504);
    JsonObject list = check("get", "/api/jobs", "/api/jobs", null, true, 200);
    String done = list.getJsonArray("jobs").getJsonObject(0).getString("id");
    check("get", "/api/jobs", "/api/jobs", null, false, 401);
    check("get", "/api/jobs/{id}", "/api/jobs/" + done, null, true, 200);
    check("get", "/api/jobs/{id}", "/api/jobs/nope", null, true, 404);
    check("delete", "/api/jobs/{id}", "/api/jobs/" + done, null, true, 409);
    check("delete", "/api/jobs/{id}", "/api/jobs/nope", null, true, 404);
    String running = check("post", "/api/jobs", "/api/jobs?async=true", spin, true, 202).getString("id");
    check("delete", "/api/jobs/{id}", "/api/jobs/" + running, null, true, 200);
    check("get", "/api/jobs/ws", "/api/jobs/ws", null, true, 400);
    WebSocket ws = HTTP.newWebSocketBuilder().header("Authorization", "Bearer " + TOKEN)
        .buildAsync(URI.create("ws://" + node.address() + "/api/jobs/ws"), new WebSocket.Listener() { })
        .get(10, TimeUnit.SECONDS);
    assertTrue(documented("get", "/api/jobs/ws").containsKey("101"));
    ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
    check("put", "/api/modules/{name}", "/api/modules/helper?version=1.0", "module.exports = { one: 1 };", true, 201);
    check("put", "/api/modules/{name}", "/api/modules/a@b", "module.exports = 1;", true, 400);
    check("put", "/api/modules/{name}", "/api/modules/helper", "module.exports = 1;", false, 401);
    check("put", "/api/modules/{name}", "/api/modules/big", "x".repeat(8 * 1024 * 1024 + 1), true, 413);
    check("put", "/api/modules/{name}", "/api/modules/broken", "let x = ;", true, 422);
    check("put", "/api/modules/{name}", "/api/modules/huge", "// " + "x".repeat(6 * 1024 * 1024), true, 201);
    check("put", "/api/modules/{name}", "/api/modules/more", "// " + "x".repeat(6 * 1024 * 1024), true, 201);
    check("put", "/api/modules/{name}", "/api/modules/toomuch", "// " + "x".repeat(6 * 1024 * 1024), true, 507);
    check("get", "/api/modules", "/api/modules", null, true, 200);
    check("get", "/api/modules", "/api/modules", null, false, 401);
    check("get", "/api/modules/{name}", "/api/modules/helper", null, true, 200);
    check("get", "/api/modules/{name}", "/api/modules/helper", null, false, 401);
    check("get", "/api/modules/{name}", "/api/modules/nope", null, true, 404);
    check("delete", "/api/modules/{name}", "/api/modules/helper", null, true, 204);
    check("delete", "/api/modules/{name}", "/api/modules/helper", null, false, 401);
    check("delete", "/api/modules/{name}", "/api/modules/helper", null, true, 404);
    check("get", "/api/peers", "/api/peers", null, false, 200);
    check("get", "/api/bootstrap", "/api/bootstrap", null, false, 200);
    check("get", "/health", "/health", null, false, 200);
    check("get", "/metrics", "/metrics", null, false, 200);
    check("get", "/openapi.json", "/openapi.json", null, false, 200);
    check("get", "/", "/", null, false, 200);

    Set<String> operations = new HashSet<>();
    spec.getJsonObject("paths").forEach(path -> ((JsonObject) path.getValue()).fieldNames().stream()
        .filter(m -> !m.equals("parameters")).forEach(m -> operations.add(m + " " + path.getKey())));
    operations.removeAll(probed);
    operations.remove("get /api/jobs/ws");
    assertEquals(Set.of(), operations, "documented operations the test did not exercise");
  }

  @Test
  @DisplayName("documents no route the node lacks: undocumented paths and methods answer JSON 404 / 405")
  void undocumented() throws Exception {
    HttpResponse<String> missing = node.get("/api/nothing-here");
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", new JsonObject(missing.body()).getString("error"));
    HttpResponse<String> method = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + "/api/peers"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertTrue(method.statusCode() == 404 || method.statusCode() == 405, String.valueOf(method.statusCode()));
    assertTrue(new JsonObject(method.body()).containsKey("error"));
    assertTrue(!spec.getJsonObject("paths").getJsonObject("/api/peers").containsKey("patch"));
  }

  private static JsonObject documented(String method, String path) {
    JsonObject operation = spec.getJsonObject("paths").getJsonObject(path).getJsonObject(method);
    if (operation == null) {
      throw new AssertionError(method + " " + path + " is not documented");
    }
    return operation.getJsonObject("responses");
  }

  private static JsonObject check(String method, String path, String uri, String body, boolean auth, int expected)
      throws Exception {
    probed.add(method + " " + path);
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + node.address() + uri))
        .timeout(Duration.ofSeconds(30))
        .method(method.toUpperCase(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (auth) {
      request.header("Authorization", "Bearer " + TOKEN);
    }
    HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), method + " " + uri + ": " + response.body());
    JsonObject documentedResponse = documented(method, path).getJsonObject(String.valueOf(expected));
    if (documentedResponse == null) {
      throw new AssertionError(method + " " + path + " answered " + expected + ", which is not documented");
    }
    documentedResponse = resolve(documentedResponse);
    JsonObject content = documentedResponse.getJsonObject("content");
    if (content == null) {
      return null;
    }
    String type = response.headers().firstValue("content-type").orElse("");
    String documentedType = content.fieldNames().iterator().next();
    assertTrue(type.startsWith(documentedType), method + " " + uri + " content-type " + type + ", documented " + documentedType);
    JsonObject schema = content.getJsonObject(documentedType).getJsonObject("schema");
    if (schema == null) {
      return null;
    }
    JsonObject json = new JsonObject(response.body());
    requireFields(resolve(schema), json, method + " " + uri);
    return json;
  }

  private static void requireFields(JsonObject schema, JsonObject json, String where) {
    JsonArray required = schema.getJsonArray("required", new JsonArray());
    for (Object field : required) {
      assertTrue(json.containsKey((String) field), where + " lacks documented field '" + field + "': " + json.encode());
    }
    JsonObject properties = schema.getJsonObject("properties", new JsonObject());
    for (String name : properties.fieldNames()) {
      JsonObject property = resolve(properties.getJsonObject(name));
      if ("array".equals(property.getString("type")) && json.getValue(name) instanceof JsonArray array && !array.isEmpty()
          && property.containsKey("items") && array.getValue(0) instanceof JsonObject first) {
        requireFields(resolve(property.getJsonObject("items")), first, where + " ." + name + "[0]");
      }
    }
  }

  private static JsonObject resolve(JsonObject maybeRef) {
    String ref = maybeRef.getString("$ref");
    if (ref == null) {
      return maybeRef;
    }
    JsonObject target = spec;
    for (String part : ref.substring(2).split("/")) {
      target = target.getJsonObject(part);
    }
    return resolve(target);
  }
}
