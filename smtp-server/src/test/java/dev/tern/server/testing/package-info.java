/** Test helpers shared by the server's test packages: the external programs tests run ({@link dev.tern.server.testing.ExternalTools}). */
package dev.tern.server.testing;
