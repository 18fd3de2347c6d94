-- inference (SQLite: timestamps are ISO-8601 UTC text): which model packages run and the routing profiles, seeded
-- from Inference:DisabledPackages and Inference:Profiles at every start (source config) or administered through the
-- api (source api); read for every study routed, by every replica.
CREATE TABLE inference_packages (
    package_id   TEXT        PRIMARY KEY,  -- a package without a row is enabled
    enabled      INTEGER     NOT NULL,
    source       TEXT        NOT NULL,     -- config | api
    updated_at   TEXT        NOT NULL
);

CREATE TABLE inference_routing_profiles (
    name         TEXT        PRIMARY KEY,
    packages     TEXT        NOT NULL,     -- comma-separated package ids; empty: every enabled package
    source       TEXT        NOT NULL,     -- config | api
    updated_at   TEXT        NOT NULL
);
