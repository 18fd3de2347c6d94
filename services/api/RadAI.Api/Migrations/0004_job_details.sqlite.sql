-- Job read model, step 2: the modalities of a job (list filter) and the feed of projected changes (live updates).
-- The detail of a job (series, routing, models, report, deliveries, errors) is folded from job_events' payloads.
ALTER TABLE jobs ADD COLUMN modalities TEXT NULL; -- ',CT,MR,' (sorted, comma-framed so that LIKE '%,CT,%' matches one)
CREATE INDEX ix_jobs_created ON jobs (created_at DESC);
CREATE INDEX ix_jobs_sender ON jobs (sending_ae);
CREATE INDEX ix_jobs_correlation ON jobs (correlation_id);

-- One row per event that changed the read model, in commit order (SQLite has one writer at a time):
-- the id of a server-sent event, so a client resumes with Last-Event-ID.
CREATE TABLE job_changes (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id       TEXT NOT NULL,
    message_id   TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    status       TEXT NOT NULL,
    occurred_at  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL
);
