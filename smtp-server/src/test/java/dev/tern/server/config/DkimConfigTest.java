package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.server.dkim.DkimAlgorithm;
import dev.tern.server.tls.PemFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** dkim.*: keys are read at load, and a bad one stops Tern naming its domain and selector. */
class DkimConfigTest {
    @TempDir
    Path dir;

    private TernConfig load(String domains) {
        return ConfigLoader.fromYaml("data-dir: " + dir + "\ndkim:\n  domains: " + domains + "\n", Map.of());
    }

    private Path key(String algorithm, int bits) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
        if (bits > 0) {
            generator.initialize(bits);
        }
        return Files.writeString(
                dir.resolve(algorithm + bits + ".pem"),
                PemFiles.toPkcs8Pem(generator.generateKeyPair().getPrivate()));
    }

    @Test
    void loadsBothAlgorithmsForOneDomainAndTheStarEntry() throws Exception {
        Path ed = key("Ed25519", 0);
        Path rsa = key("RSA", 2048);
        TernConfig c = load("{Example.COM: [\"e1:ed25519-sha256:" + ed + "\", \"r1:rsa-sha256:" + rsa + "\"], \"*\": "
                + "[\"any:ed25519-sha256:" + ed + "\"]}");

        var keys = c.dkim().loadKeys();
        assertThat(keys.get("example.com"))
                .extracting(k -> k.algorithm())
                .containsExactly(DkimAlgorithm.ED25519_SHA256, DkimAlgorithm.RSA_SHA256);
        assertThat(keys.get("*")).hasSize(1);
        assertThat(c.dkim().canonicalization().toString()).isEqualTo("relaxed/relaxed");
    }

    @Test
    void refusesAnRsaKeyUnder2048BitsNamingIt() throws Exception {
        Path small = key("RSA", 1024);
        assertThatThrownBy(() -> load("{example.com: [\"old:rsa-sha256:" + small + "\"]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dkim.domains.example.com")
                .hasMessageContaining("key 'old'")
                .hasMessageContaining("1024-bit");
    }

    @Test
    void refusesAKeyOfTheWrongTypeAMissingFileAndAFileWithoutAKey() throws Exception {
        Path ed = key("Ed25519", 0);
        assertThatThrownBy(() -> load("{example.com: [\"r:rsa-sha256:" + ed + "\"]}"))
                .hasMessageContaining("key 'r'")
                .hasMessageContaining("not an RSA key");
        assertThatThrownBy(() -> load("{example.com: [\"gone:ed25519-sha256:" + dir.resolve("missing.pem") + "\"]}"))
                .hasMessageContaining("dkim.domains.example.com")
                .hasMessageContaining("key 'gone'");
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a key\n");
        assertThatThrownBy(() -> load("{example.com: [\"junk:ed25519-sha256:" + junk + "\"]}"))
                .hasMessageContaining("key 'junk'")
                .hasMessageContaining("no PRIVATE KEY block");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # key text                             | message
            # no file part
            s1:ed25519-sha256                      | SELECTOR:ALGORITHM:KEY-FILE
            # unknown algorithm
            s1:dsa-sha1:/k.pem                     | unknown algorithm
            # a selector that is no DNS name
            'bad_sel:ed25519-sha256:/k.pem'        | is not a DNS name
            """)
    void refusesAMalformedKeyEntry(String entry, String message) {
        assertThatThrownBy(() -> load("{example.com: [\"" + entry + "\"]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("dkim.domains")
                .hasMessageContaining(message);
    }

    @Test
    void refusesAnExpiryUnderOneSecond() {
        assertThatThrownBy(
                        () -> ConfigLoader.fromYaml("data-dir: " + dir + "\ndkim: {expire-after: 500ms}\n", Map.of()))
                .hasMessageContaining("dkim.expire-after");
    }

    @Test
    void refusesAHeaderListWithoutFrom() {
        assertThatThrownBy(() ->
                        ConfigLoader.fromYaml("data-dir: " + dir + "\ndkim: {headers: [To, Subject]}\n", Map.of()))
                .hasMessageContaining("dkim.headers")
                .hasMessageContaining("From");
    }
}
