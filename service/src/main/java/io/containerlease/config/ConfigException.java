package io.containerlease.config;

import java.util.List;

/** Thrown at start when the configuration cannot be used; the message lists every problem found. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public static ConfigException of(String heading, List<String> problems) {
        return new ConfigException(heading + ":\n  - " + String.join("\n  - ", problems));
    }
}
