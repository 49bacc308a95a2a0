package io.containerlease.program.channel;

import java.time.Instant;
import java.util.Optional;

/**
 * What {@code GET …/channel} shows: whether the program is connected and since when (or since when
 * it is not), its traffic, how many requests wait for replies, and the last thing that went wrong.
 */
public record ChannelStatus(
        boolean connected,
        Instant since,
        Optional<Instant> lastMessageAt,
        long sent,
        long received,
        int pending,
        Optional<String> lastError) {}
