package dev.tern.server.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * One Tern of the cluster: the image under test in the host's network namespace, bound to its own
 * loopback address, its data directory on a named volume of its own. It has two SMTP listeners on that
 * address: {@code lb} takes connections only through HAProxy (PROXY protocol v2 from {@link
 * Ports#HAPROXY} alone), {@code mx} is a plain listener that other MTAs reach by MX records. It relays
 * {@link #RELAY_DOMAIN} by MX, asking the test's DNS responder and nothing else.
 */
final class ClusterNode extends GenericContainer<ClusterNode> {
    static final String RELAY_DOMAIN = "dest.test";
    private static final String DATA = "/var/lib/tern";
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** Ports the nodes share, each on its own address; chosen free on every address used. */
    record Ports(int lb, int mx, int submission, int smtps, int management) {
        static final String HAPROXY = "127.0.0.20";
    }

    private final String name;
    private final String address;
    private final Ports ports;
    private final String volume;

    ClusterNode(String name, String address, Ports ports, String volume, int dnsPort, int deliveryPort) {
        super(TernImage.image());
        this.name = name;
        this.address = address;
        this.ports = ports;
        this.volume = volume;
        withNetworkMode("host");
        withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(new Bind(volume, new Volume(DATA))));
        withEnv("TERN_HOSTNAME", name + ".cluster.test");
        withEnv("TERN_LOCAL_DOMAINS", name + ".cluster.test");
        // A listener the image does not have is named in a file; the TERN_* variables set the rest.
        String config =
                """
                listeners:
                  lb:
                    mode: mx
                    address: %s
                    port: %d
                    proxy-protocol-from: [%s/32]
                """
                        .formatted(address, ports.lb(), Ports.HAPROXY);
        withCopyToContainer(Transferable.of(config, 0644), "/etc/tern/cluster.yaml");
        withCommand("serve", "--config", "/etc/tern/cluster.yaml");
        withEnv("TERN_LISTENERS_MX_ADDRESS", address);
        withEnv("TERN_LISTENERS_MX_PORT", Integer.toString(ports.mx()));
        withEnv("TERN_LISTENERS_SUBMISSION_ADDRESS", address);
        withEnv("TERN_LISTENERS_SUBMISSION_PORT", Integer.toString(ports.submission()));
        withEnv("TERN_LISTENERS_SMTPS_ADDRESS", address);
        withEnv("TERN_LISTENERS_SMTPS_PORT", Integer.toString(ports.smtps()));
        withEnv("TERN_MANAGEMENT_ADDRESS", address);
        withEnv("TERN_MANAGEMENT_PORT", Integer.toString(ports.management()));
        withEnv("TERN_RELAY_DOMAINS", RELAY_DOMAIN);
        withEnv("TERN_DNS_SERVERS", "127.0.0.1:" + dnsPort);
        withEnv("TERN_DNS_TIMEOUT", "1s");
        withEnv("TERN_DELIVERY_PORT", Integer.toString(deliveryPort));
        withEnv("TERN_DELIVERY_FIRST_RETRY", "1s");
        withEnv("TERN_DELIVERY_MAX_RETRY", "2s");
        withEnv("TERN_DELIVERY_CONNECT_TIMEOUT", "2s");
        withEnv("TERN_DELIVERY_MTA_STS_ENABLED", "false");
        // Every load session comes from one or two client addresses.
        withEnv("TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "1000");
        // The test's load comes from 127.0.0.1 and 127.0.0.77 (through HAProxy): trusted, as an operator trusts a
        // load generator, so that no per-address rate refuses it. The default trusts 127.0.0.1 alone.
        withEnv("TERN_RELAY_TRUSTED_NETWORKS", "127.0.0.0/8");
        withEnv("JDK_JAVA_OPTIONS", "-Xmx512m");
        // Three JVMs starting at once on two cores shared with other work took over two minutes at load 55.
        waitingFor(Wait.forLogMessage(".*management listening .*\\n", 1).withStartupTimeout(Duration.ofMinutes(5)));
    }

    String name() {
        return name;
    }

    String hostname() {
        return name + ".cluster.test";
    }

    String address() {
        return address;
    }

    InetSocketAddress mx() {
        return new InetSocketAddress(address, ports.mx());
    }

    String volume() {
        return volume;
    }

    /** {@code docker kill --signal=KILL}: no shutdown hook, no flush beyond what the spool already forced. */
    void sigkill() {
        docker().killContainerCmd(getContainerId()).withSignal("KILL").exec();
    }

    /** {@code docker start} of the same container, so on the same volume with the same settings. */
    void startAgain() {
        docker().startContainerCmd(getContainerId()).exec();
    }

    /** {@code docker stop}: SIGTERM, Tern finishes its sessions and closes its spool. */
    void dockerStop() {
        docker().stopContainerCmd(getContainerId()).withTimeout(20).exec();
    }

    boolean ready() {
        try {
            return management("/health/ready").statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    HttpResponse<String> management(String path) throws IOException, InterruptedException {
        URI uri = URI.create("http://" + address + ":" + ports.management() + path);
        return HTTP.send(
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs {@code tern ARGS} inside the container, as an operator would with {@code docker exec}. */
    ExecResult tern(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("java", "-jar", "/opt/tern/tern.jar"));
        command.addAll(List.of(args));
        return execInContainer(command.toArray(String[]::new));
    }

    private static DockerClient docker() {
        return DockerClientFactory.instance().client();
    }
}
