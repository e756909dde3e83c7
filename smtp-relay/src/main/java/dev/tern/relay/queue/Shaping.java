package dev.tern.relay.queue;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.smtp.SmtpReply;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Traffic shaping per destination (docs/shaping.md), as the {@link DestinationSlots} ask it: how many
 * attempts a destination may have at once (adaptive, see {@link DestinationState#adapt}), whether its
 * rate lets one more start now, and whether it is suspended. A destination is a recipient domain.
 * Waiting is done with timers on the queue's executor (the next rate slot, a suspension's end), never
 * by polling; the {@link Listener} hears when a destination opens again. Queue thread only, except
 * {@link #suspendedCount()}.
 */
final class Shaping implements DestinationSlots.Gate {
    private static final Logger log = LoggerFactory.getLogger(Shaping.class);
    /** Destinations remembered at most; idle ones are forgotten first (they start over at the initial limit). */
    static final int MAX_STATES = 10_000;

    private static final long NANOS_PER_MILLI = 1_000_000;

    /** What the queue does when a destination changes; called on the queue's thread. */
    interface Listener {
        /** Its rate lets the next attempt start. */
        void opened(String destination);

        /** It was suspended: what waits for it is to be deferred. */
        void suspended(String destination);

        /**
         * Its suspension ended. When it expired, what it deferred wakes at its end by itself; when it was
         * ended {@code byHand}, the destination's deferred mail is to be tried at once.
         */
        void resumed(String destination, boolean byHand);
    }

    private final ShapingPolicy policy;
    private final int perDestinationCap;
    private final QueueExecutor queue;
    private final Clock clock;
    private final DeliveryMetrics metrics;
    private final SuspensionStore store;
    /** Access order, so that the least recently used idle destination is forgotten first. */
    private final LinkedHashMap<String, DestinationState> states = new LinkedHashMap<>(16, 0.75f, true);

    /** The manual suspensions of the last run, read when constructed (off the queue's thread). */
    private final Map<String, Suspension> saved;

    private Listener listener;
    private CompletionStage<Void> lastWrite = CompletableFuture.completedFuture(null);
    private volatile int suspendedCount;

    Shaping(
            ShapingPolicy policy,
            int perDestinationCap,
            QueueExecutor queue,
            Clock clock,
            DeliveryMetrics metrics,
            SuspensionStore store) {
        this.policy = policy;
        this.perDestinationCap = perDestinationCap;
        this.queue = queue;
        this.clock = clock;
        this.metrics = metrics;
        this.store = store;
        this.saved = store.load();
    }

    void listen(Listener listener) {
        this.listener = listener;
    }

    @Override
    public int limit(String destination) {
        return state(destination).limit;
    }

    @Override
    public boolean ready(String destination) {
        DestinationState s = state(destination);
        if (s.rate == null) {
            return true;
        }
        long now = clock.millis() * NANOS_PER_MILLI;
        // The clock counts milliseconds: every start falling within the current one may go.
        if (s.nextStartNanos < now + NANOS_PER_MILLI) {
            return true;
        }
        if (s.rateTimer == null) {
            long delay = (s.nextStartNanos - now + NANOS_PER_MILLI - 1) / NANOS_PER_MILLI;
            s.rateTimer = queue.schedule(
                    () -> {
                        s.rateTimer = null;
                        listener.opened(destination);
                    },
                    delay);
        }
        return false;
    }

    /** An attempt to {@code destination} starts: it takes its place in the rate. */
    void started(String destination) {
        DestinationState s = state(destination);
        s.inFlight++;
        if (s.rate != null) {
            s.nextStartNanos = Math.max(clock.millis() * NANOS_PER_MILLI, s.nextStartNanos) + s.rate.intervalNanos();
        }
    }

    /** An attempt ended with {@code outcomes}: the limit adapts, and a matching reply suspends. */
    void ended(String destination, List<RecipientOutcome> outcomes) {
        DestinationState s = state(destination);
        int inFlightBefore = s.inFlight;
        s.inFlight = Math.max(0, s.inFlight - 1);
        long now = clock.millis();
        for (RecipientOutcome o : outcomes) {
            s.recent.add(o.status(), now);
        }
        int limitBefore = s.limit;
        int change = s.adapt(DestinationState.verdict(outcomes), inFlightBefore);
        if (change != 0) {
            metrics.concurrencyChanged(change > 0);
            log.debug("destination={} concurrency {} -> {}", destination, limitBefore, s.limit);
        }
        if (s.suspension != null) {
            return;
        }
        String why = suspending(outcomes);
        if (why == null && policy.suspendUnreachable() && limitBefore == 1 && DestinationState.unreachable(outcomes)) {
            // Even one attempt at a time found no host answering: the destination is down, and trying its
            // queued mail one message after another would only knock on a closed door (Postfix calls such a
            // destination dead and stops trying it for a while, too).
            why = "no host answered: " + outcomes.get(0).diagnostic();
        }
        if (why != null) {
            Instant at = clock.instant();
            apply(s, new Suspension(at, Optional.of(at.plus(policy.suspendFor())), oneLine(why), false), true);
        }
    }

    /**
     * The destination's suspension, or null when it may be attempted. One that has expired is no longer in
     * force, even if its timer (which wakes what it deferred) has not run yet.
     */
    Suspension suspension(String destination) {
        DestinationState s = states.get(destination);
        if (s == null || s.suspension == null || s.suspension.over(clock.instant())) {
            return null;
        }
        return s.suspension;
    }

    /** A message's recipients for a suspended destination were deferred without an attempt. */
    void deferred() {
        metrics.deferredBySuspension();
    }

    /** Suspends {@code destination} by hand (replacing any suspension); written to disk, see {@link #lastWrite()}. */
    Suspension suspend(String destination, Optional<Duration> expiry, String reason) {
        Instant at = clock.instant();
        return suspend(destination, at, expiry.map(at::plus), reason);
    }

    /** As {@link #suspend(String, Optional, String)}, ending at {@code until}, which must be later than now. */
    Suspension suspendUntil(String destination, Instant until, String reason) {
        Instant at = clock.instant();
        if (!until.isAfter(at)) {
            throw new IllegalArgumentException("the end of a suspension must be later than now, " + at);
        }
        return suspend(destination, at, Optional.of(until), reason);
    }

    private Suspension suspend(String destination, Instant at, Optional<Instant> until, String reason) {
        Suspension suspension = new Suspension(at, until, oneLine(reason), true);
        apply(state(destination), suspension, true);
        return suspension;
    }

    /** Ends the suspension of {@code destination}; false when it had none. */
    boolean resume(String destination) {
        DestinationState s = states.get(destination);
        if (s == null || s.suspension == null) {
            return false;
        }
        end(s, false);
        return true;
    }

    /** The manual suspensions of the last run that have not expired are in force again. */
    void restore() {
        Instant now = clock.instant();
        saved.forEach((destination, suspension) -> {
            if (!suspension.over(now)) {
                apply(state(destination), suspension, false);
            }
        });
        if (saved.values().stream().anyMatch(x -> x.over(now))) {
            persist();
        }
    }

    /** The last write of the manual suspensions asked for; completes once it is on disk. */
    CompletionStage<Void> lastWrite() {
        return lastWrite;
    }

    /** Destinations suspended now; safe from any thread. */
    int suspendedCount() {
        return suspendedCount;
    }

    /** Every destination known here or with mail queued ({@code queued}: messages by destination), by name. */
    List<DestinationSnapshot> snapshot(Map<String, Integer> queued) {
        long now = clock.millis();
        Map<String, DestinationSnapshot> out = new TreeMap<>();
        // A state kept from before (its learned limit) but with nothing queued, attempted lately or suspended is
        // not listed: the list is of what the queue is doing.
        states.forEach((name, s) -> {
            int count = queued.getOrDefault(name, 0);
            if (count > 0 || !s.idle(now)) {
                out.put(name, snapshot(s, count, now));
            }
        });
        queued.forEach((name, count) -> out.computeIfAbsent(name, n -> snapshot(fresh(n), count, now)));
        return List.copyOf(out.values());
    }

    /** One destination, if it is known here or has {@code queued} messages. */
    Optional<DestinationSnapshot> snapshot(String name, int queued) {
        DestinationState s = states.get(name);
        if (s == null && queued == 0) {
            return Optional.empty();
        }
        return Optional.of(snapshot(s != null ? s : fresh(name), queued, clock.millis()));
    }

    /** Stops every timer (the queue is shutting down). */
    void close() {
        for (DestinationState s : states.values()) {
            if (s.rateTimer != null) {
                s.rateTimer.cancel();
            }
            if (s.resumeTimer != null) {
                s.resumeTimer.cancel();
            }
        }
    }

    private static DestinationSnapshot snapshot(DestinationState s, int queued, long now) {
        return new DestinationSnapshot(
                s.name,
                queued,
                s.limit,
                s.inFlight,
                Optional.ofNullable(s.rate),
                s.recent.snapshot(now),
                Optional.ofNullable(s.suspension));
    }

    private void apply(DestinationState s, Suspension suspension, boolean announce) {
        if (s.resumeTimer != null) {
            s.resumeTimer.cancel();
            s.resumeTimer = null;
        }
        if (s.suspension == null) {
            suspendedCount++;
        }
        boolean persist = suspension.manual() || (s.suspension != null && s.suspension.manual());
        s.suspension = suspension;
        suspension
                .until()
                .ifPresent(until -> s.resumeTimer = queue.schedule(
                        () -> {
                            s.resumeTimer = null;
                            end(s, true);
                        },
                        Math.max(0, until.toEpochMilli() - clock.millis())));
        if (announce) {
            metrics.destinationSuspended(suspension.manual());
        }
        log.info(
                "destination={} suspended {} until {}: {}",
                s.name,
                suspension.manual() ? "by hand" : "automatically",
                suspension.until().map(Instant::toString).orElse("resumed by hand"),
                suspension.reason());
        if (persist && announce) {
            persist();
        }
        listener.suspended(s.name);
    }

    private void end(DestinationState s, boolean expired) {
        boolean manual = s.suspension.manual();
        if (s.resumeTimer != null) {
            s.resumeTimer.cancel();
            s.resumeTimer = null;
        }
        s.suspension = null;
        suspendedCount--;
        log.info("destination={} resumed{}", s.name, expired ? ", its suspension expired" : " by hand");
        if (manual) {
            persist();
        }
        listener.resumed(s.name, !expired);
    }

    private void persist() {
        Map<String, Suspension> manual = new TreeMap<>();
        states.forEach((name, s) -> {
            if (s.suspension != null && s.suspension.manual()) {
                manual.put(name, s.suspension);
            }
        });
        lastWrite = store.save(manual);
    }

    /** The first reply among {@code outcomes} that a suspend-on pattern matches, as text, or null. */
    private String suspending(List<RecipientOutcome> outcomes) {
        for (RecipientOutcome o : outcomes) {
            SmtpReply reply = o.remoteReply();
            if (reply != null) {
                for (ReplyPattern p : policy.suspendOn()) {
                    if (p.matches(reply)) {
                        return reply.toString();
                    }
                }
            }
        }
        return null;
    }

    private DestinationState state(String destination) {
        DestinationState s = states.get(destination);
        if (s == null) {
            forgetIdle();
            s = fresh(destination);
            states.put(destination, s);
        }
        return s;
    }

    private DestinationState fresh(String destination) {
        DestinationRule rule = policy.ruleFor(destination);
        int cap = perDestinationCap;
        int initial = policy.initialConcurrency();
        MessageRate rate = null;
        if (rule != null) {
            cap = rule.maxConcurrency() > 0 ? Math.min(cap, rule.maxConcurrency()) : cap;
            initial = rule.initialConcurrency() > 0 ? rule.initialConcurrency() : initial;
            rate = rule.maxRate();
        }
        return new DestinationState(destination, initial, cap, rate);
    }

    /** Keeps the map bounded: past {@link #MAX_STATES}, the least recently used idle destination goes. */
    private void forgetIdle() {
        if (states.size() < MAX_STATES) {
            return;
        }
        long now = clock.millis();
        for (Iterator<DestinationState> i = states.values().iterator(); i.hasNext(); ) {
            if (i.next().idle(now)) {
                i.remove();
                return;
            }
        }
    }

    private static String oneLine(Object text) {
        return text.toString().replaceAll("[\\r\\n\\t]+", " ").strip();
    }
}
