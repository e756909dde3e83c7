package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.server.auth.Authenticator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Guesses sent at once, on five connections, while the password checks are slow (here held until the test
 * lets them go): the AUTH failure limits count each attempt when it arrives, so only as many passwords are
 * checked as the limit allows and the rest are refused unchecked, from one address or, for one user name,
 * from five.
 */
class AuthRaceIT {
    private static final int GUESSES = 5;
    private static final int LIMIT = 3;

    private final List<CompletableFuture<Boolean>> checks = new CopyOnWriteArrayList<>();
    private final Authenticator held = (user, password) -> {
        CompletableFuture<Boolean> check = new CompletableFuture<>();
        checks.add(check);
        return check;
    };

    @TempDir
    Path dataDir;

    private TernFixture tern;
    private final List<RawSmtpClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        clients.forEach(RawSmtpClient::close);
        if (tern != null) {
            tern.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "one address,     TERN_RATE_LIMITS_AUTH_FAILURES,          TERN_RATE_LIMITS_AUTH_FAILURES_PER_USER",
        "many addresses,  TERN_RATE_LIMITS_AUTH_FAILURES_PER_USER, TERN_RATE_LIMITS_AUTH_FAILURES",
    })
    void guessesSentAtOnceMeetTheLimitAsGuessesOneAfterAnotherDo(String from, String limited, String off)
            throws Exception {
        tern = TernFixture.start(dataDir, Map.of(limited, String.valueOf(LIMIT), off, "0"), held);
        for (int i = 0; i < GUESSES; i++) {
            // Not a trusted network: 127.0.0.2 and up count against every limit.
            RawSmtpClient c =
                    tern.connectFrom("127.0.0." + (from.equals("one address") ? 2 : 2 + i), tern.submission());
            clients.add(c);
            c.reply();
            c.ehlo("guesser.test");
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            c.startTls(tern.clientTls());
            c.ehlo("guesser.test");
        }
        for (RawSmtpClient c : clients) {
            c.send("AUTH PLAIN " + TlsAndAuthIT.plain("bob", "guess") + "\r\n");
        }

        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10)).until(() -> checks.size() == LIMIT);
        checks.forEach(check -> check.complete(false));
        List<Integer> codes = new ArrayList<>();
        for (RawSmtpClient c : clients) {
            codes.add(c.reply().code());
        }

        assertThat(codes).filteredOn(code -> code == 535).hasSize(LIMIT);
        assertThat(codes).filteredOn(code -> code == 454).hasSize(GUESSES - LIMIT);
    }
}
