-- report-builder: the SR each job produced, so that a later analysis of the same study points to the
-- previous one (Predecessor Documents Sequence), and a rebuilt job points to the same one again.
CREATE TABLE report_documents (
    job_id               UUID        PRIMARY KEY,
    study_instance_uid   TEXT        NOT NULL,
    series_instance_uid  TEXT        NOT NULL,
    sop_class_uid        TEXT        NOT NULL,
    sop_instance_uid     TEXT        NOT NULL,
    predecessor_job_id   UUID        NULL,
    created_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX ix_report_documents_study ON report_documents (study_instance_uid, created_at DESC);
