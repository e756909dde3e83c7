package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A command on one thing named on its command line (a queue id, a destination): one request to the admin
 * API, its answer printed as text or JSON. {@code tern queue show}, {@code tern destination show} and
 * {@code tern destination resume} are each one of these, told apart by their request and their text.
 */
@Command(mixinStandardHelpOptions = true)
final class OneTarget extends AdminCommand {

    /** The request made for the named thing. */
    @FunctionalInterface
    interface Request {
        AdminClient.Reply send(AdminClient client, String target) throws AdminClient.AdminException;
    }

    private final Request request;
    private final Function<JsonNode, String> text;

    private OneTarget(Map<String, String> env, Request request, Function<JsonNode, String> text) {
        super(env);
        this.request = request;
        this.text = text;
    }

    /**
     * The command {@code name}, described by {@code description}, taking one {@code label} (described by
     * {@code labelDescription}), making {@code request} and printing its answer with {@code text}.
     */
    static CommandLine commandLine(
            Map<String, String> env,
            String name,
            String description,
            String label,
            String labelDescription,
            Request request,
            Function<JsonNode, String> text) {
        CommandLine line = new CommandLine(new OneTarget(env, request, text));
        CommandSpec spec = line.getCommandSpec();
        spec.name(name).usageMessage().description(description);
        spec.addPositional(PositionalParamSpec.builder()
                .paramLabel(label)
                .description(labelDescription)
                .arity("1")
                .required(true)
                .type(String.class)
                .build());
        return line;
    }

    @Override
    int run(AdminClient client, PrintWriter out) throws AdminClient.AdminException {
        PositionalParamSpec named = spec.positionalParameters().get(0);
        String target = named.getValue();
        if (target.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(), named.paramLabel() + " must not be empty");
        }
        return print(request.send(client, target), out, target, text);
    }
}
