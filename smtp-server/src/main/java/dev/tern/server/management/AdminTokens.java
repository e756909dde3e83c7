package dev.tern.server.management;

import dev.tern.server.auth.ReloadingFile;
import dev.tern.server.config.ConfigLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the admin API: the token file, {@code NAME:TOKEN} lines ({@code #} comments and blank
 * lines allowed). A bearer token (RFC 6750) is checked off the event loop against every line in
 * constant time (their SHA-256 digests compared with {@link MessageDigest#isEqual}), and the file is
 * read again when it changed, at most once a second, so a token is rotated by editing it. A token is
 * never logged; only the name it belongs to is.
 */
public final class AdminTokens implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AdminTokens.class);
    /** Shorter tokens are refused at load: they could be guessed. */
    static final int MIN_TOKEN_LENGTH = 16;

    private static final String BEARER = "Bearer ";

    private final Path file;
    private final ExecutorService executor;
    private final ReloadingFile<List<Entry>> entries;

    private record Entry(String name, byte[] digest) {}

    private AdminTokens(Path file, ExecutorService executor, InstantSource clock) {
        this.file = file;
        this.executor = executor;
        java.util.concurrent.atomic.AtomicBoolean started = new java.util.concurrent.atomic.AtomicBoolean();
        this.entries = new ReloadingFile<>(
                file,
                "admin token file",
                path -> {
                    List<Entry> loaded = load(path);
                    // Emptied while Tern runs, the file is most likely being written (a shell's > truncates it
                    // first): the tokens in force stay until it holds one again.
                    if (loaded.isEmpty() && started.get()) {
                        throw new AdminTokenFileException(path + " has no token now");
                    }
                    return loaded;
                },
                List::size,
                clock);
        started.set(true);
        if (entries.loaded().isEmpty()) {
            log.warn("admin token file {} has no token: every admin request is refused (401)", file);
        }
    }

    /**
     * Loads {@code file}, creating it first, with one token for {@code admin} and mode 0600, when it does
     * not exist. Blocks on disk: call it at start, not on an event loop.
     *
     * @throws AdminTokenFileException when the file cannot be read or a line is malformed
     */
    public static AdminTokens open(Path file) {
        createIfMissing(file);
        return new AdminTokens(file, executor(), InstantSource.system());
    }

    /** The token file at {@code file}, creating it as {@link #open} does; for tests of the checks alone. */
    static AdminTokens open(Path file, InstantSource clock) {
        createIfMissing(file);
        return new AdminTokens(file, executor(), clock);
    }

    private static ExecutorService executor() {
        return new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "tern-admin-tokens");
            t.setDaemon(true);
            return t;
        });
    }

    public Path file() {
        return file;
    }

    /**
     * The name whose token {@code authorization} (an HTTP Authorization header value, or null) carries,
     * or empty when there is none or it is not known. Completes off the caller's thread; fails when too
     * many checks are waiting already.
     */
    public CompletionStage<Optional<String>> check(String authorization) {
        try {
            return CompletableFuture.supplyAsync(() -> nameOf(entries.current(), authorization), executor);
        } catch (RejectedExecutionException e) {
            // Too many checks waiting: the request fails as busy, not as a wrong token.
            return CompletableFuture.failedFuture(e);
        }
    }

    private static Optional<String> nameOf(List<Entry> entries, String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        byte[] presented = digest(authorization.substring(BEARER.length()).strip());
        String found = null;
        // Every entry is compared, so the time taken says nothing about which one matched.
        for (Entry e : entries) {
            if (MessageDigest.isEqual(presented, e.digest()) && found == null) {
                found = e.name();
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Reads {@code file} as {@link #open} would, without creating it when it is missing ({@code tern
     * check-config} writes nothing).
     *
     * @throws AdminTokenFileException when the file cannot be read or a line is malformed
     */
    public static void check(Path file) {
        load(file);
    }

    /** The first token in {@code file}, for the command line; empty when there is none. */
    public static Optional<String> firstToken(Path file) throws IOException {
        for (String[] line : parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8))) {
            return Optional.of(line[1]);
        }
        return Optional.empty();
    }

    private static List<Entry> load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new AdminTokenFileException(
                    "cannot read admin token file " + file + ": " + ConfigLoader.describe(e), e);
        }
        List<Entry> out = new ArrayList<>();
        for (String[] line : parse(file.toString(), lines)) {
            out.add(new Entry(line[0], digest(line[1])));
        }
        return List.copyOf(out);
    }

    /** {@code [name, token]} per line; refuses a malformed line naming the file and line, never the token. */
    static List<String[]> parse(String source, List<String> lines) {
        List<String[]> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new AdminTokenFileException(where + ": expected NAME:TOKEN");
            }
            String name = line.substring(0, colon);
            String token = line.substring(colon + 1);
            if (!name.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw new AdminTokenFileException(where + ": the name has white space or control characters");
            }
            if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw new AdminTokenFileException(where + ": the token for '" + name + "' must be at least "
                        + MIN_TOKEN_LENGTH + " visible ASCII characters");
            }
            if (!names.add(name)) {
                throw new AdminTokenFileException(where + ": the name '" + name + "' appears twice");
            }
            out.add(new String[] {name, token});
        }
        return out;
    }

    /** A new file with {@code admin:<32 random bytes, base64url>}, readable by its owner only. */
    private static void createIfMissing(Path file) {
        if (Files.exists(file)) {
            return;
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String line = "admin:" + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try {
                Files.createFile(
                        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file);
            }
            Files.writeString(file, line, StandardCharsets.UTF_8);
            log.info("created the admin token file {} (mode 0600); tern queue reads it from there", file);
        } catch (FileAlreadyExistsException e) {
            // Another process made it meanwhile: use theirs.
        } catch (IOException e) {
            throw new AdminTokenFileException("cannot create admin token file " + file + ": " + e, e);
        }
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always there", e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
