/**
 * The management HTTP listener (HTTP/1.1, RFC 9112, on Netty's HTTP codec): {@code GET /metrics} in
 * the Prometheus text exposition format 0.0.4, {@code GET /health/live} and {@code GET
 * /health/ready}. Readiness is computed from cached state only, so no request waits on disk or DNS.
 */
package dev.tern.server.management;
