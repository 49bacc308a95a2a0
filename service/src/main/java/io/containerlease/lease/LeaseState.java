package io.containerlease.lease;

import java.util.Locale;

/**
 * Where a lease is in its life. The only moves are
 * PROVISIONING → RUNNING → ENDING → ENDED, plus the shortcuts PROVISIONING → ENDING,
 * PROVISIONING → ENDED (nothing was created) and RUNNING → ENDED (the container vanished).
 * ENDED is terminal; every change is a conditional update in the store.
 */
public enum LeaseState {
    PROVISIONING,
    RUNNING,
    ENDING,
    ENDED;

    public boolean isTerminal() {
        return this == ENDED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LeaseState fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
