package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.relay.queue.DestinationRule;
import dev.tern.relay.queue.MessageRate;
import dev.tern.relay.queue.ShapingPolicy;
import dev.tern.smtp.SmtpReply;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    @Test
    void zeroConfigGivesTheDocumentedDefaults() throws Exception {
        TernConfig c = ConfigLoader.load(null, Map.of());

        assertThat(c.hostname()).isEqualTo("localhost");
        assertThat(c.dataDir()).isEqualTo(Path.of("tern-data"));
        assertThat(c.listeners())
                .containsExactly(
                        new ListenerConfig("mx", ListenerMode.MX, "127.0.0.1", 2525, true, List.of()),
                        new ListenerConfig("submission", ListenerMode.SUBMISSION, "127.0.0.1", 2587, true, List.of()),
                        new ListenerConfig("smtps", ListenerMode.SMTPS, "127.0.0.1", 2465, true, List.of()));
        assertThat(c.local()).isEqualTo(new LocalConfig(List.of("localhost"), List.of(), Map.of(), "", ""));
        // This host's own loopback addresses only: another loopback address is a client like any other.
        assertThat(c.relay().isTrusted(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(c.relay().isTrusted(InetAddress.getByName("::1"))).isTrue();
        assertThat(c.relay().isTrusted(InetAddress.getByName("127.0.0.9"))).isFalse();
        assertThat(c.relay().isTrusted(InetAddress.getByName("192.0.2.1"))).isFalse();
        assertThat(c.limits())
                .isEqualTo(new LimitsConfig(
                        10_000,
                        50,
                        25L << 20,
                        100,
                        1000,
                        20,
                        50,
                        512L << 20,
                        100L << 10,
                        1000,
                        1000,
                        100,
                        10,
                        Duration.ofSeconds(1),
                        64L << 10,
                        true));
        assertThat(c.rateLimits())
                .isEqualTo(new RateLimitsConfig(
                        120, 300, 1200, 120, 10, 30, Duration.ofMinutes(15), 32, 64, 100_000, false));
        assertThat(c.spool().minFreeSpace()).isEqualTo(100L << 20);
        assertThat(c.spool().commitDelay()).isEqualTo(Duration.ofMillis(1));
        assertThat(c.auth().senders()).isEmpty();
        assertThat(c.timeouts())
                .isEqualTo(new TimeoutsConfig(
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(3),
                        Duration.ofMinutes(10),
                        1024,
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(10)));
        assertThat(c.tls()).isEqualTo(new TlsConfig(null, null));
        assertThat(c.auth().usersFile()).isEqualTo(Path.of("tern-data", "users"));
        assertThat(c.spool().directory()).isEqualTo(Path.of("tern-data", "spool"));
        assertThat(c.management())
                .isEqualTo(new ManagementConfig("127.0.0.1", 9465, true, Path.of("tern-data", "admin-token")));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void hostnameDefaultsToTheHostnameVariable() {
        assertThat(ConfigLoader.load(null, Map.of("HOSTNAME", "mx1.example")).hostname())
                .isEqualTo("mx1.example");
    }

    @Test
    void yamlFileOverridesOnlyTheKeysItNames(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("tern.yaml");
        Files.writeString(
                file,
                """
                hostname: mail.example.org
                data-dir: /var/lib/tern
                listeners:
                  mx:
                    address: 0.0.0.0
                    port: 25
                  smtps: ~
                  extra:
                    mode: submission
                    port: 10587
                local:
                  domains: [example.org, example.net]
                  mailboxes: [alice@example.org]
                  aliases:
                    postmaster: alice@example.org
                relay:
                  trusted-networks: [10.0.0.0/8, "2001:db8::/32"]
                limits:
                  max-message-size: 10MiB
                  max-recipients: 500
                timeouts:
                  command: 2m
                  tls-handshake: 500ms
                tls:
                  cert-file: /etc/tern/cert.pem
                  key-file: /etc/tern/key.pem
                management:
                  enabled: false
                """);

        TernConfig c = ConfigLoader.load(file, Map.of());

        assertThat(c.hostname()).isEqualTo("mail.example.org");
        assertThat(c.listeners())
                .containsExactly(
                        new ListenerConfig("mx", ListenerMode.MX, "0.0.0.0", 25, true, List.of()),
                        new ListenerConfig("submission", ListenerMode.SUBMISSION, "127.0.0.1", 2587, true, List.of()),
                        new ListenerConfig("extra", ListenerMode.SUBMISSION, "127.0.0.1", 10587, true, List.of()));
        assertThat(c.local().domains()).containsExactly("example.org", "example.net");
        assertThat(c.local().mailboxes()).containsExactly("alice@example.org");
        assertThat(c.local().aliases()).containsEntry("postmaster", "alice@example.org");
        assertThat(c.relay().trustedNetworks()).containsExactly(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32"));
        assertThat(c.limits().maxMessageSize()).isEqualTo(10L << 20);
        assertThat(c.limits().maxRecipients()).isEqualTo(500);
        assertThat(c.limits().maxErrors()).isEqualTo(20);
        assertThat(c.timeouts().command()).isEqualTo(Duration.ofMinutes(2));
        assertThat(c.timeouts().tlsHandshake()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.timeouts().dataBlock()).isEqualTo(Duration.ofMinutes(3));
        assertThat(c.tls().certFile()).isEqualTo(Path.of("/etc/tern/cert.pem"));
        assertThat(c.auth().usersFile()).isEqualTo(Path.of("/var/lib/tern/users"));
        assertThat(c.spool().directory()).isEqualTo(Path.of("/var/lib/tern/spool"));
        assertThat(c.management().enabled()).isFalse();
    }

    @Test
    void environmentOverridesTheFile() {
        TernConfig c =
                ConfigLoader.fromYaml("limits: {max-recipients: 500}", Map.of("TERN_LIMITS_MAX_RECIPIENTS", "7"));

        assertThat(c.limits().maxRecipients()).isEqualTo(7);
    }

    @Test
    void environmentReachesListenersNamedOnlyInTheFile() {
        TernConfig c = ConfigLoader.fromYaml(
                "listeners: {backup: {mode: mx, port: 2626}}", Map.of("TERN_LISTENERS_BACKUP_PORT", "2727"));

        assertThat(c.listener("backup"))
                .contains(new ListenerConfig("backup", ListenerMode.MX, "127.0.0.1", 2727, true, List.of()));
    }

    @Test
    void takesTheLogLevelFromTheEnvironment() {
        assertThat(ConfigLoader.fromYaml("", Map.of()).logLevel()).isEqualTo("info");
        assertThat(ConfigLoader.fromYaml("", Map.of("TERN_LOG_LEVEL", "debug")).logLevel())
                .isEqualTo("debug");
    }

    /** A container configured by its environment alone adds and removes listeners as a file does. */
    @Test
    void environmentAddsAndRemovesListeners() {
        TernConfig c = ConfigLoader.fromYaml(
                "",
                Map.of(
                        "TERN_LISTENERS_MX_PUBLIC_MODE", "mx",
                        "TERN_LISTENERS_MX_PUBLIC_PORT", "2626",
                        "TERN_LISTENERS_MX_PUBLIC_RESTRICT_SENDERS", "true",
                        "TERN_LISTENERS_SMTPS", "~",
                        "TERN_LISTENERS_SUBMISSION", ""));

        assertThat(c.listeners()).extracting(ListenerConfig::name).containsExactlyInAnyOrder("mx", "mx-public");
        assertThat(c.listener("mx-public"))
                .contains(new ListenerConfig("mx-public", ListenerMode.MX, "127.0.0.1", 2626, true, List.of()));
        assertThatThrownBy(() -> ConfigLoader.fromYaml("", Map.of("TERN_LISTENERS_EXTRA_PORT", "2627")))
                .as("a new listener still needs its mode")
                .hasMessageContaining("listeners.extra.mode");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("", Map.of("TERN_LISTENERS_NOSUCH", "~")))
                .as("only a listener there is can be removed")
                .hasMessageContaining("unknown environment variable TERN_LISTENERS_NOSUCH");
    }

    @Test
    void readsLoadBalancersPerListenerFromTheFileAndTheEnvironment() throws Exception {
        TernConfig c = ConfigLoader.fromYaml(
                "listeners: {mx: {proxy-protocol-from: [10.1.0.0/16]}, extra: {mode: smtps, port: 2466}}",
                Map.of("TERN_LISTENERS_EXTRA_PROXY_PROTOCOL_FROM", "192.0.2.7, 2001:db8::/64"));

        ListenerConfig mx = c.listener("mx").orElseThrow();
        assertThat(mx.proxyProtocolFrom()).containsExactly(Cidr.parse("10.1.0.0/16"));
        assertThat(mx.takesProxyHeaderFrom(InetAddress.getByName("10.1.2.3"))).isTrue();
        assertThat(mx.takesProxyHeaderFrom(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(c.listener("extra").orElseThrow().proxyProtocolFrom())
                .containsExactly(Cidr.parse("192.0.2.7/32"), Cidr.parse("2001:db8::/64"));
        // A listener says nothing of it: no PROXY protocol, as the template has it.
        assertThat(c.listener("submission").orElseThrow().proxyProtocolFrom()).isEmpty();
    }

    @Test
    void rejectsUnknownEnvironmentNamesNamingThem() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TERN_LIMITS_MAX_RECIPENTS", "5", "PATH", "/bin")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("TERN_LIMITS_MAX_RECIPENTS");
    }

    @Test
    void badEnvironmentValueNamesKeyAndVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TERN_LIMITS_MAX_ERRORS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("'limits.max-errors'")
                .hasMessageContaining("TERN_LIMITS_MAX_ERRORS");
    }

    /** A number is read from the file as the environment gives it: in decimal, or refused. */
    @Test
    void numbersInTheFileAndTheEnvironmentAreReadAlike() {
        assertThat(ConfigLoader.fromYaml("listeners: {mx: {port: 2625}}", Map.of())
                        .listener("mx")
                        .orElseThrow()
                        .port())
                .isEqualTo(ConfigLoader.load(null, Map.of("TERN_LISTENERS_MX_PORT", "2625"))
                        .listener("mx")
                        .orElseThrow()
                        .port())
                .isEqualTo(2625);
        assertThatThrownBy(() -> ConfigLoader.fromYaml("listeners: {mx: {port: 025}}", Map.of()))
                .hasMessage("key 'listeners.mx.port' must be an integer in plain decimal (no leading 0, +, 0x, 0b"
                        + " or _), got '025'");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TERN_LISTENERS_MX_PORT", "025")))
                .hasMessage("key 'listeners.mx.port' must be an integer in plain decimal (no leading 0, +, 0x, 0b"
                        + " or _), got '025' (from TERN_LISTENERS_MX_PORT)");
    }

    /** Text is kept as written where a key takes text, even when YAML would read it as a number. */
    @Test
    void textThatLooksLikeANumberIsKeptAsWritten() {
        TernConfig c = ConfigLoader.fromYaml("hostname: 0x10\nlocal: {aliases: {info: 0123}}", Map.of());

        assertThat(c.hostname()).isEqualTo("0x10");
        assertThat(c.local().aliases()).containsEntry("info", "0123");
    }

    /** An alias is a copy of the list or mapping its anchor marks. */
    @Test
    void readsAliasesAsCopiesOfTheirAnchors() {
        TernConfig c = ConfigLoader.fromYaml(
                """
                relay:
                  trusted-networks: &ours [192.0.2.0/24]
                delivery:
                  self-addresses: *ours
                """,
                Map.of());

        assertThat(c.delivery().selfAddresses()).containsExactly(Cidr.parse("192.0.2.0/24"));
        assertThat(c.relay().trustedNetworks()).containsExactly(Cidr.parse("192.0.2.0/24"));
    }

    @Test
    void refusesAnAliasWithoutItsAnchorAndMergeKeys() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("listeners:\n  mx: *nope\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config: the alias *nope follows no list or mapping anchored &nope (an anchor on a single"
                        + " value is not kept) (line 2)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                        "listeners:\n  mx: &l {port: 2625}\n  extra: {<<: *l, mode: mx}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config: merge keys (<<) are not read")
                .hasMessageEndingWith("(line 3)");
    }

    /** An empty variable is no path: the data directory would be the working directory. */
    @Test
    void refusesAnEmptyDataDirectoryNamingTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TERN_DATA_DIR", "")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("key 'data-dir' must not be empty (from TERN_DATA_DIR)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("TERN_AUTH_USERS_FILE", " ")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("key 'auth.users-file' must not be empty (from TERN_AUTH_USERS_FILE)");
    }

    @Test
    void localDomainsAreLowerCased() {
        TernConfig c = ConfigLoader.fromYaml("local: {domains: [Example.ORG]}", Map.of());

        assertThat(c.local().domains()).containsExactly("example.org");
    }

    @Test
    void usersFileAndSpoolFollowTheDataDirectory() {
        TernConfig c = ConfigLoader.load(null, Map.of("TERN_DATA_DIR", "/srv/tern"));

        assertThat(c.auth().usersFile()).isEqualTo(Path.of("/srv/tern/users"));
        assertThat(c.spool().directory()).isEqualTo(Path.of("/srv/tern/spool"));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> ConfigLoader.load(missing, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void malformedYamlGivesTheLine() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("limits:\n  max-errors: [1\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("line");
    }

    @Test
    void duplicateListenerNamesAreRejected() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("listeners:\n  mx: {port: 1}\n  mx: {port: 2}\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mx");
    }

    @Test
    void readsShapingRulesAsMappingsOrLinesInTheirOrder() {
        TernConfig c = ConfigLoader.fromYaml(
                """
                delivery:
                  shaping:
                    suspend-on: ["421 4.7.0", "4xx too many connections"]
                    destinations:
                      - {match: Gmail.com, max-rate: 600/m, max-concurrency: 5}
                      - "*.example.net initial-concurrency=1"
                      - {match: "*"}
                """,
                Map.of());

        ShapingPolicy policy = c.delivery().shaping().policy();
        assertThat(policy.rules())
                .containsExactly(
                        new DestinationRule("gmail.com", MessageRate.parse("600/m"), 5, 0),
                        new DestinationRule("*.example.net", null, 0, 1),
                        new DestinationRule("*", null, 0, 0));
        assertThat(policy.suspendOn().get(1).matches(new SmtpReply(421, "4.2.1", "Too many connections")))
                .isTrue();
        assertThat(c.delivery().shaping().suspendFor()).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void printedConfigurationLoadsBackToTheSameTree() {
        TernConfig original = ConfigLoader.fromYaml(
                """
                hostname: mx.example
                local: {domains: [example.com], aliases: {abuse: root@example.com}}
                relay: {trusted-networks: [192.0.2.0/24, "2001:db8::/48"]}
                limits: {max-message-size: 1000}
                timeouts: {tls-handshake: 1500ms}
                tls: {cert-file: c.pem, key-file: k.pem}
                delivery: {shaping: {destinations: [{match: .b.test, max-rate: 5/s, max-concurrency: 2}]}}
                """,
                Map.of());

        TernConfig reloaded = ConfigLoader.fromYaml(ConfigLoader.toYaml(original), Map.of());

        assertThat(reloaded).isEqualTo(original);
    }

    /** A YAML mistake is told on one line, at the line and column of the mistake itself. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // yaml (\\t a tab, \\u0001 a control character)   | message
                "limits:\\n\\tmax-recipients: 5                       | found character '\\t(TAB)' that cannot start any token. (Do not use \\t(TAB) for indentation) (line 2, column 1)",
                "limits:\\n  max-recipients 5\\n  other: 1         | mapping values are not allowed here (line 3, column 8)",
                "limits:\\n  max-recipients: 5\\u0001               | the character U+0001 is not allowed in YAML (line 2)",
                "limits:\\n  max-recipients: 5\\n---\\nlimits: {}   | a configuration file holds one YAML document; another begins here (line 4)",
            })
    void aYamlMistakeIsToldOnOneLineWhereItIs(String yaml, String message) {
        String text = yaml.replace("\\n", "\n").replace("\\t", "\t").replace("\\u0001", "\u0001");
        assertThatThrownBy(() -> ConfigLoader.fromYaml(text, Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageEndingWith(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void aDocumentMayBeginAndEndWithItsMarkers() {
        assertThat(ConfigLoader.fromYaml("---\nhostname: mx.example.test\n...\n", Map.of())
                        .hostname())
                .isEqualTo("mx.example.test");
    }

    @Test
    void aConfigFileThatCannotBeReadIsToldInWords(@TempDir Path dir) throws Exception {
        Path latin1 = Files.write(
                dir.resolve("latin1.yaml"), new byte[] {'h', 'o', 's', 't', 'n', 'a', 'm', 'e', ':', ' ', (byte) 0xe9});
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
                .hasMessageEndingWith("missing.yaml: no such file");
        assertThatThrownBy(() -> ConfigLoader.load(latin1, Map.of()))
                .hasMessageEndingWith("latin1.yaml: it is not UTF-8 text");
    }
}
