-- pacs-sender (SQLite: timestamps are ISO-8601 UTC text, ids text, booleans 0/1): where reports go (destinations, with their last C-ECHO), which study each job came from (its sender,
-- from StudyReceived), the report objects of each job (from ReportReady), one delivery per (job, destination) with
-- its schedule (durable retries: the schedule lives here, not in the broker), the status of each object at each
-- destination, and the outbox of ReportDelivered / DeliveryFailed (written with the state change, published after).
-- Counters are INTEGER (64-bit in SQLite, BIGINT on PostgreSQL: one C# type for both).
CREATE TABLE pacs_destinations (
    ae_title           TEXT        PRIMARY KEY,
    host               TEXT        NOT NULL,
    port               INTEGER     NOT NULL,
    tls                INTEGER     NOT NULL,
    kinds              TEXT        NOT NULL,  -- comma-separated ReportObject kinds: SR,SEG,PDF,KEY-IMAGE
    all_reports        INTEGER     NOT NULL,  -- receives every report, not only those of the studies it sent
    enabled            INTEGER     NOT NULL,
    source             TEXT        NOT NULL,  -- config | api
    updated_at         TEXT        NOT NULL,
    last_echo_at       TEXT        NULL,
    last_echo_status   INTEGER     NULL,      -- DIMSE status of the C-ECHO; NULL when no association
    last_echo_error    TEXT        NULL
);

CREATE TABLE pacs_job_senders (
    job_id              TEXT        PRIMARY KEY,
    sending_ae_title    TEXT        NOT NULL,
    study_instance_uid  TEXT        NOT NULL,
    received_at         TEXT        NOT NULL
);

CREATE TABLE pacs_jobs (
    job_id              TEXT        PRIMARY KEY,
    correlation_id      TEXT        NOT NULL,
    study_instance_uid  TEXT        NOT NULL,
    report_ready_at     TEXT        NOT NULL,
    recorded_at         TEXT        NOT NULL
);

CREATE TABLE pacs_job_objects (
    job_id              TEXT        NOT NULL REFERENCES pacs_jobs (job_id),
    sop_instance_uid    TEXT        NOT NULL,
    ordinal             INTEGER     NOT NULL,
    kind                TEXT        NOT NULL,
    sop_class_uid       TEXT        NOT NULL,
    store               TEXT        NOT NULL,
    storage_key         TEXT        NOT NULL,
    PRIMARY KEY (job_id, sop_instance_uid)
);

CREATE TABLE pacs_deliveries (
    job_id              TEXT        NOT NULL REFERENCES pacs_jobs (job_id),
    destination_ae      TEXT        NOT NULL,
    status              TEXT        NOT NULL,  -- pending | delivered | failed
    round               INTEGER     NOT NULL,  -- 0 for the first delivery, +1 per resend
    attempts            INTEGER     NOT NULL,  -- attempts of the current round
    next_attempt_at     TEXT        NOT NULL,  -- when pending: due time, or the lease of the attempt in progress
    last_attempt_at     TEXT        NULL,
    last_error          TEXT        NULL,
    completed_at        TEXT        NULL,
    last_request_id     TEXT        NULL,      -- the ResendReport that started the current round
    created_at          TEXT        NOT NULL,
    PRIMARY KEY (job_id, destination_ae)
);
CREATE INDEX ix_pacs_deliveries_due ON pacs_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE pacs_delivery_objects (
    job_id              TEXT        NOT NULL,
    destination_ae      TEXT        NOT NULL,
    sop_instance_uid    TEXT        NOT NULL,
    status              INTEGER     NOT NULL,  -- DIMSE status of the last C-STORE; -1 when not sent
    error               TEXT        NULL,
    updated_at          TEXT        NOT NULL,
    PRIMARY KEY (job_id, destination_ae, sop_instance_uid),
    FOREIGN KEY (job_id, destination_ae) REFERENCES pacs_deliveries (job_id, destination_ae)
);

CREATE TABLE pacs_outbox (
    message_id    TEXT        PRIMARY KEY,
    job_id        TEXT        NOT NULL,
    message_type  TEXT        NOT NULL,
    payload       TEXT        NOT NULL,
    created_at    TEXT        NOT NULL,
    published_at  TEXT        NULL
);
CREATE INDEX ix_pacs_outbox_pending ON pacs_outbox (created_at) WHERE published_at IS NULL;
