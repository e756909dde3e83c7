/**
 * TLS material for STARTTLS (RFC 3207) and implicit TLS (RFC 8314): the server's certificate chain and key
 * read from PEM files, or a self-signed certificate made at first start so that a zero-configuration Tern
 * still offers encryption. Only TLS 1.2 and 1.3 are enabled (RFC 8996 deprecates older versions).
 */
package dev.tern.server.tls;
