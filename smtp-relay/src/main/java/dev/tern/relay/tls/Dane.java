package dev.tern.relay.tls;

import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Finds whether DANE (RFC 7672) applies to a recipient domain's mail exchangers, and how. */
public interface Dane {

    /**
     * The domain's DANE hosts when DANE applies: its MX RRset is DNSSEC-secure and some host has a secure
     * usable TLSA RRset (or one whose lookup failed, which makes that host unusable); or the domain-wide
     * failure when its MX RRset is bogus or could not be validated. Empty when DANE does not apply (an
     * insecure MX RRset, no usable TLSA records anywhere). Never fails; completes within the lookups' bound.
     */
    CompletionStage<Optional<DaneHosts>> hosts(String domain);
}
