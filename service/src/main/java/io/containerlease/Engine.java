package io.containerlease;

import io.containerlease.lease.ContainerEvents;
import io.containerlease.lease.ContainerRuntime;
import io.containerlease.lease.ContainerStreams;
import io.containerlease.lease.UsageStreams;
import io.containerlease.program.code.CodeEngine;
import java.util.function.Supplier;

/**
 * One runtime's side of every engine port: what choosing a runtime decides, and all that the parts
 * above it see of the engine.
 *
 * @param engineId names the engine, so servers on a shared store take over only leases on theirs;
 *     asked of the engine only when a server shares its store (one alone never needs it)
 * @param version the engine's API version, for the start line
 */
record Engine(
        ContainerRuntime runtime,
        ContainerStreams streams,
        ContainerEvents events,
        UsageStreams usage,
        CodeEngine code,
        Supplier<String> engineId,
        String version) {}
