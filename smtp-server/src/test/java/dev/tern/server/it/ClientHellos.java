package dev.tern.server.it;

import java.io.ByteArrayOutputStream;
import java.security.SecureRandom;

/**
 * Hand-made TLS ClientHello records (RFC 5246 7.4.1.2) offering exactly one protocol version, whatever
 * the JDK or OpenSSL would let a client offer today: what an old client really sends to Tern.
 */
final class ClientHellos {
    /** SSL 3.0 (RFC 6101), refused everywhere by RFC 7568. */
    static final int SSL3 = 0x0300;

    static final int TLS10 = 0x0301;
    static final int TLS11 = 0x0302;
    static final int TLS12 = 0x0303;

    /** TLS record content types (RFC 5246 6.2.1). */
    static final int ALERT = 21;

    static final int HANDSHAKE = 22;
    /** RFC 5246 7.2.2: the fatal alert for a version the server will not speak. */
    static final int PROTOCOL_VERSION = 70;

    private ClientHellos() {}

    /**
     * A ClientHello for {@code version} with what Tern's EC P-256 certificate needs: ECDHE-ECDSA
     * suites for TLS 1.2 (AES-GCM) and before (AES-CBC), the P-256 group, uncompressed points and
     * ECDSA-SHA256 signatures.
     */
    static byte[] offering(int version) {
        ByteArrayOutputStream hello = new ByteArrayOutputStream();
        u16(hello, version);
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        hello.writeBytes(random);
        hello.write(0); // no session id
        int[] suites = {0xC02B, 0xC02C, 0xC009, 0xC00A, 0x00FF};
        u16(hello, suites.length * 2);
        for (int suite : suites) {
            u16(hello, suite);
        }
        hello.writeBytes(new byte[] {1, 0}); // compression methods: null only
        ByteArrayOutputStream extensions = new ByteArrayOutputStream();
        extension(extensions, 0x000a, new byte[] {0, 2, 0x00, 0x17}); // supported_groups: secp256r1
        extension(extensions, 0x000b, new byte[] {1, 0}); // ec_point_formats: uncompressed
        extension(extensions, 0x000d, new byte[] {0, 2, 0x04, 0x03}); // signature_algorithms
        u16(hello, extensions.size());
        hello.writeBytes(extensions.toByteArray());

        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.write(HANDSHAKE);
        u16(record, TLS10); // the record layer version most clients use for a first hello
        u16(record, hello.size() + 4);
        record.write(1); // client_hello
        record.write(0);
        u16(record, hello.size());
        record.writeBytes(hello.toByteArray());
        return record.toByteArray();
    }

    private static void extension(ByteArrayOutputStream out, int type, byte[] data) {
        u16(out, type);
        u16(out, data.length);
        out.writeBytes(data);
    }

    private static void u16(ByteArrayOutputStream out, int value) {
        out.write(value >> 8);
        out.write(value & 0xff);
    }
}
