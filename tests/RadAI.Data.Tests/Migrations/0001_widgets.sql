-- Portable migration used by the tests: the same file on both engines.
CREATE TABLE widgets (
    id    INTEGER PRIMARY KEY,
    name  TEXT    NOT NULL UNIQUE
);
