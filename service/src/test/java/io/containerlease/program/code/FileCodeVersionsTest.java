package io.containerlease.program.code;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileCodeVersionsTest extends CodeVersionsContract {
    @TempDir
    Path dataDir;

    @Test
    void keepsVersionsOnDisk() {
        FileCodeVersions versions = new FileCodeVersions(dataDir);
        check(versions, versions);
    }
}
