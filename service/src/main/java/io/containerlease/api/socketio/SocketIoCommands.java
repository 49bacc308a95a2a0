package io.containerlease.api.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.containerlease.api.access.RequestGuard;
import io.containerlease.api.http.ChannelRoutes;
import io.containerlease.api.http.CodeRoutes;
import io.containerlease.api.http.LeaseRoutes;
import io.containerlease.api.support.ApiException;
import io.containerlease.api.support.JsonBody;
import io.containerlease.containers.ContainerControl;
import io.containerlease.lease.Caller;
import io.containerlease.lease.Lease;
import io.containerlease.lease.LeaseId;
import io.containerlease.lease.LeaseService;
import io.containerlease.lease.ProvisionRequest;
import io.containerlease.session.SessionView;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What each Socket.IO command does, on the same service layer as the REST API and with its rules:
 * the caller's request allowance, ownership, the same validation and the same answers.
 */
public final class SocketIoCommands {
    private final RequestGuard guard;
    private final LeaseService leases;
    private final ContainerControl control;
    private final SessionView sessions;
    private final LeaseRoutes leaseJson;
    private final ChannelRoutes channelRoutes;
    private final CodeRoutes codeRoutes;

    public SocketIoCommands(
            RequestGuard guard,
            LeaseService leases,
            ContainerControl control,
            SessionView sessions,
            LeaseRoutes leaseJson,
            ChannelRoutes channelRoutes,
            CodeRoutes codeRoutes) {
        this.guard = guard;
        this.leases = leases;
        this.control = control;
        this.sessions = sessions;
        this.leaseJson = leaseJson;
        this.channelRoutes = channelRoutes;
        this.codeRoutes = codeRoutes;
    }

    /** Runs {@code command} for {@code caller}; its answer becomes the acknowledgement's {@code data}. */
    public Object run(Caller caller, String command, ObjectNode data) throws Exception {
        guard.limit("user " + caller.user() + " over Socket.IO");
        return switch (command) {
            case "create_container" -> {
                ProvisionRequest request = LeaseRoutes.provisionRequest(JsonBody.of(data));
                yield leaseJson.json(leases.provision(request, caller));
            }
            case "start_container" -> controlled(caller, data, ContainerControl.Action.START);
            case "stop_container" -> controlled(caller, data, ContainerControl.Action.STOP);
            case "restart_container" -> controlled(caller, data, ContainerControl.Action.RESTART);
            case "delete_container" -> {
                Lease released = leases.release(id(data), caller);
                yield Map.of(
                        "success",
                        true,
                        "id",
                        released.id().value(),
                        "status",
                        released.state().wireName());
            }
            case "get_status" -> {
                LeaseId id = id(data);
                Lease lease = leases.get(id, caller);
                sessions.touch(id);
                yield leaseJson.json(lease);
            }
            case "list_containers" -> {
                boolean all = data.path("all").asBoolean(false);
                int limit = data.path("limit").canConvertToInt()
                        ? Math.max(1, Math.min(500, data.path("limit").asInt()))
                        : 100;
                yield Map.of(
                        "containers",
                        leases.page(caller, all, Optional.empty(), limit).stream()
                                .map(leaseJson::json)
                                .toList());
            }
            case "send_message" -> {
                Lease lease = leases.get(id(data), caller);
                ObjectNode message = data.deepCopy();
                message.remove("id");
                yield channelRoutes.send(lease, ChannelRoutes.Message.of(JsonBody.of(message)));
            }
            case "update_container" -> codeRoutes.update(leases.get(id(data), caller), archive(data));
            default -> throw ApiException.badRequest("bad_request", "unknown command " + command);
        };
    }

    private Object controlled(Caller caller, ObjectNode data, ContainerControl.Action action) {
        LeaseId id = id(data);
        Optional<Duration> timeout = data.path("timeoutSeconds").canConvertToLong()
                ? Optional.of(Duration.ofSeconds(Math.max(
                        0,
                        Math.min(
                                ContainerControl.MAX_STOP_TIMEOUT.toSeconds(),
                                data.path("timeoutSeconds").asLong()))))
                : Optional.empty();
        control.apply(id, action, timeout, caller);
        sessions.touch(id);
        return leaseJson.json(leases.get(id, caller));
    }

    /** The code archive of {@code update_container}: a binary attachment, or base64 text. */
    private static byte[] archive(ObjectNode data) throws java.io.IOException {
        JsonNode archive = data.path("archive");
        if (archive.isBinary()) {
            return archive.binaryValue();
        }
        if (data.path("archiveBase64").isTextual()) {
            try {
                return java.util.Base64.getDecoder()
                        .decode(data.path("archiveBase64").asText());
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("invalid_field", "'archiveBase64' is not base64");
            }
        }
        throw ApiException.badRequest(
                "missing_field", "send the .tar.gz as 'archive' (a binary attachment) or 'archiveBase64'");
    }

    private static LeaseId id(JsonNode data) {
        String raw = data.path("id").asText("");
        if (!LeaseId.isValid(raw)) {
            throw ApiException.badRequest("invalid_id", "'id' must be a lease id");
        }
        return new LeaseId(raw);
    }
}
