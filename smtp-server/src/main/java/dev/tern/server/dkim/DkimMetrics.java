package dev.tern.server.dkim;

/** What the signer reports; the Micrometer implementation is {@code dev.tern.server.metrics.DkimMeters}. */
public interface DkimMetrics {

    /** Why a message from a user of ours went out unsigned. */
    enum Unsigned {
        /** No From field, several, or one without a single address. */
        NO_FROM,
        /** No key for the author's domain, and no {@code *} entry. */
        NO_KEY
    }

    DkimMetrics NONE = new DkimMetrics() {
        @Override
        public void signature(DkimAlgorithm algorithm, boolean signed) {}

        @Override
        public void unsigned(Unsigned reason) {}

        @Override
        public void busy() {}
    };

    /** One DKIM-Signature made ({@code signed}), or one that failed and held the message back. */
    void signature(DkimAlgorithm algorithm, boolean signed);

    void unsigned(Unsigned reason);

    /** A message refused for now (4xx) because the signing queue was full. */
    void busy();
}
