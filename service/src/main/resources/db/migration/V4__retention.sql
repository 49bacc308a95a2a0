-- Retention purges ended leases and old activity by age; these keep each batch an index range scan.
CREATE INDEX leases_ended_at ON leases (ended_at) WHERE state = 'ended';
CREATE INDEX activity_at ON activity (at);
