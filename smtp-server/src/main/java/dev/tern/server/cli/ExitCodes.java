package dev.tern.server.cli;

/** Exit codes of {@code tern}; 2 matches picocli's own code for a usage error. */
final class ExitCodes {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int CONFIG = 2;
    /** A running Tern could not be asked (down, wrong address, not Tern). */
    static final int UNREACHABLE = 3;
    /**
     * {@code serve}: what it must hold is not to be had: a listening address (another process holds the port,
     * the address is not on this host, or the port is privileged) or the spool directory (another Tern has it,
     * or it cannot be made or written).
     */
    static final int UNAVAILABLE = 4;

    private ExitCodes() {}
}
