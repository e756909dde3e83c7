/**
 * Routing per recipient domain (RFC 5321 5): a local domain goes to Maildir, a domain with a
 * configured route to its smarthost, anything else to the mail exchangers found in DNS, tried in
 * order until one takes the message.
 */
package dev.tern.relay.route;
