package io.containerlease.auth;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.containerlease.config.ConfigException;
import io.containerlease.lease.Caller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The users and their tokens. Tokens are held only as SHA-256 digests and compared with
 * {@link MessageDigest#isEqual} against every entry, so neither a token's bytes nor its position
 * in the file shows in the time an answer takes.
 */
public final class TokenRegistry implements Authenticator {
    private static final Pattern HEX64 = Pattern.compile("[0-9a-fA-F]{64}");
    /** Tokens shorter than this are too easy to guess, even rate-limited. */
    static final int MIN_TOKEN_LENGTH = 16;

    /** One token of one user. */
    public record Entry(String user, byte[] sha256, boolean admin) {}

    private final List<Entry> entries;
    private final List<String> plaintexts;

    private TokenRegistry(List<Entry> entries, List<String> plaintexts) {
        this.entries = List.copyOf(entries);
        this.plaintexts = List.copyOf(plaintexts);
    }

    public static TokenRegistry of(List<Entry> entries) {
        return new TokenRegistry(entries, List.of());
    }

    /** The single admin of a service started without AUTH_TOKENS_FILE. */
    public static TokenRegistry admin(String token) {
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException("the admin token must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        return new TokenRegistry(List.of(new Entry("admin", sha256(token), true)), List.of(token));
    }

    /**
     * Reads AUTH_TOKENS_FILE: YAML or JSON, {@code {tokens: [{user, token | tokenSha256, role}]}}.
     *
     * @throws ConfigException naming the entry and field at fault
     */
    public static TokenRegistry load(Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("AUTH_TOKENS_FILE: cannot read " + file + ": " + e.getMessage());
        }
        return parse(text, file);
    }

    /**
     * The registry {@code text} describes, read as the content of {@code file} (named in messages).
     *
     * @throws ConfigException naming the entry and field at fault
     */
    public static TokenRegistry parse(String text, Path file) {
        TokensFile parsed;
        try {
            parsed = YAML.readValue(text, TokensFile.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("AUTH_TOKENS_FILE " + file + ": unknown field '" + e.getPropertyName()
                    + "' (entries have user, token or tokenSha256, and role)");
        } catch (MismatchedInputException e) {
            throw new ConfigException(
                    "AUTH_TOKENS_FILE " + file + ": " + e.getPathReference().replaceAll("[\\w.$]+\\[", "[")
                            + " has the wrong type; expected {tokens: [{user, token | tokenSha256, role}]}");
        } catch (IOException e) {
            throw new ConfigException("AUTH_TOKENS_FILE " + file + " is not valid YAML or JSON: " + e.getMessage());
        }
        if (parsed == null || parsed.tokens() == null || parsed.tokens().isEmpty()) {
            throw new ConfigException("AUTH_TOKENS_FILE " + file
                    + " must hold a non-empty 'tokens' list of {user, token | tokenSha256, role}");
        }
        List<Entry> entries = new ArrayList<>();
        List<String> plaintexts = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < parsed.tokens().size(); i++) {
            TokenEntry t = parsed.tokens().get(i);
            String where = "tokens[" + i + "]";
            String user = t == null || t.user() == null ? "" : t.user();
            String role = t == null || t.role() == null ? "user" : t.role().toLowerCase(Locale.ROOT);
            boolean hasToken = t != null && t.token() != null;
            boolean hasHash = t != null && t.tokenSha256() != null;
            if (!Caller.USER_NAME.matcher(user).matches()) {
                problems.add(where + ": 'user' must match " + Caller.USER_NAME.pattern());
            } else if (!role.equals("user") && !role.equals("admin")) {
                problems.add(where + ": 'role' must be user or admin");
            } else if (hasToken == hasHash) {
                problems.add(where + ": give exactly one of 'token' and 'tokenSha256'");
            } else if (hasToken && t.token().length() < MIN_TOKEN_LENGTH) {
                problems.add(where + ": 'token' must be at least " + MIN_TOKEN_LENGTH + " characters");
            } else if (hasHash && !HEX64.matcher(t.tokenSha256()).matches()) {
                problems.add(where + ": 'tokenSha256' must be 64 hex digits (sha256sum of the token)");
            } else {
                byte[] digest = hasToken
                        ? sha256(t.token())
                        : HexFormat.of().parseHex(t.tokenSha256().toLowerCase(Locale.ROOT));
                entries.add(new Entry(user, digest, role.equals("admin")));
                if (hasToken) {
                    plaintexts.add(t.token());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of("Invalid AUTH_TOKENS_FILE " + file, problems);
        }
        return new TokenRegistry(entries, plaintexts);
    }

    /** The file as written: strict (no unknown field, no number where a string belongs). */
    private record TokensFile(List<TokenEntry> tokens) {}

    private record TokenEntry(String user, String token, String tokenSha256, String role) {}

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** The caller this token belongs to, if any. Takes the same time whichever entry matches, or none. */
    @Override
    public Optional<Credential> credential(String token) {
        byte[] presented = sha256(token);
        Entry match = matching(presented);
        return match == null
                ? Optional.empty()
                : Optional.of(Credential.of(new Caller(match.user(), match.admin()), presented));
    }

    @Override
    public boolean stillValid(Credential credential) {
        if (credential.tokenSha256().length() != 64) {
            return false;
        }
        Entry match = matching(java.util.HexFormat.of().parseHex(credential.tokenSha256()));
        return match != null
                && match.user().equals(credential.caller().user())
                && match.admin() == credential.caller().admin();
    }

    private Entry matching(byte[] sha256) {
        Entry match = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(sha256, entry.sha256()) && match == null) {
                match = entry;
            }
        }
        return match;
    }

    /** Every entry, in the file's order. */
    public List<Entry> entries() {
        return entries;
    }

    /** A new token: 32 random bytes, URL-safe Base64 (43 characters). */
    public static String newToken(java.security.SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The tokens known in plain text, so they can be redacted wherever they might show up. */
    public List<String> plaintextTokens() {
        return plaintexts;
    }

    public static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
