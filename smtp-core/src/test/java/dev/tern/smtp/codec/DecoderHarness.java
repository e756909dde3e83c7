package dev.tern.smtp.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs {@link SmtpLineDecoder} on an {@link EmbeddedChannel} in front of a small stand-in for the
 * session: it switches modes on DATA / BDAT lines, pauses on PAUSE, checks and drops buffered input on
 * STARTTLS, and records every output as a string, releasing the buffers.
 */
final class DecoderHarness extends ChannelInboundHandlerAdapter {

    static final int COMMAND_LIMIT = 512;
    static final int TEXT_LIMIT = 1000;

    final SmtpLineDecoder decoder = new SmtpLineDecoder(COMMAND_LIMIT, TEXT_LIMIT);
    final EmbeddedChannel channel;
    final List<String> events = new ArrayList<>();
    private final StringBuilder body = new StringBuilder();
    boolean pauseOnContent;
    int dataContents;
    int readCompletes;

    DecoderHarness() {
        channel = new EmbeddedChannel(decoder, this);
    }

    void write(String input) {
        channel.writeInbound(Unpooled.copiedBuffer(input, ISO_8859_1));
    }

    /** Closes the channel and checks nothing was left unreleased or unconsumed. */
    List<String> finish() {
        assertThat(channel.finishAndReleaseAll()).isFalse();
        return events;
    }

    /** The outputs for {@code input} delivered in {@code pieces}. */
    static List<String> decode(String input, int... splits) {
        DecoderHarness harness = new DecoderHarness();
        int from = 0;
        for (int split : splits) {
            harness.write(input.substring(from, split));
            from = split;
        }
        harness.write(input.substring(from));
        return harness.finish();
    }

    /** Checks the outputs are the same whole, byte by byte, and split at every position. */
    static void assertDecodes(String input, String... expected) {
        assertThat(decode(input)).as("one buffer").containsExactly(expected);
        int[] everyByte = new int[Math.max(0, input.length() - 1)];
        Arrays.setAll(everyByte, i -> i + 1);
        assertThat(decode(input, everyByte)).as("byte by byte").containsExactly(expected);
        for (int split = 1; split < input.length(); split++) {
            assertThat(decode(input, split)).as("split at %d", split).containsExactly(expected);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DataContent content) {
            body.append(content.content().toString(ISO_8859_1));
            dataContents++;
            content.release();
            if (pauseOnContent) {
                decoder.pause();
            }
        } else if (msg instanceof ByteBuf line) {
            String text = line.toString(ISO_8859_1);
            line.release();
            events.add("LINE:" + text);
            react(text.toUpperCase(Locale.ROOT));
        } else if (msg instanceof LineError error) {
            events.add(error.name());
        } else if (msg instanceof DataEnd end) {
            events.add("DATA[" + body + "]" + (end.lineTooLong() ? " tooLong" : "")
                    + (end.bareLineEnding() ? " bare" : ""));
            body.setLength(0);
        } else if (msg == ChunkEnd.INSTANCE) {
            events.add("CHUNK[" + body + "]");
            body.setLength(0);
        } else {
            throw new AssertionError("unexpected output " + msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readCompletes++;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            events.add("INPUT_SHUTDOWN");
        }
    }

    /** The client half-closes, as Netty reports it with {@code ALLOW_HALF_CLOSURE} set. */
    void shutdownInput() {
        channel.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }

    private void react(String command) {
        if (command.equals("DATA")) {
            decoder.startData();
        } else if (command.startsWith("BDAT ")) {
            decoder.startChunk(Long.parseLong(command.split(" ")[1]));
        } else if (command.equals("PAUSE")) {
            decoder.pause();
        } else if (command.equals("STARTTLS")) {
            events.add("BUFFERED:" + decoder.hasBufferedInput());
            decoder.discardBufferedInput();
        }
    }
}
