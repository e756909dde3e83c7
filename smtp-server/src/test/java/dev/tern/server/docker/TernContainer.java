package dev.tern.server.docker;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import dev.tern.server.auth.UserStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * Tern's image started as a container: local domain {@code example.test}, one user (alice) in a users
 * file outside the data volume, submission and management ports mapped to 127.0.0.1.
 */
final class TernContainer extends GenericContainer<TernContainer> {
    static final int SUBMISSION = 587;
    static final int MANAGEMENT = 9465;
    static final String DATA = "/var/lib/tern";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse battery staple";
    /** Mapped ports are reached on loopback only; Tern's self-signed certificate names localhost. */
    static final String HOST = "localhost";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TernContainer() {
        super(TernImage.image());
        withExposedPorts(SUBMISSION, MANAGEMENT);
        withEnv("TERN_HOSTNAME", "tern.test");
        withEnv("TERN_LOCAL_DOMAINS", "example.test");
        withEnv("TERN_AUTH_USERS_FILE", "/etc/tern/users");
        String users = USER + ":" + UserStore.newHash(PASSWORD.toCharArray()) + "\n";
        withCopyToContainer(Transferable.of(users, 0644), "/etc/tern/users");
        // The image build (first run: a couple of minutes) happens before this timeout starts. The management
        // listener is the last to bind: waiting for the submission listener left /health a moment unanswered.
        waitingFor(Wait.forLogMessage(".*management listening .*\\n", 1).withStartupTimeout(Duration.ofMinutes(2)));
    }

    /** Keeps the data directory on the named volume {@code name}, which outlives the container. */
    TernContainer onVolume(String name) {
        return withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(new Bind(name, new Volume(DATA))));
    }

    int submissionPort() {
        return getMappedPort(SUBMISSION);
    }

    /** GET {@code path} on the management listener; returns status and body. */
    HttpResponse<String> management(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + HOST + ":" + getMappedPort(MANAGEMENT) + path);
        HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** Messages in {@code user@domain}'s Maildir {@code new/} folder (none when it does not exist yet). */
    List<String> maildirNew(String domain, String user) throws IOException, InterruptedException {
        String folder = DATA + "/mail/" + domain + "/" + user + "/new";
        ExecResult ls = execInContainer("sh", "-c", "[ ! -d " + folder + " ] || ls -1 " + folder);
        if (ls.getExitCode() != 0) {
            throw new IllegalStateException("ls " + folder + ": " + ls.getStderr());
        }
        return Arrays.stream(ls.getStdout().split("\n"))
                .filter(s -> !s.isBlank())
                .toList();
    }

    String readFile(String path) throws IOException, InterruptedException {
        return execInContainer("cat", path).getStdout();
    }

    /** TLS trusting exactly the certificate Tern made for itself at first start. */
    SSLContext trustingItsCertificate() throws Exception {
        Certificate cert = copyFileFromContainer(DATA + "/tls/cert.pem", in -> CertificateFactory.getInstance("X.509")
                .generateCertificate(in));
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("tern", cert);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, factory.getTrustManagers(), null);
        return tls;
    }

    /** {@code docker stop}: SIGTERM, then SIGKILL after {@code grace}; returns the exit code. */
    long dockerStop(Duration grace) {
        var docker = DockerClientFactory.instance().client();
        docker.stopContainerCmd(getContainerId())
                .withTimeout((int) grace.toSeconds())
                .exec();
        return docker.inspectContainerCmd(getContainerId()).exec().getState().getExitCodeLong();
    }

    /** Docker's view of the HEALTHCHECK: starting, healthy or unhealthy. */
    String health() {
        var state = DockerClientFactory.instance()
                .client()
                .inspectContainerCmd(getContainerId())
                .exec()
                .getState();
        return state.getHealth() == null ? "none" : state.getHealth().getStatus();
    }
}
