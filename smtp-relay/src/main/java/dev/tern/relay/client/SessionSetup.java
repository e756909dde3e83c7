package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.client.ClientSessionHandler.Broken;
import dev.tern.relay.client.ClientSessionHandler.BrokenKind;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Opens a session, from the greeting to the point where MAIL may be sent: EHLO with HELO fallback
 * (RFC 5321 4.1.1.1, 3.2), STARTTLS (RFC 3207) and AUTH PLAIN or LOGIN (RFC 4954, RFC 4616).
 */
final class SessionSetup implements ClientSessionHandler.Listener {

    /** What setup ended with. */
    sealed interface Result {
        record Ready(EhloReply ehlo, boolean tls) implements Result {}

        /** @param tlsFailed the STARTTLS handshake failed (an opportunistic route may retry in plaintext) */
        record Failed(HostFailed failure, boolean tlsFailed) implements Result {}
    }

    private enum State {
        GREETING,
        EHLO,
        HELO,
        STARTTLS,
        HANDSHAKE,
        AUTH_PLAIN,
        AUTH_LOGIN_USER,
        AUTH_RESULT,
        AUTH_LOGIN_PASSWORD,
        DONE
    }

    private final ClientSessionHandler handler;
    private final SmtpClientOptions options;
    private final ClientRoute route;
    private final boolean mayStartTls;
    private final ClientInitializer.TlsFactory tlsFactory;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private Channel channel;
    private State state = State.GREETING;
    private EhloReply ehlo;
    private boolean tls;

    /**
     * @param implicitTls the connection starts with TLS (RFC 8314)
     * @param mayStartTls false on the plaintext retry after a failed opportunistic handshake
     */
    SessionSetup(
            ClientSessionHandler handler,
            SmtpClientOptions options,
            ClientRoute route,
            boolean implicitTls,
            boolean mayStartTls,
            ClientInitializer.TlsFactory tlsFactory) {
        this.handler = handler;
        this.options = options;
        this.route = route;
        this.tls = implicitTls;
        this.mayStartTls = mayStartTls;
        this.tlsFactory = tlsFactory;
    }

    CompletableFuture<Result> result() {
        return result;
    }

    /** Starts waiting for the greeting (RFC 5321 4.5.3.2.1); the channel may not be connected yet. */
    void begin(Channel channel) {
        this.channel = channel;
        handler.expect("greeting", options.greetingTimeout());
    }

    @Override
    public void onReply(SmtpReply reply) {
        switch (state) {
            case GREETING -> greeting(reply);
            case EHLO -> ehlo(reply);
            case HELO -> helo(reply);
            case STARTTLS -> startTls(reply);
            case AUTH_PLAIN, AUTH_LOGIN_USER, AUTH_LOGIN_PASSWORD, AUTH_RESULT -> auth(reply);
            case HANDSHAKE, DONE -> fail("4.4.0", "unexpected reply: " + reply, false);
        }
    }

    @Override
    public void onBroken(Broken broken) {
        boolean tlsFailed = state == State.HANDSHAKE || broken.kind() == BrokenKind.TLS;
        String status = tlsFailed ? "4.7.0" : broken.kind() == BrokenKind.TIMEOUT ? "4.4.2" : "4.4.0";
        complete(new Result.Failed(HostFailed.temporary(status, broken.reason()), tlsFailed));
    }

    @Override
    public void onTlsReady() {
        if (state != State.HANDSHAKE) {
            return; // implicit TLS: the greeting comes next, over TLS
        }
        tls = true;
        // RFC 3207 4.2: forget everything learned in plaintext and say EHLO again.
        sendHello(SmtpVerb.EHLO, State.EHLO);
    }

    private void greeting(SmtpReply reply) {
        if (reply.code() != 220) {
            // RFC 5321 3.1: a 554 greeting means "no service here"; 5.1 lets us try the next host.
            rejected("4.4.0", "greeting", reply);
            return;
        }
        sendHello(SmtpVerb.EHLO, State.EHLO);
    }

    private void ehlo(SmtpReply reply) {
        if (reply.code() == 250) {
            ehlo = EhloReply.parse(reply);
            afterHello();
        } else if (reply.isPermanentFailure()) {
            // RFC 5321 3.2: a server that does not know EHLO still speaks HELO.
            sendHello(SmtpVerb.HELO, State.HELO);
        } else {
            rejected("4.4.0", "EHLO", reply);
        }
    }

    private void helo(SmtpReply reply) {
        if (reply.code() != 250) {
            rejected("4.4.0", "HELO", reply);
            return;
        }
        ehlo = new EhloReply(reply.text().strip(), Map.of());
        afterHello();
    }

    private void afterHello() {
        if (!tls && route.tls() != ClientRoute.TlsMode.NONE && mayStartTls && ehlo.supports("STARTTLS")) {
            state = State.STARTTLS;
            handler.send(SmtpCommand.of(SmtpVerb.STARTTLS, ""), options.commandTimeout());
            handler.flush();
        } else if (!tls && route.tlsRequired()) {
            fail("4.7.0", "TLS required by the route but STARTTLS is not offered", false);
        } else {
            authenticate();
        }
    }

    private void startTls(SmtpReply reply) {
        if (reply.code() == 220) {
            state = State.HANDSHAKE;
            handler.startTls(tlsFactory.newHandler(channel));
        } else if (route.tlsRequired()) {
            rejected("4.7.0", "STARTTLS", reply);
        } else {
            // Opportunistic (RFC 7435): the server offered and then refused; carry on in plaintext.
            authenticate();
        }
    }

    private void authenticate() {
        if (!route.hasCredentials()) {
            ready();
            return;
        }
        if (!tls && route.tls() != ClientRoute.TlsMode.NONE) {
            // Only a route configured without TLS sends its password in clear (RFC 4954 4, 14).
            fail("4.7.0", "refusing to send credentials without TLS", false);
            return;
        }
        String wanted = route.authMechanism();
        if (wanted != null && !ehlo.authMechanisms().contains(wanted)) {
            fail("4.7.0", "the server does not offer AUTH " + wanted, false);
            return;
        }
        if (ehlo.authMechanisms().contains("PLAIN") && (wanted == null || wanted.equals("PLAIN"))) {
            // RFC 4616 2: authzid NUL authcid NUL passwd, sent as the initial response (RFC 4954 4).
            String plain = "\0" + route.username() + "\0" + route.password();
            state = State.AUTH_PLAIN;
            handler.send(SmtpCommand.of(SmtpVerb.AUTH, "PLAIN " + base64(plain)), options.commandTimeout());
        } else if (ehlo.authMechanisms().contains("LOGIN")) {
            state = State.AUTH_LOGIN_USER;
            handler.send(SmtpCommand.of(SmtpVerb.AUTH, "LOGIN"), options.commandTimeout());
        } else {
            fail("4.7.0", "the server offers neither AUTH PLAIN nor AUTH LOGIN", false);
            return;
        }
        handler.flush();
    }

    private void auth(SmtpReply reply) {
        if (reply.code() == 235) {
            ready();
        } else if (reply.code() == 334 && state == State.AUTH_LOGIN_USER) {
            state = State.AUTH_LOGIN_PASSWORD;
            sendSecret(route.username());
        } else if (reply.code() == 334 && state == State.AUTH_LOGIN_PASSWORD) {
            state = State.AUTH_RESULT;
            sendSecret(route.password());
        } else {
            // 535 5.7.8 (RFC 4954 6) will not heal by itself, but the operator fixes the route's
            // credentials and then the queued mail should still go: so it stays temporary.
            rejected("4.7.8", "AUTH", reply);
        }
    }

    private void sendSecret(String secret) {
        // RFC 4954 4: a continuation line is the bare base64 text, not a command.
        String line = base64(secret);
        handler.send(new SmtpCommand(SmtpVerb.UNKNOWN, "", line), options.commandTimeout());
        handler.flush();
    }

    private void sendHello(SmtpVerb verb, State next) {
        state = next;
        handler.send(SmtpCommand.of(verb, options.heloName()), options.commandTimeout());
        handler.flush();
    }

    private void ready() {
        complete(new Result.Ready(ehlo, tls));
    }

    private void rejected(String fallbackStatus, String step, SmtpReply reply) {
        fail(temporaryStatus(reply, fallbackStatus), step + ": " + reply, false);
    }

    private void fail(String status, String reason, boolean tlsFailed) {
        handler.close();
        complete(new Result.Failed(HostFailed.temporary(status, reason), tlsFailed));
    }

    private void complete(Result outcome) {
        state = State.DONE;
        result.complete(outcome);
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
