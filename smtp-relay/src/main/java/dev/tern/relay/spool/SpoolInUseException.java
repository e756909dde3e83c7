package dev.tern.relay.spool;

import java.io.IOException;

/**
 * The spool directory is locked by another process: another Tern runs on it. Not a fault of the disk; the
 * operator's to resolve, by stopping the other process or giving each node its own directory.
 */
public final class SpoolInUseException extends IOException {
    private static final long serialVersionUID = 1L;

    SpoolInUseException(String message) {
        super(message);
    }
}
