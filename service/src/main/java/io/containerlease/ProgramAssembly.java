package io.containerlease;

import io.containerlease.program.channel.Channels;
import io.containerlease.program.code.CodeUpdates;

/** The program inside each lease: its message channel (through our helper) and its code updates. */
record ProgramAssembly(Channels channels, CodeUpdates code) {

    static ProgramAssembly build(CoreAssembly core, EventAssembly events, Started started) {
        var clock = core.base().clock();
        var channels = started.add(new Channels(core.catalog(), core.engine().streams(), clock, events.sources()));
        core.leases().addListener(channels);
        var code = new CodeUpdates(
                core.catalog(),
                core.engine().code(),
                core.engine().runtime(),
                core.code().versions(),
                clock,
                events.sources(),
                core.store().instanceId(),
                core.config().codeMaxBytes());
        core.leases().addListener(code); // resolves updates a crash cut short
        return new ProgramAssembly(channels, code);
    }
}
