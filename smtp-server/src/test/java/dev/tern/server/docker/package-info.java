/**
 * End-to-end tests of the container image ({@code docker/Dockerfile}), run by failsafe in {@code verify}
 * through Testcontainers: the image is built from this checkout, started with a users file, fed mail over
 * submission with STARTTLS (RFC 3207) and AUTH (RFC 4954) by Angus Mail, and watched delivering it to a
 * Maildir, counting it on {@code /metrics}, reporting {@code /health/ready} to Docker's HEALTHCHECK, and
 * keeping a queued message across {@code docker stop} and a new container on the same volume.
 *
 * <p>Without a Docker engine the tests are skipped, except under {@code CI=true}, where a missing
 * engine fails the build ({@link dev.tern.server.docker.DockerInCiIT}). {@code .ci/run} installs and
 * starts one and makes the local base images ({@code docker/base-images.sh}).
 */
package dev.tern.server.docker;
