package dev.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.config.TlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A real TLS handshake on loopback between a server context from TlsMaterial and a trusting client. */
class TlsHandshakeTest {
    @TempDir
    Path dir;

    private EventLoopGroup group;

    @BeforeEach
    void start() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void clientTrustingTheSelfSignedCertificateCompletesAHandshake() throws Exception {
        SslContext server = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");
        SslContext client = TlsMaterial.clientTrusting(dir.resolve("tls/cert.pem"));

        SslHandler clientTls = handshake(server, client, "localhost");

        Future<Channel> done = clientTls.handshakeFuture().await();
        assertThat(done.isSuccess()).as("handshake: %s", done.cause()).isTrue();
        assertThat(clientTls.engine().getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
        X509Certificate presented =
                (X509Certificate) clientTls.engine().getSession().getPeerCertificates()[0];
        assertThat(presented)
                .isEqualTo(
                        PemFiles.readCertificates(dir.resolve("tls/cert.pem")).get(0));
    }

    /** A renewal read again: the next handshake presents it; a pair that does not load leaves the last good one. */
    @Test
    void aReloadPresentsTheNewPairAndKeepsTheOldWhenTheNewDoesNotLoad() throws Exception {
        X509Certificate a = pair("a");
        X509Certificate b = pair("b");
        Path cert = Files.copy(dir.resolve("a/tls/cert.pem"), dir.resolve("cert.pem"));
        Path key = Files.copy(dir.resolve("a/tls/key.pem"), dir.resolve("key.pem"));
        SslContext client = TlsMaterial.clientTrusting(a, b);

        try (ReloadingServerTls server = ReloadingServerTls.watching(new TlsConfig(cert, key), dir, "mx.example", 0)) {
            assertThat(presented(handshake(server, client, "localhost"))).isEqualTo(a);

            // Half way through a renewal: the new certificate beside the old key.
            Files.copy(dir.resolve("b/tls/cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);
            assertThat(server.reload()).isFalse();
            assertThat(presented(handshake(server, client, "localhost"))).isEqualTo(a);

            Files.copy(dir.resolve("b/tls/key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            assertThat(server.reload()).isTrue();
            assertThat(presented(handshake(server, client, "localhost"))).isEqualTo(b);
        }
    }

    /** A renewal written over the files is taken without a signal: the watcher sees them change. */
    @Test
    void aRenewalWrittenOverTheFilesIsTakenWithoutASignal() throws Exception {
        X509Certificate a = pair("a");
        X509Certificate b = pair("b");
        Path cert = Files.copy(dir.resolve("a/tls/cert.pem"), dir.resolve("cert.pem"));
        Path key = Files.copy(dir.resolve("a/tls/key.pem"), dir.resolve("key.pem"));
        SslContext client = TlsMaterial.clientTrusting(a, b);

        try (ReloadingServerTls server =
                ReloadingServerTls.watching(new TlsConfig(cert, key), dir, "mx.example", 100)) {
            assertThat(presented(handshake(server, client, "localhost"))).isEqualTo(a);
            // Key first, as a careful renewal writes them; each file replaced whole, as a rename does.
            Files.copy(dir.resolve("b/tls/key.pem"), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(dir.resolve("b/tls/cert.pem"), cert, StandardCopyOption.REPLACE_EXISTING);

            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(presented(handshake(server, client, "localhost")))
                            .isEqualTo(b));
        }
    }

    /** A self-signed pair made as Tern makes its own, in DIR/NAME/tls; its certificate. */
    private X509Certificate pair(String name) {
        TlsMaterial.load(new TlsConfig(null, null), dir.resolve(name), "mx.example");
        return PemFiles.readCertificates(dir.resolve(name).resolve("tls/cert.pem"))
                .get(0);
    }

    private static X509Certificate presented(SslHandler clientTls) throws Exception {
        Future<Channel> done = clientTls.handshakeFuture().await();
        assertThat(done.isSuccess()).as("handshake: %s", done.cause()).isTrue();
        return (X509Certificate) clientTls.engine().getSession().getPeerCertificates()[0];
    }

    @Test
    void clientRefusesANameTheCertificateDoesNotCarry() throws Exception {
        SslContext server = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");
        SslContext client = TlsMaterial.clientTrusting(dir.resolve("tls/cert.pem"));

        SslHandler clientTls = handshake(server, client, "other.example");

        assertThat(clientTls.handshakeFuture().await().isSuccess()).isFalse();
    }

    @Test
    void clientTrustingAnotherCertificateRefusesTheServer() throws Exception {
        SslContext server = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");
        Path otherDir = dir.resolve("other");
        TlsMaterial.load(new TlsConfig(null, null), otherDir, "mx.example");
        SslContext client = TlsMaterial.clientTrusting(otherDir.resolve("tls/cert.pem"));

        SslHandler clientTls = handshake(server, client, "localhost");

        assertThat(clientTls.handshakeFuture().await().isSuccess()).isFalse();
    }

    /**
     * An RSA, an EC and an Ed25519 key, each over TLS 1.3 and over TLS 1.2 (where the suite itself names the key
     * type).
     */
    @ParameterizedTest(name = "{0} key, {1}")
    @CsvSource({"RSA, TLSv1.3", "RSA, TLSv1.2", "EC, TLSv1.3", "EC, TLSv1.2", "Ed25519, TLSv1.3", "Ed25519, TLSv1.2"})
    void everyKeyTypeCompletesAHandshakeInEitherVersion(String keyType, String protocol) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(keyType);
        if (!keyType.equals("Ed25519")) {
            generator.initialize(keyType.equals("RSA") ? 2048 : 256);
        }
        KeyPair keys = generator.generateKeyPair();
        X509Certificate certificate = SelfSignedCertificate.create(keys, "mx.example");
        Path cert = Files.writeString(dir.resolve("cert.pem"), PemFiles.toPem(certificate));
        Path key = Files.writeString(dir.resolve("key.pem"), PemFiles.toPkcs8Pem(keys.getPrivate()));
        SslContext server = TlsMaterial.load(new TlsConfig(cert, key), dir, "ignored");
        SslContext client = SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .protocols(protocol)
                .trustManager(certificate)
                .build();

        SslHandler clientTls = handshake(server, client, "localhost");

        Future<Channel> done = clientTls.handshakeFuture().await();
        assertThat(done.isSuccess()).as("handshake: %s", done.cause()).isTrue();
        assertThat(clientTls.engine().getSession().getProtocol()).isEqualTo(protocol);
        assertThat(clientTls.engine().getSession().getPeerCertificates()[0]).isEqualTo(certificate);
    }

    private SslHandler handshake(SslContext server, SslContext client, String peerHost) throws Exception {
        Channel listener = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(server.newHandler(ch.alloc()));
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
        int port = ((InetSocketAddress) listener.localAddress()).getPort();
        SslHandler[] holder = new SslHandler[1];
        Channel channel = new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        holder[0] = client.newHandler(ch.alloc(), peerHost, port);
                        ch.pipeline().addLast(holder[0]);
                    }
                })
                .connect("127.0.0.1", port)
                .sync()
                .channel();
        holder[0].handshakeFuture().await(10, TimeUnit.SECONDS);
        channel.close().sync();
        listener.close().sync();
        return holder[0];
    }
}
