-- Every lease has an owner; leases from before tenancy belong to nobody (only admins see them).
ALTER TABLE leases ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX leases_live_by_owner ON leases (owner) WHERE state <> 'ended';

-- The activity log: who did what to which lease, from where, and how it went. Plain words.
CREATE TABLE activity (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    at        INTEGER NOT NULL,
    user      TEXT NOT NULL,
    action    TEXT NOT NULL,
    lease_id  TEXT,
    client    TEXT,
    outcome   TEXT NOT NULL,
    reason    TEXT
);
CREATE INDEX activity_by_user ON activity (user, seq);
CREATE INDEX activity_by_lease ON activity (lease_id, seq);
