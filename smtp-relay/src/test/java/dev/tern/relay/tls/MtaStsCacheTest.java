package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MtaStsCacheTest {
    private static final Instant NOW = Instant.parse("2026-12-04T07:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static MtaStsPolicy policy(String id, Duration maxAge, Instant fetched) {
        return new MtaStsPolicy(
                id, MtaStsPolicy.Mode.ENFORCE, List.of("mx.example.com", "*.example.net"), maxAge, fetched);
    }

    @Test
    void keepsAtMostMaxEntriesDroppingTheLeastRecentlyUsed() {
        MtaStsCache cache = new MtaStsCache(dir.resolve("p"), 2, Runnable::run, clock);
        cache.put("a.test", policy("1", Duration.ofDays(1), NOW));
        cache.put("b.test", policy("1", Duration.ofDays(1), NOW));
        cache.get("a.test");
        cache.put("c.test", policy("1", Duration.ofDays(1), NOW));

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get("b.test")).isNull();
        assertThat(cache.get("a.test")).isNotNull();
        assertThat(cache.get("c.test")).isNotNull();
    }

    @Test
    void aPolicyPastItsMaxAgeIsGone() {
        MtaStsCache cache = new MtaStsCache(dir.resolve("p"), 10, Runnable::run, clock);
        cache.put("old.test", policy("1", Duration.ofHours(1), NOW.minus(Duration.ofHours(2))));

        assertThat(cache.get("old.test")).isNull();
    }

    @Test
    void readsBackWhatItWroteAndSkipsDamagedLines() throws Exception {
        Path file = dir.resolve("p");
        MtaStsCache cache = new MtaStsCache(file, 10, Runnable::run, clock);
        MtaStsPolicy kept = policy("abc", Duration.ofDays(1), NOW);
        cache.put("Example.com", kept);
        Files.writeString(file, Files.readString(file) + "garbage line\n");

        MtaStsCache again = new MtaStsCache(file, 10, Runnable::run, clock);

        assertThat(again.get("example.com")).isEqualTo(kept);
        assertThat(again.size()).isEqualTo(1);
        assertThat(dir.resolve("p.tmp")).doesNotExist();
    }
}
