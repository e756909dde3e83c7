package dev.tern.server.smtp;

/** Handler names in the inbound pipeline, top to bottom (see {@link SmtpServerInitializer}). */
final class PipelineNames {
    private PipelineNames() {}

    static final String PROXY_DECODER = "proxy-decoder";
    static final String CLIENT_ADDRESS = "client-address";
    static final String TLS_RENEGOTIATION = "tls-renegotiation";
    static final String TLS = "tls";
    static final String CONNECTION_LIMIT = "connection-limit";
    static final String DEADLINE = "deadline";
    static final String LINE_DECODER = "line-decoder";
    static final String COMMAND_DECODER = "command-decoder";
    static final String REPLY_ENCODER = "reply-encoder";
    static final String STARTTLS = "starttls";
    static final String AUTH = "auth";
    static final String SESSION = "session";
}
