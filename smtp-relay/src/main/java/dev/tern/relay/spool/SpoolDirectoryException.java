package dev.tern.relay.spool;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The spool directory cannot be made or used: a path where the process may not write, or a file where the
 * directory should be. The operator's to fix (the directory's owner and mode, or the configured path); the
 * message names the path and the reason in words.
 */
public final class SpoolDirectoryException extends IOException {
    private static final long serialVersionUID = 1L;

    SpoolDirectoryException(Path directory, FileSystemException cause) {
        super("cannot use the spool directory " + directory + ": " + reason(cause), cause);
    }

    /** Why a file-system call failed, in words for an operator, naming the file. */
    public static String reason(FileSystemException e) {
        String file = e.getFile();
        return switch (e) {
            case AccessDeniedException a -> "permission denied on " + file + " (it must be writable by Tern's user)";
            case FileAlreadyExistsException f -> file + " exists and is not a directory";
            case NotDirectoryException n -> file + " is not a directory";
            default -> e.getReason() == null ? e.toString() : file + ": " + e.getReason();
        };
    }
}
