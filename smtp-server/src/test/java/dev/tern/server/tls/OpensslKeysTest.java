package dev.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.config.TlsConfig;
import dev.tern.server.testing.ExternalTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Keys as the openssl command writes them, when it is installed. */
class OpensslKeysTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # PKCS#1, as OpenSSL 1.x genrsa wrote by default
            genrsa -traditional -out key.pem 2048                          | BEGIN RSA PRIVATE KEY
            # PKCS#8, as OpenSSL 3 genpkey writes
            genpkey -algorithm RSA -out key.pem                            | BEGIN PRIVATE KEY
            # RFC 5915 with an EC PARAMETERS block in front
            ecparam -name prime256v1 -genkey -out key.pem                  | BEGIN EC PARAMETERS
            # Ed25519, PKCS#8 (RFC 8410)
            genpkey -algorithm ed25519 -out key.pem                        | BEGIN PRIVATE KEY
            """)
    void loadsKeysWrittenByOpenssl(String arguments, String marker) throws Exception {
        Path openssl = ExternalTools.require("openssl", "openssl");
        run(openssl, arguments);
        run(openssl, "req -new -x509 -key key.pem -out cert.pem -days 1 -subj /CN=localhost");

        assertThat(Files.readString(dir.resolve("key.pem"))).contains(marker);
        assertThat(TlsMaterial.load(new TlsConfig(dir.resolve("cert.pem"), dir.resolve("key.pem")), dir, "h")
                        .isServer())
                .isTrue();
    }

    private void run(Path openssl, String arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of(openssl.toString()));
        command.addAll(List.of(arguments.split(" ")));
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
    }
}
