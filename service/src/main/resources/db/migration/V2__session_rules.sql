-- Optional end rules beyond expiry, in milliseconds; NULL means the rule is off.
ALTER TABLE leases ADD COLUMN disconnect_grace_ms INTEGER;
ALTER TABLE leases ADD COLUMN idle_timeout_ms INTEGER;
