package org.disruptor.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real npm libraries (lodash, decimal.js: installed by scripts/test-deps.sh) uploaded once to a 3-node
 * cluster (two v8 nodes, one graaljs), used by 12-part map jobs as ES imports and as a classic script, the
 * results compared with what node computes with the same files; a node started later runs parts that
 * import them after the node that received them died; every bad input answers its status and a JSON error.
 */
@DisplayName("Libraries in jobs: the module store")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModulesIT {

  static final Path NPM = Path.of("target/test-modules/node_modules").toAbsolutePath();
  static final Path LODASH = NPM.resolve("lodash/lodash.min.js");
  static final Path DECIMAL = NPM.resolve("decimal.js/decimal.js");
  /** One function, run by the job (with the libraries imported) and by node (with the same files required). */
  static final String BODY = "(xs) => ({ chunks: _.chunk(_.sortBy(xs), 4), uniq: _.uniq(_.map(xs, (x) => x % 7)),"
      + " sum: xs.reduce((a, x) => a.plus(new Decimal(x).div(7)), new Decimal(0)).toFixed(30),"
      + " max: _.maxBy(xs, (x) => -x) })";
  static final String ES_CODE = "import _ from \"lodash\";\nimport Decimal from 'decimal.js';\n"
      + "const f = " + BODY + ";\nexport default (slice) => slice.map(f);\n";

  static Cluster cluster;
  static JsonArray data;
  static JsonArray expected;
  static String lodashHash;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isRegularFile(LODASH) && Files.isRegularFile(DECIMAL),
        "lodash and decimal.js are missing: scripts/test-deps.sh installs them into target/test-modules");
    cluster = Cluster.start(3, List.of(List.of(), List.of(), List.of("--engine", "graaljs")));
    Random random = new Random(20261202);
    data = new JsonArray();
    for (int i = 0; i < 12; i++) {
      JsonArray xs = new JsonArray();
      for (int j = 0; j < 40; j++) {
        xs.add(random.nextInt(1000) - 300);
      }
      data.add(xs);
    }
    expected = node(data);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** What node computes with the same lodash and decimal.js files: BODY on each array. */
  static JsonArray node(JsonArray input) throws Exception {
    Path script = Path.of("target/modules-it-node.cjs");
    Files.writeString(script, "const _ = require(" + JsonArray.of(LODASH.toString()).encode().replaceAll("^\\[|\\]$", "")
        + ");\nconst Decimal = require(" + JsonArray.of(DECIMAL.toString()).encode().replaceAll("^\\[|\\]$", "")
        + ");\nconst f = " + BODY + ";\nconsole.log(JSON.stringify(JSON.parse(process.argv[2]).map(f)));\n");
    Process node = new ProcessBuilder("node", script.toString(), input.encode()).redirectErrorStream(true).start();
    String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(node.waitFor(60, TimeUnit.SECONDS) && node.exitValue() == 0, "node failed: " + out);
    return new JsonArray(out.strip());
  }

  static HttpResponse<String> put(NodeProcess node, String path, byte[] body) throws Exception {
    return NodeProcess.HTTP.send(HttpRequest.newBuilder(URI.create("http://" + node.address() + path))
        .timeout(Duration.ofSeconds(60)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A job's answer; every 200 also names the node of each partition. */
  static JsonObject job(NodeProcess node, JsonObject job) throws Exception {
    HttpResponse<String> response = node.post("/api/jobs", job.put("timeoutMs", 180_000).encode());
    assertEquals(200, response.statusCode(), response.body());
    return new JsonObject(response.body());
  }

  /** The part results of a map job, flattened back to one result per input array. */
  static JsonArray flat(JsonObject answer) {
    JsonArray all = new JsonArray();
    answer.getJsonArray("result").forEach(part -> all.addAll((JsonArray) part));
    return all;
  }

  static Set<String> nodesOf(JsonObject answer) {
    Set<String> nodes = new HashSet<>();
    answer.getJsonArray("partitions").forEach(p -> nodes.add(((JsonObject) p).getString("node")));
    return nodes;
  }

  static void assertError(HttpResponse<String> response, int status, String code) {
    assertEquals(status, response.statusCode(), response.body());
    JsonObject error = new JsonObject(response.body());
    assertEquals(code, error.getString("error"), response.body());
    assertNotNull(error.getString("message"));
    assertTrue(!error.getString("message").contains("Exception"), error.getString("message"));
  }

  @Test
  @Order(1)
  @DisplayName("uploaded once to one node, listed by every node with version, hash, size and when")
  void upload() throws Exception {
    HttpResponse<String> lodash = put(cluster.node(0), "/api/modules/lodash?version=4.17.21", Files.readAllBytes(LODASH));
    assertEquals(201, lodash.statusCode(), lodash.body());
    lodashHash = new JsonObject(lodash.body()).getString("hash");
    assertEquals(64, lodashHash.length());
    assertEquals(201, put(cluster.node(0), "/api/modules/decimal.js", Files.readAllBytes(DECIMAL)).statusCode());
    for (NodeProcess node : cluster.nodes()) {
      JsonArray list = new JsonObject(node.get("/api/modules").body()).getJsonArray("modules");
      assertEquals(2, list.size(), list.encode());
      JsonObject first = list.getJsonObject(1);
      assertEquals("lodash", first.getString("name"));
      assertEquals("4.17.21", first.getString("version"));
      assertEquals(lodashHash, first.getString("hash"));
      assertEquals(Files.size(LODASH), first.getLong("size"));
      assertTrue(first.getLong("when") > 0);
    }
    assertEquals(Files.readString(LODASH), cluster.node(2).get("/api/modules/lodash").body());
  }

  @Test
  @Order(2)
  @DisplayName("a 12-part map job over 3 nodes imports them as ES modules, and a broadcast on every node: node's results")
  void esImport() throws Exception {
    JsonObject answer = job(cluster.node(1), new JsonObject().put("code", ES_CODE).put("data", data)
        .put("partitions", 12));
    assertEquals(expected, flat(answer));
    // placement follows load, so a map job need not reach every node: a broadcast runs the import on each
    JsonObject everywhere = job(cluster.node(1), new JsonObject().put("code", ES_CODE).put("data", data)
        .put("mode", "broadcast"));
    assertEquals(cluster.addresses(), nodesOf(everywhere), "every node ran the broadcast");
    everywhere.getJsonArray("result").forEach(r -> assertEquals(expected, r));
    JsonObject pinned = job(cluster.node(2), new JsonObject().put("code", ES_CODE.replace("\"lodash\"",
        "\"lodash@" + lodashHash.substring(0, 10) + "\"")).put("data", data).put("partitions", 12));
    assertEquals(expected, flat(pinned));
  }

  @Test
  @Order(3)
  @DisplayName("the same job with lodash as a classic \"modules\" script and decimal.js imported: node's results")
  void classicScript() throws Exception {
    String code = "import Decimal from 'decimal.js';\nconst f = " + BODY + ";\nexport default (slice) => slice.map(f);";
    JsonObject answer = job(cluster.node(0), new JsonObject().put("code", code).put("data", data).put("partitions", 12)
        .put("modules", JsonArray.of("lodash@4.17.21")));
    assertEquals(expected, flat(answer));
    String broadcast = "const f = " + BODY + ";\nexport default (xs) => xs.map(f);";
    JsonObject everywhere = job(cluster.node(2), new JsonObject().put("code", "import Decimal from 'decimal.js';\n"
        + broadcast).put("data", data).put("mode", "broadcast").put("modules", JsonArray.of("lodash")));
    assertEquals(cluster.addresses(), nodesOf(everywhere), "every node ran the broadcast");
    everywhere.getJsonArray("result").forEach(r -> assertEquals(expected, r));
  }

  @Test
  @Order(4)
  @DisplayName("bad inputs: 422 with line and column, 413, 400, 422 for a module unknown or deleted meanwhile")
  void badInputs() throws Exception {
    NodeProcess node = cluster.node(1);
    HttpResponse<String> broken = put(node, "/api/modules/broken", "module.exports = {\n  a: 1,\n  b: ;\n};\n"
        .getBytes(StandardCharsets.UTF_8));
    assertError(broken, 422, "compile_error");
    JsonObject error = new JsonObject(broken.body());
    assertEquals(3, error.getInteger("line"), broken.body());
    assertNotNull(error.getInteger("column"), broken.body());
    assertError(put(node, "/api/modules/huge", new byte[8 * 1024 * 1024 + 1]), 413, "payload_too_large");
    assertError(put(node, "/api/modules/..%2Fetc", "1".getBytes(StandardCharsets.UTF_8)), 400, "bad_request");
    assertError(put(node, "/api/modules/a@b", "1".getBytes(StandardCharsets.UTF_8)), 400, "bad_request");
    assertError(put(node, "/api/modules/empty", new byte[0]), 400, "bad_request");
    HttpResponse<String> unknown = node.post("/api/jobs", new JsonObject().put("code",
        "import x from 'left-pad';\nexport default (d) => x(d)").put("data", JsonArray.of(1)).encode());
    assertError(unknown, 422, "unknown_module");
    assertTrue(unknown.body().contains("left-pad"), unknown.body());
    assertError(node.post("/api/jobs", new JsonObject().put("code", "(d) => d").put("data", JsonArray.of(1))
        .put("modules", JsonArray.of("lodash@0.0.1")).encode()), 422, "unknown_module");
    assertEquals(201, put(node, "/api/modules/doomed", "module.exports = 1;".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(204, cluster.node(0).delete("/api/modules/doomed").statusCode());
    HttpResponse<String> deleted = node.post("/api/jobs", new JsonObject().put("code",
        "import d from 'doomed';\nexport default () => d").put("data", JsonArray.of(1)).encode());
    assertError(deleted, 422, "unknown_module");
    assertTrue(deleted.body().contains("doomed"), deleted.body());
    assertError(cluster.node(2).get("/api/modules/doomed"), 404, "not_found");
  }

  @Test
  @Order(5)
  @DisplayName("a node started after the upload runs parts importing them, after the node that received them died")
  void lateNodeAfterTheReceiverDied() throws Exception {
    try (NodeProcess late = NodeProcess.start(NodeProcess.freeAddress(), cluster.node(1).address(), "--cluster",
        clusterName(), "--labels", "late")) {
      late.awaitUp(Cluster.STARTUP);
      cluster.node(0).kill();
      Set<String> alive = new java.util.TreeSet<>(Set.of(cluster.node(1).address(), cluster.node(2).address(),
          late.address()));
      late.awaitPeers(alive, Eventually.OUTCOME);
      JsonObject answer = job(late, new JsonObject().put("code", ES_CODE).put("data", data).put("partitions", 12)
          .put("labels", JsonArray.of("late")));
      assertEquals(expected, flat(answer));
      assertEquals(Set.of(late.address()), nodesOf(answer));
      HttpResponse<String> source = late.get("/api/modules/lodash");
      assertEquals(200, source.statusCode());
      assertEquals(Files.readString(LODASH), source.body());
    }
  }

  @Test
  @Order(6)
  @DisplayName("the command line adds, lists and removes modules, and submits ES-module jobs and --module scripts")
  void commandLine() throws Exception {
    Duration cli = Duration.ofSeconds(120);
    String to = cluster.node(1).address();
    Path dir = Files.createTempDirectory(Path.of("target"), "modules-cli");
    Path helper = Files.writeString(dir.resolve("helper.js"), "export const scale = 3;\n"
        + "export function times(xs) { return xs.map((x) => x * scale); }\n");
    NodeProcess.CliRun added = NodeProcess.cli(cli, "modules", "--to", to, "add", "helper", helper.toString(),
        "--version", "1.0");
    assertEquals(0, added.exit(), added.toString());
    assertTrue(added.stdout().contains("added helper 1.0"), added.toString());
    NodeProcess.CliRun list = NodeProcess.cli(cli, "modules", "--to", to, "list");
    assertEquals(0, list.exit(), list.toString());
    assertTrue(list.stdout().lines().anyMatch(l -> l.matches("helper +1\\.0 +[0-9a-f]{12} +\\d+ .*")), list.toString());
    assertTrue(list.stdout().contains("lodash"), list.toString());
    Path job = Files.writeString(dir.resolve("job.mjs"), "import { times } from 'helper';\n"
        + "export default (xs) => times(xs).concat([_.sum(xs)]);\n");
    Path data = Files.writeString(dir.resolve("data.json"), "[1, 2, 3]");
    NodeProcess.CliRun run = NodeProcess.cli(cli, "submit", "--to", to, "--quiet", "--module", "lodash",
        "--partitions", "1", job.toString(), data.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals(new JsonArray("[[3,6,9,6]]"), new JsonObject(run.stdout()).getJsonArray("result"), run.toString());
    NodeProcess.CliRun broken = NodeProcess.cli(cli, "modules", "--to", to, "add", "broken",
        Files.writeString(dir.resolve("broken.js"), "let x = ;").toString());
    assertEquals(1, broken.exit(), broken.toString());
    assertTrue(broken.stderr().contains("422 compile_error") && broken.stderr().contains("line 1:"), broken.toString());
    NodeProcess.CliRun removed = NodeProcess.cli(cli, "modules", "--to", to, "rm", "helper");
    assertEquals(0, removed.exit(), removed.toString());
    NodeProcess.CliRun gone = NodeProcess.cli(cli, "submit", "--to", to, "--quiet", job.toString(), data.toString());
    assertEquals(1, gone.exit(), gone.toString());
    assertTrue(gone.stderr().contains("unknown_module") && gone.stderr().contains("helper"), gone.toString());
  }

  /** The cluster name the nodes were started with (from the first node's command line). */
  static String clusterName() {
    List<String> command = cluster.node(1).process().info().arguments().map(List::of).orElseThrow();
    return command.get(command.indexOf("--cluster") + 1);
  }
}
