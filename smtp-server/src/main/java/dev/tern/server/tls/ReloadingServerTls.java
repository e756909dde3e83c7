package dev.tern.server.tls;

import dev.tern.server.auth.FileStamp;
import dev.tern.server.config.TlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ApplicationProtocolNegotiator;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSessionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS context, which takes a renewed certificate without a restart: the certificate and key
 * files are read again when either changes (its modification time or size, looked at every {@link
 * #CHECK_SECONDS} seconds) and on {@link #reload()} (SIGHUP), as a renewal by an ACME client or a mounted
 * secret's update needs. Sessions that begin their handshake afterwards get the new pair; those under way
 * keep theirs. A pair that does not load (half written, a key that is not the certificate's) is logged and
 * the last good one kept, as at start it would stop Tern. Reads files: never on an event loop.
 */
public final class ReloadingServerTls extends SslContext implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReloadingServerTls.class);

    /** How often the files are looked at. */
    static final long CHECK_SECONDS = 10;

    private final TlsConfig tls;
    private final Path dataDir;
    private final String hostname;
    private final Path certFile;
    private final Path keyFile;
    private final ScheduledExecutorService watcher;

    private volatile SslContext current;
    // Guarded by this.
    private List<FileStamp> stamps;

    /** @param checkMillis how often the files are looked at; 0: never (only {@link #reload()}) */
    private ReloadingServerTls(TlsConfig tls, Path dataDir, String hostname, long checkMillis) {
        this.tls = tls;
        this.dataDir = dataDir;
        this.hostname = hostname;
        this.certFile = tls.isConfigured() ? tls.certFile() : TlsMaterial.selfSignedCertFile(dataDir);
        this.keyFile = tls.isConfigured() ? tls.keyFile() : TlsMaterial.selfSignedKeyFile(dataDir);
        this.current = TlsMaterial.load(tls, dataDir, hostname);
        this.stamps = stamps();
        if (checkMillis > 0) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tern-tls-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(this::reloadIfChanged, checkMillis, checkMillis, TimeUnit.MILLISECONDS);
        } else {
            watcher = null;
        }
    }

    /**
     * Loads the server's certificate and key as {@link TlsMaterial#load} does (and so fails as it does), then
     * watches their files.
     */
    public static ReloadingServerTls watch(TlsConfig tls, Path dataDir, String hostname) {
        return new ReloadingServerTls(tls, dataDir, hostname, TimeUnit.SECONDS.toMillis(CHECK_SECONDS));
    }

    /** The same, the files looked at every {@code checkMillis} (0: only {@link #reload()} reads them again; tests). */
    static ReloadingServerTls watching(TlsConfig tls, Path dataDir, String hostname, long checkMillis) {
        return new ReloadingServerTls(tls, dataDir, hostname, checkMillis);
    }

    /**
     * Reads the certificate and key again, now, whether or not they changed; on success new handshakes use
     * them.
     *
     * @return whether the pair was loaded (a failure is logged and the previous pair kept)
     */
    public synchronized boolean reload() {
        stamps = stamps();
        try {
            SslContext loaded = TlsMaterial.load(tls, dataDir, hostname);
            current = loaded;
            X509Certificate leaf = PemFiles.readCertificates(certFile).get(0);
            log.info(
                    "tls: loaded the certificate of {} from {}, valid until {}",
                    leaf.getSubjectX500Principal().getName(),
                    certFile,
                    leaf.getNotAfter().toInstant());
            return true;
        } catch (TlsMaterialException e) {
            log.warn("tls: the certificate in {} was not loaded, the previous one stays: {}", certFile, e.getMessage());
            return false;
        }
    }

    private synchronized void reloadIfChanged() {
        if (!stamps().equals(stamps)) {
            reload();
        }
    }

    /** What tells either file was changed. */
    private List<FileStamp> stamps() {
        return List.of(FileStamp.of(certFile), FileStamp.of(keyFile));
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.shutdownNow();
        }
    }

    @Override
    public boolean isClient() {
        return false;
    }

    @Override
    public List<String> cipherSuites() {
        return current.cipherSuites();
    }

    @Override
    @SuppressWarnings("deprecation")
    public ApplicationProtocolNegotiator applicationProtocolNegotiator() {
        return current.applicationProtocolNegotiator();
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc) {
        return current.newEngine(alloc);
    }

    @Override
    public SSLEngine newEngine(ByteBufAllocator alloc, String peerHost, int peerPort) {
        return current.newEngine(alloc, peerHost, peerPort);
    }

    @Override
    public SSLSessionContext sessionContext() {
        return current.sessionContext();
    }
}
