package dev.tern.server.auth;

import java.util.concurrent.CompletionStage;

/**
 * Checks a username and password for SMTP AUTH (RFC 4954). Called from an event loop, so implementations
 * never block the caller: the stage completes later on another thread. It completes with {@code false} for
 * an unknown user or a wrong password alike, and exceptionally when the check could not run (for example
 * because the checking threads are saturated), which the session answers with {@code 454 4.7.0}.
 */
public interface Authenticator {
    CompletionStage<Boolean> authenticate(String username, String password);
}
