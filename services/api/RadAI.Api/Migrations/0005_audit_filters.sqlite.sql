-- Filters of GET /api/audit (actor, action) under keyset paging on sequence, newest first: each index walks one
-- actor's or one action's entries in sequence order, so a page costs its size whatever the log's length.
-- The time filter uses ix_audit_log_occurred (0002).
CREATE INDEX ix_audit_log_actor ON audit_log (actor, sequence);
CREATE INDEX ix_audit_log_action ON audit_log (action, sequence);
