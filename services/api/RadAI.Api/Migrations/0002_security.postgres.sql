-- Local users (api module). Passwords as Argon2id PHC strings; username lower-case; disabled when disabled_at is set.
CREATE TABLE users (
    user_id        UUID        PRIMARY KEY,
    username       TEXT        NOT NULL UNIQUE,
    password_hash  TEXT        NOT NULL,
    role           TEXT        NOT NULL,
    failed_logins  INTEGER     NOT NULL DEFAULT 0,
    locked_until   TIMESTAMPTZ NULL,
    disabled_at    TIMESTAMPTZ NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

-- Refresh tokens, stored as SHA-256 of the token; one family per login, rotated on each use.
CREATE TABLE refresh_tokens (
    token_id     UUID        PRIMARY KEY,
    family_id    UUID        NOT NULL,
    user_id      UUID        NOT NULL REFERENCES users (user_id),
    token_hash   TEXT        NOT NULL UNIQUE,
    created_at   TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL,
    used_at      TIMESTAMPTZ NULL,
    revoked_at   TIMESTAMPTZ NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);

-- API keys of machine clients, stored as SHA-256 of the key; the prefix identifies a key to people.
CREATE TABLE api_keys (
    key_id      UUID        PRIMARY KEY,
    name        TEXT        NOT NULL,
    key_prefix  TEXT        NOT NULL,
    key_hash    TEXT        NOT NULL UNIQUE,
    role        TEXT        NOT NULL,
    created_by  TEXT        NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    revoked_at  TIMESTAMPTZ NULL
);

-- Append-only, hash-chained audit log (see RadAI.Data.Audit.AuditChain). The triggers refuse UPDATE and DELETE
-- through the application; the chain detects what someone with more rights does anyway.
CREATE TABLE audit_log (
    sequence       BIGINT      PRIMARY KEY,
    occurred_at    TIMESTAMPTZ NOT NULL,
    actor          TEXT        NOT NULL,
    source         TEXT        NULL,
    action         TEXT        NOT NULL,
    resource       TEXT        NULL,
    outcome        TEXT        NOT NULL,
    details        TEXT        NULL,
    previous_hash  TEXT        NOT NULL,
    entry_hash     TEXT        NOT NULL
);
CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
