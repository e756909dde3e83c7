/**
 * The management HTTP listener (HTTP/1.1, RFC 9112, on Netty's HTTP codec): {@code GET /metrics} in
 * the Prometheus text exposition format 0.0.4, {@code GET /health/live} and {@code GET
 * /health/ready}, open to whoever reaches the listener; and the admin API under {@code /admin/}, guarded
 * by bearer tokens (RFC 6750) from the token file: {@link dev.tern.server.management.AdminRouter} is the
 * one routing table (resources such as {@link dev.tern.server.management.QueueRoutes} and {@link
 * dev.tern.server.management.DestinationRoutes} add their routes to it), {@link dev.tern.server.management.AdminHandler} checks the token, runs the action and writes
 * its JSON answer on the channel's event loop once the action's stage completes. Readiness is computed
 * from cached state only, so no request waits on disk or DNS.
 */
package dev.tern.server.management;
