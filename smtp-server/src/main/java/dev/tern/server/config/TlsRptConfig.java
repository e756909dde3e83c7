package dev.tern.server.config;

import java.time.Duration;

/**
 * Aggregate TLS reports (RFC 8460) to the recipient domains that ask for them.
 *
 * @param enabled count TLS sessions with mail exchangers and send the reports; false: neither
 * @param interval how often the counts are reported (RFC 8460 4.1: daily)
 * @param from the reports' sender; "": {@code postmaster@} the hostname
 * @param organization the report's {@code organization-name}; "": the hostname
 * @param contact the report's {@code contact-info}; "": the sender
 * @param maxDomains the most recipient domains counted per interval; sessions with more are not reported
 */
public record TlsRptConfig(
        boolean enabled, Duration interval, String from, String organization, String contact, int maxDomains) {

    /** The sender, with "" read as {@code postmaster@hostname}. */
    public String from(String hostname) {
        return from.isEmpty() ? "postmaster@" + hostname : from;
    }
}
