package dev.tern.server.cli;

import dev.tern.server.dkim.DkimAlgorithm;
import dev.tern.server.dkim.DkimKeyRecord;
import dev.tern.server.dkim.DkimKeySpec;
import dev.tern.server.tls.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern dkim keygen}: makes a signing key, writes it as PKCS#8 PEM readable by its owner only, and
 * prints the DNS record to publish and the configuration entry that uses it.
 */
@Command(
        name = "keygen",
        mixinStandardHelpOptions = true,
        description = "Make a DKIM key; print its DNS TXT record and the dkim.domains entry.")
final class DkimKeygenCommand implements Callable<Integer> {

    @Option(names = "--domain", required = true, paramLabel = "DOMAIN", description = "the signing domain (d=)")
    String domain;

    @Option(names = "--selector", required = true, paramLabel = "SELECTOR", description = "the selector (s=)")
    String selector;

    @Option(
            names = "--algorithm",
            paramLabel = "ed25519|rsa",
            defaultValue = "rsa",
            description = "the key type (default: ${DEFAULT-VALUE}; every verifier knows RSA, fewer know Ed25519)")
    String algorithm;

    @Option(names = "--bits", defaultValue = "2048", paramLabel = "N", description = "RSA key size (default: 2048)")
    int bits;

    @Option(names = "--out", defaultValue = ".", paramLabel = "DIR", description = "where to write the key file")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        DkimAlgorithm a;
        try {
            a = DkimAlgorithm.parse(algorithm);
        } catch (IllegalArgumentException e) {
            return fail("--algorithm: " + e.getMessage());
        }
        String d = domain.strip().toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.endsWith(".") || d.chars().anyMatch(ch -> ch <= ' ' || ch == '@' || ch >= 0x7f)) {
            return fail("--domain: '" + domain + "' is not a domain name (ASCII, A-labels)");
        }
        if (a == DkimAlgorithm.RSA_SHA256 && (bits < DkimAlgorithm.MIN_RSA_BITS || bits > 8192)) {
            return fail("--bits: RSA keys for DKIM are " + DkimAlgorithm.MIN_RSA_BITS + " to 8192 bits, got " + bits);
        }
        Path file = out.resolve(selector.toLowerCase(Locale.ROOT) + "." + d + ".pem")
                .toAbsolutePath()
                .normalize();
        DkimKeySpec keySpec;
        try {
            keySpec = new DkimKeySpec(selector.toLowerCase(Locale.ROOT), a, file);
        } catch (IllegalArgumentException e) {
            return fail("--selector: " + e.getMessage());
        }
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(a.jcaKeyAlgorithm());
            if (a == DkimAlgorithm.RSA_SHA256) {
                generator.initialize(bits);
            }
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            return fail("cannot make a " + a.jcaKeyAlgorithm() + " key: " + e.getMessage());
        }
        try {
            writeOwnerOnly(file, PemFiles.toPkcs8Pem(pair.getPrivate()));
        } catch (FileAlreadyExistsException e) {
            return fail(file + " exists; choose another selector or remove it");
        }
        String text = DkimKeyRecord.text(a, pair.getPublic());
        PrintWriter w = spec.commandLine().getOut();
        w.println("wrote " + file + " (" + a.tag() + (a == DkimAlgorithm.RSA_SHA256 ? ", " + bits + " bits" : "")
                + ", mode 0600)");
        w.println();
        w.println("Publish this DNS record, and let it resolve before Tern signs with the key:");
        w.println(DkimKeyRecord.zoneLine(keySpec.selector(), d, text));
        w.println();
        w.println("Add the key to the configuration (beside the current one while you rotate):");
        w.println("dkim:");
        w.println("  domains:");
        w.println("    " + d + ": [\"" + keySpec + "\"]");
        w.flush();
        return ExitCodes.OK;
    }

    /** Creates the file with mode 0600 from the start (never wider, whatever the umask), refusing to overwrite. */
    private static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    private int fail(String message) {
        spec.commandLine().getErr().println("tern: " + message);
        return ExitCodes.REFUSED;
    }
}
