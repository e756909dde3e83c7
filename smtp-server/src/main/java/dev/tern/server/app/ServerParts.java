package dev.tern.server.app;

import dev.tern.server.auth.BcryptAuthenticator;
import dev.tern.server.config.TernConfig;
import dev.tern.server.tls.ReloadingServerTls;

/** Builds the parts a server needs from the configuration: TLS material and the credential check. */
final class ServerParts {
    private ServerParts() {}

    /** The server's TLS, its certificate and key read again when their files change or on SIGHUP. */
    static ReloadingServerTls sslContext(TernConfig config) {
        return ReloadingServerTls.watch(config.tls(), config.dataDir(), config.hostname());
    }

    static BcryptAuthenticator authenticator(TernConfig config) {
        return BcryptAuthenticator.open(config.auth().usersFile());
    }
}
