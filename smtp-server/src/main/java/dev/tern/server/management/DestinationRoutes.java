package dev.tern.server.management;

import dev.tern.relay.queue.DestinationAdmin;
import dev.tern.relay.queue.DestinationSnapshot;
import dev.tern.server.config.ConfigValues;
import io.netty.handler.codec.http.HttpMethod;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The destinations resource of the admin API (docs/operations.md), over a {@link DestinationAdmin}: the
 * traffic shaping of each recipient domain (docs/shaping.md), and suspending and resuming one by hand.
 *
 * <pre>
 * GET  /admin/destinations                  list
 * GET  /admin/destinations/{name}           show
 * POST /admin/destinations/{name}/suspend   for=DURATION | until=TIME, reason=TEXT (query or JSON body)
 * POST /admin/destinations/{name}/resume    its deferred mail is tried at once
 * </pre>
 */
public final class DestinationRoutes {
    /** The longest suspension an operator may ask for with an end; without one it lasts until resumed. */
    static final Duration MAX_SUSPENSION = Duration.ofDays(365);

    private final DestinationAdmin destinations;
    private final Clock clock;

    private DestinationRoutes(DestinationAdmin destinations, Clock clock) {
        this.destinations = destinations;
        this.clock = clock;
    }

    /** Adds the destinations' routes to {@code router}. */
    public static AdminRouter addTo(AdminRouter router, DestinationAdmin destinations, Clock clock) {
        DestinationRoutes d = new DestinationRoutes(destinations, clock);
        router.add(HttpMethod.GET, "/admin/destinations", "destination_list", false, Set.of(), d::list);
        router.add(HttpMethod.GET, "/admin/destinations/{name}", "destination_show", false, Set.of(), d::show);
        router.add(
                HttpMethod.POST,
                "/admin/destinations/{name}/suspend",
                "suspend",
                true,
                Set.of("for", "until", "reason"),
                d::suspend);
        router.add(HttpMethod.POST, "/admin/destinations/{name}/resume", "resume", true, Set.of(), d::resume);
        return router;
    }

    private CompletionStage<AdminResponse> list(AdminRequest r) {
        return destinations
                .destinations()
                .thenApply(all -> AdminResponse.ok(DestinationJson.list(all), all.size() + " destinations"));
    }

    private CompletionStage<AdminResponse> show(AdminRequest r) {
        String name = name(r);
        return destinations.destination(name).thenApply(found -> found.map(
                        d -> AdminResponse.ok(DestinationJson.destination(d), "shown"))
                .orElseGet(() -> notFound(name)));
    }

    private CompletionStage<AdminResponse> suspend(AdminRequest r) {
        String name = name(r);
        Optional<Duration> expiry = r.duration("for", MAX_SUSPENSION);
        Optional<Instant> until = r.instant("until");
        String reason = r.text("reason").orElse("");
        if (until.isEmpty()) {
            return destinations.suspend(name, expiry, reason).thenCompose(s -> after(name, "suspend", "suspended"));
        }
        if (expiry.isPresent()) {
            throw new AdminRequest.BadParameter("until", "give for or until, not both");
        }
        if (until.get().isAfter(clock.instant().plus(MAX_SUSPENSION))) {
            throw new AdminRequest.BadParameter(
                    "until", "until must be within " + ConfigValues.formatDuration(MAX_SUSPENSION) + " from now");
        }
        return destinations
                .suspendUntil(name, until.get(), reason)
                .handle((s, e) -> e == null ? after(name, "suspend", "suspended") : tooEarly(e))
                .thenCompose(x -> x);
    }

    private CompletionStage<AdminResponse> resume(AdminRequest r) {
        String name = name(r);
        return destinations.resume(name).thenCompose(was -> after(name, "resume", was ? "resumed" : "not suspended"));
    }

    /** The answer to an action: the destination as it is now. */
    private CompletionStage<AdminResponse> after(String name, String action, String outcome) {
        return destinations.destination(name).thenApply(found -> found.map(
                        d -> AdminResponse.ok(DestinationJson.action(action, outcome, d), outcome + summary(d)))
                .orElseGet(() -> notFound(name)));
    }

    private static String summary(DestinationSnapshot d) {
        return d.suspension()
                .map(s -> " until " + s.until().map(Instant::toString).orElse("resumed") + ": " + s.reason())
                .orElse("");
    }

    /** The queue refused an end that is past by its clock: a 400, not a failure of the queue. */
    private static CompletionStage<AdminResponse> tooEarly(Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (cause instanceof IllegalArgumentException) {
            return CompletableFuture.completedFuture(
                    AdminResponse.badParameter("until", "until: " + cause.getMessage()));
        }
        return CompletableFuture.failedFuture(cause);
    }

    /** The destination of the path, as the queue names it; a name no recipient domain can have is a 400. */
    private static String name(AdminRequest r) {
        try {
            return DestinationAdmin.name(r.pathParameter("name"));
        } catch (IllegalArgumentException e) {
            throw new AdminRequest.BadParameter("name", e.getMessage());
        }
    }

    private static AdminResponse notFound(String name) {
        return AdminResponse.notFound(
                "no destination " + name + " is known to the queue: no mail, attempt or suspension");
    }
}
