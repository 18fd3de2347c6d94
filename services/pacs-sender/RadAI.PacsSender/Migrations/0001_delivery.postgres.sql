-- pacs-sender: where reports go (destinations, with their last C-ECHO), which study each job came from (its sender,
-- from StudyReceived), the report objects of each job (from ReportReady), one delivery per (job, destination) with
-- its schedule (durable retries: the schedule lives here, not in the broker), the status of each object at each
-- destination, and the outbox of ReportDelivered / DeliveryFailed (written with the state change, published after).
-- Counters are BIGINT so that both engines return 64-bit integers (one C# type for both).
CREATE TABLE pacs_destinations (
    ae_title           TEXT        PRIMARY KEY,
    host               TEXT        NOT NULL,
    port               BIGINT      NOT NULL,
    tls                BOOLEAN     NOT NULL,
    kinds              TEXT        NOT NULL,  -- comma-separated ReportObject kinds: SR,SEG,PDF,KEY-IMAGE
    all_reports        BOOLEAN     NOT NULL,  -- receives every report, not only those of the studies it sent
    enabled            BOOLEAN     NOT NULL,
    source             TEXT        NOT NULL,  -- config | api
    updated_at         TIMESTAMPTZ NOT NULL,
    last_echo_at       TIMESTAMPTZ NULL,
    last_echo_status   BIGINT      NULL,      -- DIMSE status of the C-ECHO; NULL when no association
    last_echo_error    TEXT        NULL
);

CREATE TABLE pacs_job_senders (
    job_id              UUID        PRIMARY KEY,
    sending_ae_title    TEXT        NOT NULL,
    study_instance_uid  TEXT        NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE pacs_jobs (
    job_id              UUID        PRIMARY KEY,
    correlation_id      UUID        NOT NULL,
    study_instance_uid  TEXT        NOT NULL,
    report_ready_at     TIMESTAMPTZ NOT NULL,
    recorded_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE pacs_job_objects (
    job_id              UUID        NOT NULL REFERENCES pacs_jobs (job_id),
    sop_instance_uid    TEXT        NOT NULL,
    ordinal             BIGINT      NOT NULL,
    kind                TEXT        NOT NULL,
    sop_class_uid       TEXT        NOT NULL,
    store               TEXT        NOT NULL,
    storage_key         TEXT        NOT NULL,
    PRIMARY KEY (job_id, sop_instance_uid)
);

CREATE TABLE pacs_deliveries (
    job_id              UUID        NOT NULL REFERENCES pacs_jobs (job_id),
    destination_ae      TEXT        NOT NULL,
    status              TEXT        NOT NULL,  -- pending | delivered | failed
    round               BIGINT      NOT NULL,  -- 0 for the first delivery, +1 per resend
    attempts            BIGINT      NOT NULL,  -- attempts of the current round
    next_attempt_at     TIMESTAMPTZ NOT NULL,  -- when pending: due time, or the lease of the attempt in progress
    last_attempt_at     TIMESTAMPTZ NULL,
    last_error          TEXT        NULL,
    completed_at        TIMESTAMPTZ NULL,
    last_request_id     UUID        NULL,      -- the ResendReport that started the current round
    created_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, destination_ae)
);
CREATE INDEX ix_pacs_deliveries_due ON pacs_deliveries (next_attempt_at) WHERE status = 'pending';

CREATE TABLE pacs_delivery_objects (
    job_id              UUID        NOT NULL,
    destination_ae      TEXT        NOT NULL,
    sop_instance_uid    TEXT        NOT NULL,
    status              BIGINT      NOT NULL,  -- DIMSE status of the last C-STORE; -1 when not sent
    error               TEXT        NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, destination_ae, sop_instance_uid),
    FOREIGN KEY (job_id, destination_ae) REFERENCES pacs_deliveries (job_id, destination_ae)
);

CREATE TABLE pacs_outbox (
    message_id    UUID        PRIMARY KEY,
    job_id        UUID        NOT NULL,
    message_type  TEXT        NOT NULL,
    payload       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    published_at  TIMESTAMPTZ NULL
);
CREATE INDEX ix_pacs_outbox_pending ON pacs_outbox (created_at) WHERE published_at IS NULL;
