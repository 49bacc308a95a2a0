package io.containerlease.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;
import io.containerlease.lease.SessionRules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The allowed image types. Loaded once at start from a YAML (or JSON, which is YAML too) file,
 * or from the built-in {@code default-catalog.yaml}; a catalog with any mistake refuses to load,
 * naming the entry and the field.
 */
public final class ImageCatalog implements ImageTypes {
    static final String DEFAULT_RESOURCE = "/default-catalog.yaml";

    /** What a user is told about an image type when choosing one; nothing here changes how it runs. */
    public record Listing(Optional<String> description, Optional<Duration> defaultDuration, List<Port> ports) {
        static final Listing NONE = new Listing(Optional.empty(), Optional.empty(), List.of());
    }

    /** A port the program serves, to open as a preview: its number, a name for people, http or tcp. */
    public record Port(int port, String name, String protocol) {}

    /** A port as written in the catalog. */
    record PortEntry(Integer port, String name, String protocol) {
        Port toPort() {
            if (port == null || port < 1 || port > 65535) {
                throw new IllegalArgumentException("each of 'ports' needs a 'port' from 1 to 65535");
            }
            if (name != null && !name.matches("[A-Za-z0-9][A-Za-z0-9 ._-]{0,31}")) {
                throw new IllegalArgumentException(
                        "a port's 'name' is at most 32 letters, digits, spaces, '.', '_' or '-'");
            }
            String kind = protocol == null ? "http" : protocol;
            if (!kind.equals("http") && !kind.equals("tcp")) {
                throw new IllegalArgumentException("a port's 'protocol' is http or tcp");
            }
            return new Port(port, name == null ? Integer.toString(port) : name, kind);
        }
    }

    private final Map<String, ImageSpec> specs;
    private final Map<String, Listing> listings;
    private final Map<String, Integer> warmPools;
    private final Map<String, Integer> warmPoolMaxima;

    public ImageCatalog(Map<String, ImageSpec> specs) {
        this(specs, Map.of(), Map.of(), Map.of());
    }

    private ImageCatalog(
            Map<String, ImageSpec> specs,
            Map<String, Listing> listings,
            Map<String, Integer> warmPools,
            Map<String, Integer> warmPoolMaxima) {
        if (specs.isEmpty()) {
            throw new ConfigException("The image catalog lists no images");
        }
        this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
        this.listings = Map.copyOf(listings);
        this.warmPools = Map.copyOf(warmPools);
        this.warmPoolMaxima = Map.copyOf(warmPoolMaxima);
    }

    /** How many warm containers each image type asks for ({@code warmPool}); types without one are not listed. */
    public Map<String, Integer> warmPools() {
        return warmPools;
    }

    /** The most each pooled type's pool grows to with demand ({@code warmPoolMax}; by default its warmPool: a fixed pool). */
    public Map<String, Integer> warmPoolMaxima() {
        return warmPoolMaxima;
    }

    /** The description and suggested duration of an image type, as its catalog entry gives them. */
    public Listing listing(String imageType) {
        return listings.getOrDefault(imageType, Listing.NONE);
    }

    @Override
    public Optional<ImageSpec> find(String imageType) {
        return Optional.ofNullable(specs.get(imageType));
    }

    @Override
    public Set<String> imageTypes() {
        return specs.keySet();
    }

    public static ImageCatalog load(Optional<Path> file) {
        if (file.isEmpty()) {
            return builtIn();
        }
        Path path = file.get();
        try (InputStream in = Files.newInputStream(path)) {
            return parse(in, "IMAGE_CATALOG " + path);
        } catch (IOException e) {
            throw new ConfigException("IMAGE_CATALOG: cannot read " + path + ": " + e.getMessage());
        }
    }

    public static ImageCatalog builtIn() {
        try (InputStream in = ImageCatalog.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            return parse(in, "built-in catalog");
        } catch (IOException e) {
            throw new IllegalStateException("built-in catalog unreadable", e);
        }
    }

    static ImageCatalog parse(InputStream in, String source) throws IOException {
        JsonNode root;
        try {
            root = YAML.readTree(in);
        } catch (IOException e) {
            throw new ConfigException(source + " is not valid YAML or JSON: " + e.getMessage());
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isObject()) {
            throw new ConfigException(source + " must have a top-level 'images' map");
        }
        // Entry by entry, so one mistake does not hide the next: every problem is listed at once.
        List<String> problems = new ArrayList<>();
        Map<String, ImageSpec> specs = new LinkedHashMap<>();
        Map<String, Listing> listings = new LinkedHashMap<>();
        Map<String, Integer> warmPools = new LinkedHashMap<>();
        Map<String, Integer> warmPoolMaxima = new LinkedHashMap<>();
        for (var it = images.fields(); it.hasNext(); ) {
            var entry = it.next();
            try {
                if (!entry.getValue().isObject()) {
                    throw new IllegalArgumentException("must be a map with at least 'image'");
                }
                Entry bound = YAML.treeToValue(entry.getValue(), Entry.class);
                specs.put(entry.getKey(), bound.toSpec(entry.getKey()));
                listings.put(entry.getKey(), bound.listing());
                bound.warmPoolSize().ifPresent(size -> {
                    warmPools.put(entry.getKey(), size);
                    warmPoolMaxima.put(entry.getKey(), bound.warmPoolMaximum(size));
                });
                if (bound.warmPoolMax != null && bound.warmPoolSize().isEmpty()) {
                    throw new IllegalArgumentException("'warmPoolMax' needs a 'warmPool' of at least 1");
                }
            } catch (UnrecognizedPropertyException e) {
                problems.add("images." + entry.getKey() + ": unknown field '" + e.getPropertyName() + "' (known: "
                        + String.join(", ", Entry.FIELDS) + ")");
            } catch (MismatchedInputException e) {
                problems.add("images." + entry.getKey() + ": '" + field(e) + "' " + expected(e));
            } catch (IllegalArgumentException | JsonProcessingException e) {
                problems.add("images." + entry.getKey() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of("Invalid image catalog (" + source + ")", problems);
        }
        return new ImageCatalog(specs, listings, warmPools, warmPoolMaxima);
    }

    /** Strict binding: no unknown field, no string for a number, no 1.5 for a whole number. */
    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private static String field(MismatchedInputException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
                .orElse("?");
    }

    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        if (type == null) {
            return "has the wrong type";
        }
        if (type == String.class) {
            return "must be a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "must be true or false";
        }
        if (type == Integer.class || type == Long.class) {
            return "must be a whole number";
        }
        if (Number.class.isAssignableFrom(type)) {
            return "must be a number";
        }
        if (List.class.isAssignableFrom(type)) {
            return "must be a list of strings, e.g. [\"sleep\", \"inf\"]";
        }
        return "has the wrong type";
    }

    /** One catalog entry as written; absent fields are null and take the defaults. */
    record Entry(
            String image,
            List<String> command,
            List<String> shell,
            Long memoryMb,
            Double cpus,
            Long pidsLimit,
            String pullPolicy,
            String network,
            Long disconnectGraceSeconds,
            Long idleTimeoutSeconds,
            String user,
            Boolean readOnlyRootfs,
            Integer logMaxSizeMb,
            Integer logMaxFiles,
            Integer diskMb,
            String description,
            Long defaultDurationMinutes,
            String onExit,
            String restart,
            HealthCheckEntry healthCheck,
            Boolean pauseStopsIdle,
            Boolean channel,
            CodeEntry code,
            Integer warmPool,
            Integer warmPoolMax,
            List<PortEntry> ports) {
        static final List<String> FIELDS = java.util.Arrays.stream(Entry.class.getRecordComponents())
                .map(java.lang.reflect.RecordComponent::getName)
                .toList();

        ImageSpec toSpec(String imageType) {
            if (image == null) {
                throw new IllegalArgumentException("'image' is required");
            }
            if (code != null && "end".equalsIgnoreCase(onExit)) {
                throw new IllegalArgumentException(
                        "'code' and 'onExit: end' do not go together: a new version that fails "
                                + "would end the lease before the old one is put back");
            }
            return new ImageSpec(
                    imageType,
                    image,
                    command == null ? List.of() : command,
                    shell == null ? List.of("/bin/sh") : shell,
                    memoryMb == null ? 256 : memoryMb,
                    cpus == null ? 1.0 : cpus,
                    pidsLimit == null ? 128 : pidsLimit,
                    ImageCatalog.pullPolicy(pullPolicy == null ? "ifNotPresent" : pullPolicy),
                    network == null ? "none" : network,
                    new SessionRules(
                            seconds("disconnectGraceSeconds", disconnectGraceSeconds),
                            seconds("idleTimeoutSeconds", idleTimeoutSeconds)),
                    Optional.ofNullable(user),
                    Boolean.TRUE.equals(readOnlyRootfs),
                    new ImageSpec.DiskLimits(
                            logMaxSizeMb == null ? ImageSpec.DiskLimits.DEFAULT.logMaxSizeMb() : logMaxSizeMb,
                            logMaxFiles == null ? ImageSpec.DiskLimits.DEFAULT.logMaxFiles() : logMaxFiles,
                            Optional.ofNullable(diskMb)),
                    new ImageSpec.Lifecycle(
                            onExit == null ? ImageSpec.OnExit.KEEP : ImageCatalog.onExit(onExit),
                            restart == null ? 0 : ImageCatalog.restartRetries(restart),
                            Optional.ofNullable(healthCheck).map(HealthCheckEntry::toSpec),
                            Boolean.TRUE.equals(pauseStopsIdle)),
                    new ImageSpec.Program(
                            Boolean.TRUE.equals(channel),
                            Optional.ofNullable(code).map(CodeEntry::toSpec)));
        }

        Listing listing() {
            if (description != null && description.length() > 500) {
                throw new IllegalArgumentException("'description' must be at most 500 characters");
            }
            if (defaultDurationMinutes != null && defaultDurationMinutes < 1) {
                throw new IllegalArgumentException("'defaultDurationMinutes' must be at least 1");
            }
            List<Port> declared = ports == null
                    ? List.of()
                    : ports.stream().map(PortEntry::toPort).toList();
            if (declared.size() > 16) {
                throw new IllegalArgumentException("'ports' lists at most 16 ports");
            }
            if (declared.stream().map(Port::port).distinct().count() != declared.size()) {
                throw new IllegalArgumentException("'ports' lists a port twice");
            }
            return new Listing(
                    Optional.ofNullable(description),
                    Optional.ofNullable(defaultDurationMinutes).map(Duration::ofMinutes),
                    declared);
        }

        /** How many containers of this type wait ready for a provision; none when absent or 0. */
        Optional<Integer> warmPoolSize() {
            if (warmPool == null || warmPool == 0) {
                return Optional.empty();
            }
            if (warmPool < 0 || warmPool > 256) {
                throw new IllegalArgumentException("'warmPool' must be between 0 and 256");
            }
            return Optional.of(warmPool);
        }

        /**
         * The most the pool grows to with demand: {@code warmPoolMax}, or its floor (a pool of a fixed size:
         * growing is the operator's choice, as it spends the host's memory on containers nobody leased yet).
         */
        int warmPoolMaximum(int floor) {
            int max = warmPoolMax == null ? floor : warmPoolMax;
            if (max < floor || max > 1024) {
                throw new IllegalArgumentException("'warmPoolMax' must be between 'warmPool' (" + floor + ") and 1024");
            }
            return max;
        }

        private static Optional<Duration> seconds(String field, Long value) {
            if (value == null) {
                return Optional.empty();
            }
            if (value < 1) {
                throw new IllegalArgumentException("'" + field + "' must be a whole number of seconds, at least 1");
            }
            return Optional.of(Duration.ofSeconds(value));
        }
    }

    /** {@code healthCheck:} in the catalog; the engine's own defaults where a value is left out. */
    record HealthCheckEntry(List<String> command, Long intervalSeconds, Long timeoutSeconds, Integer retries) {
        ImageSpec.HealthCheck toSpec() {
            if (command == null || command.isEmpty()) {
                throw new IllegalArgumentException("'healthCheck.command' is required");
            }
            return new ImageSpec.HealthCheck(
                    command,
                    Duration.ofSeconds(intervalSeconds == null ? 30 : intervalSeconds),
                    Duration.ofSeconds(timeoutSeconds == null ? 30 : timeoutSeconds),
                    retries == null ? 3 : retries);
        }
    }

    /** {@code code:} in the catalog: where the code lives, how it is reloaded, how long a new version has to prove itself. */
    record CodeEntry(String path, List<String> command, CodeHealthEntry healthCheck) {
        ImageSpec.Code toSpec() {
            if (path == null) {
                throw new IllegalArgumentException("'code.path' is required");
            }
            CodeHealthEntry health = healthCheck == null ? new CodeHealthEntry(null, null) : healthCheck;
            return new ImageSpec.Code(
                    path,
                    command == null ? List.of() : command,
                    Duration.ofSeconds(health.graceSeconds() == null ? 3 : health.graceSeconds()),
                    Duration.ofSeconds(health.timeoutSeconds() == null ? 60 : health.timeoutSeconds()));
        }
    }

    record CodeHealthEntry(Long graceSeconds, Long timeoutSeconds) {}

    private static ImageSpec.OnExit onExit(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "keep" -> ImageSpec.OnExit.KEEP;
            case "end" -> ImageSpec.OnExit.END;
            default -> throw new IllegalArgumentException("onExit '" + raw + "' is not one of keep, end");
        };
    }

    /** {@code no} is 0; {@code on-failure:N} is N. */
    private static int restartRetries(String raw) {
        if (raw.equals("no")) {
            return 0;
        }
        var m = java.util.regex.Pattern.compile("on-failure:(\\d{1,3})").matcher(raw);
        if (!m.matches() || Integer.parseInt(m.group(1)) < 1) {
            throw new IllegalArgumentException("restart '" + raw + "' is not 'no' or 'on-failure:N' (N at least 1)");
        }
        return Integer.parseInt(m.group(1));
    }

    private static ImageSpec.PullPolicy pullPolicy(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "never" -> ImageSpec.PullPolicy.NEVER;
            case "ifnotpresent", "if-not-present" -> ImageSpec.PullPolicy.IF_NOT_PRESENT;
            case "always" -> ImageSpec.PullPolicy.ALWAYS;
            default ->
                throw new IllegalArgumentException(
                        "pullPolicy '" + raw + "' is not one of never, ifNotPresent, always");
        };
    }
}
