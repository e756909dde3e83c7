package dev.tern.relay.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Maildir files get LF line ends; a CR or LF on its own is message data and stays. */
class LfLineEndsTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # case                      | as spooled (CRLF)            | as stored
            header and body             | Subject: a\\r\\n\\r\\nbody\\r\\n | Subject: a\\n\\nbody\\n
            no line end at the end      | a\\r\\nb                       | a\\nb
            bare LF kept                | a\\nb\\r\\n                    | a\\nb\\n
            bare CR kept                | a\\rb\\r\\n                    | a\\rb\\n
            CR CR LF keeps the first CR | a\\r\\r\\n                     | a\\r\\n
            LF CR is no line end        | a\\n\\rb                       | a\\n\\rb
            CR at the very end kept     | a\\r                           | a\\r
            empty                       | ''                           | ''
            """)
    void turnsCrlfIntoLf(String name, String spooled, String stored) throws Exception {
        assertThat(copy(unescape(spooled))).isEqualTo(unescape(stored));
    }

    @Test
    void aCrlfAcrossTheCopyBufferBoundaryIsOneLineEnd() throws Exception {
        // 64 KiB is the copy buffer: put the CR as its last byte and the LF as the next one.
        String line = "x".repeat(64 * 1024 - 1);
        String spooled = line + "\r\n" + line + "\r\n";

        assertThat(copy(spooled)).isEqualTo(line + "\n" + line + "\n");
    }

    @Test
    void writesAfterThePositionAndLeavesTheBufferIndexesAlone() throws Exception {
        Path file = dir.resolve("m");
        Files.writeString(file, "Return-Path: <>\n");
        ByteBuf content = Unpooled.copiedBuffer("skipped\r\nSubject: a\r\n", StandardCharsets.US_ASCII);
        content.readerIndex("skipped\r\n".length());
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            assertThat(LfLineEnds.write(content, channel, Files.size(file))).isEqualTo("Subject: a\n".length());
        } finally {
            assertThat(content.readerIndex()).isEqualTo("skipped\r\n".length());
            content.release();
        }
        assertThat(Files.readString(file)).isEqualTo("Return-Path: <>\nSubject: a\n");
    }

    private String copy(String spooled) throws Exception {
        Path file = Files.createTempFile(dir, "m", "");
        ByteBuf content = Unpooled.copiedBuffer(spooled, StandardCharsets.ISO_8859_1);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            LfLineEnds.write(content, channel, 0);
        } finally {
            content.release();
        }
        return Files.readString(file, StandardCharsets.ISO_8859_1);
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }
}
