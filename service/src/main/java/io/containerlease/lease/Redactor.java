package io.containerlease.lease;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps secret values (secretEnv values, tokens) out of every text the service shows or stores:
 * error messages, lease details, log lines, activity entries. Redaction is by value, so a secret is
 * caught wherever it turns up, not only under a field called "password".
 */
public final class Redactor {
    public static final String MASK = "[redacted]";
    /** Shorter values cannot be redacted by value without mangling ordinary text. */
    public static final int MIN_SECRET_LENGTH = 6;

    private final ConcurrentHashMap<String, Integer> secrets = new ConcurrentHashMap<>();

    /** Starts redacting these values (counted, so two leases may share one). */
    public void register(Collection<String> values) {
        for (String v : values) {
            if (v.length() >= MIN_SECRET_LENGTH) {
                secrets.merge(v, 1, Integer::sum);
            }
        }
    }

    /** Stops redacting values registered by {@link #register}, once no one else registered them. */
    public void forget(Collection<String> values) {
        for (String v : values) {
            secrets.computeIfPresent(v, (k, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** The text with every known secret value masked; null stays null. */
    public String scrub(String text) {
        if (text == null || secrets.isEmpty()) {
            return text;
        }
        String out = text;
        // Longest first, so a secret containing another is masked whole.
        List<String> known = secrets.keySet().stream()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
        for (String secret : known) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        return out;
    }
}
