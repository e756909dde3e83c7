package dev.tern.server.cli;

import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tern destination}: the traffic shaping of each destination (recipient domain) of a running Tern
 * through its admin API, and suspending and resuming one by hand (docs/operations.md, docs/shaping.md).
 */
@Command(
        name = "destination",
        mixinStandardHelpOptions = true,
        description = "Show the destinations of a running Tern's queue; suspend and resume them (its admin API).")
final class DestinationCommand extends TernCommand.CommandGroup {
    private static final String PATH = "/admin/destinations";
    private static final String DOMAIN = "the destination: a recipient domain";

    /** {@code tern destination} with its subcommands. */
    static CommandLine commandLine(Map<String, String> env) {
        return new CommandLine(new DestinationCommand())
                .addSubcommand("list", new ListCommand(env))
                .addSubcommand(
                        "show",
                        OneTarget.commandLine(
                                env,
                                "show",
                                "Show one destination: queued mail, concurrency, rate, recent outcomes, suspension.",
                                "DOMAIN",
                                DOMAIN,
                                (client, name) -> client.get(path(name, ""), AdminClient.query()),
                                DestinationText::show))
                .addSubcommand("suspend", new SuspendCommand(env))
                .addSubcommand(
                        "resume",
                        OneTarget.commandLine(
                                env,
                                "resume",
                                "End a destination's suspension; its deferred mail is tried at once.",
                                "DOMAIN",
                                DOMAIN,
                                (client, name) -> client.post(path(name, "/resume"), AdminClient.query()),
                                DestinationText::action));
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the destinations with queued mail, attempts, recent outcomes or a suspension.")
    static final class ListCommand extends AdminCommand {
        ListCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            return print(client.get(PATH, AdminClient.query()), out, null, DestinationText::list);
        }
    }

    @Command(
            name = "suspend",
            mixinStandardHelpOptions = true,
            description = "Attempt nothing to a destination until resumed or until the time given; its mail"
                    + " waits without counting attempts. Survives a restart.")
    static final class SuspendCommand extends AdminCommand {
        @Parameters(paramLabel = "DOMAIN", description = DOMAIN)
        String name;

        @Option(names = "--for", paramLabel = "DURATION", description = "resume by itself after this long (30m, 2h)")
        String duration;

        @Option(
                names = "--until",
                paramLabel = "TIME",
                description = "resume by itself at this time (2030-01-01T00:00:00Z)")
        String until;

        @Option(names = "--reason", paramLabel = "TEXT", description = "why: logged and shown with the destination")
        String reason;

        SuspendCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            if (duration != null && until != null) {
                return fail("give --for or --until, not both", ExitCodes.CONFIG);
            }
            Map<String, String> q = AdminClient.query();
            q.put("for", duration);
            q.put("until", until);
            q.put("reason", reason);
            return print(client.post(path(name, "/suspend"), q), out, name, DestinationText::action);
        }
    }

    private static String path(String name, String action) {
        return PATH + "/" + AdminClient.segment(name) + action;
    }
}
