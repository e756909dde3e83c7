/**
 * The {@code tern} command line (picocli): {@code serve} runs the daemon, {@code user add} maintains the
 * users file, {@code check-config} validates and prints the effective configuration. Exit codes: 0 success,
 * 1 a refused operation, 2 a configuration or usage error.
 */
package dev.tern.server.cli;
