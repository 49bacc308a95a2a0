-- Coarse marks of a running lease's sessions, so a restart does not reset its idle clock or its
-- disconnect grace: when it was last active, and when a pending grace ends (epoch milliseconds).
ALTER TABLE leases ADD COLUMN last_activity_at INTEGER;
ALTER TABLE leases ADD COLUMN grace_ends_at INTEGER;
