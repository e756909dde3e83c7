package dev.tern.server.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tern queue}: the queue of a running Tern through its admin API, as Postfix's {@code mailq},
 * {@code postqueue -f}, {@code postsuper -h/-H/-d/-r} and {@code postcat -q} show and change theirs
 * (docs/operations.md).
 */
@Command(
        name = "queue",
        mixinStandardHelpOptions = true,
        description = "Show and act on the queue of a running Tern (its admin API).")
final class QueueCommand extends TernCommand.CommandGroup {

    /** {@code tern queue} with its subcommands. */
    static CommandLine commandLine(Map<String, String> env) {
        return new CommandLine(new QueueCommand())
                .addSubcommand("list", new ListCommand(env))
                .addSubcommand(
                        "show",
                        OneTarget.commandLine(
                                env,
                                "show",
                                "Show one message: envelope, recipients and header section (postcat -q).",
                                "ID",
                                "the queue id",
                                (client, id) ->
                                        client.get("/admin/queue/" + AdminClient.segment(id), AdminClient.query()),
                                QueueText::show))
                .addSubcommand("flush", new FlushCommand(env))
                .addSubcommand("requeue", new RequeueCommand(env))
                .addSubcommand("hold", OnEach.commandLine(env, "hold"))
                .addSubcommand("release", OnEach.commandLine(env, "release"))
                .addSubcommand("delete", OnEach.commandLine(env, "delete"))
                .addSubcommand("bounce", OnEach.commandLine(env, "bounce"))
                .addSubcommand("drain", new DrainCommand(env));
    }

    @Command(
            name = "drain",
            mixinStandardHelpOptions = true,
            description = {
                "Stop taking mail and hand every queued message over to another MTA, each deleted here only"
                        + " after the peer's 250 (scaling down).",
                "Without --to: the progress of the drain started before."
            })
    static final class DrainCommand extends AdminCommand {
        /** How often --wait asks for the progress. */
        private static final long POLL_MILLIS = 500;

        @Option(names = "--to", paramLabel = "HOST:PORT", description = "the MTA to hand the mail to")
        String to;

        @Option(
                names = "--tls",
                paramLabel = "MODE",
                description = "none, may (STARTTLS when offered; default) or require (STARTTLS or no hand-over)")
        String tls;

        @Option(names = "--wait", description = "wait until it is finished; exit 1 if mail is left")
        boolean await;

        DrainCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            AdminClient.Reply reply;
            if (to != null) {
                Map<String, String> q = AdminClient.query();
                q.put("to", to);
                q.put("tls", tls);
                reply = client.post("/admin/queue/drain", q);
            } else {
                reply = client.get("/admin/queue/drain", AdminClient.query());
            }
            while (await && reply.ok() && !reply.json().get("finished").asBoolean()) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                reply = client.get("/admin/queue/drain", AdminClient.query());
            }
            int code = print(reply, out, null, QueueText::drain);
            if (code == ExitCodes.OK && await && reply.json().get("left").asInt() > 0) {
                return fail(reply.json().get("left").asInt() + " message(s) left in this queue", ExitCodes.REFUSED);
            }
            return code;
        }
    }

    @Command(
            name = "list",
            mixinStandardHelpOptions = true,
            description = "List the queue, mailq style: a ! after the id marks a held message.")
    static final class ListCommand extends AdminCommand {
        @Option(names = "--sender", paramLabel = "TEXT", description = "part of the sender's address")
        String sender;

        @Option(names = "--recipient", paramLabel = "TEXT", description = "part of a recipient's address")
        String recipient;

        @Option(names = "--domain", paramLabel = "DOMAIN", description = "a recipient's domain")
        String domain;

        @Option(names = "--state", paramLabel = "STATE", description = "active, deferred or held")
        String state;

        @Option(names = "--limit", paramLabel = "N", description = "at most N messages (1 to 1000; default 100)")
        Integer limit;

        @Option(names = "--offset", paramLabel = "N", description = "skip the first N messages")
        Integer offset;

        @Option(names = "--order", paramLabel = "ORDER", description = "oldest (default) or newest first")
        String order;

        ListCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            Map<String, String> q = AdminClient.query();
            q.put("sender", sender);
            q.put("recipient", recipient);
            q.put("domain", domain);
            q.put("state", state);
            q.put("limit", limit == null ? null : limit.toString());
            q.put("offset", offset == null ? null : offset.toString());
            q.put("order", order);
            boolean filtered = sender != null || recipient != null || domain != null || state != null;
            return print(client.get("/admin/queue", q), out, null, page -> QueueText.list(page, filtered));
        }
    }

    @Command(
            name = "flush",
            mixinStandardHelpOptions = true,
            description = "Try deferred mail now: all, one message, or one domain (postqueue -f, -i, -s).")
    static final class FlushCommand extends AdminCommand {
        @Parameters(paramLabel = "ID", arity = "0..1", description = "only this message")
        String id;

        @Option(names = "--domain", paramLabel = "DOMAIN", description = "only recipients in this domain")
        String domain;

        FlushCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            if (id != null && domain != null) {
                return fail("give an ID or --domain, not both", ExitCodes.CONFIG);
            }
            if (id != null) {
                return OnEach.act(this, client, out, "flush", List.of(id));
            }
            Map<String, String> q = AdminClient.query();
            q.put("domain", domain);
            return OnEach.report(this, out, null, client.post("/admin/queue/flush", q));
        }
    }

    @Command(
            name = "requeue",
            mixinStandardHelpOptions = true,
            description =
                    "Route again and try now every unfinished recipient: all, or the given messages (postsuper -r).")
    static final class RequeueCommand extends AdminCommand {
        @Parameters(paramLabel = "ID", arity = "0..*", description = "only these messages")
        List<String> ids = List.of();

        RequeueCommand(Map<String, String> env) {
            super(env);
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            if (!ids.isEmpty()) {
                return OnEach.act(this, client, out, "requeue", ids);
            }
            return OnEach.report(this, out, null, client.post("/admin/queue/requeue", AdminClient.query()));
        }
    }

    /** {@code hold}, {@code release}, {@code delete}, {@code bounce}: one request per id. */
    @Command(mixinStandardHelpOptions = true)
    static final class OnEach extends AdminCommand {
        private static final Map<String, String> DESCRIPTIONS = Map.of(
                "hold", "Hold messages: nothing is attempted until they are released (postsuper -h).",
                "release", "Release held messages; they are tried at once (postsuper -H).",
                "delete", "Delete messages for good, with no report to anyone (postsuper -d).",
                "bounce", "Return messages to their senders now, with a failure report (5.0.0).");

        private final String action;

        @Parameters(paramLabel = "ID", arity = "1..*", description = "queue ids")
        List<String> ids;

        OnEach(Map<String, String> env, String action) {
            super(env);
            this.action = action;
        }

        @Override
        int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
            return act(this, client, out, action, ids);
        }

        static CommandLine commandLine(Map<String, String> env, String action) {
            CommandLine line = new CommandLine(new OnEach(env, action));
            line.getCommandSpec().name(action).usageMessage().description(DESCRIPTIONS.get(action));
            return line;
        }

        /** Runs {@code action} on each id; exit 1 when any was not found or refused. */
        static int act(AdminCommand command, AdminClient client, PrintWriter out, String action, List<String> ids)
                throws AdminClient.AdminException {
            int code = ExitCodes.OK;
            for (String id : ids) {
                AdminClient.Reply reply = action.equals("delete")
                        ? client.delete("/admin/queue/" + AdminClient.segment(id))
                        : client.post("/admin/queue/" + AdminClient.segment(id) + "/" + action, AdminClient.query());
                code = Math.max(code, report(command, out, id, reply));
            }
            return code;
        }

        static int report(AdminCommand command, PrintWriter out, String id, AdminClient.Reply reply) {
            return command.print(reply, out, id, json -> QueueText.action(json) + "\n");
        }
    }
}
