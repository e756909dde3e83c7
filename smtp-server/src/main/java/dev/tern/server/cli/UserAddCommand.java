package dev.tern.server.cli;

import dev.tern.server.auth.UserFileException;
import dev.tern.server.auth.UserStore;
import dev.tern.server.config.ConfigException;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tern user add NAME}: append {@code NAME:$2y$10$...} to the users file. */
@Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user to the users file.")
final class UserAddCommand implements Callable<Integer> {
    /** bcrypt reads at most 72 bytes of password; longer ones would be silently cut. */
    static final int MAX_PASSWORD_BYTES = 72;

    private final Map<String, String> env;
    private final InputStream stdin;

    @Parameters(index = "0", paramLabel = "NAME", description = "the user name (no colon, whitespace or controls)")
    String name;

    @Option(names = "--users-file", paramLabel = "FILE", description = "the users file (default: auth.users-file)")
    Path usersFile;

    @Option(names = "--password-stdin", description = "read the password from the first line of standard input")
    boolean passwordStdin;

    @Mixin
    ConfigOption config = new ConfigOption();

    @Spec
    CommandSpec spec;

    UserAddCommand(Map<String, String> env, InputStream stdin) {
        this.env = env;
        this.stdin = stdin;
    }

    @Override
    public Integer call() throws IOException {
        String problem = UserStore.nameProblem(name);
        if (problem != null) {
            return fail(ExitCodes.REFUSED, problem);
        }
        Path file;
        try {
            file = usersFile != null ? usersFile : config.load(env).auth().usersFile();
        } catch (ConfigException e) {
            return fail(ExitCodes.CONFIG, "config: " + e.getMessage());
        }
        try {
            if (UserStore.load(file).contains(name)) {
                return fail(ExitCodes.REFUSED, "user '" + name + "' already exists in " + file);
            }
        } catch (UserFileException e) {
            return fail(ExitCodes.REFUSED, e.getMessage());
        }
        char[] password = passwordStdin ? fromStdin() : fromConsole();
        if (password == null) {
            return ExitCodes.REFUSED;
        }
        try {
            append(file, name + ":" + UserStore.newHash(password) + "\n");
        } finally {
            Arrays.fill(password, '\0');
        }
        spec.commandLine().getOut().println("added user " + name + " to " + file);
        spec.commandLine().getOut().flush();
        return ExitCodes.OK;
    }

    private char[] fromStdin() throws IOException {
        String line = new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)).readLine();
        return checked(line == null ? new char[0] : line.toCharArray());
    }

    private char[] fromConsole() {
        Console console = System.console();
        if (console == null) {
            fail(ExitCodes.REFUSED, "no terminal to ask for a password; use --password-stdin");
            return null;
        }
        char[] first = console.readPassword("Password for %s: ", name);
        char[] second = console.readPassword("Again: ");
        if (first == null || second == null || !Arrays.equals(first, second)) {
            fail(ExitCodes.REFUSED, "the passwords do not match");
            return null;
        }
        Arrays.fill(second, '\0');
        return checked(first);
    }

    private char[] checked(char[] password) {
        if (password.length == 0) {
            fail(ExitCodes.REFUSED, "the password is empty");
            return null;
        }
        if (new String(password).getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            fail(ExitCodes.REFUSED, "the password is longer than bcrypt's " + MAX_PASSWORD_BYTES + " bytes");
            return null;
        }
        return password;
    }

    /** Appends {@code line}, creating the file readable by its owner only (the hashes are secrets). */
    private static void append(Path file, String line) throws IOException {
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // Appending to an existing file keeps its permissions.
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        String existing = Files.readString(file, StandardCharsets.UTF_8);
        String prefix = existing.isEmpty() || existing.endsWith("\n") ? "" : "\n";
        Files.writeString(file, prefix + line, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private int fail(int code, String message) {
        spec.commandLine().getErr().println("tern: " + message);
        spec.commandLine().getErr().flush();
        return code;
    }
}
