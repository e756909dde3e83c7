package dev.tern.server.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Files of this checkout outside the module: docs/, docker/. Tests run in a module's directory. */
public final class Checkout {
    private Checkout() {}

    /** The checkout's root: the nearest directory above the working directory holding mvnw and docker/Dockerfile. */
    public static Path root() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker/Dockerfile")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no checkout (mvnw, docker/Dockerfile) above " + Path.of("").toAbsolutePath());
    }

    /** A file of the checkout, {@code relative} to its root. */
    public static Path file(String relative) {
        return root().resolve(relative);
    }
}
