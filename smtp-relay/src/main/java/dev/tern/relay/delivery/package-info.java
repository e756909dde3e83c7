/**
 * The vocabulary shared by every way of delivering: per-recipient outcomes, which are three-valued
 * (delivered, temporary failure, permanent failure; RFC 3464 2.3.3 "action"), and the transports that
 * produce them.
 */
package dev.tern.relay.delivery;
