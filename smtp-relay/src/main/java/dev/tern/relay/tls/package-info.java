/**
 * The TLS policy of delivery to mail exchangers: per-domain policies from the configuration ({@link
 * dev.tern.relay.tls.TlsPolicies}), DANE (RFC 7672: DNSSEC-validated TLSA records, RFC 6698 and RFC 7671, matched
 * by {@link dev.tern.relay.tls.TlsaCheck}), MTA-STS (RFC 8461) for the other domains, and the certificate check
 * that verified TLS to an SMTP server means (RFC 7672 3.2.3, RFC 6125 6.4: the mail exchanger's name,
 * a wildcard only as the whole left-most label). {@link dev.tern.relay.tls.OutboundTls} decides a
 * domain's policy; the router follows it.
 */
package dev.tern.relay.tls;
