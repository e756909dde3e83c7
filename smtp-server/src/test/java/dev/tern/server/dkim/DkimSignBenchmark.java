package dev.tern.server.dkim;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one DKIM signature costs per message: relaxed/relaxed, the default header list, a 4 KiB and a 1 MiB
 * body of text lines in a direct buffer (as the session's pooled buffers are), with RSA-2048 and Ed25519.
 * Run as docs/performance.md says.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DkimSignBenchmark {
    @Param({"rsa-sha256", "ed25519-sha256"})
    public String algorithm;

    @Param({"4096", "1048576"})
    public int size;

    private DkimSigner signer;
    private ByteBuffer message;

    @Setup
    public void setUp() throws Exception {
        DkimAlgorithm a = DkimAlgorithm.parse(algorithm);
        KeyPairGenerator generator = KeyPairGenerator.getInstance(a.jcaKeyAlgorithm());
        if (a == DkimAlgorithm.RSA_SHA256) {
            generator.initialize(2048);
        }
        DkimKey key = new DkimKey("bench", a, generator.generateKeyPair().getPrivate());
        signer = new DkimSigner(
                Map.of("example.com", List.of(key)),
                Canonicalization.RELAXED,
                DkimSignerTest.HEADERS,
                Duration.ZERO,
                Runnable::run,
                Clock.systemUTC(),
                DkimMetrics.NONE);
        StringBuilder text =
                new StringBuilder("From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: benchmark\r\n"
                        + "Date: Fri, 04 Dec 2026 07:00:00 +0000\r\nMessage-ID: <1@example.com>\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog,  again\tand again.\r\n";
        while (text.length() < size) {
            text.append(line);
        }
        byte[] bytes = text.substring(0, size - 2).concat("\r\n").getBytes(StandardCharsets.US_ASCII);
        message = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    /** The floor: SHA-256 of the same octets, with no canonicalisation and no signature. */
    @Benchmark
    public byte[] sha256Only() throws Exception {
        java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
        digest.update(message.duplicate());
        return digest.digest();
    }

    @Benchmark
    public String sign() {
        return signer.signNow(new ByteBuffer[] {message.duplicate()});
    }
}
