package io.containerlease.lease;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Who is asking. A user sees and touches only their own leases; an admin sees all.
 * With AUTH=off everyone is {@link #ANONYMOUS_ADMIN}.
 */
public record Caller(String user, boolean admin) {
    public static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,63}");
    public static final Caller ANONYMOUS_ADMIN = new Caller("anonymous", true);

    public Caller {
        Objects.requireNonNull(user, "user");
        if (!USER_NAME.matcher(user).matches()) {
            throw new IllegalArgumentException("user names match " + USER_NAME.pattern());
        }
    }

    public boolean canSee(Lease lease) {
        return admin || user.equals(lease.owner());
    }
}
