package io.containerlease.config;

import io.containerlease.lease.ImageSpec;
import io.containerlease.lease.ImageTypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.containerlease.lease.SessionRules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
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

    private static final Set<String> ENTRY_FIELDS = Set.of(
            "image", "command", "shell", "memoryMb", "cpus", "pidsLimit", "pullPolicy", "network",
            "disconnectGraceSeconds", "idleTimeoutSeconds", "user", "readOnlyRootfs", "logMaxSizeMb", "logMaxFiles", "diskMb");

    private final Map<String, ImageSpec> specs;

    public ImageCatalog(Map<String, ImageSpec> specs) {
        if (specs.isEmpty()) {
            throw new ConfigException("The image catalog lists no images");
        }
        this.specs = Collections.unmodifiableMap(new LinkedHashMap<>(specs));
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
            root = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new ConfigException(source + " is not valid YAML or JSON: " + e.getMessage());
        }
        JsonNode images = root == null ? null : root.get("images");
        if (images == null || !images.isObject()) {
            throw new ConfigException(source + " must have a top-level 'images' map");
        }
        List<String> problems = new ArrayList<>();
        Map<String, ImageSpec> specs = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = images.fields(); it.hasNext(); ) {
            var entry = it.next();
            try {
                specs.put(entry.getKey(), toSpec(entry.getKey(), entry.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add("images." + entry.getKey() + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw ConfigException.of("Invalid image catalog (" + source + ")", problems);
        }
        return new ImageCatalog(specs);
    }

    private static ImageSpec toSpec(String imageType, JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("must be a map with at least 'image'");
        }
        node.fieldNames().forEachRemaining(name -> {
            if (!ENTRY_FIELDS.contains(name)) {
                throw new IllegalArgumentException("unknown field '" + name + "' (known: " + String.join(", ", ENTRY_FIELDS) + ")");
            }
        });
        return new ImageSpec(
                imageType,
                text(node, "image", null),
                strings(node, "command", List.of()),
                strings(node, "shell", List.of("/bin/sh")),
                number(node, "memoryMb", 256).longValue(),
                number(node, "cpus", 1.0).doubleValue(),
                number(node, "pidsLimit", 128).longValue(),
                pullPolicy(text(node, "pullPolicy", "ifNotPresent")),
                text(node, "network", "none"),
                new SessionRules(seconds(node, "disconnectGraceSeconds"), seconds(node, "idleTimeoutSeconds")),
                Optional.ofNullable(node.get("user")).filter(n -> !n.isNull()).map(n -> text(node, "user", null)),
                flag(node, "readOnlyRootfs"),
                new ImageSpec.DiskLimits(
                        number(node, "logMaxSizeMb", ImageSpec.DiskLimits.DEFAULT.logMaxSizeMb()).intValue(),
                        number(node, "logMaxFiles", ImageSpec.DiskLimits.DEFAULT.logMaxFiles()).intValue(),
                        Optional.ofNullable(node.get("diskMb")).filter(n -> !n.isNull()).map(n -> number(node, "diskMb", 0).intValue())));
    }

    private static boolean flag(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new IllegalArgumentException("'" + field + "' must be true or false");
        }
        return value.asBoolean();
    }

    private static Optional<Duration> seconds(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 1) {
            throw new IllegalArgumentException("'" + field + "' must be a whole number of seconds, at least 1");
        }
        return Optional.of(Duration.ofSeconds(value.asLong()));
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException("'" + field + "' is required");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' must be a string");
        }
        return value.asText();
    }

    private static Number number(JsonNode node, String field, Number fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw new IllegalArgumentException("'" + field + "' must be a number");
        }
        return value.numberValue();
    }

    private static List<String> strings(JsonNode node, String field, List<String> fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isArray()) {
            throw new IllegalArgumentException("'" + field + "' must be a list of strings, e.g. [\"sleep\", \"inf\"]");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode item : value) {
            if (!item.isTextual()) {
                throw new IllegalArgumentException("'" + field + "' must contain only strings");
            }
            out.add(item.asText());
        }
        return out;
    }

    private static ImageSpec.PullPolicy pullPolicy(String raw) {
        return switch (raw.toLowerCase(Locale.ROOT)) {
            case "never" -> ImageSpec.PullPolicy.NEVER;
            case "ifnotpresent", "if-not-present" -> ImageSpec.PullPolicy.IF_NOT_PRESENT;
            case "always" -> ImageSpec.PullPolicy.ALWAYS;
            default -> throw new IllegalArgumentException("pullPolicy '" + raw + "' is not one of never, ifNotPresent, always");
        };
    }
}
