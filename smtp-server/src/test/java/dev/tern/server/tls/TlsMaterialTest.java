package dev.tern.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.server.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsMaterialTest {
    @TempDir
    Path dir;

    @Test
    void generatesASelfSignedCertificateOnceAndReusesIt() throws Exception {
        SslContext first = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");
        byte[] cert = Files.readAllBytes(dir.resolve("tls/cert.pem"));
        byte[] key = Files.readAllBytes(dir.resolve("tls/key.pem"));

        SslContext second = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");

        assertThat(first.isServer()).isTrue();
        assertThat(second.isServer()).isTrue();
        assertThat(Files.readAllBytes(dir.resolve("tls/cert.pem"))).isEqualTo(cert);
        assertThat(Files.readAllBytes(dir.resolve("tls/key.pem"))).isEqualTo(key);
    }

    /** RFC 8996: TLS 1.0 and 1.1 are gone; the engine must not even enable them, whatever the JVM allows. */
    @Test
    void serverOffersTls12And13Only() {
        SslContext server = TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");
        SSLEngine engine = server.newEngine(ByteBufAllocator.DEFAULT);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }

    @Test
    void selfSignedKeyIsReadableByTheOwnerOnly() {
        TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");

        assertThat(permissions(dir.resolve("tls/key.pem"))).isEqualTo("rw-------");
    }

    @Test
    void selfSignedCertificateNamesHostLocalhostAndLoopback() throws Exception {
        TlsMaterial.load(new TlsConfig(null, null), dir, "mx.example");

        X509Certificate cert =
                PemFiles.readCertificates(dir.resolve("tls/cert.pem")).get(0);

        assertThat(cert.getSubjectAlternativeNames())
                .extracting(name -> (Object) name.get(1))
                .containsExactly((Object) "mx.example", "localhost", "127.0.0.1");
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        // digitalSignature alone: an EC key enciphers nothing (RFC 5480 3).
        assertThat(cert.getKeyUsage()).startsWith(true, false, false);
        assertThat(cert.getNotAfter().toInstant())
                .isAfter(cert.getNotBefore().toInstant().plus(SelfSignedCertificate.VALIDITY.minusDays(1)));
    }

    @Test
    void loadsPkcs8Keys() throws Exception {
        KeyPair keys = rsaKeys();
        Path cert = write("cert.pem", PemFiles.toPem(SelfSignedCertificate.create(keys, "mx.example")));
        Path key = write("key.pem", PemFiles.toPkcs8Pem(keys.getPrivate()));
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");

        assertThat(PemFiles.readPrivateKey(key)).isEqualTo(keys.getPrivate());
        assertThat(TlsMaterial.load(new TlsConfig(cert, key), dir, "ignored").isServer())
                .isTrue();
    }

    @Test
    void loadsPkcs1RsaKeys() throws Exception {
        KeyPair keys = rsaKeys();
        Path key = write("key.pem", traditionalPem(keys));
        assertThat(Files.readString(key)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertThat(PemFiles.readPrivateKey(key).getEncoded())
                .isEqualTo(keys.getPrivate().getEncoded());
    }

    @Test
    void loadsTraditionalEcKeys() throws Exception {
        KeyPair keys = SelfSignedCertificate.newKeyPair();
        Path cert = write("cert.pem", PemFiles.toPem(SelfSignedCertificate.create(keys, "mx.example")));
        Path key = write("key.pem", rfc5915Pem(keys));

        assertThat(PemFiles.readPrivateKey(key).getAlgorithm()).isEqualTo("EC");
        assertThat(TlsMaterial.load(new TlsConfig(cert, key), dir, "ignored").isServer())
                .isTrue();
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedNamingBothFiles() throws Exception {
        Path cert = write("cert.pem", PemFiles.toPem(SelfSignedCertificate.create(rsaKeys(), "mx.example")));
        Path key = write("key.pem", PemFiles.toPkcs8Pem(rsaKeys().getPrivate()));
        Path ecKey = write(
                "ec-key.pem",
                PemFiles.toPkcs8Pem(SelfSignedCertificate.newKeyPair().getPrivate()));

        assertThatThrownBy(() -> TlsMaterial.load(new TlsConfig(cert, key), dir, "ignored"))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessage("the private key in " + key + " does not belong to the certificate in " + cert
                        + " (O=Tern self-signed,CN=mx.example)");
        assertThatThrownBy(() -> TlsMaterial.load(new TlsConfig(cert, ecKey), dir, "ignored"))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessageStartingWith("the private key in " + ecKey + " does not belong");
    }

    @Test
    void onlyAnRsaCertificateMayEncipherKeys() throws Exception {
        assertThat(SelfSignedCertificate.create(rsaKeys(), "h").getKeyUsage()).startsWith(true, false, true);
        KeyPair edwards = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        assertThat(SelfSignedCertificate.create(edwards, "h").getKeyUsage()).startsWith(true, false, false);
    }

    @Test
    void anEd25519KeyThatIsNotTheCertificatesIsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
        Path cert = write(
                "cert.pem", PemFiles.toPem(SelfSignedCertificate.create(generator.generateKeyPair(), "mx.example")));
        Path key =
                write("key.pem", PemFiles.toPkcs8Pem(generator.generateKeyPair().getPrivate()));

        assertThatThrownBy(() -> TlsMaterial.load(new TlsConfig(cert, key), dir, "ignored"))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessageStartingWith("the private key in " + key + " does not belong");
    }

    @Test
    void theKeyIsOfferedForItsOwnAlgorithmOnly() {
        KeyPair keys = SelfSignedCertificate.newKeyPair();
        SingleKeyManager manager =
                new SingleKeyManager(keys.getPrivate(), List.of(SelfSignedCertificate.create(keys, "mx.example")));

        assertThat(manager.chooseEngineServerAlias("EC", null, null)).isEqualTo(SingleKeyManager.ALIAS);
        assertThat(manager.chooseEngineServerAlias("RSA", null, null)).isNull();
        assertThat(manager.chooseEngineServerAlias("RSASSA-PSS", null, null)).isNull();
        assertThat(manager.chooseEngineClientAlias(new String[] {"EC"}, null, null))
                .isNull();
        assertThat(manager.getPrivateKey(SingleKeyManager.ALIAS)).isEqualTo(keys.getPrivate());
        assertThat(manager.getPrivateKey("other")).isNull();
    }

    @Test
    void unreadableCertificateIsNamed() {
        Path missing = dir.resolve("missing.pem");

        assertThatThrownBy(() -> TlsMaterial.load(new TlsConfig(missing, missing), dir, "h"))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessage("cannot read certificates from " + missing + ": no such file");
    }

    @Test
    void fileWithoutAKeyIsNamed() throws Exception {
        Path notAKey = write("cert.pem", PemFiles.toPem(SelfSignedCertificate.create(rsaKeys(), "h")));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(notAKey))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessageContaining("no PRIVATE KEY block in " + notAKey);
    }

    @Test
    void fileWithoutACertificateIsNamed() throws Exception {
        Path garbage = write("garbage.pem", "hello\n");

        assertThatThrownBy(() -> PemFiles.readCertificates(garbage))
                .isInstanceOf(TlsMaterialException.class)
                .hasMessageContaining(garbage.toString());
    }

    @Test
    void readsTheWholeChainLeafFirst() throws Exception {
        X509Certificate leaf = SelfSignedCertificate.create(rsaKeys(), "leaf.example");
        X509Certificate issuer = SelfSignedCertificate.create(rsaKeys(), "issuer.example");
        Path chain = write("chain.pem", PemFiles.toPem(leaf) + PemFiles.toPem(issuer));

        assertThat(PemFiles.readCertificates(chain)).isEqualTo(List.of(leaf, issuer));
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    /** PKCS#1, what {@code openssl genrsa} from OpenSSL 1.x writes. */
    private static String traditionalPem(KeyPair keys) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys.getPrivate());
        }
        return out.toString();
    }

    /** What {@code openssl ecparam -genkey} writes: the named curve inside the key, no public key. */
    private static String rfc5915Pem(KeyPair keys) throws Exception {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        ECPrivateKey inner = new ECPrivateKey(
                256,
                ((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", inner.getEncoded()));
        }
        return out.toString();
    }

    private static KeyPair rsaKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String permissions(Path file) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
