package io.containerlease.program;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.containerlease.program.code.CodeArchive;
import io.containerlease.support.TarGz;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/** Uploaded code is hostile input: each way out of the code path, or past a limit, is refused. */
class CodeArchiveTest {
    private static final long LIMIT = 64 * 1024;

    private static void assertRefused(byte[] archive, String why) {
        assertThatThrownBy(() -> CodeArchive.check(archive, LIMIT))
                .isInstanceOfSatisfying(ProgramException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProgramException.Kind.INVALID);
                    assertThat(e.code()).isEqualTo("invalid_archive");
                })
                .hasMessageContaining(why)
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void filesDirectoriesAndLinksThatStayInsideAreAccepted() {
        byte[] ok = TarGz.archive()
                .file("./start.sh", "echo hi")
                .file("lib/a.sh", "x")
                .symlink("lib/b.sh", "a.sh")
                .symlink("current", "lib/../lib/a.sh")
                .hardLink("copy.sh", "lib/a.sh")
                .bytes();
        CodeArchive archive = CodeArchive.check(ok, LIMIT);
        assertThat(archive.entries()).isEqualTo(5);
        assertThat(archive.sha256()).hasSize(64);
        assertThat(archive.unpackedBytes()).isEqualTo("echo hi".length() + 1);
    }

    @Test
    void aNameClimbingOutIsRefused() {
        assertRefused(TarGz.archive().file("../evil.sh", "x").bytes(), "climbs out");
        assertRefused(TarGz.archive().file("lib/../../evil.sh", "x").bytes(), "climbs out");
    }

    @Test
    void anAbsoluteNameIsRefused() {
        assertRefused(TarGz.archive().file("/etc/passwd", "root::0:0").bytes(), "absolute path");
    }

    @Test
    void linksLeadingOutAreRefused() {
        assertRefused(TarGz.archive().symlink("etc", "/etc").bytes(), "absolute path");
        assertRefused(TarGz.archive().symlink("lib/up", "../../etc").bytes(), "outside the code path");
        assertRefused(TarGz.archive().hardLink("shadow", "../etc/shadow").bytes(), "outside the code path");
    }

    @Test
    void aHardLinksTargetIsFromTheArchivesTopWhereverTheLinkIs() {
        // tar names a hard link's target from the top of the archive, not from the link's folder.
        assertRefused(
                TarGz.archive().file("lib/a.sh", "x").hardLink("lib/h", "../x").bytes(), "outside the code path");
        assertRefused(
                TarGz.archive().hardLink("lib/deep/h", "lib/../../etc/shadow").bytes(), "outside the code path");
        assertThat(CodeArchive.check(
                                TarGz.archive()
                                        .file("lib/a.sh", "x")
                                        .hardLink("lib/h", "lib/a.sh")
                                        .bytes(),
                                LIMIT)
                        .entries())
                .isEqualTo(2);
    }

    @Test
    void aDotPrefixedNameIsJudgedWhereItReallyIs() {
        assertRefused(TarGz.archive().symlink("./up", "../etc").bytes(), "outside the code path");
        assertRefused(TarGz.archive().symlink("./lib/up", "../../etc").bytes(), "outside the code path");
        assertRefused(TarGz.archive().file("./../evil.sh", "x").bytes(), "climbs out");
    }

    @Test
    void linksChainedThroughOtherLinksOfTheArchiveAreRefused() {
        // d -> . makes d/d the code path itself, so d/d/e -> ../../etc climbs two levels out.
        assertRefused(
                TarGz.archive().symlink("d", ".").symlink("d/d/e", "../../etc").bytes(), "placed under the link 'd'");
        assertRefused(TarGz.archive().symlink("x", "d/..").symlink("d", ".").bytes(), "links through the link 'd'");
        assertRefused(
                TarGz.archive()
                        .hardLink("h", "d/f")
                        .symlink("d", "sub")
                        .file("sub/f", "")
                        .bytes(),
                "links through the link 'd'");
    }

    @Test
    void setUserAndGroupIdBitsAreTakenOffAndAnOrdinaryArchiveKeepsItsBytes() throws Exception {
        byte[] plain = TarGz.archive().file("run.sh", "echo".getBytes(), 0755).bytes();
        assertThat(CodeArchive.check(plain, LIMIT).tarGz()).isEqualTo(plain);
        byte[] setuid = TarGz.archive()
                .file("run.sh", "echo".getBytes(), 04755)
                .file("g", "x".getBytes(), 02755)
                .bytes();
        CodeArchive checked = CodeArchive.check(setuid, LIMIT);
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(checked.tarGz())))) {
            assertThat(in.getNextEntry().getMode() & 07777).isEqualTo(0755);
            assertThat(in.getNextEntry().getMode() & 07777).isEqualTo(0755);
        }
        assertThat(checked.sha256())
                .isEqualTo(CodeArchive.check(checked.tarGz(), LIMIT).sha256());
    }

    @Test
    void devicesAndFifosAreRefused() {
        assertRefused(TarGz.archive().special("null", TarConstants.LF_CHR).bytes(), "special file");
        assertRefused(TarGz.archive().special("disk", TarConstants.LF_BLK).bytes(), "special file");
        assertRefused(TarGz.archive().special("pipe", TarConstants.LF_FIFO).bytes(), "special file");
    }

    @Test
    void tooManyEntriesAreRefused() {
        TarGz many = TarGz.archive();
        for (int i = 0; i <= CodeArchive.MAX_ENTRIES; i++) {
            many.file("f" + i, "");
        }
        assertRefused(many.bytes(), "more than 10000 entries");
    }

    @Test
    void anArchiveThatUnpacksBeyondEightTimesTheLimitIsRefused() {
        byte[] zeros = new byte[(int) (LIMIT * CodeArchive.EXPANSION) + 1];
        byte[] bomb = TarGz.archive().file("zeros", zeros, 0644).bytes();
        assertThat(bomb.length)
                .as("it compresses to well under the upload limit")
                .isLessThan((int) LIMIT);
        assertRefused(bomb, "unpacks to more than");
    }

    @Test
    void somethingElseThanATarGzIsRefused() {
        assertRefused("just text".getBytes(), "not a gzip-compressed tar");
        assertRefused(TarGz.archive().bytes(), "holds no files");
    }
}
