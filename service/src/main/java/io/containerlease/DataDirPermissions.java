package io.containerlease;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DATA_DIR holds the lease store, the admin token and kept code: only the service's own user may
 * enter it (0700), and its files are the service's alone (0600). Tightened at every start, with a
 * line in the log for each that was not (SQLite makes its files with the process's umask, often 0644).
 */
final class DataDirPermissions {
    private static final Logger log = LoggerFactory.getLogger(DataDirPermissions.class);
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private DataDirPermissions() {}

    /** Makes DATA_DIR 0700 and the files directly in it 0600; links are left alone. A platform without POSIX permissions is left as it is. */
    static void tighten(Path dataDir) {
        try {
            restrict(dataDir, DIRECTORY);
            try (Stream<Path> files = Files.list(dataDir)) {
                for (Path file : files.toList()) {
                    if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                        restrict(file, FILE);
                    }
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        } catch (IOException e) {
            log.warn(
                    "could not tighten the permissions of DATA_DIR {} {}",
                    kv("path", dataDir.toString()),
                    kv("error", e.getMessage()));
        }
    }

    private static void restrict(Path path, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        if (!wanted.containsAll(now)) {
            Files.setPosixFilePermissions(path, wanted);
            log.info(
                    "tightened permissions in DATA_DIR {} {} {}",
                    kv("path", path.toString()),
                    kv("was", PosixFilePermissions.toString(now)),
                    kv("now", PosixFilePermissions.toString(wanted)));
        }
    }
}
