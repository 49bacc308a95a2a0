package io.containerlease.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.containerlease.config.ConfigException;
import io.containerlease.lease.Caller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Adds and removes users' tokens in an AUTH_TOKENS_FILE as a person would edit it: a YAML file
 * keeps its comments and layout (entries are appended or cut out as text), a JSON file (which has
 * no comments) is written anew. Every edit is checked by reading the result as the server will, and
 * replaces the file atomically with its permissions kept; an edit that cannot be checked changes
 * nothing. Only a token's SHA-256 is written: the token itself is shown once, to whoever made it.
 */
public final class TokensFileEditor {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKENS_KEY = Pattern.compile("^tokens:\\s*(#.*)?$");
    private static final Pattern ITEM = Pattern.compile("^(\\s*)-(\\s+)\\S.*$");
    private static final Pattern USER = Pattern.compile("^\\s*(?:-\\s+)?user:\\s*[\"']?([^\"'\\s#]+)");

    private static final java.util.concurrent.locks.ReentrantLock IN_PROCESS =
            new java.util.concurrent.locks.ReentrantLock();

    private final Path file;

    public TokensFileEditor(Path file) {
        this.file = file;
    }

    /**
     * Gives {@code user} a token (whose SHA-256 is {@code sha256}); with {@code replace}, in place of
     * the tokens they had. Creates the file (mode 0600) when there is none.
     *
     * @throws ConfigException when the file cannot be read or edited as the server reads it
     */
    public void add(String user, byte[] sha256, boolean admin, boolean replace) {
        if (!Caller.USER_NAME.matcher(user).matches()) {
            throw new ConfigException("'" + user + "' is not a user name (" + Caller.USER_NAME.pattern() + ")");
        }
        try (EditLock lock = lock()) {
            addLocked(user, sha256, admin, replace);
        }
    }

    private void addLocked(String user, byte[] sha256, boolean admin, boolean replace) {
        String hex = HexFormat.of().formatHex(sha256);
        String role = admin ? "admin" : "user";
        if (!Files.exists(file)) {
            write(newFile(user, hex, role), AtomicFiles.OWNER_ONLY, List.of(user));
            return;
        }
        String text = read();
        List<String> expected = new ArrayList<>(users(text));
        if (replace) {
            expected.removeIf(user::equals);
        }
        expected.add(user);
        String edited;
        if (isJson(text)) {
            edited = editJson(
                    text,
                    user,
                    replace,
                    entry -> entry.put("user", user).put("tokenSha256", hex).put("role", role));
        } else {
            // Added first, then the old ones cut: a user who is the only one never leaves the list empty.
            edited = appendYaml(text, user, hex, role);
            if (replace) {
                edited = withoutUser(edited, user, hex);
            }
        }
        write(edited, permissions(), expected);
    }

    /**
     * Takes every token of {@code user} away.
     *
     * @return how many tokens they had (0: nothing changed)
     */
    public int revoke(String user) {
        try (EditLock lock = lock()) {
            return revokeLocked(user);
        }
    }

    private int revokeLocked(String user) {
        String text = read();
        List<String> before = users(text);
        List<String> expected = before.stream().filter(u -> !u.equals(user)).toList();
        int removed = before.size() - expected.size();
        if (removed == 0) {
            return 0;
        }
        if (expected.isEmpty()) {
            throw new ConfigException(
                    user + " is the only user in " + file + "; a server needs at least one: create another first");
        }
        write(isJson(text) ? editJson(text, user, true, null) : withoutUser(text, user, null), permissions(), expected);
        return removed;
    }

    /** Held while an edit reads, changes and replaces the file: two admins editing at once lose neither edit. */
    private interface EditLock extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Locks a hidden file beside the tokens file (not the tokens file itself: each edit replaces it,
     * so a lock on it would be on a file already gone for the next editor).
     */
    private EditLock lock() {
        Path lockFile = file.toAbsolutePath().resolveSibling("." + file.getFileName() + ".lock");
        IN_PROCESS.lock(); // a file lock is the whole JVM's: threads of one process take turns here first
        try {
            Files.createDirectories(lockFile.getParent());
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
                    lockFile, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock held = channel.lock();
            return () -> {
                try (channel) {
                    held.release();
                } catch (IOException ignored) {
                    // closing the channel releases it either way
                } finally {
                    IN_PROCESS.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            IN_PROCESS.unlock();
            throw new ConfigException("cannot lock " + lockFile + " to edit " + file + ": " + e.getMessage());
        }
    }

    /** The entries, as the server reads them. */
    public List<TokenRegistry.Entry> entries() {
        return TokenRegistry.parse(read(), file).entries();
    }

    private List<String> users(String text) {
        return TokenRegistry.parse(text, file).entries().stream()
                .map(TokenRegistry.Entry::user)
                .toList();
    }

    private static String newFile(String user, String hex, String role) {
        return """
                # The users of ContainerLease (AUTH_TOKENS_FILE); servers read it again when it changes.
                # Edit with: containerlease token create USER [--role admin] | token revoke USER
                tokens:
                """ + yamlEntry("  ", " ", user, hex, role);
    }

    /** An entry: {@code itemIndent}, the dash, {@code gap}, then the keys, each aligned under the first. */
    private static String yamlEntry(String itemIndent, String gap, String user, String hex, String role) {
        String keyIndent = itemIndent + " ".repeat(1 + gap.length());
        return itemIndent + "-" + gap + "user: " + user + "\n" + keyIndent + "tokenSha256: \"" + hex + "\"\n"
                + keyIndent + "role: " + role + "\n";
    }

    /** The entry after the last one of the {@code tokens:} block list, indented as its entries are. */
    private String appendYaml(String text, String user, String hex, String role) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        Block list = tokensList(lines);
        Matcher first = ITEM.matcher(lines.get(list.items().get(0)[0]));
        if (!first.matches()) {
            throw new IllegalStateException("an entry's first line is an item");
        }
        lines.add(
                list.end(),
                yamlEntry(first.group(1), first.group(2), user, hex, role).stripTrailing());
        return String.join("\n", lines) + "\n";
    }

    /** The text without the entries of {@code user} (but the one holding {@code spare}); comments between entries stay. */
    private String withoutUser(String text, String user, String spare) {
        List<String> lines = new ArrayList<>(text.lines().toList());
        Block list = tokensList(lines);
        List<int[]> items = new ArrayList<>(list.items());
        java.util.Collections.reverse(items); // from the end, so earlier line numbers hold
        for (int[] item : items) {
            List<String> entry = lines.subList(item[0], item[1]);
            if (user.equals(userOf(entry))
                    && (spare == null || entry.stream().noneMatch(line -> line.contains(spare)))) {
                lines.subList(item[0], item[1]).clear();
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static String userOf(List<String> item) {
        for (String line : item) {
            Matcher m = USER.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    /**
     * Where the {@code tokens:} list's entries are: each as [first line, line after its last
     * content line), and the line after the list's last entry.
     */
    private record Block(List<int[]> items, int end) {}

    private Block tokensList(List<String> lines) {
        int key = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (TOKENS_KEY.matcher(lines.get(i)).matches()) {
                key = i;
                break;
            }
        }
        if (key < 0) {
            throw cannotEdit("it has no 'tokens:' line followed by a list of entries");
        }
        List<int[]> items = new ArrayList<>();
        int itemIndent = -1;
        int end = key + 1;
        for (int i = key + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            int indent = line.length() - line.stripLeading().length();
            Matcher item = ITEM.matcher(line);
            if (item.matches() && (itemIndent < 0 || indent == itemIndent)) {
                itemIndent = indent;
                items.add(new int[] {i, i + 1});
            } else if (itemIndent >= 0 && indent > itemIndent) {
                items.get(items.size() - 1)[1] = i + 1;
            } else {
                break; // the next top-level key: the list is over
            }
            end = items.get(items.size() - 1)[1];
        }
        if (items.isEmpty()) {
            throw cannotEdit("its 'tokens' are not a list of entries, one '- user: …' per entry");
        }
        return new Block(items, end);
    }

    private String editJson(
            String text, String user, boolean removeUser, java.util.function.Consumer<ObjectNode> newEntry) {
        try {
            JsonNode root = JSON.readTree(text);
            ArrayNode tokens = (ArrayNode) root.get("tokens");
            ArrayNode kept = JSON.createArrayNode();
            tokens.forEach(entry -> {
                if (!(removeUser && user.equals(entry.path("user").asText()))) {
                    kept.add(entry);
                }
            });
            if (newEntry != null) {
                newEntry.accept(kept.addObject());
            }
            ((ObjectNode) root).set("tokens", kept);
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (IOException | ClassCastException | NullPointerException e) {
            throw cannotEdit("its JSON is not {\"tokens\": [...]}");
        }
    }

    private static boolean isJson(String text) {
        return text.stripLeading().startsWith("{");
    }

    private ConfigException cannotEdit(String why) {
        return new ConfigException(
                "cannot edit " + file + " in place: " + why + "; edit it by hand (see tokens.example.yaml)");
    }

    private String read() {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
    }

    private Set<PosixFilePermission> permissions() {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            return AtomicFiles.OWNER_ONLY;
        }
    }

    /** Writes the edit once it reads, as the server reads it, as exactly the users expected. */
    private void write(String text, Set<PosixFilePermission> permissions, List<String> expectedUsers) {
        List<String> users;
        try {
            users = users(text);
        } catch (ConfigException e) {
            throw cannotEdit("the edited file would not read (" + e.getMessage() + ")");
        }
        if (!users.equals(expectedUsers)) {
            throw cannotEdit("the edit would read as users " + users + " instead of " + expectedUsers);
        }
        try {
            AtomicFiles.write(file, text.getBytes(StandardCharsets.UTF_8), permissions, true);
        } catch (IOException e) {
            throw new ConfigException("cannot write " + file + ": " + e.getMessage());
        }
    }
}
