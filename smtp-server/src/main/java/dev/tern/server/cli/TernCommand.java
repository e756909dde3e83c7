package dev.tern.server.cli;

import dev.tern.server.app.TernServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
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

    /** Netty's buffer leak detection: the level a production Tern runs with unless told otherwise. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        nettyDefaults(System.getProperties());
        System.exit(commandLine(withHostName(System.getenv(), Path.of("/proc/sys/kernel/hostname")), System.in)
                .execute(args));
    }

    /**
     * The environment, with the host's name from the kernel in {@code HOSTNAME} when no one exported it: a
     * shell keeps {@code $HOSTNAME} to itself and systemd sets none, so a Tern started by either would
     * otherwise greet as {@code localhost}. Read from a file, never asked of DNS (gethostname(2), as Postfix
     * takes its {@code myhostname}).
     */
    static Map<String, String> withHostName(Map<String, String> env, Path kernelHostName) {
        if (!env.getOrDefault("HOSTNAME", "").isBlank()) {
            return env;
        }
        String name;
        try {
            name = Files.readString(kernelHostName).strip();
        } catch (IOException | RuntimeException e) {
            return env; // not Linux, or no /proc: the default stays
        }
        if (name.isEmpty() || name.equals("(none)")) {
            return env;
        }
        Map<String, String> more = new HashMap<>(env);
        more.put("HOSTNAME", name);
        return Map.copyOf(more);
    }

    /**
     * Turns Netty's leak detection off unless the operator chose a level ({@code -Dio.netty.leakDetection.level=
     * simple}, or the older {@code io.netty.leakDetectionLevel}): its default, SIMPLE, records a stack trace for
     * a sample of buffers, about 1.5% of the CPU per message (docs/performance.md). Tests run paranoid. Called
     * before any Netty class is loaded, which reads the level once.
     */
    static void nettyDefaults(Properties properties) {
        if (properties.getProperty(LEAK_DETECTION) == null
                && properties.getProperty("io.netty.leakDetectionLevel") == null) {
            properties.setProperty(LEAK_DETECTION, "disabled");
        }
    }

    /** The command line with its subcommands, reading {@code env} and {@code stdin} instead of the process's. */
    public static CommandLine commandLine(Map<String, String> env, InputStream stdin) {
        return commandLine(env, stdin, TernServer::run);
    }

    static CommandLine commandLine(Map<String, String> env, InputStream stdin, ServerLauncher launcher) {
        CommandLine user = new CommandLine(new UserCommand()).addSubcommand("add", new UserAddCommand(env, stdin));
        CommandLine dkim = new CommandLine(new DkimCommand()).addSubcommand("keygen", new DkimKeygenCommand());
        CommandLine tern = new CommandLine(new TernCommand())
                .addSubcommand("serve", new ServeCommand(env, launcher))
                .addSubcommand("user", user)
                .addSubcommand("dkim", dkim)
                .addSubcommand("check-config", new CheckConfigCommand(env))
                .addSubcommand("send", new SendCommand(stdin))
                .addSubcommand("sink", new SinkCommand())
                .addSubcommand("queue", QueueCommand.commandLine(env))
                .addSubcommand("destination", DestinationCommand.commandLine(env));
        withVersion(tern);
        return tern;
    }

    /** Every command's {@code -V} prints Tern's version, not only the top one's. */
    private static void withVersion(CommandLine command) {
        if (command.getCommandSpec().versionProvider() == null) {
            command.getCommandSpec().versionProvider(new VersionProvider());
        }
        command.getSubcommands().values().forEach(TernCommand::withVersion);
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
