/**
 * The daemon: builds the shared services from the configuration, opens the spool, binds the
 * listeners on Netty event loops (epoll on Linux, NIO elsewhere) and drains them on SIGTERM. The only
 * place that knows both the inbound side and the relay.
 */
package dev.tern.server.app;
