package dev.tern.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BcryptAuthenticatorTest {
    @TempDir
    Path dir;

    private BcryptAuthenticator authenticator;

    @AfterEach
    void close() {
        if (authenticator != null) {
            authenticator.close();
        }
    }

    @Test
    void checksPasswordsOffTheCallingThread() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), line("alice", "wonderland"));
        authenticator = BcryptAuthenticator.open(users);
        AtomicReference<String> thread = new AtomicReference<>();

        boolean ok = authenticator
                .authenticate("alice", "wonderland")
                .thenApply(result -> {
                    thread.set(Thread.currentThread().getName());
                    return result;
                })
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);

        assertThat(ok).isTrue();
        assertThat(thread.get()).startsWith("tern-auth-");
    }

    @Test
    void unknownUserAndWrongPasswordGiveTheSameAnswer() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), line("alice", "wonderland"));
        authenticator = BcryptAuthenticator.open(users);

        assertThat(result("alice", "nope")).isFalse();
        assertThat(result("mallory", "wonderland")).isFalse();
        assertThat(result(null, "x")).isFalse();
    }

    @Test
    void failsFastWhenThePoolIsSaturated() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), line("alice", "wonderland"));
        ExecutorService executor = BcryptAuthenticator.newExecutor(1, 1);
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> awaitQuietly(release)); // occupies the only thread
        executor.execute(() -> {}); // fills the queue
        authenticator = new BcryptAuthenticator(users, executor, InstantSource.system());

        CompletableFuture<Boolean> refused =
                authenticator.authenticate("alice", "wonderland").toCompletableFuture();

        assertThat(refused).isCompletedExceptionally();
        assertThat(refused)
                .failsWithin(Duration.ZERO)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(RejectedExecutionException.class);
        release.countDown();
        await().atMost(Duration.ofSeconds(10)).until(() -> result("alice", "wonderland"));
    }

    @Test
    void picksUpUsersAddedToTheFile() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), line("alice", "wonderland"));
        Files.setLastModifiedTime(users, FileTime.from(Instant.parse("2020-01-01T00:00:00Z")));
        FakeClock clock = new FakeClock();
        authenticator = new BcryptAuthenticator(users, BcryptAuthenticator.newExecutor(1, 8), clock);
        assertThat(result("bob", "builder")).isFalse();

        Files.writeString(users, line("bob", "builder"), StandardOpenOption.APPEND);
        assertThat(result("bob", "builder")).as("checked at most once a second").isFalse();
        clock.advance(Duration.ofSeconds(1));

        assertThat(result("bob", "builder")).isTrue();
        assertThat(authenticator.userCount()).isEqualTo(2);
    }

    @Test
    void keepsTheOldUsersWhenTheNewFileIsBroken() throws Exception {
        Path users = Files.writeString(dir.resolve("users"), line("alice", "wonderland"));
        FakeClock clock = new FakeClock();
        authenticator = new BcryptAuthenticator(users, BcryptAuthenticator.newExecutor(1, 8), clock);

        Files.writeString(users, "garbage\n", StandardOpenOption.APPEND);
        clock.advance(Duration.ofSeconds(2));

        assertThat(result("alice", "wonderland")).isTrue();
    }

    private boolean result(String user, String password) throws Exception {
        return authenticator.authenticate(user, password).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String line(String user, String password) {
        return user + ":" + UserStore.newHash(password.toCharArray()) + "\n";
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static final class FakeClock implements InstantSource {
        private volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }
    }
}
