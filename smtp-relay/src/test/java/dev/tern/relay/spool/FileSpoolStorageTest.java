package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment files on a real file system: a large append writes its whole blocks with {@code O_DIRECT} and its
 * partial blocks at either end through the page cache, and the file reads back byte for byte as the appends
 * gave it, wherever they start and end.
 */
class FileSpoolStorageTest {

    private static final int LARGE = (int) FileSpoolStorage.DIRECT_MIN;
    /** O_DIRECT in the flags of /proc/self/fdinfo (octal, x86 and arm64 alike). */
    private static final int O_DIRECT = 0_40000;

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    private final ByteArrayOutputStream expected = new ByteArrayOutputStream();
    private final AtomicInteger opened = new AtomicInteger();

    @Test
    void largeAppendsReadBackExactlyWhereverTheirBlocksBeginAndEnd() throws IOException {
        Path file = dir.resolve("segment-1.log");
        try (SpoolStorage.Segment segment = SpoolStorage.files().open(file)) {
            append(segment, 16); // a segment header: the next append starts inside a block
            assertThat(openedDirect(file)).isFalse();
            append(segment, 7, LARGE * 4 + 301, 5000); // crosses blocks, ends inside one
            assertThat(openedDirect(file)).isTrue();
            append(segment, 99);
            append(segment, LARGE + 4096 - (16 + 7 + LARGE * 4 + 301 + 5000 + 99) % 4096); // ends on a block
            append(segment, LARGE * 2); // starts on one
            append(segment, 1);
            segment.force();
            assertThat(segment.size()).isEqualTo(expected.size());
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    @Test
    void anAppendOfSmallMessagesStaysInThePageCacheHoweverLarge() throws IOException {
        Path file = dir.resolve("segment-4.log");
        try (SpoolStorage.Segment segment = SpoolStorage.files().open(file)) {
            segment.append(buffers(16, LARGE * 4));
            segment.force();
            assertThat(openedDirect(file)).isFalse();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    @Test
    void aLargeAppendCutBackLeavesTheFileToGoOnFromTheCut() throws IOException {
        Path file = dir.resolve("segment-2.log");
        try (SpoolStorage.Segment segment = SpoolStorage.files().open(file)) {
            append(segment, 1000);
            long before = segment.size();
            byte[] kept = expected.toByteArray();
            append(segment, LARGE * 3 + 17); // a batch whose force failed, say: the writer cuts it off
            segment.truncate(before);
            expected.reset();
            expected.writeBytes(kept);
            append(segment, LARGE + 5);
            append(segment, 3);
            segment.force();
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    @Test
    void aLargeAppendOverZerosWrittenAheadKeepsTheZerosBeyondIt() throws IOException {
        Path file = dir.resolve("segment-3.log");
        try (SpoolStorage.Segment segment = SpoolStorage.files().open(file)) {
            append(segment, 16);
            segment.preallocate(4L << 20);
            append(segment, LARGE + 12345);
            segment.force();
            assertThat(segment.size()).isEqualTo(4L << 20);
        }
        byte[] read = Files.readAllBytes(file);
        byte[] written = expected.toByteArray();
        assertThat(read).startsWith(written);
        for (int i = written.length; i < read.length; i++) {
            assertThat(read[i]).as("octet %d", i).isZero();
        }
    }

    @Test
    void aFileSystemThatRefusesODirectTakesLargeAppendsThroughThePageCache() throws IOException {
        Path file = dir.resolve("segment-5.log");
        SpoolStorage storage = countingOpens(f -> {
            throw new IOException("Invalid argument");
        });
        try (SpoolStorage.Segment segment = storage.open(file)) {
            append(segment, 16, LARGE + 3);
            append(segment, LARGE * 2 + 5);
            segment.force();
        }
        assertThat(opened).hasValue(1); // asked once: the segment keeps to the page cache
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    /**
     * A file system may take O_DIRECT at open and fail the writes. The append is written again from its start
     * through the page cache, and so is every later one of that segment.
     */
    @Test
    void aFailedDirectWriteIsWrittenAgainThroughThePageCache() throws IOException {
        Path file = dir.resolve("segment-6.log");
        SpoolStorage storage = countingOpens(f -> {
            FileChannel broken = FileChannel.open(f, StandardOpenOption.WRITE);
            broken.close(); // every write fails (ClosedChannelException, an IOException)
            return broken;
        });
        try (SpoolStorage.Segment segment = storage.open(file)) {
            append(segment, 16);
            append(segment, 7, LARGE * 3 + 301); // its first partial block goes out before the direct write fails
            append(segment, LARGE + 9);
            segment.force();
            assertThat(segment.size()).isEqualTo(expected.size());
        }
        assertThat(opened).hasValue(1);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    /** A file system with blocks larger than the copy buffer can align to is never asked for O_DIRECT. */
    @Test
    void blocksOver64KibKeepLargeAppendsInThePageCache() throws IOException {
        Path file = dir.resolve("segment-7.log");
        SpoolStorage storage = new FileSpoolStorage(new FileSpoolStorage.DirectOpener() {
            @Override
            public FileChannel open(Path f) throws IOException {
                opened.incrementAndGet();
                return FileChannel.open(f, StandardOpenOption.WRITE);
            }

            @Override
            public int blockSize(Path f) {
                return 128 << 10;
            }
        });
        try (SpoolStorage.Segment segment = storage.open(file)) {
            append(segment, 16, LARGE * 3 + 301);
            append(segment, LARGE + 9);
            segment.force();
        }
        assertThat(opened).hasValue(0);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
    }

    /** Storage whose segments open their O_DIRECT channel with {@code opener}, counted in {@link #opened}. */
    private SpoolStorage countingOpens(FileSpoolStorage.DirectOpener opener) {
        return new FileSpoolStorage(f -> {
            opened.incrementAndGet();
            return opener.open(f);
        });
    }

    /** Appends random bytes in buffers of the given sizes, gathered in one append of large messages. */
    private void append(SpoolStorage.Segment segment, int... sizes) throws IOException {
        segment.appendLarge(buffers(sizes));
    }

    private ByteBuffer[] buffers(int... sizes) {
        List<ByteBuffer> list = new ArrayList<>();
        for (int size : sizes) {
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            expected.writeBytes(bytes);
            // Direct and heap buffers alike, as a batch's records and a message's content come.
            ByteBuffer b = list.size() % 2 == 0 ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
            list.add(b.put(bytes).flip());
        }
        return list.toArray(ByteBuffer[]::new);
    }

    /** Whether this process holds {@code file} open with O_DIRECT, as the kernel reports it. */
    private static boolean openedDirect(Path file) throws IOException {
        Path target = file.toRealPath();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                Path link;
                try {
                    link = Files.readSymbolicLink(fd);
                } catch (IOException gone) {
                    continue;
                }
                if (!link.equals(target)) {
                    continue;
                }
                for (String line : Files.readAllLines(
                        Path.of("/proc/self/fdinfo", fd.getFileName().toString()))) {
                    if (line.startsWith("flags:")
                            && (Integer.parseInt(line.substring(6).trim(), 8) & O_DIRECT) != 0) {
                        return true;
                    }
                }
            }
        }
        return false;
    }
}
