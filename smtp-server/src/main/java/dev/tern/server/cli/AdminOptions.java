package dev.tern.server.cli;

import dev.tern.server.config.ConfigException;
import dev.tern.server.config.TernConfig;
import dev.tern.server.management.AdminTokenFileException;
import dev.tern.server.management.AdminTokens;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Where the running Tern's admin API is and which token to show it, for the commands that talk to it:
 * {@code --server} and {@code --token-file}, else the management listener's address and
 * {@code management.admin-token-file} of the configuration ({@code --config} and {@code TERN_*}).
 */
final class AdminOptions {
    @Mixin
    ConfigOption config = new ConfigOption();

    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "the admin API, http://HOST:PORT (default: the management listener of the configuration)")
    String server;

    @Option(
            names = "--token-file",
            paramLabel = "FILE",
            description = "NAME:TOKEN lines; the first is used (default: management.admin-token-file)")
    Path tokenFile;

    @Option(names = "--json", description = "print the API's JSON answer")
    boolean json;

    /** The client, or an exception whose message says what is wrong with the options or files. */
    AdminClient client(Map<String, String> env) throws AdminClient.AdminException {
        TernConfig loaded = null;
        if (server == null || tokenFile == null) {
            try {
                loaded = config.load(env);
            } catch (ConfigException e) {
                throw new AdminClient.AdminException("config: " + e.getMessage(), ExitCodes.CONFIG);
            }
        }
        URI uri = server != null ? parse(server) : fromConfig(loaded);
        Path file = tokenFile != null ? tokenFile : loaded.management().adminTokenFile();
        return new AdminClient(uri, token(file));
    }

    private static URI parse(String server) throws AdminClient.AdminException {
        try {
            URI uri = new URI(server.endsWith("/") ? server : server + "/");
            if (!"http".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() < 0) {
                throw new URISyntaxException(server, "not http://HOST:PORT");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new AdminClient.AdminException(
                    "--server must be http://HOST:PORT, not '" + server + "'", ExitCodes.CONFIG);
        }
    }

    private static URI fromConfig(TernConfig config) throws AdminClient.AdminException {
        if (!config.management().enabled()) {
            throw new AdminClient.AdminException(
                    "the management listener is switched off (management.enabled: false); give --server",
                    ExitCodes.CONFIG);
        }
        String host = config.management().address();
        // A listener on every address is reached on loopback.
        if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            host = host.equals("0.0.0.0") ? "127.0.0.1" : "[::1]";
        } else if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host.toLowerCase(Locale.ROOT) + ":"
                + config.management().port() + "/");
    }

    private static String token(Path file) throws AdminClient.AdminException {
        try {
            return AdminTokens.firstToken(file)
                    .orElseThrow(() -> new AdminClient.AdminException(
                            "no token in " + file + " (lines NAME:TOKEN)", ExitCodes.CONFIG));
        } catch (NoSuchFileException e) {
            throw new AdminClient.AdminException(
                    "no admin token file " + file + " (Tern makes it at its first start; or give --token-file)",
                    ExitCodes.CONFIG);
        } catch (IOException e) {
            throw new AdminClient.AdminException("cannot read " + file + ": " + e.getMessage(), ExitCodes.CONFIG);
        } catch (AdminTokenFileException e) {
            throw new AdminClient.AdminException(e.getMessage(), ExitCodes.CONFIG);
        }
    }
}
