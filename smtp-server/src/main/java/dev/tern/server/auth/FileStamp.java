package dev.tern.server.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * What tells that a file was changed: its modification time, size and identity (the inode, which a file
 * written elsewhere and renamed into place, or a mounted secret's swapped link, changes even when the time
 * does not). A file that is not there, or cannot be looked at, has a stamp of its own.
 */
public record FileStamp(FileTime modified, long size, String key) {
    private static final FileTime NEVER = FileTime.fromMillis(0);

    public static FileStamp of(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new FileStamp(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        } catch (NoSuchFileException e) {
            return new FileStamp(NEVER, -1, "");
        } catch (IOException e) {
            return new FileStamp(NEVER, -2, "");
        }
    }
}
