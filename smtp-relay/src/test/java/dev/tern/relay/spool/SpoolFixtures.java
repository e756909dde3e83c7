package dev.tern.relay.spool;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Envelopes, contents and a storage fake for spool tests. */
final class SpoolFixtures {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private SpoolFixtures() {}

    static Envelope envelope(String from, String... to) {
        List<RcptTo> rcpts = java.util.Arrays.stream(to)
                .map(a -> new RcptTo(mailbox(a), RcptParameters.NONE))
                .toList();
        return new Envelope(new ReversePath(mailbox(from)), rcpts, MailParameters.NONE);
    }

    /** An envelope using every field the codec carries. */
    static Envelope richEnvelope() {
        return new Envelope(
                new ReversePath(new Mailbox("jöran", "bücher.example")),
                List.of(
                        new RcptTo(
                                new Mailbox("a b", "example.org"),
                                new RcptParameters(
                                        Set.of(RcptParameters.Notify.SUCCESS, RcptParameters.Notify.DELAY),
                                        "rfc822;a@example.org")),
                        new RcptTo(
                                new Mailbox("c", "[192.0.2.1]"),
                                new RcptParameters(Set.of(RcptParameters.Notify.NEVER), null))),
                new MailParameters(
                        12345, MailParameters.Body.EIGHT_BIT_MIME, true, MailParameters.Ret.HDRS, "env-1", "<>"));
    }

    /** A delivered recipient, tried once, with our own diagnostic. */
    static RecipientState delivered(String diagnostic) {
        return RecipientState.delivered(
                1, LastAttempt.local(1_700_000_000_000L, EnhancedStatus.parse("2.0.0"), diagnostic));
    }

    /** A deferred recipient, tried once, due again at {@code nextMillis}. */
    static RecipientState deferred(long nextMillis, String diagnostic) {
        return RecipientState.deferred(
                nextMillis, 1, LastAttempt.local(1_700_000_000_000L, EnhancedStatus.parse("4.0.0"), diagnostic));
    }

    /** A recipient failed for good, tried once. */
    static RecipientState failed(String diagnostic) {
        return RecipientState.failed(
                1, LastAttempt.local(1_700_000_000_000L, EnhancedStatus.parse("5.0.0"), diagnostic));
    }

    static Mailbox mailbox(String address) {
        int at = address.lastIndexOf('@');
        return new Mailbox(address.substring(0, at), address.substring(at + 1));
    }

    /** A pooled direct buffer holding {@code text}: the kind of buffer the server hands over. */
    static ByteBuf content(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    static String message(int n) {
        return "Subject: message " + n + "\r\n\r\nbody of message " + n + "\r\n";
    }

    static <T> T join(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    static QueueId enqueue(Spool spool, String text) throws Exception {
        return join(spool.enqueue(envelope("from@example.com", "to@example.net"), content(text)));
    }

    static String readText(Spool spool, SpooledMessage m) throws IOException {
        ByteBuf buf = spool.readContent(m);
        try {
            return new String(ByteBufUtil.getBytes(buf), StandardCharsets.UTF_8);
        } finally {
            buf.release();
        }
    }

    static List<String> pendingTexts(Spool spool) throws IOException {
        List<String> texts = new java.util.ArrayList<>();
        for (SpooledMessage m : spool.pending()) {
            texts.add(readText(spool, m));
        }
        return texts;
    }

    static Path onlySegment(Path dir) throws IOException {
        try (var files = java.nio.file.Files.list(dir)) {
            List<Path> segments = files.filter(p -> p.getFileName().toString().startsWith("segment-"))
                    .toList();
            if (segments.size() != 1) {
                throw new IllegalStateException("expected one segment, found " + segments);
            }
            return segments.get(0);
        }
    }
}
