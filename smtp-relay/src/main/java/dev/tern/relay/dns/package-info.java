/**
 * Finding where mail for a domain goes: MX resolution with dnsjava's asynchronous {@code
 * LookupSession} (RFC 5321 5.1: preference order, implicit MX, loop detection; RFC 7505: null MX),
 * the addresses of smarthosts through the same resolver, and the ordering of candidate hosts for one
 * delivery attempt (equal preferences spread by a smooth weighted round-robin, optionally weighted
 * toward the lower measured connect latency, with a floor). {@link dev.tern.relay.dns.ValidatedLookups} asks
 * the same servers through dnsjava's DNSSEC validator (RFC 4033 to 4035), from {@link
 * dev.tern.relay.dns.DnssecAnchors}, for DANE (RFC 7672 2.1). Both send their UDP questions through {@link
 * dev.tern.relay.dns.ListeningUdpClient}, which waits past datagrams that do not answer the question (RFC 5452).
 *
 * <p>Lookups complete on dnsjava's executor, never on the caller's thread: a Netty caller must hop
 * back to its {@code channel.eventLoop()} before touching channel state.
 */
package dev.tern.relay.dns;
