-- SQLite-specific variant of 0002: replaces the portable file on SQLite only.
ALTER TABLE widgets ADD COLUMN colour TEXT NULL DEFAULT 'grey';
