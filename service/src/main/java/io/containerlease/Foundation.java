package io.containerlease;

import io.containerlease.config.ServiceConfig;
import io.containerlease.lease.LeasePolicy;
import io.containerlease.lease.Redactor;
import java.security.SecureRandom;
import java.time.InstantSource;

/** What every part is made with: the settings, the time, randomness, the lease rules, and the redactor of secrets. */
record Foundation(
        ServiceConfig config, InstantSource clock, SecureRandom random, LeasePolicy policy, Redactor redactor) {

    static Foundation of(ServiceConfig config) {
        return new Foundation(
                config,
                InstantSource.system(),
                new SecureRandom(),
                new LeasePolicy(config.leaseMin(), config.leaseMax(), config.deadmanMargin()),
                new Redactor());
    }
}
