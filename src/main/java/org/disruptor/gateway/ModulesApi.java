package org.disruptor.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.disruptor.job.JobError;
import org.disruptor.module.ModuleInfo;
import org.disruptor.module.Modules;

/**
 * The module store over HTTP: {@code PUT /api/modules/NAME[?version=V]} (the body is the source),
 * {@code GET /api/modules}, {@code GET /api/modules/NAME} (the source), {@code DELETE /api/modules/NAME}.
 * Every store call and compile check runs off the event loop.
 */
final class ModulesApi {

  private final Vertx vertx;
  private final Modules modules;
  private final long bodyTimeoutMs;

  ModulesApi(Vertx vertx, Modules modules, long bodyTimeoutMs) {
    this.vertx = vertx;
    this.modules = modules;
    this.bodyTimeoutMs = bodyTimeoutMs;
  }

  void mount(Router router) {
    router.put("/api/modules/:name").handler(this::put);
    router.get("/api/modules").handler(this::list);
    router.get("/api/modules/:name").handler(this::get);
    router.delete("/api/modules/:name").handler(this::remove);
  }

  private <T> Future<T> blocking(Callable<T> call) {
    return vertx.executeBlocking(call, false);
  }

  private void put(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String name = ctx.pathParam("name");
    String version = ctx.queryParams().get("version");
    long max = modules.limits().maxModuleBytes();
    try {
      Modules.checkName(name);
    } catch (JobError e) {
      refuse(ctx, e);
      return;
    }
    String declared = request.getHeader("content-length");
    if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > max) {
      refuse(ctx, tooLarge(Long.parseLong(declared), max));
      return;
    }
    List<Buffer> chunks = new ArrayList<>();
    long[] size = {0};
    long timer = vertx.setTimer(bodyTimeoutMs, t -> refuse(ctx,
        new JobError("request_timeout", "the module did not arrive within " + bodyTimeoutMs + " ms")));
    request.handler(chunk -> {
      if (ctx.response().ended()) {
        return;
      }
      size[0] += chunk.length();
      if (size[0] > max) {
        vertx.cancelTimer(timer);
        refuse(ctx, tooLarge(size[0], max));
        return;
      }
      chunks.add(chunk);
    });
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      if (ctx.response().ended()) {
        return;
      }
      byte[] body = new byte[(int) size[0]];
      int at = 0;
      for (Buffer chunk : chunks) {
        chunk.getBytes(body, at);
        at += chunk.length();
      }
      blocking(() -> modules.add(name, version, body)).onComplete(ar -> {
        if (ar.succeeded()) {
          HttpErrors.json(ctx, 201, ar.result().toJson().encode());
        } else {
          fail(ctx, ar.cause());
        }
      });
    });
  }

  private static JobError tooLarge(long size, long max) {
    return new JobError("payload_too_large", "the module is " + (size > max ? "over " : "") + "the limit of " + max
        + " bytes (maxModuleBytes)");
  }

  private void list(RoutingContext ctx) {
    blocking(modules::list).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      JsonArray list = new JsonArray();
      ar.result().forEach(m -> list.add(m.toJson()));
      HttpErrors.json(ctx, 200, new JsonObject().put("modules", list).encode());
    });
  }

  private void get(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    blocking(() -> modules.get(name)).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
        return;
      }
      ModuleInfo info = ar.result().getKey();
      ctx.response().putHeader("content-type", "text/javascript; charset=utf-8")
          .putHeader("ETag", "\"" + info.hash() + "\"").putHeader("X-Module-Hash", info.hash());
      if (info.version() != null) {
        ctx.response().putHeader("X-Module-Version", info.version());
      }
      ctx.response().setStatusCode(200).end(ar.result().getValue());
    });
  }

  private void remove(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    blocking(() -> {
      modules.remove(name);
      return null;
    }).onComplete(ar -> {
      if (ar.failed()) {
        fail(ctx, ar.cause());
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private static void fail(RoutingContext ctx, Throwable cause) {
    if (cause instanceof JobError e) {
      HttpErrors.error(ctx, e);
    } else if (cause instanceof org.disruptor.sandbox.SandboxException e) {
      HttpErrors.error(ctx, new JobError("internal_error", "the module could not be checked: " + e.getMessage()));
    } else {
      java.util.logging.Logger.getLogger("org.disruptor.gateway").warning("module store call failed: " + cause);
      HttpErrors.error(ctx, new JobError("internal_error", "the module store did not answer"));
    }
  }

  /** Refuses an upload before its body is read: the answer, then the connection closed. */
  private static void refuse(RoutingContext ctx, JobError error) {
    if (ctx.response().ended()) {
      return;
    }
    ctx.response().putHeader("connection", "close");
    HttpErrors.error(ctx, error);
    ctx.response().end().onComplete(v -> ctx.request().connection().close());
  }
}
