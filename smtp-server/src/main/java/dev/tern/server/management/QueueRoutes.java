package dev.tern.server.management;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.queue.Deliverer;
import dev.tern.relay.queue.DestinationAdmin;
import dev.tern.relay.queue.QueueAdmin;
import dev.tern.relay.queue.QueueAdmin.Result;
import dev.tern.relay.queue.QueueDrain;
import dev.tern.smtp.queue.QueueId;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The queue resource of the admin API (docs/operations.md), over a {@link QueueAdmin}:
 *
 * <pre>
 * GET    /admin/queue                      list (sender, recipient, domain, state, limit, offset, order)
 * GET    /admin/queue/{id}                 show
 * DELETE /admin/queue/{id}                 delete
 * POST   /admin/queue/{id}/hold|release|flush|bounce|requeue
 * POST   /admin/queue/flush                flush every message (domain: one destination only)
 * POST   /admin/queue/requeue              requeue every message
 * POST   /admin/queue/drain                hand every message over to another MTA (to, tls)
 * GET    /admin/queue/drain                the drain's progress
 * </pre>
 */
public final class QueueRoutes {
    static final int DEFAULT_LIMIT = 100;

    private final QueueAdmin queue;
    private final Clock clock;

    private QueueRoutes(QueueAdmin queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /** How a drain reaches its target, as {@code tls=} names it. */
    public enum DrainTls {
        NONE(ClientRoute.TlsMode.NONE),
        MAY(ClientRoute.TlsMode.OPPORTUNISTIC),
        REQUIRE(ClientRoute.TlsMode.STARTTLS);

        final ClientRoute.TlsMode mode;

        DrainTls(ClientRoute.TlsMode mode) {
            this.mode = mode;
        }
    }

    /** Where a drain goes: stops this node accepting mail, then answers the deliverer to {@code host:port}. */
    @FunctionalInterface
    public interface DrainTarget {
        CompletionStage<Deliverer> open(String host, int port, ClientRoute route);
    }

    /** Adds the queue's routes to {@code router}, without drain. */
    public static AdminRouter addTo(AdminRouter router, QueueAdmin queue, Clock clock) {
        return addTo(router, queue, clock, null);
    }

    /** Adds the queue's routes to {@code router}; drain when {@code drains} is not null. */
    public static AdminRouter addTo(AdminRouter router, QueueAdmin queue, Clock clock, DrainTarget drains) {
        QueueRoutes q = new QueueRoutes(queue, clock);
        if (drains != null) {
            router.add(
                    HttpMethod.POST, "/admin/queue/drain", "drain", true, Set.of("to", "tls"), r -> q.drain(r, drains));
            router.add(HttpMethod.GET, "/admin/queue/drain", "drain_progress", false, Set.of(), q::drainProgress);
        }
        router.add(
                HttpMethod.GET,
                "/admin/queue",
                "list",
                false,
                Set.of("sender", "recipient", "domain", "state", "limit", "offset", "order"),
                q::list);
        router.add(HttpMethod.GET, "/admin/queue/{id}", "show", false, Set.of(), q::show);
        router.add(
                HttpMethod.DELETE,
                "/admin/queue/{id}",
                "delete",
                true,
                Set.of(),
                r -> q.one(r, "delete", queue::delete));
        router.add(
                HttpMethod.POST, "/admin/queue/{id}/hold", "hold", true, Set.of(), r -> q.one(r, "hold", queue::hold));
        router.add(
                HttpMethod.POST,
                "/admin/queue/{id}/release",
                "release",
                true,
                Set.of(),
                r -> q.one(r, "release", queue::release));
        router.add(
                HttpMethod.POST,
                "/admin/queue/{id}/flush",
                "flush",
                true,
                Set.of(),
                r -> q.one(r, "flush", queue::flush));
        router.add(
                HttpMethod.POST,
                "/admin/queue/{id}/bounce",
                "bounce",
                true,
                Set.of(),
                r -> q.one(r, "bounce", queue::bounce));
        router.add(
                HttpMethod.POST,
                "/admin/queue/{id}/requeue",
                "requeue",
                true,
                Set.of(),
                r -> q.one(r, "requeue", queue::requeue));
        router.add(HttpMethod.POST, "/admin/queue/flush", "flush", true, Set.of("domain"), q::flushAll);
        router.add(HttpMethod.POST, "/admin/queue/requeue", "requeue", true, Set.of(), q::requeueAll);
        return router;
    }

    private CompletionStage<AdminResponse> list(AdminRequest r) {
        QueueAdmin.Order order = r.choice("order", QueueAdmin.Order.class);
        QueueAdmin.Order effective = order == null ? QueueAdmin.Order.OLDEST : order;
        QueueAdmin.Query query = new QueueAdmin.Query(
                r.text("sender").orElse(null),
                r.text("recipient").orElse(null),
                r.text("domain").orElse(null),
                r.choice("state", QueueAdmin.State.class),
                r.integer("limit", 1, QueueAdmin.MAX_PAGE, DEFAULT_LIMIT),
                r.integer("offset", 0, Integer.MAX_VALUE, 0),
                effective);
        return queue.list(query)
                .thenApply(page -> AdminResponse.ok(
                        QueueJson.page(page, effective, clock.millis()),
                        page.entries().size() + " messages"));
    }

    private CompletionStage<AdminResponse> show(AdminRequest r) {
        QueueId id = id(r);
        return queue.show(id).thenApply(result -> switch (result) {
            case Result.Found<QueueAdmin.Detail> f ->
                AdminResponse.ok(QueueJson.detail(f.value(), clock.millis()), "shown");
            case Result.NotFound<QueueAdmin.Detail> n -> notFound(id);
            case Result.Refused<QueueAdmin.Detail> x -> AdminResponse.refused(x.reason());
        });
    }

    private CompletionStage<AdminResponse> one(
            AdminRequest r, String action, Function<QueueId, CompletionStage<Result<QueueAdmin.Action>>> op) {
        QueueId id = id(r);
        return op.apply(id).thenApply(result -> switch (result) {
            case Result.Found<QueueAdmin.Action> f ->
                AdminResponse.ok(
                        QueueJson.action(action, id.value(), f.value()),
                        f.value().outcome());
            case Result.NotFound<QueueAdmin.Action> n -> notFound(id);
            case Result.Refused<QueueAdmin.Action> x -> AdminResponse.refused(x.reason());
        });
    }

    private CompletionStage<AdminResponse> flushAll(AdminRequest r) {
        String domain = r.text("domain").map(QueueRoutes::domain).orElse(null);
        String target = domain == null ? "all" : "domain=" + domain;
        return queue.flushAll(domain).thenApply(a -> done("flush", target, a));
    }

    private CompletionStage<AdminResponse> requeueAll(AdminRequest r) {
        return queue.requeueAll().thenApply(a -> done("requeue", "all", a));
    }

    private CompletionStage<AdminResponse> drain(AdminRequest r, DrainTarget drains) {
        String to = r.text("to").orElseThrow(() -> new AdminRequest.BadParameter("to", "to is required: HOST:PORT"));
        int colon = to.lastIndexOf(':');
        String host = colon <= 0 ? "" : to.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = colon <= 0 ? 0 : Integer.parseInt(to.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = 0;
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new AdminRequest.BadParameter("to", "to must be HOST:PORT, the port 1 to 65535");
        }
        DrainTls tls = r.choice("tls", DrainTls.class);
        ClientRoute route = new ClientRoute((tls == null ? DrainTls.MAY : tls).mode, false, null, null);
        String name = host + ":" + port;
        if (queue.drainProgress().isPresent()) {
            // Refused before the listeners close and the log says a drain begins: the first one goes on.
            return CompletableFuture.completedFuture(AdminResponse.refused(QueueAdmin.DRAIN_STARTED));
        }
        return drains.open(host, port, route)
                .thenCompose(target -> queue.drain(name, target))
                .handle((result, e) -> {
                    if (e != null) {
                        Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e;
                        if (cause instanceof java.net.UnknownHostException) {
                            return AdminResponse.badParameter("to", "unknown host " + name);
                        }
                        throw new java.util.concurrent.CompletionException(cause);
                    }
                    return switch (result) {
                        case Result.Found<QueueDrain.Progress> f ->
                            AdminResponse.ok(QueueJson.drain(f.value()), "draining to " + name);
                        case Result.NotFound<QueueDrain.Progress> n -> AdminResponse.notFound("no queue");
                        case Result.Refused<QueueDrain.Progress> x -> AdminResponse.refused(x.reason());
                    };
                });
    }

    private CompletionStage<AdminResponse> drainProgress(AdminRequest r) {
        return java.util.concurrent.CompletableFuture.completedFuture(queue.drainProgress()
                .map(p -> AdminResponse.ok(QueueJson.drain(p), p.finished() ? "finished" : "draining"))
                .orElseGet(() -> AdminResponse.notFound("no drain was started on this node")));
    }

    private static AdminResponse done(String action, String target, QueueAdmin.Action a) {
        return AdminResponse.ok(
                QueueJson.action(action, target, a),
                a.outcome() + " messages=" + a.messages() + " recipients=" + a.recipients());
    }

    private static AdminResponse notFound(QueueId id) {
        return AdminResponse.notFound("no message " + id.value() + " in the queue");
    }

    /** A flush's destination as the queue names it; what no recipient domain can be is a 400. */
    private static String domain(String value) {
        try {
            return DestinationAdmin.name(value);
        } catch (IllegalArgumentException e) {
            throw new AdminRequest.BadParameter("domain", e.getMessage());
        }
    }

    private static QueueId id(AdminRequest r) {
        try {
            return new QueueId(r.pathParameter("id"));
        } catch (IllegalArgumentException e) {
            throw new AdminRequest.BadParameter("id", "id must be a queue id: 1 to 64 letters and digits");
        }
    }
}
