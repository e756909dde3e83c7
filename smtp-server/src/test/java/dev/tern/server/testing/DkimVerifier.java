package dev.tern.server.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An independent DKIM verifier: dkimpy, Debian's {@code python3-dkim} (whose {@code dkimverify} program
 * marks it installed), run by the Python that {@code dkimverify} itself runs on. Key records come from the
 * in-test DNS responder on loopback, never from the network.
 */
public final class DkimVerifier {
    private DkimVerifier() {}

    /**
     * Verifies every DKIM-Signature of {@code message}; the run's exit is 0 only when there is at least one
     * and every one passes. Its output has one line per signature ({@code 0 pass ed25519-sha256 d s}).
     */
    public static ExternalTools.Run verify(Path workDir, byte[] message, int dnsPort)
            throws IOException, InterruptedException {
        Path dkimverify = ExternalTools.require("dkimverify", "python3-dkim");
        Path script = workDir.resolve("dkim_verify.py");
        if (!Files.exists(script)) {
            try (InputStream in = DkimVerifier.class.getResourceAsStream("dkim_verify.py")) {
                Files.copy(in, script);
            }
        }
        Path file = Files.createTempFile(workDir, "message", ".eml");
        Files.write(file, message);
        return ExternalTools.run(
                workDir,
                Duration.ofSeconds(30),
                python(dkimverify),
                script.toString(),
                file.toString(),
                Integer.toString(dnsPort));
    }

    /** The interpreter on {@code dkimverify}'s {@code #!} line, which has the dkim module. */
    private static String python(Path dkimverify) {
        try {
            String first =
                    Files.readAllLines(dkimverify, StandardCharsets.UTF_8).get(0);
            if (!first.startsWith("#!")) {
                throw new IllegalStateException(dkimverify + " has no #! line");
            }
            String[] words = first.substring(2).strip().split("\\s+");
            // "#!/usr/bin/env python3" names the interpreter in its second word.
            return words[0].endsWith("/env") && words.length > 1 ? words[1] : words[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
