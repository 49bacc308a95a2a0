package io.containerlease.session;

import java.time.Instant;

/**
 * One line of a lease's output. {@code seq} numbers a lease's lines from 1 with no gaps, for as
 * long as this server process follows the lease.
 */
public record LogLine(long seq, Instant timestamp, String level, String message) {}
