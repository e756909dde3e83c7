package dev.tern.smtp.queue;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Signs a message before it is queued (DKIM, RFC 6376), so that every delivery attempt carries the same
 * signature. The stage completes with the header fields to put on top of the message, each ending in CRLF,
 * or with an empty string when the message is left unsigned (no key for its author's domain).
 *
 * <p>Callers are Netty event loops: an implementation does its hashing elsewhere. It only reads {@code
 * message} (from its reader index to its writer index), never changes or releases it; the caller keeps it
 * alive until the stage completes.
 */
public interface Signer {

    /** Signs nothing. */
    Signer NONE = new Signer() {
        @Override
        public CompletionStage<String> sign(ByteBuf message) {
            return CompletableFuture.completedFuture("");
        }

        @Override
        public boolean signs(ByteBuf message) {
            return false;
        }
    };

    CompletionStage<String> sign(ByteBuf message);

    /**
     * Whether {@link #sign} would give fields for {@code message}, asked on the caller's thread (Tern folds the
     * long lines of what it signs first); reads only the header section.
     */
    default boolean signs(ByteBuf message) {
        return true;
    }
}
