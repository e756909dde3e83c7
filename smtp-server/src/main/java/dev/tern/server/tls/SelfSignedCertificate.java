package dev.tern.server.tls;

import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate for a zero-configuration start: EC P-256, valid ten years, naming the
 * host name, {@code localhost} and {@code 127.0.0.1} as subject alternative names (RFC 5280 4.2.1.6).
 */
final class SelfSignedCertificate {
    static final Duration VALIDITY = Duration.ofDays(3650);

    private SelfSignedCertificate() {}

    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK offers EC P-256", e);
        }
    }

    /** A certificate for {@code keys} naming {@code hostname}, signed by its own key. */
    static X509Certificate create(KeyPair keys, String hostname) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.CN, hostname)
                .addRDN(BCStyle.O, "Tern self-signed")
                .build();
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
                Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(VALIDITY)),
                subject,
                keys.getPublic());
        try {
            builder.addExtension(Extension.subjectAlternativeName, false, alternativeNames(hostname));
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            // Only an RSA key can encipher a session key (TLS 1.2's RSA key exchange); EC and EdDSA keys sign
            // only (RFC 5480 3, RFC 8410 5).
            boolean rsa = keys.getPrivate().getAlgorithm().equals("RSA");
            builder.addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(
                            rsa ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
            builder.addExtension(
                    Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            String algorithm = TlsMaterial.signatureAlgorithm(keys.getPrivate());
            if (algorithm == null) {
                throw new TlsMaterialException(
                        "cannot sign with a " + keys.getPrivate().getAlgorithm() + " key");
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate())));
        } catch (CertIOException | OperatorCreationException | java.security.cert.CertificateException e) {
            throw new TlsMaterialException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralNames alternativeNames(String hostname) {
        Set<String> names = new LinkedHashSet<>();
        names.add(hostname);
        names.add("localhost");
        names.add("127.0.0.1");
        return new GeneralNames(names.stream()
                .map(n -> NetUtil.isValidIpV4Address(n) || NetUtil.isValidIpV6Address(n)
                        ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new));
    }
}
