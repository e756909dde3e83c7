package dev.tern.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpoolOptions;
import dev.tern.server.auth.UserStore;
import dev.tern.server.config.ConfigException;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.config.TlsConfig;
import dev.tern.server.tls.TlsMaterial;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class TernCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<TernConfig> launched = new ArrayList<>();

    @Test
    void leakDetectionIsOffUnlessTheOperatorChoseALevel() {
        Properties none = new Properties();
        Properties chosen = new Properties();
        chosen.setProperty(TernCommand.LEAK_DETECTION, "simple");
        Properties older = new Properties();
        older.setProperty("io.netty.leakDetectionLevel", "advanced");

        TernCommand.nettyDefaults(none);
        TernCommand.nettyDefaults(chosen);
        TernCommand.nettyDefaults(older);

        assertThat(none.getProperty(TernCommand.LEAK_DETECTION)).isEqualTo("disabled");
        assertThat(chosen.getProperty(TernCommand.LEAK_DETECTION)).isEqualTo("simple");
        assertThat(older.getProperty(TernCommand.LEAK_DETECTION)).isNull();
    }

    @Test
    void serveWithABadKeyExitsTwoNamingIt() throws Exception {
        Path config = Files.writeString(dir.resolve("tern.yaml"), "limits:\n  max-recipent: 5\n");

        int code = run(Map.of(), "", "serve", "--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tern: config: unknown key 'limits.max-recipent'");
        assertThat(launched).isEmpty();
    }

    @Test
    void serveWithAnUnknownVariableExitsTwo() {
        int code = run(Map.of("TERN_LIMITS_MAX_RECIPENTS", "5"), "", "serve");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tern: config:").contains("TERN_LIMITS_MAX_RECIPENTS");
        assertThat(launched).isEmpty();
    }

    @Test
    void serveRunsTheServerWithTheLoadedConfiguration() throws Exception {
        Path config = Files.writeString(dir.resolve("tern.yaml"), "hostname: mx.example\n");

        int code = run(Map.of("TERN_LIMITS_MAX_ERRORS", "3"), "", "serve", "-c", config.toString());

        assertThat(code).isEqualTo(7);
        assertThat(launched).singleElement().satisfies(c -> {
            assertThat(c.hostname()).isEqualTo("mx.example");
            assertThat(c.limits().maxErrors()).isEqualTo(3);
        });
    }

    @Test
    void userAddAppendsAVerifiableLineToAPrivateFile() throws Exception {
        Path users = dir.resolve("data/users");

        int code =
                run(Map.of(), "s3cret\n", "user", "add", "alice", "--users-file", users.toString(), "--password-stdin");

        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(users)).startsWith("alice:$2y$10$");
        assertThat(UserStore.load(users).verify("alice", "s3cret")).isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
                .isEqualTo("rw-------");
        assertThat(out.toString()).contains("added user alice");
    }

    @Test
    void userAddKeepsExistingUsers() throws Exception {
        Path users = dir.resolve("users");
        run(Map.of(), "one\n", "user", "add", "alice", "--users-file", users.toString(), "--password-stdin");

        int code = run(Map.of(), "two\n", "user", "add", "bob", "--users-file", users.toString(), "--password-stdin");

        assertThat(code).isZero();
        UserStore store = UserStore.load(users);
        assertThat(store.verify("alice", "one")).isTrue();
        assertThat(store.verify("bob", "two")).isTrue();
    }

    @Test
    void userAddFindsTheUsersFileThroughTheConfiguration() throws Exception {
        Map<String, String> env = Map.of("TERN_DATA_DIR", dir.resolve("data").toString());

        int code = run(env, "pw\n", "user", "add", "carol", "--password-stdin");

        assertThat(code).as(err.toString()).isZero();
        assertThat(UserStore.load(ConfigLoader.load(null, env).auth().usersFile())
                        .contains("carol"))
                .isTrue();
    }

    @Test
    void userAddRefusesADuplicate() throws Exception {
        Path users = dir.resolve("users");
        run(Map.of(), "one\n", "user", "add", "alice", "--users-file", users.toString(), "--password-stdin");
        String before = Files.readString(users);

        int code = run(Map.of(), "two\n", "user", "add", "alice", "--users-file", users.toString(), "--password-stdin");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("user 'alice' already exists");
        assertThat(Files.readString(users)).isEqualTo(before);
    }

    @Test
    void userAddRefusesANameWithAColon() {
        Path users = dir.resolve("users");

        int code = run(Map.of(), "pw\n", "user", "add", "a:b", "--users-file", users.toString(), "--password-stdin");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("colon");
        assertThat(users).doesNotExist();
    }

    @Test
    void userAddRefusesAnEmptyPassword() {
        Path users = dir.resolve("users");

        int code = run(Map.of(), "\n", "user", "add", "alice", "--users-file", users.toString(), "--password-stdin");

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("the password is empty");
        assertThat(users).doesNotExist();
    }

    /** A name no one exported is the kernel's, as gethostname(2) gives it; one exported wins. */
    @Test
    void takesTheHostNameFromTheKernelWhenTheEnvironmentHasNone() throws Exception {
        Path kernel = Files.writeString(dir.resolve("hostname"), "mail1\n");

        assertThat(TernCommand.withHostName(Map.of("PATH", "/bin"), kernel))
                .containsEntry("HOSTNAME", "mail1")
                .containsEntry("PATH", "/bin");
        assertThat(TernCommand.withHostName(Map.of("HOSTNAME", "mx.example"), kernel))
                .containsEntry("HOSTNAME", "mx.example");
        assertThat(TernCommand.withHostName(Map.of(), dir.resolve("absent"))).isEmpty();
        Files.writeString(kernel, "(none)\n");
        assertThat(TernCommand.withHostName(Map.of(), kernel)).isEmpty();
        assertThat(ConfigLoader.load(null, TernCommand.withHostName(Map.of(), Files.writeString(kernel, "mail1")))
                        .hostname())
                .isEqualTo("mail1");
    }

    @Test
    void checkConfigPrintsYamlThatLoadsBack() {
        Map<String, String> env = Map.of("TERN_HOSTNAME", "mx.example", "TERN_LISTENERS_MX_PORT", "25");

        int code = run(env, "", "check-config");

        assertThat(code).as(err.toString()).isZero();
        assertThat(out.toString()).contains("max-message-size: 25MiB");
        assertThat(ConfigLoader.fromYaml(out.toString(), Map.of())).isEqualTo(ConfigLoader.load(null, env));
    }

    @Test
    void checkConfigWithABadValueExitsTwo() {
        int code = run(Map.of("TERN_LISTENERS_MX_PORT", "99999"), "", "check-config");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("tern: config: key 'listeners.mx.port'");
    }

    /** What serve would refuse before binding anything, check-config refuses too, with serve's line. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | file written           | variable               | line
            a certificate file that is not there    |                        | TERN_TLS_CERT_FILE     | tern: tls: cannot read
            a certificate file that holds no PEM    | not a certificate      | TERN_TLS_CERT_FILE     | tern: tls:
            a users file with a line that is no user | alice                 | TERN_AUTH_USERS_FILE   | tern: users:
            an admin token file with a short token  | admin:short            | TERN_MANAGEMENT_ADMIN_TOKEN_FILE | tern: admin-token:
            """)
    void checkConfigReadsTheFilesServeReadsFirst(String what, String content, String variable, String line)
            throws Exception {
        Path file = dir.resolve("file");
        if (content != null) {
            Files.writeString(file, content + "\n");
        }
        Map<String, String> env = new java.util.HashMap<>(
                Map.of("TERN_DATA_DIR", dir.resolve("data").toString(), variable, file.toString()));
        if (variable.startsWith("TERN_TLS")) {
            env.put("TERN_TLS_KEY_FILE", file.toString());
        }

        int code = run(env, "", "check-config");

        assertThat(code).as(what).isEqualTo(2);
        assertThat(err.toString())
                .as(what)
                .startsWith(line)
                .doesNotContain("\tat ")
                .hasLineCount(1);
        assertThat(dir.resolve("data")).as("checking writes nothing").doesNotExist();
    }

    /** The token file serve finds in the data directory, refused as serve refuses it: one line naming it. */
    @Test
    void checkConfigRefusesAnAdminTokenFileWithABadLineNamingTheLine() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path tokens = Files.writeString(data.resolve("admin-token"), "# operators\nadmin:short\n");

        int code = run(Map.of("TERN_DATA_DIR", data.toString()), "", "check-config");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("tern: admin-token: " + tokens
                        + " line 2: the token for 'admin' must be at least 16 visible ASCII characters\n");
        assertThat(out.toString()).isEmpty();
    }

    @ParameterizedTest(name = "{0}: the password file {1}")
    @CsvSource({
        // the secret was never put there
        "check-config, is missing",
        "serve,        is missing",
        // a path to the wrong thing
        "check-config, is a directory",
        "serve,        is a directory",
    })
    void aRouteWhosePasswordFileCannotBeReadStopsNamingItsKey(String command, String what) throws Exception {
        Path passwordFile = dir.resolve("secrets/corp");
        if (what.equals("is a directory")) {
            Files.createDirectories(passwordFile);
        }
        Path config = Files.writeString(
                dir.resolve("tern.yaml"),
                "delivery:\n  routes:\n    corp.test: \"smtp.corp.test starttls user=bob password-file=%s\"\n"
                        .formatted(passwordFile));

        int code = run(Map.of(), "", command, "--config", config.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .startsWith("tern: config: key 'delivery.routes.corp.test' password-file " + passwordFile
                        + " cannot be read")
                .doesNotContain("\tat ");
        assertThat(launched).isEmpty();
    }

    @Test
    void serveReportsAConfigurationErrorFoundAtStartWithoutATrace() {
        CommandLine cli = TernCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]), config -> {
            throw ConfigException.invalid("delivery.routes.corp.test", "password-file /gone cannot be read");
        });
        cli.setErr(new PrintWriter(err, true));

        int code = cli.execute("serve");

        assertThat(code).isEqualTo(2);
        assertThat(err.toString())
                .isEqualTo("tern: config: key 'delivery.routes.corp.test' password-file /gone cannot be read\n");
    }

    /** A port another process holds is the operator's to resolve: one line, no trace. */
    @Test
    void serveReportsAPortInUseWithoutATrace() throws Exception {
        try (ServerSocket holder = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = serve(config -> {
                try (ServerSocket second = new ServerSocket()) {
                    second.bind(holder.getLocalSocketAddress());
                }
                return 0;
            });

            assertThat(code).isEqualTo(4);
            assertThat(err.toString())
                    .startsWith("tern: listen: ")
                    .doesNotContain("\tat ")
                    .hasLineCount(1);
        }
    }

    /** So is a spool directory another Tern holds. */
    @Test
    void serveReportsASpoolInUseWithoutATrace() throws Exception {
        Path spoolDir = dir.resolve("spool");
        try (Spool running = Spool.open(spoolDir, SpoolOptions.defaults())) {
            int code = serve(config -> {
                Spool.open(spoolDir, SpoolOptions.defaults()).close();
                return 0;
            });

            assertThat(code).isEqualTo(4);
            assertThat(err.toString())
                    .isEqualTo("tern: spool: spool directory " + spoolDir + " is in use by another Tern process ("
                            + spoolDir.resolve("lock") + " is locked); each Tern node needs its own spool directory\n");
        }
    }

    /** And a spool directory that cannot be made: here a file stands where it should be. */
    @Test
    void serveReportsASpoolDirectoryItCannotMakeWithoutATrace() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
        Path spoolDir = file.resolve("spool");

        int code = serve(config -> {
            Spool.open(spoolDir, SpoolOptions.defaults()).close();
            return 0;
        });

        assertThat(code).isEqualTo(4);
        assertThat(err.toString())
                .startsWith("tern: spool: cannot use the spool directory " + spoolDir + ": " + file)
                .doesNotContain("\tat ")
                .hasLineCount(1);
    }

    /**
     * A data directory where the self-signed certificate cannot be written is the host's to mend, as an unwritable
     * spool is: exit 4 and the reason in words, not a configuration error with an exception's text.
     */
    @Test
    void serveReportsADataDirectoryWhereTheCertificateCannotBeWrittenWithoutATrace() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-directory"), "x");

        int code = serve(config -> {
            TlsMaterial.load(new TlsConfig(null, null), file, "tern.test");
            return 0;
        });

        assertThat(code).isEqualTo(4);
        assertThat(err.toString())
                .startsWith("tern: tls: cannot write the self-signed certificate to " + file.resolve("tls") + ": "
                        + file.resolve("tls") + ": Not a directory")
                .doesNotContain("\tat ")
                .hasLineCount(1);
    }

    private int serve(ServerLauncher launcher) {
        CommandLine cli = TernCommand.commandLine(Map.of(), new ByteArrayInputStream(new byte[0]), launcher);
        cli.setErr(new PrintWriter(err, true));
        return cli.execute("serve");
    }

    @Test
    void printsItsVersion() {
        int code = run(Map.of(), "", "--version");

        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("tern ");
    }

    @Test
    void everyCommandPrintsTheVersion() {
        int code = run(Map.of(), "", "queue", "-V");

        assertThat(code).isZero();
        assertThat(out.toString()).startsWith("tern ");
    }

    private int run(Map<String, String> env, String stdin, String... args) {
        CommandLine cli = TernCommand.commandLine(
                env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), config -> {
                    launched.add(config);
                    return 7;
                });
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }
}
