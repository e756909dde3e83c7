package dev.tern.relay.client;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BiConsumer;
import javax.net.ssl.SSLException;

/**
 * Settings of the client. The timeouts are RFC 5321 4.5.3.2's, per phase.
 *
 * @param heloName the name we give in EHLO/HELO
 * @param connectTimeout how long a TCP connect may take
 * @param greetingTimeout waiting for the 220 greeting (4.5.3.2.1: 5 minutes)
 * @param commandTimeout waiting for the reply to EHLO, MAIL, RCPT, RSET, STARTTLS, AUTH (4.5.3.2.2-3: 5 minutes)
 * @param dataInitTimeout waiting for the 354 after DATA (4.5.3.2.4: 2 minutes)
 * @param dataBlockTimeout sending the message content (4.5.3.2.5: 3 minutes)
 * @param finalDotTimeout waiting for the reply after the final dot or BDAT LAST (4.5.3.2.6: 10 minutes)
 * @param idleTimeout how long a connection waits in the pool for the next message
 * @param maxMessagesPerConnection messages sent over one connection before it is closed
 * @param opportunisticTls for STARTTLS that need not be verified: trusts any certificate
 * @param verifiedTls for routes that require verified TLS: checks chain and host name
 * @param connectLatency told the time each successful TCP connect took (may do nothing)
 * @param detectsLoops a host whose reply to EHLO or HELO names us ({@code heloName}) is this server reached by
 *     another way (a NAT, a forwarded port): the attempt fails for good with {@code 5.4.6}, as an MX naming us
 *     does (RFC 5321 5.1). Off for a client that may talk to a server of the same name: {@code tern send} to its
 *     own server, a queue drained into another instance of the same deployment
 */
public record SmtpClientOptions(
        String heloName,
        Duration connectTimeout,
        Duration greetingTimeout,
        Duration commandTimeout,
        Duration dataInitTimeout,
        Duration dataBlockTimeout,
        Duration finalDotTimeout,
        Duration idleTimeout,
        int maxMessagesPerConnection,
        SslContext opportunisticTls,
        SslContext verifiedTls,
        BiConsumer<InetAddress, Duration> connectLatency,
        boolean detectsLoops) {

    public SmtpClientOptions {
        Objects.requireNonNull(heloName, "heloName");
        for (Duration d : new Duration[] {
            connectTimeout,
            greetingTimeout,
            commandTimeout,
            dataInitTimeout,
            dataBlockTimeout,
            finalDotTimeout,
            idleTimeout
        }) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("timeouts must be positive");
            }
        }
        if (maxMessagesPerConnection < 1) {
            throw new IllegalArgumentException("maxMessagesPerConnection must be at least 1");
        }
        Objects.requireNonNull(opportunisticTls, "opportunisticTls");
        Objects.requireNonNull(verifiedTls, "verifiedTls");
        Objects.requireNonNull(connectLatency, "connectLatency");
    }

    /** RFC 5321's timeouts, a 30 s connect timeout and reuse window, 100 messages per connection. */
    public static SmtpClientOptions defaults(String heloName) {
        return new SmtpClientOptions(
                heloName,
                Duration.ofSeconds(30),
                Duration.ofMinutes(5),
                Duration.ofMinutes(5),
                Duration.ofMinutes(2),
                Duration.ofMinutes(3),
                Duration.ofMinutes(10),
                Duration.ofSeconds(30),
                100,
                opportunisticContext(),
                verifiedContext(),
                (address, latency) -> {},
                false);
    }

    /** Trusts any certificate: opportunistic TLS protects against passive listeners only (RFC 7435). */
    public static SslContext opportunisticContext() {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .endpointIdentificationAlgorithm(null)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK cannot build a TLS client context", e);
        }
    }

    /** Verifies against the JDK trust store and checks the host name (RFC 6125). */
    public static SslContext verifiedContext() {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK cannot build a TLS client context", e);
        }
    }

    /** These options, with a host that answers EHLO with our own name taken for a mail loop, or not. */
    public SmtpClientOptions detectingLoops(boolean on) {
        return new SmtpClientOptions(
                heloName,
                connectTimeout,
                greetingTimeout,
                commandTimeout,
                dataInitTimeout,
                dataBlockTimeout,
                finalDotTimeout,
                idleTimeout,
                maxMessagesPerConnection,
                opportunisticTls,
                verifiedTls,
                connectLatency,
                on);
    }

    public SmtpClientOptions withTimeouts(Duration command, Duration finalDot) {
        return new SmtpClientOptions(
                heloName,
                connectTimeout,
                command,
                command,
                command,
                command,
                finalDot,
                idleTimeout,
                maxMessagesPerConnection,
                opportunisticTls,
                verifiedTls,
                connectLatency,
                detectsLoops);
    }

    public SmtpClientOptions withIdleTimeout(Duration idle, int maxMessages) {
        return new SmtpClientOptions(
                heloName,
                connectTimeout,
                greetingTimeout,
                commandTimeout,
                dataInitTimeout,
                dataBlockTimeout,
                finalDotTimeout,
                idle,
                maxMessages,
                opportunisticTls,
                verifiedTls,
                connectLatency,
                detectsLoops);
    }

    public SmtpClientOptions withTls(SslContext opportunistic, SslContext verified) {
        return new SmtpClientOptions(
                heloName,
                connectTimeout,
                greetingTimeout,
                commandTimeout,
                dataInitTimeout,
                dataBlockTimeout,
                finalDotTimeout,
                idleTimeout,
                maxMessagesPerConnection,
                opportunistic,
                verified,
                connectLatency,
                detectsLoops);
    }

    public SmtpClientOptions withConnectLatency(BiConsumer<InetAddress, Duration> listener) {
        return new SmtpClientOptions(
                heloName,
                connectTimeout,
                greetingTimeout,
                commandTimeout,
                dataInitTimeout,
                dataBlockTimeout,
                finalDotTimeout,
                idleTimeout,
                maxMessagesPerConnection,
                opportunisticTls,
                verifiedTls,
                listener,
                detectsLoops);
    }
}
