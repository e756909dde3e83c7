package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.TestDnsServer;
import dev.tern.server.dkim.Canonicalization;
import dev.tern.server.dkim.DkimKey;
import dev.tern.server.dkim.DkimKeySpec;
import dev.tern.server.dkim.DkimMetrics;
import dev.tern.server.dkim.DkimSigner;
import dev.tern.server.testing.DkimVerifier;
import dev.tern.server.testing.ExternalTools;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code tern dkim keygen}: the key file is 0600, and the key with its printed record verifies in dkimpy. */
class DkimKeygenCommandTest {
    private static final Pattern RECORD = Pattern.compile("^(\\S+)\\. IN TXT ((?:\"[^\"]*\" ?)+)$", Pattern.MULTILINE);
    private static final Pattern ENTRY = Pattern.compile("^    (\\S+): \\[\"([^\"]+)\"\\]$", Pattern.MULTILINE);

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = TernCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @ParameterizedTest
    @CsvSource({"ed25519, 2048", "rsa, 2048", "rsa, 3072"})
    void writesAnOwnerOnlyKeyWhoseRecordVerifiesASignature(String algorithm, int bits) throws Exception {
        Path keys = dir.resolve("keys");
        int code = run(
                "dkim",
                "keygen",
                "--domain",
                "Example.com",
                "--selector",
                "s2026",
                "--algorithm",
                algorithm,
                "--bits",
                Integer.toString(bits),
                "--out",
                keys.toString());

        assertThat(code).as(err.toString()).isZero();
        Path file = keys.resolve("s2026.example.com.pem");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                .isEqualTo("rw-------");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");

        Matcher record = RECORD.matcher(out.toString());
        assertThat(record.find()).as(out.toString()).isTrue();
        assertThat(record.group(1)).isEqualTo("s2026._domainkey.example.com");
        List<String> strings = new ArrayList<>();
        Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(record.group(2));
        while (quoted.find()) {
            strings.add(quoted.group(1));
        }
        assertThat(strings).allSatisfy(s -> assertThat(s.length()).isLessThanOrEqualTo(255));
        assertThat(String.join("", strings)).startsWith("v=DKIM1; k=" + algorithm + "; p=");
        if (bits > 2048) {
            assertThat(strings).hasSizeGreaterThan(1);
        }

        // The printed configuration entry loads, and what it signs verifies against the printed record.
        Matcher entry = ENTRY.matcher(out.toString());
        assertThat(entry.find()).as(out.toString()).isTrue();
        DkimKey key = DkimKey.load(DkimKeySpec.parse(entry.group(2)));
        byte[] message = ("From: <a@example.com>\r\nTo: <b@example.net>\r\nSubject: keygen\r\n\r\nhello\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        String signature = new DkimSigner(
                        Map.of(entry.group(1), List.of(key)),
                        Canonicalization.RELAXED,
                        List.of("From", "To", "Subject"),
                        Duration.ZERO,
                        Runnable::run,
                        Clock.systemUTC(),
                        DkimMetrics.NONE)
                .signNow(new ByteBuffer[] {ByteBuffer.wrap(message)});
        try (TestDnsServer dns = TestDnsServer.start()) {
            dns.txt(record.group(1), strings);
            byte[] signed =
                    (signature + new String(message, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII);
            ExternalTools.Run verified = DkimVerifier.verify(dir, signed, dns.port());
            assertThat(verified.exit()).as(verified.output()).isZero();
        }
    }

    private int keygen(String algorithm, String bits) {
        return run(
                "dkim",
                "keygen",
                "--domain",
                "example.com",
                "--selector",
                "a",
                "--algorithm",
                algorithm,
                "--bits",
                bits,
                "--out",
                dir.toString());
    }

    @Test
    void refusesWeakRsaAndAnExistingFile() {
        assertThat(keygen("rsa", "1024")).isEqualTo(ExitCodes.REFUSED);
        assertThat(err.toString()).contains("2048");
        assertThat(keygen("ed25519", "2048")).isZero();
        assertThat(keygen("ed25519", "2048")).isEqualTo(ExitCodes.REFUSED);
        assertThat(err.toString()).contains("exists");
    }
}
