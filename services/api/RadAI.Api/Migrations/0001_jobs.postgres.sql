-- Read model of jobs, projected from the events (api module).
CREATE TABLE jobs (
    job_id              UUID        PRIMARY KEY,
    correlation_id      UUID        NOT NULL,
    study_instance_uid  TEXT        NOT NULL,
    sending_ae          TEXT        NULL,
    status              TEXT        NOT NULL,
    status_rank         INTEGER     NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_jobs_status_updated ON jobs (status, updated_at DESC);
CREATE INDEX ix_jobs_updated ON jobs (updated_at DESC);

-- Every event seen, once (message_id is the idempotency key): the job's timeline.
CREATE TABLE job_events (
    message_id   UUID        PRIMARY KEY,
    job_id       UUID        NOT NULL,
    event_type   TEXT        NOT NULL,
    occurred_at  TIMESTAMPTZ NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL,
    trace_id     TEXT        NULL,
    payload      TEXT        NOT NULL
);
CREATE INDEX ix_job_events_job ON job_events (job_id, occurred_at);
