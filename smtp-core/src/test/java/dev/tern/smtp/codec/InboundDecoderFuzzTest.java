package dev.tern.smtp.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.smtp.BdatChunk;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The inbound pipeline's framing and parsing on any octets: {@link SmtpLineDecoder} in command, DATA,
 * BDAT and AUTH-continuation mode (switched by the lines themselves, as the session switches it),
 * {@link SmtpCommandDecoder}, and the MAIL, RCPT, HELO/EHLO and BDAT argument parsers. For every input
 * nothing is thrown, the outputs are the same whether the octets arrive in one read, in the reads the
 * fuzzer chose or one at a time, the decoder never holds more than one line's worth of octets, and
 * every buffer is released.
 */
class InboundDecoderFuzzTest {

    static final int COMMAND_LIMIT = 512;
    static final int TEXT_LIMIT = 1000;
    /** RFC 4954 4: the longest AUTH response line. */
    static final int AUTH_LIMIT = 12_288;
    /** Byte-by-byte feeding costs one pipeline pass per octet; only short inputs get it. */
    static final int BYTE_BY_BYTE_MAX = 300;

    @FuzzTest(maxDuration = "30s")
    void decodesTheSameHoweverSplit(byte[] data) {
        SplitInput input = SplitInput.of(data);
        List<String> whole = Session.run(input.whole());
        assertThat(Session.run(input.chosen())).isEqualTo(whole);
        if (input.octets().length <= BYTE_BY_BYTE_MAX) {
            assertThat(Session.run(input.byteByByte())).isEqualTo(whole);
        }
    }

    /** Stands in for the session: switches the decoder's mode on DATA, BDAT and AUTH and records every output. */
    static final class Session extends ChannelInboundHandlerAdapter {
        final SmtpLineDecoder decoder = new SmtpLineDecoder(COMMAND_LIMIT, TEXT_LIMIT);
        final List<String> events = new ArrayList<>();
        final StringBuilder body = new StringBuilder();
        boolean authLine;

        static List<String> run(List<byte[]> reads) {
            Session session = new Session();
            EmbeddedChannel channel = new EmbeddedChannel(session.decoder, new SmtpCommandDecoder(), session);
            List<ByteBuf> sent = new ArrayList<>();
            for (byte[] read : reads) {
                ByteBuf buf = Unpooled.copiedBuffer(read); // a decoder may compact its buffer in place
                if (read.length > 0) { // the shared empty buffer is never released
                    sent.add(buf);
                }
                channel.writeInbound(buf);
                // Bounded memory: what waits undecoded is never more than the longest line allowed.
                assertThat(session.decoder.bufferedBytes()).isLessThanOrEqualTo(AUTH_LIMIT);
            }
            if (!session.body.isEmpty()) {
                session.events.add("UNFINISHED[" + session.body + "]");
            }
            assertThat(channel.finishAndReleaseAll())
                    .as("nothing left in the channel")
                    .isFalse();
            for (ByteBuf buf : sent) {
                assertThat(buf.refCnt()).as("every received buffer released").isZero();
            }
            return session.events;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            switch (msg) {
                case DataContent content -> {
                    body.append(content.content().toString(ISO_8859_1));
                    content.release();
                }
                case DataEnd end -> {
                    events.add("DATA[" + body + "] " + end);
                    body.setLength(0);
                }
                case ChunkEnd end -> {
                    events.add("CHUNK[" + body + "]");
                    body.setLength(0);
                }
                case LineError error -> events.add(error.name());
                case SmtpReply reply -> events.add("REFUSED " + reply);
                case SmtpCommand command -> command(command);
                default -> throw new AssertionError("unexpected output " + msg);
            }
        }

        private void command(SmtpCommand command) {
            events.add("COMMAND " + command);
            if (authLine) {
                // The response to the 334 is read; the command limit applies again.
                authLine = false;
                decoder.maxCommandLineLength(COMMAND_LIMIT);
                return;
            }
            switch (command.verb()) {
                case DATA -> decoder.startData();
                case BDAT -> {
                    ParseResult<BdatChunk> chunk = SmtpArguments.parseBdat(command.argument());
                    events.add("BDAT " + chunk);
                    if (chunk instanceof ParseResult.Parsed<BdatChunk>(BdatChunk parsed)) {
                        decoder.startChunk(parsed.size());
                    }
                }
                case AUTH -> {
                    authLine = true;
                    decoder.maxCommandLineLength(AUTH_LIMIT);
                }
                case MAIL -> events.add("MAIL " + SmtpArguments.parseMail(command.argument()));
                case RCPT -> {
                    events.add("RCPT " + SmtpArguments.parseRcpt(command.argument(), false, "example.org"));
                    events.add("RCPT8 " + SmtpArguments.parseRcpt(command.argument(), true));
                }
                case HELO, EHLO -> events.add("HELO " + SmtpArguments.parseHelo(command.argument()));
                default -> {}
            }
        }
    }
}
