package dev.tern.relay.dns;

import java.util.concurrent.CompletionStage;

/**
 * Finds the mail exchangers for a recipient domain (RFC 5321 5.1). Never blocks: the stage
 * completes on the resolver's own executor, so callers on an event loop must hop back to it.
 */
public interface MailExchangerResolver {

    /**
     * Resolves {@code domain} (a domain name, or an address literal such as {@code [192.0.2.1]}).
     * The stage always completes normally: DNS trouble is a {@link MxResolution.Failure}.
     */
    CompletionStage<MxResolution> resolve(String domain);
}
