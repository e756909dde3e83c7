package dev.tern.relay.dns;

import java.util.concurrent.CompletionStage;

/**
 * Finds where mail goes: the mail exchangers of a recipient domain (RFC 5321 5.1), and the addresses of a
 * configured smarthost. Every name is resolved by the same resolver, with the same servers, timeouts and
 * cache. Never blocks: the stage completes on the resolver's own executor, so callers on an event loop must
 * hop back to it.
 */
public interface MailExchangerResolver {

    /**
     * Resolves {@code domain} (a domain name, or an address literal such as {@code [192.0.2.1]}).
     * The stage always completes normally: DNS trouble is a {@link MxResolution.Failure}.
     */
    CompletionStage<MxResolution> resolve(String domain);

    /**
     * Resolves a smarthost, {@code host} being a name or a bare address ({@code 192.0.2.1}, {@code ::1}),
     * to one exchanger of preference 0 with its addresses. No MX is asked: the route names the host itself.
     * The stage always completes normally.
     */
    CompletionStage<MxResolution> resolveHost(String host);

    /** The DNS servers asked, for log lines about failed lookups. */
    String servers();
}
