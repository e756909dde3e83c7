package dev.tern.smtp.codec;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.MailFrom;
import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpArguments;
import dev.tern.smtp.SmtpCommand;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.SmtpVerb;
import dev.tern.smtp.Xtext;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What Tern writes, Tern reads back unchanged: a command through {@link SmtpCommandEncoder} and the
 * inbound decoders, a reply through {@link SmtpReplyEncoder} and {@link SmtpReplyDecoder}, a mailbox
 * through its written form and the path parsers, a value through xtext, and a body through {@link
 * DotStuffing} and the DATA mode of {@link SmtpLineDecoder}.
 */
class RoundTripFuzzTest {

    static final int COMMAND_LIMIT = 512;

    @FuzzTest(maxDuration = "30s")
    void commandRoundTrip(FuzzedDataProvider data) {
        SmtpVerb verb = data.pickValue(SmtpVerb.values());
        String argument = data.consumeRemainingAsString();
        if (verb == SmtpVerb.UNKNOWN
                || !wellFormed(argument)
                || argument.indexOf('\r') >= 0
                || argument.indexOf('\n') >= 0) {
            return;
        }
        SmtpCommand sent = SmtpCommand.of(verb, argument);
        EmbeddedChannel client = new EmbeddedChannel(new SmtpCommandEncoder());
        assertThat(client.writeOutbound(sent)).isTrue();
        ByteBuf wire = client.readOutbound();
        int octets = wire.readableBytes();
        EmbeddedChannel server =
                new EmbeddedChannel(new SmtpLineDecoder(COMMAND_LIMIT, 1000), new SmtpCommandDecoder());
        server.writeInbound(wire);
        Object received = server.readInbound();
        // MAIL and RCPT may be longer by what their extensions' parameters add (RFC 3461 4, RFC 4954 5).
        int limit = COMMAND_LIMIT
                + switch (verb) {
                    case MAIL -> SmtpLineDecoder.MAIL_PARAMETERS;
                    case RCPT -> SmtpLineDecoder.RCPT_PARAMETERS;
                    default -> 0;
                };
        if (octets > limit && verb == SmtpVerb.BDAT) {
            // Its chunk's end cannot be known: refused as a line another reader may take for BDAT (a session ends).
            assertThat(received).isEqualTo(LineError.BDAT_TOO_LONG);
        } else if (octets > limit) {
            assertThat(received).isEqualTo(LineError.TOO_LONG);
        } else {
            assertThat(received).isEqualTo(sent);
        }
        assertThat(server.finishAndReleaseAll()).isFalse();
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(wire.refCnt()).isZero();
    }

    @FuzzTest(maxDuration = "30s")
    void replyRoundTrip(FuzzedDataProvider data) {
        int code = data.consumeInt(200, 599);
        EnhancedStatus status = data.consumeBoolean() && code / 100 != 3
                ? new EnhancedStatus(code / 100, data.consumeInt(0, 999), data.consumeInt(0, 999))
                : null;
        List<String> lines = new ArrayList<>();
        int count = data.consumeInt(1, 8);
        for (int i = 0; i < count; i++) {
            String line = data.consumeString(200);
            if (!wellFormed(line) || line.indexOf('\r') >= 0 || line.indexOf('\n') >= 0) {
                return;
            }
            lines.add(line);
        }
        SmtpReply sent = new SmtpReply(code, status, lines);
        if (status == null
                && SmtpReplyDecoder.EnhancedStatusText.toReply(code, lines).status() != null) {
            return; // text that begins like an enhanced code of its class is read as one (RFC 2034 3)
        }
        ByteBuf wire = Unpooled.buffer();
        SmtpReplyEncoder.write(sent, wire);
        EmbeddedChannel client = new EmbeddedChannel(new SmtpReplyDecoder());
        client.writeInbound(wire);
        // What the server wrote comes back, but a control character in it as "?" (never into a log or report).
        SmtpReply expected = new SmtpReply(
                code,
                status,
                lines.stream().map(SmtpReplyDecoder::withoutControls).toList());
        assertThat((SmtpReply) client.readInbound()).isEqualTo(expected);
        assertThat(client.finishAndReleaseAll()).isFalse();
        assertThat(wire.refCnt()).isZero();
    }

    @FuzzTest(maxDuration = "30s")
    void mailboxRoundTrip(@NotNull String address) {
        Optional<Mailbox> parsed = PathParser.parseMailbox(address);
        if (parsed.isEmpty()) {
            return;
        }
        Mailbox mailbox = parsed.get();
        String written = mailbox.address();
        assertThat(PathParser.parseMailbox(written)).contains(mailbox);
        if (("<" + written + ">").getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 256) {
            // A mailbox within its domain's limits can still make a path over RFC 5321 4.5.3.1.3's 256
            // octets: MAIL and RCPT refuse it as such.
            assertThat(SmtpArguments.parseMail("FROM:<" + written + "> SMTPUTF8"))
                    .isInstanceOfSatisfying(
                            ParseResult.Rejected.class,
                            r -> assertThat(r.reply().toString()).contains("path too long"));
            return;
        }
        ParseResult<MailFrom> mail =
                SmtpArguments.parseMail("FROM:<" + written + ">" + (mailbox.needsSmtpUtf8() ? " SMTPUTF8" : ""));
        assertThat(mail).isInstanceOf(ParseResult.Parsed.class);
        assertThat(((ParseResult.Parsed<MailFrom>) mail).value().reversePath().mailbox())
                .isEqualTo(mailbox);
        ParseResult<RcptTo> rcpt = SmtpArguments.parseRcpt("TO:<" + written + ">", true);
        assertThat(rcpt).isInstanceOf(ParseResult.Parsed.class);
        assertThat(((ParseResult.Parsed<RcptTo>) rcpt).value().mailbox()).isEqualTo(mailbox);
    }

    @FuzzTest(maxDuration = "30s")
    void xtextRoundTrip(@NotNull String text) {
        if (Xtext.isValid(text)) {
            Xtext.decode(text);
            Xtext.isPrintable(text);
        }
        if (!wellFormed(text)) {
            return;
        }
        String encoded = Xtext.encode(text);
        assertThat(Xtext.isValid(encoded)).isTrue();
        assertThat(Xtext.decode(encoded)).isEqualTo(text);
        assertThat(Xtext.isValid(Xtext.encodeUtf8Address(text))).isTrue();
    }

    @FuzzTest(maxDuration = "30s")
    void dotStuffingRoundTrip(byte[] body) {
        ByteBuf message = Unpooled.wrappedBuffer(body);
        ByteBuf stuffed = DotStuffing.stuff(message, ByteBufAllocator.DEFAULT);
        EmbeddedChannel server = new EmbeddedChannel(new SmtpLineDecoder(COMMAND_LIMIT, 1000));
        ((SmtpLineDecoder) server.pipeline().first()).startData();
        server.writeInbound(stuffed);
        ByteBuf received = Unpooled.buffer();
        Object msg;
        while ((msg = server.readInbound()) instanceof DataContent content) {
            received.writeBytes(content.content());
            content.release();
        }
        assertThat(msg).as("the data ends where the stuffed body ends").isInstanceOf(DataEnd.class);
        assertThat((Object) server.readInbound()).isNull();
        byte[] expected = body;
        if (body.length > 0 && !(body.length >= 2 && body[body.length - 2] == '\r' && body[body.length - 1] == '\n')) {
            expected = (new String(body, ISO_8859_1) + "\r\n").getBytes(ISO_8859_1);
        }
        assertThat(ByteBufUtil.getBytes(received)).isEqualTo(expected);
        received.release();
        assertThat(server.finishAndReleaseAll()).isFalse();
        assertThat(stuffed.refCnt()).isZero();
        assertThat(message.refCnt())
                .as("the message keeps only its own reference")
                .isEqualTo(1);
        message.release();
    }

    /** Whether a string survives UTF-8 unchanged (no lone surrogate). */
    static boolean wellFormed(String s) {
        return new String(s.getBytes(UTF_8), UTF_8).equals(s);
    }
}
