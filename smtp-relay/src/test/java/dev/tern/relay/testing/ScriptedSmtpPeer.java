package dev.tern.relay.testing;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A real SMTP server on 127.0.0.1 whose replies are scripted per command, for testing clients.
 * Defaults answer like a plain accepting server; {@link #reply} overrides a verb's reply ("." is the
 * reply after the final dot, {@link #HANG} never answers, a 421 closes the connection). It records
 * each session's command lines and every message received, with content unstuffed.
 */
public final class ScriptedSmtpPeer implements AutoCloseable {
    /** A scripted reply that is never sent. */
    public static final String HANG = "";
    /** A scripted "reply" that closes the connection without a word. */
    public static final String DROP = "(drop)";

    /** One message as the peer received it. */
    public record Received(String mailFrom, List<String> rcptTo, byte[] content, boolean chunked) {}

    final Map<String, String> replies = new ConcurrentHashMap<>();
    final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    volatile String greeting = "220 peer.test ESMTP scripted";
    /** The first {@code refusedConnections} connections are greeted with {@code refusal} instead. */
    volatile String refusal;

    volatile int refusedConnections;
    volatile List<String> extensions = List.of("PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES");
    volatile String user;
    volatile String password;
    volatile String afterStartTls = "";
    volatile boolean implicitTls;
    /** When set, the MAIL of a session that has already carried a message gets this reply instead. */
    volatile String mailAfterFirstMessage;

    private final ServerSocket server;
    private final SelfSignedCertificate certificate;
    private volatile SSLContext sslContext;
    private final List<PeerSession> sessions = new CopyOnWriteArrayList<>();
    private final List<Received> messages = new CopyOnWriteArrayList<>();
    private final List<Received> attempts = new CopyOnWriteArrayList<>();
    private final Thread acceptor;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger mostOpen = new AtomicInteger();

    private ScriptedSmtpPeer(InetAddress address, int port) throws Exception {
        certificate = new SelfSignedCertificate("peer.test");
        sslContext = serverContext(certificate);
        server = new ServerSocket(port, 50, address);
        acceptor = Thread.ofPlatform()
                .daemon()
                .name("scripted-peer-" + server.getLocalPort())
                .start(this::accept);
    }

    /** Starts listening on a free loopback port. */
    public static ScriptedSmtpPeer start() {
        return startOn(InetAddress.getLoopbackAddress(), 0);
    }

    /**
     * Starts listening on {@code address} (a loopback address) and {@code port}: mail exchangers of one domain share
     * the delivery port, so two of them need two addresses.
     */
    public static ScriptedSmtpPeer startOn(InetAddress address, int port) {
        try {
            return new ScriptedSmtpPeer(address, port);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the scripted peer", e);
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    public int port() {
        return server.getLocalPort();
    }

    public ScriptedSmtpPeer greeting(String reply) {
        greeting = reply;
        return this;
    }

    /** Greets the first {@code connections} connections with {@code reply} (a 4xx or 5xx), later ones as usual. */
    public ScriptedSmtpPeer greetFirst(int connections, String reply) {
        refusal = reply;
        refusedConnections = connections;
        return this;
    }

    /** The most connections that were open at once. */
    public int mostConcurrentSessions() {
        return mostOpen.get();
    }

    /** The EHLO keywords (with parameters) announced after the first line. */
    public ScriptedSmtpPeer extensions(String... keywords) {
        extensions = List.of(keywords);
        return this;
    }

    /** Overrides the reply to a verb (EHLO, HELO, MAIL, DATA, ".", BDAT, RSET, STARTTLS, QUIT...). */
    public ScriptedSmtpPeer reply(String verb, String reply) {
        replies.put(verb, reply);
        return this;
    }

    /**
     * Answers MAIL with {@code reply} on a connection that has already carried a message (a 421 closes it),
     * as a server whose idle timer fires just as the next transaction begins; a new connection's MAIL is
     * answered as usual.
     */
    public ScriptedSmtpPeer mailAfterFirstMessage(String reply) {
        mailAfterFirstMessage = reply;
        return this;
    }

    /** The reply to {@code RCPT TO:<address>}. */
    public ScriptedSmtpPeer rcptReply(String address, String reply) {
        rcptReplies.put(address, reply);
        return this;
    }

    /** Accepts AUTH PLAIN and LOGIN with these credentials (announce AUTH in the extensions). */
    public ScriptedSmtpPeer credentials(String user, String password) {
        this.user = user;
        this.password = password;
        return this;
    }

    /** Plaintext the peer sends right behind its 220 to STARTTLS, in the same write. */
    public ScriptedSmtpPeer injectAfterStartTls(String text) {
        afterStartTls = text;
        return this;
    }

    /** TLS from the first byte (RFC 8314). */
    public ScriptedSmtpPeer implicitTls() {
        implicitTls = true;
        return this;
    }

    /** Presents this key and chain (leaf first) in TLS from now on, instead of the self-signed one. */
    public ScriptedSmtpPeer certificate(PrivateKey key, X509Certificate... chain) {
        try {
            sslContext = serverContext(key, chain);
        } catch (Exception e) {
            throw new IllegalStateException("cannot use the certificate", e);
        }
        return this;
    }

    public X509Certificate certificate() {
        return certificate.cert();
    }

    public List<PeerSession> sessions() {
        return List.copyOf(sessions);
    }

    public List<Received> messages() {
        return List.copyOf(messages);
    }

    SSLContext sslContext() {
        return sslContext;
    }

    /** Every message sent to its end, whatever the reply to it was (a 4xx or 5xx included). */
    public List<Received> attempts() {
        return List.copyOf(attempts);
    }

    void attempted(Received message) {
        attempts.add(message);
    }

    void received(Received message) {
        messages.add(message);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (PeerSession session : sessions) {
            session.kill();
        }
        certificate.delete();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int n = accepted.incrementAndGet();
                PeerSession session = new PeerSession(this, socket, n <= refusedConnections ? refusal : greeting);
                sessions.add(session);
                mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                Thread.ofVirtual().name("scripted-peer-session").start(() -> {
                    try {
                        session.run();
                    } finally {
                        open.decrementAndGet();
                    }
                });
            } catch (IOException e) {
                return;
            }
        }
    }

    private static SSLContext serverContext(SelfSignedCertificate cert) throws Exception {
        return serverContext(cert.key(), cert.cert());
    }

    private static SSLContext serverContext(PrivateKey key, Certificate... chain) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] pass = "peer".toCharArray();
        store.setKeyEntry("peer", key, pass, chain);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, pass);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), null, null);
        return context;
    }
}
