package io.containerlease.program.channel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.containerlease.cluster.Broadcast;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.RefusedException;
import io.containerlease.program.ProgramException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes every lease's channel reachable through any server of a shared store: a request for a lease
 * whose program another server is connected to (its holder) goes to that server over the store's
 * broadcast, which does it and answers the same way. The holder's refusals (not connected, no reply
 * in time, too busy) come back as they are.
 *
 * <p>Messages are JSON objects: {@code {kind: "call", id, from, to, lease, op: send|forward|status, …}}
 * and {@code {kind: "answer", id, to, frame? | status? | error?}}. Each server reads only those
 * addressed to it.
 */
public final class ChannelRelay implements Channels.Elsewhere, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelRelay.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long past the program's own time to answer the holder may take (the broadcast both ways, a busy server). */
    static final Duration MARGIN = Duration.ofSeconds(3);

    private final String self;
    private final Broadcast broadcast;
    private final Channels channels;
    private final Function<LeaseId, Optional<String>> holderOf;
    private final Function<LeaseId, Optional<Lease>> leases;
    private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();

    /**
     * @param holderOf the server that holds a lease now (the store says)
     * @param leases   a lease as the store has it, for the holder to act on
     */
    public ChannelRelay(
            String self,
            Broadcast broadcast,
            Channels channels,
            Function<LeaseId, Optional<String>> holderOf,
            Function<LeaseId, Optional<Lease>> leases) {
        this.self = self;
        this.broadcast = broadcast;
        this.channels = channels;
        this.holderOf = holderOf;
        this.leases = leases;
    }

    public void start() {
        broadcast.listen(this::receive);
        channels.reachElsewhereThrough(this);
    }

    @Override
    public Optional<ChannelFrame> send(Lease lease, String type, JsonNode payload, Duration timeout, boolean reply) {
        ObjectNode call = call(lease, "send");
        call.put("type", type);
        call.set("payload", payload);
        call.put("timeoutMs", timeout.toMillis());
        call.put("reply", reply);
        JsonNode answer = ask(lease, call, timeout.plus(MARGIN));
        return answer.hasNonNull("frame") ? Optional.of(frame(answer.get("frame"))) : Optional.empty();
    }

    @Override
    public void forward(Lease lease, ChannelFrame frame) {
        ObjectNode call = call(lease, "forward");
        call.set("frame", frameJson(frame));
        ask(lease, call, Channels.DEFAULT_TIMEOUT.plus(MARGIN));
    }

    @Override
    public ChannelStatus status(Lease lease) {
        JsonNode status = ask(lease, call(lease, "status"), MARGIN).get("status");
        return new ChannelStatus(
                status.get("connected").asBoolean(),
                Instant.parse(status.get("since").asText()),
                Optional.ofNullable(status.get("lastMessageAt"))
                        .filter(JsonNode::isTextual)
                        .map(n -> Instant.parse(n.asText())),
                status.get("sent").asLong(),
                status.get("received").asLong(),
                status.get("pending").asInt(),
                Optional.ofNullable(status.get("lastError"))
                        .filter(JsonNode::isTextual)
                        .map(JsonNode::asText));
    }

    private ObjectNode call(Lease lease, String op) {
        ObjectNode call = JSON.createObjectNode();
        call.put("kind", "call");
        call.put("id", UUID.randomUUID().toString());
        call.put("from", self);
        call.put("lease", lease.id().value());
        call.put("op", op);
        return call;
    }

    /** Sends {@code call} to the lease's holder and waits for its answer; a refusal there is thrown here. */
    private JsonNode ask(Lease lease, ObjectNode call, Duration patience) {
        String holder = holderOf.apply(lease.id())
                .filter(h -> !h.equals(self))
                .orElseThrow(() -> Channels.notConnected(lease.id()));
        call.put("to", holder);
        String id = call.get("id").asText();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        waiting.put(id, answer);
        try {
            broadcast.send(call.toString());
            JsonNode got = answer.get(patience.toMillis(), TimeUnit.MILLISECONDS);
            if (got.hasNonNull("error")) {
                throw refusal(got.get("error"));
            }
            return got;
        } catch (TimeoutException e) {
            throw new ProgramException(
                    ProgramException.Kind.NOT_CONNECTED,
                    "channel_not_connected",
                    "the server connected to lease " + lease.id() + "'s program did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Channels.notConnected(lease.id());
        } catch (ExecutionException e) {
            throw Channels.notConnected(lease.id());
        } finally {
            waiting.remove(id);
        }
    }

    void receive(String message) {
        JsonNode node;
        try {
            node = JSON.readTree(message);
        } catch (IOException e) {
            log.warn("a relayed channel message could not be read: {}", e.getMessage());
            return;
        }
        if (!self.equals(node.path("to").asText())) {
            return;
        }
        if ("answer".equals(node.path("kind").asText())) {
            CompletableFuture<JsonNode> answer = waiting.get(node.path("id").asText());
            if (answer != null) {
                answer.complete(node);
            }
        } else if ("call".equals(node.path("kind").asText())) {
            Thread.ofVirtual().start(() -> answer(node)); // a send may wait for the program's reply
        }
    }

    /** Does what another server asked of this one, as the holder, and answers. */
    private void answer(JsonNode call) {
        ObjectNode answer = JSON.createObjectNode();
        answer.put("kind", "answer");
        answer.put("id", call.path("id").asText());
        answer.put("to", call.path("from").asText());
        try {
            String leaseId = call.path("lease").asText();
            Lease lease = (LeaseId.isValid(leaseId) ? leases.apply(new LeaseId(leaseId)) : Optional.<Lease>empty())
                    .orElseThrow(() -> Channels.notConnected(new LeaseId(leaseId)));
            switch (call.path("op").asText()) {
                case "send" ->
                    channels.sendHere(
                                    lease,
                                    call.path("type").asText(),
                                    call.get("payload"),
                                    Duration.ofMillis(
                                            call.path("timeoutMs").asLong(Channels.DEFAULT_TIMEOUT.toMillis())),
                                    call.path("reply").asBoolean(true))
                            .ifPresent(frame -> answer.set("frame", frameJson(frame)));
                case "forward" -> channels.forwardHere(lease, frame(call.get("frame")));
                case "status" -> answer.set("status", statusJson(channels.statusHere(lease)));
                default ->
                    throw new IllegalArgumentException(
                            "unknown channel operation " + call.path("op").asText());
            }
        } catch (RefusedException e) {
            answer.set("error", errorJson(e));
        } catch (RuntimeException e) {
            log.warn("a channel request from another server failed: {}", e.getMessage());
            answer.set(
                    "error",
                    errorJson(new ProgramException(
                            ProgramException.Kind.NOT_CONNECTED,
                            "channel_not_connected",
                            "the program's channel could not be reached")));
        }
        broadcast.send(answer.toString());
    }

    private static ObjectNode frameJson(ChannelFrame frame) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", frame.id());
        node.put("type", frame.type());
        node.set("payload", frame.payload());
        return node;
    }

    private static ChannelFrame frame(JsonNode node) {
        return new ChannelFrame(
                node.path("id").isTextual() ? node.get("id").asText() : null,
                node.path("type").asText(),
                node.get("payload"));
    }

    private static ObjectNode statusJson(ChannelStatus status) {
        ObjectNode node = JSON.createObjectNode();
        node.put("connected", status.connected());
        node.put("since", status.since().toString());
        status.lastMessageAt().ifPresent(at -> node.put("lastMessageAt", at.toString()));
        node.put("sent", status.sent());
        node.put("received", status.received());
        node.put("pending", status.pending());
        status.lastError().ifPresent(error -> node.put("lastError", error));
        return node;
    }

    private static ObjectNode errorJson(RefusedException e) {
        ObjectNode node = JSON.createObjectNode();
        node.put("code", e.code());
        node.put("message", e.getMessage());
        if (e instanceof ProgramException program) {
            node.put("kind", program.kind().name());
            node.set("details", JSON.valueToTree(program.details()));
        }
        return node;
    }

    private static ProgramException refusal(JsonNode error) {
        ProgramException.Kind kind;
        try {
            kind = ProgramException.Kind.valueOf(error.path("kind").asText());
        } catch (IllegalArgumentException e) {
            kind = ProgramException.Kind.NOT_CONNECTED;
        }
        Map<String, Object> details = new LinkedHashMap<>();
        error.path("details").fields().forEachRemaining(field -> {
            if (!field.getValue().isNull()) {
                details.put(field.getKey(), JSON.convertValue(field.getValue(), Object.class));
            }
        });
        return new ProgramException(
                kind,
                error.path("code").asText("channel_not_connected"),
                error.path("message").asText(),
                details);
    }

    @Override
    public void close() {
        broadcast.close();
    }
}
