-- dicom-ingest (SQLite): the known senders, seeded from DicomIngest:Senders at every start (source config) or
-- administered through the api (source api); read at each association.
CREATE TABLE ingest_senders (
    ae_title           TEXT        PRIMARY KEY,
    host               TEXT        NULL,      -- NULL: any host
    allowed            INTEGER     NOT NULL,  -- 0: associations answered, C-STOREs refused (0124)
    routing_profile    TEXT        NULL,      -- NULL: DicomIngest:DefaultRoutingProfile
    stable_timeout_ms  INTEGER     NULL,      -- NULL: DicomIngest:StableTimeout
    enabled            INTEGER     NOT NULL,  -- 0: kept, C-STOREs refused (0124)
    source             TEXT        NOT NULL,  -- config | api
    updated_at         TEXT        NOT NULL
);
