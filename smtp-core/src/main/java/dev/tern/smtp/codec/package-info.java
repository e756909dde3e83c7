/**
 * Netty codecs for both directions of an SMTP conversation: strict-CRLF line framing (RFC 5321
 * 2.3.8), DATA bodies with dot-unstuffing (RFC 5321 4.5.2) and BDAT chunks (RFC 3030), commands and
 * replies (RFC 5321 4.1, 4.2) with enhanced status codes (RFC 2034, RFC 3463).
 */
package dev.tern.smtp.codec;
