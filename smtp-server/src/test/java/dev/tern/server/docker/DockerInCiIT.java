package dev.tern.server.docker;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.testcontainers.DockerClientFactory;

/**
 * The container tests skip quietly without Docker; CI must not. {@code .ci/run} provides an engine,
 * so under {@code CI=true} its absence is a failure rather than a green run that tested nothing.
 */
class DockerInCiIT {
    @Test
    @EnabledIfEnvironmentVariable(named = "CI", matches = "true")
    void ciHasADockerEngineForTheContainerTests() {
        assertThat(DockerClientFactory.instance().isDockerAvailable())
                .as("CI=true but no Docker engine answers; .ci/run should have started one")
                .isTrue();
    }
}
