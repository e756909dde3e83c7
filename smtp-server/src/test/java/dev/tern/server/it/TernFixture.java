package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.spool.SpooledMessage;
import dev.tern.server.app.TernServer;
import dev.tern.server.auth.Authenticator;
import dev.tern.server.auth.BcryptAuthenticator;
import dev.tern.server.auth.UserStore;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.tls.TlsMaterial;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Tern on loopback for integration tests: all three listeners on 127.0.0.1 port 0, local
 * domain {@code local.test}, a self-signed certificate in the data directory, and a users file with
 * {@link #USER} / {@link #PASSWORD} checked by the real bcrypt authenticator. Settings are changed
 * with {@code TERN_*} overrides, exactly as an operator would from the environment.
 */
final class TernFixture implements AutoCloseable {
    static final String HOSTNAME = "tern.test";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse";
    /** Clients connect to the address literal, which the self-signed certificate names. */
    static final String HOST = "127.0.0.1";

    private final Path dataDir;
    private final TernConfig config;
    private final BcryptAuthenticator bcrypt;
    private final TernServer server;
    private final SSLContext clientTls;

    private TernFixture(Path dataDir, TernConfig config, BcryptAuthenticator bcrypt, TernServer server) {
        this.dataDir = dataDir;
        this.config = config;
        this.bcrypt = bcrypt;
        this.server = server;
        this.clientTls = trusting(dataDir.resolve("tls").resolve("cert.pem"));
    }

    /** Starts with the real bcrypt authenticator over a users file holding alice. */
    static TernFixture start(Path dataDir, Map<String, String> overrides) {
        writeUsersFile(dataDir);
        TernConfig config = config(dataDir, overrides);
        BcryptAuthenticator bcrypt = BcryptAuthenticator.open(config.auth().usersFile());
        try {
            return new TernFixture(dataDir, config, bcrypt, startServer(config, bcrypt));
        } catch (RuntimeException e) {
            bcrypt.close();
            throw e;
        }
    }

    /** Starts with the given authenticator (a fake, where bcrypt time does not matter). */
    static TernFixture start(Path dataDir, Map<String, String> overrides, Authenticator authenticator) {
        TernConfig config = config(dataDir, overrides);
        return new TernFixture(dataDir, config, null, startServer(config, authenticator));
    }

    private static TernConfig config(Path dataDir, Map<String, String> overrides) {
        String yaml =
                """
                hostname: %s
                data-dir: %s
                shutdown-grace: 10s
                listeners:
                  mx: {address: 127.0.0.1, port: 0}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: 0}
                local:
                  domains: [local.test]
                # These tests look at what the inbound side stored: keep it in the queue.
                delivery:
                  enabled: false
                """
                        .formatted(HOSTNAME, dataDir.toAbsolutePath());
        return ConfigLoader.fromYaml(yaml, new HashMap<>(overrides));
    }

    private static TernServer startServer(TernConfig config, Authenticator authenticator) {
        try {
            return TernServer.start(
                    config, authenticator, TlsMaterial.load(config.tls(), config.dataDir(), config.hostname()));
        } catch (Exception e) {
            throw new IllegalStateException("Tern did not start", e);
        }
    }

    private static void writeUsersFile(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Path users = dataDir.resolve("users");
            if (!Files.exists(users)) {
                Files.writeString(users, USER + ":" + UserStore.newHash(PASSWORD.toCharArray()) + "\n");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    TernServer server() {
        return server;
    }

    TernConfig config() {
        return config;
    }

    Path dataDir() {
        return dataDir;
    }

    InetSocketAddress mx() {
        return server.address("mx");
    }

    InetSocketAddress submission() {
        return server.address("submission");
    }

    InetSocketAddress smtps() {
        return server.address("smtps");
    }

    /** How often {@code smtp.server.refusals} counted the given {@code limit} tag (docs/metrics.md). */
    double refusals(String limit) {
        return server.meterRegistry()
                .get("smtp.server.refusals")
                .tag("limit", limit)
                .counter()
                .count();
    }

    /** A JDK TLS context trusting exactly the certificate Tern made in its data directory. */
    SSLContext clientTls() {
        return clientTls;
    }

    RawSmtpClient connect(InetSocketAddress address) {
        return RawSmtpClient.connect(address);
    }

    /**
     * A session on {@code listener} authenticated as {@link #USER}, after EHLO over TLS: TLS from the
     * first byte on the smtps listener, STARTTLS on any other.
     */
    RawSmtpClient authenticated(InetSocketAddress listener) {
        RawSmtpClient c = connect(listener);
        if (listener.equals(smtps())) {
            c.startTls(clientTls);
            assertThat(c.reply().code()).isEqualTo(220);
        } else {
            assertThat(c.reply().code()).isEqualTo(220);
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").code()).isEqualTo(220);
            c.startTls(clientTls);
        }
        c.ehlo("client.test");
        assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain(USER, PASSWORD)).last())
                .startsWith("235 2.7.0");
        return c;
    }

    /** Connects from another loopback address ({@code 127.0.0.2}...): another client, to Tern. */
    RawSmtpClient connectFrom(String localAddress, InetSocketAddress address) {
        return RawSmtpClient.connectFrom(localAddress, address);
    }

    /** Connects to the implicit-TLS listener: TLS from the first byte. */
    RawSmtpClient connectSmtps() {
        return RawSmtpClient.connectTls(smtps(), clientTls);
    }

    /** The content of every message the spool holds, in spool order. Reads the disk: test thread only. */
    List<String> storedContents() {
        List<String> contents = new ArrayList<>();
        for (SpooledMessage message : server.spool().pending()) {
            contents.add(content(message));
        }
        return contents;
    }

    String content(SpooledMessage message) {
        try {
            ByteBuf buf = server.spool().readContent(message);
            try {
                return buf.toString(StandardCharsets.ISO_8859_1);
            } finally {
                buf.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the server (drains, closes the spool) and starts a new one on the same data directory. */
    TernFixture restart(Map<String, String> overrides) {
        close();
        return start(dataDir, overrides);
    }

    @Override
    public void close() {
        server.shutdown();
        if (bcrypt != null) {
            bcrypt.close();
        }
    }

    static SSLContext trusting(Path certFile) {
        try (InputStream in = Files.newInputStream(certFile)) {
            return trusting(CertificateFactory.getInstance("X.509").generateCertificates(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + certFile, e);
        }
    }

    /** A client context trusting exactly {@code certificates}. */
    static SSLContext trusting(java.util.Collection<? extends Certificate> certificates) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate cert : certificates) {
                trust.setCertificateEntry("tern-" + i++, cert);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot trust " + certificates, e);
        }
    }
}
