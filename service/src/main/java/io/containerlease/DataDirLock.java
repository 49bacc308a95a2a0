package io.containerlease;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on DATA_DIR, so two servers never reconcile the same store against each
 * other. The operating system drops it when the process dies, even by kill -9.
 */
final class DataDirLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirLock acquire(Path dataDir) {
        Path file = dataDir.resolve("containerlease.lock");
        try {
            Files.createDirectories(dataDir);
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock == null) {
                channel.close();
                throw new StartupException(
                        "another ContainerLease server is already using DATA_DIR " + dataDir.toAbsolutePath()
                                + "; stop it or give this one its own DATA_DIR",
                        null);
            }
            return new DataDirLock(channel, lock);
        } catch (IOException e) {
            throw new StartupException("cannot use DATA_DIR " + dataDir.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // The process is letting go of the directory either way.
        }
    }
}
