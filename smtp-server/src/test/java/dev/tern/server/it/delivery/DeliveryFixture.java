package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.server.app.TernServer;
import dev.tern.server.auth.BcryptAuthenticator;
import dev.tern.server.auth.UserStore;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.testing.Loopback;
import dev.tern.server.tls.TlsMaterial;
import dev.tern.smtp.queue.QueueId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real Tern that delivers: its resolver asks a {@link TestDnsServer} on loopback, mail exchangers are
 * dialled on one shared port where {@link LoopbackForwarder}s on 127.0.0.x lead to scripted peers, the
 * local domain {@value #LOCAL} is delivered to Maildir, and retries are quick (first 200ms, at most 1s,
 * queue lifetime 5s unless a test says otherwise). Users: {@value #USER} with {@link #PASSWORD}.
 */
final class DeliveryFixture implements AutoCloseable {
    static final String HOSTNAME = "tern.test";
    static final String LOCAL = "local.test";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    /** A sender in the local domain, so that a DSN to it lands in a Maildir the test can read. */
    static final String SENDER = USER + "@" + LOCAL;
    /**
     * Retries ten minutes apart and a day's lifetime: whatever is delivered within a test went because the
     * operator made it go (a flush, a release, a resume), not by a retry.
     */
    static final Map<String, String> SLOW_RETRIES =
            Map.of("first-retry", "10m", "max-retry", "1h", "queue-lifetime", "1d");

    private final Path dataDir;
    private final Map<String, String> delivery;
    private Map<String, String> env;
    private final TestDnsServer dns = TestDnsServer.start();
    // Every mail exchanger's address binds it later: free on 127.0.0.1, where Tern and the tests connect from, too.
    private final int mxPort = Loopback.freePortBelowEphemeral("127.0.0.1", "127.0.0.2");
    private final List<AutoCloseable> resources = new ArrayList<>();
    private BcryptAuthenticator authenticator;
    private TernServer server;

    private DeliveryFixture(Path dataDir, Map<String, String> delivery, Map<String, String> env) {
        this.dataDir = dataDir;
        this.delivery = delivery;
        this.env = env;
    }

    /** Starts Tern; {@code delivery} holds extra {@code delivery.*} keys as YAML values. */
    static DeliveryFixture start(Path dataDir, Map<String, String> delivery) {
        return start(dataDir, delivery, Map.of());
    }

    /** As {@link #start(Path, Map)}, with other keys set by {@code TERN_*} variables, as an operator would. */
    static DeliveryFixture start(Path dataDir, Map<String, String> delivery, Map<String, String> env) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("first-retry", "200ms");
        keys.put("max-retry", "1s");
        keys.put("queue-lifetime", "5s");
        keys.put("connect-timeout", "1s");
        // Time compressed as the retries are: a destination found down is suspended for a second, not 5 minutes.
        keys.put("shaping", "{suspend-for: 1s}");
        keys.putAll(delivery);
        DeliveryFixture fixture = new DeliveryFixture(dataDir, keys, env);
        fixture.startTern();
        return fixture;
    }

    static DeliveryFixture start(Path dataDir) {
        return start(dataDir, Map.of());
    }

    TestDnsServer dns() {
        return dns;
    }

    TernServer server() {
        return server;
    }

    /** The port every mail exchanger is dialled on: it names their TLSA records ({@code _PORT._tcp.HOST}). */
    int mxPort() {
        return mxPort;
    }

    Path dataDir() {
        return dataDir;
    }

    /** A new scripted peer, closed with the fixture. */
    ScriptedSmtpPeer peer() {
        ScriptedSmtpPeer peer = ScriptedSmtpPeer.start();
        resources.add(peer);
        return peer;
    }

    /**
     * Makes {@code host} a mail exchanger at loopback {@code address} leading to {@code peer}: an A record
     * and a forwarder on the shared destination port.
     */
    LoopbackForwarder host(String host, String address, ScriptedSmtpPeer peer) {
        dns.a(host, address);
        LoopbackForwarder forwarder = LoopbackForwarder.start(address, mxPort, peer.address());
        resources.add(forwarder);
        return forwarder;
    }

    /** Makes {@code peer} the one mail exchanger of {@code domain}: {@code mx.DOMAIN} at loopback {@code address}. */
    ScriptedSmtpPeer exchanger(String domain, String address, ScriptedSmtpPeer peer) {
        host("mx." + domain, address, peer);
        dns.mx(domain, 10, "mx." + domain);
        return peer;
    }

    /** Asserts that nothing arrives in {@code address}'s mailbox, now or a little later. */
    void expectNoMail(String address) {
        await().during(Duration.ofMillis(600))
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(mailbox(address)).isEmpty());
    }

    /** Submits {@code message} to {@code to} as the fixture's user, authenticated on the smtps listener. */
    void submitAsUser(String to, String message) {
        Submitter.submitAuthenticated(server.address("smtps"), USER, PASSWORD, SENDER, to, message);
    }

    QueueId submit(String from, List<String> to, String subject) {
        return Submitter.submit(server.address("mx"), from, to, subject);
    }

    QueueId submit(String to, String subject) {
        return submit(SENDER, List.of(to), subject);
    }

    /** How many RCPT commands {@code peer} was sent, over all its sessions. */
    static long rcptCount(ScriptedSmtpPeer peer) {
        return peer.sessions().stream()
                .map(PeerSession::commands)
                .flatMap(List::stream)
                .filter(c -> c.startsWith("RCPT"))
                .count();
    }

    /** Whether the spool still holds the message (it is delivered to none or some of its recipients). */
    boolean queued(QueueId id) {
        return server.spool().find(id).isPresent();
    }

    /** What the spool holds of the first recipient's last attempt, in words ("" before any). */
    String lastDiagnostic(QueueId id) {
        return server.spool()
                .find(id)
                .map(m -> m.states().get(0).last())
                .map(String::valueOf)
                .orElse("");
    }

    /** Every message in the {@code new/} folder of a local mailbox, as text. */
    List<String> mailbox(String address) {
        int at = address.indexOf('@');
        Path folder = dataDir.resolve("mail")
                .resolve(address.substring(at + 1))
                .resolve(address.substring(0, at))
                .resolve("new");
        return readAll(folder);
    }

    /** Every message in every local mailbox. */
    List<String> allMailboxes() {
        return readAll(dataDir.resolve("mail"));
    }

    private static List<String> readAll(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getParent().getFileName().toString().equals("new"))
                    .sorted()
                    .map(DeliveryFixture::read)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a password file (for a smarthost route or {@code tern send}) in {@code dir}. */
    static Path passwordFile(Path dir, String name, String password) {
        try {
            Files.createDirectories(dir);
            return Files.writeString(dir.resolve(name), password + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shuts Tern down (the spool closes consistently) and starts it again on the same data directory. */
    void restart() {
        restart(env);
    }

    /** As {@link #restart()}, with other {@code TERN_*} variables: an operator changing the configuration. */
    void restart(Map<String, String> newEnv) {
        stopTern();
        env = newEnv;
        startTern();
    }

    private void startTern() {
        TernConfig config = ConfigLoader.fromYaml(yaml(), new HashMap<>(env));
        writeUsers(config.auth().usersFile());
        authenticator = BcryptAuthenticator.open(config.auth().usersFile());
        try {
            server = TernServer.start(
                    config, authenticator, TlsMaterial.load(config.tls(), config.dataDir(), config.hostname()));
        } catch (Exception e) {
            authenticator.close();
            throw new IllegalStateException("Tern did not start", e);
        }
    }

    private String yaml() {
        StringBuilder extra = new StringBuilder();
        delivery.forEach((key, value) ->
                extra.append("  ").append(key).append(": ").append(value).append('\n'));
        return """
                hostname: %s
                data-dir: %s
                shutdown-grace: 2s
                listeners:
                  mx: {address: 127.0.0.1, port: 0}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: 0}
                local:
                  domains: [%s]
                dns:
                  servers: ["127.0.0.1:%d"]
                  timeout: 500ms
                delivery:
                  port: %d
                """
                        .formatted(HOSTNAME, dataDir.toAbsolutePath(), LOCAL, dns.port(), mxPort)
                + extra;
    }

    private static void writeUsers(Path users) {
        try {
            if (!Files.exists(users)) {
                Files.createDirectories(users.getParent());
                Files.writeString(users, USER + ":" + UserStore.newHash(PASSWORD.toCharArray()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void stopTern() {
        server.shutdown();
        authenticator.close();
    }

    @Override
    public void close() throws Exception {
        stopTern();
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        dns.close();
    }
}
