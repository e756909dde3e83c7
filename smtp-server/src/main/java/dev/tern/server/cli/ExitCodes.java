package dev.tern.server.cli;

/** Exit codes of {@code tern}; 2 matches picocli's own code for a usage error. */
final class ExitCodes {
    static final int OK = 0;
    static final int REFUSED = 1;
    static final int CONFIG = 2;
    /** A running Tern could not be asked (down, wrong address, not Tern). */
    static final int UNREACHABLE = 3;
    /** {@code serve}: a listening address or the spool directory is held by another process. */
    static final int IN_USE = 4;

    private ExitCodes() {}
}
