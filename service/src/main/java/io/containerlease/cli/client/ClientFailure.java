package io.containerlease.cli.client;

/**
 * Why a client command did not do what it was asked, and the exit code that says so to a script:
 * {@link #REFUSED} the server refused, {@link #UNREACHABLE} it could not be reached, {@link #NOT_FOUND}
 * no such lease (usage mistakes are picocli's 2).
 */
public final class ClientFailure extends RuntimeException {
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int NOT_FOUND = 4;

    private final int exitCode;
    private final String code;

    /** @param code the server's error code, or null when the failure is the client's own */
    public ClientFailure(int exitCode, String code, String message) {
        super(message);
        this.exitCode = exitCode;
        this.code = code;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The server's error code, when the server answered. */
    public String code() {
        return code;
    }

    /** As the client prints it: the message, then the server's code in parentheses when there is one. */
    public String describe() {
        return getMessage() + (code == null ? "" : " (" + code + ")");
    }
}
