package io.containerlease.lease;

import java.time.Instant;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * A lease's identity: a ULID in lower-case Crockford base32 (26 characters). The time prefix makes
 * ids sort by creation, which the list's cursor relies on; the 80 random bits make them unguessable
 * enough to name containers after.
 */
public record LeaseId(String value) implements Comparable<LeaseId> {
    private static final String ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
    private static final Pattern FORMAT = Pattern.compile("[0-9a-hjkmnp-tv-z]{26}");

    public LeaseId {
        if (value == null || !FORMAT.matcher(value).matches()) {
            throw new IllegalArgumentException("not a lease id: " + value);
        }
    }

    public static boolean isValid(String value) {
        return value != null && FORMAT.matcher(value).matches();
    }

    public static LeaseId generate(Instant now, RandomGenerator random) {
        char[] out = new char[26];
        long millis = now.toEpochMilli();
        for (int i = 9; i >= 0; i--) {
            out[i] = ALPHABET.charAt((int) (millis & 31));
            millis >>>= 5;
        }
        for (int i = 10; i < 26; i++) {
            out[i] = ALPHABET.charAt(random.nextInt(32));
        }
        return new LeaseId(new String(out));
    }

    /** When the id was made: its time prefix. */
    public Instant madeAt() {
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            millis = (millis << 5) | ALPHABET.indexOf(value.charAt(i));
        }
        return Instant.ofEpochMilli(millis);
    }

    @Override
    public int compareTo(LeaseId other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
