package dev.tern.server.cli;

import dev.tern.relay.spool.SpoolDirectoryException;
import dev.tern.relay.spool.SpoolInUseException;
import dev.tern.server.auth.UserFileException;
import dev.tern.server.config.ConfigException;
import dev.tern.server.config.TernConfig;
import dev.tern.server.management.AdminTokenFileException;
import dev.tern.server.tls.TlsMaterialException;
import java.net.BindException;
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

    /**
     * Failures at start that are the operator's to fix get one line and an exit code, not a stack trace; the
     * line begins with what failed.
     */
    @Override
    public Integer call() throws Exception {
        TernConfig loaded;
        try {
            loaded = config.load(env);
        } catch (ConfigException e) {
            return refuse("config", e, ExitCodes.CONFIG);
        }
        try {
            return launcher.run(loaded);
        } catch (TlsMaterialException e) {
            // An unreadable certificate or key is the configuration's; a data directory Tern may not write in
            // (for the self-signed pair) is the host's, as an unwritable spool is.
            return refuse("tls", e, e.unwritable() ? ExitCodes.UNAVAILABLE : ExitCodes.CONFIG);
        } catch (ConfigException e) {
            // Checked at load, but a file the configuration names (a route's password file) may go before start.
            return refuse("config", e, ExitCodes.CONFIG);
        } catch (UserFileException e) {
            return refuse("users", e, ExitCodes.CONFIG);
        } catch (AdminTokenFileException e) {
            return refuse("admin-token", e, ExitCodes.CONFIG);
        } catch (BindException e) {
            // A port taken by another process (often a Tern already running), an address not on this host, a
            // privileged port.
            return refuse("listen", e, ExitCodes.UNAVAILABLE);
        } catch (SpoolInUseException | SpoolDirectoryException e) {
            return refuse("spool", e, ExitCodes.UNAVAILABLE);
        }
    }

    private int refuse(String what, Exception e, int code) {
        spec.commandLine().getErr().println("tern: " + what + ": " + e.getMessage());
        return code;
    }
}
