package io.containerlease.program;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Removes a directory tree the way {@code rm -rf} does on Linux: each step relative to an open
 * directory (openat), so neither a symbolic link anywhere in the tree is followed nor a deep tree
 * trips over the length of its paths.
 */
public final class FileTrees {
    private FileTrees() {}

    /** Removes {@code root} and everything under it; a link is removed, never followed; nothing there is fine. */
    public static void removeTree(Path root) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(root, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if (!attributes.isDirectory()) {
            Files.deleteIfExists(root);
            return;
        }
        Path parent = root.toAbsolutePath().getParent();
        try (DirectoryStream<Path> parentStream = Files.newDirectoryStream(parent)) {
            if (!(parentStream instanceof SecureDirectoryStream<Path> secureParent)) {
                throw new IOException("this platform cannot remove a directory tree without following links");
            }
            removeEntry(secureParent, root.getFileName());
        }
    }

    /** Removes {@code name} in {@code dir}: a directory after emptying it through its own handle. */
    private static void removeEntry(SecureDirectoryStream<Path> dir, Path name) throws IOException {
        BasicFileAttributes attributes = dir.getFileAttributeView(
                        name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (attributes.isDirectory()) {
            try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                for (Path entry : child) {
                    removeEntry(child, entry.getFileName());
                }
            }
            dir.deleteDirectory(name);
        } else {
            dir.deleteFile(name);
        }
    }
}
