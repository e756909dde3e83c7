package dev.tern.server.cli;

import dev.tern.server.auth.UserFileException;
import dev.tern.server.config.ConfigException;
import dev.tern.server.config.TernConfig;
import dev.tern.server.tls.TlsMaterialException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tern serve}: load the configuration, then run until SIGTERM. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the mail server.")
final class ServeCommand implements Callable<Integer> {
    private final Map<String, String> env;
    private final ServerLauncher launcher;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Spec
    CommandSpec spec;

    ServeCommand(Map<String, String> env, ServerLauncher launcher) {
        this.env = env;
        this.launcher = launcher;
    }

    @Override
    public Integer call() throws Exception {
        TernConfig loaded;
        try {
            loaded = config.load(env);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("tern: config: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
        try {
            return launcher.run(loaded);
        } catch (TlsMaterialException e) {
            // Unreadable certificate or key: the operator's to fix, so a message, not a stack trace.
            spec.commandLine().getErr().println("tern: tls: " + e.getMessage());
            return ExitCodes.CONFIG;
        } catch (ConfigException e) {
            // Checked at load, but a file the configuration names (a route's password file) may go before start.
            spec.commandLine().getErr().println("tern: config: " + e.getMessage());
            return ExitCodes.CONFIG;
        } catch (UserFileException e) {
            spec.commandLine().getErr().println("tern: users: " + e.getMessage());
            return ExitCodes.CONFIG;
        }
    }
}
