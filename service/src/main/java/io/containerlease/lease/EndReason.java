package io.containerlease.lease;

import java.util.Locale;

/** Why a lease ended. Set once, by whichever transition ends the lease first. */
public enum EndReason {
    /** Its time ran out. */
    EXPIRED,
    /** Its user deleted it. */
    RELEASED,
    /** Provisioning did not complete (image missing, Docker refused, or the server restarted meanwhile). */
    FAILED,
    /** Its container disappeared without the service removing it. */
    LOST,
    /** Its last live connection closed and nobody came back within the disconnect grace. */
    DISCONNECTED,
    /** Nobody typed in a terminal or called the API about it for its idle timeout. */
    IDLE,
    /** Its container's program ended by itself, and its image type says such a lease ends ({@code onExit: end}). */
    EXITED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static EndReason fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
