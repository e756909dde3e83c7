package dev.tern.server.app;

import dev.tern.server.auth.BcryptAuthenticator;
import dev.tern.server.config.TernConfig;
import dev.tern.server.tls.TlsMaterial;
import io.netty.handler.ssl.SslContext;

/** Builds the parts a server needs from the configuration: TLS material and the credential check. */
final class ServerParts {
    private ServerParts() {}

    static SslContext sslContext(TernConfig config) {
        return TlsMaterial.load(config.tls(), config.dataDir(), config.hostname());
    }

    static BcryptAuthenticator authenticator(TernConfig config) {
        return BcryptAuthenticator.open(config.auth().usersFile());
    }
}
