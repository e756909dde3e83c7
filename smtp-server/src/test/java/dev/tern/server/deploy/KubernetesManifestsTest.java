package dev.tern.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.ListenerConfig;
import dev.tern.server.config.TernConfig;
import dev.tern.server.testing.Checkout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes as Tern sees it: the ConfigMap's tern.yaml with the image's and the StatefulSet's
 * TERN_* variables, bound by Tern's own loader, against what the pod and the Services promise (ports,
 * mounts, grace, heap). The schemas of the objects are checked by deploy/kubernetes/check.sh.
 */
class KubernetesManifestsTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void theConfigMapAndThePodsEnvironmentBindToThePodsPortsMountsAndLimits() throws IOException {
        JsonNode statefulSet = manifest("statefulset.yaml");
        JsonNode pod = statefulSet.at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        assertThat(container.at("/name").asText()).isEqualTo("tern");

        Map<String, String> env = new HashMap<>(imageEnvironment());
        container
                .at("/env")
                .forEach(e -> env.put(e.at("/name").asText(), e.at("/value").asText()));
        Path configFile = Checkout.file("deploy/kubernetes/tern.yaml");
        TernConfig config = ConfigLoader.load(configFile, env);

        Map<String, Integer> ports = new LinkedHashMap<>();
        container
                .at("/ports")
                .forEach(p ->
                        ports.put(p.at("/name").asText(), p.at("/containerPort").asInt()));
        for (ListenerConfig listener : config.listeners()) {
            assertThat(listener.address()).as(listener.name()).isEqualTo("0.0.0.0");
            assertThat(listener.port()).as(listener.name()).isEqualTo(ports.get(listener.name()));
            assertThat(listener.port())
                    .as(listener.name() + ": no root, no capabilities")
                    .isGreaterThan(1024);
        }
        assertThat(config.listeners()).extracting(ListenerConfig::name).containsExactly("mx", "submission", "smtps");
        assertThat(config.management().address()).isEqualTo("0.0.0.0");
        assertThat(config.management().port()).isEqualTo(ports.get("management"));

        // Every path Tern reads or writes is on a volume: its state on the claim, its secrets on Secrets.
        Map<String, String> volumeKinds = new HashMap<>();
        pod.at("/volumes").forEach(v -> volumeKinds.put(v.at("/name").asText(), volumeKind(v)));
        statefulSet
                .at("/spec/volumeClaimTemplates")
                .forEach(t -> volumeKinds.put(t.at("/metadata/name").asText(), "claim"));
        Map<Path, String> mounts = new LinkedHashMap<>();
        container
                .at("/volumeMounts")
                .forEach(m -> mounts.put(
                        Path.of(m.at("/mountPath").asText()),
                        volumeKinds.get(m.at("/name").asText())));
        assertThat(mounts.get(config.dataDir())).isEqualTo("claim");
        assertThat(mounts.get(Path.of("/tmp"))).isEqualTo("emptyDir");
        for (Path secret : new Path[] {
            config.tls().certFile(),
            config.tls().keyFile(),
            config.auth().usersFile(),
            config.management().adminTokenFile()
        }) {
            assertThat(mounts.get(secret.getParent())).as(secret.toString()).isEqualTo("secret");
        }

        // SIGKILL only after preStop, shutdown-grace and the closing of what is left.
        long preStop =
                Long.parseLong(container.at("/lifecycle/preStop/exec/command/1").asText());
        Duration sigkillAfter =
                Duration.ofSeconds(pod.at("/terminationGracePeriodSeconds").asLong());
        assertThat(config.shutdownGrace().plusSeconds(preStop + 5)).isLessThan(sigkillAfter);

        // Messages in flight live in the heap: at most half of it, and the heap and direct buffers
        // within the memory limit with room for the rest of the JVM.
        long heap = jvmSize(env.get("JDK_JAVA_OPTIONS"), "-Xmx");
        long direct = jvmSize(env.get("JDK_JAVA_OPTIONS"), "-XX:MaxDirectMemorySize=");
        assertThat(config.limits().maxInflightBytes()).isLessThanOrEqualTo(heap / 2);
        long limit = quantity(container.at("/resources/limits/memory").asText());
        assertThat(heap + direct + (150L << 20)).isLessThan(limit);
        assertThat(quantity(container.at("/resources/requests/memory").asText()))
                .isEqualTo(limit);
    }

    @Test
    void theLoadBalancerCarriesTheSmtpPortsToThePodsListenersAndNotTheManagementListener() throws IOException {
        JsonNode container = manifest("statefulset.yaml").at("/spec/template/spec/containers/0");
        Map<String, Integer> containerPorts = new LinkedHashMap<>();
        container
                .at("/ports")
                .forEach(p -> containerPorts.put(
                        p.at("/name").asText(), p.at("/containerPort").asInt()));

        JsonNode smtp = manifest("service-smtp.yaml");
        assertThat(smtp.at("/spec/type").asText()).isEqualTo("LoadBalancer");
        assertThat(smtp.at("/spec/externalTrafficPolicy").asText()).isEqualTo("Local");
        Map<Integer, String> targets = new LinkedHashMap<>();
        smtp.at("/spec/ports")
                .forEach(p ->
                        targets.put(p.at("/port").asInt(), p.at("/targetPort").asText()));
        assertThat(targets).containsExactly(Map.entry(25, "mx"), Map.entry(587, "submission"), Map.entry(465, "smtps"));
        assertThat(containerPorts).containsKeys("mx", "submission", "smtps");

        JsonNode headless = manifest("service-headless.yaml");
        assertThat(headless.at("/metadata/name").asText())
                .as("TernDown in alerts.yaml asks up{job=\"tern\"}, the Service's name")
                .isEqualTo("tern");
        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(manifest("servicemonitor.yaml").at("/spec/endpoints/0/port").asText())
                .isEqualTo("management");
    }

    private static JsonNode manifest(String name) throws IOException {
        return YAML.readTree(Checkout.file("deploy/kubernetes/" + name).toFile());
    }

    private static String volumeKind(JsonNode volume) {
        for (String kind : new String[] {"secret", "configMap", "emptyDir", "persistentVolumeClaim"}) {
            if (volume.has(kind)) {
                return kind;
            }
        }
        return "other";
    }

    /** The TERN_* variables of the image's ENV instruction (docker/Dockerfile). */
    private static Map<String, String> imageEnvironment() throws IOException {
        String dockerfile = Files.readString(Checkout.file("docker/Dockerfile")).replace("\\\n", " ");
        Map<String, String> env = new HashMap<>();
        for (String line : dockerfile.split("\n")) {
            if (line.startsWith("ENV ")) {
                Matcher m = Pattern.compile("(TERN_[A-Z0-9_]+)=(\\S+)").matcher(line);
                while (m.find()) {
                    env.put(m.group(1), m.group(2));
                }
            }
        }
        assertThat(env).containsKeys("TERN_DATA_DIR", "TERN_LISTENERS_MX_PORT", "TERN_MANAGEMENT_PORT");
        return env;
    }

    /** A JVM size option such as -Xmx512m, in bytes. */
    private static long jvmSize(String options, String flag) {
        Matcher m = Pattern.compile("(?:^|\\s)" + Pattern.quote(flag) + "(\\d+)([kmg])")
                .matcher(options);
        assertThat(m.find()).as(flag + " in " + options).isTrue();
        return Long.parseLong(m.group(1)) << (10 * ("kmg".indexOf(m.group(2)) + 1));
    }

    /** A Kubernetes memory quantity in Mi or Gi, in bytes. */
    private static long quantity(String q) {
        Matcher m = Pattern.compile("(\\d+)(Mi|Gi)").matcher(q);
        assertThat(m.matches()).as(q).isTrue();
        return Long.parseLong(m.group(1)) << (m.group(2).equals("Gi") ? 30 : 20);
    }
}
