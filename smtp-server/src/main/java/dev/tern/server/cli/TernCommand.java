package dev.tern.server.cli;

import dev.tern.server.app.TernServer;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tern}: the entry point. Only {@link #main} reads the real environment and standard input. */
@Command(
        name = "tern",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Tern, a mail transfer agent.")
public final class TernCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv(), System.in).execute(args));
    }

    /** The command line with its subcommands, reading {@code env} and {@code stdin} instead of the process's. */
    public static CommandLine commandLine(Map<String, String> env, InputStream stdin) {
        return commandLine(env, stdin, TernServer::run);
    }

    static CommandLine commandLine(Map<String, String> env, InputStream stdin, ServerLauncher launcher) {
        CommandLine user = new CommandLine(new UserCommand()).addSubcommand("add", new UserAddCommand(env, stdin));
        CommandLine dkim = new CommandLine(new DkimCommand()).addSubcommand("keygen", new DkimKeygenCommand());
        return new CommandLine(new TernCommand())
                .addSubcommand("serve", new ServeCommand(env, launcher))
                .addSubcommand("user", user)
                .addSubcommand("dkim", dkim)
                .addSubcommand("check-config", new CheckConfigCommand(env))
                .addSubcommand("send", new SendCommand(stdin))
                .addSubcommand("sink", new SinkCommand())
                .addSubcommand("queue", QueueCommand.commandLine(env))
                .addSubcommand("destination", DestinationCommand.commandLine(env));
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.CONFIG;
    }

    /** A command that only groups subcommands: alone, it prints its usage. */
    abstract static class CommandGroup implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().usage(spec.commandLine().getErr());
            return ExitCodes.CONFIG;
        }
    }

    /** {@code tern dkim}: groups the DKIM subcommands. */
    @Command(name = "dkim", mixinStandardHelpOptions = true, description = "Manage DKIM signing keys.")
    static final class DkimCommand extends CommandGroup {}

    /** {@code tern user}: groups the user subcommands. */
    @Command(name = "user", mixinStandardHelpOptions = true, description = "Manage the users file.")
    static final class UserCommand extends CommandGroup {}
}
