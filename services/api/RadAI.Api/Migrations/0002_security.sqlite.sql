-- Local users (api module). Passwords as Argon2id PHC strings; username lower-case; disabled when disabled_at is set.
-- Timestamps are ISO-8601 UTC text.
CREATE TABLE users (
    user_id        TEXT    PRIMARY KEY,
    username       TEXT    NOT NULL UNIQUE,
    password_hash  TEXT    NOT NULL,
    role           TEXT    NOT NULL,
    failed_logins  INTEGER NOT NULL DEFAULT 0,
    locked_until   TEXT    NULL,
    disabled_at    TEXT    NULL,
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL
);

-- Refresh tokens, stored as SHA-256 of the token; one family per login, rotated on each use.
CREATE TABLE refresh_tokens (
    token_id     TEXT PRIMARY KEY,
    family_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (user_id),
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT NULL,
    revoked_at   TEXT NULL
);
CREATE INDEX ix_refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX ix_refresh_tokens_user ON refresh_tokens (user_id);

-- API keys of machine clients, stored as SHA-256 of the key; the prefix identifies a key to people.
CREATE TABLE api_keys (
    key_id      TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    key_prefix  TEXT NOT NULL,
    key_hash    TEXT NOT NULL UNIQUE,
    role        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT NULL
);

-- Append-only, hash-chained audit log (see RadAI.Data.Audit.AuditChain). The triggers refuse UPDATE and DELETE
-- through the application; the chain detects what someone with more rights does anyway.
CREATE TABLE audit_log (
    sequence       INTEGER PRIMARY KEY,
    occurred_at    TEXT    NOT NULL,
    actor          TEXT    NOT NULL,
    source         TEXT    NULL,
    action         TEXT    NOT NULL,
    resource       TEXT    NULL,
    outcome        TEXT    NOT NULL,
    details        TEXT    NULL,
    previous_hash  TEXT    NOT NULL,
    entry_hash     TEXT    NOT NULL
);
CREATE INDEX ix_audit_log_occurred ON audit_log (occurred_at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
