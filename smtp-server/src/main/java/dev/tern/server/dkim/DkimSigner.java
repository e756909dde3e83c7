package dev.tern.server.dkim;

import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Signs messages with the keys of their author's domain (RFC 6376 5): one DKIM-Signature per key, so a
 * domain with an RSA and an Ed25519 key gets both (RFC 8463 5). The body hash covers the whole body (no
 * l=), t= is the signing time, x= is set when {@code expireAfter} is. The work runs on {@code executor};
 * the message's buffers are read where they lie.
 */
public final class DkimSigner implements Signer {
    /** The key entry used for an author's domain that has none of its own. */
    public static final String ANY_DOMAIN = "*";

    /** Bounds the copy of the header section; Tern's own limits.max-header-size is far below it. */
    private static final int MAX_HEADER_OCTETS = 4 << 20;

    private static final int B_LINE = 72;
    private static final int LINE = 76;

    private final Map<String, List<DkimKey>> domains;
    private final Canonicalization canonicalization;
    private final List<String> headers;
    private final Duration expireAfter;
    private final Executor executor;
    private final Clock clock;
    private final DkimMetrics metrics;

    /**
     * @param domains author's domain (lower case, A-labels) or {@value #ANY_DOMAIN} to its keys
     * @param headers the names of the header fields to sign when present; From is signed once more than
     *     it is present, so none can be added (RFC 6376 8.15)
     * @param expireAfter zero: no x= tag
     */
    public DkimSigner(
            Map<String, List<DkimKey>> domains,
            Canonicalization canonicalization,
            List<String> headers,
            Duration expireAfter,
            Executor executor,
            Clock clock,
            DkimMetrics metrics) {
        Map<String, List<DkimKey>> copy = new HashMap<>();
        domains.forEach((d, keys) -> copy.put(d.toLowerCase(Locale.ROOT), List.copyOf(keys)));
        this.domains = Map.copyOf(copy);
        this.canonicalization = Objects.requireNonNull(canonicalization, "canonicalization");
        List<String> names = new ArrayList<>();
        for (String h : headers) {
            String name = h.strip().toLowerCase(Locale.ROOT);
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        if (!names.contains("from")) {
            // RFC 6376 5.4: the From field must always be signed.
            names.add(0, "from");
        }
        this.headers = List.copyOf(names);
        this.expireAfter = Objects.requireNonNull(expireAfter, "expireAfter");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public CompletionStage<String> sign(ByteBuf message) {
        // Views of the message's own memory, taken on the caller's thread; the message is not changed while
        // the stage runs, so the executor may read them.
        ByteBuffer[] parts = message.nioBuffers();
        try {
            return CompletableFuture.supplyAsync(() -> signNow(parts), executor);
        } catch (RejectedExecutionException e) {
            metrics.busy();
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Whether {@link #sign} would sign {@code message}: it has one author whose domain has a key. Reads the header
     * section on the calling thread; counts nothing.
     */
    @Override
    public boolean signs(ByteBuf message) {
        MessageParts parts = MessageParts.of(message.nioBuffers(), MAX_HEADER_OCTETS);
        Optional<String> domain = authorDomain(parts.fields());
        if (domain.isEmpty()) {
            return false;
        }
        List<DkimKey> keys = domains.getOrDefault(domain.get(), domains.get(ANY_DOMAIN));
        return keys != null && !keys.isEmpty();
    }

    /**
     * The DKIM-Signature fields for the message in {@code message} (read from each buffer's position to its
     * limit, in order), or "" when it is not to be signed. Runs on the calling thread.
     */
    public String signNow(ByteBuffer[] message) {
        MessageParts parts = MessageParts.of(message, MAX_HEADER_OCTETS);
        Optional<String> domain = authorDomain(parts.fields());
        if (domain.isEmpty()) {
            metrics.unsigned(DkimMetrics.Unsigned.NO_FROM);
            return "";
        }
        List<DkimKey> keys = domains.getOrDefault(domain.get(), domains.get(ANY_DOMAIN));
        if (keys == null || keys.isEmpty()) {
            metrics.unsigned(DkimMetrics.Unsigned.NO_KEY);
            return "";
        }
        String bodyHash = Base64.getEncoder().encodeToString(bodyHash(parts.body(), canonicalization.body()));
        List<String> signedNames = new ArrayList<>();
        byte[] signedHeaders =
                DkimHeaders.canonicalSelection(parts.fields(), headers, canonicalization.header(), signedNames);
        long now = clock.instant().getEpochSecond();
        StringBuilder out = new StringBuilder();
        for (DkimKey key : keys) {
            boolean ok = false;
            try {
                out.append(signature(key, domain.get(), now, signedNames, bodyHash, signedHeaders));
                ok = true;
            } finally {
                metrics.signature(key.algorithm(), ok);
            }
        }
        return out.toString();
    }

    private static Optional<String> authorDomain(List<MessageParts.Field> fields) {
        MessageParts.Field from = null;
        for (MessageParts.Field f : fields) {
            if (f.name().equals("from")) {
                if (from != null) {
                    // RFC 5322 3.6: exactly one From; with two, whose domain would it be?
                    return Optional.empty();
                }
                from = f;
            }
        }
        return from == null ? Optional.empty() : FromDomain.of(from.raw());
    }

    static byte[] bodyHash(ByteBuffer[] body, Canonicalization.Mode mode) {
        BodyCanonicalizer canonicalizer = new BodyCanonicalizer(mode, sha256());
        for (ByteBuffer part : body) {
            canonicalizer.update(part);
        }
        return canonicalizer.finish();
    }

    /** One DKIM-Signature field (RFC 6376 3.5), folded, ending in CRLF. */
    private String signature(
            DkimKey key, String domain, long now, List<String> signedNames, String bodyHash, byte[] signedHeaders) {
        StringBuilder field = new StringBuilder(512)
                .append("DKIM-Signature: v=1; a=")
                .append(key.algorithm().tag())
                .append("; c=")
                .append(canonicalization)
                .append("; d=")
                .append(domain)
                .append("; s=")
                .append(key.selector())
                .append(";\r\n\tt=")
                .append(now)
                .append(';');
        if (!expireAfter.isZero()) {
            field.append(" x=").append(now + expireAfter.toSeconds()).append(';');
        }
        field.append("\r\n\th=");
        // Folded after a colon to keep lines short (RFC 5322 2.1.1); h= allows FWS there (RFC 6376 3.5).
        int column = 3;
        for (int i = 0; i < signedNames.size(); i++) {
            String name = signedNames.get(i);
            if (i > 0 && column + name.length() + 1 > LINE) {
                field.append("\r\n\t ");
                column = 2;
            }
            field.append(name).append(i == signedNames.size() - 1 ? ';' : ':');
            column += name.length() + 1;
        }
        field.append("\r\n\tbh=").append(bodyHash).append(";\r\n\tb=");
        // RFC 6376 3.7: the field itself is hashed last, with an empty b= and without its final CRLF.
        ByteArrayOutputStream data = new ByteArrayOutputStream(signedHeaders.length + 512);
        data.writeBytes(signedHeaders);
        byte[] self = field.toString().getBytes(StandardCharsets.US_ASCII);
        data.writeBytes(DkimHeaders.canonical(self, canonicalization.header(), false));
        String b = Base64.getEncoder().encodeToString(key.sign(data.toByteArray()));
        for (int i = 0; i < b.length(); i += B_LINE) {
            if (i > 0) {
                field.append("\r\n\t");
            }
            field.append(b, i, Math.min(b.length(), i + B_LINE));
        }
        return field.append("\r\n").toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
