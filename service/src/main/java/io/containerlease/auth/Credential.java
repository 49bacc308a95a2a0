package io.containerlease.auth;

import io.containerlease.lease.Caller;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Who a request is, and by which token: a connection that outlives its request keeps this, so that
 * revoking the token (or changing its user) ends the connection too. {@code tokenSha256} is empty
 * where no token is used (AUTH=off).
 */
public record Credential(Caller caller, String tokenSha256) {
    public static final Credential ANONYMOUS = new Credential(Caller.ANONYMOUS_ADMIN, "");

    public Credential {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(tokenSha256, "tokenSha256");
    }

    static Credential of(Caller caller, byte[] tokenSha256) {
        return new Credential(caller, HexFormat.of().formatHex(tokenSha256));
    }
}
