package io.containerlease.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalInt;

/**
 * How a shell or a command over a socket ended, as the service says it: the {@code exit},
 * {@code ended} and {@code error} frames before the close, then the close itself. The shell and
 * exec commands read their exit code from it.
 */
final class ServerEnd {
    private boolean exited;
    private OptionalInt exitStatus = OptionalInt.empty();
    private String endedReason;
    private String errorCode;
    private String errorMessage;

    /** Notes an {@code exit}, {@code ended} or {@code error} frame; any other is the caller's. */
    void take(JsonNode frame) {
        switch (frame.path("type").asText()) {
            case "exit" -> {
                exited = true;
                if (frame.path("code").isInt()) {
                    exitStatus = OptionalInt.of(frame.path("code").asInt());
                }
            }
            case "ended" -> endedReason = frame.path("reason").asText("ended");
            case "error" -> {
                errorCode = frame.path("code").asText();
                errorMessage = frame.path("message").asText();
            }
            default -> {}
        }
    }

    /** What was said, once the connection closed with {@code code} (-1: it broke) and {@code reason}. */
    Closed closed(int code, String reason) {
        return new Closed(code, reason, exited, exitStatus, endedReason, errorCode, errorMessage);
    }

    /** How the connection ended, with what the server said before it closed. */
    record Closed(
            int code,
            String reason,
            boolean exited,
            OptionalInt exitStatus,
            String endedReason,
            String errorCode,
            String errorMessage) {
        static Closed broken(String why) {
            return new Closed(-1, why, false, OptionalInt.empty(), null, null, null);
        }

        /** The server said no (4xxx: 44xx as HTTP's 4xx, 4503 while the engine or a shell cannot be had). */
        boolean refused() {
            return code >= 4400 && code < 4600;
        }

        /** A refusal as the client's failure: its code and message as the server gave them. */
        ClientFailure refusal(String leaseId) {
            String code = errorCode != null ? errorCode : reason;
            if (this.code == 4404 && (errorCode == null || errorCode.equals("lease_not_found"))) {
                return new ClientFailure(ClientFailure.NOT_FOUND, code, "no lease " + leaseId);
            }
            return new ClientFailure(
                    this.code == 4404 ? ClientFailure.NOT_FOUND : ClientFailure.REFUSED,
                    code,
                    errorMessage != null ? errorMessage : "the server refused (" + this.code + ")");
        }
    }
}
