package dev.tern.server.app;

import dev.tern.server.tls.ReloadingServerTls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGHUP, the signal an operator's tools send an MTA to reload it (`kill -HUP`, a systemd unit's
 * ExecReload, a certificate renewal's hook). Left to the JVM it would stop Tern; here it reads the TLS
 * certificate and key again. The users file and the admin tokens are read again whenever they change
 * anyway; every other setting takes a restart, which the log line says.
 */
final class Reload {
    private static final Logger log = LoggerFactory.getLogger(Reload.class);

    private Reload() {}

    static void onHangUp(ReloadingServerTls tls) {
        try {
            SignalHandler before = Signal.handle(new Signal("HUP"), signal -> {
                log.info("SIGHUP: reading the TLS certificate and key again (the users file and admin tokens are"
                        + " read whenever they change; other settings take a restart)");
                tls.reload();
            });
            if (before == SignalHandler.SIG_IGN) {
                // Started with SIGHUP ignored (nohup, some supervisors): the JVM keeps it ignored.
                log.warn("SIGHUP is ignored by this process (started under nohup?): kill -HUP does nothing; the TLS"
                        + " certificate is still read again within seconds of a change to its files");
            }
        } catch (IllegalArgumentException e) {
            // No SIGHUP on this platform, or the JVM keeps it for itself (-Xrs): it keeps its default.
            log.debug("SIGHUP not handled: {}", e.getMessage());
        }
    }
}
