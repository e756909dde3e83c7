package dev.tern.server.smtp;

import dev.tern.smtp.SmtpCommand;

/** Handles one verb, once {@link CommandOrder} has admitted it in the session's state. */
@FunctionalInterface
interface VerbHandler {
    void handle(SmtpSession session, SmtpCommand command);
}
