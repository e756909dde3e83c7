/**
 * Tern's configuration: one immutable record tree ({@link dev.tern.server.config.TernConfig}), defaults in
 * one place ({@code defaults.yaml} beside this package), loaded once by
 * {@link dev.tern.server.config.ConfigLoader}: the defaults tree, the YAML file and the {@code TERN_*}
 * environment merged over it, one Jackson binding (kebab-case keys, unknown keys refused, sizes and
 * durations read by {@link dev.tern.server.config.ConfigModule}), then validation. Every error names its
 * key. Every key is documented in {@code docs/configuration.md}.
 */
package dev.tern.server.config;
