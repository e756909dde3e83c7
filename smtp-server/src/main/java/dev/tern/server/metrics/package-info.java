/**
 * Metrics: the {@link dev.tern.server.metrics.SessionMetrics} recorder the inbound handlers call, and
 * the Micrometer implementations of every recorder (inbound sessions, delivery, spool, queue), each
 * a {@code MeterBinder}, gathered with the JVM and Netty meters in one Prometheus registry by {@link
 * dev.tern.server.metrics.TernMetrics}. Every meter is described in {@code docs/metrics.md}; no tag
 * takes a per-address or per-domain value.
 */
package dev.tern.server.metrics;
