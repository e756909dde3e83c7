package dev.tern.server.cli;

import dev.tern.server.config.TernConfig;

/** Runs the daemon until shutdown and returns its exit code; a seam so tests need no real server. */
@FunctionalInterface
interface ServerLauncher {
    int run(TernConfig config) throws Exception;
}
