package dev.tern.server.cli;

import dev.tern.server.auth.UserFileException;
import dev.tern.server.auth.UserStore;
import dev.tern.server.config.ConfigException;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.management.AdminTokenFileException;
import dev.tern.server.management.AdminTokens;
import dev.tern.server.tls.TlsMaterial;
import dev.tern.server.tls.TlsMaterialException;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tern check-config}: validate, then print the effective configuration as YAML. */
@Command(
        name = "check-config",
        mixinStandardHelpOptions = true,
        description = "Validate the configuration and print the effective values.")
final class CheckConfigCommand implements Callable<Integer> {
    private final Map<String, String> env;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Spec
    CommandSpec spec;

    CheckConfigCommand(Map<String, String> env) {
        this.env = env;
    }

    @Override
    public Integer call() {
        TernConfig loaded;
        try {
            loaded = config.load(env);
        } catch (ConfigException e) {
            return refuse("config", e);
        }
        // What serve reads before it binds anything, read the same way: the certificate and key it is given
        // (not the self-signed pair serve makes in the data directory: checking writes nothing), the users and
        // the admin tokens (a missing token file is made by serve).
        try {
            if (loaded.tls().certFile() != null && loaded.tls().keyFile() != null) {
                TlsMaterial.load(loaded.tls(), loaded.dataDir(), loaded.hostname());
            }
            UserStore.load(loaded.auth().usersFile());
            if (loaded.management().enabled()) {
                AdminTokens.check(loaded.management().adminTokenFile());
            }
        } catch (TlsMaterialException e) {
            return refuse("tls", e);
        } catch (UserFileException e) {
            return refuse("users", e);
        } catch (AdminTokenFileException e) {
            return refuse("admin-token", e);
        }
        // The tree holds paths, never secrets, so all of it can be shown.
        spec.commandLine().getOut().print("# effective configuration (valid)\n" + ConfigLoader.toYaml(loaded));
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    /** One line, beginning with what failed, as {@code serve} says it. */
    private int refuse(String what, Exception e) {
        spec.commandLine().getErr().println("tern: " + what + ": " + e.getMessage());
        return ExitCodes.CONFIG;
    }
}
