package dev.tern.server.config;

import java.nio.file.Path;

/**
 * Where the users file lives: htpasswd-style {@code name:bcrypt-hash} lines. Never {@code null} in a loaded
 * configuration: the loader puts it at {@code <data-dir>/users} unless set.
 */
public record AuthConfig(Path usersFile) {}
