/**
 * Test helpers shared by the server's test packages: the external programs tests run ({@link
 * dev.tern.server.testing.ExternalTools}) and the checkout's files outside the module ({@link
 * dev.tern.server.testing.Checkout}).
 */
package dev.tern.server.testing;
