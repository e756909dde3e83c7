/**
 * Rate and abuse limits per client address and per AUTH user name, as Postfix's anvil keeps them: new
 * connections, messages, recipients and TLS handshakes per minute, failed AUTH attempts per window. One
 * {@link dev.tern.server.limit.ClientLimiter} per server answers every handler; its counters live in
 * bounded, expiring Caffeine caches, so a flood of distinct addresses cannot grow the heap past a bound.
 */
package dev.tern.server.limit;
