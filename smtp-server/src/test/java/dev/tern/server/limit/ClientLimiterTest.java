package dev.tern.server.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.RateLimitsConfig;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The limiter on a controlled clock: every window is crossed and waited out without waiting. */
class ClientLimiterTest {
    private final AtomicLong nanos = new AtomicLong(1_000);
    private final Ticker ticker = nanos::get;

    private static RateLimitsConfig limits(String yaml) {
        return ConfigLoader.fromYaml("rate-limits: {" + yaml + "}", Map.of()).rateLimits();
    }

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    @Test
    void connectionsPerMinuteAreCountedPerAddress() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("connections-per-minute: 3"), ticker);
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.client(ip("192.0.2.1"), false).allowConnection()).isTrue();
        }
        assertThat(limiter.client(ip("192.0.2.1"), false).allowConnection()).isFalse();
        // Another address has its own allowance; a trusted one has no limit.
        assertThat(limiter.client(ip("192.0.2.2"), false).allowConnection()).isTrue();
        assertThat(limiter.client(ip("192.0.2.1"), true).allowConnection()).isTrue();
        // Two minutes on, the burst has slid out of the window.
        advance(Duration.ofMinutes(2));
        assertThat(limiter.client(ip("192.0.2.1"), false).allowConnection()).isTrue();
    }

    @Test
    void anIpv6SlashSixtyFourIsOneClient() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("connections-per-minute: 2"), ticker);
        assertThat(limiter.client(ip("2001:db8::1"), false).allowConnection()).isTrue();
        assertThat(limiter.client(ip("2001:db8::2"), false).allowConnection()).isTrue();
        assertThat(limiter.client(ip("2001:db8::ffff:3"), false).allowConnection())
                .isFalse();
        assertThat(limiter.client(ip("2001:db8:0:1::1"), false).allowConnection())
                .isTrue();
    }

    @Test
    void messagesAndRecipientsHaveTheirOwnAllowances() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("messages-per-minute: 1, recipients-per-minute: 2"), ticker);
        ClientLimiter.Client c = limiter.client(ip("192.0.2.1"), false);
        assertThat(c.allowMessage(false)).isTrue();
        assertThat(c.allowMessage(false)).isFalse();
        assertThat(c.allowRecipient(false)).isTrue();
        assertThat(c.allowRecipient(false)).isTrue();
        assertThat(c.allowRecipient(false)).isFalse();
        // Not exempt by default when authenticated.
        assertThat(c.allowRecipient(true)).isFalse();
    }

    @Test
    void authenticatedSessionsMayBeExempt() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("messages-per-minute: 1, exempt-authenticated: true"), ticker);
        ClientLimiter.Client c = limiter.client(ip("192.0.2.1"), false);
        assertThat(c.allowMessage(true)).isTrue();
        assertThat(c.allowMessage(true)).isTrue();
        assertThat(c.allowMessage(false)).isTrue();
        assertThat(c.allowMessage(false)).isFalse();
    }

    @Test
    void authFailuresBlockTheAddressOnEveryConnectionUntilTheWindowPasses() throws Exception {
        ClientLimiter limiter = new ClientLimiter(
                limits("auth-failures: 3, auth-failures-per-user: 0, auth-failure-window: 10m"), ticker);
        for (int i = 0; i < 3; i++) {
            ClientLimiter.Client connection = limiter.client(ip("192.0.2.1"), false);
            assertThat(connection.authBlocked()).isFalse();
            assertThat(connection.beginAuth("user" + i)).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        }
        assertThat(limiter.client(ip("192.0.2.1"), false).authBlocked()).isTrue();
        assertThat(limiter.client(ip("192.0.2.9"), false).authBlocked()).isFalse();
        advance(Duration.ofMinutes(9));
        assertThat(limiter.client(ip("192.0.2.1"), false).authBlocked()).isTrue();
        advance(Duration.ofMinutes(12));
        assertThat(limiter.client(ip("192.0.2.1"), false).authBlocked()).isFalse();
    }

    @Test
    void authFailuresForOneUserAreCountedAcrossAddresses() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("auth-failures: 0, auth-failures-per-user: 4"), ticker);
        for (int i = 1; i <= 4; i++) {
            ClientLimiter.Client c = limiter.client(ip("198.51.100." + i), false);
            assertThat(c.beginAuth(i % 2 == 0 ? "alice" : "ALICE")).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        }
        assertThat(limiter.client(ip("203.0.113.7"), false).beginAuth("Alice"))
                .isEqualTo(ClientLimiter.AuthAttempt.USER_BLOCKED);
        assertThat(limiter.client(ip("203.0.113.7"), false).beginAuth("bob"))
                .isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        assertThat(limiter.client(ip("203.0.113.7"), false).authBlocked()).isFalse();
    }

    @Test
    void attemptsUnderWayCountAgainstTheAddressBeforeTheirPasswordsAreChecked() throws Exception {
        ClientLimiter limiter = new ClientLimiter(
                limits("auth-failures: 3, auth-failures-per-user: 0, auth-failure-window: 10m"), ticker);
        // Four guesses held open on four connections and answered at once: the fourth is refused unchecked.
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.client(ip("192.0.2.1"), false).beginAuth("user" + i))
                    .isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        }
        ClientLimiter.Client fourth = limiter.client(ip("192.0.2.1"), false);
        assertThat(fourth.beginAuth("user3")).isEqualTo(ClientLimiter.AuthAttempt.ADDRESS_BLOCKED);
        // One of them was the right password: it is no failure, and leaves room for one more.
        fourth.authNotFailed("user0");
        assertThat(fourth.beginAuth("user3")).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        assertThat(fourth.authBlocked()).isTrue();
    }

    @Test
    void attemptsUnderWayForOneUserCountAcrossAddressesAndARefusalCountsNothing() throws Exception {
        ClientLimiter limiter = new ClientLimiter(limits("auth-failures: 2, auth-failures-per-user: 3"), ticker);
        for (int i = 1; i <= 3; i++) {
            assertThat(limiter.client(ip("198.51.100." + i), false).beginAuth("bob"))
                    .isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        }
        ClientLimiter.Client other = limiter.client(ip("203.0.113.7"), false);
        assertThat(other.beginAuth("BOB")).isEqualTo(ClientLimiter.AuthAttempt.USER_BLOCKED);
        // Refused for the user's sake, the attempt took nothing of the address's own allowance.
        assertThat(other.beginAuth("alice")).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        assertThat(other.beginAuth("carol")).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        assertThat(other.beginAuth("dave")).isEqualTo(ClientLimiter.AuthAttempt.ADDRESS_BLOCKED);
    }

    @Test
    void longUserNamesAreFoldedIntoAShortKey() {
        String key = ClientLimiter.userKey("X".repeat(12_000));
        assertThat(key).hasSizeLessThanOrEqualTo(64).startsWith("xxx");
        assertThat(ClientLimiter.userKey("x".repeat(12_000) + "a"))
                .isNotEqualTo(key.replace('#', '_'))
                .isNotEqualTo(ClientLimiter.userKey("x".repeat(12_000) + "b"));
    }

    @Test
    void zeroTurnsALimitOff() throws Exception {
        ClientLimiter limiter = new ClientLimiter(
                limits("connections-per-minute: 0, messages-per-minute: 0, recipients-per-minute: 0,"
                        + " tls-handshakes-per-minute: 0, auth-failures: 0, auth-failures-per-user: 0"),
                ticker);
        ClientLimiter.Client c = limiter.client(ip("192.0.2.1"), false);
        for (int i = 0; i < 10_000; i++) {
            assertThat(c.allowConnection() && c.allowMessage(false) && c.allowTlsHandshake())
                    .isTrue();
            assertThat(c.beginAuth("alice")).isEqualTo(ClientLimiter.AuthAttempt.ALLOWED);
        }
        assertThat(c.authBlocked()).isFalse();
        assertThat(limiter.trackedClients()).isZero();
    }
}
