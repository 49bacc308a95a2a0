package io.containerlease.preview;

import io.containerlease.lease.LeaseId;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where previews are served: each (lease, port) on an origin of its own, {@code PORT-LEASE} in place
 * of the {@code *} of PREVIEW_URL ({@code http://*.localhost:8081} by default: browsers resolve every
 * {@code *.localhost} name to this machine), never the console's origin, so a tenant's page can read
 * neither the console's token nor another preview.
 */
public record PreviewAddress(String scheme, String suffix, String portPart) {
    private static final Pattern URL = Pattern.compile("(https?)://\\*((?:\\.[a-z0-9-]+)+)(:[0-9]{1,5})?/?");
    private static final Pattern LABEL = Pattern.compile("([0-9]{1,5})-([0-9a-z]{26})");

    /** @throws IllegalArgumentException when the URL has no {@code *} as its first label */
    public static PreviewAddress parse(String url) {
        var match = URL.matcher(url.toLowerCase(Locale.ROOT));
        if (!match.matches()) {
            throw new IllegalArgumentException("'" + url
                    + "' is not like http://*.localhost:8081 (a * for each preview's own name, then a domain)");
        }
        return new PreviewAddress(match.group(1), match.group(2), match.group(3) == null ? "" : match.group(3));
    }

    /** The origin of one lease's port. */
    public String origin(LeaseId lease, int port) {
        return scheme + "://" + port + "-" + lease.value() + suffix + portPart;
    }

    public boolean secure() {
        return scheme.equals("https");
    }

    /** What a request's Host names: a lease and a port, when it is one of ours. */
    public Optional<Target> target(String host) {
        if (host == null) {
            return Optional.empty();
        }
        String name = host.toLowerCase(Locale.ROOT);
        int colon = name.lastIndexOf(':');
        if (colon > 0 && name.indexOf(']') < 0) {
            name = name.substring(0, colon); // the port: a proxy in front may serve another one
        }
        if (!name.endsWith(suffix)) {
            return Optional.empty();
        }
        var label = LABEL.matcher(name.substring(0, name.length() - suffix.length()));
        if (!label.matches() || !LeaseId.isValid(label.group(2))) {
            return Optional.empty();
        }
        int port = Integer.parseInt(label.group(1));
        return port >= 1 && port <= 65535
                ? Optional.of(new Target(new LeaseId(label.group(2)), port))
                : Optional.empty();
    }

    /** A lease's port. */
    public record Target(LeaseId lease, int port) {}
}
