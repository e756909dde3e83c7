package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.client.ConnectionBroken.Kind;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslHandler;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Opens a session, from the greeting to the point where MAIL may be sent, as a chain of replies:
 * EHLO with HELO fallback (RFC 5321 4.1.1.1, 3.2), STARTTLS (RFC 3207) and AUTH PLAIN or LOGIN
 * (RFC 4954, RFC 4616). One command, one reply: nothing here is pipelined (RFC 2920 3.1 forbids it
 * for EHLO, STARTTLS and AUTH).
 */
final class SessionSetup {

    /** What setup ended with. */
    sealed interface Result {
        record Ready(EhloReply ehlo, boolean tls) implements Result {}

        /** @param tlsFailed the STARTTLS handshake failed (an opportunistic route may retry in plaintext) */
        record Failed(HostFailed failure, boolean tlsFailed) implements Result {}
    }

    /**
     * A route that requires TLS could not have it (not offered, refused, handshake or certificate
     * failed): RFC 3463 X.7.5, cryptographic failure. Never a plaintext fallback.
     */
    static final String TLS_REQUIRED = "4.7.5";

    private final ClientSessionHandler session;
    private final SmtpClientOptions options;
    private final ClientRoute route;
    private final String remoteMta;
    private final boolean mayStartTls;
    private final ClientInitializer.TlsFactory tlsFactory;
    private Channel channel;
    private boolean tls;
    private boolean handshaking;

    /**
     * @param remoteMta the host's name, for the failures it causes
     * @param implicitTls the connection starts with TLS (RFC 8314)
     * @param mayStartTls false on the plaintext retry after a failed opportunistic handshake
     */
    SessionSetup(
            ClientSessionHandler session,
            SmtpClientOptions options,
            ClientRoute route,
            String remoteMta,
            boolean implicitTls,
            boolean mayStartTls,
            ClientInitializer.TlsFactory tlsFactory) {
        this.session = session;
        this.options = options;
        this.route = route;
        this.remoteMta = remoteMta;
        this.tls = implicitTls;
        this.mayStartTls = mayStartTls;
        this.tlsFactory = tlsFactory;
    }

    /**
     * Awaits the greeting (RFC 5321 4.5.3.2.1) and runs the session up to MAIL; the channel may not be
     * connected yet. Completes on the event loop, never exceptionally.
     */
    CompletionStage<Result> run(Channel channel) {
        this.channel = channel;
        return session.expect("greeting", options.greetingTimeout())
                .thenCompose(this::greeting)
                .exceptionally(this::broken);
    }

    private CompletionStage<Result> greeting(SmtpReply reply) {
        if (reply.code() != 220) {
            // RFC 5321 3.1: a 554 greeting means "no service here"; 5.1 lets us try the next host.
            return rejected("4.4.0", "greeting", reply);
        }
        return hello();
    }

    private CompletionStage<Result> hello() {
        return send(SmtpCommand.of(SmtpVerb.EHLO, options.heloName())).thenCompose(reply -> {
            if (reply.code() == 250) {
                return afterHello(EhloReply.parse(reply));
            }
            if (!reply.isPermanentFailure()) {
                return rejected("4.4.0", "EHLO", reply);
            }
            // RFC 5321 3.2: a server that does not know EHLO still speaks HELO.
            return send(SmtpCommand.of(SmtpVerb.HELO, options.heloName()))
                    .thenCompose(helo -> helo.code() == 250
                            ? afterHello(new EhloReply(helo.text().strip(), Map.of()))
                            : rejected("4.4.0", "HELO", helo));
        });
    }

    private CompletionStage<Result> afterHello(EhloReply ehlo) {
        boolean startsTls = !tls && route.tls() != ClientRoute.TlsMode.NONE && mayStartTls && ehlo.supports("STARTTLS");
        // Judged on the EHLO reply the session goes on with: the one inside TLS when TLS comes, and never a plaintext
        // one where TLS is required, which a man in the middle could write to have the mail returned for good.
        if (!startsTls && (tls || !route.tlsRequired()) && isLoop(ehlo)) {
            return loop();
        }
        if (startsTls) {
            return startTls(ehlo);
        }
        if (!tls && route.tlsRequired()) {
            return failed(TLS_REQUIRED, "STARTTLS required but not offered");
        }
        return authenticate(ehlo);
    }

    private CompletionStage<Result> startTls(EhloReply plaintextEhlo) {
        return send(SmtpCommand.of(SmtpVerb.STARTTLS, "")).thenCompose(reply -> {
            if (reply.code() == 220) {
                handshaking = true;
                SslHandler handler = tlsFactory.newHandler(channel);
                return session.startTls(handler).thenCompose(done -> {
                    handshaking = false;
                    tls = true;
                    Optional<String> mismatch = checkPeer(handler);
                    if (mismatch.isPresent()) {
                        // RFC 7672 2.2: a server that fails the check is not used, not even in plaintext.
                        return failed(TLS_REQUIRED, mismatch.get());
                    }
                    // RFC 3207 4.2: forget everything learned in plaintext and say EHLO again.
                    return hello();
                });
            }
            if (route.tlsRequired()) {
                return failed(TLS_REQUIRED, "STARTTLS: " + AttemptLog.reply(reply), reply);
            }
            // Opportunistic (RFC 7435): the server offered and then refused; carry on in plaintext.
            return isLoop(plaintextEhlo) ? loop() : authenticate(plaintextEhlo);
        });
    }

    /** The route's {@link PeerCheck} against the chain the server presented; empty when there is none to make. */
    private Optional<String> checkPeer(SslHandler handler) {
        PeerCheck check = route.peerCheck();
        if (check == null) {
            return Optional.empty();
        }
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate certificate : handler.engine().getSession().getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            return Optional.of(check.describe() + ": the server presented no certificate");
        }
        if (chain.isEmpty()) {
            return Optional.of(check.describe() + ": the server presented no X.509 certificate");
        }
        return check.mismatch(chain);
    }

    private CompletionStage<Result> authenticate(EhloReply ehlo) {
        if (!route.hasCredentials()) {
            return ready(ehlo);
        }
        if (!tls && route.tls() != ClientRoute.TlsMode.NONE) {
            // Only a route configured without TLS sends its password in clear (RFC 4954 4, 14).
            return failed("4.7.0", "refusing to send credentials without TLS");
        }
        String wanted = route.authMechanism();
        if (wanted != null && !ehlo.authMechanisms().contains(wanted)) {
            return failed("4.7.0", "the server does not offer AUTH " + wanted);
        }
        if (ehlo.authMechanisms().contains("PLAIN") && (wanted == null || wanted.equals("PLAIN"))) {
            // RFC 4616 2: authzid NUL authcid NUL passwd, sent as the initial response (RFC 4954 4).
            String plain = "\0" + route.username() + "\0" + route.password();
            return send(SmtpCommand.of(SmtpVerb.AUTH, "PLAIN " + base64(plain)))
                    .thenCompose(reply -> authenticated(reply, ehlo));
        }
        if (ehlo.authMechanisms().contains("LOGIN")) {
            // RFC 4954 4: a 334 challenge asks for the user name, then for the password.
            return send(SmtpCommand.of(SmtpVerb.AUTH, "LOGIN"))
                    .thenCompose(user -> user.code() != 334
                            ? authenticated(user, ehlo)
                            : secret(route.username())
                                    .thenCompose(password -> password.code() != 334
                                            ? authenticated(password, ehlo)
                                            : secret(route.password())
                                                    .thenCompose(reply -> authenticated(reply, ehlo))));
        }
        return failed("4.7.0", "the server offers neither AUTH PLAIN nor AUTH LOGIN");
    }

    private CompletionStage<Result> authenticated(SmtpReply reply, EhloReply ehlo) {
        // 535 5.7.8 (RFC 4954 6) will not heal by itself, but the operator fixes the route's
        // credentials and then the queued mail should still go: so it stays temporary.
        return reply.code() == 235 ? ready(ehlo) : rejected("4.7.8", "AUTH", reply);
    }

    /** RFC 4954 4: a continuation line is the bare base64 text, not a command. */
    private CompletionStage<SmtpReply> secret(String secret) {
        return send(new SmtpCommand(SmtpVerb.UNKNOWN, "", base64(secret)));
    }

    private CompletionStage<SmtpReply> send(SmtpCommand command) {
        CompletionStage<SmtpReply> reply = session.send(command, options.commandTimeout());
        session.flush();
        return reply;
    }

    /**
     * RFC 5321 5.1, as Postfix judges it: a host that gives our own name is our own server, reached by an address we
     * did not know for ours.
     */
    private CompletionStage<Result> loop() {
        session.close();
        return CompletableFuture.completedFuture(new Result.Failed(
                new HostFailed(
                        DeliveryStatus.PERMANENT,
                        AttemptResult.LOOP,
                        "mail loops back to myself: the host answers EHLO with my own name " + options.heloName(),
                        remoteMta,
                        null),
                false));
    }

    /** Whether loops are detected and the first word of the reply's first line (RFC 5321 4.1.1.1) is our name. */
    private boolean isLoop(EhloReply ehlo) {
        if (!options.detectsLoops()) {
            return false;
        }
        String first = ehlo.domain().strip();
        int end = 0;
        while (end < first.length() && first.charAt(end) != ' ' && first.charAt(end) != '\t') {
            end++;
        }
        String name = first.substring(0, end);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        return !name.isEmpty() && name.equalsIgnoreCase(options.heloName());
    }

    private CompletionStage<Result> ready(EhloReply ehlo) {
        return CompletableFuture.completedFuture(new Result.Ready(ehlo, tls));
    }

    private CompletionStage<Result> rejected(String fallbackStatus, String step, SmtpReply reply) {
        return failed(temporaryStatus(reply, fallbackStatus), step + ": " + AttemptLog.reply(reply), reply);
    }

    private CompletionStage<Result> failed(String status, String reason) {
        return failed(status, reason, null);
    }

    private CompletionStage<Result> failed(String status, String reason, SmtpReply reply) {
        session.close();
        HostFailed failure = HostFailed.temporary(status, reason, remoteMta, reply);
        return CompletableFuture.completedFuture(new Result.Failed(failure, false));
    }

    private Result broken(Throwable failure) {
        ConnectionBroken broken = ConnectionBroken.of(failure);
        session.close();
        boolean tlsFailed = handshaking || broken.kind() == Kind.TLS;
        String status = tlsFailed ? (route.tlsRequired() ? TLS_REQUIRED : "4.7.0") : broken.enhancedStatus();
        return new Result.Failed(HostFailed.temporary(status, broken.reason(), remoteMta, null), tlsFailed);
    }

    /** The reply's enhanced code moved into class 4 (we keep trying), or the fallback. */
    static String temporaryStatus(SmtpReply reply, String fallback) {
        EnhancedStatus s = reply.status();
        return s == null ? fallback : new EnhancedStatus(4, s.subject(), s.detail()).toString();
    }

    private static String base64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
