-- dicom-ingest: receptions (one job per sender, study and reception window), their series and
-- Counters are BIGINT so that both engines return 64-bit integers (one C# type for both).
-- instances, and the outbox of StudyReceived events (published after the state change commits).
CREATE TABLE ingest_receptions (
    job_id               UUID        PRIMARY KEY,
    sending_ae           TEXT        NOT NULL,
    called_ae            TEXT        NOT NULL,
    study_instance_uid   TEXT        NOT NULL,
    routing_profile      TEXT        NOT NULL,
    status               TEXT        NOT NULL,  -- receiving | complete
    stable_timeout_ms    BIGINT      NOT NULL,
    first_instance_at    TIMESTAMPTZ NOT NULL,
    last_instance_at     TIMESTAMPTZ NOT NULL,
    open_associations    BIGINT      NOT NULL DEFAULT 0,
    last_release_at      TIMESTAMPTZ NULL,
    completed_at         TIMESTAMPTZ NULL,
    instance_count       BIGINT      NOT NULL DEFAULT 0,
    duplicate_count      BIGINT      NOT NULL DEFAULT 0,
    total_bytes          BIGINT      NOT NULL DEFAULT 0,
    store_key            TEXT        NOT NULL
);
-- At most one open reception per (sender, study): the reception window.
CREATE UNIQUE INDEX ux_ingest_open_reception ON ingest_receptions (sending_ae, study_instance_uid) WHERE status = 'receiving';
CREATE INDEX ix_ingest_receptions_status ON ingest_receptions (status);

CREATE TABLE ingest_series (
    job_id               UUID    NOT NULL REFERENCES ingest_receptions (job_id),
    series_instance_uid  TEXT    NOT NULL,
    modality             TEXT    NOT NULL,
    body_part_examined   TEXT    NULL,
    series_description   TEXT    NULL,
    sop_class_uid        TEXT    NOT NULL,
    instance_count       BIGINT  NOT NULL DEFAULT 0,
    total_bytes          BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, series_instance_uid)
);

CREATE TABLE ingest_instances (
    job_id               UUID        NOT NULL REFERENCES ingest_receptions (job_id),
    sop_instance_uid     TEXT        NOT NULL,
    series_instance_uid  TEXT        NOT NULL,
    sop_class_uid        TEXT        NOT NULL,
    transfer_syntax_uid  TEXT        NOT NULL,
    size_bytes           BIGINT      NOT NULL,
    store_key            TEXT        NOT NULL,
    received_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (job_id, sop_instance_uid)
);

CREATE TABLE ingest_outbox (
    message_id    UUID        PRIMARY KEY,
    job_id        UUID        NOT NULL,
    message_type  TEXT        NOT NULL,
    payload       TEXT        NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_instance_at TIMESTAMPTZ NOT NULL,
    published_at  TIMESTAMPTZ NULL
);
CREATE INDEX ix_ingest_outbox_pending ON ingest_outbox (created_at) WHERE published_at IS NULL;
