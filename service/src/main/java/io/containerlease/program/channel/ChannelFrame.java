package io.containerlease.program.channel;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One message on a channel: a line of JSON {@code {id, type, payload}}, at most {@link #MAX_BYTES}
 * with its newline. A reply carries the id of the frame it answers.
 *
 * @param id      null for a frame that answers nothing and wants no answer
 */
public record ChannelFrame(String id, String type, JsonNode payload) {
    public static final int MAX_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    public ChannelFrame {
        Objects.requireNonNull(type, "type");
        payload = payload == null ? NullNode.getInstance() : payload;
    }

    /** The frame as sent: one line of JSON ending in a newline. */
    public byte[] encode() {
        ObjectNode node = JSON.createObjectNode();
        if (id != null) {
            node.put("id", id);
        }
        node.put("type", type);
        node.set("payload", payload);
        try {
            return (JSON.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serialises", e);
        }
    }

    /**
     * A line the program sent (without its newline). Anything but a JSON object is refused; a missing
     * type reads as {@code message}, an id that is not a string is kept as its text.
     *
     * @throws IllegalArgumentException when the line is not a JSON object
     */
    public static ChannelFrame parse(byte[] line, int length) {
        JsonNode node;
        try {
            node = JSON.readTree(line, 0, length);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("a frame that is not JSON");
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("a frame that is not a JSON object");
        }
        JsonNode id = node.get("id");
        JsonNode type = node.get("type");
        return new ChannelFrame(
                id == null || id.isNull() ? null : id.asText(),
                type == null || !type.isTextual() ? "message" : type.asText(),
                node.get("payload"));
    }
}
