package dev.tern.server.docker;

import dev.tern.server.testing.Checkout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.testcontainers.images.builder.ImageFromDockerfile;

/**
 * The image under test, built once per test JVM from this checkout's sources with {@code docker/Dockerfile}.
 * Docker's layer cache makes a rebuild of unchanged sources take seconds. {@code IT_TERN_IMAGE} names an
 * image built before instead (e.g. {@code docker build -f docker/Dockerfile -t tern:dev .}), for running
 * a container test again after changing only test sources, which are part of the build context.
 */
final class TernImage {
    /** Base images, overridable for machines that reach a registry (eclipse-temurin:25-jdk / -jre). */
    static final String BUILD_IMAGE = env("IT_BUILD_IMAGE", "tern-base/build:bookworm-jdk25");

    static final String RUNTIME_IMAGE = env("IT_RUNTIME_IMAGE", "tern-base/runtime:bookworm-jre25");

    /** What the Dockerfile copies; everything else (target/, .git) stays out of the build context. */
    private static final List<String> CONTEXT = List.of(
            "mvnw",
            "pom.xml",
            ".mvn",
            "docker/Dockerfile",
            "smtp-core/pom.xml",
            "smtp-core/src",
            "smtp-relay/pom.xml",
            "smtp-relay/src",
            "smtp-server/pom.xml",
            "smtp-server/src");

    private static final String PREBUILT = env("IT_TERN_IMAGE", "");

    private static final Future<String> IMAGE =
            PREBUILT.isEmpty() ? build() : CompletableFuture.completedFuture(PREBUILT);

    private TernImage() {}

    static Future<String> image() {
        return IMAGE;
    }

    // withDockerfilePath is deprecated for withDockerfile, which would make docker/ the build context.
    @SuppressWarnings("deprecation")
    private static ImageFromDockerfile build() {
        Path root = Checkout.root();
        // Kept after the run (deleteOnExit false) so the next run reuses its layers.
        ImageFromDockerfile image = new ImageFromDockerfile("tern:it", false)
                .withBuildArg("BUILD_IMAGE", BUILD_IMAGE)
                .withBuildArg("RUNTIME_IMAGE", RUNTIME_IMAGE)
                .withDockerfilePath("docker/Dockerfile");
        for (String path : CONTEXT) {
            image.withFileFromPath(path, root.resolve(path));
        }
        return image;
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
