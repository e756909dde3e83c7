/**
 * Tern's configuration: one immutable record tree ({@link dev.tern.server.config.TernConfig}), defaults in
 * one place ({@link dev.tern.server.config.ConfigDefaults}), loaded once by
 * {@link dev.tern.server.config.ConfigLoader}: defaults, then the YAML file, then {@code TERN_*} environment
 * overrides, then validation that names the offending key. Every key is documented in
 * {@code docs/configuration.md}.
 */
package dev.tern.server.config;
