package dev.tern.relay.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** The {@link DestinationAdmin} over the queue's {@link Shaping}: each call is a task on the queue's thread. */
final class Destinations implements DestinationAdmin {
    /** A recipient domain as written in an address (RFC 5321 4.1.2, RFC 6531): no space, control or '@'. */
    private static final Pattern NAME = Pattern.compile("[^\\s\\p{Cntrl}@/]+");

    private static final int MAX_NAME = 255;
    private static final int MAX_REASON = 500;

    private final QueueExecutor queue;
    private final Shaping shaping;
    private final Supplier<Map<String, Integer>> queued;

    /** @param queued messages queued by destination, computed on the queue's thread */
    Destinations(QueueExecutor queue, Shaping shaping, Supplier<Map<String, Integer>> queued) {
        this.queue = queue;
        this.shaping = shaping;
        this.queued = queued;
    }

    @Override
    public CompletionStage<List<DestinationSnapshot>> destinations() {
        return queue.call(() -> CompletableFuture.completedFuture(shaping.snapshot(queued.get())));
    }

    @Override
    public CompletionStage<Optional<DestinationSnapshot>> destination(String destination) {
        String name;
        try {
            name = name(destination);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return queue.call(() -> CompletableFuture.completedFuture(
                shaping.snapshot(name, queued.get().getOrDefault(name, 0))));
    }

    @Override
    public CompletionStage<Suspension> suspend(String destination, Optional<Duration> expiry, String reason) {
        if (expiry.isPresent() && (expiry.get().isNegative() || expiry.get().isZero())) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException("the expiry must be positive, got " + expiry.get()));
        }
        return suspend(destination, reason, (name, why) -> shaping.suspend(name, expiry, why));
    }

    @Override
    public CompletionStage<Suspension> suspendUntil(String destination, Instant until, String reason) {
        Objects.requireNonNull(until, "until");
        return suspend(destination, reason, (name, why) -> shaping.suspendUntil(name, until, why));
    }

    /** Checks the name and the reason, then suspends on the queue's thread and waits for the file. */
    private CompletionStage<Suspension> suspend(
            String destination, String reason, BiFunction<String, String, Suspension> suspension) {
        String name;
        try {
            name = name(destination);
            if (reason == null || reason.length() > MAX_REASON) {
                throw new IllegalArgumentException("a reason is at most " + MAX_REASON + " characters");
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        String why = reason.isBlank() ? "suspended by hand" : reason;
        return queue.call(() -> {
            Suspension s = suspension.apply(name, why);
            return shaping.lastWrite().thenApply(v -> s);
        });
    }

    @Override
    public CompletionStage<Boolean> resume(String destination) {
        String name;
        try {
            name = name(destination);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return queue.call(() -> {
            boolean was = shaping.resume(name);
            return shaping.lastWrite().thenApply(v -> was);
        });
    }

    /** The destination as the queue names it (lower case); refuses what no recipient domain can be. */
    static String name(String destination) {
        if (destination == null || destination.isBlank() || destination.length() > MAX_NAME) {
            throw new IllegalArgumentException("a destination is a domain name of 1 to " + MAX_NAME + " characters");
        }
        String name = destination.strip().toLowerCase(Locale.ROOT);
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("not a domain name: '" + destination.strip() + "'");
        }
        return name;
    }
}
