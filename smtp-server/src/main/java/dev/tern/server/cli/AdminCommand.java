package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a running Tern's admin API: it finds the API and its token ({@link
 * AdminOptions}), runs, and turns a failure to reach Tern, a refused token or an API error into one line
 * on standard error and a non-zero exit (1 refused or failed, 2 configuration, 3 unreachable). What it
 * prints of an answer has no control characters ({@link TerminalText}).
 */
abstract class AdminCommand implements Callable<Integer> {
    private final Map<String, String> env;

    @Mixin
    AdminOptions admin = new AdminOptions();

    @Spec
    CommandSpec spec;

    AdminCommand(Map<String, String> env) {
        this.env = env;
    }

    /** Does the work; returns the exit code. */
    abstract int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException;

    @Override
    public final Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            int code = run(admin.client(env), out);
            out.flush();
            return code;
        } catch (AdminClient.AdminException e) {
            out.flush();
            return fail(e.getMessage(), e.exitCode);
        }
    }

    /**
     * Prints {@code reply}: its JSON as it came with {@code --json}, else {@code text} of it, and exits 0;
     * an error answer is one line on standard error (after {@code subject}, when given) and exit 1, or 2 when
     * the API found a parameter malformed (400): what the command was given is wrong, a usage error.
     */
    int print(AdminClient.Reply reply, PrintWriter out, String subject, Function<JsonNode, String> text) {
        if (!reply.ok()) {
            return fail(
                    (subject == null ? "" : subject + ": ") + reply.error(),
                    reply.status() == 400 ? ExitCodes.CONFIG : ExitCodes.REFUSED);
        }
        // JSON escapes control characters itself; text would hand them to the terminal.
        out.print(admin.json ? reply.json().toPrettyString() + "\n" : TerminalText.lines(text.apply(reply.json())));
        return ExitCodes.OK;
    }

    int fail(String message, int code) {
        PrintWriter err = spec.commandLine().getErr();
        // The API's error may quote what it was given.
        err.println("tern: " + TerminalText.line(message));
        err.flush();
        return code;
    }
}
