package io.containerlease.auth;

import io.containerlease.lease.Caller;
import java.util.Optional;

/** Says whom a token names. */
public interface Authenticator {
    /** The caller the token belongs to; empty for an unknown token. */
    Optional<Caller> authenticate(String token);
}
