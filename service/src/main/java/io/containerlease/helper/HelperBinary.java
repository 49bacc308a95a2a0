package io.containerlease.helper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * containerlease-helper, the static program of ours that runs inside lease containers (see
 * {@code helper/PROTOCOL.md}): built from source into the jar by {@code scripts/build-helper.sh},
 * delivered read-only into containers at {@link #DIRECTORY}.
 */
public final class HelperBinary {
    /** Where a container sees the helper's (read-only) directory. */
    public static final String DIRECTORY = "/.containerlease";

    public static final String FILE_NAME = "containerlease-helper";
    /** The helper's path inside a container. */
    public static final String PATH = DIRECTORY + "/" + FILE_NAME;

    private static final String RESOURCE = "/helper/" + FILE_NAME;
    /** The line the helper writes to its container's stderr as it ends the container at its deadline (helper/init.c). */
    public static final String DEADLINE_PASSED =
            "containerlease-helper init: the lease's deadline has passed; ending the container";

    private final byte[] bytes;
    private final String sha256;

    private HelperBinary(byte[] bytes) {
        this.bytes = bytes;
        try {
            this.sha256 = HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /**
     * The binary the jar carries.
     *
     * @throws IllegalStateException when the jar was built without it (the build runs build-helper.sh)
     */
    public static HelperBinary fromJar() {
        try (InputStream in = HelperBinary.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the jar has no " + RESOURCE + ": build it with 'mvn package' (scripts/build-helper.sh)");
            }
            return new HelperBinary(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the jar", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** Names this build of the helper: a container's copy is the same program when the hashes agree. */
    public String sha256() {
        return sha256;
    }
}
