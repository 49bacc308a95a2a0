package io.containerlease.auth;

import io.containerlease.lease.Caller;
import java.util.Optional;

/** Says whom a token names. */
public interface Authenticator {
    /** The caller the token belongs to; empty for an unknown token. */
    default Optional<Caller> authenticate(String token) {
        return credential(token).map(Credential::caller);
    }

    /** The caller the token belongs to, with the token's hash; empty for an unknown token. */
    Optional<Credential> credential(String token);

    /** Whether the token behind {@code credential} still names its caller (false once revoked, or given to another user or role). */
    boolean stillValid(Credential credential);

    /** {@code listener} runs after every change of the users (a token created, revoked or rotated); never, where they cannot change. */
    default void onChange(Runnable listener) {}
}
