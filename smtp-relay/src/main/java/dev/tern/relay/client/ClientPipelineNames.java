package dev.tern.relay.client;

/** Handler names in the client pipeline, top to bottom (see {@link ClientInitializer}). */
final class ClientPipelineNames {
    private ClientPipelineNames() {}

    static final String TLS = "tls";
    static final String RECORDS_WRITTEN = "records-written";
    static final String REPLY_ARRIVALS = "reply-arrivals";
    static final String REPLY_DECODER = "reply-decoder";
    static final String COMMAND_ENCODER = "command-encoder";
    static final String SESSION = "session";
}
