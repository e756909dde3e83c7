package dev.tern.server.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reading and writing PEM: certificate chains, and private keys as PKCS#8 ({@code PRIVATE KEY}) or the
 * older OpenSSL forms ({@code RSA PRIVATE KEY}, PKCS#1; {@code EC PRIVATE KEY}, RFC 5915).
 */
public final class PemFiles {
    private PemFiles() {}

    /** Every certificate in {@code file}, leaf first as the file orders them. */
    public static List<X509Certificate> readCertificates(Path file) {
        List<X509Certificate> chain = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    chain.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new TlsMaterialException("cannot read certificates from " + file + ": " + reason(e), e);
        }
        if (chain.isEmpty()) {
            throw new TlsMaterialException("no CERTIFICATE block in " + file);
        }
        return List.copyOf(chain);
    }

    /** The first private key in {@code file}; encrypted keys are refused because Tern starts unattended. */
    public static PrivateKey readPrivateKey(Path file) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
                PEMParser parser = new PEMParser(reader)) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                switch (o) {
                    case PrivateKeyInfo pkcs8 -> {
                        return converter.getPrivateKey(pkcs8);
                    }
                    case PEMKeyPair traditional -> {
                        // An EC PRIVATE KEY may omit its public key (RFC 5915 section 3), so only the private part.
                        return converter.getPrivateKey(traditional.getPrivateKeyInfo());
                    }
                    case PEMEncryptedKeyPair e ->
                        throw new TlsMaterialException(
                                "the private key in " + file + " is encrypted; Tern needs an unencrypted key");
                    case PKCS8EncryptedPrivateKeyInfo e ->
                        throw new TlsMaterialException(
                                "the private key in " + file + " is encrypted; Tern needs an unencrypted key");
                    default -> {
                        // EC PARAMETERS and other blocks that openssl writes beside the key.
                    }
                }
            }
        } catch (TlsMaterialException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new TlsMaterialException("cannot read private key from " + file + ": " + reason(e), e);
        }
        throw new TlsMaterialException("no PRIVATE KEY block in " + file);
    }

    /** Why a file could not be read, in words: a file system error's message is often the path alone. */
    private static String reason(Exception e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException n -> "no such file";
            case java.nio.file.AccessDeniedException a -> "permission denied";
            case java.nio.file.FileSystemException f when f.getReason() != null -> f.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    /** A certificate as PEM text. */
    public static String toPem(X509Certificate certificate) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(certificate);
        } catch (IOException e) {
            throw new TlsMaterialException("cannot encode certificate", e);
        }
        return out.toString();
    }

    /** A private key as PKCS#8 PEM text ({@code BEGIN PRIVATE KEY}). */
    public static String toPkcs8Pem(PrivateKey key) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(new PemObject("PRIVATE KEY", key.getEncoded()));
        } catch (IOException e) {
            throw new TlsMaterialException("cannot encode private key", e);
        }
        return out.toString();
    }

    /**
     * Writes {@code text} to {@code file} readable by the owner only (mode 0600 where the file system has
     * POSIX permissions), through a temporary file so a crash never leaves half a key.
     */
    static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(tmp);
        } catch (FileAlreadyExistsException e) {
            throw new IOException("another process is writing " + file, e);
        }
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code text} to {@code file} through a temporary file. */
    static void writePublic(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
