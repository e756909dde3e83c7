/**
 * Integration tests ({@code *IT}, run by failsafe in {@code verify}): a real Tern on 127.0.0.1 port 0
 * talked to over real sockets by independent clients (a byte-exact raw client, Angus Mail, Apache
 * Commons Net), covering RFC 5321 framing and limits, RFC 2920 PIPELINING, RFC 3030 CHUNKING, RFC 3207
 * STARTTLS, RFC 8314 implicit TLS, RFC 4954 AUTH, the relay policy, the spool across restarts, the
 * shutdown drain, and BlockHound watching the event loops.
 */
package dev.tern.server.it;
