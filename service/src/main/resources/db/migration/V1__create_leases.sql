-- Times are epoch milliseconds (UTC). States and reasons are the lower-case wire names.
CREATE TABLE leases (
    id             TEXT PRIMARY KEY,
    image_type     TEXT NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('provisioning', 'running', 'ending', 'ended')),
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    max_expires_at INTEGER NOT NULL,
    container_id   TEXT,
    end_reason     TEXT,
    ended_at       INTEGER,
    detail         TEXT
);

-- The reaper and the default list only look at live leases; keep that cheap as ended ones pile up.
CREATE INDEX leases_live ON leases (state) WHERE state <> 'ended';

CREATE TABLE service_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
