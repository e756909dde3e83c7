package dev.tern.server.cli;

import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** The {@code --config FILE} option shared by the subcommands; without it, defaults and environment only. */
final class ConfigOption {
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            description = "YAML configuration file (optional; TERN_* environment variables override it)")
    Path file;

    TernConfig load(Map<String, String> env) {
        return ConfigLoader.load(file, env);
    }
}
