package dev.tern.smtp.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.smtp.EhloReply;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The client side against a hostile server: {@link SmtpReplyDecoder} on any octets (huge, split,
 * interleaved, non-ASCII replies) and {@link EhloReply} on every 250 it yields. The only exception is
 * the declared {@link DecoderException}, after which nothing more is decoded; the replies are the same
 * however the octets are split into reads; the decoder holds at most one line; every buffer is
 * released.
 */
class ReplyDecoderFuzzTest {

    static final int MAX_LINE = 512;

    @FuzzTest(maxDuration = "30s")
    void decodesRepliesTheSameHoweverSplit(byte[] data) {
        SplitInput input = SplitInput.of(data);
        List<String> whole = run(input.whole());
        assertThat(run(input.chosen())).isEqualTo(whole);
    }

    static List<String> run(List<byte[]> reads) {
        EmbeddedChannel channel = new EmbeddedChannel(new SmtpReplyDecoder(MAX_LINE));
        List<String> events = new ArrayList<>();
        List<ByteBuf> sent = new ArrayList<>();
        for (byte[] read : reads) {
            ByteBuf buf = Unpooled.copiedBuffer(read); // a decoder may compact its buffer in place
            if (read.length > 0) { // the shared empty buffer is never released
                sent.add(buf);
            }
            boolean failed = false;
            try {
                channel.writeInbound(buf);
            } catch (DecoderException e) {
                // The declared protocol error; the client closes the connection.
                failed = true;
            }
            // Replies completed in the same read before the error are passed on first.
            for (Object reply; (reply = channel.readInbound()) != null; ) {
                events.add(describe((SmtpReply) reply));
            }
            if (failed) {
                events.add("FAILED");
            }
        }
        assertThat(channel.finishAndReleaseAll())
                .as("nothing left in the channel")
                .isFalse();
        for (ByteBuf buf : sent) {
            assertThat(buf.refCnt()).as("every received buffer released").isZero();
        }
        // After a failure everything that follows is discarded.
        int failed = events.indexOf("FAILED");
        return failed < 0 ? events : events.subList(0, failed + 1);
    }

    private static String describe(SmtpReply reply) {
        assertThat(reply.lines()).hasSizeLessThanOrEqualTo(SmtpReplyDecoder.MAX_LINES);
        for (String line : reply.lines()) {
            assertThat(line.length()).isLessThanOrEqualTo(MAX_LINE);
        }
        assertThat(reply.lines().stream().mapToInt(String::length).sum())
                .as("a reply waiting to be read is bounded")
                .isLessThanOrEqualTo(SmtpReplyDecoder.MAX_READ_TEXT);
        SmtpReply kept = reply.bounded(SmtpReply.MAX_KEPT_TEXT);
        assertThat(kept.lines().stream().mapToInt(String::length).sum())
                .as("what is kept of a reply's text is bounded")
                .isLessThanOrEqualTo(SmtpReply.MAX_KEPT_TEXT);
        for (int i = 0; i < kept.lines().size(); i++) {
            assertThat(reply.lines().get(i)).startsWith(kept.lines().get(i));
        }
        assertThat(kept.code()).isEqualTo(reply.code());
        assertThat(kept.status()).isEqualTo(reply.status());
        if (reply.code() != 250) {
            return reply.toString();
        }
        EhloReply ehlo = EhloReply.parse(reply);
        assertThat(ehlo.domain()).doesNotContain(" ");
        for (String keyword : ehlo.extensions().keySet()) {
            assertThat(keyword).isEqualTo(keyword.toUpperCase(Locale.ROOT)).matches("[A-Z0-9][A-Z0-9-]*");
        }
        return reply + " " + ehlo + " " + ehlo.sizeLimit() + " " + ehlo.authMechanisms();
    }
}
