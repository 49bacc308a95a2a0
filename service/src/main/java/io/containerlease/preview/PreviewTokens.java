package io.containerlease.preview;

import io.containerlease.lease.Caller;
import io.containerlease.lease.LeaseId;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed grants to one lease's port: a short-lived link (what the API hands out, opened once in a
 * browser) and the session its cookie carries. Each names the lease, the port, who asked and by
 * which token (both checked again on every connection: a revoked token's previews close to new
 * connections) and when it stops being good, with an HMAC-SHA256 over all of it: nothing is kept on
 * the server, and nothing can be changed without the key.
 */
public final class PreviewTokens {
    public enum Kind {
        LINK,
        SESSION
    }

    /** What a good token grants; {@code tokenSha256} names the API token that asked ("" without tokens). */
    public record Grant(Kind kind, LeaseId lease, int port, Caller caller, String tokenSha256, Instant expires) {}

    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();

    private final byte[] key;

    /** @param key at least 32 random bytes, the same on every server that serves these previews */
    public PreviewTokens(byte[] key) {
        if (key.length < 32) {
            throw new IllegalArgumentException("a preview key has at least 32 bytes");
        }
        this.key = key.clone();
    }

    public String sign(Grant grant) {
        String body = String.join(
                "|",
                "v1",
                grant.kind().name().toLowerCase(java.util.Locale.ROOT),
                grant.lease().value(),
                Integer.toString(grant.port()),
                grant.caller().user(),
                grant.caller().admin() ? "1" : "0",
                grant.tokenSha256(),
                Long.toString(grant.expires().getEpochSecond()));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ENCODE.encodeToString(bytes) + "." + ENCODE.encodeToString(mac(bytes));
    }

    /** The grant, when the token is ours, unchanged, of this kind, for this lease and port, and not expired. */
    public Optional<Grant> verify(String token, Kind kind, LeaseId lease, int port, Instant now) {
        if (token == null || token.length() > 1024) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        byte[] body;
        byte[] signature;
        try {
            body = DECODE.decode(token.substring(0, dot));
            signature = DECODE.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(signature, mac(body))) {
            return Optional.empty();
        }
        String[] fields = new String(body, StandardCharsets.UTF_8).split("\\|", -1);
        if (fields.length != 8 || !fields[0].equals("v1")) {
            return Optional.empty();
        }
        try {
            var grant = new Grant(
                    Kind.valueOf(fields[1].toUpperCase(java.util.Locale.ROOT)),
                    new LeaseId(fields[2]),
                    Integer.parseInt(fields[3]),
                    new Caller(fields[4], fields[5].equals("1")),
                    fields[6],
                    Instant.ofEpochSecond(Long.parseLong(fields[7])));
            boolean good = grant.kind() == kind
                    && grant.lease().equals(lease)
                    && grant.port() == port
                    && now.isBefore(grant.expires());
            return good ? Optional.of(grant) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("every JDK has HmacSHA256", e);
        }
    }
}
