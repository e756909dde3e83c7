package dev.tern.server.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.tern.relay.client.AttemptResult;
import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.ClientRoute.TlsMode;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.client.SmtpClientOptions;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern send}: builds a message and submits it to a server with Tern's own client, printing
 * the server's reply for every recipient it refused. Exit 0 when every recipient was accepted, 1 when
 * any was not, 2 for usage errors.
 */
@Command(
        name = "send",
        mixinStandardHelpOptions = true,
        description = "Compose a message and submit it to an SMTP server (e.g. Tern's submission port).")
final class SendCommand implements Callable<Integer> {
    private final InputStream stdin;

    @Option(names = "--server", required = true, paramLabel = "HOST:PORT", description = "the server to submit to")
    String server;

    @Option(names = "--starttls", description = "require STARTTLS (RFC 3207)")
    boolean startTls;

    @Option(names = "--tls", description = "TLS from the first byte (port 465, RFC 8314)")
    boolean implicitTls;

    @Option(names = "--user", paramLabel = "USER", description = "AUTH as this user (needs --password-file)")
    String user;

    @Option(
            names = "--auth",
            paramLabel = "MECHANISM",
            description = "AUTH mechanism: PLAIN or LOGIN (default: PLAIN when offered, else LOGIN)")
    String authMechanism;

    @Option(names = "--password-file", paramLabel = "FILE", description = "the password, first line of FILE")
    Path passwordFile;

    @Option(names = "--from", required = true, paramLabel = "ADDRESS", description = "the sender")
    String from;

    @Option(names = "--to", required = true, paramLabel = "ADDRESS", description = "a recipient (repeatable)")
    List<String> to;

    @Option(names = "--subject", paramLabel = "TEXT", description = "the subject")
    String subject;

    @Option(names = "--body-file", paramLabel = "FILE", description = "the body text (default: standard input)")
    Path bodyFile;

    @Option(names = "--attach", paramLabel = "FILE", arity = "1..*", description = "files to attach")
    List<Path> attachments = new ArrayList<>();

    @Option(names = "--helo", paramLabel = "NAME", description = "the name to give in EHLO (default: localhost)")
    String helo = "localhost";

    @Option(names = "--insecure", description = "trust any certificate (TLS still encrypts)")
    boolean insecure;

    @Option(names = "--cafile", paramLabel = "PEM", description = "trust the certificates in this PEM file")
    Path caFile;

    @Spec
    CommandSpec spec;

    SendCommand(InputStream stdin) {
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = parseServer(server);
        if (address == null) {
            return usage("--server must be HOST:PORT, not '" + server + "'");
        }
        if (startTls && implicitTls) {
            return usage("--starttls and --tls exclude each other");
        }
        if ((user == null) != (passwordFile == null)) {
            return usage("--user and --password-file go together");
        }
        if (user != null && !startTls && !implicitTls) {
            // As a route with a user: no password across the network in clear (RFC 4954 14).
            return usage("--user needs --starttls or --tls: without TLS the password would be sent in clear");
        }
        if (authMechanism != null
                && !authMechanism.equalsIgnoreCase("PLAIN")
                && !authMechanism.equalsIgnoreCase("LOGIN")) {
            return usage("--auth is PLAIN or LOGIN");
        }
        Mailbox sender = PathParser.parseMailbox(from).orElse(null);
        if (sender == null) {
            return usage("--from is not an address: '" + from + "'");
        }
        List<RcptTo> recipients = new ArrayList<>();
        for (String address1 : to) {
            Mailbox rcpt = PathParser.parseMailbox(address1).orElse(null);
            if (rcpt == null) {
                return usage("--to is not an address: '" + address1 + "'");
            }
            recipients.add(new RcptTo(rcpt, RcptParameters.NONE));
        }
        List<MessageComposer.Attachment> files = new ArrayList<>();
        for (Path file : attachments) {
            files.add(new MessageComposer.Attachment(MessageComposer.fileName(file), Files.readAllBytes(file)));
        }
        String body = bodyFile != null
                ? Files.readString(bodyFile, StandardCharsets.UTF_8)
                : new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        byte[] message = MessageComposer.compose(
                sender.address(),
                recipients.stream().map(r -> r.mailbox().address()).toList(),
                subject,
                body,
                files,
                ZonedDateTime.now(),
                sender.domain());
        boolean smtpUtf8 = sender.needsSmtpUtf8()
                || recipients.stream().anyMatch(r -> r.mailbox().needsSmtpUtf8());
        MailParameters parameters = new MailParameters(-1, MailParameters.Body.SEVEN_BIT, smtpUtf8, null, null, null);
        Envelope envelope = new Envelope(new ReversePath(sender), recipients, parameters);
        return send(address, envelope, message);
    }

    private int send(InetSocketAddress address, Envelope envelope, byte[] message) throws Exception {
        // A command prints its result on standard output: the client's line for its attempt is for a server's
        // log, not for this output (a warning still shows).
        Logger client = (Logger) LoggerFactory.getLogger(SmtpClient.class);
        Level before = client.getLevel();
        client.setLevel(Level.WARN);
        try {
            return sendQuietly(address, envelope, message);
        } finally {
            client.setLevel(before);
        }
    }

    private int sendQuietly(InetSocketAddress address, Envelope envelope, byte[] message) throws Exception {
        TlsMode mode = implicitTls ? TlsMode.IMPLICIT : startTls ? TlsMode.STARTTLS : TlsMode.NONE;
        boolean verify = mode != TlsMode.NONE && !insecure;
        ClientRoute route = new ClientRoute(
                mode,
                verify,
                user,
                user == null ? null : readPassword(),
                authMechanism == null ? null : authMechanism.toUpperCase(Locale.ROOT));
        SmtpClientOptions options = SmtpClientOptions.defaults(helo)
                .withTls(SmtpClientOptions.opportunisticContext(), verifiedContext())
                .withIdleTimeout(Duration.ofSeconds(1), 1);
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < envelope.recipients().size(); i++) {
            indexes.add(i);
        }
        ByteBuf content = Unpooled.wrappedBuffer(message);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (SmtpClient client = new SmtpClient(group, NioSocketChannel.class, options)) {
            DeliveryRequest request = new DeliveryRequest(new QueueId("send"), envelope, indexes, content);
            AttemptResult result = client.deliver(address, address.getHostString(), route, request)
                    .toCompletableFuture()
                    .get();
            return report(result, envelope);
        } finally {
            content.release();
            // Gives the QUIT that follows the transaction its moment on the wire.
            group.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).await(3, TimeUnit.SECONDS);
        }
    }

    private int report(AttemptResult result, Envelope envelope) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failed = 0;
        switch (result) {
            case AttemptResult.HostFailed f -> {
                err.println("tern: " + server + ": " + TerminalText.line(f.diagnostic()));
                failed = envelope.recipients().size();
            }
            case AttemptResult.Completed c -> {
                for (RecipientOutcome o : c.outcomes()) {
                    if (o.status() != DeliveryStatus.DELIVERED) {
                        err.println("tern: <"
                                + envelope.recipients()
                                        .get(o.recipientIndex())
                                        .mailbox()
                                        .address() + ">: " + said(o));
                        failed++;
                    }
                }
                if (failed == 0) {
                    out.println("sent to " + c.outcomes().size() + " recipient(s): "
                            + said(c.outcomes().get(0)));
                }
            }
        }
        out.flush();
        err.flush();
        return failed == 0 ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    /** What the server said, whole (a refused sender's enhanced code shows it was the sender), fit for a terminal. */
    private static String said(RecipientOutcome o) {
        return TerminalText.line(o.said());
    }

    private SslContext verifiedContext() throws IOException {
        if (caFile == null) {
            return SmtpClientOptions.verifiedContext();
        }
        return SslContextBuilder.forClient()
                .sslProvider(SslProvider.JDK)
                .trustManager(caFile.toFile())
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
    }

    private String readPassword() throws IOException {
        String text = Files.readString(passwordFile, StandardCharsets.UTF_8);
        int end = text.indexOf('\n');
        String line = end < 0 ? text : text.substring(0, end);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    /** HOST:PORT, [IPv6]:PORT; null when malformed. */
    static InetSocketAddress parseServer(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            return null;
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            return port < 1 || port > 65535 ? null : new InetSocketAddress(host, port);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("tern: " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.CONFIG;
    }
}
