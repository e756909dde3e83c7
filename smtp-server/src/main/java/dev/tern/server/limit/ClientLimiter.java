package dev.tern.server.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.tern.server.config.RateLimitsConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The server's one rate limiter (ARCHITECTURE.md, "Inbound pipeline"): sliding-window counts per client
 * address prefix and per AUTH user name, in Caffeine caches bounded by {@code max-tracked-clients} (the
 * least recently seen are forgotten first) and expiring once their windows are over. Handlers ask it
 * through the {@link Client} of their session and keep no counters of their own. Safe from any thread.
 */
public final class ClientLimiter {
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    /** Longer user names are folded into a fixed-size key, so a name cannot be used to fill the heap. */
    private static final int MAX_USER_KEY = 64;

    private final RateLimitsConfig limits;
    private final Ticker ticker;
    private final long authWindow;
    private final Cache<ClientKey, Counters> clients;
    private final Cache<String, SlidingWindow> users;

    public ClientLimiter(RateLimitsConfig limits, Ticker ticker) {
        this.limits = limits;
        this.ticker = ticker;
        this.authWindow = limits.authFailureWindow().toNanos();
        long shortLife = 2 * MINUTE;
        long longLife = 2 * Math.max(MINUTE, authWindow);
        // Upkeep (eviction, expiry) runs on the calling event loop, amortised and under a tryLock: handing
        // it to another pool woke a thread every few reads, which measured at several percent of CPU per
        // message, where this costs a fraction of one.
        this.clients = Caffeine.newBuilder()
                .maximumSize(limits.maxTrackedClients())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfter(new Expiry<ClientKey, Counters>() {
                    @Override
                    public long expireAfterCreate(ClientKey key, Counters value, long currentTime) {
                        return shortLife;
                    }

                    @Override
                    public long expireAfterUpdate(ClientKey key, Counters value, long currentTime, long left) {
                        return left;
                    }

                    @Override
                    public long expireAfterRead(ClientKey key, Counters value, long currentTime, long left) {
                        // A client with failed AUTH attempts is remembered for the longer AUTH window.
                        return value.authFailed ? longLife : shortLife;
                    }
                })
                .build();
        this.users = Caffeine.newBuilder()
                .maximumSize(limits.maxTrackedClients())
                .ticker(ticker)
                .executor(Runnable::run)
                .expireAfterAccess(Duration.ofNanos(longLife))
                .build();
    }

    /** The limits as they apply to one session's client; {@code trusted} clients are never limited. */
    public Client client(InetAddress address, boolean trusted) {
        boolean off = trusted || limits.off();
        return new Client(off ? null : ClientKey.of(address, limits.ipv4Prefix(), limits.ipv6Prefix()));
    }

    /** Whether authenticated sessions are exempt from the abuse limits ({@code exempt-authenticated}). */
    public boolean exemptsAuthenticated() {
        return limits.exemptAuthenticated();
    }

    /** Addresses remembered now (an estimate, for the meter). */
    public long trackedClients() {
        return clients.estimatedSize();
    }

    /** Runs pending evictions (tests measure the bound after it). */
    void cleanUp() {
        clients.cleanUp();
        users.cleanUp();
    }

    private Counters counters(ClientKey key) {
        return clients.get(key, k -> new Counters());
    }

    /** Case-folded, and long names folded into a fixed-size key. */
    static String userKey(String user) {
        String folded = user.toLowerCase(Locale.ROOT);
        if (folded.length() <= MAX_USER_KEY) {
            return folded;
        }
        return folded.substring(0, MAX_USER_KEY - 9) + "#" + Integer.toHexString(folded.hashCode());
    }

    /** What is counted per client; each is one slot of {@link Counters}. */
    private static final int CONNECTIONS = 0;

    private static final int TLS_HANDSHAKES = 1;
    private static final int MESSAGES = 2;
    private static final int RECIPIENTS = 3;
    private static final int AUTH_FAILURES = 4;

    /** One client's windows, each made on first use; guarded by the instance's lock. */
    private static final class Counters {
        final SlidingWindow[] windows = new SlidingWindow[5];
        /** Set once AUTH has failed: the entry is then kept for the longer AUTH window. */
        volatile boolean authFailed;

        SlidingWindow window(int slot, long now) {
            SlidingWindow w = windows[slot];
            if (w == null) {
                w = new SlidingWindow(now);
                windows[slot] = w;
            }
            return w;
        }
    }

    /** The limits of one session's client: created once its address is known. */
    public final class Client {
        /** Null when the client is exempt or every limit is off. */
        private final ClientKey key;

        private Client(ClientKey key) {
            this.key = key;
        }

        /** A new connection; false past {@code connections-per-minute}. */
        public boolean allowConnection() {
            return acquire(CONNECTIONS, limits.connectionsPerMinute());
        }

        /** A new TLS handshake (STARTTLS or implicit TLS); false past {@code tls-handshakes-per-minute}. */
        public boolean allowTlsHandshake() {
            return acquire(TLS_HANDSHAKES, limits.tlsHandshakesPerMinute());
        }

        /** A new transaction (MAIL); false past {@code messages-per-minute}. */
        public boolean allowMessage(boolean authenticated) {
            return (authenticated && limits.exemptAuthenticated()) || acquire(MESSAGES, limits.messagesPerMinute());
        }

        /** A recipient (RCPT); false past {@code recipients-per-minute}. */
        public boolean allowRecipient(boolean authenticated) {
            return (authenticated && limits.exemptAuthenticated()) || acquire(RECIPIENTS, limits.recipientsPerMinute());
        }

        private boolean acquire(int slot, int limit) {
            if (key == null || limit == 0) {
                return true;
            }
            Counters c = counters(key);
            synchronized (c) {
                long now = ticker.read();
                return c.window(slot, now).tryAcquire(now, MINUTE, limit);
            }
        }

        /** Whether this address has failed AUTH {@code auth-failures} times within the window. */
        public boolean authBlocked() {
            int limit = limits.authFailures();
            if (key == null || limit == 0) {
                return false;
            }
            Counters c = clients.getIfPresent(key);
            if (c == null || !c.authFailed) {
                return false;
            }
            synchronized (c) {
                long now = ticker.read();
                return c.window(AUTH_FAILURES, now).reached(now, authWindow, limit);
            }
        }

        /**
         * Counts an AUTH attempt as a failure before its password is checked, against this address and against
         * {@code user}, unless either has reached its limit (then nothing is counted, and the answer says
         * which). Counted first, attempts under way at once are seen by each other: sent together, or spread
         * over many connections, they cannot all be checked before the first failure counts.
         * {@link #authNotFailed} takes the count back when the attempt turns out not to be a failure.
         */
        public AuthAttempt beginAuth(String user) {
            if (key == null) {
                return AuthAttempt.ALLOWED;
            }
            long now = ticker.read();
            int addressLimit = limits.authFailures();
            if (addressLimit > 0) {
                Counters c = counters(key);
                synchronized (c) {
                    SlidingWindow failures = c.window(AUTH_FAILURES, now);
                    if (failures.reached(now, authWindow, addressLimit)) {
                        return AuthAttempt.ADDRESS_BLOCKED;
                    }
                    failures.add(now, authWindow);
                    c.authFailed = true;
                }
            }
            int userLimit = limits.authFailuresPerUser();
            if (userLimit > 0) {
                SlidingWindow w = users.get(userKey(user), k -> new SlidingWindow(now));
                boolean blocked;
                synchronized (w) {
                    blocked = w.reached(now, authWindow, userLimit);
                    if (!blocked) {
                        w.add(now, authWindow);
                    }
                }
                if (blocked) {
                    takeBack(null, now); // refused for the user's sake: nothing counts against the address
                    return AuthAttempt.USER_BLOCKED;
                }
            }
            return AuthAttempt.ALLOWED;
        }

        /** The attempt {@link #beginAuth} counted succeeded, or could not be checked: it is no failure. */
        public void authNotFailed(String user) {
            if (key != null) {
                takeBack(user, ticker.read());
            }
        }

        /** Takes back one failure counted by {@link #beginAuth} from the address and, given one, from {@code user}. */
        private void takeBack(String user, long now) {
            if (limits.authFailures() > 0) {
                Counters c = counters(key);
                synchronized (c) {
                    c.window(AUTH_FAILURES, now).remove();
                }
            }
            SlidingWindow w =
                    user != null && limits.authFailuresPerUser() > 0 ? users.getIfPresent(userKey(user)) : null;
            if (w != null) {
                synchronized (w) {
                    w.remove();
                }
            }
        }
    }

    /** Whether an AUTH attempt may have its password checked, or which limit it met. */
    public enum AuthAttempt {
        ALLOWED,
        ADDRESS_BLOCKED,
        USER_BLOCKED
    }
}
