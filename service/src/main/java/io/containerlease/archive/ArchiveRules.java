package io.containerlease.archive;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/**
 * What an uploaded tar (a code update, a files upload) must keep, checked entry by entry as it is
 * read, so that a hostile archive is refused before it lands anywhere: every entry stays under the
 * directory it is unpacked into (no {@code ..}, no absolute name, no link leading out, whether alone
 * or through other links of the archive: an entry placed under a link, or a link resolved through
 * one, is refused), is a file, a directory or a link (no devices, no FIFOs), and the archive holds at
 * most the entries allowed. One instance per archive; not thread-safe.
 */
public final class ArchiveRules {
    /** Set-user-ID, set-group-ID and sticky: taken off every entry that is unpacked. */
    public static final int SPECIAL_BITS = 07000;

    /** What the link checks need of an entry: its path's parts, and a link's target. */
    private record Seen(List<String> path, String linkTarget, boolean symbolic, boolean hard) {}

    private final String root;
    private final int maxEntries;
    private final List<Seen> seen = new ArrayList<>();

    /**
     * @param root       the directory the archive is unpacked into, as the messages name it ("the code path")
     * @param maxEntries the most entries accepted
     */
    public ArchiveRules(String root, int maxEntries) {
        this.root = root;
        this.maxEntries = maxEntries;
    }

    /** @throws ArchiveRefusedException naming the entry and the rule it breaks */
    public void check(TarArchiveEntry entry) {
        if (seen.size() >= maxEntries) {
            throw new ArchiveRefusedException("more than " + maxEntries + " entries");
        }
        String name = entry.getName();
        checkName(name);
        if (entry.isSymbolicLink() || entry.isLink()) {
            checkLink(name, entry.getLinkName(), entry.isLink());
        } else if (entry.isCharacterDevice()
                || entry.isBlockDevice()
                || entry.isFIFO()
                || (!entry.isFile() && !entry.isDirectory())) {
            throw new ArchiveRefusedException("'" + printable(name) + "' is a device, a FIFO or another special file");
        }
        seen.add(new Seen(parts(name), entry.getLinkName(), entry.isSymbolicLink(), entry.isLink()));
    }

    /** The entries checked so far. */
    public int entries() {
        return seen.size();
    }

    /**
     * After the last entry: each link was checked alone, as if every directory it names were a
     * directory; but a directory may be a link of the archive itself ({@code d -> .}, then
     * {@code d/d/e -> ../../etc}). So no entry may be placed under a symbolic link of the archive,
     * and no link may resolve through one.
     *
     * @throws ArchiveRefusedException naming the entry
     */
    public void finish() {
        Set<List<String>> symlinks = new HashSet<>();
        for (Seen s : seen) {
            if (s.symbolic()) {
                symlinks.add(s.path());
            }
        }
        if (symlinks.isEmpty()) {
            return;
        }
        for (Seen s : seen) {
            for (int i = 1; i < s.path().size(); i++) {
                if (symlinks.contains(s.path().subList(0, i))) {
                    throw new ArchiveRefusedException("'" + printable(String.join("/", s.path()))
                            + "' is placed under the link '"
                            + printable(String.join("/", s.path().subList(0, i)))
                            + "'");
                }
            }
            if (s.symbolic() || s.hard()) {
                Deque<String> at = new ArrayDeque<>(
                        s.symbolic() ? s.path().subList(0, s.path().size() - 1) : List.of());
                List<String> target = parts(s.linkTarget());
                for (int i = 0; i < target.size(); i++) {
                    if (target.get(i).equals("..")) {
                        at.pollLast();
                        continue;
                    }
                    at.addLast(target.get(i));
                    if (i < target.size() - 1 && symlinks.contains(List.copyOf(at))) {
                        throw new ArchiveRefusedException("'" + printable(String.join("/", s.path()))
                                + "' links through the link '" + printable(String.join("/", at)) + "'");
                    }
                }
            }
        }
    }

    private void checkName(String name) {
        if (name.startsWith("/")) {
            throw new ArchiveRefusedException("'" + printable(name) + "' is an absolute path");
        }
        for (String part : name.split("/")) {
            if (part.equals("..")) {
                throw new ArchiveRefusedException("'" + printable(name) + "' climbs out of " + root + " with '..'");
            }
        }
    }

    /**
     * A symbolic link resolves from its own directory; a hard link names another entry of the
     * archive. Either must end up inside the root.
     */
    private void checkLink(String name, String target, boolean hard) {
        if (target == null || target.isEmpty() || target.startsWith("/")) {
            throw new ArchiveRefusedException("'" + printable(name) + "' links to an absolute path");
        }
        String base = hard || !name.contains("/") ? "" : name.substring(0, name.lastIndexOf('/'));
        int depth = 0;
        for (String part : (base.isEmpty() ? target : base + "/" + target).split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            depth += part.equals("..") ? -1 : 1;
            if (depth < 0) {
                throw new ArchiveRefusedException("'" + printable(name) + "' links outside " + root);
            }
        }
    }

    /** A relative path's parts, without empty and {@code .} ones. */
    public static List<String> parts(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    /** A name from an archive as a message may show it: control characters replaced, at most 120 characters. */
    public static String printable(String raw) {
        String clean = raw.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}
